//! entrain-ui: the clinician's screens and widgets (egui, egui_plot).
//!
//! - [`clinical`]: the ward's gait tests (10 m walk, 6 min walk, TUG, FAC) as pure state machines.
//! - [`history`]: the live plots' data, accumulated from the engine's events.
//! - [`progress`]: per-session measures from the record, and the clinical thresholds.
#![forbid(unsafe_code)]

pub mod clinical;
pub mod history;
pub mod progress;
