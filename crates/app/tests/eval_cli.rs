//! The real `entrain eval` on the permissive gaitmap fixture in `data/fixtures`: the printed
//! figures, the `--json` file and the `--contacts` listing agree with one another, and a folder
//! that is not a data set gets an error naming it.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_entrain");

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/fixtures/gaitmap")
}

/// Copies the first `n` trials of the Truong data set at `truong` (manifest and files) into
/// `to`; returns their codes.
fn copy_truong_trials(truong: &Path, n: usize, to: &Path) -> Vec<String> {
    let manifest = std::fs::read_to_string(truong.join("manifest.csv")).unwrap();
    let lines: Vec<&str> = manifest.lines().take(n + 1).collect();
    std::fs::write(to.join("manifest.csv"), lines.join("\n") + "\n").unwrap();
    std::fs::create_dir(to.join("GaitData")).unwrap();
    let codes: Vec<String> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect();
    for code in &codes {
        for ext in ["csv.gz", "json"] {
            let name = format!("{code}.{ext}");
            std::fs::copy(
                truong.join("GaitData").join(&name),
                to.join("GaitData").join(&name),
            )
            .unwrap();
        }
    }
    codes
}

/// Runs `entrain eval --dataset truong` on `dir` with `extra` arguments; the `--json` report.
fn eval_truong(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let json_path = dir.join("eval.json");
    let out = Command::new(BIN)
        .args(["eval", "--dataset", "truong", "--path"])
        .arg(dir)
        .arg("--json")
        .arg(&json_path)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap()
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
    let codes = copy_truong_trials(&truong, 2, dir.path());
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
        stdout.contains("1 trial(s) left out") && stdout.contains(codes[1].as_str()),
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

#[test]
fn real_truong_trials_resampled_to_52_hz_are_detected_about_as_well_as_at_100_hz() {
    let Some(truong) = entrain_tests::datasets::shared_dataset("truong2019_ipol_gait").unwrap()
    else {
        return;
    };
    // Six real trials, two groups, about 250 steps.
    let dir = tempfile::tempdir().unwrap();
    copy_truong_trials(&truong, 6, dir.path());
    let native = eval_truong(dir.path(), &[]);
    let resampled = eval_truong(dir.path(), &["--resample-hz", "52"]);
    assert!(native.get("resample_hz").is_none(), "{native}");
    assert_eq!(native["recorded_rates_hz"], serde_json::json!([100.0]));
    assert_eq!(resampled["resample_hz"], 52.0, "{resampled}");
    assert_eq!(resampled["recorded_rates_hz"], serde_json::json!([100.0]));
    // The detectors were built for the new rate, not the recorded one.
    assert_eq!(native["detector_rates_hz"], serde_json::json!([100.0]));
    assert_eq!(resampled["detector_rates_hz"], serde_json::json!([52.0]));
    for group in ["Neurological", "Healthy"] {
        let (at_100, at_52) = (&native["groups"][group], &resampled["groups"][group]);
        // The annotations are not resampled: the same events are scored.
        assert_eq!(at_52["events"], at_100["events"], "{group}");
        assert_eq!(at_52["trials"], at_100["trials"], "{group}");
        let (f1_100, f1_52) = (
            at_100["f1"].as_f64().unwrap(),
            at_52["f1"].as_f64().unwrap(),
        );
        // Natively about 0.99; signals on the wrong clock, or aliased, score far lower.
        assert!(
            f1_52 > 0.9,
            "{group}: F1 {f1_52} at 52 Hz, {f1_100} at 100 Hz"
        );
        assert!(
            (f1_52 - f1_100).abs() < 0.05,
            "{group}: F1 {f1_52} at 52 Hz, {f1_100} at 100 Hz"
        );
    }
}

#[test]
fn an_unusable_resample_rate_is_refused_naming_the_flag() {
    for bad in ["0", "-52", "NaN", "inf", "100000", "fast"] {
        let out = Command::new(BIN)
            .args(["eval", "--dataset", "gaitmap", "--path"])
            .arg(fixture())
            .args(["--resample-hz", bad])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{bad}: {stderr}");
        assert!(
            stderr.contains("--resample-hz") && stderr.contains(bad),
            "{bad}: {stderr}"
        );
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("data set"),
            "{bad}"
        );
    }
}
