//! How closely a single acceleration landmark can place the Voisard heel strikes at all.
//!
//! For every annotated IC the landmark is searched in the annotation's own ±100 ms or ±150 ms,
//! which no detector knows, and the offset to the annotation is recorded. The share of offsets within
//! 40 ms is an upper bound for any detector, causal or offline, that places ICs at that landmark.
//! This is the evidence behind "p95 ≤ 40 ms is out of reach" in docs/BENCHMARKS.md.
//!
//! Landmarks, on the jerk |a(t) − a(t − 1 sample)|:
//! - **onset**: the first sample reaching half the window's strongest jerk (the foot detector's
//!   placement);
//! - **burst centre**: the centre of the strongest 9-sample run of jerk (the data set's own
//!   reference algorithm smooths the jerk over 9 samples), moved by the median offset, the best
//!   constant shift.
//!
//! `cargo run --release -p entrain-benches --bin ic_landmark_bound [-- VOISARD_DIR]`

use std::path::PathBuf;

use anyhow::{Context, Result};
use entrain_eval::ReferenceTiming;
use entrain_eval::scoring::quantile;
use entrain_gait::sample::sample_time_nanos;
use entrain_gait::{GaitEventKind, ImuSample, Placement, Side};
use entrain_replay::{self as replay, Dataset};

const SEARCH_WINDOWS_NANOS: [i64; 2] = [100_000_000, 150_000_000];
const WITHIN_MS: f64 = 40.0;
const BURST_SAMPLES: usize = 9;

fn main() -> Result<()> {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../shared/datasets/voisard2023_ipol_healthy")
        });
    let trials = replay::list_trials(Dataset::Voisard, &dir)
        .with_context(|| format!("listing the Voisard trials in {}", dir.display()))?;
    // Offsets per landmark and search window.
    let mut onset_ms = vec![Vec::new(); SEARCH_WINDOWS_NANOS.len()];
    let mut burst_ms = vec![Vec::new(); SEARCH_WINDOWS_NANOS.len()];
    let mut sample_rate_hz = 100.0;
    for trial in &trials {
        let recording =
            replay::load_trial(&dir, trial).with_context(|| format!("reading trial {trial}"))?;
        sample_rate_hz = recording.sample_rate_hz;
        for side in [Side::Left, Side::Right] {
            let Some(stream) = recording.stream(Placement::Foot(side)) else {
                continue;
            };
            let jerk = jerk_per_sample(&stream.samples);
            let annotated = recording.reference.iter().filter_map(|r| match r.timing {
                ReferenceTiming::Instant { time_nanos }
                    if r.kind == GaitEventKind::InitialContact && r.side == Some(side) =>
                {
                    Some(time_nanos)
                }
                _ => None,
            });
            for ic in annotated {
                let offset_ms = |i: usize| (stream.samples[i].time_nanos - ic) as f64 / 1e6;
                for (w, search_nanos) in SEARCH_WINDOWS_NANOS.iter().enumerate() {
                    let window: Vec<usize> = (0..stream.samples.len())
                        .filter(|&i| (stream.samples[i].time_nanos - ic).abs() <= *search_nanos)
                        .collect();
                    if let Some(i) = onset(&jerk, &window) {
                        onset_ms[w].push(offset_ms(i));
                    }
                    if let Some(i) = burst_centre(&jerk, &window) {
                        burst_ms[w].push(offset_ms(i));
                    }
                }
            }
        }
    }
    println!(
        "Voisard feet, {} annotated ICs; each landmark searched in the annotation's own window",
        onset_ms[0].len()
    );
    println!(
        "{:<40} {:>14} {:>14}",
        "landmark, window", "within 40 ms", "p95 |error|"
    );
    let period_ms = sample_time_nanos(1, sample_rate_hz) as f64 / 1e6;
    for (w, search_nanos) in SEARCH_WINDOWS_NANOS.iter().enumerate() {
        let window_ms = search_nanos / 1_000_000;
        report(
            &format!("jerk onset (half the peak), ±{window_ms} ms"),
            &onset_ms[w],
            0.0,
        );
        let shift = quantile(&burst_ms[w], 0.5).unwrap_or(0.0);
        let shift = (shift / period_ms).round() * period_ms;
        report(
            &format!("9-sample burst centre {:+.0} ms, ±{window_ms} ms", -shift),
            &burst_ms[w],
            shift,
        );
    }
    Ok(())
}

fn report(name: &str, offsets_ms: &[f64], shift_ms: f64) {
    let abs: Vec<f64> = offsets_ms.iter().map(|o| (o - shift_ms).abs()).collect();
    let within = abs.iter().filter(|&&a| a <= WITHIN_MS).count() as f64 / abs.len() as f64;
    let p95 = quantile(&abs, 0.95).unwrap_or(f64::NAN);
    println!("{:<40} {:>13.1}% {:>11.1} ms", name, 100.0 * within, p95);
}

/// Norm of the sample-to-sample change of acceleration (0 for the first sample and after a gap).
fn jerk_per_sample(samples: &[ImuSample]) -> Vec<f64> {
    let mut jerk = vec![0.0; samples.len()];
    for i in 1..samples.len() {
        let (a, b) = (samples[i].acc_mps2, samples[i - 1].acc_mps2);
        jerk[i] = (0..3)
            .map(|k| f64::from(a[k] - b[k]).powi(2))
            .sum::<f64>()
            .sqrt();
    }
    jerk
}

fn onset(jerk: &[f64], window: &[usize]) -> Option<usize> {
    let peak = window.iter().map(|&i| jerk[i]).fold(0.0, f64::max);
    window
        .iter()
        .copied()
        .find(|&i| peak > 0.0 && jerk[i] >= 0.5 * peak)
}

fn burst_centre(jerk: &[f64], window: &[usize]) -> Option<usize> {
    let half = BURST_SAMPLES / 2;
    window
        .iter()
        .copied()
        .filter(|&i| i >= half && i + half < jerk.len())
        .max_by(|&a, &b| {
            let sum = |c: usize| jerk[c - half..=c + half].iter().sum::<f64>();
            sum(a).total_cmp(&sum(b))
        })
}
