//! Harnesses for Entrain's end-to-end tests.
