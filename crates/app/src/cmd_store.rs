//! `entrain patients`, `entrain sessions`, `entrain export`, `entrain analyze`,
//! `entrain clinical-test`: the patient record.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use entrain_analysis::export::{export_patient, export_sessions};
use entrain_engine::EngineConfig;
use entrain_engine::sim::{SimulatedSession, TICK_NANOS};
use entrain_replay::{ReplaySource, SensorStream};
use entrain_store::export::{ExportFormat, ExportOptions};
use entrain_store::time::format_unix_ms;
use entrain_store::{AffectedSide, ClinicalTestKind, NewPatient, Store};

use crate::cmd_session::db_path;

/// Arguments of `entrain patients`.
#[derive(Debug, Args)]
pub struct PatientsArgs {
    /// Database file.
    #[arg(long)]
    pub(crate) db: Option<PathBuf>,
    /// Add a patient with this pseudonymous code (never a name).
    #[arg(long)]
    add: Option<String>,
    /// Year of birth (with --add).
    #[arg(long)]
    year_of_birth: Option<i32>,
    /// Affected side: left, right, both, none (with --add).
    #[arg(long)]
    affected_side: Option<String>,
    /// Diagnosis date YYYY-MM-DD (with --add).
    #[arg(long)]
    diagnosis_date: Option<String>,
    /// Notes (with --add).
    #[arg(long, default_value = "")]
    notes: String,
}

/// Runs `entrain patients`.
pub fn patients(args: PatientsArgs) -> Result<()> {
    let db = db_path(args.db.as_deref())?;
    let mut store = if args.add.is_some() {
        Store::open(&db)?
    } else {
        Store::open_for_reading(&db)?
    };
    if let Some(code) = &args.add {
        let p = store.add_patient(&NewPatient {
            code: code.clone(),
            year_of_birth: args.year_of_birth,
            affected_side: args
                .affected_side
                .as_deref()
                .map(str::parse::<AffectedSide>)
                .transpose()?,
            diagnosis_date: args.diagnosis_date.clone(),
            notes: args.notes.clone(),
        })?;
        println!("added patient {} (#{})", p.code, p.id);
    }
    let patients = store.patients()?;
    println!(
        "{:<16} {:>6} {:<6} {:<11} {:>8}",
        "code", "born", "side", "diagnosis", "sessions"
    );
    for p in patients {
        let n = store.sessions(Some(p.id))?.len();
        println!(
            "{:<16} {:>6} {:<6} {:<11} {:>8}",
            p.code,
            p.year_of_birth.map_or("-".into(), |y| y.to_string()),
            p.affected_side.map_or("-", AffectedSide::as_str),
            p.diagnosis_date.as_deref().unwrap_or("-"),
            n
        );
    }
    Ok(())
}

/// Arguments of `entrain sessions`.
#[derive(Debug, Args)]
pub struct SessionsArgs {
    /// Database file.
    #[arg(long)]
    pub(crate) db: Option<PathBuf>,
    /// Only this patient's sessions.
    #[arg(long)]
    patient: Option<String>,
}

fn patient_id(store: &Store, code: &str) -> Result<i64> {
    Ok(store
        .patient_by_code(code)?
        .with_context(|| format!("no patient {code} in {}", store.path().display()))?
        .id)
}

/// Runs `entrain sessions`.
pub fn sessions(args: SessionsArgs) -> Result<()> {
    let db = db_path(args.db.as_deref())?;
    let store = Store::open_for_reading(&db)?;
    for id in store.recovered_sessions() {
        println!("session {id} was interrupted (its process ended without closing it)");
    }
    let pid = args
        .patient
        .as_deref()
        .map(|c| patient_id(&store, c))
        .transpose()?;
    println!(
        "{:>4} {:<10} {:<24} {:<12} {:>9} {:>6}  source",
        "id", "patient", "started (UTC)", "status", "length s", "steps"
    );
    for s in store.sessions(pid)? {
        println!(
            "{:>4} {:<10} {:<24} {:<12} {:>9.1} {:>6}  {}",
            s.id,
            s.patient_code.as_deref().unwrap_or("-"),
            format_unix_ms(s.started_unix_ms),
            s.status.as_str(),
            s.last_nanos as f64 / 1e9,
            store.steps(s.id)?.len(),
            s.source
        );
    }
    Ok(())
}

/// Export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// One CSV file per table.
    Csv,
    /// One JSON file.
    Json,
    /// A FHIR R4 Bundle of Observations (one session; `--out` is the .json file).
    Fhir,
}

/// Arguments of `entrain export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Database file.
    #[arg(long)]
    pub(crate) db: Option<PathBuf>,
    /// The session to export.
    #[arg(long, conflicts_with = "patient")]
    session: Option<i64>,
    /// Every session of this patient.
    #[arg(long)]
    patient: Option<String>,
    /// csv, json or fhir.
    #[arg(long, value_enum, default_value = "csv")]
    format: FormatArg,
    /// Output folder (csv, json) or file (fhir).
    #[arg(long)]
    out: PathBuf,
    /// De-identified research export (no notes, codes, dates, sensor ids; year of birth banded).
    #[arg(long)]
    deidentified: bool,
    /// Write over an earlier export at `--out` (refused otherwise).
    #[arg(long)]
    force: bool,
}

/// Refuses to write over an earlier export: an existing file, or a folder that is not empty,
/// unless `--force`.
fn refuse_overwrite(out: &std::path::Path, force: bool) -> Result<()> {
    if force {
        return Ok(());
    }
    let earlier = if out.is_dir() {
        std::fs::read_dir(out)
            .with_context(|| format!("--out {}", out.display()))?
            .next()
            .is_some()
    } else {
        out.exists()
    };
    if earlier {
        bail!(
            "--out {}: holds an earlier export; choose another --out, or add --force to write over it",
            out.display()
        );
    }
    Ok(())
}

/// Runs `entrain export`.
pub fn export(args: ExportArgs) -> Result<()> {
    let db = db_path(args.db.as_deref())?;
    let store = Store::open_for_reading(&db)?;
    refuse_overwrite(&args.out, args.force)?;
    let format = match args.format {
        FormatArg::Csv => ExportFormat::Csv,
        FormatArg::Json => ExportFormat::Json,
        FormatArg::Fhir => {
            return crate::cmd_report::export_fhir(
                &store,
                args.session,
                args.patient.as_deref(),
                args.deidentified,
                &args.out,
            );
        }
    };
    let options = ExportOptions {
        deidentified: args.deidentified,
    };
    let files = match (args.session, &args.patient) {
        (Some(id), None) => export_sessions(&store, &[id], format, &args.out, options)?,
        (None, Some(code)) => export_patient(
            &store,
            patient_id(&store, code)?,
            format,
            &args.out,
            options,
        )?,
        _ => bail!("give --session ID or --patient CODE"),
    };
    for f in files {
        println!("wrote {}", f.display());
    }
    Ok(())
}

/// Arguments of `entrain analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Database file.
    #[arg(long)]
    pub(crate) db: Option<PathBuf>,
    /// The session to re-analyse.
    #[arg(long)]
    session: i64,
}

/// Runs `entrain analyze`: the detectors again over the stored raw samples, compared with the
/// stored steps.
pub fn analyze(args: AnalyzeArgs) -> Result<()> {
    let db = db_path(args.db.as_deref())?;
    let store = Store::open_for_reading(&db)?;
    let session = store.session(args.session)?;
    let sensors = store.session_sensors(session.id)?;
    let raw = store.raw_samples(session.id)?;
    if raw.is_empty() {
        bail!("session {}: no raw samples were stored", session.id);
    }
    let rate = sensors
        .first()
        .map(|s| s.sample_rate_hz)
        .context("the session lists no sensors")?;
    let streams: Vec<SensorStream> = raw
        .into_iter()
        .map(|(placement, samples)| SensorStream { placement, samples })
        .collect();
    let mut source = ReplaySource::new(format!("session {}", session.id), rate, streams);
    source.set_start_nanos(
        source
            .streams()
            .iter()
            .filter_map(|s| s.samples.first().map(|x| x.time_nanos))
            .min()
            .unwrap_or(0),
    );
    let end = source.end_nanos();
    let mut sim = SimulatedSession::detecting(EngineConfig::default(), source)?;
    let mut steps = Vec::new();
    sim.run(end + TICK_NANOS, |_, _, out| -> Result<()> {
        steps.extend_from_slice(&out.steps);
        Ok(())
    })?;
    let stored = store.steps(session.id)?;
    let same = steps
        .iter()
        .filter(|s| {
            stored
                .iter()
                .any(|x| x.time_nanos == s.time_nanos && x.side == s.side)
        })
        .count();
    println!(
        "session {}: {} steps re-detected from the raw samples, {} stored; {} identical (time and foot)",
        session.id,
        steps.len(),
        stored.len(),
        same
    );
    Ok(())
}

/// Arguments of `entrain clinical-test`.
#[derive(Debug, Args)]
pub struct ClinicalTestArgs {
    /// Database file.
    #[arg(long)]
    pub(crate) db: Option<PathBuf>,
    /// Patient code.
    #[arg(long)]
    patient: String,
    /// 10mwt (m/s), 6mwt (m), tug (s) or fac (0-5).
    #[arg(long)]
    test: String,
    /// The result.
    #[arg(long)]
    value: f64,
    /// The session it belongs to.
    #[arg(long)]
    session: Option<i64>,
    /// Notes.
    #[arg(long, default_value = "")]
    notes: String,
}

/// Runs `entrain clinical-test`.
pub fn clinical_test(args: ClinicalTestArgs) -> Result<()> {
    let db = db_path(args.db.as_deref())?;
    let mut store = Store::open_existing(&db)?;
    let pid = patient_id(&store, &args.patient)?;
    let kind: ClinicalTestKind = args.test.parse()?;
    let id = store.add_clinical_test(pid, args.session, kind, args.value, &args.notes)?;
    println!(
        "recorded {} = {} {} for {} (#{id})",
        kind.as_str(),
        args.value,
        kind.unit(),
        args.patient
    );
    Ok(())
}
