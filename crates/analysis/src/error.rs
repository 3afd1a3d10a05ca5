//! What can go wrong while measuring a stored session.

use entrain_store::StoreError;

/// A session or patient could not be measured.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// The record could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No such patient.
    #[error("patient {patient}: {detail}")]
    Patient {
        /// The patient's code.
        patient: String,
        /// What is wrong.
        detail: String,
    },
}
