//! The payload of IMU subscription data: a timestamp, then one array of 3-D float vectors per
//! sensor.
//!
//! | payload offset | size | field |
//! |---|---|---|
//! | 0 | 4 | `Timestamp`: u32, ms, the sensor's local time of the **first** sample |
//! | 4 | 12 × n | `ArrayAcc` (Acc, IMU6, IMU9): n × (x, y, z) f32, m/s² |
//! | then | 12 × n | `ArrayGyro` (Gyro, IMU6, IMU9): n × (x, y, z) f32, deg/s |
//! | then | 12 × n | `ArrayMagn` (IMU9): n × (x, y, z) f32, µT |
//!
//! All little-endian (the nRF52's order; the app's clients read them so). There is no count:
//! n follows from the length, as the app's web client computes it (`(length − 6) / 12` for Acc,
//! counting the 2-byte header), so a payload must be exactly `4 + 12 × vectors × n` bytes. How
//! many samples one notification holds per rate is not documented in the sources read; the
//! app's Python client takes 8 for IMU9 at 104 Hz (292 bytes, sent in two parts).
//!
//! Sources: `MovesenseCoreLib/resources/movesense-api/meas/imu.yaml` (`IMU6Data`, `IMU9Data`:
//! field order, "Local timestamp of first measurement", `x-unit: millisecond`, `m/s^2`, `dps
//! (degree per second)`), `acc.yaml`, `gyro.yaml`, `magn.yaml` (`MagnData` `x-unit:
//! microtesla`; imu.yaml gives IMU9's `ArrayMagn` no unit, so µT is taken from magn.yaml);
//! the serialisation without headers or lengths as the app's `python_client` and `web_client`
//! read it.
//!
//! **Sample times.** Sample i was taken `i / rate` after the timestamp, as the vendor's clients
//! compute it; the rate is the nominal one in the path. (For the "13 Hz" setting the LSM6DS3's
//! data rate is 12.5 Hz by its datasheet; whether Movesense resamples is not documented, so a
//! host should check the spacing against successive timestamps.) The timestamp wraps after
//! 2³² ms (49.7 days).

use super::path::MeasKind;
use crate::wire::{put, room, u32_at};
use crate::{DecodeError, EncodeError};

/// Bytes of the timestamp.
pub const TIMESTAMP_LEN: usize = 4;
/// Bytes of one (x, y, z) f32 vector.
pub const VECTOR_LEN: usize = 12;
/// Most samples one piece of data can hold (Acc or Gyro in [`MAX_DATA_LEN`] bytes: 25; IMU6: 12;
/// IMU9: 8).
///
/// [`MAX_DATA_LEN`]: super::notification::MAX_DATA_LEN
pub const MAX_SAMPLES: usize = (super::notification::MAX_DATA_LEN - TIMESTAMP_LEN) / VECTOR_LEN;

const WHAT: &str = "Movesense IMU data";
const ARRAY_NAMES: [&str; 3] = ["ArrayAcc", "ArrayGyro", "ArrayMagn"];

/// Nanoseconds from a first sample to sample `index` at `rate_hz` (exact to the nanosecond, no
/// accumulated rounding), or 0 for a zero rate.
pub fn sample_offset_nanos(index: u64, rate_hz: u16) -> i64 {
    if rate_hz == 0 {
        return 0;
    }
    let nanos = u128::from(index) * 1_000_000_000 / u128::from(rate_hz);
    i64::try_from(nanos).unwrap_or(i64::MAX)
}

/// Decoded IMU data: the timestamp and up to [`MAX_SAMPLES`] samples in fixed arrays.
#[derive(Debug, Clone, PartialEq)]
pub struct ImuData {
    kind: MeasKind,
    timestamp_ms: u32,
    count: usize,
    acc_mps2: [[f32; 3]; MAX_SAMPLES],
    gyro_dps: [[f32; 3]; MAX_SAMPLES],
    magn_ut: [[f32; 3]; MAX_SAMPLES],
}

impl ImuData {
    /// Empty data of `kind` stamped `timestamp_ms` (to be filled with [`Self::push`]).
    pub fn new(kind: MeasKind, timestamp_ms: u32) -> Self {
        Self {
            kind,
            timestamp_ms,
            count: 0,
            acc_mps2: [[0.0; 3]; MAX_SAMPLES],
            gyro_dps: [[0.0; 3]; MAX_SAMPLES],
            magn_ut: [[0.0; 3]; MAX_SAMPLES],
        }
    }

    /// What the data measures.
    pub fn kind(&self) -> MeasKind {
        self.kind
    }

    /// The sensor's time of the first sample, ms (wraps).
    pub fn timestamp_ms(&self) -> u32 {
        self.timestamp_ms
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Acceleration per sample, m/s² (empty for Gyro).
    pub fn acc_mps2(&self) -> &[[f32; 3]] {
        self.array(0)
    }

    /// Angular velocity per sample, deg/s (empty for Acc).
    pub fn gyro_dps(&self) -> &[[f32; 3]] {
        self.array(1)
    }

    /// Magnetic field per sample, µT (IMU9 only).
    pub fn magn_ut(&self) -> &[[f32; 3]] {
        self.array(2)
    }

    /// Sensor time of sample `index`, ns since the sensor clock's zero (see the module docs on
    /// spacing): the timestamp plus `index / rate_hz`.
    pub fn sample_time_nanos(&self, index: usize, rate_hz: u16) -> i64 {
        i64::from(self.timestamp_ms) * 1_000_000 + sample_offset_nanos(index as u64, rate_hz)
    }

    /// Appends a sample; the vectors the kind does not carry are ignored. Refused when full.
    pub fn push(
        &mut self,
        acc_mps2: [f32; 3],
        gyro_dps: [f32; 3],
        magn_ut: [f32; 3],
    ) -> Result<(), EncodeError> {
        let i = self.count;
        let (Some(a), Some(g), Some(m)) = (
            self.acc_mps2.get_mut(i),
            self.gyro_dps.get_mut(i),
            self.magn_ut.get_mut(i),
        ) else {
            return Err(EncodeError::InvalidField {
                what: WHAT,
                field: "sample count",
                value: (i + 1) as u64,
            });
        };
        let [has_acc, has_gyro, has_magn] = carried(self.kind);
        if has_acc {
            *a = acc_mps2;
        }
        if has_gyro {
            *g = gyro_dps;
        }
        if has_magn {
            *m = magn_ut;
        }
        self.count += 1;
        Ok(())
    }

    /// Decodes the payload of one piece of data (both parts joined) of a `kind` subscription.
    pub fn decode(kind: MeasKind, payload: &[u8]) -> Result<Self, DecodeError> {
        let len = payload.len();
        if len < TIMESTAMP_LEN {
            return Err(DecodeError::Truncated {
                what: WHAT,
                field: "Timestamp",
                offset: 0,
                needed: TIMESTAMP_LEN,
                len,
            });
        }
        let arrays = kind.vectors_per_sample();
        let stride = arrays * VECTOR_LEN;
        let rest = len - TIMESTAMP_LEN;
        if rest == 0 || !rest.is_multiple_of(stride) {
            return Err(truncated_in_arrays(kind, rest, len));
        }
        let count = rest / stride;
        if count > MAX_SAMPLES {
            return Err(DecodeError::InvalidField {
                what: WHAT,
                field: "sample count",
                offset: TIMESTAMP_LEN,
                value: count as u64,
            });
        }
        let mut data = Self::new(kind, u32_at(payload, 0));
        data.count = count;
        for (slot, array_index) in array_slots(kind).into_iter().enumerate() {
            let Some(array_index) = array_index else {
                continue;
            };
            let start = TIMESTAMP_LEN + slot * count * VECTOR_LEN;
            let target = match array_index {
                0 => &mut data.acc_mps2,
                1 => &mut data.gyro_dps,
                _ => &mut data.magn_ut,
            };
            for (i, vector) in target.iter_mut().take(count).enumerate() {
                let at = start + i * VECTOR_LEN;
                for (c, value) in vector.iter_mut().enumerate() {
                    *value = f32::from_bits(u32_at(payload, at + 4 * c));
                }
            }
        }
        Ok(data)
    }

    /// Encodes the payload (as the sensor serialises it) into `out`; returns its length.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        let count = self.count;
        let len = TIMESTAMP_LEN + self.kind.vectors_per_sample() * VECTOR_LEN * count;
        room(WHAT, out, len)?;
        put(out, 0, &self.timestamp_ms.to_le_bytes());
        let mut at = TIMESTAMP_LEN;
        for array_index in array_slots(self.kind).into_iter().flatten() {
            for vector in self.array(array_index) {
                for value in vector {
                    put(out, at, &value.to_bits().to_le_bytes());
                    at += 4;
                }
            }
        }
        Ok(len)
    }

    fn array(&self, index: usize) -> &[[f32; 3]] {
        let carried_here = carried(self.kind).get(index).copied().unwrap_or(false);
        let array = match index {
            0 => &self.acc_mps2,
            1 => &self.gyro_dps,
            _ => &self.magn_ut,
        };
        if carried_here {
            array.get(..self.count).unwrap_or_default()
        } else {
            &[]
        }
    }
}

/// Which of acc, gyro, magn a kind carries.
fn carried(kind: MeasKind) -> [bool; 3] {
    match kind {
        MeasKind::Acc => [true, false, false],
        MeasKind::Gyro => [false, true, false],
        MeasKind::Imu6 => [true, true, false],
        MeasKind::Imu9 => [true, true, true],
    }
}

/// The arrays in payload order, as indices into (acc, gyro, magn).
fn array_slots(kind: MeasKind) -> [Option<usize>; 3] {
    match kind {
        MeasKind::Acc => [Some(0), None, None],
        MeasKind::Gyro => [Some(1), None, None],
        MeasKind::Imu6 => [Some(0), Some(1), None],
        MeasKind::Imu9 => [Some(0), Some(1), Some(2)],
    }
}

/// The error for a payload that ends inside its arrays: the vector it ends in, taking the
/// payload to have had the next whole number of samples (the only layout it can be cut from).
fn truncated_in_arrays(kind: MeasKind, rest: usize, len: usize) -> DecodeError {
    let stride = kind.vectors_per_sample() * VECTOR_LEN;
    let count = rest / stride + 1;
    let array_len = count * VECTOR_LEN;
    let slot = rest / array_len;
    let vector_start =
        TIMESTAMP_LEN + slot * array_len + (rest % array_len) / VECTOR_LEN * VECTOR_LEN;
    let field = array_slots(kind)
        .get(slot)
        .copied()
        .flatten()
        .and_then(|i| ARRAY_NAMES.get(i).copied())
        .unwrap_or("samples");
    DecodeError::Truncated {
        what: WHAT,
        field,
        offset: vector_start,
        needed: vector_start + VECTOR_LEN,
        len,
    }
}
