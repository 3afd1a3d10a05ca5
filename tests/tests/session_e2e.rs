//! End to end: a real recording (Truong et al. 2019, from `../shared/datasets`; the gaitmap
//! fixture in `data/fixtures` when the shared folder is absent) replayed through the whole engine
//! into a temporary database as one headless RAS session; the stored steps must be exactly the
//! foot detector's output on the file, and the export must open in pandas with the expected
//! columns and row counts. Needs Debian's `python3-pandas` (scripts/install-deps.sh); fails, never
//! skips, without it.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;

use entrain_analysis::export::export_sessions;
use entrain_cue::Phase;
use entrain_engine::EngineConfig;
use entrain_engine::runtime::{self, AudioOutput, Clock, Recording, RuntimeConfig};
use entrain_gait::detect::{FootDetector, FootDetectorConfig};
use entrain_gait::{GaitEventKind, Placement, StreamingDetector};
use entrain_replay::{self as replay, Dataset, ReplaySource};
use entrain_store::export::{ExportFormat, ExportOptions};
use entrain_store::{SessionStatus, Store};

fn recording() -> replay::Recording {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = manifest.join("../../shared/datasets/truong2019_ipol_gait");
    if shared.join("manifest.csv").exists() {
        let trials = replay::list_trials(Dataset::Truong, &shared).unwrap();
        // A neurological patient's long walk (117 s).
        let trial = trials.iter().find(|t| t.code == "185-2").unwrap();
        return replay::load_trial(&shared, trial).unwrap();
    }
    let fixture = manifest.join("../data/fixtures/gaitmap");
    let trials = replay::list_trials(Dataset::Gaitmap, &fixture).unwrap();
    replay::load_trial(&fixture, &trials[0]).unwrap()
}

fn python() -> PathBuf {
    // Debian's interpreter, where python3-pandas installs (a pyenv python3 may come first on PATH).
    let debian = PathBuf::from("/usr/bin/python3");
    if debian.exists() {
        debian
    } else {
        PathBuf::from("python3")
    }
}

#[test]
fn a_replayed_recording_runs_a_whole_session_into_the_record_and_exports_for_pandas() {
    let rec = recording();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    let mut engine = EngineConfig::default();
    engine.protocol.baseline = entrain_cue::config::UncuedLength::Secs(20.0);
    let config = RuntimeConfig {
        engine,
        clock: Clock::Simulated,
        tick_nanos: 10_000_000,
        audio: AudioOutput::Off,
        music: None,
        recording: Some(Recording {
            db_path: db.clone(),
            patient_id: None,
            source_label: format!("replay:{}", rec.trial),
        }),
        max_nanos: None,
        auto_start: true,
    };
    let handle = runtime::start(config, Box::new(ReplaySource::from_recording(&rec))).unwrap();
    for _ in handle.events().iter() {}
    let summary = handle.join().unwrap();
    assert_eq!(summary.status, SessionStatus::Stopped, "{}", summary.reason);
    assert!(
        summary.reason.contains("source ended"),
        "{}",
        summary.reason
    );
    assert!(summary.store_error.is_none());
    let id = summary.session_id.unwrap();

    // The same detector run directly on the file, foot by foot.
    let mut expected: Vec<(i64, &str)> = Vec::new();
    for stream in &rec.streams {
        let Placement::Foot(side) = stream.placement else {
            continue;
        };
        let mut d =
            FootDetector::new(Some(side), FootDetectorConfig::new(rec.sample_rate_hz)).unwrap();
        let mut events = Vec::new();
        for s in &stream.samples {
            d.push(s, &mut events);
        }
        expected.extend(
            events
                .iter()
                .filter(|e| e.kind == GaitEventKind::InitialContact)
                .map(|e| (e.event_time_nanos, e.side.unwrap_or(side).as_str())),
        );
    }
    expected.sort();
    let store = Store::open(&db).unwrap();
    let mut stored: Vec<(i64, &str)> = store
        .steps(id)
        .unwrap()
        .into_iter()
        .map(|s| (s.time_nanos, s.side.as_str()))
        .collect();
    stored.sort();
    assert!(
        expected.len() > 40,
        "only {} steps in the file",
        expected.len()
    );
    assert_eq!(
        stored, expected,
        "stored steps differ from the detector on the file"
    );

    let session = store.session(id).unwrap();
    assert_eq!(session.status, SessionStatus::Stopped);
    let phases = store.phases(id).unwrap();
    assert!(phases.len() >= 2, "{phases:?}");
    assert_eq!(phases[0].phase, Phase::Baseline);
    assert_eq!(phases[1].phase, Phase::Matched);
    let beats = store.beats(id).unwrap();
    assert!(beats.len() > 20, "{} beats", beats.len());
    assert!(
        beats
            .iter()
            .all(|b| b.played_nanos == Some(b.scheduled_nanos))
    );
    let raw = store.raw_samples(id).unwrap();
    assert_eq!(
        raw.iter().map(|(_, s)| s.len()).sum::<usize>(),
        rec.streams.iter().map(|s| s.samples.len()).sum::<usize>()
    );

    // Export and read it with pandas.
    let csv_dir = dir.path().join("csv");
    let json_dir = dir.path().join("json");
    export_sessions(
        &store,
        &[id],
        ExportFormat::Csv,
        &csv_dir,
        ExportOptions::default(),
    )
    .unwrap();
    export_sessions(
        &store,
        &[id],
        ExportFormat::Json,
        &json_dir,
        ExportOptions::default(),
    )
    .unwrap();
    let script = r#"
import json, sys
import pandas as pd
csv_dir, json_dir = sys.argv[1], sys.argv[2]
out = {}
for name in ["sessions", "patients", "sensors", "phases", "steps", "beats", "tempo_changes", "events", "clinical_tests"]:
    df = pd.read_csv(f"{csv_dir}/{name}.csv")
    out[name] = [len(df), list(df.columns)]
steps = pd.read_csv(f"{csv_dir}/steps.csv")
assert steps["time_nanos"].dtype.kind == "i", steps.dtypes
assert set(steps["side"]) <= {"left", "right"}
doc = json.load(open(f"{json_dir}/export.json"))
js = pd.DataFrame(doc["tables"]["steps"])
out["json_steps"] = [len(js), list(js.columns)]
out["json_beats"] = [len(pd.DataFrame(doc["tables"]["beats"])), []]
print(json.dumps(out))
"#;
    let output = Command::new(python())
        .arg("-c")
        .arg(script)
        .arg(&csv_dir)
        .arg(&json_dir)
        .output()
        .expect("python3 (with python3-pandas) must be installed: scripts/install-deps.sh");
    assert!(
        output.status.success(),
        "pandas could not read the export: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let rows = |name: &str| seen[name][0].as_u64().unwrap() as usize;
    let cols = |name: &str| -> Vec<String> {
        seen[name][1]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(rows("steps"), expected.len());
    assert_eq!(rows("json_steps"), expected.len());
    assert_eq!(
        cols("steps"),
        [
            "session_id",
            "time_s",
            "time_nanos",
            "side",
            "detected_at_s",
            "latency_ms",
            "phase"
        ]
    );
    // JSON records carry the same fields (object keys are unordered).
    let mut json_cols = cols("json_steps");
    let mut csv_cols = cols("steps");
    json_cols.sort();
    csv_cols.sort();
    assert_eq!(json_cols, csv_cols);
    assert_eq!(rows("beats"), beats.len());
    assert_eq!(rows("json_beats"), beats.len());
    assert_eq!(
        cols("beats"),
        [
            "session_id",
            "scheduled_s",
            "played_s",
            "scheduled_nanos",
            "played_nanos",
            "tempo_spm",
            "target_spm",
            "volume",
            "phase"
        ]
    );
    assert_eq!(rows("phases"), phases.len());
    assert_eq!(rows("sessions"), 1);
    assert_eq!(
        rows("tempo_changes"),
        store.tempo_changes(id).unwrap().len()
    );
    assert_eq!(rows("sensors"), rec.streams.len());
    assert_eq!(rows("clinical_tests"), 0);
    assert_eq!(cols("clinical_tests")[0], "patient");
}
