//! Rhythm tracks synthesised in code: music on a fresh machine, with beats known exactly.
//!
//! Each track is a whole number of bars and loops without a seam: a note still sounding at the
//! end is wrapped onto the start, where it would be sounding on the second time round.

mod styles;
mod voices;

use crate::pcm::Pcm;
use styles::{Style, events};

/// A built-in track: a style at a tempo and meter.
#[derive(Debug, Clone, PartialEq)]
pub struct BuiltinTrack {
    /// Stable identifier, e.g. `march-4-4`.
    pub name: &'static str,
    /// What a therapist reads.
    pub title: &'static str,
    /// Tempo, beats per minute.
    pub tempo_bpm: f64,
    /// Beats per bar.
    pub beats_per_bar: u8,
    /// Bars in one loop.
    pub bars: u32,
    style: Style,
}

/// A rendered built-in track and its ground truth.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// Mono PCM, one loop.
    pub pcm: Pcm,
    /// The sample-exact time of each beat's strike, seconds.
    pub beats_secs: Vec<f64>,
    /// The beats that begin a bar.
    pub downbeats_secs: Vec<f64>,
}

const TRACKS: [BuiltinTrack; 4] = [
    BuiltinTrack {
        name: "march-2-4",
        title: "March in 2/4, 112 bpm",
        tempo_bpm: 112.0,
        beats_per_bar: 2,
        bars: 32,
        style: Style::March,
    },
    BuiltinTrack {
        name: "march-4-4",
        title: "March in 4/4, 104 bpm",
        tempo_bpm: 104.0,
        beats_per_bar: 4,
        bars: 16,
        style: Style::March,
    },
    BuiltinTrack {
        name: "waltz-3-4",
        title: "Waltz in 3/4, 100 bpm",
        tempo_bpm: 100.0,
        beats_per_bar: 3,
        bars: 20,
        style: Style::Waltz,
    },
    BuiltinTrack {
        name: "groove-4-4",
        title: "Light groove in 4/4, 116 bpm",
        tempo_bpm: 116.0,
        beats_per_bar: 4,
        bars: 16,
        style: Style::Groove,
    },
];

/// Peak level of a rendered track, full scale 1.0: headroom for the click overlaid on it.
const PEAK: f32 = 0.7;

/// Every built-in track.
pub fn tracks() -> &'static [BuiltinTrack] {
    &TRACKS
}

/// The built-in track called `name`.
pub fn by_name(name: &str) -> Option<&'static BuiltinTrack> {
    TRACKS.iter().find(|track| track.name == name)
}

impl BuiltinTrack {
    /// Beats in one loop.
    pub fn beats(&self) -> u32 {
        self.bars * u32::from(self.beats_per_bar)
    }

    /// Beat length, seconds.
    pub fn beat_secs(&self) -> f64 {
        60.0 / self.tempo_bpm
    }

    /// The sample at which a time given in beats falls, at `rate_hz`.
    fn sample_at(&self, at_beats: f64, rate_hz: u32) -> usize {
        (at_beats * self.beat_secs() * f64::from(rate_hz)).round() as usize
    }

    /// One loop at `rate_hz` with its beats and downbeats.
    pub fn render(&self, rate_hz: u32) -> Rendered {
        let length = self.sample_at(f64::from(self.beats()), rate_hz);
        let mut samples = vec![0.0f32; length];
        if length > 0 {
            for (index, event) in events(self.style, self.beats_per_bar, self.bars)
                .iter()
                .enumerate()
            {
                let start = self.sample_at(event.at_beats, rate_hz);
                let sound = voices::render(event.voice, rate_hz, self.beat_secs(), index as u64);
                for (offset, value) in sound.iter().enumerate() {
                    samples[(start + offset) % length] += value * event.gain;
                }
            }
        }
        let peak = samples.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        if peak > 0.0 {
            for s in &mut samples {
                *s *= PEAK / peak;
            }
        }
        let time = |beat: u32| self.sample_at(f64::from(beat), rate_hz) as f64 / f64::from(rate_hz);
        Rendered {
            pcm: Pcm {
                rate_hz,
                channels: 1,
                samples,
            },
            beats_secs: (0..self.beats()).map(time).collect(),
            downbeats_secs: (0..self.bars)
                .map(|bar| time(bar * u32::from(self.beats_per_bar)))
                .collect(),
        }
    }
}

impl Rendered {
    /// The loop played `times` times in a row (it loops without a seam), its beats and
    /// downbeats carried on.
    pub fn repeated(&self, times: usize) -> Rendered {
        let loop_secs = self.pcm.duration_secs();
        let shifted = |times_secs: &[f64]| -> Vec<f64> {
            (0..times)
                .flat_map(|i| times_secs.iter().map(move |t| t + i as f64 * loop_secs))
                .collect()
        };
        Rendered {
            pcm: Pcm {
                samples: self.pcm.samples.repeat(times),
                ..self.pcm.clone()
            },
            beats_secs: shifted(&self.beats_secs),
            downbeats_secs: shifted(&self.downbeats_secs),
        }
    }
}

#[cfg(test)]
mod repeat_tests {
    use super::*;

    #[test]
    fn a_repeated_loop_keeps_every_beat_one_period_apart_across_the_seam() {
        let track = by_name("waltz-3-4").map(|t| t.render(8_000));
        let Some(once) = track else {
            panic!("no waltz-3-4");
        };
        let thrice = once.repeated(3);
        assert_eq!(thrice.pcm.frames(), 3 * once.pcm.frames());
        assert_eq!(thrice.beats_secs.len(), 3 * once.beats_secs.len());
        assert_eq!(thrice.downbeats_secs.len(), 3 * once.downbeats_secs.len());
        let gaps: Vec<f64> = thrice.beats_secs.windows(2).map(|w| w[1] - w[0]).collect();
        let (min, max) = gaps
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), &g| (lo.min(g), hi.max(g)));
        // Beats sit on whole samples: their spacing varies by at most one sample.
        assert!(max - min <= 1.0 / 8_000.0 + 1e-9, "{min} .. {max}");
    }
}
