//! `entrain eval`: the streaming detectors over a public data set, scored against its annotations.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use entrain_eval::evaluation::{
    ContactOutcome, EvalPlacement, ScoredContact, TrialScore, evaluate,
};
use entrain_eval::resample::check_rate_hz;
use entrain_eval::scoring::{DetectionCounts, MatchRules, quantile};
use entrain_eval::stride::{SpatialPairs, spatial_pairs};
use entrain_eval::{LengthError, ReferenceTiming};
use entrain_gait::Side;
use entrain_gait::StrideConfig;
use entrain_replay::{Dataset, list_trials, load_trial};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

/// Arguments of `entrain eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Which data-set layout the folder holds.
    #[arg(long, value_enum)]
    dataset: DatasetArg,
    /// The data-set folder (with its manifest.csv, summary.csv or example files).
    #[arg(long)]
    path: PathBuf,
    /// Which sensors' detector to run.
    #[arg(long, value_enum, default_value = "foot")]
    placement: PlacementArg,
    /// Also write the figures as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Also write every initial contact (matched, false detection, missed) as CSV to this file,
    /// and print where in the walks the errors are.
    #[arg(long)]
    contacts: Option<PathBuf>,
    /// Resample every trial's signals to this rate, Hz, before detection (anti-aliased), as a
    /// sensor streaming at that rate would give them; the annotations keep their own clock.
    #[arg(long, value_name = "HZ", value_parser = parse_rate_hz, allow_hyphen_values = true)]
    resample_hz: Option<f64>,
}

/// A `--resample-hz` value: a number that [`check_rate_hz`] accepts.
fn parse_rate_hz(text: &str) -> Result<f64, String> {
    let rate_hz: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of Hz"))?;
    check_rate_hz("the rate", rate_hz).map_err(|e| e.to_string())
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DatasetArg {
    Truong,
    Voisard,
    Mobgap,
    Gaitmap,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum PlacementArg {
    Foot,
    LowerBack,
}

/// One group's figures, as printed and written.
#[derive(Debug, Serialize)]
struct GroupReport {
    trials: usize,
    events: usize,
    precision: f64,
    recall: f64,
    f1: f64,
    cadence_mae_spm: Option<f64>,
}

#[derive(Debug, Serialize)]
struct IcTiming {
    median_abs_error_ms: f64,
    p95_abs_error_ms: f64,
    mean_error_ms: f64,
    median_latency_ms: f64,
    p95_latency_ms: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    dataset: String,
    placement: String,
    /// The rate every trial's signals were resampled to before detection, Hz; absent: each trial
    /// ran at its recorded rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    resample_hz: Option<f64>,
    /// The recorded rates of the evaluated trials, Hz, each once.
    recorded_rates_hz: Vec<f64>,
    /// The rates the detectors were built for and ran at, Hz, each once.
    detector_rates_hz: Vec<f64>,
    groups: BTreeMap<String, GroupReport>,
    ic_timing: Option<IcTiming>,
    /// Stride lengths from the foot sensors against the reference's (motion capture), where the
    /// data set has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    stride_length: Option<LengthError>,
    /// Distances of the straight stretches against their known length, where the data set has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    distance: Option<LengthError>,
    /// Trials that could not be read or scored, with why; left out of every figure above.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    skipped_trials: Vec<SkippedTrial>,
}

/// A trial left out of the evaluation.
#[derive(Debug, Serialize)]
struct SkippedTrial {
    trial: String,
    reason: String,
}

#[derive(Default)]
struct GroupTotals {
    trials: usize,
    counts: DetectionCounts,
    cadence_abs_errors_spm: Vec<f64>,
}

/// Runs `entrain eval`.
pub fn run(args: EvalArgs) -> Result<()> {
    let dataset = match args.dataset {
        DatasetArg::Truong => Dataset::Truong,
        DatasetArg::Voisard => Dataset::Voisard,
        DatasetArg::Mobgap => Dataset::Mobgap,
        DatasetArg::Gaitmap => Dataset::Gaitmap,
    };
    let (placement, placement_name) = match args.placement {
        PlacementArg::Foot => (EvalPlacement::Feet, "foot"),
        PlacementArg::LowerBack => (EvalPlacement::LowerBack, "lower-back"),
    };
    let trials = list_trials(dataset, &args.path)
        .with_context(|| format!("listing the {dataset} trials in {}", args.path.display()))?;
    anyhow::ensure!(
        !trials.is_empty(),
        "no trials listed in {}",
        args.path.display()
    );

    let progress = ProgressBar::new(trials.len() as u64);
    progress.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} trials, {eta} left")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    progress.set_message(dataset.to_string());

    let rules = MatchRules::default();
    let mut groups: BTreeMap<String, GroupTotals> = BTreeMap::new();
    let mut errors_ms = Vec::new();
    let mut latencies_ms = Vec::new();
    let mut contacts_csv = match &args.contacts {
        Some(path) => Some(
            csv::Writer::from_path(path).with_context(|| format!("creating {}", path.display()))?,
        ),
        None => None,
    };
    let mut where_wrong = ErrorPositions::default();
    let mut skipped_trials = Vec::new();
    let mut recorded_rates_hz: Vec<f64> = Vec::new();
    let mut detector_rates_hz: Vec<f64> = Vec::new();
    let (mut stride_pairs, mut distance_pairs) = (Vec::new(), Vec::new());
    for trial in &trials {
        // One damaged or unreadable trial is left out and named, not the end of the evaluation.
        let scored = load_trial(&args.path, trial)
            .map_err(anyhow::Error::from)
            .and_then(|recording| {
                let recorded_hz = recording.sample_rate_hz;
                let recording = match args.resample_hz {
                    Some(rate_hz) => recording.resampled(rate_hz).with_context(|| {
                        format!("resampling {trial} from {recorded_hz} Hz to {rate_hz} Hz")
                    })?,
                    None => recording,
                };
                let score = evaluate(&recording, placement, &rules)?;
                let spatial = match placement {
                    EvalPlacement::Feet => spatial_pairs(&recording, StrideConfig::default()),
                    EvalPlacement::LowerBack => SpatialPairs::default(),
                };
                Ok(((recorded_hz, recording.sample_rate_hz), (score, spatial)))
            });
        let (
            TrialScore {
                counts,
                ic_errors_ms,
                ic_latencies_ms,
                cadence_pairs_spm,
                contacts,
                ..
            },
            spatial,
        ) = match scored {
            Ok(((recorded_hz, detector_hz), score)) => {
                for (rates, rate) in [
                    (&mut recorded_rates_hz, recorded_hz),
                    (&mut detector_rates_hz, detector_hz),
                ] {
                    if !rates.contains(&rate) {
                        rates.push(rate);
                    }
                }
                score
            }
            Err(e) => {
                progress.suspend(|| eprintln!("warning: trial {trial} left out: {e:#}"));
                skipped_trials.push(SkippedTrial {
                    trial: trial.to_string(),
                    reason: format!("{e:#}"),
                });
                progress.inc(1);
                continue;
            }
        };
        for contact in &contacts {
            where_wrong.add(contact);
            if let Some(writer) = &mut contacts_csv {
                writer
                    .serialize(ContactRow::new(&trial.to_string(), &trial.group, contact))
                    .context("writing the contacts CSV")?;
            }
        }
        let group = groups.entry(trial.group.clone()).or_default();
        group.trials += 1;
        group.counts.add(counts);
        group
            .cadence_abs_errors_spm
            .extend(cadence_pairs_spm.iter().map(|(r, d)| (r - d).abs()));
        errors_ms.extend(ic_errors_ms);
        latencies_ms.extend(ic_latencies_ms);
        stride_pairs.extend(spatial.stride_length);
        distance_pairs.extend(spatial.distance);
        progress.inc(1);
    }
    progress.finish_and_clear();
    anyhow::ensure!(
        skipped_trials.len() < trials.len(),
        "no trial of {} could be evaluated (the first: {})",
        args.path.display(),
        skipped_trials
            .first()
            .map_or(String::new(), |s| format!("{}: {}", s.trial, s.reason))
    );

    recorded_rates_hz.sort_by(f64::total_cmp);
    detector_rates_hz.sort_by(f64::total_cmp);
    let report = Report {
        dataset: dataset.to_string(),
        placement: placement_name.to_owned(),
        resample_hz: args.resample_hz,
        recorded_rates_hz,
        detector_rates_hz,
        groups: groups
            .into_iter()
            .map(|(name, totals)| {
                let c = totals.counts;
                let events = c.true_positives + c.false_negatives;
                let cadence = &totals.cadence_abs_errors_spm;
                let report = GroupReport {
                    trials: totals.trials,
                    events,
                    precision: c.precision(),
                    recall: c.recall(),
                    f1: c.f1(),
                    cadence_mae_spm: (!cadence.is_empty())
                        .then(|| cadence.iter().sum::<f64>() / cadence.len() as f64),
                };
                (name, report)
            })
            .collect(),
        ic_timing: ic_timing(&errors_ms, &latencies_ms),
        stride_length: LengthError::of_pairs(&stride_pairs),
        distance: LengthError::of_pairs(&distance_pairs),
        skipped_trials,
    };
    print_report(&report);
    if let Some(mut writer) = contacts_csv {
        writer.flush().context("writing the contacts CSV")?;
        where_wrong.print();
    }
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

fn ic_timing(errors_ms: &[f64], latencies_ms: &[f64]) -> Option<IcTiming> {
    let abs: Vec<f64> = errors_ms.iter().map(|e| e.abs()).collect();
    Some(IcTiming {
        median_abs_error_ms: quantile(&abs, 0.5)?,
        p95_abs_error_ms: quantile(&abs, 0.95)?,
        mean_error_ms: errors_ms.iter().sum::<f64>() / errors_ms.len() as f64,
        median_latency_ms: quantile(latencies_ms, 0.5)?,
        p95_latency_ms: quantile(latencies_ms, 0.95)?,
    })
}

fn print_report(report: &Report) {
    let rates = |rates_hz: &[f64]| {
        rates_hz
            .iter()
            .map(|r| format!("{r} Hz"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (recorded, detected) = (
        rates(&report.recorded_rates_hz),
        rates(&report.detector_rates_hz),
    );
    match report.resample_hz {
        Some(_) => println!(
            "{} data set, {} sensors, resampled from {recorded} to {detected}",
            report.dataset, report.placement
        ),
        None => println!(
            "{} data set, {} sensors, at {detected}",
            report.dataset, report.placement
        ),
    }
    println!(
        "{:<14} {:>6} {:>7} {:>9} {:>7} {:>7} {:>16}",
        "group", "trials", "events", "precision", "recall", "F1", "cadence MAE spm"
    );
    for (name, g) in &report.groups {
        let cadence = g
            .cadence_mae_spm
            .map_or_else(|| "-".to_owned(), |c| format!("{c:.2}"));
        println!(
            "{:<14} {:>6} {:>7} {:>9.4} {:>7.4} {:>7.4} {:>16}",
            name, g.trials, g.events, g.precision, g.recall, g.f1, cadence
        );
    }
    match &report.ic_timing {
        Some(t) => println!(
            "IC timing: |error| median {:.1} ms, p95 {:.1} ms, mean signed {:+.1} ms; \
             latency median {:.1} ms, p95 {:.1} ms",
            t.median_abs_error_ms,
            t.p95_abs_error_ms,
            t.mean_error_ms,
            t.median_latency_ms,
            t.p95_latency_ms
        ),
        None => println!("IC timing: none (the annotations have no heel-strike instants)"),
    }
    for (what, error) in [
        ("stride length", &report.stride_length),
        ("distance", &report.distance),
    ] {
        if let Some(e) = error {
            println!(
                "{what}: mean |error| {:.3} m ({:.2} %) over {}",
                e.mean_abs_error_m, e.mean_abs_error_percent, e.n
            );
        }
    }
    if !report.skipped_trials.is_empty() {
        println!(
            "{} trial(s) left out of these figures (unreadable or unscorable):",
            report.skipped_trials.len()
        );
        for s in &report.skipped_trials {
            println!("  {}: {}", s.trial, s.reason);
        }
    }
}

/// One row of `--contacts`.
#[derive(Debug, Serialize)]
struct ContactRow<'a> {
    trial: &'a str,
    group: &'a str,
    side: &'static str,
    outcome: &'static str,
    /// The annotation: its instant, or its window's start and end, s.
    annotated_s: Option<f64>,
    annotated_end_s: Option<f64>,
    detected_s: Option<f64>,
    emitted_s: Option<f64>,
    /// Detected − annotated, for a matched instant annotation, ms.
    error_ms: Option<f64>,
    walk_position: f64,
}

impl<'a> ContactRow<'a> {
    fn new(trial: &'a str, group: &'a str, contact: &ScoredContact) -> Self {
        let secs = |nanos: i64| nanos as f64 / 1e9;
        let (annotated_s, annotated_end_s, instant) = match contact.annotation {
            Some(ReferenceTiming::Instant { time_nanos }) => {
                (Some(secs(time_nanos)), None, Some(time_nanos))
            }
            Some(ReferenceTiming::Window {
                start_nanos,
                end_nanos,
            }) => (Some(secs(start_nanos)), Some(secs(end_nanos)), None),
            None => (None, None, None),
        };
        let detected = contact.detected_nanos.map(|(event, _)| event);
        ContactRow {
            trial,
            group,
            side: match contact.side {
                Some(Side::Left) => "left",
                Some(Side::Right) => "right",
                None => "",
            },
            outcome: match contact.outcome {
                ContactOutcome::Matched => "matched",
                ContactOutcome::FalseDetection => "false_detection",
                ContactOutcome::Missed => "missed",
            },
            annotated_s,
            annotated_end_s,
            detected_s: detected.map(secs),
            emitted_s: contact.detected_nanos.map(|(_, emitted)| secs(emitted)),
            error_ms: instant
                .zip(detected)
                .map(|(annotated, detected)| (detected - annotated) as f64 / 1e6),
            walk_position: contact.walk_position,
        }
    }
}

/// Where in the walks the false detections, the misses and the large timing errors are: the
/// public data sets are walk, U-turn, walk back, so the turn is near the middle of the walk.
#[derive(Debug, Default)]
struct ErrorPositions {
    false_detections: [usize; POSITION_NAMES.len()],
    misses: [usize; POSITION_NAMES.len()],
    late_or_early: [usize; POSITION_NAMES.len()],
}

/// A timing error beyond this counts as large in [`ErrorPositions`], ms.
const LARGE_ERROR_MS: f64 = 40.0;

const POSITION_NAMES: [&str; 6] = [
    "before the walk",
    "first tenth",
    "middle fifth (turn)",
    "last tenth",
    "after the walk",
    "elsewhere",
];

fn position_index(walk_position: f64) -> usize {
    match walk_position {
        p if p < 0.0 => 0,
        p if p <= 0.1 => 1,
        p if (0.4..=0.6).contains(&p) => 2,
        p if (0.9..=1.0).contains(&p) => 3,
        p if p > 1.0 => 4,
        _ => 5,
    }
}

impl ErrorPositions {
    fn add(&mut self, contact: &ScoredContact) {
        let at = position_index(contact.walk_position);
        match contact.outcome {
            ContactOutcome::FalseDetection => self.false_detections[at] += 1,
            ContactOutcome::Missed => self.misses[at] += 1,
            ContactOutcome::Matched => {
                if let (Some(ReferenceTiming::Instant { time_nanos }), Some((detected, _))) =
                    (contact.annotation, contact.detected_nanos)
                    && ((detected - time_nanos) as f64 / 1e6).abs() > LARGE_ERROR_MS
                {
                    self.late_or_early[at] += 1;
                }
            }
        }
    }

    fn print(&self) {
        println!("where the errors are (position in the annotated walk):");
        println!(
            "{:<22} {:>16} {:>8} {:>22}",
            "", "false detections", "misses", "|IC error| > 40 ms"
        );
        for (i, name) in POSITION_NAMES.iter().enumerate() {
            println!(
                "{:<22} {:>16} {:>8} {:>22}",
                name, self.false_detections[i], self.misses[i], self.late_or_early[i]
            );
        }
    }
}
