//! SIGINT (Ctrl-C) and SIGTERM end a running session through its normal end, so it is stored
//! `stopped` with the signal named and every batch flushed, instead of the process dying with
//! the session left open (signal-hook: the handler only wakes this thread, which does the work).

use anyhow::{Context, Result};
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// Listens for SIGINT and SIGTERM from now on (the default of killing the process is replaced)
/// and calls `on_signal` with the signal's name, on a thread of its own, for each one received.
pub fn on_stop_signals(mut on_signal: impl FnMut(&'static str) + Send + 'static) -> Result<()> {
    let mut signals =
        Signals::new([SIGINT, SIGTERM]).context("listening for SIGINT and SIGTERM")?;
    std::thread::Builder::new()
        .name("entrain-signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                let name = match signal {
                    SIGINT => "SIGINT",
                    SIGTERM => "SIGTERM",
                    _ => "an unexpected signal",
                };
                tracing::info!(signal = name, "signal received: stopping the session");
                on_signal(name);
            }
        })
        .context("starting the signal thread")?;
    Ok(())
}
