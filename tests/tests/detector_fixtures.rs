//! The streaming detectors on the permissively licensed recordings shipped in `data/fixtures`,
//! scored against their motion-capture (gaitmap) and INDIP (Mobilise-D) references. The bounds
//! sit just under what the detectors reach today (see docs/BENCHMARKS.md): a regression fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use entrain_eval::ReferenceTiming;
use entrain_eval::evaluation::{ContactOutcome, EvalPlacement, evaluate};
use entrain_eval::scoring::{DetectionCounts, MatchRules, quantile};
use entrain_replay::{Dataset, list_trials, load_trial};

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

#[test]
fn the_contact_listing_accounts_for_every_count_and_timing_error() {
    let dir = fixtures("gaitmap");
    for trial in &list_trials(Dataset::Gaitmap, &dir).unwrap() {
        let recording = load_trial(&dir, trial).unwrap();
        let score = evaluate(&recording, EvalPlacement::Feet, &MatchRules::default()).unwrap();
        let count = |outcome| {
            score
                .contacts
                .iter()
                .filter(|c| c.outcome == outcome)
                .count()
        };
        assert_eq!(count(ContactOutcome::Matched), score.counts.true_positives);
        assert_eq!(
            count(ContactOutcome::FalseDetection),
            score.counts.false_positives
        );
        assert_eq!(count(ContactOutcome::Missed), score.counts.false_negatives);
        // The matched instants give back exactly the timing errors the score reports.
        let mut listed_errors_ms: Vec<f64> = score
            .contacts
            .iter()
            .filter_map(|c| match (c.annotation, c.detected_nanos) {
                (Some(ReferenceTiming::Instant { time_nanos }), Some((detected, _))) => {
                    Some((detected - time_nanos) as f64 / 1e6)
                }
                _ => None,
            })
            .collect();
        let mut reported = score.ic_errors_ms.clone();
        listed_errors_ms.sort_by(f64::total_cmp);
        reported.sort_by(f64::total_cmp);
        assert_eq!(listed_errors_ms, reported);
        // Annotated contacts lie within the walk they define.
        for c in score
            .contacts
            .iter()
            .filter(|c| c.outcome == ContactOutcome::Missed)
        {
            assert!((0.0..=1.0).contains(&c.walk_position), "{c:?}");
        }
    }
}
