//! How a session ended, read from its log: the one place that words it for the record, the
//! screen and the console (docs/CLINICAL.md#ras-protocol).

use core::fmt;

use crate::log::{LogEntry, LogEvent, PhaseReason};
use crate::phase::Phase;

/// How the protocol ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// It ran to its end (some phases may have been skipped: [`SessionOutcome::skipped`]).
    Completed,
    /// The clinician ended the cued part early; the short uncued re-test ran, then the end.
    StoppedAfterRetest,
    /// The clinician stopped the session at once: no re-test, no outcome measure.
    StoppedNow,
}

/// A finished session's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionOutcome {
    /// How it ended.
    pub end: SessionEnd,
    /// The phases the clinician skipped (Next phase), in order.
    pub skipped: Vec<Phase>,
}

impl SessionOutcome {
    /// The outcome of a session with this log; `None` until the session is over.
    pub fn from_log(log: &[LogEntry]) -> Option<SessionOutcome> {
        let mut skipped = Vec::new();
        let mut previous: Option<Phase> = None;
        let mut short_retest = false;
        let mut done_reason = None;
        for entry in log {
            let LogEvent::PhaseStarted { reason } = entry.event else {
                continue;
            };
            if let (PhaseReason::Skipped, Some(p)) = (reason, previous) {
                skipped.push(p);
            }
            short_retest |= reason == PhaseReason::StoppedForRetest;
            if entry.phase == Phase::Done {
                done_reason = Some(reason);
            }
            previous = Some(entry.phase);
        }
        let end = match done_reason? {
            PhaseReason::Stopped => SessionEnd::StoppedNow,
            // The short re-test skipped with Next phase: no re-test after all.
            PhaseReason::Skipped if short_retest => SessionEnd::StoppedNow,
            _ if short_retest => SessionEnd::StoppedAfterRetest,
            _ => SessionEnd::Completed,
        };
        Some(SessionOutcome { end, skipped })
    }

    /// Whether the protocol ran to its end (skipped phases included).
    pub fn is_completed(&self) -> bool {
        self.end == SessionEnd::Completed
    }
}

impl fmt::Display for SessionOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let end = match (self.end, self.skipped.is_empty()) {
            (SessionEnd::Completed, true) => "every phase completed",
            (SessionEnd::Completed, false) => "completed",
            (SessionEnd::StoppedAfterRetest, _) => "stopped after a short re-test",
            (SessionEnd::StoppedNow, _) => "stopped by the clinician, no re-test",
        };
        f.write_str(end)?;
        if !self.skipped.is_empty() {
            let names: Vec<&str> = self.skipped.iter().map(|p| p.label()).collect();
            write!(f, "; skipped by the clinician: {}", names.join(", "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use entrain_gait::Side;

    use super::*;
    use crate::ProtocolConfig;
    use crate::config::UncuedLength;
    use crate::session::{ClinicianCommand, RasSession, RunState, StepEvent};

    const MS: i64 = 1_000_000;
    const STEP_NANOS: i64 = 600 * MS;

    /// A walker stepping every 600 ms, L/R in turn, from `from` to `to` (10 ms ticks).
    fn walk(s: &mut RasSession, from: i64, to: i64) -> i64 {
        let mut beats = Vec::new();
        let mut t = from;
        while t <= to && s.run_state() != RunState::Finished {
            if (t - from) % STEP_NANOS == 0 {
                let side = if ((t - from) / STEP_NANOS) % 2 == 0 {
                    Side::Left
                } else {
                    Side::Right
                };
                s.on_step(StepEvent {
                    time_nanos: t,
                    side,
                });
            }
            s.advance_to(t, &mut beats);
            t += 10 * MS;
        }
        t
    }

    fn session() -> RasSession {
        RasSession::new(ProtocolConfig::default(), 0).unwrap()
    }

    fn refused(s: &RasSession) -> Vec<&'static str> {
        s.log()
            .iter()
            .filter_map(|e| match e.event {
                LogEvent::Refused { what } => Some(what),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn stop_after_retest_in_a_cued_phase_runs_the_short_retest_then_ends() {
        let mut s = session();
        let t = walk(&mut s, 0, 35_000 * MS);
        assert_eq!(s.phase(), Phase::Matched);
        s.command(t, ClinicianCommand::StopAfterRetest);
        assert_eq!(s.phase(), Phase::Retest);
        assert_eq!(s.outcome(), None, "not over yet");
        walk(&mut s, t + 300 * MS, t + 60_000 * MS);
        assert_eq!(s.run_state(), RunState::Finished);
        let m = s.retest().expect("the short re-test is measured");
        assert_eq!(m.n_left + m.n_right, 20, "{m:?}");
        let o = s.outcome().unwrap();
        assert_eq!(o.end, SessionEnd::StoppedAfterRetest);
        assert_eq!(o.to_string(), "stopped after a short re-test");
        assert!(!o.is_completed());
    }

    #[test]
    fn stop_after_retest_during_a_clinician_pause_resumes_for_the_walk() {
        let mut s = session();
        let t = walk(&mut s, 0, 35_000 * MS);
        s.command(t, ClinicianCommand::Pause);
        s.command(t + MS, ClinicianCommand::StopAfterRetest);
        assert_eq!(
            (s.phase(), s.run_state()),
            (Phase::Retest, RunState::Running)
        );
        walk(&mut s, t + 300 * MS, t + 60_000 * MS);
        assert!(s.retest().is_some());
        assert_eq!(s.outcome().unwrap().end, SessionEnd::StoppedAfterRetest);
    }

    #[test]
    fn stop_after_retest_is_refused_in_the_baseline_and_the_running_retest_keeps_its_length() {
        let mut s = session();
        let t = walk(&mut s, 0, 10_000 * MS);
        s.command(t, ClinicianCommand::StopAfterRetest);
        assert_eq!(
            (s.phase(), s.run_state()),
            (Phase::Baseline, RunState::Running)
        );
        assert!(
            refused(&s)[0].contains("still in the baseline"),
            "{:?}",
            refused(&s)
        );

        let t = walk(&mut s, t + 200 * MS, 35_000 * MS);
        for _ in 0..3 {
            s.command(t, ClinicianCommand::SkipPhase);
        }
        assert_eq!(s.phase(), Phase::Retest);
        s.command(t, ClinicianCommand::StopAfterRetest);
        assert!(
            refused(&s)[1].contains("already running"),
            "{:?}",
            refused(&s)
        );
        // 20 steps (the short re-test) are not the configured 30 s.
        let t = walk(&mut s, t + 200 * MS, t + 200 * MS + 20 * STEP_NANOS);
        assert_eq!(s.phase(), Phase::Retest);
        walk(&mut s, t, t + 30_000 * MS);
        let o = s.outcome().unwrap();
        assert_eq!(o.end, SessionEnd::Completed);
        assert_eq!(
            o.skipped,
            [Phase::Matched, Phase::Progression, Phase::Fading]
        );
    }

    #[test]
    fn stop_ends_at_once_with_no_retest() {
        let mut s = session();
        let t = walk(&mut s, 0, 35_000 * MS);
        s.command(t, ClinicianCommand::Stop);
        assert_eq!(s.run_state(), RunState::Finished);
        assert!(s.retest().is_none());
        let o = s.outcome().unwrap();
        assert_eq!(o.end, SessionEnd::StoppedNow);
        assert_eq!(o.to_string(), "stopped by the clinician, no re-test");
    }

    #[test]
    fn skipped_phases_are_named_in_the_outcome() {
        let mut s = session();
        let t = walk(&mut s, 0, 35_000 * MS);
        s.command(t, ClinicianCommand::SkipPhase);
        s.command(t, ClinicianCommand::SkipPhase);
        // The functional block is 0 s by default: disabled, not skipped.
        assert_eq!(s.phase(), Phase::Fading);
        walk(&mut s, t + 200 * MS, t + 200_000 * MS);
        let o = s.outcome().unwrap();
        assert_eq!(o.end, SessionEnd::Completed);
        assert!(o.is_completed());
        assert_eq!(
            o.to_string(),
            "completed; skipped by the clinician: matched cue, progression"
        );
        assert!(s.retest().is_some());
    }

    #[test]
    fn a_session_with_nothing_skipped_is_every_phase_completed() {
        let c = ProtocolConfig {
            baseline: UncuedLength::Steps(12),
            fading_secs: 10.0,
            ..ProtocolConfig::default()
        };
        let mut s = RasSession::new(c, 0).unwrap();
        walk(&mut s, 0, 600_000 * MS);
        let o = s.outcome().unwrap();
        assert_eq!(o.skipped, []);
        assert_eq!(o.to_string(), "every phase completed");
    }
}
