//! The walker for the closed-loop tests: the virtual patient's true ICs. (Its IMU through the
//! foot detectors is the engine's loop: `entrain_engine::sim`, tested in crates/engine/tests/sim.rs.)
#![allow(dead_code)]

use entrain_cue::sim::Walker;
use entrain_cue::{Beat, StepEvent};
use entrain_sim::{TrueIc, VirtualPatient};

/// The patient's true initial contacts, straight to the session.
pub struct TrueSteps(pub VirtualPatient);

impl Walker for TrueSteps {
    fn advance_to(&mut self, now_nanos: i64, steps: &mut Vec<StepEvent>) {
        let (mut samples, mut ics) = (Vec::new(), Vec::new());
        self.0.advance_to(now_nanos, &mut samples, &mut ics);
        steps.extend(ics.iter().map(|ic: &TrueIc| StepEvent {
            time_nanos: ic.time_nanos,
            side: ic.side,
        }));
    }
    fn hear(&mut self, beat: &Beat) {
        self.0.hear_beat(beat.time_nanos);
    }
}
