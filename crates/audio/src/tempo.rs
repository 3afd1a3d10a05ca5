//! Tempo as an exact integer (milli-beats per minute) and the frame arithmetic built on it.

use crate::error::AudioError;

/// Slowest tempo the metronome plays, in beats (steps) per minute.
pub const MIN_BPM: u32 = 10;
/// Fastest tempo the metronome plays, in beats (steps) per minute. Every sound in the bank is
/// shorter than one beat at this tempo, so two beats never overlap.
pub const MAX_BPM: u32 = 300;

/// A tempo stored exactly as thousandths of a beat per minute (one beat = one step in RAS).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tempo {
    milli_bpm: u32,
}

impl Tempo {
    /// A tempo from thousandths of a beat per minute, checked against [`MIN_BPM`]..=[`MAX_BPM`].
    pub fn from_milli_bpm(milli_bpm: u32) -> Result<Self, AudioError> {
        if (MIN_BPM * 1000..=MAX_BPM * 1000).contains(&milli_bpm) {
            Ok(Self { milli_bpm })
        } else {
            Err(AudioError::TempoOutOfRange { milli_bpm })
        }
    }

    /// A tempo from beats per minute (rounded to 1/1000 beat per minute), range-checked.
    pub fn from_bpm(bpm: f64) -> Result<Self, AudioError> {
        let milli = (bpm * 1000.0).round();
        if !(0.0..=f64::from(u32::MAX)).contains(&milli) {
            return Err(AudioError::TempoOutOfRange { milli_bpm: 0 });
        }
        // In range of u32 by the check above.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Self::from_milli_bpm(milli as u32)
    }

    /// Thousandths of a beat per minute.
    pub fn milli_bpm(self) -> u32 {
        self.milli_bpm
    }

    /// Beats per minute as a float (for display).
    pub fn bpm(self) -> f64 {
        f64::from(self.milli_bpm) / 1000.0
    }

    /// Frames from beat 0 to beat `beats` of a steady beat at this tempo, rounded to the nearest
    /// frame: `round(beats · rate · 60 000 / milli_bpm)`. Exact rational arithmetic, so beat `n`
    /// never drifts from its ideal time by more than half a frame however large `n` is.
    pub fn frames_for_beats(self, beats: u64, sample_rate_hz: u32) -> u64 {
        let num = u128::from(beats) * u128::from(sample_rate_hz) * 60_000;
        let den = u128::from(self.milli_bpm);
        let rounded = (2 * num + den) / (2 * den);
        u64::try_from(rounded).unwrap_or(u64::MAX)
    }

    /// The beat period in frames, as a float (for display and estimates only).
    pub fn period_frames_f64(self, sample_rate_hz: u32) -> f64 {
        f64::from(sample_rate_hz) * 60_000.0 / f64::from(self.milli_bpm)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn range_is_checked() {
        assert!(Tempo::from_bpm(9.9).is_err());
        assert!(Tempo::from_bpm(300.5).is_err());
        assert!(Tempo::from_bpm(f64::NAN).is_err());
        assert_eq!(Tempo::from_bpm(100.0).map(Tempo::milli_bpm), Ok(100_000));
    }

    #[test]
    fn frames_are_exact_rationals() {
        let t = Tempo::from_bpm(100.0).unwrap();
        assert_eq!(t.frames_for_beats(1, 48_000), 28_800);
        let t = Tempo::from_milli_bpm(110_000).unwrap();
        // 26181.818… frames per beat: beat 11 lands exactly on 288 000.
        assert_eq!(t.frames_for_beats(1, 48_000), 26_182);
        assert_eq!(t.frames_for_beats(11, 48_000), 288_000);
    }
}
