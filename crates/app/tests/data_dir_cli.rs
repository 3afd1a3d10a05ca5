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

/// `entrain --data-dir DIR ARGS`, with the user's default data folder pointed at `home`.
fn entrain_in(home: &Path, dir: &str, args: &[&str]) -> Output {
    let mut all = vec!["--data-dir", dir];
    all.extend_from_slice(args);
    entrain(home, &all)
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
    let with_dir = |args: &[&str]| entrain_in(home.path(), dir, args);

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
    let listed = ok(with_dir(&[
        "patients",
        "--add",
        "OTHER-1",
        "--db",
        other.to_str().unwrap(),
    ]));
    assert!(!listed.contains("DIR-1"), "{listed}");
    assert!(other.is_file());
}

#[test]
fn data_dir_is_taken_after_the_subcommand_too() {
    let home = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    ok(entrain(
        home.path(),
        &["patients", "--add", "AFTER-1", "--data-dir", dir],
    ));
    assert!(data.path().join(entrain_store::DATABASE_FILE).is_file());
    ok(entrain(home.path(), &["sessions", "--data-dir", dir]));
    let listed = ok(entrain(home.path(), &["patients", "--data-dir", dir]));
    assert!(listed.contains("AFTER-1"), "{listed}");
    assert!(
        !home.path().join("share").exists(),
        "the default record was used"
    );
}

#[test]
fn the_command_line_and_the_window_share_one_default_record() {
    let home = tempfile::tempdir().unwrap();
    ok(entrain(home.path(), &["patients", "--add", "DEFAULT-1"]));
    let default_dir = home.path().join("share").join("entrain");
    assert!(
        default_dir.join(entrain_store::DATABASE_FILE).is_file(),
        "the command line's default record is the window's file"
    );
    // The window's settings point at the same file.
    let settings = entrain_ui::Settings::load(&default_dir).unwrap();
    assert_eq!(
        settings.database_path(),
        default_dir.join(entrain_store::DATABASE_FILE)
    );
    // An older command-line record is named, not read in its place.
    std::fs::write(default_dir.join(entrain_store::LEGACY_DATABASE_FILE), b"").unwrap();
    let out = entrain(home.path(), &["patients"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(entrain_store::LEGACY_DATABASE_FILE) && stderr.contains("--db"),
        "{stderr}"
    );
    assert!(ok(out).contains("DEFAULT-1"));
}

#[test]
fn a_mistyped_record_is_an_error_not_a_new_empty_record() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("entrian.db");
    for args in [
        vec!["sessions"],
        vec!["patients"],
        vec!["export", "--session", "1", "--out", "x"],
        vec!["report", "--session", "1", "--out", "x.pdf"],
        vec!["analyze", "--session", "1"],
        vec![
            "clinical-test",
            "--patient",
            "P",
            "--test",
            "fac",
            "--value",
            "3",
        ],
    ] {
        let mut all = args.clone();
        all.extend(["--db", typo.to_str().unwrap()]);
        let out = entrain(home.path(), &all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr.contains("entrian.db") && stderr.contains("no such file, so no record"),
            "{args:?}: {stderr}"
        );
        assert!(!typo.exists(), "{args:?} created the mistyped record");
    }
}

/// A clinical result is refused, with what and where, when it names another patient's session or
/// a value that is no measurement (1e300 once stored as +inf); nothing is stored for either.
#[test]
fn a_clinical_result_for_another_patients_session_or_out_of_range_is_refused_and_not_stored() {
    let home = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let with_dir = |args: &[&str]| entrain_in(home.path(), dir, args);
    ok(with_dir(&["patients", "--add", "A-1"]));
    ok(with_dir(&["patients", "--add", "B-2"]));
    ok(with_dir(&[
        "session",
        "--source",
        "sim:healthy",
        "--fast",
        "--quiet",
        "--seconds",
        "20",
        "--patient",
        "A-1",
    ]));
    let refused = |args: &[&str], says: &[&str]| {
        let out = with_dir(args);
        assert!(!out.status.success(), "accepted: {args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        for s in says {
            assert!(stderr.contains(s), "{s:?} not in: {stderr}");
        }
    };
    refused(
        &[
            "clinical-test",
            "--patient",
            "B-2",
            "--test",
            "fac",
            "--value",
            "3",
            "--session",
            "1",
        ],
        &["session 1, of patient A-1", "B-2"],
    );
    refused(
        &[
            "clinical-test",
            "--patient",
            "A-1",
            "--test",
            "10mwt",
            "--value",
            "1e300",
        ],
        &["1e300"],
    );
    for code in ["A-1", "B-2"] {
        let out = data.path().join(format!("export-{code}"));
        ok(with_dir(&[
            "export",
            "--format",
            "csv",
            "--patient",
            code,
            "--out",
            out.to_str().unwrap(),
        ]));
        let tests = std::fs::read_to_string(out.join("clinical_tests.csv")).unwrap();
        assert_eq!(tests.lines().count(), 1, "{code}: only the header: {tests}");
    }
}
