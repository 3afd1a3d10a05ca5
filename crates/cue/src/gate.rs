//! Entrainment gating: is the patient locked to the beat over the latest window of steps?
//!
//! Progress needs all of: enough steps, phase stability (resultant length R and a significant
//! Rayleigh test, docs/CLINICAL.md#entrainment-gate), the steps matching the beats actually played (period match), and the
//! patient's cadence matching the protocol's target (so an adaptive beat that has bent towards a
//! patient who cannot follow does not count as success).

use core::fmt;

use entrain_gait::sync::{SyncSummary, summarize};

use crate::tempo::spm_to_interval_nanos;

/// Thresholds of the entrainment gate.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GateConfig {
    /// Steps in a window (default 16, both feet).
    pub window_steps: usize,
    /// Minimum resultant length R (default 0.6; docs/CLINICAL.md#entrainment-categories: > 0.7 strong, 0.4–0.7 moderate).
    pub min_resultant_length: f64,
    /// Largest Rayleigh p-value accepted as entrained (default 0.05).
    pub max_rayleigh_p: f64,
    /// Allowed |period match − 100 %|, and allowed |cadence / target − 1|, % (default 2).
    pub period_tolerance_percent: f64,
}

impl Default for GateConfig {
    fn default() -> Self {
        GateConfig {
            window_steps: 16,
            min_resultant_length: 0.6,
            max_rayleigh_p: 0.05,
            period_tolerance_percent: 2.0,
        }
    }
}

/// Why a window failed the gate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GateFailure {
    /// Phase not stable enough.
    WeakPhase {
        /// Measured R.
        resultant_length: f64,
        /// Required R.
        min: f64,
    },
    /// Phases not significantly non-uniform.
    NotSignificant {
        /// Rayleigh p.
        p_value: f64,
        /// Required p.
        max: f64,
    },
    /// Steps do not match the played beats.
    PeriodMismatch {
        /// Period match, %.
        percent: f64,
        /// Tolerance, %.
        tolerance: f64,
    },
    /// The cadence is off the protocol's target tempo.
    OffTarget {
        /// Patient cadence, steps/min.
        cadence_spm: f64,
        /// Target tempo, steps/min.
        target_spm: f64,
    },
}

impl fmt::Display for GateFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            GateFailure::WeakPhase {
                resultant_length,
                min,
            } => {
                write!(f, "phase unstable (R {resultant_length:.2} < {min:.2})")
            }
            GateFailure::NotSignificant { p_value, max } => {
                write!(f, "Rayleigh p {p_value:.3} ≥ {max:.3}")
            }
            GateFailure::PeriodMismatch { percent, tolerance } => {
                write!(
                    f,
                    "period match {percent:.1} % outside 100 ± {tolerance:.1} %"
                )
            }
            GateFailure::OffTarget {
                cadence_spm,
                target_spm,
            } => write!(
                f,
                "cadence {cadence_spm:.1} steps/min off target {target_spm:.1}"
            ),
        }
    }
}

/// The gate's answer for one window.
#[derive(Debug, Clone, PartialEq)]
pub enum GateVerdict {
    /// Not enough steps with a beat yet.
    TooFewSteps {
        /// Steps in the window.
        have: usize,
        /// Steps needed.
        need: usize,
    },
    /// Entrained.
    Entrained(WindowMeasures),
    /// Not entrained, with every failed criterion.
    NotEntrained(WindowMeasures, Vec<GateFailure>),
}

/// The measures of a full window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowMeasures {
    /// Synchronisation measures against the played beats.
    pub sync: SyncSummary,
    /// Patient cadence over the window, steps/min.
    pub cadence_spm: f64,
}

impl fmt::Display for WindowMeasures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cadence {:.1} steps/min, R {:.2}, Rayleigh p {:.3}, period match {:.1} %, mean asynchrony {:+.0} ms",
            self.cadence_spm,
            self.sync.resultant_length,
            self.sync.rayleigh.p_value,
            self.sync.period_match_percent.unwrap_or(f64::NAN),
            self.sync.mean_asynchrony_ms
        )
    }
}

/// Evaluates the latest `config.window_steps` ICs of `ics_nanos` (ascending, both feet) against the
/// played `beats_nanos` (ascending) and the target tempo.
pub fn evaluate(
    config: &GateConfig,
    ics_nanos: &[i64],
    beats_nanos: &[i64],
    target_spm: f64,
) -> GateVerdict {
    let need = config.window_steps.max(2);
    if ics_nanos.len() < need {
        return GateVerdict::TooFewSteps {
            have: ics_nanos.len(),
            need,
        };
    }
    let window = &ics_nanos[ics_nanos.len() - need..];
    let Some(sync) = summarize(window, beats_nanos) else {
        return GateVerdict::TooFewSteps { have: 0, need };
    };
    let mean_step = (window[need - 1] - window[0]) as f64 / (need - 1) as f64;
    let cadence_spm = 60.0e9 / mean_step;
    let measures = WindowMeasures { sync, cadence_spm };
    let tol = config.period_tolerance_percent;
    let mut failures = Vec::new();
    if sync.resultant_length < config.min_resultant_length {
        failures.push(GateFailure::WeakPhase {
            resultant_length: sync.resultant_length,
            min: config.min_resultant_length,
        });
    }
    if sync.rayleigh.p_value > config.max_rayleigh_p {
        failures.push(GateFailure::NotSignificant {
            p_value: sync.rayleigh.p_value,
            max: config.max_rayleigh_p,
        });
    }
    match sync.period_match_percent {
        Some(pm) if (pm - 100.0).abs() <= tol => {}
        other => failures.push(GateFailure::PeriodMismatch {
            percent: other.unwrap_or(f64::NAN),
            tolerance: tol,
        }),
    }
    let target_interval = spm_to_interval_nanos(target_spm) as f64;
    if (100.0 * (mean_step / target_interval - 1.0)).abs() > tol {
        failures.push(GateFailure::OffTarget {
            cadence_spm,
            target_spm,
        });
    }
    if failures.is_empty() {
        GateVerdict::Entrained(measures)
    } else {
        GateVerdict::NotEntrained(measures, failures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: i64 = 1_000_000;

    #[test]
    fn locked_steps_pass() {
        let beats: Vec<i64> = (0..30).map(|k| k * 750 * MS).collect();
        let ics: Vec<i64> = (2..20)
            .map(|k| k * 750 * MS - 30 * MS + (k % 3) * 5 * MS)
            .collect();
        assert!(matches!(
            evaluate(&GateConfig::default(), &ics, &beats, 80.0),
            GateVerdict::Entrained(_)
        ));
    }

    #[test]
    fn drifting_steps_fail_with_reasons() {
        let beats: Vec<i64> = (0..40).map(|k| k * 714 * MS).collect();
        let ics: Vec<i64> = (0..20).map(|k| k * 750 * MS).collect();
        let GateVerdict::NotEntrained(_, why) =
            evaluate(&GateConfig::default(), &ics, &beats, 84.0)
        else {
            panic!("should fail");
        };
        assert!(
            why.iter()
                .any(|w| matches!(w, GateFailure::PeriodMismatch { .. }))
        );
        assert!(
            why.iter()
                .any(|w| matches!(w, GateFailure::OffTarget { .. }))
        );
    }

    #[test]
    fn too_few_steps_wait() {
        let v = evaluate(&GateConfig::default(), &[0, 1], &[0, 1], 80.0);
        assert_eq!(v, GateVerdict::TooFewSteps { have: 2, need: 16 });
    }
}
