//! The Entrain sensor protocol: what an Entrain IMU sensor and the host say to each other over
//! Bluetooth Low Energy, byte by byte. Shared by the host (`entrain-ble`) and the sensor
//! firmware (`firmware/`), so both encode and decode with the same code and test against the same
//! vectors (`data/protocol/vectors.json`).
//!
//! `no_std`, no allocation: every packet is encoded into and decoded from a caller's byte slice,
//! and decoded packets hold their samples in fixed arrays. Every decoder returns a
//! [`DecodeError`] naming the field and offset that is wrong; none panics on any input (the
//! decoders are fuzzed).
//!
//! # GATT service
//!
//! One primary service, [`uuid::SERVICE`], with four characteristics:
//!
//! | characteristic | UUID | properties | payload |
//! |---|---|---|---|
//! | IMU samples | [`uuid::IMU`] | notify | [`imu::ImuPacket`] |
//! | step events | [`uuid::STEP`] | notify | [`step::StepPacket`] (sensors that detect on board) |
//! | status | [`uuid::STATUS`] | read, notify | [`status::Status`] |
//! | control point | [`uuid::CONTROL`] | write, notify | [`control::Command`] in, [`control::Response`] out |
//!
//! The sensor also exposes the standard Battery Service (0x180F, Battery Level 0x2A19) where its
//! stack makes that cheap; the battery percentage is in [`status::Status`] either way.
//! Foot pods of other makes are read through the Bluetooth SIG Running Speed and Cadence service
//! ([`rsc`]); the Polar Verity Sense through Polar's Measurement Data service ([`polar`]), and
//! Movesense sensors through their GATT SensorData Protocol ([`movesense`]).
//!
//! # Advertising
//!
//! A sensor advertises the service UUID [`uuid::SERVICE`] (so hosts filter scan results by it),
//! a name (`Entrain-…`), and its battery percentage as one byte of service data under the
//! Battery Service UUID 0x180F, so a host can list sensors with their charge without connecting.
//! The host identifies a sensor by its Bluetooth address alone, never by name.
//!
//! # Common header
//!
//! Every Entrain packet starts with the same two bytes; all multi-byte fields are little-endian.
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 1 | protocol version, [`PROTOCOL_VERSION`] (= 1) |
//! | 1 | 1 | packet kind, [`PacketKind`] |
//!
//! A receiver rejects a packet whose version it does not know ([`DecodeError::UnsupportedVersion`]);
//! a later version may only append fields, so version 1 decoders read a version-1 layout exactly.
//!
//! # Time and sequence numbers
//!
//! The sensor stamps samples with its own free-running clock in microseconds, a `u32` that wraps
//! about every 71.6 minutes; the host unwraps it and maps it onto its session clock (drift-aware,
//! see `entrain_ble::clock`). Packets carry a `u16` packet sequence number (+1 per packet
//! of that kind, wrapping) and IMU packets the `u32` index of their first sample since streaming
//! started (wrapping), so the host counts lost packets and lost samples exactly. The sample index
//! keeps counting through a link loss (the IMU keeps sampling; what was not sent is lost), so
//! after a reconnection the host counts the gap exactly; should a sensor restart its index (a new
//! Start, a reboot), the host notices that index and timestamp disagree and estimates the gap
//! from the timestamps instead.
//!
//! # Units of IMU samples
//!
//! Samples are the IMU's raw signed 16-bit counts; each packet carries the sensitivity that turns
//! them into physical units: accelerometer micro-g per LSB and gyroscope micro-degrees-per-second
//! per LSB (for an LSM6DSOX at ±8 g / ±2000 dps: 244 µg/LSB and 70 000 µdps/LSB). The axes are
//! the IMU's own, right-handed.
#![no_std]
#![forbid(unsafe_code)]

pub mod control;
mod error;
pub mod imu;
pub mod movesense;
pub mod polar;
pub mod rsc;
pub mod status;
pub mod step;
pub mod uuid;
mod wire;

pub use error::DecodeError;
pub use error::EncodeError;

/// The protocol version this crate speaks, byte 0 of every packet.
pub const PROTOCOL_VERSION: u8 = 1;

/// Length of the common header (version, kind).
pub const COMMON_HEADER_LEN: usize = 2;

/// Byte 1 of every packet: what the packet is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[repr(u8)]
pub enum PacketKind {
    /// IMU samples ([`imu::ImuPacket`]), on the IMU characteristic.
    Imu = 0x01,
    /// Step events ([`step::StepPacket`]), on the step characteristic.
    Step = 0x02,
    /// Sensor status ([`status::Status`]), on the status characteristic.
    Status = 0x03,
    /// A command from the host ([`control::Command`]), written to the control point.
    Command = 0x10,
    /// The sensor's answer ([`control::Response`]), notified on the control point.
    Response = 0x11,
}

impl PacketKind {
    /// The kind for a kind byte, if it is one.
    pub fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            0x01 => Some(Self::Imu),
            0x02 => Some(Self::Step),
            0x03 => Some(Self::Status),
            0x10 => Some(Self::Command),
            0x11 => Some(Self::Response),
            _ => None,
        }
    }
}

/// Where a sensor says it is worn (status byte 3; settable through the control point).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[repr(u8)]
pub enum SensorPlacement {
    /// Not assigned yet.
    Unassigned = 0,
    /// Left foot.
    LeftFoot = 1,
    /// Right foot.
    RightFoot = 2,
    /// Lower back (L5).
    LowerBack = 3,
}

impl SensorPlacement {
    /// The placement for a byte, if it is one.
    pub fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            0 => Some(Self::Unassigned),
            1 => Some(Self::LeftFoot),
            2 => Some(Self::RightFoot),
            3 => Some(Self::LowerBack),
            _ => None,
        }
    }
}

/// Any packet of the Entrain service, decoded by its kind byte.
#[derive(Debug, Clone, PartialEq)]
pub enum Packet {
    /// IMU samples.
    Imu(imu::ImuPacket),
    /// Step events.
    Step(step::StepPacket),
    /// Status.
    Status(status::Status),
    /// A host command.
    Command(control::Command),
    /// A sensor response.
    Response(control::Response),
}

impl Packet {
    /// Decodes any Entrain packet, dispatching on the kind byte.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let kind = wire::check_header(bytes, None)?;
        Ok(match kind {
            PacketKind::Imu => Self::Imu(imu::ImuPacket::decode(bytes)?),
            PacketKind::Step => Self::Step(step::StepPacket::decode(bytes)?),
            PacketKind::Status => Self::Status(status::Status::decode(bytes)?),
            PacketKind::Command => Self::Command(control::Command::decode(bytes)?),
            PacketKind::Response => Self::Response(control::Response::decode(bytes)?),
        })
    }
}
