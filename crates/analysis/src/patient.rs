//! A patient's progress across sessions: every session's analysis and every clinical test.

use entrain_store::{ClinicalTestKind, PatientRecord, Store, StoredClinicalTest};

use crate::error::AnalysisError;
use crate::session::{SessionAnalysis, analyse_session};

/// One patient's sessions and tests, for the Progress screen and the progress report.
#[derive(Debug, Clone)]
pub struct PatientProgress {
    /// The patient.
    pub patient: PatientRecord,
    /// Every session, oldest first.
    pub sessions: Vec<SessionAnalysis>,
    /// Every clinical test, oldest first.
    pub tests: Vec<StoredClinicalTest>,
}

impl PatientProgress {
    /// The results of one kind of test, oldest first: (Unix ms, value).
    pub fn results(&self, kind: ClinicalTestKind) -> Vec<(i64, f64)> {
        let mut v: Vec<(i64, f64)> = self
            .tests
            .iter()
            .filter(|t| t.test == kind)
            .map(|t| (t.performed_unix_ms, t.value))
            .collect();
        v.sort_by_key(|p| p.0);
        v
    }
}

/// Reads everything about the patient with code `code`.
pub fn analyse_patient(store: &Store, code: &str) -> Result<PatientProgress, AnalysisError> {
    let patient = store
        .patient_by_code(code)?
        .ok_or_else(|| AnalysisError::Patient {
            patient: code.to_string(),
            detail: format!("no such patient in {}", store.path().display()),
        })?;
    analyse_patient_record(store, patient)
}

/// Reads everything about `patient`.
pub fn analyse_patient_record(
    store: &Store,
    patient: PatientRecord,
) -> Result<PatientProgress, AnalysisError> {
    let mut records = store.sessions(Some(patient.id))?;
    records.sort_by_key(|s| (s.started_unix_ms, s.id));
    let sessions = records
        .iter()
        .map(|s| analyse_session(store, s.id))
        .collect::<Result<Vec<_>, _>>()?;
    let tests = store.clinical_tests(patient.id)?;
    Ok(PatientProgress {
        patient,
        sessions,
        tests,
    })
}
