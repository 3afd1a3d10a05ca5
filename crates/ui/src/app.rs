//! The clinician's window: one [`EntrainApp`] drawn into any `egui::Ui` (the eframe window, or an
//! egui_kittest harness). Screens: patients, sensors, live session, clinical tests, progress,
//! patient view, settings.

use egui::{Color32, Key, RichText, Ui};
use egui_plot::{HLine, Legend, Line, Plot, PlotPoints, Polygon};

use entrain_ble::central::{BleError, FoundSensor};
use entrain_cue::Phase;
use entrain_engine::EngineCommand;
use entrain_gait::{Placement, Side};
use entrain_sim::Preset;
use entrain_source::SensorId;
use entrain_store::{AffectedSide, ClinicalTestKind, NewPatient, PatientRecord};

use crate::clinical::{self, SixMinuteWalk, TenMetreWalk, TimedUpAndGo};
use crate::live::{self, LiveSession, SourceChoice};
use crate::progress;
use crate::settings::Settings;
use crate::widgets::{self, Banner, Severity};
use crate::worker::{self, Pending, ProgressData, Reply, StoreWorker};

/// The screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Patient list, search, add, edit.
    Patients,
    /// Sensor scan and assignment.
    Sensors,
    /// The live session.
    Live,
    /// 10 m walk, 6 min walk, TUG, FAC.
    Tests,
    /// Progress across sessions.
    Progress,
    /// The calm full-screen view for the patient.
    PatientView,
    /// Settings.
    Settings,
}

impl Screen {
    const ALL: [(Screen, &'static str); 7] = [
        (Screen::Patients, "Patients"),
        (Screen::Sensors, "Sensors"),
        (Screen::Live, "Live session"),
        (Screen::Tests, "Clinical tests"),
        (Screen::Progress, "Progress"),
        (Screen::PatientView, "Patient view"),
        (Screen::Settings, "Settings"),
    ];
}

#[derive(Debug, Clone, Default, PartialEq)]
struct PatientForm {
    editing: Option<i64>,
    code: String,
    year_of_birth: String,
    affected_side: String,
    diagnosis_date: String,
    notes: String,
}

impl PatientForm {
    fn of(p: &PatientRecord) -> Self {
        PatientForm {
            editing: Some(p.id),
            code: p.code.clone(),
            year_of_birth: p.year_of_birth.map(|y| y.to_string()).unwrap_or_default(),
            affected_side: p
                .affected_side
                .map(|s| s.name().to_string())
                .unwrap_or_default(),
            diagnosis_date: p.diagnosis_date.clone().unwrap_or_default(),
            notes: p.notes.clone(),
        }
    }

    fn to_new(&self) -> Result<NewPatient, String> {
        let year_of_birth = match self.year_of_birth.trim() {
            "" => None,
            y => Some(
                y.parse::<i32>()
                    .map_err(|_| format!("year of birth: `{y}` is not a year"))?,
            ),
        };
        let affected_side = match self.affected_side.trim() {
            "" => None,
            s => Some(AffectedSide::parse(s).map_err(|e| e.to_string())?),
        };
        let diagnosis_date = match self.diagnosis_date.trim() {
            "" => None,
            d => Some(d.to_string()),
        };
        Ok(NewPatient {
            code: self.code.trim().to_string(),
            year_of_birth,
            affected_side,
            diagnosis_date,
            notes: self.notes.clone(),
        })
    }
}

#[derive(Debug)]
struct TestsState {
    ten: TenMetreWalk,
    six: Option<SixMinuteWalk>,
    lap_length: String,
    partial_lap: String,
    tug: TimedUpAndGo,
    fac: String,
}

impl Default for TestsState {
    fn default() -> Self {
        TestsState {
            ten: TenMetreWalk::new(),
            six: None,
            lap_length: "30".into(),
            partial_lap: "0".into(),
            tug: TimedUpAndGo::new(),
            fac: String::new(),
        }
    }
}

/// What the sensors screen chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SourceKind {
    Virtual,
    Recorded,
    Ble,
}

type ScanResult = Result<Vec<FoundSensor>, BleError>;

/// The whole app's state.
pub struct EntrainApp {
    screen: Screen,
    /// The patient view in a window of its own, for a second screen facing the patient.
    patient_window: bool,
    settings: Settings,
    settings_draft: Settings,
    store: Option<StoreWorker>,
    store_ready: bool,
    banners: Vec<Banner>,
    ctx: egui::Context,
    patients: Vec<PatientRecord>,
    search: String,
    selected: Option<i64>,
    form: Option<PatientForm>,
    source_kind: SourceKind,
    preset: Preset,
    recording_path: String,
    scan: Option<Pending<ScanResult>>,
    ble_status: String,
    found: Vec<FoundSensor>,
    ble_assign: Vec<(SensorId, Placement, entrain_source::SensorKind)>,
    starting: Option<Pending<Result<LiveSession, String>>>,
    live: Option<LiveSession>,
    ending: Option<Pending<String>>,
    last_summary: Option<String>,
    tests: TestsState,
    progress: Option<ProgressData>,
    compare_session: Option<usize>,
    auto_start: bool,
}

impl std::fmt::Debug for EntrainApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntrainApp")
            .field("screen", &self.screen)
            .field("selected", &self.selected)
            .finish_non_exhaustive()
    }
}

fn nanos_of(ui: &Ui) -> i64 {
    (ui.input(|i| i.time) * 1e9) as i64
}

fn labelled_text(ui: &mut Ui, label: &str, text: &mut String) -> egui::Response {
    ui.horizontal(|ui| {
        let l = ui.label(label);
        ui.add(egui::TextEdit::singleline(text).desired_width(220.0))
            .labelled_by(l.id)
    })
    .inner
}

fn big_button(ui: &mut Ui, text: &str, colour: Color32) -> egui::Response {
    ui.add(
        egui::Button::new(
            RichText::new(text)
                .size(26.0)
                .strong()
                .color(Color32::WHITE),
        )
        .fill(colour)
        .min_size(egui::vec2(150.0, 64.0)),
    )
}

/// Parses the phase name a snapshot carries.
pub fn parse_phase(text: &str) -> Option<Phase> {
    [
        Phase::Baseline,
        Phase::Matched,
        Phase::Progression,
        Phase::Functional,
        Phase::Fading,
        Phase::Retest,
        Phase::Done,
    ]
    .into_iter()
    .find(|p| {
        p.label() == text || entrain_engine::phase_name(*p) == text || format!("{p:?}") == text
    })
}

impl EntrainApp {
    /// The app with `settings`; the record opens in the background. `ctx` is used to wake the UI.
    pub fn new(ctx: &egui::Context, settings: Settings) -> Self {
        Self::style(ctx);
        let mut app = EntrainApp {
            screen: Screen::Patients,
            patient_window: false,
            settings_draft: settings.clone(),
            settings,
            store: None,
            store_ready: false,
            banners: Vec::new(),
            ctx: ctx.clone(),
            patients: Vec::new(),
            search: String::new(),
            selected: None,
            form: None,
            source_kind: SourceKind::Virtual,
            preset: Preset::Entrains,
            recording_path: String::new(),
            scan: None,
            ble_status: "Not scanned yet.".into(),
            found: Vec::new(),
            ble_assign: Vec::new(),
            starting: None,
            live: None,
            ending: None,
            last_summary: None,
            tests: TestsState::default(),
            progress: None,
            compare_session: None,
            auto_start: false,
        };
        app.open_store();
        app
    }

    fn style(ctx: &egui::Context) {
        ctx.set_visuals(egui::Visuals::dark());
        ctx.global_style_mut(|s| {
            s.text_styles
                .insert(egui::TextStyle::Body, egui::FontId::proportional(18.0));
            s.text_styles
                .insert(egui::TextStyle::Button, egui::FontId::proportional(18.0));
            s.spacing.button_padding = egui::vec2(10.0, 6.0);
        });
    }

    fn open_store(&mut self) {
        let ctx = self.ctx.clone();
        self.store_ready = false;
        self.store = Some(StoreWorker::open(
            self.settings.database_path(),
            move || ctx.request_repaint(),
        ));
    }

    fn error(&mut self, text: impl Into<String>) {
        let text = crate::history::plain_text(&text.into());
        if !self.banners.iter().any(|b| b.text == text) {
            self.banners.push(Banner {
                severity: Severity::Error,
                text,
            });
        }
    }

    fn info(&mut self, text: impl Into<String>) {
        self.banners.push(Banner {
            severity: Severity::Info,
            text: crate::history::plain_text(&text.into()),
        });
    }

    /// The current screen.
    pub fn screen(&self) -> Screen {
        self.screen
    }

    /// Whether the record is open.
    pub fn store_ready(&self) -> bool {
        self.store_ready
    }

    /// The banners on screen.
    pub fn banner_texts(&self) -> Vec<String> {
        self.banners.iter().map(|b| b.text.clone()).collect()
    }

    /// The selected patient's row id.
    pub fn selected_patient_id(&self) -> Option<i64> {
        self.selected
    }

    /// Sends Start as soon as the next session is ready (demo).
    pub fn set_auto_start(&mut self, on: bool) {
        self.auto_start = on;
    }

    /// The live session, if any.
    pub fn live(&self) -> Option<&LiveSession> {
        self.live.as_ref()
    }

    /// Switches screen.
    pub fn show(&mut self, screen: Screen) {
        self.screen = screen;
    }

    fn selected_patient(&self) -> Option<&PatientRecord> {
        self.selected
            .and_then(|id| self.patients.iter().find(|p| p.id == id))
    }

    fn refresh_patients(&mut self) {
        if let Some(s) = &self.store {
            s.run(|store| Reply::Patients(store.patients().map_err(|e| e.to_string())));
        }
    }

    fn refresh_progress(&mut self) {
        let (Some(s), Some(p)) = (&self.store, self.selected_patient().cloned()) else {
            return;
        };
        s.run(move |store| Reply::Progress(worker::load_progress(store, &p)));
    }

    /// Opens the patient view in its own window (a second screen facing the patient), as the
    /// navigation's button does.
    pub fn open_patient_window(&mut self) {
        self.patient_window = true;
    }

    /// For the demo and the tests: adds (or selects) patient `code`, takes the virtual patient and
    /// starts a session as soon as the record is open.
    pub fn queue_demo(&mut self, code: &str) {
        let code = code.to_string();
        if let Some(s) = &self.store {
            s.run(move |store| {
                let p = match store.patient_by_code(&code) {
                    Ok(Some(p)) => Ok(p),
                    Ok(None) => store
                        .add_patient(&NewPatient {
                            code,
                            affected_side: Some(AffectedSide::Left),
                            ..NewPatient::default()
                        })
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                };
                Reply::PatientSaved(p)
            });
        }
        self.source_kind = SourceKind::Virtual;
    }

    /// Starts a session with the chosen source for the selected patient (in the background).
    pub fn start_session(&mut self) {
        if self.live.as_ref().is_some_and(|l| !l.is_finished()) || self.starting.is_some() {
            return;
        }
        let choice = match self.source_kind {
            SourceKind::Virtual => SourceChoice::Virtual(self.preset),
            SourceKind::Recorded => {
                if self.recording_path.trim().is_empty() {
                    self.error("Recorded walk: give the recording file first (Sensors screen).");
                    return;
                }
                SourceChoice::Recorded(self.recording_path.trim().into())
            }
            SourceKind::Ble => {
                if self.ble_assign.is_empty() {
                    self.error("BLE sensors: assign the left and right foot sensors first.");
                    return;
                }
                SourceChoice::Ble(self.ble_assign.clone())
            }
        };
        let settings = self.settings.clone();
        let patient = self.selected_patient().cloned();
        let paretic = match patient.as_ref().and_then(|p| p.affected_side) {
            Some(AffectedSide::Left) => Some(Side::Left),
            Some(AffectedSide::Right) => Some(Side::Right),
            _ => None,
        };
        let ctx = self.ctx.clone();
        let label = choice.label();
        let pid = patient.map(|p| p.id);
        let job = move || {
            live::start_session(&settings, &choice, pid, paretic)
                .map(|h| LiveSession::new(h, label, pid))
        };
        match Pending::spawn("entrain-ui-start", job, move || ctx.request_repaint()) {
            Ok(p) => self.starting = Some(p),
            Err(e) => self.error(e),
        }
        self.live = None;
        self.screen = Screen::Live;
    }

    fn command(&mut self, c: EngineCommand) {
        if let Some(l) = &self.live {
            l.command(c);
        }
    }

    fn drain(&mut self) {
        let replies = self
            .store
            .as_ref()
            .map(StoreWorker::replies)
            .unwrap_or_default();
        for r in replies {
            match r {
                Reply::Opened(Ok(_)) => {
                    self.store_ready = true;
                    self.refresh_patients();
                }
                Reply::Opened(Err(e)) => {
                    self.error(format!("The record cannot be opened: {e}"));
                }
                Reply::Patients(Ok(p)) => self.patients = p,
                Reply::Patients(Err(e)) => self.error(format!("Patients: {e}")),
                Reply::PatientSaved(Ok(p)) => {
                    self.selected = Some(p.id);
                    self.form = None;
                    self.patients.retain(|q| q.id != p.id);
                    self.patients.push(p);
                    self.patients.sort_by(|a, b| a.code.cmp(&b.code));
                    self.refresh_patients();
                }
                Reply::PatientSaved(Err(e)) => self.error(format!("Patient not saved: {e}")),
                Reply::Assigned(Ok(t)) => self.info(t),
                Reply::Assigned(Err(e)) => self.error(format!("Sensors not assigned: {e}")),
                Reply::Progress(Ok(p)) => {
                    if Some(p.patient_id) == self.selected {
                        self.progress = Some(p);
                    }
                }
                Reply::Progress(Err(e)) => self.error(format!("Progress: {e}")),
                Reply::TestSaved(Ok(t)) => {
                    self.info(t);
                    self.refresh_progress();
                }
                Reply::TestSaved(Err(e)) => self.error(format!("Test not stored: {e}")),
                Reply::ReportWritten(Ok(t)) => self.info(t),
                Reply::ReportWritten(Err(e)) => self.error(format!("Report not written: {e}")),
            }
        }
        if let Some(p) = &self.scan
            && let Some(r) = p.try_take()
        {
            self.scan = None;
            match r {
                Ok(found) => {
                    self.ble_status = format!("{} sensor(s) found.", found.len());
                    self.found = found;
                }
                Err(BleError::NoAdapter { detail }) => {
                    self.ble_status = format!(
                        "No Bluetooth adapter on this computer ({detail}). Use the virtual patient or a recorded walk."
                    );
                }
                Err(e) => self.ble_status = format!("Scan failed: {e}"),
            }
        }
        if let Some(p) = &self.starting
            && let Some(r) = p.try_take()
        {
            self.starting = None;
            match r {
                Ok(l) => {
                    if self.auto_start {
                        l.command(EngineCommand::Start);
                    }
                    self.live = Some(l);
                }
                Err(e) => self.error(format!("The session did not start: {e}")),
            }
        }
        if let Some(l) = &mut self.live {
            l.poll();
            if l.is_finished()
                && let Some(h) = l.take_handle()
            {
                let ctx = self.ctx.clone();
                match Pending::spawn(
                    "entrain-ui-join",
                    move || live::summary_text(&h.join()),
                    move || ctx.request_repaint(),
                ) {
                    Ok(p) => self.ending = Some(p),
                    Err(e) => self.error(e),
                }
            }
        }
        if let Some(p) = &self.ending
            && let Some(text) = p.try_take()
        {
            self.ending = None;
            self.last_summary = Some(text.clone());
            self.info(text);
            self.refresh_progress();
        }
    }

    fn shortcuts(&mut self, ui: &Ui) {
        if ui.ctx().egui_wants_keyboard_input() {
            return;
        }
        let Some(l) = &mut self.live else { return };
        let (space, up, down, n, m, esc) = ui.input(|i| {
            (
                i.key_pressed(Key::Space),
                i.key_pressed(Key::ArrowUp) || i.key_pressed(Key::ArrowRight),
                i.key_pressed(Key::ArrowDown) || i.key_pressed(Key::ArrowLeft),
                i.key_pressed(Key::N),
                i.key_pressed(Key::M),
                i.key_pressed(Key::Escape),
            )
        });
        if space {
            let c = if !l.is_started() {
                EngineCommand::Start
            } else if l.is_paused() {
                EngineCommand::Resume
            } else {
                EngineCommand::Pause
            };
            l.command(c);
        }
        if up {
            l.command(EngineCommand::NudgeTempo { delta_spm: 1.0 });
        }
        if down {
            l.command(EngineCommand::NudgeTempo { delta_spm: -1.0 });
        }
        if n {
            l.command(EngineCommand::NextPhase);
        }
        if m {
            l.command(EngineCommand::Mark {
                label: "mark (keyboard)".into(),
            });
        }
        if esc && l.is_started() {
            l.confirm_stop = true;
        }
    }

    /// Draws the whole window.
    pub fn ui(&mut self, ui: &mut Ui) {
        if self.ctx != *ui.ctx() {
            // Drawn into another context than the one it was made with (a test harness).
            self.ctx = ui.ctx().clone();
            Self::style(&self.ctx);
        }
        self.drain();
        self.shortcuts(ui);
        if let Some(l) = &self.live
            && !l.is_finished()
        {
            // Repaint often enough for the visual beat (it flashes for a third of a beat).
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(50));
        }
        if self.patient_window {
            self.patient_window(ui.ctx());
        }
        if self.screen == Screen::PatientView {
            self.patient_view(ui);
            return;
        }
        egui::Panel::top("nav").show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                for (screen, name) in Screen::ALL {
                    if ui
                        .selectable_label(self.screen == screen, RichText::new(name).size(20.0))
                        .clicked()
                    {
                        self.screen = screen;
                        if screen == Screen::Progress {
                            self.refresh_progress();
                        }
                    }
                }
                ui.separator();
                let label = if self.patient_window {
                    "Close patient window"
                } else {
                    "Patient window (second screen)"
                };
                if ui.button(RichText::new(label).size(18.0)).clicked() {
                    self.patient_window = !self.patient_window;
                }
                ui.separator();
                let who = self.selected_patient().map_or_else(
                    || "no patient selected".into(),
                    |p| format!("Patient {}", p.code),
                );
                ui.label(RichText::new(who).strong());
            });
            if let Some(i) = widgets::banners(ui, &self.banners) {
                self.banners.remove(i);
            }
        });
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| match self.screen {
                Screen::Patients => self.patients_screen(ui),
                Screen::Sensors => self.sensors_screen(ui),
                Screen::Live => self.live_screen(ui),
                Screen::Tests => self.tests_screen(ui),
                Screen::Progress => self.progress_screen(ui),
                Screen::Settings => self.settings_screen(ui),
                Screen::PatientView => {}
            });
        });
    }

    fn patients_screen(&mut self, ui: &mut Ui) {
        ui.heading("Patient list");
        if !self.store_ready {
            ui.label("Opening the record…");
        }
        ui.horizontal(|ui| {
            labelled_text(ui, "Search", &mut self.search);
            if ui.button("Add patient").clicked() {
                self.form = Some(PatientForm::default());
            }
        });
        let q = self.search.trim().to_lowercase();
        let mut open = None;
        let mut edit = None;
        egui::Grid::new("patients").striped(true).show(ui, |ui| {
            for p in self
                .patients
                .iter()
                .filter(|p| q.is_empty() || p.code.to_lowercase().contains(&q))
            {
                let sel = self.selected == Some(p.id);
                ui.label(RichText::new(&p.code).size(20.0).strong().color(if sel {
                    Color32::LIGHT_GREEN
                } else {
                    Color32::WHITE
                }));
                ui.label(p.affected_side.map_or("—", AffectedSide::name));
                ui.label(
                    p.year_of_birth
                        .map_or_else(|| "—".into(), |y| y.to_string()),
                );
                if ui.button(format!("Open {}", p.code)).clicked() {
                    open = Some(p.id);
                }
                if ui.button(format!("Edit {}", p.code)).clicked() {
                    edit = Some(PatientForm::of(p));
                }
                ui.end_row();
            }
        });
        if let Some(id) = open {
            self.selected = Some(id);
            self.progress = None;
            self.screen = Screen::Sensors;
        }
        if edit.is_some() {
            self.form = edit;
        }
        let mut save = None;
        let mut cancel = false;
        if let Some(f) = &mut self.form {
            ui.separator();
            ui.heading(if f.editing.is_some() {
                "Edit patient"
            } else {
                "New patient"
            });
            ui.label("Use a pseudonymous code, never the patient's name.");
            labelled_text(ui, "Patient code", &mut f.code);
            labelled_text(ui, "Year of birth", &mut f.year_of_birth);
            labelled_text(
                ui,
                "Affected side (left/right/both/none)",
                &mut f.affected_side,
            );
            labelled_text(ui, "Diagnosis date (YYYY-MM-DD)", &mut f.diagnosis_date);
            labelled_text(ui, "Notes", &mut f.notes);
            ui.horizontal(|ui| {
                if ui.button("Save patient").clicked() {
                    save = Some(f.clone());
                }
                if ui.button("Cancel").clicked() {
                    cancel = true;
                }
            });
        }
        if cancel {
            self.form = None;
        }
        if let Some(f) = save {
            match (f.to_new(), &self.store) {
                (Ok(np), Some(s)) => {
                    let id = f.editing;
                    s.run(move |store| {
                        Reply::PatientSaved(
                            match id {
                                Some(id) => store.update_patient(id, &np),
                                None => store.add_patient(&np),
                            }
                            .map_err(|e| e.to_string()),
                        )
                    });
                }
                (Err(e), _) => self.error(format!("Patient not saved: {e}")),
                (_, None) => self.error("The record is not open."),
            }
        }
    }

    fn sensors_screen(&mut self, ui: &mut Ui) {
        ui.heading("Sensor setup");
        ui.horizontal(|ui| {
            if ui
                .add_enabled(self.scan.is_none(), egui::Button::new("Scan for sensors"))
                .clicked()
            {
                let ctx = self.ctx.clone();
                match Pending::spawn(
                    "entrain-ui-scan",
                    || entrain_ble::central::scan(std::time::Duration::from_secs(4)),
                    move || ctx.request_repaint(),
                ) {
                    Ok(p) => {
                        self.scan = Some(p);
                        self.ble_status = "Scanning for 4 s…".into();
                    }
                    Err(e) => self.error(e),
                }
            }
            ui.label(&self.ble_status);
        });
        let mut assign = Vec::new();
        egui::Grid::new("found").striped(true).show(ui, |ui| {
            for s in &self.found {
                ui.label(&s.name);
                ui.label(
                    s.rssi_dbm
                        .map_or_else(|| "signal ?".into(), |r| format!("{r} dBm")),
                );
                ui.label(
                    s.battery_percent
                        .map_or_else(|| "battery ?".into(), |b| format!("battery {b} %")),
                );
                for (placement, what) in [
                    (Placement::Foot(Side::Left), "Left foot"),
                    (Placement::Foot(Side::Right), "Right foot"),
                    (Placement::LowerBack, "Lower back"),
                ] {
                    if ui.button(format!("{what}: {}", s.name)).clicked() {
                        assign.push((s.id.clone(), placement, s.kind, s.name.clone()));
                    }
                }
                ui.end_row();
            }
        });
        for (id, placement, kind, name) in assign {
            self.ble_assign.retain(|a| a.1 != placement);
            self.ble_assign.push((id.clone(), placement, kind));
            self.source_kind = SourceKind::Ble;
            self.store_assignment(vec![(placement, id, name)], "ble");
        }
        ui.separator();
        ui.heading("Sensor source for the session");
        ui.radio_value(
            &mut self.source_kind,
            SourceKind::Virtual,
            "Virtual patient",
        );
        ui.horizontal(|ui| {
            let l = ui.label("Patient preset");
            egui::ComboBox::from_id_salt("preset")
                .selected_text(self.preset.name())
                .show_ui(ui, |ui| {
                    for p in Preset::ALL {
                        ui.selectable_value(&mut self.preset, p, p.name());
                    }
                })
                .response
                .labelled_by(l.id);
        });
        if ui.button("Assign virtual patient's sensors").clicked() {
            self.source_kind = SourceKind::Virtual;
            let sensors = live::virtual_sensors(self.preset);
            self.store_assignment(sensors, "virtual");
        }
        ui.radio_value(&mut self.source_kind, SourceKind::Recorded, "Recorded walk");
        labelled_text(ui, "Recording file (raw CSV)", &mut self.recording_path);
        ui.radio_value(&mut self.source_kind, SourceKind::Ble, "BLE sensors");
        for (id, placement, _) in &self.ble_assign {
            ui.label(format!("{placement:?}: {id}"));
        }
        ui.separator();
        if let Some(l) = &self.live {
            ui.heading("Live sensor status");
            sensor_health(ui, &l.snapshot);
        }
        if big_button(ui, "Go to session", Color32::from_rgb(0x2d, 0x6a, 0x4f)).clicked() {
            self.start_session();
        }
    }

    fn store_assignment(
        &mut self,
        sensors: Vec<(Placement, SensorId, String)>,
        kind: &'static str,
    ) {
        let Some(patient) = self.selected else {
            self.info("Sensors chosen for this session; select a patient to keep the assignment.");
            return;
        };
        if let Some(s) = &self.store {
            s.run(move |store| {
                let mut names = Vec::new();
                for (placement, id, name) in &sensors {
                    if let Err(e) = store.assign_sensor(patient, &id.0, name, kind, *placement) {
                        return Reply::Assigned(Err(e.to_string()));
                    }
                    names.push(format!("{} -> {}", placement.code(), id));
                }
                Reply::Assigned(Ok(format!("Sensors assigned: {}", names.join(", "))))
            });
        }
    }

    fn live_screen(&mut self, ui: &mut Ui) {
        if self.starting.is_some() {
            ui.heading("Starting the session…");
            return;
        }
        let Some(l) = &mut self.live else {
            ui.heading("No session running");
            if let Some(s) = &self.last_summary {
                ui.label(s);
            }
            if big_button(ui, "New session", Color32::from_rgb(0x2d, 0x6a, 0x4f)).clicked() {
                self.start_session();
            }
            return;
        };
        let snap = l.snapshot.clone();
        let phase = parse_phase(&snap.phase);
        let next = phase.map(|p| {
            let n = p.next();
            if n == Phase::Functional && self.settings.protocol(None).functional_secs <= 0.0 {
                Phase::Fading
            } else {
                n
            }
        });
        let phase_text = phase.map_or_else(|| snap.phase.clone(), |p| p.label().to_string());
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(format!("Phase: {phase_text}"))
                    .size(30.0)
                    .strong(),
            );
            if let Some(n) = next.filter(|n| *n != Phase::Done || phase != Some(Phase::Done)) {
                ui.label(RichText::new(format!("Next: {}", n.label())).size(22.0));
            }
            ui.label(
                RichText::new(format!("({})", crate::history::plain_text(&snap.run_state)))
                    .size(22.0),
            );
        });
        ui.horizontal(|ui| {
            widgets::big_number(ui, "Cadence", snap.cadence_spm, 0, "steps/min");
            ui.add_space(30.0);
            widgets::big_number(ui, "Tempo", snap.current_tempo_spm, 0, "steps/min");
            ui.add_space(30.0);
            widgets::big_number(ui, "Target", snap.target_tempo_spm, 1, "steps/min");
            ui.add_space(30.0);
            let interval = snap.current_tempo_spm.map(|t| (60e9 / t) as i64);
            let since = snap.last_beat_nanos.map(|b| snap.now_nanos - b);
            widgets::beat_pulse(
                ui,
                120.0,
                widgets::beat_brightness(since, interval),
                "visual beat",
            );
            ui.vertical(|ui| {
                ui.label(format!("Steps: {}", snap.steps_total));
                ui.label(format!(
                    "Step time L / R: {} / {} s",
                    fmt_opt(snap.step_time_left_secs, 2),
                    fmt_opt(snap.step_time_right_secs, 2)
                ));
                ui.label(format!(
                    "Symmetry ratio: {}",
                    fmt_opt(snap.symmetry_ratio, 2)
                ));
                ui.label(format!(
                    "Variability (CV): {} %",
                    fmt_opt(snap.step_time_cv_percent, 1)
                ));
                ui.label(format!(
                    "Mean asynchrony: {} ms",
                    fmt_opt(snap.mean_asynchrony_ms, 0)
                ));
            });
        });
        let mut cmds = Vec::new();
        ui.horizontal_wrapped(|ui| {
            let green = Color32::from_rgb(0x2d, 0x6a, 0x4f);
            if !l.is_started() && !l.is_finished() {
                if big_button(ui, "Start", green).clicked() {
                    cmds.push(EngineCommand::Start);
                }
            } else if l.is_paused() {
                if big_button(ui, "Resume", green).clicked() {
                    cmds.push(EngineCommand::Resume);
                }
            } else if big_button(ui, "Pause", Color32::from_rgb(0x9c, 0x6a, 0x1c)).clicked() {
                cmds.push(EngineCommand::Pause);
            }
            if big_button(ui, "Stop", Color32::from_rgb(0xb0, 0x1c, 0x1c)).clicked()
                && !l.is_finished()
            {
                l.confirm_stop = true;
            }
            let blue = Color32::from_rgb(0x1c, 0x4f, 0x8b);
            if big_button(ui, "Next phase", blue).clicked() {
                cmds.push(EngineCommand::NextPhase);
            }
            if big_button(ui, "Tempo -", blue).clicked() {
                cmds.push(EngineCommand::NudgeTempo { delta_spm: -1.0 });
            }
            if big_button(ui, "Tempo +", blue).clicked() {
                cmds.push(EngineCommand::NudgeTempo { delta_spm: 1.0 });
            }
        });
        ui.horizontal(|ui| {
            labelled_text(ui, "Event label", &mut l.mark_text);
            if ui.button("Mark event").clicked() {
                let label = if l.mark_text.trim().is_empty() {
                    "mark".to_string()
                } else {
                    l.mark_text.trim().to_string()
                };
                cmds.push(EngineCommand::Mark { label });
                l.mark_text.clear();
            }
        });
        ui.label("Keys: Space start/pause, Up/Down tempo, N next phase, M mark, Esc stop.");
        if l.confirm_stop {
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new("Stop the session?")
                        .size(22.0)
                        .color(Color32::LIGHT_RED),
                );
                if big_button(ui, "Confirm stop", Color32::from_rgb(0xb0, 0x1c, 0x1c)).clicked() {
                    cmds.push(EngineCommand::Stop);
                    l.confirm_stop = false;
                }
                if ui.button("Keep going").clicked() {
                    l.confirm_stop = false;
                }
            });
        }
        if let Some(t) = l.history.last_tempo_change() {
            ui.label(
                RichText::new(format!("Tempo change: {}", t.text))
                    .size(20.0)
                    .color(Color32::LIGHT_GREEN),
            );
        }
        if snap.cueing_through_sensor_gap {
            ui.label(
                RichText::new("Sensor gap: the cue goes on at the last good tempo.")
                    .color(Color32::YELLOW),
            );
        }
        ui.columns(2, |cols| {
            widgets::step_time_plot(&mut cols[0], &l.history, 200.0);
            widgets::tempo_plot(&mut cols[1], &l.history, 200.0);
            widgets::asynchrony_histogram(&mut cols[0], &l.history.asynchronies_ms, 160.0);
            widgets::entrainment_gauge(&mut cols[1], snap.entrainment_r);
            cols[1].label(crate::history::plain_text(&format!(
                "Audio: {}",
                snap.audio
            )));
            cols[1].label(crate::history::plain_text(&format!(
                "Recording: {} (steps stored: {})",
                snap.store, l.steps_stored
            )));
            sensor_health(&mut cols[1], &snap);
        });
        ui.collapsing("Session log", |ui| {
            for n in l.history.notices.iter().rev().take(30) {
                ui.label(n);
            }
        });
        for c in cmds {
            self.command(c);
        }
    }

    fn tests_screen(&mut self, ui: &mut Ui) {
        let now = nanos_of(ui);
        ui.heading("Clinical gait tests");
        let Some(patient) = self.selected_patient().cloned() else {
            ui.label("Select a patient first (Patients screen).");
            return;
        };
        ui.label(format!("Results are stored for patient {}.", patient.code));
        ui.request_repaint_after_secs(0.1);
        let mut save: Option<(ClinicalTestKind, f64, String)> = None;
        let mut errors = Vec::new();
        ui.group(|ui| {
            ui.heading("10-metre walk (time the middle 6 m)");
            let t = &mut self.tests.ten;
            ui.label(format!(
                "Trial {} of 3 — clock {} s",
                (t.trial_secs().len() + 1).min(3),
                fmt_opt(t.running_secs(now), 2)
            ));
            ui.horizontal(|ui| {
                if ui.button("Crossed 2 m line").clicked()
                    && let Err(e) = t.cross_start(now)
                {
                    errors.push(e.to_string());
                }
                if ui.button("Crossed 8 m line").clicked()
                    && let Err(e) = t.cross_end(now)
                {
                    errors.push(e.to_string());
                }
                if ui.button("Cancel trial").clicked() {
                    t.cancel_trial();
                }
            });
            for (i, v) in t.trial_speeds_mps().iter().enumerate() {
                ui.label(format!("Trial {}: {:.2} m/s", i + 1, v));
            }
            if let Some(v) = t.gait_speed_mps() {
                ui.label(format!(
                    "Gait speed {v:.2} m/s — {}",
                    progress::ambulation_class(v)
                ));
                if ui.button("Save 10 m walk").clicked() {
                    save = Some((
                        ClinicalTestKind::TenMetreWalk,
                        v,
                        format!("{} trial(s)", t.trial_secs().len()),
                    ));
                }
            }
        });
        ui.group(|ui| {
            ui.heading("6-minute walk");
            match &mut self.tests.six {
                None => {
                    labelled_text(ui, "Lap length, m", &mut self.tests.lap_length);
                    if ui.button("Start 6-minute walk").clicked() {
                        match clinical::parse_number(
                            "lap length, m",
                            &self.tests.lap_length,
                            1.0,
                            100.0,
                        )
                        .and_then(SixMinuteWalk::new)
                        .and_then(|mut w| w.start(now).map(|()| w))
                        {
                            Ok(w) => self.tests.six = Some(w),
                            Err(e) => errors.push(e.to_string()),
                        }
                    }
                }
                Some(w) => {
                    ui.label(format!(
                        "{} laps of {} m — {} s left",
                        w.laps(),
                        w.lap_length_m(),
                        fmt_opt(w.remaining_secs(now), 0)
                    ));
                    ui.horizontal(|ui| {
                        if ui.button("Lap").clicked()
                            && let Err(e) = w.lap(now)
                        {
                            errors.push(e.to_string());
                        }
                        if ui.button("Stop early").clicked()
                            && let Err(e) = w.stop(now)
                        {
                            errors.push(e.to_string());
                        }
                    });
                    if w.is_over(now) {
                        labelled_text(ui, "Last partial lap, m", &mut self.tests.partial_lap);
                        if ui.button("Save 6-minute walk").clicked() {
                            match clinical::parse_number(
                                "last partial lap, m",
                                &self.tests.partial_lap,
                                0.0,
                                100.0,
                            )
                            .and_then(|p| w.distance_m(p, now))
                            {
                                Ok(d) => {
                                    save = Some((
                                        ClinicalTestKind::SixMinuteWalk,
                                        d,
                                        format!("{} laps", w.laps()),
                                    ))
                                }
                                Err(e) => errors.push(e.to_string()),
                            }
                        }
                    }
                }
            }
        });
        ui.group(|ui| {
            ui.heading("Timed Up and Go");
            let t = &mut self.tests.tug;
            ui.label(format!(
                "Clock {} s",
                fmt_opt(t.running_secs(now).or(t.result_secs()), 2)
            ));
            ui.horizontal(|ui| {
                if ui.button("Go").clicked()
                    && let Err(e) = t.start(now)
                {
                    errors.push(e.to_string());
                }
                if ui.button("Seated").clicked()
                    && let Err(e) = t.stop(now)
                {
                    errors.push(e.to_string());
                }
                if let Some(r) = t.result_secs()
                    && t.running_secs(now).is_none()
                    && ui.button("Save TUG").clicked()
                {
                    save = Some((ClinicalTestKind::TimedUpAndGo, r, String::new()));
                }
            });
        });
        ui.group(|ui| {
            ui.heading("Functional Ambulation Category");
            for l in clinical::FAC_LEVELS {
                ui.label(l);
            }
            labelled_text(ui, "FAC (0–5)", &mut self.tests.fac);
            if ui.button("Save FAC").clicked() {
                match clinical::parse_fac(&self.tests.fac) {
                    Ok(v) => save = Some((ClinicalTestKind::Fac, f64::from(v), String::new())),
                    Err(e) => errors.push(e.to_string()),
                }
            }
        });
        for e in errors {
            self.error(e);
        }
        if let (Some((kind, value, notes)), Some(s)) = (save, &self.store) {
            let session = self.live.as_ref().and_then(|l| l.session_id);
            let pid = patient.id;
            s.run(move |store| {
                Reply::TestSaved(
                    store
                        .add_clinical_test(pid, session, kind, value, &notes)
                        .map(|_| format!("Stored {}: {value:.2} {}", kind.code(), kind.unit()))
                        .map_err(|e| e.to_string()),
                )
            });
            match kind {
                ClinicalTestKind::TenMetreWalk => self.tests.ten = TenMetreWalk::new(),
                ClinicalTestKind::SixMinuteWalk => self.tests.six = None,
                ClinicalTestKind::TimedUpAndGo => self.tests.tug = TimedUpAndGo::new(),
                ClinicalTestKind::Fac => self.tests.fac.clear(),
            }
        }
    }

    fn progress_screen(&mut self, ui: &mut Ui) {
        let Some(patient) = self.selected_patient().cloned() else {
            ui.heading("Progress across sessions");
            ui.label("Select a patient first (Patients screen).");
            return;
        };
        ui.heading(format!("Progress of {}", patient.code));
        ui.horizontal(|ui| {
            if ui.button("Refresh progress").clicked() {
                self.refresh_progress();
            }
            if ui.button("Progress report (PDF)").clicked() {
                self.write_report(Report::Progress(patient.code.clone()));
            }
        });
        let Some(data) = &self.progress else {
            ui.label("Reading the record…");
            return;
        };
        ui.label(format!(
            "{} session(s), {} clinical test(s).",
            data.sessions.len(),
            data.tests.len()
        ));
        let mut list_clicked = None;
        let mut report_clicked = None;
        egui::Grid::new("sessions").striped(true).show(ui, |ui| {
            ui.label("Session");
            ui.label("Status");
            ui.label("Steps");
            ui.label("Cadence baseline -> re-test");
            ui.label("Entrainment R");
            ui.end_row();
            for (i, (s, p)) in data.sessions.iter().zip(&data.points).enumerate() {
                ui.horizontal(|ui| {
                    if ui.button(format!("Session #{}", s.id)).clicked() {
                        list_clicked = Some(i);
                    }
                    if ui.button(format!("Report #{} (PDF)", s.id)).clicked() {
                        report_clicked = Some(Report::Session(s.id));
                    }
                    if ui.button(format!("FHIR #{}", s.id)).clicked() {
                        report_clicked = Some(Report::Fhir(s.id));
                    }
                });
                ui.label(s.status.name());
                ui.label(p.steps.to_string());
                ui.label(format!(
                    "{} -> {} steps/min",
                    fmt_opt(p.baseline.cadence_spm, 1),
                    fmt_opt(p.retest.cadence_spm, 1)
                ));
                ui.label(fmt_opt(p.entrainment_r, 2));
                ui.end_row();
            }
        });
        let idx = |points: &[progress::SessionPoint],
                   f: &dyn Fn(&progress::SessionPoint) -> Option<f64>|
         -> Vec<[f64; 2]> {
            points
                .iter()
                .enumerate()
                .filter_map(|(i, p)| f(p).map(|v| [i as f64 + 1.0, v]))
                .collect()
        };
        ui.columns(2, |cols| {
            let pts = &data.points;
            small_plot(
                &mut cols[0],
                "progress_cadence",
                "cadence, steps/min",
                vec![
                    (
                        "baseline (no cue)",
                        idx(pts, &|p| p.baseline.cadence_spm),
                        widgets::LEFT_COLOUR,
                    ),
                    (
                        "re-test (no cue)",
                        idx(pts, &|p| p.retest.cadence_spm),
                        widgets::RIGHT_COLOUR,
                    ),
                ],
            );
            small_plot(
                &mut cols[1],
                "progress_asymmetry",
                "symmetry ratio (1 = symmetric)",
                vec![
                    (
                        "baseline",
                        idx(pts, &|p| p.baseline.symmetry_ratio),
                        widgets::LEFT_COLOUR,
                    ),
                    (
                        "re-test",
                        idx(pts, &|p| p.retest.symmetry_ratio),
                        widgets::RIGHT_COLOUR,
                    ),
                ],
            );
            small_plot(
                &mut cols[0],
                "progress_cv",
                "step-time variability CV, %",
                vec![(
                    "whole session",
                    idx(pts, &|p| p.whole.step_time_cv_percent),
                    widgets::TEMPO_COLOUR,
                )],
            );
            small_plot(
                &mut cols[1],
                "progress_r",
                "entrainment R",
                vec![(
                    "cued steps",
                    idx(pts, &|p| p.entrainment_r),
                    widgets::TEMPO_COLOUR,
                )],
            );
        });
        ui.heading("Gait speed (10-metre walk)");
        let speeds = progress::gait_speeds(&data.tests);
        let first = speeds.first().map(|s| s.1);
        let n = speeds.len().max(2) as f64;
        Plot::new("progress_speed")
            .height(220.0)
            .legend(Legend::default())
            .x_axis_label("test")
            .y_axis_label("gait speed, m/s")
            .allow_scroll(false)
            .show(ui, |plot| {
                if let Some(f) = first {
                    plot.polygon(
                        Polygon::new(
                            "MCID band (0.13–0.16 m/s above the first test)",
                            PlotPoints::from(vec![
                                [0.5, f + progress::MCID_LOW_MPS],
                                [n + 0.5, f + progress::MCID_LOW_MPS],
                                [n + 0.5, f + progress::MCID_HIGH_MPS],
                                [0.5, f + progress::MCID_HIGH_MPS],
                            ]),
                        )
                        .fill_color(Color32::from_rgba_unmultiplied(0x2c, 0xa0, 0x2c, 60)),
                    );
                }
                plot.hline(
                    HLine::new(
                        "household / limited community 0.4 m/s",
                        progress::HOUSEHOLD_LIMIT_MPS,
                    )
                    .color(Color32::LIGHT_RED),
                );
                plot.hline(
                    HLine::new("community 0.8 m/s", progress::COMMUNITY_LIMIT_MPS)
                        .color(Color32::LIGHT_GREEN),
                );
                let pts: Vec<[f64; 2]> = speeds
                    .iter()
                    .enumerate()
                    .map(|(i, s)| [i as f64 + 1.0, s.1])
                    .collect();
                plot.line(
                    Line::new("gait speed", PlotPoints::from(pts))
                        .color(widgets::LEFT_COLOUR)
                        .width(3.0),
                );
            });
        if let (Some(f), Some(l)) = (first, speeds.last().map(|s| s.1))
            && speeds.len() >= 2
        {
            ui.label(format!(
                "First {f:.2} m/s -> latest {l:.2} m/s: {}; {}",
                progress::speed_change_verdict(f, l),
                progress::ambulation_class(l)
            ));
        }
        if let Some(i) = list_clicked {
            self.compare_session = Some(i);
        }
        let chosen = self.compare_session.or(data.points.len().checked_sub(1));
        if let Some(p) = chosen.and_then(|i| data.points.get(i)) {
            ui.heading(format!("Session #{}: baseline vs re-test", p.session_id));
            comparison_table(ui, &p.baseline, &p.retest);
        }
        if let Some(report) = report_clicked {
            self.write_report(report);
        }
    }

    fn settings_screen(&mut self, ui: &mut Ui) {
        ui.heading("Settings of this computer");
        let d = &mut self.settings_draft;
        ui.checkbox(&mut d.sound, "Sound (off: visual beat only)");
        ui.add(egui::Slider::new(&mut d.volume, 0.0..=1.0).text("Volume"));
        labelled_text(ui, "Output device (empty = default)", &mut d.output_device);
        ui.heading("Protocol defaults");
        ui.add(egui::Slider::new(&mut d.baseline_secs, 5.0..=120.0).text("Baseline, s"));
        ui.add(egui::Slider::new(&mut d.retest_secs, 5.0..=120.0).text("Re-test, s"));
        ui.add(egui::Slider::new(&mut d.step_percent, 0.5..=20.0).text("Tempo step per level, %"));
        ui.add(
            egui::Slider::new(&mut d.max_increase_percent, 0.0..=30.0).text("Highest increase, %"),
        );
        ui.add(
            egui::Slider::new(&mut d.ceiling_above_baseline_percent, 0.0..=40.0)
                .text("Tempo ceiling above baseline, %"),
        );
        ui.add(egui::Slider::new(&mut d.fading_secs, 0.0..=300.0).text("Fading, s"));
        let mut folder = d.data_dir.display().to_string();
        if labelled_text(ui, "Data folder", &mut folder).changed() {
            d.data_dir = folder.into();
        }
        if ui.button("Save settings").clicked() {
            let draft = self.settings_draft.clone();
            match draft.save() {
                Ok(()) => {
                    let reopen = draft.data_dir != self.settings.data_dir;
                    self.settings = draft;
                    self.info("Settings saved.");
                    if reopen {
                        self.patients.clear();
                        self.selected = None;
                        self.open_store();
                    }
                }
                Err(e) => self.error(e.to_string()),
            }
        }
    }

    /// The patient view in its own window: drag it to the screen the patient sees and make it
    /// full screen there (F11 or the window manager). Where the platform (or a test harness) has
    /// only one native window, it is an egui window inside it, placed clear of the navigation.
    fn patient_window(&mut self, ctx: &egui::Context) {
        const TITLE: &str = "Entrain: patient view";
        let closed = if ctx.embed_viewports() {
            let mut open = true;
            egui::Window::new(TITLE)
                .default_pos([480.0, 160.0])
                .default_size([800.0, 600.0])
                .collapsible(false)
                .open(&mut open)
                .show(ctx, |ui| self.patient_display(ui, false));
            !open
        } else {
            let builder = egui::ViewportBuilder::default()
                .with_title(TITLE)
                .with_inner_size([1024.0, 768.0]);
            ctx.show_viewport_immediate(
                egui::ViewportId::from_hash_of("entrain-patient-view"),
                builder,
                |ui, _class| {
                    self.patient_display(ui, false);
                    ui.ctx().input(|i| i.viewport().close_requested())
                },
            )
        };
        if closed {
            self.patient_window = false;
        }
    }

    fn patient_view(&mut self, ui: &mut Ui) {
        self.patient_display(ui, true);
    }

    /// The calm display for the patient: the beat, the step count, a word of encouragement.
    /// `with_back` adds the way back to the clinician's screens (not in the patient's own window).
    fn patient_display(&mut self, ui: &mut Ui, with_back: bool) {
        let snap = self
            .live
            .as_ref()
            .map(|l| l.snapshot.clone())
            .unwrap_or_default();
        let background = egui::Frame::new().fill(Color32::from_rgb(0x10, 0x18, 0x28));
        let mut back = false;
        let mut content = |ui: &mut Ui| {
            ui.vertical_centered(|ui| {
                ui.add_space(30.0);
                let interval = snap.current_tempo_spm.map(|t| (60e9 / t) as i64);
                let since = snap.last_beat_nanos.map(|b| snap.now_nanos - b);
                widgets::beat_pulse(ui, 260.0, widgets::beat_brightness(since, interval), "beat");
                ui.add_space(20.0);
                ui.label(
                    RichText::new(format!("{} steps", snap.steps_total))
                        .size(80.0)
                        .color(Color32::WHITE),
                );
                let words = match (snap.cued, snap.entrainment_r) {
                    (true, Some(r)) if r > 0.7 => "Lovely rhythm — keep going!",
                    (true, _) => "Walk with the beat",
                    (false, _) if snap.steps_total > 0 => "Walk at your own pace",
                    _ => "Ready when you are",
                };
                ui.label(
                    RichText::new(words)
                        .size(48.0)
                        .color(Color32::from_rgb(0xb8, 0xd8, 0xf8)),
                );
                ui.add_space(40.0);
                back = with_back && ui.button("Back to clinician view").clicked();
            });
        };
        if with_back {
            // Full screen in the clinician's window.
            egui::CentralPanel::default()
                .frame(background)
                .show(ui, content);
        } else {
            // Its own window: a panel would cover whatever shares the viewport when embedded.
            background.show(ui, |ui| {
                ui.set_min_size(ui.available_size());
                content(ui);
            });
        }
        if back {
            self.screen = Screen::Live;
        }
    }
}

/// A report or export the clinician asked for.
#[derive(Debug, Clone, PartialEq)]
enum Report {
    /// One session's one-page PDF.
    Session(i64),
    /// A patient's progress across sessions (PDF), by code.
    Progress(String),
    /// One session as a FHIR R4 bundle (JSON).
    Fhir(i64),
}

impl EntrainApp {
    /// Writes `report` into the data folder's `reports/` on the record's thread; the answer comes
    /// back as a banner naming the file.
    fn write_report(&mut self, report: Report) {
        let Some(s) = &self.store else {
            self.error("The record is not open yet.");
            return;
        };
        let folder = self.settings.data_dir.join("reports");
        s.run(move |store| {
            let written = std::fs::create_dir_all(&folder)
                .map_err(|e| format!("{}: {e}", folder.display()))
                .and_then(|()| {
                    let (path, result) = match &report {
                        Report::Session(id) => {
                            let path = folder.join(format!("session-{id}.pdf"));
                            let r = entrain_report::session_pdf(store, *id, &path);
                            (path, r)
                        }
                        Report::Progress(code) => {
                            let path = folder.join(format!("progress-{code}.pdf"));
                            let r = entrain_report::patient_pdf(store, code, &path);
                            (path, r)
                        }
                        Report::Fhir(id) => {
                            let path = folder.join(format!("session-{id}.fhir.json"));
                            let r = entrain_report::session_fhir_json(store, *id, &path);
                            (path, r)
                        }
                    };
                    result
                        .map(|()| format!("Written: {}", path.display()))
                        .map_err(|e| e.to_string())
                });
            Reply::ReportWritten(written)
        });
    }
}

fn fmt_opt(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{v:.decimals$}"))
}

fn sensor_health(ui: &mut Ui, snap: &entrain_engine::Snapshot) {
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

fn small_plot(ui: &mut Ui, id: &str, y_label: &str, series: Vec<(&str, Vec<[f64; 2]>, Color32)>) {
    Plot::new(id)
        .height(160.0)
        .legend(Legend::default())
        .x_axis_label("session")
        .y_axis_label(y_label)
        .allow_scroll(false)
        .show(ui, |plot| {
            for (name, pts, c) in series {
                plot.line(Line::new(name, PlotPoints::from(pts)).color(c).width(2.0));
            }
        });
}

fn comparison_table(ui: &mut Ui, a: &progress::WalkMeasures, b: &progress::WalkMeasures) {
    egui::Grid::new("comparison").striped(true).show(ui, |ui| {
        ui.label("measure");
        ui.label("baseline (no cue)");
        ui.label("re-test (no cue)");
        ui.end_row();
        let rows: [(&str, Option<f64>, Option<f64>, usize); 5] = [
            ("cadence, steps/min", a.cadence_spm, b.cadence_spm, 1),
            (
                "step time left, s",
                a.step_time_left_secs,
                b.step_time_left_secs,
                3,
            ),
            (
                "step time right, s",
                a.step_time_right_secs,
                b.step_time_right_secs,
                3,
            ),
            ("symmetry ratio", a.symmetry_ratio, b.symmetry_ratio, 2),
            (
                "variability CV, %",
                a.step_time_cv_percent,
                b.step_time_cv_percent,
                1,
            ),
        ];
        for (name, x, y, d) in rows {
            ui.label(name);
            ui.label(fmt_opt(x, d));
            ui.label(fmt_opt(y, d));
            ui.end_row();
        }
    });
}
