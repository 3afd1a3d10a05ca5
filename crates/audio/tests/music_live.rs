//! The live path's parts (worker, ring, callback) run in turn, as the device would run them:
//! an underrun plays silence and keeps the music on its frames; a session's per-beat starts, a
//! stop and a restart, and the cue's fade, each heard in the output (measured independently of
//! the renderer, on tracks synthesised with beats at known times).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::sync::Arc;

use common::*;
use entrain_audio::{MusicTrack, Overlay, Segment, onset_frames};

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
