//! Streaming initial-contact and toe-off detection for a sensor on the foot (dorsum or shoe).
//!
//! Orientation-free, so it works whatever way round the sensor is strapped on:
//! - the **swing** is found in the gyroscope norm, low-passed, against a threshold that follows
//!   the recent peak (slow, weak pathological gait and brisk healthy gait alike);
//! - **toe-off** is the push-off burst at the start of the swing (the largest raw rotation);
//! - **initial contact** is the heel-strike impact: the first sample, late enough in the swing
//!   and once the rotation has slowed, whose acceleration jerk (norm of the sample-to-sample
//!   change) jumps both well above the jerk just before it and above a fraction of recent
//!   impacts. It is emitted on that sample, so the latency is one or two sample periods;
//! - a swing that ends (the foot goes still) without a clear impact (shuffling, a soft or
//!   smoothed sensor) still yields its IC if it was a real step, placed at the onset of the
//!   landing: the first strong jerk in the last 0.35 s before the foot went still.
//!
//! One IC per swing, and no new swing before a refractory time after the last IC, so an impact's
//! ringing and foot-flat rotation cannot count twice.

use alloc::vec;
use alloc::vec::Vec;

use super::gap::{GapFiller, GridDetector};
use crate::filter::{Band, Butterworth, FilterDesignError};
use crate::sample::{GaitEvent, GaitEventKind, ImuSample, Side};

/// Tuning of [`FootDetector`]. The defaults were set on the development subset of the public data
/// sets (see `docs/BENCHMARKS.md`) and are meant for 50–250 Hz sensors.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FootDetectorConfig {
    /// Sample rate of the stream, Hz.
    pub sample_rate_hz: f64,
    /// Low-pass cut-off for the gyroscope norm that finds swings, Hz.
    pub swing_lowpass_hz: f64,
    /// A swing starts above `max(swing_floor_dps, swing_fraction × recent peak)`.
    pub swing_floor_dps: f64,
    /// See `swing_floor_dps`.
    pub swing_fraction: f64,
    /// The swing ends (foot still) below this fraction of the swing-start threshold...
    pub still_fraction: f64,
    /// ...held for this long, seconds.
    pub still_hold_secs: f64,
    /// Time constant of the recent-peak tracker's decay, seconds.
    pub peak_decay_secs: f64,
    /// The impact is searched for no earlier than this long after the swing's rotation peak, s.
    pub min_swing_secs: f64,
    /// No swing may start sooner than this after the last IC of the same foot, seconds.
    pub refractory_secs: f64,
    /// An impact's jerk must exceed this multiple of the mean jerk just before it...
    pub impact_ratio: f64,
    /// ...over this window, seconds...
    pub impact_baseline_secs: f64,
    /// ...and this fraction of the recent impacts' peak jerk...
    pub impact_fraction: f64,
    /// ...and this absolute floor, m/s² per 10 ms.
    pub impact_floor: f64,
    /// An impact also needs the smoothed rotation to have fallen to this fraction of the swing's
    /// peak: a jerk while the foot still swings fast is the late swing, not the landing.
    pub impact_max_rotation_fraction: f64,
    /// A swing that ends without an impact still counts as a step only if it lasted this long
    /// from its start to the foot going still, seconds...
    pub fallback_min_swing_secs: f64,
    /// ...its smoothed rotation peaked above this, degrees per second...
    pub fallback_min_peak_dps: f64,
    /// ...and its landing jerked at least this much, m/s² per 10 ms (a foot that only rotates
    /// in place, or shifts weight, never lands).
    pub fallback_min_jerk: f64,
    /// Such a contact is placed at the onset of the landing: the first late-swing sample whose
    /// jerk reaches this fraction of the swing's strongest jerk (the strongest is often the
    /// forefoot slapping down after the heel).
    pub fallback_onset_fraction: f64,
    /// ...searched for no further back than this from the moment the foot went still, seconds.
    pub fallback_window_secs: f64,
    /// How much later than the push-off rotation peak toe-off is placed, seconds.
    pub toe_off_lag_secs: f64,
    /// Longest gap filled by interpolation, in samples; a longer one restarts the detector.
    pub max_missing_samples: usize,
}

impl FootDetectorConfig {
    /// The defaults for a stream at `sample_rate_hz`.
    pub fn new(sample_rate_hz: f64) -> Self {
        FootDetectorConfig {
            sample_rate_hz,
            swing_lowpass_hz: 4.0,
            swing_floor_dps: 25.0,
            swing_fraction: 0.2,
            still_fraction: 0.6,
            still_hold_secs: 0.06,
            peak_decay_secs: 3.0,
            min_swing_secs: 0.15,
            refractory_secs: 0.4,
            impact_ratio: 4.0,
            impact_baseline_secs: 0.1,
            impact_fraction: 0.6,
            impact_floor: 3.0,
            impact_max_rotation_fraction: 0.7,
            fallback_min_swing_secs: 0.25,
            fallback_min_peak_dps: 50.0,
            fallback_min_jerk: 0.5,
            fallback_onset_fraction: 0.5,
            fallback_window_secs: 0.35,
            toe_off_lag_secs: 0.03,
            max_missing_samples: 20,
        }
    }
}

/// Where the foot is in its gait cycle, as far as the detector knows.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    /// On the ground (or not yet seen moving): waiting for a swing.
    Stance,
    /// In the air: waiting for the impact.
    Swing(SwingState),
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct SwingState {
    peak_dps: f64,
    peak_time_nanos: i64,
    raw_peak_dps: f64,
    raw_peak_time_nanos: i64,
    toe_off_emitted: bool,
    still_samples: usize,
    /// The strongest jerk since the push-off: the fallback IC's scale.
    best_jerk: f64,
    /// When the swing started.
    start_nanos: i64,
}

/// The configuration's durations on the detector's clock, computed once.
#[derive(Debug, Clone, Copy)]
struct Durations {
    refractory_nanos: i64,
    toe_off_lag_nanos: i64,
    min_swing_nanos: i64,
    fallback_min_swing_nanos: i64,
    fallback_window_nanos: i64,
    still_hold_samples: usize,
}

impl Durations {
    fn new(config: &FootDetectorConfig) -> Self {
        let nanos = |secs: f64| libm::round(secs * 1e9) as i64;
        Durations {
            refractory_nanos: nanos(config.refractory_secs),
            toe_off_lag_nanos: nanos(config.toe_off_lag_secs),
            min_swing_nanos: nanos(config.min_swing_secs),
            fallback_min_swing_nanos: nanos(config.fallback_min_swing_secs),
            fallback_window_nanos: nanos(config.fallback_window_secs),
            still_hold_samples: libm::round(config.still_hold_secs * config.sample_rate_hz)
                as usize,
        }
    }
}

/// How long after an impact its peak jerk is measured, to scale the next impact's threshold.
const IMPACT_PEAK_WATCH_NANOS: i64 = 100_000_000;

/// A causal IC/TO detector for one foot sensor. See the module docs.
#[derive(Debug, Clone)]
pub struct FootDetector {
    config: FootDetectorConfig,
    durations: Durations,
    side: Option<Side>,
    gaps: GapFiller,
    swing_filter: Butterworth,
    period_nanos: i64,
    phase: Phase,
    recent_peak_dps: f64,
    peak_decay: f64,
    last_ic_nanos: Option<i64>,
    previous_acc: Option<[f32; 3]>,
    jerk_history: Vec<f64>,
    jerk_cursor: usize,
    impact_peak: Option<f64>,
    /// Measuring the peak jerk of the impact just detected: (deadline, running max).
    impact_watch: Option<(i64, f64)>,
    /// (time, jerk) of every sample of the current swing since the push-off, for placing a
    /// fallback contact; reused from swing to swing.
    swing_jerks: Vec<(i64, f64)>,
}

impl FootDetector {
    /// A detector for the foot `side` (if known) with `config`.
    pub fn new(side: Option<Side>, config: FootDetectorConfig) -> Result<Self, FilterDesignError> {
        let fs = config.sample_rate_hz;
        let swing_filter = Butterworth::design(Band::LowPass(config.swing_lowpass_hz), 2, fs)?;
        let baseline_len = (libm::round(config.impact_baseline_secs * fs) as usize).max(1);
        Ok(FootDetector {
            side,
            gaps: GapFiller::new(fs, config.max_missing_samples),
            swing_filter,
            period_nanos: libm::round(1e9 / fs) as i64,
            phase: Phase::Stance,
            recent_peak_dps: 0.0,
            peak_decay: libm::exp(-1.0 / (config.peak_decay_secs * fs)),
            last_ic_nanos: None,
            previous_acc: None,
            jerk_history: vec![0.0; baseline_len],
            jerk_cursor: 0,
            impact_peak: None,
            impact_watch: None,
            swing_jerks: Vec::new(),
            durations: Durations::new(&config),
            config,
        })
    }

    fn emit(
        &self,
        kind: GaitEventKind,
        event_time_nanos: i64,
        now: i64,
        events: &mut Vec<GaitEvent>,
    ) {
        events.push(GaitEvent {
            kind,
            side: self.side,
            event_time_nanos,
            emitted_at_nanos: now,
        });
    }

    fn initial_contact(&mut self, event_time_nanos: i64, now: i64, events: &mut Vec<GaitEvent>) {
        self.emit(GaitEventKind::InitialContact, event_time_nanos, now, events);
        self.last_ic_nanos = Some(event_time_nanos);
        self.phase = Phase::Stance;
    }

    fn remember_impact(&mut self, jerk: f64) {
        self.impact_peak = Some(match self.impact_peak {
            None => jerk,
            Some(previous) => 0.8 * previous + 0.2 * jerk,
        });
    }

    /// One sample on the regular grid.
    fn step_on_grid(&mut self, sample: &ImuSample, events: &mut Vec<GaitEvent>) {
        let now = sample.time_nanos;
        let cfg = self.config;
        let durations = self.durations;
        let gyro_dps = norm(sample.gyr_dps);
        let swing_dps = self.swing_filter.process(gyro_dps);
        // Jerk per 10 ms, so thresholds do not depend on the sample rate.
        let jerk = match self.previous_acc {
            Some(prev) => norm(sub(sample.acc_mps2, prev)) * (cfg.sample_rate_hz / 100.0),
            None => 0.0,
        };
        self.previous_acc = Some(sample.acc_mps2);
        let baseline_jerk = self.jerk_history.iter().sum::<f64>() / self.jerk_history.len() as f64;
        self.jerk_history[self.jerk_cursor] = jerk;
        self.jerk_cursor = (self.jerk_cursor + 1) % self.jerk_history.len();

        self.recent_peak_dps = swing_dps.max(self.recent_peak_dps * self.peak_decay);
        let swing_threshold = cfg
            .swing_floor_dps
            .max(cfg.swing_fraction * self.recent_peak_dps);
        let still_threshold = cfg.still_fraction * swing_threshold;

        if let Some((deadline, peak)) = self.impact_watch {
            let peak = peak.max(jerk);
            if now >= deadline {
                self.remember_impact(peak);
                self.impact_watch = None;
            } else {
                self.impact_watch = Some((deadline, peak));
            }
        }

        match self.phase {
            Phase::Stance => {
                let rested = self
                    .last_ic_nanos
                    .is_none_or(|ic| now - ic >= durations.refractory_nanos);
                if swing_dps > swing_threshold && rested {
                    self.swing_jerks.clear();
                    self.phase = Phase::Swing(SwingState {
                        peak_dps: swing_dps,
                        peak_time_nanos: now,
                        raw_peak_dps: gyro_dps,
                        raw_peak_time_nanos: now,
                        toe_off_emitted: false,
                        still_samples: 0,
                        best_jerk: 0.0,
                        start_nanos: now,
                    });
                }
            }
            Phase::Swing(mut swing) => {
                if swing_dps > swing.peak_dps {
                    swing.peak_dps = swing_dps;
                    swing.peak_time_nanos = now;
                }
                if !swing.toe_off_emitted {
                    if gyro_dps > swing.raw_peak_dps {
                        swing.raw_peak_dps = gyro_dps;
                        swing.raw_peak_time_nanos = now;
                    }
                    // The push-off burst is over once the smoothed rotation has clearly fallen.
                    if swing_dps < 0.7 * swing.peak_dps {
                        swing.toe_off_emitted = true;
                        let toe_off = swing.raw_peak_time_nanos + durations.toe_off_lag_nanos;
                        self.emit(GaitEventKind::ToeOff, toe_off.min(now), now, events);
                    }
                }
                let late_enough = now - swing.peak_time_nanos >= durations.min_swing_nanos;
                // The fallback contact may come from any part of the swing past the push-off.
                if swing.toe_off_emitted {
                    swing.best_jerk = swing.best_jerk.max(jerk);
                    self.swing_jerks.push((now, jerk));
                }
                if late_enough {
                    let impact_threshold = cfg
                        .impact_floor
                        .max(cfg.impact_fraction * self.impact_peak.unwrap_or(20.0));
                    if jerk > impact_threshold
                        && jerk > cfg.impact_ratio * baseline_jerk
                        && swing_dps <= cfg.impact_max_rotation_fraction * swing.peak_dps
                    {
                        // The jump shows on this sample; contact began during the previous one.
                        let contact = now - self.period_nanos;
                        self.impact_watch = Some((now + IMPACT_PEAK_WATCH_NANOS, jerk));
                        self.initial_contact(contact, now, events);
                        return;
                    }
                }
                if swing_dps < still_threshold {
                    swing.still_samples += 1;
                    if swing.still_samples >= durations.still_hold_samples {
                        self.phase = Phase::Stance;
                        if let Some(contact) = self.fallback_contact(&swing, now) {
                            self.remember_impact(swing.best_jerk);
                            self.initial_contact(contact, now, events);
                        }
                        return;
                    }
                } else {
                    swing.still_samples = 0;
                }
                self.phase = Phase::Swing(swing);
            }
        }
    }
}

impl FootDetector {
    /// The contact of a swing that ended, at `now`, without a clear impact, if the swing was a
    /// step at all: a weak or brief burst (shifting weight, turning on the spot) is not.
    fn fallback_contact(&self, swing: &SwingState, now: i64) -> Option<i64> {
        let cfg = &self.config;
        let is_step = swing.peak_dps >= 0.4 * self.recent_peak_dps
            && swing.peak_dps >= cfg.fallback_min_peak_dps
            && now - swing.start_nanos >= self.durations.fallback_min_swing_nanos
            && swing.best_jerk >= cfg.fallback_min_jerk;
        if !is_step {
            return None;
        }
        // The landing is at most `fallback_window_secs` before the foot went still; earlier jerks
        // are the push-off or the swing itself.
        let window_start = now - self.durations.fallback_window_nanos;
        let late = || self.swing_jerks.iter().filter(|(t, _)| *t >= window_start);
        let late_best = late().map(|&(_, j)| j).fold(0.0, f64::max);
        late()
            .find(|&&(_, j)| j > 0.0 && j >= cfg.fallback_onset_fraction * late_best)
            .or_else(|| self.swing_jerks.iter().max_by(|a, b| a.1.total_cmp(&b.1)))
            .map(|&(t, _)| t)
    }
}

impl GridDetector for FootDetector {
    fn gap_filler(&mut self) -> &mut GapFiller {
        &mut self.gaps
    }

    fn step(&mut self, sample: &ImuSample, events: &mut Vec<GaitEvent>) {
        self.step_on_grid(sample, events);
    }

    fn clear_history(&mut self) {
        self.reset_history();
    }
}

impl FootDetector {
    /// Forgets the signal history but keeps what it learned of this patient's levels.
    fn reset_history(&mut self) {
        self.swing_filter.reset();
        self.phase = Phase::Stance;
        self.previous_acc = None;
        self.jerk_history.iter_mut().for_each(|j| *j = 0.0);
        self.impact_watch = None;
    }
}

fn norm(v: [f32; 3]) -> f64 {
    let (x, y, z) = (v[0] as f64, v[1] as f64, v[2] as f64);
    libm::sqrt(x * x + y * y + z * z)
}

fn sub(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::detect::StreamingDetector;
    use crate::sample::sample_time_nanos;

    /// A synthetic foot at `fs`: each stride of `stride_secs` has a push-off burst, a swing
    /// rotation, and a heel-strike impact at a known time; still in between. Returns the samples
    /// and the true IC times.
    fn synthetic_walk(fs: f64, strides: usize, stride_secs: f64) -> (Vec<ImuSample>, Vec<i64>) {
        let n = ((strides as f64 + 1.0) * stride_secs * fs) as usize;
        let mut samples = Vec::with_capacity(n);
        let mut contacts = Vec::new();
        for i in 0..n {
            let t = i as f64 / fs;
            let cycle = t / stride_secs - 0.5;
            let (k, phase) = (libm::floor(cycle), cycle - libm::floor(cycle));
            let mut gyr = 0.0f64;
            let mut acc = [0.0f64, 0.0, 9.81];
            if cycle >= 0.0 && (k as usize) < strides {
                // Swing occupies phase 0.0..0.4 of the stride; heel strike at 0.4.
                if phase < 0.4 {
                    let s = phase / 0.4;
                    gyr = if s < 0.2 {
                        -500.0 * libm::sin(core::f64::consts::PI * s / 0.2)
                    } else {
                        350.0 * libm::sin(core::f64::consts::PI * (s - 0.2) / 0.8)
                    };
                }
                let since_strike = (phase - 0.4) * stride_secs;
                if (0.0..0.05).contains(&since_strike) {
                    acc[0] += 40.0 * libm::exp(-since_strike / 0.01);
                }
            }
            let ic_index = ((k + 0.5) * stride_secs + 0.4 * stride_secs) * fs;
            if cycle >= 0.0 && (k as usize) < strides && contacts.len() == k as usize {
                contacts.push(sample_time_nanos(libm::ceil(ic_index) as usize, fs));
            }
            samples.push(ImuSample {
                time_nanos: sample_time_nanos(i, fs),
                acc_mps2: acc.map(|a| a as f32),
                gyr_dps: [0.0, gyr as f32, 0.0],
            });
        }
        (samples, contacts)
    }

    fn detect(samples: &[ImuSample], fs: f64) -> Vec<GaitEvent> {
        let mut detector =
            FootDetector::new(Some(Side::Left), FootDetectorConfig::new(fs)).unwrap();
        let mut events = Vec::new();
        samples.iter().for_each(|s| detector.push(s, &mut events));
        events
    }

    #[test]
    fn finds_every_heel_strike_of_a_synthetic_walk() {
        for fs in [100.0, 204.8] {
            let (samples, contacts) = synthetic_walk(fs, 12, 1.1);
            let events = detect(&samples, fs);
            let ics: Vec<&GaitEvent> = events
                .iter()
                .filter(|e| e.kind == GaitEventKind::InitialContact)
                .collect();
            assert_eq!(ics.len(), contacts.len(), "at {fs} Hz: {ics:?}");
            let period = (1e9 / fs) as i64;
            for (ic, truth) in ics.iter().zip(&contacts) {
                assert!(
                    (ic.event_time_nanos - truth).abs() <= 2 * period,
                    "{ic:?} vs {truth}"
                );
                // Known gap: on this synthetic swing the impact is not confirmed on its own sample
                // but by the foot-still fallback, 100 ms later (see docs/BENCHMARKS.md).
                let latency = ic.emitted_at_nanos - truth;
                assert!((0..=120_000_000).contains(&latency), "latency {latency}");
                assert_eq!(ic.side, Some(Side::Left));
            }
            let toe_offs = events
                .iter()
                .filter(|e| e.kind == GaitEventKind::ToeOff)
                .count();
            assert_eq!(toe_offs, contacts.len());
        }
    }

    #[test]
    fn a_still_foot_gives_no_event_and_a_lost_packet_changes_nothing() {
        let still: Vec<ImuSample> = (0..1000)
            .map(|i| ImuSample {
                time_nanos: sample_time_nanos(i, 100.0),
                acc_mps2: [0.0, 0.0, 9.81],
                gyr_dps: [1.0, -1.0, 0.5],
            })
            .collect();
        assert!(detect(&still, 100.0).is_empty());

        let (samples, _) = synthetic_walk(100.0, 8, 1.0);
        let complete = detect(&samples, 100.0);
        let mut lossy = samples.clone();
        // Drop two packets in mid-swing, away from any impact.
        lossy.remove(160);
        lossy.remove(160);
        let from_lossy = detect(&lossy, 100.0);
        assert_eq!(complete.len(), from_lossy.len());
        for (a, b) in complete.iter().zip(&from_lossy) {
            assert!((a.event_time_nanos - b.event_time_nanos).abs() <= 10_000_000);
        }
    }
}
