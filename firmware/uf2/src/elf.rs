//! The flash image of a linked 32-bit little-endian ELF (what the ARM linker writes): the bytes of
//! every loadable program segment with contents, at its load (physical) address, so `.data`'s
//! initial values land where the startup code copies them from. Gaps between segments are filled
//! with 0xFF, the value of erased flash, so the image is one contiguous range.

use crate::Image;

/// Program header type of a loadable segment.
const PT_LOAD: u32 = 1;

/// What is wrong with the ELF file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ElfError {
    /// Not an ELF file, or not 32-bit little-endian.
    #[error("ELF: {0}")]
    Format(&'static str),
    /// A header or segment lies outside the file.
    #[error("ELF: {what} at offset {offset} runs past the end of the {len}-byte file")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Its offset.
        offset: u64,
        /// File length.
        len: usize,
    },
    /// No loadable segment has contents.
    #[error("ELF: no loadable segment with contents")]
    Empty,
    /// Two loadable segments overlap in flash.
    #[error("ELF: segments overlap at {0:#010x}")]
    Overlap(u32),
}

fn field(data: &[u8], offset: usize, width: usize, what: &'static str) -> Result<u32, ElfError> {
    let bytes = data
        .get(offset..offset + width)
        .ok_or(ElfError::Truncated {
            what,
            offset: offset as u64,
            len: data.len(),
        })?;
    Ok(match width {
        2 => u32::from(u16::from_le_bytes([bytes[0], bytes[1]])),
        _ => u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
    })
}

/// The flash image of `data`, an ELF file.
pub fn flash_image(data: &[u8]) -> Result<Image, ElfError> {
    if data.get(..4) != Some(b"\x7fELF".as_slice()) {
        return Err(ElfError::Format("no ELF magic"));
    }
    if data.get(4) != Some(&1) || data.get(5) != Some(&1) {
        return Err(ElfError::Format("not a 32-bit little-endian ELF"));
    }
    let phoff = field(data, 0x1C, 4, "e_phoff")? as usize;
    let phentsize = field(data, 0x2A, 2, "e_phentsize")? as usize;
    let phnum = field(data, 0x2C, 2, "e_phnum")? as usize;
    let mut segments: Vec<(u32, &[u8])> = Vec::new();
    for i in 0..phnum {
        let h = phoff + i * phentsize;
        if field(data, h, 4, "p_type")? != PT_LOAD {
            continue;
        }
        let offset = field(data, h + 4, 4, "p_offset")? as usize;
        let paddr = field(data, h + 12, 4, "p_paddr")?;
        let filesz = field(data, h + 16, 4, "p_filesz")? as usize;
        if filesz == 0 {
            continue;
        }
        let bytes = data
            .get(offset..offset + filesz)
            .ok_or(ElfError::Truncated {
                what: "segment",
                offset: offset as u64,
                len: data.len(),
            })?;
        segments.push((paddr, bytes));
    }
    segments.sort_by_key(|&(address, _)| address);
    let (base, _) = *segments.first().ok_or(ElfError::Empty)?;
    let mut bytes: Vec<u8> = Vec::new();
    for (address, contents) in segments {
        let at = (address - base) as usize;
        if at < bytes.len() {
            return Err(ElfError::Overlap(address));
        }
        bytes.resize(at, 0xFF);
        bytes.extend_from_slice(contents);
    }
    Ok(Image {
        base_address: base,
        bytes,
    })
}
