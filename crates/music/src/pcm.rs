//! Decoded audio: interleaved f32 samples at a stated rate.

use serde::{Deserialize, Serialize};

/// Interleaved 32-bit float PCM, one or two channels, full scale ±1.0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pcm {
    /// Frames per second.
    pub rate_hz: u32,
    /// Channels per frame: 1 (mono) or 2 (stereo).
    pub channels: u16,
    /// `frames() * channels` samples, frame by frame.
    pub samples: Vec<f32>,
}

impl Pcm {
    /// Number of frames (samples per channel).
    pub fn frames(&self) -> usize {
        match self.channels {
            0 => 0,
            channels => self.samples.len() / usize::from(channels),
        }
    }

    /// Length in seconds.
    pub fn duration_secs(&self) -> f64 {
        if self.rate_hz == 0 {
            return 0.0;
        }
        self.frames() as f64 / f64::from(self.rate_hz)
    }

    /// The channels averaged into one, frame by frame.
    pub fn mono(&self) -> Vec<f32> {
        match self.channels {
            0 => Vec::new(),
            1 => self.samples.clone(),
            channels => {
                let channels = usize::from(channels);
                self.samples
                    .chunks_exact(channels)
                    .map(|frame| frame.iter().sum::<f32>() / channels as f32)
                    .collect()
            }
        }
    }
}
