//! The PMD data notification ([`super::gatt::PMD_DATA`]; online_measurement.pdf Table 6 and
//! §4.2.9):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 1 | measurement type (low 6 bits; the upper two are not described) |
//! | 1 | 8 | timestamp: u64 nanoseconds since 2000-01-01T00:00:00 of the device clock, of the frame's **last** sample ([`super::time`]) |
//! | 9 | 1 | frame type: bit 7 set = delta-compressed ([`super::delta`]); bits 0–6 the frame type number |
//! | 10 | n | samples |
//!
//! Uncompressed ("raw") frames are samples back to back, each a fixed number of signed
//! little-endian values ([`RawLayout`]). Those this crate reads (online_measurement.pdf §4.2):
//!
//! | measurement | frame type | sample |
//! |---|---|---|
//! | ACC | 0 | x, y, z: i8 (Verity Sense: g; other devices: mG) |
//! | ACC | 1 | x, y, z: i16, mG |
//! | ACC | 2 | x, y, z: i24, mG |
//! | gyro | 0 | x, y, z: i16 |
//! | magnetometer | 0 | x, y, z: i16 |
//! | ECG | 0 | one i24, µV |
//!
//! Others (gyro type 1's f32 values, PPG, PPI, pressure, temperature, …) are reported by
//! number ([`DataFrame::raw_layout`] refuses them), their bytes left in [`DataFrame::samples_bytes`].
//!
//! The online document's prose also mentions an "8-bit ring counter" in this header; its table
//! and every example frame have none, so none is read.

use crate::DecodeError;
use crate::polar::delta::{DeltaSamples, sign_extend};
use crate::polar::settings::DeltaFormat;
use crate::polar::types::{MEASUREMENT_TYPE_MASK, MeasurementType};
use crate::wire::{need_fields, u8_at, u64_at};

/// Length of the frame header.
pub const HEADER_LEN: usize = 10;
/// Frame type bit: delta-compressed.
pub const COMPRESSED_BIT: u8 = 0x80;

const WHAT: &str = "PMD data frame";

/// A decoded data notification header, borrowing the sample bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataFrame<'a> {
    bytes: &'a [u8],
    /// What was measured.
    pub measurement: MeasurementType,
    /// Byte 0 as received (its upper two bits are not described by the documents).
    pub measurement_type_byte: u8,
    /// The last sample's time, ns since 2000-01-01T00:00:00 of the device's clock.
    pub time_nanos: u64,
    /// The frame type number (bits 0–6 of byte 9).
    pub frame_type: u8,
    /// Whether the samples are delta-compressed (bit 7 of byte 9).
    pub compressed: bool,
}

/// How the samples of an uncompressed frame are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawLayout {
    /// Values per sample.
    pub channels: u8,
    /// Bytes per value (signed, little-endian).
    pub value_bytes: u8,
}

impl RawLayout {
    /// Bytes per sample.
    pub fn sample_len(&self) -> usize {
        usize::from(self.channels) * usize::from(self.value_bytes)
    }
}

impl<'a> DataFrame<'a> {
    /// Decodes the header of a data notification.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        need_fields(
            WHAT,
            bytes,
            &[
                ("measurement type", 0, 1),
                ("timestamp", 1, 8),
                ("frame type", 9, 1),
            ],
        )?;
        let type_byte = u8_at(bytes, 0);
        let frame_byte = u8_at(bytes, 9);
        Ok(Self {
            bytes,
            measurement: MeasurementType::from_number(type_byte & MEASUREMENT_TYPE_MASK),
            measurement_type_byte: type_byte,
            time_nanos: u64_at(bytes, 1),
            frame_type: frame_byte & !COMPRESSED_BIT,
            compressed: frame_byte & COMPRESSED_BIT != 0,
        })
    }

    /// The sample bytes (from offset 10).
    pub fn samples_bytes(&self) -> &'a [u8] {
        self.bytes.get(HEADER_LEN..).unwrap_or_default()
    }

    /// The layout of an uncompressed frame of this measurement and frame type, if this crate
    /// knows it.
    pub fn raw_layout(&self) -> Result<RawLayout, DecodeError> {
        let layout = |channels, value_bytes| {
            Ok(RawLayout {
                channels,
                value_bytes,
            })
        };
        match (self.compressed, self.measurement, self.frame_type) {
            (false, MeasurementType::Acc, 0) => layout(3, 1),
            (false, MeasurementType::Acc, 1) => layout(3, 2),
            (false, MeasurementType::Acc, 2) => layout(3, 3),
            (false, MeasurementType::Gyro | MeasurementType::Magnetometer, 0) => layout(3, 2),
            (false, MeasurementType::Ecg, 0) => layout(1, 3),
            _ => Err(DecodeError::InvalidField {
                what: WHAT,
                field: "frame type (no layout known for this measurement)",
                offset: 9,
                value: u64::from(u8_at(self.bytes, 9)),
            }),
        }
    }

    /// The samples, `N` values each. A compressed frame needs the `format` the measurement was
    /// started with (resolution, channels); an uncompressed one ignores it. Fails at once if the
    /// layout is unknown or is not `N` channels; then each sample is `Ok`, or `Err` once where
    /// the frame is cut short.
    pub fn samples<const N: usize>(
        &self,
        format: Option<DeltaFormat>,
    ) -> Result<Samples<'a, N>, DecodeError> {
        if self.compressed {
            let format = format.ok_or(DecodeError::InvalidField {
                what: WHAT,
                field: "frame type (compressed, and no delta format given)",
                offset: 9,
                value: u64::from(u8_at(self.bytes, 9)),
            })?;
            return Ok(Samples::Delta(DeltaSamples::new(
                self.bytes, HEADER_LEN, format,
            )?));
        }
        let layout = self.raw_layout()?;
        if usize::from(layout.channels) != N {
            return Err(DecodeError::InvalidField {
                what: WHAT,
                field: "frame type (channels differ from those asked for)",
                offset: 9,
                value: u64::from(u8_at(self.bytes, 9)),
            });
        }
        Ok(Samples::Raw(RawSamples {
            bytes: self.bytes,
            at: HEADER_LEN,
            value_bytes: usize::from(layout.value_bytes),
        }))
    }

    /// How many samples the frame holds (walks a compressed frame's blocks); fails as
    /// [`DataFrame::samples`] and its iteration do.
    pub fn sample_count<const N: usize>(
        &self,
        format: Option<DeltaFormat>,
    ) -> Result<usize, DecodeError> {
        self.samples::<N>(format)?
            .try_fold(0usize, |n, sample| sample.map(|_| n + 1))
    }
}

/// The samples of a frame, raw or delta-compressed.
#[derive(Debug, Clone)]
pub enum Samples<'a, const N: usize> {
    /// Uncompressed.
    Raw(RawSamples<'a, N>),
    /// Delta-compressed.
    Delta(DeltaSamples<'a, N>),
}

impl<const N: usize> Iterator for Samples<'_, N> {
    type Item = Result<[i32; N], DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Self::Raw(raw) => raw.next(),
            Self::Delta(delta) => delta.next(),
        }
    }
}

/// The samples of an uncompressed frame.
#[derive(Debug, Clone)]
pub struct RawSamples<'a, const N: usize> {
    bytes: &'a [u8],
    at: usize,
    value_bytes: usize,
}

impl<const N: usize> Iterator for RawSamples<'_, N> {
    type Item = Result<[i32; N], DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.bytes.len() {
            return None;
        }
        let end = self.at + N * self.value_bytes;
        if end > self.bytes.len() {
            let error = DecodeError::Truncated {
                what: WHAT,
                field: "sample",
                offset: self.at,
                needed: end,
                len: self.bytes.len(),
            };
            self.at = self.bytes.len();
            return Some(Err(error));
        }
        let mut sample = [0i32; N];
        for (channel, value) in sample.iter_mut().enumerate() {
            let from = self.at + channel * self.value_bytes;
            let raw = self
                .bytes
                .get(from..from + self.value_bytes)
                .unwrap_or_default();
            let unsigned = raw
                .iter()
                .rev()
                .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
            *value = sign_extend(unsigned, 8 * self.value_bytes as u32);
        }
        self.at = end;
        Some(Ok(sample))
    }
}
