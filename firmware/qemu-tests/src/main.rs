//! The firmware checks on an emulated Cortex-M4:
//! `qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -semihosting-config enable=on,target=native
//! -nographic -kernel <this ELF>`. Prints one line per check and the summary through semihosting,
//! then exits QEMU with status 0 if every check passed, 1 otherwise (`firmware/test.sh`).
#![no_std]
#![no_main]
#![deny(unsafe_code)]

use core::panic::PanicInfo;

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};

/// Heap for the on-board step detector.
const HEAP_BYTES: usize = 256 * 1024;

#[global_allocator]
static HEAP: embedded_alloc::LlffHeap = embedded_alloc::LlffHeap::empty();

#[allow(unsafe_code)]
fn init_heap() {
    use core::mem::MaybeUninit;
    static mut HEAP_MEM: [MaybeUninit<u8>; HEAP_BYTES] = [MaybeUninit::uninit(); HEAP_BYTES];
    // SAFETY: called once at the start of `main`, before anything allocates; the region is a
    // static that only the allocator uses from here on.
    unsafe { HEAP.init(core::ptr::addr_of_mut!(HEAP_MEM) as usize, HEAP_BYTES) }
}

#[entry]
fn main() -> ! {
    init_heap();
    hprintln!("entrain firmware checks on Cortex-M4 (mps2-an386)");
    match entrain_fw_checks::run_all(|name| hprintln!("ok {}", name)) {
        Ok(summary) => {
            hprintln!("{}", summary);
            debug::exit(debug::EXIT_SUCCESS);
        }
        Err(failure) => {
            hprintln!("FAIL {}", failure);
            debug::exit(debug::EXIT_FAILURE);
        }
    }
    loop {
        cortex_m::asm::bkpt();
    }
}

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    hprintln!("PANIC {}", info);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::bkpt();
    }
}
