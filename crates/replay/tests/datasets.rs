//! The data-set readers on real files: the permissive fixtures in `data/fixtures/` (always), and
//! the four data sets in `../shared/datasets` (when that folder is present; under CI it must be),
//! checked against their manifests.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use entrain_eval::ReferenceTiming;
use entrain_gait::detect::{FootDetectorConfig, LowerBackDetectorConfig};
use entrain_gait::sample::sample_time_nanos;
use entrain_gait::{GaitEventKind, Placement, Side};
use entrain_replay::{Dataset, Recording, list_trials, load_trial};

fn fixtures(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/fixtures")
        .join(name)
}

/// A shared data-set folder, or `None` (with a note) where this machine does not have it; under
/// CI its absence fails the test.
fn shared(name: &str) -> Option<PathBuf> {
    entrain_tests::datasets::shared_dataset(name).unwrap()
}

/// A simple CSV (no quotes) as rows of column name -> value.
fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    lines
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(str::to_owned))
                .collect()
        })
        .collect()
}

fn num(row: &HashMap<String, String>, col: &str) -> usize {
    let v = &row[col];
    v.parse::<usize>()
        .or_else(|_| v.parse::<f64>().map(|f| f as usize))
        .unwrap_or_else(|_| panic!("{col}={v}"))
}

fn count(rec: &Recording, kind: GaitEventKind) -> usize {
    rec.reference.iter().filter(|e| e.kind == kind).count()
}

fn count_side(rec: &Recording, kind: GaitEventKind, side: Side) -> usize {
    rec.reference
        .iter()
        .filter(|e| e.kind == kind && e.side == Some(side))
        .count()
}

fn key(t: &ReferenceTiming) -> i64 {
    match *t {
        ReferenceTiming::Instant { time_nanos } => time_nanos,
        ReferenceTiming::Window { start_nanos, .. } => start_nanos,
    }
}

/// Invariants every recording must keep.
fn check_common(rec: &Recording) {
    assert!(!rec.streams.is_empty(), "{}", rec.trial);
    let end = rec.streams[0].samples.last().expect("samples").time_nanos;
    for s in &rec.streams {
        // On the sample grid, strictly increasing (gaps allowed where packets were lost), and
        // every stream ends within a second of the others.
        for pair in s.samples.windows(2) {
            assert!(
                pair[0].time_nanos < pair[1].time_nanos,
                "{} {:?}",
                rec.trial,
                s.placement
            );
        }
        for x in s.samples.iter().step_by(97) {
            let index = (x.time_nanos as f64 * rec.sample_rate_hz / 1e9).round() as usize;
            assert_eq!(x.time_nanos, sample_time_nanos(index, rec.sample_rate_hz));
            assert!(x.acc_mps2.iter().chain(&x.gyr_dps).all(|v| v.is_finite()));
        }
        let last = s.samples.last().expect("samples").time_nanos;
        assert!(
            (last - end).abs() <= 1_000_000_000,
            "{} {:?}",
            rec.trial,
            s.placement
        );
    }
    assert!(
        rec.reference
            .windows(2)
            .all(|w| key(&w[0].timing) <= key(&w[1].timing)),
        "{} reference not sorted",
        rec.trial
    );
    for b in &rec.bouts {
        assert!(b.start_nanos <= b.end_nanos, "{}", rec.trial);
    }
}

/// Mean acceleration norm over the first second of the first stream (standing), m/s².
fn mean_acc_norm(rec: &Recording) -> f64 {
    let s = &rec.streams[0].samples;
    let s = &s[..s.len().min(rec.sample_rate_hz as usize)];
    s.iter()
        .map(|x| {
            x.acc_mps2
                .iter()
                .map(|&a| f64::from(a) * f64::from(a))
                .sum::<f64>()
                .sqrt()
        })
        .sum::<f64>()
        / s.len() as f64
}

fn check_gaitmap_imu_sample(dir: &Path) {
    let trials = list_trials(Dataset::Gaitmap, dir).unwrap();
    let t = trials.iter().find(|t| t.code == "imu_sample").unwrap();
    assert_eq!(t.group, "Healthy");
    let rec = load_trial(dir, t).unwrap();
    check_common(&rec);
    assert_eq!(rec.sample_rate_hz, 204.8);
    assert!(rec.gravity_included);
    assert_eq!(rec.streams.len(), 2);
    assert_eq!(
        rec.stream(Placement::Foot(Side::Left))
            .unwrap()
            .samples
            .len(),
        7928
    );
    assert!(rec.stream(Placement::LowerBack).is_none());
    // 57 strides (28 left, 29 right): one TC each; one IC each plus the first stride's pre_ic.
    let strides = read_csv(&dir.join("stride_events_sample.csv"));
    assert_eq!(strides.len(), 57);
    assert_eq!(count(&rec, GaitEventKind::ToeOff), 57);
    assert_eq!(
        count_side(&rec, GaitEventKind::InitialContact, Side::Left),
        29
    );
    assert_eq!(
        count_side(&rec, GaitEventKind::InitialContact, Side::Right),
        30
    );
    // The strides are contiguous per foot: one bout from the first IC (right pre_ic 311) to
    // the last (left ic 6935).
    assert_eq!(rec.bouts.len(), 1);
    assert_eq!(rec.bouts[0].start_nanos, sample_time_nanos(311, 204.8));
    assert_eq!(rec.bouts[0].end_nanos, sample_time_nanos(6935, 204.8));
    let g = mean_acc_norm(&rec);
    assert!((8.0..12.0).contains(&g), "mean |acc| {g}");
}

fn check_mobgap(dir: &Path, expected_trials: usize) {
    let trials = list_trials(Dataset::Mobgap, dir).unwrap();
    assert_eq!(trials.len(), expected_trials);
    let summary = read_csv(&dir.join("extracted/summary.csv"));
    for t in &trials {
        let row = summary
            .iter()
            .find(|r| r["recording"] == t.code && r["system"] == "INDIP")
            .unwrap();
        assert_eq!(t.group, t.code[..2]);
        let rec = load_trial(dir, t).unwrap();
        check_common(&rec);
        assert_eq!(rec.sample_rate_hz, 100.0);
        assert!(rec.gravity_included);
        assert_eq!(rec.streams.len(), 1);
        let lb = rec.stream(Placement::LowerBack).unwrap();
        assert_eq!(lb.samples.len(), num(row, "n_samples"), "{t}");
        assert_eq!(
            count(&rec, GaitEventKind::InitialContact),
            num(row, "n_ic"),
            "{t}"
        );
        assert_eq!(rec.bouts.len(), num(row, "n_wb"), "{t}");
        assert!(rec.bouts.iter().all(|b| {
            b.reference_cadence_spm
                .is_some_and(|c| (40.0..200.0).contains(&c))
        }));
        let g = mean_acc_norm(&rec);
        assert!((8.5..11.0).contains(&g), "{t}: mean |acc| {g}");
    }
}

#[test]
fn gaitmap_fixture() {
    let dir = fixtures("gaitmap");
    assert!(dir.join("LICENSE").is_file());
    let trials = list_trials(Dataset::Gaitmap, &dir).unwrap();
    assert_eq!(trials.len(), 1);
    check_gaitmap_imu_sample(&dir);
}

#[test]
fn mobgap_fixture() {
    let dir = fixtures("mobgap");
    assert!(dir.join("LICENSE").is_file());
    check_mobgap(&dir, 2);
}

#[test]
fn shared_gaitmap() {
    let Some(dir) = shared("gaitmap_example") else {
        return;
    };
    let trials = list_trials(Dataset::Gaitmap, &dir).unwrap();
    let codes: Vec<_> = trials.iter().map(|t| t.code.as_str()).collect();
    assert_eq!(codes, ["imu_sample", "imu_sample_ic_stride"]);
    check_gaitmap_imu_sample(&dir);

    let rec = load_trial(&dir, &trials[1]).unwrap();
    check_common(&rec);
    assert_eq!(rec.sample_rate_hz, 102.4);
    assert_eq!(rec.streams[0].samples.len(), 4053);
    // 14 IC-to-IC strides in 4 walks: 7 left strides give 11 distinct ICs, 7 right ones 11.
    assert_eq!(
        count_side(&rec, GaitEventKind::InitialContact, Side::Left),
        11
    );
    assert_eq!(
        count_side(&rec, GaitEventKind::InitialContact, Side::Right),
        11
    );
    assert_eq!(count(&rec, GaitEventKind::ToeOff), 0);
    assert_eq!(rec.bouts.len(), 4);
}

#[test]
fn shared_mobgap() {
    let Some(dir) = shared("mobgap_example") else {
        return;
    };
    check_mobgap(&dir, 9);
    // The `extracted` folder itself works too.
    let trials = list_trials(Dataset::Mobgap, &dir.join("extracted")).unwrap();
    assert_eq!(trials.len(), 9);
    load_trial(&dir.join("extracted"), &trials[0]).unwrap();
}

#[test]
fn shared_voisard() {
    let Some(dir) = shared("voisard2023_ipol_healthy") else {
        return;
    };
    let manifest = read_csv(&dir.join("manifest.csv"));
    let trials = list_trials(Dataset::Voisard, &dir).unwrap();
    assert_eq!(trials.len(), manifest.len());
    let start = Instant::now();
    for (t, row) in trials.iter().zip(&manifest) {
        assert_eq!(t.code, row["code"]);
        let rec = load_trial(&dir, t).unwrap();
        check_common(&rec);
        assert_eq!(rec.streams.len(), 3);
        let n = ["n_samples_lb", "n_samples_lf", "n_samples_rf"]
            .iter()
            .map(|c| num(row, c))
            .min()
            .unwrap();
        // Rows past the first stream's end and repeated packet counters are dropped.
        assert!(
            rec.len_samples() <= n && rec.len_samples() * 10 >= n * 9,
            "{t}"
        );
        let swings = num(row, "n_left_swings") + num(row, "n_right_swings");
        assert_eq!(count(&rec, GaitEventKind::InitialContact), swings, "{t}");
        assert_eq!(count(&rec, GaitEventKind::ToeOff), swings, "{t}");
        assert_eq!(
            count_side(&rec, GaitEventKind::InitialContact, Side::Left),
            num(row, "n_left_swings")
        );
        assert_eq!(rec.bouts.len(), 1);
        assert_eq!(
            rec.bouts[0].start_nanos,
            sample_time_nanos(num(row, "trial_start"), 100.0)
        );
        assert_eq!(
            rec.bouts[0].end_nanos,
            sample_time_nanos(num(row, "trial_end"), 100.0)
        );
        let g = mean_acc_norm(&rec);
        assert!((8.5..11.0).contains(&g), "{t}: lower back mean |acc| {g}");
    }
    eprintln!(
        "voisard: {} trials loaded in {:.2?}",
        trials.len(),
        start.elapsed()
    );
}

#[test]
fn shared_truong() {
    let Some(dir) = shared("truong2019_ipol_gait") else {
        return;
    };
    let manifest = read_csv(&dir.join("manifest.csv"));
    let trials = list_trials(Dataset::Truong, &dir).unwrap();
    assert_eq!(trials.len(), manifest.len());
    let start = Instant::now();
    let mut samples = 0;
    for (t, row) in trials.iter().zip(&manifest) {
        assert_eq!(t.code, row["code"]);
        assert_eq!(t.group, row["group"]);
        let rec = load_trial(&dir, t).unwrap();
        check_common(&rec);
        assert!(!rec.gravity_included);
        assert_eq!(rec.sample_rate_hz, 100.0);
        assert_eq!(rec.streams.len(), 2);
        assert_eq!(rec.len_samples(), num(row, "n_samples"), "{t}");
        samples += rec.len_samples();
        assert_eq!(
            count_side(&rec, GaitEventKind::InitialContact, Side::Left),
            num(row, "n_left_steps"),
            "{t}"
        );
        assert_eq!(
            count(&rec, GaitEventKind::InitialContact),
            num(row, "n_left_steps") + num(row, "n_right_steps"),
            "{t}"
        );
        assert!(
            rec.reference
                .iter()
                .all(|e| matches!(e.timing, ReferenceTiming::Window { .. }))
        );
        assert_eq!(rec.bouts.len(), 1);
    }
    eprintln!(
        "truong: {} trials, {samples} samples loaded in {:.2?}",
        trials.len(),
        start.elapsed()
    );
}

#[test]
fn a_resampled_voisard_trial_keeps_its_reference_its_gaps_and_gravity() {
    let Some(dir) = shared("voisard2023_ipol_healthy") else {
        return;
    };
    let trials = list_trials(Dataset::Voisard, &dir).unwrap();
    let period_nanos = sample_time_nanos(1, 100.0);
    // The first trial whose wireless link lost packets.
    let (trial, rec) = trials
        .iter()
        .map(|t| (t, load_trial(&dir, t).unwrap()))
        .find(|(_, rec)| {
            rec.streams.iter().any(|s| {
                s.samples
                    .windows(2)
                    .any(|w| w[1].time_nanos - w[0].time_nanos > 2 * period_nanos)
            })
        })
        .expect("a Voisard trial with lost packets");
    let native = rec.clone();
    let resampled = rec.resampled(52.0).unwrap();
    assert_eq!(resampled.sample_rate_hz, 52.0);
    assert_eq!(resampled.reference, native.reference, "{trial}");
    assert_eq!(resampled.bouts, native.bouts, "{trial}");
    check_common(&resampled);
    let g = mean_acc_norm(&resampled);
    assert!(
        (8.5..11.0).contains(&g),
        "{trial}: lower back mean |acc| {g}"
    );
    for (before, after) in native.streams.iter().zip(&resampled.streams) {
        assert_eq!(before.placement, after.placement);
        // The new samples are the instants of the 52 Hz grid (from the first recorded sample) at
        // a recorded sample or between two consecutive ones, counting the gaps the detector
        // fills as filled: none in a longer gap, none missing.
        let max_filled = match before.placement {
            Placement::Foot(_) => FootDetectorConfig::new(100.0).max_missing_samples,
            Placement::LowerBack => LowerBackDetectorConfig::new(100.0).max_missing_samples,
        };
        let longest_filled_nanos = sample_time_nanos(max_filled + 1, 100.0);
        let times: Vec<i64> = before.samples.iter().map(|s| s.time_nanos).collect();
        let at_or_between = |t: i64| {
            let next = times.partition_point(|&r| r < t);
            times.get(next) == Some(&t)
                || (next > 0
                    && times
                        .get(next)
                        .is_some_and(|&b| b - times[next - 1] <= longest_filled_nanos))
        };
        let (first, last) = (times[0], times[times.len() - 1]);
        let expected: Vec<i64> = (0..)
            .map(|k| first + sample_time_nanos(k, 52.0))
            .take_while(|&t| t <= last)
            .filter(|&t| at_or_between(t))
            .collect();
        let got: Vec<i64> = after.samples.iter().map(|s| s.time_nanos).collect();
        assert_eq!(got, expected, "{trial} {:?}", after.placement);
    }
}
