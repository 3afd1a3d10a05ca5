//! The clinical tests screen: the 10-metre walk, the 6-minute walk, the Timed Up and Go and the
//! Functional Ambulation Category, timed by the clinician's clicks and stored for the patient.

use egui::Ui;
use entrain_analysis::PatientProgress;
use entrain_analysis::thresholds::AmbulationClass;
use entrain_store::{ClinicalTestKind, StoredClinicalTest};

use super::{Ctx, fmt_opt, labelled_text, nanos_of};
use crate::clinical::{self, Field, SixMinuteWalk, TenMetreWalk, TimedUpAndGo};
use crate::i18n::test_kind_title;
use crate::live::LiveSession;
use crate::t;
use crate::theme;
use crate::worker::Reply;

/// The FAC field's name: it says what it takes.
fn fac_field() -> String {
    let (min, max) = (0.to_string(), clinical::FAC_MAX.to_string());
    t!("tests-fac-field", min = min, max = max)
}

/// The recorded session on the live screen, as the tests screen needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShownSession {
    /// Its id in the record.
    pub id: i64,
    /// Its patient.
    pub patient_id: Option<i64>,
    /// Not finished yet (waiting, walking or paused).
    pub running: bool,
}

impl ShownSession {
    /// The live screen's session, once it is in the record.
    pub fn of(live: &LiveSession) -> Option<ShownSession> {
        Some(ShownSession {
            id: live.session_id?,
            patient_id: live.patient_id,
            running: !live.is_finished(),
        })
    }
}

/// The tests screen's state: each test's clock and the typed fields.
#[derive(Debug)]
pub struct TestsScreen {
    /// The clinician's explicit choice for the session with this id: link results to it or not.
    /// Without one, results are linked only while the session runs.
    link_choice: Option<(i64, bool)>,
    ten: TenMetreWalk,
    six: Option<SixMinuteWalk>,
    lap_length: String,
    partial_lap: String,
    tug: TimedUpAndGo,
    fac: String,
    /// The stored result the clinician asked to delete, waiting for Delete or Keep.
    confirm_delete: Option<StoredClinicalTest>,
}

impl Default for TestsScreen {
    fn default() -> Self {
        TestsScreen {
            link_choice: None,
            ten: TenMetreWalk::new(),
            six: None,
            lap_length: "30".into(),
            partial_lap: "0".into(),
            tug: TimedUpAndGo::new(),
            fac: String::new(),
            confirm_delete: None,
        }
    }
}

impl TestsScreen {
    /// Shows which session results are linked to, with the choice of this session or none;
    /// returns the linked one.
    fn session_link(&mut self, ui: &mut Ui, session: Option<ShownSession>) -> Option<i64> {
        let Some(s) = session else {
            ui.label(t!("tests-linked-none-on-screen"));
            return None;
        };
        let linked = match self.link_choice {
            Some((id, link)) if id == s.id => link,
            _ => s.running,
        };
        let id = s.id.to_string();
        ui.label(match (linked, s.running) {
            (true, true) => t!("tests-linked-running", id = id.as_str()),
            (true, false) => t!("tests-linked-ended", id = id.as_str()),
            (false, true) => t!("tests-unlinked-running", id = id.as_str()),
            (false, false) => t!("tests-unlinked-ended", id = id.as_str()),
        });
        ui.horizontal(|ui| {
            if ui
                .radio(linked, t!("tests-this-session", id = id.as_str()))
                .clicked()
            {
                self.link_choice = Some((s.id, true));
            }
            if ui.radio(!linked, t!("tests-no-session")).clicked() {
                self.link_choice = Some((s.id, false));
            }
        });
        linked.then_some(s.id)
    }

    /// Draws the screen. A stored result belongs to the live screen's `session` while it runs
    /// (and is this patient's), or as the clinician picks on screen; otherwise to no session.
    /// `stored` is the selected patient's record as last read: its results are listed, each
    /// with a way to delete it.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        ctx: &mut Ctx,
        session: Option<ShownSession>,
        stored: Option<&PatientProgress>,
    ) {
        let now = nanos_of(ui);
        ui.heading(t!("tests-heading"));
        let Some(patient) = ctx.roster.selected_patient().cloned() else {
            ui.label(t!("tests-select-patient"));
            return;
        };
        ui.label(t!("tests-stored-for", code = patient.code.as_str()));
        let session_id =
            self.session_link(ui, session.filter(|s| s.patient_id == Some(patient.id)));
        ui.request_repaint_after_secs(0.1);
        let mut save: Option<(ClinicalTestKind, f64, String)> = None;
        let mut errors = Vec::new();
        ui.group(|ui| {
            ui.heading(t!("tests-ten-heading"));
            let t = &mut self.ten;
            let trials = clinical::TEN_METRE_TRIALS;
            let trial = (t.trial_secs().len() + 1).min(trials);
            let seconds = fmt_opt(t.running_secs(now), 2);
            // Kept on one line: the catalogue test finds an id only there.
            ui.label(t!(
                "tests-ten-clock",
                trial = trial,
                trials = trials,
                seconds = seconds
            ));
            ui.horizontal(|ui| {
                if ui.button(t!("tests-ten-crossed-start")).clicked()
                    && let Err(e) = t.cross_start(now)
                {
                    errors.push(e.to_string());
                }
                if ui.button(t!("tests-ten-crossed-end")).clicked()
                    && let Err(e) = t.cross_end(now)
                {
                    errors.push(e.to_string());
                }
                if ui.button(t!("tests-ten-cancel-trial")).clicked() {
                    t.cancel_trial();
                }
            });
            for (i, v) in t.trial_speeds_mps().iter().enumerate() {
                let speed = format!("{v:.2}");
                ui.label(t!("tests-ten-trial-speed", trial = i + 1, speed = speed));
            }
            if let Some(v) = t.gait_speed_mps() {
                let (speed, class) = (
                    format!("{v:.2}"),
                    crate::i18n::ambulation_label(AmbulationClass::of(v)),
                );
                ui.label(t!("tests-ten-gait-speed", speed = speed, class = class));
                if ui.button(t!("tests-ten-save")).clicked() {
                    let notes = t!("tests-ten-notes", count = t.trial_secs().len());
                    save = Some((ClinicalTestKind::TenMetreWalk, v, notes));
                }
            }
        });
        ui.group(|ui| {
            ui.heading(t!("tests-six-heading"));
            match &mut self.six {
                None => {
                    labelled_text(ui, &t!("tests-six-lap-length"), &mut self.lap_length);
                    if ui.button(t!("tests-six-start")).clicked() {
                        match clinical::parse_number(Field::LapLength, &self.lap_length, 1.0, 100.0)
                            .and_then(SixMinuteWalk::new)
                            .and_then(|mut w| w.start(now).map(|()| w))
                        {
                            Ok(w) => self.six = Some(w),
                            Err(e) => errors.push(e.to_string()),
                        }
                    }
                }
                Some(w) => {
                    let (laps, length) = (w.laps(), w.lap_length_m().to_string());
                    let seconds = fmt_opt(w.remaining_secs(now), 0);
                    // Kept on one line: the catalogue test finds an id only there.
                    ui.label(t!(
                        "tests-six-progress",
                        laps = laps,
                        length = length,
                        seconds = seconds
                    ));
                    ui.horizontal(|ui| {
                        if ui.button(t!("tests-six-lap")).clicked()
                            && let Err(e) = w.lap(now)
                        {
                            errors.push(e.to_string());
                        }
                        if ui.button(t!("tests-six-stop-early")).clicked()
                            && let Err(e) = w.stop(now)
                        {
                            errors.push(e.to_string());
                        }
                    });
                    if w.is_over(now) {
                        labelled_text(ui, &t!("tests-six-partial-lap"), &mut self.partial_lap);
                        if ui.button(t!("tests-six-save")).clicked() {
                            match clinical::parse_number(
                                Field::PartialLap,
                                &self.partial_lap,
                                0.0,
                                100.0,
                            )
                            .and_then(|p| w.distance_m(p, now))
                            {
                                Ok(d) => {
                                    save = Some((
                                        ClinicalTestKind::SixMinuteWalk,
                                        d,
                                        t!("tests-six-notes", count = w.laps()),
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
            ui.heading(test_kind_title(ClinicalTestKind::TimedUpAndGo));
            let t = &mut self.tug;
            let seconds = fmt_opt(t.running_secs(now).or(t.result_secs()), 2);
            ui.label(t!("tests-tug-clock", seconds = seconds));
            ui.horizontal(|ui| {
                if ui.button(t!("tests-tug-go")).clicked()
                    && let Err(e) = t.start(now)
                {
                    errors.push(e.to_string());
                }
                if ui.button(t!("tests-tug-seated")).clicked()
                    && let Err(e) = t.stop(now)
                {
                    errors.push(e.to_string());
                }
                if let Some(r) = t.result_secs()
                    && t.running_secs(now).is_none()
                    && ui.button(t!("tests-tug-save")).clicked()
                {
                    save = Some((ClinicalTestKind::TimedUpAndGo, r, String::new()));
                }
            });
        });
        ui.group(|ui| {
            ui.heading(test_kind_title(ClinicalTestKind::Fac));
            for l in clinical::fac_levels() {
                ui.label(l);
            }
            labelled_text(ui, &fac_field(), &mut self.fac);
            // Refused at the field, as typed: only a whole category can be saved.
            let fac = (!self.fac.trim().is_empty()).then(|| clinical::parse_fac(&self.fac));
            if let Some(Err(e)) = &fac {
                let error = e.to_string();
                ui.colored_label(
                    theme::PROBLEM_COLOUR,
                    t!("tests-fac-not-saved", error = error),
                );
            }
            if ui
                .add_enabled(
                    matches!(fac, Some(Ok(_))),
                    egui::Button::new(t!("tests-fac-save")),
                )
                .clicked()
                && let Some(Ok(v)) = fac
            {
                save = Some((ClinicalTestKind::Fac, f64::from(v), String::new()));
            }
        });
        let stored = stored.filter(|p| p.patient.id == patient.id);
        self.stored_results(ui, ctx, stored.map(|p| p.tests.as_slice()));
        for e in errors {
            ctx.messages.error(e);
        }
        if let (Some((kind, value, notes)), Some(s)) = (save, ctx.store) {
            let pid = patient.id;
            // Worded here, on the window's thread, which knows the clinician's language.
            let (test, result) = (test_kind_title(kind), kind.format_result(value));
            let link = session_link_label(session_id);
            // Kept on one line: the catalogue test finds an id only there.
            let stored = t!("tests-stored", test = test, result = result, link = link);
            s.run(move |store| {
                Reply::TestSaved(
                    store
                        .add_clinical_test(pid, session_id, kind, value, &notes)
                        .map(|_| stored)
                        .map_err(|e| e.to_string()),
                )
            });
            match kind {
                ClinicalTestKind::TenMetreWalk => self.ten = TenMetreWalk::new(),
                ClinicalTestKind::SixMinuteWalk => self.six = None,
                ClinicalTestKind::TimedUpAndGo => self.tug = TimedUpAndGo::new(),
                ClinicalTestKind::Fac => self.fac.clear(),
            }
        }
    }
}

impl TestsScreen {
    /// The patient's stored results, newest first, each with Delete; a delete asks first.
    fn stored_results(&mut self, ui: &mut Ui, ctx: &mut Ctx, tests: Option<&[StoredClinicalTest]>) {
        ui.group(|ui| {
            ui.heading(t!("tests-stored-heading"));
            let Some(tests) = tests else {
                ui.label(t!("tests-reading-record"));
                return;
            };
            if tests.is_empty() {
                ui.label(t!("tests-no-results"));
            }
            egui::Grid::new("stored_results")
                .striped(true)
                .show(ui, |ui| {
                    for t in tests.iter().rev() {
                        ui.label(result_date(t));
                        ui.label(test_kind_title(t.test));
                        ui.label(t.test.format_result(t.value));
                        ui.label(session_link_label(t.session_id));
                        let id = t.id.to_string();
                        if ui.button(t!("tests-delete-result", id = id)).clicked() {
                            self.confirm_delete = Some(t.clone());
                        }
                        ui.end_row();
                    }
                });
        });
        let Some(t) = self.confirm_delete.clone() else {
            return;
        };
        let mut answer = None;
        ui.horizontal_wrapped(|ui| {
            ui.label(
                egui::RichText::new(t!("tests-delete-confirm", result = describe(&t)))
                    .color(theme::PROBLEM_COLOUR),
            );
            if ui.button(t!("tests-delete")).clicked() {
                answer = Some(true);
            }
            if ui.button(t!("tests-keep")).clicked() {
                answer = Some(false);
            }
        });
        match answer {
            Some(true) => {
                self.confirm_delete = None;
                delete_result(ctx, t);
            }
            Some(false) => self.confirm_delete = None,
            None => {}
        }
    }
}

/// The day a result was taken, `YYYY-MM-DD` (UTC, as the reports print it).
fn result_date(t: &StoredClinicalTest) -> String {
    entrain_store::time::format_unix_ms(t.performed_unix_ms)[..10].to_string()
}

/// Which session a result is linked to: "session 3", or "no session".
fn session_link_label(session_id: Option<i64>) -> String {
    session_id.map_or_else(
        || t!("tests-link-none"),
        |id| t!("tests-link-session", id = id.to_string()),
    )
}

/// "the 10 m walk test (gait speed) of 2026-12-04 (0.75 m/s)".
fn describe(t: &StoredClinicalTest) -> String {
    let (test, date) = (test_kind_title(t.test), result_date(t));
    let result = t.test.format_result(t.value);
    t!("tests-result", test = test, date = date, result = result)
}

/// Deletes result `t` on the record's thread; the answer comes back as a banner.
fn delete_result(ctx: &mut Ctx, t: StoredClinicalTest) {
    let Some(s) = ctx.store else {
        ctx.messages.error(t!("tests-record-not-open"));
        return;
    };
    // Worded here, on the window's thread, which knows the clinician's language.
    let deleted = t!("tests-deleted", result = describe(&t));
    let gone = t!("tests-no-longer-stored", result = describe(&t));
    s.run(move |store| {
        Reply::TestDeleted(match store.delete_clinical_test(t.id) {
            Ok(true) => {
                // The audit trail (a later issue) starts from this line.
                tracing::info!(
                    "clinical test result {} deleted: {} of patient {}",
                    t.id,
                    t.test.as_str(),
                    t.patient_id
                );
                Ok(deleted)
            }
            Ok(false) => Err(gone),
            Err(e) => Err(e.to_string()),
        })
    });
}
