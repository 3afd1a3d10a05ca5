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

#[test]
fn the_music_a_session_played_is_exported_with_it_in_csv_and_json() {
    use entrain_tests::sessions::{Overlay, record_simulated_music_session};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.sqlite3");
    let overlay = Overlay::MusicWithClick {
        click_level: 0.3,
        offbeat_level: 0.6,
    };
    let id =
        record_simulated_music_session(&db, None, Preset::Entrains, "march-4-4", overlay).unwrap();
    let store = Store::open(&db).unwrap();
    let a = analyse_session(&store, id).unwrap();
    assert!(!a.music.is_empty(), "the analysis reads the music played");
    let stored: Vec<_> = store
        .music_segments(id)
        .unwrap()
        .into_iter()
        .map(|m| m.segment)
        .collect();
    assert_eq!(a.music, stored);

    let options = ExportOptions::default();
    let csv_dir = dir.path().join("csv");
    export_sessions(&store, &[id], ExportFormat::Csv, &csv_dir, options).unwrap();
    let text = std::fs::read_to_string(csv_dir.join("music_segments.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), stored.len(), "{text}");
    for (r, m) in rows.iter().zip(&stored) {
        assert_eq!(&r[0], id.to_string());
        assert_eq!(r[1].parse::<f64>().unwrap(), m.start_nanos as f64 / 1e9);
        assert_eq!(r[2].parse::<f64>().unwrap(), m.end_nanos as f64 / 1e9);
        assert_eq!(&r[3], "march-4-4");
        assert_eq!(r[5].parse::<f64>().unwrap(), 104.0);
        assert_eq!(r[6].parse::<f64>().unwrap(), m.played_min_bpm);
        assert_eq!(r[7].parse::<f64>().unwrap(), m.played_max_bpm);
        assert_eq!(&r[10], "music+click");
        assert!((r[11].parse::<f64>().unwrap() - 0.3).abs() < 1e-6);
    }

    let json_dir = dir.path().join("json");
    export_sessions(&store, &[id], ExportFormat::Json, &json_dir, options).unwrap();
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json_dir.join("export.json")).unwrap())
            .unwrap();
    let json_rows = doc["tables"]["music_segments"].as_array().unwrap();
    assert_eq!(json_rows.len(), stored.len(), "{doc}");
    for (r, m) in json_rows.iter().zip(&stored) {
        assert_eq!(r["session_id"], id);
        assert_eq!(r["track"], "march-4-4");
        assert_eq!(r["title"], m.title.as_str());
        // serde_json reads a float back to within an ulp or two, not always exactly.
        let close = |key: &str, want: f64| {
            let got = r[key].as_f64().unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want.abs().max(1.0),
                "{key}: {got} != {want}"
            );
        };
        close("played_min_bpm", m.played_min_bpm);
        close("played_max_bpm", m.played_max_bpm);
        close("stretch_max", m.stretch_max);
        assert_eq!(r["overlay"], "music+click");
        close("start_s", m.start_nanos as f64 / 1e9);
    }

    // A session cued by clicks exports the table's header and no row.
    let clicks = record_simulated_session(&db, None, Preset::Entrains, &[]).unwrap();
    let store = Store::open(&db).unwrap();
    assert!(analyse_session(&store, clicks).unwrap().music.is_empty());
    let none_dir = dir.path().join("none");
    export_sessions(&store, &[clicks], ExportFormat::Csv, &none_dir, options).unwrap();
    let text = std::fs::read_to_string(none_dir.join("music_segments.csv")).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
}
