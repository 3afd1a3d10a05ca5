//! Command-line interface.

use anyhow::Result;
use clap::{Parser, Subcommand};

/// Entrain: Rhythmic Auditory Stimulation gait training.
#[derive(Debug, Parser)]
#[command(name = "entrain", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the streaming detector over a public data set and scores it against the annotations.
    Eval(crate::cmd_eval::EvalArgs),
    /// Runs the RAS loop with a virtual patient in simulated time.
    Simulate(crate::cmd_simulate::SimulateArgs),
}

impl Cli {
    /// Runs the chosen subcommand.
    pub fn run(self) -> Result<()> {
        match self.command {
            Command::Eval(args) => crate::cmd_eval::run(args),
            Command::Simulate(args) => crate::cmd_simulate::run(args),
        }
    }
}
