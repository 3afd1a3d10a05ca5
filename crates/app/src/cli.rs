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
enum Command {}

impl Cli {
    /// Runs the chosen subcommand.
    pub fn run(self) -> Result<()> {
        match self.command {}
    }
}
