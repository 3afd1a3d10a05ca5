//! Patient codes compare without case, also in a record from before they did, and a clinical
//! test links only to a session of its own patient.
#![allow(clippy::unwrap_used)]

use entrain_gait::{Placement, Side};
use entrain_store::*;

fn patient(store: &mut Store, code: &str) -> PatientRecord {
    store
        .add_patient(&NewPatient {
            code: code.into(),
            ..NewPatient::default()
        })
        .unwrap()
}

fn code(code: &str) -> NewPatient {
    NewPatient {
        code: code.into(),
        ..NewPatient::default()
    }
}

fn session_of(store: &mut Store, patient_id: Option<i64>) -> i64 {
    store
        .begin_session(&NewSession {
            patient_id,
            source: "sim:healthy".into(),
            protocol: "ras".into(),
            settings_json: "{}".into(),
            sensors: vec![SessionSensor {
                placement: Placement::Foot(Side::Left),
                sensor_key: "virtual:left".into(),
                name: "left".into(),
                sample_rate_hz: 100.0,
            }],
        })
        .unwrap()
}

#[test]
fn a_code_that_differs_only_in_case_is_the_same_patient() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("e.db")).unwrap();
    let a = patient(&mut store, "P-001");
    let b = patient(&mut store, "P-002");

    let err = store.add_patient(&code("p-001")).unwrap_err().to_string();
    assert!(err.contains("p-001") && err.contains("P-001"), "{err}");
    assert!(err.contains("without case"), "{err}");
    assert_eq!(store.patients().unwrap().len(), 2, "nothing was added");

    let err = store.update_patient(b.id, &code("p-001")).unwrap_err();
    assert!(err.to_string().contains("P-001"), "{err}");
    assert_eq!(store.patient(b.id).unwrap().code, "P-002");

    assert_eq!(store.patient_by_code("p-001").unwrap().unwrap().id, a.id);
    assert_eq!(store.patient_by_code(" P-002 ").unwrap().unwrap().id, b.id);
    assert!(store.patient_by_code("p-003").unwrap().is_none());

    // Changing the case of one's own code is a rename, not a clash.
    let renamed = store.update_patient(a.id, &code("p-001")).unwrap();
    assert_eq!(renamed.code, "p-001");
    assert!(same_patient_code("P-001", " p-001 "));
    assert!(!same_patient_code("P-001", "P-0010"));

    // The record itself refuses a clash that does not go through these checks.
    let conn = rusqlite::Connection::open(dir.path().join("e.db")).unwrap();
    let raw = conn.execute(
        "INSERT INTO patients (code, created_unix_ms) VALUES ('p-002', 0)",
        [],
    );
    assert!(raw.is_err());
}

#[test]
fn an_older_record_with_two_codes_that_differ_only_in_case_still_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        // Version 1 compared codes as stored, so it could hold both.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(schema::MIGRATIONS[0]).unwrap();
        conn.execute_batch(&format!(
            "PRAGMA application_id = {}; PRAGMA user_version = 1;
             INSERT INTO patients (code, created_unix_ms) VALUES ('Ab-1', 1), ('aB-1', 2);",
            schema::APPLICATION_ID
        ))
        .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    let all = store.patients().unwrap();
    assert_eq!(all.len(), 2, "both are kept");
    let (first, second) = (all[0].clone(), all[1].clone());
    for p in [&first, &second] {
        assert_eq!(store.patient_by_code(&p.code).unwrap().unwrap().id, p.id);
    }
    let err = store.patient_by_code("ab-1").unwrap_err().to_string();
    assert!(err.contains("Ab-1") && err.contains("aB-1"), "{err}");
    assert!(store.add_patient(&code("AB-1")).is_err());
    // Each can still be edited, and renaming one ends the ambiguity.
    let edited = store
        .update_patient(
            first.id,
            &NewPatient {
                notes: "kept".into(),
                ..code(&first.code)
            },
        )
        .unwrap();
    assert_eq!(edited.notes, "kept");
    store.update_patient(second.id, &code("Ab-2")).unwrap();
    assert_eq!(store.patient_by_code("ab-1").unwrap().unwrap().id, first.id);
}

#[test]
fn a_test_links_only_to_a_session_of_its_own_patient() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("e.db")).unwrap();
    let a = patient(&mut store, "P-001");
    let b = patient(&mut store, "P-002");
    let of_a = session_of(&mut store, Some(a.id));
    let of_none = session_of(&mut store, None);

    let err = store
        .add_clinical_test(b.id, Some(of_a), ClinicalTestKind::TimedUpAndGo, 12.0, "")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&format!("session {of_a}")) && err.contains("P-001") && err.contains("P-002"),
        "{err}"
    );
    let err = store
        .add_clinical_test(a.id, Some(of_none), ClinicalTestKind::Fac, 3.0, "")
        .unwrap_err()
        .to_string();
    assert!(err.contains("of no patient"), "{err}");
    assert!(
        store
            .add_clinical_test(a.id, Some(9999), ClinicalTestKind::Fac, 3.0, "")
            .is_err()
    );

    store
        .add_clinical_test(a.id, Some(of_a), ClinicalTestKind::Fac, 3.0, "")
        .unwrap();
    store
        .add_clinical_test(b.id, None, ClinicalTestKind::Fac, 4.0, "")
        .unwrap();
}
