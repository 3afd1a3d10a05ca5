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
    /// Plays a metronome (or renders it to a WAV file).
    Click(crate::cmd_click::ClickArgs),
    /// Runs the streaming detector over a public data set and scores it against the annotations.
    Eval(crate::cmd_eval::EvalArgs),
    /// Runs the RAS loop with a virtual patient in simulated time.
    Simulate(crate::cmd_simulate::SimulateArgs),
}

impl Cli {
    /// Runs the chosen subcommand.
    pub fn run(self) -> Result<()> {
        match self.command {
            Command::Click(args) => crate::cmd_click::run(args),
            Command::Eval(args) => crate::cmd_eval::run(args),
            Command::Simulate(args) => crate::cmd_simulate::run(args),
        }
    }
}
