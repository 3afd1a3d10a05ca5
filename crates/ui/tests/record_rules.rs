//! What the clinician enters reaches the record right: a patient code that differs only in case
//! is refused at the field, a clinical test is linked to a session only while it runs (or as
//! picked on screen), and contradictory protocol settings are refused at the field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use egui_kittest::Harness;
use entrain_store::Store;
use entrain_ui::{EntrainApp, Settings};

use common::*;

#[test]
fn a_code_that_differs_only_in_case_is_refused_and_does_not_become_the_patient() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(Settings::demo(dir.path().to_path_buf()));
    add_patient(&mut h, "P-001");
    wait_until(&mut h, "P-001", Duration::from_secs(10), |h| {
        has_label(h, "Open P-001")
    });
    click(&mut h, "Open P-001");
    click(&mut h, "Patients");
    click(&mut h, "Add patient");
    type_into(&mut h, "Patient code", "p-001");
    assert!(
        has_text_containing(
            &h,
            "p-001 is patient P-001's code (codes compare without case)"
        ),
        "the clash is shown at the field before saving"
    );
    click(&mut h, "Save patient");
    wait_until(&mut h, "the refusal", Duration::from_secs(5), |h| {
        h.state()
            .banner_texts()
            .iter()
            .any(|b| b.contains("Patient not saved") && b.contains("P-001"))
    });
    h.run_steps(10);
    assert!(!has_label(&h, "Open p-001"));
    assert!(
        has_text_containing(&h, "Patient P-001"),
        "P-001 stays the patient"
    );
    assert!(!has_text_containing(&h, "Patient p-001"));
    let store = Store::open(&Settings::demo(dir.path().to_path_buf()).database_path()).unwrap();
    assert_eq!(store.patients().unwrap().len(), 1);
}

#[test]
fn a_test_after_the_session_is_not_linked_to_it_unless_picked() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(Settings::demo(dir.path().to_path_buf()));
    add_patient(&mut h, "TEST-7");
    click(&mut h, "Open TEST-7");
    click(&mut h, "Assign virtual patient's sensors");
    wait_until(&mut h, "the assignment", Duration::from_secs(10), |h| {
        has_text_containing(h, "Sensors assigned")
    });
    click(&mut h, "Go to session");
    // The session's record begins at Start.
    click(&mut h, "Start");
    wait_until(&mut h, "the session", Duration::from_secs(20), |h| {
        h.state().live().is_some_and(|l| l.session_id.is_some())
    });
    let session = h.state().live().unwrap().session_id.unwrap();

    let save_fac = |h: &mut Harness<'_, EntrainApp>, fac: &str, linked: &str| {
        type_into(h, "FAC (whole number 0–5)", fac);
        click(h, "Save FAC");
        let stored = format!("Stored Functional Ambulation Category: {fac} ({linked})");
        wait_until(h, &stored, Duration::from_secs(30), |h| {
            has_text_containing(h, &stored)
        });
    };

    // During the session: linked to it, and shown.
    click(&mut h, "Clinical tests");
    assert!(has_text_containing(
        &h,
        &format!("Results are linked to session {session} (running)")
    ));
    save_fac(&mut h, "2", &format!("session {session}"));

    click(&mut h, "Live session");
    click(&mut h, "Stop");
    click(&mut h, "Stop now (no re-test)");
    wait_until(&mut h, "the session's end", Duration::from_secs(20), |h| {
        h.state().live().is_some_and(|l| l.is_finished())
    });

    // After it: no session, unless the clinician picks it.
    click(&mut h, "Clinical tests");
    assert!(has_text_containing(
        &h,
        &format!("Results are linked to no session (session {session} is ended)")
    ));
    save_fac(&mut h, "3", "no session");
    click(&mut h, &format!("This session ({session})"));
    h.step();
    assert!(has_text_containing(
        &h,
        &format!("Results are linked to session {session} (ended)")
    ));
    save_fac(&mut h, "4", &format!("session {session}"));
    click(&mut h, "No session");
    h.step();
    save_fac(&mut h, "5", "no session");

    let store = Store::open(&Settings::demo(dir.path().to_path_buf()).database_path()).unwrap();
    let patient = store.patient_by_code("TEST-7").unwrap().unwrap();
    let links: Vec<(f64, Option<i64>)> = store
        .clinical_tests(patient.id)
        .unwrap()
        .iter()
        .map(|t| (t.value, t.session_id))
        .collect();
    assert_eq!(
        links,
        [
            (2.0, Some(session)),
            (3.0, None),
            (4.0, Some(session)),
            (5.0, None)
        ]
    );
}

#[test]
fn a_highest_increase_above_the_ceiling_is_refused_at_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        max_increase_percent: 30.0,
        ceiling_above_baseline_percent: 15.0,
        ..Settings::demo(dir.path().to_path_buf())
    };
    let mut h = ready(settings);
    click(&mut h, "Settings");
    h.step();
    assert!(
        has_text_containing(
            &h,
            "highest increase 30 % is above the tempo ceiling 15 % over the baseline"
        ),
        "the contradiction is shown before saving"
    );
    click(&mut h, "Save settings");
    wait_until(&mut h, "the refusal", Duration::from_secs(5), |h| {
        h.state()
            .banner_texts()
            .iter()
            .any(|b| b.contains("Settings not saved") && b.contains("ceiling"))
    });
    assert!(
        !dir.path()
            .join(entrain_ui::settings::SETTINGS_FILE)
            .exists(),
        "nothing was saved"
    );
}
