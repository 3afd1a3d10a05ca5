//! Foot-dorsum IMU signals synthesised from one foot's swings, shaped like the Voisard 2023 foot data
//! (XSens on the dorsum, sagittal rotation on the sensor's y axis): at rest ~0 deg/s and gravity on the
//! accelerometer; per stride a negative push-off lobe peaking just before toe-off, a positive mid-swing
//! peak, a small negative dip before heel strike, an impact spike at heel strike, foot flat ~0.12 s later.

use std::f64::consts::PI;

use entrain_gait::ImuSample;

use super::rng::SplitMix64;

/// Pitch of the resting foot dorsum, rad (the Voisard data rest near (4.9, −0.9, 9.0) m/s²).
const REST_PITCH_RAD: f64 = 0.5;
/// Standard gravity, m/s².
const G_MPS2: f64 = 9.806_65;
/// After heel strike the foot is flat again after this long, s.
const IMPACT_SECS: f64 = 0.14;
/// The push-off lobe runs past toe-off by this much, s (zero crossing a few samples after TO).
const PUSH_TAIL_SECS: f64 = 0.04;
/// The terminal-swing dip before heel strike lasts this long, s.
const TERMINAL_SECS: f64 = 0.06;

/// One swing of one foot, heel-off to foot flat.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Swing {
    /// Heel rises: the push-off rotation starts, ns.
    pub heel_off_nanos: i64,
    /// Toe-off, ns.
    pub toe_off_nanos: i64,
    /// Heel strike (initial contact), ns.
    pub heel_strike_nanos: i64,
    /// Mid-swing sagittal gyro peak, deg/s.
    pub swing_peak_dps: f64,
    /// Push-off lobe depth, deg/s (positive number; the lobe is negative).
    pub push_off_dps: f64,
}

impl Swing {
    /// Whether `t` falls between heel-off and foot flat.
    pub fn contains(&self, t_nanos: i64) -> bool {
        t_nanos >= self.heel_off_nanos
            && t_nanos <= self.heel_strike_nanos + (IMPACT_SECS * 1e9) as i64
    }

    /// Sagittal angular velocity at `t`, deg/s (0 outside the swing).
    pub fn sagittal_dps(&self, t_nanos: i64) -> f64 {
        let secs = |n: i64| n as f64 / 1e9;
        let t = secs(t_nanos);
        let (ho, to, hs) = (
            secs(self.heel_off_nanos),
            secs(self.toe_off_nanos),
            secs(self.heel_strike_nanos),
        );
        let lobe = |start: f64, end: f64, skew: f64| {
            let w = ((t - start) / (end - start)).clamp(0.0, 1.0);
            (PI * w.powf(skew)).sin()
        };
        let push_end = to + PUSH_TAIL_SECS;
        let term_start = hs - TERMINAL_SECS;
        if t < ho {
            0.0
        } else if t < push_end {
            // Skewed so the plantar-flexion peak comes just before toe-off, as in the data.
            -self.push_off_dps * lobe(ho, push_end, 2.0)
        } else if t < term_start {
            self.swing_peak_dps * lobe(push_end, term_start, 1.0)
        } else if t < hs {
            -0.25 * self.swing_peak_dps * lobe(term_start, hs, 1.0)
        } else {
            let tau = t - hs;
            if tau > IMPACT_SECS {
                0.0
            } else {
                // Impact ringing, damped to nothing by foot flat.
                -0.5 * self.swing_peak_dps * (-tau / 0.025).exp() * (2.0 * PI * 20.0 * tau).cos()
            }
        }
    }

    /// Linear (non-gravity) acceleration at `t` in the sensor's x (forward) and z axes, m/s².
    pub fn linear_acc_mps2(&self, t_nanos: i64) -> (f64, f64) {
        let secs = |n: i64| n as f64 / 1e9;
        let t = secs(t_nanos);
        let (to, hs) = (secs(self.toe_off_nanos), secs(self.heel_strike_nanos));
        let scale = self.swing_peak_dps / 350.0;
        let mut ax = 0.0;
        let mut az = 0.0;
        // Push-off burst at toe-off.
        ax += 30.0 * scale * (-((t - to) / 0.02).powi(2)).exp();
        // Forward acceleration, then deceleration, through swing.
        if t > to && t < hs {
            ax += 10.0 * scale * (2.0 * PI * (t - to) / (hs - to)).sin();
        }
        // Heel-strike impact: a sharp damped spike, the acceleration signature of initial contact.
        let tau = t - hs;
        if (0.0..=IMPACT_SECS).contains(&tau) {
            // Even slow, weak steps land with a clear spike, so the impact scales only partly.
            let ring = (-tau / 0.02).exp() * (2.0 * PI * 15.0 * tau).cos();
            let impact = 0.6 + 0.4 * scale;
            ax -= 30.0 * impact * ring;
            az += 45.0 * impact * ring;
        }
        (ax, az)
    }
}

/// Per-foot synthesis state: the pitch integrated through a swing (reset at rest so it never drifts).
#[derive(Debug, Clone, Default)]
pub struct FootSynth {
    pitch_rad: f64,
}

impl FootSynth {
    /// The sample at `t_nanos` given the active swing (if any), `dt_secs` since the previous sample.
    pub fn sample(
        &mut self,
        t_nanos: i64,
        dt_secs: f64,
        swing: Option<&Swing>,
        gyro_noise_dps: f64,
        acc_noise_mps2: f64,
        rng: &mut SplitMix64,
    ) -> ImuSample {
        let (omega_dps, (lin_x, lin_z)) = match swing {
            Some(s) => (s.sagittal_dps(t_nanos), s.linear_acc_mps2(t_nanos)),
            None => (0.0, (0.0, 0.0)),
        };
        if swing.is_some() {
            self.pitch_rad += omega_dps.to_radians() * dt_secs;
        } else {
            self.pitch_rad = 0.0;
        }
        let pitch = REST_PITCH_RAD - self.pitch_rad;
        let acc = [
            G_MPS2 * pitch.sin() + lin_x + acc_noise_mps2 * rng.normal(),
            -0.9 + 0.05 * omega_dps / 100.0 + acc_noise_mps2 * rng.normal(),
            G_MPS2 * pitch.cos() + lin_z + acc_noise_mps2 * rng.normal(),
        ];
        // Some cross-talk onto the other axes, as a real mounting never aligns perfectly.
        let gyr = [
            0.12 * omega_dps + gyro_noise_dps * rng.normal(),
            omega_dps + gyro_noise_dps * rng.normal(),
            -0.08 * omega_dps + gyro_noise_dps * rng.normal(),
        ];
        ImuSample {
            time_nanos: t_nanos,
            acc_mps2: acc.map(|a| a as f32),
            gyr_dps: gyr.map(|g| g as f32),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: i64 = 1_000_000;

    fn swing() -> Swing {
        Swing {
            heel_off_nanos: 0,
            toe_off_nanos: 200 * MS,
            heel_strike_nanos: 800 * MS,
            swing_peak_dps: 350.0,
            push_off_dps: 400.0,
        }
    }

    #[test]
    fn push_off_negative_mid_swing_positive_dip_before_heel_strike() {
        let s = swing();
        assert!(s.sagittal_dps(170 * MS) < -300.0);
        let mid = (240 + 740) / 2;
        assert!((s.sagittal_dps(mid * MS) - 350.0).abs() < 1.0);
        assert!(s.sagittal_dps(770 * MS) < 0.0);
        assert_eq!(s.sagittal_dps(1000 * MS), 0.0);
    }

    #[test]
    fn impact_spike_at_heel_strike() {
        let (_, az) = swing().linear_acc_mps2(800 * MS);
        assert!(az > 30.0);
        let (_, az_late) = swing().linear_acc_mps2(930 * MS);
        assert!(az_late.abs() < 1.0);
    }
}
