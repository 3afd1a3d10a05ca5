//! `entrain report`: the one-page session report or a patient's progress report (PDF), and the
//! FHIR R4 branch of `entrain export`.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use clap::Args;
use entrain_store::Store;

use crate::cmd_session::db_path;

/// Arguments of `entrain report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Database file (default: the user's data folder).
    #[arg(long)]
    pub(crate) db: Option<PathBuf>,
    /// The session: its one-page report.
    #[arg(long, conflicts_with = "patient", required_unless_present = "patient")]
    session: Option<i64>,
    /// The patient's code: the progress report across their sessions.
    #[arg(long)]
    patient: Option<String>,
    /// The PDF file to write.
    #[arg(long)]
    out: PathBuf,
}

/// Runs `entrain report`.
pub fn run(args: ReportArgs) -> Result<()> {
    let db = db_path(args.db.as_deref())?;
    let store = Store::open_for_reading(&db)?;
    match (args.session, &args.patient) {
        (Some(id), None) => entrain_report::session_pdf(&store, id, &args.out)?,
        (None, Some(code)) => entrain_report::patient_pdf(&store, code, &args.out)?,
        _ => bail!("give --session ID or --patient CODE"),
    }
    println!("wrote {}", args.out.display());
    Ok(())
}

/// `entrain export --format fhir`: one session's FHIR R4 bundle to the file `out`.
pub fn export_fhir(
    store: &Store,
    session: Option<i64>,
    patient: Option<&str>,
    deidentified: bool,
    out: &Path,
) -> Result<()> {
    if deidentified {
        bail!(
            "--format fhir with --deidentified: the FHIR bundle is for the patient's record and carries the patient code; use --format csv or json for a de-identified export"
        );
    }
    let Some(id) = session else {
        match patient {
            Some(code) => bail!(
                "--format fhir exports one session: give --session ID (list the sessions of {code} with `entrain sessions --patient {code}`)"
            ),
            None => bail!("give --session ID"),
        }
    };
    if out.is_dir() {
        bail!(
            "--out {}: is a folder; --format fhir writes one file, e.g. --out session-{id}.fhir.json",
            out.display()
        );
    }
    entrain_report::session_fhir_json(store, id, out)?;
    println!("wrote {}", out.display());
    Ok(())
}
