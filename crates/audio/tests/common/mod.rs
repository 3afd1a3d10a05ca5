//! What the music tests share: tracks synthesised with beats at known times, and measurements
//! made on the output independently of the renderer (an onset detector, the largest jump).
// Each test binary uses its own part of this module.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;

use entrain_audio::{MusicTrack, Tempo};

/// The output's (and the tracks') sample rate.
pub const RATE: u32 = 48_000;
/// The tracks' tempo.
pub const TRACK_BPM: f64 = 100.0;
/// The tracks' first beat, seconds into the track.
pub const FIRST_BEAT_SECS: f64 = 0.5;

/// Frame of the render's first beat.
pub const FIRST_BEAT_FRAME: u64 = 24_000;

pub fn beat_times(count: usize) -> Vec<f64> {
    (0..count)
        .map(|i| FIRST_BEAT_SECS + i as f64 * 60.0 / TRACK_BPM)
        .collect()
}

/// Stereo: a drum hit (a bright 2 and 3.3 kHz tick with a 3 ms decay over a 120 Hz thump with a
/// 40 ms decay, instant attack) on every beat over a quiet 220 Hz tone; the beats are exactly the
/// hits' first samples.
pub fn drum_track(seconds: f64) -> MusicTrack {
    let frames = (seconds * f64::from(RATE)) as usize;
    let beats = beat_times(((seconds - FIRST_BEAT_SECS) * TRACK_BPM / 60.0) as usize);
    let tau = std::f64::consts::TAU;
    let mut samples = vec![0.0f32; 2 * frames];
    for (i, frame) in samples.chunks_exact_mut(2).enumerate() {
        let t = i as f64 / f64::from(RATE);
        let tone = 0.08 * (tau * 220.0 * t).sin() as f32;
        frame[0] = tone;
        frame[1] = tone;
    }
    for &b in &beats {
        let start = (b * f64::from(RATE)).round() as usize;
        for k in 0..(0.2 * f64::from(RATE)) as usize {
            let at = 2 * (start + k);
            if at + 1 >= samples.len() {
                break;
            }
            let t = k as f64 / f64::from(RATE);
            let tick =
                (-t / 0.003).exp() * 0.25 * ((tau * 2_000.0 * t).sin() + (tau * 3_300.0 * t).sin());
            let thump = (-t / 0.04).exp() * 0.4 * (tau * 120.0 * t).sin();
            let hit = (tick + thump) as f32;
            samples[at] += hit;
            samples[at + 1] += hit;
        }
    }
    MusicTrack {
        rate_hz: RATE,
        channels: 2,
        samples: samples.into(),
        beats_secs: beats.clone(),
        downbeats_secs: beats.iter().step_by(4).copied().collect(),
    }
}

/// Mono: a steady 440 Hz sine faded in over 50 ms (as a recording starts, without a kink: a
/// sine started at full level is broadband, and its stretched onset rings), with the beats of a
/// 100 beats/min track.
pub fn sine_track(seconds: f64) -> MusicTrack {
    let frames = (seconds * f64::from(RATE)) as usize;
    let fade_frames = 0.05 * f64::from(RATE);
    let samples: Vec<f32> = (0..frames)
        .map(|i| {
            let fade = (i as f64 / fade_frames).min(1.0);
            let phase = std::f64::consts::TAU * 440.0 * i as f64 / f64::from(RATE);
            (0.5 * fade * phase.sin()) as f32
        })
        .collect();
    MusicTrack {
        rate_hz: RATE,
        channels: 1,
        samples: Arc::from(samples),
        beats_secs: beat_times(((seconds - FIRST_BEAT_SECS) * TRACK_BPM / 60.0) as usize),
        downbeats_secs: Vec::new(),
    }
}

pub fn tempo(bpm: f64) -> Tempo {
    Tempo::from_bpm(bpm).unwrap()
}

/// Onsets: where the energy of the first difference (which favours the hits' tick over the tones)
/// over 0.25 ms first rises past a fifth of its largest value, after 150 ms below it; the time is
/// the window's middle.
pub fn onsets(signal: &[f32]) -> Vec<f64> {
    let window = (RATE / 4_000) as usize;
    let diff: Vec<f64> = signal
        .windows(2)
        .map(|w| f64::from(w[1] - w[0]).powi(2))
        .collect();
    let mut energy = vec![0.0; diff.len()];
    let mut sum = 0.0;
    for i in 0..diff.len() {
        sum += diff[i];
        if i >= window {
            sum -= diff[i - window];
        }
        energy[i] = sum;
    }
    let threshold = 0.2 * energy.iter().copied().fold(0.0, f64::max);
    let quiet = (0.15 * f64::from(RATE)) as usize;
    let mut found = Vec::new();
    let mut below = usize::MAX;
    for (i, &e) in energy.iter().enumerate() {
        if e >= threshold {
            if below >= quiet {
                found.push(i as f64 + 1.0 - window as f64 / 2.0);
            }
            below = 0;
        } else {
            below = below.saturating_add(1);
        }
    }
    found
}

/// The detector's own bias, measured on the track itself against its known beats.
pub fn detector_bias_frames(track: &MusicTrack) -> f64 {
    let left: Vec<f32> = track.samples.iter().step_by(2).copied().collect();
    let found = onsets(&left);
    let truth: Vec<f64> = track
        .beats_secs
        .iter()
        .map(|b| b * f64::from(RATE))
        .collect();
    assert_eq!(
        found.len(),
        truth.len(),
        "the detector misses hits in the track itself"
    );
    let errors: Vec<f64> = found.iter().zip(&truth).map(|(f, t)| f - t).collect();
    let bias = errors.iter().sum::<f64>() / errors.len() as f64;
    assert!(errors.iter().all(|e| (e - bias).abs() <= 2.0), "{errors:?}");
    bias
}

pub fn max_jump(signal: &[f32]) -> f32 {
    signal
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

/// The stretcher re-synthesises the sound, so its peaks differ a little from the input's: a
/// steady tone's amplitude ripples by under 1 % and a sharp hit's peak comes out up to ~21 %
/// higher (measured). A discontinuity (a jump in track position, a gap, garbage) is a jump of
/// the order of the signal's amplitude, several times the largest jump of these tracks.
pub const TONE_RIPPLE: f32 = 0.02;

pub const HIT_RIPPLE: f32 = 0.25;

/// The largest jump allowed: the input's, with the stretcher's ripple and two 16-bit steps.
pub fn allowed_jump(input_jump: f32, ripple: f32) -> f32 {
    input_jump * (1.0 + ripple) + 2.0 / 32767.0
}
