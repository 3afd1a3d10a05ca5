//! Decoding WAV, FLAC, Ogg Vorbis and MP3 files into [`Pcm`] with symphonia.
//!
//! Only those four readers are compiled in (the workspace's symphonia features). Every failure
//! is a [`DecodeError`] that names the file; a malformed packet stops the decoding rather than
//! being skipped, so an analysis never runs on a silently shortened track.

use std::fs::File;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

use crate::pcm::Pcm;

/// File name extensions of the formats [`decode_file`] reads (lower case), for a folder import.
pub const AUDIO_EXTENSIONS: &[&str] = &["wav", "flac", "ogg", "oga", "mp3"];

/// The longest track accepted: a gait-training track is minutes long, and a longer file would
/// take gigabytes of memory as f32.
pub const MAX_DURATION_SECS: u32 = 30 * 60;

/// Why a file could not be decoded; each variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// The file could not be opened or read.
    #[error("{path}: cannot read the file: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The file is none of WAV, FLAC, Ogg Vorbis or MP3, or uses a feature of one that the
    /// decoder lacks.
    #[error("{path}: not a supported audio file (WAV, FLAC, Ogg Vorbis or MP3): {detail}")]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// The decoder's words.
        detail: String,
    },
    /// The container holds no audio track.
    #[error("{path}: the file holds no audio track")]
    NoAudioTrack {
        /// The file.
        path: PathBuf,
    },
    /// The data is corrupt.
    #[error("{path}: malformed audio data after {decoded_secs:.3} s: {detail}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// Audio decoded before the fault.
        decoded_secs: f64,
        /// The decoder's words.
        detail: String,
    },
    /// The file ends in the middle of its audio.
    #[error("{path}: the file is truncated: it ends after {decoded_secs:.3} s of audio")]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Audio decoded before the end.
        decoded_secs: f64,
    },
    /// The file is empty, or well formed but holds no samples.
    #[error("{path}: the file holds no audio samples")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// Longer than [`MAX_DURATION_SECS`].
    #[error("{path}: longer than the {limit_secs} s limit for a track")]
    TooLong {
        /// The file.
        path: PathBuf,
        /// The limit.
        limit_secs: u32,
    },
    /// The stream changes its sample rate or channel count midway.
    #[error("{path}: the audio format changes midway ({detail})")]
    FormatChange {
        /// The file.
        path: PathBuf,
        /// What changed.
        detail: String,
    },
}

/// Decodes a whole file. More than two channels are mixed down to mono.
pub fn decode_file(path: impl AsRef<Path>) -> Result<Pcm, DecodeError> {
    let path = path.as_ref();
    let owned = || path.to_path_buf();
    let file = File::open(path).map_err(|source| DecodeError::Io {
        path: owned(),
        source,
    })?;
    let length_bytes = file
        .metadata()
        .map_err(|source| DecodeError::Io {
            path: owned(),
            source,
        })?
        .len();
    if length_bytes == 0 {
        return Err(DecodeError::Empty { path: owned() });
    }
    let stream = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    if let Some(extension) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(extension);
    }
    let mut format = symphonia::default::get_probe()
        .probe(
            &hint,
            stream,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|error| classify(path, error, 0.0))?;
    let track = format
        .default_track(TrackType::Audio)
        .ok_or_else(|| DecodeError::NoAudioTrack { path: owned() })?;
    let track_id = track.id;
    // The container's own count of playable frames, where it states one, tells a file cut
    // short from one that ends where it should (MPEG audio has no other end marker).
    let declared_frames = track.num_frames;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|params| params.audio())
        .ok_or_else(|| DecodeError::NoAudioTrack { path: owned() })?;
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(params, &AudioDecoderOptions::default())
        .map_err(|error| classify(path, error, 0.0))?;

    let mut collected = Collected::default();
    let mut packet_samples: Vec<f32> = Vec::new();
    loop {
        let decoded_secs = collected.duration_secs();
        let packet = match format.next_packet() {
            Ok(Some(packet)) => packet,
            Ok(None) => break,
            Err(error) => return Err(classify(path, error, decoded_secs)),
        };
        if packet.track_id != track_id {
            continue;
        }
        let buffer = decoder
            .decode(&packet)
            .map_err(|error| classify(path, error, decoded_secs))?;
        let spec = buffer.spec();
        let rate_hz = spec.rate();
        let channels = spec.channels().count();
        buffer.copy_to_vec_interleaved(&mut packet_samples);
        collected.push(path, rate_hz, channels, &packet_samples)?;
    }
    let decoded_secs = collected.duration_secs();
    if declared_frames.is_some_and(|declared| (collected.frames as u64) < declared) {
        return Err(DecodeError::Truncated {
            path: owned(),
            decoded_secs,
        });
    }
    collected.finish(path)
}

/// Samples gathered packet by packet, with the format fixed by the first packet.
#[derive(Default)]
struct Collected {
    format: Option<(u32, usize)>,
    samples: Vec<f32>,
    frames: usize,
}

impl Collected {
    fn duration_secs(&self) -> f64 {
        match self.format {
            Some((rate_hz, _)) if rate_hz > 0 => self.frames as f64 / f64::from(rate_hz),
            _ => 0.0,
        }
    }

    fn push(
        &mut self,
        path: &Path,
        rate_hz: u32,
        channels: usize,
        interleaved: &[f32],
    ) -> Result<(), DecodeError> {
        if interleaved.is_empty() {
            return Ok(());
        }
        if rate_hz == 0 || channels == 0 {
            return Err(DecodeError::Unsupported {
                path: path.to_path_buf(),
                detail: format!("{channels} channels at {rate_hz} Hz"),
            });
        }
        match self.format {
            None => self.format = Some((rate_hz, channels)),
            Some(format) if format != (rate_hz, channels) => {
                return Err(DecodeError::FormatChange {
                    path: path.to_path_buf(),
                    detail: format!(
                        "{} channels at {} Hz, then {channels} channels at {rate_hz} Hz",
                        format.1, format.0
                    ),
                });
            }
            Some(_) => {}
        }
        let frames = interleaved.len() / channels;
        self.frames += frames;
        if self.frames as u64 > u64::from(MAX_DURATION_SECS) * u64::from(rate_hz) {
            return Err(DecodeError::TooLong {
                path: path.to_path_buf(),
                limit_secs: MAX_DURATION_SECS,
            });
        }
        if channels <= 2 {
            self.samples.extend_from_slice(interleaved);
        } else {
            self.samples.extend(
                interleaved
                    .chunks_exact(channels)
                    .map(|frame| frame.iter().sum::<f32>() / channels as f32),
            );
        }
        Ok(())
    }

    fn finish(self, path: &Path) -> Result<Pcm, DecodeError> {
        match self.format {
            Some((rate_hz, channels)) if self.frames > 0 => Ok(Pcm {
                rate_hz,
                // Two channels at most were kept (more were mixed down to one).
                channels: if channels == 2 { 2 } else { 1 },
                samples: self.samples,
            }),
            _ => Err(DecodeError::Empty {
                path: path.to_path_buf(),
            }),
        }
    }
}

/// Maps symphonia's error to ours, with the file and how far decoding got.
fn classify(path: &Path, error: SymphoniaError, decoded_secs: f64) -> DecodeError {
    let path = path.to_path_buf();
    match error {
        SymphoniaError::IoError(source) if source.kind() == ErrorKind::UnexpectedEof => {
            DecodeError::Truncated { path, decoded_secs }
        }
        SymphoniaError::IoError(source) => DecodeError::Io { path, source },
        SymphoniaError::Unsupported(detail) => DecodeError::Unsupported {
            path,
            detail: detail.to_owned(),
        },
        SymphoniaError::DecodeError(detail) | SymphoniaError::LimitError(detail) => {
            DecodeError::Malformed {
                path,
                decoded_secs,
                detail: detail.to_owned(),
            }
        }
        other => DecodeError::Malformed {
            path,
            decoded_secs,
            detail: other.to_string(),
        },
    }
}
