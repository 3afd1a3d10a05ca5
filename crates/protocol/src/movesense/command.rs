//! Commands a client writes to the [`COMMAND`](super::gatt::COMMAND) characteristic.
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 1 | command: 0 = HELLO, 1 = SUBSCRIBE, 2 = UNSUBSCRIBE (3 = FETCH_LOG, not implemented here) |
//! | 1 | 1 | client reference, chosen by the client, **not zero** |
//! | 2 | n | SUBSCRIBE only: the resource path as ASCII, no terminator (the app copies it into a zeroed buffer) |
//!
//! Source: the comment block "Simple command structure" and `handleIncomingCommand` in
//! `samples/gatt_sensordata_app/GATTSensorDataClient.cpp`. The reference ties the sensor's
//! answers (and a subscription's data) to the command; UNSUBSCRIBE names the subscription by the
//! reference given in its SUBSCRIBE. Zero is refused because the app marks a free subscription
//! slot with reference 0. The app holds at most 4 subscriptions (`MAX_DATASUB_COUNT`).

use super::path::{self, ResourcePath};
use crate::wire::{need, put, room, u8_at};
use crate::{DecodeError, EncodeError};

/// Command byte: HELLO (the sensor answers `"Hello"`).
pub const CMD_HELLO: u8 = 0;
/// Command byte: SUBSCRIBE to the resource path that follows.
pub const CMD_SUBSCRIBE: u8 = 1;
/// Command byte: UNSUBSCRIBE the subscription with this reference.
pub const CMD_UNSUBSCRIBE: u8 = 2;
/// Longest command this module writes, bytes.
pub const MAX_LEN: usize = 2 + path::MAX_LEN;
/// Most subscriptions the app holds at once; a fifth SUBSCRIBE is answered with status 507.
pub const MAX_SUBSCRIPTIONS: usize = 4;

const WHAT: &str = "Movesense command";

/// A command to the sensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Asks the sensor to answer `"Hello"` (a liveness check).
    Hello {
        /// Client reference, not zero.
        reference: u8,
    },
    /// Subscribes to a resource; its data comes in notifications with this reference.
    Subscribe {
        /// Client reference, not zero, unique among the open subscriptions.
        reference: u8,
        /// What to subscribe to.
        path: ResourcePath,
    },
    /// Ends the subscription that was opened with this reference.
    Unsubscribe {
        /// The reference given in the SUBSCRIBE.
        reference: u8,
    },
}

impl Command {
    /// A subscription to `path` under `reference`.
    pub fn subscribe(reference: u8, path: ResourcePath) -> Self {
        Self::Subscribe { reference, path }
    }

    /// The command's client reference.
    pub fn reference(&self) -> u8 {
        match *self {
            Self::Hello { reference }
            | Self::Subscribe { reference, .. }
            | Self::Unsubscribe { reference } => reference,
        }
    }

    /// Encodes into `out`; returns the number of bytes written. Reference 0 is refused.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        let reference = self.reference();
        if reference == 0 {
            return Err(EncodeError::InvalidField {
                what: WHAT,
                field: "reference",
                value: 0,
            });
        }
        match self {
            Self::Hello { .. } | Self::Unsubscribe { .. } => {
                room(WHAT, out, 2)?;
                let cmd = if matches!(self, Self::Hello { .. }) {
                    CMD_HELLO
                } else {
                    CMD_UNSUBSCRIBE
                };
                put(out, 0, &[cmd, reference]);
                Ok(2)
            }
            Self::Subscribe { path, .. } => {
                let mut text = [0u8; path::MAX_LEN];
                let n = path.encode(&mut text)?;
                let body = text.get(..n).unwrap_or_default();
                room(WHAT, out, 2 + n)?;
                put(out, 0, &[CMD_SUBSCRIBE, reference]);
                put(out, 2, body);
                Ok(2 + n)
            }
        }
    }

    /// Decodes a command (what a sensor, or a simulated one, reads from its characteristic).
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        if bytes.is_empty() {
            return Err(DecodeError::Truncated {
                what: WHAT,
                field: "command",
                offset: 0,
                needed: 1,
                len: 0,
            });
        }
        need_field(bytes, "reference", 1)?;
        let reference = u8_at(bytes, 1);
        if reference == 0 {
            return Err(DecodeError::InvalidField {
                what: WHAT,
                field: "reference",
                offset: 1,
                value: 0,
            });
        }
        match u8_at(bytes, 0) {
            cmd @ (CMD_HELLO | CMD_UNSUBSCRIBE) => {
                if bytes.len() != 2 {
                    return Err(DecodeError::LengthMismatch {
                        what: WHAT,
                        expected: 2,
                        len: bytes.len(),
                    });
                }
                Ok(if cmd == CMD_HELLO {
                    Self::Hello { reference }
                } else {
                    Self::Unsubscribe { reference }
                })
            }
            CMD_SUBSCRIBE => {
                need(WHAT, bytes, 2)?;
                let text = bytes.get(2..).unwrap_or_default();
                let path = ResourcePath::decode_at(text, 2, WHAT)?;
                Ok(Self::Subscribe { reference, path })
            }
            other => Err(DecodeError::InvalidField {
                what: WHAT,
                field: "command",
                offset: 0,
                value: u64::from(other),
            }),
        }
    }
}

fn need_field(bytes: &[u8], field: &'static str, offset: usize) -> Result<(), DecodeError> {
    if bytes.len() <= offset {
        Err(DecodeError::Truncated {
            what: WHAT,
            field,
            offset,
            needed: offset + 1,
            len: bytes.len(),
        })
    } else {
        Ok(())
    }
}
