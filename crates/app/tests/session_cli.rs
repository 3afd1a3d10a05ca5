//! The real `entrain` binary: a session killed with SIGKILL mid-walk keeps everything older than a
//! second before the kill and is marked interrupted on the next start; bad database files and a
//! read-only folder give clear errors and leave the data intact.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use entrain_store::{SessionStatus, Store};

mod common;
use common::{BIN, Session, parse_step, session_id};

#[test]
fn a_session_killed_mid_walk_keeps_every_step_older_than_one_second() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    let session = Session::start(&db, &["--protocol", "ras", "--no-audio"]);
    // Walk for a while in real time, then pull the plug.
    let mut lines = session.read_for(Duration::from_secs(7));
    let (rest, killed_at) = session.kill();
    lines.extend(rest);
    let id = session_id(&lines.iter().map(|(_, l)| l.as_str()).collect::<Vec<_>>());
    let old_steps: Vec<(i64, String)> = lines
        .iter()
        .filter(|(at, _)| *at + Duration::from_secs(1) <= killed_at)
        .filter_map(|(_, l)| parse_step(l))
        .collect();
    assert!(
        old_steps.len() >= 6,
        "too few steps printed before the kill: {:?}",
        lines.iter().map(|l| &l.1).collect::<Vec<_>>()
    );

    // The next start (here `entrain sessions`) marks the session interrupted.
    let out = Command::new(BIN)
        .arg("sessions")
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains(&format!("session {id} was interrupted")),
        "{text}"
    );
    let store = Store::open(&db).unwrap();
    let session = store.session(id).unwrap();
    assert_eq!(session.status, SessionStatus::Interrupted);
    let stored = store.steps(id).unwrap();
    for (t, side) in &old_steps {
        assert!(
            stored
                .iter()
                .any(|s| (s.time_nanos - t).abs() <= 500_000 && s.side.as_str() == side),
            "step at {t} ns ({side}) printed more than 1 s before the kill is not in the record ({} stored)",
            stored.len()
        );
    }
    // Raw samples up to then are there too.
    let raw = store.raw_samples(id).unwrap();
    let last_raw = raw
        .iter()
        .filter_map(|(_, s)| s.last())
        .map(|s| s.time_nanos)
        .max()
        .unwrap();
    assert!(last_raw >= old_steps.last().unwrap().0);
    store.check_integrity().unwrap();
}

fn run(args: &[&str], db: &Path) -> (bool, String) {
    let out = Command::new(BIN)
        .args(args)
        .arg("--db")
        .arg(db)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn bad_database_files_are_refused_clearly_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.sqlite3");
    std::fs::write(
        &junk,
        b"PK\x03\x04 this is a zip file, not a database".repeat(100),
    )
    .unwrap();
    let before = std::fs::read(&junk).unwrap();
    let (ok, text) = run(&["patients"], &junk);
    assert!(!ok);
    assert!(
        text.contains("junk.sqlite3") && text.contains("not an Entrain database"),
        "{text}"
    );
    assert_eq!(std::fs::read(&junk).unwrap(), before);

    let foreign = dir.path().join("other.db");
    Command::new("/usr/bin/python3")
        .arg("-c")
        .arg("import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table songs(t)'); c.commit()")
        .arg(&foreign)
        .status()
        .unwrap();
    let before = std::fs::read(&foreign).unwrap();
    let (ok, text) = run(&["sessions"], &foreign);
    assert!(!ok);
    assert!(
        text.contains("another program") && text.contains("songs"),
        "{text}"
    );
    assert_eq!(std::fs::read(&foreign).unwrap(), before);
}

/// Runs the binary as an unprivileged user when we are root (root ignores folder permissions).
fn run_unprivileged(args: &[&str], db: &Path) -> (bool, String) {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let mut cmd = if is_root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN]);
        c
    } else {
        Command::new(BIN)
    };
    let out = cmd
        .args(args)
        .arg("--db")
        .arg(db)
        .env("HOME", "/nonexistent")
        .output()
        .expect("setpriv (util-linux) must be installed: scripts/install-deps.sh");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn a_read_only_folder_gives_a_clear_error_and_keeps_the_data() {
    use std::os::unix::fs::PermissionsExt;
    // Under /tmp directly: the unprivileged user must be able to reach it.
    let dir = tempfile::Builder::new()
        .prefix("entrain-ro")
        .tempdir_in("/tmp")
        .unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    let db = ro.join("entrain.sqlite3");
    {
        let mut store = Store::open(&db).unwrap();
        store
            .add_patient(&entrain_store::NewPatient {
                code: "P-7".into(),
                ..Default::default()
            })
            .unwrap();
    }
    for f in std::fs::read_dir(&ro).unwrap() {
        let f = f.unwrap().path();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    let before = std::fs::read(&db).unwrap();

    // A new database in a read-only folder.
    let (ok, text) = run_unprivileged(&["patients", "--add", "P-9"], &ro.join("new.sqlite3"));
    assert!(!ok, "{text}");
    assert!(
        text.contains("new.sqlite3") && text.contains("cannot write"),
        "{text}"
    );
    // The existing database in the read-only folder.
    let (ok, text) = run_unprivileged(&["patients", "--add", "P-8"], &db);
    assert!(!ok, "{text}");
    assert!(
        text.contains("entrain.sqlite3") && text.contains("cannot write"),
        "{text}"
    );

    // It can still be read: listed, its sessions listed, exported.
    let (ok, text) = run_unprivileged(&["patients"], &db);
    assert!(ok && text.contains("P-7"), "{text}");
    let (ok, text) = run_unprivileged(&["sessions"], &db);
    assert!(ok, "{text}");
    let out = dir.path().join("export");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o777)).unwrap();
    let (ok, text) = run_unprivileged(
        &[
            "export",
            "--patient",
            "P-7",
            "--format",
            "json",
            "--out",
            out.to_str().unwrap(),
        ],
        &db,
    );
    assert!(ok, "{text}");
    let written: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap())
        .collect();
    assert!(written.iter().any(|t| t.contains("P-7")), "{text}");

    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(std::fs::read(&db).unwrap(), before);
    let store = Store::open(&db).unwrap();
    let codes: Vec<String> = store
        .patients()
        .unwrap()
        .into_iter()
        .map(|p| p.code)
        .collect();
    assert_eq!(codes, ["P-7"]);
}

#[test]
fn t_on_stdin_stops_after_a_short_retest_and_no_patient_is_said_on_stderr() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    let mut child = Command::new(BIN)
        .args([
            "session",
            "--source",
            "sim:entrains",
            "--no-audio",
            "--quiet",
            "--baseline-secs",
            "5",
        ])
        .arg("--db")
        .arg(&db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        // The matched cue has begun: end the cued part.
        if line.contains("[matched cue] phase started") {
            writeln!(stdin, "t").unwrap();
        }
        lines.push(line);
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("stored without a patient"),
        "stderr: {stderr}"
    );
    let last = lines.last().unwrap();
    assert!(
        last.starts_with("session 1 stopped: stopped after a short re-test"),
        "{lines:#?}"
    );
    let store = Store::open(&db).unwrap();
    assert_eq!(
        store.session(1).unwrap().end_reason.as_deref(),
        Some("stopped after a short re-test")
    );
}
