//! The beat clock: commits beat times one at a time, each from the previous beat, the target tempo
//! (approached by a ramp, never jumped to), the adaptation mode and the safety limits.

use crate::adapt::{Adapter, Observation};
use crate::safety::{LimitHit, TempoLimits};
use crate::tempo::{interval_nanos_to_spm, spm_to_interval_nanos};

/// One beat committed to the audio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Beat {
    /// When it is to sound, on the session clock.
    pub time_nanos: i64,
    /// The tempo it was scheduled at, steps/min: 60 s / (this beat − previous beat); for the first
    /// beat after a start or resume, the tempo it starts with.
    pub tempo_spm: f64,
    /// The protocol's target tempo at the time, steps/min.
    pub target_spm: f64,
    /// Loudness, 0…1; 0 is a silent beat of a fading gap (the patient hears nothing).
    pub volume: f64,
    /// Which safety limit shaped this beat's tempo, if any.
    pub limit: LimitHit,
    /// The click pulse alone marks this beat: the music is silent (a pulse-only fading).
    pub pulse_only: bool,
}

impl Beat {
    /// Whether the patient hears it.
    pub fn is_audible(&self) -> bool {
        self.volume > 0.0
    }
}

/// Schedules beats while the cue runs.
#[derive(Debug, Clone, PartialEq)]
pub struct BeatClock {
    adapter: Adapter,
    limits: TempoLimits,
    ramp_spm_per_beat: f64,
    goal_spm: f64,
    ramped_spm: f64,
    /// The next beat not yet committed, and the tempo it was scheduled at.
    next: Option<(i64, f64, LimitHit)>,
    last_tempo_spm: Option<f64>,
    observation: Observation,
    beats_since_goal_change: u32,
    beats_since_start: u64,
}

impl BeatClock {
    /// A stopped clock aiming at `goal_spm` (clamped to the limits).
    pub fn new(
        adapter: Adapter,
        limits: TempoLimits,
        ramp_spm_per_beat: f64,
        goal_spm: f64,
    ) -> Self {
        let goal = limits.clamp_target(goal_spm);
        BeatClock {
            adapter,
            limits,
            ramp_spm_per_beat,
            goal_spm: goal,
            ramped_spm: goal,
            next: None,
            last_tempo_spm: None,
            observation: Observation::default(),
            beats_since_goal_change: 0,
            beats_since_start: 0,
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> TempoLimits {
        self.limits
    }

    /// The target tempo the clock is heading for, steps/min.
    pub fn goal_spm(&self) -> f64 {
        self.goal_spm
    }

    /// The tempo of the last committed beat, steps/min.
    pub fn last_tempo_spm(&self) -> Option<f64> {
        self.last_tempo_spm
    }

    /// Sets a new target (clamped to the limits) and returns it; the beats approach it by the ramp.
    pub fn set_goal(&mut self, goal_spm: f64) -> f64 {
        self.goal_spm = self.limits.clamp_target(goal_spm);
        self.beats_since_goal_change = 0;
        self.goal_spm
    }

    /// Whether the ramp has reached the target and `settle_beats` beats have passed since.
    pub fn settled(&self, settle_beats: u32) -> bool {
        self.ramped_spm == self.goal_spm && self.beats_since_goal_change >= settle_beats
    }

    /// Beats committed since the clock last started (the music starts again with the clock, so
    /// this counts the music's beats too).
    pub fn beats_since_start(&self) -> u64 {
        self.beats_since_start
    }

    /// Whether beats are being scheduled.
    pub fn is_running(&self) -> bool {
        self.next.is_some()
    }

    /// Starts (or restarts) the cue with its first beat at `first_beat_nanos`, at a tempo no further
    /// from the last beat played than one beat's allowed change.
    pub fn start(&mut self, first_beat_nanos: i64) {
        self.observation = Observation::default();
        self.beats_since_start = 0;
        let (tempo, hit) = self.limits.apply(self.last_tempo_spm, self.ramped_spm);
        self.next = Some((first_beat_nanos, tempo, hit));
    }

    /// Stops scheduling; the tempo reached is kept so a restart does not jump.
    pub fn stop(&mut self) {
        self.next = None;
    }

    /// Records the latest step's asynchrony (if it has a beat within half an interval) and step interval.
    pub fn observe(&mut self, observation: Observation) {
        if observation.asynchrony_nanos.is_some() {
            self.observation.asynchrony_nanos = observation.asynchrony_nanos;
        }
        if observation.step_interval_nanos.is_some() {
            self.observation.step_interval_nanos = observation.step_interval_nanos;
        }
    }

    /// Commits the next beat if it is due at or before `horizon_nanos`, and schedules the one after.
    pub fn commit_due(&mut self, horizon_nanos: i64) -> Option<Beat> {
        let (time, tempo, hit) = self.next.filter(|(t, _, _)| *t <= horizon_nanos)?;
        self.last_tempo_spm = Some(tempo);
        self.beats_since_start += 1;
        self.beats_since_goal_change = self.beats_since_goal_change.saturating_add(1);
        let beat = Beat {
            time_nanos: time,
            tempo_spm: tempo,
            target_spm: self.goal_spm,
            volume: 1.0,
            limit: hit,
            pulse_only: false,
        };
        // Ramp towards the goal, then let the adaptation propose, then the limits decide.
        let step = self.ramp_spm_per_beat;
        self.ramped_spm = if self.ramped_spm < self.goal_spm {
            (self.ramped_spm + step).min(self.goal_spm)
        } else {
            (self.ramped_spm - step).max(self.goal_spm)
        };
        let observation = core::mem::take(&mut self.observation);
        let proposed = self
            .adapter
            .propose_interval_nanos(self.ramped_spm, observation);
        let (next_tempo, next_hit) = self
            .limits
            .apply(Some(tempo), interval_nanos_to_spm(proposed));
        let interval = spm_to_interval_nanos(next_tempo);
        self.next = Some((time.saturating_add(interval), next_tempo, next_hit));
        Some(beat)
    }
}
