//! UF2 tests: the block layout the specification fixes, round trips, and every rejection.

use crate::elf::{ElfError, flash_image};
use crate::*;

const BASE: u32 = 0x27000;

/// Deterministic pseudo-random bytes (a 32-bit LCG), so payloads are not all alike.
fn bytes(n: usize, seed: u32) -> Vec<u8> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 24) as u8
        })
        .collect()
}

fn image(n: usize) -> Image {
    Image {
        base_address: BASE,
        bytes: bytes(n, 7),
    }
}

fn word_at(file: &[u8], block: usize, offset: usize) -> u32 {
    let at = block * BLOCK_BYTES + offset;
    u32::from_le_bytes([file[at], file[at + 1], file[at + 2], file[at + 3]])
}

#[test]
fn blocks_follow_the_specification_layout() {
    let img = image(600);
    let file = encode(&img, FAMILY_NRF52840).unwrap();
    assert_eq!(file.len(), 3 * 512, "600 bytes in 256-byte payloads");
    for b in 0..3 {
        assert_eq!(word_at(&file, b, 0), 0x0A32_4655, "magicStart0");
        assert_eq!(&file[b * 512..b * 512 + 4], b"UF2\n");
        assert_eq!(word_at(&file, b, 4), 0x9E5D_5157, "magicStart1");
        assert_eq!(word_at(&file, b, 8), 0x0000_2000, "familyID present");
        assert_eq!(word_at(&file, b, 12), BASE + 256 * b as u32, "targetAddr");
        assert_eq!(word_at(&file, b, 16), 256, "payloadSize");
        assert_eq!(word_at(&file, b, 20), b as u32, "blockNo");
        assert_eq!(word_at(&file, b, 24), 3, "numBlocks");
        assert_eq!(word_at(&file, b, 28), 0xADA5_2840, "nRF52840 family");
        assert_eq!(word_at(&file, b, 508), 0x0AB1_6F30, "magicEnd");
        let data = &file[b * 512 + 32..b * 512 + 32 + 256];
        let expected_len = (600 - 256 * b).min(256);
        assert_eq!(
            &data[..expected_len],
            &img.bytes[256 * b..256 * b + expected_len]
        );
        assert!(
            data[expected_len..].iter().all(|&x| x == 0xFF),
            "erased padding"
        );
        assert!(
            file[b * 512 + 32 + 256..b * 512 + 508]
                .iter()
                .all(|&x| x == 0),
            "unused data area zero"
        );
    }
}

#[test]
fn payload_round_trips_and_addresses_are_contiguous() {
    for n in [1, 255, 256, 257, 4096, 10_000] {
        let img = image(n);
        let file = encode(&img, FAMILY_NRF52840).unwrap();
        let back = decode(&file, FAMILY_NRF52840).unwrap();
        assert_eq!(back.base_address, BASE);
        assert_eq!(back.bytes.len(), n.div_ceil(256) * 256);
        assert_eq!(&back.bytes[..n], &img.bytes[..], "{n} bytes");
        assert!(back.bytes[n..].iter().all(|&x| x == 0xFF));
        let blocks = file.len() / 512;
        for b in 1..blocks {
            assert_eq!(
                word_at(&file, b, 12),
                word_at(&file, b - 1, 12) + 256,
                "contiguous"
            );
        }
    }
}

#[test]
fn encode_refuses_an_unaligned_base_or_an_image_past_4_gib() {
    let img = Image {
        base_address: BASE + 4,
        bytes: vec![0; 8],
    };
    assert_eq!(
        encode(&img, FAMILY_NRF52840),
        Err(Uf2Error::Unaligned(BASE + 4))
    );
    let img = Image {
        base_address: 0xFFFF_FF00,
        bytes: vec![0; 512],
    };
    assert!(matches!(
        encode(&img, FAMILY_NRF52840),
        Err(Uf2Error::TooLarge { .. })
    ));
}

fn tampered(edit: impl Fn(&mut Vec<u8>)) -> Result<Image, Uf2Error> {
    let mut file = encode(&image(1000), FAMILY_NRF52840).unwrap();
    edit(&mut file);
    decode(&file, FAMILY_NRF52840)
}

fn set_word(file: &mut [u8], block: usize, offset: usize, value: u32) {
    let at = block * BLOCK_BYTES + offset;
    file[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

#[test]
fn decode_rejects_every_broken_rule() {
    assert_eq!(tampered(|_| {}).map(|i| i.bytes.len()), Ok(1024));
    assert_eq!(
        tampered(|f| f[512 + 1] ^= 1),
        Err(Uf2Error::Magic {
            block: 1,
            offset: 0
        })
    );
    assert_eq!(
        tampered(|f| set_word(f, 2, 508, 0)),
        Err(Uf2Error::Magic {
            block: 2,
            offset: 508
        })
    );
    assert!(matches!(
        tampered(|f| set_word(f, 0, 28, 0x1234_5678)),
        Err(Uf2Error::Family { block: 0, .. })
    ));
    assert!(matches!(
        tampered(|f| set_word(f, 3, 8, 0)),
        Err(Uf2Error::Family { block: 3, .. })
    ));
    assert!(matches!(
        tampered(|f| set_word(f, 1, 20, 2)),
        Err(Uf2Error::Numbering { block: 1, .. })
    ));
    assert!(matches!(
        tampered(|f| set_word(f, 0, 24, 5)),
        Err(Uf2Error::Numbering { block: 0, .. })
    ));
    assert!(matches!(
        tampered(|f| set_word(f, 2, 12, BASE + 1024)),
        Err(Uf2Error::Address { block: 2, .. })
    ));
    assert!(matches!(
        tampered(|f| set_word(f, 1, 16, 476)),
        Err(Uf2Error::Payload { block: 1, .. })
    ));
    assert!(matches!(
        tampered(|f| set_word(f, 1, 8, FLAG_FAMILY_ID_PRESENT | FLAG_NOT_MAIN_FLASH)),
        Err(Uf2Error::Payload { block: 1, .. })
    ));
    assert_eq!(tampered(|f| f.truncate(700)), Err(Uf2Error::Length(700)));
    assert_eq!(decode(&[], FAMILY_NRF52840), Err(Uf2Error::Length(0)));
}

/// A minimal ELF32 little-endian file with the given program headers (type, load address,
/// contents; memory size 16 bytes more, like a segment with `.bss`) and their contents after the
/// headers.
fn elf_file(segments: &[(u32, u32, &[u8])]) -> Vec<u8> {
    let phoff = 52usize;
    let phentsize = 32usize;
    let mut data_at = phoff + phentsize * segments.len();
    let mut out = vec![0u8; data_at];
    out[..4].copy_from_slice(b"\x7fELF");
    out[4] = 1; // 32-bit
    out[5] = 1; // little-endian
    out[0x1C..0x20].copy_from_slice(&(phoff as u32).to_le_bytes());
    out[0x2A..0x2C].copy_from_slice(&(phentsize as u16).to_le_bytes());
    out[0x2C..0x2E].copy_from_slice(&(segments.len() as u16).to_le_bytes());
    for (i, (ty, paddr, contents)) in segments.iter().enumerate() {
        let h = phoff + i * phentsize;
        let fields = [
            *ty,
            data_at as u32,
            paddr.wrapping_add(0x1000_0000), // vaddr differs from paddr, as for .data
            *paddr,
            contents.len() as u32,
            contents.len() as u32 + 16,
        ];
        for (k, f) in fields.iter().enumerate() {
            out[h + 4 * k..h + 4 * k + 4].copy_from_slice(&f.to_le_bytes());
        }
        data_at += contents.len();
    }
    for (_, _, contents) in segments {
        out.extend_from_slice(contents);
    }
    out
}

#[test]
fn elf_load_segments_become_one_image_at_their_load_addresses() {
    let text = [1u8, 2, 3, 4, 5, 6, 7, 8];
    let data = [9u8, 10, 11, 12];
    // Out of order in the file, a gap of 8 bytes, a segment without contents (.bss), a note.
    let file = elf_file(&[
        (1, BASE + 16, &data),
        (4, 0, &[0xEE; 4]),
        (1, BASE, &text),
        (1, 0x2000_0000, &[]),
    ]);
    let img = flash_image(&file).unwrap();
    assert_eq!(img.base_address, BASE);
    let mut expected = text.to_vec();
    expected.extend_from_slice(&[0xFF; 8]);
    expected.extend_from_slice(&data);
    assert_eq!(img.bytes, expected);
}

#[test]
fn elf_errors_are_reported() {
    assert_eq!(
        flash_image(b"not an elf"),
        Err(ElfError::Format("no ELF magic"))
    );
    let mut file = elf_file(&[(1, BASE, &[1, 2, 3, 4])]);
    file[4] = 2;
    assert_eq!(
        flash_image(&file),
        Err(ElfError::Format("not a 32-bit little-endian ELF"))
    );
    let file = elf_file(&[(1, BASE, &[1, 2, 3, 4])]);
    assert!(matches!(
        flash_image(&file[..file.len() - 2]),
        Err(ElfError::Truncated {
            what: "segment",
            ..
        })
    ));
    assert_eq!(
        flash_image(&elf_file(&[(1, BASE, &[])])),
        Err(ElfError::Empty)
    );
    assert_eq!(
        flash_image(&elf_file(&[(1, BASE, &[1; 8]), (1, BASE + 4, &[2; 4])])),
        Err(ElfError::Overlap(BASE + 4))
    );
}

fn region() -> AppRegion {
    AppRegion {
        start: BASE,
        end: 0xAD000,
        ram: (0x2000_0000, 0x2004_0000),
        budget_bytes: 8192,
    }
}

fn bootable(n: usize) -> Image {
    let mut img = image(n);
    img.bytes[..4].copy_from_slice(&0x2004_0000u32.to_le_bytes());
    img.bytes[4..8].copy_from_slice(&(BASE + 0x101).to_le_bytes());
    img
}

#[test]
fn image_checks_start_end_budget_and_vector_table() {
    assert_eq!(check_image(&bootable(4096), &region()), Ok(4096));
    let mut moved = bootable(4096);
    moved.base_address = 0;
    assert_eq!(
        check_image(&moved, &region()),
        Err(ImageError::Start {
            found: 0,
            expected: BASE
        })
    );
    let small_region = AppRegion {
        end: BASE + 2048,
        ..region()
    };
    assert!(matches!(
        check_image(&bootable(4096), &small_region),
        Err(ImageError::End { .. })
    ));
    assert_eq!(
        check_image(&bootable(8193), &region()),
        Err(ImageError::Budget {
            bytes: 8193,
            budget: 8192
        })
    );
    let mut bad_sp = bootable(4096);
    bad_sp.bytes[..4].copy_from_slice(&0x1000u32.to_le_bytes());
    assert!(matches!(
        check_image(&bad_sp, &region()),
        Err(ImageError::VectorTable { sp: 0x1000, .. })
    ));
    let mut arm_reset = bootable(4096);
    arm_reset.bytes[4..8].copy_from_slice(&(BASE + 0x100).to_le_bytes());
    assert!(matches!(
        check_image(&arm_reset, &region()),
        Err(ImageError::VectorTable { .. })
    ));
    let mut outside = bootable(4096);
    outside.bytes[4..8].copy_from_slice(&(BASE + 8193).to_le_bytes());
    assert!(matches!(
        check_image(&outside, &region()),
        Err(ImageError::VectorTable { .. })
    ));
}
