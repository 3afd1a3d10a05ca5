//! The Polar Measurement Data (PMD) service, as the Polar Verity Sense speaks it: a pure codec,
//! `no_std` and allocation-free like the rest of this crate.
//!
//! Written from Polar's published technical documents in the `polarofficial/polar-ble-sdk`
//! repository (`technical_documentation/online_measurement.pdf`, Version 1.0, and the earlier
//! `Polar_Measurement_Data_Specification.pdf`); `docs/sensors/polar-pmd.md` lists exactly which
//! revision, their terms, and where the documents are silent or contradict themselves.
//!
//! | module | what |
//! |---|---|
//! | [`gatt`] | service and characteristic UUIDs; how a Verity Sense is recognised in a scan |
//! | [`MeasurementType`] | the measurement type numbers shared by control point and data |
//! | [`settings`] | measurement settings (sample rate, resolution, range, channels, factor) |
//! | [`control`] | control point requests (encode, decode) and responses (decode, encode) |
//! | [`features`] | the feature answer read from the control point: supported measurement types |
//! | [`frame`] | the data notification: header, timestamp, frame type, raw samples |
//! | [`delta`] | the delta-compressed sample format |
//! | [`time`] | the Polar epoch and per-sample timestamps |
//! | [`units`] | raw counts to m/s² and deg/s |
//!
//! All multi-byte fields are little-endian. Decoders return a [`crate::DecodeError`] naming the
//! field and its byte offset in the characteristic value; none panics on any input.

pub mod control;
pub mod delta;
pub mod features;
pub mod frame;
pub mod gatt;
pub mod settings;
pub mod time;
mod types;
pub mod units;

pub use types::{MeasurementType, RecordingType};
