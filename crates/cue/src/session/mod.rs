//! The RAS session state machine: phases, run state (running / paused / finished), clinician
//! commands, the entrainment-gated progression and the auto-pause.

use entrain_gait::sync::nearest_beat_nanos;

use crate::adapt::{Adapter, Observation};
use crate::beat::{Beat, BeatClock};
use crate::config::{ProtocolConfig, UncuedLength};
use crate::error::ConfigError;
use crate::fade::{FadePosition, MeterConfig};
use crate::gate::{GateVerdict, evaluate};
use crate::log::{LogEntry, LogEvent, PauseReason, PhaseReason, TempoReason};
pub use crate::measures::StepEvent;
use crate::measures::{GaitMeasures, MIN_STEPS_PER_FOOT, MetricsConfig};
use crate::outcome::SessionOutcome;
use crate::phase::Phase;
use crate::progress::PhaseProgress;
use crate::safety::{ABSOLUTE_MAX_SPM, ABSOLUTE_MIN_SPM, TempoLimits};
use crate::tempo::{secs_to_nanos, spm_to_interval_nanos};

mod progression;

/// What the clinician can do at any time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ClinicianCommand {
    /// Pause the cue and the phase clock; only [`ClinicianCommand::Resume`] resumes.
    Pause,
    /// Resume after any pause.
    Resume,
    /// End the session now (the big STOP), with no re-test.
    Stop,
    /// End the cued part now and go to a short uncued re-test
    /// ([`ProtocolConfig::short_retest`]), then end: the session keeps its outcome measure.
    /// Refused in the baseline (nothing cued to compare yet); in the re-test, that re-test runs on.
    StopAfterRetest,
    /// End the current phase and start the next.
    SkipPhase,
    /// Move the target tempo by this many steps/min (within the safety limits).
    NudgeTempo {
        /// Change, steps/min.
        delta_spm: f64,
    },
}

/// Whether the session is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    /// Phases and cue running.
    Running,
    /// Cue silent, phase clock stopped.
    Paused(PauseReason),
    /// Session over.
    Finished,
}

/// Per-phase state: the data only one phase has.
#[derive(Debug, Clone, Copy, PartialEq)]
enum PhaseState {
    Baseline,
    Matched,
    Progression {
        /// Current level (0 = matched tempo).
        level: u32,
        /// Highest level still allowed: lowered whenever the patient loses the beat at a level.
        reachable_top: u32,
    },
    Functional,
    Fading {
        beat_index: u64,
        /// Bars begun in the phase so far (downbeats of the music's meter).
        bars: Option<u64>,
    },
    Retest,
    Done,
}

impl PhaseState {
    fn phase(self) -> Phase {
        match self {
            PhaseState::Baseline => Phase::Baseline,
            PhaseState::Matched => Phase::Matched,
            PhaseState::Progression { .. } => Phase::Progression,
            PhaseState::Functional => Phase::Functional,
            PhaseState::Fading { .. } => Phase::Fading,
            PhaseState::Retest => Phase::Retest,
            PhaseState::Done => Phase::Done,
        }
    }
}

/// A RAS session driven by step events, beat-played reports, clinician commands and the passing of
/// (simulated or real) time.
#[derive(Debug, Clone)]
pub struct RasSession {
    config: ProtocolConfig,
    state: PhaseState,
    run: RunState,
    /// Walking time in the current phase before the current running stretch.
    phase_active_nanos: i64,
    /// When the current running stretch began (None while paused or finished).
    running_since_nanos: Option<i64>,
    /// When the auto-pause timer last restarted (session start or resume).
    idle_reference_nanos: i64,
    steps: Vec<StepEvent>,
    phase_first_step: usize,
    resume_run: usize,
    /// Audible beats, committed then corrected by beat-played reports.
    beats: Vec<i64>,
    clock: Option<BeatClock>,
    matched_spm: Option<f64>,
    nudge_spm: f64,
    baseline: Option<GaitMeasures>,
    retest: Option<GaitMeasures>,
    /// The re-test is the short one the clinician asked for.
    short_retest: bool,
    gate_from_nanos: Option<i64>,
    last_verdict: Option<GateVerdict>,
    log: Vec<LogEntry>,
}

impl RasSession {
    /// A session starting in the uncued baseline at `start_nanos`.
    pub fn new(config: ProtocolConfig, start_nanos: i64) -> Result<Self, ConfigError> {
        config.validate()?;
        let mut s = RasSession {
            config,
            state: PhaseState::Baseline,
            run: RunState::Running,
            phase_active_nanos: 0,
            running_since_nanos: Some(start_nanos),
            idle_reference_nanos: start_nanos,
            steps: Vec::new(),
            phase_first_step: 0,
            resume_run: 0,
            beats: Vec::new(),
            clock: None,
            matched_spm: None,
            nudge_spm: 0.0,
            baseline: None,
            retest: None,
            short_retest: false,
            gate_from_nanos: None,
            last_verdict: None,
            log: Vec::new(),
        };
        s.push_log(
            start_nanos,
            LogEvent::PhaseStarted {
                reason: PhaseReason::SessionStart,
            },
        );
        Ok(s)
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        self.state.phase()
    }

    /// Running, paused or finished.
    pub fn run_state(&self) -> RunState {
        self.run
    }

    /// Every log entry so far, oldest first.
    pub fn log(&self) -> &[LogEntry] {
        &self.log
    }

    /// The configuration.
    pub fn config(&self) -> &ProtocolConfig {
        &self.config
    }

    /// Baseline measures, once the baseline is complete.
    pub fn baseline(&self) -> Option<&GaitMeasures> {
        self.baseline.as_ref()
    }

    /// Re-test measures, once the re-test is complete.
    pub fn retest(&self) -> Option<&GaitMeasures> {
        self.retest.as_ref()
    }

    /// The target tempo, steps/min, once the cue has a tempo.
    pub fn target_tempo_spm(&self) -> Option<f64> {
        self.clock.as_ref().map(BeatClock::goal_spm)
    }

    /// The tempo of the last beat, steps/min.
    pub fn current_tempo_spm(&self) -> Option<f64> {
        self.clock.as_ref().and_then(BeatClock::last_tempo_spm)
    }

    /// The safety limits in force, once the baseline is known.
    pub fn limits(&self) -> Option<TempoLimits> {
        self.clock.as_ref().map(BeatClock::limits)
    }

    /// The latest verdict of the entrainment gate.
    pub fn last_verdict(&self) -> Option<&GateVerdict> {
        self.last_verdict.as_ref()
    }

    /// Every IC received, ascending.
    pub fn steps(&self) -> &[StepEvent] {
        &self.steps
    }

    /// Every audible beat, ascending (played times where reported).
    pub fn beats_nanos(&self) -> &[i64] {
        &self.beats
    }

    /// How far the current phase has gone at `now_nanos`, in the measure that ends it (walking
    /// time, steps or the progression's level); `None` once the session is over.
    pub fn phase_progress(&self, now_nanos: i64) -> Option<PhaseProgress> {
        let elapsed_nanos = self.active_nanos(now_nanos);
        let timed = |secs: f64| PhaseProgress::Timed {
            elapsed_nanos,
            length_nanos: secs_to_nanos(secs),
        };
        let uncued = |length: UncuedLength| match length {
            UncuedLength::Secs(s) => timed(s),
            UncuedLength::Steps(n) => PhaseProgress::Steps {
                taken: self.phase_steps().len() as u64,
                length: n as u64,
            },
        };
        match self.state {
            PhaseState::Baseline => Some(uncued(self.config.baseline)),
            PhaseState::Retest => Some(uncued(self.config.retest)),
            PhaseState::Matched => Some(PhaseProgress::Matched {
                elapsed_nanos,
                min_nanos: secs_to_nanos(self.config.progression.matched_min_secs),
            }),
            PhaseState::Progression { level, .. } => Some(PhaseProgress::Level {
                level,
                top: self.top_level(),
            }),
            PhaseState::Functional => Some(timed(self.config.functional_secs)),
            PhaseState::Fading { .. } => Some(timed(self.config.fading_secs)),
            PhaseState::Done => None,
        }
    }

    /// The sensors are not delivering (a link dropped or the stream went stale): the missing steps
    /// say nothing about the patient, so the no-step auto-pause timer restarts at `now_nanos` and
    /// the cue goes on at its current tempo (no observation reaches the adaptation meanwhile).
    pub fn hold_through_sensor_gap(&mut self, now_nanos: i64) {
        if self.run == RunState::Running {
            self.idle_reference_nanos = self.idle_reference_nanos.max(now_nanos);
        }
    }

    /// An initial contact arrived (in order of arrival; slightly out-of-order times are sorted in).
    pub fn on_step(&mut self, step: StepEvent) {
        if self.run == RunState::Finished {
            return;
        }
        let at = self
            .steps
            .partition_point(|s| s.time_nanos <= step.time_nanos);
        let previous_latest = self.steps.last().map(|s| s.time_nanos);
        self.steps.insert(at, step);
        let now = previous_latest.map_or(step.time_nanos, |p| p.max(step.time_nanos));
        let timeout = secs_to_nanos(self.config.safety.no_step_timeout_secs);
        match self.run {
            RunState::Paused(PauseReason::NoSteps { .. }) => {
                let close = previous_latest.is_some_and(|p| step.time_nanos - p <= timeout);
                self.resume_run = if close { self.resume_run + 1 } else { 1 };
                if self.resume_run >= self.config.safety.resume_after_steps {
                    self.resume(now, true);
                }
            }
            RunState::Paused(PauseReason::Clinician) | RunState::Finished => {}
            RunState::Running => {
                self.observe_step(step);
                self.after_step(now);
            }
        }
    }

    /// The audio reports when a beat actually sounded: the committed time nearest to it (within 100 ms)
    /// is corrected, so asynchrony is measured against what the patient heard.
    pub fn on_beat_played(&mut self, time_nanos: i64) {
        const MATCH_NANOS: i64 = 100_000_000;
        let Some(nearest) = nearest_beat_nanos(time_nanos, &self.beats) else {
            return;
        };
        if (nearest - time_nanos).abs() <= MATCH_NANOS && nearest != time_nanos {
            let idx = self.beats.partition_point(|&b| b < nearest);
            self.beats.remove(idx);
            let at = self.beats.partition_point(|&b| b < time_nanos);
            self.beats.insert(at, time_nanos);
        }
    }

    /// A clinician command at `now_nanos`.
    pub fn command(&mut self, now_nanos: i64, command: ClinicianCommand) {
        if self.run == RunState::Finished {
            return;
        }
        match command {
            ClinicianCommand::Pause => match self.run {
                RunState::Running => self.pause(now_nanos, PauseReason::Clinician),
                RunState::Paused(_) => {
                    // A clinician pause over an auto-pause must not be lifted by walking.
                    self.run = RunState::Paused(PauseReason::Clinician);
                    self.push_log(now_nanos, LogEvent::Paused(PauseReason::Clinician));
                }
                RunState::Finished => {}
            },
            ClinicianCommand::Resume => {
                if matches!(self.run, RunState::Paused(_)) {
                    self.resume(now_nanos, false);
                }
            }
            ClinicianCommand::Stop => self.enter(now_nanos, PhaseState::Done, PhaseReason::Stopped),
            ClinicianCommand::StopAfterRetest => self.stop_after_retest(now_nanos),
            ClinicianCommand::SkipPhase => {
                if self.state == PhaseState::Baseline {
                    self.finish_baseline(now_nanos, true);
                } else {
                    self.advance_phase(now_nanos, PhaseReason::Skipped);
                }
            }
            ClinicianCommand::NudgeTempo { delta_spm } => {
                let phase = self.phase();
                match self.clock.as_mut().filter(|_| phase.is_cued()) {
                    Some(clock) if delta_spm.is_finite() => {
                        let from = clock.goal_spm();
                        let to = clock.set_goal(from + delta_spm);
                        self.nudge_spm += to - from;
                        self.gate_from_nanos = None;
                        self.push_log(
                            now_nanos,
                            LogEvent::TempoTarget {
                                from_spm: Some(from),
                                to_spm: to,
                                reason: TempoReason::ClinicianNudge { delta_spm },
                            },
                        );
                    }
                    _ => self.push_log(
                        now_nanos,
                        LogEvent::Refused {
                            what: "tempo nudge: no cue is playing in this phase",
                        },
                    ),
                }
            }
        }
    }

    /// The outcome so far: `None` until the session is over.
    pub fn outcome(&self) -> Option<SessionOutcome> {
        SessionOutcome::from_log(&self.log)
    }

    fn stop_after_retest(&mut self, now: i64) {
        let refused = match self.state {
            PhaseState::Baseline => {
                "stop after a short re-test: still in the baseline, there is no cued walking to \
                 compare yet (Stop ends the session now)"
            }
            PhaseState::Retest => {
                "stop after a short re-test: the re-test is already running; it ends as set"
            }
            PhaseState::Done => return,
            _ => {
                self.short_retest = true;
                self.enter(now, PhaseState::Retest, PhaseReason::StoppedForRetest);
                // The clinician asked for the walk: a pause of theirs ends; an auto-pause ends
                // when the patient walks, as always.
                if self.run == RunState::Paused(PauseReason::Clinician) {
                    self.resume(now, false);
                }
                return;
            }
        };
        self.push_log(now, LogEvent::Refused { what: refused });
    }

    /// The bars of the music now cueing the session, for [`crate::FadeSchedule::DropBars`]:
    /// another track was put on, its beat 0 on the beat committed `beats_ago` beats before the
    /// latest (0: the latest), its first downbeat `meter.first_downbeat` beats after that.
    /// Refused (and the meter kept) as the protocol's would be: beats per bar 1..=32.
    pub fn set_meter(&mut self, meter: MeterConfig, beats_ago: u64) -> Result<(), ConfigError> {
        crate::config::check_meter(&meter)?;
        let committed = self.clock.as_ref().map_or(0, BeatClock::beats_since_start);
        let beat_zero = committed.saturating_sub(1 + beats_ago);
        let per_bar = u64::from(meter.beats_per_bar);
        // Within the first bar: the same downbeats, once the count is past it.
        let first = (beat_zero + u64::from(meter.first_downbeat)) % per_bar;
        self.config.meter = MeterConfig {
            beats_per_bar: meter.beats_per_bar,
            first_downbeat: u32::try_from(first).unwrap_or(0),
        };
        Ok(())
    }

    /// Lets time pass up to `now_nanos`: auto-pause, timed phase ends, and beats committed up to
    /// `now_nanos` + the schedule lead appended to `beats`.
    pub fn advance_to(&mut self, now_nanos: i64, beats: &mut Vec<Beat>) {
        if self.run != RunState::Running {
            return;
        }
        let timeout = secs_to_nanos(self.config.safety.no_step_timeout_secs);
        let last_activity = self.steps.last().map_or(self.idle_reference_nanos, |s| {
            s.time_nanos.max(self.idle_reference_nanos)
        });
        if now_nanos - last_activity > timeout {
            self.pause(
                now_nanos,
                PauseReason::NoSteps {
                    timeout_ms: timeout / 1_000_000,
                },
            );
            return;
        }
        self.check_timed_end(now_nanos);
        if self.run != RunState::Running || !self.phase().is_cued() {
            return;
        }
        let horizon = now_nanos + secs_to_nanos(self.config.schedule_lead_ms / 1000.0);
        let fading_secs = self.config.fading_secs;
        let active = self.active_nanos(now_nanos);
        let meter = self.config.meter;
        while let Some(clock) = self.clock.as_mut() {
            let Some(mut beat) = clock.commit_due(horizon) else {
                break;
            };
            // The beat's place since the cue (and its music) last started.
            let clock_beat = clock.beats_since_start() - 1;
            beat.volume = self.config.cue_volume;
            if let PhaseState::Fading { beat_index, bars } = &mut self.state {
                let progress = if fading_secs > 0.0 {
                    active as f64 / secs_to_nanos(fading_secs) as f64
                } else {
                    1.0
                };
                if meter.is_downbeat(clock_beat) {
                    *bars = Some(bars.map_or(0, |b| b + 1));
                }
                let at = FadePosition {
                    beat_index: *beat_index,
                    bar_index: *bars,
                };
                beat.volume *= self.config.fade.volume(at, progress);
                beat.pulse_only = self.config.fade.silences_music();
                *beat_index += 1;
            }
            if beat.is_audible() {
                self.beats.push(beat.time_nanos);
            }
            beats.push(beat);
        }
    }

    fn push_log(&mut self, time_nanos: i64, event: LogEvent) {
        self.log.push(LogEntry {
            time_nanos,
            phase: self.phase(),
            event,
        });
    }

    fn active_nanos(&self, now_nanos: i64) -> i64 {
        self.phase_active_nanos
            + self
                .running_since_nanos
                .map_or(0, |s| (now_nanos - s).max(0))
    }

    fn phase_steps(&self) -> &[StepEvent] {
        &self.steps[self.phase_first_step.min(self.steps.len())..]
    }

    /// Feeds the beat clock the latest asynchrony (if a beat lies within half an interval: silent fading
    /// gaps give none) and the latest half-stride.
    fn observe_step(&mut self, step: StepEvent) {
        let Some(clock) = self.clock.as_mut() else {
            return;
        };
        let half_interval =
            spm_to_interval_nanos(clock.last_tempo_spm().unwrap_or(clock.goal_spm())) / 2;
        let asynchrony_nanos = nearest_beat_nanos(step.time_nanos, &self.beats)
            .map(|b| step.time_nanos - b)
            .filter(|a| a.abs() <= half_interval);
        let n = self.steps.len();
        let step_interval_nanos = (n >= 3)
            .then(|| (self.steps[n - 1].time_nanos - self.steps[n - 3].time_nanos) as f64 / 2.0)
            .filter(|i| *i > 0.0 && *i < 4.0 * half_interval as f64);
        clock.observe(Observation {
            asynchrony_nanos,
            step_interval_nanos,
        });
    }

    fn after_step(&mut self, now: i64) {
        match self.state {
            PhaseState::Baseline => self.check_uncued_end(now),
            PhaseState::Retest => self.check_uncued_end(now),
            PhaseState::Matched | PhaseState::Progression { .. } => self.gate(now),
            _ => {}
        }
    }

    fn check_timed_end(&mut self, now: i64) {
        let limit_secs = match self.state {
            PhaseState::Baseline | PhaseState::Retest => return self.check_uncued_end(now),
            PhaseState::Functional => self.config.functional_secs,
            PhaseState::Fading { .. } => self.config.fading_secs,
            _ => return,
        };
        if self.active_nanos(now) >= secs_to_nanos(limit_secs) {
            self.advance_phase(now, PhaseReason::Completed);
        }
    }

    fn check_uncued_end(&mut self, now: i64) {
        let length = if self.state == PhaseState::Baseline {
            self.config.baseline
        } else if self.short_retest {
            self.config.short_retest
        } else {
            self.config.retest
        };
        let long_enough = match length {
            UncuedLength::Secs(s) => self.active_nanos(now) >= secs_to_nanos(s),
            UncuedLength::Steps(n) => self.phase_steps().len() >= n,
        };
        let per_foot = |side| self.phase_steps().iter().filter(|s| s.side == side).count();
        if long_enough
            && per_foot(entrain_gait::Side::Left) >= MIN_STEPS_PER_FOOT
            && per_foot(entrain_gait::Side::Right) >= MIN_STEPS_PER_FOOT
        {
            if self.state == PhaseState::Baseline {
                self.finish_baseline(now, false);
            } else {
                self.retest = self.measure_phase();
                if let Some(m) = self.retest {
                    self.push_log(now, LogEvent::Measured(m));
                }
                self.advance_phase(now, PhaseReason::Completed);
            }
        }
    }

    fn measure_phase(&self) -> Option<GaitMeasures> {
        // The same longest step as the reports use (MetricsConfig's default), so the baseline the
        // matched tempo starts from is the baseline the report prints.
        let config = MetricsConfig {
            paretic: self.config.paretic_side,
            ..MetricsConfig::default()
        };
        GaitMeasures::from_events(self.phase_steps(), &[], config)
    }

    /// Ends the baseline: measures, safety limits, the beat clock at the matched tempo.
    fn finish_baseline(&mut self, now: i64, skipped: bool) {
        let measures = self.measure_phase();
        let reference_spm = match (measures, self.config.matched_tempo_spm) {
            (Some(m), _) => m.cadence_spm,
            (None, Some(t)) => t,
            (None, None) => {
                self.push_log(
                    now,
                    LogEvent::Refused {
                        what: "skip baseline: fewer than 5 steps per foot and no matched tempo set",
                    },
                );
                return;
            }
        };
        if let Some(m) = measures {
            self.baseline = Some(m);
            self.push_log(now, LogEvent::Measured(m));
        }
        let s = self.config.safety;
        let mut ceiling = (reference_spm * (1.0 + s.ceiling_above_baseline_percent / 100.0))
            .min(ABSOLUTE_MAX_SPM);
        if let Some(c) = s.ceiling_spm {
            ceiling = ceiling.min(c);
        }
        let mut floor =
            (reference_spm * (1.0 - s.floor_below_baseline_percent / 100.0)).max(ABSOLUTE_MIN_SPM);
        if let Some(f) = s.floor_spm {
            floor = floor.max(f);
        }
        let limits = TempoLimits {
            floor_spm: floor.min(ceiling),
            ceiling_spm: ceiling,
            max_change_per_beat_spm: s.max_change_per_beat_spm,
        };
        self.push_log(
            now,
            LogEvent::Limits {
                floor_spm: limits.floor_spm,
                ceiling_spm: limits.ceiling_spm,
                max_change_per_beat_spm: limits.max_change_per_beat_spm,
            },
        );
        let (requested, reason) = match self.config.matched_tempo_spm {
            Some(t) => (t, TempoReason::ClinicianMatchedTempo),
            None => (
                reference_spm + self.config.matched_offset_spm,
                TempoReason::MatchedToBaseline {
                    baseline_spm: reference_spm,
                    offset_spm: self.config.matched_offset_spm,
                },
            ),
        };
        let goal_nanos = secs_to_nanos(self.config.goal_asynchrony_ms / 1000.0);
        let adapter = Adapter::new(self.config.adaptation, goal_nanos);
        let clock = BeatClock::new(adapter, limits, s.ramp_spm_per_beat, requested);
        let matched = clock.goal_spm();
        self.clock = Some(clock);
        self.matched_spm = Some(matched);
        let reason_phase = if skipped {
            PhaseReason::Skipped
        } else {
            PhaseReason::Completed
        };
        self.enter(now, PhaseState::Matched, reason_phase);
        let reason = if (matched - requested).abs() > 1e-9 {
            TempoReason::Capped {
                requested_spm: requested,
            }
        } else {
            reason
        };
        self.push_log(
            now,
            LogEvent::TempoTarget {
                from_spm: None,
                to_spm: matched,
                reason,
            },
        );
    }

    /// The next protocol phase after the current one.
    fn advance_phase(&mut self, now: i64, reason: PhaseReason) {
        let next = match self.state.phase().next() {
            Phase::Baseline | Phase::Matched => PhaseState::Matched,
            Phase::Progression => PhaseState::Progression {
                level: 0,
                reachable_top: self.top_level(),
            },
            Phase::Functional => PhaseState::Functional,
            Phase::Fading => PhaseState::Fading {
                beat_index: 0,
                bars: None,
            },
            Phase::Retest => PhaseState::Retest,
            Phase::Done => PhaseState::Done,
        };
        self.enter(now, next, reason);
        match self.state {
            PhaseState::Progression { .. } => self.level_up(now, None),
            PhaseState::Functional if self.config.functional_secs <= 0.0 => {
                self.advance_phase(now, PhaseReason::Disabled)
            }
            _ => {}
        }
    }

    fn enter(&mut self, now: i64, next: PhaseState, reason: PhaseReason) {
        self.state = next;
        self.phase_active_nanos = 0;
        if self.run == RunState::Running {
            self.running_since_nanos = Some(now);
        }
        self.phase_first_step = self.steps.len();
        self.gate_from_nanos = None;
        self.push_log(now, LogEvent::PhaseStarted { reason });
        if next == PhaseState::Done {
            self.run = RunState::Finished;
            self.running_since_nanos = None;
        }
        let cued = next.phase().is_cued() && self.run == RunState::Running;
        if let Some(clock) = self.clock.as_mut() {
            if !cued {
                clock.stop();
            } else if !clock.is_running() {
                let first = self.phase_locked_start(now);
                if let Some(clock) = self.clock.as_mut() {
                    clock.start(first);
                }
            }
        }
    }

    /// D-Jogger's phase-locked start: the first beat on the predicted next IC.
    fn phase_locked_start(&self, now: i64) -> i64 {
        let lead = secs_to_nanos(self.config.schedule_lead_ms / 1000.0);
        let interval =
            spm_to_interval_nanos(self.clock.as_ref().map_or(60.0, BeatClock::goal_spm)).max(1);
        let n = self.steps.len();
        let mut first = if n >= 2 {
            let last = self.steps[n - 1].time_nanos;
            let step = last - self.steps[n - 2].time_nanos;
            let step = if step > 0 && step < 2 * interval {
                step
            } else {
                interval
            };
            last + step
        } else {
            now + lead + interval
        };
        while first < now + lead {
            first += interval;
        }
        first
    }

    fn pause(&mut self, now: i64, reason: PauseReason) {
        self.phase_active_nanos = self.active_nanos(now);
        self.running_since_nanos = None;
        self.run = RunState::Paused(reason);
        self.resume_run = 0;
        self.gate_from_nanos = None;
        if let Some(clock) = self.clock.as_mut() {
            clock.stop();
        }
        self.push_log(now, LogEvent::Paused(reason));
    }

    fn resume(&mut self, now: i64, by_walking: bool) {
        self.run = RunState::Running;
        self.running_since_nanos = Some(now);
        self.idle_reference_nanos = now;
        self.gate_from_nanos = None;
        self.push_log(now, LogEvent::Resumed { by_walking });
        if self.phase().is_cued() {
            let first = self.phase_locked_start(now);
            if let Some(clock) = self.clock.as_mut() {
                clock.start(first);
            }
        }
    }
}
