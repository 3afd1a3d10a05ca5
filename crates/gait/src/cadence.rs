//! Cadence (steps/min, both feet) from initial contacts, robust to a missed or an extra step.
//!
//! A missed contact makes one interval about two steps long; an extra contact splits one step
//! into two short intervals. Both are undone by normalising each interval by the current step
//! period: an interval of about n periods counts as n steps, and an interval too short to be a
//! step is merged with the next. Intervals that still do not fit are left out.

use alloc::vec::Vec;

use crate::sample::NANOS_PER_SEC;

/// How far a normalised interval may be from the step period and still count, as a fraction.
const FIT_TOLERANCE: f64 = 0.35;
/// At most this many steps may be hidden in one interval (missed contacts in a row).
const MAX_STEPS_PER_INTERVAL: f64 = 3.0;

/// The step period of a walk, ns: the mean of the intervals between consecutive contacts
/// (`contact_times_nanos` ascending, both feet) after normalising missed and extra contacts away.
/// `None` with fewer than three usable intervals.
pub fn robust_step_period_nanos(contact_times_nanos: &[i64]) -> Option<f64> {
    let intervals: Vec<f64> = contact_times_nanos
        .windows(2)
        .map(|w| (w[1] - w[0]) as f64)
        .filter(|&d| d > 0.0)
        .collect();
    let first_guess = median(&intervals)?;
    // Two passes: the second normalises by the period the first found, which is closer than the
    // plain median when many contacts were missed.
    let period = normalised_mean(&intervals, first_guess)?;
    normalised_mean(&intervals, period)
}

/// Cadence of a walk, steps/min, from its contact times (see [`robust_step_period_nanos`]).
pub fn robust_cadence_spm(contact_times_nanos: &[i64]) -> Option<f64> {
    robust_step_period_nanos(contact_times_nanos).map(period_to_spm)
}

/// Mean of the intervals that fit `period` once each is divided by the number of steps it holds;
/// `None` with fewer than three such steps.
fn normalised_mean(intervals: &[f64], period: f64) -> Option<f64> {
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
    (count >= 3).then(|| sum / count as f64)
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
    contacts_nanos: Vec<i64>,
    cadence_spm: Option<f64>,
}

impl CadenceTracker {
    /// A tracker with no walk yet.
    pub fn new(config: CadenceTrackerConfig) -> Self {
        Self {
            config,
            contacts_nanos: Vec::with_capacity(config.window_contacts + 1),
            cadence_spm: None,
        }
    }

    /// An initial contact of either foot at `time_nanos` (contacts arrive in time order; one
    /// older than the last is ignored). Returns the updated cadence, steps/min, once the walk has
    /// enough steps.
    pub fn on_contact(&mut self, time_nanos: i64) -> Option<f64> {
        if let Some(&last) = self.contacts_nanos.last() {
            if time_nanos <= last {
                return self.cadence_spm;
            }
            if time_nanos - last > self.config.max_step_nanos {
                self.reset();
            }
        }
        self.contacts_nanos.push(time_nanos);
        if self.contacts_nanos.len() > self.config.window_contacts.max(4) {
            self.contacts_nanos.remove(0);
        }
        if let Some(spm) = robust_cadence_spm(&self.contacts_nanos) {
            self.cadence_spm = Some(spm);
        }
        self.cadence_spm
    }

    /// The cadence at `now_nanos`, steps/min; `None` before enough steps or once the patient has
    /// stopped (no contact for longer than a step may last).
    pub fn cadence_spm(&self, now_nanos: i64) -> Option<f64> {
        let last = *self.contacts_nanos.last()?;
        if now_nanos - last > self.config.max_step_nanos {
            return None;
        }
        self.cadence_spm
    }

    /// Forgets the walk.
    pub fn reset(&mut self) {
        self.contacts_nanos.clear();
        self.cadence_spm = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MS: i64 = 1_000_000;

    fn regular(n: usize, step_ms: i64) -> Vec<i64> {
        (0..n as i64)
            .map(|k| 1_000 * MS + k * step_ms * MS)
            .collect()
    }

    #[test]
    fn regular_walk() {
        let spm = robust_cadence_spm(&regular(12, 600)).unwrap();
        assert!((spm - 100.0).abs() < 1e-9, "{spm}");
    }

    #[test]
    fn a_missed_step_does_not_change_the_cadence() {
        let mut t = regular(12, 600);
        t.remove(5);
        assert!((robust_cadence_spm(&t).unwrap() - 100.0).abs() < 1e-9);
    }

    #[test]
    fn an_extra_step_does_not_change_the_cadence() {
        let mut t = regular(12, 600);
        t.push(t[5] + 150 * MS);
        t.sort_unstable();
        assert!((robust_cadence_spm(&t).unwrap() - 100.0).abs() < 1e-9);
    }

    #[test]
    fn too_few_steps_give_nothing() {
        assert_eq!(robust_cadence_spm(&regular(3, 600)), None);
    }

    #[test]
    fn tracker_follows_a_tempo_change_and_stops_with_the_patient() {
        let mut tracker = CadenceTracker::new(CadenceTrackerConfig::default());
        let mut t = 0;
        for _ in 0..12 {
            t += 600 * MS;
            tracker.on_contact(t);
        }
        assert!((tracker.cadence_spm(t).unwrap() - 100.0).abs() < 1e-6);
        for _ in 0..12 {
            t += 500 * MS;
            tracker.on_contact(t);
        }
        assert!((tracker.cadence_spm(t).unwrap() - 120.0).abs() < 1e-6);
        assert_eq!(tracker.cadence_spm(t + 2_500 * MS), None);
        // After the pause a new walk starts afresh.
        tracker.on_contact(t + 5_000 * MS);
        assert_eq!(tracker.cadence_spm(t + 5_000 * MS), None);
    }

    proptest! {
        /// With jitter and up to one missed or extra contact in every window, the cadence stays
        /// within 3 % of the truth.
        #[test]
        fn robust_to_one_miss_or_extra_per_window(
            step_ms in 400i64..1_200,
            jitter in proptest::collection::vec(-20i64..20, 10),
            fault_at in 1usize..9,
            extra in any::<bool>(),
        ) {
            let mut t: Vec<i64> = (0..10i64)
                .map(|k| k * step_ms * MS + jitter[k as usize] * MS)
                .collect();
            if extra {
                let at = t[fault_at] + step_ms * MS / 4;
                t.insert(fault_at + 1, at);
            } else {
                t.remove(fault_at);
            }
            let spm = robust_cadence_spm(&t).unwrap();
            let truth = 60_000.0 / step_ms as f64;
            prop_assert!((spm - truth).abs() <= 0.03 * truth, "{} vs {}", spm, truth);
        }
    }
}
