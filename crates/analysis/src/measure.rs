//! The measures of a walk (`entrain_gait::metrics::GaitMetrics`) as a clinician reads them: each
//! with its one label and the precision it is shown at, on the screen and on paper alike.

use entrain_gait::metrics::GaitMetrics;

/// Shown where a measure has no value (too few steps, no test done).
pub const NO_VALUE: &str = "–";

/// `value` at `decimals` places, or [`NO_VALUE`].
pub fn format_value(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(x) if x.is_finite() => format!("{x:.decimals$}"),
        _ => NO_VALUE.into(),
    }
}

/// The change from `before` to `after` with its sign, at `decimals` places, or [`NO_VALUE`].
pub fn format_change(before: Option<f64>, after: Option<f64>, decimals: usize) -> String {
    match (before, after) {
        (Some(a), Some(b)) if a.is_finite() && b.is_finite() => format!("{:+.decimals$}", b - a),
        _ => NO_VALUE.into(),
    }
}

/// One measure of a walk (docs/CLINICAL.md gives each definition).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WalkMeasure {
    /// Steps per minute, both feet.
    Cadence,
    /// Mean step time ending on a left initial contact, s.
    StepTimeLeft,
    /// Mean step time ending on a right initial contact, s.
    StepTimeRight,
    /// Mean stride time of the left foot, s.
    StrideTimeLeft,
    /// Mean stride time of the right foot, s.
    StrideTimeRight,
    /// Paretic / non-paretic step time (1 = symmetric).
    SymmetryRatio,
    /// (non-paretic − paretic) / (non-paretic + paretic) step time.
    NormalisedDifference,
    /// Step-time coefficient of variation, %.
    StepTimeCv,
    /// Stride-time coefficient of variation, %.
    StrideTimeCv,
}

impl WalkMeasure {
    /// Every measure, in the order the reports and the screen list them.
    pub const ALL: [WalkMeasure; 9] = [
        WalkMeasure::Cadence,
        WalkMeasure::StepTimeLeft,
        WalkMeasure::StepTimeRight,
        WalkMeasure::StrideTimeLeft,
        WalkMeasure::StrideTimeRight,
        WalkMeasure::SymmetryRatio,
        WalkMeasure::NormalisedDifference,
        WalkMeasure::StepTimeCv,
        WalkMeasure::StrideTimeCv,
    ];

    /// The label, with its unit.
    pub fn label(self) -> &'static str {
        match self {
            WalkMeasure::Cadence => "Cadence (steps/min)",
            WalkMeasure::StepTimeLeft => "Step time L (s)",
            WalkMeasure::StepTimeRight => "Step time R (s)",
            WalkMeasure::StrideTimeLeft => "Stride time L (s)",
            WalkMeasure::StrideTimeRight => "Stride time R (s)",
            WalkMeasure::SymmetryRatio => "Symmetry ratio (paretic / non-paretic step time)",
            WalkMeasure::NormalisedDifference => "Normalised difference (NP - P) / (NP + P)",
            WalkMeasure::StepTimeCv => "Step time variability, CV (%)",
            WalkMeasure::StrideTimeCv => "Stride time variability, CV (%)",
        }
    }

    /// Its name in exports: `cadence_spm`, `step_time_left_s`, ...
    pub fn code(self) -> &'static str {
        match self {
            WalkMeasure::Cadence => "cadence_spm",
            WalkMeasure::StepTimeLeft => "step_time_left_s",
            WalkMeasure::StepTimeRight => "step_time_right_s",
            WalkMeasure::StrideTimeLeft => "stride_time_left_s",
            WalkMeasure::StrideTimeRight => "stride_time_right_s",
            WalkMeasure::SymmetryRatio => "symmetry_ratio",
            WalkMeasure::NormalisedDifference => "normalised_difference",
            WalkMeasure::StepTimeCv => "step_time_cv_percent",
            WalkMeasure::StrideTimeCv => "stride_time_cv_percent",
        }
    }

    /// Its unit: `steps/min`, `s`, `%`, or `1` for a ratio.
    pub fn unit(self) -> &'static str {
        match self {
            WalkMeasure::Cadence => "steps/min",
            WalkMeasure::StepTimeLeft
            | WalkMeasure::StepTimeRight
            | WalkMeasure::StrideTimeLeft
            | WalkMeasure::StrideTimeRight => "s",
            WalkMeasure::SymmetryRatio | WalkMeasure::NormalisedDifference => "1",
            WalkMeasure::StepTimeCv | WalkMeasure::StrideTimeCv => "%",
        }
    }

    /// Decimal places it is shown with.
    pub fn decimals(self) -> usize {
        match self {
            WalkMeasure::Cadence | WalkMeasure::StepTimeCv | WalkMeasure::StrideTimeCv => 1,
            _ => 3,
        }
    }

    /// Its value in `metrics`, if the walk has one.
    pub fn of(self, metrics: &GaitMetrics) -> Option<f64> {
        match self {
            WalkMeasure::Cadence => Some(metrics.cadence_spm),
            WalkMeasure::StepTimeLeft => Some(metrics.step_time_left_secs),
            WalkMeasure::StepTimeRight => Some(metrics.step_time_right_secs),
            WalkMeasure::StrideTimeLeft => metrics.stride_time_left_secs,
            WalkMeasure::StrideTimeRight => metrics.stride_time_right_secs,
            WalkMeasure::SymmetryRatio => metrics.symmetry_ratio,
            WalkMeasure::NormalisedDifference => metrics.normalised_difference,
            WalkMeasure::StepTimeCv => Some(metrics.step_time_cv_percent),
            WalkMeasure::StrideTimeCv => metrics.stride_time_cv_percent,
        }
    }

    /// Its value in `metrics` (none without metrics), as shown.
    pub fn shown(self, metrics: Option<&GaitMetrics>) -> String {
        format_value(metrics.and_then(|m| self.of(m)), self.decimals())
    }
}

/// Decimal places of a gait speed, m/s.
pub const GAIT_SPEED_DECIMALS: usize = 2;
/// Decimal places of a resultant vector length R.
pub const R_DECIMALS: usize = 2;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_changes_are_shown_at_their_precision() {
        assert_eq!(format_value(Some(0.746_894_809), 2), "0.75");
        assert_eq!(format_value(None, 2), NO_VALUE);
        assert_eq!(format_value(Some(f64::NAN), 1), NO_VALUE);
        assert_eq!(format_change(Some(79.3), Some(84.0), 1), "+4.7");
        assert_eq!(format_change(Some(1.0), None, 1), NO_VALUE);
        assert_eq!(WalkMeasure::Cadence.shown(None), NO_VALUE);
    }
}
