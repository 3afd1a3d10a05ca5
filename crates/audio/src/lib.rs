//! The Entrain metronome: a sample-accurate Rhythmic Auditory Stimulation beat.
//!
//! - [`Renderer`] is pure: it owns an absolute frame counter and starts each beat on its exact
//!   frame whatever the buffer size, applying tempo, phase, fade and stop commands at named beats.
//! - [`SoundBank`] synthesises the built-in sounds; [`CueStyle`] picks accents, per-foot sounds and
//!   panning.
//! - [`Metronome`] is the thin cpal shell around it: it opens the output device with a fixed
//!   buffer size where allowed, feeds commands in and telemetry out through wait-free queues,
//!   maps audio frames to the session clock, and reports and recovers from missing or lost
//!   devices and xruns.
//! - [`wav`] renders a metronome offline to a WAV file, or music along the beat schedule
//!   ([`wav::render_music`]).
//! - Music that follows the beat: [`BeatPlanner`] (pure) maps output frames to track frames so
//!   each music beat sounds on its cue beat; [`TrackStretcher`] stretches the track without
//!   changing its pitch (Signalsmith Stretch); [`MusicEngine`] follows the callback's
//!   [`BeatSchedule`]; [`Metronome::with_music`] runs it on a worker thread feeding the cpal callback
//!   ([`MusicCallbackState`]) through a wait-free ring, with the click [`Overlay`]. The overlay
//!   and the music's volume change live (atomics in [`MusicShared`]); another track is put on
//!   at a beat boundary by the worker ([`Metronome::switch_music`], [`MusicWorker::put_on`]:
//!   its beat 0 on that beat, the old track faded out into it; the callback takes the new
//!   downbeats from a ring and hands the old ones back, so it never allocates or frees).
#![forbid(unsafe_code)]

mod beat_map;
mod callback;
mod clock;
mod error;
mod metronome;
mod music_callback;
mod music_engine;
mod music_player;
mod music_render;
mod output;
mod renderer;
mod schedule;
mod sound;
mod stretch;
mod style;
mod telemetry;
mod tempo;
pub mod wav;

pub use beat_map::{BeatPlanner, MAX_STRETCH_RATIO, MIN_STRETCH_RATIO, PlanStep, TrackBeats};
pub use callback::{AudioCallback, CallbackState, SCRATCH_FRAMES};
pub use clock::ClockMap;
pub use error::AudioError;
pub use metronome::{Metronome, MetronomeConfig, MetronomeEvent};
pub use music_callback::{MusicCallbackState, MusicShared, Overlay};
pub use music_engine::{MusicEngine, MusicTrack};
pub use music_player::{
    DEFAULT_RING_FRAMES, MUSIC_BLOCK_FRAMES, MusicSetup, MusicWorker, music_parts,
};
pub use output::{
    COMMAND_QUEUE_CAPACITY, FAULT_QUEUE_CAPACITY, GrantedConfig, OutputOptions, OutputStream,
    TELEMETRY_QUEUE_CAPACITY, open_output, output_device_names,
};
pub use renderer::{BeatSchedule, Command, PENDING_CAPACITY, PlayedBeat, Renderer};
pub use schedule::{ScheduleChange, Segment, onset_frames};
pub use sound::{PEAK_LEVEL, SoundBank, SoundId};
pub use stretch::{TrackSamples, TrackStretcher};
pub use style::{CueStyle, Foot};
pub use telemetry::{BufferTiming, StreamFault, Telemetry};
pub use tempo::{MAX_BPM, MIN_BPM, Tempo};
