//! One session, three places a clinician reads its numbers: the Progress screen (through
//! egui_kittest, by what AccessKit exposes), the session report (its PDF read back with
//! `pdftotext`) and the FHIR bundle. Every measure must read the same in all three.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use entrain_analysis::WalkMeasure;
use entrain_analysis::measure::{GAIT_SPEED_DECIMALS, R_DECIMALS, format_value};
use entrain_sim::Preset;
use entrain_store::{AffectedSide, ClinicalTestKind, NewPatient, Store};
use entrain_tests::sessions::record_simulated_session;
use entrain_ui::{EntrainApp, Settings};
use serde_json::Value;

const CODE: &str = "AGREE-07";

/// Every text on screen, in the order the widgets were laid out (AccessKit keeps a label's text
/// as its value, a button's as its label).
fn screen_labels(h: &Harness<'_, EntrainApp>) -> Vec<String> {
    h.query_all_by_label_contains("")
        .filter_map(|n| {
            let node = n.accesskit_node();
            if node.role() == Role::Label {
                node.value()
            } else {
                node.label()
            }
        })
        .collect()
}

/// The `n` labels after the first label equal to `first`.
fn after<'a>(labels: &'a [String], first: &str, n: usize) -> &'a [String] {
    let i = labels
        .iter()
        .position(|l| l == first)
        .unwrap_or_else(|| panic!("{first:?} is not on the Progress screen: {labels:?}"));
    &labels[i + 1..i + 1 + n]
}

/// The last `n` words of the report's line that starts with `label`.
fn pdf_row(text: &str, label: &str, n: usize) -> Vec<String> {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("the session report has no line {label:?}:\n{text}"));
    let words: Vec<&str> = line[label.len()..].split_whitespace().collect();
    words[words.len().saturating_sub(n)..]
        .iter()
        .map(|w| w.to_string())
        .collect()
}

fn observation<'a>(bundle: &'a Value, id: &str) -> Option<&'a Value> {
    bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .find(|r| r["id"] == id)
}

/// A value of the bundle: the observation's own, or its component with local code `component`.
fn fhir_value(bundle: &Value, id: &str, component: Option<&str>) -> Option<f64> {
    let o = observation(bundle, id)?;
    match component {
        None => o["valueQuantity"]["value"].as_f64(),
        Some(code) => o["component"]
            .as_array()?
            .iter()
            .find(|c| c["code"]["coding"][0]["code"] == code)?["valueQuantity"]["value"]
            .as_f64(),
    }
}

/// Where the bundle keeps each walk measure of a phase: (observation suffix, component).
fn fhir_place(m: WalkMeasure) -> (&'static str, Option<&'static str>) {
    match m {
        WalkMeasure::Cadence => ("cadence", None),
        WalkMeasure::StepTimeLeft => ("step-time", Some("step-time-left")),
        WalkMeasure::StepTimeRight => ("step-time", Some("step-time-right")),
        WalkMeasure::StrideTimeLeft => ("stride-time", Some("stride-time-left")),
        WalkMeasure::StrideTimeRight => ("stride-time", Some("stride-time-right")),
        WalkMeasure::SymmetryRatio => ("symmetry-ratio", None),
        WalkMeasure::NormalisedDifference => ("normalised-difference", None),
        WalkMeasure::StepTimeCv => ("step-time-cv", None),
        WalkMeasure::StrideTimeCv => ("stride-time-cv", None),
    }
}

#[test]
fn the_progress_screen_the_session_report_and_the_fhir_bundle_give_the_same_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings::demo(dir.path().to_path_buf());
    let db = settings.database_path();
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    let mut store = Store::open(&db).unwrap();
    let patient = store
        .add_patient(&NewPatient {
            code: CODE.into(),
            year_of_birth: Some(1948),
            affected_side: Some(AffectedSide::Left),
            diagnosis_date: None,
            notes: String::new(),
        })
        .unwrap();
    drop(store);
    let id = record_simulated_session(&db, Some(patient.id), Preset::Asymmetric, &[]).unwrap();
    let mut store = Store::open(&db).unwrap();
    // Two 10 m walks filed with the session. It ran on simulated time, so on the wall clock its
    // re-test starts minutes from now: both walks count as the baseline's gait speed.
    for speed in [0.60, 0.66] {
        store
            .add_clinical_test(
                patient.id,
                Some(id),
                ClinicalTestKind::TenMetreWalk,
                speed,
                "",
            )
            .unwrap();
    }

    // Paper: the session report as pdftotext reads it.
    let pdf = dir.path().join("session.pdf");
    entrain_report::session_pdf(&store, id, &pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    // The bundle.
    let bundle = entrain_report::session_fhir_bundle(&store, id).unwrap();
    drop(store);

    // The screen: open the patient, then Progress; wait for the session's table.
    let ctx = egui::Context::default();
    let app = EntrainApp::new(&ctx, settings);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1500.0, 3200.0))
        .with_max_steps(50)
        .build_ui_state(|ui, app: &mut EntrainApp| app.ui(ui), app);
    let heading = format!("Session #{id}: baseline vs re-test");
    let start = Instant::now();
    let mut opened = false;
    loop {
        h.step();
        if !opened && h.query_by_label(&format!("Open {CODE}")).is_some() {
            h.get_by_label(&format!("Open {CODE}")).click();
            h.step();
            h.get_by_label("Progress").click();
            opened = true;
        }
        if h.query_by_label(&heading).is_some() {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the Progress screen never showed {heading:?}: {:?}",
            screen_labels(&h)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    h.step();
    let labels = screen_labels(&h);

    let mut compared = 0;
    for m in WalkMeasure::ALL {
        let screen = after(&labels, m.label(), 3);
        let paper = pdf_row(&text, m.label(), 3);
        assert_eq!(
            screen,
            &paper[..],
            "{}: screen {screen:?}, session report {paper:?}",
            m.label()
        );
        for (phase, shown) in [("baseline", &screen[0]), ("retest", &screen[1])] {
            let (suffix, component) = fhir_place(m);
            let value = fhir_value(&bundle, &format!("s{id}-{phase}-{suffix}"), component);
            assert_eq!(
                &format_value(value, m.decimals()),
                shown,
                "{} of the {phase}: FHIR {value:?}, screen {shown:?}",
                m.label()
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 18);
    // A real walk has every measure: a table of dashes would agree too, and prove nothing.
    for m in [
        WalkMeasure::Cadence,
        WalkMeasure::SymmetryRatio,
        WalkMeasure::StepTimeCv,
    ] {
        assert_ne!(after(&labels, m.label(), 1)[0], "–", "{}", m.label());
    }

    // Gait speed of the baseline: the mean of its two trials, the same on screen, on paper and in
    // the bundle's 10 m walk observations.
    let speed_label = "Gait speed, 10 m walk test (m/s)";
    let screen = after(&labels, speed_label, 3);
    assert_eq!(screen, ["0.63 (2×)", "–", "–"], "{screen:?}");
    let paper = pdf_row(&text, speed_label, 4);
    assert_eq!(paper, ["0.63", "(2×)", "–", "–"], "{paper:?}");
    let fhir_speeds: Vec<f64> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["code"]["coding"][0]["code"] == "41957-2")
        .filter_map(|r| r["valueQuantity"]["value"].as_f64())
        .collect();
    let mean = fhir_speeds.iter().sum::<f64>() / fhir_speeds.len() as f64;
    assert_eq!(
        format!("{} (2×)", format_value(Some(mean), GAIT_SPEED_DECIMALS)),
        screen[0]
    );

    // Steps and entrainment in the sessions table: steps as the report's header and the bundle's
    // step count give them, R as the best phase of the report's entrainment table and of the
    // bundle's entrainment observations.
    let row = after(&labels, &format!("FHIR #{id}"), 4);
    let (status, steps, r_shown) = (&row[0], &row[1], &row[3]);
    assert_eq!(status, "completed");
    assert!(
        text.contains(&format!("· {steps} steps ·")),
        "{steps} steps not in the report header"
    );
    let fhir_steps = fhir_value(&bundle, &format!("s{id}-steps"), None).unwrap();
    assert_eq!(format!("{fhir_steps}"), *steps);
    let best_fhir_r = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| {
            r["id"]
                .as_str()
                .is_some_and(|i| i.ends_with("-entrainment"))
        })
        .filter_map(|r| {
            r["component"]
                .as_array()?
                .iter()
                .find(|c| c["code"]["coding"][0]["code"] == "resultant-vector-length")?
                ["valueQuantity"]["value"]
                .as_f64()
        })
        .fold(f64::MIN, f64::max);
    assert_eq!(&format_value(Some(best_fhir_r), R_DECIMALS), r_shown);
    let best_paper_r = text
        .lines()
        .skip_while(|l| !l.starts_with("Entrainment per phase"))
        .skip(2)
        .take_while(|l| !l.trim().is_empty() && !l.starts_with("Clinical tests"))
        .filter_map(|l| {
            // Phase, min, steps, cadence, beats, asynchrony, R, ...: R is the 4th word from the
            // right (R, Rayleigh p, period %, category).
            let words: Vec<&str> = l.split_whitespace().collect();
            words.get(words.len().checked_sub(4)?)?.parse::<f64>().ok()
        })
        .fold(f64::MIN, f64::max);
    assert_eq!(&format_value(Some(best_paper_r), R_DECIMALS), r_shown);
}
