//! `entrain export`: the record's tidy tables (`entrain_store::export`) and, beside them, the
//! measures of every exported session as this crate computes them (`measures.csv`, or the
//! `measures` table of `export.json`), so a spreadsheet holds the numbers the screen and the
//! reports show.

use std::path::{Path, PathBuf};

use entrain_store::Store;
use entrain_store::export::{ExportFormat, ExportOptions, Table, build_tables, write_tables};
use serde_json::{Value, json};

use crate::error::AnalysisError;
use crate::measure::WalkMeasure;
use crate::session::{SessionAnalysis, analyse_session};

const COLUMNS: [&str; 5] = ["session_id", "phase", "measure", "value", "unit"];

/// The `measures` table: one row per session, phase and measure, at full precision.
pub fn measures_table(sessions: &[SessionAnalysis]) -> Table {
    let mut table = Table {
        name: "measures",
        columns: COLUMNS.to_vec(),
        rows: Vec::new(),
    };
    for a in sessions {
        let id = a.session.id;
        let mut push = |phase: &str, measure: &str, value: Value, unit: &str| {
            table.rows.push(vec![
                json!(id),
                json!(phase),
                json!(measure),
                value,
                json!(unit),
            ]);
        };
        for p in &a.phases {
            let phase = p.phase.as_str();
            push(phase, "steps", json!(p.steps), "steps");
            if let Some(m) = &p.metrics {
                for w in WalkMeasure::ALL {
                    if let Some(v) = w.of(m) {
                        push(phase, w.code(), json!(v), w.unit());
                    }
                }
            }
            if let Some(s) = &p.sync {
                push(
                    phase,
                    "mean_asynchrony_ms",
                    json!(s.mean_asynchrony_ms),
                    "ms",
                );
                push(phase, "resultant_length", json!(s.resultant_length), "1");
                push(phase, "rayleigh_p", json!(s.rayleigh.p_value), "1");
                if let Some(pm) = s.period_match_percent {
                    push(phase, "period_match_percent", json!(pm), "%");
                }
            }
        }
        let speeds = [
            ("baseline", a.gait_speed_baseline),
            ("retest", a.gait_speed_retest),
        ];
        for (phase, result) in speeds {
            if let Some(t) = result {
                push(phase, "gait_speed_10mwt_mps", json!(t.mean), "m/s");
            }
        }
    }
    table
}

fn analyse_all(store: &Store, session_ids: &[i64]) -> Result<Vec<SessionAnalysis>, AnalysisError> {
    session_ids
        .iter()
        .map(|&id| analyse_session(store, id))
        .collect()
}

fn export(
    store: &Store,
    session_ids: &[i64],
    patients: &[i64],
    format: ExportFormat,
    dir: &Path,
    options: ExportOptions,
) -> Result<Vec<PathBuf>, AnalysisError> {
    let mut tables = build_tables(store, session_ids, patients, options)?;
    tables.push(measures_table(&analyse_all(store, session_ids)?));
    Ok(write_tables(&tables, format, dir, options)?)
}

/// Exports sessions into `dir`: the record's tables and their measures.
pub fn export_sessions(
    store: &Store,
    session_ids: &[i64],
    format: ExportFormat,
    dir: &Path,
    options: ExportOptions,
) -> Result<Vec<PathBuf>, AnalysisError> {
    export(store, session_ids, &[], format, dir, options)
}

/// Exports every session of a patient into `dir` (the patient too when they have none).
pub fn export_patient(
    store: &Store,
    patient_id: i64,
    format: ExportFormat,
    dir: &Path,
    options: ExportOptions,
) -> Result<Vec<PathBuf>, AnalysisError> {
    let ids: Vec<i64> = store
        .sessions(Some(patient_id))?
        .iter()
        .map(|s| s.id)
        .collect();
    export(store, &ids, &[patient_id], format, dir, options)
}
