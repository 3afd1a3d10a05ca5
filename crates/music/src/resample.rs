//! Sample-rate conversion of a whole [`Pcm`] with rubato's sinc resampler.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{
    Async, FixedAsync, Resampler, SincInterpolationParameters, SincInterpolationType,
    WindowFunction,
};

use crate::pcm::Pcm;

/// Why a resampling failed.
#[derive(Debug, thiserror::Error)]
pub enum ResampleError {
    /// A rate of zero was given or found.
    #[error("cannot resample from {from_hz} Hz to {to_hz} Hz: a rate must be above zero")]
    ZeroRate {
        /// The source rate.
        from_hz: u32,
        /// The requested rate.
        to_hz: u32,
    },
    /// The samples do not fill whole frames.
    #[error("{samples} samples do not make whole frames of {channels} channels")]
    PartialFrame {
        /// Samples given.
        samples: usize,
        /// Channels per frame.
        channels: u16,
    },
    /// rubato refused.
    #[error("resampling from {from_hz} Hz to {to_hz} Hz failed: {detail}")]
    Resampler {
        /// The source rate.
        from_hz: u32,
        /// The requested rate.
        to_hz: u32,
        /// rubato's words.
        detail: String,
    },
}

/// Frames handed to rubato per call: a size its documentation suggests for offline work.
const CHUNK_FRAMES: usize = 1024;

/// `pcm` at `rate_hz`, same channels, same duration (to the frame). Band-limited: a 256-tap
/// Blackman-Harris windowed sinc, cubic interpolation between 256 oversampled phases, cut-off
/// chosen by rubato for that filter.
pub fn resample(pcm: &Pcm, rate_hz: u32) -> Result<Pcm, ResampleError> {
    let zero = ResampleError::ZeroRate {
        from_hz: pcm.rate_hz,
        to_hz: rate_hz,
    };
    if pcm.rate_hz == 0 || rate_hz == 0 || pcm.channels == 0 {
        return Err(zero);
    }
    let channels = usize::from(pcm.channels);
    if !pcm.samples.len().is_multiple_of(channels) {
        return Err(ResampleError::PartialFrame {
            samples: pcm.samples.len(),
            channels: pcm.channels,
        });
    }
    if rate_hz == pcm.rate_hz || pcm.samples.is_empty() {
        return Ok(Pcm {
            rate_hz,
            channels: pcm.channels,
            samples: pcm.samples.clone(),
        });
    }
    let failed = |detail: String| ResampleError::Resampler {
        from_hz: pcm.rate_hz,
        to_hz: rate_hz,
        detail,
    };
    let ratio = f64::from(rate_hz) / f64::from(pcm.rate_hz);
    let parameters = SincInterpolationParameters {
        sinc_len: 256,
        f_cutoff: None,
        interpolation: SincInterpolationType::Cubic,
        oversampling_factor: 256,
        window: WindowFunction::BlackmanHarris2,
    };
    let mut resampler = Async::<f32>::new_sinc(
        ratio,
        1.0,
        &parameters,
        CHUNK_FRAMES,
        channels,
        FixedAsync::Input,
    )
    .map_err(|error| failed(error.to_string()))?;
    let frames = pcm.frames();
    let input = InterleavedSlice::new(&pcm.samples, channels, frames)
        .map_err(|error| failed(error.to_string()))?;
    let output = resampler
        .process_all(&input, frames, None)
        .map_err(|error| failed(error.to_string()))?;
    Ok(Pcm {
        rate_hz,
        channels: pcm.channels,
        samples: output.take_data(),
    })
}
