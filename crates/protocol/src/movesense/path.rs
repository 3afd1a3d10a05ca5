//! The Whiteboard resource paths a client subscribes to (`/Meas/IMU6/208`), built from a
//! measurement kind and a rate the sensor offers.
//!
//! The paths and their `{SampleRate}` parameter are those of the Movesense API
//! (`MovesenseCoreLib/resources/movesense-api/meas/acc.yaml`, `gyro.yaml`, `imu.yaml`). The
//! API yaml leaves the rates to `/Meas/IMU/Info` at run time; the list used here is the
//! accelerometer/gyroscope (LSM6DS3) list of the vendor's own `sens_output_test_app`
//! (`SensorOutputService.cpp`, `checkSampleRateRequestedByUser`) and the rates offered by the
//! `gatt_sensordata_app` web client (13..833 Hz). The app never reports a failed subscription to
//! the client (it only frees its slot), so a rate the sensor refuses would just give silence:
//! hence the builder refuses such rates up front.

use core::fmt;

use crate::{DecodeError, EncodeError};

/// The rates, Hz, the sensor's accelerometer and gyroscope offer (and so IMU6; see
/// [`MeasKind::Imu9`] for IMU9).
pub const IMU_RATES_HZ: [u16; 8] = [13, 26, 52, 104, 208, 416, 833, 1666];

/// Longest path this module writes (`/Meas/IMU6/1666`), bytes.
pub const MAX_LEN: usize = 15;

const PREFIX: &[u8] = b"/Meas/";
const WHAT: &str = "Movesense resource path";

/// What a subscription measures; each kind's notification carries a timestamp and, per sample,
/// the vectors listed (in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum MeasKind {
    /// `/Meas/Acc/{rate}`: acceleration, m/s².
    Acc,
    /// `/Meas/Gyro/{rate}`: angular velocity, deg/s.
    Gyro,
    /// `/Meas/IMU6/{rate}`: acceleration then angular velocity.
    Imu6,
    /// `/Meas/IMU9/{rate}`: acceleration, angular velocity, magnetic field. Its rates are taken
    /// to be [`IMU_RATES_HZ`]; no source read says which of them the magnetometer keeps up with
    /// (the vendor's own client uses 104 Hz).
    Imu9,
}

impl MeasKind {
    /// Every kind.
    pub const ALL: [Self; 4] = [Self::Acc, Self::Gyro, Self::Imu6, Self::Imu9];

    /// The path segment after `/Meas/`.
    pub const fn segment(self) -> &'static str {
        match self {
            Self::Acc => "Acc",
            Self::Gyro => "Gyro",
            Self::Imu6 => "IMU6",
            Self::Imu9 => "IMU9",
        }
    }

    /// The rates, Hz, this kind can be subscribed at.
    pub const fn rates_hz(self) -> &'static [u16] {
        &IMU_RATES_HZ
    }

    /// Whether the kind can be subscribed at `rate_hz`.
    pub fn offers(self, rate_hz: u32) -> bool {
        self.rates_hz().iter().any(|&r| u32::from(r) == rate_hz)
    }

    /// How many 3-D vectors one sample has (acc; gyro; acc+gyro; acc+gyro+magn).
    pub const fn vectors_per_sample(self) -> usize {
        match self {
            Self::Acc | Self::Gyro => 1,
            Self::Imu6 => 2,
            Self::Imu9 => 3,
        }
    }

    fn from_segment(segment: &[u8]) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.segment().as_bytes() == segment)
    }
}

/// A kind was asked for at a rate the sensor does not offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnsupportedRate {
    /// The kind asked for.
    pub kind: MeasKind,
    /// The rate asked for, Hz.
    pub rate_hz: u32,
}

impl fmt::Display for UnsupportedRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a Movesense offers /Meas/{} at no rate of {} Hz (it offers",
            self.kind.segment(),
            self.rate_hz
        )?;
        for (i, rate) in self.kind.rates_hz().iter().enumerate() {
            write!(f, "{}{rate}", if i == 0 { " " } else { ", " })?;
        }
        f.write_str(" Hz)")
    }
}

impl core::error::Error for UnsupportedRate {}

/// A subscribable resource: a kind at a rate it offers (checked when built).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ResourcePath {
    kind: MeasKind,
    rate_hz: u16,
}

impl ResourcePath {
    /// The path for `kind` at `rate_hz`, refused unless the sensor offers that rate.
    pub fn new(kind: MeasKind, rate_hz: u32) -> Result<Self, UnsupportedRate> {
        match u16::try_from(rate_hz) {
            Ok(rate) if kind.offers(rate_hz) => Ok(Self {
                kind,
                rate_hz: rate,
            }),
            _ => Err(UnsupportedRate { kind, rate_hz }),
        }
    }

    /// The measurement kind.
    pub fn kind(&self) -> MeasKind {
        self.kind
    }

    /// The sampling rate, Hz (nominal: the number in the path).
    pub fn rate_hz(&self) -> u16 {
        self.rate_hz
    }

    /// Nanoseconds from a notification's first sample to its sample `index`, taking the samples
    /// as spaced 1/rate apart (as the vendor's clients do).
    pub fn sample_offset_nanos(&self, index: u64) -> i64 {
        crate::movesense::imu::sample_offset_nanos(index, self.rate_hz)
    }

    /// Writes the path as ASCII (`/Meas/IMU6/208`, no terminator) into `out`; returns its length.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        let mut digits = [0u8; 5];
        let digits = decimal(self.rate_hz, &mut digits);
        let segment = self.kind.segment().as_bytes();
        let len = PREFIX.len() + segment.len() + 1 + digits.len();
        crate::wire::room(WHAT, out, len)?;
        let mut at = 0;
        for part in [PREFIX, segment, b"/", digits] {
            crate::wire::put(out, at, part);
            at += part.len();
        }
        Ok(len)
    }

    /// Parses a path this module would write (leading slash, no leading zeros, an offered rate).
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        Self::decode_at(bytes, 0, WHAT)
    }

    /// Parses `bytes` as a path found at byte `base` of a larger packet named `what`, so errors
    /// name the offset in that packet.
    pub(crate) fn decode_at(
        bytes: &[u8],
        base: usize,
        what: &'static str,
    ) -> Result<Self, DecodeError> {
        let invalid = |field, offset: usize, value: u64| DecodeError::InvalidField {
            what,
            field,
            offset: base + offset,
            value,
        };
        let truncated = |field, offset: usize, needed: usize| DecodeError::Truncated {
            what,
            field,
            offset: base + offset,
            needed: base + needed,
            len: base + bytes.len(),
        };
        // The prefix: a cut-off prefix is truncation, a different one is invalid.
        if let Some(at) = (0..PREFIX.len()).find(|&i| bytes.get(i) != PREFIX.get(i)) {
            return match bytes.get(at) {
                None => Err(truncated("path prefix", 0, PREFIX.len())),
                Some(&b) => Err(invalid("path prefix", at, u64::from(b))),
            };
        }
        let rest = bytes.get(PREFIX.len()..).unwrap_or_default();
        let seg_at = PREFIX.len();
        let Some(slash) = rest.iter().position(|&b| b == b'/') else {
            let partial = MeasKind::ALL
                .into_iter()
                .find(|k| k.segment().as_bytes().starts_with(rest));
            return match partial {
                Some(k) => Err(truncated(
                    "measurement",
                    seg_at,
                    seg_at + k.segment().len() + 1,
                )),
                None => Err(invalid("measurement", seg_at, first_byte(rest))),
            };
        };
        let segment = rest.get(..slash).unwrap_or_default();
        let kind = MeasKind::from_segment(segment)
            .ok_or_else(|| invalid("measurement", seg_at, first_byte(segment)))?;
        let rate_at = seg_at + slash + 1;
        let digits = bytes.get(rate_at..).unwrap_or_default();
        if digits.is_empty() {
            return Err(truncated("rate", rate_at, rate_at + 1));
        }
        let mut rate: u32 = 0;
        for (i, &b) in digits.iter().enumerate() {
            let leading_zero = i == 0 && b == b'0';
            if !b.is_ascii_digit() || leading_zero || i >= 5 {
                return Err(invalid("rate", rate_at + i, u64::from(b)));
            }
            rate = rate * 10 + u32::from(b - b'0');
        }
        Self::new(kind, rate).map_err(|_| invalid("rate", rate_at, u64::from(rate)))
    }
}

impl fmt::Display for ResourcePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/Meas/{}/{}", self.kind.segment(), self.rate_hz)
    }
}

fn first_byte(bytes: &[u8]) -> u64 {
    bytes.first().copied().map_or(0, u64::from)
}

/// The decimal digits of `value`, most significant first, in `buf`.
fn decimal(mut value: u16, buf: &mut [u8; 5]) -> &[u8] {
    let mut start = buf.len();
    loop {
        start -= 1;
        if let Some(slot) = buf.get_mut(start) {
            *slot = b'0' + (value % 10) as u8;
        }
        value /= 10;
        if value == 0 || start == 0 {
            break;
        }
    }
    buf.get(start..).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_writes_every_width() {
        let mut buf = [0u8; 5];
        assert_eq!(decimal(0, &mut buf), b"0");
        assert_eq!(decimal(13, &mut buf), b"13");
        assert_eq!(decimal(1666, &mut buf), b"1666");
        assert_eq!(decimal(u16::MAX, &mut buf), b"65535");
    }

    #[test]
    fn the_longest_path_fits_max_len() {
        let mut out = [0u8; MAX_LEN];
        for kind in MeasKind::ALL {
            let path = ResourcePath::new(kind, 1666).unwrap();
            assert!(path.encode(&mut out).is_ok(), "{path}");
        }
    }
}
