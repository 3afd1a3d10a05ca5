//! The live session screen: phase, big numbers, the visual beat, the controls, the live plots; and
//! the session's life around it (starting in the background, polling, the summary at the end).

use egui::{Color32, RichText, Ui};

use entrain_cue::Phase;
use entrain_engine::EngineCommand;
use entrain_gait::Side;
use entrain_store::AffectedSide;

use super::{Ctx, Request, big_button, fmt_opt, labelled_text, sensor_health};
use crate::app::Screen;
use crate::live::{self, LiveSession, SourceChoice};
use crate::theme::glance;
use crate::widgets;
use crate::worker::Pending;

/// The live screen's state: the session starting, running or ending, and the last one's summary.
#[derive(Debug, Default)]
pub struct LiveScreen {
    starting: Option<Pending<Result<LiveSession, String>>>,
    live: Option<LiveSession>,
    ending: Option<Pending<String>>,
    last_summary: Option<String>,
    /// Sends Start as soon as the next session is ready (demo).
    pub auto_start: bool,
}

impl LiveScreen {
    /// The session on screen, if any.
    pub fn session(&self) -> Option<&LiveSession> {
        self.live.as_ref()
    }

    /// The session on screen, to command.
    pub fn session_mut(&mut self) -> Option<&mut LiveSession> {
        self.live.as_mut()
    }

    /// Whether a session is starting or running (then no other may start).
    pub fn is_busy(&self) -> bool {
        self.live.as_ref().is_some_and(|l| !l.is_finished()) || self.starting.is_some()
    }

    /// Starts a session from `choice` for the selected patient (in the background) and shows it.
    pub fn start(&mut self, choice: SourceChoice, ctx: &mut Ctx) {
        let settings = ctx.settings.clone();
        let patient = ctx.roster.selected_patient().cloned();
        let paretic = match patient.as_ref().and_then(|p| p.affected_side) {
            Some(AffectedSide::Left) => Some(Side::Left),
            Some(AffectedSide::Right) => Some(Side::Right),
            _ => None,
        };
        let label = choice.label();
        let pid = patient.map(|p| p.id);
        let job = move || {
            live::start_session(&settings, &choice, pid, paretic)
                .map(|h| LiveSession::new(h, label, pid))
        };
        match Pending::spawn("entrain-ui-start", job, ctx.waker()) {
            Ok(p) => self.starting = Some(p),
            Err(e) => ctx.messages.error(e),
        }
        self.live = None;
        *ctx.screen = Screen::Live;
    }

    /// Takes the started session, reads the running one's events, and the finished one's summary.
    pub fn poll(&mut self, ctx: &mut Ctx) {
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
                Err(e) => ctx
                    .messages
                    .error(format!("The session did not start: {e}")),
            }
        }
        if let Some(l) = &mut self.live {
            l.poll();
            if l.is_finished()
                && let Some(h) = l.take_handle()
            {
                match Pending::spawn(
                    "entrain-ui-join",
                    move || live::summary_text(&h.join()),
                    ctx.waker(),
                ) {
                    Ok(p) => self.ending = Some(p),
                    Err(e) => ctx.messages.error(e),
                }
            }
        }
        if let Some(p) = &self.ending
            && let Some(text) = p.try_take()
        {
            self.ending = None;
            self.last_summary = Some(text.clone());
            ctx.messages.info(text);
            ctx.refresh_progress();
        }
    }

    /// Draws the screen.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx) {
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
                ctx.requests.push(Request::StartSession);
            }
            return;
        };
        let snap = l.snapshot.clone();
        // The snapshot carries the phase by its record name (`Phase::as_str`).
        let phase = snap.phase.parse::<Phase>().ok();
        let next = phase.map(|p| {
            let n = p.next();
            if n == Phase::Functional && ctx.settings.protocol(None).functional_secs <= 0.0 {
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
                ui.label(glance(format!("Steps: {}", snap.steps_total)));
                ui.label(glance(format!(
                    "Step time L / R: {} / {} s",
                    fmt_opt(snap.step_time_left_secs, 2),
                    fmt_opt(snap.step_time_right_secs, 2)
                )));
                ui.label(glance(format!(
                    "Symmetry ratio: {}",
                    fmt_opt(snap.symmetry_ratio, 2)
                )));
                ui.label(glance(format!(
                    "Variability (CV): {} %",
                    fmt_opt(snap.step_time_cv_percent, 1)
                )));
                ui.label(glance(format!(
                    "Mean asynchrony: {} ms",
                    fmt_opt(snap.mean_asynchrony_ms, 0)
                )));
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
        ui.label(format!("Keys: {}", crate::help::LIVE_SHORTCUTS));
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
            cols[1].label(glance(crate::history::plain_text(&format!(
                "Audio: {}",
                snap.audio
            ))));
            cols[1].label(glance(crate::history::plain_text(&format!(
                "Recording: {} (steps stored: {})",
                snap.store, l.steps_stored
            ))));
            sensor_health(&mut cols[1], &snap);
        });
        ui.collapsing("Session log", |ui| {
            for n in l.history.notices.iter().rev().take(30) {
                ui.label(n);
            }
        });
        for c in cmds {
            l.command(c);
        }
    }
}
