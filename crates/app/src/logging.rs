//! The log a ward's IT can read: the libraries write through the `tracing` facade, and this sends
//! it to `<data folder>/logs/entrain.log.YYYY-MM-DD` (a new file each day, UTC, the last
//! [`KEPT_FILES`] kept), plus warnings to stderr for the command-line tools. `ENTRAIN_LOG` sets what
//! is kept: a level (`info` by default, `debug`, `warn`...) or filters such as
//! `info,entrain_engine=debug`. Without a usable log folder the app runs on and says why, once.

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::filter::{EnvFilter, LevelFilter, Targets};
use tracing_subscriber::prelude::*;

/// Daily files kept (two weeks).
pub const KEPT_FILES: usize = 14;
/// The files' name before the date.
pub const FILE_PREFIX: &str = "entrain.log";
/// The environment variable with the log filter.
pub const FILTER_VAR: &str = "ENTRAIN_LOG";
/// The target of the line that records why the program failed: the file only, since `main`
/// prints the error on stderr itself.
pub const EXIT_TARGET: &str = "entrain::exit";

/// Keeps the log writer's thread; dropping it (at the end of `main`) writes out what is queued.
#[must_use = "the log is written out when this is dropped"]
pub struct LogGuard {
    _writer: Option<WorkerGuard>,
}

/// Sets up the log once for the process. `data_dir` is where the record lives (`None`: this user
/// has no data folder); `stderr_warnings` adds a copy of warnings and errors on stderr; `command`
/// names what runs (the subcommand, or the window).
pub fn init(data_dir: Option<&Path>, stderr_warnings: bool, command: &str) -> LogGuard {
    let (filter, filter_problem) = match EnvFilter::builder()
        .with_default_directive(LevelFilter::INFO.into())
        .with_env_var(FILTER_VAR)
        .from_env()
    {
        Ok(f) => (f, None),
        Err(e) => (EnvFilter::new("info"), Some(e)),
    };
    let (file, guard) = match data_dir.map(open_file).transpose() {
        Ok(Some((writer, guard))) => (Some(writer), Some(guard)),
        Ok(None) => {
            eprintln!("entrain: no log file: this user has no data folder");
            (None, None)
        }
        Err(why) => {
            eprintln!("entrain: no log file: {why}");
            (None, None)
        }
    };
    let file_layer = file.map(|writer| {
        tracing_subscriber::fmt::layer()
            .with_writer(writer)
            .with_ansi(false)
            .with_thread_names(true)
            .with_filter(filter)
    });
    let stderr_layer = stderr_warnings.then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .without_time()
            .with_target(false)
            .with_filter(
                Targets::new()
                    .with_default(LevelFilter::WARN)
                    .with_target(EXIT_TARGET, LevelFilter::OFF),
            )
    });
    let installed = tracing_subscriber::registry()
        .with(file_layer)
        .with(stderr_layer)
        .try_init();
    if let Err(e) = installed {
        eprintln!("entrain: the log could not be set up: {e}");
    }
    if let Some(e) = filter_problem {
        tracing::warn!(error = %e, "{FILTER_VAR} is not a valid log filter; logging at info");
    }
    log_panics();
    // Not the whole command line: it may name a patient.
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        command,
        "entrain started"
    );
    LogGuard { _writer: guard }
}

/// The log folder inside a data folder.
pub fn log_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("logs")
}

fn open_file(
    data_dir: &Path,
) -> Result<(tracing_appender::non_blocking::NonBlocking, WorkerGuard), String> {
    let dir = log_dir(data_dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(FILE_PREFIX)
        .max_log_files(KEPT_FILES)
        .build(&dir)
        .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    // Written from a thread of its own, so the session loop never waits on the disk for it.
    Ok(tracing_appender::non_blocking(appender))
}

/// A panic goes to the log too (then to stderr as before).
fn log_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!(thread = ?std::thread::current().name(), "panic: {info}");
        previous(info);
    }));
}
