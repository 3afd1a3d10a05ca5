//! Offline rendering of a metronome to a WAV file (16-bit PCM).

use std::path::Path;

use crate::error::AudioError;
use crate::renderer::{Command, PlayedBeat, Renderer};
use crate::style::CueStyle;
use crate::tempo::Tempo;

/// What to render.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WavRequest {
    /// Tempo.
    pub tempo: Tempo,
    /// Length of the file in seconds.
    pub seconds: f64,
    /// Sample rate.
    pub sample_rate_hz: u32,
    /// Channels (1 or 2).
    pub channels: u16,
    /// Frame of the first beat.
    pub first_beat_frame: u64,
    /// Sounds, accents, panning.
    pub style: CueStyle,
    /// Volume (0..=1).
    pub volume: f32,
}

/// Renders the metronome described by `request` into `path`; returns the beats it holds.
pub fn render_to_wav(path: &Path, request: &WavRequest) -> Result<Vec<PlayedBeat>, AudioError> {
    let wav_error = |e: hound::Error| AudioError::Wav {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let mut renderer = Renderer::new(request.sample_rate_hz, request.channels);
    renderer.apply(Command::SetStyle(request.style))?;
    renderer.apply(Command::SetVolume(request.volume))?;
    renderer.apply(Command::Start {
        at_frame: request.first_beat_frame,
        tempo: request.tempo,
    })?;
    let spec = hound::WavSpec {
        channels: request.channels,
        sample_rate: request.sample_rate_hz,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).map_err(wav_error)?;
    // Negative or NaN lengths give an empty file.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let total_frames =
        (request.seconds.max(0.0) * f64::from(request.sample_rate_hz)).round() as u64;
    let mut beats = Vec::new();
    let mut buffer = vec![0.0f32; 1024 * usize::from(request.channels.max(1))];
    let mut done = 0u64;
    while done < total_frames {
        let frames = (total_frames - done).min(1024) as usize;
        let slice = &mut buffer[..frames * renderer.channels()];
        renderer.render(slice, |beat| beats.push(beat));
        for sample in slice.iter() {
            writer.write_sample(to_i16(*sample)).map_err(wav_error)?;
        }
        done += frames as u64;
    }
    writer.finalize().map_err(wav_error)?;
    Ok(beats)
}

/// Converts a float sample to 16-bit PCM, saturating (the renderer never exceeds ±1).
pub fn to_i16(sample: f32) -> i16 {
    // Clamped into i16 range first.
    #[allow(clippy::cast_possible_truncation)]
    let value = (sample.clamp(-1.0, 1.0) * 32767.0).round() as i16;
    value
}
