//! Decoding and encoding errors.

use crate::PacketKind;

/// Why a packet could not be decoded. Every variant names the field (and where it applies the
/// byte offset) so a malformed packet can be reported precisely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The packet is shorter than its fixed part.
    #[error("{what}: {len} bytes, at least {needed} needed")]
    TooShort {
        /// What was being decoded.
        what: &'static str,
        /// Bytes needed.
        needed: usize,
        /// Bytes present.
        len: usize,
    },
    /// The packet's length does not match what its own count field says.
    #[error("{what}: {len} bytes, but its header announces {expected}")]
    LengthMismatch {
        /// What was being decoded.
        what: &'static str,
        /// Length implied by the header.
        expected: usize,
        /// Bytes present.
        len: usize,
    },
    /// Byte 0 is a protocol version this decoder does not speak.
    #[error("protocol version {version} not supported (this host speaks {supported})")]
    UnsupportedVersion {
        /// The version byte received.
        version: u8,
        /// The version this crate speaks.
        supported: u8,
    },
    /// Byte 1 is not a known packet kind.
    #[error("unknown packet kind 0x{kind:02x}")]
    UnknownKind {
        /// The kind byte received.
        kind: u8,
    },
    /// Byte 1 is a known kind, but not the one this decoder reads.
    #[error("expected a {expected:?} packet, got {got:?}")]
    WrongKind {
        /// The kind this decoder reads.
        expected: PacketKind,
        /// The kind received.
        got: PacketKind,
    },
    /// The packet ends inside a field (formats whose fields follow one another, so the first
    /// missing field and its offset can be named).
    #[error("{what}: ends at byte {len}, inside field {field} (bytes {offset}..{needed})")]
    Truncated {
        /// What was being decoded.
        what: &'static str,
        /// The field that is cut off.
        field: &'static str,
        /// Its byte offset in the packet.
        offset: usize,
        /// Bytes needed to hold the field (its offset plus its size).
        needed: usize,
        /// Bytes present.
        len: usize,
    },
    /// A field holds a value outside its range.
    #[error("{what}: field {field} at byte {offset} has invalid value {value}")]
    InvalidField {
        /// What was being decoded.
        what: &'static str,
        /// The field's name.
        field: &'static str,
        /// Its byte offset in the packet.
        offset: usize,
        /// The value found (widened).
        value: u64,
    },
}

/// Why a packet could not be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The output buffer is too small.
    #[error("{what}: buffer of {len} bytes, {needed} needed")]
    BufferTooSmall {
        /// What was being encoded.
        what: &'static str,
        /// Bytes needed.
        needed: usize,
        /// Buffer length.
        len: usize,
    },
    /// A field holds a value the format cannot carry.
    #[error("{what}: field {field} has value {value}, which the format cannot carry")]
    InvalidField {
        /// What was being encoded.
        what: &'static str,
        /// The field's name.
        field: &'static str,
        /// The value (widened).
        value: u64,
    },
}
