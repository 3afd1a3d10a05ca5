//! Music for Rhythmic Auditory Stimulation: decoding a therapist's tracks, resampling them to
//! the device rate, finding their tempo, beats and bars, and a set of rhythm tracks
//! synthesised in code whose beats are known exactly.
//!
//! Everything but [`decode_file`] is pure: no I/O, no clock.

mod analysis;
pub mod builtin;
mod decode;
mod fmeasure;
mod meter;
mod onset;
mod pcm;
mod refine;
mod resample;
mod tempo;
mod tracker;

pub use analysis::{AMBIGUITY_RATIO, ANALYSIS_VERSION, BeatAnalysis, analyze, beats_at_tempo};
pub use decode::{AUDIO_EXTENSIONS, DecodeError, MAX_DURATION_SECS, decode_file};
pub use fmeasure::{DEFAULT_TOLERANCE_SECS, f_measure, matches};
pub use pcm::Pcm;
pub use resample::{ResampleError, resample};
pub use tempo::{MAX_BPM, MIN_BPM};
