#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;

use entrain_gait::Placement;
use entrain_gait::Side;

const GRAVITY_MPS2: f32 = 9.81;

/// A still sensor lying on its back: gravity on z, with a small deterministic wobble.
fn still(i: usize, t: i64) -> [f32; 3] {
    let wobble = ((i as f32 * 1.7 + t as f32 * 1e-9 * 37.0).sin()) * 0.15;
    [0.3 + wobble, -0.2, GRAVITY_MPS2 - wobble]
}

/// A fingertip knock at `at_nanos`: a damped 40 Hz ring on z, 15 m/s², decaying in 20 ms.
fn knock(at_nanos: i64, t: i64) -> f32 {
    if t < at_nanos {
        return 0.0;
    }
    let dt = (t - at_nanos) as f32 * 1e-9;
    15.0 * (-dt / 0.020).exp() * (std::f32::consts::TAU * 40.0 * dt).cos()
}

/// Samples of `sensors` sensors at `rate_hz` for `secs`, `acc(sensor, t)` giving each.
fn run(
    sensors: usize,
    rate_hz: f64,
    secs: f64,
    acc: impl Fn(usize, i64) -> [f32; 3],
) -> Vec<TapDecision> {
    let mut detector = TapDetector::new(sensors);
    let mut decisions = Vec::new();
    let period = 1e9 / rate_hz;
    let n = (secs * rate_hz) as usize;
    for k in 0..n {
        let t = (k as f64 * period) as i64;
        for sensor in 0..sensors {
            detector.push(
                sensor,
                ImuSample {
                    time_nanos: t,
                    acc_mps2: acc(sensor, t),
                    gyr_dps: [0.0; 3],
                },
            );
        }
        while let Some(d) = detector.decide(t) {
            decisions.push(d);
        }
    }
    decisions
}

fn tapped(decisions: &[TapDecision]) -> Vec<(usize, i64)> {
    decisions
        .iter()
        .filter_map(|d| match d {
            TapDecision::Tapped { sensor, at_nanos } => Some((*sensor, *at_nanos)),
            TapDecision::Ambiguous { .. } => None,
        })
        .collect()
}

#[test]
fn one_knock_on_one_of_three_still_sensors_is_that_sensor_once() {
    for rate_hz in [104.0, 204.8, 208.0, 416.0] {
        let decisions = run(3, rate_hz, 4.0, |s, t| {
            let mut a = still(s, t);
            if s == 1 {
                a[2] += knock(2_000_000_000, t);
            }
            a
        });
        let taps = tapped(&decisions);
        assert_eq!(decisions.len(), 1, "{rate_hz} Hz: {decisions:?}");
        assert_eq!(taps[0].0, 1, "{rate_hz} Hz");
        // The jump's first sample: within one period of the knock.
        let late = taps[0].1 - 2_000_000_000;
        assert!(
            (0..=(1e9 / rate_hz) as i64 + 1).contains(&late),
            "{rate_hz} Hz: {late} ns"
        );
    }
}

#[test]
fn two_sensors_knocked_together_are_ambiguous_and_neither_is_taken() {
    let decisions = run(3, 208.0, 4.0, |s, t| {
        let mut a = still(s, t);
        if s == 0 {
            a[2] += knock(2_000_000_000, t);
        }
        if s == 2 {
            a[0] += knock(2_100_000_000, t);
        }
        a
    });
    assert!(tapped(&decisions).is_empty(), "{decisions:?}");
    assert!(
        decisions.iter().any(|d| matches!(d,
            TapDecision::Ambiguous { sensors } if sensors.contains(&0) && sensors.contains(&2))),
        "{decisions:?}"
    );
}

#[test]
fn two_knocks_a_second_apart_on_different_sensors_are_two_taps_in_order() {
    let decisions = run(2, 208.0, 5.0, |s, t| {
        let mut a = still(s, t);
        a[2] += knock([1_500_000_000, 3_000_000_000][s], t);
        a
    });
    let sensors: Vec<usize> = tapped(&decisions).into_iter().map(|(s, _)| s).collect();
    assert_eq!(sensors, vec![0, 1], "{decisions:?}");
}

#[test]
fn a_sensor_picked_up_and_turned_is_not_a_tap() {
    // Turned 90 degrees about x in 100 ms at 2 s: gravity moves from z to y, and stays there.
    let decisions = run(2, 208.0, 4.0, |s, t| {
        if s == 1 {
            return still(s, t);
        }
        let turn = ((t - 2_000_000_000) as f32 / 1e8).clamp(0.0, 1.0) * std::f32::consts::FRAC_PI_2;
        [0.0, GRAVITY_MPS2 * turn.sin(), GRAVITY_MPS2 * turn.cos()]
    });
    assert!(decisions.is_empty(), "{decisions:?}");
}

#[test]
fn a_sensor_whose_samples_come_late_is_waited_for_and_a_silent_one_is_not_forever() {
    // Sensor 1's samples come in half-second frames (a Verity Sense): the decision waits for
    // them, and a jolt in them makes the tap ambiguous.
    let mut detector = TapDetector::new(3);
    let period = 1e9 / 208.0;
    let sample = |t: i64, acc| ImuSample {
        time_nanos: t,
        acc_mps2: acc,
        gyr_dps: [0.0; 3],
    };
    let mut decisions = Vec::new();
    let mut held: Vec<ImuSample> = Vec::new();
    for k in 0..(5.0 * 208.0) as usize {
        let t = (k as f64 * period) as i64;
        let mut a0 = still(0, t);
        a0[2] += knock(2_000_000_000, t);
        detector.push(0, sample(t, a0));
        let mut a1 = still(1, t);
        a1[1] += knock(2_050_000_000, t);
        held.push(sample(t, a1));
        if held.len() == 104 {
            for s in held.drain(..) {
                detector.push(1, s);
            }
        }
        // Sensor 2 never sends a sample.
        while let Some(d) = detector.decide(t) {
            decisions.push((t, d));
        }
    }
    assert_eq!(decisions.len(), 1, "{decisions:?}");
    let (decided_at, decision) = &decisions[0];
    assert!(
        matches!(decision, TapDecision::Ambiguous { sensors } if sensors == &vec![0, 1]),
        "{decision:?}"
    );
    // Decided once sensor 1's frame covering the window came, not at the first chance.
    assert!(*decided_at >= 2_300_000_000, "{decided_at}");
}

/// The real walk of the gaitmap fixture (two foot sensors, 204.8 Hz, MIT), with `tap` added.
fn gaitmap_walk(tap: Option<(Side, i64)>) -> Vec<TapDecision> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/fixtures/gaitmap");
    let trials =
        entrain_replay::list_trials(entrain_source::Dataset::Gaitmap, dir.as_ref()).unwrap();
    let recording = entrain_replay::load_trial(dir.as_ref(), &trials[0]).unwrap();
    let streams: Vec<_> = [Side::Left, Side::Right]
        .map(|side| {
            recording
                .stream(Placement::Foot(side))
                .unwrap()
                .samples
                .clone()
        })
        .into();
    let mut detector = TapDetector::new(2);
    let mut decisions = Vec::new();
    for (left, right) in streams[0].iter().zip(&streams[1]) {
        for (sensor, (side, sample)) in [(Side::Left, left), (Side::Right, right)]
            .into_iter()
            .enumerate()
        {
            let mut s = *sample;
            if let Some((tapped, at)) = tap
                && tapped == side
            {
                s.acc_mps2[0] += knock(at, s.time_nanos);
            }
            detector.push(sensor, s);
        }
        while let Some(d) = detector.decide(left.time_nanos) {
            decisions.push(d);
        }
    }
    decisions
}

#[test]
fn a_real_walk_of_both_feet_is_never_taken_for_a_tap() {
    let decisions = gaitmap_walk(None);
    assert!(tapped(&decisions).is_empty(), "{decisions:?}");
}

#[test]
fn a_knock_on_a_real_foot_sensor_standing_after_the_walk_is_found() {
    // The fixture ends with about two seconds of standing (from sample 7500 at 204.8 Hz).
    let at = (7650.0 / 204.8 * 1e9) as i64;
    for side in [Side::Left, Side::Right] {
        let decisions = gaitmap_walk(Some((side, at)));
        let taps = tapped(&decisions);
        let sensor = if side == Side::Left { 0 } else { 1 };
        assert_eq!(taps.len(), 1, "{side:?}: {decisions:?}");
        assert_eq!(taps[0].0, sensor, "{side:?}");
    }
}
