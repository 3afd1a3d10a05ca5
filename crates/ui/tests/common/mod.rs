//! Driving the real window through egui_kittest by accessible names (AccessKit), shared by the UI
//! tests: the record and the engine run on their own threads, so these helpers step the UI while
//! real time passes.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use entrain_ui::{EntrainApp, Settings};

/// The window, 1500×1100, with `settings`.
pub fn harness(settings: Settings) -> Harness<'static, EntrainApp> {
    harness_sized(settings, egui::vec2(1500.0, 1100.0))
}

/// The window at `size`.
pub fn harness_sized(settings: Settings, size: egui::Vec2) -> Harness<'static, EntrainApp> {
    let ctx = egui::Context::default();
    let app = EntrainApp::new(&ctx, settings);
    Harness::builder()
        .with_size(size)
        .with_max_steps(50)
        .build_ui_state(|ui, app: &mut EntrainApp| app.ui(ui), app)
}

/// The window, once its record is open.
pub fn ready(settings: Settings) -> Harness<'static, EntrainApp> {
    ready_sized(settings, egui::vec2(1500.0, 1100.0))
}

/// The window at `size`, once its record is open.
pub fn ready_sized(settings: Settings, size: egui::Vec2) -> Harness<'static, EntrainApp> {
    let mut h = harness_sized(settings, size);
    wait_until(&mut h, "the record to open", Duration::from_secs(10), |h| {
        h.state().store_ready()
    });
    h
}

/// Steps the UI until `done` holds, failing after `timeout` with the banners and the session's
/// state.
pub fn wait_until(
    h: &mut Harness<'_, EntrainApp>,
    what: &str,
    timeout: Duration,
    mut done: impl FnMut(&Harness<'_, EntrainApp>) -> bool,
) {
    let start = Instant::now();
    loop {
        h.step();
        if done(h) {
            return;
        }
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}; banners: {:?}; session: {:?}",
            h.state().banner_texts(),
            h.state().live().map(|l| (
                &l.snapshot.run_state,
                &l.snapshot.phase,
                l.snapshot.steps_total,
                &l.history.notices
            ))
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether a widget labelled exactly `label` is on screen.
pub fn has_label(h: &Harness<'_, EntrainApp>, label: &str) -> bool {
    h.query_by_label(label).is_some()
}

/// Whether some widget's label contains `part`.
pub fn has_text_containing(h: &Harness<'_, EntrainApp>, part: &str) -> bool {
    h.query_all_by_label_contains(part).next().is_some()
}

/// Waits for `label` to be on screen, scrolls it into view (a long screen, or messages at the
/// window's foot, may hide it), then clicks it.
pub fn click(h: &mut Harness<'_, EntrainApp>, label: &str) {
    wait_until(h, label, Duration::from_secs(10), |h| has_label(h, label));
    h.get_by_label(label).scroll_to_me();
    settle(h, label);
    h.get_by_label(label).click();
    h.step();
}

/// Steps until the widget labelled `label` stays where it is for two frames: scrolling animates
/// over several frames, and a click sent at a moving widget's old place misses it.
fn settle(h: &mut Harness<'_, EntrainApp>, label: &str) {
    let mut last = None;
    for _ in 0..60 {
        h.step();
        let Some(rect) = h.query_by_label(label).map(|n| n.rect()) else {
            return;
        };
        if last == Some(rect) {
            return;
        }
        last = Some(rect);
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Focuses the field labelled `label` and types `text` into it, then checks the field holds it.
pub fn type_into(h: &mut Harness<'_, EntrainApp>, label: &str, text: &str) {
    click(h, label);
    for _ in 0..20 {
        if h.get_by_label(label).is_focused() {
            break;
        }
        h.get_by_label(label).focus();
        h.step();
    }
    h.get_by_label(label).type_text(text);
    h.step();
    let value = h.get_by_label(label).value();
    assert!(
        value.as_deref().is_some_and(|v| v.contains(text)),
        "typed {text:?} into {label:?}, which holds {value:?} (focused: {})",
        h.get_by_label(label).is_focused()
    );
}

/// Adds patient `code` on the Patients screen and waits until it is the selected patient (the
/// record's thread saves it).
pub fn add_patient(h: &mut Harness<'_, EntrainApp>, code: &str) {
    click(h, "Patients");
    click(h, "Add patient");
    type_into(h, "Patient code", code);
    click(h, "Save patient");
    let selected = format!("Patient {code}");
    wait_until(h, &selected, Duration::from_secs(10), |h| {
        has_label(h, &selected)
    });
}

/// Stops the session on screen now (no re-test) through the stop prompt, and waits until its end
/// has reached the record (the engine joined, the session's row closed).
pub fn stop_now(h: &mut Harness<'_, EntrainApp>) {
    click(h, "Stop");
    click(h, "Stop now (no re-test)");
    wait_until(h, "the session's end", Duration::from_secs(20), |h| {
        h.state().live().is_some_and(|l| l.is_finished()) && h.state().session_settled()
    });
}

/// Steps the UI for `d` of real time (the engine runs on the wall clock).
pub fn wait_for(h: &mut Harness<'_, EntrainApp>, d: Duration) {
    let start = Instant::now();
    while start.elapsed() < d {
        h.step();
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The text of the first widget whose label contains `part` (a label's text is its AccessKit
/// value, a button's its label).
pub fn text_containing(h: &Harness<'_, EntrainApp>, part: &str) -> Option<String> {
    use egui_kittest::kittest::NodeT;
    h.query_all_by_label_contains(part).next().map(|n| {
        let node = n.accesskit_node();
        node.value()
            .filter(|v| v.contains(part))
            .or_else(|| node.label())
            .unwrap_or_default()
    })
}

/// Replaces the text of the field labelled `label` with `text` (select all, then type).
pub fn replace_text(h: &mut Harness<'_, EntrainApp>, label: &str, text: &str) {
    click(h, label);
    h.get_by_label(label).focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.get_by_label(label).type_text(text);
    h.step();
}

/// The window's close button, as the window system reports it (a close request on the root
/// viewport), then one frame.
pub fn request_close(h: &mut Harness<'_, EntrainApp>) {
    h.input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    h.step();
}

/// What the app asked of the root viewport in the last frame (close, cancel close, ...).
pub fn root_commands(h: &Harness<'_, EntrainApp>) -> Vec<egui::ViewportCommand> {
    h.output()
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .map(|v| v.commands.clone())
        .unwrap_or_default()
}

/// From a fresh window: adds patient `code`, takes the virtual patient's sensors, starts the
/// session (with the demo settings' short protocol) and waits for the baseline to run.
pub fn start_virtual_session(h: &mut Harness<'_, EntrainApp>, code: &str) {
    add_patient(h, code);
    click(h, &format!("Open {code}"));
    click(h, "Assign virtual patient's sensors");
    wait_until(h, "the assignment", Duration::from_secs(10), |h| {
        has_text_containing(h, "Sensors assigned")
    });
    click(h, "Go to session");
    wait_until(h, "the session", Duration::from_secs(20), |h| {
        has_label(h, "Start")
    });
    click(h, "Start");
    wait_until(h, "the baseline", Duration::from_secs(10), |h| {
        has_text_containing(h, "Phase: baseline (no cue)") && has_label(h, "Pause")
    });
}

/// Adds patient `code`, takes the virtual patient's sensors and opens a session, waiting until
/// it is ready to start.
pub fn open_session(h: &mut Harness<'_, EntrainApp>, code: &str) {
    add_patient(h, code);
    click(h, &format!("Open {code}"));
    click(h, "Assign virtual patient's sensors");
    wait_until(h, "the assignment", Duration::from_secs(10), |h| {
        has_text_containing(h, "Sensors assigned")
    });
    click(h, "Go to session");
    wait_until(h, "the session", Duration::from_secs(20), |h| {
        has_label(h, "Start")
    });
}

/// Every button on screen, by accessible name, with where it is.
pub fn buttons(h: &Harness<'_, EntrainApp>) -> Vec<(String, egui::Rect)> {
    use egui_kittest::kittest::NodeT;
    h.root()
        .children_recursive()
        .filter(|n| n.accesskit_node().role() == egui::accesskit::Role::Button)
        .map(|n| (n.accesskit_node().label().unwrap_or_default(), n.rect()))
        .collect()
}

/// Where the widget whose label contains `part` is (the first such).
pub fn rect_of_text(h: &Harness<'_, EntrainApp>, part: &str) -> egui::Rect {
    h.query_all_by_label_contains(part)
        .next()
        .unwrap_or_else(|| panic!("no widget with `{part}` on screen"))
        .rect()
}

/// Message `id` of the window's catalogue in `language`, as a test finds the widget that shows it.
pub fn text_in(language: entrain_ui::i18n::Language, id: &str) -> String {
    entrain_ui::i18n::format_in(language, id, &[])
}

/// Chooses `language` on the Settings screen and saves it, each click worded in the language the
/// window shows now (the window sets this thread's language at every frame).
pub fn save_language(h: &mut Harness<'_, EntrainApp>, language: entrain_ui::i18n::Language) {
    let shown = entrain_ui::i18n::language();
    click(h, &text_in(shown, "app-screen-settings"));
    click(h, language.native_name());
    click(h, &text_in(shown, "settings-save"));
    h.run_steps(2);
}
