//! Audio files for the music tests (`entrain music`, the window's Music screen): samples written
//! as a 16-bit WAV, and a pulse whose tempo is ambiguous.

use std::path::Path;

/// Writes `samples` (interleaved, -1..=1, clamped) as a 16-bit WAV file.
pub fn write_wav(path: &Path, samples: &[f32], channels: u16, rate_hz: u32) -> hound::Result<()> {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate_hz,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec)?;
    for s in samples {
        w.write_sample((s.clamp(-1.0, 1.0) * 32_767.0) as i16)?;
    }
    w.finalize()
}

/// 20 s of identical clicks (10 ms, 2 kHz, decaying in 3 ms) at 150 per minute from 0.3 s, mono at
/// `rate_hz`: 150 and 75 bpm fit them as well, so the analysis calls the tempo ambiguous.
pub fn even_clicks(rate_hz: u32) -> Vec<f32> {
    let rate = f64::from(rate_hz);
    let mut samples = vec![0.0f32; 20 * rate_hz as usize];
    let mut t = 0.3;
    while t < 19.9 {
        let start = (t * rate) as usize;
        for n in 0..(0.01 * rate) as usize {
            let tau = n as f64 / rate;
            samples[start + n] +=
                (0.5 * (std::f64::consts::TAU * 2_000.0 * tau).sin() * (-tau / 0.003).exp()) as f32;
        }
        t += 0.4;
    }
    samples
}
