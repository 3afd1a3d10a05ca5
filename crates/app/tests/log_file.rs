//! The real `entrain` binary writes its log to `<data folder>/logs/entrain.log.YYYY-MM-DD` (UTC
//! date), at the level `ENTRAIN_LOG` sets, with warnings also on stderr for the command-line tools;
//! and runs on, saying why once, when the log folder cannot be made.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

const BIN: &str = env!("CARGO_BIN_EXE_entrain");

/// Today's date in UTC as `YYYY-MM-DD` (days since 1970 to a civil date).
fn utc_date_now() -> String {
    let days = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 86_400;
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn session(db: &Path, log_filter: Option<&str>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args([
        "session",
        "--source",
        "sim",
        "--fast",
        "--seconds",
        "20",
        "--quiet",
    ])
    .arg("--db")
    .arg(db)
    .env_remove("ENTRAIN_LOG");
    if let Some(f) = log_filter {
        cmd.env("ENTRAIN_LOG", f);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The one log file in `data_dir/logs`, checked to be named for today (UTC).
fn the_log_file(data_dir: &Path, date_before: &str) -> PathBuf {
    let date_after = utc_date_now();
    let files: Vec<PathBuf> = std::fs::read_dir(data_dir.join("logs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name == format!("entrain.log.{date_before}") || name == format!("entrain.log.{date_after}"),
        "{name}"
    );
    files[0].clone()
}

#[test]
fn a_session_logs_its_start_and_end_to_the_daily_file_in_the_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    let date = utc_date_now();
    let out = session(&db, None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Only that it is stored with no patient (no --patient here).
    assert!(
        stderr.lines().all(|l| l.starts_with("no --patient: ")),
        "a clean session warns nothing else: {stderr}"
    );
    let log = std::fs::read_to_string(the_log_file(dir.path(), &date)).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    let find = |what: &str| {
        lines
            .iter()
            .position(|l| l.contains(what))
            .unwrap_or_else(|| panic!("no line with {what:?} in:\n{log}"))
    };
    let started = find("entrain started");
    assert!(lines[started].contains(r#"command="session""#), "{log}");
    let begun = find("session started, recorded session_id=1 source=sim");
    assert!(lines[begun].contains(" INFO "), "{log}");
    let ended = find(r#"session ended session_id=1 status="stopped""#);
    assert!(lines[ended].contains("the sensor source ended"), "{log}");
    assert!(started < begun && begun < ended, "{log}");
    // Every line starts with its UTC time stamp.
    for l in &lines {
        assert!(l.starts_with(&date[..4]) && l[..30].contains('Z'), "{l}");
    }

    // A second run the same day appends to the same file.
    session(&db, None);
    let log = std::fs::read_to_string(the_log_file(dir.path(), &date)).unwrap();
    assert_eq!(log.matches("session started, recorded").count(), 2, "{log}");
}

#[test]
fn entrain_log_sets_the_level_and_a_bad_value_is_a_warning_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    let date = utc_date_now();
    session(&db, Some("warn"));
    let log = std::fs::read_to_string(the_log_file(dir.path(), &date)).unwrap();
    assert!(
        !log.contains("session started"),
        "info kept at warn:\n{log}"
    );

    let out = session(&db, Some("not a [filter"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr
            .matches("ENTRAIN_LOG is not a valid log filter")
            .count(),
        1,
        "{stderr}"
    );
    let log = std::fs::read_to_string(the_log_file(dir.path(), &date)).unwrap();
    assert!(log.contains("WARN"), "{log}");
    assert!(log.contains("session started, recorded"), "{log}");
}

#[test]
fn a_read_only_data_folder_runs_without_a_log_and_says_so_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    // Root ignores permission bits, so a plain file where the log folder would go makes sure
    // the folder cannot be made whoever runs the test.
    std::fs::write(data.join("logs"), b"").unwrap();
    let mut perms = std::fs::metadata(&data).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o555);
    std::fs::set_permissions(&data, perms).unwrap();

    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(&data)
        .args(["simulate", "--seconds", "10"])
        .env_remove("ENTRAIN_LOG")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Steps:"),
        "the simulation ran"
    );
    let said: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("no log file"))
        .collect();
    assert_eq!(said.len(), 1, "{stderr}");
    assert!(
        said[0].contains(&data.join("logs").display().to_string()),
        "{stderr}"
    );
    assert!(data.join("logs").is_file(), "nothing replaced");
    assert_eq!(std::fs::read_dir(&data).unwrap().count(), 1);

    let mut perms = std::fs::metadata(&data).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&data, perms).unwrap();
}
