//! Notifications on the [`DATA`](super::gatt::DATA) characteristic: command results and
//! subscription data.
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 1 | response type: 1 = COMMAND_RESULT, 2 = DATA, 3 = DATA_PART2 (4 = DATA_PART3, declared, never sent) |
//! | 1 | 1 | the client reference of the command or subscription |
//! | 2 | n | payload |
//!
//! **Payloads.** A COMMAND_RESULT to HELLO carries the ASCII text `Hello`; the only status the app
//! sends is 507 (no free subscription slot) as the two bytes `0x01 0xFB`, i.e. big-endian. A
//! successful or failed SUBSCRIBE is *not* answered at all: data either starts or does not. A
//! DATA payload is the subscribed resource's notification serialised without headers (for the
//! IMU kinds see [`super::imu`]).
//!
//! **Split data.** The app cuts a serialised notification longer than [`FIRST_PART_LEN`] (150)
//! bytes in two: a DATA with exactly its first 150 bytes, then a DATA_PART2 (same reference) with
//! the rest, which its 158-byte buffer limits to [`MAX_PART_LEN`] (156) bytes; so one piece of
//! data is at most [`MAX_DATA_LEN`] (306) bytes. [`super::assembler::DataAssembler`] puts the
//! halves together. Releases before 2.2.1 did not send the second part (CHANGES.md, 2.2.1:
//! "Live-streams missing DATA_PART2 on gatt_sensordata_app").
//!
//! Source: the comment blocks and `enum Responses`, `handleIncomingCommand` and `onNotify` in
//! `samples/gatt_sensordata_app/GATTSensorDataClient.cpp`; the combining of the parts in the
//! app's `python_client/movesense_sensor_data.py` (part 2's payload appended after part 1's).

use crate::wire::{put, room, u8_at};
use crate::{DecodeError, EncodeError};

/// Response type: the result of a command.
pub const RESPONSE_COMMAND_RESULT: u8 = 1;
/// Response type: subscription data (whole, or the first part).
pub const RESPONSE_DATA: u8 = 2;
/// Response type: the second part of subscription data.
pub const RESPONSE_DATA_PART2: u8 = 3;
/// Response type: a third part, declared by the app but never sent by it.
pub const RESPONSE_DATA_PART3: u8 = 4;
/// Bytes before the payload.
pub const HEADER_LEN: usize = 2;
/// Payload bytes in the first part of split data.
pub const FIRST_PART_LEN: usize = 150;
/// Most payload bytes in any one notification (the app's 158-byte buffer less the header).
pub const MAX_PART_LEN: usize = 156;
/// Most bytes of one piece of subscription data, both parts together.
pub const MAX_DATA_LEN: usize = FIRST_PART_LEN + MAX_PART_LEN;

const WHAT: &str = "Movesense notification";

/// What a notification is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ResponseType {
    /// The result of a command (type 1).
    CommandResult,
    /// Subscription data, whole or its first part (type 2).
    Data,
    /// The second part of subscription data (type 3).
    DataPart2,
    /// A third part (type 4): declared by the app, never sent by it.
    DataPart3,
}

impl ResponseType {
    /// The type for a byte, if it is one.
    pub fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            RESPONSE_COMMAND_RESULT => Some(Self::CommandResult),
            RESPONSE_DATA => Some(Self::Data),
            RESPONSE_DATA_PART2 => Some(Self::DataPart2),
            RESPONSE_DATA_PART3 => Some(Self::DataPart3),
            _ => None,
        }
    }

    /// The type's byte.
    pub fn byte(self) -> u8 {
        match self {
            Self::CommandResult => RESPONSE_COMMAND_RESULT,
            Self::Data => RESPONSE_DATA,
            Self::DataPart2 => RESPONSE_DATA_PART2,
            Self::DataPart3 => RESPONSE_DATA_PART3,
        }
    }
}

/// One notification, its payload borrowed from the received bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notification<'a> {
    /// What it is.
    pub response: ResponseType,
    /// The client reference it answers.
    pub reference: u8,
    /// Everything after the header.
    pub payload: &'a [u8],
}

impl<'a> Notification<'a> {
    /// Decodes a notification. Any payload length is accepted here; the payload's own decoder
    /// checks it.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        for (offset, field) in [(0, "response type"), (1, "reference")] {
            if bytes.len() <= offset {
                return Err(DecodeError::Truncated {
                    what: WHAT,
                    field,
                    offset,
                    needed: offset + 1,
                    len: bytes.len(),
                });
            }
        }
        let type_byte = u8_at(bytes, 0);
        let response = ResponseType::from_byte(type_byte).ok_or(DecodeError::InvalidField {
            what: WHAT,
            field: "response type",
            offset: 0,
            value: u64::from(type_byte),
        })?;
        Ok(Self {
            response,
            reference: u8_at(bytes, 1),
            payload: bytes.get(HEADER_LEN..).unwrap_or_default(),
        })
    }

    /// Encodes into `out` (as a sensor, or a test, would send it); returns the length.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        let len = HEADER_LEN + self.payload.len();
        room(WHAT, out, len)?;
        put(out, 0, &[self.response.byte(), self.reference]);
        put(out, HEADER_LEN, self.payload);
        Ok(len)
    }

    /// For a COMMAND_RESULT with a 2-byte payload, that payload as a status code, read
    /// big-endian as the app writes its one status (507 as `0x01 0xFB`). The app's web client
    /// reads the same two bytes in host order instead; the app is the sender, so its order is
    /// taken, and no other status is ever sent by it.
    pub fn status_code(&self) -> Option<u16> {
        match (self.response, self.payload) {
            (ResponseType::CommandResult, &[hi, lo]) => Some(u16::from_be_bytes([hi, lo])),
            _ => None,
        }
    }

    /// Whether this is the app's answer to HELLO (payload `Hello`).
    pub fn is_hello_reply(&self) -> bool {
        self.response == ResponseType::CommandResult && self.payload == b"Hello"
    }
}

/// Lengths of the notifications [`split_data`] wrote: the DATA, and the DATA_PART2 (0 if none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitLens {
    /// Length of the DATA notification written to `first`.
    pub first: usize,
    /// Length of the DATA_PART2 written to `second`, or 0 when the data fitted in one.
    pub second: usize,
}

/// Encodes one piece of subscription data the way the app sends it: whole in one DATA if it is
/// at most [`FIRST_PART_LEN`] bytes, else its first 150 bytes in a DATA and the rest in a
/// DATA_PART2. Data longer than [`MAX_DATA_LEN`] is refused (the app cannot send it).
pub fn split_data(
    reference: u8,
    data: &[u8],
    first: &mut [u8],
    second: &mut [u8],
) -> Result<SplitLens, EncodeError> {
    if data.len() > MAX_DATA_LEN {
        return Err(EncodeError::InvalidField {
            what: WHAT,
            field: "data length",
            value: data.len() as u64,
        });
    }
    let (head, tail) = data.split_at(data.len().min(FIRST_PART_LEN));
    let first_len = Notification {
        response: ResponseType::Data,
        reference,
        payload: head,
    }
    .encode(first)?;
    let second_len = if tail.is_empty() {
        0
    } else {
        Notification {
            response: ResponseType::DataPart2,
            reference,
            payload: tail,
        }
        .encode(second)?
    };
    Ok(SplitLens {
        first: first_len,
        second: second_len,
    })
}
