//! Sensor status (kind 0x03): read from, and notified on change by, [`crate::uuid::STATUS`].
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 1 | version (1) |
//! | 1 | 1 | kind (0x03) |
//! | 2 | 1 | `battery_percent`: 0..=100, or 255 = unknown |
//! | 3 | 1 | `placement`: [`SensorPlacement`] (0 unassigned, 1 left foot, 2 right foot, 3 lower back) |
//! | 4 | 4 | `sample_rate_mhz`: u32 configured IMU rate, millihertz, > 0 |
//! | 8 | 2 | `acc_ug_per_lsb`: u16 accelerometer sensitivity, µg per count, > 0 |
//! | 10 | 4 | `gyr_udps_per_lsb`: u32 gyroscope sensitivity, µdps per count, > 0 |
//! | 14 | 1 | firmware version major |
//! | 15 | 1 | firmware version minor |
//! | 16 | 2 | firmware version patch, u16 |
//! | 18 | 1 | `flags`: bit 0 streaming, bit 1 on-board step detection on, bit 2 clock synced; others 0 |
//! | 19 | 1 | reserved, 0 |
//!
//! Exactly [`LEN`] bytes (fits the default ATT MTU).

use crate::imu::ImuScale;
use crate::wire::{check_header, need, put, put_header, room, u8_at, u16_at, u32_at};
use crate::{DecodeError, EncodeError, PacketKind, SensorPlacement};

/// Length of a status packet.
pub const LEN: usize = 20;
/// Battery byte meaning "unknown".
pub const BATTERY_UNKNOWN: u8 = 255;
/// Flag: streaming IMU samples.
pub const FLAG_STREAMING: u8 = 0x01;
/// Flag: on-board step detection is on.
pub const FLAG_STEP_DETECTION: u8 = 0x02;
/// Flag: the sensor clock has been synchronised by a time-sync command.
pub const FLAG_TIME_SYNCED: u8 = 0x04;
const KNOWN_FLAGS: u8 = FLAG_STREAMING | FLAG_STEP_DETECTION | FLAG_TIME_SYNCED;

const WHAT: &str = "status packet";

/// A firmware version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FirmwareVersion {
    /// Major.
    pub major: u8,
    /// Minor.
    pub minor: u8,
    /// Patch.
    pub patch: u16,
}

/// A decoded status packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Status {
    /// Battery state of charge, percent, or `None` if the sensor does not know.
    pub battery_percent: Option<u8>,
    /// Where the sensor is configured to be worn.
    pub placement: SensorPlacement,
    /// Configured rate and sensitivities.
    pub scale: ImuScale,
    /// Firmware version.
    pub firmware: FirmwareVersion,
    /// Flag bits ([`FLAG_STREAMING`], [`FLAG_STEP_DETECTION`], [`FLAG_TIME_SYNCED`]).
    pub flags: u8,
}

impl Status {
    /// Decodes a status packet.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        check_header(bytes, Some(PacketKind::Status))?;
        need(WHAT, bytes, LEN)?;
        if bytes.len() != LEN {
            return Err(DecodeError::LengthMismatch {
                what: WHAT,
                expected: LEN,
                len: bytes.len(),
            });
        }
        let battery = u8_at(bytes, 2);
        let battery_percent = match battery {
            0..=100 => Some(battery),
            BATTERY_UNKNOWN => None,
            other => return Err(invalid("battery_percent", 2, u64::from(other))),
        };
        let placement_byte = u8_at(bytes, 3);
        let placement = SensorPlacement::from_byte(placement_byte).ok_or(invalid(
            "placement",
            3,
            u64::from(placement_byte),
        ))?;
        let scale = ImuScale {
            sample_rate_mhz: u32_at(bytes, 4),
            acc_ug_per_lsb: u16_at(bytes, 8),
            gyr_udps_per_lsb: u32_at(bytes, 10),
        };
        if scale.sample_rate_mhz == 0 {
            return Err(invalid("sample_rate_mhz", 4, 0));
        }
        if scale.acc_ug_per_lsb == 0 {
            return Err(invalid("acc_ug_per_lsb", 8, 0));
        }
        if scale.gyr_udps_per_lsb == 0 {
            return Err(invalid("gyr_udps_per_lsb", 10, 0));
        }
        let flags = u8_at(bytes, 18);
        if flags & !KNOWN_FLAGS != 0 {
            return Err(invalid("flags", 18, u64::from(flags)));
        }
        let reserved = u8_at(bytes, 19);
        if reserved != 0 {
            return Err(invalid("reserved", 19, u64::from(reserved)));
        }
        Ok(Self {
            battery_percent,
            placement,
            scale,
            firmware: FirmwareVersion {
                major: u8_at(bytes, 14),
                minor: u8_at(bytes, 15),
                patch: u16_at(bytes, 16),
            },
            flags,
        })
    }

    /// Encodes into `out`; returns the number of bytes written ([`LEN`]).
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        let bad = |field: &'static str, value: u64| EncodeError::InvalidField {
            what: WHAT,
            field,
            value,
        };
        let battery = match self.battery_percent {
            Some(p) if p <= 100 => p,
            Some(p) => return Err(bad("battery_percent", u64::from(p))),
            None => BATTERY_UNKNOWN,
        };
        if self.scale.sample_rate_mhz == 0
            || self.scale.acc_ug_per_lsb == 0
            || self.scale.gyr_udps_per_lsb == 0
        {
            return Err(bad("scale", 0));
        }
        if self.flags & !KNOWN_FLAGS != 0 {
            return Err(bad("flags", u64::from(self.flags)));
        }
        room(WHAT, out, LEN)?;
        put_header(out, PacketKind::Status);
        put(out, 2, &[battery, self.placement as u8]);
        put(out, 4, &self.scale.sample_rate_mhz.to_le_bytes());
        put(out, 8, &self.scale.acc_ug_per_lsb.to_le_bytes());
        put(out, 10, &self.scale.gyr_udps_per_lsb.to_le_bytes());
        put(out, 14, &[self.firmware.major, self.firmware.minor]);
        put(out, 16, &self.firmware.patch.to_le_bytes());
        put(out, 18, &[self.flags, 0]);
        Ok(LEN)
    }
}

fn invalid(field: &'static str, offset: usize, value: u64) -> DecodeError {
    DecodeError::InvalidField {
        what: WHAT,
        field,
        offset,
        value,
    }
}
