//! The music player's audio callback: the metronome's own callback (commands in, clicks rendered
//! on their exact frames, telemetry out) with the stretched music mixed in from a wait-free ring.
//! Never allocates, locks or waits: a ring that runs dry plays silence for the missing frames,
//! counts them, and drops as many frames later so the music stays on its frames.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU32, AtomicU64, Ordering};

use cpal::{FromSample, Sample};

use crate::callback::{AudioCallback, CallbackState, SCRATCH_FRAMES};
use crate::error::AudioError;
use crate::music_player::DownbeatSwitch;
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

/// The overlay's kind as one atomic holds it.
const OVERLAY_MUSIC: u8 = 0;
const OVERLAY_MUSIC_WITH_CLICK: u8 = 1;
const OVERLAY_CLICK: u8 = 2;

/// Counters and settings shared between the callback, the worker and the control side; each is
/// one atomic, read and written without waiting. The overlay is three of them: a change read
/// half-way (the kind new, a level old) lasts one chunk of one buffer, and is harmless.
#[derive(Debug)]
pub struct MusicShared {
    underrun_frames: AtomicU64,
    underruns: AtomicU64,
    volume_bits: AtomicU32,
    music_volume_bits: AtomicU32,
    overlay_kind: AtomicU8,
    click_level_bits: AtomicU32,
    offbeat_level_bits: AtomicU32,
    /// Output frame of the first beat of the last track put on (`u64::MAX`: none yet).
    switch_frame: AtomicU64,
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
            music_volume_bits: AtomicU32::new(1.0f32.to_bits()),
            overlay_kind: AtomicU8::new(OVERLAY_MUSIC),
            click_level_bits: AtomicU32::new(0.0f32.to_bits()),
            offbeat_level_bits: AtomicU32::new(0.0f32.to_bits()),
            switch_frame: AtomicU64::new(crate::music_player::NO_SWITCH),
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

    /// The music's own volume (0..=1, the therapist's, under the master volume; the clicks
    /// keep theirs).
    pub fn music_volume(&self) -> f32 {
        f32::from_bits(self.music_volume_bits.load(Ordering::Relaxed))
    }

    /// Sets the music's own volume (checked 0..=1).
    pub fn set_music_volume(&self, volume: f32) -> Result<(), AudioError> {
        check_level("music volume", volume)?;
        self.music_volume_bits
            .store(volume.to_bits(), Ordering::Relaxed);
        Ok(())
    }

    /// The worker put a track on: its beat 0 sounds on output frame `frame`.
    pub(crate) fn report_switch(&self, frame: u64) {
        self.switch_frame.store(frame, Ordering::Relaxed);
    }

    /// The output frame of the last track change reported, taken (once).
    pub(crate) fn take_switch(&self) -> Option<u64> {
        let frame = self
            .switch_frame
            .swap(crate::music_player::NO_SWITCH, Ordering::Relaxed);
        (frame != crate::music_player::NO_SWITCH).then_some(frame)
    }

    /// What sounds now.
    pub fn overlay(&self) -> Overlay {
        match self.overlay_kind.load(Ordering::Relaxed) {
            OVERLAY_MUSIC_WITH_CLICK => Overlay::MusicWithClick {
                click_level: f32::from_bits(self.click_level_bits.load(Ordering::Relaxed)),
                offbeat_level: f32::from_bits(self.offbeat_level_bits.load(Ordering::Relaxed)),
            },
            OVERLAY_CLICK => Overlay::ClickOnly,
            _ => Overlay::MusicOnly,
        }
    }

    /// Changes what sounds, from the next chunk of the next buffer (levels checked 0..=1).
    pub fn set_overlay(&self, overlay: Overlay) -> Result<(), AudioError> {
        overlay.validate()?;
        let kind = match overlay {
            Overlay::MusicOnly => OVERLAY_MUSIC,
            Overlay::MusicWithClick {
                click_level,
                offbeat_level,
            } => {
                self.click_level_bits
                    .store(click_level.to_bits(), Ordering::Relaxed);
                self.offbeat_level_bits
                    .store(offbeat_level.to_bits(), Ordering::Relaxed);
                OVERLAY_MUSIC_WITH_CLICK
            }
            Overlay::ClickOnly => OVERLAY_CLICK,
        };
        self.overlay_kind.store(kind, Ordering::Relaxed);
        Ok(())
    }
}

/// The callback's ends of the track-change queues: new downbeats in, old ones back out.
type TrackChanges = (rtrb::Consumer<DownbeatSwitch>, rtrb::Producer<Arc<[bool]>>);

/// Frames per chunk of a buffer: shorter than the shortest beat at any rate up to 96 kHz, so each
/// chunk starts at most one beat and the click's level can be set beat by beat between chunks.
const CHUNK_FRAMES: usize = SCRATCH_FRAMES;

/// Everything the music player's audio callback owns.
pub struct MusicCallbackState {
    state: CallbackState,
    music: rtrb::Consumer<f32>,
    schedules: rtrb::Producer<BeatSchedule>,
    sent_revision: Option<u64>,
    music_level: f32,
    downbeats: Arc<[bool]>,
    /// While the schedule's first beat is `.0`, music beat 0 is cue beat `.1` (a track that
    /// took over mid-schedule).
    anchor: Option<(u64, u64)>,
    /// Downbeats of tracks taking over, from the worker; the old ones go back to it.
    track_changes: Option<TrackChanges>,
    /// A track change waiting for its beat.
    next_downbeats: Option<DownbeatSwitch>,
    shared: Arc<MusicShared>,
    owed_frames: u64,
    fade_gain: f32,
    scratch: Vec<f32>,
}

impl std::fmt::Debug for MusicCallbackState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MusicCallbackState")
            .field("overlay", &self.shared.overlay())
            .field("music_level", &self.music_level)
            .field("owed_frames", &self.owed_frames)
            .finish_non_exhaustive()
    }
}

impl MusicCallbackState {
    /// The callback around the metronome's `state`, mixing stereo music frames from `music` at
    /// `music_level`, publishing the schedule to the worker through `schedules`. `downbeats`
    /// says which music beats are downbeats (for the click's accent). `overlay` is set in
    /// `shared`, where the control side changes it ([`MusicShared::set_overlay`]); a level out
    /// of 0..=1 leaves the overlay there as it was (it was checked before). Allocates its
    /// scratch.
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
        if let Err(e) = shared.set_overlay(overlay) {
            // Made off the audio thread: it may log.
            tracing::warn!(error = %e, "music player: overlay refused, the one set is kept");
        }
        Self {
            state,
            music,
            schedules,
            sent_revision: None,
            music_level,
            downbeats,
            anchor: None,
            track_changes: None,
            next_downbeats: None,
            shared,
            owed_frames: 0,
            fade_gain: 1.0,
            scratch,
        }
    }

    /// Takes the downbeats of tracks that take over from `changes` (from the worker), and
    /// hands the old ones back through `retired`, so none is freed on the audio thread.
    pub(crate) fn with_track_changes(
        mut self,
        changes: rtrb::Consumer<DownbeatSwitch>,
        retired: rtrb::Producer<Arc<[bool]>>,
    ) -> Self {
        self.track_changes = Some((changes, retired));
        self
    }

    /// The downbeats of a track that took over, from its beat on. The old flags are handed
    /// back to the worker; if its queue is full the change waits (nothing is freed here).
    fn take_track_change(&mut self) {
        let Some((changes, retired)) = self.track_changes.as_mut() else {
            return;
        };
        if self.next_downbeats.is_none() {
            self.next_downbeats = changes.pop().ok();
        }
        let Some((_, schedule_first, at_beat)) = self.next_downbeats.as_ref() else {
            return;
        };
        let schedule = self.state.renderer().schedule();
        let stopped_since = schedule.first_beat() != Some(*schedule_first);
        if schedule.next_beat() < *at_beat && !stopped_since {
            return;
        }
        if retired.slots() == 0 {
            return;
        }
        let Some((flags, schedule_first, at_beat)) = self.next_downbeats.take() else {
            return;
        };
        let old = std::mem::replace(&mut self.downbeats, flags);
        // A slot was free, so this cannot fail; if it did, the change waits again (nothing
        // is dropped here either way).
        if let Err(rtrb::PushError::Full(old)) = retired.push(old) {
            let new = std::mem::replace(&mut self.downbeats, old);
            self.next_downbeats = Some((new, schedule_first, at_beat));
            return;
        }
        self.anchor = Some((schedule_first, at_beat));
    }

    /// The metronome's callback state inside (for inspection in tests).
    pub fn inner(&self) -> &CallbackState {
        &self.state
    }

    /// Fills `out` (interleaved, the renderer's channels): clicks, then the music added.
    fn fill(&mut self, out: &mut [f32]) {
        let channels = self.state.renderer().channels();
        for chunk in out.chunks_mut(CHUNK_FRAMES * channels) {
            self.take_track_change();
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
        let level = match self.shared.overlay() {
            Overlay::ClickOnly => volume,
            Overlay::MusicOnly => 0.0,
            Overlay::MusicWithClick {
                click_level,
                offbeat_level,
            } => {
                let schedule = self.state.renderer().schedule();
                let beat = schedule.next_beat();
                let first = match (schedule.first_beat(), self.anchor) {
                    (Some(first), Some((schedule_first, at_beat))) if first == schedule_first => {
                        Some(at_beat)
                    }
                    (first, _) => first,
                };
                let downbeat = first
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
        let level = match self.shared.overlay() {
            Overlay::ClickOnly => 0.0,
            Overlay::MusicOnly | Overlay::MusicWithClick { .. } => {
                self.music_level * self.shared.music_volume() * self.shared.volume()
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
