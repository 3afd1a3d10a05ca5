//! The clinician's screens, one per file, each a struct owning its own state and drawn by its `ui`
//! method. What they share (the record, the settings, the patient list and the selected patient,
//! the messages, the current screen) stays in the shell ([`crate::app`]) and is lent to them for one
//! frame as a [`Ctx`]; what one screen needs of another's state the shell passes as an argument.

use egui::{Color32, RichText, Ui};
use entrain_store::PatientRecord;

use crate::app::Screen;
use crate::history::plain_text;
use crate::settings::Settings;
use crate::t;
use crate::theme;
use crate::worker::{self, Reply, StoreWorker};

pub mod live;
pub mod live_music;
pub mod music;
pub mod music_prefs;
pub mod music_preview;
pub mod patient_view;
pub mod patients;
pub mod progress;
pub mod sensors;
pub mod session_music;
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
    /// The music library.
    pub music: music::MusicScreen,
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
            music: music::MusicScreen::default(),
        }
    }
}

/// How long a piece of news stays, seconds of the UI's clock.
pub const INFO_SECS: f64 = 8.0;
/// The most messages shown at once (the newest).
pub const MAX_SHOWN: usize = 3;

/// How serious a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Something went wrong; the clinician must act or know. Stays until dismissed.
    Error,
    /// Something the clinician must know that is no fault now (an interrupted session). Stays
    /// until dismissed.
    Warning,
    /// Worth knowing (a success). Goes by itself after [`INFO_SECS`].
    Info,
}

/// One message.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// How serious.
    pub severity: Severity,
    /// The readable text.
    pub text: String,
    /// When it came, seconds of the UI's clock.
    posted_secs: f64,
}

/// The window's one message area: errors and warnings stay until dismissed, news goes after
/// [`INFO_SECS`]; the newest [`MAX_SHOWN`] are shown. Time is the UI's input time, given by
/// [`Messages::tick`] each frame.
#[derive(Debug, Default)]
pub struct Messages {
    list: Vec<Message>,
    now_secs: f64,
    /// Counts every message posted, so the shell sees that one came this frame.
    posted: u64,
}

impl Messages {
    /// Shows an error, once however often it is reported.
    pub fn error(&mut self, text: impl Into<String>) {
        self.push_once(Severity::Error, text.into());
    }

    /// Shows a warning until dismissed, once however often it is reported.
    pub fn warn(&mut self, text: impl Into<String>) {
        self.push_once(Severity::Warning, text.into());
    }

    /// Shows a piece of news for [`INFO_SECS`].
    pub fn info(&mut self, text: impl Into<String>) {
        self.posted += 1;
        self.list.push(Message {
            severity: Severity::Info,
            text: plain_text(&text.into()),
            posted_secs: self.now_secs,
        });
    }

    fn push_once(&mut self, severity: Severity, text: String) {
        let text = plain_text(&text);
        if !self.list.iter().any(|m| m.text == text) {
            self.posted += 1;
            self.list.push(Message {
                severity,
                text,
                posted_secs: self.now_secs,
            });
        }
    }

    /// The UI's clock reads `now_secs`: news older than [`INFO_SECS`] goes.
    pub fn tick(&mut self, now_secs: f64) {
        self.now_secs = now_secs;
        self.list
            .retain(|m| m.severity != Severity::Info || now_secs - m.posted_secs < INFO_SECS);
    }

    /// How many messages were ever posted (a new one changes it).
    pub fn posted(&self) -> u64 {
        self.posted
    }

    /// Seconds of the UI's clock until the next piece of news goes, if any is shown.
    pub fn next_expiry_in_secs(&self) -> Option<f64> {
        self.list
            .iter()
            .filter(|m| m.severity == Severity::Info)
            .map(|m| (m.posted_secs + INFO_SECS - self.now_secs).max(0.0))
            .reduce(f64::min)
    }

    /// Every message kept, oldest first.
    pub fn texts(&self) -> Vec<String> {
        self.list.iter().map(|m| m.text.clone()).collect()
    }

    /// The messages shown: the newest [`MAX_SHOWN`], oldest first.
    pub fn shown(&self) -> &[Message] {
        &self.list[self.list.len().saturating_sub(MAX_SHOWN)..]
    }

    /// Whether there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Draws the shown messages across the width, each with its "Dismiss", the text wrapped
    /// inside; and how many older ones are hidden, with a way to dismiss them.
    pub fn ui(&mut self, ui: &mut Ui) {
        let hidden = self.list.len().saturating_sub(MAX_SHOWN);
        if hidden > 0 {
            ui.horizontal(|ui| {
                ui.label(t!("app-older-hidden", count = hidden));
                if ui.button(t!("app-dismiss-older")).clicked() {
                    self.list.drain(..hidden);
                }
            });
        }
        let mut dismissed = None;
        for (i, m) in self.shown().iter().enumerate() {
            if message(ui, m) {
                dismissed = Some(i);
            }
        }
        if let Some(i) = dismissed {
            let first_shown = self.list.len() - self.shown().len();
            self.list.remove(first_shown + i);
        }
    }
}

/// One message in its colour, wrapped within the area's width; returns whether it was dismissed.
fn message(ui: &mut Ui, m: &Message) -> bool {
    let fill = match m.severity {
        Severity::Error => Color32::from_rgb(0x8b, 0x1a, 0x1a),
        Severity::Warning => Color32::from_rgb(0x7a, 0x5a, 0x0a),
        Severity::Info => Color32::from_rgb(0x1a, 0x4f, 0x8b),
    };
    let text = match m.severity {
        Severity::Error => t!("app-error-prefix", text = m.text.as_str()),
        Severity::Warning | Severity::Info => m.text.clone(),
    };
    let mut dismissed = false;
    egui::Frame::new()
        .fill(fill)
        .inner_margin(8.0)
        .corner_radius(4.0)
        .show(ui, |ui| {
            ui.horizontal_top(|ui| {
                const DISMISS_WIDTH: f32 = 90.0;
                let text_width = (ui.available_width() - DISMISS_WIDTH).max(120.0);
                ui.allocate_ui_with_layout(
                    egui::vec2(text_width, 0.0),
                    egui::Layout::top_down(egui::Align::Min),
                    |ui| {
                        ui.set_width(text_width);
                        ui.add(
                            egui::Label::new(RichText::new(text).color(Color32::WHITE).size(16.0))
                                .wrap(),
                        );
                    },
                );
                dismissed = ui
                    .button(t!("app-dismiss"))
                    .on_hover_text(t!("app-dismiss-hint", text = m.text.as_str()))
                    .clicked();
            });
        });
    dismissed
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
    /// Start a practice session with the sensors screen's source: nothing is stored.
    StartPractice,
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
        use entrain_engine::SensorStatus;
        let status = match &s.status {
            SensorStatus::Waiting => t!("app-sensor-waiting"),
            SensorStatus::Streaming => t!("app-sensor-streaming"),
            SensorStatus::Gap { .. } => t!("app-sensor-gap"),
            SensorStatus::Lost(r) => t!("app-sensor-lost", reason = r.to_string()),
            SensorStatus::Reconnecting => t!("app-sensor-reconnecting"),
        };
        let battery = s
            .battery_percent
            .map_or_else(String::new, |b| t!("app-sensor-battery", percent = b));
        ui.label(t!(
            "app-sensor-health",
            placement = crate::i18n::placement_label(s.placement),
            name = s.name.as_str(),
            status = status,
            samples = s.samples,
            lost = s.lost_samples,
            battery = battery
        ));
    }
}

#[cfg(test)]
mod message_tests {
    use super::*;

    #[test]
    fn news_goes_after_its_time_errors_and_warnings_stay() {
        let mut m = Messages::default();
        m.tick(10.0);
        m.info("Saved.");
        m.error("Disk full");
        m.error("Disk full");
        m.warn("Session #3 was interrupted");
        assert_eq!(
            m.texts(),
            ["Saved.", "Disk full", "Session #3 was interrupted"]
        );
        assert_eq!(m.next_expiry_in_secs(), Some(INFO_SECS));
        m.tick(10.0 + INFO_SECS - 0.25);
        assert_eq!(m.texts().len(), 3, "news stays for its time");
        assert_eq!(m.next_expiry_in_secs(), Some(0.25));
        m.tick(10.0 + INFO_SECS);
        assert_eq!(m.texts(), ["Disk full", "Session #3 was interrupted"]);
        m.tick(1e6);
        assert_eq!(m.texts(), ["Disk full", "Session #3 was interrupted"]);
    }

    #[test]
    fn the_newest_few_are_shown() {
        let mut m = Messages::default();
        for i in 0..5 {
            m.error(format!("problem {i}"));
        }
        let shown: Vec<&str> = m.shown().iter().map(|s| s.text.as_str()).collect();
        assert_eq!(shown.len(), MAX_SHOWN);
        assert_eq!(shown.last(), Some(&"problem 4"));
        assert_eq!(
            m.texts().len(),
            5,
            "the older ones are kept until dismissed"
        );
    }
}
