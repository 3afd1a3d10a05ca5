//! The live session screen: phase with the time left, big numbers, the visual beat, the
//! controls, the live plots; and the session's life around it (starting in the background,
//! polling, the end panel with the outcome, a note and the way on).

use egui::{Color32, RichText, Ui};

use entrain_cue::{Phase, PhaseProgress};
use entrain_engine::{EngineCommand, Snapshot};
use entrain_gait::Side;
use entrain_store::{AffectedSide, MusicSegmentRow};

use super::music::MusicScreen;
use super::progress::{Report, write_report};
use super::session_music::MusicRequest;
use super::{Ctx, Request, big_button, fmt_opt, labelled_text, sensor_health};
use crate::app::Screen;
use crate::i18n;
use crate::live::{self, EndedSession, LiveSession, SessionFor, SourceChoice};
use crate::theme::glance;
use crate::widgets;
use crate::worker::{Pending, Reply};

/// The live screen's state: the session starting, running or ending, and the ended one's panel.
#[derive(Debug, Default)]
pub struct LiveScreen {
    starting: Option<Pending<Result<LiveSession, String>>>,
    live: Option<LiveSession>,
    ending: Option<Pending<EndedSession>>,
    ended: Option<EndPanel>,
    /// Sends Start as soon as the next session is ready (demo).
    pub auto_start: bool,
}

/// The end panel of the session that ended: how, its numbers, the clinician's note.
#[derive(Debug)]
struct EndPanel {
    session: EndedSession,
    /// The note being written.
    note: String,
    /// Notes stored on the session, oldest first.
    notes_saved: Vec<String>,
    /// The music the record kept for it, once read (a session cued by music).
    music: Option<Vec<MusicSegmentRow>>,
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

    /// Whether nothing is left to wait for: no session running, and an ended one has reached the
    /// record (its engine joined). A session not yet started has nothing to end.
    pub fn is_settled(&self) -> bool {
        let live_settled = match &self.live {
            None => true,
            Some(l) if l.is_finished() => l.is_joined(),
            Some(l) => !l.is_started(),
        };
        live_settled && self.ending.is_none()
    }

    /// The record's music segments of session `session_id`: its end panel shows them if any
    /// music was asked for.
    pub fn music_played(&mut self, session_id: i64, segments: Vec<MusicSegmentRow>) {
        if let Some(p) = self
            .ended
            .as_mut()
            .filter(|p| p.session.session_id == Some(session_id))
        {
            p.music = Some(segments);
        }
    }

    /// A note was stored on session `session_id`: the end panel lists it and clears the field.
    pub fn note_saved(&mut self, session_id: i64, note: String) {
        if let Some(p) = self
            .ended
            .as_mut()
            .filter(|p| p.session.session_id == Some(session_id))
        {
            if p.note.trim() == note {
                p.note.clear();
            }
            p.notes_saved.push(note);
        }
    }

    /// Starts a session from `choice` for the selected patient (in the background, the music's
    /// track loaded there too) and shows it;
    /// `practice` starts one that stores nothing. With no patient selected a recorded session is
    /// refused ([`live::NO_PATIENT`]).
    pub fn start(
        &mut self,
        choice: SourceChoice,
        music: Option<MusicRequest>,
        practice: bool,
        ctx: &mut Ctx,
    ) {
        let settings = ctx.settings.clone();
        let patient = ctx.roster.selected_patient().cloned();
        let session_for = match (&patient, practice) {
            (_, true) => SessionFor::Practice,
            (Some(p), false) => SessionFor::Patient(p.id),
            (None, false) => {
                ctx.messages.error(live::no_patient());
                return;
            }
        };
        let paretic = match patient.as_ref().and_then(|p| p.affected_side) {
            Some(AffectedSide::Left) => Some(Side::Left),
            Some(AffectedSide::Right) => Some(Side::Right),
            _ => None,
        };
        let label = choice.label();
        let job = move || {
            live::start_session(&settings, &choice, music.as_ref(), session_for, paretic)
                .map(|h| LiveSession::new(h, label, session_for))
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
                    self.ended = None;
                }
                Err(e) => ctx
                    .messages
                    .error(crate::t!("live-start-failed", error = e)),
            }
        }
        if let Some(l) = &mut self.live {
            l.poll();
            if l.is_finished()
                && let Some(h) = l.take_handle()
            {
                let last = l.snapshot.clone();
                match Pending::spawn(
                    "entrain-ui-join",
                    move || EndedSession::of(&h.join(), last),
                    ctx.waker(),
                ) {
                    Ok(p) => self.ending = Some(p),
                    Err(e) => ctx.messages.error(e),
                }
            }
        }
        if let Some(p) = &self.ending
            && let Some(ended) = p.try_take()
        {
            self.ending = None;
            // Said once wherever the clinician is; the end panel keeps it.
            ctx.messages.info(ended.summary.clone());
            // What the record kept of the session's music is read back for the panel (shown
            // when music played, or was asked for).
            if let (Some(id), Some(store)) = (ended.session_id, ctx.store) {
                store.run(move |store| {
                    Reply::MusicPlayed(
                        store
                            .music_segments(id)
                            .map(|s| (id, s.into_iter().map(|s| s.segment).collect()))
                            .map_err(|e| e.to_string()),
                    )
                });
            }
            self.ended = Some(EndPanel {
                session: ended,
                note: String::new(),
                notes_saved: Vec::new(),
                music: None,
            });
            ctx.refresh_progress();
        }
    }

    /// Draws the screen.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx, music: &mut MusicScreen) {
        if self.starting.is_some() {
            ui.heading(crate::t!("live-starting"));
            return;
        }
        if self.live.as_ref().is_some_and(LiveSession::is_finished) {
            match self.ended.as_mut() {
                Some(panel) => end_panel(ui, ctx, panel),
                None => {
                    ui.heading(crate::t!("live-ending"));
                }
            }
            return;
        }
        let Some(l) = &mut self.live else {
            ui.heading(crate::t!("live-no-session"));
            start_buttons(ui, ctx, &crate::t!("live-new-session"), music);
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
        let phase_text = phase.map_or_else(|| snap.phase.clone(), i18n::phase_label);
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new(crate::t!("live-phase", phase = phase_text))
                    .size(30.0)
                    .strong(),
            );
            if let Some(p) = snap.phase_progress {
                ui.label(
                    RichText::new(progress_text(p))
                        .size(30.0)
                        .strong()
                        .color(Color32::from_rgb(0xff, 0xd7, 0x00)),
                );
            }
            if let Some(n) = next.filter(|n| *n != Phase::Done || phase != Some(Phase::Done)) {
                ui.label(
                    RichText::new(crate::t!("live-next", phase = i18n::phase_label(n))).size(22.0),
                );
            }
            ui.label(
                RichText::new(format!("({})", live::run_state_text(snap.run_state))).size(22.0),
            );
        });
        if l.practice {
            ui.label(
                RichText::new(live::practice_line())
                    .size(24.0)
                    .strong()
                    .color(Color32::YELLOW),
            );
        }
        ui.horizontal(|ui| {
            let spm = crate::t!("live-steps-per-min");
            widgets::big_number(ui, &crate::t!("live-cadence"), snap.cadence_spm, 0, &spm);
            ui.add_space(30.0);
            widgets::big_number(
                ui,
                &crate::t!("live-tempo"),
                snap.current_tempo_spm,
                0,
                &spm,
            );
            ui.add_space(30.0);
            widgets::big_number(
                ui,
                &crate::t!("live-target"),
                snap.target_tempo_spm,
                1,
                &spm,
            );
            ui.add_space(30.0);
            let interval = snap.current_tempo_spm.map(|t| (60e9 / t) as i64);
            let since = snap.last_beat_nanos.map(|b| snap.now_nanos - b);
            widgets::beat_pulse(
                ui,
                120.0,
                widgets::beat_brightness(since, interval),
                &crate::t!("live-visual-beat"),
            );
            ui.vertical(|ui| {
                ui.label(glance(crate::t!(
                    "live-steps-count",
                    count = snap.steps_total
                )));
                ui.label(glance(crate::t!(
                    "live-step-times",
                    left = fmt_opt(snap.step_time_left_secs, 2),
                    right = fmt_opt(snap.step_time_right_secs, 2)
                )));
                ui.label(glance(crate::t!(
                    "live-symmetry",
                    ratio = fmt_opt(snap.symmetry_ratio, 2)
                )));
                ui.label(glance(crate::t!(
                    "live-variability",
                    cv = fmt_opt(snap.step_time_cv_percent, 1)
                )));
                ui.label(glance(crate::t!(
                    "live-asynchrony",
                    ms = fmt_opt(snap.mean_asynchrony_ms, 0)
                )));
            });
        });
        let mut cmds = Vec::new();
        ui.horizontal_wrapped(|ui| {
            let green = Color32::from_rgb(0x2d, 0x6a, 0x4f);
            if !l.is_started() && !l.is_finished() {
                if big_button(ui, &crate::t!("live-start"), green).clicked() {
                    cmds.push(EngineCommand::Start);
                }
            } else if l.is_paused() {
                if big_button(ui, &crate::t!("live-resume"), green).clicked() {
                    cmds.push(EngineCommand::Resume);
                }
            } else if big_button(
                ui,
                &crate::t!("live-pause"),
                Color32::from_rgb(0x9c, 0x6a, 0x1c),
            )
            .clicked()
            {
                cmds.push(EngineCommand::Pause);
            }
            if big_button(
                ui,
                &crate::t!("live-stop"),
                Color32::from_rgb(0xb0, 0x1c, 0x1c),
            )
            .clicked()
                && !l.is_finished()
            {
                l.confirm_stop = true;
            }
            let blue = Color32::from_rgb(0x1c, 0x4f, 0x8b);
            if big_button(ui, &crate::t!("live-next-phase"), blue).clicked() {
                cmds.push(EngineCommand::NextPhase);
            }
            if big_button(ui, &crate::t!("live-tempo-down"), blue).clicked() {
                cmds.push(EngineCommand::NudgeTempo { delta_spm: -1.0 });
            }
            if big_button(ui, &crate::t!("live-tempo-up"), blue).clicked() {
                cmds.push(EngineCommand::NudgeTempo { delta_spm: 1.0 });
            }
        });
        // The stop question comes right under the Stop button, above everything else, so it is
        // always in reach (the music panel would push it down).
        if l.confirm_stop {
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    RichText::new(crate::t!("live-stop-question"))
                        .size(22.0)
                        .color(Color32::LIGHT_RED),
                );
                // The re-test is the session's outcome measure: offered first. In the baseline
                // there is nothing cued to compare yet.
                let retest_possible = phase.is_some_and(|p| p != Phase::Baseline);
                let retest = ui.add_enabled_ui(retest_possible, |ui| {
                    big_button(
                        ui,
                        &crate::t!("live-stop-after-retest"),
                        Color32::from_rgb(0x1c, 0x4f, 0x8b),
                    )
                });
                if retest.inner.clicked() {
                    cmds.push(EngineCommand::StopAfterRetest);
                    l.confirm_stop = false;
                }
                if big_button(
                    ui,
                    &crate::t!("live-stop-now"),
                    Color32::from_rgb(0xb0, 0x1c, 0x1c),
                )
                .clicked()
                {
                    cmds.push(EngineCommand::Stop);
                    l.confirm_stop = false;
                }
                if big_button(
                    ui,
                    &crate::t!("live-keep-going"),
                    Color32::from_rgb(0x2d, 0x6a, 0x4f),
                )
                .clicked()
                {
                    l.confirm_stop = false;
                }
                if !retest_possible {
                    ui.label(crate::t!("live-no-retest-yet"));
                }
            });
        }
        if let Some(music) = &snap.music {
            cmds.extend(
                super::live_music::panel(ui, music)
                    .into_iter()
                    .map(EngineCommand::Music),
            );
        }
        ui.horizontal(|ui| {
            let field = labelled_text(ui, &crate::t!("live-set-tempo"), &mut l.tempo_text);
            let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button(crate::t!("live-apply")).clicked() || entered {
                match set_tempo(&snap, &l.tempo_text) {
                    Ok((command, note)) => {
                        cmds.push(command);
                        l.tempo_note = Some(note);
                    }
                    Err(e) => l.tempo_note = Some(e),
                }
            }
            if let Some(n) = &l.tempo_note {
                ui.label(RichText::new(n).size(20.0).color(Color32::LIGHT_YELLOW));
            }
        });
        ui.horizontal(|ui| {
            labelled_text(ui, &crate::t!("live-event-label"), &mut l.mark_text);
            if ui.button(crate::t!("live-mark-event")).clicked() {
                let label = if l.mark_text.trim().is_empty() {
                    crate::t!("live-mark-default")
                } else {
                    l.mark_text.trim().to_string()
                };
                cmds.push(EngineCommand::Mark { label });
                l.mark_text.clear();
            }
        });
        ui.label(crate::t!("live-keys", keys = crate::help::live_shortcuts()));
        if let Some(t) = l.history.last_tempo_change() {
            ui.label(
                RichText::new(crate::t!("live-tempo-change", change = t.text.as_str()))
                    .size(20.0)
                    .color(Color32::LIGHT_GREEN),
            );
        }
        if snap.cueing_through_sensor_gap {
            ui.label(RichText::new(crate::t!("live-sensor-gap")).color(Color32::YELLOW));
        }
        ui.columns(2, |cols| {
            widgets::step_time_plot(&mut cols[0], &l.history, 200.0);
            widgets::tempo_plot(&mut cols[1], &l.history, 200.0);
            widgets::asynchrony_histogram(&mut cols[0], &l.history.asynchronies_ms, 160.0);
            widgets::entrainment_gauge(&mut cols[1], snap.entrainment_r);
            cols[1].label(glance(crate::history::plain_text(&crate::t!(
                "live-audio",
                state = snap.audio.as_str()
            ))));
            cols[1].label(glance(crate::history::plain_text(&crate::t!(
                "live-recording",
                state = snap.store.as_str(),
                steps = l.steps_stored
            ))));
            sensor_health(&mut cols[1], &snap);
        });
        ui.collapsing(crate::t!("live-session-log"), |ui| {
            for n in l.history.notices.iter().rev().take(30) {
                ui.label(n);
            }
        });
        for c in cmds {
            l.command(c);
        }
    }
}

/// The buttons that start a session: `recorded` (named so) for the selected patient, and
/// practice (`live-practice`), after the choice of the session's music. With no patient selected the recorded one says why it is refused.
pub fn start_buttons(ui: &mut Ui, ctx: &mut Ctx, recorded: &str, music: &mut MusicScreen) {
    music.session_ui(ui, ctx);
    ui.horizontal_wrapped(|ui| {
        if big_button(ui, recorded, Color32::from_rgb(0x2d, 0x6a, 0x4f)).clicked() {
            ctx.requests.push(Request::StartSession);
        }
        if big_button(
            ui,
            &crate::t!("live-practice"),
            Color32::from_rgb(0x55, 0x55, 0x55),
        )
        .clicked()
        {
            ctx.requests.push(Request::StartPractice);
        }
    });
    if ctx.roster.selected_patient().is_none() {
        ui.label(RichText::new(live::no_patient()).color(Color32::YELLOW));
    }
}

/// What is left of the phase, in the measure that ends it: "12 s left", "18 steps left",
/// "level 1 of 2: advances when entrained".
pub fn progress_text(p: PhaseProgress) -> String {
    let secs_left = |nanos: i64| {
        // Whole seconds, rounded up: "1 s left" until the phase ends.
        let s = (nanos + 999_999_999) / 1_000_000_000;
        if s >= 60 {
            format!("{} min {:02} s", s / 60, s % 60)
        } else {
            format!("{s} s")
        }
    };
    match p {
        PhaseProgress::Timed { .. } => crate::t!(
            "live-time-left",
            time = secs_left(p.remaining_nanos().unwrap_or(0))
        ),
        PhaseProgress::Steps { .. } => {
            crate::t!("live-steps-left", count = p.remaining_steps().unwrap_or(0))
        }
        PhaseProgress::Matched { .. } => match p.remaining_nanos().unwrap_or(0) {
            0 => crate::t!("live-advances"),
            n => crate::t!("live-advances-after", time = secs_left(n)),
        },
        PhaseProgress::Level { level, top } => crate::t!("live-level", level = level, top = top),
    }
}

/// The command that sets the target tempo to the `typed` steps/min, and what to tell the
/// clinician: the target, or the safety limit that capped it. The engine holds the limits in
/// any case; this only says so before it happens.
pub fn set_tempo(snap: &Snapshot, typed: &str) -> Result<(EngineCommand, String), String> {
    let requested: f64 = typed
        .trim()
        .replace(',', ".")
        .parse()
        .ok()
        .filter(|t: &f64| t.is_finite())
        .ok_or_else(|| {
            crate::t!(
                "live-tempo-not-a-number",
                typed = format!("{:?}", typed.trim())
            )
        })?;
    let (Some(target), Some(limits)) = (snap.target_tempo_spm, snap.tempo_limits) else {
        return Err(crate::t!("live-tempo-uncued"));
    };
    let capped = limits.clamp_target(requested);
    let shown_capped = format!("{capped:.1}");
    let note = if capped < requested {
        crate::t!(
            "live-tempo-above-ceiling",
            requested = requested.to_string(),
            capped = shown_capped
        )
    } else if capped > requested {
        crate::t!(
            "live-tempo-below-floor",
            requested = requested.to_string(),
            capped = shown_capped
        )
    } else {
        crate::t!("live-tempo-set", capped = shown_capped)
    };
    Ok((
        EngineCommand::NudgeTempo {
            delta_spm: requested - target,
        },
        note,
    ))
}

/// The end panel: the outcome, the headline numbers, the sensors at rest, a note for the record,
/// and the way on (a new session, the session's report).
fn end_panel(ui: &mut Ui, ctx: &mut Ctx, panel: &mut EndPanel) {
    let s = &panel.session;
    let outcome = s
        .status
        .map_or_else(|| crate::t!("live-outcome-error"), i18n::status_label);
    let heading = match s.session_id {
        Some(id) => crate::t!("live-end-recorded", id = id.to_string(), outcome = outcome),
        None => crate::t!("live-end-practice", outcome = outcome),
    };
    ui.label(RichText::new(heading).size(30.0).strong());
    ui.label(RichText::new(&s.summary).size(20.0));
    ui.add_space(10.0);
    let snap = &s.snapshot;
    ui.horizontal(|ui| {
        let spm = crate::t!("live-steps-per-min");
        widgets::big_number(
            ui,
            &crate::t!("live-steps"),
            Some(snap.steps_total as f64),
            0,
            &crate::t!("live-steps-unit"),
        );
        ui.add_space(30.0);
        widgets::big_number(
            ui,
            &crate::t!("live-baseline-cadence"),
            snap.baseline_cadence_spm,
            1,
            &spm,
        );
        if snap.retest_cadence_spm.is_some() {
            ui.add_space(30.0);
            widgets::big_number(
                ui,
                &crate::t!("live-retest-cadence"),
                snap.retest_cadence_spm,
                1,
                &spm,
            );
        }
    });
    ui.add_space(10.0);
    for sensor in &snap.sensors {
        ui.label(crate::t!(
            "live-sensor-idle",
            placement = i18n::placement_label(sensor.placement),
            name = sensor.name.as_str(),
            samples = sensor.samples,
            lost = sensor.lost_samples
        ));
    }
    if let Some(music) = panel
        .music
        .as_ref()
        .filter(|m| !m.is_empty() || s.snapshot.music.is_some())
    {
        ui.add_space(10.0);
        super::live_music::played_ui(ui, music);
    }
    ui.add_space(10.0);
    if let Some(id) = s.session_id {
        let l = ui.label(crate::t!("live-session-note"));
        ui.add(
            egui::TextEdit::multiline(&mut panel.note)
                .desired_rows(3)
                .desired_width(600.0)
                .hint_text(crate::t!("live-note-hint")),
        )
        .labelled_by(l.id);
        if ui.button(crate::t!("live-save-note")).clicked() {
            save_note(ctx, id, panel.note.trim().to_string());
        }
        for n in &panel.notes_saved {
            ui.label(crate::t!("live-note", note = n.as_str()));
        }
    }
    ui.add_space(16.0);
    ui.horizontal(|ui| {
        if big_button(
            ui,
            &crate::t!("live-new-session"),
            Color32::from_rgb(0x2d, 0x6a, 0x4f),
        )
        .clicked()
        {
            ctx.requests.push(Request::StartSession);
        }
        if let Some(id) = s.session_id
            && big_button(
                ui,
                &crate::t!("live-session-report"),
                Color32::from_rgb(0x1c, 0x4f, 0x8b),
            )
            .clicked()
        {
            write_report(ctx, Report::Session(id));
        }
    });
}

/// Stores `note` on session `session_id` on the record's thread; the answer is a
/// [`Reply::NoteSaved`].
fn save_note(ctx: &mut Ctx, session_id: i64, note: String) {
    if note.is_empty() {
        ctx.messages.error(crate::t!("live-note-empty"));
        return;
    }
    let Some(store) = ctx.store else {
        ctx.messages.error(crate::t!("live-record-not-open"));
        return;
    };
    store.run(move |store| {
        Reply::NoteSaved(
            store
                .add_session_note(session_id, &note)
                .map(|()| (session_id, note))
                .map_err(|e| e.to_string()),
        )
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use entrain_cue::TempoLimits;

    const SEC: i64 = 1_000_000_000;

    #[test]
    fn what_is_left_reads_plainly() {
        let timed = |elapsed: i64, length: i64| PhaseProgress::Timed {
            elapsed_nanos: elapsed,
            length_nanos: length,
        };
        assert_eq!(progress_text(timed(0, 8 * SEC)), "8 s left");
        assert_eq!(progress_text(timed(SEC / 2, 8 * SEC)), "8 s left");
        assert_eq!(progress_text(timed(7 * SEC + 1, 8 * SEC)), "1 s left");
        assert_eq!(progress_text(timed(9 * SEC, 8 * SEC)), "0 s left");
        assert_eq!(progress_text(timed(0, 75 * SEC)), "1 min 15 s left");
        assert_eq!(
            progress_text(PhaseProgress::Steps {
                taken: 12,
                length: 30
            }),
            "18 steps left"
        );
        assert_eq!(
            progress_text(PhaseProgress::Steps {
                taken: 29,
                length: 30
            }),
            "1 step left"
        );
        assert_eq!(
            progress_text(PhaseProgress::Matched {
                elapsed_nanos: 2 * SEC,
                min_nanos: 6 * SEC
            }),
            "advances when entrained, after 4 s more"
        );
        assert_eq!(
            progress_text(PhaseProgress::Matched {
                elapsed_nanos: 7 * SEC,
                min_nanos: 6 * SEC
            }),
            "advances when entrained"
        );
        assert_eq!(
            progress_text(PhaseProgress::Level { level: 1, top: 2 }),
            "level 1 of 2: advances when entrained"
        );
    }

    #[test]
    fn what_is_left_and_a_typed_tempo_read_in_german() {
        crate::i18n::set_language(crate::i18n::Language::German);
        let timed = PhaseProgress::Timed {
            elapsed_nanos: 0,
            length_nanos: 75 * SEC,
        };
        assert_eq!(progress_text(timed), "noch 1 min 15 s");
        let steps = |taken| PhaseProgress::Steps { taken, length: 30 };
        assert_eq!(progress_text(steps(29)), "noch 1 Schritt");
        assert_eq!(progress_text(steps(12)), "noch 18 Schritte");
        assert_eq!(
            progress_text(PhaseProgress::Level { level: 1, top: 2 }),
            "Stufe 1 von 2: weiter, sobald im Takt"
        );
        let snap = Snapshot {
            target_tempo_spm: Some(80.0),
            tempo_limits: Some(TempoLimits {
                floor_spm: 64.0,
                ceiling_spm: 92.0,
                max_change_per_beat_spm: 2.0,
            }),
            ..Snapshot::default()
        };
        let (_, note) = set_tempo(&snap, "100").unwrap();
        assert_eq!(
            note,
            "100 Schritte/min liegt über der Sicherheitsobergrenze: Ziel auf 92.0 Schritte/min begrenzt."
        );
        assert_eq!(
            set_tempo(&snap, "schnell").unwrap_err(),
            "Tempo setzen: \"schnell\" ist keine Zahl in Schritten/min."
        );
        crate::i18n::set_language(crate::i18n::Language::English);
    }

    #[test]
    fn a_typed_tempo_moves_the_target_there_or_says_which_limit_capped_it() {
        let snap = Snapshot {
            target_tempo_spm: Some(80.0),
            tempo_limits: Some(TempoLimits {
                floor_spm: 64.0,
                ceiling_spm: 92.0,
                max_change_per_beat_spm: 2.0,
            }),
            ..Snapshot::default()
        };
        let (c, note) = set_tempo(&snap, " 90 ").unwrap();
        assert_eq!(c, EngineCommand::NudgeTempo { delta_spm: 10.0 });
        assert_eq!(note, "Target set to 90.0 steps/min.");
        let (_, note) = set_tempo(&snap, "100").unwrap();
        assert_eq!(
            note,
            "100 steps/min is above the safety ceiling: target capped at 92.0 steps/min."
        );
        let (_, note) = set_tempo(&snap, "50,5").unwrap();
        assert_eq!(
            note,
            "50.5 steps/min is below the safety floor: target capped at 64.0 steps/min."
        );
        assert_eq!(
            set_tempo(&snap, "fast").unwrap_err(),
            "Set tempo: \"fast\" is not a number of steps/min."
        );
        assert!(set_tempo(&snap, "inf").is_err());
        let uncued = Snapshot::default();
        assert_eq!(
            set_tempo(&uncued, "90").unwrap_err(),
            "The tempo can be set while the cue plays (after the baseline)."
        );
    }
}
