//! Little-endian field access on byte slices, bounds-checked by the callers' length checks.

use crate::{DecodeError, EncodeError, PROTOCOL_VERSION, PacketKind};

/// Checks the common header; with `expected`, also that the kind is that one. Returns the kind.
pub(crate) fn check_header(
    bytes: &[u8],
    expected: Option<PacketKind>,
) -> Result<PacketKind, DecodeError> {
    let (Some(&version), Some(&kind_byte)) = (bytes.first(), bytes.get(1)) else {
        return Err(DecodeError::TooShort {
            what: "packet header",
            needed: crate::COMMON_HEADER_LEN,
            len: bytes.len(),
        });
    };
    if version != PROTOCOL_VERSION {
        return Err(DecodeError::UnsupportedVersion {
            version,
            supported: PROTOCOL_VERSION,
        });
    }
    let kind =
        PacketKind::from_byte(kind_byte).ok_or(DecodeError::UnknownKind { kind: kind_byte })?;
    match expected {
        Some(expected) if expected != kind => Err(DecodeError::WrongKind {
            expected,
            got: kind,
        }),
        _ => Ok(kind),
    }
}

/// Fails unless `bytes` has at least `needed` bytes.
pub(crate) fn need(what: &'static str, bytes: &[u8], needed: usize) -> Result<(), DecodeError> {
    if bytes.len() < needed {
        Err(DecodeError::TooShort {
            what,
            needed,
            len: bytes.len(),
        })
    } else {
        Ok(())
    }
}

/// Fails unless `out` has room for `needed` bytes.
pub(crate) fn room(what: &'static str, out: &[u8], needed: usize) -> Result<(), EncodeError> {
    if out.len() < needed {
        Err(EncodeError::BufferTooSmall {
            what,
            needed,
            len: out.len(),
        })
    } else {
        Ok(())
    }
}

fn array<const N: usize>(bytes: &[u8], offset: usize) -> [u8; N] {
    let mut out = [0u8; N];
    if let Some(src) = bytes.get(offset..offset + N) {
        out.copy_from_slice(src);
    }
    out
}

pub(crate) fn u8_at(bytes: &[u8], offset: usize) -> u8 {
    bytes.get(offset).copied().unwrap_or(0)
}
pub(crate) fn u16_at(bytes: &[u8], offset: usize) -> u16 {
    u16::from_le_bytes(array(bytes, offset))
}
pub(crate) fn i16_at(bytes: &[u8], offset: usize) -> i16 {
    i16::from_le_bytes(array(bytes, offset))
}
pub(crate) fn u32_at(bytes: &[u8], offset: usize) -> u32 {
    u32::from_le_bytes(array(bytes, offset))
}
pub(crate) fn u64_at(bytes: &[u8], offset: usize) -> u64 {
    u64::from_le_bytes(array(bytes, offset))
}

pub(crate) fn put(out: &mut [u8], offset: usize, value: &[u8]) {
    if let Some(dst) = out.get_mut(offset..offset + value.len()) {
        dst.copy_from_slice(value);
    }
}

/// Writes the common header.
pub(crate) fn put_header(out: &mut [u8], kind: PacketKind) {
    put(out, 0, &[PROTOCOL_VERSION, kind as u8]);
}

/// Fails with [`DecodeError::Truncated`] naming the first of `fields` (name, offset, size) that
/// `bytes` does not hold whole.
pub(crate) fn need_fields(
    what: &'static str,
    bytes: &[u8],
    fields: &[(&'static str, usize, usize)],
) -> Result<(), DecodeError> {
    match fields
        .iter()
        .find(|&&(_, offset, size)| offset + size > bytes.len())
    {
        Some(&(field, offset, size)) => Err(DecodeError::Truncated {
            what,
            field,
            offset,
            needed: offset + size,
            len: bytes.len(),
        }),
        None => Ok(()),
    }
}
