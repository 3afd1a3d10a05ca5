//! The delta-compressed sample format (frame type byte with bit 7 set;
//! online_measurement.pdf §4.3.2–4.3.3, and the 2021 specification's "Delta frame sample
//! example from Polar Verity Sense").
//!
//! After the 10-byte frame header:
//!
//! 1. The **reference sample**: one value per channel, each `ceil(resolution / 8)` bytes,
//!    little-endian, signed (two's complement in that many bytes). It is the frame's first sample.
//! 2. Then **blocks** until the frame ends, each:
//!    - 1 byte: delta bit width *w*,
//!    - 1 byte: sample count *c*,
//!    - `ceil(w × channels × c / 8)` bytes: *c* samples of one *w*-bit signed delta per channel,
//!      channel-interleaved (x, y, z, x, y, z, …), packed back to back and read least
//!      significant bit first. The block's last byte is padded; the next block starts on a byte.
//!
//! Each sample is the previous one plus its deltas, channel by channel.
//!
//! The documents' worked example uses 8-bit deltas, which cannot show the bit order or the
//! packing across bytes, and the documents do not state either. Least-significant-bit first
//! and packing per block (not per sample) are what a real Verity Sense ACC frame posted in
//! polar-ble-sdk issue #443 needs: read so, its 10-bit block of 47 samples ends exactly at the
//! frame's reported 227 bytes (packed per sample it would need 238), and its samples continue
//! smoothly from the 8-bit block before it at about 1 g; read most-significant-bit first they
//! jump. The test `delta_packing_matches_a_real_verity_sense_frame` checks both.
//!
//! Decoding is an iterator ([`DeltaSamples`]) over the frame's bytes rather than a fill of a
//! caller's buffer: the number of samples in a frame is only known by walking its blocks (a
//! 232-byte frame of 1-bit deltas holds hundreds), so no buffer size is right for every frame; and
//! a frame cut short still yields the samples before the cut, then the error naming it.

use crate::DecodeError;
use crate::polar::settings::DeltaFormat;

const WHAT: &str = "PMD delta frame";

/// Widest delta a block may declare (a value is at most 32 bits).
pub const MAX_DELTA_BITS: u8 = 32;

#[derive(Debug, Clone, Copy)]
enum State {
    Reference,
    /// The next block header is at byte `at` (or the frame ends there).
    Header {
        at: usize,
    },
    /// In a block: `remaining` samples left, the next starting at bit `bit` of the frame; the
    /// block's data ends at byte `end`.
    Block {
        width: u8,
        remaining: u8,
        bit: usize,
        end: usize,
    },
    Done,
}

/// The samples of a delta-compressed frame, `N` channels each, in order. Yields `Err` once (the
/// field and offset where the frame is cut short or wrong) and then ends.
#[derive(Debug, Clone)]
pub struct DeltaSamples<'a, const N: usize> {
    bytes: &'a [u8],
    start: usize,
    value_bytes: usize,
    previous: [i32; N],
    state: State,
}

impl<'a, const N: usize> DeltaSamples<'a, N> {
    /// Samples of the delta data starting at byte `start` of `bytes` (the whole notification, so
    /// error offsets are the notification's), in the measurement's `format`. Fails if the format
    /// is not `N` channels of 1 to 32 bits.
    pub fn new(bytes: &'a [u8], start: usize, format: DeltaFormat) -> Result<Self, DecodeError> {
        if usize::from(format.channels) != N || N == 0 {
            return Err(DecodeError::InvalidField {
                what: WHAT,
                field: "channels (from the settings)",
                offset: start,
                value: u64::from(format.channels),
            });
        }
        if format.resolution_bits == 0 || format.resolution_bits > 32 {
            return Err(DecodeError::InvalidField {
                what: WHAT,
                field: "resolution (from the settings)",
                offset: start,
                value: u64::from(format.resolution_bits),
            });
        }
        Ok(Self {
            bytes,
            start,
            value_bytes: usize::from(format.resolution_bits.div_ceil(8)),
            previous: [0; N],
            state: State::Reference,
        })
    }

    fn fail(&mut self, error: DecodeError) -> Option<Result<[i32; N], DecodeError>> {
        self.state = State::Done;
        Some(Err(error))
    }

    fn reference(&mut self) -> Option<Result<[i32; N], DecodeError>> {
        let end = self.start + N * self.value_bytes;
        if end > self.bytes.len() {
            return self.fail(truncated(
                "reference sample",
                self.start,
                end,
                self.bytes.len(),
            ));
        }
        let mut sample = [0i32; N];
        for (channel, value) in sample.iter_mut().enumerate() {
            let at = self.start + channel * self.value_bytes;
            let raw = self
                .bytes
                .get(at..at + self.value_bytes)
                .unwrap_or_default();
            let unsigned = raw
                .iter()
                .rev()
                .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
            *value = sign_extend(unsigned, 8 * self.value_bytes as u32);
        }
        self.previous = sample;
        // The first block header is read on the next call, so a frame cut right after the
        // reference still yields it.
        self.state = State::Header { at: end };
        Some(Ok(sample))
    }

    /// Reads the block header at byte `at` (or ends the frame there).
    fn open_block(&mut self, at: usize) -> Result<(), DecodeError> {
        if at == self.bytes.len() {
            self.state = State::Done;
            return Ok(());
        }
        if at + 2 > self.bytes.len() {
            return Err(truncated(
                "delta block header",
                at,
                at + 2,
                self.bytes.len(),
            ));
        }
        let width = self.bytes.get(at).copied().unwrap_or(0);
        let count = self.bytes.get(at + 1).copied().unwrap_or(0);
        if width > MAX_DELTA_BITS {
            return Err(DecodeError::InvalidField {
                what: WHAT,
                field: "delta bit width",
                offset: at,
                value: u64::from(width),
            });
        }
        let data_bits = usize::from(width) * N * usize::from(count);
        self.state = State::Block {
            width,
            remaining: count,
            bit: (at + 2) * 8,
            end: at + 2 + data_bits.div_ceil(8),
        };
        Ok(())
    }

    fn delta_sample(
        &mut self,
        width: u8,
        remaining: u8,
        bit: usize,
        end: usize,
    ) -> Option<Result<[i32; N], DecodeError>> {
        let sample_bits = usize::from(width) * N;
        if (bit + sample_bits).div_ceil(8) > self.bytes.len() {
            return self.fail(truncated("delta sample", bit / 8, end, self.bytes.len()));
        }
        let mut sample = self.previous;
        for (channel, value) in sample.iter_mut().enumerate() {
            let delta = read_bits(self.bytes, bit + channel * usize::from(width), width);
            *value = value.wrapping_add(delta);
        }
        self.previous = sample;
        self.state = State::Block {
            width,
            remaining: remaining - 1,
            bit: bit + sample_bits,
            end,
        };
        Some(Ok(sample))
    }
}

impl<const N: usize> Iterator for DeltaSamples<'_, N> {
    type Item = Result<[i32; N], DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.state {
                State::Done => return None,
                State::Reference => return self.reference(),
                State::Header { at } => {
                    if let Err(e) = self.open_block(at) {
                        return self.fail(e);
                    }
                }
                State::Block {
                    width,
                    remaining,
                    bit,
                    end,
                } => {
                    if remaining > 0 {
                        return self.delta_sample(width, remaining, bit, end);
                    }
                    // The block is done (a block of zero samples is legal and empty).
                    self.state = State::Header { at: end };
                }
            }
        }
    }
}

/// `width` bits (0..=32) starting at bit `bit` of `bytes`, least significant first, as a signed
/// value. Bits past the end read as 0 (callers check lengths first).
fn read_bits(bytes: &[u8], bit: usize, width: u8) -> i32 {
    if width == 0 {
        return 0;
    }
    let first = bit / 8;
    let mut window = 0u64;
    for i in 0..5 {
        let byte = bytes.get(first + i).copied().unwrap_or(0);
        window |= u64::from(byte) << (8 * i);
    }
    let shifted = window >> (bit % 8);
    let mask = if width >= 32 {
        u64::from(u32::MAX)
    } else {
        (1u64 << width) - 1
    };
    sign_extend((shifted & mask) as u32, u32::from(width))
}

/// Sign-extends the low `bits` (1..=32) of `value`.
pub(crate) fn sign_extend(value: u32, bits: u32) -> i32 {
    if bits == 0 {
        return 0;
    }
    if bits >= 32 {
        return value as i32;
    }
    let shift = 32 - bits;
    ((value << shift) as i32) >> shift
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_extension() {
        assert_eq!(sign_extend(0xffd0, 16), -48);
        assert_eq!(sign_extend(0x0165, 16), 357);
        assert_eq!(sign_extend(0b111, 3), -1);
        assert_eq!(sign_extend(0b011, 3), 3);
        assert_eq!(sign_extend(0x8000_0000, 32), i32::MIN);
    }

    #[test]
    fn bits_are_read_least_significant_first_across_bytes() {
        // 0b1010_1100, 0b0000_0011: 3-bit fields from bit 0 are 100, 101, 110 (from bit 6: the
        // top two bits of byte 0 and the low bit of byte 1).
        let bytes = [0b1010_1100u8, 0b0000_0011];
        assert_eq!(read_bits(&bytes, 0, 3), -4);
        assert_eq!(read_bits(&bytes, 3, 3), -3);
        assert_eq!(read_bits(&bytes, 6, 3), -2);
        assert_eq!(read_bits(&bytes, 9, 3), 1);
    }
}
