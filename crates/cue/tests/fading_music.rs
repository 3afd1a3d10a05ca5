//! Fading in the music's terms, closed loop on simulated time: whole bars dropped in the meter
//! given (from a downbeat, and again from another track's beat 0 when it is put on), and the
//! pulse alone (the beats go on, marked as the pulse only).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TrueSteps;
use entrain_cue::config::UncuedLength;
use entrain_cue::sim::{Trace, run, tick};
use entrain_cue::{FadeSchedule, MeterConfig, Phase, ProtocolConfig, RasSession};
use entrain_sim::{Preset, VirtualPatient};

const SEC: i64 = 1_000_000_000;
const TICK: i64 = 10_000_000;

fn config(fade: FadeSchedule, meter: MeterConfig) -> ProtocolConfig {
    ProtocolConfig {
        baseline: UncuedLength::Secs(20.0),
        fading_secs: 40.0,
        retest: UncuedLength::Secs(20.0),
        fade,
        meter,
        ..ProtocolConfig::default()
    }
}

/// Runs of silent beats, as (index of the first, length), indices among all committed beats.
fn silent_runs(trace: &Trace) -> Vec<(usize, usize)> {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (i, b) in trace.beats.iter().enumerate() {
        if b.is_audible() {
            continue;
        }
        match runs.last_mut() {
            Some((start, len)) if *start + *len == i => *len += 1,
            _ => runs.push((i, 1)),
        }
    }
    runs
}

#[test]
fn dropped_bars_are_whole_bars_of_the_meter_from_its_downbeats() {
    let fade = FadeSchedule::DropBars {
        on_bars: 2,
        off_bars: 1,
    };
    // Bars of 3 after a pickup of one beat.
    let meter = MeterConfig {
        beats_per_bar: 3,
        first_downbeat: 1,
    };
    let mut session = RasSession::new(config(fade, meter), 0).unwrap();
    let mut walker = TrueSteps(VirtualPatient::new(Preset::Entrains.config()));
    let trace = run(&mut session, &mut walker, 0, 900 * SEC, TICK);
    assert_eq!(session.phase(), Phase::Done);
    let runs = silent_runs(&trace);
    assert!(runs.len() >= 3, "{runs:?}");
    let last = trace.beats.len() - 1;
    for (k, &(start, len)) in runs.iter().enumerate() {
        // The cue ran without a pause: a beat's index is its place since the cue started.
        assert_eq!(
            (start - 1) % 3,
            0,
            "silence from beat {start}: not a downbeat"
        );
        assert!(len == 3 || start + len - 1 == last, "{runs:?}");
        if k > 0 {
            assert_eq!(
                start - (runs[k - 1].0 + runs[k - 1].1),
                6,
                "two bars heard between: {runs:?}"
            );
        }
    }
    assert!(trace.beats.iter().all(|b| !b.pulse_only));
}

#[test]
fn another_tracks_meter_counts_from_its_beat_zero() {
    let fade = FadeSchedule::DropBars {
        on_bars: 1,
        off_bars: 1,
    };
    let mut session = RasSession::new(config(fade, MeterConfig::default()), 0).unwrap();
    let mut walker = TrueSteps(VirtualPatient::new(Preset::Entrains.config()));
    let mut trace = Trace::default();
    let mut now = 0;
    // Into the cue, then another track (bars of 5, its first downbeat 2 beats in) goes on with
    // its beat 0 on the latest beat committed.
    while trace.beats.len() < 10 {
        tick(&mut session, &mut walker, now, &mut trace);
        now += TICK;
    }
    let beat_zero = trace.beats.len() - 1;
    session
        .set_meter(
            MeterConfig {
                beats_per_bar: 5,
                first_downbeat: 2,
            },
            0,
        )
        .unwrap();
    assert!(
        session
            .set_meter(
                MeterConfig {
                    beats_per_bar: 0,
                    first_downbeat: 0
                },
                0
            )
            .is_err()
    );
    while session.phase() != Phase::Done {
        tick(&mut session, &mut walker, now, &mut trace);
        now += TICK;
        assert!(now < 900 * SEC);
    }
    let runs = silent_runs(&trace);
    assert!(runs.len() >= 3, "{runs:?}");
    for &(start, _) in &runs {
        assert_eq!(
            (start - beat_zero - 2) % 5,
            0,
            "silence from beat {start}: {runs:?}"
        );
    }
}

#[test]
fn pulse_only_keeps_every_beat_and_marks_the_fading_ones() {
    let mut session =
        RasSession::new(config(FadeSchedule::PulseOnly, MeterConfig::default()), 0).unwrap();
    let mut walker = TrueSteps(VirtualPatient::new(Preset::Entrains.config()));
    let trace = run(&mut session, &mut walker, 0, 900 * SEC, TICK);
    assert_eq!(session.phase(), Phase::Done);
    assert!(trace.beats.iter().all(|b| b.is_audible()));
    let first = trace.beats.iter().position(|b| b.pulse_only).unwrap();
    // The fading phase is the cue's last: every beat from its first is the pulse alone
    // (~40 s of them), none before.
    assert!(trace.beats[first..].iter().all(|b| b.pulse_only));
    assert!(
        trace.beats.len() - first > 40,
        "{} pulse beats",
        trace.beats.len() - first
    );
    assert!(first > 40);
}
