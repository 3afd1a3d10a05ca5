//! entrain-analysis: the only code that turns a stored RAS session into the measures a clinician
//! reads. The Progress screen, the session and progress PDFs and the FHIR export all read
//! [`SessionAnalysis`] and [`PatientProgress`], so one session never shows two numbers for one
//! thing.
//!
//! - [`session`]: baseline and re-test gait metrics (`entrain_gait::metrics::GaitMetrics` with the
//!   patient's paretic side), entrainment per phase (`entrain_gait::sync::summarize` against the
//!   played beats; in fading against the whole schedule), the cadence curve
//!   (`entrain_gait::cadence::CadenceTracker`), the clinical tests filed with the session.
//! - [`patient`]: every session and test of a patient, oldest first.
//! - [`measure`]: each walk measure's label and the precision it is shown at.
//! - [`thresholds`]: the clinical thresholds (gait-speed MCID band, ambulation classes,
//!   entrainment categories).
//! - [`settings`]: the stored protocol settings, flattened for display.
//! - [`export`]: `entrain export`, the record's tables with every session's measures beside them.
//!
//! Definitions and sources: `docs/CLINICAL.md`.
#![forbid(unsafe_code)]

mod error;
pub mod export;
pub mod measure;
pub mod patient;
pub mod session;
pub mod settings;
pub mod thresholds;

pub use error::AnalysisError;
pub use measure::WalkMeasure;
pub use patient::{PatientProgress, analyse_patient, analyse_patient_record};
pub use session::{BeatPoint, PhaseSummary, SessionAnalysis, TestResult, analyse_session};
