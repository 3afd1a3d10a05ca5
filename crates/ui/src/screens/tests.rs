//! The clinical tests screen: the 10-metre walk, the 6-minute walk, the Timed Up and Go and the
//! Functional Ambulation Category, timed by the clinician's clicks and stored for the patient.

use egui::Ui;
use entrain_analysis::PatientProgress;
use entrain_analysis::thresholds::ambulation_class;
use entrain_store::{ClinicalTestKind, StoredClinicalTest};

use super::{Ctx, fmt_opt, labelled_text, nanos_of};
use crate::clinical::{self, SixMinuteWalk, TenMetreWalk, TimedUpAndGo};
use crate::live::LiveSession;
use crate::theme;
use crate::worker::Reply;

/// The FAC field's name: it says what it takes.
const FAC_FIELD: &str = "FAC (whole number 0–5)";

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
            ui.label("Results are linked to no session (none of this patient's is on screen).");
            return None;
        };
        let linked = match self.link_choice {
            Some((id, link)) if id == s.id => link,
            _ => s.running,
        };
        let state = if s.running { "running" } else { "ended" };
        ui.label(if linked {
            format!("Results are linked to session {} ({state}).", s.id)
        } else {
            format!(
                "Results are linked to no session (session {} is {state}).",
                s.id
            )
        });
        ui.horizontal(|ui| {
            if ui
                .radio(linked, format!("This session ({})", s.id))
                .clicked()
            {
                self.link_choice = Some((s.id, true));
            }
            if ui.radio(!linked, "No session").clicked() {
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
        ui.heading("Clinical gait tests");
        let Some(patient) = ctx.roster.selected_patient().cloned() else {
            ui.label("Select a patient first (Patients screen).");
            return;
        };
        ui.label(format!("Results are stored for patient {}.", patient.code));
        let session_id =
            self.session_link(ui, session.filter(|s| s.patient_id == Some(patient.id)));
        ui.request_repaint_after_secs(0.1);
        let mut save: Option<(ClinicalTestKind, f64, String)> = None;
        let mut errors = Vec::new();
        ui.group(|ui| {
            ui.heading("10-metre walk (time the middle 6 m)");
            let t = &mut self.ten;
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
                ui.label(format!("Gait speed {v:.2} m/s — {}", ambulation_class(v)));
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
            match &mut self.six {
                None => {
                    labelled_text(ui, "Lap length, m", &mut self.lap_length);
                    if ui.button("Start 6-minute walk").clicked() {
                        match clinical::parse_number("lap length, m", &self.lap_length, 1.0, 100.0)
                            .and_then(SixMinuteWalk::new)
                            .and_then(|mut w| w.start(now).map(|()| w))
                        {
                            Ok(w) => self.six = Some(w),
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
                        labelled_text(ui, "Last partial lap, m", &mut self.partial_lap);
                        if ui.button("Save 6-minute walk").clicked() {
                            match clinical::parse_number(
                                "last partial lap, m",
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
            let t = &mut self.tug;
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
            labelled_text(ui, FAC_FIELD, &mut self.fac);
            // Refused at the field, as typed: only a whole category can be saved.
            let fac = (!self.fac.trim().is_empty()).then(|| clinical::parse_fac(&self.fac));
            if let Some(Err(e)) = &fac {
                ui.colored_label(theme::PROBLEM_COLOUR, format!("Not saved: {e}"));
            }
            if ui
                .add_enabled(matches!(fac, Some(Ok(_))), egui::Button::new("Save FAC"))
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
            s.run(move |store| {
                Reply::TestSaved(
                    store
                        .add_clinical_test(pid, session_id, kind, value, &notes)
                        .map(|_| {
                            format!(
                                "Stored {}: {} ({})",
                                kind.title(),
                                kind.format_result(value),
                                session_id.map_or_else(
                                    || "no session".into(),
                                    |id| format!("session {id}")
                                )
                            )
                        })
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
            ui.heading("Stored results");
            let Some(tests) = tests else {
                ui.label("Reading the record…");
                return;
            };
            if tests.is_empty() {
                ui.label("No result stored yet.");
            }
            egui::Grid::new("stored_results")
                .striped(true)
                .show(ui, |ui| {
                    for t in tests.iter().rev() {
                        ui.label(result_date(t));
                        ui.label(t.test.title());
                        ui.label(t.test.format_result(t.value));
                        ui.label(
                            t.session_id
                                .map_or_else(|| "no session".into(), |id| format!("session {id}")),
                        );
                        if ui.button(format!("Delete result {}", t.id)).clicked() {
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
                egui::RichText::new(format!("Delete {}?", describe(&t)))
                    .color(theme::PROBLEM_COLOUR),
            );
            if ui.button("Delete").clicked() {
                answer = Some(true);
            }
            if ui.button("Keep").clicked() {
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

/// "the 10 m walk test (gait speed) of 2026-12-04 (0.75 m/s)".
fn describe(t: &StoredClinicalTest) -> String {
    format!(
        "the {} of {} ({})",
        t.test.title(),
        result_date(t),
        t.test.format_result(t.value)
    )
}

/// Deletes result `t` on the record's thread; the answer comes back as a banner.
fn delete_result(ctx: &mut Ctx, t: StoredClinicalTest) {
    let Some(s) = ctx.store else {
        ctx.messages.error("The record is not open.");
        return;
    };
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
                Ok(format!("Deleted {}", describe(&t)))
            }
            Ok(false) => Err(format!("{} was no longer in the record", describe(&t))),
            Err(e) => Err(e.to_string()),
        })
    });
}
