//! The store on real SQLite files in temporary folders.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use entrain_cue::Phase;
use entrain_gait::{ImuSample, Placement, Side};
use entrain_store::export::{ExportFormat, ExportOptions, build_tables, write_tables};
use entrain_store::*;

fn file_bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

fn new_session(store: &mut Store, patient_id: Option<i64>) -> i64 {
    store
        .begin_session(&NewSession {
            patient_id,
            source: "replay:/data/walk.csv".into(),
            protocol: "ras".into(),
            settings_json: "{}".into(),
            sensors: vec![SessionSensor {
                placement: Placement::Foot(Side::Left),
                sensor_key: "AA:BB:CC:DD:EE:FF".into(),
                name: "left".into(),
                sample_rate_hz: 100.0,
            }],
        })
        .unwrap()
}

fn batch(from_nanos: i64, steps: usize) -> Batch {
    let mut b = Batch::default();
    b.phases.push(PhaseRow {
        phase: Phase::Baseline,
        start_nanos: from_nanos,
        reason: "session start".into(),
    });
    for i in 0..steps {
        let t = from_nanos + i as i64 * 500_000_000;
        b.steps.push(StepRow {
            time_nanos: t,
            side: if i % 2 == 0 { Side::Left } else { Side::Right },
            detected_at_nanos: t + 40_000_000,
            phase: Some(Phase::Baseline),
        });
        b.beats.push(BeatRow {
            scheduled_nanos: t + 10,
            tempo_spm: 120.0,
            target_spm: 120.0,
            volume: 1.0,
            phase: Phase::Matched,
        });
        b.played.push(BeatPlayed {
            scheduled_nanos: t + 10,
            played_nanos: t + 12,
        });
    }
    b.tempo_changes.push(TempoChangeRow {
        time_nanos: from_nanos,
        phase: Phase::Matched,
        from_spm: None,
        to_spm: 120.0,
        reason: "matched to baseline".into(),
    });
    b.events.push(EventRow {
        time_nanos: from_nanos,
        phase: Some(Phase::Baseline),
        kind: EventKind::Mark,
        detail: "patient said knee hurts".into(),
    });
    for i in 0..100 {
        b.raw.push((
            Placement::Foot(Side::Left),
            ImuSample {
                time_nanos: from_nanos + i * 10_000_000,
                acc_mps2: [i as f32 / 3.0, 9.81, -1.0],
                gyr_dps: [0.1, 200.5, -3.25],
            },
        ));
    }
    b.now_nanos = from_nanos + steps as i64 * 500_000_000;
    b
}

#[test]
fn round_trips_a_session_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub").join("e.sqlite3");
    let mut store = Store::open(&path).unwrap();
    let p = store
        .add_patient(&NewPatient {
            code: "P-01".into(),
            year_of_birth: Some(1952),
            affected_side: Some(AffectedSide::Left),
            diagnosis_date: Some("2026-01-15".into()),
            notes: "lives alone".into(),
        })
        .unwrap();
    let id = new_session(&mut store, Some(p.id));
    store.write_batch(id, &batch(0, 10)).unwrap();
    store.write_batch(id, &batch(10_000_000_000, 4)).unwrap();
    store
        .end_session(id, SessionStatus::Completed, "done", 20_000_000_000)
        .unwrap();
    drop(store);

    let store = Store::open(&path).unwrap();
    assert!(store.recovered_sessions().is_empty());
    let s = store.session(id).unwrap();
    assert_eq!(s.status, SessionStatus::Completed);
    assert_eq!(s.patient_code.as_deref(), Some("P-01"));
    assert_eq!(store.steps(id).unwrap().len(), 14);
    let beats = store.beats(id).unwrap();
    assert_eq!(beats.len(), 14);
    assert!(
        beats
            .iter()
            .all(|b| b.played_nanos == Some(b.scheduled_nanos + 2))
    );
    let phases = store.phases(id).unwrap();
    assert_eq!(phases.len(), 2);
    assert_eq!(phases[0].end_nanos, Some(10_000_000_000));
    assert_eq!(phases[1].end_nanos, Some(20_000_000_000));
    let raw = store.raw_samples(id).unwrap();
    assert_eq!(raw.len(), 1);
    let expected: Vec<ImuSample> = batch(0, 0)
        .raw
        .into_iter()
        .chain(batch(10_000_000_000, 0).raw)
        .map(|(_, s)| s)
        .collect();
    assert_eq!(raw[0].1, expected, "raw samples are stored bit-exactly");
    store.check_integrity().unwrap();
}

#[test]
fn a_running_session_of_a_dead_process_becomes_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.sqlite3");
    let mut store = Store::open(&path).unwrap();
    let id = new_session(&mut store, None);
    store.write_batch(id, &batch(0, 6)).unwrap();
    drop(store);
    // Our own process is alive, so reopening from it keeps the session running...
    let store = Store::open(&path).unwrap();
    assert_eq!(store.session(id).unwrap().status, SessionStatus::Running);
    drop(store);
    // ... until the recorded pid is one that has exited.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead_pid = child.id();
    child.wait().unwrap();
    set_pid(&path, id, dead_pid);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.recovered_sessions(), &[id]);
    let s = store.session(id).unwrap();
    assert_eq!(s.status, SessionStatus::Interrupted);
    assert!(s.end_reason.unwrap().contains("3.0 s"));
    assert_eq!(store.steps(id).unwrap().len(), 6);
}

/// Sets a session's owner pid directly in SQLite (the store has no API for that, on purpose).
fn set_pid(path: &Path, id: i64, pid: u32) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute(
        "UPDATE sessions SET pid = ?1 WHERE id = ?2",
        rusqlite::params![pid, id],
    )
    .unwrap();
}

#[test]
fn refuses_a_file_that_is_not_sqlite_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.sqlite3");
    std::fs::write(&path, b"Dear diary, today I walked 300 m.\n".repeat(200)).unwrap();
    let before = file_bytes(&path);
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::NotSqlite { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("notes.sqlite3") && msg.contains("Dear diary"),
        "{msg}"
    );
    assert_eq!(file_bytes(&path), before);
    assert!(!dir.path().join("notes.sqlite3-wal").exists());
}

#[test]
fn refuses_a_damaged_database_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.sqlite3");
    let mut store = Store::open(&path).unwrap();
    let id = new_session(&mut store, None);
    store.write_batch(id, &batch(0, 10)).unwrap();
    drop(store);
    // Overwrite the schema page (page 1 after the 100-byte header) with garbage.
    let mut bytes = file_bytes(&path);
    for b in bytes.iter_mut().skip(100).take(3000) {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("damaged"), "{err}");
    assert_eq!(file_bytes(&path), bytes);
}

#[test]
fn refuses_another_programs_database_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL);
             INSERT INTO invoices (amount) VALUES (12.5);",
        )
        .unwrap();
    }
    let before = file_bytes(&path);
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Foreign { .. }), "{err}");
    assert!(err.to_string().contains("invoices"), "{err}");
    assert_eq!(file_bytes(&path), before);
}

#[test]
fn refuses_a_newer_schema_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.sqlite3");
    let mut store = Store::open(&path).unwrap();
    let id = new_session(&mut store, None);
    store.write_batch(id, &batch(0, 3)).unwrap();
    drop(store);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(&format!(
            "PRAGMA user_version = {}; PRAGMA wal_checkpoint(TRUNCATE);",
            schema::SCHEMA_VERSION + 1
        ))
        .unwrap();
    }
    let before = file_bytes(&path);
    let err = Store::open(&path).unwrap_err();
    match &err {
        StoreError::NewerSchema {
            found, supported, ..
        } => {
            assert_eq!(*found, schema::SCHEMA_VERSION + 1);
            assert_eq!(*supported, schema::SCHEMA_VERSION);
        }
        other => panic!("expected NewerSchema, got {other}"),
    }
    assert!(err.to_string().contains("update Entrain"));
    assert_eq!(file_bytes(&path), before);
}

#[test]
fn a_full_disk_rolls_back_the_batch_and_keeps_earlier_data() {
    // The full disk is simulated with SQLite's page limit (`PRAGMA max_page_count`).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.sqlite3");
    let mut store = Store::open(&path).unwrap();
    let id = new_session(&mut store, None);
    store.write_batch(id, &batch(0, 10)).unwrap();
    drop(store);
    // The database's own size (the file's length leaves out what is still in the WAL).
    let pages = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA page_count", [], |r| r.get::<_, i64>(0))
        .unwrap() as u64
        + 40;
    let mut store = Store::open_with(
        &path,
        StoreOptions {
            max_page_count: Some(pages),
            ..StoreOptions::default()
        },
    )
    .unwrap();
    let mut big = batch(20_000_000_000, 10);
    for i in 0..200_000 {
        big.raw.push((
            Placement::Foot(Side::Right),
            ImuSample {
                time_nanos: 30_000_000_000 + i,
                acc_mps2: [i as f32; 3],
                gyr_dps: [0.0; 3],
            },
        ));
    }
    let err = store.write_batch(id, &big).unwrap_err();
    assert!(matches!(err, StoreError::Full { .. }), "{err}");
    assert!(err.to_string().contains("disk is full"), "{err}");
    // Everything from before is there; nothing of the failed batch is.
    assert_eq!(store.steps(id).unwrap().len(), 10);
    assert_eq!(store.raw_samples(id).unwrap()[0].1.len(), 100);
    // The store stays usable for smaller writes.
    store.write_batch(id, &batch(40_000_000_000, 2)).unwrap();
    assert_eq!(store.steps(id).unwrap().len(), 12);
    drop(store);
    Store::open(&path).unwrap().check_integrity().unwrap();
}

#[test]
fn bad_patient_input_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("e.sqlite3")).unwrap();
    let err = store
        .add_patient(&NewPatient {
            code: "P1".into(),
            year_of_birth: Some(1850),
            ..NewPatient::default()
        })
        .unwrap_err();
    assert!(err.to_string().contains("year of birth"), "{err}");
    let err = store
        .add_patient(&NewPatient {
            code: "P1".into(),
            diagnosis_date: Some("2026-02-30".into()),
            ..NewPatient::default()
        })
        .unwrap_err();
    assert!(err.to_string().contains("diagnosis date"), "{err}");
    let p = store
        .add_patient(&NewPatient {
            code: "P1".into(),
            ..NewPatient::default()
        })
        .unwrap();
    let err = store
        .add_patient(&NewPatient {
            code: "P1".into(),
            ..NewPatient::default()
        })
        .unwrap_err();
    assert!(err.to_string().contains("not used yet"), "{err}");
    let err = store
        .add_clinical_test(p.id, None, ClinicalTestKind::Fac, 7.0, "")
        .unwrap_err();
    assert!(err.to_string().contains("fac result"), "{err}");
    let err = store
        .add_clinical_test(p.id, None, ClinicalTestKind::TenMetreWalk, 1e300, "")
        .unwrap_err()
        .to_string();
    assert!(err.contains("found 1e300") && err.len() < 120, "{err}");
    store
        .add_clinical_test(
            p.id,
            None,
            ClinicalTestKind::TimedUpAndGo,
            14.2,
            "with cane",
        )
        .unwrap();
    assert_eq!(store.clinical_tests(p.id).unwrap().len(), 1);
}

#[test]
fn a_clinical_test_result_is_deleted_by_id_and_only_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("d.sqlite3")).unwrap();
    let p = store
        .add_patient(&NewPatient {
            code: "DEL-1".into(),
            ..NewPatient::default()
        })
        .unwrap();
    let wrong = store
        .add_clinical_test(p.id, None, ClinicalTestKind::TenMetreWalk, 0.75, "")
        .unwrap();
    let kept = store
        .add_clinical_test(p.id, None, ClinicalTestKind::Fac, 3.0, "")
        .unwrap();
    assert!(store.delete_clinical_test(wrong).unwrap(), "it existed");
    let left: Vec<i64> = store
        .clinical_tests(p.id)
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(left, vec![kept]);
    assert!(
        !store.delete_clinical_test(wrong).unwrap(),
        "a second delete finds nothing"
    );
    assert!(!store.delete_clinical_test(9999).unwrap());
    assert_eq!(store.clinical_tests(p.id).unwrap().len(), 1);
}

#[test]
fn exports_tidy_csv_and_json_and_a_deidentified_copy() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("e.sqlite3")).unwrap();
    let p = store
        .add_patient(&NewPatient {
            code: "MARIA-1952".into(),
            year_of_birth: Some(1952),
            affected_side: Some(AffectedSide::Right),
            diagnosis_date: Some("2026-01-15".into()),
            notes: "lives alone".into(),
        })
        .unwrap();
    store
        .add_clinical_test(p.id, None, ClinicalTestKind::TenMetreWalk, 0.62, "slow")
        .unwrap();
    let id = new_session(&mut store, Some(p.id));
    store.write_batch(id, &batch(0, 10)).unwrap();
    store
        .end_session(id, SessionStatus::Stopped, "recording ended", 6_000_000_000)
        .unwrap();
    store
        .add_session_note(id, "tired after the call from her son")
        .unwrap();

    let out = dir.path().join("csv");
    let options = ExportOptions::default();
    let tables = build_tables(&store, &[id], &[], options).unwrap();
    let files = write_tables(&tables, ExportFormat::Csv, &out, options).unwrap();
    assert_eq!(files.len(), 12);
    let steps = std::fs::read_to_string(out.join("steps.csv")).unwrap();
    assert_eq!(steps.lines().count(), 11);
    assert!(
        steps.starts_with("session_id,time_s,time_nanos,side,detected_at_s,latency_ms,phase\n")
    );
    let patients = std::fs::read_to_string(out.join("patients.csv")).unwrap();
    assert!(patients.contains("MARIA-1952") && patients.contains("lives alone"));

    let out = dir.path().join("json");
    let tables = build_tables(&store, &[id], &[p.id], options).unwrap();
    write_tables(&tables, ExportFormat::Json, &out, options).unwrap();
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("export.json")).unwrap()).unwrap();
    assert_eq!(doc["tables"]["steps"].as_array().unwrap().len(), 10);
    assert_eq!(doc["tables"]["clinical_tests"][0]["unit"], "m/s");

    let out = dir.path().join("research");
    let options = ExportOptions { deidentified: true };
    let tables = build_tables(&store, &[id], &[p.id], options).unwrap();
    write_tables(&tables, ExportFormat::Csv, &out, options).unwrap();
    let all: String = std::fs::read_dir(&out)
        .unwrap()
        .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap())
        .collect();
    for secret in [
        "MARIA",
        "lives alone",
        "knee hurts",
        "her son",
        "AA:BB",
        "/data/walk",
        "2026-01-15",
        "1952,",
        "slow",
    ] {
        assert!(
            !all.contains(secret),
            "de-identified export still holds {secret:?}"
        );
    }
    let patients = std::fs::read_to_string(out.join("patients.csv")).unwrap();
    assert_eq!(
        patients,
        "patient,year_of_birth_band,affected_side,diagnosis_day\nR001,1950-1954,right,".to_string()
            + &format!(
                "{}\n",
                time::parse_date("2026-01-15").unwrap()
                    - store
                        .session(id)
                        .unwrap()
                        .started_unix_ms
                        .div_euclid(86_400_000)
            )
    );
}

#[test]
fn a_patient_is_edited_in_place_and_codes_stay_unique() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("e.db")).unwrap();
    let a = store
        .add_patient(&NewPatient {
            code: "P-001".into(),
            ..NewPatient::default()
        })
        .unwrap();
    store
        .add_patient(&NewPatient {
            code: "P-002".into(),
            ..NewPatient::default()
        })
        .unwrap();
    let session = new_session(&mut store, Some(a.id));
    let edited = store
        .update_patient(
            a.id,
            &NewPatient {
                code: " P-001b ".into(),
                year_of_birth: Some(1950),
                affected_side: Some(AffectedSide::Left),
                diagnosis_date: Some("2026-01-02".into()),
                notes: "right-handed".into(),
            },
        )
        .unwrap();
    assert_eq!(edited.id, a.id);
    assert_eq!(edited.code, "P-001b");
    assert_eq!(edited.affected_side, Some(AffectedSide::Left));
    assert_eq!(store.session(session).unwrap().patient_id, Some(a.id));
    let taken = store.update_patient(
        a.id,
        &NewPatient {
            code: "P-002".into(),
            ..NewPatient::default()
        },
    );
    assert!(taken.unwrap_err().to_string().contains("P-002"));
    assert!(store.update_patient(a.id, &NewPatient::default()).is_err());
    assert!(
        store
            .update_patient(
                999,
                &NewPatient {
                    code: "X".into(),
                    ..NewPatient::default()
                }
            )
            .is_err()
    );
}

#[test]
fn rows_read_back_as_types_and_an_unknown_name_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.sqlite3");
    let mut store = Store::open(&path).unwrap();
    let id = new_session(&mut store, None);
    store.write_batch(id, &batch(0, 6)).unwrap();
    let steps = store.steps(id).unwrap();
    assert_eq!(steps[0].side, Side::Left);
    assert_eq!(steps[1].side, Side::Right);
    assert!(steps.iter().all(|s| s.phase == Some(Phase::Baseline)));
    assert!(
        store
            .beats(id)
            .unwrap()
            .iter()
            .all(|b| b.phase == Phase::Matched)
    );
    assert_eq!(store.events(id).unwrap()[0].kind, EventKind::Mark);
    assert_eq!(
        store.session_sensors(id).unwrap()[0].placement,
        Placement::Foot(Side::Left)
    );
    drop(store);

    // Another tool writes a phase this version does not know (the schema checks sides, not phases).
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("UPDATE steps SET phase = 'warm-up' WHERE rowid = 1", [])
        .unwrap();
    drop(conn);
    let store = Store::open(&path).unwrap();
    let err = store.steps(id).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains(&format!("reading the steps of session {id}"))
            && text.contains("unknown phase 'warm-up': expected baseline, matched"),
        "{text}"
    );
}

#[test]
fn a_note_on_a_session_is_stored_as_a_note_event_at_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("e.sqlite3")).unwrap();
    let id = new_session(&mut store, None);
    store.write_batch(id, &batch(0, 6)).unwrap();
    store
        .end_session(id, SessionStatus::Stopped, "stopped", 4_000_000_000)
        .unwrap();
    store
        .add_session_note(id, "  walked better after the break \n")
        .unwrap();
    let notes: Vec<StoredEvent> = store
        .events(id)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::Note)
        .collect();
    assert_eq!(
        notes,
        [StoredEvent {
            session_id: id,
            time_nanos: 4_000_000_000,
            phase: Some(Phase::Baseline),
            kind: EventKind::Note,
            detail: "walked better after the break".into(),
        }]
    );
    let err = store.add_session_note(id, " \n ").unwrap_err().to_string();
    assert!(err.contains("session note"), "{err}");
    assert!(store.add_session_note(id + 1, "no such session").is_err());
    assert_eq!("note".parse::<EventKind>().unwrap(), EventKind::Note);
}

#[test]
fn a_version_2_record_gains_the_missing_mark_and_a_session_can_be_marked_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(schema::MIGRATIONS[0]).unwrap();
        conn.execute_batch(schema::MIGRATIONS[1]).unwrap();
        conn.execute_batch(&format!(
            "PRAGMA application_id = {}; PRAGMA user_version = 2;
             INSERT INTO sessions (source, protocol, settings_json, started_unix_ms, status)
             VALUES ('sim', 'ras', '{{}}', 0, 'stopped');",
            schema::APPLICATION_ID
        ))
        .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    const { assert!(schema::SCHEMA_VERSION >= 3) };
    let old = store.session(1).unwrap();
    assert_eq!(old.missing, None, "an older session is not marked");
    let id = new_session(&mut store, None);
    store.write_batch(id, &batch(0, 4)).unwrap();
    assert_eq!(store.session(id).unwrap().missing, None);
    store
        .mark_incomplete(
            id,
            "the data after the last stored batch (3 steps, up to 9.000 s)",
        )
        .unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    let marked = store.session(id).unwrap();
    assert_eq!(
        marked.missing.as_deref(),
        Some("the data after the last stored batch (3 steps, up to 9.000 s)")
    );
    assert_eq!(store.steps(id).unwrap().len(), 4);
}

/// A running session row as another recorder left it: its lease, its last heartbeat.
fn running_row(
    path: &Path,
    host: &str,
    boot: &str,
    pid: i64,
    start_ticks: i64,
    heartbeat: i64,
) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute(
        "INSERT INTO sessions (source, protocol, settings_json, started_unix_ms, status, pid,
                               heartbeat_unix_ms, lease_host, lease_boot_id,
                               lease_process_start_ticks)
         VALUES ('sim', 'ras', '{}', 0, 'running', ?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![pid, heartbeat, host, boot, start_ticks],
    )
    .unwrap();
    conn.last_insert_rowid()
}

#[test]
fn another_opener_relabels_a_running_session_only_when_its_recorder_is_gone() {
    use entrain_store::lease::{Lease, Machine, OTHER_HOST_LEASE_MS, ThisMachine};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.sqlite3");
    drop(Store::open(&path).unwrap());
    let me = Lease::of_this_process(&ThisMachine);
    let now = entrain_store::unix_ms_now();
    let live_here = running_row(
        &path,
        &me.host,
        &me.boot_id,
        me.pid,
        me.process_start_ticks,
        now,
    );
    // pid 1 runs, but it is not the process that started this session.
    let init_start = ThisMachine.process_start_ticks(1).unwrap();
    let reused_pid = running_row(&path, &me.host, &me.boot_id, 1, init_start + 12_345, now);
    let before_reboot = running_row(
        &path,
        &me.host,
        "an-earlier-boot",
        me.pid,
        me.process_start_ticks,
        now,
    );
    let other_host_recent = running_row(&path, "ward-server", "b", 42, 7, now - 60_000);
    let other_host_silent = running_row(
        &path,
        "ward-server",
        "b",
        42,
        7,
        now - OTHER_HOST_LEASE_MS - 60_000,
    );

    let store = Store::open(&path).unwrap();
    let mut recovered = store.recovered_sessions().to_vec();
    recovered.sort();
    assert_eq!(recovered, [reused_pid, before_reboot, other_host_silent]);
    for (id, status) in [
        (live_here, SessionStatus::Running),
        (other_host_recent, SessionStatus::Running),
        (reused_pid, SessionStatus::Interrupted),
        (before_reboot, SessionStatus::Interrupted),
        (other_host_silent, SessionStatus::Interrupted),
    ] {
        let s = store.session(id).unwrap();
        assert_eq!(s.status, status, "{s:?}");
    }
    let reason = store.session(reused_pid).unwrap().end_reason.unwrap();
    assert!(reason.contains("pid now belongs to another"), "{reason}");
}

#[test]
fn two_writers_creating_and_filling_one_record_at_once_both_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.sqlite3");
    let writers: Vec<_> = (0..4)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                let id = new_session(&mut store, None);
                for i in 0..40 {
                    store
                        .write_batch(id, &batch(i * 10_000_000_000, 5))
                        .unwrap();
                }
                store
                    .end_session(id, SessionStatus::Completed, "done", 400_000_000_000)
                    .unwrap();
                id
            })
        })
        .collect();
    let ids: Vec<i64> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    let store = Store::open(&path).unwrap();
    for id in ids {
        assert_eq!(store.steps(id).unwrap().len(), 200, "session {id}");
        assert_eq!(store.session(id).unwrap().status, SessionStatus::Completed);
    }
}

#[test]
fn a_spool_whose_mark_never_reached_the_record_is_applied_once_and_only_if_its_rows_are_absent() {
    use entrain_store::spool::{spool_dir, write_spool};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.sqlite3");
    let mut store = Store::open(&path).unwrap();
    let id = new_session(&mut store, None);
    let first = batch(0, 4);
    store.write_batch(id, &first).unwrap();
    // The writer could store nothing more, not even the mark: only the spool file holds the
    // rest (4 more steps), cut when the record held `first`'s rows.
    let rest = batch(10_000_000_000, 4);
    write_spool(&path, id, &rest, first.row_count(), None).unwrap();
    // A second spool of the same rows, as if cut twice: the first applied makes it provably
    // stale.
    write_spool(&path, id, &rest, first.row_count(), None).unwrap();
    drop(store);

    let store = Store::open(&path).unwrap();
    assert_eq!(store.steps(id).unwrap().len(), 8, "applied exactly once");
    let left = std::fs::read_dir(spool_dir(&path)).unwrap().count();
    assert_eq!(left, 1, "the stale copy is kept, not applied");
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.steps(id).unwrap().len(), 8, "never applied twice");
}

#[test]
fn a_patients_sensor_assignment_is_remembered_per_placement_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.sqlite3");
    let left = Placement::Foot(Side::Left);
    let right = Placement::Foot(Side::Right);
    let (a, b) = {
        let mut store = Store::open(&path).unwrap();
        let new = |code: &str| NewPatient {
            code: code.into(),
            ..NewPatient::default()
        };
        let a = store.add_patient(&new("P1")).unwrap().id;
        let b = store.add_patient(&new("P2")).unwrap().id;
        store
            .assign_sensor(a, "C0:FF:EE:00:00:01", "Movesense 1", "movesense", left)
            .unwrap();
        store
            .assign_sensor(a, "C0:FF:EE:00:00:02", "Entrain-R", "entrain", right)
            .unwrap();
        // Another sensor on the left foot replaces the first; the other patient is untouched.
        store
            .assign_sensor(
                a,
                "C0:FF:EE:00:00:03",
                "Polar Sense 3",
                "polar-verity-sense",
                left,
            )
            .unwrap();
        store
            .assign_sensor(b, "C0:FF:EE:00:00:01", "Movesense 1", "movesense", right)
            .unwrap();
        (a, b)
    };
    let store = Store::open(&path).unwrap();
    let of_a = store.sensor_assignments(a).unwrap();
    let summary: Vec<(Placement, &str, &str)> = of_a
        .iter()
        .map(|s| (s.placement, s.sensor_key.as_str(), s.kind.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            (left, "C0:FF:EE:00:00:03", "polar-verity-sense"),
            (right, "C0:FF:EE:00:00:02", "entrain"),
        ]
    );
    assert!(of_a.iter().all(|s| s.assigned_unix_ms > 1_700_000_000_000));
    let of_b = store.sensor_assignments(b).unwrap();
    assert_eq!(of_b.len(), 1);
    assert_eq!(
        (of_b[0].placement, of_b[0].name.as_str()),
        (right, "Movesense 1")
    );
}

fn track(path: &str, tempo_bpm: f64, alternative_bpm: Option<f64>) -> NewTrack {
    let beat_secs = 60.0 / tempo_bpm;
    NewTrack {
        path: path.into(),
        title: "Walking song".into(),
        file_bytes: 123_456,
        file_mtime_unix_ms: 1_790_000_000_000,
        duration_secs: 30.0,
        tempo_bpm,
        beats_per_bar: 4,
        alternative_bpm,
        beats_secs: (0..40).map(|i| 0.25 + f64::from(i) * beat_secs).collect(),
        downbeats_secs: (0..10)
            .map(|i| 0.25 + f64::from(i) * 4.0 * beat_secs)
            .collect(),
        analysis_version: 1,
    }
}

#[test]
fn a_music_track_keeps_its_analysis_and_the_therapists_tempo_across_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.sqlite3");
    let id = {
        let mut store = Store::open(&path).unwrap();
        let stored = store
            .put_track(&track("/music/walk.flac", 120.0, Some(60.0)))
            .unwrap();
        // The therapist hears it at half: the alternative is confirmed; any other tempo is refused.
        let err = store.confirm_track_tempo(stored.id, 90.0).unwrap_err();
        assert!(err.to_string().contains("120.0 bpm or 60.0 bpm"), "{err}");
        let confirmed = store.confirm_track_tempo(stored.id, 60.0).unwrap();
        assert_eq!(confirmed.tempo_bpm(), 60.0);
        stored.id
    };
    let mut store = Store::open(&path).unwrap();
    let tracks = store.tracks().unwrap();
    assert_eq!(tracks.len(), 1);
    assert_eq!(tracks[0].id, id);
    assert_eq!(
        tracks[0].track,
        track("/music/walk.flac", 120.0, Some(60.0))
    );
    assert_eq!(tracks[0].tempo_bpm(), 60.0);
    // The file changed and was analysed again: same row; the choice stays while it is offered…
    let again = store
        .put_track(&track("/music/walk.flac", 60.0, Some(120.0)))
        .unwrap();
    assert_eq!((again.id, again.confirmed_bpm), (id, Some(60.0)));
    // …and goes when it is not.
    let changed = store
        .put_track(&track("/music/walk.flac", 100.0, None))
        .unwrap();
    assert_eq!((changed.id, changed.confirmed_bpm), (id, None));
    // An analysis that cannot be played by is refused, naming the file.
    let mut bad = track("/music/bad.mp3", 100.0, None);
    bad.beats_secs.swap(3, 4);
    let err = store.put_track(&bad).unwrap_err();
    assert!(
        err.to_string().contains("beat times of /music/bad.mp3"),
        "{err}"
    );
    assert_eq!(store.tracks().unwrap().len(), 1);
}
