//! The built-in tracks: their beat truth is what the audio does, and the analysis finds it.

use entrain_music::builtin::{self, BuiltinTrack};
use entrain_music::{DEFAULT_TOLERANCE_SECS, analyze, f_measure};

const RATE_HZ: u32 = 44_100;

/// Energy of `pcm` in `[from, to)` samples.
fn energy(samples: &[f32], from: usize, to: usize) -> f64 {
    samples[from.min(samples.len())..to.min(samples.len())]
        .iter()
        .map(|s| f64::from(*s) * f64::from(*s))
        .sum()
}

#[test]
fn names_are_stable_unique_and_found() {
    let names: Vec<&str> = builtin::tracks().iter().map(|t| t.name).collect();
    assert_eq!(names, ["march-2-4", "march-4-4", "waltz-3-4", "groove-4-4"]);
    for track in builtin::tracks() {
        assert_eq!(builtin::by_name(track.name), Some(track));
    }
    assert_eq!(builtin::by_name("polka"), None);
}

fn check_truth(track: &BuiltinTrack) {
    let rendered = track.render(RATE_HZ);
    let pcm = &rendered.pcm;
    let beat_samples = 60.0 / track.tempo_bpm * f64::from(RATE_HZ);
    // One loop: whole bars, 30 to 60 s, beats evenly spaced to the sample.
    assert_eq!(rendered.beats_secs.len() as u32, track.beats());
    let loop_samples = (f64::from(track.beats()) * beat_samples).round() as usize;
    assert_eq!(pcm.frames(), loop_samples, "{}", track.name);
    assert!(
        (30.0..=60.0).contains(&pcm.duration_secs()),
        "{}",
        track.name
    );
    for (i, t) in rendered.beats_secs.iter().enumerate() {
        let exact = i as f64 * 60.0 / track.tempo_bpm;
        assert!(
            (t - exact).abs() <= 0.5 / f64::from(RATE_HZ),
            "{} beat {i}",
            track.name
        );
    }
    let downbeats: Vec<f64> = rendered
        .beats_secs
        .iter()
        .step_by(usize::from(track.beats_per_bar))
        .copied()
        .collect();
    assert_eq!(rendered.downbeats_secs, downbeats);
    // Every beat is a strike: the 10 ms from the beat hold far more energy than the 10 ms
    // before it (the first beat's "before" is the end of the loop: it must loop cleanly).
    let window = (0.01 * f64::from(RATE_HZ)) as usize;
    for t in &rendered.beats_secs {
        let at = (t * f64::from(RATE_HZ)).round() as usize;
        let after = energy(&pcm.samples, at, at + window);
        let before = if at >= window {
            energy(&pcm.samples, at - window, at)
        } else {
            energy(&pcm.samples, pcm.samples.len() - window, pcm.samples.len())
        };
        assert!(
            after > 2.0 * before,
            "{} at {t:.3} s: {after} after, {before} before",
            track.name
        );
    }
    // Peak at the stated level, nothing clipped, nothing silent for long.
    let peak = pcm.samples.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    assert!((peak - 0.7).abs() < 1.0e-6, "{} peak {peak}", track.name);
}

#[test]
fn every_beat_of_every_track_is_a_strike_at_its_time() {
    for track in builtin::tracks() {
        check_truth(track);
    }
}

#[test]
fn the_loop_wraps_without_a_seam() {
    // The jump from the last sample to the first is no bigger than the track's own largest
    // sample-to-sample step.
    for track in builtin::tracks() {
        let samples = track.render(RATE_HZ).pcm.samples;
        let largest = samples
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0f32, f32::max);
        let (first, last) = (samples[0], samples[samples.len() - 1]);
        assert!(
            (first - last).abs() <= largest,
            "{}: {last} -> {first}",
            track.name
        );
    }
}

#[test]
fn rendering_is_deterministic_at_any_rate() {
    for track in builtin::tracks() {
        assert_eq!(track.render(22_050), track.render(22_050), "{}", track.name);
        let at_48k = track.render(48_000);
        assert_eq!(at_48k.pcm.rate_hz, 48_000);
        assert_eq!(at_48k.beats_secs.len() as u32, track.beats());
    }
}

#[test]
fn analysis_finds_each_tracks_beats_tempo_and_bars() {
    for track in builtin::tracks() {
        let rendered = track.render(RATE_HZ);
        let found = analyze(&rendered.pcm);
        let f = f_measure(
            &rendered.beats_secs,
            &found.beats_secs,
            DEFAULT_TOLERANCE_SECS,
        );
        assert!(f >= 0.95, "{}: F {f}", track.name);
        let tempo_error = (found.tempo_bpm - track.tempo_bpm).abs() / track.tempo_bpm;
        assert!(
            tempo_error < 0.01,
            "{}: {} bpm",
            track.name,
            found.tempo_bpm
        );
        assert_eq!(found.beats_per_bar, track.beats_per_bar, "{}", track.name);
        let down_f = f_measure(
            &rendered.downbeats_secs,
            &found.downbeats_secs,
            DEFAULT_TOLERANCE_SECS,
        );
        assert!(down_f >= 0.9, "{}: downbeat F {down_f}", track.name);
        // Each beat found lies within 5 ms of the true one.
        for t in &found.beats_secs {
            let nearest = rendered
                .beats_secs
                .iter()
                .map(|r| (r - t).abs())
                .fold(f64::INFINITY, f64::min);
            assert!(
                nearest < 0.005,
                "{}: beat at {t:.4} s is {nearest:.4} s off",
                track.name
            );
        }
    }
}
