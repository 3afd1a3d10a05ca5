//! Entrain's gait core: causal filters, streaming initial-contact (IC) and toe-off (TO) detectors,
//! a cadence tracker, and gait and synchronisation metrics (scoring against annotated events is
//! `entrain-eval`'s).
//!
//! Pure: no threads, no clocks, no I/O. Time is always a parameter, in integer nanoseconds on the
//! session clock (`*_nanos`). `no_std` + `alloc`; the `std` feature adds spectral helpers (rustfft).
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod cadence;
pub mod detect;
pub mod filter;
pub mod metrics;
pub mod sample;
pub mod stride;
pub mod sync;

pub use detect::StreamingDetector;
pub use sample::{GaitEvent, GaitEventKind, ImuSample, Placement, Side, UnknownName};
pub use stride::{Stride, StrideConfig, StrideTracker};
