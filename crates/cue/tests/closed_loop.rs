//! Closed-loop simulations: virtual patient ↔ RAS session, in simulated time, with the patient's
//! true steps. The loop through the foot detectors is the engine's (crates/engine/tests/sim.rs).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TrueSteps;
use entrain_cue::log::{LogEvent, PauseReason, TempoReason};
use entrain_cue::sim::run;
use entrain_cue::{Phase, ProtocolConfig, RasSession, RunState};
use entrain_sim::{Preset, VirtualPatient};

const SEC: i64 = 1_000_000_000;
const TICK: i64 = 10_000_000;

fn print_log(s: &RasSession) {
    for e in s.log() {
        println!("{e}");
    }
}

fn tempo_targets(s: &RasSession) -> Vec<(f64, &TempoReason)> {
    s.log()
        .iter()
        .filter_map(|e| match &e.event {
            LogEvent::TempoTarget { to_spm, reason, .. } => Some((*to_spm, reason)),
            _ => None,
        })
        .collect()
}

#[test]
fn an_entraining_patient_at_80_spm_is_taken_to_plus_10_percent() {
    let mut session = RasSession::new(ProtocolConfig::default(), 0).unwrap();
    let mut walker = TrueSteps(VirtualPatient::new(Preset::Entrains.config()));
    let trace = run(&mut session, &mut walker, 0, 600 * SEC, TICK);
    print_log(&session);
    assert_eq!(session.phase(), Phase::Done);
    let base = session.baseline().unwrap().cadence_spm;
    assert!((base - 80.0).abs() < 2.0, "baseline {base}");
    let targets = tempo_targets(&session);
    // Matched, +5 %, +10 %: every change logged with its reason.
    assert_eq!(targets.len(), 3, "{targets:?}");
    assert!(matches!(
        targets[0].1,
        TempoReason::MatchedToBaseline { .. }
    ));
    assert!(matches!(
        targets[2].1,
        TempoReason::Progressed { level: 2, .. }
    ));
    assert!((targets[2].0 / targets[0].0 - 1.10).abs() < 1e-9);
    // The played tempo got there, and only by logged target changes (no beat above the last target).
    let top = trace.beats.iter().map(|b| b.tempo_spm).fold(0.0, f64::max);
    assert!(top > base * 1.08 && top <= session.limits().unwrap().ceiling_spm);
    // Phases in protocol order.
    let phases: Vec<Phase> = session
        .log()
        .iter()
        .filter(|e| matches!(e.event, LogEvent::PhaseStarted { .. }))
        .map(|e| e.phase)
        .collect();
    assert_eq!(
        phases,
        [
            Phase::Baseline,
            Phase::Matched,
            Phase::Progression,
            Phase::Functional,
            Phase::Fading,
            Phase::Retest,
            Phase::Done
        ]
    );
    // The patient kept some of the faster cadence uncued.
    assert!(session.retest().unwrap().cadence_spm > base + 2.0);
}

#[test]
fn a_patient_who_cannot_follow_is_held_and_never_pushed_past_its_limit() {
    let mut session = RasSession::new(ProtocolConfig::default(), 0).unwrap();
    let mut walker = TrueSteps(VirtualPatient::new(Preset::Limited.config()));
    let trace = run(&mut session, &mut walker, 0, 900 * SEC, TICK);
    print_log(&session);
    let base = session.baseline().unwrap().cadence_spm;
    let targets = tempo_targets(&session);
    assert!(
        targets
            .iter()
            .any(|(_, r)| matches!(r, TempoReason::SteppedBack { level: 0, .. })),
        "{targets:?}"
    );
    // Never above the first level it failed at; never tried again after stepping back.
    let max_target = targets.iter().map(|t| t.0).fold(0.0, f64::max);
    assert!(max_target <= targets[0].0 * 1.05 + 1e-9);
    let raises = targets
        .iter()
        .filter(|(_, r)| matches!(r, TempoReason::Progressed { .. }))
        .count();
    assert_eq!(raises, 1);
    // After the step back, the beats stay at the level it can follow.
    let back_at = session
        .log()
        .iter()
        .find(|e| {
            matches!(
                &e.event,
                LogEvent::TempoTarget {
                    reason: TempoReason::SteppedBack { .. },
                    ..
                }
            )
        })
        .unwrap()
        .time_nanos;
    let limit_spm = base * 1.03;
    assert!(
        trace
            .beats
            .iter()
            .filter(|b| b.time_nanos > back_at + 10 * SEC)
            .all(|b| b.tempo_spm <= limit_spm),
        "beats above the patient's limit after stepping back"
    );
    assert!(session.log().iter().any(|e| matches!(
        e.event,
        LogEvent::PhaseStarted {
            reason: entrain_cue::log::PhaseReason::HeldAtLimit
        }
    )));
}

#[test]
fn a_patient_who_stops_walking_triggers_auto_pause_within_the_timeout_and_resumes() {
    let config = ProtocolConfig::default();
    let timeout = (config.safety.no_step_timeout_secs * 1e9) as i64;
    let mut session = RasSession::new(config, 0).unwrap();
    let mut walker = TrueSteps(VirtualPatient::new(Preset::Stops.config()));
    let trace = run(&mut session, &mut walker, 0, 130 * SEC, TICK);
    print_log(&session);
    let last_step_before_stop = trace
        .steps
        .iter()
        .filter(|s| s.time_nanos < 105 * SEC)
        .map(|s| s.time_nanos)
        .max()
        .unwrap();
    let pause = session
        .log()
        .iter()
        .find(|e| matches!(e.event, LogEvent::Paused(PauseReason::NoSteps { .. })))
        .expect("auto-pause");
    assert!(pause.time_nanos > last_step_before_stop);
    assert!(pause.time_nanos <= last_step_before_stop + timeout + TICK);
    // No beat while paused.
    let resumed = session
        .log()
        .iter()
        .find(|e| matches!(e.event, LogEvent::Resumed { by_walking: true }))
        .expect("resumed by walking")
        .time_nanos;
    assert!(
        trace
            .beats
            .iter()
            .all(|b| b.time_nanos <= pause.time_nanos + 100_000_000 || b.time_nanos >= resumed)
    );
    assert_eq!(session.run_state(), RunState::Running);
}
