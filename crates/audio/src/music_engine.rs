//! The music worker's core: a track stretched block by block so that its beats sound on the
//! schedule the audio callback plays. It follows copies of the callback's [`BeatSchedule`], plans
//! the output→track map with a [`BeatPlanner`] running the stretcher's output latency ahead of the
//! output, and feeds a [`TrackStretcher`]. The same code renders live (on the worker thread) and
//! offline ([`crate::wav::render_music`]). Pure apart from the stretcher's own allocation: no
//! clocks, threads or I/O.

use std::sync::Arc;

use crate::beat_map::{BeatPlanner, TrackBeats};
use crate::error::AudioError;
use crate::renderer::BeatSchedule;
use crate::stretch::{TrackSamples, TrackStretcher};

/// A track as plain data: what the music crate hands over after decoding, resampling and beat
/// analysis. Beat times are in the track's own time.
#[derive(Clone, Debug, PartialEq)]
pub struct MusicTrack {
    /// Sample rate of `samples`; must be the output's.
    pub rate_hz: u32,
    /// Channels of `samples` (1 or 2).
    pub channels: u16,
    /// Interleaved samples.
    pub samples: Arc<[f32]>,
    /// Beat times, seconds from the track's start, increasing (at least two).
    pub beats_secs: Vec<f64>,
    /// Downbeat (bar start) times, seconds; each is one of the beats. May be empty.
    pub downbeats_secs: Vec<f64>,
}

impl MusicTrack {
    /// For each beat, whether it is a downbeat: a downbeat lies within a quarter of the beat's
    /// interval to its neighbours. All beats when the track names no downbeats (no accents then).
    pub fn downbeat_flags(&self) -> Vec<bool> {
        if self.downbeats_secs.is_empty() {
            return vec![true; self.beats_secs.len()];
        }
        let beats = &self.beats_secs;
        beats
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                let before = i.checked_sub(1).map(|j| b - beats[j]);
                let after = beats.get(i + 1).map(|&n| n - b);
                let interval = before
                    .or(after)
                    .unwrap_or(0.0)
                    .min(after.unwrap_or(f64::MAX));
                let tolerance = interval / 4.0;
                self.downbeats_secs
                    .iter()
                    .any(|&d| (d - b).abs() <= tolerance)
            })
            .collect()
    }
}

/// Length of the fade when the schedule stops: the music ends without a click.
const STOP_FADE_SECS: f64 = 0.010;
/// How long a change of stretch ratio takes (the ratio ramps, never steps).
const RATIO_RAMP_SECS: f64 = 0.050;

/// A track playing along a followed schedule.
pub struct MusicEngine {
    samples: TrackSamples,
    beats: TrackBeats,
    schedule: BeatSchedule,
    planner: BeatPlanner,
    stretcher: TrackStretcher,
    output_frame: u64,
    stretching: Option<u64>,
    stop_at: Option<u64>,
    stop_fade_frames: u64,
    /// A track put on mid-schedule: while the schedule's first beat is still `.0`, music beat 0
    /// is paired with cue beat `.1` (not with the first beat); a new start ends it.
    anchor: Option<(u64, u64)>,
}

impl std::fmt::Debug for MusicEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MusicEngine")
            .field("output_frame", &self.output_frame)
            .field("planner", &self.planner)
            .field("stretcher", &self.stretcher)
            .finish_non_exhaustive()
    }
}

impl MusicEngine {
    /// An engine for `track` at output frame 0 of a stream at `sample_rate_hz`, silent until the
    /// schedule it follows starts.
    pub fn new(track: &MusicTrack, sample_rate_hz: u32) -> Result<Self, AudioError> {
        if track.rate_hz != sample_rate_hz {
            return Err(AudioError::Track {
                what: "sample rate",
                detail: format!(
                    "is {} Hz, the output plays {} Hz (resample it first)",
                    track.rate_hz, sample_rate_hz
                ),
            });
        }
        let samples = TrackSamples::new(track.channels, Arc::clone(&track.samples))?;
        let beats = TrackBeats::new(&track.beats_secs, track.rate_hz)?;
        let stretcher = TrackStretcher::new(sample_rate_hz);
        let lead = stretcher.output_latency_frames();
        // Rounded to whole frames, at least one.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let frames_of = |secs: f64| (secs * f64::from(sample_rate_hz)).round().max(1.0) as u64;
        Ok(Self {
            samples,
            beats,
            schedule: BeatSchedule::new(sample_rate_hz),
            planner: BeatPlanner::new(lead, frames_of(RATIO_RAMP_SECS)),
            stretcher,
            output_frame: 0,
            stretching: None,
            stop_at: None,
            stop_fade_frames: frames_of(STOP_FADE_SECS),
            anchor: None,
        })
    }

    /// An engine for `track` that takes over from another at its output frame `output_frame`,
    /// following `schedule` (the other's): its beat 0 sounds on cue beat `at_beat` (silence
    /// until it enters, just before), then on as the schedule goes. A stopped schedule starts
    /// it at its beat 0 on the next start, as a new engine.
    pub fn take_over(
        track: &MusicTrack,
        sample_rate_hz: u32,
        output_frame: u64,
        schedule: BeatSchedule,
        at_beat: u64,
    ) -> Result<Self, AudioError> {
        let mut engine = Self::new(track, sample_rate_hz)?;
        let lead = engine.stretcher.output_latency_frames();
        engine.output_frame = output_frame;
        engine.planner = BeatPlanner::new(output_frame + lead, engine.planner.ramp_frames());
        engine.anchor = schedule.first_beat().map(|first| (first, at_beat));
        engine.follow(schedule);
        Ok(engine)
    }

    /// The first beat of the followed schedule not yet planned whose onset is at or after
    /// `from_frame`, within the next 16 beats, as `(cue beat, onset frame)`: where another
    /// track can take over ([`MusicEngine::take_over`]). `None` while stopped, or when it is
    /// further ahead.
    pub fn next_beat_from(&self, from_frame: u64) -> Option<(u64, u64)> {
        let mut upcoming = [(0u64, 0u64); 16];
        let count = self.schedule.upcoming_onsets(&mut upcoming);
        upcoming[..count]
            .iter()
            .copied()
            .find(|&(_, onset)| onset >= from_frame.max(self.planner.frame() + 1))
    }

    /// The schedule followed, as the worker last had it.
    pub fn schedule(&self) -> BeatSchedule {
        self.schedule
    }

    /// The cue beat music beat 0 is paired with: the anchor of a track that took over while
    /// its schedule runs on, else the schedule's first beat.
    fn paired_first_beat(&mut self) -> Option<u64> {
        let first = self.schedule.first_beat();
        match self.anchor {
            Some((schedule_first, at_beat)) if first == Some(schedule_first) => Some(at_beat),
            Some(_) => {
                self.anchor = None;
                first
            }
            None => first,
        }
    }

    /// The next output frame [`MusicEngine::render`] writes.
    pub fn output_frame(&self) -> u64 {
        self.output_frame
    }

    /// How far ahead of its output the engine plans, in frames: a schedule change reaches the
    /// music exactly if the engine learns of it this long (plus what waits in the ring) before
    /// its beat.
    pub fn plan_lead_frames(&self) -> u64 {
        self.stretcher.output_latency_frames()
    }

    /// Follows `schedule`, a copy of the callback's taken at any frame up to now.
    pub fn follow(&mut self, schedule: BeatSchedule) {
        self.schedule = schedule;
        self.schedule.advance_to(self.planner.frame());
    }

    /// Writes the next `out.len() / 2` stereo frames of music (silence while the schedule is
    /// stopped).
    pub fn render(&mut self, out: &mut [f32]) {
        let frames = (out.len() / 2) as u64;
        let mut done = 0u64;
        while done < frames {
            let want = (frames - done).min(TrackStretcher::MAX_BLOCK_FRAMES as u64);
            let mut upcoming = [(0u64, 0u64); 2];
            let count = self.schedule.upcoming_onsets(&mut upcoming);
            let first_beat = self.paired_first_beat();
            if first_beat.is_none() && self.planner.track_frame().is_some() {
                // Stopped: the plan runs ahead of the output, so the music ends where the plan is.
                self.stop_at.get_or_insert(self.planner.frame());
            }
            let step = self
                .planner
                .advance(want, first_beat, &upcoming[..count], &self.beats);
            self.schedule.advance_to(self.planner.frame());
            let piece = &mut out[(2 * done) as usize..(2 * (done + step.frames)) as usize];
            match step.track_frame {
                Some(end) => {
                    let entered = self.planner.first_beat();
                    if self.stretching != entered {
                        let start = end - step.ratio * step.frames as f64;
                        self.stretcher.start(&self.samples, start, step.ratio);
                        self.stretching = entered;
                        self.stop_at = None;
                    }
                    self.stretcher.process(&self.samples, end, piece);
                }
                None => {
                    piece.fill(0.0);
                    self.stretching = None;
                }
            }
            self.fade_out(piece);
            done += step.frames;
            self.output_frame += step.frames;
        }
    }

    /// After a stop, fades the music from its stop frame and then ends it.
    fn fade_out(&mut self, piece: &mut [f32]) {
        let Some(stop_at) = self.stop_at else {
            return;
        };
        let fade = self.stop_fade_frames;
        for (i, frame) in piece.chunks_exact_mut(2).enumerate() {
            let at = self.output_frame + i as u64;
            let gain = if at < stop_at {
                1.0
            } else {
                1.0 - ((at - stop_at) as f32 / fade as f32).min(1.0)
            };
            frame[0] *= gain;
            frame[1] *= gain;
        }
        let end = self.output_frame + (piece.len() / 2) as u64;
        if end >= stop_at + fade && self.schedule.first_beat().is_none() {
            self.planner.stop();
            self.stretching = None;
            self.stop_at = None;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn track(downbeats_secs: Vec<f64>) -> MusicTrack {
        MusicTrack {
            rate_hz: 48_000,
            channels: 1,
            samples: vec![0.0; 48_000].into(),
            beats_secs: vec![0.0, 0.5, 1.0, 1.5, 2.0, 2.5],
            downbeats_secs,
        }
    }

    #[test]
    fn downbeats_are_matched_to_beats() {
        assert_eq!(
            track(vec![0.01, 1.49]).downbeat_flags(),
            [true, false, false, true, false, false]
        );
        assert_eq!(track(vec![]).downbeat_flags(), [true; 6]);
    }

    #[test]
    fn a_track_at_another_rate_is_refused() {
        let e = MusicEngine::new(&track(vec![]), 44_100).unwrap_err();
        assert!(e.to_string().contains("48000 Hz"), "{e}");
    }
}
