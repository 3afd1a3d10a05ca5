//! Evaluation of Entrain's gait detectors: the annotated ground truth ([`reference`]), scoring of
//! detections against it ([`scoring`]: one-to-one matching, precision / recall / F1, timing error,
//! latency), runs of the streaming detectors over an annotated trial ([`evaluation`]), and
//! band-limited resampling of a trial's signals to another sensor's rate ([`resample`]), as
//! `entrain eval`, the accuracy tests and the benches use them.
//!
//! Kept out of `entrain-gait` so the firmware's detector core carries none of it.
#![forbid(unsafe_code)]

pub mod evaluation;
pub mod peers;
pub mod reference;
pub mod resample;
pub mod scoring;
pub mod stride;

pub use evaluation::AnnotatedTrial;
pub use reference::{ReferenceEvent, ReferenceTiming, WalkingBout};
pub use stride::{LengthError, ReferenceDistance, ReferenceStride};
