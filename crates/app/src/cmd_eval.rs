//! `entrain eval`: the streaming detectors over a public data set, scored against its annotations.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use entrain_gait::scoring::{DetectionCounts, MatchRules, quantile};
use entrain_sensors::evaluation::{EvalPlacement, TrialScore, evaluate};
use entrain_sensors::replay::{Dataset, list_trials, load_trial};
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
    groups: BTreeMap<String, GroupReport>,
    ic_timing: Option<IcTiming>,
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
    for trial in &trials {
        let recording =
            load_trial(&args.path, trial).with_context(|| format!("reading trial {trial}"))?;
        let TrialScore {
            counts,
            ic_errors_ms,
            ic_latencies_ms,
            cadence_pairs_spm,
            ..
        } = evaluate(&recording, placement, &rules)?;
        let group = groups.entry(trial.group.clone()).or_default();
        group.trials += 1;
        group.counts.add(counts);
        group
            .cadence_abs_errors_spm
            .extend(cadence_pairs_spm.iter().map(|(r, d)| (r - d).abs()));
        errors_ms.extend(ic_errors_ms);
        latencies_ms.extend(ic_latencies_ms);
        progress.inc(1);
    }
    progress.finish_and_clear();

    let report = Report {
        dataset: dataset.to_string(),
        placement: placement_name.to_owned(),
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
    };
    print_report(&report);
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
    println!("{} data set, {} sensors", report.dataset, report.placement);
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
}
