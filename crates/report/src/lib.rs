//! entrain-report: what a clinic files and shares about RAS sessions.
//!
//! - [`session_pdf`]: a one-page A4 session report (tempo changes and notes that do not fit go on
//!   further pages, whole) — patient code, date, protocol settings,
//!   baseline vs uncued re-test (cadence, step time L/R, asymmetry, variability, gait speed where
//!   tested), the tempo curve with its phases and the music played along it (a band per
//!   segment, named by its track, and a table of them), entrainment per phase, clinical tests and the
//!   clinician's marks.
//! - [`patient_pdf`]: a progress report across a patient's sessions with trend charts and the
//!   clinical thresholds of `entrain_analysis::thresholds` (gait-speed MCID band, ambulation
//!   categories).
//! - [`session_fhir_bundle`]: a FHIR R4 `Bundle` (type `collection`) of `Observation`s for a
//!   session, LOINC-coded where LOINC has a code, otherwise in the local code system
//!   [`fhir::LOCAL_CODE_SYSTEM`], with UCUM units.
//!
//! Every measure comes from `entrain-analysis` ([`SessionAnalysis`], [`PatientProgress`]), the same
//! place the Progress screen reads, so the screen and the paper never differ. Charts are laid out by `plotters`
//! and drawn as vector graphics into the PDF ([`chart::PdfBackend`]).
//!
//! Text is set in Ubuntu Light (from `epaint_default_fonts`, the font the clinician's window uses),
//! embedded in each PDF as a subset of the glyphs it shows ([`font`], [`embed`]), so that Polish,
//! Czech, Greek and Cyrillic names and notes print and can be searched and copied. The font is
//! under the Ubuntu Font Licence 1.0 (`crates/report/NOTICE`); the PDFs themselves are not bound
//! by it.
#![forbid(unsafe_code)]

pub mod chart;
pub mod embed;
mod error;
pub mod fhir;
pub mod font;
mod music;
pub mod pdf;
mod progress_report;
mod session_report;
pub mod text;

use std::path::Path;

use entrain_store::Store;

pub use entrain_analysis::{PatientProgress, SessionAnalysis, analyse_patient, analyse_session};
pub use error::ReportError;
pub use fhir::session_fhir_bundle;
pub use font::FontError;
pub use progress_report::render_progress_report;
pub use session_report::render_session_report;

fn write_file(path: &Path, bytes: &[u8], what: &str) -> Result<(), ReportError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        return Err(ReportError::Io {
            path: dir.to_path_buf(),
            context: format!("the folder for the {what} does not exist"),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        });
    }
    std::fs::write(path, bytes).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        context: format!("writing the {what}"),
        source,
    })
}

/// Writes the session report (one page, more for long lists) of session `session_id` to `out` (PDF).
pub fn session_pdf(store: &Store, session_id: i64, out: &Path) -> Result<(), ReportError> {
    let analysis = analyse_session(store, session_id)?;
    let bytes = render_session_report(&analysis)?;
    write_file(out, &bytes, "session report")
}

/// Writes the progress report of the patient with code `patient_code` to `out` (PDF).
pub fn patient_pdf(store: &Store, patient_code: &str, out: &Path) -> Result<(), ReportError> {
    let progress = analyse_patient(store, patient_code)?;
    let bytes = render_progress_report(&progress)?;
    write_file(out, &bytes, "progress report")
}

/// Writes the FHIR R4 bundle of session `session_id` to `out` (JSON).
pub fn session_fhir_json(store: &Store, session_id: i64, out: &Path) -> Result<(), ReportError> {
    let bundle = session_fhir_bundle(store, session_id)?;
    let mut bytes = serde_json::to_vec_pretty(&bundle)?;
    bytes.push(b'\n');
    write_file(out, &bytes, "FHIR bundle")
}
