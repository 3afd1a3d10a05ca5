//! The real UI driven by accessible names through egui_kittest (AccessKit), with the real record
//! (SQLite in a temporary folder) and the real engine running the virtual patient in real time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use entrain_ui::{EntrainApp, Screen, Settings};

use common::*;

#[test]
fn a_whole_ward_session_patient_sensors_start_progression_test_short_retest_report_and_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(Settings::demo(dir.path().to_path_buf()));
    wait_until(&mut h, "the record to open", Duration::from_secs(10), |h| {
        h.state().store_ready()
    });

    // Patients: add one by its pseudonymous code.
    click(&mut h, "Add patient");
    h.step();
    type_into(&mut h, "Patient code", "WARD3-017");
    type_into(&mut h, "Affected side (left/right/both/none)", "left");
    type_into(&mut h, "Year of birth", "1951");
    click(&mut h, "Save patient");
    wait_until(
        &mut h,
        "the patient in the list",
        Duration::from_secs(10),
        |h| has_label(h, "Open WARD3-017"),
    );
    click(&mut h, "Open WARD3-017");
    h.step();
    assert_eq!(h.state().screen(), Screen::Sensors);
    assert!(has_text_containing(&h, "Patient WARD3-017"));

    // Sensors: with no adapter the screen offers the virtual patient; assign its sensors.
    click(&mut h, "Assign virtual patient's sensors");
    wait_until(
        &mut h,
        "the assignment banner",
        Duration::from_secs(10),
        |h| has_text_containing(h, "Sensors assigned: foot_left -> virtual"),
    );

    // Live session: start, walk the uncued baseline into the matched cue, see the tempo.
    click(&mut h, "Go to session");
    wait_until(
        &mut h,
        "the session to be ready",
        Duration::from_secs(20),
        |h| has_label(h, "Start"),
    );
    click(&mut h, "Start");
    wait_until(
        &mut h,
        "the baseline to run",
        Duration::from_secs(10),
        |h| has_text_containing(h, "Phase: baseline (no cue)") && has_label(h, "Pause"),
    );
    // The demo protocol's baseline is 8 s of walking; the cue then starts at the matched tempo.
    wait_until(&mut h, "the matched cue", Duration::from_secs(40), |h| {
        has_text_containing(h, "Phase: matched cue")
    });
    let first_target = wait_target(&mut h);
    assert!(
        (60.0..=100.0).contains(&first_target),
        "matched tempo {first_target} near the virtual patient's 80 steps/min"
    );
    assert!(
        has_text_containing(&h, "Tempo change: "),
        "the reason of the first tempo is shown"
    );

    // The clinician raises the tempo: the target changes and the reason says so.
    click(&mut h, "Tempo +");
    h.step();
    click(&mut h, "Tempo +");
    wait_until(&mut h, "the nudged target", Duration::from_secs(10), |h| {
        h.state()
            .live()
            .and_then(|l| l.snapshot.target_tempo_spm)
            .is_some_and(|t| t >= first_target + 1.5)
    });
    assert!(h.state().live().unwrap().history.tempo_changes.len() >= 2);

    // Pause and resume by button, mark an event, then stop with confirmation.
    click(&mut h, "Pause");
    wait_until(&mut h, "pause", Duration::from_secs(5), |h| {
        has_label(h, "Resume")
    });
    click(&mut h, "Resume");
    wait_until(&mut h, "resume", Duration::from_secs(5), |h| {
        has_label(h, "Pause")
    });
    click(&mut h, "Mark event");

    // A clinical test while the session runs belongs to it.
    click(&mut h, "Clinical tests");
    type_into(&mut h, "FAC (whole number 0–5)", "3");
    click(&mut h, "Save FAC");
    wait_until(&mut h, "the FAC stored", Duration::from_secs(10), |h| {
        h.state()
            .banner_texts()
            .iter()
            .any(|b| b.contains("session 1"))
    });
    click(&mut h, "Live session");

    // Ending early as on the ward: stop after a short uncued re-test, so the outcome is measured.
    click(&mut h, "Stop");
    click(&mut h, "Stop after a short re-test");
    wait_until(&mut h, "the short re-test", Duration::from_secs(10), |h| {
        has_text_containing(h, "Phase: re-test (no cue)")
    });
    wait_until(&mut h, "the session's end", Duration::from_secs(60), |h| {
        h.state().live().is_some_and(|l| l.is_finished())
    });
    wait_until(&mut h, "the end panel", Duration::from_secs(20), |h| {
        has_text_containing(h, "stopped after a short re-test")
    });

    // Progress: the session is there with its steps and baseline cadence.
    click(&mut h, "Progress");
    wait_until(
        &mut h,
        "the session in progress",
        Duration::from_secs(10),
        |h| has_text_containing(h, "1 session(s)"),
    );
    assert!(has_text_containing(&h, "Session #"));
    assert!(has_text_containing(&h, "baseline vs re-test"));
    h.step();
    assert!(h.unnamed_widgets().is_empty(), "{:?}", h.unnamed_widgets());

    // The same reports and export as `entrain report` / `entrain export --format fhir`, written
    // into the data folder's reports/ off the UI thread.
    let session_id = h
        .query_all_by_label_contains("Report #")
        .next()
        .map(|n| n.accesskit_node().label().unwrap_or_default())
        .unwrap()
        .trim_start_matches("Report #")
        .trim_end_matches(" (PDF)")
        .to_string();
    let reports = dir.path().join("reports");
    for (button, file) in [
        (
            format!("Report #{session_id} (PDF)"),
            format!("session-{session_id}.pdf"),
        ),
        (
            "Progress report (PDF)".to_string(),
            "progress-WARD3-017.pdf".to_string(),
        ),
        (
            format!("FHIR #{session_id}"),
            format!("session-{session_id}.fhir.json"),
        ),
    ] {
        click(&mut h, &button);
        let path = reports.join(&file);
        wait_until(&mut h, &file, Duration::from_secs(20), |h| {
            h.state().banner_texts().iter().any(|b| b.contains(&file))
        });
        let bytes = std::fs::read(&path).unwrap();
        if file.ends_with(".pdf") {
            assert!(bytes.starts_with(b"%PDF-"), "{file} is not a PDF");
        } else {
            let bundle: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(bundle["resourceType"], "Bundle");
        }
    }
    check_the_ward_record(
        &Settings::demo(dir.path().to_path_buf()).database_path(),
        "WARD3-017",
    );
}

/// What the ward flow left in the record: one session, stopped after its short re-test (the
/// command recorded), with baseline and re-test measures, the clinical test linked to it.
fn check_the_ward_record(db: &std::path::Path, code: &str) {
    use entrain_cue::Phase;
    use entrain_store::{EventKind, SessionStatus, Store};
    let store = Store::open_for_reading(db).unwrap();
    let patient = store.patient_by_code(code).unwrap().unwrap();
    let sessions = store.sessions(Some(patient.id)).unwrap();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    let s = &sessions[0];
    assert_eq!(s.status, SessionStatus::Stopped);
    assert_eq!(
        s.end_reason.as_deref(),
        Some("stopped after a short re-test")
    );
    let phases: Vec<Phase> = store
        .phases(s.id)
        .unwrap()
        .iter()
        .map(|p| p.phase)
        .collect();
    assert_eq!(phases.first(), Some(&Phase::Baseline), "{phases:?}");
    assert!(phases.contains(&Phase::Matched), "{phases:?}");
    assert!(
        phases.ends_with(&[Phase::Retest, Phase::Done]),
        "{phases:?}"
    );
    let events = store.events(s.id).unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.kind == EventKind::Command && e.detail.contains("StopAfterRetest")),
        "the short re-test is recorded as the clinician's command"
    );
    assert!(events.iter().any(|e| e.kind == EventKind::Mark));
    let analysis = entrain_analysis::analyse_session(&store, s.id).unwrap();
    let shown: Vec<(Phase, usize, f64, f64)> = analysis
        .phases
        .iter()
        .map(|p| (p.phase, p.steps, p.start_secs, p.end_secs))
        .collect();
    let (Some(baseline), Some(retest)) = (analysis.baseline, analysis.retest) else {
        panic!("baseline and re-test measured: {shown:?}");
    };
    assert!(baseline.cadence_spm > 40.0 && retest.cadence_spm > 40.0);
    // The matched tempo came from the baseline the record keeps: the same steps, the same cadence.
    let first_tempo = &store.tempo_changes(s.id).unwrap()[0];
    assert!(
        first_tempo.reason.contains(&format!(
            "matched to baseline cadence {:.1} steps/min",
            baseline.cadence_spm
        )),
        "{} vs the stored baseline's {:.2} steps/min",
        first_tempo.reason,
        baseline.cadence_spm
    );
    let tests = store.clinical_tests(patient.id).unwrap();
    assert_eq!(tests.len(), 1);
    assert_eq!(tests[0].session_id, Some(s.id));
}

/// Waits for the target tempo to appear and returns it.
fn wait_target(h: &mut Harness<'_, EntrainApp>) -> f64 {
    wait_until(h, "a target tempo", Duration::from_secs(10), |h| {
        h.state()
            .live()
            .and_then(|l| l.snapshot.target_tempo_spm)
            .is_some()
    });
    h.state()
        .live()
        .and_then(|l| l.snapshot.target_tempo_spm)
        .unwrap()
}

#[test]
fn every_input_widget_on_every_screen_has_an_accessible_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(Settings::demo(dir.path().to_path_buf()));
    wait_until(&mut h, "the record to open", Duration::from_secs(10), |h| {
        h.state().store_ready()
    });
    click(&mut h, "Add patient");
    h.step();
    type_into(&mut h, "Patient code", "A11Y-1");
    click(&mut h, "Save patient");
    wait_until(&mut h, "the patient", Duration::from_secs(10), |h| {
        has_label(h, "Open A11Y-1")
    });
    click(&mut h, "Edit A11Y-1");
    h.step();
    let mut checked = 0;
    for name in [
        "Patients",
        "Sensors",
        "Live session",
        "Clinical tests",
        "Progress",
        "Settings",
    ] {
        h.get_by_label(name).click();
        h.step();
        h.step();
        let unnamed = h.unnamed_widgets();
        assert!(unnamed.is_empty(), "screen {name}: {unnamed:?}");
        // Count the input widgets seen, so the check cannot pass on an empty screen.
        checked += h
            .root()
            .children_recursive()
            .filter(|n| egui::accessibility::is_input(n.accesskit_node().role()))
            .count();
    }
    assert!(checked > 30, "only {checked} input widgets seen");
}

#[test]
fn clinical_tests_are_timed_and_stored() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(Settings::demo(dir.path().to_path_buf()));
    wait_until(&mut h, "the record to open", Duration::from_secs(10), |h| {
        h.state().store_ready()
    });
    click(&mut h, "Add patient");
    h.step();
    type_into(&mut h, "Patient code", "TEST-9");
    click(&mut h, "Save patient");
    wait_until(&mut h, "the patient", Duration::from_secs(10), |h| {
        has_label(h, "Open TEST-9")
    });
    click(&mut h, "Open TEST-9");
    h.step();
    click(&mut h, "Clinical tests");
    h.step();
    // 10 m walk: the harness clock advances 0.25 s a step.
    click(&mut h, "Crossed 2 m line");
    h.run_steps(24); // 6 s
    click(&mut h, "Crossed 8 m line");
    h.step();
    assert!(has_text_containing(&h, "Trial 1: "), "trial result shown");
    click(&mut h, "Save 10 m walk");
    wait_until(
        &mut h,
        "the 10 m walk stored",
        Duration::from_secs(10),
        |h| has_text_containing(h, "Stored 10 m walk test (gait speed): "),
    );
    // FAC out of range is refused at the field; a valid one is stored.
    type_into(&mut h, "FAC (whole number 0–5)", "7");
    wait_until(&mut h, "the FAC refusal", Duration::from_secs(5), |h| {
        has_text_containing(h, "outside 0")
    });
    click(&mut h, "FAC (whole number 0–5)");
    h.step();
    h.key_press(egui::Key::Backspace);
    h.step();
    h.get_by_label("FAC (whole number 0–5)").type_text("3");
    h.step();
    click(&mut h, "Save FAC");
    wait_until(&mut h, "the FAC stored", Duration::from_secs(10), |h| {
        has_text_containing(h, "Stored Functional Ambulation Category: 3 (")
    });
    click(&mut h, "Progress");
    wait_until(
        &mut h,
        "the tests in progress",
        Duration::from_secs(10),
        |h| has_text_containing(h, "2 clinical test(s)"),
    );
}

#[test]
fn the_patient_view_opens_in_a_window_of_its_own_and_closes() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(Settings::demo(dir.path().to_path_buf()));
    wait_until(&mut h, "the record to open", Duration::from_secs(10), |h| {
        h.state().store_ready()
    });
    assert!(!has_label(&h, "Ready when you are"));
    click(&mut h, "Patient window");
    // The clinician's screens stay, and the patient's display shows beside them (the harness has
    // one native window, so it is an egui window); it has no way back into the clinician's screens.
    wait_until(&mut h, "the patient window", Duration::from_secs(5), |h| {
        has_label(h, "Ready when you are") && has_label(h, "0 steps")
    });
    assert!(has_label(&h, "Patients"));
    assert!(!has_label(&h, "Back to clinician view"));
    let unnamed = h.unnamed_widgets();
    assert!(unnamed.is_empty(), "{unnamed:?}");
    click(&mut h, "Close patient window");
    wait_until(
        &mut h,
        "the patient window to close",
        Duration::from_secs(5),
        |h| !has_label(h, "Ready when you are") && has_label(h, "Patient window"),
    );
}
