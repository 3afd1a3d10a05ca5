//! entrain-cue: the Rhythmic Auditory Stimulation (RAS) protocol engine.
//!
//! An explicit state machine walks a session through the phases of docs/CLINICAL.md#ras-protocol (uncued baseline → matched
//! cue → entrainment-gated progression → optional functional block → fading → uncued re-test), adapts
//! the beat to the patient ([`AdaptationMode`]), enforces the clinician's safety limits ([`TempoLimits`])
//! and writes a clinician-readable log of why every tempo and phase change happened ([`LogEntry`]).
//!
//! Pure: no threads, no clocks, no I/O. Time is a parameter in integer nanoseconds on the session clock
//! (`*_nanos`); tempo is in steps/min (`*_spm`), one beat per step.
#![forbid(unsafe_code)]
// Lint debt from the first cut of this crate, to be removed in its own clean-up commit.

pub mod adapt;
pub mod beat;
pub mod config;
pub mod error;
pub mod fade;
pub mod gate;
pub mod log;
pub mod measures;
pub mod outcome;
pub mod phase;
pub mod progress;
pub mod safety;
pub mod session;
pub mod sim;
pub mod tempo;

pub use adapt::AdaptationMode;
pub use beat::Beat;
pub use config::ProtocolConfig;
pub use error::ConfigError;
pub use fade::{FadeSchedule, MeterConfig};
pub use gate::{GateConfig, GateVerdict};
pub use log::{LogEntry, LogEvent};
pub use measures::GaitMeasures;
pub use outcome::{SessionEnd, SessionOutcome};
pub use phase::Phase;
pub use progress::PhaseProgress;
pub use safety::TempoLimits;
pub use session::{ClinicianCommand, RasSession, RunState, StepEvent};
