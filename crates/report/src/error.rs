//! What can go wrong while building a report or an export.

use std::path::PathBuf;

use entrain_analysis::AnalysisError;
use entrain_store::StoreError;

use crate::font::FontError;

/// A report or export could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The record could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The session or patient could not be measured.
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    /// No such patient, or nothing to report for them.
    #[error("patient {patient}: {detail}")]
    Patient {
        /// The patient's code (or row id).
        patient: String,
        /// What is wrong.
        detail: String,
    },
    /// A chart could not be drawn.
    #[error("chart '{chart}': {detail}")]
    Chart {
        /// Which chart.
        chart: &'static str,
        /// The plotting library's error.
        detail: String,
    },
    /// The report font could not be read or embedded.
    #[error(transparent)]
    Font(#[from] FontError),
    /// The output file could not be written.
    #[error("{}: {context}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done.
        context: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The FHIR bundle could not be serialised.
    #[error("FHIR bundle: {0}")]
    Json(#[from] serde_json::Error),
}
