//! The streaming detectors on the permissively licensed recordings shipped in `data/fixtures`,
//! scored against their motion-capture (gaitmap) and INDIP (Mobilise-D) references. The bounds
//! sit just under what the detectors reach today (see docs/BENCHMARKS.md): a regression fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use entrain_gait::scoring::{DetectionCounts, MatchRules, quantile};
use entrain_sensors::evaluation::{EvalPlacement, evaluate};
use entrain_sensors::replay::{Dataset, list_trials, load_trial};

fn fixtures(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../data/fixtures")
        .join(name)
}

fn score(dataset: Dataset, dir: PathBuf, placement: EvalPlacement) -> (DetectionCounts, Vec<f64>) {
    let mut counts = DetectionCounts::default();
    let mut errors_ms = Vec::new();
    let trials = list_trials(dataset, &dir).unwrap();
    assert!(!trials.is_empty(), "no trials in {}", dir.display());
    for trial in &trials {
        let recording = load_trial(&dir, trial).unwrap();
        let score = evaluate(&recording, placement, &MatchRules::default()).unwrap();
        counts.add(score.counts);
        errors_ms.extend(score.ic_errors_ms);
    }
    (counts, errors_ms)
}

#[test]
fn foot_detector_on_the_gaitmap_mocap_fixture() {
    let (counts, errors_ms) = score(Dataset::Gaitmap, fixtures("gaitmap"), EvalPlacement::Feet);
    assert_eq!(counts.true_positives + counts.false_negatives, 59);
    assert!(counts.f1() >= 0.97, "F1 {:.4} ({counts:?})", counts.f1());
    let abs: Vec<f64> = errors_ms.iter().map(|e| e.abs()).collect();
    let median = quantile(&abs, 0.5).unwrap();
    assert!(median <= 30.0, "median |IC error| {median:.1} ms");
}

#[test]
fn lower_back_detector_on_the_mobgap_fixture() {
    let (counts, _) = score(
        Dataset::Mobgap,
        fixtures("mobgap"),
        EvalPlacement::LowerBack,
    );
    assert_eq!(counts.true_positives + counts.false_negatives, 18);
    assert!(counts.f1() >= 0.95, "F1 {:.4} ({counts:?})", counts.f1());
}
