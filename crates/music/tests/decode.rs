//! Decoding each supported format, and each way a file can be unusable.

use std::path::{Path, PathBuf};

use entrain_music::{DecodeError, Pcm, decode_file, resample};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Power of a `freq_hz` sinusoid in one channel (Goertzel), relative to the channel's energy.
fn tone_share(pcm: &Pcm, channel: usize, freq_hz: f64) -> f64 {
    let channels = usize::from(pcm.channels);
    let signal: Vec<f64> = pcm
        .samples
        .iter()
        .skip(channel)
        .step_by(channels)
        .map(|&s| f64::from(s))
        .collect();
    let omega = 2.0 * std::f64::consts::PI * freq_hz / f64::from(pcm.rate_hz);
    let (mut re, mut im) = (0.0, 0.0);
    for (n, x) in signal.iter().enumerate() {
        re += x * (omega * n as f64).cos();
        im -= x * (omega * n as f64).sin();
    }
    let energy: f64 = signal.iter().map(|x| x * x).sum();
    2.0 * (re * re + im * im) / (signal.len() as f64 * energy)
}

#[test]
fn flac_decodes_to_its_tone_with_every_frame() -> Result<(), DecodeError> {
    let pcm = decode_file(fixture("tone-mono-22050.flac"))?;
    assert_eq!(
        (pcm.rate_hz, pcm.channels, pcm.frames()),
        (22_050, 1, 11_025)
    );
    assert!(tone_share(&pcm, 0, 440.0) > 0.95);
    Ok(())
}

#[test]
fn vorbis_decodes_both_channels() -> Result<(), DecodeError> {
    let pcm = decode_file(fixture("tone-stereo-22050.ogg"))?;
    assert_eq!(
        (pcm.rate_hz, pcm.channels, pcm.frames()),
        (22_050, 2, 11_025)
    );
    assert!(tone_share(&pcm, 0, 440.0) > 0.9);
    assert!(tone_share(&pcm, 1, 660.0) > 0.9);
    assert!(tone_share(&pcm, 0, 660.0) < 0.05);
    Ok(())
}

#[test]
fn mp3_decodes_gapless() -> Result<(), DecodeError> {
    let pcm = decode_file(fixture("tone-mono-22050.mp3"))?;
    // The encoder's delay and padding are removed, so the tone starts at frame 0.
    assert_eq!(
        (pcm.rate_hz, pcm.channels, pcm.frames()),
        (22_050, 1, 11_025)
    );
    assert!(tone_share(&pcm, 0, 440.0) > 0.9);
    let first_ms: f32 = pcm.samples[..220]
        .iter()
        .map(|s| s.abs())
        .fold(0.0, f32::max);
    assert!(first_ms > 0.2, "the tone's first 10 ms peak at {first_ms}");
    Ok(())
}

fn write_wav(path: &Path, spec: hound::WavSpec, frames: &[[f32; 2]]) -> Result<(), hound::Error> {
    let mut writer = hound::WavWriter::create(path, spec)?;
    for frame in frames {
        for &sample in &frame[..usize::from(spec.channels)] {
            match spec.sample_format {
                hound::SampleFormat::Float => writer.write_sample(sample)?,
                hound::SampleFormat::Int => writer.write_sample((sample * 32_767.0) as i16)?,
            }
        }
    }
    writer.finalize()
}

fn ramp(frames: usize) -> Vec<[f32; 2]> {
    (0..frames)
        .map(|i| {
            let x = (i as f32 / frames as f32) - 0.5;
            [x, -x]
        })
        .collect()
}

#[test]
fn wav_float_and_int_decode_to_the_samples_written() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let frames = ramp(4_800);
    let float = dir.path().join("float.wav");
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 48_000,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    write_wav(&float, spec, &frames)?;
    let pcm = decode_file(&float)?;
    assert_eq!(
        (pcm.rate_hz, pcm.channels, pcm.frames()),
        (48_000, 2, 4_800)
    );
    let written: Vec<f32> = frames.iter().flatten().copied().collect();
    assert_eq!(pcm.samples, written);

    let int = dir.path().join("int.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    write_wav(&int, spec, &frames)?;
    let pcm = decode_file(&int)?;
    assert_eq!((pcm.rate_hz, pcm.channels, pcm.frames()), (8_000, 1, 4_800));
    for (decoded, frame) in pcm.samples.iter().zip(&frames) {
        assert!(
            (decoded - frame[0]).abs() < 1.0e-4,
            "{decoded} vs {}",
            frame[0]
        );
    }
    Ok(())
}

/// The error for `bytes` written to a file called `name`, with the file's path.
fn error_for(
    name: &str,
    bytes: &[u8],
) -> Result<(DecodeError, PathBuf), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join(name);
    std::fs::write(&path, bytes)?;
    match decode_file(&path) {
        Ok(pcm) => Err(format!("{name} decoded to {} frames", pcm.frames()).into()),
        Err(error) => {
            assert!(
                error.to_string().contains(&path.display().to_string()),
                "the message names the file: {error}"
            );
            Ok((error, path))
        }
    }
}

fn half_of(name: &str) -> Result<Vec<u8>, std::io::Error> {
    let bytes = std::fs::read(fixture(name))?;
    Ok(bytes[..bytes.len() / 2].to_vec())
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let path = Path::new("/nonexistent/entrain/track.flac");
    match decode_file(path) {
        Err(DecodeError::Io { path: named, .. }) => assert_eq!(named, path),
        other => panic!("expected an I/O error, got {other:?}"),
    }
}

#[test]
fn an_empty_file_is_empty() -> Result<(), Box<dyn std::error::Error>> {
    let (error, _) = error_for("empty.mp3", &[])?;
    assert!(matches!(error, DecodeError::Empty { .. }), "{error}");
    Ok(())
}

#[test]
fn a_wav_without_samples_is_empty() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("none.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 44_100,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    write_wav(&path, spec, &[])?;
    let error = decode_file(&path).err();
    assert!(
        matches!(error, Some(DecodeError::Empty { .. })),
        "{error:?}"
    );
    Ok(())
}

#[test]
fn text_and_noise_are_unsupported() -> Result<(), Box<dyn std::error::Error>> {
    let (error, _) = error_for(
        "notes.flac",
        b"these are not the samples you are looking for",
    )?;
    assert!(matches!(error, DecodeError::Unsupported { .. }), "{error}");
    // Deterministic bytes with no MPEG sync word (0xFFE) anywhere.
    let noise: Vec<u8> = (0..4_000u32).map(|i| (i * 7 % 200) as u8 + 20).collect();
    let (error, _) = error_for("noise.mp3", &noise)?;
    assert!(matches!(error, DecodeError::Unsupported { .. }), "{error}");
    Ok(())
}

#[test]
fn every_format_cut_in_half_is_truncated() -> Result<(), Box<dyn std::error::Error>> {
    for name in [
        "tone-mono-22050.flac",
        "tone-stereo-22050.ogg",
        "tone-mono-22050.mp3",
    ] {
        let (error, _) = error_for(name, &half_of(name)?)?;
        assert!(
            matches!(error, DecodeError::Truncated { .. }),
            "{name}: {error}"
        );
    }
    let dir = tempfile::tempdir()?;
    let whole = dir.path().join("whole.wav");
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 44_100,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    write_wav(&whole, spec, &ramp(44_100))?;
    let bytes = std::fs::read(&whole)?;
    let (error, _) = error_for("half.wav", &bytes[..bytes.len() / 2])?;
    match error {
        DecodeError::Truncated { decoded_secs, .. } => {
            assert!(
                (decoded_secs - 0.5).abs() < 0.01,
                "{decoded_secs} s decoded"
            )
        }
        other => panic!("expected truncated, got {other}"),
    }
    Ok(())
}

#[test]
fn a_corrupt_ogg_page_is_malformed() -> Result<(), Box<dyn std::error::Error>> {
    let mut bytes = std::fs::read(fixture("tone-stereo-22050.ogg"))?;
    // Bytes inside the audio pages: the page checksum no longer matches.
    let at = bytes.len() / 2;
    for byte in &mut bytes[at..at + 64] {
        *byte ^= 0x5A;
    }
    let (error, _) = error_for("corrupt.ogg", &bytes)?;
    assert!(matches!(error, DecodeError::Malformed { .. }), "{error}");
    Ok(())
}

#[test]
fn resampling_keeps_duration_channels_and_pitch() -> Result<(), Box<dyn std::error::Error>> {
    let pcm = decode_file(fixture("tone-stereo-22050.ogg"))?;
    let up = resample(&pcm, 48_000)?;
    assert_eq!((up.rate_hz, up.channels), (48_000, 2));
    assert!(
        (up.frames() as i64 - 24_000).abs() <= 1,
        "{} frames",
        up.frames()
    );
    assert!(tone_share(&up, 0, 440.0) > 0.9);
    assert!(tone_share(&up, 1, 660.0) > 0.9);
    let same = resample(&pcm, 22_050)?;
    assert_eq!(same, pcm);
    assert!(resample(&pcm, 0).is_err());
    Ok(())
}

#[test]
fn more_than_two_channels_are_mixed_to_mono() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("quad.wav");
    let spec = hound::WavSpec {
        channels: 4,
        sample_rate: 16_000,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut writer = hound::WavWriter::create(&path, spec)?;
    for i in 0..1_000 {
        for channel in 0..4 {
            writer.write_sample(0.1 * channel as f32 + 0.0001 * i as f32)?;
        }
    }
    writer.finalize()?;
    let pcm = decode_file(&path)?;
    assert_eq!(
        (pcm.rate_hz, pcm.channels, pcm.frames()),
        (16_000, 1, 1_000)
    );
    for (i, sample) in pcm.samples.iter().enumerate() {
        let mean = 0.15 + 0.0001 * i as f32;
        assert!(
            (sample - mean).abs() < 1.0e-6,
            "frame {i}: {sample} vs {mean}"
        );
    }
    Ok(())
}

#[test]
fn resampling_keeps_a_click_at_its_time() -> Result<(), Box<dyn std::error::Error>> {
    // A single full-scale sample at exactly 1.0 s, 44.1 kHz to 48 kHz: rubato's delay is
    // trimmed, so the peak stays at 1.0 s (to a sample).
    let mut samples = vec![0.0f32; 88_200];
    samples[44_100] = 1.0;
    let pcm = Pcm {
        rate_hz: 44_100,
        channels: 1,
        samples,
    };
    let out = resample(&pcm, 48_000)?;
    let peak = out
        .samples
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
        .map(|(i, _)| i)
        .ok_or("no samples")?;
    assert!((peak as i64 - 48_000).abs() <= 1, "peak at frame {peak}");
    Ok(())
}
