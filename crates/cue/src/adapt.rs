//! Tempo adaptation: how each next beat interval follows the patient's steps.
//!
//! Every mode proposes the next beat interval from the protocol's target interval `T` and the latest
//! observations; the safety limits ([`crate::TempoLimits`]) are applied afterwards, whatever the mode.
//! Asynchrony `A` = t(IC) − t(nearest beat) (docs/CLINICAL.md#asynchrony), negative when the step comes first.
//!
//! Sign convention, on purpose: the literature writes phase correction as "period − α·asynchrony", which is
//! the *tapper's* correction (Repp). The metronome is the other partner, so it moves *towards* the
//! steps: interval = T + α·(A − A_goal). With A < 0 (steps early) the next beat comes earlier and the
//! beat and the steps meet instead of chasing each other apart.

use core::f64::consts::PI;

use crate::tempo::{NANOS_PER_MINUTE, spm_to_interval_nanos};

/// How the beat adapts to the patient. Defaults: see each constructor.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum AdaptationMode {
    /// The beat keeps the protocol's tempo exactly; the app only measures.
    Fixed,
    /// Phase correction (Repp; GEM adaptive metronome): next interval = T + α·(A − A_goal).
    PhaseCorrection {
        /// α, the share of the last asynchrony corrected at the next beat, 0…1 (default 0.3).
        alpha: f64,
    },
    /// Phase + period correction: next interval = P + α·(A − A_goal), with the beat period
    /// P ← P + β·(step interval − P), P kept within ±`max_period_deviation_percent` of T.
    PhasePeriodCorrection {
        /// α, phase correction gain, 0…1 (default 0.3).
        alpha: f64,
        /// β, period correction gain per step, 0…1 (default 0.1).
        beta: f64,
        /// How far P may drift from the protocol's target interval, % (default 5).
        max_period_deviation_percent: f64,
    },
    /// Coupled oscillator (Kuramoto; BeatHealth/BeatWalk): dθ/dt = ω + K·ω·sin(θ_step − θ), integrated
    /// over one beat; ω follows the patient's cadence within ±`max_target_deviation_percent` of the target
    /// and the instantaneous beat frequency stays within ±`max_frequency_deviation_percent`.
    CoupledOscillator {
        /// K, coupling strength relative to ω (default 0.12; 0.1–0.15 in BeatWalk).
        coupling_k: f64,
        /// Share of the gap between the patient's step frequency and ω closed per step (default 0.1).
        frequency_adaptation: f64,
        /// Bound on ω around the protocol target, % (default 5).
        max_target_deviation_percent: f64,
        /// Bound on the instantaneous beat frequency around the protocol target, % (default 20).
        max_frequency_deviation_percent: f64,
    },
}

impl AdaptationMode {
    /// Phase correction with the common default α = 0.3.
    pub const fn phase_default() -> Self {
        AdaptationMode::PhaseCorrection { alpha: 0.3 }
    }

    /// Phase + period correction with α = 0.3, β = 0.1, P within ±5 % of the target.
    pub const fn phase_period_default() -> Self {
        AdaptationMode::PhasePeriodCorrection {
            alpha: 0.3,
            beta: 0.1,
            max_period_deviation_percent: 5.0,
        }
    }

    /// Coupled oscillator with K = 0.12, ω adaptation 0.1, ω within ±5 %, beat within ±20 %.
    pub const fn kuramoto_default() -> Self {
        AdaptationMode::CoupledOscillator {
            coupling_k: 0.12,
            frequency_adaptation: 0.1,
            max_target_deviation_percent: 5.0,
            max_frequency_deviation_percent: 20.0,
        }
    }

    /// A short name for logs and CLI output.
    pub fn name(&self) -> &'static str {
        match self {
            AdaptationMode::Fixed => "fixed",
            AdaptationMode::PhaseCorrection { .. } => "phase",
            AdaptationMode::PhasePeriodCorrection { .. } => "phase+period",
            AdaptationMode::CoupledOscillator { .. } => "kuramoto",
        }
    }
}

impl Default for AdaptationMode {
    fn default() -> Self {
        Self::phase_default()
    }
}

/// What the adapter learnt since the previous beat.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Observation {
    /// Asynchrony of the latest step against its nearest beat, if one arrived since the previous beat.
    pub asynchrony_nanos: Option<i64>,
    /// The patient's latest step interval (half the latest stride, so L/R asymmetry cancels).
    pub step_interval_nanos: Option<f64>,
}

/// The adapter's state between beats: the adapted period (phase+period) or natural frequency (Kuramoto)
/// as a ratio to the protocol's target, so a target change carries the adaptation over proportionally.
#[derive(Debug, Clone, PartialEq)]
pub struct Adapter {
    mode: AdaptationMode,
    /// Adapted period / target period (phase+period correction).
    period_ratio: f64,
    /// Adapted natural frequency / target frequency (coupled oscillator).
    frequency_ratio: f64,
    /// Asynchrony the adaptation aims at, ns (0: beat on the step; positive: beat before the step).
    goal_asynchrony_nanos: f64,
}

impl Adapter {
    /// A fresh adapter for `mode`, aiming at `goal_asynchrony_nanos`.
    pub fn new(mode: AdaptationMode, goal_asynchrony_nanos: i64) -> Self {
        Adapter {
            mode,
            period_ratio: 1.0,
            frequency_ratio: 1.0,
            goal_asynchrony_nanos: goal_asynchrony_nanos as f64,
        }
    }

    /// The mode.
    pub fn mode(&self) -> AdaptationMode {
        self.mode
    }

    /// Forgets the learnt period or frequency (after a pause: the patient may restart at another pace).
    pub fn reset(&mut self) {
        self.period_ratio = 1.0;
        self.frequency_ratio = 1.0;
    }

    /// Proposes the next beat interval, ns, for target tempo `target_spm`, before safety limits.
    pub fn propose_interval_nanos(&mut self, target_spm: f64, obs: Observation) -> f64 {
        let target = spm_to_interval_nanos(target_spm) as f64;
        let phase_error = obs
            .asynchrony_nanos
            .map_or(0.0, |a| a as f64 - self.goal_asynchrony_nanos);
        match self.mode {
            AdaptationMode::Fixed => target,
            AdaptationMode::PhaseCorrection { alpha } => target + alpha * phase_error,
            AdaptationMode::PhasePeriodCorrection {
                alpha,
                beta,
                max_period_deviation_percent,
            } => {
                if let Some(step) = obs.step_interval_nanos {
                    let step_ratio = step / target;
                    let dev = max_period_deviation_percent / 100.0;
                    self.period_ratio = (self.period_ratio
                        + beta * (step_ratio - self.period_ratio))
                        .clamp(1.0 - dev, 1.0 + dev);
                }
                self.period_ratio * target + alpha * phase_error
            }
            AdaptationMode::CoupledOscillator {
                coupling_k,
                frequency_adaptation,
                max_target_deviation_percent,
                max_frequency_deviation_percent,
            } => {
                if let Some(step) = obs.step_interval_nanos.filter(|s| *s > 0.0) {
                    let step_ratio = target / step;
                    let dev = max_target_deviation_percent / 100.0;
                    self.frequency_ratio = (self.frequency_ratio
                        + frequency_adaptation * (step_ratio - self.frequency_ratio))
                        .clamp(1.0 - dev, 1.0 + dev);
                }
                // The step's phase relative to the beat: a step before the beat (A < 0) is ahead, so
                // the beat oscillator speeds up to meet it.
                let phase_diff_rad = -2.0 * PI * phase_error / target;
                let omega = self.frequency_ratio;
                let bound = max_frequency_deviation_percent / 100.0;
                let freq_ratio = (omega * (1.0 + coupling_k * libm_sin(phase_diff_rad)))
                    .clamp(1.0 - bound, 1.0 + bound);
                target / freq_ratio
            }
        }
    }
}

/// `sin`, kept in one place so the crate can follow entrain-gait to `libm` if it ever goes `no_std`.
fn libm_sin(x: f64) -> f64 {
    x.sin()
}

/// The tempo, steps/min, of a proposed interval (for logs).
pub fn proposed_spm(interval_nanos: f64) -> f64 {
    NANOS_PER_MINUTE / interval_nanos
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: i64 = 1_000_000;

    fn obs(a_ms: i64) -> Observation {
        Observation {
            asynchrony_nanos: Some(a_ms * MS),
            step_interval_nanos: None,
        }
    }

    #[test]
    fn fixed_keeps_the_target_interval() {
        let mut a = Adapter::new(AdaptationMode::Fixed, 0);
        assert_eq!(a.propose_interval_nanos(80.0, obs(-100)), 750.0 * MS as f64);
    }

    #[test]
    fn phase_correction_moves_the_beat_towards_early_steps() {
        // Steps 50 ms early: next interval 750 + 0.3·(−50) = 735 ms.
        let mut a = Adapter::new(AdaptationMode::phase_default(), 0);
        assert!((a.propose_interval_nanos(80.0, obs(-50)) - 735.0 * MS as f64).abs() < 1.0);
        // No step since the last beat: no correction.
        assert!((a.propose_interval_nanos(80.0, Observation::default()) - 750.0e6).abs() < 1.0);
    }

    #[test]
    fn period_correction_drifts_towards_the_patient_but_stays_bounded() {
        let mut a = Adapter::new(AdaptationMode::phase_period_default(), 0);
        let slow = Observation {
            asynchrony_nanos: None,
            step_interval_nanos: Some(900.0e6),
        };
        let first = a.propose_interval_nanos(80.0, slow);
        // P ← 1 + 0.1·(1.2 − 1) = 1.02 of 750 ms.
        assert!((first - 765.0e6).abs() < 1.0);
        for _ in 0..200 {
            a.propose_interval_nanos(80.0, slow);
        }
        assert!((a.propose_interval_nanos(80.0, slow) - 787.5e6).abs() < 1.0);
    }

    #[test]
    fn kuramoto_speeds_up_for_early_steps_within_bounds() {
        let mut a = Adapter::new(AdaptationMode::kuramoto_default(), 0);
        let early = a.propose_interval_nanos(80.0, obs(-60));
        assert!(early < 750.0e6);
        // sin(2π·60/750) = 0.4818; f = 1 + 0.12·0.4818; interval = 750 / f.
        let expect = 750.0e6 / (1.0 + 0.12 * (2.0 * PI * 60.0 / 750.0).sin());
        assert!((early - expect).abs() < 1.0);
        let late = a.propose_interval_nanos(80.0, obs(60));
        assert!(late > 750.0e6);
    }
}
