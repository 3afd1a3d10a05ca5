//! The renderer starts every beat on its scheduled frame, whatever the buffer size.
#![allow(clippy::unwrap_used, missing_docs)]

use entrain_audio::{
    Command, CueStyle, PEAK_LEVEL, PlayedBeat, Renderer, ScheduleChange, Segment, SoundId, Tempo,
    onset_frames,
};
use proptest::prelude::*;

const RATE: u32 = 48_000;
const BUFFER_SIZES: [usize; 9] = [1, 7, 64, 441, 512, 1000, 4096, 4097, 10_000];

fn tempo(bpm: f64) -> Tempo {
    Tempo::from_bpm(bpm).unwrap()
}

/// Renders `frames` frames in buffers of `buffer` frames; returns the beats and the audio.
fn render(
    renderer: &mut Renderer,
    frames: usize,
    buffer: usize,
    mut before: impl FnMut(&mut Renderer, u64),
) -> (Vec<PlayedBeat>, Vec<f32>) {
    let ch = renderer.channels();
    let mut out = vec![0.0; frames * ch];
    let mut beats = Vec::new();
    for chunk in out.chunks_mut(buffer * ch) {
        before(renderer, renderer.frame());
        renderer.render(chunk, |b| beats.push(b));
    }
    (beats, out)
}

/// First frame of each sound found in the audio itself (silence → sound), independent of the
/// renderer's own report.
fn audible_onsets(out: &[f32], channels: usize) -> Vec<u64> {
    let mut onsets = Vec::new();
    let mut quiet_run = usize::MAX;
    for (i, frame) in out.chunks(channels).enumerate() {
        let loud = frame.iter().any(|s| s.abs() > 1e-6);
        if loud && quiet_run > 200 {
            onsets.push(i as u64);
        }
        quiet_run = if loud { 0 } else { quiet_run.saturating_add(1) };
    }
    onsets
}

fn started(at_frame: u64, bpm: f64) -> Renderer {
    let mut r = Renderer::new(RATE, 2);
    r.apply(Command::Start {
        at_frame,
        tempo: tempo(bpm),
    })
    .unwrap();
    r
}

#[test]
fn onsets_at_exact_frames_for_any_buffer_size() {
    let start = Segment {
        start_beat: 0,
        start_frame: 123,
        tempo: tempo(110.0),
    };
    let expected = onset_frames(start, &[], 23, RATE);
    for buffer in BUFFER_SIZES {
        let mut r = started(123, 110.0);
        let (beats, audio) = render(&mut r, 600_000, buffer, |_, _| {});
        let frames: Vec<u64> = beats.iter().map(|b| b.frame).collect();
        assert_eq!(frames, expected, "buffer {buffer}");
        assert_eq!(audible_onsets(&audio, 2), expected, "buffer {buffer}");
    }
}

#[test]
fn tempo_and_phase_changes_take_effect_at_their_beat() {
    let start = Segment {
        start_beat: 0,
        start_frame: 0,
        tempo: tempo(100.0),
    };
    let changes = [
        ScheduleChange {
            at_beat: 5,
            tempo: Some(tempo(117.5)),
            shift_frames: 0,
        },
        ScheduleChange {
            at_beat: 9,
            tempo: None,
            shift_frames: -1234,
        },
        ScheduleChange {
            at_beat: 12,
            tempo: Some(tempo(60.0)),
            shift_frames: 777,
        },
    ];
    let expected = onset_frames(start, &changes, 16, RATE);
    for buffer in BUFFER_SIZES {
        let mut r = started(0, 100.0);
        // Every change is sent early, at the first buffer, and must wait for its beat.
        let (beats, audio) = render(&mut r, 800_000, buffer, |r, frame| {
            if frame == 0 {
                for c in changes {
                    r.apply(Command::Change(c)).unwrap();
                }
            }
        });
        let frames: Vec<u64> = beats.iter().take(16).map(|b| b.frame).collect();
        assert_eq!(frames, expected, "buffer {buffer}");
        assert_eq!(
            &audible_onsets(&audio, 2)[..16],
            &expected[..],
            "buffer {buffer}"
        );
    }
}

#[test]
fn a_change_for_a_past_beat_applies_at_the_next_beat() {
    let mut r = started(0, 120.0);
    let (beats, _) = render(&mut r, 30_000, 512, |_, _| {});
    assert_eq!(beats.len(), 2); // beats 0 and 1 (24 000) played
    r.apply(Command::Change(ScheduleChange {
        at_beat: 0,
        tempo: Some(tempo(60.0)),
        shift_frames: 0,
    }))
    .unwrap();
    let (beats, _) = render(&mut r, 100_000, 512, |_, _| {});
    // Beat 2 keeps its frame (48 000); beat 3 follows one second later.
    assert_eq!(beats[0].frame, 48_000);
    assert_eq!(beats[1].frame, 96_000);
}

#[test]
fn stop_silences_from_its_beat() {
    let mut r = started(0, 120.0);
    r.apply(Command::Stop { at_beat: 3 }).unwrap();
    let (beats, _) = render(&mut r, 200_000, 64, |_, _| {});
    assert_eq!(beats.len(), 3);
}

#[test]
fn accents_feet_pan_and_fades() {
    let mut r = started(0, 120.0);
    r.apply(Command::SetStyle(CueStyle {
        left_sound: SoundId::Woodblock,
        right_sound: SoundId::Drum,
        accent_every_beats: 4,
        unaccented_level: 0.5,
        pan: 1.0,
        ..CueStyle::default()
    }))
    .unwrap();
    r.apply(Command::Fade {
        at_beat: 4,
        over_beats: 4,
        to_gain: 0.0,
    })
    .unwrap();
    r.apply(Command::Fade {
        at_beat: 10,
        over_beats: 2,
        to_gain: 1.0,
    })
    .unwrap();
    let (beats, audio) = render(&mut r, 13 * 24_000, 333, |_, _| {});
    let gains: Vec<f32> = beats.iter().map(|b| b.gain).collect();
    assert_eq!(
        gains,
        vec![
            1.0, 0.5, 0.5, 0.5, 1.0, 0.375, 0.25, 0.125, 0.0, 0.0, 0.0, 0.25, 1.0
        ]
    );
    assert_eq!(beats[0].sound, SoundId::Woodblock);
    assert_eq!(beats[1].sound, SoundId::Drum);
    // Beat 0 is a left step, hard left: nothing on the right channel while it sounds.
    let right_peak = audio[..2 * 5_000]
        .chunks(2)
        .fold(0.0f32, |m, f| m.max(f[1].abs()));
    let left_peak = audio[..2 * 5_000]
        .chunks(2)
        .fold(0.0f32, |m, f| m.max(f[0].abs()));
    assert_eq!(right_peak, 0.0);
    assert!((left_peak - PEAK_LEVEL).abs() < 1e-4);
}

#[test]
fn no_sound_clips_at_full_volume_and_fastest_tempo() {
    for sound in SoundId::ALL {
        let mut r = started(0, f64::from(entrain_audio::MAX_BPM));
        r.apply(Command::SetStyle(CueStyle::plain(sound))).unwrap();
        let (beats, audio) = render(&mut r, 48_000 * 3, 480, |_, _| {});
        assert_eq!(beats.len(), 15);
        let peak = audio.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        assert!(peak <= PEAK_LEVEL + 1e-6, "{sound}: {peak}");
    }
}

#[test]
fn mono_output_carries_the_beat() {
    let mut r = Renderer::new(44_100, 1);
    r.apply(Command::Start {
        at_frame: 10,
        tempo: tempo(60.0),
    })
    .unwrap();
    let (beats, audio) = render(&mut r, 100_000, 7, |_, _| {});
    assert_eq!(
        beats.iter().map(|b| b.frame).collect::<Vec<_>>(),
        [10, 44_110, 88_210]
    );
    assert_eq!(audible_onsets(&audio, 1), [10, 44_110, 88_210]);
}

proptest! {
    /// Over an hour, beat n of the schedule sits within half a frame of n · 60 / bpm seconds: the
    /// integer arithmetic never drifts (checked against exact rational time).
    #[test]
    fn schedule_never_drifts_over_an_hour(milli_bpm in 30_000u32..=200_000, start in 0u64..100_000) {
        let t = Tempo::from_milli_bpm(milli_bpm).unwrap();
        let seg = Segment { start_beat: 0, start_frame: start, tempo: t };
        let beats_per_hour = u64::from(milli_bpm) * 60 / 1000;
        for beat in [1, 2, 3, beats_per_hour / 2, beats_per_hour - 1, beats_per_hour] {
            let frame = seg.onset_frame(beat, RATE);
            // Ideal: start + beat · RATE · 60000 / milli_bpm, as an exact fraction.
            let num = i128::from(beat) * i128::from(RATE) * 60_000;
            let den = i128::from(milli_bpm);
            let error_twice_den = 2 * (i128::from(frame - start) * den - num);
            prop_assert!(error_twice_den.abs() <= den, "beat {beat}: frame {frame}");
        }
        // Successive intervals differ by at most one frame (no accumulation).
        let period = t.period_frames_f64(RATE);
        for beat in [0, beats_per_hour - 2] {
            let d = seg.onset_frame(beat + 1, RATE) - seg.onset_frame(beat, RATE);
            prop_assert!((d as f64 - period).abs() <= 1.0);
        }
    }

    /// The rendered beats land on the schedule over shorter spans, whatever the buffer sizes
    /// (buffer sizes vary from call to call, as they may in a real callback).
    #[test]
    fn rendered_onsets_follow_the_schedule(
        milli_bpm in 30_000u32..=200_000,
        start in 0u64..5_000,
        buffers in proptest::collection::vec(1usize..5_000, 1..40),
    ) {
        let t = Tempo::from_milli_bpm(milli_bpm).unwrap();
        let mut r = Renderer::new(RATE, 2);
        r.apply(Command::Start { at_frame: start, tempo: t }).unwrap();
        let mut out = vec![0.0; 5_000 * 2];
        let mut played = Vec::new();
        let total = 60 * RATE as usize;
        let mut done = 0;
        let mut i = 0;
        while done < total {
            let n = buffers[i % buffers.len()].min(total - done);
            r.render(&mut out[..n * 2], |b| played.push(b.frame));
            done += n;
            i += 1;
        }
        let seg = Segment { start_beat: 0, start_frame: start, tempo: t };
        let expected: Vec<u64> = (0..played.len() as u64).map(|b| seg.onset_frame(b, RATE)).collect();
        prop_assert_eq!(&played, &expected);
        prop_assert!(played.len() as u64 >= u64::from(milli_bpm) / 1000 - 1);
    }
}

proptest! {
    /// A copy of the schedule taken at any frame and caught up to a later frame (what the music
    /// worker does) sees the same upcoming beats as the renderer that played up to there.
    #[test]
    fn a_schedule_copy_caught_up_agrees_with_the_renderer(
        start in 0u64..50_000,
        changes in proptest::collection::vec((1u64..12, 60.0f64..180.0, -3_000i64..3_000), 0..6),
        copy_at in 0u64..200_000,
        later in 1u64..300_000,
        buffer in 1usize..5_000,
    ) {
        let mut r = started(start, 100.0);
        for &(at_beat, bpm, shift_frames) in &changes {
            r.apply(Command::Change(ScheduleChange {
                at_beat,
                tempo: Some(tempo(bpm)),
                shift_frames,
            }))
            .unwrap();
        }
        render(&mut r, copy_at as usize, buffer, |_, _| {});
        let mut copy = r.schedule();
        let target = r.frame() + later;
        render(&mut r, later as usize, buffer, |_, _| {});
        copy.advance_to(target);
        let (mut from_copy, mut from_renderer) = ([(0, 0); 3], [(0, 0); 3]);
        let n = copy.upcoming_onsets(&mut from_copy);
        prop_assert_eq!(n, r.upcoming_onsets(&mut from_renderer));
        prop_assert_eq!(from_copy, from_renderer);
        prop_assert_eq!(copy.next_beat(), r.next_beat());
        prop_assert_eq!(copy.first_beat(), Some(0));
    }
}
