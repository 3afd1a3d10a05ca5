//! The clinician's protocol settings, with the defaults docs/CLINICAL.md#ras-protocol and #safety-limits motivate.

use entrain_gait::Side;

use crate::adapt::AdaptationMode;
use crate::error::ConfigError;
use crate::fade::{FadeSchedule, MeterConfig};
use crate::gate::GateConfig;
use crate::safety::{ABSOLUTE_MAX_SPM, ABSOLUTE_MIN_SPM};

/// When an uncued block (baseline or re-test) is long enough. Either way it also needs
/// [`crate::measures::MIN_STEPS_PER_FOOT`] steps per foot.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum UncuedLength {
    /// Walking time, s (paused time does not count). docs/CLINICAL.md#ras-protocol: 30–60 s.
    Secs(f64),
    /// Steps, both feet.
    Steps(usize),
}

/// How the tempo rises in the progression phase.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ProgressionConfig {
    /// Tempo increase per level, % of the matched tempo (default 5; 2.5/5/10 are usual).
    pub step_percent: f64,
    /// Highest increase over the matched tempo, % (default 10, BeatWalk's maximum).
    pub max_increase_percent: f64,
    /// Entrained time needed at a level before the next, s (default 20).
    pub level_min_secs: f64,
    /// Not-entrained time at a level after which the tempo steps back, s (default 20).
    pub lost_after_secs: f64,
    /// Beats to let the patient settle after a tempo change before the gate looks (default 8).
    pub settle_beats: u32,
    /// Minimum time in the matched phase before progression may start, s (default 20).
    pub matched_min_secs: f64,
}

impl Default for ProgressionConfig {
    fn default() -> Self {
        ProgressionConfig {
            step_percent: 5.0,
            max_increase_percent: 10.0,
            level_min_secs: 20.0,
            lost_after_secs: 20.0,
            settle_beats: 8,
            matched_min_secs: 20.0,
        }
    }
}

/// Clinician-set safety limits.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SafetyConfig {
    /// Absolute tempo ceiling, steps/min, if the clinician sets one.
    pub ceiling_spm: Option<f64>,
    /// Absolute tempo floor, steps/min, if the clinician sets one.
    pub floor_spm: Option<f64>,
    /// Ceiling relative to the baseline cadence, % above (default 15, docs/CLINICAL.md#safety-limits).
    /// The lower of this and `ceiling_spm` wins.
    pub ceiling_above_baseline_percent: f64,
    /// Floor relative to the baseline cadence, % below (default 20). The higher floor wins.
    pub floor_below_baseline_percent: f64,
    /// Largest tempo change between consecutive beats, steps/min (default 2).
    pub max_change_per_beat_spm: f64,
    /// How fast a new target tempo is approached, steps/min per beat (default 0.5): no jumps.
    pub ramp_spm_per_beat: f64,
    /// Auto-pause when no step arrives for this long, s (default 3).
    pub no_step_timeout_secs: f64,
    /// Steps needed to resume after an auto-pause (default 3).
    pub resume_after_steps: usize,
}

impl Default for SafetyConfig {
    fn default() -> Self {
        SafetyConfig {
            ceiling_spm: None,
            floor_spm: None,
            ceiling_above_baseline_percent: 15.0,
            floor_below_baseline_percent: 20.0,
            max_change_per_beat_spm: 2.0,
            ramp_spm_per_beat: 0.5,
            no_step_timeout_secs: 3.0,
            resume_after_steps: 3,
        }
    }
}

/// Everything the session needs to know before it starts.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ProtocolConfig {
    /// Length of the uncued baseline (default 30 s).
    pub baseline: UncuedLength,
    /// Matched tempo set by the clinician, steps/min; `None` = the baseline cadence.
    pub matched_tempo_spm: Option<f64>,
    /// Offset added to the baseline cadence for the matched cue, steps/min (default 0; docs/CLINICAL.md#ras-protocol: or a
    /// few steps/min below).
    pub matched_offset_spm: f64,
    /// Progression settings.
    pub progression: ProgressionConfig,
    /// Functional walking block with cue, s (default 0 = skipped).
    pub functional_secs: f64,
    /// Fading phase length, s (default 60).
    pub fading_secs: f64,
    /// Fading schedule (default 16 beats on / 16 off).
    pub fade: FadeSchedule,
    /// The bars of the music cueing the session, for [`FadeSchedule::DropBars`] (default: bars
    /// of 4 from the cue's first beat; the session's music sets its own).
    #[serde(default)]
    pub meter: MeterConfig,
    /// Length of the uncued re-test (default 30 s).
    pub retest: UncuedLength,
    /// Length of the short uncued re-test after the clinician ends the cued part early
    /// ([`crate::ClinicianCommand::StopAfterRetest`]; default 20 steps, docs/CLINICAL.md#ras-protocol).
    #[serde(default = "default_short_retest")]
    pub short_retest: UncuedLength,
    /// Tempo adaptation (default phase correction, α = 0.3).
    pub adaptation: AdaptationMode,
    /// Asynchrony the adaptation aims at, ms (default 0 = beat on the step; docs/CLINICAL.md#beat-adaptation: beats slightly
    /// after the step tend to raise cadence, i.e. a negative goal).
    pub goal_asynchrony_ms: f64,
    /// Entrainment gate.
    pub gate: GateConfig,
    /// Safety limits.
    pub safety: SafetyConfig,
    /// Cue volume, 0…1 (default 1).
    pub cue_volume: f64,
    /// How long before a beat its time is committed to the audio, ms (default 100).
    pub schedule_lead_ms: f64,
    /// The paretic side, if known, for the symmetry ratio.
    pub paretic_side: Option<Side>,
}

impl Default for ProtocolConfig {
    fn default() -> Self {
        ProtocolConfig {
            baseline: UncuedLength::Secs(30.0),
            matched_tempo_spm: None,
            matched_offset_spm: 0.0,
            progression: ProgressionConfig::default(),
            functional_secs: 0.0,
            fading_secs: 60.0,
            fade: FadeSchedule::default(),
            meter: MeterConfig::default(),
            retest: UncuedLength::Secs(30.0),
            short_retest: default_short_retest(),
            adaptation: AdaptationMode::default(),
            goal_asynchrony_ms: 0.0,
            gate: GateConfig::default(),
            safety: SafetyConfig::default(),
            cue_volume: 1.0,
            schedule_lead_ms: 100.0,
            paretic_side: None,
        }
    }
}

/// The short re-test's default: 20 steps, a few more than the 5 per foot any measure needs.
/// Also what a stored protocol from before this setting existed reads as.
fn default_short_retest() -> UncuedLength {
    UncuedLength::Steps(20)
}

/// The meter's bounds: 1..=32 beats per bar, the first downbeat within the first 32 beats.
pub(crate) fn check_meter(meter: &MeterConfig) -> Result<(), ConfigError> {
    check(
        "meter.beats_per_bar",
        f64::from(meter.beats_per_bar),
        1.0,
        32.0,
    )?;
    check(
        "meter.first_downbeat",
        f64::from(meter.first_downbeat),
        0.0,
        31.0,
    )
}

fn check(name: &'static str, value: f64, min: f64, max: f64) -> Result<(), ConfigError> {
    if value.is_finite() && (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError::OutOfRange {
            name,
            value,
            min,
            max,
        })
    }
}

impl ProtocolConfig {
    /// Checks every setting; the session refuses to start otherwise.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (name, len) in [
            ("baseline", self.baseline),
            ("retest", self.retest),
            ("short_retest", self.short_retest),
        ] {
            match len {
                UncuedLength::Secs(s) => check(name, s, 0.0, 3600.0)?,
                UncuedLength::Steps(n) => check(name, n as f64, 0.0, 10_000.0)?,
            }
        }
        if let Some(t) = self.matched_tempo_spm {
            check("matched_tempo_spm", t, ABSOLUTE_MIN_SPM, ABSOLUTE_MAX_SPM)?;
        }
        check("matched_offset_spm", self.matched_offset_spm, -40.0, 40.0)?;
        let p = &self.progression;
        check("progression.step_percent", p.step_percent, 0.5, 20.0)?;
        check(
            "progression.max_increase_percent",
            p.max_increase_percent,
            0.0,
            50.0,
        )?;
        check("progression.level_min_secs", p.level_min_secs, 0.0, 3600.0)?;
        check(
            "progression.lost_after_secs",
            p.lost_after_secs,
            1.0,
            3600.0,
        )?;
        check(
            "progression.matched_min_secs",
            p.matched_min_secs,
            0.0,
            3600.0,
        )?;
        check("functional_secs", self.functional_secs, 0.0, 7200.0)?;
        check("fading_secs", self.fading_secs, 0.0, 7200.0)?;
        check("goal_asynchrony_ms", self.goal_asynchrony_ms, -300.0, 300.0)?;
        check("cue_volume", self.cue_volume, 0.0, 1.0)?;
        check("schedule_lead_ms", self.schedule_lead_ms, 0.0, 500.0)?;
        check_meter(&self.meter)?;
        if let FadeSchedule::Volume { from, to } = self.fade {
            check("fade.from", from, 0.0, 1.0)?;
            check("fade.to", to, 0.0, 1.0)?;
        }
        match self.adaptation {
            AdaptationMode::Fixed => {}
            AdaptationMode::PhaseCorrection { alpha } => {
                check("adaptation.alpha", alpha, 0.0, 1.0)?
            }
            AdaptationMode::PhasePeriodCorrection {
                alpha,
                beta,
                max_period_deviation_percent,
            } => {
                check("adaptation.alpha", alpha, 0.0, 1.0)?;
                check("adaptation.beta", beta, 0.0, 1.0)?;
                check(
                    "adaptation.max_period_deviation_percent",
                    max_period_deviation_percent,
                    0.0,
                    20.0,
                )?;
            }
            AdaptationMode::CoupledOscillator {
                coupling_k,
                frequency_adaptation,
                max_target_deviation_percent,
                max_frequency_deviation_percent,
            } => {
                check("adaptation.coupling_k", coupling_k, 0.0, 1.0)?;
                check(
                    "adaptation.frequency_adaptation",
                    frequency_adaptation,
                    0.0,
                    1.0,
                )?;
                check(
                    "adaptation.max_target_deviation_percent",
                    max_target_deviation_percent,
                    0.0,
                    20.0,
                )?;
                check(
                    "adaptation.max_frequency_deviation_percent",
                    max_frequency_deviation_percent,
                    0.0,
                    50.0,
                )?;
            }
        }
        let g = &self.gate;
        check("gate.window_steps", g.window_steps as f64, 4.0, 200.0)?;
        check(
            "gate.min_resultant_length",
            g.min_resultant_length,
            0.0,
            1.0,
        )?;
        check("gate.max_rayleigh_p", g.max_rayleigh_p, 0.0, 1.0)?;
        check(
            "gate.period_tolerance_percent",
            g.period_tolerance_percent,
            0.0,
            20.0,
        )?;
        if g.period_tolerance_percent >= p.step_percent {
            return Err(ConfigError::ToleranceNotBelowStep {
                tolerance_percent: g.period_tolerance_percent,
                step_percent: p.step_percent,
            });
        }
        let s = &self.safety;
        if let Some(c) = s.ceiling_spm {
            check("safety.ceiling_spm", c, ABSOLUTE_MIN_SPM, ABSOLUTE_MAX_SPM)?;
        }
        if let Some(f) = s.floor_spm {
            check("safety.floor_spm", f, ABSOLUTE_MIN_SPM, ABSOLUTE_MAX_SPM)?;
        }
        if let (Some(floor_spm), Some(ceiling_spm)) = (s.floor_spm, s.ceiling_spm)
            && floor_spm > ceiling_spm
        {
            return Err(ConfigError::FloorAboveCeiling {
                floor_spm,
                ceiling_spm,
            });
        }
        check(
            "safety.ceiling_above_baseline_percent",
            s.ceiling_above_baseline_percent,
            0.0,
            100.0,
        )?;
        // The matched tempo starts at the baseline cadence, so levels above the ceiling could
        // never be reached: a contradiction, not a setting.
        if p.max_increase_percent > s.ceiling_above_baseline_percent {
            return Err(ConfigError::IncreaseAboveCeiling {
                max_increase_percent: p.max_increase_percent,
                ceiling_above_baseline_percent: s.ceiling_above_baseline_percent,
            });
        }
        check(
            "safety.floor_below_baseline_percent",
            s.floor_below_baseline_percent,
            0.0,
            90.0,
        )?;
        check(
            "safety.max_change_per_beat_spm",
            s.max_change_per_beat_spm,
            0.01,
            20.0,
        )?;
        check("safety.ramp_spm_per_beat", s.ramp_spm_per_beat, 0.01, 20.0)?;
        check(
            "safety.no_step_timeout_secs",
            s.no_step_timeout_secs,
            0.5,
            60.0,
        )?;
        check(
            "safety.resume_after_steps",
            s.resume_after_steps as f64,
            1.0,
            50.0,
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(ProtocolConfig::default().validate(), Ok(()));
    }

    #[test]
    fn the_short_retest_is_checked_like_the_others() {
        assert_eq!(
            ProtocolConfig::default().short_retest,
            UncuedLength::Steps(20)
        );
        let c = ProtocolConfig {
            short_retest: UncuedLength::Secs(-1.0),
            ..ProtocolConfig::default()
        };
        let e = c.validate().unwrap_err();
        assert!(e.to_string().contains("short_retest"), "{e}");
    }

    #[test]
    fn bad_settings_are_named() {
        let c = ProtocolConfig {
            adaptation: AdaptationMode::PhaseCorrection { alpha: 1.5 },
            ..ProtocolConfig::default()
        };
        let e = c.validate().unwrap_err();
        assert!(e.to_string().contains("adaptation.alpha = 1.5"), "{e}");
        let mut c = ProtocolConfig::default();
        c.progression.max_increase_percent = 30.0;
        c.safety.ceiling_above_baseline_percent = 15.0;
        let e = c.validate().unwrap_err();
        assert!(matches!(e, ConfigError::IncreaseAboveCeiling { .. }), "{e}");
        assert!(
            e.to_string().contains("30 %") && e.to_string().contains("15 %"),
            "{e}"
        );
        c.safety.ceiling_above_baseline_percent = 30.0;
        assert_eq!(c.validate(), Ok(()));
        let mut c = ProtocolConfig::default();
        c.gate.period_tolerance_percent = 5.0;
        assert!(matches!(
            c.validate(),
            Err(ConfigError::ToleranceNotBelowStep { .. })
        ));
    }
}
