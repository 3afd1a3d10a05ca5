//! Streaming initial-contact detection for one sensor at the lower back (L5).
//!
//! Each heel strike loads the trunk: the vertical acceleration peaks shortly after every initial
//! contact, of either foot. The vertical is found without assuming how the sensor is mounted, as
//! the direction of gravity (a slow running mean of the acceleration vector); its dynamic part is
//! band-passed around the step frequency, and each local maximum above a fraction of the recent
//! peak, at least a refractory time after the previous one, is a step. The IC is placed a fixed
//! lead before the peak (the loading-response delay). The side is not known from one sensor.

use alloc::vec::Vec;

use super::gap::{GapFiller, GridDetector};
use crate::filter::{Band, Butterworth, FilterDesignError};
use crate::sample::{GaitEvent, GaitEventKind, ImuSample};

/// Tuning of [`LowerBackDetector`], set on the development subset (see `docs/BENCHMARKS.md`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LowerBackDetectorConfig {
    /// Sample rate of the stream, Hz.
    pub sample_rate_hz: f64,
    /// Time constant of the running mean that estimates gravity, seconds.
    pub gravity_tau_secs: f64,
    /// Pass band of the vertical acceleration, Hz.
    pub band_low_hz: f64,
    /// See `band_low_hz`.
    pub band_high_hz: f64,
    /// A step's peak must exceed this fraction of the recent peak...
    pub peak_fraction: f64,
    /// ...and this floor, m/s².
    pub peak_floor_mps2: f64,
    /// Time constant of the recent-peak tracker's decay, seconds.
    pub peak_decay_secs: f64,
    /// Shortest time between two steps, seconds.
    pub refractory_secs: f64,
    /// How long before the vertical-acceleration peak the IC is placed, seconds.
    pub contact_lead_secs: f64,
    /// Longest gap filled by interpolation, in samples.
    pub max_missing_samples: usize,
}

impl LowerBackDetectorConfig {
    /// The defaults for a stream at `sample_rate_hz`.
    pub fn new(sample_rate_hz: f64) -> Self {
        LowerBackDetectorConfig {
            sample_rate_hz,
            gravity_tau_secs: 1.0,
            band_low_hz: 0.8,
            band_high_hz: 3.5,
            peak_fraction: 0.3,
            peak_floor_mps2: 0.5,
            peak_decay_secs: 3.0,
            refractory_secs: 0.3,
            contact_lead_secs: 0.09,
            max_missing_samples: 20,
        }
    }
}

/// A causal IC detector for a lower-back sensor. See the module docs.
#[derive(Debug, Clone)]
pub struct LowerBackDetector {
    config: LowerBackDetectorConfig,
    gaps: GapFiller,
    band: Butterworth,
    gravity_alpha: f64,
    gravity: Option<[f64; 3]>,
    peak_decay: f64,
    recent_peak: f64,
    /// The last two filtered values and the time of the later one.
    previous: [f64; 2],
    previous_time_nanos: i64,
    samples_seen: usize,
    last_step_nanos: Option<i64>,
}

impl LowerBackDetector {
    /// A detector with `config`.
    pub fn new(config: LowerBackDetectorConfig) -> Result<Self, FilterDesignError> {
        let fs = config.sample_rate_hz;
        let band = Butterworth::design(
            Band::BandPass {
                low_hz: config.band_low_hz,
                high_hz: config.band_high_hz,
            },
            2,
            fs,
        )?;
        Ok(LowerBackDetector {
            gaps: GapFiller::new(fs, config.max_missing_samples),
            band,
            gravity_alpha: 1.0 - libm::exp(-1.0 / (config.gravity_tau_secs * fs)),
            gravity: None,
            peak_decay: libm::exp(-1.0 / (config.peak_decay_secs * fs)),
            recent_peak: 0.0,
            previous: [0.0; 2],
            previous_time_nanos: 0,
            samples_seen: 0,
            last_step_nanos: None,
            config,
        })
    }

    fn step_on_grid(&mut self, sample: &ImuSample, events: &mut Vec<GaitEvent>) {
        let cfg = self.config;
        let acc = sample.acc_mps2.map(f64::from);
        let gravity = match self.gravity {
            None => acc,
            Some(g) => [0, 1, 2].map(|k| g[k] + self.gravity_alpha * (acc[k] - g[k])),
        };
        self.gravity = Some(gravity);
        let gravity_norm = libm::sqrt(gravity.iter().map(|g| g * g).sum::<f64>());
        let vertical = if gravity_norm > 0.0 {
            (0..3).map(|k| acc[k] * gravity[k]).sum::<f64>() / gravity_norm - gravity_norm
        } else {
            0.0
        };
        let value = self.band.process(vertical);
        self.recent_peak = value.abs().max(self.recent_peak * self.peak_decay);
        self.samples_seen += 1;

        let [before, candidate] = self.previous;
        let candidate_time = self.previous_time_nanos;
        let is_peak = self.samples_seen >= 3 && candidate > before && candidate >= value;
        if is_peak
            && candidate > cfg.peak_fraction * self.recent_peak
            && candidate > cfg.peak_floor_mps2
            && self.last_step_nanos.is_none_or(|last| {
                candidate_time - last >= libm::round(cfg.refractory_secs * 1e9) as i64
            })
        {
            self.last_step_nanos = Some(candidate_time);
            events.push(GaitEvent {
                kind: GaitEventKind::InitialContact,
                side: None,
                event_time_nanos: candidate_time - libm::round(cfg.contact_lead_secs * 1e9) as i64,
                emitted_at_nanos: sample.time_nanos,
            });
        }
        self.previous = [candidate, value];
        self.previous_time_nanos = sample.time_nanos;
    }

    fn reset_history(&mut self) {
        self.band.reset();
        self.gravity = None;
        self.previous = [0.0; 2];
        self.samples_seen = 0;
    }
}

impl GridDetector for LowerBackDetector {
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
