//! Time-stretching a track without changing its pitch (Signalsmith Stretch through the
//! `signalsmith-stretch` crate), driven by the track position a plan asks for at each block end.
//!
//! Latency: Signalsmith Stretch analyses the input `input_latency` frames behind the newest input
//! it was given and its output lags its synthesis by `output_latency` frames. So the output frame
//! the stretcher writes next is paired with the track frame `fed − input_latency` of the moment it
//! had `output_latency` more frames to write. The stretcher is fed up to
//! `plan(P + output_latency) + input_latency`, where `P` is its output position and `plan` the
//! [`crate::BeatPlanner`]'s map: the planner runs `output_latency` frames ahead of the output and
//! every output frame carries the track frame the plan gave it.

use std::sync::Arc;

use signalsmith_stretch::Stretch;

use crate::error::AudioError;

/// A track's samples as the stretcher reads them: stereo or mono, at the output's rate.
#[derive(Clone, Debug)]
pub struct TrackSamples {
    channels: usize,
    samples: Arc<[f32]>,
}

impl TrackSamples {
    /// Interleaved samples of `channels` (1 or 2) channels.
    pub fn new(channels: u16, samples: Arc<[f32]>) -> Result<Self, AudioError> {
        let refuse = |what, detail: String| Err(AudioError::Track { what, detail });
        if !matches!(channels, 1 | 2) {
            return refuse("channels", format!("must be 1 or 2, got {channels}"));
        }
        let channels = usize::from(channels);
        if !samples.len().is_multiple_of(channels) {
            return refuse(
                "samples",
                format!(
                    "{} samples are not whole frames of {channels} channels",
                    samples.len()
                ),
            );
        }
        if let Some(i) = samples.iter().position(|s| !s.is_finite()) {
            return refuse("samples", format!("sample {i} is not a number"));
        }
        Ok(Self { channels, samples })
    }

    /// Frames in the track.
    pub fn frames(&self) -> usize {
        self.samples.len() / self.channels
    }

    /// Left and right of track frame `frame`; silence before the start and after the end.
    fn stereo(&self, frame: i64) -> [f32; 2] {
        let Ok(index) = usize::try_from(frame) else {
            return [0.0; 2];
        };
        if index >= self.frames() {
            return [0.0; 2];
        }
        let at = index * self.channels;
        if self.channels == 1 {
            [self.samples[at]; 2]
        } else {
            [self.samples[at], self.samples[at + 1]]
        }
    }
}

/// Most track frames one block may take in: the largest ratio times the longest block, with room.
const MAX_INPUT_FRAMES: usize = 16_384;

/// The stretcher of one playing track: stereo out, fed from the track as the plan moves.
pub struct TrackStretcher {
    stretch: Stretch,
    input_latency: u64,
    output_latency: u64,
    /// The next track frame to feed.
    fed_frame: i64,
    input: Vec<f32>,
}

impl std::fmt::Debug for TrackStretcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrackStretcher")
            .field("input_latency", &self.input_latency)
            .field("output_latency", &self.output_latency)
            .field("fed_frame", &self.fed_frame)
            .finish_non_exhaustive()
    }
}

impl TrackStretcher {
    /// Longest block [`TrackStretcher::process`] takes, in output frames.
    pub const MAX_BLOCK_FRAMES: usize = MAX_INPUT_FRAMES / 4;

    /// A stretcher for stereo output at `sample_rate_hz` (Signalsmith's default preset: 120 ms
    /// blocks, 30 ms apart).
    pub fn new(sample_rate_hz: u32) -> Self {
        let stretch = Stretch::preset_default(2, sample_rate_hz);
        let input_latency = stretch.input_latency() as u64;
        let output_latency = stretch.output_latency() as u64;
        Self {
            stretch,
            input_latency,
            output_latency,
            fed_frame: 0,
            input: vec![0.0; 2 * MAX_INPUT_FRAMES],
        }
    }

    /// How far ahead of the output the plan must run, in output frames.
    pub fn output_latency_frames(&self) -> u64 {
        self.output_latency
    }

    /// Analysis delay, in track frames.
    pub fn input_latency_frames(&self) -> u64 {
        self.input_latency
    }

    /// Starts afresh so that the next output frame plays `track_frame` (the plan's position
    /// `output_latency` frames ahead), at `ratio`: pre-rolls the track before that point.
    pub fn start(&mut self, track: &TrackSamples, track_frame: f64, ratio: f64) {
        self.stretch.reset();
        let end = self.feed_target(track_frame);
        // More than one block and one interval before the point (Signalsmith reads that much).
        let preroll = (4 * self.input_latency).max(1) as usize;
        let preroll = preroll.min(MAX_INPUT_FRAMES);
        let from = end - preroll as i64;
        self.fill(track, from, preroll);
        self.stretch.seek(&self.input[..2 * preroll], ratio);
        self.fed_frame = end;
    }

    /// Writes the next `out.len() / 2` stereo frames; `track_frame` is the plan's track frame
    /// `output_latency` frames after this block's end. Never reads backwards: a plan that moved
    /// back feeds nothing (the plan never does, its ratio is at least 0.5).
    pub fn process(&mut self, track: &TrackSamples, track_frame: f64, out: &mut [f32]) {
        let out_frames = out.len() / 2;
        let end = self.feed_target(track_frame);
        let count = usize::try_from(end - self.fed_frame)
            .unwrap_or(0)
            .min(MAX_INPUT_FRAMES);
        let from = self.fed_frame;
        self.fill(track, from, count);
        self.stretch
            .process(&self.input[..2 * count], &mut out[..2 * out_frames]);
        self.fed_frame = from + count as i64;
    }

    fn feed_target(&self, track_frame: f64) -> i64 {
        // Within i64 for any track and session length.
        #[allow(clippy::cast_possible_truncation)]
        let target = (track_frame + self.input_latency as f64).round() as i64;
        target
    }

    fn fill(&mut self, track: &TrackSamples, from: i64, count: usize) {
        for (i, frame) in self.input[..2 * count].chunks_exact_mut(2).enumerate() {
            frame.copy_from_slice(&track.stereo(from + i as i64));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const RATE: u32 = 48_000;

    /// A mono track of 1-frame clicks every `every` frames from `first`, `frames` long.
    fn clicks(first: usize, every: usize, frames: usize) -> TrackSamples {
        let mut samples = vec![0.0f32; frames];
        for at in (first..frames).step_by(every) {
            samples[at] = 0.9;
        }
        TrackSamples::new(1, samples.into()).unwrap()
    }

    /// Peaks of the left channel, at least `gap` frames apart.
    fn peaks(out: &[f32], gap: usize, threshold: f32) -> Vec<usize> {
        let left: Vec<f32> = out.chunks(2).map(|f| f[0].abs()).collect();
        let mut found = Vec::new();
        let mut i = 0;
        while i < left.len() {
            if left[i] > threshold {
                let end = (i + gap).min(left.len());
                let (best, _) = left[i..end]
                    .iter()
                    .enumerate()
                    .fold((0, 0.0f32), |b, (j, &v)| if v > b.1 { (j, v) } else { b });
                found.push(i + best);
                i += gap;
            } else {
                i += 1;
            }
        }
        found
    }

    #[test]
    fn each_output_frame_plays_the_track_frame_the_plan_gave_it() {
        // A steady plan τ(o) = offset + ratio · o; clicks in the track at known frames must come
        // out at the frames the plan maps onto them, whatever the ratio.
        for ratio in [0.8, 1.0, 1.25] {
            let track = clicks(20_000, 9_600, 400_000);
            let mut s = TrackStretcher::new(RATE);
            let lead = s.output_latency_frames() as f64;
            let offset = 5_000.0;
            let plan = |o: f64| offset + ratio * o;
            s.start(&track, plan(lead), ratio);
            let block = 512;
            let mut out = vec![0.0f32; 2 * 200_000];
            for (b, chunk) in out.chunks_mut(2 * block).enumerate() {
                let end = ((b + 1) * block) as f64;
                s.process(&track, plan(end + lead), chunk);
            }
            let found = peaks(&out, 2_000, 0.3);
            assert!(found.len() > 10, "ratio {ratio}: {found:?}");
            for &at in &found {
                let track_frame = plan(at as f64);
                let k = ((track_frame - 20_000.0) / 9_600.0).round();
                let expected = (20_000.0 + k * 9_600.0 - offset) / ratio;
                let off = at as f64 - expected;
                assert!(
                    off.abs() <= 24.0,
                    "ratio {ratio}: click {k} at {at}, plan says {expected:.1} (off {off:.1})"
                );
            }
        }
    }

    #[test]
    fn a_bad_track_is_refused() {
        assert!(TrackSamples::new(3, vec![0.0; 6].into()).is_err());
        assert!(TrackSamples::new(2, vec![0.0; 5].into()).is_err());
        assert!(TrackSamples::new(1, vec![f32::NAN].into()).is_err());
    }
}
