//! `entrain-uf2`: makes and checks the UF2 images of the sensor firmware (see `firmware/README.md`).
//!
//! ```text
//! entrain-uf2 convert IMAGE.elf OUT.uf2
//! entrain-uf2 check FILE.uf2 --start 0x27000 --end 0xAD000 --budget-kib 512
//! ```
//!
//! `convert` writes the ELF's flash image as UF2 blocks of the nRF52840 family; `check` reads a
//! file back, checks every block's framing (magics, family, numbering, contiguous addresses) and
//! that the image starts at the application start with a sane vector table, stays inside the
//! application region and fits the budget, and prints what it found.

use std::process::ExitCode;

use entrain_fw_uf2::{AppRegion, FAMILY_NRF52840, check_image, decode, elf, encode};

/// The nRF52840's RAM: where the initial stack pointer must point.
const RAM: (u32, u32) = (0x2000_0000, 0x2004_0000);

fn parse_u32(text: &str) -> Result<u32, String> {
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => u32::from_str_radix(hex, 16),
        None => text.parse(),
    };
    parsed.map_err(|e| format!("not a number: {text:?} ({e})"))
}

fn option(args: &[String], name: &str) -> Result<u32, String> {
    let at = args
        .iter()
        .position(|a| a == name)
        .ok_or(format!("missing {name}"))?;
    parse_u32(args.get(at + 1).ok_or(format!("{name} needs a value"))?)
}

fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("convert") => {
            let (elf_path, out) = match (args.get(1), args.get(2)) {
                (Some(e), Some(o)) => (e, o),
                _ => return Err("usage: entrain-uf2 convert IMAGE.elf OUT.uf2".into()),
            };
            let data = std::fs::read(elf_path).map_err(|e| format!("reading {elf_path}: {e}"))?;
            let image = elf::flash_image(&data).map_err(|e| format!("{elf_path}: {e}"))?;
            let file = encode(&image, FAMILY_NRF52840).map_err(|e| format!("{elf_path}: {e}"))?;
            std::fs::write(out, &file).map_err(|e| format!("writing {out}: {e}"))?;
            println!(
                "{out}: {} blocks, {} bytes at {:#010x}..{:#010x}",
                file.len() / entrain_fw_uf2::BLOCK_BYTES,
                image.bytes.len(),
                image.base_address,
                image.end_address()
            );
            Ok(())
        }
        Some("check") => {
            let path = args
                .get(1)
                .ok_or("usage: entrain-uf2 check FILE.uf2 --start A --end A --budget-kib N")?;
            let region = AppRegion {
                start: option(args, "--start")?,
                end: option(args, "--end")?,
                ram: RAM,
                budget_bytes: option(args, "--budget-kib")?.saturating_mul(1024),
            };
            let file = std::fs::read(path).map_err(|e| format!("reading {path}: {e}"))?;
            let image = decode(&file, FAMILY_NRF52840).map_err(|e| format!("{path}: {e}"))?;
            let bytes = check_image(&image, &region).map_err(|e| format!("{path}: {e}"))?;
            println!(
                "{path}: {} blocks, family {FAMILY_NRF52840:#010x}, {:#010x}..{:#010x} inside {:#010x}..{:#010x}, {bytes} bytes ({:.1} KiB, budget {} KiB): ok",
                file.len() / entrain_fw_uf2::BLOCK_BYTES,
                image.base_address,
                image.end_address(),
                region.start,
                region.end,
                bytes as f64 / 1024.0,
                region.budget_bytes / 1024
            );
            Ok(())
        }
        _ => Err("usage: entrain-uf2 convert IMAGE.elf OUT.uf2 | check FILE.uf2 --start A --end A --budget-kib N".into()),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("entrain-uf2: {e}");
            ExitCode::FAILURE
        }
    }
}
