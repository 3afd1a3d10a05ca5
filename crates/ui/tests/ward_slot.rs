//! A window a physiotherapist can trust in a 20-minute ward slot (issue 16): closing mid-session
//! asks first and ends the session properly; an interrupted session is named at open; each phase
//! says what is left; a tempo can be typed; the end of a session has its own panel with a note for
//! the record; Esc in the patient view never arms an unseen stop; one message area. Driven by
//! accessible names through egui_kittest, with the real record and engine.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use egui::ViewportCommand;
use egui_kittest::kittest::Queryable;
use entrain_audio::SoundId;
use entrain_store::{EventKind, NewPatient, NewSession, SessionStatus, Store};
use entrain_ui::INFO_SECS;
use entrain_ui::{Screen, Settings};

use common::*;

/// Harness steps (0.25 s of the UI's clock each) for `secs` of UI time.
fn steps_for(secs: f64) -> usize {
    (secs / 0.25).ceil() as usize
}

#[test]
fn closing_mid_session_asks_and_stop_and_close_stores_the_session_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings::demo(dir.path().to_path_buf());
    {
        // No session: the window closes at once.
        let mut h = ready(settings.clone());
        request_close(&mut h);
        assert!(!root_commands(&h).contains(&ViewportCommand::CancelClose));
        assert!(!has_label(&h, "Stop it and close"));
    }

    let mut h = ready(settings.clone());
    start_virtual_session(&mut h, "CLOSE-1");
    let id = h.state().live().unwrap().session_id.unwrap();

    // Mid-session: the close is cancelled and the prompt asks.
    request_close(&mut h);
    assert!(root_commands(&h).contains(&ViewportCommand::CancelClose));
    h.run_steps(2);
    assert!(has_text_containing(&h, "A session is running."));
    assert!(has_label(&h, "Stop it and close") && has_label(&h, "Keep the session"));
    click(&mut h, "Keep the session");
    h.run_steps(4);
    assert!(!has_label(&h, "Stop it and close"));
    assert!(
        h.state().live().unwrap().is_started(),
        "the session goes on"
    );

    // Asked again: stop it and close. The window closes once the session has ended.
    request_close(&mut h);
    click(&mut h, "Stop it and close");
    wait_until(
        &mut h,
        "the window to close",
        Duration::from_secs(20),
        |h| root_commands(h).contains(&ViewportCommand::Close),
    );
    let store = Store::open(&settings.database_path()).unwrap();
    let s = store.session(id).unwrap();
    assert_eq!(s.status, SessionStatus::Stopped, "{s:?}");
    // The close that follows is let through.
    request_close(&mut h);
    assert!(!root_commands(&h).contains(&ViewportCommand::CancelClose));
}

/// Records a session of patient `code` left `running` by a process that has since died.
fn interrupted_session(settings: &Settings, code: &str) -> i64 {
    let mut store = Store::open(&settings.database_path()).unwrap();
    let p = store
        .add_patient(&NewPatient {
            code: code.into(),
            ..NewPatient::default()
        })
        .unwrap();
    let id = store
        .begin_session(&NewSession {
            patient_id: Some(p.id),
            source: "sim:entrains".into(),
            protocol: "ras".into(),
            settings_json: "{}".into(),
            sensors: Vec::new(),
        })
        .unwrap();
    drop(store);
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead_pid = child.id();
    child.wait().unwrap();
    let conn = rusqlite::Connection::open(settings.database_path()).unwrap();
    conn.execute(
        "UPDATE sessions SET pid = ?1 WHERE id = ?2",
        rusqlite::params![dead_pid, id],
    )
    .unwrap();
    id
}

#[test]
fn a_session_left_running_by_a_dead_program_is_named_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings::demo(dir.path().to_path_buf());
    let id = interrupted_session(&settings, "P-001");
    let mut h = ready(settings.clone());
    let store = Store::open(&settings.database_path()).unwrap();
    let session = store.session(id).unwrap();
    assert_eq!(session.status, SessionStatus::Interrupted);
    let expected = format!(
        "Session #{id} (patient P-001, started {}) was interrupted: the program ended without \
         closing it; what was recorded up to then is kept.",
        entrain_store::time::format_unix_minute(session.started_unix_ms)
    );
    wait_until(
        &mut h,
        "the interrupted banner",
        Duration::from_secs(5),
        |h| has_text_containing(h, &expected),
    );
    // It stays until dismissed.
    h.run_steps(steps_for(INFO_SECS) + 4);
    assert!(has_text_containing(&h, &expected));
    assert_eq!(h.state().banner_texts(), std::slice::from_ref(&expected));
    click(&mut h, "Dismiss");
    h.step();
    assert!(!has_text_containing(&h, &expected));
}

/// The number that starts the live screen's "… s left" label.
fn secs_left(h: &egui_kittest::Harness<'_, entrain_ui::EntrainApp>) -> Option<u64> {
    text_containing(h, " s left")?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[test]
fn a_session_shows_what_is_left_takes_a_typed_tempo_and_ends_on_its_own_panel() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings::demo(dir.path().to_path_buf());
    let mut h = ready(settings.clone());
    start_virtual_session(&mut h, "WARD-16");

    // The baseline (8 s of walking) counts down.
    wait_until(&mut h, "the time left", Duration::from_secs(5), |h| {
        secs_left(h).is_some()
    });
    let first = secs_left(&h).unwrap();
    assert!(
        (1..=8).contains(&first),
        "{first} s left of an 8 s baseline"
    );
    wait_until(&mut h, "the countdown", Duration::from_secs(5), |h| {
        secs_left(h).is_some_and(|s| s < first)
    });

    // Esc in the patient view goes back to the live screen and arms nothing unseen.
    click(&mut h, "Patient view");
    assert_eq!(h.state().screen(), Screen::PatientView);
    h.key_press(egui::Key::Escape);
    h.step();
    h.step();
    assert_eq!(h.state().screen(), Screen::Live);
    assert!(!h.state().live().unwrap().confirm_stop);
    assert!(!has_label(&h, "Stop now (no re-test)"));
    // On the live screen Esc arms the stop prompt, in sight.
    h.key_press(egui::Key::Escape);
    h.step();
    h.step();
    assert!(has_label(&h, "Stop now (no re-test)"));
    click(&mut h, "Keep going");

    // The matched cue: it advances when entrained.
    wait_until(&mut h, "the matched cue", Duration::from_secs(40), |h| {
        has_text_containing(h, "Phase: matched cue")
            && has_text_containing(h, "advances when entrained")
    });

    let unnamed = h.unnamed_widgets();
    assert!(unnamed.is_empty(), "live screen: {unnamed:?}");

    // A typed tempo: 100 steps/min, set there or capped by the safety ceiling (and said so).
    let limits = h.state().live().unwrap().snapshot.tempo_limits.unwrap();
    replace_text(&mut h, "Set tempo (steps/min)", "100");
    click(&mut h, "Apply");
    let expected = limits.clamp_target(100.0);
    if expected < 100.0 {
        assert!(has_text_containing(
            &h,
            &format!(
                "100 steps/min is above the safety ceiling: target capped at {expected:.1} steps/min."
            )
        ));
    } else {
        assert!(has_text_containing(&h, "Target set to 100.0 steps/min."));
    }
    let target_is = |h: &egui_kittest::Harness<'_, entrain_ui::EntrainApp>, t: f64| {
        h.state()
            .live()
            .and_then(|l| l.snapshot.target_tempo_spm)
            .is_some_and(|x| (x - t).abs() < 1e-6)
    };
    wait_until(&mut h, "the typed target", Duration::from_secs(5), |h| {
        target_is(h, expected)
    });
    // One inside the limits is set exactly.
    let inside = ((limits.floor_spm + limits.ceiling_spm) / 2.0).round();
    replace_text(&mut h, "Set tempo (steps/min)", &format!("{inside}"));
    click(&mut h, "Apply");
    assert!(has_text_containing(
        &h,
        &format!("Target set to {inside:.1} steps/min.")
    ));
    wait_until(&mut h, "the second target", Duration::from_secs(5), |h| {
        target_is(h, inside)
    });

    // Stop: the end panel, with the outcome, the numbers, the sensors at rest.
    let id = h.state().live().unwrap().session_id.unwrap();
    click(&mut h, "Stop");
    click(&mut h, "Stop now (no re-test)");
    let heading = format!("Session #{id} stopped");
    wait_until(&mut h, "the end panel", Duration::from_secs(20), |h| {
        has_label(h, &heading)
    });
    assert!(has_text_containing(&h, "stopped by the clinician"));
    assert!(has_label(&h, "Steps") && has_label(&h, "Baseline cadence"));
    assert!(has_text_containing(&h, "idle, not streaming"));
    assert!(!has_text_containing(&h, "): streaming"));
    assert!(has_label(&h, "New session") && has_label(&h, "Session report"));
    let unnamed = h.unnamed_widgets();
    assert!(unnamed.is_empty(), "end panel: {unnamed:?}");

    // A note for the record.
    type_into(
        &mut h,
        "Session note",
        "Walked well; tired after 15 minutes.",
    );
    click(&mut h, "Save note");
    wait_until(&mut h, "the note stored", Duration::from_secs(10), |h| {
        has_label(h, "Note: Walked well; tired after 15 minutes.")
    });
    let store = Store::open(&settings.database_path()).unwrap();
    let notes: Vec<String> = store
        .events(id)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::Note)
        .map(|e| e.detail)
        .collect();
    assert_eq!(notes, ["Walked well; tired after 15 minutes."]);
    assert_eq!(store.session(id).unwrap().status, SessionStatus::Stopped);

    // The session's report from the panel.
    click(&mut h, "Session report");
    let file = format!("session-{id}.pdf");
    wait_until(&mut h, &file, Duration::from_secs(20), |h| {
        h.state().banner_texts().iter().any(|b| b.contains(&file))
    });
    assert!(dir.path().join("reports").join(&file).exists());
}

#[test]
fn the_cue_sound_is_chosen_in_the_settings_and_saved() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(Settings::demo(dir.path().to_path_buf()));
    click(&mut h, "Settings");
    for sound in SoundId::ALL {
        assert!(has_label(&h, sound.label()), "{sound} offered");
    }
    click(&mut h, "wood block");
    click(&mut h, "Save settings");
    let saved = Settings::load(dir.path()).unwrap();
    assert_eq!(saved.cue_sound, SoundId::Woodblock);
}

#[test]
fn one_message_area_news_goes_errors_stay_long_text_wraps_inside_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let width = 1000.0;
    let mut h = harness_sized(
        Settings::demo(dir.path().to_path_buf()),
        egui::vec2(width, 900.0),
    );
    wait_until(&mut h, "the record to open", Duration::from_secs(10), |h| {
        h.state().store_ready()
    });
    click(&mut h, "Settings");
    let save_at = h.get_by_label("Save settings").rect();

    // News: goes by itself.
    click(&mut h, "Save settings");
    h.step();
    assert!(has_text_containing(&h, "Settings saved."));
    assert_eq!(
        h.get_by_label("Save settings").rect(),
        save_at,
        "the screen keeps its place as a message comes"
    );
    h.run_steps(steps_for(INFO_SECS) + 1);
    assert!(!has_text_containing(&h, "Settings saved."));

    // An error with a very long text: it stays, wrapped inside the window.
    let folder = format!("/proc/no such folder/{}", "a long folder name ".repeat(12));
    replace_text(&mut h, "Data folder", &folder);
    click(&mut h, "Save settings");
    wait_until(&mut h, "the error", Duration::from_secs(5), |h| {
        has_text_containing(h, "Error: Settings not saved")
    });
    h.run_steps(steps_for(INFO_SECS) + 4);
    assert!(has_text_containing(&h, "Error: Settings not saved"));
    let rect = h
        .query_all_by_label_contains("Error: Settings not saved")
        .next()
        .unwrap()
        .rect();
    assert!(
        rect.min.x >= 0.0 && rect.max.x <= width,
        "the message {rect:?} runs out of the {width} px window"
    );
    assert!(rect.height() > 30.0, "the long message wraps: {rect:?}");
    click(&mut h, "Dismiss");
    h.step();
    assert!(!has_text_containing(&h, "Settings not saved"));
}
