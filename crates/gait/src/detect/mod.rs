//! Streaming gait-event detectors: one sample in, zero or more events out, causally.

use alloc::vec::Vec;

use crate::sample::{GaitEvent, ImuSample};

pub mod foot;
pub mod gap;
pub mod lower_back;

pub use foot::{FootDetector, FootDetectorConfig};
pub use lower_back::{LowerBackDetector, LowerBackDetectorConfig};

/// A causal detector fed one sample at a time, at a fixed sample rate.
pub trait StreamingDetector {
    /// Consumes the next sample (times must increase) and appends any event it confirms to `events`.
    /// Each event carries its estimated time and `emitted_at_nanos == sample.time_nanos`.
    fn push(&mut self, sample: &ImuSample, events: &mut Vec<GaitEvent>);

    /// Forgets all history, as after a sensor gap.
    fn reset(&mut self);
}
