//! Fading schedules: how the cue is withdrawn so the patient keeps the cadence on their own.
//! With music the cue can also be withdrawn in the music's own terms: whole bars dropped (music
//! and click silent, counted in the track's meter), or the music taken away and the pulse
//! alone left. The schedules are pure: the meter is a parameter ([`MeterConfig`]), the audio side
//! acts on the beats they shape.

/// How the cue fades during the fading phase.
///
/// Stored with every session's protocol: new variants are added, never renamed, so older
/// records still read.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum FadeSchedule {
    /// Alternate blocks of audible and silent beats (the beat clock keeps running through the gaps).
    OnOff {
        /// Audible beats per block (default 16).
        on_beats: u32,
        /// Silent beats per block (default 16).
        off_beats: u32,
    },
    /// Lower the volume linearly over the fading phase (music and click alike).
    Volume {
        /// Volume at the start of fading, 0…1.
        from: f64,
        /// Volume at the end of fading, 0…1.
        to: f64,
    },
    /// Drop whole bars: `on_bars` bars heard, then `off_bars` bars silent (music and click; the
    /// beat clock runs on), counted in the [`MeterConfig`] from the first downbeat of the fading phase
    /// (the beats before it, the end of the bar the phase began in, are heard).
    DropBars {
        /// Bars heard per block (default 4).
        on_bars: u32,
        /// Bars silent per block (default 4).
        off_bars: u32,
    },
    /// The music goes silent for the fading phase and only the click pulse remains (at the cue
    /// volume); the music comes back after it. With clicks only, the cue goes on unchanged.
    PulseOnly,
}

impl Default for FadeSchedule {
    fn default() -> Self {
        FadeSchedule::OnOff {
            on_beats: 16,
            off_beats: 16,
        }
    }
}

/// The bars of the music that cues the session, as the cue counts them: `beats_per_bar` beats
/// a bar, the first downbeat `first_downbeat` beats after the cue (and so the music) starts.
/// Without music: bars of 4 from the first beat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MeterConfig {
    /// Beats per bar (at least 1).
    pub beats_per_bar: u32,
    /// Beats before the first downbeat (a pickup), counted from the start of the cue.
    pub first_downbeat: u32,
}

impl Default for MeterConfig {
    fn default() -> Self {
        MeterConfig {
            beats_per_bar: 4,
            first_downbeat: 0,
        }
    }
}

impl MeterConfig {
    /// Whether beat `clock_beat` (0 = the first beat since the cue last started) begins a bar.
    pub fn is_downbeat(&self, clock_beat: u64) -> bool {
        let first = u64::from(self.first_downbeat);
        let per_bar = u64::from(self.beats_per_bar.max(1));
        clock_beat >= first && (clock_beat - first).is_multiple_of(per_bar)
    }
}

/// Where a beat lies in the fading phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FadePosition {
    /// Beats since the fading phase began (0 = its first beat).
    pub beat_index: u64,
    /// Bars begun in the fading phase, counting this beat's (0 = the bar of the phase's first
    /// downbeat); `None` before that downbeat.
    pub bar_index: Option<u64>,
}

impl FadeSchedule {
    /// Volume (0…1, relative to the session's cue volume) of the beat at `at` when a fraction
    /// `progress` (0…1) of the fading phase has elapsed.
    pub fn volume(&self, at: FadePosition, progress: f64) -> f64 {
        let in_block = |index: u64, on: u32, off: u32| {
            let cycle = u64::from(on) + u64::from(off);
            if cycle == 0 || index % cycle < u64::from(on) {
                1.0
            } else {
                0.0
            }
        };
        match *self {
            FadeSchedule::OnOff {
                on_beats,
                off_beats,
            } => in_block(at.beat_index, on_beats, off_beats),
            FadeSchedule::Volume { from, to } => {
                let p = progress.clamp(0.0, 1.0);
                (from + (to - from) * p).clamp(0.0, 1.0)
            }
            FadeSchedule::DropBars { on_bars, off_bars } => match at.bar_index {
                Some(bar) => in_block(bar, on_bars, off_bars),
                None => 1.0,
            },
            FadeSchedule::PulseOnly => 1.0,
        }
    }

    /// Whether the music is silent through the fading phase (the click pulse alone cues it).
    pub fn silences_music(&self) -> bool {
        matches!(self, FadeSchedule::PulseOnly)
    }

    /// The schedule's name, as the command line takes it (`on-off`, `volume`, `drop-bars`,
    /// `pulse-only`).
    pub fn name(&self) -> &'static str {
        match self {
            FadeSchedule::OnOff { .. } => "on-off",
            FadeSchedule::Volume { .. } => "volume",
            FadeSchedule::DropBars { .. } => "drop-bars",
            FadeSchedule::PulseOnly => "pulse-only",
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn at(beat_index: u64) -> FadePosition {
        FadePosition {
            beat_index,
            bar_index: None,
        }
    }

    #[test]
    fn on_off_alternates_blocks() {
        let f = FadeSchedule::OnOff {
            on_beats: 2,
            off_beats: 3,
        };
        let v: Vec<f64> = (0..7).map(|k| f.volume(at(k), 0.0)).collect();
        assert_eq!(v, [1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0]);
    }

    #[test]
    fn volume_ramps_linearly() {
        let f = FadeSchedule::Volume { from: 1.0, to: 0.2 };
        assert!((f.volume(at(0), 0.5) - 0.6).abs() < 1e-12);
        assert!((f.volume(at(9), 2.0) - 0.2).abs() < 1e-12);
    }

    #[test]
    fn drop_bars_alternates_whole_bars_and_hears_the_bar_before_the_first_downbeat() {
        let f = FadeSchedule::DropBars {
            on_bars: 1,
            off_bars: 2,
        };
        let bar = |bar_index| FadePosition {
            beat_index: 99,
            bar_index,
        };
        assert_eq!(f.volume(bar(None), 0.5), 1.0);
        let v: Vec<f64> = (0..7).map(|b| f.volume(bar(Some(b)), 0.5)).collect();
        assert_eq!(v, [1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0]);
        assert!(!f.silences_music());
    }

    #[test]
    fn pulse_only_keeps_the_click_and_silences_the_music() {
        let f = FadeSchedule::PulseOnly;
        assert!(f.silences_music());
        assert!((0..40).all(|k| f.volume(at(k), k as f64 / 40.0) == 1.0));
    }

    #[test]
    fn downbeats_follow_the_meter_after_a_pickup() {
        let m = MeterConfig {
            beats_per_bar: 3,
            first_downbeat: 1,
        };
        let d: Vec<bool> = (0..8).map(|b| m.is_downbeat(b)).collect();
        assert_eq!(d, [false, true, false, false, true, false, false, true]);
        assert!(MeterConfig::default().is_downbeat(0) && MeterConfig::default().is_downbeat(8));
    }

    #[test]
    fn stored_schedules_of_every_kind_read_back_and_old_ones_still_read() {
        // As older records stored them (before the music's schedules existed).
        let old: FadeSchedule =
            serde_json::from_str(r#"{"OnOff":{"on_beats":16,"off_beats":16}}"#).unwrap();
        assert_eq!(old, FadeSchedule::default());
        let old: FadeSchedule =
            serde_json::from_str(r#"{"Volume":{"from":1.0,"to":0.0}}"#).unwrap();
        assert_eq!(old, FadeSchedule::Volume { from: 1.0, to: 0.0 });
        for f in [
            FadeSchedule::DropBars {
                on_bars: 4,
                off_bars: 2,
            },
            FadeSchedule::PulseOnly,
        ] {
            let json = serde_json::to_string(&f).unwrap();
            assert_eq!(
                serde_json::from_str::<FadeSchedule>(&json).unwrap(),
                f,
                "{json}"
            );
        }
    }
}
