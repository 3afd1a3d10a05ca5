//! Benchmarks and accuracy runners for Entrain.
