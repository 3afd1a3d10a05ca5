//! IMU sample packets (kind 0x01), notified on [`crate::uuid::IMU`].
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 1 | version (1) |
//! | 1 | 1 | kind (0x01) |
//! | 2 | 2 | `seq`: u16 packet sequence number, +1 per IMU packet, wraps |
//! | 4 | 4 | `first_sample_index`: u32 index of the first sample since streaming started, wraps |
//! | 8 | 4 | `timestamp_us`: u32 sensor clock at the first sample, µs, wraps |
//! | 12 | 4 | `sample_rate_mhz`: u32 sampling rate in millihertz (204.8 Hz = 204 800), > 0 |
//! | 16 | 2 | `acc_ug_per_lsb`: u16 accelerometer sensitivity, µg per count, > 0 |
//! | 18 | 4 | `gyr_udps_per_lsb`: u32 gyroscope sensitivity, µdps per count, > 0 |
//! | 22 | 1 | `count`: u8 number of samples, 1..=[`MAX_SAMPLES`] |
//! | 23 | 1 | `flags`: bit 0 = a sample was dropped on the sensor before this packet (FIFO overrun); other bits 0 |
//! | 24 | 12 × count | samples, each `acc_x, acc_y, acc_z, gyr_x, gyr_y, gyr_z` as i16 counts |
//!
//! Sample `i` was taken at `timestamp_us + i × 1e9 / sample_rate_mhz` µs and has index
//! `first_sample_index + i`. The packet's length must be exactly `24 + 12 × count`.
//! A notification carries ATT MTU − 3 bytes. With 18 samples a packet is 240 bytes, which fits at
//! an ATT MTU of 247 (the nRF52840 with data length extension). Even one sample (36 bytes) does not
//! fit the default MTU of 23, so streaming needs an MTU of at least 39; the firmware refuses to
//! stream below it.

use crate::wire::{check_header, i16_at, need, put, put_header, room, u8_at, u16_at, u32_at};
use crate::{DecodeError, EncodeError, PacketKind};

/// Bytes before the samples.
pub const HEADER_LEN: usize = 24;
/// Bytes per sample.
pub const SAMPLE_LEN: usize = 12;
/// Most samples in one packet.
pub const MAX_SAMPLES: usize = 18;
/// Longest IMU packet, bytes.
pub const MAX_LEN: usize = HEADER_LEN + SAMPLE_LEN * MAX_SAMPLES;
/// Flag bit: the sensor dropped samples before this packet (its FIFO overran).
pub const FLAG_SENSOR_OVERRUN: u8 = 0x01;

const WHAT: &str = "IMU packet";

/// One raw IMU sample, in counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RawSample {
    /// Accelerometer x, y, z, counts.
    pub acc: [i16; 3],
    /// Gyroscope x, y, z, counts.
    pub gyr: [i16; 3],
}

/// Sensitivities and rate shared by all samples of a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ImuScale {
    /// Sampling rate, millihertz.
    pub sample_rate_mhz: u32,
    /// Accelerometer micro-g per count.
    pub acc_ug_per_lsb: u16,
    /// Gyroscope micro-degrees-per-second per count.
    pub gyr_udps_per_lsb: u32,
}

impl ImuScale {
    /// Sampling rate, Hz.
    pub fn sample_rate_hz(&self) -> f64 {
        f64::from(self.sample_rate_mhz) / 1000.0
    }

    /// Sample period in nanoseconds (rounded), or 0 for a zero rate.
    pub fn sample_period_nanos(&self) -> i64 {
        if self.sample_rate_mhz == 0 {
            return 0;
        }
        let rate = i64::from(self.sample_rate_mhz);
        (1_000_000_000_000 + rate / 2) / rate
    }

    /// Time of sample `index` after a reference sample, nanoseconds (exact to the nanosecond,
    /// no accumulated rounding), or 0 for a zero rate.
    pub fn sample_offset_nanos(&self, index: u64) -> i64 {
        if self.sample_rate_mhz == 0 {
            return 0;
        }
        let nanos = u128::from(index) * 1_000_000_000_000 / u128::from(self.sample_rate_mhz);
        i64::try_from(nanos).unwrap_or(i64::MAX)
    }

    /// Acceleration of `counts` in m/s² (standard gravity 9.80665 m/s²).
    pub fn acc_mps2(&self, counts: i16) -> f32 {
        (f64::from(counts) * f64::from(self.acc_ug_per_lsb) * 1e-6 * 9.806_65) as f32
    }

    /// Angular rate of `counts` in degrees per second.
    pub fn gyr_dps(&self, counts: i16) -> f32 {
        (f64::from(counts) * f64::from(self.gyr_udps_per_lsb) * 1e-6) as f32
    }

    /// Counts for an acceleration in m/s², rounded and saturated to the i16 range (encoding).
    pub fn acc_counts(&self, acc_mps2: f64) -> i16 {
        saturate(acc_mps2 / 9.806_65 / (f64::from(self.acc_ug_per_lsb) * 1e-6))
    }

    /// Counts for an angular rate in dps, rounded and saturated to the i16 range (encoding).
    pub fn gyr_counts(&self, gyr_dps: f64) -> i16 {
        saturate(gyr_dps / (f64::from(self.gyr_udps_per_lsb) * 1e-6))
    }
}

fn saturate(value: f64) -> i16 {
    if value.is_nan() {
        return 0;
    }
    let rounded = if value >= 0.0 {
        value + 0.5
    } else {
        value - 0.5
    };
    if rounded >= f64::from(i16::MAX) {
        i16::MAX
    } else if rounded <= f64::from(i16::MIN) {
        i16::MIN
    } else {
        rounded as i16
    }
}

/// A decoded IMU packet.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ImuPacket {
    /// Packet sequence number.
    pub seq: u16,
    /// Index of the first sample since streaming started (wraps).
    pub first_sample_index: u32,
    /// Sensor clock at the first sample, µs (wraps).
    pub timestamp_us: u32,
    /// Rate and sensitivities.
    pub scale: ImuScale,
    /// Flag bits ([`FLAG_SENSOR_OVERRUN`]).
    pub flags: u8,
    /// Number of valid entries in `samples`.
    pub count: u8,
    /// The samples; entries at `count` and beyond are zero.
    pub samples: [RawSample; MAX_SAMPLES],
}

impl ImuPacket {
    /// The valid samples.
    pub fn samples(&self) -> &[RawSample] {
        self.samples.get(..usize::from(self.count)).unwrap_or(&[])
    }

    /// The encoded length of this packet.
    pub fn encoded_len(&self) -> usize {
        HEADER_LEN + SAMPLE_LEN * usize::from(self.count)
    }

    /// Decodes an IMU packet.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        check_header(bytes, Some(PacketKind::Imu))?;
        need(WHAT, bytes, HEADER_LEN)?;
        let count = u8_at(bytes, 22);
        if count == 0 || usize::from(count) > MAX_SAMPLES {
            return Err(DecodeError::InvalidField {
                what: WHAT,
                field: "count",
                offset: 22,
                value: u64::from(count),
            });
        }
        let expected = HEADER_LEN + SAMPLE_LEN * usize::from(count);
        if bytes.len() != expected {
            return Err(DecodeError::LengthMismatch {
                what: WHAT,
                expected,
                len: bytes.len(),
            });
        }
        let scale = ImuScale {
            sample_rate_mhz: u32_at(bytes, 12),
            acc_ug_per_lsb: u16_at(bytes, 16),
            gyr_udps_per_lsb: u32_at(bytes, 18),
        };
        for (field, offset, value) in [
            ("sample_rate_mhz", 12, u64::from(scale.sample_rate_mhz)),
            ("acc_ug_per_lsb", 16, u64::from(scale.acc_ug_per_lsb)),
            ("gyr_udps_per_lsb", 18, u64::from(scale.gyr_udps_per_lsb)),
        ] {
            if value == 0 {
                return Err(DecodeError::InvalidField {
                    what: WHAT,
                    field,
                    offset,
                    value,
                });
            }
        }
        let flags = u8_at(bytes, 23);
        if flags & !FLAG_SENSOR_OVERRUN != 0 {
            return Err(DecodeError::InvalidField {
                what: WHAT,
                field: "flags",
                offset: 23,
                value: u64::from(flags),
            });
        }
        let mut samples = [RawSample::default(); MAX_SAMPLES];
        for (i, sample) in samples.iter_mut().take(usize::from(count)).enumerate() {
            let at = HEADER_LEN + i * SAMPLE_LEN;
            *sample = RawSample {
                acc: [
                    i16_at(bytes, at),
                    i16_at(bytes, at + 2),
                    i16_at(bytes, at + 4),
                ],
                gyr: [
                    i16_at(bytes, at + 6),
                    i16_at(bytes, at + 8),
                    i16_at(bytes, at + 10),
                ],
            };
        }
        Ok(Self {
            seq: u16_at(bytes, 2),
            first_sample_index: u32_at(bytes, 4),
            timestamp_us: u32_at(bytes, 8),
            scale,
            flags,
            count,
            samples,
        })
    }

    /// Encodes into `out`; returns the number of bytes written.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        if self.count == 0 || usize::from(self.count) > MAX_SAMPLES {
            return Err(EncodeError::InvalidField {
                what: WHAT,
                field: "count",
                value: u64::from(self.count),
            });
        }
        if self.scale.sample_rate_mhz == 0
            || self.scale.acc_ug_per_lsb == 0
            || self.scale.gyr_udps_per_lsb == 0
        {
            return Err(EncodeError::InvalidField {
                what: WHAT,
                field: "scale",
                value: 0,
            });
        }
        let len = self.encoded_len();
        room(WHAT, out, len)?;
        put_header(out, PacketKind::Imu);
        put(out, 2, &self.seq.to_le_bytes());
        put(out, 4, &self.first_sample_index.to_le_bytes());
        put(out, 8, &self.timestamp_us.to_le_bytes());
        put(out, 12, &self.scale.sample_rate_mhz.to_le_bytes());
        put(out, 16, &self.scale.acc_ug_per_lsb.to_le_bytes());
        put(out, 18, &self.scale.gyr_udps_per_lsb.to_le_bytes());
        put(out, 22, &[self.count, self.flags]);
        for (i, sample) in self.samples().iter().enumerate() {
            let at = HEADER_LEN + i * SAMPLE_LEN;
            for (axis, value) in sample.acc.iter().chain(sample.gyr.iter()).enumerate() {
                put(out, at + 2 * axis, &value.to_le_bytes());
            }
        }
        Ok(len)
    }
}
