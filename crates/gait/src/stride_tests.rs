//! Strides of known length, heading and clearance, synthesised from their motion: the foot's
//! path and rotation are written down, and the samples a sensor on it would read follow from
//! their derivatives.

use alloc::vec::Vec;
use core::f64::consts::PI;

use nalgebra::{Rotation3, Vector3};

use super::*;

const G: f64 = 9.806_65;

/// One walk of identical strides.
#[derive(Debug, Clone, Copy)]
struct Walk {
    rate_hz: f64,
    stride_length_m: f64,
    stance_secs: f64,
    swing_secs: f64,
    clearance_m: f64,
    /// Heading change per stride, degrees.
    turn_deg: f64,
    /// Foot pitch at mid-swing, degrees (the foot rolls and comes back).
    pitch_deg: f64,
    /// The sensor on the foot: roll, pitch, yaw of its mounting, degrees.
    mounting_deg: [f64; 3],
    strides: usize,
    /// Gyroscope offset, deg/s, on every axis.
    gyro_bias_dps: f64,
    /// Accelerometer offset, m/s², on every axis.
    acc_bias_mps2: f64,
}

impl Walk {
    fn straight() -> Walk {
        Walk {
            rate_hz: 204.8,
            stride_length_m: 1.2,
            stance_secs: 0.6,
            swing_secs: 0.45,
            clearance_m: 0.08,
            turn_deg: 0.0,
            pitch_deg: 35.0,
            mounting_deg: [0.0, 0.0, 0.0],
            strides: 6,
            gyro_bias_dps: 0.0,
            acc_bias_mps2: 0.0,
        }
    }

    fn stride_secs(&self) -> f64 {
        self.stance_secs + self.swing_secs
    }

    /// The samples: a stance, then each stride's swing and stance.
    fn samples(&self) -> Vec<ImuSample> {
        let mounting = Rotation3::from_euler_angles(
            self.mounting_deg[0].to_radians(),
            self.mounting_deg[1].to_radians(),
            self.mounting_deg[2].to_radians(),
        );
        let total_secs = self.stance_secs + self.strides as f64 * self.stride_secs();
        let n = (total_secs * self.rate_hz) as usize;
        (0..n)
            .map(|i| {
                let t = i as f64 / self.rate_hz;
                let (acc_world, omega_world, foot) = self.motion_at(t);
                let sensor_to_world = foot * mounting;
                let to_sensor = sensor_to_world.inverse();
                let acc = to_sensor * (acc_world + Vector3::new(0.0, 0.0, G))
                    + Vector3::repeat(self.acc_bias_mps2);
                let gyr = (to_sensor * omega_world).map(f64::to_degrees)
                    + Vector3::repeat(self.gyro_bias_dps);
                ImuSample {
                    time_nanos: (t * 1e9).round() as i64,
                    acc_mps2: [acc.x as f32, acc.y as f32, acc.z as f32],
                    gyr_dps: [gyr.x as f32, gyr.y as f32, gyr.z as f32],
                }
            })
            .collect()
    }

    /// The foot's linear acceleration and angular velocity (world frame) and its orientation at
    /// time `t`.
    fn motion_at(&self, t: f64) -> (Vector3<f64>, Vector3<f64>, Rotation3<f64>) {
        let turn = self.turn_deg.to_radians();
        let stride = ((t - self.stance_secs) / self.stride_secs())
            .floor()
            .max(0.0);
        let in_stride = t - self.stance_secs - stride * self.stride_secs();
        let done = stride.min(self.strides as f64);
        let heading_before = turn * done;
        let (ts, u) = (self.swing_secs, in_stride / self.swing_secs);
        if t < self.stance_secs || !(0.0..1.0).contains(&u) || stride >= self.strides as f64 {
            let heading = if t >= self.stance_secs && u >= 1.0 {
                heading_before + turn
            } else {
                heading_before
            };
            let foot = Rotation3::from_axis_angle(&Vector3::z_axis(), heading);
            return (Vector3::zeros(), Vector3::zeros(), foot);
        }
        let w = 2.0 * PI * u;
        // Along the path: s(u) = u − sin(2πu)/2π, at rest at both ends.
        let s = u - w.sin() / (2.0 * PI);
        let s_rate = (1.0 - w.cos()) / ts;
        let s_acc = 2.0 * PI * w.sin() / (ts * ts);
        let heading = heading_before + turn * s;
        let heading_rate = turn * s_rate;
        // The chord's direction: the mean heading over the stride.
        let chord = heading_before + turn / 2.0;
        let along = Vector3::new(chord.cos(), chord.sin(), 0.0);
        let h = self.clearance_m;
        let z_acc = h * 2.0 * PI * PI * w.cos() / (ts * ts);
        let acc = along * (self.stride_length_m * s_acc) + Vector3::new(0.0, 0.0, z_acc);
        let pitch_max = self.pitch_deg.to_radians();
        let pitch = pitch_max * (1.0 - w.cos()) / 2.0;
        let pitch_rate = pitch_max * PI * w.sin() / ts;
        let yaw = Rotation3::from_axis_angle(&Vector3::z_axis(), heading);
        let foot = yaw * Rotation3::from_axis_angle(&Vector3::y_axis(), pitch);
        let omega = Vector3::z() * heading_rate + yaw * (Vector3::y() * pitch_rate);
        (acc, omega, foot)
    }
}

fn strides_of(walk: &Walk) -> Vec<Stride> {
    let mut tracker = StrideTracker::new(StrideConfig::default());
    walk.samples()
        .iter()
        .filter_map(|s| tracker.push(s))
        .collect()
}

fn assert_close(what: &str, got: f64, want: f64, tolerance: f64) {
    assert!(
        (got - want).abs() <= tolerance,
        "{what}: {got} where {want} ± {tolerance} was expected"
    );
}

#[test]
fn a_straight_walk_gives_every_stride_its_length_clearance_and_time() {
    let walk = Walk::straight();
    let strides = strides_of(&walk);
    assert_eq!(strides.len(), walk.strides, "{strides:?}");
    for s in &strides {
        assert_close(
            "length",
            s.length_m,
            walk.stride_length_m,
            0.001 * walk.stride_length_m,
        );
        assert_close("clearance", s.clearance_m, walk.clearance_m, 0.01);
        assert_close("heading", s.heading_change_deg, 0.0, 0.5);
        assert!(!s.is_turn);
        assert_close(
            "stride time",
            s.stride_time_nanos as f64 / 1e9,
            walk.stride_secs(),
            0.02,
        );
        let speed = s.speed_mps().unwrap();
        assert_close(
            "speed",
            speed,
            walk.stride_length_m / walk.stride_secs(),
            0.03,
        );
        // Emitted one short stance after the foot lands: the still phase must be confirmed.
        let latency = (s.emitted_at_nanos - s.foot_flat_nanos) as f64 / 1e9;
        assert!((0.0..0.1).contains(&latency), "latency {latency} s");
    }
}

#[test]
fn a_sensor_mounted_at_an_angle_measures_the_same_strides() {
    let walk = Walk {
        mounting_deg: [25.0, -30.0, 70.0],
        ..Walk::straight()
    };
    let strides = strides_of(&walk);
    assert_eq!(strides.len(), walk.strides);
    for s in &strides {
        assert_close(
            "length",
            s.length_m,
            walk.stride_length_m,
            0.001 * walk.stride_length_m,
        );
        assert_close("clearance", s.clearance_m, walk.clearance_m, 0.01);
        assert_close("heading", s.heading_change_deg, 0.0, 0.5);
    }
}

#[test]
fn a_turn_is_measured_and_marked_and_its_strides_keep_their_length() {
    let walk = Walk {
        turn_deg: 45.0,
        strides: 4,
        ..Walk::straight()
    };
    let strides = strides_of(&walk);
    assert_eq!(strides.len(), walk.strides);
    for s in &strides {
        assert_close("heading", s.heading_change_deg, 45.0, 1.0);
        assert!(s.is_turn);
        assert_close(
            "length",
            s.length_m,
            walk.stride_length_m,
            0.001 * walk.stride_length_m,
        );
    }
    let right = Walk {
        turn_deg: -30.0,
        ..walk
    };
    for s in strides_of(&right) {
        assert_close("heading", s.heading_change_deg, -30.0, 1.0);
    }
}

#[test]
fn a_gyroscope_offset_is_levelled_out_at_every_foot_flat() {
    // 1 deg/s on every axis: over a 1 s stride the tilt would drift by 1.7°, and gravity would
    // leak into the horizontal; levelling at each foot flat and the linear drift removal keep
    // the length within 3 %.
    let walk = Walk {
        gyro_bias_dps: 1.0,
        strides: 10,
        ..Walk::straight()
    };
    let strides = strides_of(&walk);
    assert_eq!(strides.len(), walk.strides);
    for s in &strides {
        assert_close(
            "length",
            s.length_m,
            walk.stride_length_m,
            0.03 * walk.stride_length_m,
        );
    }
}

#[test]
fn an_accelerometer_offset_is_removed_as_drift_at_every_foot_flat() {
    // 0.3 m/s² on every axis: levelling on it at the foot flat takes most of it into the tilt,
    // but the foot pitches through the swing, and what is left (0.4 % of the length) is drift
    // the zero-velocity update takes out (to 0.1 %).
    let walk = Walk {
        acc_bias_mps2: 0.3,
        mounting_deg: [10.0, 15.0, 0.0],
        ..Walk::straight()
    };
    let strides = strides_of(&walk);
    assert_eq!(strides.len(), walk.strides);
    for s in &strides {
        assert_close(
            "length",
            s.length_m,
            walk.stride_length_m,
            0.002 * walk.stride_length_m,
        );
    }
}

#[test]
fn standing_still_gives_no_stride_and_a_gap_drops_the_open_one() {
    let standing = Walk {
        strides: 0,
        stance_secs: 5.0,
        ..Walk::straight()
    };
    assert!(strides_of(&standing).is_empty());
    let walk = Walk::straight();
    let with_gap = |gap_secs: f64| {
        let mut samples = walk.samples();
        let gap_from = walk.stance_secs + walk.stride_secs() + 0.2;
        samples.retain(|s| {
            let t = s.time_nanos as f64 / 1e9;
            !(gap_from..gap_from + gap_secs).contains(&t)
        });
        let mut tracker = StrideTracker::new(StrideConfig::default());
        samples
            .iter()
            .filter_map(|s| tracker.push(s))
            .collect::<Vec<Stride>>()
    };
    // 200 ms lost in the middle of the second swing: that stride is dropped, and the tracker
    // levels again on the next foot flat, which the third stride starts from.
    let strides = with_gap(0.2);
    assert_eq!(strides.len(), walk.strides - 1, "{strides:?}");
    for s in &strides {
        assert_close(
            "length",
            s.length_m,
            walk.stride_length_m,
            0.001 * walk.stride_length_m,
        );
    }
    // 60 ms (a few lost packets) is integrated across: every stride is there.
    let strides = with_gap(0.06);
    assert_eq!(strides.len(), walk.strides, "{strides:?}");
    for s in &strides {
        assert_close(
            "length",
            s.length_m,
            walk.stride_length_m,
            0.02 * walk.stride_length_m,
        );
    }
}

#[test]
fn a_jolt_while_standing_is_no_stride() {
    let standing = Walk {
        strides: 0,
        stance_secs: 3.0,
        ..Walk::straight()
    };
    let mut samples = standing.samples();
    for s in samples.iter_mut().skip(300).take(5) {
        s.gyr_dps[0] = 200.0;
    }
    let mut tracker = StrideTracker::new(StrideConfig::default());
    assert!(
        samples
            .iter()
            .filter_map(|s| tracker.push(s))
            .next()
            .is_none()
    );
}
