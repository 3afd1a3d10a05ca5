//! Raw sample values to physical units.
//!
//! The documents give two ways a value becomes physical:
//!
//! - **A conversion factor** ([`crate::polar::settings::Setting::Factor`]), which a device may
//!   send in a start answer; "the conversion factor is mandatory to use when parsing measurement
//!   data" (online_measurement.pdf §3): raw × factor = the value in the measurement type's unit,
//!   which is g for ACC and deg/s for gyro (the 2021 specification's "PMD Measurement Types").
//!   The documents' Verity Sense ACC example confirms the unit: factor 0.000244 "G", reference
//!   sample (−48, 357, 4068) → (−0.012, 0.087, 0.993) g, gravity on z.
//! - **No factor**: the frame type's own unit applies; ACC frame types 0–2 are mG on devices
//!   other than the Verity Sense (the H10 example: x = −184 mG), and the Verity Sense's 8-bit
//!   type 0 is in g (online_measurement.pdf Tables 7–9). The documents give gyro frame type 0 no
//!   unit; a Verity Sense gyro stream is read with the factor of its start answer.
//!
//! Standard gravity is the conventional 9.806 65 m/s².

/// Standard gravity, m/s² per g.
pub const STANDARD_GRAVITY_MPS2: f64 = 9.806_65;

/// An ACC value in mG, as m/s².
pub fn accel_mps2_from_mg(accel_mg: i32) -> f64 {
    f64::from(accel_mg) * STANDARD_GRAVITY_MPS2 / 1000.0
}

/// An ACC value in g, as m/s².
pub fn accel_mps2_from_g(accel_g: f64) -> f64 {
    accel_g * STANDARD_GRAVITY_MPS2
}

/// A raw ACC value and its conversion factor (g per count), as m/s².
pub fn accel_mps2_from_counts(count: i32, factor_g_per_count: f32) -> f64 {
    accel_mps2_from_g(f64::from(count) * f64::from(factor_g_per_count))
}

/// A raw gyro value and its conversion factor (deg/s per count), as deg/s.
pub fn gyro_dps_from_counts(count: i32, factor_dps_per_count: f32) -> f64 {
    f64::from(count) * f64::from(factor_dps_per_count)
}

/// The same in rad/s.
pub fn gyro_radps_from_counts(count: i32, factor_dps_per_count: f32) -> f64 {
    gyro_dps_from_counts(count, factor_dps_per_count).to_radians()
}

/// How the ACC values of a stream become m/s², decided once from the start answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AccelScale {
    /// The start answer carried a factor: raw × factor = g.
    GPerCount(f32),
    /// No factor: the values are mG (ACC frame types 0–2 on other devices than the Verity
    /// Sense; also the Verity Sense's compressed type 1, whose start answer carries no factor
    /// and whose values read as mG, see the issue #443 frame in `tests/polar_pmd.rs`).
    MilliG,
}

impl AccelScale {
    /// The scale for a start answer's factor, if any ([`crate::polar::settings::SettingsList::factor`]).
    pub fn from_factor(factor: Option<f32>) -> Self {
        factor.map_or(Self::MilliG, Self::GPerCount)
    }

    /// A raw value as m/s².
    pub fn accel_mps2(&self, raw: i32) -> f64 {
        match *self {
            Self::GPerCount(factor) => accel_mps2_from_counts(raw, factor),
            Self::MilliG => accel_mps2_from_mg(raw),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documents_acc_examples_are_about_one_g_at_rest() {
        // online_measurement.pdf Figure 3: Verity Sense factor bytes 40 DA 7F 39, reference
        // sample (-48, 357, 4068); H10 raw sample (-184, -28, 949) mG.
        let factor = f32::from_bits(u32::from_le_bytes([0x40, 0xda, 0x7f, 0x39]));
        let verity = [-48, 357, 4068].map(|c| accel_mps2_from_counts(c, factor));
        let h10 = [-184, -28, 949].map(accel_mps2_from_mg);
        for sample in [verity, h10] {
            let norm = sample.iter().map(|a| a * a).sum::<f64>().sqrt();
            assert!((norm - STANDARD_GRAVITY_MPS2).abs() < 0.5, "{norm}");
        }
        assert!((verity[2] - 4068.0 * 0.000_244 * 9.806_65).abs() < 1e-6);
        assert_eq!(
            AccelScale::from_factor(Some(factor)).accel_mps2(4068),
            verity[2]
        );
        assert_eq!(AccelScale::from_factor(None).accel_mps2(-184), h10[0]);
    }

    #[test]
    fn gyro_uses_the_factor() {
        assert!((gyro_dps_from_counts(-1000, 0.061) + 61.0).abs() < 1e-4);
        assert!((gyro_radps_from_counts(180, 1.0) - core::f64::consts::PI).abs() < 1e-12);
    }
}
