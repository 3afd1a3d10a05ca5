//! The music render's "done means" (issue 18), checked on its output WAV with measurements made
//! here, independent of the renderer: beat onsets found by an energy detector lie within ±5 ms of
//! the schedule (computed from the tempo arithmetic) at fixed tempi and through ±15 % ramps; a
//! steady sine keeps its pitch within 0.5 % at ratios 0.85–1.15; no sample-to-sample jump exceeds
//! the track's own largest by more than the stretcher's measured amplitude ripple (see
//! `allowed_jump`). The tracks are synthesised here with drum hits at known times.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::path::Path;

use common::*;
use entrain_audio::wav::{MusicWavRequest, render_music, tempo_ramp, write_beats_csv};
use entrain_audio::{MusicTrack, Overlay, Segment, SoundId, onset_frames};

const SECONDS: f64 = 20.0;

fn request(bpm: f64, to_bpm: Option<f64>) -> MusicWavRequest {
    MusicWavRequest {
        tempo: tempo(bpm),
        to_tempo: to_bpm.map(tempo),
        seconds: SECONDS,
        first_beat_frame: FIRST_BEAT_FRAME,
        overlay: Overlay::MusicOnly,
        music_level: 1.0,
        sound: SoundId::Click,
        ring_frames: 4_096,
    }
}

/// Renders and reads back the left and right channels.
fn render(
    track: &MusicTrack,
    request: &MusicWavRequest,
    dir: &Path,
) -> (Vec<f32>, Vec<f32>, Vec<u64>) {
    let path = dir.join("out.wav");
    let beats = render_music(track, request, &path).unwrap();
    let csv = dir.join("beats.csv");
    write_beats_csv(&csv, &beats, RATE).unwrap();
    assert!(
        std::fs::read_to_string(&csv)
            .unwrap()
            .starts_with("beat_index,time_secs\n0,0.500000\n")
    );
    let mut reader = hound::WavReader::open(&path).unwrap();
    let samples: Vec<f32> = reader
        .samples::<i16>()
        .map(|s| f32::from(s.unwrap()) / 32767.0)
        .collect();
    let left = samples.iter().step_by(2).copied().collect();
    let right = samples.iter().skip(1).step_by(2).copied().collect();
    (left, right, beats.iter().map(|b| b.frame).collect())
}

/// The schedule from the tempo arithmetic alone (the renderer's report must agree with it).
fn schedule(request: &MusicWavRequest, count: u64) -> Vec<u64> {
    let changes = match request.to_tempo {
        Some(to) => tempo_ramp(
            request.tempo,
            to,
            request.seconds,
            request.first_beat_frame,
            RATE,
        )
        .unwrap(),
        None => Vec::new(),
    };
    let start = Segment {
        start_beat: 0,
        start_frame: request.first_beat_frame,
        tempo: request.tempo,
    };
    onset_frames(start, &changes, count, RATE)
}

/// Every scheduled beat has an onset within ±5 ms; returns the largest error in ms and the beats.
fn check_onsets(track: &MusicTrack, request: &MusicWavRequest) -> (f64, usize) {
    let dir = tempfile::tempdir().unwrap();
    let (left, _, reported) = render(track, request, dir.path());
    let expected = schedule(request, reported.len() as u64);
    assert_eq!(reported, expected, "the renderer left its schedule");
    let bias = detector_bias_frames(track);
    let found = onsets(&left);
    assert_eq!(
        found.len(),
        expected.len(),
        "onsets {found:?}\nscheduled {expected:?}"
    );
    let mut worst_ms: f64 = 0.0;
    for (k, (f, e)) in found.iter().zip(&expected).enumerate() {
        let error_ms = (f - bias - *e as f64) * 1_000.0 / f64::from(RATE);
        assert!(
            error_ms.abs() <= 5.0,
            "beat {k}: onset {error_ms:+.2} ms off its schedule"
        );
        worst_ms = worst_ms.max(error_ms.abs());
    }
    (worst_ms, expected.len())
}

#[test]
fn beats_sound_on_their_schedule_at_fixed_tempi() {
    let track = drum_track(40.0);
    for bpm in [85.0, 100.0, 115.0] {
        let (worst, beats) = check_onsets(&track, &request(bpm, None));
        eprintln!("{bpm} beats/min: {beats} beats, worst onset error {worst:.2} ms");
    }
}

#[test]
fn beats_sound_on_their_schedule_through_ramps_of_fifteen_percent() {
    let track = drum_track(40.0);
    for (from, to) in [(100.0, 115.0), (100.0, 85.0)] {
        let (worst, beats) = check_onsets(&track, &request(from, Some(to)));
        eprintln!("{from} → {to} beats/min: {beats} beats, worst onset error {worst:.2} ms");
    }
}

/// Frequency from positive-going zero crossings (interpolated) over `signal`.
fn frequency_hz(signal: &[f32]) -> f64 {
    let mut crossings = Vec::new();
    for (i, w) in signal.windows(2).enumerate() {
        if w[0] < 0.0 && w[1] >= 0.0 {
            let fraction = f64::from(-w[0]) / f64::from(w[1] - w[0]);
            crossings.push(i as f64 + fraction);
        }
    }
    let span = crossings.last().unwrap() - crossings.first().unwrap();
    (crossings.len() - 1) as f64 * f64::from(RATE) / span
}

#[test]
fn a_steady_tone_keeps_its_pitch_at_ratios_from_0_85_to_1_15() {
    let track = sine_track(40.0);
    let input_jump = max_jump(&track.samples);
    for (bpm, to) in [
        (85.0, None),
        (100.0, None),
        (115.0, None),
        (85.0, Some(115.0)),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (left, right, _) = render(&track, &request(bpm, to), dir.path());
        // Second by second from the first beat on (the tone plays from the track's start).
        let from = FIRST_BEAT_FRAME as usize;
        let mut worst: f64 = 0.0;
        for second in left[from..]
            .chunks(RATE as usize)
            .filter(|c| c.len() == RATE as usize)
        {
            let f = frequency_hz(second);
            assert!((f / 440.0 - 1.0).abs() <= 0.005, "{bpm}→{to:?}: {f:.2} Hz");
            worst = worst.max((f / 440.0 - 1.0).abs());
        }
        eprintln!("{bpm}→{to:?}: pitch within {:.4} %", 100.0 * worst);
        let jump = max_jump(&left).max(max_jump(&right));
        assert!(
            jump <= allowed_jump(input_jump, TONE_RIPPLE),
            "{bpm}→{to:?}: jump {jump} over the input's {input_jump}"
        );
        eprintln!(
            "{bpm}→{to:?}: largest jump {:.4} × the input's",
            jump / input_jump
        );
    }
}

#[test]
fn no_jump_beyond_the_tracks_own_through_a_ramp() {
    let track = drum_track(40.0);
    let input_jump = max_jump(&track.samples);
    let dir = tempfile::tempdir().unwrap();
    let (left, right, _) = render(&track, &request(100.0, Some(115.0)), dir.path());
    let jump = max_jump(&left).max(max_jump(&right));
    assert!(
        jump <= allowed_jump(input_jump, HIT_RIPPLE),
        "jump {jump} over {input_jump}"
    );
    eprintln!(
        "drums 100 → 115: largest jump {:.3} × the input's",
        jump / input_jump
    );
}

#[test]
fn the_overlay_click_sounds_on_every_beat_accented_on_downbeats() {
    let track = sine_track(40.0);
    let dir = tempfile::tempdir().unwrap();
    let mut r = request(100.0, None);
    r.overlay = Overlay::MusicWithClick {
        click_level: 0.5,
        offbeat_level: 0.5,
    };
    r.music_level = 0.0;
    r.seconds = 6.0;
    let (left, _, reported) = render(&sine_track_with_downbeats(track), &r, dir.path());
    // Music silent: what sounds is the click, on the scheduled frames, louder on downbeats.
    let peaks: Vec<f32> = reported
        .iter()
        .map(|&f| {
            let f = f as usize;
            left[f..f + 48].iter().map(|s| s.abs()).fold(0.0, f32::max)
        })
        .collect();
    assert!(peaks.len() >= 8);
    for (k, p) in peaks.iter().enumerate() {
        let expected = if k % 4 == 0 { 0.5 } else { 0.25 } * entrain_audio::PEAK_LEVEL;
        assert!(
            (p - expected).abs() < 0.01,
            "beat {k}: peak {p}, expected {expected}"
        );
    }
    // And nothing before the first beat.
    assert!(left[..reported[0] as usize].iter().all(|s| s.abs() < 1e-4));
}

fn sine_track_with_downbeats(mut track: MusicTrack) -> MusicTrack {
    track.downbeats_secs = track.beats_secs.iter().step_by(4).copied().collect();
    track
}
