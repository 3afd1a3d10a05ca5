//! `entrain music like|dislike|neutral|prefs|playlist` and `entrain session --music
//! playlist:NAME|patient` through the real binary on a temporary record.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
use common::{BIN, entrain, ok};
use std::path::Path;
use std::process::{Command, Output};

use entrain_cue::Phase;
use entrain_music::builtin;
use entrain_store::{MusicPreference, Store};

fn fails(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).to_string()
}

fn with_patient(dir: &Path, code: &str) -> std::path::PathBuf {
    let db = dir.join("e.db");
    ok(&entrain(&db, &["patients", "--add", code]));
    db
}

#[test]
fn a_patients_likes_and_dislikes_are_kept_listed_and_cleared() {
    let dir = tempfile::tempdir().unwrap();
    let db = with_patient(dir.path(), "ANN-1");
    let out = ok(&entrain(
        &db,
        &["music", "like", "--patient", "ann-1", "waltz-3-4"],
    ));
    assert!(
        out.starts_with("patient ANN-1: liked Waltz in 3/4"),
        "{out}"
    );
    ok(&entrain(
        &db,
        &["music", "dislike", "--patient", "ANN-1", "march-2-4"],
    ));
    let listed = ok(&entrain(&db, &["music", "prefs", "--patient", "ANN-1"]));
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 2, "{listed}");
    assert!(lines[0].starts_with("liked ") && lines[0].contains("(waltz-3-4)"));
    assert!(lines[1].starts_with("disliked ") && lines[1].contains("(march-2-4)"));
    let json: serde_json::Value = serde_json::from_str(&ok(&entrain(
        &db,
        &["music", "prefs", "--patient", "ANN-1", "--json"],
    )))
    .unwrap();
    assert_eq!(json[0]["track"], "waltz-3-4");
    assert_eq!(json[0]["preference"], "liked");
    assert_eq!(json[1]["tempo_bpm"], 112.0);

    ok(&entrain(
        &db,
        &["music", "neutral", "--patient", "ANN-1", "march-2-4"],
    ));
    let store = Store::open(&db).unwrap();
    let ann = store.patient_by_code("ANN-1").unwrap().unwrap();
    assert_eq!(
        store.music_preference(ann.id, "march-2-4").unwrap(),
        MusicPreference::Neutral
    );
    assert_eq!(store.music_preferences(ann.id).unwrap().len(), 1);
}

#[test]
fn an_unknown_patient_or_track_is_refused_naming_it_and_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = with_patient(dir.path(), "ANN-1");
    let e = fails(&entrain(
        &db,
        &["music", "like", "--patient", "BOB", "waltz-3-4"],
    ));
    assert!(
        e.contains("--patient BOB: no such patient in") && e.contains("e.db"),
        "{e}"
    );
    let e = fails(&entrain(
        &db,
        &["music", "like", "--patient", "ANN-1", "polka.flac"],
    ));
    assert!(
        e.contains("polka.flac: neither a built-in track (march-2-4, ")
            && e.contains("import it first: entrain music import FILE"),
        "{e}"
    );
    // A file on disk that was never imported is refused too: its tempo is not known.
    let wav = dir.path().join("walk.wav");
    std::fs::write(&wav, b"RIFF").unwrap();
    let e = fails(&entrain(
        &db,
        &[
            "music",
            "dislike",
            "--patient",
            "ANN-1",
            wav.to_str().unwrap(),
        ],
    ));
    assert!(e.contains("walk.wav: neither a built-in"), "{e}");
    let e = fails(&entrain(&db, &["music", "prefs", "--patient", "X"]));
    assert!(e.contains("--patient X: no such patient"), "{e}");
}

#[test]
fn playlists_are_made_filled_reordered_shown_listed_renamed_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let db = with_patient(dir.path(), "ANN-1");
    let p = ["--patient", "ANN-1"];
    let run = |args: &[&str]| entrain(&db, &[&["music", "playlist"], args, &p].concat());
    ok(&run(&["create", "Walks"]));
    let out = ok(&run(&[
        "add",
        "Walks",
        "march-4-4",
        "waltz-3-4",
        "groove-4-4",
    ]));
    assert_eq!(out.trim(), "Walks (patient ANN-1): 3 track(s)");
    let out = ok(&run(&["move", "Walks", "groove-4-4", "1"]));
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[1].trim_start().starts_with("1. Light groove"),
        "{out}"
    );
    assert!(lines[2].contains("(march-4-4), 104.0 bpm"), "{out}");
    assert!(lines[3].contains("(waltz-3-4)"), "{out}");

    // Refusals: what and where.
    let e = fails(&run(&["add", "Walks", "march-4-4"]));
    assert!(
        e.contains("playlist Walks: expected a track not in it yet, found march-4-4 (already at position 2)"),
        "{e}"
    );
    let e = fails(&run(&["add", "Walks", "march-2-4", "nosuch"]));
    assert!(e.contains("nosuch: neither a built-in track"), "{e}");
    assert_eq!(
        ok(&run(&["show", "Walks"])).lines().count(),
        4,
        "a typo adds nothing"
    );
    let e = fails(&run(&["create", "WALKS"]));
    assert!(e.contains("among patient ANN-1's playlists"), "{e}");
    let e = fails(&run(&["create", " "]));
    assert!(
        e.contains("playlist name: expected 1 to 100 characters"),
        "{e}"
    );
    let e = fails(&run(&["move", "Walks", "groove-4-4", "9"]));
    assert!(
        e.contains("position in playlist Walks: expected 1..=3, found 9"),
        "{e}"
    );
    let e = fails(&entrain(&db, &["music", "playlist", "show", "Walks"]));
    assert!(
        e.contains("playlist \"Walks\": no such playlist among the shared playlists (a patient's: give --patient)"),
        "{e}"
    );

    ok(&entrain(&db, &["music", "playlist", "create", "Ward"]));
    let listed = ok(&run(&["list"]));
    assert_eq!(
        listed,
        "Walks (patient ANN-1): 3 track(s)\nWard (shared): 0 track(s)\n"
    );
    ok(&run(&["remove", "Walks", "waltz-3-4"]));
    ok(&run(&["rename", "Walks", "Mornings"]));
    let shown = ok(&run(&["show", "mornings"]));
    assert!(
        shown.starts_with("Mornings (patient ANN-1): 2 track(s)"),
        "{shown}"
    );
    ok(&run(&["delete", "Mornings"]));
    assert_eq!(ok(&run(&["list"])), "Ward (shared): 0 track(s)\n");
}

fn session(db: &Path, extra: &[&str]) -> (String, String) {
    let out = Command::new(BIN)
        .args([
            "session",
            "--source",
            "sim:entrains",
            "--fast",
            "--quiet",
            "--baseline-secs",
            "10",
            "--seconds",
            "60",
        ])
        .args(extra)
        .arg("--db")
        .arg(db)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stdout}{stderr}");
    (stdout, stderr)
}

fn last_segment_track(db: &Path) -> String {
    let store = Store::open(db).unwrap();
    let id = store.sessions(None).unwrap().last().unwrap().id;
    let segments = store.music_segments(id).unwrap();
    assert!(!segments.is_empty(), "no music in session {id}");
    segments[0].segment.track.clone()
}

#[test]
fn a_playlist_session_starts_with_the_track_closest_to_the_last_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let db = with_patient(dir.path(), "ANN-1");
    let names: Vec<&str> = builtin::tracks().iter().map(|t| t.name).collect();
    ok(&entrain(
        &db,
        &[&["music", "playlist", "create", "Walks", "--patient", "ANN-1"][..]].concat(),
    ));
    ok(&entrain(
        &db,
        &[
            &["music", "playlist", "add", "Walks"][..],
            &names,
            &["--patient", "ANN-1"],
        ]
        .concat(),
    ));
    // No session yet: no baseline, so the playlist's first.
    let (_, stderr) = session(&db, &["--patient", "ANN-1", "--music", "playlist:Walks"]);
    assert!(
        stderr.contains("no baseline on record yet, so the list's first"),
        "{stderr}"
    );
    assert_eq!(last_segment_track(&db), names[0]);

    // Now the baseline of that session decides.
    let store = Store::open(&db).unwrap();
    let first = store.sessions(None).unwrap()[0].id;
    let cadence = entrain_analysis::analyse_session(&store, first)
        .unwrap()
        .phase(Phase::Baseline)
        .unwrap()
        .metrics
        .as_ref()
        .unwrap()
        .cadence_spm;
    drop(store);
    let stretch = |t: &builtin::BuiltinTrack| (cadence / t.tempo_bpm - 1.0).abs();
    let closest = builtin::tracks()
        .iter()
        .min_by(|a, b| stretch(a).total_cmp(&stretch(b)))
        .unwrap();
    // All neutral: the closest, whether within the ±10 % window (the chooser's choice) or not
    // (the virtual patient walks slower than any built-in: the least stretched).
    let (_, stderr) = session(&db, &["--patient", "ANN-1", "--music", "playlist:walks"]);
    assert!(
        stderr.contains(&format!("the first chosen for {cadence:.1} steps/min")),
        "{stderr}"
    );
    assert_eq!(last_segment_track(&db), closest.name);

    // The patient dislikes it: never chosen, and said.
    ok(&entrain(
        &db,
        &["music", "dislike", "--patient", "ANN-1", closest.name],
    ));
    let (_, stderr) = session(&db, &["--patient", "ANN-1", "--music", "patient"]);
    assert!(
        stderr.contains("left out: 1 track(s) the patient dislikes"),
        "{stderr}"
    );
    assert_ne!(last_segment_track(&db), closest.name);
}

#[test]
fn a_playlist_that_is_not_there_or_has_nothing_playable_stops_before_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let db = with_patient(dir.path(), "ANN-1");
    let run = |extra: &[&str]| {
        Command::new(BIN)
            .args([
                "session",
                "--source",
                "sim:entrains",
                "--fast",
                "--seconds",
                "5",
            ])
            .args(extra)
            .arg("--db")
            .arg(&db)
            .output()
            .unwrap()
    };
    let e = fails(&run(&["--patient", "ANN-1", "--music", "playlist:Nope"]));
    assert!(
        e.contains("--music playlist:Nope: no such playlist (neither the patient's nor shared) in"),
        "{e}"
    );
    let e = fails(&run(&["--music", "patient"]));
    assert!(
        e.contains("the patient's music needs a patient (give --patient CODE)"),
        "{e}"
    );
    ok(&entrain(&db, &["music", "playlist", "create", "Hated"]));
    ok(&entrain(
        &db,
        &["music", "playlist", "add", "Hated", "march-2-4"],
    ));
    ok(&entrain(
        &db,
        &["music", "dislike", "--patient", "ANN-1", "march-2-4"],
    ));
    let e = fails(&run(&["--patient", "ANN-1", "--music", "playlist:Hated"]));
    assert!(
        e.contains("--music playlist:Hated: nothing to play (march-2-4: the patient dislikes it)"),
        "{e}"
    );
    assert!(
        Store::open(&db).unwrap().sessions(None).unwrap().is_empty(),
        "no session started"
    );
}

#[test]
fn an_imported_file_is_liked_and_listed_by_its_library_key_and_title() {
    let dir = tempfile::tempdir().unwrap();
    let db = with_patient(dir.path(), "ANN-1");
    let rendered = builtin::by_name("waltz-3-4").unwrap().render(22_050);
    let wav = dir.path().join("Ann's waltz.wav");
    entrain_tests::tracks::write_wav(
        &wav,
        &rendered.pcm.samples,
        rendered.pcm.channels,
        rendered.pcm.rate_hz,
    )
    .unwrap();
    let e = fails(&entrain(
        &db,
        &["music", "like", "--patient", "ANN-1", wav.to_str().unwrap()],
    ));
    assert!(e.contains("import it first"), "{e}");
    ok(&entrain(&db, &["music", "import", wav.to_str().unwrap()]));
    // Given relative to the working folder, kept by its absolute path.
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .args(["music", "like", "--patient", "ANN-1", "Ann's waltz.wav"])
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert!(ok(&out).contains("liked Ann's waltz ("), "{}", ok(&out));
    let store = Store::open(&db).unwrap();
    let ann = store.patient_by_code("ANN-1").unwrap().unwrap();
    let prefs = store.music_preferences(ann.id).unwrap();
    assert_eq!(prefs.len(), 1);
    assert_eq!(
        Path::new(&prefs[0].track),
        std::path::absolute(&wav).unwrap()
    );
    let listed = ok(&entrain(&db, &["music", "prefs", "--patient", "ANN-1"]));
    assert!(
        listed.starts_with("liked     Ann's waltz (") && listed.contains("100.0 bpm"),
        "{listed}"
    );
}
