//! Annotated ground truth, in the forms the public data sets give it.

use serde::{Deserialize, Serialize};

use entrain_gait::{GaitEventKind, Side};

/// When an annotated event happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReferenceTiming {
    /// A known instant (e.g. a heel strike from force plates, motion capture or a checked algorithm).
    Instant {
        /// The event time on the recording's clock.
        time_nanos: i64,
    },
    /// Only a window is known to contain the event (e.g. Truong's [heel-off, foot-flat] per step):
    /// usable for detection scoring, not for timing error.
    Window {
        /// Window start on the recording's clock.
        start_nanos: i64,
        /// Window end on the recording's clock.
        end_nanos: i64,
    },
}

/// One annotated gait event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceEvent {
    /// IC or TO.
    pub kind: GaitEventKind,
    /// The foot, where the annotation says.
    pub side: Option<Side>,
    /// When.
    pub timing: ReferenceTiming,
}

/// A stretch of walking the reference delimits, over which cadence is compared.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WalkingBout {
    /// Bout start on the recording's clock.
    pub start_nanos: i64,
    /// Bout end on the recording's clock.
    pub end_nanos: i64,
    /// The reference system's own cadence for the bout, steps/min, where it reports one.
    pub reference_cadence_spm: Option<f64>,
}
