//! The onset-strength envelope: how much new energy starts at each moment, from a short-time
//! Fourier transform, per band, log-compressed, positive differences summed (spectral flux).
//!
//! Frames are centred on `index * hop` samples (the signal is padded by half a window at the
//! start), so an envelope value's time is `index / frame_rate_hz` with no further offset.

use rustfft::FftPlanner;
use rustfft::num_complex::Complex;

/// Window length sought, seconds: 2048 samples at 44.1 kHz.
const WINDOW_SECS: f64 = 0.046;
/// Frequency bands the spectrum is summed into, logarithmically spaced.
const BANDS: usize = 40;
const LOWEST_BAND_HZ: f64 = 40.0;
const HIGHEST_BAND_HZ: f64 = 10_000.0;
/// Bands whose upper edge is below this carry the bass and kick drum: the bar's accents.
pub const LOW_BAND_TOP_HZ: f64 = 220.0;
/// Log compression `ln(1 + GAIN * magnitude / loudest)`: a quiet track's onsets count as much
/// as a loud one's, and noise 60 dB down counts little.
const COMPRESSION_GAIN: f32 = 1_000.0;

/// The onset envelope of a mono signal, and its chroma.
#[derive(Debug, Clone)]
pub struct Onsets {
    /// Envelope frames per second.
    pub frame_rate_hz: f64,
    /// Spectral flux over all bands, one value per frame.
    pub strength: Vec<f32>,
    /// Spectral flux over the bands below [`LOW_BAND_TOP_HZ`].
    pub low_strength: Vec<f32>,
    /// Pitch-class profile (chroma): spectral magnitude folded onto the 12 semitones, 12 per
    /// frame, frame after frame. What the harmony is, whatever the octave.
    pub chroma: Vec<f32>,
}

impl Onsets {
    /// Envelope frames.
    pub fn len(&self) -> usize {
        self.strength.len()
    }

    /// The chroma of one frame.
    pub fn frame_chroma(&self, frame: usize) -> &[f32] {
        self.chroma.get(frame * 12..frame * 12 + 12).unwrap_or(&[])
    }
}

/// FFT length for a sample rate: the power of two nearest [`WINDOW_SECS`], at least 64.
pub fn window_len(rate_hz: u32) -> usize {
    let target = (f64::from(rate_hz) * WINDOW_SECS).max(64.0);
    let below = 1usize << (target.log2().floor() as u32);
    if target / below as f64 > std::f64::consts::SQRT_2 {
        below * 2
    } else {
        below
    }
}

/// The onset envelope of `mono` at `rate_hz`, hop a quarter window (11.6 ms at 44.1 kHz).
pub fn onsets(mono: &[f32], rate_hz: u32) -> Onsets {
    let n_fft = window_len(rate_hz);
    let hop = n_fft / 4;
    let frame_rate_hz = f64::from(rate_hz) / hop as f64;
    let band_of_bin = band_map(n_fft, rate_hz);
    let band_count = band_of_bin.iter().flatten().max().map_or(0, |b| b + 1);
    let frames = if mono.is_empty() {
        0
    } else {
        mono.len() / hop + 1
    };
    let window: Vec<f32> = (0..n_fft)
        .map(|n| {
            let phase = 2.0 * std::f64::consts::PI * n as f64 / n_fft as f64;
            (0.5 - 0.5 * phase.cos()) as f32
        })
        .collect();
    let fft = FftPlanner::<f32>::new().plan_fft_forward(n_fft);
    let mut buffer = vec![Complex::new(0.0f32, 0.0); n_fft];
    let mut scratch = vec![Complex::new(0.0f32, 0.0); fft.get_inplace_scratch_len()];
    let mut bins_in_band = vec![0u32; band_count];
    for band in band_of_bin.iter().flatten() {
        bins_in_band[*band] += 1;
    }
    let mut magnitudes = vec![0.0f32; frames * band_count];
    let pitch_class_of_bin = pitch_class_map(n_fft, rate_hz);
    let mut chroma = vec![0.0f32; frames * 12];
    let half = n_fft / 2;
    for frame in 0..frames {
        let centre = frame * hop;
        for (n, slot) in buffer.iter_mut().enumerate() {
            // Sample index centre - half + n, zero outside the signal.
            let sample = (centre + n)
                .checked_sub(half)
                .and_then(|i| mono.get(i))
                .copied()
                .unwrap_or(0.0);
            *slot = Complex::new(sample * window[n], 0.0);
        }
        fft.process_with_scratch(&mut buffer, &mut scratch);
        let row = &mut magnitudes[frame * band_count..(frame + 1) * band_count];
        for (bin, band) in band_of_bin.iter().enumerate() {
            if let Some(band) = band {
                row[*band] += buffer[bin].norm();
            }
        }
        let pitch_row = &mut chroma[frame * 12..frame * 12 + 12];
        for (bin, class) in pitch_class_of_bin.iter().enumerate() {
            if let Some(class) = class {
                pitch_row[*class] += buffer[bin].norm();
            }
        }
        for (value, bins) in row.iter_mut().zip(&bins_in_band) {
            *value /= (*bins).max(1) as f32;
        }
    }
    let loudest = magnitudes.iter().copied().fold(0.0f32, f32::max);
    let scale = if loudest > 0.0 {
        COMPRESSION_GAIN / loudest
    } else {
        0.0
    };
    for value in &mut magnitudes {
        *value = (1.0 + scale * *value).ln();
    }
    let low_bands = low_band_count(n_fft, rate_hz);
    let mut strength = vec![0.0f32; frames];
    let mut low_strength = vec![0.0f32; frames];
    // Before the first frame is silence (compressed, zero): a track that starts on a strike
    // has an onset at frame 0.
    let silence = vec![0.0f32; band_count];
    for frame in 0..frames {
        let now = &magnitudes[frame * band_count..(frame + 1) * band_count];
        let before = match frame.checked_sub(1) {
            Some(previous) => &magnitudes[previous * band_count..frame * band_count],
            None => &silence[..],
        };
        for (band, (n, b)) in now.iter().zip(before).enumerate() {
            let rise = (n - b).max(0.0);
            strength[frame] += rise;
            if band < low_bands {
                low_strength[frame] += rise;
            }
        }
    }
    Onsets {
        frame_rate_hz,
        strength,
        low_strength,
        chroma,
    }
}

/// Pitch classes are read between these frequencies: below, an FFT bin spans more than a
/// semitone; above, overtones blur the harmony.
const CHROMA_LOW_HZ: f64 = 130.0;
const CHROMA_HIGH_HZ: f64 = 2_000.0;

/// For each FFT bin, its nearest pitch class (0 = C) when in the chroma range.
fn pitch_class_map(n_fft: usize, rate_hz: u32) -> Vec<Option<usize>> {
    let bin_hz = f64::from(rate_hz) / n_fft as f64;
    (0..=n_fft / 2)
        .map(|bin| {
            let freq = bin as f64 * bin_hz;
            (CHROMA_LOW_HZ..CHROMA_HIGH_HZ).contains(&freq).then(|| {
                // MIDI note number; C is a multiple of 12.
                let note = (69.0 + 12.0 * (freq / 440.0).log2()).round() as i64;
                note.rem_euclid(12) as usize
            })
        })
        .collect()
}

/// Band edges: `BANDS` logarithmic steps between the lowest and highest band frequencies
/// (the highest capped below Nyquist).
fn band_edges_hz(rate_hz: u32) -> Vec<f64> {
    let top = HIGHEST_BAND_HZ.min(0.45 * f64::from(rate_hz));
    let bottom = LOWEST_BAND_HZ.min(top / 2.0);
    (0..=BANDS)
        .map(|i| bottom * (top / bottom).powf(i as f64 / BANDS as f64))
        .collect()
}

/// For each FFT bin up to Nyquist, its band (renumbered so that bands without a bin vanish).
fn band_map(n_fft: usize, rate_hz: u32) -> Vec<Option<usize>> {
    let edges = band_edges_hz(rate_hz);
    let bin_hz = f64::from(rate_hz) / n_fft as f64;
    let raw: Vec<Option<usize>> = (0..=n_fft / 2)
        .map(|bin| {
            let freq = bin as f64 * bin_hz;
            edges.windows(2).position(|e| freq >= e[0] && freq < e[1])
        })
        .collect();
    let mut renumber = vec![None; BANDS];
    let mut next = 0;
    for band in raw.iter().flatten() {
        if renumber[*band].is_none() {
            renumber[*band] = Some(next);
            next += 1;
        }
    }
    raw.iter().map(|b| b.and_then(|b| renumber[b])).collect()
}

/// How many of the renumbered bands lie below [`LOW_BAND_TOP_HZ`].
fn low_band_count(n_fft: usize, rate_hz: u32) -> usize {
    let edges = band_edges_hz(rate_hz);
    let bin_hz = f64::from(rate_hz) / n_fft as f64;
    let mut seen = [false; BANDS];
    let mut count = 0;
    for bin in 0..=n_fft / 2 {
        let freq = bin as f64 * bin_hz;
        if let Some(band) = edges.windows(2).position(|e| freq >= e[0] && freq < e[1])
            && !seen[band]
        {
            seen[band] = true;
            if edges[band + 1] <= LOW_BAND_TOP_HZ {
                count += 1;
            }
        }
    }
    count
}

/// `envelope` with its local mean (over `window` frames) taken away and what falls below zero
/// set to zero, then scaled to unit standard deviation: the onsets stand out of a slowly
/// varying level, and the tempo and beat scores do not depend on loudness.
pub fn normalised(envelope: &[f32], window: usize) -> Vec<f32> {
    let n = envelope.len();
    if n == 0 {
        return Vec::new();
    }
    let half = window / 2;
    let mut prefix = vec![0.0f64; n + 1];
    for (i, v) in envelope.iter().enumerate() {
        prefix[i + 1] = prefix[i] + f64::from(*v);
    }
    let mut out: Vec<f32> = (0..n)
        .map(|i| {
            let lo = i.saturating_sub(half);
            let hi = (i + half + 1).min(n);
            let mean = (prefix[hi] - prefix[lo]) / (hi - lo) as f64;
            (f64::from(envelope[i]) - mean).max(0.0) as f32
        })
        .collect();
    let mean = out.iter().map(|v| f64::from(*v)).sum::<f64>() / n as f64;
    let var = out
        .iter()
        .map(|v| (f64::from(*v) - mean).powi(2))
        .sum::<f64>()
        / n as f64;
    let std = var.sqrt();
    if std > 1.0e-9 {
        for v in &mut out {
            *v = (f64::from(*v) / std) as f32;
        }
    }
    out
}
