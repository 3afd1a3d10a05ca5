//! Clinical tests (10MWT, 6MWT, TUG, FAC): stored for a patient, with the session they were done
//! in or none; refused when out of range or when the session is another patient's.

use rusqlite::params;

use crate::error::StoreError;
use crate::model::*;
use crate::store::{Store, unix_ms_now};

impl Store {
    /// Records a clinical test result, done during session `session_id` if given (which must be
    /// one of this patient's sessions).
    pub fn add_clinical_test(
        &mut self,
        patient_id: i64,
        session_id: Option<i64>,
        test: ClinicalTestKind,
        value: f64,
        notes: &str,
    ) -> Result<i64, StoreError> {
        let (lo, hi) = test.range();
        if !(value.is_finite() && value >= lo && value <= hi) {
            return Err(StoreError::Invalid {
                field: format!("{} result", test.as_str()),
                expected: format!("{lo}..={hi} {}", test.unit()),
                found: shown_number(value),
            });
        }
        if test == ClinicalTestKind::Fac && value.fract() != 0.0 {
            return Err(StoreError::Invalid {
                field: "fac result".into(),
                expected: "a whole category 0..=5".into(),
                found: value.to_string(),
            });
        }
        let patient = self.patient(patient_id)?;
        if let Some(sid) = session_id {
            let session = self.session(sid)?;
            if session.patient_id != Some(patient_id) {
                return Err(StoreError::Invalid {
                    field: format!("session of the {} result", test.as_str()),
                    expected: format!("a session of patient {} (or no session)", patient.code),
                    found: match session.patient_code {
                        Some(other) => format!("session {sid}, of patient {other}"),
                        None => format!("session {sid}, of no patient"),
                    },
                });
            }
        }
        self.conn
            .execute(
                "INSERT INTO clinical_tests (patient_id, session_id, test, performed_unix_ms, value, unit, notes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    patient_id,
                    session_id,
                    test.as_str(),
                    unix_ms_now(),
                    value,
                    test.unit(),
                    notes
                ],
            )
            .map_err(|e| self.e("adding a clinical test", e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Deletes the clinical test result with row id `id` (one entered wrongly); returns whether
    /// there was one.
    pub fn delete_clinical_test(&mut self, id: i64) -> Result<bool, StoreError> {
        let n = self
            .conn
            .execute("DELETE FROM clinical_tests WHERE id = ?1", params![id])
            .map_err(|e| self.e("deleting a clinical test", e))?;
        Ok(n > 0)
    }
}

/// A number as a person reads it in an error: `1e300`, not three hundred digits.
fn shown_number(v: f64) -> String {
    if v.is_finite() && v != 0.0 && !(1e-3..1e6).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}
