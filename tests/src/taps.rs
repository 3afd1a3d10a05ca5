//! Sensors lying still and knocked by a fingertip, for the tests that choose a foot by tapping its
//! sensor (`entrain assign`, the Sensors screen), as the fake BlueZ streams them.

use std::path::Path;

use entrain_gait::ImuSample;
use serde_json::{Value, json};

use crate::walks;

/// The Movesense of [`tapped_sensors`].
pub const MOVESENSE: &str = "C0:FF:EE:00:01:31";
/// The Polar Verity Sense of [`tapped_sensors`].
pub const POLAR: &str = "C0:FF:EE:00:01:32";
/// The Entrain sensor of [`tapped_sensors`], which nobody taps.
pub const BYSTANDER: &str = "C0:FF:EE:00:01:01";

/// The rate every sensor of [`tapped_sensors`] streams at, Hz.
const RATE_HZ: f64 = 208.0;
/// The Verity Sense's acceleration counts, g per count.
const POLAR_ACC_G_PER_COUNT: f64 = 0.000_244;
/// Its gyro counts, deg/s per count.
const POLAR_GYRO_DPS_PER_COUNT: f64 = 0.06;
/// The Entrain sensor's scale: µg and µdeg/s per count.
const ENTRAIN_ACC_UG: u32 = 244;
const ENTRAIN_GYR_UDPS: u32 = 70_000;
const STANDARD_GRAVITY_MPS2: f64 = 9.80665;

/// `secs` at 208 Hz of a sensor lying still with its own small noise, knocked once at each of
/// `knocks_secs`: a damped 40 Hz ring of 15 m/s² on its x axis, as a fingertip gives.
pub fn still_with_knocks(secs: f64, knocks_secs: &[f64]) -> Vec<ImuSample> {
    (0..(secs * RATE_HZ) as usize)
        .map(|i| {
            let t = i as f64 / RATE_HZ;
            // A resting sensor's noise, a few hundredths of a m/s² (deterministic).
            let noise =
                |axis: f64| 0.04 * ((i as f64 * 12.9898 + axis * 78.233).sin() * 43_758.55).fract();
            let mut ax = 0.2 + noise(0.0);
            for &k in knocks_secs {
                if t >= k {
                    let dt = t - k;
                    ax += 15.0 * (-dt / 0.02).exp() * (std::f64::consts::TAU * 40.0 * dt).cos();
                }
            }
            ImuSample {
                time_nanos: (t * 1e9) as i64,
                acc_mps2: [ax, -0.3 + noise(1.0), 9.78 + noise(2.0)].map(|v| v as f32),
                gyr_dps: [0.5 + 10.0 * noise(3.0), -0.2 + 10.0 * noise(4.0), 0.1].map(|v| v as f32),
            }
        })
        .collect()
}

/// `samples` as a sensor's counts: `acc_lsb_mps2` m/s² and `gyr_lsb_dps` deg/s per count.
pub fn as_counts(samples: &[ImuSample], acc_lsb_mps2: f64, gyr_lsb_dps: f64) -> Vec<walks::Counts> {
    samples
        .iter()
        .map(|s| {
            let a = s
                .acc_mps2
                .map(|v| (f64::from(v) / acc_lsb_mps2).round() as i16);
            let g = s
                .gyr_dps
                .map(|v| (f64::from(v) / gyr_lsb_dps).round() as i16);
            [a[0], a[1], a[2], g[0], g[1], g[2]]
        })
        .collect()
}

/// The fake BlueZ's configuration of three sensors lying still for `secs`, their files in
/// `dir`: a Movesense knocked at `movesense_knocks_secs`, a Verity Sense knocked at
/// `polar_knocks_secs`, and an Entrain sensor nobody touches. Times count from when all three
/// stream.
pub fn tapped_sensors(
    dir: &Path,
    secs: f64,
    movesense_knocks_secs: &[f64],
    polar_knocks_secs: &[f64],
) -> std::io::Result<Value> {
    let movesense = walks::write_samples(
        dir,
        "movesense",
        &still_with_knocks(secs, movesense_knocks_secs),
    )?;
    let polar = as_counts(
        &still_with_knocks(secs, polar_knocks_secs),
        POLAR_ACC_G_PER_COUNT * STANDARD_GRAVITY_MPS2,
        POLAR_GYRO_DPS_PER_COUNT,
    );
    let polar = walks::write_counts(dir, "polar", &polar)?;
    let entrain = as_counts(
        &still_with_knocks(secs, &[]),
        f64::from(ENTRAIN_ACC_UG) * 1e-6 * STANDARD_GRAVITY_MPS2,
        f64::from(ENTRAIN_GYR_UDPS) * 1e-6,
    );
    let entrain = walks::write_counts(dir, "entrain", &entrain)?;
    Ok(json!({"devices": [
        {"address": BYSTANDER, "name": "Entrain-L", "kind": "entrain", "rssi": -50,
         "battery": 64, "counts_csv": entrain.display().to_string(),
         "sample_rate_mhz": (RATE_HZ * 1000.0) as u32, "acc_ug_per_lsb": ENTRAIN_ACC_UG,
         "gyr_udps_per_lsb": ENTRAIN_GYR_UDPS, "samples_per_packet": 10},
        {"address": MOVESENSE, "name": "Movesense 204730000081", "kind": "movesense",
         "rssi": -60, "samples_csv": movesense.display().to_string(), "rate_hz": RATE_HZ as u32},
        {"address": POLAR, "name": "Polar Sense 0A3BA92B", "kind": "polar", "rssi": -70,
         "battery": 71, "counts_csv": polar.display().to_string(), "rate_hz": RATE_HZ as u32,
         "acc_factor": POLAR_ACC_G_PER_COUNT, "gyro_factor": POLAR_GYRO_DPS_PER_COUNT},
    ]}))
}
