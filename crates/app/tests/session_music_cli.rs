//! `entrain session --music` on simulated time through the real binary: the music's segments
//! reach the record and its export; a track that cannot be played leaves a click session, said on
//! standard error and in the record.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::process::Command;

use entrain_store::{EventKind, Store};

mod common;
use common::BIN;

fn session(db: &Path, extra: &[&str]) -> (bool, String, String) {
    session_env(db, extra, &[])
}

fn session_env(db: &Path, extra: &[&str], env: &[(&str, String)]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .envs(env.iter().map(|(k, v)| (k, v.as_str())))
        .args([
            "session",
            "--source",
            "sim:entrains",
            "--fast",
            "--quiet",
            "--baseline-secs",
            "10",
            "--seconds",
            "120",
        ])
        .args(extra)
        .arg("--db")
        .arg(db)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn only_session(store: &Store) -> i64 {
    let sessions = store.sessions(None).unwrap();
    assert_eq!(sessions.len(), 1);
    sessions[0].id
}

#[test]
fn a_builtin_cues_the_session_and_its_segments_are_recorded_and_exported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db");
    let (ok, stdout, stderr) = session(
        &db,
        &[
            "--music",
            "march-4-4",
            "--overlay",
            "music+click",
            "--click-level",
            "0.4",
        ],
    );
    assert!(ok, "{stdout}{stderr}");
    assert!(stderr.contains("--music: "), "{stderr}");
    let store = Store::open(&db).unwrap();
    let id = only_session(&store);
    let segments = store.music_segments(id).unwrap();
    // From the first cued beat to the fading phase's first silent block (16 beats on, 16
    // off: the music is silent with the beat), then the next block heard to the time limit.
    assert_eq!(segments.len(), 2, "{segments:?}");
    for s in &segments {
        let s = &s.segment;
        assert_eq!(s.track, "march-4-4");
        assert_eq!(
            (s.overlay.as_str(), s.click_level),
            ("music+click", 0.4_f32 as f64)
        );
    }
    let (first, last) = (&segments[0].segment, &segments[1].segment);
    let beats = store.beats(id).unwrap();
    let last_heard = beats
        .iter()
        .rfind(|b| b.volume > 0.0)
        .unwrap()
        .scheduled_nanos;
    assert!(
        last.end_nanos >= last_heard && last.end_nanos <= 121_000_000_000,
        "{last:?}"
    );
    assert!(
        first.start_nanos >= 10_000_000_000,
        "music before the cue: {first:?}"
    );
    let silent: Vec<i64> = beats
        .iter()
        .filter(|b| b.volume == 0.0)
        .map(|b| b.scheduled_nanos)
        .collect();
    assert!(silent.len() >= 16, "a silent block: {silent:?}");
    assert_eq!(
        first.end_nanos, silent[0],
        "the music stops with the first silent beat"
    );
    assert!(last.start_nanos > silent[15] && last.end_nanos <= *silent.last().unwrap());

    let out = dir.path().join("export");
    let status = Command::new(BIN)
        .args([
            "export",
            "--session",
            &id.to_string(),
            "--format",
            "csv",
            "--out",
        ])
        .arg(&out)
        .arg("--db")
        .arg(&db)
        .status()
        .unwrap();
    assert!(status.success());
    let csv = std::fs::read_to_string(out.join("music_segments.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3, "a header and both segments: {csv}");
    assert!(
        csv.lines().skip(1).all(|l| l.contains(",march-4-4,")),
        "{csv}"
    );
}

#[test]
fn a_missing_or_bad_file_falls_back_to_clicks_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("not-audio.wav");
    std::fs::write(&bad, b"this is not a wav file").unwrap();
    let missing = dir.path().join("missing.flac");
    for track in [&bad, &missing] {
        let db = dir.path().join(format!(
            "{}.db",
            track.file_name().unwrap().to_string_lossy()
        ));
        let (ok, stdout, stderr) = session(&db, &["--music", track.to_str().unwrap()]);
        assert!(
            ok,
            "the session must not fail for its music: {stdout}{stderr}"
        );
        let name = track.file_name().unwrap().to_string_lossy().into_owned();
        let line = stderr
            .lines()
            .find(|l| l.contains("cued by clicks"))
            .unwrap_or_else(|| panic!("no fallback line on stderr: {stderr}"));
        assert!(line.contains(&name), "{line}");
        let store = Store::open(&db).unwrap();
        let id = only_session(&store);
        assert!(store.music_segments(id).unwrap().is_empty());
        let notes: Vec<_> = store
            .events(id)
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == EventKind::Audio && e.detail.contains(&name))
            .collect();
        assert_eq!(notes.len(), 1, "{:?}", store.events(id).unwrap());
        assert!(notes[0].detail.contains("cued by clicks"));
        assert!(!store.beats(id).unwrap().is_empty(), "cued by clicks");
    }
}

#[test]
fn on_a_full_disk_the_music_segments_go_to_the_spool_and_reach_the_record_once() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--music", "march-4-4"];
    // The same virtual patient and protocol with room on the disk: what must be recorded.
    let free_db = dir.path().join("free.db");
    let (ok, stdout, stderr) = session(&free_db, &args);
    assert!(ok, "{stdout}{stderr}");
    let free = Store::open(&free_db).unwrap();
    let expected: Vec<_> = free
        .music_segments(only_session(&free))
        .unwrap()
        .into_iter()
        .map(|s| s.segment)
        .collect();
    // Two stretches of music: the fading phase's silent block between them.
    assert_eq!(expected.len(), 2);

    let db = dir.path().join("full.db");
    drop(Store::open(&db).unwrap());
    let pages = std::fs::metadata(&db).unwrap().len() / 4096 + 12;
    let (ok, stdout, stderr) = session_env(
        &db,
        &args,
        &[
            (entrain_store::FAULT_MAX_PAGE_COUNT_ENV, pages.to_string()),
            (entrain_engine::FAULT_SPILL_AT_ITEMS_ENV, "5000".to_string()),
        ],
    );
    assert!(
        !ok,
        "a session not all recorded must not end as a success: {stdout}"
    );
    let spool = entrain_store::spool::spool_dir(&db);
    assert!(
        std::fs::read_dir(&spool).unwrap().count() >= 1,
        "nothing spooled: {stderr}"
    );
    // Space returns: the next open writes the spool back, the segment with it, once.
    let store = Store::open(&db).unwrap();
    let id = only_session(&store);
    assert_eq!(store.session(id).unwrap().missing, None);
    let got: Vec<_> = store
        .music_segments(id)
        .unwrap()
        .into_iter()
        .map(|s| s.segment)
        .collect();
    assert_eq!(got, expected);
    drop(store);
    let store = Store::open(&db).unwrap();
    assert_eq!(
        store.music_segments(id).unwrap().len(),
        2,
        "written back once"
    );
}

#[test]
fn fade_and_adaptation_are_taken_by_name_stored_with_the_protocol_and_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db");
    let (ok, stdout, stderr) = session(
        &db,
        &[
            "--music",
            "march-4-4",
            "--fade",
            "pulse-only",
            "--adaptation",
            "kuramoto",
        ],
    );
    assert!(ok, "{stdout}{stderr}");
    let store = Store::open(&db).unwrap();
    let id = only_session(&store);
    let settings: serde_json::Value =
        serde_json::from_str(&store.session(id).unwrap().settings_json).unwrap();
    let protocol = &settings["protocol"];
    assert_eq!(
        protocol["fade"],
        serde_json::json!("PulseOnly"),
        "{protocol}"
    );
    assert!(
        protocol["adaptation"].get("CoupledOscillator").is_some(),
        "{protocol}"
    );
    // The march's bars, for fading by bars.
    assert_eq!(protocol["meter"]["beats_per_bar"], serde_json::json!(4));

    let (ok, _, stderr) = session(&dir.path().join("x.db"), &["--adaptation", "kuramato"]);
    assert!(!ok);
    assert!(
        stderr.contains("kuramato") && stderr.contains("kuramoto"),
        "{stderr}"
    );
    let (ok, _, stderr) = session(&dir.path().join("y.db"), &["--fade", "bars"]);
    assert!(!ok);
    assert!(stderr.contains("drop-bars"), "{stderr}");
}
