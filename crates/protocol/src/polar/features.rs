//! The feature answer: what reading the PMD control point gives (online_measurement.pdf
//! Figure 1; the 2021 specification's "Read Features from device"): 0x0F, then a bit mask in
//! which bit *n* (byte 1 + n / 8, bit n % 8) says measurement type *n* is supported.

use crate::DecodeError;
use crate::polar::types::MeasurementType;
use crate::wire::{need_fields, u8_at};

/// Byte 0 of the feature answer.
pub const FEATURES_CODE: u8 = 0x0f;

const WHAT_FEATURES: &str = "PMD feature read";

/// The feature read answer: which measurement types the device supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Features<'a> {
    mask: &'a [u8],
}

impl<'a> Features<'a> {
    /// Decodes the value read from the control point.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        need_fields(
            WHAT_FEATURES,
            bytes,
            &[("feature read code", 0, 1), ("feature mask", 1, 1)],
        )?;
        let code = u8_at(bytes, 0);
        if code != FEATURES_CODE {
            return Err(DecodeError::InvalidField {
                what: WHAT_FEATURES,
                field: "feature read code",
                offset: 0,
                value: u64::from(code),
            });
        }
        Ok(Self {
            mask: bytes.get(1..).unwrap_or_default(),
        })
    }

    /// Whether the device supports a measurement type: bit *n* of the mask for type *n*. The
    /// documents name bits 0–6 (ECG, PPG, ACC, PPI, reserved, gyro, magnetometer) and continue
    /// "…"; later types are read by the same rule.
    pub fn supports(&self, measurement: MeasurementType) -> bool {
        let n = usize::from(measurement.number());
        self.mask
            .get(n / 8)
            .is_some_and(|byte| byte & (1 << (n % 8)) != 0)
    }

    /// The supported types, in number order.
    pub fn supported(&self) -> impl Iterator<Item = MeasurementType> + '_ {
        let bits = (self.mask.len() * 8).min(256);
        (0..bits)
            .filter_map(|n| u8::try_from(n).ok())
            .map(MeasurementType::from_number)
            .filter(|t| self.supports(*t))
    }
}
