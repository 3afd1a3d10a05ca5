//! UF2 images for the Adafruit nRF52 UF2 bootloader on the Seeed XIAO nRF52840 Sense, written in the
//! project from Microsoft's UF2 specification (github.com/microsoft/uf2, README "File format"):
//! the file is a run of 512-byte blocks, each carrying up to 476 bytes of payload (256 here, as
//! the specification recommends and the bootloader writes) for one flash address, framed by three
//! magic numbers, with the block's number, the block count, and (flag 0x2000) a family ID saying
//! which chip the file is for: 0xADA52840 for the nRF52840, which that bootloader requires.
//!
//! [`elf`] takes the image from the linked ELF's load segments (their load addresses, so the
//! initial values of `.data` come along); [`encode`] makes the blocks over one contiguous flash
//! range (gaps filled with 0xFF, the erased value); [`decode`] reads a file back and checks every
//! framing rule; [`check_image`] checks what a decoded image must be to boot behind the bootloader.

pub mod elf;

/// Bytes in one UF2 block.
pub const BLOCK_BYTES: usize = 512;
/// Payload bytes per block used here (the specification's recommended 256).
pub const PAYLOAD_BYTES: usize = 256;
/// Largest payload a block can hold (476 bytes between the header and the final magic).
pub const MAX_PAYLOAD_BYTES: usize = 476;
/// First magic number, "UF2\n" little-endian.
pub const MAGIC_START0: u32 = 0x0A32_4655;
/// Second magic number.
pub const MAGIC_START1: u32 = 0x9E5D_5157;
/// Final magic number, at offset 508.
pub const MAGIC_END: u32 = 0x0AB1_6F30;
/// Flag: the block is not for the main flash (the bootloader skips it).
pub const FLAG_NOT_MAIN_FLASH: u32 = 0x0000_0001;
/// Flag: the word at offset 28 is a family ID (instead of the file size).
pub const FLAG_FAMILY_ID_PRESENT: u32 = 0x0000_2000;
/// Family ID of the nRF52840, as the Adafruit nRF52 bootloader expects for an application.
pub const FAMILY_NRF52840: u32 = 0xADA5_2840;

/// A flash image: bytes to be written from `base_address` on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// Flash address of the first byte.
    pub base_address: u32,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl Image {
    /// One past the last address the image writes.
    pub fn end_address(&self) -> u64 {
        u64::from(self.base_address) + self.bytes.len() as u64
    }
}

/// What is wrong with a UF2 file or an image.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Uf2Error {
    /// The base address is not a multiple of the payload size.
    #[error("UF2 encode: base address {0:#010x} is not a multiple of {PAYLOAD_BYTES}")]
    Unaligned(u32),
    /// The image runs past the 32-bit address space.
    #[error("UF2 encode: image of {len} bytes at {base:#010x} runs past 4 GiB")]
    TooLarge {
        /// Base address.
        base: u32,
        /// Length in bytes.
        len: usize,
    },
    /// The file is empty or not a whole number of blocks.
    #[error("UF2 file: {0} bytes is not a positive multiple of 512")]
    Length(usize),
    /// A block's magic numbers are wrong.
    #[error("UF2 block {block}: bad magic number at offset {offset}")]
    Magic {
        /// Block index in the file.
        block: usize,
        /// Byte offset of the wrong magic within the block.
        offset: usize,
    },
    /// A block lacks the family ID, or names another family.
    #[error(
        "UF2 block {block}: family {found:#010x} (flags {flags:#010x}), expected {expected:#010x}"
    )]
    Family {
        /// Block index in the file.
        block: usize,
        /// The flags word.
        flags: u32,
        /// The family word.
        found: u32,
        /// The family required.
        expected: u32,
    },
    /// A block's number or count disagrees with its place in the file.
    #[error("UF2 block {block}: says block {number} of {count}, file has {blocks} blocks")]
    Numbering {
        /// Block index in the file.
        block: usize,
        /// blockNo field.
        number: u32,
        /// numBlocks field.
        count: u32,
        /// Blocks in the file.
        blocks: usize,
    },
    /// A block's payload size is not the one used here, or flags it as not for the main flash.
    #[error("UF2 block {block}: payload {size} bytes, flags {flags:#010x}")]
    Payload {
        /// Block index in the file.
        block: usize,
        /// payloadSize field.
        size: u32,
        /// The flags word.
        flags: u32,
    },
    /// A block's address does not follow the previous block's payload.
    #[error("UF2 block {block}: address {found:#010x}, expected {expected:#010x} (not contiguous)")]
    Address {
        /// Block index in the file.
        block: usize,
        /// targetAddr field.
        found: u32,
        /// The address that would continue the previous block.
        expected: u64,
    },
}

fn word(block: &[u8], offset: usize) -> u32 {
    u32::from_le_bytes([
        block[offset],
        block[offset + 1],
        block[offset + 2],
        block[offset + 3],
    ])
}

/// The UF2 file for `image`: one block per 256 bytes (the last padded with 0xFF), numbered in
/// order, every block carrying `family`.
pub fn encode(image: &Image, family: u32) -> Result<Vec<u8>, Uf2Error> {
    if !(image.base_address as usize).is_multiple_of(PAYLOAD_BYTES) {
        return Err(Uf2Error::Unaligned(image.base_address));
    }
    if image.end_address() > 1 << 32 {
        return Err(Uf2Error::TooLarge {
            base: image.base_address,
            len: image.bytes.len(),
        });
    }
    let chunks: Vec<&[u8]> = image.bytes.chunks(PAYLOAD_BYTES).collect();
    let count = chunks.len() as u32;
    let mut out = Vec::with_capacity(chunks.len() * BLOCK_BYTES);
    for (i, chunk) in chunks.iter().enumerate() {
        let mut block = [0u8; BLOCK_BYTES];
        let address = image.base_address + (i * PAYLOAD_BYTES) as u32;
        let header = [
            MAGIC_START0,
            MAGIC_START1,
            FLAG_FAMILY_ID_PRESENT,
            address,
            PAYLOAD_BYTES as u32,
            i as u32,
            count,
            family,
        ];
        for (k, w) in header.iter().enumerate() {
            block[4 * k..4 * k + 4].copy_from_slice(&w.to_le_bytes());
        }
        block[32..32 + PAYLOAD_BYTES].fill(0xFF);
        block[32..32 + chunk.len()].copy_from_slice(chunk);
        block[508..512].copy_from_slice(&MAGIC_END.to_le_bytes());
        out.extend_from_slice(&block);
    }
    Ok(out)
}

/// Reads a UF2 file made by [`encode`] (or any file that keeps the same rules: every block framed
/// by the three magics, for the main flash, of `family`, 256-byte payloads, numbered 0..n of n,
/// addresses contiguous), giving back the image it writes.
pub fn decode(file: &[u8], family: u32) -> Result<Image, Uf2Error> {
    if file.is_empty() || !file.len().is_multiple_of(BLOCK_BYTES) {
        return Err(Uf2Error::Length(file.len()));
    }
    let blocks = file.len() / BLOCK_BYTES;
    let mut bytes = Vec::with_capacity(blocks * PAYLOAD_BYTES);
    let mut base_address = 0;
    for (i, block) in file.chunks_exact(BLOCK_BYTES).enumerate() {
        for (offset, magic) in [(0, MAGIC_START0), (4, MAGIC_START1), (508, MAGIC_END)] {
            if word(block, offset) != magic {
                return Err(Uf2Error::Magic { block: i, offset });
            }
        }
        let flags = word(block, 8);
        let found = word(block, 28);
        if flags & FLAG_FAMILY_ID_PRESENT == 0 || found != family {
            return Err(Uf2Error::Family {
                block: i,
                flags,
                found,
                expected: family,
            });
        }
        let (number, count) = (word(block, 20), word(block, 24));
        if number as usize != i || count as usize != blocks {
            return Err(Uf2Error::Numbering {
                block: i,
                number,
                count,
                blocks,
            });
        }
        let size = word(block, 16);
        if size as usize != PAYLOAD_BYTES || flags & FLAG_NOT_MAIN_FLASH != 0 {
            return Err(Uf2Error::Payload {
                block: i,
                size,
                flags,
            });
        }
        let address = word(block, 12);
        if i == 0 {
            base_address = address;
        } else {
            let expected = u64::from(base_address) + bytes.len() as u64;
            if u64::from(address) != expected {
                return Err(Uf2Error::Address {
                    block: i,
                    found: address,
                    expected,
                });
            }
        }
        bytes.extend_from_slice(&block[32..32 + PAYLOAD_BYTES]);
    }
    Ok(Image {
        base_address,
        bytes,
    })
}

/// Where an application may go and what it must look like to boot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppRegion {
    /// Where the bootloader jumps to: the image's vector table (0x27000 behind S140 7.3.0).
    pub start: u32,
    /// One past the last address the bootloader accepts for an application.
    pub end: u32,
    /// RAM the initial stack pointer must lie in (`[start, end]`, the stack grows down from it).
    pub ram: (u32, u32),
    /// Size budget of the image in bytes.
    pub budget_bytes: u32,
}

/// What is wrong with a decoded image for its region.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// The image does not start at the application start.
    #[error("image starts at {found:#010x}, the bootloader jumps to {expected:#010x}")]
    Start {
        /// Image base.
        found: u32,
        /// Application start.
        expected: u32,
    },
    /// The image runs past the application region.
    #[error("image ends at {end:#010x}, past the application region's end {limit:#010x}")]
    End {
        /// One past the image's last byte.
        end: u64,
        /// Region end.
        limit: u32,
    },
    /// The image is larger than its budget.
    #[error("image is {bytes} bytes, over its budget of {budget} bytes")]
    Budget {
        /// Image size.
        bytes: usize,
        /// Budget.
        budget: u32,
    },
    /// The vector table's first two words do not make sense.
    #[error("vector table: initial SP {sp:#010x}, reset handler {reset:#010x}")]
    VectorTable {
        /// Word 0.
        sp: u32,
        /// Word 1.
        reset: u32,
    },
}

/// Checks that `image` boots from `region`: it starts at the application start with a vector table
/// (initial stack pointer in RAM, reset handler a Thumb address inside the image), ends inside the
/// region, and fits its budget. Returns the image's size in bytes (padding included).
pub fn check_image(image: &Image, region: &AppRegion) -> Result<usize, ImageError> {
    if image.base_address != region.start {
        return Err(ImageError::Start {
            found: image.base_address,
            expected: region.start,
        });
    }
    if image.end_address() > u64::from(region.end) {
        return Err(ImageError::End {
            end: image.end_address(),
            limit: region.end,
        });
    }
    if image.bytes.len() > region.budget_bytes as usize {
        return Err(ImageError::Budget {
            bytes: image.bytes.len(),
            budget: region.budget_bytes,
        });
    }
    let vector = |k: usize| {
        image
            .bytes
            .get(4 * k..4 * k + 4)
            .map(|b| word(b, 0))
            .unwrap_or(0)
    };
    let (sp, reset) = (vector(0), vector(1));
    let sp_ok = (region.ram.0..=region.ram.1).contains(&sp);
    let reset_ok = reset & 1 == 1
        && u64::from(reset & !1) >= u64::from(image.base_address)
        && u64::from(reset & !1) < image.end_address();
    if !sp_ok || !reset_ok {
        return Err(ImageError::VectorTable { sp, reset });
    }
    Ok(image.bytes.len())
}

#[cfg(test)]
mod tests;
