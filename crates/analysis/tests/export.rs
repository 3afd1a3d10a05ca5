//! `entrain export` on a real record: the record's tables as the store writes them, and beside them
//! the measures of each session, equal to what the analysis (and so the screen and the reports)
//! says.
#![allow(clippy::unwrap_used)]

use entrain_analysis::WalkMeasure;
use entrain_analysis::analyse_session;
use entrain_analysis::export::{export_patient, export_sessions};
use entrain_cue::Phase;
use entrain_sim::Preset;
use entrain_store::export::{ExportFormat, ExportOptions, build_tables, write_tables};
use entrain_store::{AffectedSide, ClinicalTestKind, NewPatient, Store};
use entrain_tests::sessions::record_simulated_session;

#[test]
fn the_export_adds_the_analysis_measures_beside_the_record_tables() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.sqlite3");
    let mut store = Store::open(&db).unwrap();
    let p = store
        .add_patient(&NewPatient {
            code: "EXP-01".into(),
            affected_side: Some(AffectedSide::Left),
            ..NewPatient::default()
        })
        .unwrap();
    drop(store);
    let id = record_simulated_session(&db, Some(p.id), Preset::Asymmetric, &[]).unwrap();
    let mut store = Store::open(&db).unwrap();
    store
        .add_clinical_test(p.id, Some(id), ClinicalTestKind::TenMetreWalk, 0.7, "")
        .unwrap();

    let out = dir.path().join("csv");
    let files = export_sessions(
        &store,
        &[id],
        ExportFormat::Csv,
        &out,
        ExportOptions::default(),
    )
    .unwrap();
    assert_eq!(files.len(), 13);
    // The record's own tables are exactly what the store writes.
    let plain = dir.path().join("plain");
    let options = ExportOptions::default();
    let tables = build_tables(&store, &[id], &[], options).unwrap();
    for f in write_tables(&tables, ExportFormat::Csv, &plain, options).unwrap() {
        let name = f.file_name().unwrap();
        assert_eq!(
            std::fs::read(&f).unwrap(),
            std::fs::read(out.join(name)).unwrap(),
            "{name:?}"
        );
    }

    let a = analyse_session(&store, id).unwrap();
    let measures = std::fs::read_to_string(out.join("measures.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(measures.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["session_id", "phase", "measure", "value", "unit"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let value = |phase: &str, measure: &str| -> f64 {
        rows.iter()
            .find(|r| &r[1] == phase && &r[2] == measure)
            .unwrap_or_else(|| panic!("no {phase} {measure} in measures.csv:\n{measures}"))[3]
            .parse()
            .unwrap()
    };
    for m in WalkMeasure::ALL {
        let expected = a.baseline.as_ref().and_then(|b| m.of(b));
        if let Some(expected) = expected {
            assert_eq!(value("baseline", m.code()), expected, "{}", m.code());
        }
    }
    assert_eq!(
        value("retest", "cadence_spm"),
        a.retest.unwrap().cadence_spm
    );
    // Simulated time: on the wall clock the re-test starts minutes from now, so the walk filed now
    // is the baseline's.
    assert_eq!(value("baseline", "gait_speed_10mwt_mps"), 0.7);
    assert_eq!(
        value("baseline", "steps"),
        a.phase(Phase::Baseline).unwrap().steps as f64
    );
    assert!(
        rows.iter()
            .filter(|r| &r[2] == "steps")
            .all(|r| r[3].parse::<u64>().is_ok()),
        "step counts are whole numbers:\n{measures}"
    );
    let matched_r = a
        .phase(Phase::Matched)
        .and_then(|p| p.sync)
        .unwrap()
        .resultant_length;
    assert_eq!(value("matched", "resultant_length"), matched_r);

    // JSON: the same table under "measures".
    let out = dir.path().join("json");
    export_patient(&store, p.id, ExportFormat::Json, &out, options).unwrap();
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("export.json")).unwrap()).unwrap();
    let json_rows = doc["tables"]["measures"].as_array().unwrap();
    assert_eq!(json_rows.len(), rows.len());
    assert!(json_rows.iter().any(|r| r["phase"] == "retest"
        && r["measure"] == "cadence_spm"
        && r["value"] == a.retest.unwrap().cadence_spm));
}
