//! The real `entrain` binary: every record-reading subcommand reads and writes the record in
//! `--data-dir` (the file the window uses there), not the default folder; `--db` still wins.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_entrain");

/// Runs `entrain` with the user's default data folder pointed at `home`.
fn entrain(home: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("share"))
        .output()
        .unwrap()
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn record_commands_use_the_data_dir_and_db_wins() {
    let home = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let with_dir = |args: &[&str]| {
        let mut all = vec!["--data-dir", dir];
        all.extend_from_slice(args);
        entrain(home.path(), &all)
    };

    ok(with_dir(&["patients", "--add", "DIR-1"]));
    let record = data.path().join(entrain_ui::settings::DATABASE_FILE);
    assert!(record.is_file(), "the record is in --data-dir");
    assert!(ok(with_dir(&["patients"])).contains("DIR-1"));
    ok(with_dir(&[
        "session",
        "--source",
        "sim:healthy",
        "--fast",
        "--quiet",
        "--seconds",
        "20",
        "--patient",
        "DIR-1",
    ]));
    let sessions = ok(with_dir(&["sessions", "--patient", "DIR-1"]));
    assert!(sessions.contains("DIR-1"), "{sessions}");
    ok(with_dir(&[
        "clinical-test",
        "--patient",
        "DIR-1",
        "--test",
        "fac",
        "--value",
        "3",
    ]));
    let out = data.path().join("export");
    ok(with_dir(&[
        "export",
        "--patient",
        "DIR-1",
        "--format",
        "csv",
        "--out",
        out.to_str().unwrap(),
    ]));
    let tests = std::fs::read_to_string(out.join("clinical_tests.csv")).unwrap();
    assert_eq!(tests.lines().count(), 2, "{tests}");

    // The default folder was never touched.
    assert!(
        !home.path().join("share").exists(),
        "the default record was used"
    );

    // --db wins over --data-dir.
    let other = data.path().join("other.sqlite3");
    let listed = ok(with_dir(&["patients", "--db", other.to_str().unwrap()]));
    assert!(!listed.contains("DIR-1"), "{listed}");
    assert!(other.is_file());
}
