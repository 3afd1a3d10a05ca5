//! The built-in sound bank, synthesised in code at the stream's sample rate.

use std::f32::consts::TAU;
use std::fmt;
use std::str::FromStr;

use crate::error::AudioError;

/// Peak level of every sound in the bank (−0.45 dBFS): with voice gains ≤ 1 the output never clips.
pub const PEAK_LEVEL: f32 = 0.95;

/// A sound from the built-in bank.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SoundId {
    /// A sharp, short click (20 ms); its first sample is its loudest, the easiest to time.
    #[default]
    Click,
    /// A hollow woodblock knock (60 ms).
    Woodblock,
    /// A soft 880 Hz beep with a 4 ms rise (100 ms).
    SoftBeep,
    /// A low drum thump with a falling pitch (120 ms).
    Drum,
}

impl SoundId {
    /// Every sound in the bank.
    pub const ALL: [SoundId; 4] = [Self::Click, Self::Woodblock, Self::SoftBeep, Self::Drum];

    /// The name used on the command line and in settings.
    pub fn name(self) -> &'static str {
        match self {
            Self::Click => "click",
            Self::Woodblock => "woodblock",
            Self::SoftBeep => "beep",
            Self::Drum => "drum",
        }
    }

    /// The name a clinician reads (the settings screen).
    pub fn label(self) -> &'static str {
        match self {
            Self::Click => "click",
            Self::Woodblock => "wood block",
            Self::SoftBeep => "soft beep",
            Self::Drum => "drum",
        }
    }

    fn index(self) -> usize {
        match self {
            Self::Click => 0,
            Self::Woodblock => 1,
            Self::SoftBeep => 2,
            Self::Drum => 3,
        }
    }

    fn duration_secs(self) -> f32 {
        match self {
            Self::Click => 0.020,
            Self::Woodblock => 0.060,
            Self::SoftBeep => 0.100,
            Self::Drum => 0.120,
        }
    }
}

impl fmt::Display for SoundId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SoundId {
    type Err = AudioError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|id| id.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| AudioError::UnknownSound { name: s.to_owned() })
    }
}

/// Every bank sound rendered once at one sample rate (mono, peak [`PEAK_LEVEL`]).
#[derive(Clone, Debug)]
pub struct SoundBank {
    sample_rate_hz: u32,
    sounds: [Vec<f32>; 4],
}

impl SoundBank {
    /// Synthesises every sound at `sample_rate_hz` (allocates: call it outside the audio callback).
    pub fn new(sample_rate_hz: u32) -> Self {
        let sounds = SoundId::ALL.map(|id| normalised(synthesise(id, sample_rate_hz)));
        Self {
            sample_rate_hz,
            sounds,
        }
    }

    /// The sample rate the sounds were made for.
    pub fn sample_rate_hz(&self) -> u32 {
        self.sample_rate_hz
    }

    /// The samples of one sound.
    pub fn samples(&self, id: SoundId) -> &[f32] {
        &self.sounds[id.index()]
    }
}

fn synthesise(id: SoundId, sample_rate_hz: u32) -> Vec<f32> {
    let rate = sample_rate_hz as f32;
    // Sound lengths are well under a second: the cast cannot truncate meaningfully.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let len = (id.duration_secs() * rate).round().max(1.0) as usize;
    let mut noise = Noise(0x2545_f491);
    (0..len)
        .map(|i| {
            let t = i as f32 / rate;
            let fade_out = tail_fade(i, len);
            fade_out
                * match id {
                    Id::Click => {
                        let env = (-t / 0.002).exp();
                        env * (0.7 * (TAU * 3_000.0 * t).cos() + 0.3 * noise.next())
                    }
                    Id::Woodblock => {
                        let env = (-t / 0.012).exp();
                        env * (0.6 * (TAU * 1_050.0 * t).cos()
                            + 0.3 * (TAU * 1_720.0 * t).cos()
                            + 0.1 * (TAU * 2_650.0 * t).cos())
                    }
                    Id::SoftBeep => {
                        let rise = (t / 0.004).min(1.0);
                        let env = rise * (-t / 0.040).exp();
                        env * (TAU * 880.0 * t).sin()
                    }
                    Id::Drum => {
                        // Pitch falls from 160 Hz to 50 Hz; phase is the integral of frequency.
                        let tau = 0.030;
                        let phase = TAU * (50.0 * t + 110.0 * tau * (1.0 - (-t / tau).exp()));
                        let env = (-t / 0.045).exp();
                        env * phase.cos()
                    }
                }
        })
        .collect()
}

type Id = SoundId;

/// A short raised-cosine fade over the last 2 ms (at least 8 samples) so no sound ends with a step.
fn tail_fade(i: usize, len: usize) -> f32 {
    let fade = (len / 10).clamp(1, 96);
    let left = len - i;
    if left >= fade {
        1.0
    } else {
        0.5 - 0.5 * (std::f32::consts::PI * left as f32 / fade as f32).cos()
    }
}

fn normalised(mut samples: Vec<f32>) -> Vec<f32> {
    let peak = samples.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    if peak > 0.0 {
        let gain = PEAK_LEVEL / peak;
        samples.iter_mut().for_each(|s| *s *= gain);
    }
    samples
}

/// A tiny deterministic noise source (xorshift32) so the bank is the same on every run.
struct Noise(u32);

impl Noise {
    fn next(&mut self) -> f32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        (x as f32 / u32::MAX as f32) * 2.0 - 1.0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_sound_peaks_at_the_level_and_ends_quietly() {
        for rate in [44_100, 48_000, 96_000] {
            let bank = SoundBank::new(rate);
            for id in SoundId::ALL {
                let s = bank.samples(id);
                let peak = s.iter().fold(0.0f32, |m, x| m.max(x.abs()));
                assert!((peak - PEAK_LEVEL).abs() < 1e-4, "{id} peak {peak}");
                assert!(s.last().unwrap().abs() < 0.01, "{id} ends with a step");
            }
        }
    }

    #[test]
    fn click_starts_at_full_strength() {
        let bank = SoundBank::new(48_000);
        assert!(bank.samples(SoundId::Click)[0].abs() > 0.5);
    }

    #[test]
    fn names_parse() {
        for id in SoundId::ALL {
            assert_eq!(id.name().parse::<SoundId>().unwrap(), id);
        }
        assert!("gong".parse::<SoundId>().is_err());
    }
}
