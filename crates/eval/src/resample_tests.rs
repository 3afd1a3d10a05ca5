#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;

use std::f64::consts::PI;

/// `n` samples at `rate_hz` from time zero: every axis a tone of `freq_hz` with its own phase and
/// amplitude, plus an offset (gravity on one accelerometer axis).
fn tone(n: usize, rate_hz: f64, freq_hz: f64) -> Vec<ImuSample> {
    (0..n)
        .map(|i| {
            let time_nanos = sample_time_nanos(i, rate_hz);
            let v = |axis: usize| tone_value(time_nanos, freq_hz, axis) as f32;
            ImuSample {
                time_nanos,
                acc_mps2: [v(0), v(1), v(2)],
                gyr_dps: [v(3), v(4), v(5)],
            }
        })
        .collect()
}

/// Amplitude of axis `axis` of [`tone`].
fn amplitude(axis: usize) -> f64 {
    [3.0, 1.5, 2.0, 200.0, 120.0, 80.0][axis]
}

/// Offset of axis `axis` of [`tone`].
fn offset(axis: usize) -> f64 {
    if axis == 2 { 9.81 } else { 0.0 }
}

fn tone_value(time_nanos: i64, freq_hz: f64, axis: usize) -> f64 {
    let t = time_nanos as f64 / 1e9;
    offset(axis) + amplitude(axis) * (2.0 * PI * freq_hz * t + 0.7 * axis as f64).sin()
}

fn axis_value(s: &ImuSample, axis: usize) -> f64 {
    f64::from(if axis < 3 {
        s.acc_mps2[axis]
    } else {
        s.gyr_dps[axis - 3]
    })
}

/// The output samples at least `margin_secs` from both ends of a `duration_secs` input.
fn interior(samples: &[ImuSample], duration_secs: f64, margin_secs: f64) -> Vec<ImuSample> {
    samples
        .iter()
        .filter(|s| {
            let t = s.time_nanos as f64 / 1e9;
            t >= margin_secs && t <= duration_secs - margin_secs
        })
        .copied()
        .collect()
}

/// Largest |output − the tone at the output instant| over the interior, relative to each axis's
/// amplitude. The comparison is pointwise, so it bounds amplitude and phase error alike: a
/// relative error e allows an amplitude off by at most e and a phase off by at most e radians.
fn worst_relative_error(out: &[ImuSample], freq_hz: f64, duration_secs: f64) -> f64 {
    let inner = interior(out, duration_secs, 1.0);
    assert!(inner.len() > 100, "{} interior samples", inner.len());
    inner
        .iter()
        .flat_map(|s| {
            (0..6).map(move |axis| {
                (axis_value(s, axis) - tone_value(s.time_nanos, freq_hz, axis)).abs()
                    / amplitude(axis)
            })
        })
        .fold(0.0, f64::max)
}

/// Amplitude (RMS × √2) of the output's deviation from each axis's offset, relative to the input
/// tone's amplitude, worst axis, dB.
fn residual_db(out: &[ImuSample], duration_secs: f64) -> f64 {
    let inner = interior(out, duration_secs, 1.0);
    assert!(inner.len() > 100, "{} interior samples", inner.len());
    (0..6)
        .map(|axis| {
            let mean_square = inner
                .iter()
                .map(|s| (axis_value(s, axis) - offset(axis)).powi(2))
                .sum::<f64>()
                / inner.len() as f64;
            20.0 * ((2.0 * mean_square).sqrt() / amplitude(axis)).log10()
        })
        .fold(f64::NEG_INFINITY, f64::max)
}

/// Gaps up to this many samples are filled before resampling (the detectors' default).
const MAX_FILLED: usize = 20;

/// Tones in the passband come through within this relative error (−60 dB: 0.1 % of the
/// amplitude, 1 mrad of phase).
const PASSBAND_TOLERANCE: f64 = 1e-3;

/// Tones above the new Nyquist frequency come out at least this far down, dB.
const MIN_STOPBAND_ATTENUATION_DB: f64 = 60.0;

#[test]
fn a_tone_below_the_new_nyquist_frequency_keeps_its_amplitude_and_phase() {
    // 52 Hz: Nyquist 26 Hz, passband to 20.8 Hz. 100 Hz → 104 / 208 Hz: passband to 40 Hz,
    // where linear interpolation would be off by about a tenth of the amplitude.
    for (from_hz, to_hz, freq_hz) in [
        (100.0, 52.0, 2.0),
        (100.0, 52.0, 10.0),
        (100.0, 52.0, 20.0),
        (100.0, 104.0, 30.0),
        (100.0, 208.0, 38.0),
        (204.8, 52.0, 15.0),
        (52.0, 100.0, 18.0),
    ] {
        let duration_secs = 20.0;
        let input = tone((duration_secs * from_hz) as usize, from_hz, freq_hz);
        let out = resample(&input, from_hz, to_hz, MAX_FILLED).unwrap();
        let error = worst_relative_error(&out, freq_hz, duration_secs);
        assert!(
            error <= PASSBAND_TOLERANCE,
            "{from_hz} → {to_hz} Hz, {freq_hz} Hz tone: relative error {error}"
        );
    }
}

#[test]
fn a_tone_above_the_new_nyquist_frequency_is_removed_not_aliased() {
    // Taken every other sample or so, these would alias to 25, 22 and 12 Hz at full amplitude.
    for (from_hz, to_hz, freq_hz) in [
        (100.0, 52.0, 27.0),
        (100.0, 52.0, 30.0),
        (100.0, 52.0, 40.0),
        (204.8, 104.0, 60.0),
    ] {
        let duration_secs = 20.0;
        let input = tone((duration_secs * from_hz) as usize, from_hz, freq_hz);
        let out = resample(&input, from_hz, to_hz, MAX_FILLED).unwrap();
        let level_db = residual_db(&out, duration_secs);
        assert!(
            level_db <= -MIN_STOPBAND_ATTENUATION_DB,
            "{from_hz} → {to_hz} Hz, {freq_hz} Hz tone: {level_db:.1} dB"
        );
    }
}

#[test]
fn the_output_is_on_the_new_grid_from_the_first_to_the_last_input_sample() {
    for (n, from_hz, to_hz, expected) in [
        // floor((n − 1) · to / from) + 1
        (1000, 100.0, 52.0, 520),
        (1001, 100.0, 52.0, 521),
        (1000, 100.0, 104.0, 1039),
        (1000, 100.0, 208.0, 2078),
        (2, 100.0, 52.0, 1),
        (1, 100.0, 52.0, 1),
    ] {
        let mut input = tone(n, from_hz, 5.0);
        let origin_nanos = 3_000_000;
        input.iter_mut().for_each(|s| s.time_nanos += origin_nanos);
        let out = resample(&input, from_hz, to_hz, MAX_FILLED).unwrap();
        assert_eq!(out.len(), expected, "{n} samples, {from_hz} → {to_hz} Hz");
        for (k, s) in out.iter().enumerate() {
            assert_eq!(s.time_nanos, origin_nanos + sample_time_nanos(k, to_hz));
        }
    }
    assert_eq!(resample(&[], 100.0, 52.0, MAX_FILLED).unwrap(), Vec::new());
}

#[test]
fn the_same_rate_gives_the_samples_unchanged() {
    let input = tone(500, 100.0, 7.0);
    assert_eq!(resample(&input, 100.0, 100.0, MAX_FILLED).unwrap(), input);
}

#[test]
fn a_constant_stays_constant_up_to_the_edges() {
    let input: Vec<ImuSample> = (0..300)
        .map(|i| ImuSample {
            time_nanos: sample_time_nanos(i, 100.0),
            acc_mps2: [0.3, -0.2, 9.81],
            gyr_dps: [1.0, 0.0, -2.0],
        })
        .collect();
    for to_hz in [52.0, 104.0, 208.0] {
        for s in resample(&input, 100.0, to_hz, MAX_FILLED).unwrap() {
            let close =
                |a: [f32; 3], b: [f32; 3]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-5);
            assert!(close(s.acc_mps2, [0.3, -0.2, 9.81]), "{s:?}");
            assert!(close(s.gyr_dps, [1.0, 0.0, -2.0]), "{s:?}");
        }
    }
}

#[test]
fn no_output_sample_falls_in_a_long_gap_and_the_runs_stay_on_one_grid() {
    let mut input = tone(1000, 100.0, 5.0);
    // Samples 400..430 lost: 0.30 s without data, more than MAX_FILLED samples.
    input.drain(400..430);
    let gap_start = sample_time_nanos(399, 100.0);
    let gap_end = sample_time_nanos(430, 100.0);
    let out = resample(&input, 100.0, 52.0, MAX_FILLED).unwrap();
    assert!(out.windows(2).all(|w| w[0].time_nanos < w[1].time_nanos));
    assert!(
        out.iter()
            .all(|s| s.time_nanos <= gap_start || s.time_nanos >= gap_end)
    );
    // Every instant of the 52 Hz grid within the runs, and no other.
    let expected: Vec<i64> = (0..520)
        .map(|k| sample_time_nanos(k, 52.0))
        .filter(|&t| t <= gap_start || t >= gap_end)
        .collect();
    let times: Vec<i64> = out.iter().map(|s| s.time_nanos).collect();
    assert_eq!(times, expected);
    // Away from the gap's edges the tone is intact.
    let far = |s: &&ImuSample| {
        (s.time_nanos - gap_start).abs() > 600_000_000
            && (s.time_nanos - gap_end).abs() > 600_000_000
            && s.time_nanos > 1_000_000_000
            && s.time_nanos < 9_000_000_000
    };
    for s in out.iter().filter(far) {
        for axis in 0..6 {
            let error = (axis_value(s, axis) - tone_value(s.time_nanos, 5.0, axis)).abs();
            assert!(error <= PASSBAND_TOLERANCE * amplitude(axis), "{s:?}");
        }
    }
}

#[test]
fn unusable_rates_are_refused_naming_which() {
    let input = tone(10, 100.0, 5.0);
    for bad in [0.0, -52.0, f64::NAN, f64::INFINITY, MAX_RATE_HZ + 1.0] {
        let to = resample(&input, 100.0, bad, MAX_FILLED).unwrap_err();
        assert!(
            matches!(to, ResampleError::BadRate { what: "output rate", rate_hz } if rate_hz.is_nan() == bad.is_nan()),
            "{to:?}"
        );
        assert!(to.to_string().starts_with("output rate"), "{to}");
        let from = resample(&input, bad, 100.0, MAX_FILLED).unwrap_err();
        assert!(from.to_string().starts_with("input rate"), "{from}");
    }
    assert_eq!(check_rate_hz("output rate", MAX_RATE_HZ), Ok(MAX_RATE_HZ));
}

#[test]
fn a_short_gap_is_filled_before_resampling() {
    let mut input = tone(1000, 100.0, 2.0);
    // Samples 500..503 lost, 30 ms; MAX_FILLED covers them.
    input.drain(500..503);
    let out = resample(&input, 100.0, 52.0, MAX_FILLED).unwrap();
    let times: Vec<i64> = out.iter().map(|s| s.time_nanos).collect();
    let every: Vec<i64> = (0..520).map(|k| sample_time_nanos(k, 52.0)).collect();
    assert_eq!(times, every);
    // A straight line across 40 ms of a 2 Hz tone sags from it by 1 − cos(2π · 2 Hz · 20 ms),
    // 3 % of the amplitude; a gap filled with anything else is off by far more.
    let error = worst_relative_error(&out, 2.0, 10.0);
    assert!(error <= 0.04, "relative error {error}");
    // With nothing filled, the same gap splits the stream.
    let split = resample(&input, 100.0, 52.0, 0).unwrap();
    assert!(split.len() < out.len(), "{} vs {}", split.len(), out.len());
}
