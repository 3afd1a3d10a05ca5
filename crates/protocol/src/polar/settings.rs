//! Measurement settings: what a "get measurement settings" answer offers, what a "start
//! measurement" request chooses, and what the start answer adds (the conversion factor).
//!
//! A settings list is a run of entries (online_measurement.pdf Table 5; the worked exchanges of
//! its Figures 2, 3 and 6):
//!
//! | size | field |
//! |---|---|
//! | 1 | setting type (below) |
//! | 1 | array length *n* |
//! | *n* × size | the values, each of the type's size |
//!
//! | type | setting | value |
//! |---|---|---|
//! | 0 | sample rate | u16, Hz |
//! | 1 | resolution | u16, bits (needed to decode delta frames) |
//! | 2 | range | u16, ± in the measurement's unit (g, deg/s, gauss) |
//! | 3 | not used | (no size given: refused) |
//! | 4 | number of channels | u8 (needed to decode delta frames) |
//! | 5 | conversion factor | f32 (IEEE 754): raw value × factor = value in the measurement's unit |
//!
//! A "get settings" answer lists every value offered (an H10 offers four ACC rates); a start
//! request carries one value of each chosen setting ([`SettingSet`]). A type the documents do not
//! size cannot be skipped, so it is refused with its offset rather than guessed past.

use crate::polar::types::MeasurementType;
use crate::wire::{put, room, u8_at, u16_at, u32_at};
use crate::{DecodeError, EncodeError};

const WHAT: &str = "PMD settings";

/// Which setting an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum SettingKind {
    /// 0: sample rate, Hz.
    SampleRate,
    /// 1: resolution, bits.
    Resolution,
    /// 2: range, ± in the measurement's unit.
    Range,
    /// 4: number of channels.
    Channels,
    /// 5: conversion factor.
    Factor,
}

impl SettingKind {
    /// The kind for a setting type byte, if the documents define it (3 is "not used").
    pub fn from_number(number: u8) -> Option<Self> {
        match number {
            0 => Some(Self::SampleRate),
            1 => Some(Self::Resolution),
            2 => Some(Self::Range),
            4 => Some(Self::Channels),
            5 => Some(Self::Factor),
            _ => None,
        }
    }

    /// The setting type byte.
    pub fn number(self) -> u8 {
        match self {
            Self::SampleRate => 0,
            Self::Resolution => 1,
            Self::Range => 2,
            Self::Channels => 4,
            Self::Factor => 5,
        }
    }

    /// Bytes per value.
    pub fn value_len(self) -> usize {
        match self {
            Self::SampleRate | Self::Resolution | Self::Range => 2,
            Self::Channels => 1,
            Self::Factor => 4,
        }
    }

    fn read(self, bytes: &[u8], at: usize) -> Setting {
        match self {
            Self::SampleRate => Setting::SampleRateHz(u16_at(bytes, at)),
            Self::Resolution => Setting::ResolutionBits(u16_at(bytes, at)),
            Self::Range => Setting::Range(u16_at(bytes, at)),
            Self::Channels => Setting::Channels(u8_at(bytes, at)),
            Self::Factor => Setting::Factor(f32::from_bits(u32_at(bytes, at))),
        }
    }
}

/// One setting value.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Setting {
    /// Sample rate, Hz.
    SampleRateHz(u16),
    /// Resolution, bits.
    ResolutionBits(u16),
    /// Range, ± in the measurement's unit (g for ACC, deg/s for gyro, gauss for magnetometer).
    Range(u16),
    /// Number of channels.
    Channels(u8),
    /// Conversion factor: raw value × factor = value in the measurement's unit.
    Factor(f32),
}

impl Setting {
    /// Which setting this is.
    pub fn kind(&self) -> SettingKind {
        match self {
            Self::SampleRateHz(_) => SettingKind::SampleRate,
            Self::ResolutionBits(_) => SettingKind::Resolution,
            Self::Range(_) => SettingKind::Range,
            Self::Channels(_) => SettingKind::Channels,
            Self::Factor(_) => SettingKind::Factor,
        }
    }

    /// Writes the value (not the type and length) at `at`.
    fn put_value(&self, out: &mut [u8], at: usize) {
        match *self {
            Self::SampleRateHz(v) | Self::ResolutionBits(v) | Self::Range(v) => {
                put(out, at, &v.to_le_bytes());
            }
            Self::Channels(v) => put(out, at, &[v]),
            Self::Factor(v) => put(out, at, &v.to_bits().to_le_bytes()),
        }
    }
}

/// A decoded settings list, borrowing the bytes it was checked on. Iterating it cannot fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingsList<'a> {
    bytes: &'a [u8],
}

impl<'a> SettingsList<'a> {
    /// Checks a settings list. `base` is the list's offset in the characteristic value, so errors
    /// name the offset there.
    pub fn decode(bytes: &'a [u8], base: usize) -> Result<Self, DecodeError> {
        let total = base + bytes.len();
        let mut at = 0;
        while at < bytes.len() {
            let number = u8_at(bytes, at);
            let kind = SettingKind::from_number(number).ok_or(DecodeError::InvalidField {
                what: WHAT,
                field: "setting type",
                offset: base + at,
                value: u64::from(number),
            })?;
            if at + 2 > bytes.len() {
                return Err(truncated(
                    "array length",
                    base + at + 1,
                    base + at + 2,
                    total,
                ));
            }
            let count = usize::from(u8_at(bytes, at + 1));
            let end = at + 2 + count * kind.value_len();
            if end > bytes.len() {
                return Err(truncated("setting value", base + at + 2, base + end, total));
            }
            at = end;
        }
        Ok(Self { bytes })
    }

    /// The entries, in order.
    pub fn entries(&self) -> SettingEntries<'a> {
        SettingEntries {
            bytes: self.bytes,
            at: 0,
        }
    }

    /// The first value of a kind, if the list has one (for a start answer's factor, or a
    /// single-valued list).
    pub fn first(&self, kind: SettingKind) -> Option<Setting> {
        self.entries()
            .filter(|e| e.kind == kind)
            .find_map(|e| e.values().next())
    }

    /// The conversion factor, if the list carries one.
    pub fn factor(&self) -> Option<f32> {
        match self.first(SettingKind::Factor) {
            Some(Setting::Factor(f)) => Some(f),
            _ => None,
        }
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// The entries of a [`SettingsList`].
#[derive(Debug, Clone)]
pub struct SettingEntries<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Iterator for SettingEntries<'a> {
    type Item = SettingEntry<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        // The list was checked when decoded; a failed look-up here just ends the iteration.
        let kind = SettingKind::from_number(*self.bytes.get(self.at)?)?;
        let count = usize::from(*self.bytes.get(self.at + 1)?);
        let start = self.at + 2;
        let raw = self.bytes.get(start..start + count * kind.value_len())?;
        self.at = start + raw.len();
        Some(SettingEntry { kind, raw })
    }
}

/// One entry of a settings list: a kind and its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingEntry<'a> {
    /// Which setting.
    pub kind: SettingKind,
    raw: &'a [u8],
}

impl<'a> SettingEntry<'a> {
    /// How many values the entry lists.
    pub fn len(&self) -> usize {
        self.raw.len() / self.kind.value_len()
    }

    /// Whether the entry lists no values.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The values, in order.
    pub fn values(&self) -> impl Iterator<Item = Setting> + 'a {
        let (kind, raw) = (self.kind, self.raw);
        (0..raw.len() / kind.value_len()).map(move |i| kind.read(raw, i * kind.value_len()))
    }
}

/// Most entries a [`SettingSet`] holds: one per kind.
pub const MAX_SETTINGS: usize = 5;

/// A chosen value for some settings, in the order they are to be sent: what a start request
/// carries. One value per kind; setting a kind again replaces its value in place.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SettingSet {
    items: [Option<Setting>; MAX_SETTINGS],
}

impl SettingSet {
    /// No settings (what SDK mode, PPI and HR are started with).
    pub fn new() -> Self {
        Self::default()
    }

    /// The usual choice for an IMU stream: sample rate, resolution, range and channels, in the
    /// order of the documents' Verity Sense example (online_measurement.pdf Figure 3).
    pub fn imu(sample_rate_hz: u16, resolution_bits: u16, range: u16, channels: u8) -> Self {
        Self::new()
            .with(Setting::SampleRateHz(sample_rate_hz))
            .with(Setting::ResolutionBits(resolution_bits))
            .with(Setting::Range(range))
            .with(Setting::Channels(channels))
    }

    /// This set with `setting` added (or its kind's value replaced).
    pub fn with(mut self, setting: Setting) -> Self {
        let kind = setting.kind();
        if let Some(slot) = self
            .items
            .iter_mut()
            .find(|s| s.is_none() || s.is_some_and(|s| s.kind() == kind))
        {
            *slot = Some(setting);
        }
        self
    }

    /// The settings, in order.
    pub fn iter(&self) -> impl Iterator<Item = Setting> + '_ {
        self.items.iter().filter_map(|s| *s)
    }

    /// The value of a kind, if set.
    pub fn get(&self, kind: SettingKind) -> Option<Setting> {
        self.iter().find(|s| s.kind() == kind)
    }

    /// The set a single-valued list holds (a start request's); refuses a list with an entry of
    /// other than one value, or a kind twice.
    pub fn from_list(list: &SettingsList<'_>, base: usize) -> Result<Self, DecodeError> {
        let mut set = Self::new();
        let mut at = base;
        for entry in list.entries() {
            let repeated = set.get(entry.kind).is_some();
            if entry.len() != 1 || repeated {
                return Err(DecodeError::InvalidField {
                    what: WHAT,
                    field: if repeated {
                        "setting type (repeated)"
                    } else {
                        "array length"
                    },
                    offset: if repeated { at } else { at + 1 },
                    value: if repeated {
                        u64::from(entry.kind.number())
                    } else {
                        entry.len() as u64
                    },
                });
            }
            if let Some(value) = entry.values().next() {
                set = set.with(value);
            }
            at += 2 + entry.kind.value_len();
        }
        Ok(set)
    }

    /// Encoded length: type, length 1 and the value, per setting.
    pub fn encoded_len(&self) -> usize {
        self.iter().map(|s| 2 + s.kind().value_len()).sum()
    }

    /// Encodes the set as a settings list into `out`; returns the bytes written.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        room(WHAT, out, self.encoded_len())?;
        let mut at = 0;
        for setting in self.iter() {
            put(out, at, &[setting.kind().number(), 1]);
            setting.put_value(out, at + 2);
            at += 2 + setting.kind().value_len();
        }
        Ok(at)
    }
}

fn truncated(field: &'static str, offset: usize, needed: usize, len: usize) -> DecodeError {
    DecodeError::Truncated {
        what: WHAT,
        field,
        offset,
        needed,
        len,
    }
}

/// The resolution and channel count a delta-compressed frame is decoded with, taken from the
/// settings the measurement was started with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeltaFormat {
    /// Bits per value of the reference sample.
    pub resolution_bits: u16,
    /// Values per sample.
    pub channels: u8,
}

impl DeltaFormat {
    /// The format from a start request's settings; a missing channel count is 3 for ACC,
    /// gyro and magnetometer (the H10's ACC settings omit it and its frames are x, y, z).
    pub fn from_settings(set: &SettingSet, measurement: MeasurementType) -> Option<Self> {
        let resolution_bits = match set.get(SettingKind::Resolution) {
            Some(Setting::ResolutionBits(bits)) => bits,
            _ => return None,
        };
        let channels = match set.get(SettingKind::Channels) {
            Some(Setting::Channels(n)) => n,
            _ => match measurement {
                MeasurementType::Acc | MeasurementType::Gyro | MeasurementType::Magnetometer => 3,
                _ => return None,
            },
        };
        Some(Self {
            resolution_bits,
            channels,
        })
    }
}
