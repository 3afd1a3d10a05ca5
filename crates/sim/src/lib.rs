//! The virtual patient: a simulated walker with its own preferred cadence, left/right asymmetry,
//! step-time variability, gait initiation and termination, and a model of entrainment (it couples to
//! the beats it hears, within a comfort range, and cannot follow tempi beyond its limit). It produces
//! foot-dorsum IMU samples (for the detectors) and exposes the true initial contacts it generated.
//!
//! Step timing is a two-level timekeeper (Wing–Kristofferson style with sensorimotor coupling, Repp):
//! each step interval = own period × side factor − α·(asynchrony − preferred asynchrony) + noise, and
//! the own period moves towards the beat interval by β per step. Both couplings fade to nothing when the
//! beat is further than `coupling_loss_band_percent` beyond the comfort range, and the step rate can
//! never exceed `max_speedup_percent` above preferred.
#![forbid(unsafe_code)]

mod config;
mod imu;
mod rng;
mod source;

use std::collections::VecDeque;

use entrain_gait::{ImuSample, Placement, Side};

pub use config::{PatientConfig, Preset, WalkingBout};
use imu::FootSynth;
pub use imu::Swing;
pub use rng::SplitMix64;
pub use source::VirtualPatientSource;

/// A true initial contact the patient made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrueIc {
    /// When the heel struck, ns.
    pub time_nanos: i64,
    /// Which foot.
    pub side: Side,
}

/// One IMU sample from one foot sensor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FootSample {
    /// Where the sensor is worn (always a foot here).
    pub placement: Placement,
    /// The reading.
    pub sample: ImuSample,
}

/// Time before a bout's first heel strike that the first foot starts to move, s.
const INITIATION_SECS: f64 = 0.7;
/// A beat older than this is no longer "playing" for the patient, s.
const BEAT_MEMORY_SECS: f64 = 2.5;

/// A simulated patient, advanced in simulated time.
#[derive(Debug, Clone)]
pub struct VirtualPatient {
    config: PatientConfig,
    rng: SplitMix64,
    /// Own step period (mean of both feet), ns.
    period_nanos: f64,
    heard_beats: Vec<i64>,
    planned: VecDeque<TrueIc>,
    ics: Vec<TrueIc>,
    reported: usize,
    swings: [Vec<Swing>; 2],
    synth: [FootSynth; 2],
    next_sample_index: i64,
    bout: usize,
    steps_in_bout: u32,
    /// The current bout has planned its closing step.
    closing: bool,
}

fn foot(side: Side) -> usize {
    match side {
        Side::Left => 0,
        Side::Right => 1,
    }
}

fn secs_to_nanos(secs: f64) -> i64 {
    (secs * 1e9).round() as i64
}

impl VirtualPatient {
    /// A patient standing at time 0.
    pub fn new(config: PatientConfig) -> Self {
        let period_nanos = 60e9 / config.preferred_cadence_spm.max(1.0);
        VirtualPatient {
            rng: SplitMix64::new(config.seed),
            config,
            period_nanos,
            heard_beats: Vec::new(),
            planned: VecDeque::new(),
            ics: Vec::new(),
            reported: 0,
            swings: [Vec::new(), Vec::new()],
            synth: [FootSynth::default(), FootSynth::default()],
            next_sample_index: 0,
            bout: 0,
            steps_in_bout: 0,
            closing: false,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &PatientConfig {
        &self.config
    }

    /// Every initial contact made so far (time ≤ the last `advance_to`), ascending.
    pub fn true_ics(&self) -> &[TrueIc] {
        &self.ics
    }

    /// The patient's current own cadence, steps/min.
    pub fn own_cadence_spm(&self) -> f64 {
        60e9 / self.period_nanos
    }

    /// The patient hears a beat sounding at `time_nanos` (beats arrive in order).
    pub fn hear_beat(&mut self, time_nanos: i64) {
        if self.heard_beats.last().is_none_or(|&b| time_nanos > b) {
            self.heard_beats.push(time_nanos);
        }
    }

    /// Advances to `now_nanos`: appends the foot samples taken by then (both feet, in time order) and
    /// the true ICs made since the last call.
    pub fn advance_to(
        &mut self,
        now_nanos: i64,
        samples: &mut Vec<FootSample>,
        ics: &mut Vec<TrueIc>,
    ) {
        let rate = self.config.sample_rate_hz.max(1.0);
        let dt_secs = 1.0 / rate;
        loop {
            let t = (self.next_sample_index as f64 * 1e9 / rate).round() as i64;
            if t > now_nanos {
                break;
            }
            self.walk_until(t);
            for side in [Side::Left, Side::Right] {
                let f = foot(side);
                let swing = self.swings[f]
                    .iter()
                    .rev()
                    .take(3)
                    .find(|s| s.contains(t))
                    .copied();
                let sample = self.synth[f].sample(
                    t,
                    dt_secs,
                    swing.as_ref(),
                    self.config.gyro_noise_dps,
                    self.config.acc_noise_mps2,
                    &mut self.rng,
                );
                samples.push(FootSample {
                    placement: Placement::Foot(side),
                    sample,
                });
            }
            self.next_sample_index += 1;
        }
        self.walk_until(now_nanos);
        ics.extend_from_slice(&self.ics[self.reported..]);
        self.reported = self.ics.len();
    }

    /// Makes every planned IC up to `t` happen, planning two steps ahead so each swing is known before
    /// its foot starts to move.
    fn walk_until(&mut self, t: i64) {
        loop {
            while self.planned.len() < 2 && self.plan_next(t) {}
            match self.planned.front() {
                Some(ic) if ic.time_nanos <= t => {
                    let ic = *ic;
                    self.planned.pop_front();
                    self.ics.push(ic);
                    // Planning for the step after next happens at this heel strike.
                    while self.planned.len() < 2 && self.plan_next(ic.time_nanos) {}
                }
                _ => break,
            }
        }
    }

    /// Plans the next IC at `planning_nanos`; false if the patient is not (or no longer) walking.
    fn plan_next(&mut self, planning_nanos: i64) -> bool {
        let Some(bout) = self.config.bouts.get(self.bout).copied() else {
            return false;
        };
        let last = self.planned.back().or(self.ics.last()).copied();
        let walking = self.steps_in_bout > 0;
        if !walking {
            if planning_nanos < secs_to_nanos(bout.start_secs) {
                return false;
            }
            let side = self.config.paretic_side.other();
            let time = secs_to_nanos(bout.start_secs + INITIATION_SECS).max(planning_nanos + 1);
            self.period_nanos = 60e9 / self.config.preferred_cadence_spm.max(1.0);
            self.add_ic(
                TrueIc {
                    time_nanos: time,
                    side,
                },
                planning_nanos,
                0.7,
            );
            return true;
        }
        if self.closing {
            // The closing step was the last one: the patient stands until the next bout.
            if self.planned.is_empty()
                && self
                    .ics
                    .last()
                    .is_some_and(|l| l.time_nanos <= planning_nanos)
            {
                self.bout += 1;
                self.steps_in_bout = 0;
                self.closing = false;
                return self.plan_next(planning_nanos);
            }
            return false;
        }
        let Some(last) = last else {
            return false;
        };
        let side = last.side.other();
        self.update_period(planning_nanos);
        let interval = self.step_interval_nanos(side, planning_nanos);
        let time = last.time_nanos + interval.round().max(1e8) as i64;
        let amplitude = match self.steps_in_bout {
            1 => 0.85,
            _ => 1.0,
        };
        if time as f64 / 1e9 >= bout.end_secs {
            // Termination: one shorter closing step brings the other foot alongside.
            self.closing = true;
            let closing_time = last.time_nanos + (0.8 * interval) as i64;
            self.add_ic(
                TrueIc {
                    time_nanos: closing_time,
                    side,
                },
                planning_nanos,
                0.6,
            );
            return true;
        }
        self.add_ic(
            TrueIc {
                time_nanos: time,
                side,
            },
            planning_nanos,
            amplitude,
        );
        true
    }

    /// How strongly the patient can couple to a beat at `beat_spm` (1 inside the comfort range, fading
    /// to 0 over the loss band beyond it).
    fn coupling_efficacy(&self, beat_spm: f64) -> f64 {
        let c = &self.config;
        let max = c.preferred_cadence_spm * (1.0 + c.max_speedup_percent / 100.0);
        let min = c.preferred_cadence_spm * (1.0 - c.max_slowdown_percent / 100.0);
        let excess = (beat_spm / max - 1.0).max(min / beat_spm - 1.0).max(0.0) * 100.0;
        (1.0 - excess / c.coupling_loss_band_percent.max(1e-6)).clamp(0.0, 1.0)
    }

    /// The latest beat interval, if beats are playing at `now`.
    fn current_beat_interval(&self, now: i64) -> Option<f64> {
        match self.heard_beats.as_slice() {
            [.., a, b] if now - b < secs_to_nanos(BEAT_MEMORY_SECS) && b > a => {
                Some((b - a) as f64)
            }
            _ => None,
        }
    }

    fn period_bounds(&self) -> (f64, f64) {
        let c = &self.config;
        let pref = 60e9 / c.preferred_cadence_spm.max(1.0);
        (
            pref / (1.0 + c.max_speedup_percent / 100.0),
            pref / (1.0 - c.max_slowdown_percent / 100.0).max(0.05),
        )
    }

    fn update_period(&mut self, now: i64) {
        let (min_p, max_p) = self.period_bounds();
        let pref = 60e9 / self.config.preferred_cadence_spm.max(1.0);
        self.period_nanos = match self.current_beat_interval(now) {
            Some(beat) => {
                let beta = self.config.period_coupling * self.coupling_efficacy(60e9 / beat);
                self.period_nanos + beta * (beat - self.period_nanos)
            }
            None => self.period_nanos + self.config.period_relaxation * (pref - self.period_nanos),
        }
        .clamp(min_p, max_p);
    }

    fn step_interval_nanos(&mut self, side: Side, now: i64) -> f64 {
        let c = &self.config;
        let r = c.symmetry_ratio.max(0.1);
        let side_factor = if side == c.paretic_side {
            2.0 * r / (1.0 + r)
        } else {
            2.0 / (1.0 + r)
        };
        let base = self.period_nanos * side_factor;
        let correction = match (self.current_beat_interval(now), self.ics.last()) {
            (Some(beat), Some(last)) => {
                // The nearest beat, counting the next one the patient expects.
                let mut candidates: Vec<i64> =
                    self.heard_beats.iter().rev().take(3).copied().collect();
                if let Some(&b) = self.heard_beats.last() {
                    candidates.push(b + beat as i64);
                }
                let nearest = candidates
                    .iter()
                    .min_by_key(|&&b| (last.time_nanos - b).abs())
                    .copied();
                let alpha = c.phase_coupling * self.coupling_efficacy(60e9 / beat);
                nearest.map_or(0.0, |b| {
                    let asynchrony = (last.time_nanos - b) as f64;
                    -alpha * (asynchrony - c.preferred_asynchrony_ms * 1e6)
                })
            }
            _ => 0.0,
        };
        let initiation = match self.steps_in_bout {
            1 => 1.25,
            2 => 1.1,
            _ => 1.0,
        };
        // The hard limit: nobody steps faster than their legs allow, whatever the beat does.
        let (min_p, _) = self.period_bounds();
        let deterministic = ((base + correction) * initiation).max(min_p * side_factor);
        let noise = base * c.step_time_cv_percent / 100.0 * self.rng.normal();
        (deterministic + noise).max(min_p * side_factor * 0.85)
    }

    fn add_ic(&mut self, ic: TrueIc, planning_nanos: i64, amplitude: f64) {
        let c = &self.config;
        let stride_secs = 2.0 * self.period_nanos / 1e9;
        let paretic = ic.side == c.paretic_side;
        let swing_secs = stride_secs * if paretic { 0.42 } else { 0.38 };
        let f = foot(ic.side);
        let previous_flat = self.swings[f]
            .last()
            .map_or(i64::MIN / 2, |s| s.heel_strike_nanos + 200_000_000);
        let earliest = previous_flat.max(planning_nanos);
        let to = (ic.time_nanos - secs_to_nanos(swing_secs)).max(earliest + 50_000_000);
        let heel_off = (to - secs_to_nanos(0.16 * stride_secs)).max(earliest);
        let cadence_scale = (60e9 / self.period_nanos) / 100.0;
        let side_amp = if paretic {
            c.paretic_amplitude_ratio
        } else {
            1.0
        };
        let peak = (c.swing_peak_dps_at_100_spm * cadence_scale).clamp(200.0, 480.0)
            * side_amp
            * amplitude;
        self.swings[f].push(Swing {
            heel_off_nanos: heel_off,
            toe_off_nanos: to.min(ic.time_nanos - 100_000_000),
            heel_strike_nanos: ic.time_nanos,
            swing_peak_dps: peak,
            push_off_dps: peak * if paretic { 0.7 } else { 1.2 },
        });
        self.planned.push_back(ic);
        self.steps_in_bout += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(p: &mut VirtualPatient, secs: f64) -> (Vec<FootSample>, Vec<TrueIc>) {
        let (mut s, mut ics) = (Vec::new(), Vec::new());
        p.advance_to(secs_to_nanos(secs), &mut s, &mut ics);
        (s, ics)
    }

    #[test]
    fn walks_at_its_preferred_cadence_without_a_beat() {
        let mut p = VirtualPatient::new(Preset::Entrains.config());
        let (samples, ics) = run(&mut p, 61.0);
        assert_eq!(samples.len(), 2 * 6101);
        let steady: Vec<_> = ics
            .iter()
            .filter(|i| i.time_nanos > 5_000_000_000)
            .collect();
        let span = (steady[steady.len() - 1].time_nanos - steady[0].time_nanos) as f64 / 1e9;
        let cadence = 60.0 * (steady.len() - 1) as f64 / span;
        assert!((cadence - 80.0).abs() < 1.5, "cadence {cadence}");
        assert!(ics.windows(2).all(|w| w[0].side != w[1].side));
    }

    #[test]
    fn imu_shows_swing_peak_and_impact_per_step() {
        let mut p = VirtualPatient::new(Preset::Entrains.config());
        let (samples, ics) = run(&mut p, 20.0);
        let left: Vec<&FootSample> = samples
            .iter()
            .filter(|s| s.placement == Placement::Foot(Side::Left))
            .collect();
        for ic in ics
            .iter()
            .filter(|i| i.side == Side::Left && i.time_nanos > 3_000_000_000)
        {
            let near = |lo: i64, hi: i64| {
                left.iter().filter(move |s| {
                    s.sample.time_nanos >= ic.time_nanos + lo
                        && s.sample.time_nanos <= ic.time_nanos + hi
                })
            };
            let peak = near(-500_000_000, -60_000_000)
                .map(|s| s.sample.gyr_dps[1])
                .fold(f32::MIN, f32::max);
            assert!((200.0..=480.0).contains(&peak), "swing peak {peak}");
            let norm = |a: [f32; 3]| (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]).sqrt();
            let impact = near(-10_000_000, 30_000_000)
                .map(|s| norm(s.sample.acc_mps2))
                .fold(f32::MIN, f32::max);
            assert!(impact > 25.0, "impact {impact}");
            let flat = near(200_000_000, 250_000_000)
                .map(|s| s.sample.gyr_dps[1].abs())
                .fold(0.0, f32::max);
            assert!(flat < 10.0, "foot flat {flat}");
        }
    }

    #[test]
    fn stops_and_starts_with_the_bouts() {
        let mut p = VirtualPatient::new(Preset::Stops.config());
        let (_, ics) = run(&mut p, 130.0);
        let gap = ics
            .windows(2)
            .map(|w| w[1].time_nanos - w[0].time_nanos)
            .max()
            .unwrap_or(0);
        assert!(gap > 9_000_000_000, "longest gap {gap}");
        assert!(
            ics.iter()
                .all(|i| !(100.6e9 as i64..110.6e9 as i64).contains(&i.time_nanos))
        );
        assert!(ics.last().unwrap().time_nanos > 125_000_000_000);
    }

    #[test]
    fn entrains_to_a_faster_beat_but_the_limited_patient_cannot() {
        for (preset, should_follow) in [(Preset::Entrains, true), (Preset::Limited, false)] {
            let mut p = VirtualPatient::new(preset.config());
            let interval = (60e9 / 86.0) as i64;
            let (mut s, mut ics) = (Vec::new(), Vec::new());
            let mut beat = 2_000_000_000;
            for k in 0..6000 {
                let now = k * 10_000_000;
                while beat <= now + 100_000_000 {
                    p.hear_beat(beat);
                    beat += interval;
                }
                p.advance_to(now, &mut s, &mut ics);
            }
            let late: Vec<_> = ics
                .iter()
                .filter(|i| i.time_nanos > 30_000_000_000)
                .collect();
            let span = (late[late.len() - 1].time_nanos - late[0].time_nanos) as f64 / 1e9;
            let cadence = 60.0 * (late.len() - 1) as f64 / span;
            if should_follow {
                assert!((cadence - 86.0).abs() < 1.0, "{preset:?} {cadence}");
            } else {
                assert!(cadence < 82.0, "{preset:?} {cadence}");
            }
        }
    }
}
