//! Music for Rhythmic Auditory Stimulation: decoding a therapist's tracks, resampling them to
//! the device rate, finding their tempo, beats and bars, and a set of rhythm tracks
//! synthesised in code whose beats are known exactly.
//!
//! Everything but [`decode_file`] is pure: no I/O, no clock.

mod decode;
mod pcm;
mod resample;

pub use decode::{DecodeError, MAX_DURATION_SECS, decode_file};
pub use pcm::Pcm;
pub use resample::{ResampleError, resample};
