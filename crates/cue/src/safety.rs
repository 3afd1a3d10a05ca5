//! Safety limits every beat obeys, whatever the adaptation mode or the clinician's nudges:
//! a tempo floor and ceiling, and a maximum tempo change from one beat to the next (no jumps).

/// Absolute sanity bounds on any tempo the engine will play, steps/min.
pub const ABSOLUTE_MIN_SPM: f64 = 20.0;
/// Absolute sanity bound, steps/min.
pub const ABSOLUTE_MAX_SPM: f64 = 200.0;

/// The limits in force once the baseline cadence is known.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct TempoLimits {
    /// No beat slower than this, steps/min.
    pub floor_spm: f64,
    /// No beat faster than this, steps/min.
    pub ceiling_spm: f64,
    /// Largest tempo change between consecutive beats, steps/min.
    pub max_change_per_beat_spm: f64,
}

/// Which limit shaped a beat, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitHit {
    /// The proposal was within every limit.
    None,
    /// The change from the previous beat was capped.
    MaxChange,
    /// The tempo was raised to the floor.
    Floor,
    /// The tempo was lowered to the ceiling.
    Ceiling,
}

impl TempoLimits {
    /// Clamps a target tempo into [floor, ceiling].
    pub fn clamp_target(&self, tempo_spm: f64) -> f64 {
        tempo_spm.clamp(self.floor_spm, self.ceiling_spm)
    }

    /// The tempo actually played for a `proposed_spm` after a beat at `previous_spm` (None for the
    /// first beat of the session): change-capped first, then range-clamped, so the range always holds.
    /// Non-finite proposals keep the previous tempo (or the floor).
    pub fn apply(&self, previous_spm: Option<f64>, proposed_spm: f64) -> (f64, LimitHit) {
        let fallback = previous_spm.unwrap_or(self.floor_spm);
        let proposed = if proposed_spm.is_finite() {
            proposed_spm
        } else {
            fallback
        };
        let (mut tempo, mut hit) = (proposed, LimitHit::None);
        if let Some(prev) = previous_spm {
            let max = self.max_change_per_beat_spm;
            let capped = proposed.clamp(prev - max, prev + max);
            if capped != proposed {
                tempo = capped;
                hit = LimitHit::MaxChange;
            }
        }
        if tempo > self.ceiling_spm {
            (tempo, hit) = (self.ceiling_spm, LimitHit::Ceiling);
        } else if tempo < self.floor_spm {
            (tempo, hit) = (self.floor_spm, LimitHit::Floor);
        }
        (tempo, hit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: TempoLimits = TempoLimits {
        floor_spm: 64.0,
        ceiling_spm: 92.0,
        max_change_per_beat_spm: 2.0,
    };

    #[test]
    fn change_per_beat_is_capped() {
        assert_eq!(LIMITS.apply(Some(80.0), 85.0), (82.0, LimitHit::MaxChange));
        assert_eq!(LIMITS.apply(Some(80.0), 79.0), (79.0, LimitHit::None));
    }

    #[test]
    fn ceiling_and_floor_always_hold() {
        assert_eq!(LIMITS.apply(Some(91.5), 95.0), (92.0, LimitHit::Ceiling));
        assert_eq!(LIMITS.apply(None, 20.0), (64.0, LimitHit::Floor));
        assert_eq!(LIMITS.apply(Some(80.0), f64::NAN), (80.0, LimitHit::None));
    }
}
