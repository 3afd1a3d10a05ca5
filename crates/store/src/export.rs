//! The record's sessions as tidy tables (`entrain-analysis`'s `export` writes them, with the
//! sessions' measures beside them): one CSV file per kind of record (`sessions.csv`,
//! `patients.csv`, `phases.csv`, `steps.csv`, `beats.csv`, `tempo_changes.csv`, `events.csv`,
//! `music_segments.csv`, `clinical_tests.csv`, `sensors.csv`, the patients'
//! `music_preferences.csv` and their own `playlists.csv`), every row with its `session_id`, times in seconds on the
//! session clock (`*_s`) and in integer nanoseconds where exactness matters; or the same tables
//! in one JSON file (`export.json`: `{"format": ..., "tables": {"steps": [{...}, ...], ...}}`).
//!
//! The **de-identified** export, for research, removes: free-text notes (patients, clinical
//! tests) and clinician marks' text; the patient code (replaced by `R001`, `R002`, ... in the
//! order of the export, not stored anywhere); the year of birth (replaced by a 5-year band such
//! as `1950-1954`); calendar dates and times (replaced by whole days since the patient's first
//! exported session: `start_day`, `diagnosis_day`, `performed_day`); sensor identities (BLE
//! addresses), the source path of replayed files (only the kind of source stays), the folders
//! of music files (only the file's name stays) and playlists' names (numbered instead).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::error::StoreError;
use crate::model::*;
use crate::store::Store;
use crate::time::{format_unix_ms, parse_date};

/// CSV files or one JSON file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One CSV file per table.
    Csv,
    /// `export.json` with every table.
    Json,
}

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExportOptions {
    /// Remove what identifies the patient (see the module docs).
    pub deidentified: bool,
}

/// One table: column names and rows of JSON values (null = empty cell).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// File stem (`steps`).
    pub name: &'static str,
    /// Column names.
    pub columns: Vec<&'static str>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    fn new(name: &'static str, columns: &[&'static str]) -> Self {
        Table {
            name,
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }
}

fn secs(nanos: i64) -> Value {
    json!(nanos as f64 / 1e9)
}

fn opt<T: Into<Value>>(v: Option<T>) -> Value {
    v.map_or(Value::Null, Into::into)
}

/// The sessions' tables, in memory.
pub fn build_tables(
    store: &Store,
    session_ids: &[i64],
    extra_patients: &[i64],
    options: ExportOptions,
) -> Result<Vec<Table>, StoreError> {
    let d = options.deidentified;
    let mut sessions = Vec::new();
    for &id in session_ids {
        sessions.push(store.session(id)?);
    }
    // Patients in order of first appearance; research ids by that order.
    let mut patient_ids: Vec<i64> = extra_patients.to_vec();
    for s in &sessions {
        if let Some(p) = s.patient_id
            && !patient_ids.contains(&p)
        {
            patient_ids.push(p);
        }
    }
    let mut label: BTreeMap<i64, String> = BTreeMap::new();
    let mut first_day: BTreeMap<i64, i64> = BTreeMap::new();
    let mut patients = Vec::new();
    for (i, &pid) in patient_ids.iter().enumerate() {
        let p = store.patient(pid)?;
        label.insert(
            pid,
            if d {
                format!("R{:03}", i + 1)
            } else {
                p.code.clone()
            },
        );
        let first = sessions
            .iter()
            .filter(|s| s.patient_id == Some(pid))
            .map(|s| s.started_unix_ms)
            .min()
            .unwrap_or(0);
        first_day.insert(pid, first.div_euclid(86_400_000));
        patients.push(p);
    }
    let day_of = |pid: Option<i64>, unix_ms: i64| -> Value {
        let base = pid.and_then(|p| first_day.get(&p).copied());
        match base {
            Some(b) => json!(unix_ms.div_euclid(86_400_000) - b),
            None => Value::Null,
        }
    };
    let code_of = |pid: Option<i64>| opt(pid.and_then(|p| label.get(&p).cloned()));

    let mut t_patients = Table::new(
        "patients",
        if d {
            &[
                "patient",
                "year_of_birth_band",
                "affected_side",
                "diagnosis_day",
            ]
        } else {
            &[
                "patient",
                "year_of_birth",
                "affected_side",
                "diagnosis_date",
                "notes",
            ]
        },
    );
    for p in &patients {
        let side = opt(p.affected_side.map(AffectedSide::as_str));
        if d {
            let band = p.year_of_birth.map(|y| {
                let lo = y - y.rem_euclid(5);
                format!("{lo}-{}", lo + 4)
            });
            let diagnosis_day = p
                .diagnosis_date
                .as_deref()
                .and_then(parse_date)
                .zip(first_day.get(&p.id))
                .map(|(days, first)| days - first);
            t_patients.rows.push(vec![
                code_of(Some(p.id)),
                opt(band),
                side,
                opt(diagnosis_day),
            ]);
        } else {
            t_patients.rows.push(vec![
                json!(p.code),
                opt(p.year_of_birth),
                side,
                opt(p.diagnosis_date.clone()),
                json!(p.notes),
            ]);
        }
    }

    let mut t_sessions = Table::new(
        "sessions",
        &[
            "session_id",
            "patient",
            "source",
            "protocol",
            if d { "start_day" } else { "started_utc" },
            "duration_s",
            "status",
            "end_reason",
            "missing",
            "settings_json",
        ],
    );
    let mut t_sensors = Table::new(
        "sensors",
        if d {
            &["session_id", "placement", "sample_rate_hz"]
        } else {
            &[
                "session_id",
                "placement",
                "sensor_key",
                "name",
                "sample_rate_hz",
            ]
        },
    );
    let mut t_phases = Table::new(
        "phases",
        &[
            "session_id",
            "seq",
            "phase",
            "start_s",
            "end_s",
            "duration_s",
            "reason",
        ],
    );
    let mut t_steps = Table::new(
        "steps",
        &[
            "session_id",
            "time_s",
            "time_nanos",
            "side",
            "detected_at_s",
            "latency_ms",
            "phase",
        ],
    );
    let mut t_beats = Table::new(
        "beats",
        &[
            "session_id",
            "scheduled_s",
            "played_s",
            "scheduled_nanos",
            "played_nanos",
            "tempo_spm",
            "target_spm",
            "volume",
            "phase",
        ],
    );
    let mut t_tempo = Table::new(
        "tempo_changes",
        &[
            "session_id",
            "time_s",
            "phase",
            "from_spm",
            "to_spm",
            "reason",
        ],
    );
    let mut t_events = Table::new(
        "events",
        &["session_id", "time_s", "phase", "kind", "detail"],
    );
    let mut t_music = Table::new(
        "music_segments",
        &[
            "session_id",
            "start_s",
            "end_s",
            "track",
            "title",
            "track_tempo_bpm",
            "played_min_bpm",
            "played_max_bpm",
            "stretch_min",
            "stretch_max",
            "overlay",
            "click_level",
        ],
    );
    for s in &sessions {
        let source = if d {
            s.source.split(':').next().unwrap_or("").to_string()
        } else {
            s.source.clone()
        };
        t_sessions.rows.push(vec![
            json!(s.id),
            code_of(s.patient_id),
            json!(source),
            json!(s.protocol),
            if d {
                day_of(s.patient_id, s.started_unix_ms)
            } else {
                json!(format_unix_ms(s.started_unix_ms))
            },
            secs(s.last_nanos),
            json!(s.status.as_str()),
            opt(s.end_reason.clone()),
            opt(s.missing.clone()),
            json!(s.settings_json),
        ]);
        for x in store.session_sensors(s.id)? {
            t_sensors.rows.push(if d {
                vec![
                    json!(s.id),
                    json!(x.placement.code()),
                    json!(x.sample_rate_hz),
                ]
            } else {
                vec![
                    json!(s.id),
                    json!(x.placement.code()),
                    json!(x.sensor_key),
                    json!(x.name),
                    json!(x.sample_rate_hz),
                ]
            });
        }
        for p in store.phases(s.id)? {
            t_phases.rows.push(vec![
                json!(s.id),
                json!(p.seq),
                json!(p.phase.as_str()),
                secs(p.start_nanos),
                opt(p.end_nanos.map(|e| e as f64 / 1e9)),
                opt(p.end_nanos.map(|e| (e - p.start_nanos) as f64 / 1e9)),
                json!(p.reason),
            ]);
        }
        for st in store.steps(s.id)? {
            t_steps.rows.push(vec![
                json!(s.id),
                secs(st.time_nanos),
                json!(st.time_nanos),
                json!(st.side.as_str()),
                secs(st.detected_at_nanos),
                json!((st.detected_at_nanos - st.time_nanos) as f64 / 1e6),
                json!(phase_column(st.phase)),
            ]);
        }
        for b in store.beats(s.id)? {
            t_beats.rows.push(vec![
                json!(s.id),
                secs(b.scheduled_nanos),
                opt(b.played_nanos.map(|p| p as f64 / 1e9)),
                json!(b.scheduled_nanos),
                opt(b.played_nanos),
                json!(b.tempo_spm),
                json!(b.target_spm),
                json!(b.volume),
                json!(b.phase.as_str()),
            ]);
        }
        for t in store.tempo_changes(s.id)? {
            t_tempo.rows.push(vec![
                json!(s.id),
                secs(t.time_nanos),
                json!(t.phase.as_str()),
                opt(t.from_spm),
                json!(t.to_spm),
                json!(t.reason),
            ]);
        }
        for e in store.events(s.id)? {
            // Marks and notes are the clinician's free text: they may name someone.
            let detail = if d && matches!(e.kind, EventKind::Mark | EventKind::Note) {
                "(removed)".to_string()
            } else {
                e.detail
            };
            t_events.rows.push(vec![
                json!(s.id),
                secs(e.time_nanos),
                json!(phase_column(e.phase)),
                json!(e.kind.as_str()),
                json!(detail),
            ]);
        }
        for m in store.music_segments(s.id)? {
            let m = m.segment;
            let track = track_column(m.track, d);
            t_music.rows.push(vec![
                json!(s.id),
                secs(m.start_nanos),
                secs(m.end_nanos),
                json!(track),
                json!(m.title),
                json!(m.track_tempo_bpm),
                json!(m.played_min_bpm),
                json!(m.played_max_bpm),
                json!(m.stretch_min),
                json!(m.stretch_max),
                json!(m.overlay),
                json!(m.click_level),
            ]);
        }
    }
    let mut t_tests = Table::new(
        "clinical_tests",
        if d {
            &[
                "patient",
                "session_id",
                "test",
                "performed_day",
                "value",
                "unit",
            ]
        } else {
            &[
                "patient",
                "session_id",
                "test",
                "performed_utc",
                "value",
                "unit",
                "notes",
            ]
        },
    );
    for p in &patients {
        for t in store.clinical_tests(p.id)? {
            let mut row = vec![
                code_of(Some(p.id)),
                opt(t.session_id),
                json!(t.test.as_str()),
                if d {
                    day_of(Some(p.id), t.performed_unix_ms)
                } else {
                    json!(format_unix_ms(t.performed_unix_ms))
                },
                json!(t.value),
                json!(t.unit),
            ];
            if !d {
                row.push(json!(t.notes));
            }
            t_tests.rows.push(row);
        }
    }
    let (t_prefs, t_playlists) = music_choice_tables(store, &patients, &code_of, &day_of, d)?;
    Ok(vec![
        t_sessions,
        t_patients,
        t_sensors,
        t_phases,
        t_steps,
        t_beats,
        t_tempo,
        t_events,
        t_music,
        t_tests,
        t_prefs,
        t_playlists,
    ])
}

/// A music track's key as exported: a de-identified copy keeps only a file's name (its folder
/// may name the patient or the clinician); a built-in's name has no folder and stays.
fn track_column(track: String, deidentified: bool) -> String {
    if deidentified {
        Path::new(&track)
            .file_name()
            .map_or_else(|| track.clone(), |n| n.to_string_lossy().into_owned())
    } else {
        track
    }
}

/// The exported patients' music preferences and their own playlists (the shared playlists are
/// the library's, not a patient's: not exported). De-identified: a file's name only, the day
/// instead of the time a preference was set, and playlists numbered (`playlist 1`, ...) in the
/// order of the export, as their names are the therapist's free text.
fn music_choice_tables(
    store: &Store,
    patients: &[PatientRecord],
    code_of: &dyn Fn(Option<i64>) -> Value,
    day_of: &dyn Fn(Option<i64>, i64) -> Value,
    d: bool,
) -> Result<(Table, Table), StoreError> {
    let mut t_prefs = Table::new(
        "music_preferences",
        &[
            "patient",
            "track",
            "preference",
            if d { "set_day" } else { "set_utc" },
        ],
    );
    let mut t_playlists = Table::new("playlists", &["patient", "playlist", "position", "track"]);
    let mut numbered = 0usize;
    for p in patients {
        for pref in store.music_preferences(p.id)? {
            t_prefs.rows.push(vec![
                code_of(Some(p.id)),
                json!(track_column(pref.track, d)),
                json!(pref.preference.as_str()),
                if d {
                    day_of(Some(p.id), pref.set_unix_ms)
                } else {
                    json!(format_unix_ms(pref.set_unix_ms))
                },
            ]);
        }
        for list in store.patient_playlists(p.id)? {
            numbered += 1;
            let name = if d {
                format!("playlist {numbered}")
            } else {
                list.name
            };
            for (i, track) in list.tracks.into_iter().enumerate() {
                t_playlists.rows.push(vec![
                    code_of(Some(p.id)),
                    json!(name),
                    json!(i + 1),
                    json!(track_column(track, d)),
                ]);
            }
        }
    }
    Ok((t_prefs, t_playlists))
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Writes `tables` into `dir` (created if needed); returns the files written.
pub fn write_tables(
    tables: &[Table],
    format: ExportFormat,
    dir: &Path,
    options: ExportOptions,
) -> Result<Vec<PathBuf>, StoreError> {
    let fail = |path: &Path, e: &dyn std::fmt::Display| StoreError::Export {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(dir, &e))?;
    let mut written = Vec::new();
    match format {
        ExportFormat::Csv => {
            for t in tables {
                let path = dir.join(format!("{}.csv", t.name));
                let mut w = csv::Writer::from_path(&path).map_err(|e| fail(&path, &e))?;
                w.write_record(&t.columns).map_err(|e| fail(&path, &e))?;
                for row in &t.rows {
                    w.write_record(row.iter().map(cell))
                        .map_err(|e| fail(&path, &e))?;
                }
                w.flush().map_err(|e| fail(&path, &e))?;
                written.push(path);
            }
        }
        ExportFormat::Json => {
            let path = dir.join("export.json");
            let mut obj = serde_json::Map::new();
            for t in tables {
                let rows: Vec<Value> = t
                    .rows
                    .iter()
                    .map(|r| {
                        Value::Object(
                            t.columns
                                .iter()
                                .zip(r)
                                .map(|(c, v)| ((*c).to_string(), v.clone()))
                                .collect(),
                        )
                    })
                    .collect();
                obj.insert(t.name.to_string(), Value::Array(rows));
            }
            let doc = json!({
                "format": "entrain-export",
                "version": 1,
                "deidentified": options.deidentified,
                "tables": Value::Object(obj),
            });
            let mut file = std::fs::File::create(&path).map_err(|e| fail(&path, &e))?;
            serde_json::to_writer_pretty(&mut file, &doc).map_err(|e| fail(&path, &e))?;
            file.write_all(b"\n").map_err(|e| fail(&path, &e))?;
            file.sync_all().map_err(|e| fail(&path, &e))?;
            written.push(path);
        }
    }
    Ok(written)
}
