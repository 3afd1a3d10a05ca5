//! The phases of a RAS session (DOMAIN.md), in order.

use core::fmt;

/// One phase of the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Phase {
    /// 1. Uncued baseline: measure cadence, step times, asymmetry, variability.
    Baseline,
    /// 2. Resonant match: the beat starts at the baseline cadence (or the clinician's offset).
    Matched,
    /// 3. Frequency modulation: the tempo rises in steps, only while the patient is entrained.
    Progression,
    /// 4. Functional walking with the cue (starts, stops, turns); optional.
    Functional,
    /// 5. Fading: the cue is withdrawn intermittently or softened.
    Fading,
    /// 6. Uncued re-test, compared with the baseline.
    Retest,
    /// Session over (completed or stopped).
    Done,
}

impl Phase {
    /// The phase after this one in the protocol.
    pub fn next(self) -> Phase {
        match self {
            Phase::Baseline => Phase::Matched,
            Phase::Matched => Phase::Progression,
            Phase::Progression => Phase::Functional,
            Phase::Functional => Phase::Fading,
            Phase::Fading => Phase::Retest,
            Phase::Retest | Phase::Done => Phase::Done,
        }
    }

    /// Whether the metronome plays in this phase.
    pub fn is_cued(self) -> bool {
        matches!(
            self,
            Phase::Matched | Phase::Progression | Phase::Functional | Phase::Fading
        )
    }

    /// The clinician-facing name.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Baseline => "baseline (no cue)",
            Phase::Matched => "matched cue",
            Phase::Progression => "progression",
            Phase::Functional => "functional walking",
            Phase::Fading => "fading",
            Phase::Retest => "re-test (no cue)",
            Phase::Done => "done",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
