//! Beat-locked stretching, the pure core: which track position each output frame plays so that
//! music beat `m` sounds exactly on the frame of the cue beat it is paired with.
//!
//! The map from output frames to track frames is piecewise linear through the pairs
//! (scheduled onset of cue beat `first + m`, track frame of music beat `m`). It is planned block by
//! block from where the plan is now towards the next scheduled beat, so a tempo change or a phase
//! correction that arrives mid-beat bends the rest of that beat and never makes the track position
//! jump. The ratio itself never steps: it ramps to each new value over a short ramp (50 ms in the
//! music engine) and holds it, the held value chosen so the beat still lands exactly. It is held
//! within [`MIN_STRETCH_RATIO`]..=[`MAX_STRETCH_RATIO`]; a beat that
//! cannot be reached within them lands late (or early) and the following beats take up the rest.
//! No clocks, threads or allocation: frames are parameters.

use crate::error::AudioError;

/// Slowest playback of the track (track frames per output frame): half speed.
pub const MIN_STRETCH_RATIO: f64 = 0.5;
/// Fastest playback of the track (track frames per output frame): double speed.
pub const MAX_STRETCH_RATIO: f64 = 2.0;

/// A track's beat times in its own frames: at least two, strictly increasing.
#[derive(Clone, Debug, PartialEq)]
pub struct TrackBeats {
    frames: Vec<f64>,
}

impl TrackBeats {
    /// Beat times in seconds of track time, at the track's `rate_hz`.
    pub fn new(beats_secs: &[f64], rate_hz: u32) -> Result<Self, AudioError> {
        let refuse = |detail: String| {
            Err(AudioError::Track {
                what: "beats",
                detail,
            })
        };
        if beats_secs.len() < 2 {
            return refuse(format!("need at least 2, got {}", beats_secs.len()));
        }
        if let Some(i) = beats_secs.iter().position(|b| !b.is_finite()) {
            return refuse(format!("beat {i} is not a number ({})", beats_secs[i]));
        }
        if let Some(i) = beats_secs.windows(2).position(|w| w[1] <= w[0]) {
            return refuse(format!(
                "must increase: beat {} at {} s is not after beat {i} at {} s",
                i + 1,
                beats_secs[i + 1],
                beats_secs[i]
            ));
        }
        let rate = f64::from(rate_hz);
        Ok(Self {
            frames: beats_secs.iter().map(|b| b * rate).collect(),
        })
    }

    /// How many beats the track holds.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Always false: a track has at least two beats.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The track frame of music beat `m`; past the last beat, the last interval goes on.
    pub fn frame_of(&self, m: u64) -> f64 {
        let count = self.frames.len();
        match usize::try_from(m) {
            Ok(i) if i < count => self.frames[i],
            _ => {
                let last = self.frames[count - 1];
                let interval = last - self.frames[count - 2];
                last + (m as f64 - (count - 1) as f64) * interval
            }
        }
    }
}

/// One planned stretch of output frames.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlanStep {
    /// Output frames covered (≤ the frames asked for; the step ends on a scheduled beat).
    pub frames: u64,
    /// Track frame played at the step's end, or `None` while no music is planned.
    pub track_frame: Option<f64>,
    /// Track frames per output frame over the step, on average.
    pub ratio: f64,
}

/// The plan: the output frame it has reached, and the track frame playing there.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BeatPlanner {
    frame: u64,
    ramp_frames: u64,
    playing: Option<Playing>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Playing {
    first_beat: u64,
    track_frame: f64,
    ratio: f64,
}

impl BeatPlanner {
    /// A plan at output frame `frame`, with no music until the schedule has a beat. A change of
    /// ratio is spread over `ramp_frames` (at least 1): the ratio moves linearly to its new value
    /// and holds it, chosen so that the beat still lands exactly.
    pub fn new(frame: u64, ramp_frames: u64) -> Self {
        Self {
            frame,
            ramp_frames: ramp_frames.max(1),
            playing: None,
        }
    }

    /// Frames a change of ratio is spread over.
    pub fn ramp_frames(&self) -> u64 {
        self.ramp_frames
    }

    /// The output frame the plan has reached.
    pub fn frame(&self) -> u64 {
        self.frame
    }

    /// The track frame playing at [`BeatPlanner::frame`], while music is planned.
    pub fn track_frame(&self) -> Option<f64> {
        self.playing.map(|p| p.track_frame)
    }

    /// The cue beat music beat 0 is paired with, while music is planned.
    pub fn first_beat(&self) -> Option<u64> {
        self.playing.map(|p| p.first_beat)
    }

    /// The ratio at the end of the last step (track frames per output frame).
    pub fn ratio(&self) -> Option<f64> {
        self.playing.map(|p| p.ratio)
    }

    /// Ends the music; the next beat the schedule has starts the track again at its beat 0.
    pub fn stop(&mut self) {
        self.playing = None;
    }

    /// Plans up to `max_frames` more output frames. `first_beat` is the cue beat music beat 0 is
    /// paired with ([`crate::BeatSchedule::first_beat`]); `upcoming` holds the schedule's next
    /// beats not yet started as `(cue beat, onset frame)`, as
    /// [`crate::BeatSchedule::upcoming_onsets`] gives them for a schedule at
    /// [`BeatPlanner::frame`]; two are best (the entering ratio needs the first beat's length).
    /// The step ends on the next onset, so that beat's track frame is reached exactly there. With
    /// no upcoming beat (the schedule stopped) the music goes on at its last ratio.
    pub fn advance(
        &mut self,
        max_frames: u64,
        first_beat: Option<u64>,
        upcoming: &[(u64, u64)],
        beats: &TrackBeats,
    ) -> PlanStep {
        let frame = self.frame;
        let playing = match (self.playing, first_beat, upcoming.first()) {
            (Some(playing), Some(first), _) if playing.first_beat == first => Some(playing),
            (Some(playing), None, _) => Some(playing),
            (_, Some(first), Some(&(beat, onset))) if beat >= first => {
                // Enter the track so that this beat falls on its onset at the ratio of the beat
                // that follows (frames before the track's start play silence).
                let m = beat - first;
                let ratio = match upcoming.get(1) {
                    Some(&(_, next)) if next > onset => clamp_ratio(
                        (beats.frame_of(m + 1) - beats.frame_of(m)) / (next - onset) as f64,
                    ),
                    _ => 1.0,
                };
                let ahead = onset as f64 - frame as f64;
                Some(Playing {
                    first_beat: first,
                    track_frame: beats.frame_of(m) - ahead * ratio,
                    ratio,
                })
            }
            _ => None,
        };
        let Some(playing) = playing else {
            self.playing = None;
            self.frame += max_frames;
            return PlanStep {
                frames: max_frames,
                track_frame: None,
                ratio: 1.0,
            };
        };
        let target = upcoming
            .iter()
            .find(|&&(beat, onset)| onset > frame && beat >= playing.first_beat);
        let (frames, end_ratio, advance, landed) = match target {
            Some(&(beat, onset)) => {
                let to_go = onset - frame;
                let target_track = beats.frame_of(beat - playing.first_beat);
                // The ratio ramps from where it is (r0) to a held value over `ramp`, so that the
                // track covers `distance` in `to_go` frames:
                // r0·ramp/2 + held·(to_go − ramp/2) = distance.
                let (r0, length) = (playing.ratio, to_go as f64);
                let ramp = (self.ramp_frames as f64).min(length);
                let distance = target_track - playing.track_frame;
                let wanted = (distance - r0 * ramp / 2.0) / (length - ramp / 2.0);
                let held = clamp_ratio(wanted);
                let frames = to_go.min(max_frames);
                let n = frames as f64;
                let (end_ratio, advance) = if n <= ramp {
                    let end = r0 + (held - r0) * n / ramp;
                    (end, (r0 + end) / 2.0 * n)
                } else {
                    (held, (r0 + held) / 2.0 * ramp + held * (n - ramp))
                };
                let landed = (frames == to_go && held == wanted).then_some(target_track);
                (frames, end_ratio, advance, landed)
            }
            None => (
                max_frames,
                playing.ratio,
                playing.ratio * max_frames as f64,
                None,
            ),
        };
        // On the beat, take its track frame exactly rather than a sum that rounds.
        let track_frame = landed.unwrap_or(playing.track_frame + advance);
        self.frame = frame + frames;
        self.playing = Some(Playing {
            track_frame,
            ratio: end_ratio,
            ..playing
        });
        PlanStep {
            frames,
            track_frame: Some(track_frame),
            ratio: advance / frames.max(1) as f64,
        }
    }
}

fn clamp_ratio(ratio: f64) -> f64 {
    if ratio.is_nan() {
        1.0
    } else {
        ratio.clamp(MIN_STRETCH_RATIO, MAX_STRETCH_RATIO)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::renderer::{Command, Renderer};
    use crate::schedule::ScheduleChange;
    use crate::tempo::Tempo;

    const RATE: u32 = 48_000;
    /// 50 ms, as the music engine ramps.
    const RAMP_FRAMES: u64 = 2_400;

    /// A track at `bpm` whose beat 0 is at `first_secs`.
    fn steady_track(bpm: f64, first_secs: f64, count: usize) -> TrackBeats {
        let beats: Vec<f64> = (0..count)
            .map(|i| first_secs + i as f64 * 60.0 / bpm)
            .collect();
        TrackBeats::new(&beats, RATE).unwrap()
    }

    fn tempo(bpm: f64) -> Tempo {
        Tempo::from_bpm(bpm).unwrap()
    }

    /// What a plan did: the track frame at every step's end (frame, track frame, ratio), and the
    /// beats the renderer started with the track frame planned at their onset.
    struct Run {
        steps: Vec<(u64, f64, f64)>,
        on_beats: Vec<(u64, u64, f64)>,
    }

    /// Plans `frames` frames in blocks of `block` with a renderer following the same schedule
    /// (its onsets are the targets); `before` may send commands at a frame.
    fn run(
        renderer: &mut Renderer,
        beats: &TrackBeats,
        frames: u64,
        block: u64,
        mut before: impl FnMut(&mut Renderer, u64),
    ) -> Run {
        let mut planner = BeatPlanner::new(renderer.frame(), RAMP_FRAMES);
        let mut steps = Vec::new();
        let mut on_beats = Vec::new();
        let mut upcoming = [(0u64, 0u64); 2];
        let mut scratch = vec![0.0f32; 2 * block as usize];
        while planner.frame() < frames {
            before(renderer, planner.frame());
            let schedule = renderer.schedule();
            let count = schedule.upcoming_onsets(&mut upcoming);
            let step = planner.advance(block, schedule.first_beat(), &upcoming[..count], beats);
            assert!(step.frames > 0 && step.frames <= block);
            let out = &mut scratch[..2 * step.frames as usize];
            renderer.render(out, |b| on_beats.push((b.beat, b.frame, f64::NAN)));
            if let Some(t) = step.track_frame {
                steps.push((planner.frame(), t, step.ratio));
            }
            assert_eq!(renderer.frame(), planner.frame());
        }
        // Each step ends on an onset; the track frame planned there is that beat's.
        for beat in &mut on_beats {
            let end = steps.iter().find(|s| s.0 == beat.1);
            beat.2 = end.map_or(f64::NAN, |s| s.1);
        }
        Run { steps, on_beats }
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

    /// Every started beat's onset frame is the end of a step whose track frame is that music
    /// beat's, exactly.
    fn assert_beats_exact(run: &Run, beats: &TrackBeats, first_beat: u64) {
        assert!(!run.on_beats.is_empty());
        for &(beat, frame, track) in &run.on_beats {
            let expected = beats.frame_of(beat - first_beat);
            assert_eq!(track, expected, "beat {beat} at frame {frame}");
        }
    }

    /// No step moves the track by more than its frames at the largest ratio, nor backwards.
    fn assert_continuous(run: &Run) {
        for w in run.steps.windows(2) {
            let (f0, t0, _) = w[0];
            let (f1, t1, _) = w[1];
            let frames = (f1 - f0) as f64;
            assert!(
                t1 - t0 >= MIN_STRETCH_RATIO * frames - 1e-6
                    && t1 - t0 <= MAX_STRETCH_RATIO * frames + 1e-6,
                "jump from {t0} at {f0} to {t1} at {f1}"
            );
        }
    }

    #[test]
    fn steady_tempo_puts_every_music_beat_on_its_cue_beat() {
        // Track at 120 beats/min (24 000 frames a beat) played at 100 (28 800): ratio 5/6.
        let beats = steady_track(120.0, 0.25, 64);
        let mut r = started(48_000, 100.0);
        let run = run(&mut r, &beats, 20 * RATE as u64, 512, |_, _| {});
        assert_beats_exact(&run, &beats, 0);
        assert_eq!(run.on_beats.len(), 32);
        assert_eq!(run.on_beats[1].1, 48_000 + 28_800);
        for &(_, _, ratio) in &run.steps {
            assert!((ratio - 24_000.0 / 28_800.0).abs() < 1e-12, "{ratio}");
        }
        // Before beat 0 the track's intro (0.25 s = 12 000 frames) plays at the same ratio, from
        // silence before the track's start.
        let first = run.steps[0];
        assert!((first.1 - (12_000.0 - (48_000.0 - 512.0) * 5.0 / 6.0)).abs() < 1e-6);
        assert_continuous(&run);
    }

    #[test]
    fn tempo_changes_and_phase_shifts_sent_ahead_land_exactly() {
        let beats = steady_track(96.0, 0.0, 64);
        let mut r = started(10_000, 110.0);
        for (at_beat, bpm, shift_frames) in [(3, 126.5, 0), (6, 101.2, 333), (9, 101.2, -500)] {
            r.apply(Command::Change(ScheduleChange {
                at_beat,
                tempo: Some(tempo(bpm)),
                shift_frames,
            }))
            .unwrap();
        }
        let run = run(&mut r, &beats, 10 * RATE as u64, 441, |_, _| {});
        assert_beats_exact(&run, &beats, 0);
        assert!(run.on_beats.len() >= 15);
        assert_continuous(&run);
    }

    #[test]
    fn a_ramp_of_fifteen_percent_lands_every_beat() {
        // The cue speeds up 1.5 % a beat for ten beats, as a session's tempo ramp does.
        let beats = steady_track(100.0, 0.1, 64);
        let mut r = started(4_800, 100.0);
        for k in 1..=10u64 {
            let bpm = 100.0 * (1.0 + 0.015 * k as f64);
            r.apply(Command::Change(ScheduleChange {
                at_beat: k,
                tempo: Some(tempo(bpm)),
                shift_frames: 0,
            }))
            .unwrap();
        }
        let run = run(&mut r, &beats, 12 * RATE as u64, 512, |_, _| {});
        assert_beats_exact(&run, &beats, 0);
        let last_ratio = run.steps.last().unwrap().2;
        assert!((last_ratio - 1.15).abs() < 1e-3, "{last_ratio}");
        assert_continuous(&run);
    }

    #[test]
    fn the_ratio_ramps_instead_of_stepping() {
        // A 10 % tempo step at beat 3 and a 1 500-frame phase correction at beat 6: the ratio
        // moves over the 50 ms ramp (about five 512-frame blocks), never by 10 % at once.
        let beats = steady_track(100.0, 0.0, 64);
        let mut r = started(1_000, 100.0);
        for (at_beat, bpm, shift_frames) in [(3, 110.0, 0), (6, 110.0, 1_500)] {
            r.apply(Command::Change(ScheduleChange {
                at_beat,
                tempo: Some(tempo(bpm)),
                shift_frames,
            }))
            .unwrap();
        }
        let run = run(&mut r, &beats, 8 * RATE as u64, 512, |_, _| {});
        assert_beats_exact(&run, &beats, 0);
        let largest = run
            .steps
            .windows(2)
            .map(|w| (w[1].2 - w[0].2).abs())
            .fold(0.0, f64::max);
        assert!(largest < 0.025, "the ratio jumped by {largest}");
        let last = run.steps.last().unwrap().2;
        assert!((last - 1.1).abs() < 1e-3, "{last}");
    }

    #[test]
    fn a_correction_arriving_mid_beat_bends_the_rest_of_that_beat() {
        let beats = steady_track(100.0, 0.0, 64);
        let mut r = started(1_000, 100.0);
        let mut sent = false;
        // Halfway to beat 4 (4 × 28 800 frames on), beat 4 on is moved 2 000 frames earlier.
        let run = run(&mut r, &beats, 8 * RATE as u64, 512, |r, frame| {
            if !sent && frame >= 1_000 + 3 * 28_800 + 14_400 {
                r.apply(Command::Change(ScheduleChange {
                    at_beat: 4,
                    tempo: None,
                    shift_frames: -2_000,
                }))
                .unwrap();
                sent = true;
            }
        });
        assert_beats_exact(&run, &beats, 0);
        assert_eq!(run.on_beats[4].1, 1_000 + 4 * 28_800 - 2_000);
        assert_continuous(&run);
        // The 2 000 frames are taken up over what is left of beat 3, not in a jump.
        let faster = run.steps.iter().filter(|s| s.2 > 1.0 + 1e-9).count();
        assert!(faster > 10, "{faster} faster steps");
    }

    #[test]
    fn a_beat_out_of_the_ratio_limits_lands_late_and_the_next_beats_catch_up() {
        // Track at 60 beats/min: playing it at 100 needs 1.67, within limits; a jump of half a
        // beat later at beat 3 needs more than 2 over the rest of beat 2 if sent late.
        let beats = steady_track(60.0, 0.0, 64);
        let mut r = started(1_000, 100.0);
        let mut sent = false;
        let run = run(&mut r, &beats, 10 * RATE as u64, 512, |r, frame| {
            if !sent && frame >= 1_000 + 2 * 28_800 + 20_000 {
                r.apply(Command::Change(ScheduleChange {
                    at_beat: 3,
                    tempo: None,
                    shift_frames: -8_000,
                }))
                .unwrap();
                sent = true;
            }
        });
        assert_continuous(&run);
        let off = |i: usize| run.on_beats[i].2 - beats.frame_of(run.on_beats[i].0);
        assert!(off(3) < -1_000.0, "beat 3 is late: {}", off(3));
        assert!(run.steps.iter().any(|s| s.2 == MAX_STRETCH_RATIO));
        // Within two more beats it is back on exactly.
        for i in 5..run.on_beats.len() {
            assert_eq!(off(i), 0.0, "beat {i}");
        }
    }

    #[test]
    fn a_stop_then_a_start_plays_the_track_from_its_first_beat_again() {
        let beats = steady_track(100.0, 0.0, 64);
        let mut planner = BeatPlanner::new(0, RAMP_FRAMES);
        let step = planner.advance(512, None, &[], &beats);
        assert_eq!(step.track_frame, None);
        let step = planner.advance(512, Some(7), &[(7, 1_024), (8, 29_824)], &beats);
        assert_eq!(planner.first_beat(), Some(7));
        assert_eq!(step.frames, 512);
        assert_eq!(step.track_frame, Some(0.0));
        // A stopped schedule: the music goes on at its ratio until told to stop.
        let step = planner.advance(512, None, &[], &beats);
        assert_eq!(step.track_frame, Some(512.0 * 28_800.0 / 28_800.0));
        planner.stop();
        assert_eq!(planner.track_frame(), None);
        // A new start whose beat 20 already played: beat 21 is music beat 1.
        planner.advance(512, Some(20), &[(21, 100_000), (22, 128_800)], &beats);
        assert_eq!(planner.first_beat(), Some(20));
        let t = planner.track_frame().unwrap();
        assert!((t - (28_800.0 - (100_000.0 - 2_048.0))).abs() < 1e-9, "{t}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// Any track tempo, cue tempo, tempo changes and phase shifts sent ahead, any block size:
        /// every beat lands exactly and the track position never jumps. (The ranges keep every
        /// beat's ratio within the limits: at most 150/90 × 18 000/16 000 = 1.88, at least
        /// 75/130 × 38 400/40 400 = 0.55.)
        #[test]
        fn changes_sent_ahead_always_land_exactly(
            track_bpm in 90.0f64..130.0,
            start_bpm in 75.0f64..150.0,
            changes in proptest::collection::vec((75.0f64..150.0, -2_000i64..2_000), 1..8),
            block in 1u64..5_000,
            start_frame in 0u64..50_000,
        ) {
            let beats = steady_track(track_bpm, 0.3, 64);
            let mut r = started(start_frame, start_bpm);
            for (i, &(bpm, shift_frames)) in changes.iter().enumerate() {
                r.apply(Command::Change(ScheduleChange {
                    at_beat: 2 * i as u64 + 1,
                    tempo: Some(tempo(bpm)),
                    shift_frames,
                }))
                .unwrap();
            }
            let run = run(&mut r, &beats, start_frame + 12 * RATE as u64, block, |_, _| {});
            assert_beats_exact(&run, &beats, 0);
            assert_continuous(&run);
        }
    }

    #[test]
    fn beats_are_checked_and_extrapolated() {
        assert!(TrackBeats::new(&[1.0], RATE).is_err());
        assert!(TrackBeats::new(&[1.0, 1.0], RATE).is_err());
        assert!(TrackBeats::new(&[0.0, f64::NAN], RATE).is_err());
        let beats = TrackBeats::new(&[0.5, 1.0, 1.6], 1_000).unwrap();
        assert_eq!(beats.frame_of(2), 1_600.0);
        assert_eq!(beats.frame_of(4), 2_800.0);
    }
}
