//! The instruments of the built-in tracks, each a short sound synthesised from a formula:
//! deterministic (noise from a fixed-seed generator), starting exactly at its first sample.

use std::f64::consts::TAU;

/// One instrument strike or note.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Voice {
    /// Bass drum: a sine falling from 140 to 50 Hz.
    Kick,
    /// Snare: filtered noise over a 190 Hz body.
    Snare,
    /// Closed hi-hat: bright noise, very short.
    Hat,
    /// Bass note, MIDI note number, held for `beats`.
    Bass {
        /// MIDI note.
        note: u8,
        /// Length, beats.
        beats: f64,
    },
    /// Chord or melody tone (a soft electric-piano-like partial stack), MIDI note, `beats` long.
    Keys {
        /// MIDI note.
        note: u8,
        /// Length, beats.
        beats: f64,
    },
}

/// A voice at a time, with a level (linear gain).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Event {
    /// Start, beats from the start of the track.
    pub at_beats: f64,
    /// What sounds.
    pub voice: Voice,
    /// Linear gain.
    pub gain: f32,
}

fn note_hz(note: u8) -> f64 {
    440.0 * 2f64.powf((f64::from(note) - 69.0) / 12.0)
}

/// Xorshift noise in [-1, 1): the same sequence for the same seed on every machine.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

/// Samples of one voice at `rate_hz`, beat length `beat_secs`; `seed` varies the noise per
/// strike so that repeated hats do not sound like a loop of one sample.
pub fn render(voice: Voice, rate_hz: u32, beat_secs: f64, seed: u64) -> Vec<f32> {
    let rate = f64::from(rate_hz);
    let len = |secs: f64| (secs * rate).round() as usize;
    let time = |n: usize| n as f64 / rate;
    let mut noise = Noise(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0x2545_F491_4F6C_DD1D) | 1);
    match voice {
        Voice::Kick => {
            let mut phase = 0.0;
            (0..len(0.35))
                .map(|n| {
                    let t = time(n);
                    let freq = 50.0 + 90.0 * (-t / 0.03).exp();
                    phase += TAU * freq / rate;
                    let click = if t < 0.002 { 0.3 * noise.next() } else { 0.0 };
                    ((phase.sin() * (-t / 0.18).exp() + click) * 0.9) as f32
                })
                .collect()
        }
        Voice::Snare => {
            let mut last = 0.0;
            (0..len(0.25))
                .map(|n| {
                    let t = time(n);
                    let white = noise.next();
                    let bright = white - last;
                    last = white;
                    let body = (TAU * 190.0 * t).sin() * (-t / 0.05).exp();
                    (0.35 * bright * (-t / 0.07).exp() + 0.4 * body) as f32
                })
                .collect()
        }
        Voice::Hat => {
            let (mut a, mut b) = (0.0, 0.0);
            (0..len(0.06))
                .map(|n| {
                    let t = time(n);
                    let white = noise.next();
                    // Second difference: most of the energy above 5 kHz.
                    let bright = white - 2.0 * a + b;
                    b = a;
                    a = white;
                    (0.12 * bright * (-t / 0.012).exp()) as f32
                })
                .collect()
        }
        Voice::Bass { note, beats } => {
            let freq = note_hz(note);
            tone(rate, beats * beat_secs, 0.004, 0.4, |t| {
                (1..=4)
                    .map(|k| (TAU * freq * f64::from(k) * t).sin() / f64::from(k))
                    .sum::<f64>()
                    * 0.35
            })
        }
        Voice::Keys { note, beats } => {
            let freq = note_hz(note);
            tone(rate, beats * beat_secs, 0.003, 0.5, |t| {
                ((TAU * freq * t).sin()
                    + 0.25 * (TAU * 2.0 * freq * t).sin()
                    + 0.1 * (TAU * 3.0 * freq * t).sin())
                    * 0.2
            })
        }
    }
}

/// A pitched tone: `attack_secs` linear rise, exponential decay with time constant
/// `decay_secs`, held for `hold_secs` and then released over 30 ms.
fn tone(
    rate: f64,
    hold_secs: f64,
    attack_secs: f64,
    decay_secs: f64,
    wave: impl Fn(f64) -> f64,
) -> Vec<f32> {
    const RELEASE_SECS: f64 = 0.03;
    let total = ((hold_secs + RELEASE_SECS) * rate).round() as usize;
    (0..total)
        .map(|n| {
            let t = n as f64 / rate;
            let rise = (t / attack_secs).min(1.0);
            let release = if t > hold_secs {
                (1.0 - (t - hold_secs) / RELEASE_SECS).max(0.0)
            } else {
                1.0
            };
            (wave(t) * rise * (-t / decay_secs).exp() * release) as f32
        })
        .collect()
}
