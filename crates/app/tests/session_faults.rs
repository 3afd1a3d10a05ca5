//! The real `entrain` binary under faults (issue 24): a signal closes the session through its
//! normal end, and every step the session printed is in the record exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use entrain_store::{EventKind, SessionStatus, Store};

mod common;
use common::{BIN, Session, parse_step, session_id};

/// Creates the record at `db` and returns a page cap for it
/// ([`entrain_store::FAULT_MAX_PAGE_COUNT_ENV`]) that leaves room for a few seconds of a session.
fn new_record_pages_for_a_few_seconds(db: &Path) -> u64 {
    drop(Store::open(db).unwrap());
    std::fs::metadata(db).unwrap().len() / 4096 + 12
}

/// The record's next writable open writes every spool file of session `id` back: the mark is
/// gone, the session has its end `status`, every printed step is stored once, no file is left,
/// and an open after that changes nothing.
fn assert_written_back_once_on_the_next_open(
    db: &Path,
    id: i64,
    lines: &[String],
    status: SessionStatus,
) {
    let store = Store::open(db).unwrap();
    let record = store.session(id).unwrap();
    assert_eq!(record.missing, None, "{record:?}");
    assert_eq!(record.status, status, "{record:?}");
    assert_printed_steps_stored_once(&store, id, lines);
    drop(store);
    assert!(spool_files(db).is_empty(), "{:?}", spool_files(db));
    let store = Store::open(db).unwrap();
    assert_printed_steps_stored_once(&store, id, lines);
    store.check_integrity().unwrap();
}

/// Every step printed is stored exactly once, and nothing else is.
fn assert_printed_steps_stored_once(store: &Store, id: i64, lines: &[String]) {
    let printed: Vec<(i64, String)> = lines.iter().filter_map(|l| parse_step(l)).collect();
    assert!(printed.len() >= 6, "too few steps printed: {lines:?}");
    let stored = store.steps(id).unwrap();
    for (t, side) in &printed {
        let n = stored
            .iter()
            .filter(|s| (s.time_nanos - t).abs() <= 500_000 && s.side.as_str() == side)
            .count();
        assert_eq!(n, 1, "step at {t} ns ({side}) is stored {n} times");
    }
    assert_eq!(
        stored.len(),
        printed.len(),
        "the record holds steps that were never printed"
    );
}

#[test]
fn sigterm_stops_the_session_as_stopped_by_signal_with_every_step_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    let session = Session::start(&db, &["--no-audio"]);
    std::thread::sleep(Duration::from_secs(5));
    session.signal("TERM");
    let (lines, stderr, ok) = session.finish(Duration::from_secs(20));
    assert!(ok, "the run failed: {stderr}\n{lines:?}");
    let id = session_id(&lines);
    let store = Store::open(&db).unwrap();
    let record = store.session(id).unwrap();
    assert_eq!(record.status, SessionStatus::Stopped, "{record:?}");
    assert_eq!(
        record.end_reason.as_deref(),
        Some("stopped by signal SIGTERM"),
        "{record:?}"
    );
    assert_printed_steps_stored_once(&store, id, &lines);
}

#[test]
fn sigint_stops_the_session_like_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    let session = Session::start(&db, &["--no-audio", "--quiet"]);
    std::thread::sleep(Duration::from_secs(3));
    session.signal("INT");
    let (lines, stderr, ok) = session.finish(Duration::from_secs(20));
    assert!(ok, "the run failed: {stderr}\n{lines:?}");
    let store = Store::open(&db).unwrap();
    let record = store.session(session_id(&lines)).unwrap();
    assert_eq!(record.status, SessionStatus::Stopped);
    assert_eq!(
        record.end_reason.as_deref(),
        Some("stopped by signal SIGINT")
    );
}

#[test]
fn with_no_sound_server_the_record_says_audio_was_missing_and_no_beat_was_heard() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    // No PulseAudio server and an empty ALSA configuration: cpal finds no output device.
    let empty_alsa = dir.path().join("alsa.conf");
    std::fs::write(&empty_alsa, "").unwrap();
    let session = Session::start_with(
        &db,
        &["--quiet", "--seconds", "16", "--baseline-secs", "3"],
        |c| {
            c.env("PULSE_SERVER", dir.path().join("no-such-server"))
                .env("ALSA_CONFIG_PATH", &empty_alsa)
                .env_remove("AUDIODEV");
        },
    );
    let (lines, stderr, ok) = session.finish(Duration::from_secs(40));
    assert!(ok, "the run failed: {stderr}\n{lines:?}");
    let id = session_id(&lines);
    let store = Store::open(&db).unwrap();
    let record = store.session(id).unwrap();
    let settings: serde_json::Value = serde_json::from_str(&record.settings_json).unwrap();
    assert_eq!(settings["audio_requested"], serde_json::json!(true));
    assert!(settings.get("audio").is_none(), "{settings}");
    let audio: Vec<String> = store
        .events(id)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::Audio)
        .map(|e| e.detail)
        .collect();
    assert!(
        audio.iter().any(|d| d.starts_with("no output device (")),
        "{audio:?}"
    );
    assert!(
        audio
            .iter()
            .any(|d| d.starts_with("no output device ever opened: no beat was heard")),
        "{audio:?}"
    );
    let beats = store.beats(id).unwrap();
    assert!(beats.len() >= 5, "too few beats to tell: {}", beats.len());
    assert!(
        beats.iter().all(|b| b.played_nanos.is_none()),
        "a beat no one could hear is stored as played"
    );
}

/// Another process holding `BEGIN EXCLUSIVE` on `db` from now for `hold`; returns once it holds
/// the lock.
fn hold_exclusive_lock(db: &Path, hold: Duration) -> Child {
    let script = "import sqlite3, sys, time\n\
        c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)\n\
        c.execute('BEGIN EXCLUSIVE')\n\
        print('locked', flush=True)\n\
        time.sleep(float(sys.argv[2]))\n\
        c.execute('COMMIT')\n";
    let mut child = Command::new("python3")
        .args(["-c", script])
        .arg(db)
        .arg(hold.as_secs_f64().to_string())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "locked");
    child
}

#[test]
fn a_lock_held_by_another_process_as_the_session_ends_delays_the_record_but_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    let session = Session::start(&db, &["--no-audio", "--seconds", "8"]);
    std::thread::sleep(Duration::from_secs(3));
    // Held from 3 s to 13 s: across the session's end at 8 s.
    let mut locker = hold_exclusive_lock(&db, Duration::from_secs(10));
    let (lines, stderr, ok) = session.finish(Duration::from_secs(60));
    assert!(locker.wait().unwrap().success());
    assert!(ok, "the run failed: {stderr}\n{lines:?}");
    let id = session_id(&lines);
    let store = Store::open(&db).unwrap();
    let record = store.session(id).unwrap();
    assert_eq!(record.status, SessionStatus::Stopped, "{record:?}");
    assert!(
        record
            .end_reason
            .as_deref()
            .is_some_and(|r| r.contains("ended")),
        "{record:?}"
    );
    assert_printed_steps_stored_once(&store, id, &lines);
}

#[test]
fn a_full_disk_mid_session_marks_the_session_incomplete_and_no_export_calls_it_final() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    let pages = new_record_pages_for_a_few_seconds(&db);
    let session = Session::start_with(&db, &["--no-audio", "--seconds", "10"], |c| {
        c.env(entrain_store::FAULT_MAX_PAGE_COUNT_ENV, pages.to_string());
    });
    let (lines, stderr, ok) = session.finish(Duration::from_secs(90));
    assert!(
        !ok,
        "a session that was not all recorded must not end as a success"
    );
    assert!(stderr.contains("could not be stored"), "{stderr}");
    let id = session_id(&lines);
    let spooled = || spool_files(&db).len();
    assert_eq!(
        spooled(),
        1,
        "what could not be stored is kept beside the record"
    );
    let cap = pages.to_string();
    // No export calls it final, and the sessions table shows the mark.
    let fhir = dir.path().join("s.fhir.json");
    let out = Command::new(BIN)
        .args(["export", "--format", "fhir", "--session", &id.to_string()])
        .env(entrain_store::FAULT_MAX_PAGE_COUNT_ENV, &cap)
        .arg("--out")
        .arg(&fhir)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bundle: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&fhir).unwrap()).unwrap();
    let statuses: Vec<&serde_json::Value> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == "Observation")
        .map(|r| &r["status"])
        .collect();
    assert!(!statuses.is_empty());
    assert!(statuses.iter().all(|s| *s == "preliminary"), "{statuses:?}");
    let csv = dir.path().join("csv");
    let out = Command::new(BIN)
        .args(["export", "--format", "csv", "--session", &id.to_string()])
        .env(entrain_store::FAULT_MAX_PAGE_COUNT_ENV, &cap)
        .arg("--out")
        .arg(&csv)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sessions = std::fs::read_to_string(csv.join("sessions.csv")).unwrap();
    assert!(
        sessions.lines().next().unwrap().contains("missing"),
        "{sessions}"
    );
    assert!(sessions.contains("disk is full"), "{sessions}");
    assert!(sessions.contains("steps"), "{sessions}");
    let printed = lines.iter().filter_map(|l| parse_step(l)).count();
    let stored_while_full = std::fs::read_to_string(csv.join("steps.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert!(
        stored_while_full < printed,
        "{stored_while_full} of {printed} steps stored: the cap did not bite"
    );
    assert_eq!(
        spooled(),
        1,
        "not written back while the disk is still full"
    );

    // Space returns: the next open writes the spool back, exactly once, and clears the mark.
    assert_written_back_once_on_the_next_open(&db, id, &lines, SessionStatus::Stopped);
}

/// `entrain sessions --db db`: (id, status) of every listed session.
fn listed(db: &Path) -> Vec<(i64, String)> {
    let out = Command::new(BIN)
        .args(["sessions", "--db"])
        .arg(db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Some((f.first()?.parse().ok()?, f.get(3)?.to_string()))
        })
        .collect()
}

#[test]
fn sessions_recorded_at_once_on_one_record_lose_nothing_and_a_listing_leaves_them_running() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    let mut sessions: Vec<Session> = (0..3)
        .map(|_| Session::start(&db, &["--no-audio", "--seconds", "20"]))
        .collect();
    // Each has begun its row (however slowly a loaded machine started it), with seconds left.
    for s in &mut sessions {
        s.wait_for_line("recording session ", Duration::from_secs(60));
    }
    // Another process lists the record while all three record (and so opens it, which marks
    // sessions whose recorder is gone).
    for _ in 0..3 {
        let shown = listed(&db);
        assert_eq!(shown.len(), 3, "{shown:?}");
        assert!(
            shown.iter().all(|(_, status)| status == "running"),
            "a live session was relabelled: {shown:?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let store_ids: Vec<(i64, Vec<String>)> = sessions
        .into_iter()
        .map(|s| {
            let (lines, stderr, ok) = s.finish(Duration::from_secs(60));
            assert!(ok, "a run failed: {stderr}\n{lines:?}");
            assert!(!stderr.contains("locked"), "{stderr}");
            (session_id(&lines), lines)
        })
        .collect();
    let store = Store::open(&db).unwrap();
    for (id, lines) in &store_ids {
        // Ended by --seconds, before the protocol's end.
        assert_eq!(store.session(*id).unwrap().status, SessionStatus::Stopped);
        assert_printed_steps_stored_once(&store, *id, lines);
    }
}

#[test]
fn four_fast_sessions_creating_one_record_at_once_all_store_every_step_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.sqlite3");
    let sessions: Vec<Session> = (0..4)
        .map(|_| Session::start(&db, &["--fast", "--seconds", "300"]))
        .collect();
    let runs: Vec<(Vec<String>, String, bool)> = sessions
        .into_iter()
        .map(|s| s.finish(Duration::from_secs(120)))
        .collect();
    let store = Store::open(&db).unwrap();
    for (lines, stderr, ok) in &runs {
        assert!(ok, "a run failed: {stderr}");
        let id = session_id(lines);
        assert_eq!(store.session(id).unwrap().status, SessionStatus::Completed);
        assert_printed_steps_stored_once(&store, id, lines);
    }
}

/// The spool files beside `db`.
fn spool_files(db: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(entrain_store::spool::spool_dir(db))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}

#[test]
fn a_whole_session_on_a_full_disk_spills_to_spool_files_as_it_goes_and_each_is_written_back_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    let pages = new_record_pages_for_a_few_seconds(&db);
    // The whole protocol as fast as it runs (about 40,000 raw samples), with the memory bound at
    // 5,000 rows and samples: cut into several files as it goes.
    let session = Session::start_with(&db, &["--fast"], |c| {
        c.env(entrain_store::FAULT_MAX_PAGE_COUNT_ENV, pages.to_string())
            .env(entrain_engine::FAULT_SPILL_AT_ITEMS_ENV, "5000");
    });
    let (lines, stderr, ok) = session.finish(Duration::from_secs(240));
    assert!(!ok, "a session not all recorded must not end as a success");
    let id = session_id(&lines);
    let files = spool_files(&db);
    assert!(
        files.len() >= 3,
        "cut as it went, not held in memory to the end: {files:?}\n{stderr}"
    );
    let record = Store::open_with(
        &db,
        entrain_store::StoreOptions {
            max_page_count: Some(pages),
            ..entrain_store::StoreOptions::default()
        },
    )
    .unwrap()
    .session(id)
    .unwrap();
    let mark = record.missing.clone().expect("marked incomplete");
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            mark.contains(&entrain_store::spool::spool_tag(&name)),
            "the mark names every spool file ({name}): {mark}"
        );
    }

    // Space returns: every file is written back once, in order, and the mark goes.
    assert_written_back_once_on_the_next_open(&db, id, &lines, SessionStatus::Completed);
}

#[test]
fn a_lock_held_mid_session_spills_to_the_spool_and_the_session_writes_it_back_itself() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    let session = Session::start_with(&db, &["--no-audio", "--seconds", "20"], |c| {
        // A spill within about two seconds of data, so a short lock makes several.
        c.env(entrain_engine::FAULT_SPILL_AT_ITEMS_ENV, "300");
    });
    std::thread::sleep(Duration::from_secs(2));
    // Held from 2 s to 14 s: well inside the session, which records 6 s more after it. The
    // writer waits out its 5 s busy timeout before each failure, so spills come from about 7 s.
    let mut locker = hold_exclusive_lock(&db, Duration::from_secs(12));
    std::thread::sleep(Duration::from_secs(9));
    let during = spool_files(&db);
    let (lines, stderr, ok) = session.finish(Duration::from_secs(60));
    assert!(locker.wait().unwrap().success());
    assert!(
        !during.is_empty(),
        "nothing was spilled while the lock was held\n{stderr}"
    );
    assert!(ok, "the run failed: {stderr}\n{lines:?}");
    assert!(
        spool_files(&db).is_empty(),
        "the session wrote its own spool back once the record took rows again"
    );
    let id = session_id(&lines);
    let store = Store::open(&db).unwrap();
    let record = store.session(id).unwrap();
    assert_eq!(record.missing, None, "{record:?}");
    assert_eq!(record.status, SessionStatus::Stopped, "{record:?}");
    assert_printed_steps_stored_once(&store, id, &lines);
    store.check_integrity().unwrap();
}

#[test]
fn when_neither_the_record_nor_its_spool_can_be_written_the_session_stops_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    let pages = new_record_pages_for_a_few_seconds(&db);
    // Where the spool folder would go, a file: the spool cannot be written.
    std::fs::write(entrain_store::spool::spool_dir(&db), b"in the way").unwrap();
    let started = Instant::now();
    let session = Session::start_with(&db, &["--no-audio", "--seconds", "120"], |c| {
        c.env(entrain_store::FAULT_MAX_PAGE_COUNT_ENV, pages.to_string())
            .env(entrain_engine::FAULT_SPILL_AT_ITEMS_ENV, "300");
    });
    let (lines, stderr, ok) = session.finish(Duration::from_secs(120));
    assert!(!ok, "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(90),
        "the session ran on with nowhere to keep its data"
    );
    assert!(stderr.contains("nothing more can be recorded"), "{stderr}");
    let id = session_id(&lines);
    let store = Store::open(&db).unwrap();
    let record = store.session(id).unwrap();
    assert_eq!(record.status, SessionStatus::Stopped, "{record:?}");
    assert!(
        record
            .end_reason
            .as_deref()
            .is_some_and(|r| r.contains("nothing more can be recorded")),
        "{record:?}"
    );
    let mark = record.missing.expect("marked incomplete");
    assert!(mark.contains("lost"), "{mark}");
}

/// The issue's own repro, on a real file system: a 4 MB tmpfs (mounted in a user and mount
/// namespace of the test's, so no privilege is needed) holding a record, filled to 200 KB free,
/// then a session on it; 8 s in, the filler is removed. The writer keeps what the disk refused
/// and writes it when the space comes back: every printed step is in the record once.
#[test]
fn a_real_full_tmpfs_mid_session_loses_nothing_once_space_returns() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("full");
    let out = dir.path().join("copy");
    std::fs::create_dir_all(&mnt).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    let script = r#"set -eu
mount -t tmpfs -o size=4m tmpfs "$MNT"
"$BIN" session --source sim:healthy --fast --seconds 60 --db "$MNT/e.db" >/dev/null 2>&1
avail_kb=$(df -k --output=avail "$MNT" | tail -1)
dd if=/dev/zero of="$MNT/filler" bs=1k count=$((avail_kb - 200)) 2>/dev/null || true
echo "filled: $(df -k --output=avail "$MNT" | tail -1) KB free" >&2
"$BIN" session --source sim:healthy --no-audio --seconds 16 --db "$MNT/e.db" &
pid=$!
sleep 8
rm "$MNT/filler"
status=0
wait "$pid" || status=$?
cp -a "$MNT/." "$OUT/"
exit "$status"
"#;
    let mut command = Command::new("unshare");
    command
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", script])
        .env("MNT", &mnt)
        .env("OUT", &out)
        .env("BIN", BIN);
    let (lines, stderr, ok) = Session::spawn(command).finish(Duration::from_secs(120));
    assert!(ok, "the run failed: {stderr}\n{lines:?}");
    assert!(
        stderr.contains("the disk is full"),
        "the tmpfs never filled: {stderr}"
    );
    let db = out.join("e.db");
    let id = session_id(&lines);
    let store = Store::open(&db).unwrap();
    let record = store.session(id).unwrap();
    assert_eq!(record.missing, None, "{record:?}");
    assert_eq!(record.status, SessionStatus::Stopped, "{record:?}");
    assert_printed_steps_stored_once(&store, id, &lines);
    store.check_integrity().unwrap();
}
