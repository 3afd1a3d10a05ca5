//! The music player's audio callback: the metronome's own callback (commands in, clicks rendered
//! on their exact frames, telemetry out) with the stretched music mixed in from a wait-free ring.
//! Never allocates, locks or waits: a ring that runs dry plays silence for the missing frames,
//! counts them, and drops as many frames later so the music stays on its frames.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use cpal::{FromSample, Sample};

use crate::callback::{AudioCallback, CallbackState, SCRATCH_FRAMES};
use crate::error::AudioError;
use crate::renderer::{BeatSchedule, Command};
use crate::style::check_level;

/// What the patient hears.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Overlay {
    /// The music alone (the clicks are silent; beats are still reported).
    MusicOnly,
    /// The music with a click on every beat: `click_level` on downbeats, `click_level ×
    /// offbeat_level` on the other beats (both 0..=1).
    MusicWithClick {
        /// Level of the click on downbeats.
        click_level: f32,
        /// Level of the other beats' click relative to downbeats.
        offbeat_level: f32,
    },
    /// The clicks alone, as the metronome plays them (the music is silent).
    ClickOnly,
}

impl Overlay {
    /// Checks the levels are within 0..=1.
    pub fn validate(&self) -> Result<(), AudioError> {
        match *self {
            Overlay::MusicWithClick {
                click_level,
                offbeat_level,
            } => {
                check_level("click level", click_level)?;
                check_level("off-beat click level", offbeat_level)
            }
            Overlay::MusicOnly | Overlay::ClickOnly => Ok(()),
        }
    }
}

/// Counters and settings shared between the callback, the worker and the control side; each is
/// one atomic, read and written without waiting.
#[derive(Debug)]
pub struct MusicShared {
    underrun_frames: AtomicU64,
    underruns: AtomicU64,
    volume_bits: AtomicU32,
}

impl Default for MusicShared {
    fn default() -> Self {
        Self::new()
    }
}

impl MusicShared {
    /// Counters at zero, full volume.
    pub fn new() -> Self {
        Self {
            underrun_frames: AtomicU64::new(0),
            underruns: AtomicU64::new(0),
            volume_bits: AtomicU32::new(1.0f32.to_bits()),
        }
    }

    /// Frames the ring could not deliver in time (played as silence), since the start.
    pub fn underrun_frames(&self) -> u64 {
        self.underrun_frames.load(Ordering::Relaxed)
    }

    /// Buffers in which the ring ran dry, since the start.
    pub fn underruns(&self) -> u64 {
        self.underruns.load(Ordering::Relaxed)
    }

    /// The master volume of music and clicks (0..=1).
    pub fn volume(&self) -> f32 {
        f32::from_bits(self.volume_bits.load(Ordering::Relaxed))
    }

    /// Sets the master volume (checked 0..=1).
    pub fn set_volume(&self, volume: f32) -> Result<(), AudioError> {
        check_level("volume", volume)?;
        self.volume_bits.store(volume.to_bits(), Ordering::Relaxed);
        Ok(())
    }
}

/// Frames per chunk of a buffer: shorter than the shortest beat at any rate up to 96 kHz, so each
/// chunk starts at most one beat and the click's level can be set beat by beat between chunks.
const CHUNK_FRAMES: usize = SCRATCH_FRAMES;

/// Everything the music player's audio callback owns.
pub struct MusicCallbackState {
    state: CallbackState,
    music: rtrb::Consumer<f32>,
    schedules: rtrb::Producer<BeatSchedule>,
    sent_revision: Option<u64>,
    overlay: Overlay,
    music_level: f32,
    downbeats: Arc<[bool]>,
    shared: Arc<MusicShared>,
    owed_frames: u64,
    fade_gain: f32,
    scratch: Vec<f32>,
}

impl std::fmt::Debug for MusicCallbackState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MusicCallbackState")
            .field("overlay", &self.overlay)
            .field("music_level", &self.music_level)
            .field("owed_frames", &self.owed_frames)
            .finish_non_exhaustive()
    }
}

impl MusicCallbackState {
    /// The callback around the metronome's `state`, mixing stereo music frames from `music` at
    /// `music_level`, publishing the schedule to the worker through `schedules`. `downbeats`
    /// says which music beats are downbeats (for the click's accent). Allocates its scratch.
    pub fn new(
        state: CallbackState,
        music: rtrb::Consumer<f32>,
        schedules: rtrb::Producer<BeatSchedule>,
        overlay: Overlay,
        music_level: f32,
        downbeats: Arc<[bool]>,
        shared: Arc<MusicShared>,
    ) -> Self {
        let scratch = vec![0.0; SCRATCH_FRAMES * state.renderer().channels()];
        Self {
            state,
            music,
            schedules,
            sent_revision: None,
            overlay,
            music_level,
            downbeats,
            shared,
            owed_frames: 0,
            fade_gain: 1.0,
            scratch,
        }
    }

    /// The metronome's callback state inside (for inspection in tests).
    pub fn inner(&self) -> &CallbackState {
        &self.state
    }

    /// Fills `out` (interleaved, the renderer's channels): clicks, then the music added.
    fn fill(&mut self, out: &mut [f32]) {
        let channels = self.state.renderer().channels();
        for chunk in out.chunks_mut(CHUNK_FRAMES * channels) {
            self.set_click_level();
            // Taken before the chunk: the beat it may start is the one the fade heads for.
            let fade_target = self.state.renderer().schedule().next_fade_gain();
            let start_frame = self.state.renderer().frame();
            self.state.render_reporting(chunk);
            self.mix_music(chunk, channels, start_frame, fade_target);
        }
    }

    /// Hands the schedule to the worker when a command changed it (again next buffer if the
    /// queue is full).
    fn publish_schedule(&mut self) {
        let schedule = self.state.renderer().schedule();
        if self.sent_revision == Some(schedule.revision()) {
            return;
        }
        if self.schedules.push(schedule).is_ok() {
            self.sent_revision = Some(schedule.revision());
        }
    }

    /// The click's level for the next beat: accented on the music's downbeats.
    fn set_click_level(&mut self) {
        let volume = self.shared.volume();
        let level = match self.overlay {
            Overlay::ClickOnly => volume,
            Overlay::MusicOnly => 0.0,
            Overlay::MusicWithClick {
                click_level,
                offbeat_level,
            } => {
                let schedule = self.state.renderer().schedule();
                let beat = schedule.next_beat();
                let downbeat = schedule
                    .first_beat()
                    .and_then(|first| beat.checked_sub(first))
                    .and_then(|m| usize::try_from(m).ok())
                    .is_some_and(|m| self.downbeats.get(m).copied().unwrap_or(false));
                let accent = if downbeat { 1.0 } else { offbeat_level };
                volume * click_level * accent
            }
        };
        let renderer = self.state.renderer_mut();
        if renderer.volume() != level {
            // Within 0..=1 by construction (every level was checked when it was set), so the
            // renderer takes it.
            let taken = renderer.apply(Command::SetVolume(level.clamp(0.0, 1.0)));
            debug_assert!(taken.is_ok());
        }
    }

    /// Adds the music to a chunk starting at `start_frame`; `fade_target` is the next beat's
    /// onset and fade gain as they stood before the chunk.
    fn mix_music(
        &mut self,
        out: &mut [f32],
        channels: usize,
        start_frame: u64,
        fade_target: Option<(u64, f32)>,
    ) {
        let frames = out.len() / channels;
        // Frames owed from an underrun were due while the ring was dry: drop them unplayed.
        let available = self.music.slots() / 2;
        let dropped = self.owed_frames.min(available as u64) as usize;
        if dropped > 0 {
            if let Ok(chunk) = self.music.read_chunk(2 * dropped) {
                chunk.commit_all();
            }
            self.owed_frames -= dropped as u64;
        }
        let available = self.music.slots() / 2;
        let take = frames.min(available);
        let level = match self.overlay {
            Overlay::ClickOnly => 0.0,
            Overlay::MusicOnly | Overlay::MusicWithClick { .. } => {
                self.music_level * self.shared.volume()
            }
        };
        // The cue's fade (RAS fading) fades the music too: linearly from where it is to the
        // gain the next beat starts with, reached on that beat's frame and held after it.
        let from = self.fade_gain;
        let fade_at = |i: usize| match fade_target {
            Some((onset, gain)) if start_frame + (i as u64) < onset => {
                let to_go = (onset - start_frame) as f32;
                from + (gain - from) * (i as f32 / to_go)
            }
            Some((_, gain)) => gain,
            None => from,
        };
        if let Ok(chunk) = self.music.read_chunk(2 * take) {
            let (first, second) = chunk.as_slices();
            let music = first.chunks_exact(2).chain(second.chunks_exact(2));
            for (i, (frame, lr)) in out.chunks_exact_mut(channels).zip(music).enumerate() {
                let gain = level * fade_at(i);
                if channels == 1 {
                    frame[0] += 0.5 * (lr[0] + lr[1]) * gain;
                } else {
                    frame[0] += lr[0] * gain;
                    frame[1] += lr[1] * gain;
                }
            }
            chunk.commit_all();
        }
        self.fade_gain = fade_at(frames);
        if take < frames {
            let missing = (frames - take) as u64;
            self.owed_frames += missing;
            self.shared
                .underrun_frames
                .fetch_add(missing, Ordering::Relaxed);
            self.shared.underruns.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl AudioCallback for MusicCallbackState {
    fn process_f32(
        &mut self,
        out: &mut [f32],
        callback_stream_nanos: u64,
        playback_stream_nanos: u64,
    ) {
        self.state
            .begin(out.len(), callback_stream_nanos, playback_stream_nanos);
        self.publish_schedule();
        self.fill(out);
    }

    fn process<T: Sample + FromSample<f32>>(
        &mut self,
        out: &mut [T],
        callback_stream_nanos: u64,
        playback_stream_nanos: u64,
    ) {
        self.state
            .begin(out.len(), callback_stream_nanos, playback_stream_nanos);
        self.publish_schedule();
        let mut scratch = std::mem::take(&mut self.scratch);
        for chunk in out.chunks_mut(scratch.len().max(1)) {
            let rendered = &mut scratch[..chunk.len()];
            self.fill(rendered);
            for (o, s) in chunk.iter_mut().zip(rendered.iter()) {
                *o = T::from_sample(*s);
            }
        }
        self.scratch = scratch;
    }
}
