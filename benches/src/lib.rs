//! Benchmarks and accuracy runners for Entrain.

pub mod peers;
