//! The session as the record keeps it, through the engine's threads on simulated time: it starts
//! when Start is pressed (time 0, nothing stored from the wait before it), and its end says how
//! it ended (completed, phases skipped, stopped after a short re-test, stopped now).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::time::{Duration, Instant};

use entrain_cue::Phase;
use entrain_cue::config::UncuedLength;
use entrain_engine::runtime::{
    self, AudioOutput, Clock, EngineEvent, EngineHandle, Recording, RunSummary, RuntimeConfig,
};
use entrain_engine::{EngineCommand, EngineConfig};
use entrain_sim::{Preset, VirtualPatient, VirtualPatientSource};
use entrain_source::{SensorSource, SourceError, SourceEvent};
use entrain_store::{EventKind, SessionStatus, Store};

const SEC: i64 = 1_000_000_000;

fn config(db: &Path, patient_id: Option<i64>, auto_start: bool) -> RuntimeConfig {
    let mut engine = EngineConfig::default();
    engine.protocol.baseline = UncuedLength::Secs(10.0);
    engine.protocol.fading_secs = 10.0;
    engine.protocol.retest = UncuedLength::Secs(10.0);
    RuntimeConfig {
        engine,
        clock: Clock::Simulated,
        tick_nanos: 10_000_000,
        audio: AudioOutput::Off,
        music: None,
        recording: Some(Recording {
            db_path: db.to_path_buf(),
            patient_id,
            source_label: "sim:entrains".into(),
        }),
        max_nanos: Some(900 * SEC),
        auto_start,
    }
}

/// The virtual patient, its simulated time slowed to about 200 times real time (50 µs per
/// 10 ms tick): fast, yet every phase lasts long enough on the wall clock for a test thread,
/// however busy the machine, to see it and act in it.
struct Paced(VirtualPatientSource);

impl SensorSource for Paced {
    fn name(&self) -> String {
        self.0.name()
    }

    fn sensors(&self) -> Vec<entrain_source::SensorInfo> {
        self.0.sensors()
    }

    fn poll(&mut self, now_nanos: i64, out: &mut Vec<SourceEvent>) -> Result<(), SourceError> {
        std::thread::sleep(Duration::from_micros(50));
        self.0.poll(now_nanos, out)
    }

    fn beat_played(&mut self, beat_nanos: i64) {
        self.0.beat_played(beat_nanos);
    }
}

fn start(config: RuntimeConfig) -> EngineHandle {
    let patient = VirtualPatient::new(Preset::Entrains.config());
    let source = Paced(VirtualPatientSource::new(patient, "entrains", None));
    runtime::start(config, Box::new(source)).unwrap()
}

/// Polls the snapshot (simulated time runs on meanwhile) until `done` holds.
fn wait_for(handle: &EngineHandle, what: &str, done: impl Fn(&entrain_engine::Snapshot) -> bool) {
    let t0 = Instant::now();
    while !done(&handle.snapshot()) {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}: {:?}",
            handle.snapshot().run_state
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn finish(handle: EngineHandle) -> (RunSummary, Vec<EngineEvent>) {
    let events: Vec<EngineEvent> = {
        let mut v = Vec::new();
        // The loop ends with the protocol; the channel closes when both threads are gone.
        while let Ok(e) = handle.events().recv() {
            v.push(e);
        }
        v
    };
    (handle.join().unwrap(), events)
}

#[test]
fn the_record_starts_at_start_and_keeps_nothing_of_the_wait_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    let handle = start(config(&db, None, false));
    // The patient walks for 5 s of session time before the clinician presses Start.
    wait_for(&handle, "5 s of waiting", |s| s.now_nanos >= 5 * SEC);
    assert!(
        handle.snapshot().store.contains("begins at Start"),
        "{}",
        handle.snapshot().store
    );
    assert!(
        Store::open(&db).unwrap().sessions(None).unwrap().is_empty(),
        "no session row before Start"
    );
    let start_sent_ms = entrain_store::unix_ms_now();
    handle.command(EngineCommand::Start);
    let (summary, events) = finish(handle);
    assert_eq!(
        summary.status,
        SessionStatus::Completed,
        "{}",
        summary.reason
    );
    assert_eq!(summary.reason, "every phase completed");
    let id = summary.session_id.unwrap();
    assert!(events.contains(&EngineEvent::Recording { session_id: id }));

    let store = Store::open(&db).unwrap();
    let session = store.session(id).unwrap();
    assert!(session.started_unix_ms >= start_sent_ms);
    let phases = store.phases(id).unwrap();
    assert_eq!(phases[0].phase, Phase::Baseline);
    assert_eq!(phases[0].start_nanos, 0, "session time 0 is Start");
    let done = phases.iter().find(|p| p.phase == Phase::Done).unwrap();
    // The stored length is the protocol's, not the wait plus the protocol.
    assert!(
        (session.last_nanos - done.start_nanos).abs() <= 50_000_000,
        "last {} vs protocol end {}",
        session.last_nanos,
        done.start_nanos
    );
    let waited = summary.end_nanos - session.last_nanos;
    assert!(
        waited >= 5 * SEC,
        "the wait ({waited} ns) is not in the record"
    );

    let steps = store.steps(id).unwrap();
    assert!(steps.len() > 50);
    assert!(
        steps
            .iter()
            .all(|s| s.time_nanos >= 0 && s.detected_at_nanos >= 0 && s.phase.is_some()),
        "a step from before Start: {:?}",
        steps.iter().find(|s| s.time_nanos < 0 || s.phase.is_none())
    );
    // The baseline's first step comes within a step of Start, not 5 s before it.
    assert!(steps[0].time_nanos < 2 * SEC, "{:?}", steps[0]);
    for (_, samples) in store.raw_samples(id).unwrap() {
        assert!(samples[0].time_nanos >= 0 && samples[0].time_nanos < 50_000_000);
    }
    assert!(
        store
            .beats(id)
            .unwrap()
            .iter()
            .all(|b| b.scheduled_nanos > 0)
    );
    assert!(store.events(id).unwrap().iter().all(|e| e.time_nanos >= 0));
    assert!(
        store
            .tempo_changes(id)
            .unwrap()
            .iter()
            .all(|t| t.time_nanos > 0)
    );
}

#[test]
fn stop_after_a_short_retest_keeps_the_outcome_measure_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    let handle = start(config(&db, None, true));
    wait_for(&handle, "the matched cue", |s| {
        s.phase == Phase::Matched.as_str()
    });
    handle.command(EngineCommand::StopAfterRetest);
    let (summary, _) = finish(handle);
    assert_eq!(summary.status, SessionStatus::Stopped);
    assert_eq!(summary.reason, "stopped after a short re-test");
    let id = summary.session_id.unwrap();
    let store = Store::open(&db).unwrap();
    assert_eq!(
        store.session(id).unwrap().end_reason.as_deref(),
        Some("stopped after a short re-test")
    );
    let events = store.events(id).unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.kind == EventKind::Command && e.detail == "StopAfterRetest")
    );
    // The re-test's measures, in its own phase (the log's measured line).
    assert!(
        events.iter().any(|e| e.kind == EventKind::Log
            && e.phase == Some(Phase::Retest)
            && e.detail.starts_with("cadence")),
        "{events:#?}"
    );
    let retest_steps = store
        .steps(id)
        .unwrap()
        .iter()
        .filter(|s| s.phase == Some(Phase::Retest))
        .count();
    // 20 steps (the default short re-test), the 20th, which ends it, among them: the re-test the
    // record keeps is the one the protocol measured.
    assert_eq!(retest_steps, 20);
    let phases: Vec<Phase> = store.phases(id).unwrap().iter().map(|p| p.phase).collect();
    assert_eq!(
        phases,
        [Phase::Baseline, Phase::Matched, Phase::Retest, Phase::Done]
    );
}

#[test]
fn stop_now_and_a_skipped_phase_are_the_stored_end_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    let handle = start(config(&db, None, true));
    wait_for(&handle, "the matched cue", |s| {
        s.phase == Phase::Matched.as_str()
    });
    handle.command(EngineCommand::NextPhase);
    let (summary, _) = finish(handle);
    assert_eq!(summary.status, SessionStatus::Completed);
    let store = Store::open(&db).unwrap();
    let stored = store.session(summary.session_id.unwrap()).unwrap();
    assert_eq!(
        stored.end_reason.as_deref(),
        Some("completed; skipped by the clinician: matched cue")
    );

    let handle = start(config(&db, None, true));
    wait_for(&handle, "the matched cue", |s| {
        s.phase == Phase::Matched.as_str()
    });
    handle.command(EngineCommand::Stop);
    let (summary, _) = finish(handle);
    assert_eq!(summary.status, SessionStatus::Stopped);
    let stored = Store::open(&db)
        .unwrap()
        .session(summary.session_id.unwrap())
        .unwrap();
    assert_eq!(
        stored.end_reason.as_deref(),
        Some("stopped by the clinician, no re-test")
    );
}

#[test]
fn a_session_row_that_cannot_be_begun_at_start_is_said_not_lost() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    // No patient 999: the record opens, but the session's row is refused at Start.
    let handle = start(config(&db, Some(999), false));
    wait_for(&handle, "a little waiting", |s| s.now_nanos >= SEC);
    handle.command(EngineCommand::Start);
    wait_for(&handle, "the refusal in the store status", |s| {
        s.store.starts_with("NOT RECORDING")
    });
    handle.command(EngineCommand::Stop);
    let (summary, events) = finish(handle);
    assert_eq!(summary.session_id, None);
    let error = summary
        .store_error
        .expect("the run says it was not recorded");
    assert!(
        error.contains("could not be begun in the record"),
        "{error}"
    );
    assert!(summary.snapshot.store.starts_with("NOT RECORDING"));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, EngineEvent::Notice(n) if n.starts_with("NOT RECORDING"))),
        "{events:?}"
    );
    assert!(Store::open(&db).unwrap().sessions(None).unwrap().is_empty());
}
