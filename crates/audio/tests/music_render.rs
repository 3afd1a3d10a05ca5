//! The music render's "done means" (issue 18), checked on its output WAV with measurements made
//! here, independent of the renderer: beat onsets found by an energy detector lie within ±5 ms of
//! the schedule (computed from the tempo arithmetic) at fixed tempi and through ±15 % ramps; a
//! steady sine keeps its pitch within 0.5 % at ratios 0.85–1.15; no sample-to-sample jump exceeds
//! the track's own largest by more than the stretcher's measured amplitude ripple (see
//! `allowed_jump`). The tracks are synthesised here with drum hits at known times.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::sync::Arc;

use entrain_audio::wav::{MusicWavRequest, render_music, tempo_ramp, write_beats_csv};
use entrain_audio::{MusicTrack, Overlay, Segment, SoundId, Tempo, onset_frames};

const RATE: u32 = 48_000;
const TRACK_BPM: f64 = 100.0;
const FIRST_BEAT_SECS: f64 = 0.5;
const SECONDS: f64 = 20.0;
/// Frame of the render's first beat.
const FIRST_BEAT_FRAME: u64 = 24_000;

fn beat_times(count: usize) -> Vec<f64> {
    (0..count)
        .map(|i| FIRST_BEAT_SECS + i as f64 * 60.0 / TRACK_BPM)
        .collect()
}

/// Stereo: a drum hit (a bright 2 and 3.3 kHz tick with a 3 ms decay over a 120 Hz thump with a
/// 40 ms decay, instant attack) on every beat over a quiet 220 Hz tone; the beats are exactly the
/// hits' first samples.
fn drum_track(seconds: f64) -> MusicTrack {
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
fn sine_track(seconds: f64) -> MusicTrack {
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

fn tempo(bpm: f64) -> Tempo {
    Tempo::from_bpm(bpm).unwrap()
}

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

/// Onsets: where the energy of the first difference (which favours the hits' tick over the tones)
/// over 0.25 ms first rises past a fifth of its largest value, after 150 ms below it; the time is
/// the window's middle.
fn onsets(signal: &[f32]) -> Vec<f64> {
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
fn detector_bias_frames(track: &MusicTrack) -> f64 {
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

fn max_jump(signal: &[f32]) -> f32 {
    signal
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
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

/// The stretcher re-synthesises the sound, so its peaks differ a little from the input's: a
/// steady tone's amplitude ripples by under 1 % and a sharp hit's peak comes out up to ~16 %
/// higher (measured). A discontinuity (a jump in track position, a gap, garbage) is a jump of
/// the order of the signal's amplitude, several times the largest jump of these tracks.
const TONE_RIPPLE: f32 = 0.02;
const HIT_RIPPLE: f32 = 0.25;

/// The largest jump allowed: the input's, with the stretcher's ripple and two 16-bit steps.
fn allowed_jump(input_jump: f32, ripple: f32) -> f32 {
    input_jump * (1.0 + ripple) + 2.0 / 32767.0
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

/// A ring that runs dry plays silence (exact zeros, never stale or garbage frames), is counted,
/// and the music after it is still on its schedule: the missing frames are dropped, not delayed.
#[test]
fn an_underrun_plays_silence_and_the_music_stays_on_its_frames() {
    use entrain_audio::{
        AudioCallback, CallbackState, Command, MusicShared, Renderer, music_parts,
    };
    let track = drum_track(40.0);
    let (mut commands, command_rx) = rtrb::RingBuffer::new(64);
    let (telemetry_tx, mut telemetry) = rtrb::RingBuffer::new(8192);
    let state = CallbackState::new(Renderer::new(RATE, 2), command_rx, telemetry_tx);
    let shared = Arc::new(MusicShared::new());
    let (mut callback, mut worker) = music_parts(
        &track,
        state,
        Overlay::MusicOnly,
        1.0,
        4_096,
        Arc::clone(&shared),
    )
    .unwrap();
    commands
        .push(Command::Start {
            at_frame: FIRST_BEAT_FRAME,
            tempo: tempo(110.0),
        })
        .unwrap();
    let mut left = Vec::new();
    let mut buffer = vec![0.0f32; 2 * 512];
    for round in 0..1_500u64 {
        // Rounds 300–311 the worker is stalled: the ring (4 096 frames, 3 584 left after the
        // last buffer) lasts 7 buffers, 5 play dry.
        if !(300..312).contains(&round) {
            worker.fill_ring();
        }
        callback.process_f32(&mut buffer, 0, 0);
        left.extend(buffer.iter().step_by(2));
        while telemetry.pop().is_ok() {}
    }
    assert_eq!(shared.underruns(), 5);
    assert_eq!(shared.underrun_frames(), 5 * 512);
    let dry = (307 * 512)..(312 * 512);
    assert!(
        left[dry].iter().all(|&s| s == 0.0),
        "the dry buffers are not silent"
    );
    // Every onset after the gap is still on the schedule (±5 ms; offsets are measured from the
    // track's own detector bias, as above).
    let bias = detector_bias_frames(&track);
    let start = Segment {
        start_beat: 0,
        start_frame: FIRST_BEAT_FRAME,
        tempo: tempo(110.0),
    };
    let expected = onset_frames(start, &[], 60, RATE);
    let after_gap = 313 * 512;
    let found: Vec<f64> = onsets(&left[after_gap..])
        .into_iter()
        .map(|f| f + after_gap as f64 - bias)
        .collect();
    assert!(found.len() > 10);
    for f in found {
        let nearest = expected
            .iter()
            .map(|&e| f - e as f64)
            .fold(f64::MAX, |a, b| if b.abs() < a.abs() { b } else { a });
        assert!(
            nearest.abs() <= 240.0,
            "onset at {f} is {nearest} frames off the schedule"
        );
    }
}

/// Runs the live parts in turn for `buffers` buffers of 512 frames, music only; `each` may send
/// commands after every buffer, given the beats played so far. Returns the left channel and the
/// beats played (beat, frame).
fn run_parts(
    track: &MusicTrack,
    buffers: usize,
    mut each: impl FnMut(&mut rtrb::Producer<entrain_audio::Command>, &[(u64, u64)]),
) -> (Vec<f32>, Vec<(u64, u64)>) {
    use entrain_audio::{
        AudioCallback, CallbackState, MusicShared, Renderer, Telemetry, music_parts,
    };
    let (mut commands, command_rx) = rtrb::RingBuffer::new(64);
    let (telemetry_tx, mut telemetry) = rtrb::RingBuffer::new(8192);
    let state = CallbackState::new(Renderer::new(RATE, 2), command_rx, telemetry_tx);
    let shared = Arc::new(MusicShared::new());
    let (mut callback, mut worker) = music_parts(
        track,
        state,
        Overlay::MusicOnly,
        1.0,
        4_096,
        Arc::clone(&shared),
    )
    .unwrap();
    let mut left = Vec::new();
    let mut beats = Vec::new();
    let mut buffer = vec![0.0f32; 2 * 512];
    each(&mut commands, &beats);
    for _ in 0..buffers {
        worker.fill_ring();
        callback.process_f32(&mut buffer, 0, 0);
        left.extend(buffer.iter().step_by(2));
        while let Ok(item) = telemetry.pop() {
            if let Telemetry::Beat(b) = item {
                beats.push((b.beat, b.frame));
            }
        }
        each(&mut commands, &beats);
    }
    assert_eq!(shared.underruns(), 0);
    (left, beats)
}

/// A session re-anchors the beat with a start for every beat (`Metronome::start_at`), the tempo
/// moving a little each time: the music follows those starts onto every beat.
#[test]
fn starts_sent_beat_by_beat_keep_the_music_on_every_beat() {
    use entrain_audio::Command;
    let track = drum_track(40.0);
    let mut sent_for = None;
    let (left, beats) = run_parts(&track, 1_200, |commands, beats| {
        let (next, at_frame) = match beats.last() {
            None => (0, FIRST_BEAT_FRAME),
            Some(&(beat, frame)) => {
                let bpm = 100.0 + 2.0 * (beat % 8) as f64;
                (beat + 1, frame + (60.0 / bpm * f64::from(RATE)) as u64 + 37)
            }
        };
        if sent_for != Some(next) {
            let bpm = 100.0 + 2.0 * (next % 8) as f64;
            commands
                .push(Command::Start {
                    at_frame,
                    tempo: tempo(bpm),
                })
                .unwrap();
            sent_for = Some(next);
        }
    });
    let bias = detector_bias_frames(&track);
    let found = onsets(&left);
    assert!(beats.len() > 15, "{beats:?}");
    assert_eq!(
        found.len(),
        beats.len(),
        "onsets {found:?}\nbeats {beats:?}"
    );
    for (f, &(beat, frame)) in found.iter().zip(&beats) {
        let error_ms = (f - bias - frame as f64) * 1_000.0 / f64::from(RATE);
        assert!(
            error_ms.abs() <= 5.0,
            "beat {beat}: onset {error_ms:+.2} ms off"
        );
    }
}

/// A stop ends the music where the beat stops, faded out (no jump), then silence; a new start
/// plays the track from its first beat again, on the new first beat.
#[test]
fn a_stop_fades_the_music_out_and_a_new_start_begins_the_track_again() {
    use entrain_audio::Command;
    let track = sine_track(40.0);
    let input_jump = max_jump(&track.samples);
    let restart_frame = 6 * u64::from(RATE);
    let mut step = 0;
    let (left, beats) = run_parts(&track, 900, |commands, beats| {
        let command = match step {
            0 => Some(Command::Start {
                at_frame: FIRST_BEAT_FRAME,
                tempo: tempo(100.0),
            }),
            1 if beats.len() >= 2 => Some(Command::Stop { at_beat: 5 }),
            2 if beats.len() >= 5 => Some(Command::Start {
                at_frame: restart_frame,
                tempo: tempo(110.0),
            }),
            _ => None,
        };
        if let Some(c) = command {
            commands.push(c).unwrap();
            step += 1;
        }
    });
    assert_eq!(beats[4].0, 4);
    assert_eq!(beats[5], (5, restart_frame));
    // Silence from shortly after where beat 5 was due until the track's intro comes back.
    let stop_frame = FIRST_BEAT_FRAME + 5 * 28_800;
    let quiet = &left[stop_frame as usize + 2_000..stop_frame as usize + 20_000];
    assert!(quiet.iter().all(|&s| s == 0.0), "music after the stop");
    assert!(
        max_jump(&left) <= allowed_jump(input_jump, TONE_RIPPLE),
        "a jump at the stop or start"
    );
    // The restart plays the track from its start: the sine is back before the new first beat.
    let before_restart = &left[restart_frame as usize - 2_400..restart_frame as usize];
    assert!(before_restart.iter().any(|s| s.abs() > 0.2));
}

/// The cue's fade (the RAS fading phase) fades the music too, smoothly from beat to beat: gone
/// from the beat the fade reaches 0 on, back when it fades in again, never with a jump.
#[test]
fn a_fade_of_the_cue_fades_the_music_smoothly() {
    use entrain_audio::Command;
    let track = sine_track(40.0);
    let input_jump = max_jump(&track.samples);
    let mut sent = false;
    let (left, beats) = run_parts(&track, 900, |commands, _| {
        if !sent {
            for c in [
                Command::Start {
                    at_frame: FIRST_BEAT_FRAME,
                    tempo: tempo(100.0),
                },
                Command::Fade {
                    at_beat: 2,
                    over_beats: 4,
                    to_gain: 0.0,
                },
                Command::Fade {
                    at_beat: 9,
                    over_beats: 2,
                    to_gain: 1.0,
                },
            ] {
                commands.push(c).unwrap();
            }
            sent = true;
        }
    });
    let at = |beat: usize| beats[beat].1 as usize;
    let peak = |from: usize, to: usize| left[from..to].iter().fold(0.0f32, |m, s| m.max(s.abs()));
    // Full before the fade, falling beat by beat, silent from beat 6 to beat 9, back by beat 11.
    assert!(peak(at(1), at(2)) > 0.49);
    let falling: Vec<f32> = (2..6).map(|b| peak(at(b) + 4_800, at(b + 1))).collect();
    assert!(falling.windows(2).all(|w| w[1] < w[0]), "{falling:?}");
    assert!(
        left[at(6)..at(9)].iter().all(|&s| s == 0.0),
        "music during the faded beats"
    );
    assert!(peak(at(11), at(12)) > 0.49);
    assert!(
        max_jump(&left) <= allowed_jump(input_jump, TONE_RIPPLE),
        "a jump in the fade"
    );
}
