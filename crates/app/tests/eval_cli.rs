//! The real `entrain eval` on the permissive gaitmap fixture in `data/fixtures`: the printed
//! figures, the `--json` file and the `--contacts` listing agree with one another, and a folder
//! that is not a data set gets an error naming it.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_entrain");

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/fixtures/gaitmap")
}

#[test]
fn the_json_figures_and_the_contact_listing_agree() {
    let dir = tempfile::tempdir().unwrap();
    let (json_path, csv_path) = (
        dir.path().join("eval.json"),
        dir.path().join("contacts.csv"),
    );
    let out = Command::new(BIN)
        .args(["eval", "--dataset", "gaitmap", "--path"])
        .arg(fixture())
        .arg("--json")
        .arg(&json_path)
        .arg("--contacts")
        .arg(&csv_path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("where the errors are"), "{stdout}");

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let group = &report["groups"]["Healthy"];
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let outcome_column = headers.iter().position(|h| h == "outcome").unwrap();
    let error_column = headers.iter().position(|h| h == "error_ms").unwrap();
    let (mut matched, mut false_detections, mut missed) = (0.0, 0.0, 0.0);
    let mut abs_errors_ms = Vec::new();
    for row in reader.records() {
        let row = row.unwrap();
        match &row[outcome_column] {
            "matched" => matched += 1.0,
            "false_detection" => false_detections += 1.0,
            "missed" => missed += 1.0,
            other => panic!("unknown outcome {other}"),
        }
        if let Ok(error) = row[error_column].parse::<f64>() {
            abs_errors_ms.push(error.abs());
        }
    }
    assert_eq!(group["events"].as_f64().unwrap(), matched + missed);
    let precision = group["precision"].as_f64().unwrap();
    assert!((precision - matched / (matched + false_detections)).abs() < 1e-9);
    abs_errors_ms.sort_by(f64::total_cmp);
    let median = abs_errors_ms[(abs_errors_ms.len() - 1) / 2];
    let reported = report["ic_timing"]["median_abs_error_ms"].as_f64().unwrap();
    assert!((median - reported).abs() <= 10.0, "{median} vs {reported}");
}

#[test]
fn a_folder_that_is_not_a_data_set_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["eval", "--dataset", "voisard", "--path"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&dir.path().display().to_string()),
        "{stderr}"
    );
}

#[test]
fn a_damaged_trial_is_left_out_and_named_not_the_end_of_the_evaluation() {
    let Some(truong) = entrain_tests::datasets::shared_dataset("truong2019_ipol_gait").unwrap()
    else {
        return;
    };
    // Two trials of the real data set, the second with its annotation cut short.
    let dir = tempfile::tempdir().unwrap();
    let manifest = std::fs::read_to_string(truong.join("manifest.csv")).unwrap();
    let lines: Vec<&str> = manifest.lines().take(3).collect();
    std::fs::write(dir.path().join("manifest.csv"), lines.join("\n") + "\n").unwrap();
    std::fs::create_dir(dir.path().join("GaitData")).unwrap();
    let codes: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    for code in &codes {
        for ext in ["csv.gz", "json"] {
            let name = format!("{code}.{ext}");
            std::fs::copy(
                truong.join("GaitData").join(&name),
                dir.path().join("GaitData").join(&name),
            )
            .unwrap();
        }
    }
    std::fs::write(
        dir.path()
            .join("GaitData")
            .join(format!("{}.json", codes[1])),
        "{\"LeftFootActivity\": [[1",
    )
    .unwrap();
    let json_path = dir.path().join("eval.json");
    let out = Command::new(BIN)
        .args(["eval", "--dataset", "truong", "--path"])
        .arg(dir.path())
        .arg("--json")
        .arg(&json_path)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("1 trial(s) left out") && stdout.contains(codes[1]),
        "{stdout}"
    );
    assert!(
        stderr.contains(&format!("/{} left out", codes[1])) && stderr.contains("invalid JSON"),
        "{stderr}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    assert_eq!(report["groups"]["Neurological"]["trials"], 1);
    assert_eq!(report["skipped_trials"].as_array().unwrap().len(), 1);
}
