//! Stride trajectories from one foot IMU: orientation from the gyroscope (a unit quaternion),
//! levelled on gravity in every still phase; acceleration turned into the world frame, gravity
//! removed; velocity integrated through the swing and set back to zero at the next still phase
//! (a zero-velocity update), with the drift removed linearly over the swing. Out of each stride:
//! its length, the foot's clearance and its change of heading (a turn).
//!
//! Causal: a stride is emitted once its closing still phase is confirmed, one short stance after
//! the foot lands. Pure: samples in, times in them; no clock, no I/O.

use alloc::vec::Vec;
use core::f64::consts::PI;

use nalgebra::{Quaternion, UnitQuaternion, Vector3};

use crate::sample::{ImuSample, NANOS_PER_SEC};

/// Thresholds of the stride tracker; defaults in [`StrideConfig::default`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StrideConfig {
    /// A sample is still when the gyroscope's norm is below this, deg/s.
    pub still_gyro_dps: f64,
    /// Within a still phase, the foot is truly at rest below this, deg/s: a stride is integrated
    /// from the last such sample before the swing to the first after it (where the heel has not
    /// begun to rise, and the foot has finished rolling onto its sole).
    pub quiet_gyro_dps: f64,
    /// ... and the acceleration's norm is within this of the still phase's gravity, m/s².
    pub still_acc_tolerance_mps2: f64,
    /// Still samples must last this long to be a still phase (a foot flat), ns.
    pub min_still_nanos: i64,
    /// A swing shorter than this is a jolt within a still phase, not a stride, ns.
    pub min_swing_nanos: i64,
    /// A swing longer than this is no stride (the foot lifted, the patient sat down), ns.
    pub max_swing_nanos: i64,
    /// A gap between samples longer than this drops the stride being measured, ns; shorter ones
    /// (a few lost packets) are integrated across.
    pub max_sample_gap_nanos: i64,
    /// A stride whose heading changes by more than this is a turn, degrees.
    pub turn_heading_deg: f64,
}

impl Default for StrideConfig {
    fn default() -> Self {
        StrideConfig {
            // Mid-stance in slow pathological gait stays well below 40 deg/s; mid-swing is
            // hundreds of deg/s.
            still_gyro_dps: 40.0,
            quiet_gyro_dps: 15.0,
            still_acc_tolerance_mps2: 1.5,
            min_still_nanos: 40_000_000,
            // Swing lasts 0.35–0.6 s in healthy gait and longer after a stroke.
            min_swing_nanos: 150_000_000,
            max_swing_nanos: 3 * NANOS_PER_SEC,
            // Voisard's wireless sensors lose a few packets in many strides: dropping each such
            // stride took 6.4 % off the walked distance, bridging up to 120 ms 5.1 %.
            max_sample_gap_nanos: 120_000_000,
            // A straight walk's strides change heading by a few degrees; a U-turn takes 2–4
            // strides of 45–90°.
            turn_heading_deg: 20.0,
        }
    }
}

/// One stride of one foot, from lifting off one still phase to landing in the next.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Stride {
    /// The last still sample before the swing, ns.
    pub lift_off_nanos: i64,
    /// The first still sample after it, ns.
    pub foot_flat_nanos: i64,
    /// From the foot flat the stride started from to this one's, ns (a whole gait cycle).
    pub stride_time_nanos: i64,
    /// Horizontal distance the foot travelled, m.
    pub length_m: f64,
    /// The foot's travel in the world frame (x, y horizontal, z up; x along the first heading
    /// the tracker levelled on), m.
    pub displacement_m: [f64; 3],
    /// How high the sensor rose above where it started, m.
    pub clearance_m: f64,
    /// Change of heading over the stride, degrees (positive: to the left, counter-clockwise seen
    /// from above).
    pub heading_change_deg: f64,
    /// Whether the heading changed by more than [`StrideConfig::turn_heading_deg`].
    pub is_turn: bool,
    /// When the tracker emitted it (the sample that confirmed the foot flat), ns.
    pub emitted_at_nanos: i64,
}

impl Stride {
    /// Gait speed over this stride, m/s.
    pub fn speed_mps(&self) -> Option<f64> {
        (self.stride_time_nanos > 0)
            .then(|| self.length_m * NANOS_PER_SEC as f64 / self.stride_time_nanos as f64)
    }
}

/// A run of still samples, candidate or confirmed.
#[derive(Debug, Clone, Copy, PartialEq)]
struct StillRun {
    first_nanos: i64,
    last_nanos: i64,
    acc_sum: Vector3<f64>,
    samples: u32,
    /// Index in the swing buffer of its first sample (while a swing is open).
    swing_index: usize,
    /// ... and of its first quiet sample, if it has one yet.
    quiet_swing_index: Option<usize>,
}

impl StillRun {
    fn mean_acc(&self) -> Vector3<f64> {
        self.acc_sum / f64::from(self.samples.max(1))
    }
}

/// Where the tracker is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    /// No still phase seen yet (or lost after a gap): nothing to level on.
    Waiting,
    /// The foot is flat.
    Still,
    /// The foot is moving: a stride is being integrated.
    Swing,
}

/// One sample of the swing as integrated live: its time, its specific force in the sensor's
/// axes, the orientation the gyroscope gave and how far the sensor had turned since lift-off.
#[derive(Debug, Clone, Copy, PartialEq)]
struct SwingPoint {
    time_nanos: i64,
    acc_sensor_mps2: Vector3<f64>,
    orientation: UnitQuaternion<f64>,
    turned_rad: f64,
}

/// Follows one foot's sensor and emits its strides.
#[derive(Debug, Clone)]
pub struct StrideTracker {
    config: StrideConfig,
    state: State,
    /// Sensor → world.
    orientation: UnitQuaternion<f64>,
    /// Gravity as the last still phase measured it, m/s².
    gravity_mps2: f64,
    last: Option<ImuSample>,
    /// The run of still samples ending at the latest sample, if it is still.
    run: Option<StillRun>,
    /// The run that ended at the sample before, if the latest sample ended one.
    closed_run: Option<StillRun>,
    /// The foot flat the next (or open) stride starts from: its first still sample, ns.
    foot_flat_since_nanos: i64,
    /// Orientation at lift-off, for the heading change.
    lift_off_orientation: UnitQuaternion<f64>,
    lift_off_nanos: i64,
    swing: Vec<SwingPoint>,
    /// In a still phase: its last quiet sample and the orientation there, where a swing starts.
    quiet: Option<(ImuSample, UnitQuaternion<f64>)>,
    /// ... and the samples since it, to integrate again from there at lift-off.
    since_quiet: Vec<ImuSample>,
}

impl StrideTracker {
    /// A tracker with these thresholds.
    pub fn new(config: StrideConfig) -> Self {
        StrideTracker {
            config,
            state: State::Waiting,
            orientation: UnitQuaternion::identity(),
            gravity_mps2: 0.0,
            last: None,
            run: None,
            closed_run: None,
            foot_flat_since_nanos: 0,
            lift_off_orientation: UnitQuaternion::identity(),
            lift_off_nanos: 0,
            swing: Vec::new(),
            quiet: None,
            since_quiet: Vec::new(),
        }
    }

    /// The thresholds.
    pub fn config(&self) -> &StrideConfig {
        &self.config
    }

    /// Forgets everything, as after a sensor gap: the next stride starts at the next still phase.
    pub fn reset(&mut self) {
        *self = StrideTracker {
            swing: core::mem::take(&mut self.swing),
            since_quiet: core::mem::take(&mut self.since_quiet),
            ..StrideTracker::new(self.config)
        };
        self.swing.clear();
        self.since_quiet.clear();
    }

    /// Consumes the next sample (times must increase); a stride it completes is returned.
    pub fn push(&mut self, sample: &ImuSample) -> Option<Stride> {
        let Some(previous) = self.last.replace(*sample) else {
            self.track_still(sample);
            return None;
        };
        let dt_nanos = sample.time_nanos - previous.time_nanos;
        if dt_nanos <= 0 || dt_nanos > self.config.max_sample_gap_nanos {
            self.reset();
            self.last = Some(*sample);
            self.track_still(sample);
            return None;
        }
        let dt = dt_nanos as f64 / NANOS_PER_SEC as f64;
        // The rotation over the interval from the mean of its two rates (second order).
        let rate = (gyro_rad(&previous) + gyro_rad(sample)) * 0.5;
        self.orientation *= UnitQuaternion::from_scaled_axis(rate * dt);
        let confirmed_still = self.track_still(sample);
        match self.state {
            State::Waiting => {
                if confirmed_still && let Some(run) = self.run {
                    self.orientation = level(UnitQuaternion::identity(), run.mean_acc());
                    self.foot_flat_since_nanos = run.first_nanos;
                    self.enter_still();
                }
                None
            }
            State::Still => {
                if self.run.is_none() {
                    self.lift_off(&previous, sample, dt);
                } else if self.is_quiet(sample) {
                    self.quiet = Some((*sample, self.orientation));
                    self.since_quiet.clear();
                } else {
                    self.since_quiet.push(*sample);
                }
                None
            }
            State::Swing => self.swing_sample(sample, rate.norm() * dt, confirmed_still),
        }
    }

    /// Follows the run of still samples; whether the latest sample belongs to a confirmed still
    /// phase (long enough).
    fn track_still(&mut self, sample: &ImuSample) -> bool {
        let acc = acc_vec(sample);
        let reference_g = if self.gravity_mps2 > 0.0 {
            self.gravity_mps2
        } else {
            crate::sample::STANDARD_GRAVITY_MPS2 as f64
        };
        let still = gyro_rad(sample).norm().to_degrees() < self.config.still_gyro_dps
            && (acc.norm() - reference_g).abs() < self.config.still_acc_tolerance_mps2;
        if !still {
            self.closed_run = self.run.take();
            return false;
        }
        self.closed_run = None;
        let quiet = self.is_quiet(sample);
        let swing_index = self.swing.len();
        let run = self.run.get_or_insert(StillRun {
            first_nanos: sample.time_nanos,
            last_nanos: sample.time_nanos,
            acc_sum: Vector3::zeros(),
            samples: 0,
            swing_index,
            quiet_swing_index: None,
        });
        run.last_nanos = sample.time_nanos;
        run.acc_sum += acc;
        run.samples += 1;
        if run.quiet_swing_index.is_none() && quiet {
            run.quiet_swing_index = Some(swing_index);
        }
        run.last_nanos - run.first_nanos >= self.config.min_still_nanos
    }

    fn is_quiet(&self, sample: &ImuSample) -> bool {
        gyro_rad(sample).norm().to_degrees() < self.config.quiet_gyro_dps
    }

    /// The foot is flat: a new still phase, with no quiet sample yet.
    fn enter_still(&mut self) {
        self.state = State::Still;
        self.quiet = None;
        self.since_quiet.clear();
    }

    /// The still phase ended at `previous`: level on its gravity (keeping the heading) and open
    /// a stride from there.
    fn lift_off(&mut self, previous: &ImuSample, sample: &ImuSample, dt: f64) {
        let Some(phase) = self
            .closed_run
            .filter(|r| r.last_nanos == previous.time_nanos)
        else {
            self.state = State::Waiting;
            return;
        };
        // The swing starts at the phase's last quiet sample (else at its last still one): level
        // there, then integrate again up to `sample`.
        let (start, start_orientation, replay) = match self.quiet.take() {
            Some((quiet, orientation)) => {
                (quiet, orientation, core::mem::take(&mut self.since_quiet))
            }
            None => {
                let rate = (gyro_rad(previous) + gyro_rad(sample)) * 0.5;
                let step = UnitQuaternion::from_scaled_axis(rate * dt);
                (*previous, self.orientation * step.inverse(), Vec::new())
            }
        };
        let at_lift_off = level(start_orientation, phase.mean_acc());
        self.gravity_mps2 = phase.mean_acc().norm();
        self.lift_off_orientation = at_lift_off;
        self.lift_off_nanos = start.time_nanos;
        self.orientation = at_lift_off;
        self.swing.clear();
        self.swing.push(SwingPoint {
            time_nanos: start.time_nanos,
            acc_sensor_mps2: acc_vec(&start),
            orientation: at_lift_off,
            turned_rad: 0.0,
        });
        self.state = State::Swing;
        let mut before = start;
        for s in replay.iter().chain(core::iter::once(sample)) {
            let step_secs = (s.time_nanos - before.time_nanos) as f64 / NANOS_PER_SEC as f64;
            let rate = (gyro_rad(&before) + gyro_rad(s)) * 0.5;
            self.orientation *= UnitQuaternion::from_scaled_axis(rate * step_secs);
            self.integrate(s, rate.norm() * step_secs);
            before = *s;
        }
        self.since_quiet = replay;
        self.since_quiet.clear();
    }

    fn swing_sample(
        &mut self,
        sample: &ImuSample,
        turned_rad: f64,
        confirmed_still: bool,
    ) -> Option<Stride> {
        self.integrate(sample, turned_rad);
        let run = match self.run {
            Some(run) if confirmed_still => run,
            _ => {
                if sample.time_nanos - self.lift_off_nanos > self.config.max_swing_nanos {
                    // Too long for a stride: measured from the next foot flat on.
                    self.swing.clear();
                    self.state = State::Waiting;
                }
                return None;
            }
        };
        self.enter_still();
        let stride = self.close_stride(&run, sample.time_nanos);
        self.swing.clear();
        if stride.is_some() {
            self.foot_flat_since_nanos = run.first_nanos;
        }
        stride
    }

    /// Keeps `sample` with the orientation reached there; `turned_rad` is the rotation over the
    /// interval before it.
    fn integrate(&mut self, sample: &ImuSample, turned_rad: f64) {
        let turned_before = self.swing.last().map_or(0.0, |p| p.turned_rad);
        self.swing.push(SwingPoint {
            time_nanos: sample.time_nanos,
            acc_sensor_mps2: acc_vec(sample),
            orientation: self.orientation,
            turned_rad: turned_before + turned_rad,
        });
    }

    /// The swing up to the still run's first sample, drift removed, as a stride.
    fn close_stride(&self, run: &StillRun, emitted_at_nanos: i64) -> Option<Stride> {
        let end = run
            .quiet_swing_index
            .unwrap_or(run.swing_index)
            .min(self.swing.len().saturating_sub(1));
        let points = self.swing.get(..=end)?;
        let (first, last) = (points.first()?, points.last()?);
        let span_nanos = (last.time_nanos - first.time_nanos) as f64;
        if last.time_nanos - first.time_nanos < self.config.min_swing_nanos {
            // A jolt within a still phase, not a stride: the foot flat goes on.
            return None;
        }
        // Levelled at lift-off and turned by the gyroscope since. (Spreading the tilt the new
        // still phase shows over the swing was tried: on gaitmap's walk it made the lengths
        // worse, 4.0 % against 3.3 %, as a foot flat's first samples still carry the landing.)
        let world_acc = |p: &SwingPoint| {
            p.orientation * p.acc_sensor_mps2 - Vector3::new(0.0, 0.0, self.gravity_mps2)
        };
        let mut velocities = Vec::with_capacity(points.len());
        let mut v = Vector3::zeros();
        let mut previous_acc = world_acc(first);
        velocities.push(v);
        for pair in points.windows(2) {
            let acc = world_acc(&pair[1]);
            let dt = (pair[1].time_nanos - pair[0].time_nanos) as f64 / NANOS_PER_SEC as f64;
            v += (previous_acc + acc) * (0.5 * dt);
            previous_acc = acc;
            velocities.push(v);
        }
        // Zero-velocity update: the foot is still at both ends, so whatever velocity is left at
        // the end is drift, removed in proportion to the time since lift-off.
        let drift = v;
        let corrected = |i: usize| {
            velocities[i] - drift * ((points[i].time_nanos - first.time_nanos) as f64 / span_nanos)
        };
        let mut position = Vector3::zeros();
        let mut clearance_m: f64 = 0.0;
        let mut previous_v = corrected(0);
        for (i, pair) in points.windows(2).enumerate() {
            let v = corrected(i + 1);
            let dt = (pair[1].time_nanos - pair[0].time_nanos) as f64 / NANOS_PER_SEC as f64;
            position += (previous_v + v) * (0.5 * dt);
            clearance_m = clearance_m.max(position.z);
            previous_v = v;
        }
        let length_m = libm::sqrt(position.x * position.x + position.y * position.y);
        let heading_change_deg = heading_change(self.lift_off_orientation, self.orientation);
        Some(Stride {
            lift_off_nanos: first.time_nanos,
            foot_flat_nanos: last.time_nanos,
            stride_time_nanos: run.first_nanos - self.foot_flat_since_nanos,
            length_m,
            displacement_m: [position.x, position.y, position.z],
            clearance_m,
            heading_change_deg,
            is_turn: heading_change_deg.abs() > self.config.turn_heading_deg,
            emitted_at_nanos,
        })
    }
}

/// `orientation` turned so that `gravity_in_sensor` points straight up in the world, by the
/// shortest rotation (which leaves the heading as it was).
fn level(orientation: UnitQuaternion<f64>, gravity_in_sensor: Vector3<f64>) -> UnitQuaternion<f64> {
    let up_world = Vector3::z();
    let measured_world = orientation * gravity_in_sensor;
    match UnitQuaternion::rotation_between(&measured_world, &up_world) {
        Some(tilt) => tilt * orientation,
        // Gravity measured straight down (a sensor upside down, exactly): half a turn about x.
        None => UnitQuaternion::from_axis_angle(&Vector3::x_axis(), PI) * orientation,
    }
}

/// The rotation about the vertical from `from` to `to` (both sensor → world), degrees in ±180.
fn heading_change(from: UnitQuaternion<f64>, to: UnitQuaternion<f64>) -> f64 {
    let relative: Quaternion<f64> = (to * from.inverse()).into_inner();
    // Swing-twist: the twist about z of a rotation is 2·atan2(q_z, q_w).
    let mut degrees = (2.0 * libm::atan2(relative.k, relative.w)).to_degrees();
    while degrees > 180.0 {
        degrees -= 360.0;
    }
    while degrees < -180.0 {
        degrees += 360.0;
    }
    degrees
}

fn acc_vec(sample: &ImuSample) -> Vector3<f64> {
    Vector3::new(
        f64::from(sample.acc_mps2[0]),
        f64::from(sample.acc_mps2[1]),
        f64::from(sample.acc_mps2[2]),
    )
}

fn gyro_rad(sample: &ImuSample) -> Vector3<f64> {
    Vector3::new(
        f64::from(sample.gyr_dps[0]),
        f64::from(sample.gyr_dps[1]),
        f64::from(sample.gyr_dps[2]),
    )
    .map(f64::to_radians)
}

#[cfg(test)]
#[path = "stride_tests.rs"]
mod tests;
