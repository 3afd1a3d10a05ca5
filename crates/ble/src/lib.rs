//! Entrain sensors, RSC foot pods, Movesense and Polar Verity Sense over Bluetooth Low Energy.
//!
//! The pure parts (no threads, no clocks, no I/O) are [`driver`] (per sensor kind: how it is
//! recognised, subscribed, started, and its notifications decoded), [`clock`] (sensor clock → session clock,
//! drift-aware), [`timesync`] (the link's latency from time-sync round trips, taken out of the
//! mapping), [`link`] (lost-packet accounting, stale detection) and [`stream`] (one sensor's
//! notifications → [`entrain_source::SourceEvent`]s). [`central`]
//! drives real sensors through btleplug (BlueZ over D-Bus on Linux): scanning, pairing sensors to a
//! patient by their stable identity, connecting one at a time, re-connecting and re-subscribing
//! after a link loss, and [`central::BleSource`], the [`entrain_source::SensorSource`].
#![forbid(unsafe_code)]

pub mod clock;
pub mod driver;
pub mod link;
pub mod stream;
pub mod tap;
pub mod timesync;

#[cfg(feature = "central")]
pub mod central;

pub use entrain_source::SensorKind;
pub use stream::{Channel, StreamStats};
