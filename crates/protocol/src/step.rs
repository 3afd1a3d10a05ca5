//! Step-event packets (kind 0x02), notified on [`crate::uuid::STEP`] by sensors that detect gait
//! events on board.
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 1 | version (1) |
//! | 1 | 1 | kind (0x02) |
//! | 2 | 2 | `seq`: u16 packet sequence number, +1 per step packet, wraps |
//! | 4 | 1 | `count`: u8 number of events, 1..=[`MAX_EVENTS`] |
//! | 5 | 1 | reserved, 0 |
//! | 6 | 8 × count | events |
//!
//! Each event (8 bytes):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 4 | `timestamp_us`: u32 sensor clock at the event (not at its detection), µs, wraps |
//! | 4 | 1 | `kind`: 0 = initial contact (heel strike), 1 = toe-off |
//! | 5 | 1 | `side`: 0 = unknown, 1 = left, 2 = right (a lower-back sensor tells which foot) |
//! | 6 | 1 | `confidence`: 0..=100 percent |
//! | 7 | 1 | `latency_ms`: u8 detection delay after the event, ms (saturates at 255) |

use crate::wire::{check_header, need, put, put_header, room, u8_at, u16_at, u32_at};
use crate::{DecodeError, EncodeError, PacketKind};

/// Bytes before the events.
pub const HEADER_LEN: usize = 6;
/// Bytes per event.
pub const EVENT_LEN: usize = 8;
/// Most events in one packet (70 bytes, at an ATT MTU of 73 or more; at the default MTU of 23,
/// whose notifications carry 20 bytes, one event of 14 bytes fits).
pub const MAX_EVENTS: usize = 8;
/// Longest step packet, bytes.
pub const MAX_LEN: usize = HEADER_LEN + EVENT_LEN * MAX_EVENTS;

const WHAT: &str = "step packet";

/// What kind of gait event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[repr(u8)]
pub enum StepKind {
    /// Initial contact (heel strike).
    InitialContact = 0,
    /// Toe-off (final contact).
    ToeOff = 1,
}

/// Which foot an event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[repr(u8)]
pub enum StepSide {
    /// Not known (a foot sensor leaves it to its placement).
    Unknown = 0,
    /// Left foot.
    Left = 1,
    /// Right foot.
    Right = 2,
}

/// One on-board gait event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StepEvent {
    /// Sensor clock at the event, µs (wraps).
    pub timestamp_us: u32,
    /// Initial contact or toe-off.
    pub kind: StepKind,
    /// Which foot.
    pub side: StepSide,
    /// Confidence, percent (0..=100).
    pub confidence: u8,
    /// Detection delay after the event, ms.
    pub latency_ms: u8,
}

const EMPTY: StepEvent = StepEvent {
    timestamp_us: 0,
    kind: StepKind::InitialContact,
    side: StepSide::Unknown,
    confidence: 0,
    latency_ms: 0,
};

/// A decoded step packet.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StepPacket {
    /// Packet sequence number.
    pub seq: u16,
    /// Number of valid entries in `events`.
    pub count: u8,
    /// The events; entries at `count` and beyond are unused.
    pub events: [StepEvent; MAX_EVENTS],
}

impl StepPacket {
    /// A packet holding `events` (at most [`MAX_EVENTS`]).
    pub fn new(seq: u16, events: &[StepEvent]) -> Result<Self, EncodeError> {
        if events.is_empty() || events.len() > MAX_EVENTS {
            return Err(EncodeError::InvalidField {
                what: WHAT,
                field: "count",
                value: events.len() as u64,
            });
        }
        let mut all = [EMPTY; MAX_EVENTS];
        all.iter_mut().zip(events).for_each(|(d, s)| *d = *s);
        Ok(Self {
            seq,
            count: events.len() as u8,
            events: all,
        })
    }

    /// The valid events.
    pub fn events(&self) -> &[StepEvent] {
        self.events.get(..usize::from(self.count)).unwrap_or(&[])
    }

    /// Decodes a step packet.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        check_header(bytes, Some(PacketKind::Step))?;
        need(WHAT, bytes, HEADER_LEN)?;
        let count = u8_at(bytes, 4);
        if count == 0 || usize::from(count) > MAX_EVENTS {
            return Err(invalid("count", 4, count));
        }
        let reserved = u8_at(bytes, 5);
        if reserved != 0 {
            return Err(invalid("reserved", 5, reserved));
        }
        let expected = HEADER_LEN + EVENT_LEN * usize::from(count);
        if bytes.len() != expected {
            return Err(DecodeError::LengthMismatch {
                what: WHAT,
                expected,
                len: bytes.len(),
            });
        }
        let mut events = [EMPTY; MAX_EVENTS];
        for (i, event) in events.iter_mut().take(usize::from(count)).enumerate() {
            let at = HEADER_LEN + i * EVENT_LEN;
            let kind = match u8_at(bytes, at + 4) {
                0 => StepKind::InitialContact,
                1 => StepKind::ToeOff,
                other => return Err(invalid("event kind", at + 4, other)),
            };
            let side = match u8_at(bytes, at + 5) {
                0 => StepSide::Unknown,
                1 => StepSide::Left,
                2 => StepSide::Right,
                other => return Err(invalid("event side", at + 5, other)),
            };
            let confidence = u8_at(bytes, at + 6);
            if confidence > 100 {
                return Err(invalid("event confidence", at + 6, confidence));
            }
            *event = StepEvent {
                timestamp_us: u32_at(bytes, at),
                kind,
                side,
                confidence,
                latency_ms: u8_at(bytes, at + 7),
            };
        }
        Ok(Self {
            seq: u16_at(bytes, 2),
            count,
            events,
        })
    }

    /// Encodes into `out`; returns the number of bytes written.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        if self.count == 0 || usize::from(self.count) > MAX_EVENTS {
            return Err(EncodeError::InvalidField {
                what: WHAT,
                field: "count",
                value: u64::from(self.count),
            });
        }
        if let Some(bad) = self.events().iter().find(|e| e.confidence > 100) {
            return Err(EncodeError::InvalidField {
                what: WHAT,
                field: "event confidence",
                value: u64::from(bad.confidence),
            });
        }
        let len = HEADER_LEN + EVENT_LEN * usize::from(self.count);
        room(WHAT, out, len)?;
        put_header(out, PacketKind::Step);
        put(out, 2, &self.seq.to_le_bytes());
        put(out, 4, &[self.count, 0]);
        for (i, e) in self.events().iter().enumerate() {
            let at = HEADER_LEN + i * EVENT_LEN;
            put(out, at, &e.timestamp_us.to_le_bytes());
            put(
                out,
                at + 4,
                &[e.kind as u8, e.side as u8, e.confidence, e.latency_ms],
            );
        }
        Ok(len)
    }
}

fn invalid(field: &'static str, offset: usize, value: u8) -> DecodeError {
    DecodeError::InvalidField {
        what: WHAT,
        field,
        offset,
        value: u64::from(value),
    }
}
