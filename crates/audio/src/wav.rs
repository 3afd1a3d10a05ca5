//! Offline rendering of a metronome, or of music along the beat schedule, to a WAV file (16-bit
//! PCM).

use std::path::Path;

use crate::error::AudioError;
use crate::renderer::{Command, PlayedBeat, Renderer};
use crate::style::CueStyle;
use crate::tempo::Tempo;

pub use crate::music_render::{MusicWavRequest, render_music, tempo_ramp, write_beats_csv};

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

/// The sample rates a WAV file (and the renderer) is made at, Hz.
pub const SAMPLE_RATES_HZ: core::ops::RangeInclusive<u32> = 8_000..=384_000;

/// Bytes of the RIFF header before the samples; the whole file must stay under 4 GiB.
const WAV_HEADER_BYTES: u64 = 44;

impl WavRequest {
    /// The number of frames the file will hold.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    pub fn total_frames(&self) -> u64 {
        // validate() refuses negative, NaN and too long lengths.
        (self.seconds.max(0.0) * f64::from(self.sample_rate_hz)).round() as u64
    }

    /// Refuses what a 16-bit WAV file cannot hold: a sample rate outside [`SAMPLE_RATES_HZ`],
    /// other than 1 or 2 channels, a length that is negative, not a number, or over the format's
    /// 4 GiB (about 6.2 hours of stereo at 48 kHz).
    pub fn validate(&self) -> Result<(), AudioError> {
        let refuse = |what, detail: String| Err(AudioError::WavRequest { what, detail });
        if !SAMPLE_RATES_HZ.contains(&self.sample_rate_hz) {
            return refuse(
                "sample rate",
                format!(
                    "must be within {}..={} Hz, got {}",
                    SAMPLE_RATES_HZ.start(),
                    SAMPLE_RATES_HZ.end(),
                    self.sample_rate_hz
                ),
            );
        }
        if !matches!(self.channels, 1 | 2) {
            return refuse("channels", format!("must be 1 or 2, got {}", self.channels));
        }
        if !self.seconds.is_finite() || self.seconds < 0.0 {
            return refuse(
                "length",
                format!("must be a number of seconds ≥ 0, got {}", self.seconds),
            );
        }
        let bytes_per_frame = 2 * u64::from(self.channels);
        let max_frames = (u64::from(u32::MAX) - WAV_HEADER_BYTES) / bytes_per_frame;
        if self.seconds * f64::from(self.sample_rate_hz) > max_frames as f64 {
            return refuse(
                "length",
                format!(
                    "{} s is over the format's 4 GiB: at most {:.0} s at {} Hz, {} channel(s)",
                    self.seconds,
                    max_frames as f64 / f64::from(self.sample_rate_hz),
                    self.sample_rate_hz,
                    self.channels
                ),
            );
        }
        Ok(())
    }
}

/// Renders the metronome described by `request` into `path`; returns the beats it holds. A request
/// [`WavRequest::validate`] refuses writes no file.
pub fn render_to_wav(path: &Path, request: &WavRequest) -> Result<Vec<PlayedBeat>, AudioError> {
    request.validate()?;
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
    let total_frames = request.total_frames();
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::sound::SoundId;

    fn request(seconds: f64, sample_rate_hz: u32, channels: u16) -> WavRequest {
        WavRequest {
            tempo: Tempo::from_bpm(100.0).unwrap(),
            seconds,
            sample_rate_hz,
            channels,
            first_beat_frame: 0,
            style: CueStyle::plain(SoundId::Click),
            volume: 1.0,
        }
    }

    #[test]
    fn what_a_wav_file_cannot_hold_is_refused_before_any_file_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            (request(1.0, 0, 2), "sample rate"),
            (request(1.0, 1_000_000, 2), "sample rate"),
            (request(1.0, 48_000, 3), "channels"),
            (request(f64::NAN, 48_000, 2), "length"),
            (request(-1.0, 48_000, 2), "length"),
            (request(1e12, 48_000, 2), "length"),
            // 4 GiB of stereo 16-bit at 48 kHz is 22,369.6 s: one second more does not fit.
            (request(22_371.0, 48_000, 2), "length"),
        ];
        for (i, (r, what)) in cases.iter().enumerate() {
            let path = dir.path().join(format!("{i}.wav"));
            match render_to_wav(&path, r) {
                Err(AudioError::WavRequest { what: w, .. }) => assert_eq!(w, *what, "case {i}"),
                other => panic!("case {i}: {other:?}"),
            }
            assert!(!path.exists(), "case {i} wrote a file");
        }
        // The longest that fits is accepted (not rendered here: it would be 4 GiB).
        assert!(request(22_369.0, 48_000, 2).validate().is_ok());
        assert!(request(44_739.0, 48_000, 1).validate().is_ok());
    }

    #[test]
    fn a_valid_request_holds_its_frames() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        let r = request(1.5, 8_000, 1);
        render_to_wav(&path, &r).unwrap();
        let reader = hound::WavReader::open(&path).unwrap();
        assert_eq!(u64::from(reader.len()), r.total_frames());
        assert_eq!(r.total_frames(), 12_000);
    }
}
