//! The engine core on simulated time with the virtual patient.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use entrain_engine::{EngineCommand, EngineConfig, EngineCore, EngineOutput};
use entrain_sim::{Preset, VirtualPatient, VirtualPatientSource};
use entrain_source::{SensorSource, SourceEvent};
use entrain_store::EventKind;

const TICK: i64 = 10_000_000;
const SEC: i64 = 1_000_000_000;

/// Runs the loop; between `gap_from` and `gap_to` the sensors deliver nothing.
fn run(gap: Option<(i64, i64)>, until: i64) -> (EngineCore, Vec<i64>, Vec<String>) {
    let patient = VirtualPatient::new(Preset::Healthy.config());
    let mut source = VirtualPatientSource::new(patient, "healthy", None);
    let mut core =
        EngineCore::new(EngineConfig::default(), &source.name(), &source.sensors()).unwrap();
    let mut out = EngineOutput::default();
    core.command(0, EngineCommand::Start, &mut out);
    let mut beats = Vec::new();
    let mut notices = Vec::new();
    let mut events = Vec::new();
    let mut now = 0;
    while now <= until {
        events.clear();
        source.poll(now, &mut events).unwrap();
        if gap.is_some_and(|(a, b)| now >= a && now < b) {
            events.retain(|e| !matches!(e, SourceEvent::Sample { .. }));
        }
        core.on_sensor_events(now, &events, &mut out);
        beats.extend(
            out.beats
                .iter()
                .filter(|b| b.is_audible())
                .map(|b| b.time_nanos),
        );
        for t in core.due_unplayed(now) {
            core.on_beat_played(t, &mut out);
            source.beat_played(t);
        }
        notices.append(&mut out.notices);
        out.clear();
        now += TICK;
    }
    (core, beats, notices)
}

#[test]
fn the_cue_goes_on_at_the_last_tempo_through_a_sensor_gap_and_says_so() {
    // The cue starts after the 30 s baseline; the sensors go silent from 45 s to 55 s, longer
    // than the 3 s no-step auto-pause.
    let (core, beats, notices) = run(Some((45 * SEC, 55 * SEC)), 60 * SEC);
    let session = core.session().unwrap();
    assert!(
        !session
            .log()
            .iter()
            .any(|e| matches!(e.event, entrain_cue::log::LogEvent::Paused(_))),
        "the session paused during the sensor gap: {:?}",
        session.log()
    );
    let in_gap: Vec<i64> = beats
        .iter()
        .copied()
        .filter(|&b| b > 46 * SEC && b < 55 * SEC)
        .collect();
    assert!(in_gap.len() >= 12, "only {} beats in the gap", in_gap.len());
    let intervals: Vec<i64> = in_gap.windows(2).map(|w| w[1] - w[0]).collect();
    // No step reaches the adaptation in the gap: the beat only follows the protocol's ramp
    // towards its target, smoothly (phase corrections would make the intervals jitter).
    let monotone = intervals.windows(2).all(|w| w[1] <= w[0] + 1000)
        || intervals.windows(2).all(|w| w[1] + 1000 >= w[0]);
    assert!(monotone, "beat intervals jitter in the gap: {intervals:?}");
    assert!(
        notices
            .iter()
            .any(|n| n.contains("no samples since") && n.contains("last good tempo")),
        "{notices:?}"
    );
    assert!(
        notices.iter().any(|n| n.contains("samples again")),
        "{notices:?}"
    );
    assert!(!core.in_sensor_gap());
}

#[test]
fn without_the_gap_hold_the_same_silence_would_pause_the_cue() {
    // Control: the same silence with the hold switched off by a huge gap limit pauses the session
    // (so the test above is not passing by accident).
    let patient = VirtualPatient::new(Preset::Healthy.config());
    let mut source = VirtualPatientSource::new(patient, "healthy", None);
    let config = EngineConfig {
        sensor_gap_nanos: 3600 * SEC,
        ..EngineConfig::default()
    };
    let mut core = EngineCore::new(config, &source.name(), &source.sensors()).unwrap();
    let mut out = EngineOutput::default();
    core.command(0, EngineCommand::Start, &mut out);
    let mut events = Vec::new();
    let mut now = 0;
    while now <= 60 * SEC {
        events.clear();
        source.poll(now, &mut events).unwrap();
        if (45 * SEC..55 * SEC).contains(&now) {
            events.retain(|e| !matches!(e, SourceEvent::Sample { .. }));
        }
        core.on_sensor_events(now, &events, &mut out);
        for t in core.due_unplayed(now) {
            core.on_beat_played(t, &mut out);
            source.beat_played(t);
        }
        out.clear();
        now += TICK;
    }
    assert!(
        core.session()
            .unwrap()
            .log()
            .iter()
            .any(|e| matches!(e.event, entrain_cue::log::LogEvent::Paused(_)))
    );
}

#[test]
fn commands_and_marks_reach_the_record() {
    let patient = VirtualPatient::new(Preset::Healthy.config());
    let source = VirtualPatientSource::new(patient, "healthy", None);
    let mut core =
        EngineCore::new(EngineConfig::default(), &source.name(), &source.sensors()).unwrap();
    let mut out = EngineOutput::default();
    core.command(0, EngineCommand::Pause, &mut out);
    assert!(out.notices.iter().any(|n| n.contains("has not started")));
    out.clear();
    core.command(0, EngineCommand::Start, &mut out);
    core.command(
        SEC,
        EngineCommand::Mark {
            label: "turn".into(),
        },
        &mut out,
    );
    core.command(2 * SEC, EngineCommand::Stop, &mut out);
    let kinds: Vec<EventKind> = out.record.events.iter().map(|e| e.kind).collect();
    assert!(
        kinds.contains(&EventKind::Mark) && kinds.contains(&EventKind::Command),
        "{kinds:?}"
    );
    assert!(core.is_finished());
    assert_eq!(
        core.snapshot().run_state,
        entrain_engine::RunStatus::Finished
    );
}

#[test]
fn steps_from_outside_the_detectors_reach_the_protocol_and_the_record() {
    let patient = VirtualPatient::new(Preset::Healthy.config());
    let source = VirtualPatientSource::new(patient, "healthy", None);
    let mut core =
        EngineCore::new(EngineConfig::default(), &source.name(), &source.sensors()).unwrap();
    let mut out = EngineOutput::default();
    core.command(0, EngineCommand::Start, &mut out);
    let steps: Vec<entrain_cue::StepEvent> = (0..4)
        .map(|k| entrain_cue::StepEvent {
            time_nanos: k * 600_000_000,
            side: if k % 2 == 0 {
                entrain_gait::Side::Left
            } else {
                entrain_gait::Side::Right
            },
        })
        .collect();
    out.clear();
    core.on_steps(2 * SEC, &steps, &mut out);
    assert_eq!(out.steps.len(), 4);
    assert_eq!(out.record.steps, out.steps);
    assert!(out.steps.iter().all(|s| s.detected_at_nanos == 2 * SEC));
    assert_eq!(out.record.now_nanos, 2 * SEC);
    assert_eq!(core.snapshot().steps_total, 4);
    // Time passed with them: the protocol is running and has not paused for want of steps.
    let session = core.session().unwrap();
    assert_eq!(session.run_state(), entrain_cue::RunState::Running);
}

#[test]
fn the_snapshot_says_how_far_the_phase_has_gone_and_the_limits_and_baseline() {
    // The default protocol: a 30 s baseline, then the matched cue.
    let (core, _, _) = run(None, 10 * SEC);
    let snap = core.snapshot();
    assert_eq!(
        snap.phase_progress,
        Some(entrain_cue::PhaseProgress::Timed {
            elapsed_nanos: 10 * SEC,
            length_nanos: 30 * SEC
        })
    );
    assert_eq!(snap.tempo_limits, None, "no limits before the baseline");
    assert_eq!(snap.baseline_cadence_spm, None);
    let (core, _, _) = run(None, 40 * SEC);
    let snap = core.snapshot();
    let session = core.session().unwrap();
    assert_eq!(session.phase(), entrain_cue::Phase::Matched);
    assert_eq!(snap.phase_progress, session.phase_progress(snap.now_nanos));
    assert_eq!(snap.tempo_limits, session.limits());
    assert_eq!(
        snap.baseline_cadence_spm,
        Some(session.baseline().unwrap().cadence_spm)
    );
    assert_eq!(snap.retest_cadence_spm, None);
}
