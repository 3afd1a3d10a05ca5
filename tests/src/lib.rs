//! Harnesses for Entrain's end-to-end tests.

pub mod bluez;
pub mod datasets;
pub mod pulse;
pub mod sessions;
pub mod taps;
pub mod tracks;
pub mod walks;
