//! Beat analysis on click trains with known beats, the F-measure's definition, and an
//! analysis that never panics.

use entrain_music::{BeatAnalysis, DEFAULT_TOLERANCE_SECS, Pcm, analyze, f_measure, matches};
use proptest::prelude::*;

const RATE_HZ: u32 = 22_050;

/// Clicks (10 ms decaying 2 kHz bursts) at `bpm` from `first_secs` for `secs`, and their times.
fn click_train(bpm: f64, first_secs: f64, secs: f64) -> (Pcm, Vec<f64>) {
    let rate = f64::from(RATE_HZ);
    let mut samples = vec![0.0f32; (secs * rate) as usize];
    let mut times = Vec::new();
    let mut t = first_secs;
    while t < secs - 0.05 {
        let start = (t * rate).round() as usize;
        times.push(start as f64 / rate);
        for n in 0..(0.01 * rate) as usize {
            let tau = n as f64 / rate;
            let value = (std::f64::consts::TAU * 2_000.0 * tau).sin() * (-tau / 0.003).exp();
            samples[start + n] += (0.5 * value) as f32;
        }
        t += 60.0 / bpm;
    }
    (
        Pcm {
            rate_hz: RATE_HZ,
            channels: 1,
            samples,
        },
        times,
    )
}

fn check_clicks(bpm: f64) -> BeatAnalysis {
    let (pcm, truth) = click_train(bpm, 0.3, 20.0);
    let found = analyze(&pcm);
    let f = f_measure(&truth, &found.beats_secs, DEFAULT_TOLERANCE_SECS);
    assert!(f >= 0.95, "{bpm} bpm: F {f}, tempo {}", found.tempo_bpm);
    assert!(
        (found.tempo_bpm - bpm).abs() / bpm < 0.01,
        "{bpm} bpm: {}",
        found.tempo_bpm
    );
    for t in &found.beats_secs {
        let nearest = truth
            .iter()
            .map(|r| (r - t).abs())
            .fold(f64::INFINITY, f64::min);
        assert!(
            nearest < 0.003,
            "{bpm} bpm: beat at {t:.4} s is {nearest:.4} s off"
        );
    }
    found
}

#[test]
fn clicks_at_60_bpm() {
    check_clicks(60.0);
}

#[test]
fn clicks_at_90_bpm() {
    check_clicks(90.0);
}

#[test]
fn clicks_at_140_bpm() {
    check_clicks(140.0);
}

#[test]
fn a_track_in_stereo_is_analysed_as_its_mix() {
    let (mono, truth) = click_train(100.0, 0.5, 15.0);
    // The clicks in the left channel only, silence in the right.
    let stereo = Pcm {
        rate_hz: RATE_HZ,
        channels: 2,
        samples: mono.samples.iter().flat_map(|s| [*s, 0.0]).collect(),
    };
    let found = analyze(&stereo);
    assert!(f_measure(&truth, &found.beats_secs, DEFAULT_TOLERANCE_SECS) >= 0.95);
}

#[test]
fn an_even_pulse_between_two_tempi_is_flagged_ambiguous() {
    // Evenly spaced identical clicks at 150 per minute: 150 and 75 bpm (every other click)
    // fit equally well and the prior barely prefers either.
    let (pcm, _) = click_train(150.0, 0.3, 20.0);
    let found = analyze(&pcm);
    let alternative = found.tempo_ambiguous.unwrap_or(0.0);
    let (low, high) = if found.tempo_bpm < alternative {
        (found.tempo_bpm, alternative)
    } else {
        (alternative, found.tempo_bpm)
    };
    assert!(
        (high - 150.0).abs() < 1.5 && (low - 75.0).abs() < 0.75,
        "{found:?}"
    );
}

#[test]
fn silence_has_no_beats() {
    let pcm = Pcm {
        rate_hz: RATE_HZ,
        channels: 1,
        samples: vec![0.0; 10 * RATE_HZ as usize],
    };
    let found = analyze(&pcm);
    assert!(found.beats_secs.is_empty());
    assert_eq!(found.tempo_bpm, 0.0);
    assert!((found.duration_secs - 10.0).abs() < 1.0e-9);
}

#[test]
fn beats_are_not_invented_in_leading_or_trailing_silence() {
    // Clicks from 5 s to 15 s of a 20 s track.
    let (clicks, truth) = click_train(100.0, 0.0, 10.0);
    let mut samples = vec![0.0f32; 5 * RATE_HZ as usize];
    samples.extend(&clicks.samples);
    samples.extend(vec![0.0f32; 5 * RATE_HZ as usize]);
    let truth: Vec<f64> = truth.iter().map(|t| t + 5.0).collect();
    let found = analyze(&Pcm {
        rate_hz: RATE_HZ,
        channels: 1,
        samples,
    });
    let first = found.beats_secs.first().copied().unwrap_or(0.0);
    let last = found.beats_secs.last().copied().unwrap_or(0.0);
    assert!(first > 4.9 && last < 15.1, "beats from {first} to {last}");
    assert!(f_measure(&truth, &found.beats_secs, DEFAULT_TOLERANCE_SECS) >= 0.95);
}

#[test]
fn f_measure_counts_each_beat_once_within_the_tolerance() {
    let tol = DEFAULT_TOLERANCE_SECS;
    // Two of three hits: precision = recall = 2/3.
    let f = f_measure(&[1.0, 2.0, 3.0], &[1.05, 2.2, 3.0], tol);
    assert!((f - 2.0 / 3.0).abs() < 1e-12);
    // Two estimates near one reference: one hit; P = 1/2, R = 1, F = 2/3.
    assert_eq!(matches(&[1.0], &[0.98, 1.02], tol), 1);
    assert!((f_measure(&[1.0], &[0.98, 1.02], tol) - 2.0 / 3.0).abs() < 1e-12);
    // The tolerance is inclusive (as mir_eval's), and nothing beyond it counts.
    assert_eq!(matches(&[1.0], &[1.0625], 0.0625), 1);
    assert_eq!(matches(&[1.0], &[1.08], tol), 0);
    // A crowded pair where a careless greedy choice would lose a match.
    assert_eq!(matches(&[1.0, 1.1], &[1.05, 1.12], tol), 2);
    assert_eq!(f_measure(&[], &[1.0], tol), 0.0);
    assert_eq!(f_measure(&[1.0], &[], tol), 0.0);
    assert_eq!(f_measure(&[1.0, 2.0], &[1.0, 2.0], tol), 1.0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn analysis_never_panics_and_its_beats_are_well_formed(
        rate_hz in prop_oneof![Just(0u32), 1u32..200, 4_000u32..96_001],
        channels in 1u16..=2,
        samples in prop::collection::vec(
            prop_oneof![-1.0f32..1.0, any::<f32>(), Just(0.0f32)],
            0..6_000,
        ),
    ) {
        let pcm = Pcm { rate_hz, channels, samples };
        let found = analyze(&pcm);
        prop_assert!(found.tempo_bpm.is_finite() && found.tempo_bpm >= 0.0);
        prop_assert!([2, 3, 4].contains(&found.beats_per_bar));
        prop_assert!(found.beats_secs.windows(2).all(|w| w[0] < w[1]));
        prop_assert!(found.beats_secs.iter().all(|t| *t >= 0.0 && *t <= found.duration_secs + 0.05));
        prop_assert!(found.downbeats_secs.iter().all(|d| found.beats_secs.contains(d)));
    }

    #[test]
    fn analysis_of_a_few_seconds_of_noise_never_panics(
        seed in any::<u64>(),
        secs in 0.5f64..4.0,
    ) {
        let mut state = seed | 1;
        let samples: Vec<f32> = (0..(secs * 8_000.0) as usize)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
            })
            .collect();
        let found = analyze(&Pcm { rate_hz: 8_000, channels: 1, samples });
        prop_assert!(found.beats_secs.windows(2).all(|w| w[0] < w[1]));
    }
}

#[test]
fn the_analysis_serialises_with_the_cli_json_keys() -> Result<(), serde_json::Error> {
    let (pcm, _) = click_train(90.0, 0.3, 8.0);
    let found = analyze(&pcm);
    let json = serde_json::to_value(&found)?;
    for key in [
        "tempo_bpm",
        "beats_secs",
        "downbeats_secs",
        "beats_per_bar",
        "tempo_ambiguous",
    ] {
        assert!(json.get(key).is_some(), "{key} missing from {json}");
    }
    let back: BeatAnalysis = serde_json::from_value(json)?;
    assert_eq!(back, found);
    Ok(())
}
