//! The real `entrain` binary: `entrain report --session`, `entrain report --patient` and
//! `entrain export --format fhir` on a session recorded by `entrain session --fast`; bad requests
//! get clear errors and no file.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_entrain");

fn entrain(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--db")
        .arg(db)
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

fn failed(out: Output) -> String {
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn pdf_pages(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .expect("pdfinfo (poppler-utils, scripts/install-deps.sh)");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap()
}

#[test]
fn report_and_fhir_export_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    let p = |name: &str| dir.path().join(name);

    // No database yet: a report does not create one.
    let err = failed(entrain(
        &db,
        &[
            "report",
            "--session",
            "1",
            "--out",
            p("x.pdf").to_str().unwrap(),
        ],
    ));
    assert!(err.contains("no such file, so no record"), "{err}");
    assert!(!db.exists());

    ok(entrain(
        &db,
        &["patients", "--add", "CLI-7", "--affected-side", "right"],
    ));
    ok(entrain(
        &db,
        &[
            "session",
            "--source",
            "sim:entrains",
            "--fast",
            "--quiet",
            "--patient",
            "CLI-7",
        ],
    ));
    ok(entrain(
        &db,
        &[
            "clinical-test",
            "--patient",
            "CLI-7",
            "--test",
            "10mwt",
            "--value",
            "0.71",
            "--session",
            "1",
        ],
    ));

    let session_pdf = p("session-1.pdf");
    let out = ok(entrain(
        &db,
        &[
            "report",
            "--session",
            "1",
            "--out",
            session_pdf.to_str().unwrap(),
        ],
    ));
    assert!(out.contains("wrote"), "{out}");
    assert_eq!(pdf_pages(&session_pdf), 1);
    let text = Command::new("pdftotext")
        .arg(&session_pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("CLI-7") && text.contains("Cadence (steps/min)") && text.contains("0.71"),
        "{text}"
    );

    let progress_pdf = p("progress.pdf");
    ok(entrain(
        &db,
        &[
            "report",
            "--patient",
            "CLI-7",
            "--out",
            progress_pdf.to_str().unwrap(),
        ],
    ));
    assert!((1..=2).contains(&pdf_pages(&progress_pdf)));

    let fhir = p("session-1.fhir.json");
    ok(entrain(
        &db,
        &[
            "export",
            "--session",
            "1",
            "--format",
            "fhir",
            "--out",
            fhir.to_str().unwrap(),
        ],
    ));
    let bundle: serde_json::Value = serde_json::from_slice(&std::fs::read(&fhir).unwrap()).unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    let n_obs = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["resource"]["resourceType"] == "Observation")
        .count();
    assert!(n_obs >= 10, "{n_obs} observations");

    // An earlier export is not written over without --force.
    let before = std::fs::read(&fhir).unwrap();
    let fhir_again = [
        "export",
        "--session",
        "1",
        "--format",
        "fhir",
        "--out",
        fhir.to_str().unwrap(),
    ];
    let err = failed(entrain(&db, &fhir_again));
    assert!(
        err.contains("earlier export") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read(&fhir).unwrap(), before);
    let tables = p("tables");
    let csv = [
        "export",
        "--session",
        "1",
        "--out",
        tables.to_str().unwrap(),
    ];
    ok(entrain(&db, &csv));
    let err = failed(entrain(&db, &csv));
    assert!(err.contains("earlier export"), "{err}");
    let mut forced = csv.to_vec();
    forced.push("--force");
    ok(entrain(&db, &forced));

    // Clear errors, and nothing written.
    let err = failed(entrain(
        &db,
        &[
            "report",
            "--session",
            "99",
            "--out",
            p("none.pdf").to_str().unwrap(),
        ],
    ));
    assert!(err.contains("session 99"), "{err}");
    let err = failed(entrain(
        &db,
        &[
            "report",
            "--patient",
            "NOBODY",
            "--out",
            p("none.pdf").to_str().unwrap(),
        ],
    ));
    assert!(err.contains("NOBODY"), "{err}");
    let err = failed(entrain(
        &db,
        &[
            "report",
            "--session",
            "1",
            "--out",
            p("missing/dir/x.pdf").to_str().unwrap(),
        ],
    ));
    assert!(
        err.contains("missing/dir") && err.contains("does not exist"),
        "{err}"
    );
    let err = failed(entrain(
        &db,
        &[
            "export",
            "--patient",
            "CLI-7",
            "--format",
            "fhir",
            "--out",
            p("f.json").to_str().unwrap(),
        ],
    ));
    assert!(err.contains("give --session ID"), "{err}");
    let err = failed(entrain(
        &db,
        &[
            "export",
            "--session",
            "1",
            "--format",
            "fhir",
            "--deidentified",
            "--out",
            p("f.json").to_str().unwrap(),
        ],
    ));
    assert!(err.contains("de-identified"), "{err}");
    assert!(!p("none.pdf").exists() && !p("f.json").exists());
}
