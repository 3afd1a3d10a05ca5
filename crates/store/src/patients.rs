//! The patients of the record: pseudonymous codes (unique, compared without case: "p-001" is
//! "P-001"), year of birth, affected side, diagnosis date, notes.

use rusqlite::{OptionalExtension, params};

use crate::error::StoreError;
use crate::model::*;
use crate::read::parsed_opt;
use crate::store::{Store, unix_ms_now};

/// Whether two patient codes name the same patient: trimmed, compared without ASCII case (as
/// SQLite's `NOCASE`, which the record's triggers use).
pub fn same_patient_code(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

impl Store {
    /// Adds a patient.
    pub fn add_patient(&mut self, patient: &NewPatient) -> Result<PatientRecord, StoreError> {
        let code = Self::check_patient(patient)?;
        if let Some(other) = self.patients_matching(code)?.first() {
            return Err(StoreError::Invalid {
                field: "patient code".into(),
                expected: "a code not used yet (codes compare without case)".into(),
                found: format!("{code} (patient {} has it already)", other.code),
            });
        }
        let now = unix_ms_now();
        self.conn
            .execute(
                "INSERT INTO patients (code, year_of_birth, affected_side, diagnosis_date, notes, created_unix_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    code,
                    patient.year_of_birth,
                    patient.affected_side.map(AffectedSide::as_str),
                    patient.diagnosis_date,
                    patient.notes,
                    now
                ],
            )
            .map_err(|e| self.e("adding a patient", e))?;
        self.patient_by_code(code)?
            .ok_or_else(|| StoreError::NotFound {
                path: self.path.clone(),
                what: format!("patient {code} just added"),
            })
    }

    /// Changes patient `id`'s code and details (its sessions and tests stay with it).
    pub fn update_patient(
        &mut self,
        id: i64,
        patient: &NewPatient,
    ) -> Result<PatientRecord, StoreError> {
        let code = Self::check_patient(patient)?;
        let current = self.patient(id)?;
        // Keeping one's own code is always allowed, also in an older record where two codes
        // differ only in case.
        if code != current.code
            && let Some(other) = self
                .patients_matching(code)?
                .into_iter()
                .find(|p| p.id != id)
        {
            return Err(StoreError::Invalid {
                field: "patient code".into(),
                expected: "a code not used by another patient (codes compare without case)".into(),
                found: format!("{code} (patient {} has it already)", other.code),
            });
        }
        let changed = self
            .conn
            .execute(
                "UPDATE patients SET code = ?1, year_of_birth = ?2, affected_side = ?3,
                 diagnosis_date = ?4, notes = ?5 WHERE id = ?6",
                params![
                    code,
                    patient.year_of_birth,
                    patient.affected_side.map(AffectedSide::as_str),
                    patient.diagnosis_date,
                    patient.notes,
                    id
                ],
            )
            .map_err(|e| self.e("changing a patient", e))?;
        if changed == 0 {
            return Err(StoreError::NotFound {
                path: self.path.clone(),
                what: format!("patient #{id}"),
            });
        }
        self.patient(id)
    }

    /// Checks a patient's fields; returns the trimmed code.
    fn check_patient(patient: &NewPatient) -> Result<&str, StoreError> {
        let code = patient.code.trim();
        if code.is_empty() || code.len() > 64 {
            return Err(StoreError::Invalid {
                field: "patient code".into(),
                expected: "1 to 64 characters".into(),
                found: format!("{:?}", patient.code),
            });
        }
        if let Some(y) = patient.year_of_birth
            && !(1900..=2100).contains(&y)
        {
            return Err(StoreError::Invalid {
                field: "year of birth".into(),
                expected: "a year between 1900 and 2100".into(),
                found: y.to_string(),
            });
        }
        if let Some(d) = &patient.diagnosis_date
            && crate::time::parse_date(d).is_none()
        {
            return Err(StoreError::Invalid {
                field: "diagnosis date".into(),
                expected: "a date YYYY-MM-DD".into(),
                found: d.clone(),
            });
        }
        Ok(code)
    }

    fn patient_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PatientRecord> {
        Ok(PatientRecord {
            id: r.get(0)?,
            code: r.get(1)?,
            year_of_birth: r.get(2)?,
            affected_side: parsed_opt(r, 3)?,
            diagnosis_date: r.get(4)?,
            notes: r.get(5)?,
            created_unix_ms: r.get(6)?,
        })
    }

    const PATIENT_COLUMNS: &'static str =
        "id, code, year_of_birth, affected_side, diagnosis_date, notes, created_unix_ms";

    /// The patient with pseudonymous code `code`, compared without case ("p-001" finds "P-001").
    ///
    /// A record written before codes compared so may hold two codes that differ only in case:
    /// each is found by its exact spelling, and any other spelling is refused as ambiguous.
    pub fn patient_by_code(&self, code: &str) -> Result<Option<PatientRecord>, StoreError> {
        let code = code.trim();
        let mut matching = self.patients_matching(code)?;
        if let Some(i) = matching.iter().position(|p| p.code == code) {
            return Ok(Some(matching.swap_remove(i)));
        }
        if matching.len() > 1 {
            let codes: Vec<&str> = matching.iter().map(|p| p.code.as_str()).collect();
            return Err(StoreError::Invalid {
                field: "patient code".into(),
                expected: format!(
                    "one of {} spelt exactly (they differ only in case; rename one)",
                    codes.join(", ")
                ),
                found: code.into(),
            });
        }
        Ok(matching.pop())
    }

    /// The patients whose code equals `code` without case, oldest first.
    fn patients_matching(&self, code: &str) -> Result<Vec<PatientRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {} FROM patients WHERE code = ?1 COLLATE NOCASE ORDER BY id",
                Self::PATIENT_COLUMNS
            ))
            .map_err(|e| self.e("reading a patient", e))?;
        let rows = stmt
            .query_map([code.trim()], Self::patient_from_row)
            .map_err(|e| self.e("reading a patient", e))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| self.e("reading a patient", e))
    }

    /// The patient with row id `id`.
    pub fn patient(&self, id: i64) -> Result<PatientRecord, StoreError> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {} FROM patients WHERE id = ?1",
                    Self::PATIENT_COLUMNS
                ),
                [id],
                Self::patient_from_row,
            )
            .optional()
            .map_err(|e| self.e("reading a patient", e))?
            .ok_or_else(|| StoreError::NotFound {
                path: self.path.clone(),
                what: format!("patient #{id}"),
            })
    }

    /// Every patient, by code.
    pub fn patients(&self) -> Result<Vec<PatientRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {} FROM patients ORDER BY code",
                Self::PATIENT_COLUMNS
            ))
            .map_err(|e| self.e("listing patients", e))?;
        let rows = stmt
            .query_map([], Self::patient_from_row)
            .map_err(|e| self.e("listing patients", e))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| self.e("listing patients", e))
    }
}
