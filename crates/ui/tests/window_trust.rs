//! A window a physiotherapist can trust: readable at 2 m and big enough to touch, every script
//! shown, long text kept inside the window, clinical results entered and deleted right, help on
//! every screen. Driven by accessible names through egui_kittest, as `clinician_flow.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use entrain_ui::i18n::{self, Language};
use entrain_ui::theme;
use entrain_ui::{EntrainApp, Screen, Settings};

use common::*;

/// The buttons on screen lower than a finger's width.
fn low_buttons(h: &Harness<'_, EntrainApp>) -> Vec<(String, f32)> {
    buttons(h)
        .into_iter()
        .filter(|(_, r)| r.height() < theme::BUTTON_MIN_HEIGHT_PX - 0.01)
        .map(|(name, r)| (name, r.height()))
        .collect()
}

#[test]
fn every_button_on_every_screen_is_at_least_a_finger_high() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(Settings::demo(dir.path().to_path_buf()));
    add_patient(&mut h, "TOUCH-1");
    click(&mut h, "Open TOUCH-1");
    click(&mut h, "Assign virtual patient's sensors");
    // The message's Dismiss button, while the news is on screen (it goes after a few seconds).
    wait_until(&mut h, "the assignment", Duration::from_secs(10), |h| {
        has_text_containing(h, "Sensors assigned")
    });
    assert!(
        has_label(&h, "Dismiss"),
        "{:?} {:?}",
        h.state().banner_texts(),
        labels_containing(&h, "Dismiss")
    );
    assert!(low_buttons(&h).is_empty(), "{:?}", low_buttons(&h));
    click(&mut h, "Go to session");
    wait_until(&mut h, "the session", Duration::from_secs(20), |h| {
        has_label(h, "Start")
    });
    let mut seen = 0;
    for screen in [
        "Patients",
        "Sensors",
        "Live session",
        "Clinical tests",
        "Progress",
        "Settings",
        "Patient view",
    ] {
        click(&mut h, screen);
        h.run_steps(2);
        if screen == "Patients" {
            click(&mut h, "Edit TOUCH-1");
            h.run_steps(2);
        }
        let low = low_buttons(&h);
        assert!(low.is_empty(), "screen {screen}: {low:?}");
        seen += buttons(&h).len();
        if screen == "Patient view" {
            click(&mut h, "Back to clinician view");
            h.run_steps(2);
        }
    }
    assert!(seen > 60, "only {seen} buttons seen");
}

#[test]
fn the_live_statistics_are_large_enough_to_read_while_walking() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(Settings::demo(dir.path().to_path_buf()));
    open_session(&mut h, "GLANCE-1");
    h.run_steps(2);
    for part in [
        "Steps: ",
        "Step time L / R: ",
        "Symmetry ratio: ",
        "Variability (CV): ",
        "Mean asynchrony: ",
        "Audio: ",
        "Recording: ",
    ] {
        // A line of text is at least as high as its font size.
        let height = rect_of_text(&h, part).height();
        assert!(
            height >= theme::GLANCE_TEXT_PX,
            "`{part}` is {height} px high, under {} px",
            theme::GLANCE_TEXT_PX
        );
    }
    // The floors issue 16 sets: glanced-at text from 22 px, body text from 18 px.
    const { assert!(theme::GLANCE_TEXT_PX >= 22.0 && theme::BODY_TEXT_PX >= 18.0) };
    let body = rect_of_text(&h, "Keys: Space").height();
    assert!(body >= theme::BODY_TEXT_PX, "body text {body} px");
    let start = rect_of_text(&h, "Mark event").height();
    assert!(
        start >= theme::BUTTON_MIN_HEIGHT_PX,
        "Mark event {start} px"
    );
}

fn labels_containing(h: &Harness<'_, EntrainApp>, part: &str) -> Vec<String> {
    use egui_kittest::kittest::NodeT;
    h.query_all_by_label_contains(part)
        .map(|n| n.accesskit_node().label().unwrap_or_default())
        .collect()
}

/// Patient `code` added and opened, on the Clinical tests screen.
fn on_tests_screen(h: &mut Harness<'_, EntrainApp>, code: &str) {
    add_patient(h, code);
    click(h, &format!("Open {code}"));
    click(h, "Clinical tests");
}

#[test]
fn the_fac_field_takes_a_whole_category_and_refuses_others_at_the_field() {
    use egui_kittest::kittest::NodeT;
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(Settings::demo(dir.path().to_path_buf()));
    on_tests_screen(&mut h, "FAC-1");
    const FIELD: &str = "FAC (whole number 0–5)";
    let save_disabled =
        |h: &Harness<'_, EntrainApp>| h.get_by_label("Save FAC").accesskit_node().is_disabled();
    for (typed, says) in [
        ("3.5", "`3.5` is not a whole number: give one of 0–5"),
        ("7", "7 is outside 0–5"),
    ] {
        type_into(&mut h, FIELD, typed);
        assert!(has_text_containing(&h, says), "{typed}: no `{says}`");
        assert!(save_disabled(&h), "{typed} can be saved");
        click(&mut h, "Save FAC");
        h.run_steps(4);
        click(&mut h, FIELD);
        for _ in typed.chars() {
            h.key_press(egui::Key::Backspace);
        }
        h.step();
        assert_eq!(h.get_by_label(FIELD).value().as_deref(), Some(""));
    }
    type_into(&mut h, FIELD, "3");
    assert!(!save_disabled(&h));
    assert!(!has_text_containing(&h, "Not saved"));
    click(&mut h, "Save FAC");
    // The message names the test by its title, with the result as shown everywhere.
    wait_until(&mut h, "the FAC stored", Duration::from_secs(10), |h| {
        has_text_containing(h, "Stored Functional Ambulation Category: 3 (no session)")
    });
    let store =
        entrain_store::Store::open(&Settings::demo(dir.path().to_path_buf()).database_path())
            .unwrap();
    let id = h.state().selected_patient_id().unwrap();
    let stored: Vec<f64> = store
        .clinical_tests(id)
        .unwrap()
        .iter()
        .map(|t| t.value)
        .collect();
    assert_eq!(stored, vec![3.0], "only the whole category was stored");
}

#[test]
fn a_wrong_result_is_deleted_after_confirmation_and_leaves_progress() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(Settings::demo(dir.path().to_path_buf()));
    on_tests_screen(&mut h, "DEL-1");
    click(&mut h, "Crossed 2 m line");
    h.run_steps(24); // about 6 s on the harness clock
    click(&mut h, "Crossed 8 m line");
    click(&mut h, "Save 10 m walk");
    wait_until(&mut h, "the result listed", Duration::from_secs(10), |h| {
        has_text_containing(h, "Delete result ")
    });
    let store =
        entrain_store::Store::open(&Settings::demo(dir.path().to_path_buf()).database_path())
            .unwrap();
    let id = h.state().selected_patient_id().unwrap();
    let speed = store.clinical_tests(id).unwrap()[0].value;
    let shown = format!("{speed:.2} m/s");
    assert!(
        has_text_containing(
            &h,
            &format!("Stored 10 m walk test (gait speed): {shown} (no session)")
        ),
        "{:?}",
        h.state().banner_texts()
    );
    let delete = h
        .query_all_by_label_contains("Delete result ")
        .next()
        .map(|n| {
            use egui_kittest::kittest::NodeT;
            n.accesskit_node().label().unwrap_or_default()
        })
        .unwrap();
    let today = &entrain_store::time::format_unix_ms(entrain_store::unix_ms_now())[..10];
    let question = format!("Delete the 10 m walk test (gait speed) of {today} ({shown})?");
    // Keep: nothing goes.
    click(&mut h, &delete);
    assert!(
        has_label(&h, &question),
        "no `{question}`: {:?}",
        labels_containing(&h, "Delete")
    );
    click(&mut h, "Keep");
    h.run_steps(4);
    assert!(!has_label(&h, &question));
    assert!(has_label(&h, &delete));
    // Delete: it goes from the record, the list and Progress.
    click(&mut h, &delete);
    click(&mut h, "Delete");
    wait_until(&mut h, "the deletion", Duration::from_secs(10), |h| {
        has_text_containing(h, "Deleted the 10 m walk test (gait speed)") && !has_label(h, &delete)
    });
    click(&mut h, "Progress");
    wait_until(&mut h, "progress", Duration::from_secs(10), |h| {
        has_text_containing(h, "0 clinical test(s)")
    });
    assert!(store.clinical_tests(id).unwrap().is_empty());
}

#[test]
fn symbols_greek_cyrillic_and_cjk_have_glyphs_and_a_chinese_note_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(Settings::demo(dir.path().to_path_buf()));
    h.step();
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        let font = egui::FontId::new(theme::BODY_TEXT_PX, family.clone());
        for c in ['✓', '✗', '↑', '↓', 'Ω', 'Ж', '步', '態', 'あ', '보'] {
            assert!(
                h.ctx.fonts_mut(|f| f.has_glyph(&font, c)),
                "{family:?} has no glyph for {c}"
            );
        }
    }
    const NOTE: &str = "左侧偏瘫，步态训练 ✓";
    add_patient(&mut h, "CJK-1");
    click(&mut h, "Edit CJK-1");
    type_into(&mut h, "Notes", NOTE);
    click(&mut h, "Save patient");
    wait_until(&mut h, "the patient saved", Duration::from_secs(10), |h| {
        !has_label(h, "Save patient")
    });
    click(&mut h, "Edit CJK-1");
    h.step();
    assert_eq!(h.get_by_label("Notes").value().as_deref(), Some(NOTE));
    assert!(
        h.ctx
            .fonts_mut(|f| f.has_glyphs(&egui::FontId::proportional(theme::BODY_TEXT_PX), NOTE))
    );
}

#[test]
fn long_codes_and_their_errors_stay_inside_a_small_window() {
    let size = egui::vec2(1366.0, 768.0);
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready_sized(Settings::demo(dir.path().to_path_buf()), size);
    let inside = |r: egui::Rect| r.min.x >= 0.0 && r.max.x <= size.x;
    // 64 characters, the longest code the record takes.
    let code = format!("WARD{}", "7".repeat(60));
    add_patient(&mut h, &code);
    wait_until(&mut h, "the patient", Duration::from_secs(10), |h| {
        has_label(h, &format!("Edit {code}"))
    });
    h.run_steps(2);
    for verb in ["Open", "Edit"] {
        let r = h.get_by_label(&format!("{verb} {code}")).rect();
        assert!(inside(r), "{verb} is at {r:?}, outside the {size:?} window");
    }
    // 80 characters: refused, and the error wraps inside the window.
    let long = format!("LONG{}", "8".repeat(76));
    click(&mut h, "Add patient");
    type_into(&mut h, "Patient code", &long);
    click(&mut h, "Save patient");
    wait_until(&mut h, "the refusal", Duration::from_secs(10), |h| {
        has_text_containing(h, "Patient not saved")
    });
    h.run_steps(2);
    let r = rect_of_text(&h, "Patient not saved");
    assert!(
        inside(r),
        "the error is at {r:?}, outside the {size:?} window"
    );
    for (name, r) in buttons(&h) {
        assert!(inside(r), "{name} is at {r:?}, outside the {size:?} window");
    }
}

#[test]
fn every_screen_has_a_question_mark_that_opens_its_help() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = ready(Settings::demo(dir.path().to_path_buf()));
    open_session(&mut h, "HELP-1");
    for (screen, says) in [
        ("Patients", "never type a name"),
        ("Sensors", "Go to session opens the live session"),
        ("Live session", "Mark event notes a moment"),
        ("Clinical tests", "FAC: a whole category from 0 to 5"),
        ("Progress", "minimal clinically important change"),
        ("Settings", "nothing is saved until it is changed"),
        (
            "Patient view",
            "Back to clinician view returns to your screens",
        ),
    ] {
        click(&mut h, screen);
        h.run_steps(2);
        let title = format!("Help: {screen}");
        assert!(!has_label(&h, &title), "{title} open before its ?");
        assert!(!has_text_containing(&h, says), "`{says}` before the ?");
        click(&mut h, "?");
        h.run_steps(2);
        assert!(has_label(&h, &title), "no {title}");
        assert!(
            has_text_containing(&h, says),
            "{title} does not say `{says}`"
        );
        click(&mut h, "Close help");
        h.run_steps(2);
        assert!(!has_label(&h, &title), "{title} did not close");
        if screen == "Patient view" {
            click(&mut h, "Back to clinician view");
        }
    }
}

#[test]
fn the_navigation_is_one_row_at_1366_by_768_in_every_language() {
    let size = egui::vec2(1366.0, 768.0);
    for language in Language::ALL {
        for code in ["DEMO-01".to_string(), format!("WARD{}", "7".repeat(60))] {
            let dir = tempfile::tempdir().unwrap();
            let settings = Settings {
                language,
                ..Settings::demo(dir.path().to_path_buf())
            };
            let mut h = ready_sized(settings, size);
            // Added through the app, not the patients screen, whose words are the language's.
            h.state_mut().queue_demo(&code);
            let who = i18n::format_in(language, "app-patient", &[("code", code.as_str().into())]);
            wait_until(&mut h, "the patient named", Duration::from_secs(10), |h| {
                has_label(h, &who)
            });
            h.run_steps(2);
            let mut row: Vec<(String, egui::Rect)> = Screen::ALL
                .iter()
                .map(|s| {
                    i18n::set_language(language);
                    let name = s.name();
                    let r = h.get_by_label(&name).rect();
                    (name, r)
                })
                .collect();
            for name in [who.clone(), "?".to_string()] {
                let r = h.get_by_label(&name).rect();
                row.push((name, r));
            }
            let first = row[0].1;
            for (name, r) in &row {
                assert!(
                    (r.center().y - first.center().y).abs() < 4.0 && r.max.x <= size.x,
                    "{}: `{name}` at {r:?} is not on the navigation's row ({first:?}) inside {size:?}",
                    language.code()
                );
            }
            if code.len() < 10 {
                // A short code is shown whole.
                let font = egui::FontId::proportional(theme::BODY_TEXT_PX);
                let whole_width = h.ctx.fonts_mut(|f| {
                    f.layout_no_wrap(who.clone(), font, egui::Color32::WHITE)
                        .size()
                        .x
                });
                let shown = h.get_by_label(&who).rect().width();
                assert!(
                    shown >= whole_width - 2.0,
                    "{}: `{who}` is cut to {shown} px of {whole_width}",
                    language.code()
                );
            }
        }
    }
}
