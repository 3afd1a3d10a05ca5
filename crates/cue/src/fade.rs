//! Fading schedules: how the cue is withdrawn so the patient keeps the cadence on their own.

/// How the cue fades during the fading phase.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum FadeSchedule {
    /// Alternate blocks of audible and silent beats (the beat clock keeps running through the gaps).
    OnOff {
        /// Audible beats per block (default 16).
        on_beats: u32,
        /// Silent beats per block (default 16).
        off_beats: u32,
    },
    /// Lower the volume linearly over the fading phase.
    Volume {
        /// Volume at the start of fading, 0…1.
        from: f64,
        /// Volume at the end of fading, 0…1.
        to: f64,
    },
}

impl Default for FadeSchedule {
    fn default() -> Self {
        FadeSchedule::OnOff {
            on_beats: 16,
            off_beats: 16,
        }
    }
}

impl FadeSchedule {
    /// Volume (0…1, relative to the session's cue volume) of beat `beat_index` (0 = first beat of the
    /// fading phase) when a fraction `progress` (0…1) of the fading phase has elapsed.
    pub fn volume(&self, beat_index: u64, progress: f64) -> f64 {
        match *self {
            FadeSchedule::OnOff {
                on_beats,
                off_beats,
            } => {
                let cycle = u64::from(on_beats) + u64::from(off_beats);
                if cycle == 0 || beat_index % cycle < u64::from(on_beats) {
                    1.0
                } else {
                    0.0
                }
            }
            FadeSchedule::Volume { from, to } => {
                let p = progress.clamp(0.0, 1.0);
                (from + (to - from) * p).clamp(0.0, 1.0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_off_alternates_blocks() {
        let f = FadeSchedule::OnOff {
            on_beats: 2,
            off_beats: 3,
        };
        let v: Vec<f64> = (0..7).map(|k| f.volume(k, 0.0)).collect();
        assert_eq!(v, [1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0]);
    }

    #[test]
    fn volume_ramps_linearly() {
        let f = FadeSchedule::Volume { from: 1.0, to: 0.2 };
        assert!((f.volume(0, 0.5) - 0.6).abs() < 1e-12);
        assert!((f.volume(9, 2.0) - 0.2).abs() < 1e-12);
    }
}
