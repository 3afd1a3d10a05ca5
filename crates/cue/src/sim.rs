//! Closed-loop simulation on simulated time: a [`Walker`] (a virtual patient, possibly seen through a
//! detector) steps, the session cues, the walker hears the beats.

use crate::beat::Beat;
use crate::measures::StepEvent;
use crate::session::RasSession;

/// Anything that walks and can hear the cue.
pub trait Walker {
    /// Advances to `now_nanos`, appending the initial contacts reported by then.
    fn advance_to(&mut self, now_nanos: i64, steps: &mut Vec<StepEvent>);
    /// A beat was committed (it sounds at `beat.time_nanos`, which may be slightly in the future).
    fn hear(&mut self, beat: &Beat);
}

/// Everything that crossed between walker and session in a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// Steps delivered to the session.
    pub steps: Vec<StepEvent>,
    /// Beats committed by the session (audible or not).
    pub beats: Vec<Beat>,
}

/// One tick of the loop at `now_nanos`: walker → steps → session → beats → walker.
pub fn tick<W: Walker>(
    session: &mut RasSession,
    walker: &mut W,
    now_nanos: i64,
    trace: &mut Trace,
) {
    let first_step = trace.steps.len();
    walker.advance_to(now_nanos, &mut trace.steps);
    for step in &trace.steps[first_step..] {
        session.on_step(*step);
    }
    let first_beat = trace.beats.len();
    session.advance_to(now_nanos, &mut trace.beats);
    for beat in &trace.beats[first_beat..] {
        if beat.is_audible() {
            walker.hear(beat);
            // In simulation a beat sounds exactly when scheduled.
            session.on_beat_played(beat.time_nanos);
        }
    }
}

/// Runs from `start_nanos` until `until_nanos` or the end of the session, every `tick_nanos`.
pub fn run<W: Walker>(
    session: &mut RasSession,
    walker: &mut W,
    start_nanos: i64,
    until_nanos: i64,
    tick_nanos: i64,
) -> Trace {
    let mut trace = Trace::default();
    let tick_nanos = tick_nanos.max(1);
    let mut now = start_nanos;
    while now <= until_nanos && session.run_state() != crate::RunState::Finished {
        tick(session, walker, now, &mut trace);
        now += tick_nanos;
    }
    trace
}
