//! What a session started from the window leaves in the record: it begins at Start (not when the
//! session screen opens), it needs a patient, and practice stores nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use entrain_cue::Phase;
use entrain_store::Store;
use entrain_ui::Settings;
use entrain_ui::live::{no_patient, practice_line};

use common::*;

const SEC: i64 = 1_000_000_000;

fn store(dir: &tempfile::TempDir) -> Store {
    Store::open(&Settings::demo(dir.path().to_path_buf()).database_path()).unwrap()
}

#[test]
fn the_session_is_recorded_from_start_not_from_the_wait_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(Settings::demo(dir.path().to_path_buf()));
    add_patient(&mut h, "WAIT-1");
    click(&mut h, "Sensors");
    click(&mut h, "Go to session");
    wait_until(&mut h, "the session screen", Duration::from_secs(20), |h| {
        has_label(h, "Start")
    });
    // The patient stands and walks about for 2 s before the clinician presses Start.
    wait_for(&mut h, Duration::from_secs(2));
    assert!(h.state().live().unwrap().session_id.is_none());
    assert!(
        store(&dir).sessions(None).unwrap().is_empty(),
        "no row before Start"
    );
    let start_ms = entrain_store::unix_ms_now();
    click(&mut h, "Start");
    wait_until(&mut h, "the recording", Duration::from_secs(10), |h| {
        h.state().live().is_some_and(|l| l.session_id.is_some())
    });
    wait_for(&mut h, Duration::from_secs(3));
    stop_now(&mut h);
    let id = h.state().live().unwrap().session_id.unwrap();

    let store = store(&dir);
    let session = store.session(id).unwrap();
    assert!(session.started_unix_ms >= start_ms);
    let phases = store.phases(id).unwrap();
    assert_eq!(phases[0].phase, Phase::Baseline);
    assert_eq!(phases[0].start_nanos, 0);
    let end = phases.iter().find(|p| p.phase == Phase::Done).unwrap();
    assert!((session.last_nanos - end.start_nanos).abs() <= SEC / 10);
    // About the 3 s between Start and Stop, not the 5 s since the session screen opened.
    assert!(
        (2 * SEC..4 * SEC + SEC / 2).contains(&session.last_nanos),
        "{}",
        session.last_nanos
    );
    let steps = store.steps(id).unwrap();
    assert!(!steps.is_empty());
    assert!(
        steps.iter().all(|s| s.time_nanos >= 0 && s.phase.is_some()),
        "{steps:?}"
    );
    for (_, samples) in store.raw_samples(id).unwrap() {
        assert!((0..SEC / 10).contains(&samples[0].time_nanos));
    }
    assert_eq!(
        session.end_reason.as_deref(),
        Some("stopped by the clinician, no re-test")
    );
}

#[test]
fn without_a_patient_the_session_is_refused_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(Settings::demo(dir.path().to_path_buf()));
    click(&mut h, "Sensors");
    assert!(
        has_label(&h, &no_patient()),
        "said at the button before it is pressed"
    );
    click(&mut h, "Go to session");
    h.run_steps(10);
    assert!(
        h.state().banner_texts().iter().any(|b| *b == no_patient()),
        "{:?}",
        h.state().banner_texts()
    );
    assert!(h.state().live().is_none());
    assert!(!has_label(&h, "Start"));
    assert!(store(&dir).sessions(None).unwrap().is_empty());
}

#[test]
fn practice_runs_a_session_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(Settings::demo(dir.path().to_path_buf()));
    click(&mut h, "Sensors");
    click(&mut h, "Practice (not recorded)");
    wait_until(
        &mut h,
        "the practice session",
        Duration::from_secs(20),
        |h| has_label(h, "Start"),
    );
    assert!(has_label(&h, &practice_line()));
    click(&mut h, "Start");
    wait_until(&mut h, "steps", Duration::from_secs(20), |h| {
        h.state()
            .live()
            .is_some_and(|l| l.snapshot.steps_total >= 4)
    });
    stop_now(&mut h);
    let l = h.state().live().unwrap();
    assert_eq!(l.session_id, None);
    assert!(store(&dir).sessions(None).unwrap().is_empty());
}

#[test]
fn stop_after_a_short_retest_from_the_stop_prompt_keeps_the_retest() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(Settings::demo(dir.path().to_path_buf()));
    add_patient(&mut h, "RETEST-1");
    click(&mut h, "Sensors");
    click(&mut h, "Go to session");
    click(&mut h, "Start");
    wait_until(&mut h, "the matched cue", Duration::from_secs(40), |h| {
        has_text_containing(h, "Phase: matched cue")
    });
    click(&mut h, "Stop");
    assert!(has_label(&h, "Keep going"));
    click(&mut h, "Stop after a short re-test");
    wait_until(&mut h, "the short re-test", Duration::from_secs(10), |h| {
        has_text_containing(h, "Phase: re-test (no cue)")
    });
    wait_until(&mut h, "the session's end", Duration::from_secs(40), |h| {
        h.state().live().is_some_and(|l| l.is_finished())
    });
    wait_until(&mut h, "the end banner", Duration::from_secs(10), |h| {
        has_text_containing(h, "stopped after a short re-test")
    });
    let id = h.state().live().unwrap().session_id.unwrap();
    let store = store(&dir);
    assert_eq!(
        store.session(id).unwrap().end_reason.as_deref(),
        Some("stopped after a short re-test")
    );
    let retest_steps = store
        .steps(id)
        .unwrap()
        .iter()
        .filter(|s| s.phase == Some(Phase::Retest))
        .count();
    assert!(retest_steps >= 19, "{retest_steps}");
}
