//! The closed RAS loop on simulated time (`entrain_engine::sim`): the virtual patient through the
//! engine core, with detected or true steps.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use entrain_cue::log::{LogEvent, TempoReason};
use entrain_cue::{Beat, Phase, StepEvent};
use entrain_engine::EngineConfig;
use entrain_engine::sim::{SimulatedSession, StepInput};
use entrain_sim::{Preset, VirtualPatient};

const SEC: i64 = 1_000_000_000;
const TICK: i64 = 10_000_000;

/// Runs until `until` or the end of the session; the steps and beats the core produced.
fn run(
    preset: Preset,
    input: StepInput,
    until: i64,
) -> (SimulatedSession, Vec<StepEvent>, Vec<Beat>) {
    let config = EngineConfig {
        record_raw: false,
        ..EngineConfig::default()
    };
    let mut sim =
        SimulatedSession::new(config, VirtualPatient::new(preset.config()), "test", input).unwrap();
    let (mut steps, mut beats) = (Vec::new(), Vec::new());
    let mut now = 0;
    while now <= until && !sim.core().is_finished() {
        let out = sim.tick(now).unwrap();
        steps.extend(out.steps.iter().map(|s| StepEvent {
            time_nanos: s.time_nanos,
            side: s.side,
        }));
        beats.extend_from_slice(&out.beats);
        now += TICK;
    }
    (sim, steps, beats)
}

fn progressed_to_level_2(sim: &SimulatedSession) -> bool {
    sim.core().session().unwrap().log().iter().any(|e| {
        matches!(
            e.event,
            LogEvent::TempoTarget {
                reason: TempoReason::Progressed { level: 2, .. },
                ..
            }
        )
    })
}

#[test]
fn closed_loop_through_the_foot_detector() {
    let (sim, steps, _) = run(Preset::Entrains, StepInput::Detected, 600 * SEC);
    for e in sim.core().session().unwrap().log() {
        println!("{e}");
    }
    // The detector found the true ICs (one-to-one within 60 ms).
    let truth = sim.patient().true_ics();
    let matched = truth
        .iter()
        .filter(|t| {
            steps
                .iter()
                .any(|s| s.side == t.side && (s.time_nanos - t.time_nanos).abs() < 60_000_000)
        })
        .count();
    let recall = matched as f64 / truth.len() as f64;
    let precision = matched as f64 / steps.len() as f64;
    println!("detector recall {recall:.3}, precision {precision:.3}");
    assert!(
        recall > 0.95 && precision > 0.95,
        "recall {recall} precision {precision}"
    );
    assert!(sim.core().is_finished());
    assert_eq!(sim.core().session().unwrap().phase(), Phase::Done);
    assert!(progressed_to_level_2(&sim));
}

#[test]
fn with_true_contacts_the_session_gets_exactly_the_patients_steps_and_the_patient_hears_the_cue() {
    let (sim, steps, beats) = run(Preset::Entrains, StepInput::TrueContacts, 600 * SEC);
    let truth: Vec<StepEvent> = sim
        .patient()
        .true_ics()
        .iter()
        .map(|ic| StepEvent {
            time_nanos: ic.time_nanos,
            side: ic.side,
        })
        .collect();
    assert_eq!(steps, truth);
    assert_eq!(sim.core().snapshot().steps_total, truth.len() as u64);
    let session = sim.core().session().unwrap();
    assert_eq!(session.phase(), Phase::Done);
    assert!(progressed_to_level_2(&sim));
    // The patient heard the cue: its uncued re-test is faster than its baseline.
    assert!(session.retest().unwrap().cadence_spm > session.baseline().unwrap().cadence_spm + 2.0);
    // Every audible beat counts as played.
    let audible = beats.iter().filter(|b| b.is_audible()).count() as u64;
    assert!(audible > 0);
    assert_eq!(sim.core().due_unplayed(i64::MAX), Vec::<i64>::new());
}
