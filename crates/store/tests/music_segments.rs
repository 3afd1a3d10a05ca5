//! Schema v6: the music played in a session, stored, read back, exported, spooled and migrated.
#![allow(clippy::unwrap_used)]

use entrain_cue::Phase;
use entrain_gait::{Placement, Side};
use entrain_store::export::{ExportFormat, ExportOptions, build_tables, write_tables};
use entrain_store::spool::write_spool;
use entrain_store::*;

fn new_session(store: &mut Store) -> i64 {
    store
        .begin_session(&NewSession {
            patient_id: None,
            source: "sim:entrains".into(),
            protocol: "ras".into(),
            settings_json: "{}".into(),
            sensors: vec![SessionSensor {
                placement: Placement::Foot(Side::Left),
                sensor_key: "sim-left".into(),
                name: "left".into(),
                sample_rate_hz: 100.0,
            }],
        })
        .unwrap()
}

fn segment(start_s: i64, track: &str, min_bpm: f64, max_bpm: f64) -> MusicSegmentRow {
    let own = 100.0;
    MusicSegmentRow {
        start_nanos: start_s * 1_000_000_000,
        end_nanos: (start_s + 60) * 1_000_000_000,
        track: track.into(),
        title: format!("title at {start_s} s"),
        track_tempo_bpm: own,
        played_min_bpm: min_bpm,
        played_max_bpm: max_bpm,
        stretch_min: min_bpm / own,
        stretch_max: max_bpm / own,
        overlay: "music+click".into(),
        click_level: 0.25,
    }
}

fn music_batch(now_s: i64) -> Batch {
    let mut b = Batch::default();
    b.beats.push(BeatRow {
        scheduled_nanos: now_s * 1_000_000_000,
        tempo_spm: 101.0,
        target_spm: 101.0,
        volume: 1.0,
        phase: Phase::Matched,
    });
    b.music_segments
        .push(segment(now_s - 60, "march-4-4", 101.0, 101.0));
    b.music_segments.push(segment(
        now_s,
        "/home/therapist/Music/Ann's walk.flac",
        101.0,
        108.5,
    ));
    b.now_nanos = now_s * 1_000_000_000 + 60_000_000_000;
    b
}

#[test]
fn segments_round_trip_in_order_and_count_as_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.sqlite3");
    let mut store = Store::open(&path).unwrap();
    let id = new_session(&mut store);
    let b = music_batch(60);
    assert_eq!(b.row_count(), 3, "a segment is a row of the session");
    assert!(b.summary().contains("2 music segments"), "{}", b.summary());
    store.write_batch(id, &b).unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    let got: Vec<MusicSegmentRow> = store
        .music_segments(id)
        .unwrap()
        .into_iter()
        .map(|s| {
            assert_eq!(s.session_id, id);
            s.segment
        })
        .collect();
    assert_eq!(got, b.music_segments);
    assert!(store.music_segments(id + 1).unwrap().is_empty());
}

#[test]
fn a_segment_that_ends_before_it_starts_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("e.sqlite3")).unwrap();
    let id = new_session(&mut store);
    let mut b = Batch::default();
    let mut bad = segment(10, "march-4-4", 100.0, 100.0);
    bad.end_nanos = bad.start_nanos - 1;
    b.music_segments.push(bad);
    assert!(store.write_batch(id, &b).is_err());
    assert!(store.music_segments(id).unwrap().is_empty());
}

#[test]
fn segments_are_exported_and_a_deidentified_copy_keeps_only_the_files_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("e.sqlite3")).unwrap();
    let id = new_session(&mut store);
    store.write_batch(id, &music_batch(60)).unwrap();
    let csv_of = |options: ExportOptions, sub: &str| {
        let tables = build_tables(&store, &[id], &[], options).unwrap();
        let out = dir.path().join(sub);
        write_tables(&tables, ExportFormat::Csv, &out, options).unwrap();
        std::fs::read_to_string(out.join("music_segments.csv")).unwrap()
    };
    let plain = csv_of(ExportOptions::default(), "plain");
    let lines: Vec<&str> = plain.lines().collect();
    assert_eq!(
        lines[0],
        "session_id,start_s,end_s,track,title,track_tempo_bpm,played_min_bpm,played_max_bpm,stretch_min,stretch_max,overlay,click_level"
    );
    assert_eq!(lines.len(), 3);
    assert!(
        lines[1].starts_with(&format!("{id},0.0,60.0,march-4-4,")),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains("/home/therapist/Music/"), "{}", lines[2]);
    assert!(
        lines[2].contains(",101.0,108.5,1.01,1.085,music+click,0.25"),
        "{}",
        lines[2]
    );

    let options = ExportOptions { deidentified: true };
    let anon = csv_of(options, "anon");
    assert!(!anon.contains("/home/therapist"), "{anon}");
    assert!(anon.contains("Ann's walk.flac"), "{anon}");
}

#[test]
fn a_spooled_batch_carries_its_segments_into_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.sqlite3");
    let mut store = Store::open(&path).unwrap();
    let id = new_session(&mut store);
    let rest = music_batch(120);
    write_spool(&path, id, &rest, 0, None).unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    let got: Vec<MusicSegmentRow> = store
        .music_segments(id)
        .unwrap()
        .into_iter()
        .map(|s| s.segment)
        .collect();
    assert_eq!(got, rest.music_segments);
    assert_eq!(store.beats(id).unwrap().len(), 1);
}

#[test]
fn a_version_5_record_gains_the_music_segments_and_keeps_its_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v5.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        for m in &schema::MIGRATIONS[..5] {
            conn.execute_batch(m).unwrap();
        }
        conn.execute_batch(&format!(
            "PRAGMA application_id = {}; PRAGMA user_version = 5;
             INSERT INTO sessions (source, protocol, settings_json, started_unix_ms, status)
             VALUES ('sim', 'ras', '{{}}', 0, 'stopped');",
            schema::APPLICATION_ID
        ))
        .unwrap();
        let has: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'music_segments'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(has, 0, "a v5 record has no music segments");
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.session(1).unwrap().status, SessionStatus::Stopped);
    assert!(store.music_segments(1).unwrap().is_empty());
    let id = new_session(&mut store);
    store.write_batch(id, &music_batch(60)).unwrap();
    assert_eq!(store.music_segments(id).unwrap().len(), 2);
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, schema::SCHEMA_VERSION);
}
