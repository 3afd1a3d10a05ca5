//! Cadence (steps/min, both feet) from initial contacts, robust to a missed or an extra step.
//!
//! A missed contact makes one interval about two periods long; an extra contact splits one
//! period into two short intervals. Both are undone by normalising each interval by the period:
//! an interval of about n periods counts as n, and an interval too short to be one is merged with
//! the next. Intervals that still do not fit are left out.
//!
//! Where the foot of each contact is known, the period is the **stride** of each foot (half of
//! it is the step): a stride is immune to a constant timing bias between the two feet (one foot's
//! contacts placed a little later than the other's), which would make successive step intervals
//! alternate short and long. Contacts without a side (a lower-back sensor) use step intervals.

use alloc::vec::Vec;

use crate::sample::{NANOS_PER_SEC, Side};

/// How far a normalised interval may be from the step period and still count, as a fraction.
const FIT_TOLERANCE: f64 = 0.35;
/// At most this many steps may be hidden in one interval (missed contacts in a row).
const MAX_STEPS_PER_INTERVAL: f64 = 3.0;

/// An initial contact: when, and which foot if known.
pub type Contact = (i64, Option<Side>);

/// The step period of a walk, ns, from its contacts (ascending): half the mean stride of each foot
/// where every contact has a side and the walk is long enough for three strides, else the mean
/// interval between consecutive contacts; missed and extra contacts normalised away (see the
/// module docs). `None` with fewer than three usable intervals.
pub fn robust_step_period_nanos(contacts: &[Contact]) -> Option<f64> {
    let sided = !contacts.is_empty() && contacts.iter().all(|c| c.1.is_some());
    sided
        .then(|| stride_based_step_period_nanos(contacts))
        .flatten()
        .or_else(|| {
            let times: Vec<i64> = contacts.iter().map(|c| c.0).collect();
            robust_period_nanos(&times)
        })
}

/// Half the mean stride of both feet, if at least three strides fit.
fn stride_based_step_period_nanos(contacts: &[Contact]) -> Option<f64> {
    let (mut sum, mut count) = (0.0, 0usize);
    for side in [Side::Left, Side::Right] {
        let times: Vec<i64> = contacts
            .iter()
            .filter(|c| c.1 == Some(side))
            .map(|c| c.0)
            .collect();
        if let Some((stride, n)) = robust_period_and_count(&times) {
            sum += stride * n as f64;
            count += n;
        }
    }
    (count >= MIN_PERIODS).then(|| 0.5 * sum / count as f64)
}

/// Cadence of a walk, steps/min, from its contacts (see [`robust_step_period_nanos`]).
pub fn robust_cadence_spm(contacts: &[Contact]) -> Option<f64> {
    robust_step_period_nanos(contacts).map(period_to_spm)
}

/// Cadence of a walk, steps/min, that answers even for a walk too short for
/// [`robust_cadence_spm`]: then (contacts − 1) / time from the first to the last, which one
/// missed or extra contact moves a lot. `None` with fewer than two contacts at distinct times.
pub fn walk_cadence_spm(contacts: &[Contact]) -> Option<f64> {
    robust_cadence_spm(contacts).or_else(|| {
        let first = contacts.iter().map(|c| c.0).min()?;
        let last = contacts.iter().map(|c| c.0).max()?;
        (contacts.len() >= 2 && last > first)
            .then(|| period_to_spm((last - first) as f64 / (contacts.len() - 1) as f64))
    })
}

/// Fewer usable periods than this give no estimate.
const MIN_PERIODS: usize = 3;

/// The period of a near-periodic event train (ascending times), ns.
fn robust_period_nanos(times_nanos: &[i64]) -> Option<f64> {
    robust_period_and_count(times_nanos)
        .filter(|&(_, n)| n >= MIN_PERIODS)
        .map(|(period, _)| period)
}

/// The period of an event train and how many intervals it rests on.
fn robust_period_and_count(times_nanos: &[i64]) -> Option<(f64, usize)> {
    let intervals: Vec<f64> = times_nanos
        .windows(2)
        .map(|w| (w[1] - w[0]) as f64)
        .filter(|&d| d > 0.0)
        .collect();
    let first_guess = median(&intervals)?;
    // Two passes: the second normalises by the period the first found, which is closer than the
    // plain median when many contacts were missed.
    let (period, _) = normalised_mean(&intervals, first_guess)?;
    normalised_mean(&intervals, period)
}

/// Mean of the intervals that fit `period` once each is divided by the number of periods it
/// holds, and how many fitted.
fn normalised_mean(intervals: &[f64], period: f64) -> Option<(f64, usize)> {
    let mut sum = 0.0;
    let mut count = 0usize;
    let mut pending = 0.0;
    for &d in intervals {
        pending += d;
        let steps = libm::round(pending / period);
        if steps < 1.0 {
            // Too short to be a step: an extra contact; merge with what follows.
            continue;
        }
        let per_step = pending / steps;
        pending = 0.0;
        if steps <= MAX_STEPS_PER_INTERVAL
            && libm::fabs(per_step - period) <= FIT_TOLERANCE * period
        {
            sum += per_step;
            count += 1;
        }
    }
    (count > 0).then(|| (sum / count as f64, count))
}

fn median(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut sorted = xs.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        0.5 * (sorted[mid - 1] + sorted[mid])
    } else {
        sorted[mid]
    })
}

fn period_to_spm(period_nanos: f64) -> f64 {
    60.0 * NANOS_PER_SEC as f64 / period_nanos
}

/// Settings of the streaming tracker.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CadenceTrackerConfig {
    /// How many recent contacts the estimate uses.
    pub window_contacts: usize,
    /// A longer interval ends the walk: the estimate starts afresh, ns.
    pub max_step_nanos: i64,
}

impl Default for CadenceTrackerConfig {
    fn default() -> Self {
        Self {
            // Ten contacts: about 6 s at a slow post-stroke cadence of 100 steps/min, so a tempo
            // change shows within a few steps without one odd step moving the figure much.
            window_contacts: 10,
            max_step_nanos: 2 * NANOS_PER_SEC,
        }
    }
}

/// Streaming cadence of the current walk, updated at every initial contact.
#[derive(Debug, Clone)]
pub struct CadenceTracker {
    config: CadenceTrackerConfig,
    contacts: Vec<Contact>,
    cadence_spm: Option<f64>,
}

impl CadenceTracker {
    /// A tracker with no walk yet.
    pub fn new(config: CadenceTrackerConfig) -> Self {
        Self {
            config,
            contacts: Vec::with_capacity(config.window_contacts + 1),
            cadence_spm: None,
        }
    }

    /// An initial contact at `time_nanos` of the foot `side`, if known (contacts arrive in time
    /// order; one older than the last is ignored). Returns the updated cadence, steps/min, once
    /// the walk has enough steps.
    pub fn on_contact(&mut self, time_nanos: i64, side: Option<Side>) -> Option<f64> {
        if let Some(&(last, _)) = self.contacts.last() {
            if time_nanos <= last {
                return self.cadence_spm;
            }
            if time_nanos - last > self.config.max_step_nanos {
                self.reset();
            }
        }
        self.contacts.push((time_nanos, side));
        if self.contacts.len() > self.config.window_contacts.max(8) {
            self.contacts.remove(0);
        }
        if let Some(spm) = robust_cadence_spm(&self.contacts) {
            self.cadence_spm = Some(spm);
        }
        self.cadence_spm
    }

    /// The cadence at `now_nanos`, steps/min; `None` before enough steps or once the patient has
    /// stopped (no contact for longer than a step may last).
    pub fn cadence_spm(&self, now_nanos: i64) -> Option<f64> {
        let (last, _) = *self.contacts.last()?;
        if now_nanos - last > self.config.max_step_nanos {
            return None;
        }
        self.cadence_spm
    }

    /// Forgets the walk.
    pub fn reset(&mut self) {
        self.contacts.clear();
        self.cadence_spm = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MS: i64 = 1_000_000;

    #[test]
    fn a_walk_too_short_for_the_robust_estimate_still_has_a_cadence() {
        let three_steps = walk(3, 500, 0);
        assert_eq!(robust_cadence_spm(&three_steps), None);
        let spm = walk_cadence_spm(&three_steps).expect("two intervals");
        assert!((spm - 120.0).abs() < 1e-9, "{spm}");
        // A long walk gets the robust figure, which ignores the missed contact.
        let mut long = walk(12, 500, 0);
        long.remove(6);
        assert_eq!(walk_cadence_spm(&long), robust_cadence_spm(&long));
        assert_eq!(walk_cadence_spm(&walk(1, 500, 0)), None);
        assert_eq!(walk_cadence_spm(&[(0, None), (0, None)]), None);
    }

    /// Alternating left/right contacts every `step_ms`, the right foot's placed `right_bias_ms`
    /// late (a detector that times the two feet differently).
    fn walk(n: usize, step_ms: i64, right_bias_ms: i64) -> Vec<Contact> {
        (0..n as i64)
            .map(|k| {
                let side = if k % 2 == 0 { Side::Left } else { Side::Right };
                let bias = if side == Side::Right {
                    right_bias_ms
                } else {
                    0
                };
                (1_000 * MS + (k * step_ms + bias) * MS, Some(side))
            })
            .collect()
    }

    fn unsided(contacts: &[Contact]) -> Vec<Contact> {
        contacts.iter().map(|&(t, _)| (t, None)).collect()
    }

    fn spm(contacts: &[Contact]) -> f64 {
        robust_cadence_spm(contacts).unwrap()
    }

    #[test]
    fn regular_walk_with_and_without_sides() {
        assert!((spm(&walk(12, 600, 0)) - 100.0).abs() < 1e-9);
        assert!((spm(&unsided(&walk(12, 600, 0))) - 100.0).abs() < 1e-9);
    }

    #[test]
    fn a_short_walk_falls_back_to_step_intervals() {
        // Four contacts: two strides only, but three steps.
        assert!((spm(&walk(4, 600, 0)) - 100.0).abs() < 1e-9);
    }

    #[test]
    fn a_timing_bias_between_the_feet_does_not_change_the_cadence() {
        // Steps alternate 0.8 s and 0.4 s: by step intervals a muddle, by strides 100 steps/min.
        assert!((spm(&walk(16, 600, 200)) - 100.0).abs() < 1e-9);
    }

    #[test]
    fn a_missed_step_does_not_change_the_cadence() {
        for contacts in [walk(14, 600, 0), unsided(&walk(14, 600, 0))] {
            let mut c = contacts.clone();
            c.remove(5);
            assert!((spm(&c) - 100.0).abs() < 1e-9);
        }
    }

    #[test]
    fn an_extra_step_does_not_change_the_cadence() {
        for contacts in [walk(14, 600, 0), unsided(&walk(14, 600, 0))] {
            let mut c = contacts.clone();
            c.push((c[5].0 + 150 * MS, c[5].1));
            c.sort_unstable_by_key(|x| x.0);
            assert!((spm(&c) - 100.0).abs() < 1e-9);
        }
    }

    #[test]
    fn too_few_steps_give_nothing() {
        assert_eq!(robust_cadence_spm(&walk(3, 600, 0)), None);
        assert_eq!(robust_cadence_spm(&unsided(&walk(3, 600, 0))), None);
    }

    #[test]
    fn tracker_follows_a_tempo_change_and_stops_with_the_patient() {
        let mut tracker = CadenceTracker::new(CadenceTrackerConfig::default());
        let mut t = 0;
        let mut side = Side::Left;
        for step_ms in [600, 500] {
            for _ in 0..12 {
                t += step_ms * MS;
                side = side.other();
                tracker.on_contact(t, Some(side));
            }
            let expected = 60_000.0 / step_ms as f64;
            assert!((tracker.cadence_spm(t).unwrap() - expected).abs() < 1e-6);
        }
        assert_eq!(tracker.cadence_spm(t + 2_500 * MS), None);
        // After the pause a new walk starts afresh.
        tracker.on_contact(t + 5_000 * MS, Some(side.other()));
        assert_eq!(tracker.cadence_spm(t + 5_000 * MS), None);
    }

    proptest! {
        /// With jitter and one missed or extra contact, the cadence stays within 3 % of the
        /// truth, with or without sides.
        #[test]
        fn robust_to_one_miss_or_extra(
            step_ms in 400i64..1_200,
            jitter in proptest::collection::vec(-20i64..20, 14),
            fault_at in 1usize..13,
            extra in any::<bool>(),
            sided in any::<bool>(),
        ) {
            let mut c: Vec<Contact> = walk(14, step_ms, 0)
                .into_iter()
                .zip(&jitter)
                .map(|((t, side), j)| (t + j * MS, side))
                .collect();
            if extra {
                c.insert(fault_at + 1, (c[fault_at].0 + step_ms * MS / 4, c[fault_at].1));
            } else {
                c.remove(fault_at);
            }
            if !sided {
                c = unsided(&c);
            }
            let spm = robust_cadence_spm(&c).unwrap();
            let truth = 60_000.0 / step_ms as f64;
            prop_assert!((spm - truth).abs() <= 0.03 * truth, "{} vs {}", spm, truth);
        }
    }
}
