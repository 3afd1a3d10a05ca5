//! Harnesses for Entrain's end-to-end tests.

pub mod pulse;
