//! Puts the board's memory layout where cortex-m-rt's `link.x` finds it as `memory.x` (the
//! default board's `memory.x`, or `memory-uf2.x` with feature `xiao-sense`), and adds the linker
//! scripts, for the ARM target only (a host `cargo check` of the workspace never links this image).

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed=memory-uf2.x");
    println!("cargo:rerun-if-changed=build.rs");
    let target = env::var("TARGET")?;
    if !target.starts_with("thumbv") {
        return Ok(());
    }
    let out = PathBuf::from(env::var_os("OUT_DIR").ok_or("OUT_DIR not set")?);
    let layout = if env::var_os("CARGO_FEATURE_XIAO_SENSE").is_some() {
        "memory-uf2.x"
    } else {
        "memory.x"
    };
    let text = fs::read(layout).map_err(|e| format!("reading {layout}: {e}"))?;
    fs::write(out.join("memory.x"), text)?;
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rustc-link-arg-bins=--nmagic");
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
    println!("cargo:rustc-link-arg-bins=-Tdefmt.x");
    Ok(())
}
