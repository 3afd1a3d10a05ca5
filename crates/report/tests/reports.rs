//! End-to-end tests of the reports and the FHIR export on a store holding real sessions: the
//! session engine runs the RAS protocol with a virtual patient on simulated time and records
//! into a fresh database; the PDFs are rendered to images with poppler's `pdftoppm` and read back
//! with `pdftotext`; the FHIR bundle is validated by `fhir.resources` (an independent Python
//! implementation generated from the FHIR R4 specification) in a virtual environment the test
//! creates.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use entrain_cue::Phase;
use entrain_gait::Side;
use entrain_gait::metrics::{FootEvent, GaitMetrics, MetricsConfig};
use entrain_sim::Preset;
use entrain_store::{AffectedSide, ClinicalTestKind, NewPatient, Store};
use entrain_tests::sessions::record_simulated_session;
use serde_json::Value;

const DAY_MS: i64 = 86_400_000;

/// Runs one simulated RAS session for `patient_id`, marking `note` at the start; returns its id.
fn record_session(db: &Path, patient_id: i64, preset: Preset, note: &str) -> i64 {
    record_simulated_session(db, Some(patient_id), preset, &[note]).unwrap()
}

/// Moves a session (and nothing else) `days` into the past: the store has no API for back-dating,
/// and a progress report needs sessions on different days.
fn backdate_session(db: &Path, session_id: i64, days: i64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute(
        "UPDATE sessions SET started_unix_ms = started_unix_ms - ?2, ended_unix_ms = ended_unix_ms - ?2 WHERE id = ?1",
        rusqlite::params![session_id, days * DAY_MS],
    )
    .unwrap();
}

fn set_test_time(db: &Path, test_id: i64, unix_ms: i64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute(
        "UPDATE clinical_tests SET performed_unix_ms = ?2 WHERE id = ?1",
        rusqlite::params![test_id, unix_ms],
    )
    .unwrap();
}

struct Fixture {
    _dir: tempfile::TempDir,
    db: PathBuf,
    out: PathBuf,
    /// The sessions, oldest first.
    sessions: Vec<i64>,
}

/// What the clinic typed about a patient: the code, notes, a note marked in each of the three
/// sessions and the notes of the 10 m walk tests.
struct PatientText {
    code: &'static str,
    notes: &'static str,
    session_notes: [&'static str; 3],
    walk_test_notes: &'static str,
}

const CODE: &str = "RAS-P017";

const ENGLISH: PatientText = PatientText {
    code: CODE,
    notes: "Right-handed; uses a cane outdoors.",
    session_notes: [
        "patient tired in the second half",
        "knee brace removed before the session",
        "walked the corridor without the cane",
    ],
    walk_test_notes: "comfortable pace",
};

/// A ward in Poland with Czech, Greek and Russian-speaking staff and families: nothing here is
/// in Latin-1, which the PDF base-14 fonts were limited to.
const EUROPEAN: PatientText = PatientText {
    code: "ŁÓDŹ-Σ-Ж-017",
    notes: "Terapeuta Łukasz Wróbel; konsultant Antonín Dvořák; córka Ирина Кузнецова.",
    session_notes: [
        "Ирина Кузнецова: устал во второй половине",
        "Σοφία Παπαδοπούλου: χωρίς νάρθηκα γονάτου",
        "Łukasz Wróbel: przeszedł korytarz bez laski",
    ],
    walk_test_notes: "Dvořák: tempo pohodlné, žádná pomůcka",
};

/// A patient (left hemiparesis) with three sessions on three days and clinical tests.
fn fixture() -> Fixture {
    fixture_for(&ENGLISH)
}

/// [`fixture`] for a patient with these texts.
fn fixture_for(patient: &PatientText) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let pid = {
        let mut store = Store::open(&db).unwrap();
        store
            .add_patient(&NewPatient {
                code: patient.code.into(),
                year_of_birth: Some(1956),
                affected_side: Some(AffectedSide::Left),
                diagnosis_date: Some("2026-09-02".into()),
                notes: patient.notes.into(),
            })
            .unwrap()
            .id
    };
    let plan = [
        (Preset::Asymmetric, 14, [0.46, 0.55]),
        (Preset::Entrains, 7, [0.55, 0.63]),
        (Preset::Entrains, 0, [0.62, 0.74]),
    ];
    let mut sessions = Vec::new();
    for ((preset, days_ago, [before, after]), note) in plan.into_iter().zip(patient.session_notes) {
        let id = record_session(&db, pid, preset, note);
        backdate_session(&db, id, days_ago + 1);
        let mut store = Store::open(&db).unwrap();
        let s = store.session(id).unwrap();
        let retest_start_ms = store
            .phases(id)
            .unwrap()
            .iter()
            .find(|p| p.phase == Phase::Retest)
            .map(|p| s.started_unix_ms + p.start_nanos / 1_000_000)
            .unwrap();
        let t0 = store
            .add_clinical_test(
                pid,
                Some(id),
                ClinicalTestKind::TenMetreWalk,
                before,
                patient.walk_test_notes,
            )
            .unwrap();
        set_test_time(&db, t0, s.started_unix_ms - 60_000);
        let t1 = store
            .add_clinical_test(
                pid,
                Some(id),
                ClinicalTestKind::TenMetreWalk,
                after,
                patient.walk_test_notes,
            )
            .unwrap();
        set_test_time(&db, t1, retest_start_ms + 120_000);
        if days_ago == 0 {
            for (kind, value) in [
                (ClinicalTestKind::SixMinuteWalk, 212.0),
                (ClinicalTestKind::TimedUpAndGo, 17.4),
                (ClinicalTestKind::Fac, 3.0),
            ] {
                let t = store
                    .add_clinical_test(pid, Some(id), kind, value, "")
                    .unwrap();
                set_test_time(&db, t, retest_start_ms + 300_000);
            }
        }
        sessions.push(id);
    }
    Fixture {
        _dir: dir,
        db,
        out,
        sessions,
    }
}

fn tool(name: &str, args: &[&str]) -> std::process::Output {
    let out = Command::new(name).args(args).output().unwrap_or_else(|e| {
        panic!("{name} not found ({e}): install poppler-utils (scripts/install-deps.sh)")
    });
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Poppler reports a damaged font or stream on stderr and carries on.
    assert!(
        out.stderr.is_empty(),
        "{name} {args:?} complained: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The PDF's fonts as `pdffonts` lists them: one embedded, subsetted TrueType CID font with a
/// ToUnicode map, and nothing else (no base-14 font, which could only show Latin-1).
fn check_fonts(pdf: &Path) {
    let out = tool("pdffonts", &[pdf.to_str().unwrap()]);
    let listing = String::from_utf8_lossy(&out.stdout);
    // name  type  encoding  emb sub uni  object ID; the header and a rule come first.
    let fonts: Vec<Vec<&str>> = listing
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(fonts.len(), 1, "{listing}");
    let f = &fonts[0];
    let (name, rest) = (f[0], &f[1..]);
    let tag = name
        .strip_suffix("+Ubuntu-Light")
        .unwrap_or_else(|| panic!("{listing}"));
    assert!(
        tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()),
        "{listing}"
    );
    assert_eq!(
        rest[..rest.len() - 2],
        ["CID", "TrueType", "Identity-H", "yes", "yes", "yes"],
        "{listing}"
    );
}

fn pdf_pages(pdf: &Path) -> usize {
    let info = tool("pdfinfo", &[pdf.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&info.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap()
}

fn pdf_text(pdf: &Path) -> String {
    let out = tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every word of the PDF with its right edge and top, points (`pdftotext -bbox`).
fn pdf_words(pdf: &Path) -> Vec<(String, f64, f64)> {
    let out = tool("pdftotext", &["-bbox", pdf.to_str().unwrap(), "-"]);
    let html = String::from_utf8_lossy(&out.stdout);
    let attr = |line: &str, name: &str| -> f64 {
        let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        let end = start + line[start..].find('"').unwrap();
        line[start..end].parse().unwrap()
    };
    html.lines()
        .filter(|l| l.trim_start().starts_with("<word "))
        .map(|l| {
            let text = l[l.find('>').unwrap() + 1..l.rfind("</word>").unwrap()].to_string();
            (text, attr(l, "xMax"), attr(l, "yMin"))
        })
        .collect()
}

/// Every word lies within the 40 pt margins left and right, as poppler measures it: text laid
/// out with the font's widths fits where the layout meant it to.
fn check_margins(pdf: &Path) {
    let out = tool("pdftotext", &["-bbox", pdf.to_str().unwrap(), "-"]);
    let html = String::from_utf8_lossy(&out.stdout);
    let attr = |line: &str, name: &str| -> f64 {
        let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        let end = start + line[start..].find('"').unwrap();
        line[start..end].parse().unwrap()
    };
    let (left_pt, right_pt) = (40.0 - 0.5, 595.28 - 40.0 + 0.5);
    let outside: Vec<&str> = html
        .lines()
        .filter(|l| l.trim_start().starts_with("<word "))
        .filter(|l| attr(l, "xMin") < left_pt || attr(l, "xMax") > right_pt)
        .collect();
    assert!(outside.is_empty(), "text in the margin: {outside:#?}");
}

/// Renders every page with pdftoppm (PNG for people, PGM for the check) and returns, per page,
/// (width, height, share of pixels that are not white, share that are dark).
fn render_pages(pdf: &Path, prefix: &Path) -> Vec<(usize, usize, f64, f64)> {
    tool(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "110",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    tool(
        "pdftoppm",
        &[
            "-gray",
            "-r",
            "60",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let dir = prefix.parent().unwrap();
    let stem = prefix.file_name().unwrap().to_str().unwrap();
    let mut pgms: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_str().unwrap();
            name.starts_with(stem) && name.ends_with(".pgm")
        })
        .collect();
    pgms.sort();
    let pngs = std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            let name = name.to_str().unwrap();
            name.starts_with(stem) && name.ends_with(".png")
        })
        .count();
    assert_eq!(pngs, pgms.len(), "one PNG per page");
    pgms.iter()
        .map(|p| {
            let bytes = std::fs::read(p).unwrap();
            // Binary PGM: "P5\n<w> <h>\n255\n" then one byte per pixel.
            let mut fields = Vec::new();
            let mut i = 0;
            while fields.len() < 4 {
                while bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                let start = i;
                while !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                fields.push(String::from_utf8_lossy(&bytes[start..i]).into_owned());
            }
            assert_eq!(fields[0], "P5");
            let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
            let pixels = &bytes[i + 1..];
            assert_eq!(pixels.len(), w * h);
            let inked = pixels.iter().filter(|&&v| v < 250).count() as f64 / pixels.len() as f64;
            let dark = pixels.iter().filter(|&&v| v < 100).count() as f64 / pixels.len() as f64;
            (w, h, inked, dark)
        })
        .collect()
}

fn uncued_metrics(store: &Store, session_id: i64, phase: Phase) -> GaitMetrics {
    let ics: Vec<FootEvent> = store
        .steps(session_id)
        .unwrap()
        .iter()
        .filter(|s| s.phase == Some(phase))
        .map(|s| FootEvent {
            time_nanos: s.time_nanos,
            side: s.side,
        })
        .collect();
    GaitMetrics::from_events(
        &ics,
        &[],
        MetricsConfig {
            paretic: Some(Side::Left),
            ..MetricsConfig::default()
        },
    )
    .unwrap()
}

/// Copies a rendered page into docs/screenshots when ENTRAIN_UPDATE_SCREENSHOTS is set.
fn keep_screenshot(png: &Path, name: &str) {
    if std::env::var_os("ENTRAIN_UPDATE_SCREENSHOTS").is_some() {
        let dest = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../docs/screenshots")
            .join(name);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(png, &dest).unwrap();
    }
}

#[test]
fn session_report_progress_report_and_fhir_bundle() {
    let fx = fixture();
    let store = Store::open(&fx.db).unwrap();
    let last = *fx.sessions.last().unwrap();

    // --- The session report: one A4 page with the measures.
    let pdf = fx.out.join("session.pdf");
    entrain_report::session_pdf(&store, last, &pdf).unwrap();
    assert_eq!(pdf_pages(&pdf), 1);
    check_fonts(&pdf);
    check_margins(&pdf);
    let bytes = std::fs::metadata(&pdf).unwrap().len();
    eprintln!("session report: {bytes} bytes");
    // The font is a subset (the whole of Ubuntu Light is 362 kB, 170 kB compressed).
    assert!(bytes < 100_000, "{bytes} bytes");
    let pages = render_pages(&pdf, &fx.out.join("session"));
    assert_eq!(pages.len(), 1);
    let (w, h, inked, dark) = pages[0];
    // A4 portrait at 60 dpi: 496 x 702.
    assert!(
        (w as f64 / h as f64 - 595.28 / 841.89).abs() < 0.01,
        "{w}x{h}"
    );
    // (Ubuntu Light's thin strokes make fewer dark pixels than Helvetica did: 0.0097 here.)
    assert!(
        inked > 0.05 && dark > 0.005,
        "page looks blank: {inked:.3} inked, {dark:.3} dark"
    );
    keep_screenshot(&fx.out.join("session-1.png"), "session-report.png");

    let text = pdf_text(&pdf);
    let baseline = uncued_metrics(&store, last, Phase::Baseline);
    let retest = uncued_metrics(&store, last, Phase::Retest);
    for needle in [
        "RAS session report",
        CODE,
        &format!("Session {last}"),
        "Cadence (steps/min)",
        &format!("{:.1}", baseline.cadence_spm),
        &format!("{:.1}", retest.cadence_spm),
        &format!("{:.3}", baseline.step_time_left_secs),
        &format!("{:.3}", retest.step_time_right_secs),
        &format!("{:.3}", baseline.symmetry_ratio.unwrap()),
        &format!("{:.1}", retest.step_time_cv_percent),
        "Symmetry ratio (paretic / non-paretic step time)",
        "Gait speed, 10 m walk test (m/s)",
        "0.62",
        "0.74",
        "Tempo curve and phases",
        "Session time (min)",
        "Matched cue",
        "Progression",
        "Re-test (no cue)",
        "walked the corridor without the cane",
        "6 minute walk test (distance): 212 m",
        "Timed Up and Go: 17.4 s",
        "Tempo adaptation",
        "PhaseCorrection",
    ] {
        assert!(
            text.contains(needle),
            "session report lacks {needle:?}:\n{text}"
        );
    }

    // Right-aligned columns line up as poppler measures them (with the widths the PDF gives): the
    // bold header (stroked and spaced) and the regular numbers under it end at the same x.
    let words = pdf_words(&pdf);
    let right_edge = |text: &str, y_range: std::ops::Range<f64>| {
        words
            .iter()
            .find(|w| w.0 == text && y_range.contains(&w.2))
            .unwrap_or_else(|| panic!("no word {text:?}"))
            .1
    };
    let header_y = words
        .iter()
        .find(|w| w.0 == "Measure")
        .map(|w| w.2)
        .unwrap();
    let rows = header_y..header_y + 30.0;
    for (header, value) in [
        ("Baseline", format!("{:.1}", baseline.cadence_spm)),
        ("Re-test", format!("{:.1}", retest.cadence_spm)),
    ] {
        let h = right_edge(header, header_y - 1.0..header_y + 1.0);
        let v = right_edge(&value, rows.clone());
        assert!((h - v).abs() < 0.05, "{header} ends at {h}, {value} at {v}");
    }

    // --- The progress report: trend charts over the three sessions, thresholds, the table.
    let pdf = fx.out.join("progress.pdf");
    entrain_report::patient_pdf(&store, CODE, &pdf).unwrap();
    let n = pdf_pages(&pdf);
    assert!((1..=2).contains(&n), "{n} pages");
    check_fonts(&pdf);
    check_margins(&pdf);
    let bytes = std::fs::metadata(&pdf).unwrap().len();
    eprintln!("progress report: {bytes} bytes");
    assert!(bytes < 100_000, "{bytes} bytes");
    let pages = render_pages(&pdf, &fx.out.join("progress"));
    assert_eq!(pages.len(), n);
    for (i, &(_, _, inked, dark)) in pages.iter().enumerate() {
        assert!(
            inked > 0.02 && dark > 0.002,
            "page {i} looks blank: {inked:.3} inked, {dark:.4} dark"
        );
    }
    keep_screenshot(&fx.out.join("progress-1.png"), "progress-report.png");
    let text = pdf_text(&pdf);
    for needle in [
        "RAS progress report",
        CODE,
        "3 sessions",
        "Gait speed, 10 m walk test",
        "household < 0.4 m/s",
        "limited community 0.4-0.8 m/s",
        "community >= 0.8 m/s",
        "MCID band: first day + 0.13 to 0.16 m/s",
        "Cadence, uncued",
        "Symmetry ratio (paretic / non-paretic)",
        "Step time variability, CV (%)",
        "Clinical tests",
        "6 minute walk test (distance)",
        "uses a cane outdoors",
    ] {
        assert!(
            text.contains(needle),
            "progress report lacks {needle:?}:\n{text}"
        );
    }
    for &id in &fx.sessions {
        let s = store.session(id).unwrap();
        let date = &entrain_store::time::format_unix_ms(s.started_unix_ms)[..10];
        assert!(
            text.contains(date),
            "progress report lacks session {id} of {date}"
        );
        let m = uncued_metrics(&store, id, Phase::Retest);
        assert!(
            text.contains(&format!("{:.1}", m.cadence_spm)),
            "session {id} re-test cadence"
        );
    }

    // --- The FHIR bundle: structure here, validity by fhir.resources.
    let json_path = fx.out.join("bundle.json");
    entrain_report::session_fhir_json(&store, last, &json_path).unwrap();
    let bundle: Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    check_bundle(&bundle, &baseline, &retest);
    validate_with_fhir_resources(&json_path);

    // The validator does reject what R4 forbids: an Observation without its required code, a
    // quantity whose value is text. (fhir.resources checks structure, types and cardinality,
    // not code bindings: a made-up status would pass it.)
    let mut broken = bundle.clone();
    let entries = broken["entry"].as_array_mut().unwrap();
    let mut observations = entries
        .iter_mut()
        .filter(|e| e["resource"]["resourceType"] == "Observation");
    let first = observations.next().unwrap();
    first["resource"]["valueQuantity"]["value"] = Value::from("seventy");
    let second = observations.next().unwrap();
    second["resource"].as_object_mut().unwrap().remove("code");
    let broken_path = fx.out.join("broken.json");
    std::fs::write(&broken_path, serde_json::to_vec(&broken).unwrap()).unwrap();
    let (ok, report) = run_validator(&broken_path);
    assert!(!ok, "a broken bundle passed:\n{report}");
    assert_eq!(
        report.lines().filter(|l| l.starts_with("FAILED ")).count(),
        2,
        "{report}"
    );
    eprintln!("{report}");
}

fn find<'a>(bundle: &'a Value, id: &str) -> &'a Value {
    bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no resource {id}"))
}

fn check_bundle(bundle: &Value, baseline: &GaitMetrics, retest: &GaitMetrics) {
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    let entries = bundle["entry"].as_array().unwrap();
    let patient = entries
        .iter()
        .map(|e| &e["resource"])
        .find(|r| r["resourceType"] == "Patient")
        .unwrap();
    assert_eq!(patient["identifier"][0]["value"], CODE);
    assert!(patient.get("name").is_none(), "no names in the export");
    let observations: Vec<&Value> = entries
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == "Observation")
        .collect();
    assert!(
        observations.len() >= 15,
        "{} observations",
        observations.len()
    );
    for o in &observations {
        assert_eq!(o["status"], "final");
        assert_eq!(o["subject"]["reference"], patient_ref(patient));
        assert_eq!(o["subject"]["identifier"]["value"], CODE);
        let system = o["code"]["coding"][0]["system"].as_str().unwrap();
        assert!(
            system == "http://loinc.org" || system == entrain_report::fhir::LOCAL_CODE_SYSTEM,
            "{system}"
        );
        for q in std::iter::once(&o["valueQuantity"]).chain(
            o["component"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| &c["valueQuantity"]),
        ) {
            if !q.is_null() {
                assert_eq!(q["system"], "http://unitsofmeasure.org", "{o}");
            }
        }
    }
    let id = bundle["identifier"]["value"].as_str().unwrap();
    let cad = find(bundle, &format!("s{id}-baseline-cadence"));
    assert_eq!(cad["valueQuantity"]["code"], "/min");
    assert!((cad["valueQuantity"]["value"].as_f64().unwrap() - baseline.cadence_spm).abs() < 1e-3);
    assert_eq!(cad["method"]["coding"][0]["code"], "baseline");
    let steps = find(bundle, &format!("s{id}-retest-step-time"));
    let comps = steps["component"].as_array().unwrap();
    assert_eq!(comps[0]["code"]["coding"][0]["code"], "step-time-left");
    assert!(
        (comps[1]["valueQuantity"]["value"].as_f64().unwrap() - retest.step_time_right_secs).abs()
            < 1e-5
    );
    assert_eq!(comps[1]["valueQuantity"]["code"], "s");
    let sr = find(bundle, &format!("s{id}-retest-symmetry-ratio"));
    assert_eq!(sr["valueQuantity"]["code"], "1");
    assert_eq!(
        find(bundle, &format!("s{id}-steps"))["code"]["coding"][0]["code"],
        "55423-8"
    );
    let codes: Vec<&str> = observations
        .iter()
        .filter_map(|o| o["code"]["coding"][0]["code"].as_str())
        .collect();
    for loinc in ["55423-8", "41957-2", "64098-7"] {
        assert!(codes.contains(&loinc), "LOINC {loinc} missing: {codes:?}");
    }
    for local in [
        "cadence",
        "entrainment",
        "timed-up-and-go",
        "functional-ambulation-category",
    ] {
        assert!(codes.contains(&local), "{local} missing");
    }
    let speed = observations
        .iter()
        .find(|o| o["code"]["coding"][0]["code"] == "41957-2")
        .unwrap();
    assert_eq!(speed["valueQuantity"]["code"], "m/s");
    assert_eq!(speed["category"][0]["coding"][0]["code"], "exam");
}

fn patient_ref(patient: &Value) -> String {
    format!("Patient/{}", patient["id"].as_str().unwrap())
}

/// A virtual environment with the pinned validator under the test's target folder.
fn fhir_python() -> PathBuf {
    // The tests run in parallel: one builds the environment, the others wait for it.
    static BUILDING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _building = BUILDING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fhir-r4-venv");
    let python = venv.join("bin/python");
    let requirements = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fhir-requirements.txt");
    let stamp = venv.join("requirements.txt");
    let wanted = std::fs::read_to_string(&requirements).unwrap();
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(wanted.as_str()) {
        let _ = std::fs::remove_dir_all(&venv);
        let run = |cmd: &mut Command| {
            let out = cmd.output().unwrap_or_else(|e| {
                panic!("{cmd:?}: {e} (python3 and python3-venv come from scripts/install-deps.sh)")
            });
            assert!(
                out.status.success(),
                "{cmd:?}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
        run(Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(&requirements));
        std::fs::write(&stamp, wanted).unwrap();
    }
    python
}

fn run_validator(bundle: &Path) -> (bool, String) {
    let python = fhir_python();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fhir_validate.py");
    let out = Command::new(&python)
        .arg(&script)
        .arg(bundle)
        .output()
        .unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), report)
}

fn validate_with_fhir_resources(bundle: &Path) {
    let (ok, report) = run_validator(bundle);
    assert!(ok, "fhir.resources rejected the bundle:\n{report}");
    assert!(
        report.contains("(FHIR 4.0.1)"),
        "the validator is not FHIR R4: {report}"
    );
    let entries = report.lines().filter(|l| l.starts_with("ok ")).count();
    assert!(entries >= 17, "{report}");
    assert!(report.contains("0 failures"), "{report}");
    eprintln!("{report}");
}

#[test]
fn names_and_notes_in_polish_czech_greek_and_cyrillic_print_as_typed() {
    let fx = fixture_for(&EUROPEAN);
    let store = Store::open(&fx.db).unwrap();

    // Every session's report: the code, the note marked in it, the tests' notes.
    for (i, (&id, note)) in fx.sessions.iter().zip(EUROPEAN.session_notes).enumerate() {
        let pdf = fx.out.join(format!("session-{id}.pdf"));
        entrain_report::session_pdf(&store, id, &pdf).unwrap();
        assert_eq!(pdf_pages(&pdf), 1);
        check_fonts(&pdf);
        check_margins(&pdf);
        let text = pdf_text(&pdf);
        for needle in [
            &format!("Patient {}", EUROPEAN.code),
            note,
            EUROPEAN.walk_test_notes,
            "Baseline vs re-test, both without cue",
            "Session time (min)",
        ] {
            assert!(
                text.contains(needle),
                "session report {id} lacks {needle:?}:\n{text}"
            );
        }
        if i == 2 {
            let pages = render_pages(&pdf, &fx.out.join("session-european"));
            assert!(pages[0].2 > 0.05 && pages[0].3 > 0.005, "{:?}", pages[0]);
        }
    }

    let pdf = fx.out.join("progress.pdf");
    entrain_report::patient_pdf(&store, EUROPEAN.code, &pdf).unwrap();
    assert_eq!(pdf_pages(&pdf), 2);
    check_fonts(&pdf);
    check_margins(&pdf);
    let text = pdf_text(&pdf);
    for needle in [
        &format!("Patient {}", EUROPEAN.code),
        EUROPEAN.notes,
        EUROPEAN.walk_test_notes,
        "Łukasz Wróbel",
        "Dvořák",
        "Ирина Кузнецова",
        "Gait speed, 10 m walk test",
        "3 sessions",
    ] {
        assert!(
            text.contains(needle),
            "progress report lacks {needle:?}:\n{text}"
        );
    }
    render_pages(&pdf, &fx.out.join("progress-european"));
    keep_screenshot(
        &fx.out.join("progress-european-2.png"),
        "progress-report-european.png",
    );
}

/// Text drawn straight through the page and chart layers (what the reports are made of): poppler
/// extracts Greek and Cyrillic chart labels as they were given, and finds right-aligned and
/// centred text, bold or not, where the layout put it.
#[test]
fn chart_labels_and_alignment_in_any_script() {
    use entrain_report::chart::{PdfBackend, u};
    use entrain_report::pdf::{BLACK, Document, Page};
    use entrain_report::text::{Face, text_width_pt};
    use plotters::prelude::*;

    let dir = tempfile::tempdir().unwrap();
    let mut doc = Document::new("Σοφία Παπαδοπούλου - Ирина Кузнецова").unwrap();
    let page = doc.add_page();
    let right_pt = 500.0;
    let lines = [
        (100.0, 12.0, Face::Bold, "Кузнецова"),
        (120.0, 9.0, Face::Regular, "Dvořák"),
        (140.0, 8.0, Face::Bold, "Łukasz Wróbel"),
        (160.0, 8.0, Face::Regular, "Παπαδοπούλου"),
    ];
    for (y, size, face, text) in lines {
        page.text_right(right_pt, y, size, face, BLACK, text);
    }
    let (chart_left_pt, chart_top_pt, chart_w_pt) = (60.0, 200.0, 400.0);
    draw_chart(page, chart_left_pt, chart_top_pt, chart_w_pt);
    let pdf = dir.path().join("scripts.pdf");
    std::fs::write(&pdf, doc.finish().unwrap()).unwrap();
    assert_eq!(pdf_pages(&pdf), 1);
    check_fonts(&pdf);

    let text = pdf_text(&pdf);
    for needle in [
        "Кузнецова",
        "Dvořák",
        "Łukasz Wróbel",
        "Παπαδοπούλου",
        "Βήματα ανά λεπτό",
        "Время сеанса (мин)",
    ] {
        assert!(text.contains(needle), "lacks {needle:?}:\n{text}");
    }
    let words = pdf_words(&pdf);
    let word = |w: &str| {
        words
            .iter()
            .find(|x| x.0 == w)
            .unwrap_or_else(|| panic!("no word {w:?} in {words:?}"))
            .clone()
    };
    for (_, _, _, text) in lines {
        let last = text.split(' ').next_back().unwrap();
        let x_max = word(last).1;
        assert!(
            (x_max - f64::from(right_pt)).abs() < 0.05,
            "{text:?} ends at {x_max}, not {right_pt}"
        );
    }
    // The caption is centred by plotters with the widths the backend reports.
    let caption = "Βήματα ανά λεπτό";
    let (first, last) = ("Βήματα", "λεπτό");
    let x_min = words
        .iter()
        .find(|x| x.0 == first)
        .map(|x| x.1 - f64::from(text_width_pt(first, Face::Bold, 10.0)))
        .unwrap();
    let x_max = word(last).1;
    let centre = f64::from(chart_left_pt + chart_w_pt / 2.0);
    assert!(
        ((x_min + x_max) / 2.0 - centre).abs() < 0.5,
        "{caption:?} spans {x_min}..{x_max}, centre {centre}"
    );

    fn draw_chart(page: &mut Page, left_pt: f32, top_pt: f32, width_pt: f32) {
        let backend = PdfBackend::new(page, left_pt, top_pt, width_pt, 200.0);
        let root = backend.into_drawing_area();
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "Βήματα ανά λεπτό",
                ("sans-serif", u(10.0)).into_font().style(FontStyle::Bold),
            )
            .x_label_area_size(u(24.0))
            .y_label_area_size(u(30.0))
            .build_cartesian_2d(0f64..10.0, 60f64..120.0)
            .unwrap();
        chart
            .configure_mesh()
            .x_desc("Время сеанса (мин)")
            .label_style(("sans-serif", u(7.0)))
            .draw()
            .unwrap();
        root.present().unwrap();
    }
}

#[test]
fn bad_requests_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.sqlite3");
    let mut store = Store::open(&db).unwrap();
    let e = entrain_report::session_pdf(&store, 42, &dir.path().join("x.pdf")).unwrap_err();
    assert!(e.to_string().contains("session 42"), "{e}");
    let e = entrain_report::patient_pdf(&store, "NOBODY", &dir.path().join("x.pdf")).unwrap_err();
    assert!(e.to_string().contains("NOBODY"), "{e}");
    store
        .add_patient(&NewPatient {
            code: "EMPTY".into(),
            ..NewPatient::default()
        })
        .unwrap();
    let e = entrain_report::patient_pdf(&store, "EMPTY", &dir.path().join("x.pdf")).unwrap_err();
    assert!(e.to_string().contains("nothing to report"), "{e}");
    let e = entrain_report::session_fhir_json(&store, 7, &dir.path().join("b.json")).unwrap_err();
    assert!(e.to_string().contains("session 7"), "{e}");
}

#[test]
fn an_empty_session_still_gets_a_report_and_a_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.sqlite3");
    let mut store = Store::open(&db).unwrap();
    let id = store
        .begin_session(&entrain_store::NewSession {
            patient_id: None,
            source: "sim:entrains".into(),
            protocol: "ras".into(),
            settings_json: "{}".into(),
            sensors: Vec::new(),
        })
        .unwrap();
    store
        .end_session(
            id,
            entrain_store::SessionStatus::Stopped,
            "stopped at once",
            0,
        )
        .unwrap();
    let pdf = dir.path().join("empty.pdf");
    entrain_report::session_pdf(&store, id, &pdf).unwrap();
    assert_eq!(pdf_pages(&pdf), 1);
    let text = pdf_text(&pdf);
    assert!(
        text.contains("No protocol settings were recorded"),
        "{text}"
    );
    assert!(text.contains("None recorded."), "{text}");
    let bundle = entrain_report::session_fhir_bundle(&store, id).unwrap();
    let entries = bundle["entry"].as_array().unwrap();
    // No patient, no measures: the code system and the (zero) step count only.
    assert_eq!(entries.len(), 2, "{bundle}");
    assert_eq!(entries[1]["resource"]["valueQuantity"]["value"], 0.0);
    assert!(entries[1]["resource"].get("subject").is_none());
}

#[test]
fn results_print_at_their_precision_and_counts_agree_with_their_nouns() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.sqlite3");
    let mut store = Store::open(&db).unwrap();
    let p = store
        .add_patient(&NewPatient {
            code: "ONE-01".into(),
            affected_side: Some(AffectedSide::Right),
            ..NewPatient::default()
        })
        .unwrap();
    let id = store
        .begin_session(&entrain_store::NewSession {
            patient_id: Some(p.id),
            source: "sim:entrains".into(),
            protocol: "ras".into(),
            settings_json: "{}".into(),
            sensors: Vec::new(),
        })
        .unwrap();
    store
        .end_session(id, entrain_store::SessionStatus::Stopped, "stopped", 0)
        .unwrap();
    // A 10 m walk timed by the stopwatch: 6 m over 8.033 s.
    let speed = 6.0 / 8.033;
    store
        .add_clinical_test(p.id, Some(id), ClinicalTestKind::TenMetreWalk, speed, "")
        .unwrap();

    let pdf = dir.path().join("session.pdf");
    entrain_report::session_pdf(&store, id, &pdf).unwrap();
    let text = pdf_text(&pdf);
    assert!(
        text.contains("10 m walk test (gait speed): 0.75 m/s"),
        "{text}"
    );
    assert!(!text.contains("0.7469"), "{text}");

    let pdf = dir.path().join("progress.pdf");
    entrain_report::patient_pdf(&store, "ONE-01", &pdf).unwrap();
    let text = pdf_text(&pdf);
    assert!(text.contains("1 session · 1 clinical test"), "{text}");
    assert!(
        !text.contains("1 sessions") && !text.contains("0.7469"),
        "{text}"
    );
    assert!(text.contains("0.75"), "{text}");
}

#[test]
fn every_tempo_change_and_note_is_printed_whole_on_further_pages() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.sqlite3");
    let mut store = Store::open(&db).unwrap();
    let id = store
        .begin_session(&entrain_store::NewSession {
            patient_id: None,
            source: "sim:entrains".into(),
            protocol: "ras".into(),
            settings_json: "{}".into(),
            sensors: Vec::new(),
        })
        .unwrap();
    let mut batch = entrain_store::Batch::default();
    for i in 0..90i64 {
        batch.tempo_changes.push(entrain_store::TempoChangeRow {
            time_nanos: i * 2_000_000_000,
            phase: Phase::Progression,
            from_spm: Some(80.0 + i as f64 * 0.1),
            to_spm: 80.1 + i as f64 * 0.1,
            reason: format!(
                "change number {i}, entrained (R 0.9, period match 100 %, asynchrony -20 ms)"
            ),
        });
        batch.events.push(entrain_store::EventRow {
            time_nanos: i * 2_000_000_000,
            phase: Some(Phase::Progression),
            kind: entrain_store::EventKind::Mark,
            detail: format!("note number {i}"),
        });
    }
    batch.now_nanos = 180_000_000_000;
    store.write_batch(id, &batch).unwrap();
    store
        .end_session(
            id,
            entrain_store::SessionStatus::Stopped,
            "stopped",
            180_000_000_000,
        )
        .unwrap();
    let pdf = dir.path().join("long.pdf");
    entrain_report::session_pdf(&store, id, &pdf).unwrap();
    assert!(pdf_pages(&pdf) >= 2, "{} pages", pdf_pages(&pdf));
    let text = pdf_text(&pdf);
    for i in 0..90 {
        assert!(
            text.contains(&format!("change number {i},")),
            "change {i} missing:\n{text}"
        );
        assert!(
            text.contains(&format!("note number {i}\n"))
                || text.contains(&format!("note number {i} ")),
            "note {i} missing"
        );
    }
    assert!(
        !text.contains("more (see the CSV export)") && !text.contains('…'),
        "{text}"
    );
    assert!(
        text.contains("Tempo changes (continued)") && text.contains("Clinician notes (continued)")
    );
    check_margins(&pdf);
}

/// Puts session `session_id` at `unix_ms` (its end moves with it).
fn set_session_start(db: &Path, session_id: i64, unix_ms: i64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute(
        "UPDATE sessions SET ended_unix_ms = ended_unix_ms - started_unix_ms + ?2, started_unix_ms = ?2 WHERE id = ?1",
        rusqlite::params![session_id, unix_ms],
    )
    .unwrap();
}

#[test]
fn the_date_axis_labels_each_day_once_however_many_sessions_fall_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    let pid = Store::open(&db)
        .unwrap()
        .add_patient(&NewPatient {
            code: "DAYS-1".into(),
            affected_side: Some(AffectedSide::Left),
            ..NewPatient::default()
        })
        .unwrap()
        .id;
    // 2026-11-20 at 09:00, 11:00 and 15:00 UTC, and 2026-11-21 at 10:00 UTC.
    let day_ms = entrain_store::time::days_from_civil(2026, 11, 20) * DAY_MS;
    let hour_ms = 3_600_000;
    for (i, at_ms) in [
        day_ms + 9 * hour_ms,
        day_ms + 11 * hour_ms,
        day_ms + 15 * hour_ms,
        day_ms + DAY_MS + 10 * hour_ms,
    ]
    .into_iter()
    .enumerate()
    {
        let id = record_session(&db, pid, Preset::Entrains, &format!("session {i}"));
        set_session_start(&db, id, at_ms);
    }
    let pdf = dir.path().join("progress.pdf");
    entrain_report::patient_pdf(&Store::open(&db).unwrap(), "DAYS-1", &pdf).unwrap();
    let out = tool("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let axes = text.matches("Date (MM-DD)").count();
    assert!(axes >= 3, "{axes} date axes in:\n{text}");
    let words: Vec<&str> = text.split_whitespace().collect();
    for day in ["11-20", "11-21"] {
        let n = words.iter().filter(|w| **w == day).count();
        assert_eq!(n, axes, "{day} on {axes} axes {n} times:\n{text}");
    }
}

/// The pixels of page 1 rendered at `dpi` (`pdftoppm`'s colour PPM): width, height, RGB bytes.
fn render_rgb(pdf: &Path, prefix: &Path, dpi: u32) -> (usize, usize, Vec<u8>) {
    tool(
        "pdftoppm",
        &[
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            "-r",
            &dpi.to_string(),
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let bytes = std::fs::read(prefix.with_extension("ppm")).unwrap();
    // "P6\n<w> <h>\n255\n" then three bytes per pixel.
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..i]).into_owned());
    }
    assert_eq!(fields[0], "P6");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let pixels = bytes[i + 1..].to_vec();
    assert_eq!(pixels.len(), 3 * w * h);
    (w, h, pixels)
}

/// Where the first music band is, px: the columns and rows of the rows mostly in its tint (the
/// legend's swatch, a few pixels a row, is left out).
fn music_band_extent(w: usize, pixels: &[u8]) -> Option<((usize, usize), (usize, usize))> {
    // The report's first music tint, RGB(221, 206, 238); antialiasing blurs only the edges.
    let tint = [221u8, 206, 238];
    let rows: Vec<Vec<usize>> = pixels
        .chunks_exact(3 * w)
        .map(|row| {
            row.chunks_exact(3)
                .enumerate()
                .filter(|(_, p)| p.iter().zip(tint).all(|(&a, b)| a.abs_diff(b) <= 2))
                .map(|(x, _)| x)
                .collect()
        })
        .collect();
    let widest = rows.iter().map(Vec::len).max()?;
    if widest < 20 {
        return None;
    }
    let band: Vec<(usize, &Vec<usize>)> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.len() * 2 >= widest)
        .collect();
    let ys = (band.first()?.0, band.last()?.0);
    let xs = band.iter().fold((usize::MAX, 0), |(lo, hi), (_, r)| {
        (lo.min(r[0]), hi.max(*r.last().unwrap_or(&0)))
    });
    Some((xs, ys))
}

#[test]
fn a_music_session_shows_its_music_by_the_tempo_curve_and_in_the_fhir_bundle() {
    use entrain_tests::sessions::{Overlay, record_simulated_music_session};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.sqlite3");
    let pid = Store::open(&db)
        .unwrap()
        .add_patient(&NewPatient {
            code: "MUS-01".into(),
            affected_side: Some(AffectedSide::Left),
            ..NewPatient::default()
        })
        .unwrap()
        .id;
    let overlay = Overlay::MusicWithClick {
        click_level: 0.3,
        offbeat_level: 0.6,
    };
    let id = record_simulated_music_session(&db, Some(pid), Preset::Entrains, "march-4-4", overlay)
        .unwrap();
    let clicks = record_session(&db, pid, Preset::Entrains, "clicks only");
    let store = Store::open(&db).unwrap();
    let segments: Vec<_> = store
        .music_segments(id)
        .unwrap()
        .into_iter()
        .map(|m| m.segment)
        .collect();
    assert!(!segments.is_empty());
    for s in &segments {
        eprintln!(
            "segment {:.1}-{:.1} s, {:.2}-{:.2} steps/min",
            s.start_nanos as f64 / 1e9,
            s.end_nanos as f64 / 1e9,
            s.played_min_bpm,
            s.played_max_bpm
        );
    }

    // --- The PDF: the table's words and numbers, as poppler reads them.
    let pdf = dir.path().join("music.pdf");
    entrain_report::session_pdf(&store, id, &pdf).unwrap();
    check_fonts(&pdf);
    check_margins(&pdf);
    let text = pdf_text(&pdf);
    let first = &segments[0];
    // A segment's played range as the report words it.
    let played_of = |m: &entrain_store::MusicSegmentRow| {
        if format!("{:.1}", m.played_min_bpm) == format!("{:.1}", m.played_max_bpm) {
            format!("{:.1}", m.played_min_bpm)
        } else {
            format!("{:.1}–{:.1}", m.played_min_bpm, m.played_max_bpm)
        }
    };
    let played = played_of(first);
    let span = format!(
        "{:.1}–{:.1}",
        first.start_nanos as f64 / 60e9,
        first.end_nanos as f64 / 60e9
    );
    for needle in [
        "Tempo curve, phases and music",
        "Music played",
        "Own tempo (bpm)",
        "Played (steps/min)",
        "Stretch % (played / own)",
        "March in 4/4, 104 bpm (march-4-4)",
        "104.0",
        played.as_str(),
        "music+click 30 %",
        span.as_str(),
        "Music (track named in the band)",
    ] {
        assert!(
            text.contains(needle),
            "the report lacks {needle:?}:\n{text}"
        );
    }
    let pages = render_pages(&pdf, &dir.path().join("music"));
    assert!(!pages.is_empty());
    if let Ok(keep) = std::env::var("ENTRAIN_KEEP_MUSIC_REPORT") {
        std::fs::copy(dir.path().join("music-1.png"), &keep).unwrap();
        std::fs::copy(&pdf, Path::new(&keep).with_extension("pdf")).unwrap();
    }
    keep_screenshot(&dir.path().join("music-1.png"), "session-report-music.png");

    // The band: the music's tint in a lane at the top of the chart, from the segment's start to
    // its end along the time axis (the chart's axis spans the session, 0 to its length).
    let (w, _, pixels) = render_rgb(&pdf, &dir.path().join("music-rgb"), 100);
    let ((x0, x1), (y0, y1)) = music_band_extent(w, &pixels).expect("no music band drawn");
    eprintln!("music band: x {x0}..{x1}, y {y0}..{y1} px of {w}");
    assert!(y1 - y0 >= 8 && y1 - y0 <= 25, "band height {y0}..{y1}");
    let a = entrain_report::analyse_session(&store, id).unwrap();
    let only_first_tint = segments.len() == 1;
    if only_first_tint {
        // The plotting area is the chart's width less the tempo labels (30 pt) and margins
        // (3 pt left, 10 pt right): where the segment falls on it, in pixels at 100 dpi.
        let px = |pt: f64| pt * 100.0 / 72.0;
        let (left, width) = (px(40.0 + 3.0 + 30.0), px(515.28 - 3.0 - 10.0 - 30.0));
        let at = |nanos: i64| left + width * nanos as f64 / 1e9 / (a.duration_secs.max(30.0));
        let (want0, want1) = (at(first.start_nanos), at(first.end_nanos));
        assert!(
            (x0 as f64 - want0).abs() <= 3.0 && (x1 as f64 - want1).abs() <= 3.0,
            "band {x0}..{x1} px, the segment {want0:.0}..{want1:.0} px"
        );
    }

    // A session cued by clicks shows none of it.
    let plain = dir.path().join("clicks.pdf");
    entrain_report::session_pdf(&store, clicks, &plain).unwrap();
    let text = pdf_text(&plain);
    assert!(text.contains("Tempo curve and phases"), "{text}");
    assert!(!text.contains("Music") && !text.contains("music"), "{text}");
    let (w, _, pixels) = render_rgb(&plain, &dir.path().join("clicks-rgb"), 100);
    assert_eq!(music_band_extent(w, &pixels), None, "a band without music");

    // --- FHIR: one Observation per segment, written, validated and read back.
    let json_path = dir.path().join("music.json");
    entrain_report::session_fhir_json(&store, id, &json_path).unwrap();
    validate_with_fhir_resources(&json_path);
    let bundle: Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    let music: Vec<&Value> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["code"]["coding"][0]["code"] == "music-segment")
        .collect();
    assert_eq!(music.len(), segments.len(), "{bundle}");
    let session = store.session(id).unwrap();
    // `YYYY-MM-DDTHH:MM:SS.mmmZ` back to Unix ms.
    let unix_ms = |iso: &Value| -> i64 {
        let iso = iso.as_str().unwrap();
        let days = entrain_store::time::parse_date(&iso[..10]).unwrap();
        let n = |r: std::ops::Range<usize>| iso[r].parse::<i64>().unwrap();
        assert_eq!(&iso[23..], "Z", "{iso}");
        days * DAY_MS + n(11..13) * 3_600_000 + n(14..16) * 60_000 + n(17..19) * 1000 + n(20..23)
    };
    for (o, s) in music.iter().zip(&segments) {
        assert_eq!(o["resourceType"], "Observation");
        assert_eq!(o["subject"]["identifier"]["value"], "MUS-01");
        assert_eq!(
            o["code"]["coding"][0]["system"],
            entrain_report::fhir::LOCAL_CODE_SYSTEM
        );
        assert_eq!(o["valueString"], "March in 4/4, 104 bpm (march-4-4)");
        let start = unix_ms(&o["effectivePeriod"]["start"]) - session.started_unix_ms;
        let end = unix_ms(&o["effectivePeriod"]["end"]) - session.started_unix_ms;
        assert!((start - s.start_nanos / 1_000_000).abs() <= 1, "{o}");
        assert!((end - s.end_nanos / 1_000_000).abs() <= 1, "{o}");
        let component = |code: &str| -> &Value {
            o["component"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["code"]["coding"][0]["code"] == code)
                .unwrap_or_else(|| panic!("no component {code}: {o}"))
        };
        let value = |code: &str| component(code)["valueQuantity"]["value"].as_f64().unwrap();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-5 * b.abs().max(1.0);
        assert!(close(value("music-track-tempo"), s.track_tempo_bpm));
        assert!(close(value("music-played-tempo-min"), s.played_min_bpm));
        assert!(close(value("music-played-tempo-max"), s.played_max_bpm));
        assert!(close(value("music-stretch-min"), s.stretch_min * 100.0));
        assert!(close(value("music-stretch-max"), s.stretch_max * 100.0));
        assert!(close(value("music-click-level"), s.click_level));
        assert_eq!(component("music-overlay")["valueString"], "music+click");
        assert_eq!(
            component("music-track-tempo")["valueQuantity"]["code"],
            "/min"
        );
        let note = o["note"][0]["text"].as_str().unwrap();
        assert!(
            note.contains(&played_of(s)) && note.contains("march-4-4"),
            "{note}"
        );
    }
    // The code system defines every code the bundle uses.
    let defined: Vec<&str> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .find(|r| r["resourceType"] == "CodeSystem")
        .unwrap()["concept"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    for o in &music {
        for c in std::iter::once(&o["code"]).chain(
            o["component"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| &c["code"]),
        ) {
            let code = c["coding"][0]["code"].as_str().unwrap();
            assert!(defined.contains(&code), "{code} not in the code system");
        }
    }
    let plain = entrain_report::session_fhir_bundle(&store, clicks).unwrap();
    assert!(
        !plain.to_string().contains("music-segment\",\"display"),
        "{plain}"
    );
    assert!(
        plain["entry"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["resource"]["code"]["coding"][0]["code"] != "music-segment")
    );
}
