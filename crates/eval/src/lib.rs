//! Evaluation of Entrain's gait detectors: the annotated ground truth ([`reference`]), scoring of
//! detections against it ([`scoring`]: one-to-one matching, precision / recall / F1, timing error,
//! latency), and runs of the streaming detectors over an annotated trial ([`evaluation`]), as
//! `entrain eval`, the accuracy tests and the benches use them.
//!
//! Kept out of `entrain-gait` so the firmware's detector core carries none of it.
#![forbid(unsafe_code)]

pub mod evaluation;
pub mod peers;
pub mod reference;
pub mod scoring;

pub use evaluation::AnnotatedTrial;
pub use reference::{ReferenceEvent, ReferenceTiming, WalkingBout};
