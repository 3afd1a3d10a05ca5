//! The clinician's screens, one per file, each a struct owning its own state and drawn by its `ui`
//! method. What they share (the record, the settings, the patient list and the selected patient,
//! the banners, the current screen) stays in the shell ([`crate::app`]) and is lent to them for one
//! frame as a [`Ctx`]; what one screen needs of another's state the shell passes as an argument.

use egui::{Color32, RichText, Ui};
use entrain_store::PatientRecord;

use crate::app::Screen;
use crate::history::plain_text;
use crate::settings::Settings;
use crate::theme;
use crate::widgets::{self, Banner, Severity};
use crate::worker::{self, Reply, StoreWorker};

pub mod live;
pub mod patient_view;
pub mod patients;
pub mod progress;
pub mod sensors;
pub mod settings;
pub mod tests;

/// Every screen's own state, one field per screen.
#[derive(Debug)]
pub struct Screens {
    /// Patient list, search, add, edit.
    pub patients: patients::PatientsScreen,
    /// Sensor scan, assignment and the session's source.
    pub sensors: sensors::SensorsScreen,
    /// The live session (and its start and end).
    pub live: live::LiveScreen,
    /// The clinical gait tests.
    pub tests: tests::TestsScreen,
    /// Progress across sessions.
    pub progress: progress::ProgressScreen,
    /// The settings being edited.
    pub settings: settings::SettingsScreen,
    /// The patient's calm display, full screen or in its own window.
    pub patient_view: patient_view::PatientView,
}

impl Screens {
    /// Every screen in its first state; the settings screen starts from `settings`.
    pub fn new(settings: &Settings) -> Self {
        Screens {
            patients: patients::PatientsScreen::default(),
            sensors: sensors::SensorsScreen::default(),
            live: live::LiveScreen::default(),
            tests: tests::TestsScreen::default(),
            progress: progress::ProgressScreen::default(),
            settings: settings::SettingsScreen::new(settings),
            patient_view: patient_view::PatientView::default(),
        }
    }
}

/// The message banners under the navigation.
#[derive(Debug, Default)]
pub struct Messages {
    banners: Vec<Banner>,
}

impl Messages {
    /// Shows an error, once however often it is reported.
    pub fn error(&mut self, text: impl Into<String>) {
        let text = plain_text(&text.into());
        if !self.banners.iter().any(|b| b.text == text) {
            self.banners.push(Banner {
                severity: Severity::Error,
                text,
            });
        }
    }

    /// Shows a piece of news.
    pub fn info(&mut self, text: impl Into<String>) {
        self.banners.push(Banner {
            severity: Severity::Info,
            text: plain_text(&text.into()),
        });
    }

    /// The banners' texts.
    pub fn texts(&self) -> Vec<String> {
        self.banners.iter().map(|b| b.text.clone()).collect()
    }

    /// Draws the banners; the one the clinician dismisses goes.
    pub fn ui(&mut self, ui: &mut Ui) {
        if let Some(i) = widgets::banners(ui, &self.banners) {
            self.banners.remove(i);
        }
    }
}

/// The patients as last read from the record, and the one selected.
#[derive(Debug, Default)]
pub struct Roster {
    /// All patients, by code.
    pub patients: Vec<PatientRecord>,
    /// The selected patient's row id.
    pub selected: Option<i64>,
}

impl Roster {
    /// The selected patient, if it is in the list.
    pub fn selected_patient(&self) -> Option<&PatientRecord> {
        self.selected
            .and_then(|id| self.patients.iter().find(|p| p.id == id))
    }

    /// Patient `p` was added or changed: it is selected and in the list.
    pub fn saved(&mut self, p: PatientRecord) {
        self.selected = Some(p.id);
        self.patients.retain(|q| q.id != p.id);
        self.patients.push(p);
        self.patients.sort_by(|a, b| a.code.cmp(&b.code));
    }
}

/// Asks the record for the selected patient's progress (the answer is a [`Reply::Progress`]).
pub fn refresh_progress(store: Option<&StoreWorker>, roster: &Roster) {
    let (Some(s), Some(p)) = (store, roster.selected_patient().cloned()) else {
        return;
    };
    s.run(move |store| Reply::Progress(worker::load_progress(store, &p)));
}

/// What a screen asks of the shell, done once the frame is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// Start a session with the sensors screen's source for the selected patient.
    StartSession,
    /// A patient was opened from the list: the last one's progress goes.
    PatientOpened,
    /// The data folder changed: the record reopens there, with no patient selected.
    ReopenStore,
}

/// The shell's shared state, lent to a screen for one frame.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// The context the window runs in, to wake the UI from background jobs.
    pub egui: &'a egui::Context,
    /// The settings in force.
    pub settings: &'a mut Settings,
    /// The record's thread, once started.
    pub store: Option<&'a StoreWorker>,
    /// Whether the record is open.
    pub store_ready: bool,
    /// The patients and the selected one.
    pub roster: &'a mut Roster,
    /// The banners.
    pub messages: &'a mut Messages,
    /// The screen shown (navigation).
    pub screen: &'a mut Screen,
    /// What the screens asked of the shell this frame.
    pub requests: Vec<Request>,
}

impl Ctx<'_> {
    /// A callback for background jobs that repaints the window.
    pub fn waker(&self) -> impl Fn() + Send + 'static {
        let ctx = self.egui.clone();
        move || ctx.request_repaint()
    }

    /// Asks the record for the selected patient's progress.
    pub fn refresh_progress(&self) {
        refresh_progress(self.store, self.roster);
    }
}

/// The harness's or the window's clock, in nanoseconds.
pub fn nanos_of(ui: &Ui) -> i64 {
    (ui.input(|i| i.time) * 1e9) as i64
}

/// A one-line text field named by the label beside it.
pub fn labelled_text(ui: &mut Ui, label: &str, text: &mut String) -> egui::Response {
    ui.horizontal(|ui| {
        let l = ui.label(label);
        ui.add(egui::TextEdit::singleline(text).desired_width(220.0))
            .labelled_by(l.id)
    })
    .inner
}

/// A button in large type, for the session's controls.
pub fn big_button(ui: &mut Ui, text: &str, colour: Color32) -> egui::Response {
    ui.add(
        egui::Button::new(
            RichText::new(text)
                .size(theme::BIG_BUTTON_TEXT_PX)
                .strong()
                .color(Color32::WHITE),
        )
        .fill(colour)
        .min_size(egui::vec2(
            theme::BIG_BUTTON_MIN_WIDTH_PX,
            theme::BIG_BUTTON_HEIGHT_PX,
        )),
    )
}

/// `v` with `decimals` decimals, or a dash.
pub fn fmt_opt(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{v:.decimals$}"))
}

/// One line per sensor of the session: status, samples, losses, battery.
pub fn sensor_health(ui: &mut Ui, snap: &entrain_engine::Snapshot) {
    for s in &snap.sensors {
        let status = match &s.status {
            entrain_engine::SensorStatus::Waiting => "waiting".to_string(),
            entrain_engine::SensorStatus::Streaming => "streaming".to_string(),
            entrain_engine::SensorStatus::Gap { .. } => "gap (cue holds)".to_string(),
            entrain_engine::SensorStatus::Lost(r) => format!("lost: {r}"),
            entrain_engine::SensorStatus::Reconnecting => "reconnecting".to_string(),
        };
        ui.label(format!(
            "{} ({}): {status}; {} samples, {} lost{}",
            s.placement,
            s.name,
            s.samples,
            s.lost_samples,
            s.battery_percent
                .map_or_else(String::new, |b| format!(", battery {b} %"))
        ));
    }
}
