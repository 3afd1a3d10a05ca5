//! Walkers for the closed-loop tests: the virtual patient's true ICs, or its IMU through FootDetector.
#![allow(dead_code, clippy::expect_used)]

use entrain_cue::sim::Walker;
use entrain_cue::{Beat, StepEvent};
use entrain_gait::detect::{FootDetector, FootDetectorConfig};
use entrain_gait::{GaitEvent, GaitEventKind, Placement, Side, StreamingDetector};
use entrain_sensors::virtual_patient::{FootSample, TrueIc, VirtualPatient};

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

/// The patient's foot IMUs through one FootDetector per foot.
pub struct DetectedSteps {
    pub patient: VirtualPatient,
    detectors: [FootDetector; 2],
    events: Vec<GaitEvent>,
}

impl DetectedSteps {
    pub fn new(patient: VirtualPatient) -> Self {
        let rate = patient.config().sample_rate_hz;
        let make =
            |side| FootDetector::new(Some(side), FootDetectorConfig::new(rate)).expect("detector");
        DetectedSteps {
            patient,
            detectors: [make(Side::Left), make(Side::Right)],
            events: Vec::new(),
        }
    }
}

impl Walker for DetectedSteps {
    fn advance_to(&mut self, now_nanos: i64, steps: &mut Vec<StepEvent>) {
        let (mut samples, mut ics) = (Vec::new(), Vec::new());
        self.patient.advance_to(now_nanos, &mut samples, &mut ics);
        for FootSample { placement, sample } in samples {
            let (idx, side) = match placement {
                Placement::Foot(Side::Left) => (0, Side::Left),
                Placement::Foot(Side::Right) => (1, Side::Right),
                Placement::LowerBack => continue,
            };
            self.events.clear();
            self.detectors[idx].push(&sample, &mut self.events);
            for e in self
                .events
                .iter()
                .filter(|e| e.kind == GaitEventKind::InitialContact)
            {
                steps.push(StepEvent {
                    time_nanos: e.event_time_nanos,
                    side: e.side.unwrap_or(side),
                });
            }
        }
    }
    fn hear(&mut self, beat: &Beat) {
        self.patient.hear_beat(beat.time_nanos);
    }
}
