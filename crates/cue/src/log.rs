//! The session's event log: every phase change, tempo target change, pause and clinician command,
//! each with the reason, worded for a clinician.

use core::fmt;

use crate::gate::{GateFailure, WindowMeasures};
use crate::measures::GaitMeasures;
use crate::phase::Phase;
use crate::tempo::nanos_to_secs;

/// One log entry.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    /// When, on the session clock.
    pub time_nanos: i64,
    /// The phase the session was in when it happened (the new phase for a phase change).
    pub phase: Phase,
    /// What happened and why.
    pub event: LogEvent,
}

/// Why the target tempo changed.
#[derive(Debug, Clone, PartialEq)]
pub enum TempoReason {
    /// Matched cue at the baseline cadence plus the clinician's offset.
    MatchedToBaseline {
        /// Baseline cadence, steps/min.
        baseline_spm: f64,
        /// Clinician offset, steps/min.
        offset_spm: f64,
    },
    /// Matched cue at a tempo the clinician set.
    ClinicianMatchedTempo,
    /// Entrained long enough at the previous level: one level up.
    Progressed {
        /// New level (1 = first increase).
        level: u32,
        /// Increase over the matched tempo, %.
        increase_percent: f64,
        /// The window that passed the gate.
        measures: WindowMeasures,
    },
    /// Lost the beat at this level: one level down, this level is now out of reach for the session.
    SteppedBack {
        /// New level.
        level: u32,
        /// The window that failed.
        measures: WindowMeasures,
        /// What failed.
        failures: Vec<GateFailure>,
    },
    /// The clinician nudged the tempo.
    ClinicianNudge {
        /// Requested change, steps/min.
        delta_spm: f64,
    },
    /// The requested tempo was beyond a safety limit and was capped.
    Capped {
        /// The tempo asked for, steps/min.
        requested_spm: f64,
    },
}

/// Why the session paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PauseReason {
    /// The clinician pressed pause.
    Clinician,
    /// No step for the configured time: the patient stopped, froze or sat down.
    NoSteps {
        /// The timeout that elapsed, ms.
        timeout_ms: i64,
    },
}

/// Something worth a line in the log.
#[derive(Debug, Clone, PartialEq)]
pub enum LogEvent {
    /// A phase began.
    PhaseStarted {
        /// Why the previous phase ended.
        reason: PhaseReason,
    },
    /// The target tempo changed.
    TempoTarget {
        /// Previous target, steps/min (None when the cue starts).
        from_spm: Option<f64>,
        /// New target, steps/min.
        to_spm: f64,
        /// Why.
        reason: TempoReason,
    },
    /// The gate failed but the tempo cannot step back further: hold and keep cueing.
    Holding {
        /// The window that failed.
        measures: WindowMeasures,
        /// What failed.
        failures: Vec<GateFailure>,
    },
    /// Safety limits in force for the rest of the session.
    Limits {
        /// Floor, steps/min.
        floor_spm: f64,
        /// Ceiling, steps/min.
        ceiling_spm: f64,
        /// Largest change between beats, steps/min.
        max_change_per_beat_spm: f64,
    },
    /// Uncued measures (baseline or re-test).
    Measured(GaitMeasures),
    /// The cue and the phase clock paused.
    Paused(PauseReason),
    /// Resumed.
    Resumed {
        /// True when the patient's walking resumed it, false for the clinician.
        by_walking: bool,
    },
    /// The clinician asked for something that could not be done.
    Refused {
        /// What and why.
        what: &'static str,
    },
}

/// Why one phase ended and the next began.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PhaseReason {
    /// The session started.
    SessionStart,
    /// The phase reached its configured length.
    Completed,
    /// Matched phase: entrained at the matched tempo.
    Entrained,
    /// Progression reached its highest level and the patient stayed entrained there.
    ReachedTop,
    /// Progression: the patient is entrained at the highest tempo they can follow.
    HeldAtLimit,
    /// The clinician skipped the phase.
    Skipped,
    /// The clinician stopped the session.
    Stopped,
    /// The clinician ended the cued part early: a short uncued re-test follows, then the end.
    StoppedForRetest,
    /// A block with zero length is skipped.
    Disabled,
}

fn failures_text(failures: &[GateFailure]) -> String {
    failures
        .iter()
        .map(|f| f.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

impl fmt::Display for TempoReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TempoReason::MatchedToBaseline {
                baseline_spm,
                offset_spm,
            } => write!(
                f,
                "matched to baseline cadence {baseline_spm:.1} steps/min {offset_spm:+.1}"
            ),
            TempoReason::ClinicianMatchedTempo => write!(f, "matched tempo set by the clinician"),
            TempoReason::Progressed {
                level,
                increase_percent,
                measures,
            } => write!(
                f,
                "entrained ({measures}): level {level}, +{increase_percent:.1} %"
            ),
            TempoReason::SteppedBack {
                level,
                measures,
                failures,
            } => write!(
                f,
                "lost the beat ({}; {measures}): back to level {level}",
                failures_text(failures)
            ),
            TempoReason::ClinicianNudge { delta_spm } => {
                write!(f, "clinician nudge {delta_spm:+.1} steps/min")
            }
            TempoReason::Capped { requested_spm } => {
                write!(
                    f,
                    "capped by a safety limit (asked {requested_spm:.1} steps/min)"
                )
            }
        }
    }
}

impl fmt::Display for LogEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogEvent::PhaseStarted { reason } => {
                let why = match reason {
                    PhaseReason::SessionStart => "session start",
                    PhaseReason::Completed => "previous phase completed",
                    PhaseReason::Entrained => "entrained at the matched tempo",
                    PhaseReason::ReachedTop => "progression reached its top level",
                    PhaseReason::HeldAtLimit => "held at the fastest tempo the patient follows",
                    PhaseReason::Skipped => "clinician skipped the previous phase",
                    PhaseReason::Stopped => "clinician stopped the session",
                    PhaseReason::StoppedForRetest => {
                        "clinician ended the cued part: a short re-test, then the end"
                    }
                    PhaseReason::Disabled => "previous block disabled (0 s)",
                };
                write!(f, "phase started: {why}")
            }
            LogEvent::TempoTarget {
                from_spm,
                to_spm,
                reason,
            } => match from_spm {
                Some(from) => write!(f, "tempo {from:.1} → {to_spm:.1} steps/min: {reason}"),
                None => write!(f, "tempo {to_spm:.1} steps/min: {reason}"),
            },
            LogEvent::Holding { measures, failures } => write!(
                f,
                "not entrained ({}; {measures}): holding the tempo, cue continues",
                failures_text(failures)
            ),
            LogEvent::Limits {
                floor_spm,
                ceiling_spm,
                max_change_per_beat_spm,
            } => write!(
                f,
                "safety limits: floor {floor_spm:.1}, ceiling {ceiling_spm:.1} steps/min, at most {max_change_per_beat_spm:.1} steps/min per beat"
            ),
            LogEvent::Measured(m) => {
                write!(
                    f,
                    "cadence {:.1} steps/min, step time L {:.3} s / R {:.3} s, CV {:.1} %",
                    m.cadence_spm,
                    m.step_time_left_secs,
                    m.step_time_right_secs,
                    m.step_time_cv_percent
                )?;
                if let Some(r) = m.symmetry_ratio {
                    write!(f, ", symmetry ratio {r:.2}")?;
                }
                write!(f, " ({} L / {} R steps)", m.n_left, m.n_right)
            }
            LogEvent::Paused(PauseReason::Clinician) => write!(f, "paused by the clinician"),
            LogEvent::Paused(PauseReason::NoSteps { timeout_ms }) => write!(
                f,
                "no step for {:.1} s (stopped, froze or sat down): cue paused",
                *timeout_ms as f64 / 1000.0
            ),
            LogEvent::Resumed { by_walking: true } => {
                write!(f, "walking again: resumed, cue in phase with the steps")
            }
            LogEvent::Resumed { by_walking: false } => write!(f, "resumed by the clinician"),
            LogEvent::Refused { what } => write!(f, "refused: {what}"),
        }
    }
}

impl fmt::Display for LogEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:8.2} s  [{}]  {}",
            nanos_to_secs(self.time_nanos),
            self.phase,
            self.event
        )
    }
}
