//! The control point ([`crate::uuid::CONTROL`]): the host writes a [`Command`] (kind 0x10), the
//! sensor answers each with a notified [`Response`] (kind 0x11) carrying the same token.
//!
//! Command layout:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 1 | version (1) |
//! | 1 | 1 | kind (0x10) |
//! | 2 | 1 | opcode (below) |
//! | 3 | 1 | `token`: chosen by the host, echoed in the response |
//! | 4 | n | parameters of the opcode |
//!
//! | opcode | name | parameters | total length |
//! |---|---|---|---|
//! | 0x01 | start streaming | none | 4 |
//! | 0x02 | stop streaming | none | 4 |
//! | 0x03 | set rate | u32 `sample_rate_mhz` (> 0) | 8 |
//! | 0x04 | time sync | u64 `host_time_us` (host clock when sent) | 12 |
//! | 0x05 | set placement | u8 placement (as in status) | 5 |
//! | 0x06 | on-board step detection | u8 0 = off, 1 = on | 5 |
//!
//! Response layout ([`RESPONSE_LEN`] bytes):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 1 | version (1) |
//! | 1 | 1 | kind (0x11) |
//! | 2 | 1 | opcode of the command answered (echoed even when unknown) |
//! | 3 | 1 | token of the command answered |
//! | 4 | 1 | result: 0 ok, 1 unsupported opcode, 2 invalid parameter, 3 busy, 4 failed |
//! | 5 | 1 | reserved, 0 |
//! | 6 | 4 | `sensor_time_us`: u32 sensor clock when the command was handled |
//! | 10 | 8 | `host_time_us`: the time-sync command's u64 echoed; 0 for other commands |
//!
//! A time sync is a round trip: the host notes its clock when it writes and when the response
//! arrives; the sensor's time lies between, which bounds the offset between the two clocks.

use crate::wire::{check_header, need, put, put_header, room, u8_at, u32_at, u64_at};
use crate::{DecodeError, EncodeError, PacketKind, SensorPlacement};

/// Length of a response.
pub const RESPONSE_LEN: usize = 18;
/// Longest command.
pub const MAX_COMMAND_LEN: usize = 12;

const WHAT_COMMAND: &str = "control command";
const WHAT_RESPONSE: &str = "control response";

/// What a command asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Operation {
    /// Start streaming IMU samples.
    Start,
    /// Stop streaming.
    Stop,
    /// Set the IMU sampling rate, millihertz.
    SetRate {
        /// The new rate, mHz.
        sample_rate_mhz: u32,
    },
    /// Time synchronisation request.
    TimeSync {
        /// The host's clock when it sent the command, µs.
        host_time_us: u64,
    },
    /// Set where the sensor is worn.
    SetPlacement(SensorPlacement),
    /// Turn on-board step detection on or off.
    SetStepDetection(bool),
}

impl Operation {
    /// The opcode byte.
    pub fn opcode(&self) -> u8 {
        match self {
            Self::Start => 0x01,
            Self::Stop => 0x02,
            Self::SetRate { .. } => 0x03,
            Self::TimeSync { .. } => 0x04,
            Self::SetPlacement(_) => 0x05,
            Self::SetStepDetection(_) => 0x06,
        }
    }

    fn len(&self) -> usize {
        match self {
            Self::Start | Self::Stop => 4,
            Self::SetRate { .. } => 8,
            Self::TimeSync { .. } => 12,
            Self::SetPlacement(_) | Self::SetStepDetection(_) => 5,
        }
    }
}

/// A command written to the control point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Command {
    /// Echoed in the response.
    pub token: u8,
    /// What to do.
    pub operation: Operation,
}

impl Command {
    /// Encoded length.
    pub fn encoded_len(&self) -> usize {
        self.operation.len()
    }

    /// Decodes a command.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        check_header(bytes, Some(PacketKind::Command))?;
        need(WHAT_COMMAND, bytes, 4)?;
        let opcode = u8_at(bytes, 2);
        let token = u8_at(bytes, 3);
        let (operation, len) = match opcode {
            0x01 => (Operation::Start, 4),
            0x02 => (Operation::Stop, 4),
            0x03 => {
                need(WHAT_COMMAND, bytes, 8)?;
                let rate = u32_at(bytes, 4);
                if rate == 0 {
                    return Err(invalid(WHAT_COMMAND, "sample_rate_mhz", 4, 0));
                }
                (
                    Operation::SetRate {
                        sample_rate_mhz: rate,
                    },
                    8,
                )
            }
            0x04 => {
                need(WHAT_COMMAND, bytes, 12)?;
                (
                    Operation::TimeSync {
                        host_time_us: u64_at(bytes, 4),
                    },
                    12,
                )
            }
            0x05 => {
                need(WHAT_COMMAND, bytes, 5)?;
                let byte = u8_at(bytes, 4);
                let placement = SensorPlacement::from_byte(byte).ok_or(invalid(
                    WHAT_COMMAND,
                    "placement",
                    4,
                    u64::from(byte),
                ))?;
                (Operation::SetPlacement(placement), 5)
            }
            0x06 => {
                need(WHAT_COMMAND, bytes, 5)?;
                let on = match u8_at(bytes, 4) {
                    0 => false,
                    1 => true,
                    other => {
                        return Err(invalid(WHAT_COMMAND, "enabled", 4, u64::from(other)));
                    }
                };
                (Operation::SetStepDetection(on), 5)
            }
            other => return Err(invalid(WHAT_COMMAND, "opcode", 2, u64::from(other))),
        };
        if bytes.len() != len {
            return Err(DecodeError::LengthMismatch {
                what: WHAT_COMMAND,
                expected: len,
                len: bytes.len(),
            });
        }
        Ok(Self { token, operation })
    }

    /// Encodes into `out`; returns the number of bytes written.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        let len = self.encoded_len();
        room(WHAT_COMMAND, out, len)?;
        put_header(out, PacketKind::Command);
        put(out, 2, &[self.operation.opcode(), self.token]);
        match self.operation {
            Operation::Start | Operation::Stop => {}
            Operation::SetRate { sample_rate_mhz } => {
                if sample_rate_mhz == 0 {
                    return Err(EncodeError::InvalidField {
                        what: WHAT_COMMAND,
                        field: "sample_rate_mhz",
                        value: 0,
                    });
                }
                put(out, 4, &sample_rate_mhz.to_le_bytes());
            }
            Operation::TimeSync { host_time_us } => put(out, 4, &host_time_us.to_le_bytes()),
            Operation::SetPlacement(p) => put(out, 4, &[p as u8]),
            Operation::SetStepDetection(on) => put(out, 4, &[u8::from(on)]),
        }
        Ok(len)
    }
}

/// The outcome of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[repr(u8)]
pub enum ResultCode {
    /// Done.
    Ok = 0,
    /// The sensor does not know the opcode.
    UnsupportedOpcode = 1,
    /// A parameter is out of range.
    InvalidParameter = 2,
    /// The sensor cannot do it now.
    Busy = 3,
    /// It tried and failed.
    Failed = 4,
}

/// The sensor's answer to a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Response {
    /// Opcode of the command answered.
    pub opcode: u8,
    /// Token of the command answered.
    pub token: u8,
    /// Outcome.
    pub result: ResultCode,
    /// Sensor clock when it handled the command, µs (wraps).
    pub sensor_time_us: u32,
    /// For a time sync: the host time it carried; otherwise 0.
    pub host_time_us: u64,
}

impl Response {
    /// Decodes a response.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        check_header(bytes, Some(PacketKind::Response))?;
        need(WHAT_RESPONSE, bytes, RESPONSE_LEN)?;
        if bytes.len() != RESPONSE_LEN {
            return Err(DecodeError::LengthMismatch {
                what: WHAT_RESPONSE,
                expected: RESPONSE_LEN,
                len: bytes.len(),
            });
        }
        let result = match u8_at(bytes, 4) {
            0 => ResultCode::Ok,
            1 => ResultCode::UnsupportedOpcode,
            2 => ResultCode::InvalidParameter,
            3 => ResultCode::Busy,
            4 => ResultCode::Failed,
            other => return Err(invalid(WHAT_RESPONSE, "result", 4, u64::from(other))),
        };
        let reserved = u8_at(bytes, 5);
        if reserved != 0 {
            return Err(invalid(WHAT_RESPONSE, "reserved", 5, u64::from(reserved)));
        }
        Ok(Self {
            opcode: u8_at(bytes, 2),
            token: u8_at(bytes, 3),
            result,
            sensor_time_us: u32_at(bytes, 6),
            host_time_us: u64_at(bytes, 10),
        })
    }

    /// Encodes into `out`; returns the number of bytes written ([`RESPONSE_LEN`]).
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        room(WHAT_RESPONSE, out, RESPONSE_LEN)?;
        put_header(out, PacketKind::Response);
        put(out, 2, &[self.opcode, self.token, self.result as u8, 0]);
        put(out, 6, &self.sensor_time_us.to_le_bytes());
        put(out, 10, &self.host_time_us.to_le_bytes());
        Ok(RESPONSE_LEN)
    }
}

fn invalid(what: &'static str, field: &'static str, offset: usize, value: u64) -> DecodeError {
    DecodeError::InvalidField {
        what,
        field,
        offset,
        value,
    }
}
