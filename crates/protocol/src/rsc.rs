//! The Bluetooth SIG RSC Measurement characteristic (0x2A53) of the Running Speed and Cadence
//! service (0x1814), as foot pods of other makes send it.
//!
//! | offset | size | field | present |
//! |---|---|---|---|
//! | 0 | 1 | flags: bit 0 stride length present, bit 1 total distance present, bit 2 walking (0) or running (1); bits 3–7 reserved | always |
//! | 1 | 2 | instantaneous speed, u16, 1/256 m/s | always |
//! | 3 | 1 | instantaneous cadence, u8, 1/min | always |
//! | 4 | 2 | instantaneous stride length, u16, 1/100 m (cm) | if flag bit 0 |
//! | 4 or 6 | 4 | total distance, u32, 1/10 m (dm) | if flag bit 1 |
//!
//! The length must match the flags exactly (4, 6, 8 or 10 bytes). Reserved flag bits are ignored,
//! as the GATT rules for future use ask of a client, but reported in [`RscMeasurement::flags`].
//!
//! **Cadence.** The field's unit is "per minute" (`org.bluetooth.unit.period.per_minute`), and the
//! RSC service describes it as the rate of foot falls, i.e. contacts of *either* foot: steps per
//! minute, not strides (a stride being two steps). Entrain therefore takes it 1:1 as
//! [`RscMeasurement::cadence_spm`]. Some pods are known to send strides per minute instead; the
//! BLE source lets a sensor be configured as such, and then doubles the value. The stride length
//! field, by contrast, is a distance per stride in the spec's sense; Entrain only records it.

use crate::DecodeError;
use crate::EncodeError;
use crate::wire::{need, put, room, u8_at, u16_at, u32_at};

/// Flag: instantaneous stride length present.
pub const FLAG_STRIDE_LENGTH: u8 = 0x01;
/// Flag: total distance present.
pub const FLAG_TOTAL_DISTANCE: u8 = 0x02;
/// Flag: running (else walking).
pub const FLAG_RUNNING: u8 = 0x04;
/// Longest measurement, bytes.
pub const MAX_LEN: usize = 10;

const WHAT: &str = "RSC measurement";

/// A decoded RSC measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RscMeasurement {
    /// The flags byte as received (reserved bits included).
    pub flags: u8,
    /// Instantaneous speed, 1/256 m/s.
    pub speed_256ths_mps: u16,
    /// Instantaneous cadence, per minute (steps per minute, see the module docs).
    pub cadence_per_min: u8,
    /// Instantaneous stride length, cm, if present.
    pub stride_length_cm: Option<u16>,
    /// Total distance, dm, if present.
    pub total_distance_dm: Option<u32>,
    /// Running (true) or walking (false), flag bit 2.
    pub running: bool,
}

impl RscMeasurement {
    /// Speed, m/s.
    pub fn speed_mps(&self) -> f64 {
        f64::from(self.speed_256ths_mps) / 256.0
    }

    /// Cadence in steps per minute (the field taken as foot falls per minute).
    pub fn cadence_spm(&self) -> f64 {
        f64::from(self.cadence_per_min)
    }

    /// Stride length, m, if present.
    pub fn stride_length_m(&self) -> Option<f64> {
        self.stride_length_cm.map(|cm| f64::from(cm) / 100.0)
    }

    /// Total distance, m, if present.
    pub fn total_distance_m(&self) -> Option<f64> {
        self.total_distance_dm.map(|dm| f64::from(dm) / 10.0)
    }

    /// Decodes a measurement.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        need(WHAT, bytes, 4)?;
        let flags = u8_at(bytes, 0);
        let has_stride = flags & FLAG_STRIDE_LENGTH != 0;
        let has_distance = flags & FLAG_TOTAL_DISTANCE != 0;
        let expected = 4 + if has_stride { 2 } else { 0 } + if has_distance { 4 } else { 0 };
        if bytes.len() != expected {
            return Err(DecodeError::LengthMismatch {
                what: WHAT,
                expected,
                len: bytes.len(),
            });
        }
        let mut at = 4;
        let stride_length_cm = if has_stride {
            at += 2;
            Some(u16_at(bytes, 4))
        } else {
            None
        };
        let total_distance_dm = if has_distance {
            Some(u32_at(bytes, at))
        } else {
            None
        };
        Ok(Self {
            flags,
            speed_256ths_mps: u16_at(bytes, 1),
            cadence_per_min: u8_at(bytes, 3),
            stride_length_cm,
            total_distance_dm,
            running: flags & FLAG_RUNNING != 0,
        })
    }

    /// Encodes into `out` (flags derived from the optional fields and `running`; reserved bits
    /// are written as 0); returns the number of bytes written.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        let mut flags = 0;
        let mut len = 4;
        if self.stride_length_cm.is_some() {
            flags |= FLAG_STRIDE_LENGTH;
            len += 2;
        }
        if self.total_distance_dm.is_some() {
            flags |= FLAG_TOTAL_DISTANCE;
            len += 4;
        }
        if self.running {
            flags |= FLAG_RUNNING;
        }
        room(WHAT, out, len)?;
        put(out, 0, &[flags]);
        put(out, 1, &self.speed_256ths_mps.to_le_bytes());
        put(out, 3, &[self.cadence_per_min]);
        let mut at = 4;
        if let Some(cm) = self.stride_length_cm {
            put(out, at, &cm.to_le_bytes());
            at += 2;
        }
        if let Some(dm) = self.total_distance_dm {
            put(out, at, &dm.to_le_bytes());
        }
        Ok(len)
    }
}
