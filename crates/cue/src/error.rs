//! Configuration errors: each names the setting and the value that was refused.

use thiserror::Error;

/// A protocol configuration the engine refuses to run.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ConfigError {
    /// A setting is outside its allowed range.
    #[error("{name} = {value} is outside the allowed range {min}..={max}")]
    OutOfRange {
        /// The setting, as named in [`crate::ProtocolConfig`].
        name: &'static str,
        /// The refused value.
        value: f64,
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
    },
    /// The tempo floor is above the ceiling.
    #[error("tempo floor {floor_spm} steps/min is above the ceiling {ceiling_spm} steps/min")]
    FloorAboveCeiling {
        /// Configured floor.
        floor_spm: f64,
        /// Configured ceiling.
        ceiling_spm: f64,
    },
    /// The highest increase over the matched tempo is above the ceiling over the baseline
    /// cadence: the protocol promises levels the safety ceiling would always cut off.
    #[error(
        "highest increase {max_increase_percent} % is above the tempo ceiling {ceiling_above_baseline_percent} % over the baseline: lower the increase or raise the ceiling"
    )]
    IncreaseAboveCeiling {
        /// Highest increase over the matched tempo, %.
        max_increase_percent: f64,
        /// Ceiling over the baseline cadence, %.
        ceiling_above_baseline_percent: f64,
    },
    /// The period-match tolerance is as large as a progression step, so a patient stuck one level
    /// below would still pass the gate.
    #[error(
        "period-match tolerance {tolerance_percent} % must be smaller than the progression step {step_percent} %"
    )]
    ToleranceNotBelowStep {
        /// Gate tolerance.
        tolerance_percent: f64,
        /// Progression step.
        step_percent: f64,
    },
}
