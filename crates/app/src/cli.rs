//! Command-line interface.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Parser, Subcommand};

/// Entrain: Rhythmic Auditory Stimulation gait training.
#[derive(Debug, Parser)]
#[command(name = "entrain", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// With no subcommand: the clinician's window and its options.
    #[command(flatten)]
    gui: crate::gui::GuiArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Plays a metronome (or renders it to a WAV file).
    Click(crate::cmd_click::ClickArgs),
    /// Runs the streaming detector over a public data set and scores it against the annotations.
    Eval(crate::cmd_eval::EvalArgs),
    /// Runs the RAS loop with a virtual patient in simulated time.
    Simulate(crate::cmd_simulate::SimulateArgs),
    /// Runs a recorded RAS session from a sensor source (virtual patient, recording, BLE).
    Session(crate::cmd_session::SessionArgs),
    /// Lists patients, or adds one.
    Patients(crate::cmd_store::PatientsArgs),
    /// Lists recorded sessions.
    Sessions(crate::cmd_store::SessionsArgs),
    /// Exports a session or a patient as CSV tables or JSON, or a session as a FHIR R4 bundle.
    Export(crate::cmd_store::ExportArgs),
    /// Writes a session report or a patient's progress report (PDF).
    Report(crate::cmd_report::ReportArgs),
    /// Re-runs step detection on a session's stored raw samples.
    Analyze(crate::cmd_store::AnalyzeArgs),
    /// Records a clinical test result (10 m walk, 6 min walk, TUG, FAC).
    ClinicalTest(crate::cmd_store::ClinicalTestArgs),
    /// Lists the Entrain sensors and RSC foot pods in range (id, name, signal, battery).
    Devices(crate::cmd_devices::DevicesArgs),
    /// Records a patient's BLE sensors' raw samples to a CSV file.
    Record(crate::cmd_record::RecordArgs),
    /// The music library: import, list, analyse a track, confirm its tempo, render it.
    Music(crate::cmd_music::MusicArgs),
    /// Assigns a patient's sensors to their feet by tapping each (or by address), kept in the record.
    Assign(crate::cmd_assign::AssignArgs),
}

impl Cli {
    /// The data folder, where the record (and the log) lives: the folder of the subcommand's
    /// `--db`, else `--data-dir`, else the user's default one (`None` if this user has none).
    pub fn data_dir(&self) -> Option<PathBuf> {
        if let Some(db) = self.command.as_ref().and_then(Command::db) {
            let folder = db.parent().unwrap_or(Path::new(""));
            return Some(if folder.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                folder.to_path_buf()
            });
        }
        if let Some(dir) = &self.gui.data_dir {
            return Some(dir.clone());
        }
        match self.command {
            None => Some(entrain_ui::settings::default_data_dir()),
            Some(_) => entrain_store::default_data_dir(),
        }
    }

    /// Whether a command-line tool runs (not the window).
    pub fn is_subcommand(&self) -> bool {
        self.command.is_some()
    }

    /// The subcommand's name, or `window`.
    pub fn command_name(&self) -> &'static str {
        match &self.command {
            None => "window",
            Some(Command::Click(_)) => "click",
            Some(Command::Eval(_)) => "eval",
            Some(Command::Simulate(_)) => "simulate",
            Some(Command::Session(_)) => "session",
            Some(Command::Patients(_)) => "patients",
            Some(Command::Sessions(_)) => "sessions",
            Some(Command::Export(_)) => "export",
            Some(Command::Report(_)) => "report",
            Some(Command::Analyze(_)) => "analyze",
            Some(Command::ClinicalTest(_)) => "clinical-test",
            Some(Command::Devices(_)) => "devices",
            Some(Command::Record(_)) => "record",
            Some(Command::Assign(_)) => "assign",
            Some(Command::Music(_)) => "music",
        }
    }

    /// Runs the chosen subcommand. A record-reading subcommand without `--db` uses the record in
    /// `--data-dir` (the file the window uses there), else the default one.
    pub fn run(self) -> Result<()> {
        let Some(mut command) = self.command else {
            return crate::gui::run(self.gui);
        };
        if let (Some(dir), Some(db @ None)) = (&self.gui.data_dir, command.db_mut()) {
            *db = Some(dir.join(entrain_ui::settings::DATABASE_FILE));
        }
        match command {
            Command::Click(args) => crate::cmd_click::run(args),
            Command::Eval(args) => crate::cmd_eval::run(args),
            Command::Simulate(args) => crate::cmd_simulate::run(args),
            Command::Session(args) => crate::cmd_session::run(args),
            Command::Patients(args) => crate::cmd_store::patients(args),
            Command::Sessions(args) => crate::cmd_store::sessions(args),
            Command::Export(args) => crate::cmd_store::export(args),
            Command::Report(args) => crate::cmd_report::run(args),
            Command::Analyze(args) => crate::cmd_store::analyze(args),
            Command::ClinicalTest(args) => crate::cmd_store::clinical_test(args),
            Command::Devices(args) => crate::cmd_devices::run(args),
            Command::Record(args) => crate::cmd_record::run(args),
            Command::Assign(args) => crate::cmd_assign::run(args),
            Command::Music(args) => crate::cmd_music::run(args),
        }
    }
}

impl Command {
    /// The subcommand's `--db`, to fill in from `--data-dir`; `None` if it reads no record.
    fn db_mut(&mut self) -> Option<&mut Option<PathBuf>> {
        match self {
            Command::Session(a) => Some(&mut a.db),
            Command::Patients(a) => Some(&mut a.db),
            Command::Sessions(a) => Some(&mut a.db),
            Command::Export(a) => Some(&mut a.db),
            Command::Report(a) => Some(&mut a.db),
            Command::Analyze(a) => Some(&mut a.db),
            Command::ClinicalTest(a) => Some(&mut a.db),
            Command::Assign(a) => Some(&mut a.db),
            Command::Music(a) => Some(&mut a.db),
            Command::Click(_)
            | Command::Eval(_)
            | Command::Simulate(_)
            | Command::Devices(_)
            | Command::Record(_) => None,
        }
    }

    /// The record the subcommand was given with `--db`, if any.
    fn db(&self) -> Option<&Path> {
        match self {
            Command::Session(a) => a.db.as_deref(),
            Command::Patients(a) => a.db.as_deref(),
            Command::Sessions(a) => a.db.as_deref(),
            Command::Export(a) => a.db.as_deref(),
            Command::Report(a) => a.db.as_deref(),
            Command::Analyze(a) => a.db.as_deref(),
            Command::ClinicalTest(a) => a.db.as_deref(),
            Command::Assign(a) => a.db.as_deref(),
            Command::Music(a) => a.db.as_deref(),
            Command::Click(_)
            | Command::Eval(_)
            | Command::Simulate(_)
            | Command::Devices(_)
            | Command::Record(_) => None,
        }
    }
}
