//! Entrain side by side with mobgap and gaitmap on the same recordings (issue 10).
//!
//! `benches/peers/run.sh` runs, in order:
//!   peer_compare export  --datasets ../shared/datasets --out target/peers/export
//!   peer_compare entrain --export target/peers/export --out target/peers/results
//!   (the Python runners for mobgap and gaitmap, on the same export)
//!   peer_compare compare --datasets ../shared/datasets --results target/peers/results \
//!       --markdown target/peers/table.md --json target/peers/scores.json --doc docs/BENCHMARKS.md

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use entrain_benches::peers::{
    SUITES, compare, export_suites, markdown_table, read_runner_outputs, run_entrain,
    update_document,
};

#[derive(Debug, Parser)]
#[command(about = "Entrain side by side with mobgap and gaitmap on the same recordings")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Writes the exact samples of every compared trial to neutral CSV files (SI units).
    Export {
        /// The public data-sets folder (`../shared/datasets`).
        #[arg(long)]
        datasets: PathBuf,
        /// Where to write `index.csv` and the stream files.
        #[arg(long)]
        out: PathBuf,
    },
    /// Runs Entrain's streaming detectors on the export, timing each recording.
    Entrain {
        /// The folder `export` wrote.
        #[arg(long)]
        export: PathBuf,
        /// Where to write `entrain.detections.csv` and `entrain.timing.csv`.
        #[arg(long)]
        out: PathBuf,
    },
    /// Scores every runner's detections with the same rules and writes the table.
    Compare {
        /// The public data-sets folder (for the annotations).
        #[arg(long)]
        datasets: PathBuf,
        /// The folder holding every runner's detections, timings and `wall_times.csv`.
        #[arg(long)]
        results: PathBuf,
        /// Write the Markdown table here.
        #[arg(long)]
        markdown: Option<PathBuf>,
        /// Write the scores as JSON here.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Put the table between the `<!-- peers:begin -->` / `<!-- peers:end -->` markers of
        /// this document.
        #[arg(long)]
        doc: Option<PathBuf>,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Export { datasets, out } => {
            let index = export_suites(&datasets, &SUITES, &out)
                .with_context(|| format!("exporting from {}", datasets.display()))?;
            println!("exported {} streams to {}", index.len(), out.display());
        }
        Command::Entrain { export, out } => {
            let n = run_entrain(&export, &out)
                .with_context(|| format!("running Entrain on {}", export.display()))?;
            println!("entrain: {n} recordings");
        }
        Command::Compare {
            datasets,
            results,
            markdown,
            json,
            doc,
        } => {
            let outputs = read_runner_outputs(&results)
                .with_context(|| format!("reading {}", results.display()))?;
            let scores = compare(&datasets, &SUITES, &outputs)?;
            let table = markdown_table(&scores, &outputs.wall_times);
            print!("{table}");
            if !outputs.skipped.is_empty() {
                println!("\nskipped recordings:");
                for s in &outputs.skipped {
                    println!(
                        "  {} {}/{} ({}): {}",
                        s.method, s.dataset, s.trial, s.placement, s.reason
                    );
                }
            }
            if let Some(path) = markdown {
                std::fs::write(&path, &table)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            if let Some(path) = json {
                let text = serde_json::to_string_pretty(&scores)?;
                std::fs::write(&path, text + "\n")
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            if let Some(path) = doc {
                update_document(&path, &table)?;
                println!("updated {}", path.display());
            }
        }
    }
    Ok(())
}
