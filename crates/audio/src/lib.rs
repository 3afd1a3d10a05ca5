//! The Entrain metronome: a sample-accurate Rhythmic Auditory Stimulation beat.
//!
//! - [`Renderer`] is pure: it owns an absolute frame counter and starts each beat on its exact
//!   frame whatever the buffer size, applying tempo, phase, fade and stop commands at named beats.
//! - [`SoundBank`] synthesises the built-in sounds; [`CueStyle`] picks accents, per-foot sounds and
//!   panning.
//! - [`wav`] renders a metronome offline to a WAV file.
#![forbid(unsafe_code)]

mod error;
mod renderer;
mod schedule;
mod sound;
mod style;
mod tempo;
pub mod wav;

pub use error::AudioError;
pub use renderer::{Command, PENDING_CAPACITY, PlayedBeat, Renderer};
pub use schedule::{ScheduleChange, Segment, onset_frames};
pub use sound::{PEAK_LEVEL, SoundBank, SoundId};
pub use style::{CueStyle, Foot};
pub use tempo::{MAX_BPM, MIN_BPM, Tempo};
