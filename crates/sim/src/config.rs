//! The virtual patient's settings and named presets.

use entrain_gait::Side;

/// One stretch of walking, in seconds from the simulation start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WalkingBout {
    /// When the patient starts walking, s.
    pub start_secs: f64,
    /// When the patient stops (finishes the current step and brings the other foot alongside), s.
    pub end_secs: f64,
}

/// How a virtual patient walks and listens.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientConfig {
    /// Comfortable (preferred) cadence, steps/min.
    pub preferred_cadence_spm: f64,
    /// Symmetry ratio = paretic / non-paretic step time (1.0 = symmetric).
    pub symmetry_ratio: f64,
    /// The paretic side (shorter swing gyro peak, weaker push-off, longer step time when ratio > 1).
    pub paretic_side: Side,
    /// Step-time variability, coefficient of variation, %.
    pub step_time_cv_percent: f64,
    /// Phase coupling to the beat: share of the last asynchrony corrected per step, 0…1.
    pub phase_coupling: f64,
    /// Period coupling: share of the gap between own period and beat interval closed per step, 0…1.
    pub period_coupling: f64,
    /// Without a beat, share of the gap back to the preferred period closed per step.
    pub period_relaxation: f64,
    /// The fastest the patient can walk, % above preferred (a hard biomechanical limit).
    pub max_speedup_percent: f64,
    /// The slowest the patient walks, % below preferred.
    pub max_slowdown_percent: f64,
    /// Coupling fades to nothing this far (%) beyond the comfort range: tempi too far away are not followed.
    pub coupling_loss_band_percent: f64,
    /// Asynchrony the patient settles at when entrained, ms (people step slightly before the beat).
    pub preferred_asynchrony_ms: f64,
    /// Mid-swing sagittal gyro peak at 100 steps/min, non-paretic foot, deg/s (scaled with cadence).
    pub swing_peak_dps_at_100_spm: f64,
    /// Paretic foot's gyro amplitude relative to the other foot.
    pub paretic_amplitude_ratio: f64,
    /// Gyro noise SD, deg/s.
    pub gyro_noise_dps: f64,
    /// Accelerometer noise SD, m/s².
    pub acc_noise_mps2: f64,
    /// IMU sample rate, Hz.
    pub sample_rate_hz: f64,
    /// When the patient walks.
    pub bouts: Vec<WalkingBout>,
    /// PRNG seed.
    pub seed: u64,
}

impl Default for PatientConfig {
    fn default() -> Self {
        PatientConfig {
            preferred_cadence_spm: 80.0,
            symmetry_ratio: 1.05,
            paretic_side: Side::Left,
            step_time_cv_percent: 3.0,
            phase_coupling: 0.4,
            period_coupling: 0.15,
            period_relaxation: 0.02,
            max_speedup_percent: 15.0,
            max_slowdown_percent: 15.0,
            coupling_loss_band_percent: 1.5,
            preferred_asynchrony_ms: -30.0,
            swing_peak_dps_at_100_spm: 340.0,
            paretic_amplitude_ratio: 0.8,
            gyro_noise_dps: 1.5,
            acc_noise_mps2: 0.08,
            sample_rate_hz: 100.0,
            bouts: vec![WalkingBout {
                start_secs: 1.0,
                end_secs: f64::INFINITY,
            }],
            seed: 1,
        }
    }
}

/// Named patients for tests and the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// 80 steps/min, mildly asymmetric, entrains well and can follow up to +15 %.
    Entrains,
    /// 80 steps/min, cannot walk faster than +1 %: must be held, never pushed.
    Limited,
    /// Marked hemiparetic asymmetry (ratio 1.25), CV 6 %, weaker coupling.
    Asymmetric,
    /// Like `Entrains` but stops walking at 100 s and stands (auto-pause), walks again at 110 s.
    Stops,
    /// A healthy adult at 110 steps/min.
    Healthy,
}

impl Preset {
    /// Every preset, for listings.
    pub const ALL: [Preset; 5] = [
        Preset::Entrains,
        Preset::Limited,
        Preset::Asymmetric,
        Preset::Stops,
        Preset::Healthy,
    ];

    /// The preset's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Entrains => "entrains",
            Preset::Limited => "limited",
            Preset::Asymmetric => "asymmetric",
            Preset::Stops => "stops",
            Preset::Healthy => "healthy",
        }
    }

    /// The preset called `name`.
    pub fn from_name(name: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Its configuration.
    pub fn config(self) -> PatientConfig {
        let base = PatientConfig::default();
        match self {
            Preset::Entrains => base,
            Preset::Limited => PatientConfig {
                max_speedup_percent: 1.0,
                seed: 2,
                ..base
            },
            Preset::Asymmetric => PatientConfig {
                symmetry_ratio: 1.25,
                step_time_cv_percent: 6.0,
                phase_coupling: 0.3,
                paretic_amplitude_ratio: 0.65,
                seed: 3,
                ..base
            },
            Preset::Stops => PatientConfig {
                bouts: vec![
                    WalkingBout {
                        start_secs: 1.0,
                        end_secs: 100.0,
                    },
                    WalkingBout {
                        start_secs: 110.0,
                        end_secs: f64::INFINITY,
                    },
                ],
                seed: 4,
                ..base
            },
            Preset::Healthy => PatientConfig {
                preferred_cadence_spm: 110.0,
                symmetry_ratio: 1.0,
                step_time_cv_percent: 2.0,
                paretic_amplitude_ratio: 1.0,
                seed: 5,
                ..base
            },
        }
    }
}
