//! The ward's clinical gait tests as pure state machines: time is a parameter (session or monotonic
//! nanoseconds), so each one is exact to test and the screens only forward button presses.
//!
//! - 10-metre walk test: the patient walks 10 m; only the middle 6 m are timed (2 m to accelerate,
//!   2 m to decelerate). Gait speed = 6 m / time, m/s. Up to three trials, their mean is the result.
//! - 6-minute walk test: laps of a known length are counted for 360 s, plus the last partial lap.
//! - Timed Up and Go: seconds from "go" to sitting back down.
//! - Functional Ambulation Categories: 0–5, entered by the clinician.
//!
//! What they refuse is an enum of codes ([`Action`], [`State`], [`Field`]), worded from the
//! message catalogue (`tests-*` ids) only when shown, in the language of the window's thread.

use std::fmt;

use entrain_store::ClinicalTestKind;

use crate::{i18n, t};

/// The timed distance of the 10-metre walk test, m.
pub const TEN_METRE_TIMED_DISTANCE_M: f64 = 6.0;
/// Trials of the 10-metre walk test whose mean is the result.
pub const TEN_METRE_TRIALS: usize = 3;
/// Length of the 6-minute walk test, s.
pub const SIX_MINUTE_SECS: f64 = 360.0;

/// What a button asked a test to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Start timing a 10-metre trial.
    StartTiming,
    /// Start a 10-metre trial after the last one.
    StartAnotherTrial,
    /// Stop timing a 10-metre trial.
    StopTiming,
    /// Start the clock.
    Start,
    /// Count a lap of the 6-minute walk.
    CountLap,
    /// Stop the clock.
    Stop,
    /// Give the 6-minute walk's distance.
    GiveDistance,
}

/// The state a test was in when an action did not fit it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// A clock runs.
    AlreadyTiming,
    /// Every 10-metre trial is done.
    ThreeTrialsDone,
    /// No clock runs.
    NotTiming,
    /// The 6-minute walk has started.
    AlreadyStarted,
    /// The 6-minute walk has not started.
    NotStarted,
    /// The 6-minute walk is over.
    Over,
    /// The 6-minute walk's clock does not run.
    NotRunning,
    /// The six minutes are not up.
    SixMinutesNotOver,
}

/// A value a test takes, as an error names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// A 10-metre trial's time over the middle 6 m.
    TenMetreTime,
    /// The 6-minute walk's lap length, as the test checks it.
    SixMinuteLapLength,
    /// The 6-minute walk's last partial lap, as the test checks it.
    SixMinutePartialLap,
    /// The Functional Ambulation Category.
    Fac,
    /// The lap length field.
    LapLength,
    /// The last partial lap field.
    PartialLap,
}

/// A button pressed at the wrong moment, or a value out of range. Its text is in the language
/// of the window's thread (it is worded where it is shown).
#[derive(Debug, Clone, PartialEq)]
pub enum ClinicalError {
    /// The action does not fit the test's state.
    WrongState {
        /// Which test.
        test: ClinicalTestKind,
        /// What was asked.
        action: Action,
        /// The state it is in.
        state: State,
    },
    /// A time that runs backwards.
    TimeBackwards {
        /// Which test.
        test: ClinicalTestKind,
        /// The time given.
        now_nanos: i64,
        /// The start.
        start_nanos: i64,
    },
    /// A value out of its range.
    OutOfRange {
        /// What.
        what: Field,
        /// The value given.
        found: String,
        /// Lowest allowed.
        min: f64,
        /// Highest allowed.
        max: f64,
    },
    /// A number where a whole one is asked for (a FAC category).
    NotWhole {
        /// What.
        what: Field,
        /// The text.
        found: String,
        /// Lowest allowed.
        min: u8,
        /// Highest allowed.
        max: u8,
    },
    /// Text that is not a number.
    NotANumber {
        /// What.
        what: Field,
        /// The text.
        found: String,
    },
}

impl std::error::Error for ClinicalError {}

impl fmt::Display for ClinicalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&message(self))
    }
}

/// `e` in words, in the window thread's language.
// Kept as written: the catalogue test finds an id only on its macro call's first line.
fn message(e: &ClinicalError) -> String {
    match e {
        ClinicalError::WrongState {
            test,
            action,
            state,
        } => {
            let (test, action, state) = (test_name(*test), action.label(), state.label());
            t!(
                "tests-error-wrong-state",
                test = test,
                action = action,
                state = state
            )
        }
        ClinicalError::TimeBackwards {
            test,
            now_nanos,
            start_nanos,
        } => {
            let test = test_name(*test);
            let (now, start) = (now_nanos.to_string(), start_nanos.to_string());
            t!(
                "tests-error-time-backwards",
                test = test,
                now = now,
                start = start
            )
        }
        ClinicalError::OutOfRange {
            what,
            found,
            min,
            max,
        } => {
            let (what, found) = (what.label(), found.as_str());
            let (min, max) = (min.to_string(), max.to_string());
            t!(
                "tests-error-out-of-range",
                what = what,
                found = found,
                min = min,
                max = max
            )
        }
        ClinicalError::NotWhole {
            what,
            found,
            min,
            max,
        } => {
            let (what, found) = (what.label(), found.as_str());
            let (min, max) = (min.to_string(), max.to_string());
            t!(
                "tests-error-not-whole",
                what = what,
                found = found,
                min = min,
                max = max
            )
        }
        ClinicalError::NotANumber { what, found } => {
            let (what, found) = (what.label(), found.as_str());
            t!("tests-error-not-a-number", what = what, found = found)
        }
    }
}

/// A test's name as its errors begin.
fn test_name(test: ClinicalTestKind) -> String {
    match test {
        ClinicalTestKind::TenMetreWalk => t!("tests-name-ten"),
        ClinicalTestKind::SixMinuteWalk => t!("tests-name-six"),
        ClinicalTestKind::TimedUpAndGo | ClinicalTestKind::Fac => i18n::test_kind_title(test),
    }
}

impl Action {
    /// Its words in an error ("start timing").
    pub fn label(self) -> String {
        match self {
            Action::StartTiming => t!("tests-action-start-timing"),
            Action::StartAnotherTrial => t!("tests-action-start-another-trial"),
            Action::StopTiming => t!("tests-action-stop-timing"),
            Action::Start => t!("tests-action-start"),
            Action::CountLap => t!("tests-action-count-lap"),
            Action::Stop => t!("tests-action-stop"),
            Action::GiveDistance => t!("tests-action-give-distance"),
        }
    }
}

impl State {
    /// Its words in an error ("already timing").
    pub fn label(self) -> String {
        match self {
            State::AlreadyTiming => t!("tests-state-already-timing"),
            State::ThreeTrialsDone => t!("tests-state-three-trials-done"),
            State::NotTiming => t!("tests-state-not-timing"),
            State::AlreadyStarted => t!("tests-state-already-started"),
            State::NotStarted => t!("tests-state-not-started"),
            State::Over => t!("tests-state-over"),
            State::NotRunning => t!("tests-state-not-running"),
            State::SixMinutesNotOver => t!("tests-state-six-minutes-not-over"),
        }
    }
}

impl Field {
    /// Its name in an error ("lap length, m").
    pub fn label(self) -> String {
        match self {
            Field::TenMetreTime => t!("tests-field-ten-time"),
            Field::SixMinuteLapLength => t!("tests-field-six-lap-length"),
            Field::SixMinutePartialLap => t!("tests-field-six-partial-lap"),
            Field::Fac => i18n::test_kind_title(ClinicalTestKind::Fac),
            Field::LapLength => t!("tests-field-lap-length"),
            Field::PartialLap => t!("tests-field-partial-lap"),
        }
    }
}

fn elapsed_secs(
    test: ClinicalTestKind,
    start_nanos: i64,
    now_nanos: i64,
) -> Result<f64, ClinicalError> {
    if now_nanos < start_nanos {
        return Err(ClinicalError::TimeBackwards {
            test,
            now_nanos,
            start_nanos,
        });
    }
    Ok((now_nanos - start_nanos) as f64 / 1e9)
}

/// Where a 10-metre walk trial is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TenMetreState {
    /// Waiting for the patient to cross the 2 m line.
    Ready,
    /// Timing the middle 6 m since this time, ns.
    Timing {
        /// When the patient crossed the 2 m line.
        start_nanos: i64,
    },
}

/// The 10-metre walk test: three timed trials of the middle 6 m.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TenMetreWalk {
    state: Option<i64>,
    trial_secs: Vec<f64>,
}

impl TenMetreWalk {
    const KIND: ClinicalTestKind = ClinicalTestKind::TenMetreWalk;

    /// A test with no trial yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The current trial's state.
    pub fn state(&self) -> TenMetreState {
        match self.state {
            None => TenMetreState::Ready,
            Some(start_nanos) => TenMetreState::Timing { start_nanos },
        }
    }

    /// The patient crossed the 2 m line: the timing starts.
    pub fn cross_start(&mut self, now_nanos: i64) -> Result<(), ClinicalError> {
        if self.state.is_some() {
            return Err(ClinicalError::WrongState {
                test: Self::KIND,
                action: Action::StartTiming,
                state: State::AlreadyTiming,
            });
        }
        if self.trial_secs.len() >= TEN_METRE_TRIALS {
            return Err(ClinicalError::WrongState {
                test: Self::KIND,
                action: Action::StartAnotherTrial,
                state: State::ThreeTrialsDone,
            });
        }
        self.state = Some(now_nanos);
        Ok(())
    }

    /// The patient crossed the 8 m line: the trial ends; returns its gait speed, m/s.
    pub fn cross_end(&mut self, now_nanos: i64) -> Result<f64, ClinicalError> {
        let Some(start) = self.state else {
            return Err(ClinicalError::WrongState {
                test: Self::KIND,
                action: Action::StopTiming,
                state: State::NotTiming,
            });
        };
        let secs = elapsed_secs(Self::KIND, start, now_nanos)?;
        if secs <= 0.0 {
            return Err(ClinicalError::OutOfRange {
                what: Field::TenMetreTime,
                found: format!("{secs} s"),
                min: f64::MIN_POSITIVE,
                max: f64::INFINITY,
            });
        }
        self.state = None;
        self.trial_secs.push(secs);
        Ok(TEN_METRE_TIMED_DISTANCE_M / secs)
    }

    /// Abandons the running trial (the patient stopped, stumbled...).
    pub fn cancel_trial(&mut self) {
        self.state = None;
    }

    /// Seconds on the clock of the running trial.
    pub fn running_secs(&self, now_nanos: i64) -> Option<f64> {
        self.state
            .map(|start| (now_nanos.saturating_sub(start)).max(0) as f64 / 1e9)
    }

    /// Times of the finished trials over the middle 6 m, s.
    pub fn trial_secs(&self) -> &[f64] {
        &self.trial_secs
    }

    /// Gait speed of each finished trial, m/s.
    pub fn trial_speeds_mps(&self) -> Vec<f64> {
        self.trial_secs
            .iter()
            .map(|s| TEN_METRE_TIMED_DISTANCE_M / s)
            .collect()
    }

    /// The result: mean gait speed over the finished trials, m/s.
    pub fn gait_speed_mps(&self) -> Option<f64> {
        let speeds = self.trial_speeds_mps();
        (!speeds.is_empty()).then(|| speeds.iter().sum::<f64>() / speeds.len() as f64)
    }

    /// Whether all three trials are done.
    pub fn is_complete(&self) -> bool {
        self.trial_secs.len() >= TEN_METRE_TRIALS
    }
}

/// The 6-minute walk test: laps along a corridor of known length, for 360 s.
#[derive(Debug, Clone, PartialEq)]
pub struct SixMinuteWalk {
    lap_length_m: f64,
    start_nanos: Option<i64>,
    laps: u32,
    stopped_at_nanos: Option<i64>,
}

impl SixMinuteWalk {
    const KIND: ClinicalTestKind = ClinicalTestKind::SixMinuteWalk;

    /// A test on a corridor with laps of `lap_length_m` (ATS: 30 m).
    pub fn new(lap_length_m: f64) -> Result<Self, ClinicalError> {
        if !(lap_length_m.is_finite() && (1.0..=100.0).contains(&lap_length_m)) {
            return Err(ClinicalError::OutOfRange {
                what: Field::SixMinuteLapLength,
                found: lap_length_m.to_string(),
                min: 1.0,
                max: 100.0,
            });
        }
        Ok(SixMinuteWalk {
            lap_length_m,
            start_nanos: None,
            laps: 0,
            stopped_at_nanos: None,
        })
    }

    /// The lap length, m.
    pub fn lap_length_m(&self) -> f64 {
        self.lap_length_m
    }

    /// Starts the six minutes.
    pub fn start(&mut self, now_nanos: i64) -> Result<(), ClinicalError> {
        if self.start_nanos.is_some() {
            return Err(ClinicalError::WrongState {
                test: Self::KIND,
                action: Action::Start,
                state: State::AlreadyStarted,
            });
        }
        self.start_nanos = Some(now_nanos);
        Ok(())
    }

    /// Whether the clock runs.
    pub fn is_running(&self, now_nanos: i64) -> bool {
        self.start_nanos.is_some() && !self.is_over(now_nanos)
    }

    /// Whether the six minutes are up (or the test was stopped early).
    pub fn is_over(&self, now_nanos: i64) -> bool {
        match self.start_nanos {
            None => false,
            Some(start) => {
                self.stopped_at_nanos.is_some()
                    || (now_nanos - start) as f64 / 1e9 >= SIX_MINUTE_SECS
            }
        }
    }

    /// Counts one more lap.
    pub fn lap(&mut self, now_nanos: i64) -> Result<u32, ClinicalError> {
        if !self.is_running(now_nanos) {
            return Err(ClinicalError::WrongState {
                test: Self::KIND,
                action: Action::CountLap,
                state: if self.start_nanos.is_none() {
                    State::NotStarted
                } else {
                    State::Over
                },
            });
        }
        self.laps += 1;
        Ok(self.laps)
    }

    /// Stops early (the patient cannot go on); the distance so far counts.
    pub fn stop(&mut self, now_nanos: i64) -> Result<(), ClinicalError> {
        if !self.is_running(now_nanos) {
            return Err(ClinicalError::WrongState {
                test: Self::KIND,
                action: Action::Stop,
                state: State::NotRunning,
            });
        }
        self.stopped_at_nanos = Some(now_nanos);
        Ok(())
    }

    /// Laps counted.
    pub fn laps(&self) -> u32 {
        self.laps
    }

    /// Seconds left, once started.
    pub fn remaining_secs(&self, now_nanos: i64) -> Option<f64> {
        let start = self.start_nanos?;
        let end = self.stopped_at_nanos.unwrap_or(now_nanos);
        Some((SIX_MINUTE_SECS - (end - start).max(0) as f64 / 1e9).max(0.0))
    }

    /// The result once over: whole laps plus the last partial lap, m.
    pub fn distance_m(&self, partial_lap_m: f64, now_nanos: i64) -> Result<f64, ClinicalError> {
        if !self.is_over(now_nanos) {
            return Err(ClinicalError::WrongState {
                test: Self::KIND,
                action: Action::GiveDistance,
                state: State::SixMinutesNotOver,
            });
        }
        if !(partial_lap_m.is_finite() && (0.0..self.lap_length_m).contains(&partial_lap_m)) {
            return Err(ClinicalError::OutOfRange {
                what: Field::SixMinutePartialLap,
                found: partial_lap_m.to_string(),
                min: 0.0,
                max: self.lap_length_m,
            });
        }
        Ok(f64::from(self.laps) * self.lap_length_m + partial_lap_m)
    }
}

/// Timed Up and Go: a stopwatch.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TimedUpAndGo {
    start_nanos: Option<i64>,
    result_secs: Option<f64>,
}

impl TimedUpAndGo {
    const KIND: ClinicalTestKind = ClinicalTestKind::TimedUpAndGo;

    /// A stopwatch at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// "Go": the patient stands up.
    pub fn start(&mut self, now_nanos: i64) -> Result<(), ClinicalError> {
        if self.start_nanos.is_some() {
            return Err(ClinicalError::WrongState {
                test: Self::KIND,
                action: Action::Start,
                state: State::AlreadyTiming,
            });
        }
        self.start_nanos = Some(now_nanos);
        self.result_secs = None;
        Ok(())
    }

    /// The patient sits back down: returns the time, s.
    pub fn stop(&mut self, now_nanos: i64) -> Result<f64, ClinicalError> {
        let Some(start) = self.start_nanos else {
            return Err(ClinicalError::WrongState {
                test: Self::KIND,
                action: Action::Stop,
                state: State::NotTiming,
            });
        };
        let secs = elapsed_secs(Self::KIND, start, now_nanos)?;
        self.start_nanos = None;
        self.result_secs = Some(secs);
        Ok(secs)
    }

    /// Seconds on the running clock.
    pub fn running_secs(&self, now_nanos: i64) -> Option<f64> {
        self.start_nanos
            .map(|s| (now_nanos.saturating_sub(s)).max(0) as f64 / 1e9)
    }

    /// The last result, s.
    pub fn result_secs(&self) -> Option<f64> {
        self.result_secs
    }
}

/// The highest Functional Ambulation Category.
pub const FAC_MAX: u8 = 5;

/// The Functional Ambulation Category descriptions, 0–5.
pub fn fac_levels() -> [String; FAC_MAX as usize + 1] {
    [
        t!("tests-fac-level-0"),
        t!("tests-fac-level-1"),
        t!("tests-fac-level-2"),
        t!("tests-fac-level-3"),
        t!("tests-fac-level-4"),
        t!("tests-fac-level-5"),
    ]
}

/// Parses a FAC entry: a whole category 0–5 ("3.5" and "7" are refused, each saying why).
pub fn parse_fac(text: &str) -> Result<u8, ClinicalError> {
    const WHAT: Field = Field::Fac;
    let t = text.trim();
    let Ok(value) = t.parse::<i64>() else {
        return Err(match t.replace(',', ".").parse::<f64>() {
            Ok(v) if v.is_finite() => ClinicalError::NotWhole {
                what: WHAT,
                found: t.into(),
                min: 0,
                max: FAC_MAX,
            },
            _ => ClinicalError::NotANumber {
                what: WHAT,
                found: t.into(),
            },
        });
    };
    match u8::try_from(value) {
        Ok(v) if v <= FAC_MAX => Ok(v),
        _ => Err(ClinicalError::OutOfRange {
            what: WHAT,
            found: value.to_string(),
            min: 0.0,
            max: f64::from(FAC_MAX),
        }),
    }
}

/// Parses a positive decimal (commas accepted as the decimal mark) for `what`.
pub fn parse_number(what: Field, text: &str, min: f64, max: f64) -> Result<f64, ClinicalError> {
    let value: f64 =
        text.trim()
            .replace(',', ".")
            .parse()
            .map_err(|_| ClinicalError::NotANumber {
                what,
                found: text.into(),
            })?;
    if !(value.is_finite() && (min..=max).contains(&value)) {
        return Err(ClinicalError::OutOfRange {
            what,
            found: text.trim().into(),
            min,
            max,
        });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    #[test]
    fn ten_metre_walk_times_the_middle_six_metres() {
        let mut t = TenMetreWalk::new();
        assert_eq!(t.state(), TenMetreState::Ready);
        assert!(t.cross_end(5 * S).is_err(), "cannot stop before starting");
        t.cross_start(2 * S).unwrap();
        assert_eq!(t.running_secs(4 * S), Some(2.0));
        let v = t.cross_end(8 * S).unwrap(); // 6 m in 6 s
        assert!((v - 1.0).abs() < 1e-12);
        t.cross_start(10 * S).unwrap();
        let v2 = t.cross_end(22 * S).unwrap(); // 6 m in 12 s
        assert!((v2 - 0.5).abs() < 1e-12);
        assert!((t.gait_speed_mps().unwrap() - 0.75).abs() < 1e-12);
        t.cross_start(30 * S).unwrap();
        assert!(t.cross_start(31 * S).is_err());
        t.cross_end(34 * S).unwrap();
        assert!(t.is_complete());
        assert!(t.cross_start(40 * S).is_err(), "three trials at most");
    }

    #[test]
    fn ten_metre_walk_refuses_time_going_backwards() {
        let mut t = TenMetreWalk::new();
        t.cross_start(5 * S).unwrap();
        assert!(matches!(
            t.cross_end(4 * S),
            Err(ClinicalError::TimeBackwards { .. })
        ));
        assert!(t.cross_end(5 * S).is_err(), "zero time is no speed");
    }

    #[test]
    fn six_minute_walk_counts_laps_and_partial_lap() {
        assert!(SixMinuteWalk::new(0.0).is_err());
        assert!(SixMinuteWalk::new(f64::NAN).is_err());
        let mut w = SixMinuteWalk::new(30.0).unwrap();
        assert!(w.lap(0).is_err(), "not started");
        w.start(10 * S).unwrap();
        for k in 1..=7 {
            assert_eq!(w.lap((10 + 40 * k) * S).unwrap(), k as u32);
        }
        assert_eq!(w.remaining_secs(70 * S), Some(300.0));
        assert!(w.distance_m(10.0, 100 * S).is_err(), "not over yet");
        assert!(w.is_over(370 * S));
        assert!(w.lap(371 * S).is_err(), "time is up");
        assert_eq!(w.distance_m(12.5, 371 * S).unwrap(), 7.0 * 30.0 + 12.5);
        assert!(
            w.distance_m(30.0, 371 * S).is_err(),
            "partial lap shorter than a lap"
        );
    }

    #[test]
    fn six_minute_walk_stopped_early_keeps_its_distance() {
        let mut w = SixMinuteWalk::new(20.0).unwrap();
        w.start(0).unwrap();
        w.lap(30 * S).unwrap();
        w.stop(45 * S).unwrap();
        assert!(w.is_over(46 * S));
        assert_eq!(w.remaining_secs(200 * S), Some(315.0));
        assert_eq!(w.distance_m(5.0, 46 * S).unwrap(), 25.0);
    }

    #[test]
    fn tug_is_a_stopwatch() {
        let mut t = TimedUpAndGo::new();
        assert!(t.stop(S).is_err());
        t.start(S).unwrap();
        assert!(t.start(2 * S).is_err());
        assert_eq!(t.stop(S + 12_500_000_000).unwrap(), 12.5);
        assert_eq!(t.result_secs(), Some(12.5));
    }

    #[test]
    fn fac_is_zero_to_five() {
        assert_eq!(parse_fac(" 3 ").unwrap(), 3);
        assert!(matches!(
            parse_fac("6"),
            Err(ClinicalError::OutOfRange { .. })
        ));
        assert!(matches!(
            parse_fac("x"),
            Err(ClinicalError::NotANumber { .. })
        ));
        assert!(matches!(
            parse_fac("-1"),
            Err(ClinicalError::OutOfRange { .. })
        ));
        let half = parse_fac("3.5").unwrap_err();
        assert!(matches!(half, ClinicalError::NotWhole { .. }));
        assert_eq!(
            half.to_string(),
            "Functional Ambulation Category: `3.5` is not a whole number: give one of 0–5"
        );
        assert_eq!(
            parse_fac("7").unwrap_err().to_string(),
            "Functional Ambulation Category: 7 is outside 0–5"
        );
    }

    #[test]
    fn a_refusal_reads_as_before_in_english_and_in_german_when_chosen() {
        let wrong = TimedUpAndGo::new().stop(S).unwrap_err();
        let lap = SixMinuteWalk::new(30.0).unwrap().lap(0).unwrap_err();
        let partial = parse_number(Field::PartialLap, "x", 0.0, 30.0).unwrap_err();
        assert_eq!(
            wrong.to_string(),
            "Timed Up and Go: cannot stop now (not timing)"
        );
        assert_eq!(
            lap.to_string(),
            "6-minute walk: cannot count a lap now (not started)"
        );
        assert_eq!(
            partial.to_string(),
            "last partial lap, m: `x` is not a number"
        );
        i18n::set_language(i18n::Language::German);
        let german = (wrong.to_string(), lap.to_string(), partial.to_string());
        i18n::set_language(i18n::Language::English);
        assert_eq!(
            german.0,
            "Timed Up and Go: Stoppen ist jetzt nicht möglich (keine Zeitmessung aktiv)"
        );
        assert_eq!(
            german.1,
            "6-Minuten-Gehtest: Runde zählen ist jetzt nicht möglich (nicht gestartet)"
        );
        assert_eq!(german.2, "letzte Teilrunde, m: `x` ist keine Zahl");
    }

    #[test]
    fn numbers_accept_a_decimal_comma() {
        assert_eq!(
            parse_number(Field::LapLength, "12,5", 0.0, 30.0).unwrap(),
            12.5
        );
        assert!(parse_number(Field::LapLength, "31", 0.0, 30.0).is_err());
        assert!(parse_number(Field::LapLength, "abc", 0.0, 30.0).is_err());
    }
}
