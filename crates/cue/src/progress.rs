//! How far the current phase has gone and what ends it, for the clinician's "time left" display
//! ([`crate::RasSession::phase_progress`]).

/// How far the current phase has gone towards its end, in the measure that ends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum PhaseProgress {
    /// A phase that ends after a length of walking time (an uncued phase set in seconds, the
    /// functional block, fading). The clock stops while paused. An uncued phase also needs
    /// enough steps per foot, so it may run on past its length.
    Timed {
        /// Walking time in the phase so far, ns.
        elapsed_nanos: i64,
        /// The phase's length, ns.
        length_nanos: i64,
    },
    /// An uncued phase set in steps.
    Steps {
        /// Steps taken in the phase so far.
        taken: u64,
        /// The phase's length in steps.
        length: u64,
    },
    /// The matched cue: it advances once the patient is entrained, and not before a minimum time.
    Matched {
        /// Walking time in the phase so far, ns.
        elapsed_nanos: i64,
        /// The least time at the matched tempo, ns.
        min_nanos: i64,
    },
    /// The progression: it climbs one level each time the patient is entrained at the current one.
    Level {
        /// The current level (1 = the first step above the matched tempo).
        level: u32,
        /// The highest level the settings allow.
        top: u32,
    },
}

impl PhaseProgress {
    /// Walking time left before the phase may end, ns (timed phases and the matched minimum).
    pub fn remaining_nanos(self) -> Option<i64> {
        match self {
            PhaseProgress::Timed {
                elapsed_nanos,
                length_nanos,
            } => Some((length_nanos - elapsed_nanos).max(0)),
            PhaseProgress::Matched {
                elapsed_nanos,
                min_nanos,
            } => Some((min_nanos - elapsed_nanos).max(0)),
            PhaseProgress::Steps { .. } | PhaseProgress::Level { .. } => None,
        }
    }

    /// Steps left in a phase set in steps.
    pub fn remaining_steps(self) -> Option<u64> {
        match self {
            PhaseProgress::Steps { taken, length } => Some(length.saturating_sub(taken)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_left_never_goes_below_zero() {
        let timed = PhaseProgress::Timed {
            elapsed_nanos: 3_000_000_000,
            length_nanos: 8_000_000_000,
        };
        assert_eq!(timed.remaining_nanos(), Some(5_000_000_000));
        assert_eq!(timed.remaining_steps(), None);
        let over = PhaseProgress::Timed {
            elapsed_nanos: 9_000_000_000,
            length_nanos: 8_000_000_000,
        };
        assert_eq!(over.remaining_nanos(), Some(0));
        let steps = PhaseProgress::Steps {
            taken: 12,
            length: 20,
        };
        assert_eq!(steps.remaining_steps(), Some(8));
        assert_eq!(steps.remaining_nanos(), None);
        let level = PhaseProgress::Level { level: 2, top: 4 };
        assert_eq!(
            (level.remaining_nanos(), level.remaining_steps()),
            (None, None)
        );
    }
}
