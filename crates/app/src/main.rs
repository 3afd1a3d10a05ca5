//! The `entrain` binary: command-line tools now, the clinician's window later.

use anyhow::Result;
use clap::Parser;

mod cli;
mod cmd_assign;
mod cmd_click;
mod cmd_devices;
mod cmd_eval;
mod cmd_music;
mod cmd_record;
mod cmd_report;
mod cmd_session;
mod cmd_simulate;
mod cmd_store;
mod gui;
mod logging;
mod session_music;
mod signals;
mod tour;

fn main() -> Result<()> {
    let cli = cli::Cli::parse();
    let _log = logging::init(
        cli.data_dir().as_deref(),
        cli.is_subcommand(),
        cli.command_name(),
    );
    let result = cli.run();
    if let Err(e) = &result {
        tracing::error!(target: logging::EXIT_TARGET, "failed: {e:#}");
    }
    result
}
