//! Gait metrics of a block of walking, as docs/CLINICAL.md defines them (#step-time onwards).
//!
//! - step time: IC of one foot → IC of the other foot; the *left* step time ends at a left IC.
//! - stride time: IC → next IC of the same foot.
//! - cadence: steps per minute, both feet.
//! - stance / swing: IC → TO / TO → next IC of the same foot, in seconds and % of the stride.
//! - double support: both feet on the ground, % of the stride.
//! - variability: coefficient of variation, SD / mean × 100.
//! - asymmetry: symmetry ratio = paretic / non-paretic step time (1.0 = symmetric) and normalised
//!   difference = (NP − P) / (NP + P) (0 = symmetric).

use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::sample::{NANOS_PER_SEC, Side};

/// Nothing is reported with fewer than 5 steps per foot (docs/CLINICAL.md#minimum-steps).
pub const MIN_STEPS_PER_FOOT: usize = 5;

/// One foot event (an initial contact or a toe-off) on the session clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FootEvent {
    /// When it happened, ns.
    pub time_nanos: i64,
    /// Which foot.
    pub side: Side,
}

/// What counts as one continuous walk.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricsConfig {
    /// Step intervals longer than this are pauses or turns to sit, not steps, ns.
    pub max_step_nanos: i64,
    /// The patient's affected side, for the asymmetry measures.
    pub paretic: Option<Side>,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self {
            max_step_nanos: 2 * NANOS_PER_SEC,
            paretic: None,
        }
    }
}

/// Per-foot timing of the gait cycle, from ICs and TOs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PhaseTimes {
    /// Mean stance time (IC → TO, same foot), s.
    pub stance_secs: f64,
    /// Mean swing time (TO → next IC, same foot), s.
    pub swing_secs: f64,
    /// Stance as % of the stride.
    pub stance_percent: f64,
    /// Swing as % of the stride.
    pub swing_percent: f64,
    /// Strides the figures come from.
    pub strides: usize,
}

/// Gait metrics of one block of walking.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GaitMetrics {
    /// Left ICs in the block.
    pub n_left: usize,
    /// Right ICs in the block.
    pub n_right: usize,
    /// Steps per minute, both feet.
    pub cadence_spm: f64,
    /// Mean left step time (right IC → left IC), s.
    pub step_time_left_secs: f64,
    /// Mean right step time (left IC → right IC), s.
    pub step_time_right_secs: f64,
    /// Step-time variability over all steps, %.
    pub step_time_cv_percent: f64,
    /// Mean left stride time (left IC → left IC), s, if any stride was whole.
    pub stride_time_left_secs: Option<f64>,
    /// Mean right stride time, s.
    pub stride_time_right_secs: Option<f64>,
    /// Stride-time variability over both feet, %.
    pub stride_time_cv_percent: Option<f64>,
    /// Paretic / non-paretic step time (1.0 = symmetric), if the paretic side is known.
    pub symmetry_ratio: Option<f64>,
    /// (NP − P) / (NP + P) of the step times (0 = symmetric), if the paretic side is known.
    pub normalised_difference: Option<f64>,
    /// Left stance and swing, if toe-offs were given.
    pub phases_left: Option<PhaseTimes>,
    /// Right stance and swing, if toe-offs were given.
    pub phases_right: Option<PhaseTimes>,
    /// Mean double support, % of the stride, if toe-offs were given.
    pub double_support_percent: Option<f64>,
}

impl GaitMetrics {
    /// Metrics of the initial contacts `ics` (ascending) and, optionally, toe-offs `tos` (ascending).
    ///
    /// Step intervals longer than `config.max_step_nanos` and consecutive same-foot contacts (a
    /// missed detection) are left out. `None` with fewer than [`MIN_STEPS_PER_FOOT`] ICs on either
    /// foot or no usable step.
    pub fn from_events(
        ics: &[FootEvent],
        tos: &[FootEvent],
        config: MetricsConfig,
    ) -> Option<Self> {
        let n_left = ics.iter().filter(|e| e.side == Side::Left).count();
        let n_right = ics.len() - n_left;
        if n_left < MIN_STEPS_PER_FOOT || n_right < MIN_STEPS_PER_FOOT {
            return None;
        }
        let (mut step_left, mut step_right) = (Vec::new(), Vec::new());
        for pair in ics.windows(2) {
            let dt = pair[1].time_nanos - pair[0].time_nanos;
            if dt <= 0 || dt > config.max_step_nanos || pair[0].side == pair[1].side {
                continue;
            }
            match pair[1].side {
                Side::Left => step_left.push(dt as f64),
                Side::Right => step_right.push(dt as f64),
            }
        }
        let all_steps: Vec<f64> = step_left.iter().chain(&step_right).copied().collect();
        let step_mean = mean(&all_steps)?;
        let step_left_mean = mean(&step_left).unwrap_or(step_mean);
        let step_right_mean = mean(&step_right).unwrap_or(step_mean);

        let stride_left = stride_times(ics, Side::Left, config.max_step_nanos);
        let stride_right = stride_times(ics, Side::Right, config.max_step_nanos);
        let all_strides: Vec<f64> = stride_left.iter().chain(&stride_right).copied().collect();

        let (symmetry_ratio, normalised_difference) = match config.paretic {
            Some(paretic) => {
                let (p, np) = match paretic {
                    Side::Left => (step_left_mean, step_right_mean),
                    Side::Right => (step_right_mean, step_left_mean),
                };
                (Some(p / np), Some((np - p) / (np + p)))
            }
            None => (None, None),
        };

        let has_tos = !tos.is_empty();
        Some(GaitMetrics {
            n_left,
            n_right,
            cadence_spm: 60.0 * NANOS_PER_SEC as f64 / step_mean,
            step_time_left_secs: nanos_to_secs(step_left_mean),
            step_time_right_secs: nanos_to_secs(step_right_mean),
            step_time_cv_percent: cv_percent(&all_steps)?,
            stride_time_left_secs: mean(&stride_left).map(nanos_to_secs),
            stride_time_right_secs: mean(&stride_right).map(nanos_to_secs),
            stride_time_cv_percent: cv_percent(&all_strides),
            symmetry_ratio,
            normalised_difference,
            phases_left: has_tos
                .then(|| phase_times(ics, tos, Side::Left, config.max_step_nanos))
                .flatten(),
            phases_right: has_tos
                .then(|| phase_times(ics, tos, Side::Right, config.max_step_nanos))
                .flatten(),
            double_support_percent: has_tos
                .then(|| double_support_percent(ics, tos, config.max_step_nanos))
                .flatten(),
        })
    }
}

/// The first event of `side` in `events` strictly after `after` and before `before`.
fn first_between(events: &[FootEvent], side: Side, after: i64, before: i64) -> Option<i64> {
    events
        .iter()
        .filter(|e| e.side == side)
        .map(|e| e.time_nanos)
        .find(|&t| t > after && t < before)
}

/// Whole strides of `side`: (IC, next IC of the same foot) with exactly one IC of the other foot
/// between, as (start, other-foot IC, end).
fn whole_strides(ics: &[FootEvent], side: Side, max_step_nanos: i64) -> Vec<(i64, i64, i64)> {
    let mut out = Vec::new();
    let own: Vec<usize> = (0..ics.len()).filter(|&i| ics[i].side == side).collect();
    for pair in own.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let between: Vec<i64> = ics[a + 1..b].iter().map(|e| e.time_nanos).collect();
        let dt = ics[b].time_nanos - ics[a].time_nanos;
        if between.len() == 1 && dt > 0 && dt <= 2 * max_step_nanos {
            out.push((ics[a].time_nanos, between[0], ics[b].time_nanos));
        }
    }
    out
}

/// Durations of the whole strides of `side`, ns.
fn stride_times(ics: &[FootEvent], side: Side, max_step_nanos: i64) -> Vec<f64> {
    whole_strides(ics, side, max_step_nanos)
        .into_iter()
        .map(|(start, _, end)| (end - start) as f64)
        .collect()
}

fn phase_times(
    ics: &[FootEvent],
    tos: &[FootEvent],
    side: Side,
    max_step_nanos: i64,
) -> Option<PhaseTimes> {
    let (mut stance, mut swing, mut stride) = (Vec::new(), Vec::new(), Vec::new());
    for (start, _, end) in whole_strides(ics, side, max_step_nanos) {
        if let Some(to) = first_between(tos, side, start, end) {
            stance.push((to - start) as f64);
            swing.push((end - to) as f64);
            stride.push((end - start) as f64);
        }
    }
    let stride_mean = mean(&stride)?;
    let stance_mean = mean(&stance)?;
    let swing_mean = mean(&swing)?;
    Some(PhaseTimes {
        stance_secs: nanos_to_secs(stance_mean),
        swing_secs: nanos_to_secs(swing_mean),
        stance_percent: 100.0 * stance_mean / stride_mean,
        swing_percent: 100.0 * swing_mean / stride_mean,
        strides: stride.len(),
    })
}

/// Double support per stride: from each IC to the other foot's following TO (both feet down), as %
/// of the stride, averaged over the whole strides of both feet.
fn double_support_percent(
    ics: &[FootEvent],
    tos: &[FootEvent],
    max_step_nanos: i64,
) -> Option<f64> {
    let mut percents = Vec::new();
    for side in [Side::Left, Side::Right] {
        for (start, other_ic, end) in whole_strides(ics, side, max_step_nanos) {
            let other_to = first_between(tos, side.other(), start, other_ic);
            let own_to = first_between(tos, side, other_ic, end);
            if let (Some(other_to), Some(own_to)) = (other_to, own_to) {
                let both_down = (other_to - start) + (own_to - other_ic);
                percents.push(100.0 * both_down as f64 / (end - start) as f64);
            }
        }
    }
    mean(&percents)
}

fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// Coefficient of variation (population SD / mean × 100), %.
fn cv_percent(xs: &[f64]) -> Option<f64> {
    let m = mean(xs)?;
    let variance = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / xs.len() as f64;
    Some(100.0 * libm::sqrt(variance) / m)
}

fn nanos_to_secs(nanos: f64) -> f64 {
    nanos / NANOS_PER_SEC as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: i64 = 1_000_000;

    /// A walk starting with a left IC; left steps last `left_ms`, right steps `right_ms`.
    fn walk(n: usize, left_ms: i64, right_ms: i64) -> Vec<FootEvent> {
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
                FootEvent {
                    time_nanos: t,
                    side,
                }
            })
            .collect()
    }

    /// Toe-offs at `stance_fraction` of each foot's stride after its IC.
    fn toe_offs(ics: &[FootEvent], stride_ms: i64, stance_fraction: f64) -> Vec<FootEvent> {
        let mut tos: Vec<FootEvent> = ics
            .iter()
            .map(|e| FootEvent {
                time_nanos: e.time_nanos + (stride_ms as f64 * stance_fraction) as i64 * MS,
                side: e.side,
            })
            .collect();
        tos.sort_by_key(|e| e.time_nanos);
        tos
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn symmetric_walk_at_80_spm() {
        let m =
            GaitMetrics::from_events(&walk(12, 750, 750), &[], MetricsConfig::default()).unwrap();
        assert!(close(m.cadence_spm, 80.0));
        assert_eq!(m.step_time_cv_percent, 0.0);
        assert_eq!((m.n_left, m.n_right), (6, 6));
        assert!(close(m.stride_time_left_secs.unwrap(), 1.5));
        assert!(close(m.stride_time_right_secs.unwrap(), 1.5));
        assert_eq!(m.stride_time_cv_percent, Some(0.0));
        assert_eq!(m.symmetry_ratio, None);
        assert_eq!(m.phases_left, None);
    }

    #[test]
    fn asymmetric_walk_reports_both_asymmetry_measures_for_the_paretic_side() {
        // Left (paretic) step 0.8 s, right 0.7 s.
        let config = MetricsConfig {
            paretic: Some(Side::Left),
            ..MetricsConfig::default()
        };
        let m = GaitMetrics::from_events(&walk(12, 800, 700), &[], config).unwrap();
        assert!(close(m.symmetry_ratio.unwrap(), 8.0 / 7.0));
        assert!(close(m.normalised_difference.unwrap(), (0.7 - 0.8) / 1.5));
        assert!(close(m.step_time_left_secs, 0.8));
        assert!(close(m.step_time_right_secs, 0.7));
        // 6 right steps of 0.7 s and 5 left of 0.8 s.
        assert!((m.cadence_spm - 60.0 / (8.2 / 11.0)).abs() < 1e-9);
        assert!(close(m.stride_time_left_secs.unwrap(), 1.5));
    }

    #[test]
    fn stance_swing_and_double_support_of_a_textbook_walk() {
        // Stride 1.2 s, stance 60 %: each foot's TO comes 0.72 s after its IC; the other foot lands
        // 0.6 s after, so each double support lasts 0.12 s, twice per stride: 20 %.
        let ics = walk(14, 600, 600);
        let tos = toe_offs(&ics, 1200, 0.6);
        let m = GaitMetrics::from_events(&ics, &tos, MetricsConfig::default()).unwrap();
        let left = m.phases_left.unwrap();
        assert!((left.stance_secs - 0.72).abs() < 1e-9);
        assert!((left.swing_secs - 0.48).abs() < 1e-9);
        assert!((left.stance_percent - 60.0).abs() < 1e-9);
        assert!((left.swing_percent - 40.0).abs() < 1e-9);
        assert!((m.double_support_percent.unwrap() - 20.0).abs() < 1e-9);
    }

    #[test]
    fn a_missed_contact_leaves_out_the_broken_steps_and_strides() {
        let mut ics = walk(16, 600, 600);
        ics.remove(7); // a right IC: two lefts in a row
        let m = GaitMetrics::from_events(&ics, &[], MetricsConfig::default()).unwrap();
        assert!(close(m.cadence_spm, 100.0));
        assert!(close(m.stride_time_left_secs.unwrap(), 1.2));
        assert_eq!(m.step_time_cv_percent, 0.0);
    }

    #[test]
    fn pauses_are_not_steps() {
        let mut ics = walk(12, 600, 600);
        for e in ics.iter_mut().skip(6) {
            e.time_nanos += 5_000 * MS;
        }
        let m = GaitMetrics::from_events(&ics, &[], MetricsConfig::default()).unwrap();
        assert!(close(m.cadence_spm, 100.0));
    }

    #[test]
    fn needs_five_steps_per_foot() {
        assert!(
            GaitMetrics::from_events(&walk(9, 750, 750), &[], MetricsConfig::default()).is_none()
        );
    }
}
