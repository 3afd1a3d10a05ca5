//! The clinician's window: one [`EntrainApp`] drawn into any `egui::Ui` (the eframe window, or an
//! egui_kittest harness). This is the shell: navigation, keyboard shortcuts, the one message area,
//! closing the window (never silently mid-session), the record's thread and the selected patient.
//! Each screen (patients, sensors, live session, clinical tests, progress, patient view, settings)
//! is in `crate::screens`, with its own state.

use egui::{Color32, Key, RichText, Ui, ViewportCommand};

use entrain_engine::EngineCommand;
use entrain_store::{AffectedSide, NewPatient, SessionRecord};

use crate::help;
use crate::live::LiveSession;
use crate::screens::{self, Ctx, Messages, Request, Roster, Screens, big_button};
use crate::settings::Settings;
use crate::t;
use crate::theme;
use crate::worker::{Reply, StoreWorker};

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
    /// The music library.
    Music,
    /// The calm full-screen view for the patient.
    PatientView,
    /// Settings.
    Settings,
}

impl Screen {
    /// The screen's name, as the navigation shows it.
    pub fn name(self) -> String {
        match self {
            Screen::Patients => t!("app-screen-patients"),
            Screen::Sensors => t!("app-screen-sensors"),
            Screen::Live => t!("app-screen-live"),
            Screen::Tests => t!("app-screen-tests"),
            Screen::Progress => t!("app-screen-progress"),
            Screen::Music => t!("app-screen-music"),
            Screen::PatientView => t!("app-screen-patient-view"),
            Screen::Settings => t!("app-screen-settings"),
        }
    }

    /// Every screen, in the navigation's order.
    pub const ALL: [Screen; 8] = [
        Screen::Patients,
        Screen::Sensors,
        Screen::Live,
        Screen::Tests,
        Screen::Progress,
        Screen::Music,
        Screen::PatientView,
        Screen::Settings,
    ];
}

/// Where closing the window stands.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Closing {
    /// Nobody asked.
    No,
    /// A close was asked for while a session runs: the prompt is up.
    Asking,
    /// The session is being ended, then the window closes (waiting since this UI time, s).
    Stopping {
        /// When the wait began, s of the UI's clock (set on the first frame).
        since_secs: Option<f64>,
    },
    /// The window closes: a close request goes through.
    Now,
}

/// How long a stop-and-close waits for the session to end and reach the record, s.
const STOP_TIMEOUT_SECS: f64 = 15.0;

/// The banner naming a session the record found interrupted (left running by a program that
/// ended without closing it).
pub fn interrupted_text(s: &SessionRecord) -> String {
    let who = s.patient_code.as_ref().map_or_else(
        || t!("app-interrupted-no-patient"),
        |c| t!("app-interrupted-patient", code = c.as_str()),
    );
    t!(
        "app-interrupted",
        id = s.id,
        who = who,
        started = entrain_store::time::format_unix_minute(s.started_unix_ms)
    )
}

/// The whole app: the shared state, and each screen's own.
pub struct EntrainApp {
    screen: Screen,
    closing: Closing,
    settings: Settings,
    store: Option<StoreWorker>,
    store_ready: bool,
    messages: Messages,
    ctx: egui::Context,
    roster: Roster,
    screens: Screens,
    /// The screen whose help is open, if any.
    help: Option<Screen>,
}

impl std::fmt::Debug for EntrainApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntrainApp")
            .field("screen", &self.screen)
            .field("selected", &self.roster.selected)
            .finish_non_exhaustive()
    }
}

impl EntrainApp {
    /// The app with `settings`; the record opens in the background. `ctx` is used to wake the UI.
    pub fn new(ctx: &egui::Context, settings: Settings) -> Self {
        theme::apply(ctx);
        let mut app = EntrainApp {
            screen: Screen::Patients,
            closing: Closing::No,
            screens: Screens::new(&settings),
            settings,
            store: None,
            store_ready: false,
            messages: Messages::default(),
            ctx: ctx.clone(),
            roster: Roster::default(),
            help: None,
        };
        app.open_store();
        app
    }

    fn open_store(&mut self) {
        let ctx = self.ctx.clone();
        self.store_ready = false;
        self.store = Some(StoreWorker::open(
            self.settings.database_path(),
            move || ctx.request_repaint(),
        ));
    }

    /// The shared state lent to the screens for one frame, and the screens.
    fn split(&mut self) -> (Ctx<'_>, &mut Screens) {
        let ctx = Ctx {
            egui: &self.ctx,
            settings: &mut self.settings,
            store: self.store.as_ref(),
            store_ready: self.store_ready,
            roster: &mut self.roster,
            messages: &mut self.messages,
            screen: &mut self.screen,
            requests: Vec::new(),
        };
        (ctx, &mut self.screens)
    }

    /// The current screen.
    pub fn screen(&self) -> Screen {
        self.screen
    }

    /// Whether the record is open.
    pub fn store_ready(&self) -> bool {
        self.store_ready
    }

    /// The messages kept (errors and warnings until dismissed, news for a few seconds), oldest
    /// first.
    pub fn banner_texts(&self) -> Vec<String> {
        self.messages.texts()
    }

    /// The selected patient's row id.
    pub fn selected_patient_id(&self) -> Option<i64> {
        self.roster.selected
    }

    /// Sends Start as soon as the next session is ready (demo).
    pub fn set_auto_start(&mut self, on: bool) {
        self.screens.live.auto_start = on;
    }

    /// Whether no session is running and an ended one has reached the record (its engine joined,
    /// its end written).
    pub fn session_settled(&self) -> bool {
        self.screens.live.is_settled()
    }

    /// The live session, if any.
    pub fn live(&self) -> Option<&LiveSession> {
        self.screens.live.session()
    }

    /// Switches screen.
    pub fn show(&mut self, screen: Screen) {
        self.screen = screen;
    }

    /// SIGINT or SIGTERM to the window's process: the running session ends properly, stored
    /// `stopped` with the signal named, then the window closes.
    pub fn stop_by_signal_and_close(&mut self, signal_name: &str) {
        if let Some(l) = self.screens.live.session()
            && l.is_started()
        {
            l.stop_by_signal(signal_name);
        }
        self.closing = Closing::Stopping { since_secs: None };
    }

    /// Ends the running session properly (it is recorded as stopped), then closes the window;
    /// what "Stop it and close" does, and `--quit-after`.
    pub fn stop_and_close(&mut self) {
        if let Some(l) = self.screens.live.session()
            && l.is_started()
        {
            l.command(EngineCommand::Stop);
        }
        self.closing = Closing::Stopping { since_secs: None };
    }

    /// A close request (the window's close button) is cancelled while a session runs, and the
    /// prompt asks what to do; while one is ending, the window waits for it to reach the record.
    /// Once stopping, the window closes when the session has ended (or after
    /// [`STOP_TIMEOUT_SECS`]).
    fn handle_close(&mut self, ctx: &egui::Context, now_secs: f64) {
        let requested = ctx.input(|i| i.viewport().close_requested());
        if requested && self.closing != Closing::Now {
            let running = self.live().is_some_and(LiveSession::is_started);
            if running {
                ctx.send_viewport_cmd(ViewportCommand::CancelClose);
                if self.closing == Closing::No {
                    self.closing = Closing::Asking;
                }
            } else if !self.screens.live.is_settled() {
                ctx.send_viewport_cmd(ViewportCommand::CancelClose);
                self.closing = Closing::Stopping { since_secs: None };
            } else {
                self.closing = Closing::Now;
            }
        }
        if let Closing::Stopping { since_secs } = self.closing {
            let since = since_secs.unwrap_or(now_secs);
            self.closing = Closing::Stopping {
                since_secs: Some(since),
            };
            let ended = self.screens.live.is_settled();
            if ended || now_secs - since > STOP_TIMEOUT_SECS {
                if !ended {
                    tracing::warn!(
                        "the session did not end within {STOP_TIMEOUT_SECS} s of stop-and-close; closing anyway"
                    );
                }
                self.closing = Closing::Now;
                ctx.send_viewport_cmd(ViewportCommand::Close);
            } else {
                ctx.request_repaint_after(std::time::Duration::from_millis(50));
            }
        }
    }

    /// The prompt of a close asked for mid-session.
    fn close_prompt(&mut self, ctx: &egui::Context) {
        if let Closing::Stopping { .. } = self.closing {
            egui::Modal::new(egui::Id::unique("entrain-closing")).show(ctx, |ui| {
                ui.label(RichText::new(t!("app-closing")).size(26.0));
            });
            return;
        }
        if self.closing != Closing::Asking {
            return;
        }
        let (mut stop, mut keep) = (false, false);
        let modal = egui::Modal::new(egui::Id::unique("entrain-close-prompt")).show(ctx, |ui| {
            ui.label(RichText::new(t!("app-close-running")).size(26.0).strong());
            ui.label(t!("app-close-question"));
            ui.add_space(12.0);
            ui.horizontal(|ui| {
                stop = big_button(
                    ui,
                    &t!("app-close-stop"),
                    Color32::from_rgb(0xb0, 0x1c, 0x1c),
                )
                .clicked();
                keep = big_button(
                    ui,
                    &t!("app-close-keep"),
                    Color32::from_rgb(0x2d, 0x6a, 0x4f),
                )
                .clicked();
            });
        });
        if stop {
            self.stop_and_close();
        } else if keep || modal.should_close() {
            self.closing = Closing::No;
        }
    }

    fn refresh_patients(&mut self) {
        if let Some(s) = &self.store {
            s.run(|store| Reply::Patients(store.patients().map_err(|e| e.to_string())));
        }
    }

    /// Opens the patient view in its own window (a second screen facing the patient), as the
    /// navigation's button does.
    pub fn open_patient_window(&mut self) {
        self.screens.patient_view.window_open = true;
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
        self.screens.sensors.use_virtual();
    }

    /// Starts a session with the chosen source for the selected patient (in the background);
    /// refused with no patient selected.
    pub fn start_session(&mut self) {
        self.begin_session(false);
    }

    /// Starts a practice session with the chosen source: nothing is stored.
    pub fn start_practice(&mut self) {
        self.begin_session(true);
    }

    fn begin_session(&mut self, practice: bool) {
        let (mut ctx, screens) = self.split();
        if screens.live.is_busy() {
            return;
        }
        match screens.sensors.choice() {
            Ok(choice) => {
                let music = screens.music.session.request();
                screens.live.start(choice, music, practice, &mut ctx);
            }
            Err(e) => ctx.messages.error(e),
        }
    }

    /// Takes the background jobs' answers and hands each to whom it concerns.
    fn drain(&mut self) {
        let replies = self
            .store
            .as_ref()
            .map(StoreWorker::replies)
            .unwrap_or_default();
        for r in replies {
            let m = &mut self.messages;
            match r {
                Reply::Opened(Ok(opened)) => {
                    self.store_ready = true;
                    for s in &opened.interrupted {
                        m.warn(interrupted_text(s));
                    }
                    self.refresh_patients();
                }
                Reply::Opened(Err(e)) => m.error(t!("app-record-not-opened", detail = e)),
                Reply::Patients(Ok(p)) => self.roster.patients = p,
                Reply::Patients(Err(e)) => m.error(t!("app-patients-not-read", detail = e)),
                Reply::PatientSaved(Ok(p)) => {
                    self.roster.saved(p);
                    self.screens.patients.saved();
                    self.refresh_patients();
                }
                Reply::PatientSaved(Err(e)) => m.error(t!("app-patient-not-saved", detail = e)),
                Reply::Assigned(Ok(t)) => m.info(t),
                Reply::Assigned(Err(e)) => m.error(t!("app-sensors-not-assigned", detail = e)),
                Reply::Remembered(Ok((patient, sensors))) => {
                    self.screens.sensors.remembered(patient, sensors);
                }
                Reply::Tracks(Ok(tracks)) => self.screens.music.loaded(tracks),
                Reply::Tracks(Err(e)) => m.error(t!("app-music-not-read", detail = e)),
                Reply::TrackSaved(Ok(track)) => self.screens.music.saved(track),
                Reply::TrackSaved(Err(e)) => m.error(t!("app-music-not-saved", detail = e)),
                Reply::Remembered(Err(e)) => {
                    m.error(t!("app-sensors-not-read", detail = e));
                }
                Reply::Progress(Ok(p)) => {
                    if Some(p.patient.id) == self.roster.selected {
                        self.screens.progress.loaded(p);
                    }
                }
                Reply::Progress(Err(e)) => m.error(t!("app-progress-not-read", detail = e)),
                Reply::TestSaved(Ok(t)) => {
                    m.info(t);
                    screens::refresh_progress(self.store.as_ref(), &self.roster);
                }
                Reply::TestSaved(Err(e)) => m.error(t!("app-test-not-stored", detail = e)),
                Reply::TestDeleted(Ok(t)) => {
                    m.info(t);
                    screens::refresh_progress(self.store.as_ref(), &self.roster);
                }
                Reply::TestDeleted(Err(e)) => m.error(t!("app-result-not-deleted", detail = e)),
                Reply::ReportWritten(Ok(t)) => m.info(t),
                Reply::ReportWritten(Err(e)) => m.error(t!("app-report-not-written", detail = e)),
                Reply::NoteSaved(Ok((id, note))) => {
                    m.info(t!("app-note-saved", id = id));
                    self.screens.live.note_saved(id, note);
                }
                Reply::NoteSaved(Err(e)) => m.error(t!("app-note-not-saved", detail = e)),
                Reply::MusicPrefs(Ok((patient, prefs))) => {
                    self.screens.music.prefs.loaded(patient, prefs);
                }
                Reply::MusicPrefs(Err(e)) => m.error(t!("app-music-prefs-not-saved", detail = e)),
                Reply::Playlists(Ok((patient, lists, changed))) => {
                    self.screens
                        .music
                        .prefs
                        .playlists_loaded(patient, lists, changed);
                }
                Reply::Playlists(Err(e)) => m.error(t!("app-playlist-not-saved", detail = e)),
                Reply::MusicPlayed(Ok((id, segments))) => {
                    self.screens.live.music_played(id, segments);
                }
                Reply::MusicPlayed(Err(e)) => m.error(t!("app-music-played-not-read", detail = e)),
            }
        }
        self.screens.sensors.poll();
        let (mut ctx, screens) = self.split();
        screens.live.poll(&mut ctx);
    }

    fn shortcuts(&mut self, ui: &Ui) {
        if ui.ctx().egui_wants_keyboard_input() || self.closing != Closing::No {
            return;
        }
        if self.screen == Screen::PatientView && ui.input(|i| i.key_pressed(Key::Escape)) {
            // Back to the clinician's live screen, where a stop prompt would be seen.
            self.screen = Screen::Live;
            return;
        }
        let on_live = self.screen == Screen::Live;
        let Some(l) = self.screens.live.session_mut() else {
            return;
        };
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
                label: t!("app-mark-keyboard"),
            });
        }
        // The stop prompt is armed only where it is seen.
        if esc && on_live && l.is_started() {
            l.confirm_stop = true;
        }
    }

    /// Draws the whole window.
    pub fn ui(&mut self, ui: &mut Ui) {
        if self.ctx != *ui.ctx() {
            // Drawn into another context than the one it was made with (a test harness).
            self.ctx = ui.ctx().clone();
            theme::apply(&self.ctx);
        }
        crate::i18n::set_language(self.settings.language);
        let now_secs = ui.input(|i| i.time);
        self.messages.tick(now_secs);
        let posted = self.messages.posted();
        self.drain();
        self.handle_close(ui.ctx(), now_secs);
        self.shortcuts(ui);
        if let Some(l) = self.live()
            && !l.is_finished()
        {
            // Repaint often enough for the visual beat (it flashes for a third of a beat).
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(50));
        }
        let mut help = self.help;
        let (mut ctx, screens) = self.split();
        let live = &mut screens.live;
        if screens.patient_view.window_open {
            screens.patient_view.window(ui.ctx(), live.session());
        }
        if *ctx.screen == Screen::PatientView {
            screens.patient_view.ui(ui, &mut ctx, live.session());
            // The patient view has no navigation: its "?" floats in the corner.
            egui::Area::new(egui::Id::unique("patient_view_help"))
                .anchor(egui::Align2::RIGHT_TOP, [-16.0, 16.0])
                .show(ui.ctx(), |ui| {
                    help_button(ui, Screen::PatientView, &mut help)
                });
        } else {
            egui::Panel::top("nav").show(ui, |ui| {
                // One row at 1366×768 in every language: the screens on the left (wrapping only
                // in a narrower window); on the right the help, the patient window and the
                // patient's code, cut short (its full text in the hover and to screen readers)
                // rather than pushing the row over.
                const RIGHT_SIDE_MIN_PX: f32 = 380.0;
                ui.horizontal_top(|ui| {
                    let tabs_width = (ui.available_width() - RIGHT_SIDE_MIN_PX).max(200.0);
                    let wrapping =
                        egui::Layout::left_to_right(egui::Align::Center).with_main_wrap(true);
                    ui.allocate_ui_with_layout(egui::vec2(tabs_width, 0.0), wrapping, |ui| {
                        for screen in Screen::ALL {
                            let chosen = *ctx.screen == screen;
                            let name = RichText::new(screen.name()).size(theme::NAV_TEXT_PX);
                            if ui.selectable_label(chosen, name).clicked() {
                                *ctx.screen = screen;
                                // The tests screen lists the stored results too.
                                if matches!(screen, Screen::Progress | Screen::Tests) {
                                    ctx.refresh_progress();
                                }
                            }
                        }
                    });
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        help_button(ui, *ctx.screen, &mut help);
                        ui.separator();
                        let window_open = &mut screens.patient_view.window_open;
                        let toggle = if *window_open {
                            ui.button(t!("app-close-patient-window"))
                        } else {
                            ui.button(t!("app-open-patient-window"))
                                .on_hover_text(t!("app-open-patient-window-hint"))
                        };
                        if toggle.clicked() {
                            *window_open = !*window_open;
                        }
                        let who = ctx.roster.selected_patient().map_or_else(
                            || t!("app-no-patient-selected"),
                            |p| t!("app-patient", code = p.code.as_str()),
                        );
                        ui.add(egui::Label::new(RichText::new(&who).strong()).truncate())
                            .on_hover_text(who);
                    });
                });
            });
            if !ctx.messages.is_empty() {
                // One place for every message, at the foot of the window: the screen above
                // keeps its place as messages come and go.
                egui::Panel::bottom("messages").show(ui, |ui| ctx.messages.ui(ui));
            }
            egui::CentralPanel::default().show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| match *ctx.screen {
                    Screen::Patients => screens.patients.ui(ui, &mut ctx),
                    Screen::Sensors => {
                        screens
                            .sensors
                            .ui(ui, &mut ctx, live.session(), &mut screens.music)
                    }
                    Screen::Live => live.ui(ui, &mut ctx, &mut screens.music),
                    Screen::Tests => {
                        let session = live.session().and_then(screens::tests::ShownSession::of);
                        let stored = screens.progress.data();
                        screens.tests.ui(ui, &mut ctx, session, stored);
                    }
                    Screen::Progress => screens.progress.ui(ui, &mut ctx),
                    Screen::Music => screens.music.ui(ui, &mut ctx),
                    Screen::Settings => screens.settings.ui(ui, &mut ctx),
                    Screen::PatientView => {}
                });
            });
        }
        if help.is_some_and(|h| h != *ctx.screen) {
            help = None;
        }
        if let Some(screen) = help {
            // Closed by its own large button (a title-bar cross would be too small to touch).
            egui::Window::new(help::title(screen))
                .collapsible(false)
                .default_width(560.0)
                .show(ui.ctx(), |ui| {
                    for paragraph in help::text(screen) {
                        ui.label(paragraph);
                    }
                    if ui.button(t!("app-close-help")).clicked() {
                        help = None;
                    }
                });
        }
        let requests = ctx.requests;
        self.help = help;
        self.act(requests);
        self.close_prompt(&ui.ctx().clone());
        if self.messages.posted() != posted {
            // A message came while the area was already drawn: show it now, not at the next input.
            ui.ctx().request_repaint();
        }
        if let Some(secs) = self.messages.next_expiry_in_secs() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs_f64(secs));
        }
    }

    /// Does what the screens asked for this frame.
    fn act(&mut self, requests: Vec<Request>) {
        for r in requests {
            match r {
                Request::StartSession => self.start_session(),
                Request::StartPractice => self.start_practice(),
                Request::PatientOpened => self.screens.progress.forget(),
                Request::ReopenStore => {
                    self.roster = Roster::default();
                    self.open_store();
                }
            }
        }
    }
}

/// The "?" that opens (or closes) `screen`'s help.
fn help_button(ui: &mut Ui, screen: Screen, help: &mut Option<Screen>) {
    if ui.button("?").on_hover_text(help::title(screen)).clicked() {
        *help = if *help == Some(screen) {
            None
        } else {
            Some(screen)
        };
    }
}
