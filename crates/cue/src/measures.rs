//! Gait measures of an uncued block (baseline and re-test), labelled as DOMAIN.md defines them.

use entrain_gait::Side;

use crate::tempo::{NANOS_PER_MINUTE, nanos_to_secs};

/// DOMAIN.md / APDM: nothing is reported with fewer than 5 steps per foot.
pub const MIN_STEPS_PER_FOOT: usize = 5;

/// One initial contact (heel strike), as the detector reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepEvent {
    /// Estimated IC time on the session clock.
    pub time_nanos: i64,
    /// Which foot landed.
    pub side: Side,
}

/// Cadence and step timing of a block of walking.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaitMeasures {
    /// Steps per minute, both feet.
    pub cadence_spm: f64,
    /// Mean left step time (right IC → left IC), s.
    pub step_time_left_secs: f64,
    /// Mean right step time (left IC → right IC), s.
    pub step_time_right_secs: f64,
    /// Step-time variability: SD / mean × 100 over all steps, %.
    pub step_time_cv_percent: f64,
    /// Symmetry ratio = paretic / non-paretic step time (1.0 = symmetric), if the paretic side is known.
    pub symmetry_ratio: Option<f64>,
    /// Left ICs in the block.
    pub n_left: usize,
    /// Right ICs in the block.
    pub n_right: usize,
}

impl GaitMeasures {
    /// Measures of `steps` (ascending). Step intervals longer than `max_step_nanos` (pauses, turns to
    /// sit) and consecutive same-foot contacts (a missed detection) are left out. `None` with fewer
    /// than [`MIN_STEPS_PER_FOOT`] ICs on either foot or no usable interval.
    pub fn from_steps(
        steps: &[StepEvent],
        max_step_nanos: i64,
        paretic: Option<Side>,
    ) -> Option<Self> {
        let n_left = steps.iter().filter(|s| s.side == Side::Left).count();
        let n_right = steps.len() - n_left;
        if n_left < MIN_STEPS_PER_FOOT || n_right < MIN_STEPS_PER_FOOT {
            return None;
        }
        let (mut left, mut right) = (Vec::new(), Vec::new());
        for pair in steps.windows(2) {
            let dt = pair[1].time_nanos - pair[0].time_nanos;
            if dt <= 0 || dt > max_step_nanos || pair[0].side == pair[1].side {
                continue;
            }
            match pair[1].side {
                Side::Left => left.push(dt as f64),
                Side::Right => right.push(dt as f64),
            }
        }
        let all: Vec<f64> = left.iter().chain(right.iter()).copied().collect();
        let mean = mean(&all)?;
        let sd = (all.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / all.len() as f64).sqrt();
        let step_left = mean_or(&left, mean);
        let step_right = mean_or(&right, mean);
        let symmetry_ratio = paretic.map(|p| match p {
            Side::Left => step_left / step_right,
            Side::Right => step_right / step_left,
        });
        Some(GaitMeasures {
            cadence_spm: NANOS_PER_MINUTE / mean,
            step_time_left_secs: nanos_to_secs(step_left.round() as i64),
            step_time_right_secs: nanos_to_secs(step_right.round() as i64),
            step_time_cv_percent: 100.0 * sd / mean,
            symmetry_ratio,
            n_left,
            n_right,
        })
    }
}

fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

fn mean_or(xs: &[f64], fallback: f64) -> f64 {
    mean(xs).unwrap_or(fallback)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: i64 = 1_000_000;

    fn walk(n: usize, left_ms: i64, right_ms: i64) -> Vec<StepEvent> {
        let mut t = 0;
        (0..n)
            .map(|k| {
                let side = if k % 2 == 0 { Side::Left } else { Side::Right };
                if k > 0 {
                    t += if side == Side::Left {
                        left_ms
                    } else {
                        right_ms
                    } * MS;
                }
                StepEvent {
                    time_nanos: t,
                    side,
                }
            })
            .collect()
    }

    #[test]
    fn symmetric_walk_at_80_spm() {
        let m = GaitMeasures::from_steps(&walk(12, 750, 750), 2_000 * MS, None).unwrap();
        assert!((m.cadence_spm - 80.0).abs() < 1e-9);
        assert_eq!(m.step_time_cv_percent, 0.0);
        assert_eq!((m.n_left, m.n_right), (6, 6));
    }

    #[test]
    fn asymmetric_walk_reports_the_paretic_ratio() {
        // Left (paretic) step 0.8 s, right 0.7 s: ratio 8/7, cadence 60/0.75 = 80.
        let m =
            GaitMeasures::from_steps(&walk(12, 800, 700), 2_000 * MS, Some(Side::Left)).unwrap();
        assert!((m.symmetry_ratio.unwrap() - 8.0 / 7.0).abs() < 1e-9);
        assert!(
            (m.cadence_spm - 60.0 / 0.7454545).abs() < 0.01,
            "{}",
            m.cadence_spm
        );
        assert!((m.step_time_left_secs - 0.8).abs() < 1e-9);
    }

    #[test]
    fn needs_five_steps_per_foot() {
        assert!(GaitMeasures::from_steps(&walk(9, 750, 750), 2_000 * MS, None).is_none());
    }
}
