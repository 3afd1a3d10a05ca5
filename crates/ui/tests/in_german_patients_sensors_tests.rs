//! The patients, sensors and clinical tests screens in German: every word there comes from the
//! catalogue, counts are worded as counts, and the tests' own refusals read in German too. The
//! screens are reached with `EntrainApp::show`, so only these screens' words are relied on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use entrain_ui::app::Screen;
use entrain_ui::i18n::Language;
use entrain_ui::{EntrainApp, Settings};

use common::*;

/// The demo settings, shown in `language`.
fn settings_in(language: Language, dir: &tempfile::TempDir) -> Settings {
    Settings {
        language,
        ..Settings::demo(dir.path().to_path_buf())
    }
}

/// A window in `language` with patient `code` selected, showing `screen`.
fn with_patient(
    language: Language,
    dir: &tempfile::TempDir,
    code: &str,
    screen: Screen,
) -> Harness<'static, EntrainApp> {
    let mut h = ready(settings_in(language, dir));
    h.state_mut().queue_demo(code);
    wait_until(&mut h, "the patient", Duration::from_secs(10), |h| {
        h.state().selected_patient_id().is_some()
    });
    h.state_mut().show(screen);
    h.run_steps(2);
    h
}

/// Waits until a banner contains `part`.
fn wait_for_banner(h: &mut Harness<'_, EntrainApp>, part: &str) {
    wait_until(h, part, Duration::from_secs(10), |h| {
        h.state().banner_texts().iter().any(|b| b.contains(part))
    });
}

/// The affected side field, which names the sides it takes.
const SIDE_FIELD: &str = "Betroffene Seite (links/rechts/beidseits/keine)";

#[test]
fn the_patients_screen_speaks_german() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(settings_in(Language::German, &dir));
    h.state_mut().show(Screen::Patients);
    h.run_steps(2);
    assert!(has_label(&h, "Patientenliste"));
    click(&mut h, "Patient/in anlegen");
    assert!(has_label(&h, "Neue/r Patient/in"));
    type_into(&mut h, "Patientencode", "DE-1");
    // The side is typed and shown by its German name.
    type_into(&mut h, SIDE_FIELD, "Links");
    click(&mut h, "Patient/in speichern");
    wait_until(&mut h, "the row", Duration::from_secs(10), |h| {
        has_label(h, "DE-1 öffnen") && has_label(h, "DE-1 bearbeiten")
    });
    assert!(has_label(&h, "links"), "the row's side");
    click(&mut h, "DE-1 bearbeiten");
    assert_eq!(h.get_by_label(SIDE_FIELD).value().as_deref(), Some("links"));
    click(&mut h, "Abbrechen");

    click(&mut h, "Patient/in anlegen");
    type_into(&mut h, "Patientencode", "de-1");
    assert!(has_text_containing(
        &h,
        "de-1 ist der Code von Patient/in DE-1 (Groß-/Kleinschreibung zählt nicht)"
    ));
    click(&mut h, "Patient/in speichern");
    wait_for_banner(
        &mut h,
        "Patient/in nicht gespeichert: de-1 ist bereits der Code von Patient/in DE-1",
    );

    replace_text(&mut h, "Patientencode", "DE-2");
    type_into(&mut h, "Geburtsjahr", "neunzehn");
    click(&mut h, "Patient/in speichern");
    wait_for_banner(
        &mut h,
        "Patient/in nicht gespeichert: Geburtsjahr: `neunzehn` ist keine Jahreszahl",
    );
}

#[test]
fn the_sensors_screen_speaks_german() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = with_patient(Language::German, &dir, "DE-S", Screen::Sensors);
    for label in [
        "Sensoren einrichten",
        "Nach Sensoren suchen",
        "Noch nicht gesucht.",
        "Virtueller Patient",
        "Gangprofil",
        "Aufgezeichneter Gang",
        "BLE-Sensoren",
    ] {
        assert!(has_label(&h, label), "no `{label}`");
    }
    click(&mut h, "Sensoren des virtuellen Patienten zuordnen");
    wait_for_banner(&mut h, "Sensoren zugeordnet: foot_left -> virtual");

    click(&mut h, "Aufgezeichneter Gang");
    h.state_mut().start_session();
    h.run_steps(2);
    wait_for_banner(
        &mut h,
        "Aufgezeichneter Gang: geben Sie zuerst die Aufzeichnungsdatei an",
    );
}

#[test]
fn the_clinical_tests_speak_german_and_their_refusals_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = with_patient(Language::German, &dir, "DE-T", Screen::Tests);
    assert!(has_label(&h, "Klinische Gangtests"));
    assert!(has_text_containing(
        &h,
        "Ergebnisse werden für Patient/in DE-T gespeichert."
    ));
    assert!(has_text_containing(&h, "3: braucht nur Aufsicht"));

    click(&mut h, "Los");
    wait_for(&mut h, Duration::from_millis(200));
    click(&mut h, "Sitzt");
    click(&mut h, "TUG speichern");
    wait_for_banner(&mut h, "Gespeichert: Timed Up and Go: ");
    let stored = h.state().banner_texts();
    assert!(
        stored
            .iter()
            .any(|b| b.starts_with("Gespeichert: Timed Up and Go: ")
                && b.ends_with(" s (keine Sitzung)")),
        "{stored:?}"
    );

    // The stored result, deleted after asking.
    wait_until(&mut h, "the result listed", Duration::from_secs(10), |h| {
        has_text_containing(h, " löschen")
    });
    let delete = text_containing(&h, " löschen").expect("a result's Delete button");
    assert!(delete.starts_with("Ergebnis "), "{delete}");
    click(&mut h, &delete);
    assert!(has_text_containing(&h, "Timed Up and Go vom "));
    click(&mut h, "Löschen");
    wait_for_banner(&mut h, "Gelöscht: Timed Up and Go vom ");

    const FIELD: &str = "FAC (ganze Zahl 0–5)";
    type_into(&mut h, FIELD, "3.5");
    assert!(has_text_containing(
        &h,
        "Nicht gespeichert: Functional Ambulation Category: `3.5` ist keine ganze Zahl: geben Sie \
         eine von 0–5 an"
    ));

    // A button at the wrong moment: the test's own refusal, in German.
    click(&mut h, "Sitzt");
    wait_for_banner(
        &mut h,
        "Timed Up and Go: Stoppen ist jetzt nicht möglich (keine Zeitmessung aktiv)",
    );
}

#[test]
fn the_six_minute_walk_counts_its_laps_in_either_language() {
    for (language, start, lap, one, two) in [
        (
            Language::English,
            "Start 6-minute walk",
            "Lap",
            "1 lap of 30 m — ",
            "2 laps of 30 m — ",
        ),
        (
            Language::German,
            "6-Minuten-Gehtest starten",
            "Runde",
            "1 Runde zu 30 m — noch ",
            "2 Runden zu 30 m — noch ",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut h = with_patient(language, &dir, "LAPS-1", Screen::Tests);
        click(&mut h, start);
        click(&mut h, lap);
        h.run_steps(2); // the count is drawn above the button, on the next frame
        assert!(has_text_containing(&h, one), "{language:?}: no `{one}`");
        click(&mut h, lap);
        h.run_steps(2);
        assert!(has_text_containing(&h, two), "{language:?}: no `{two}`");
    }
}

#[test]
fn the_german_buttons_fit_a_small_ward_screen() {
    let size = egui::vec2(1366.0, 768.0);
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready_sized(settings_in(Language::German, &dir), size);
    h.state_mut().queue_demo("SMALL-1");
    wait_until(&mut h, "the patient", Duration::from_secs(10), |h| {
        h.state().selected_patient_id().is_some()
    });
    for screen in [
        Screen::Patients,
        Screen::Sensors,
        Screen::Tests,
        Screen::Music,
    ] {
        h.state_mut().show(screen);
        h.run_steps(3);
        let shown = buttons(&h);
        assert!(shown.len() > 2, "{screen:?}: {shown:?}");
        let outside: Vec<(String, egui::Rect)> = shown
            .into_iter()
            .filter(|(_, r)| r.min.x < 0.0 || r.max.x > size.x)
            .collect();
        assert!(outside.is_empty(), "{screen:?}: {outside:?}");
    }
}
