//! Sensor sources for Entrain: replay of recordings (our own and the public data-set layouts),
//! the virtual patient, and (later) BLE sensors.
#![forbid(unsafe_code)]

pub mod evaluation;
pub mod replay;
pub mod virtual_patient;
