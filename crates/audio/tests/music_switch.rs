//! Live changes to the music, through the live path's parts run in turn (as the device runs
//! them): the overlay and the music's volume change from the next buffer; a track put on takes
//! over on a beat, its first beat on that beat's frame, the old one faded out into it.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::sync::Arc;

use common::*;
use entrain_audio::{
    AudioCallback, CallbackState, Command, MusicCallbackState, MusicShared, MusicTrack,
    MusicWorker, Overlay, Renderer, Telemetry, music_parts,
};

struct Parts {
    callback: MusicCallbackState,
    worker: MusicWorker,
    commands: rtrb::Producer<Command>,
    telemetry: rtrb::Consumer<Telemetry>,
    shared: Arc<MusicShared>,
    left: Vec<f32>,
    beats: Vec<(u64, u64)>,
}

impl Parts {
    fn new(track: &MusicTrack, overlay: Overlay) -> Self {
        let (mut commands, command_rx) = rtrb::RingBuffer::new(64);
        let (telemetry_tx, telemetry) = rtrb::RingBuffer::new(8192);
        let state = CallbackState::new(Renderer::new(RATE, 2), command_rx, telemetry_tx);
        let shared = Arc::new(MusicShared::new());
        let (callback, worker) =
            music_parts(track, state, overlay, 1.0, 4_096, Arc::clone(&shared)).unwrap();
        commands
            .push(Command::Start {
                at_frame: FIRST_BEAT_FRAME,
                tempo: tempo(100.0),
            })
            .unwrap();
        Self {
            callback,
            worker,
            commands,
            telemetry,
            shared,
            left: Vec::new(),
            beats: Vec::new(),
        }
    }

    /// `n` buffers of 512 frames.
    fn run(&mut self, n: usize) {
        let mut buffer = vec![0.0f32; 2 * 512];
        for _ in 0..n {
            self.worker.fill_ring();
            self.callback.process_f32(&mut buffer, 0, 0);
            self.left.extend(buffer.iter().step_by(2));
            while let Ok(item) = self.telemetry.pop() {
                if let Telemetry::Beat(b) = item {
                    self.beats.push((b.beat, b.frame));
                }
            }
        }
        assert_eq!(self.shared.underruns(), 0);
    }

    fn peak(&self, from: usize, to: usize) -> f32 {
        self.left[from..to]
            .iter()
            .fold(0.0f32, |m, s| m.max(s.abs()))
    }
}

#[test]
fn the_overlay_and_the_music_volume_change_from_the_next_buffer() {
    let track = sine_track(30.0);
    let mut p = Parts::new(&track, Overlay::MusicOnly);
    p.run(200);
    let before = p.peak(150 * 512, 200 * 512);
    assert!((before - 0.5).abs() < 0.05, "{before}");
    p.shared.set_music_volume(0.5).unwrap();
    p.run(100);
    let halved = p.peak(201 * 512, 300 * 512);
    assert!((halved - 0.25).abs() < 0.03, "{halved}");
    // The click alone: no music at all between the clicks, and the clicks sound.
    p.shared.set_overlay(Overlay::ClickOnly).unwrap();
    p.run(200);
    let beats: Vec<usize> = p
        .beats
        .iter()
        .map(|b| b.1 as usize)
        .filter(|&f| f > 301 * 512)
        .collect();
    assert!(beats.len() >= 3);
    for w in beats.windows(2) {
        assert!(
            p.peak(w[0], w[0] + 2_400) > 0.1,
            "no click at frame {}",
            w[0]
        );
        let quiet = &p.left[w[0] + 9_600..w[1]];
        assert!(quiet.iter().all(|&s| s == 0.0), "music between the clicks");
    }
    assert!(p.shared.set_music_volume(1.5).is_err());
    assert!(
        p.shared
            .set_overlay(Overlay::MusicWithClick {
                click_level: -0.1,
                offbeat_level: 0.5
            })
            .is_err()
    );
    assert_eq!(p.shared.overlay(), Overlay::ClickOnly);
}

#[test]
fn a_track_put_on_takes_over_on_a_beat_with_its_first_beat_on_that_beats_frame() {
    // The sine has no onsets; the drum has one on each of its four beats, then ends: only its
    // beat 0 paired with the take-over beat plays them there.
    let (old, new) = (sine_track(30.0), drum_track(3.0));
    assert_eq!(new.beats_secs.len(), 4);
    let mut p = Parts::new(&old, Overlay::MusicOnly);
    p.run(300);
    let from = 300 * 512;
    let (beat, onset) = p
        .worker
        .put_on(&new, from)
        .unwrap()
        .expect("a beat to take over on");
    assert!(onset >= from);
    p.run(600);
    // The take-over beat is one the renderer played, on its frame.
    assert!(
        p.beats.contains(&(beat, onset)),
        "{beat} at {onset}: {:?}",
        p.beats
    );
    let bias = detector_bias_frames(&new);
    let found: Vec<f64> = onsets(&p.left).into_iter().map(|f| f - bias).collect();
    let first = found.first().copied().expect("the new track's beats");
    let ms = |frames: f64| frames * 1_000.0 / f64::from(RATE);
    assert!(
        ms(first - onset as f64).abs() <= 5.0,
        "the new track's first beat {:+.2} ms off its beat",
        ms(first - onset as f64)
    );
    // From there the next four played beats have the new track's hits on them (its beat 0 on
    // `beat`), and then it has ended.
    let after: Vec<u64> = p
        .beats
        .iter()
        .filter(|b| b.0 >= beat)
        .map(|b| b.1)
        .take(4)
        .collect();
    assert_eq!(after.len(), 4);
    assert_eq!(
        found.len(),
        after.len(),
        "onsets {found:?}\nbeats {after:?}"
    );
    for (f, &frame) in found.iter().zip(&after) {
        assert!(
            ms(f - frame as f64).abs() <= 5.0,
            "an onset {:+.2} ms off",
            ms(f - frame as f64)
        );
    }
    // The old track plays up to the fade and is gone after the beat: the drum's tone (0.08)
    // is all there is between its hits.
    let o = onset as usize;
    assert!(
        p.peak(o - 20_000, o - 6_000) > 0.45,
        "the old track before the switch"
    );
    let between = p.peak(o + 12_000, o + 16_000);
    assert!(
        between < 0.1,
        "the old track still plays after the switch: {between}"
    );
}

#[test]
fn with_the_beat_stopped_a_track_put_on_plays_from_the_next_start() {
    let (old, new) = (sine_track(30.0), drum_track(30.0));
    let mut p = Parts::new(&old, Overlay::MusicOnly);
    p.run(100);
    p.commands.push(Command::Stop { at_beat: 3 }).unwrap();
    p.run(200);
    assert_eq!(p.worker.put_on(&new, 0).unwrap(), None);
    let restart = 300 * 512 + 10_000;
    p.commands
        .push(Command::Start {
            at_frame: restart as u64,
            tempo: tempo(100.0),
        })
        .unwrap();
    p.run(300);
    let bias = detector_bias_frames(&new);
    let found: Vec<f64> = onsets(&p.left[300 * 512..])
        .into_iter()
        .map(|f| f + (300 * 512) as f64 - bias)
        .collect();
    let first = found.first().copied().unwrap();
    assert!(
        (first - restart as f64).abs() * 1_000.0 / f64::from(RATE) <= 5.0,
        "the new track's beat 0 at {first}, the start at {restart}"
    );
}
