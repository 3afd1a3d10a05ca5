//! `RasSession::phase_progress`: what the clinician's "time left" reads, phase by phase, with the
//! virtual patient's true steps on simulated time.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TrueSteps;
use entrain_cue::config::UncuedLength;
use entrain_cue::session::ClinicianCommand;
use entrain_cue::sim::{Trace, tick};
use entrain_cue::{Phase, PhaseProgress, ProtocolConfig, RasSession};
use entrain_sim::{Preset, VirtualPatient};

const SEC: i64 = 1_000_000_000;
const TICK: i64 = 10_000_000;

/// Ticks from `*now` until `done` holds (at most `limit_nanos` more), leaving `*now` at that tick.
fn run_until(
    session: &mut RasSession,
    walker: &mut TrueSteps,
    now: &mut i64,
    limit_nanos: i64,
    mut done: impl FnMut(&RasSession, i64) -> bool,
) {
    let end = *now + limit_nanos;
    let mut trace = Trace::default();
    while !done(session, *now) {
        assert!(
            *now < end,
            "not reached by {} s: {:?}",
            *now / SEC,
            session.phase()
        );
        *now += TICK;
        tick(session, walker, *now, &mut trace);
    }
}

fn config() -> ProtocolConfig {
    let mut c = ProtocolConfig {
        baseline: UncuedLength::Secs(10.0),
        ..ProtocolConfig::default()
    };
    c.progression.matched_min_secs = 6.0;
    c.progression.level_min_secs = 5.0;
    c.progression.settle_beats = 4;
    c
}

#[test]
fn the_phase_clock_counts_walking_time_and_stops_while_paused() {
    let mut session = RasSession::new(config(), 0).unwrap();
    let mut walker = TrueSteps(VirtualPatient::new(Preset::Entrains.config()));
    let mut now = 0;
    assert_eq!(
        session.phase_progress(0),
        Some(PhaseProgress::Timed {
            elapsed_nanos: 0,
            length_nanos: 10 * SEC
        })
    );
    run_until(&mut session, &mut walker, &mut now, 10 * SEC, |_, t| {
        t >= 4 * SEC
    });
    assert_eq!(
        session.phase_progress(now),
        Some(PhaseProgress::Timed {
            elapsed_nanos: 4 * SEC,
            length_nanos: 10 * SEC
        })
    );
    assert_eq!(
        session.phase_progress(now).unwrap().remaining_nanos(),
        Some(6 * SEC)
    );
    // Paused at 4 s: two seconds later the phase has still walked 4 s.
    session.command(now, ClinicianCommand::Pause);
    assert_eq!(
        session
            .phase_progress(now + 2 * SEC)
            .unwrap()
            .remaining_nanos(),
        Some(6 * SEC)
    );
    now += 2 * SEC;
    session.command(now, ClinicianCommand::Resume);
    assert_eq!(
        session.phase_progress(now + SEC).unwrap().remaining_nanos(),
        Some(5 * SEC)
    );

    // The matched cue: a minimum time, then it advances when entrained.
    run_until(&mut session, &mut walker, &mut now, 30 * SEC, |s, _| {
        s.phase() == Phase::Matched
    });
    let entered = now;
    run_until(&mut session, &mut walker, &mut now, 10 * SEC, |_, t| {
        t >= entered + 2 * SEC
    });
    assert_eq!(
        session.phase_progress(now),
        Some(PhaseProgress::Matched {
            elapsed_nanos: 2 * SEC,
            min_nanos: 6 * SEC
        })
    );

    // The progression: its level of the settings' top (10 % in steps of 5 %: 2 levels).
    run_until(&mut session, &mut walker, &mut now, 120 * SEC, |s, _| {
        s.phase() == Phase::Progression
    });
    assert_eq!(
        session.phase_progress(now),
        Some(PhaseProgress::Level { level: 1, top: 2 })
    );
    session.command(now, ClinicianCommand::Stop);
    assert_eq!(session.phase_progress(now), None);
}

#[test]
fn an_uncued_phase_set_in_steps_counts_its_steps() {
    let c = ProtocolConfig {
        baseline: UncuedLength::Steps(30),
        ..config()
    };
    let mut session = RasSession::new(c, 0).unwrap();
    let mut walker = TrueSteps(VirtualPatient::new(Preset::Entrains.config()));
    let mut now = 0;
    assert_eq!(
        session.phase_progress(0),
        Some(PhaseProgress::Steps {
            taken: 0,
            length: 30
        })
    );
    run_until(&mut session, &mut walker, &mut now, 30 * SEC, |s, _| {
        s.steps().len() >= 12
    });
    assert_eq!(
        session.phase_progress(now),
        Some(PhaseProgress::Steps {
            taken: 12,
            length: 30
        })
    );
    assert_eq!(
        session.phase_progress(now).unwrap().remaining_steps(),
        Some(18)
    );
}
