//! The phases of a RAS session (docs/CLINICAL.md#ras-protocol), in order.

use core::fmt;
use core::str::FromStr;

use entrain_gait::UnknownName;

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

    /// Every phase, in protocol order.
    pub const ALL: [Phase; 7] = [
        Phase::Baseline,
        Phase::Matched,
        Phase::Progression,
        Phase::Functional,
        Phase::Fading,
        Phase::Retest,
        Phase::Done,
    ];

    /// The phase's name in the record and in exports: `baseline`, `matched`, `progression`,
    /// `functional`, `fading`, `retest`, `done`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Baseline => "baseline",
            Phase::Matched => "matched",
            Phase::Progression => "progression",
            Phase::Functional => "functional",
            Phase::Fading => "fading",
            Phase::Retest => "retest",
            Phase::Done => "done",
        }
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

impl Phase {
    /// The clinician-facing name as a title (a table cell, a heading): [`Phase::label`] with a
    /// capital.
    pub fn title(self) -> &'static str {
        match self {
            Phase::Baseline => "Baseline (no cue)",
            Phase::Matched => "Matched cue",
            Phase::Progression => "Progression",
            Phase::Functional => "Functional walking",
            Phase::Fading => "Fading",
            Phase::Retest => "Re-test (no cue)",
            Phase::Done => "Done",
        }
    }

    /// A short title for a narrow band of a chart.
    pub fn short_title(self) -> &'static str {
        match self {
            Phase::Baseline => "Baseline",
            Phase::Matched => "Matched",
            Phase::Progression => "Progression",
            Phase::Functional => "Functional",
            Phase::Fading => "Fading",
            Phase::Retest => "Re-test",
            Phase::Done => "Done",
        }
    }
}

impl FromStr for Phase {
    type Err = UnknownName;

    /// Parses a record name ([`Phase::as_str`]).
    fn from_str(s: &str) -> Result<Phase, UnknownName> {
        Phase::ALL
            .into_iter()
            .find(|p| p.as_str() == s.trim())
            .ok_or_else(|| {
                UnknownName::new(
                    "phase",
                    "baseline, matched, progression, functional, fading, retest or done",
                    s,
                )
            })
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phase_reads_back_from_its_record_name() {
        for p in Phase::ALL {
            assert_eq!(p.as_str().parse::<Phase>(), Ok(p));
        }
        for p in Phase::ALL {
            // The title is the label with a capital: one name per phase everywhere.
            let (first, rest) = p.title().split_at(1);
            assert_eq!(format!("{}{rest}", first.to_lowercase()), p.label());
            assert!(p.title().starts_with(p.short_title()));
        }
        let err = "Baseline".parse::<Phase>().unwrap_err();
        assert_eq!(err.found, "Baseline");
        assert!(err.to_string().contains("unknown phase 'Baseline'"));
    }
}
