//! Sensor sources for Entrain: replay of recordings (our own and the public data-set layouts),
//! the virtual patient, and (later) BLE sensors; all behind [`source::SensorSource`].
#![forbid(unsafe_code)]

pub mod ble;
pub mod evaluation;
pub mod replay;
pub mod source;
pub mod virtual_patient;
