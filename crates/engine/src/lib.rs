//! entrain-engine: one real-time RAS session from any sensor source.
//!
//! - [`EngineCore`] is pure: `on_sensor_events(now, events)` runs the samples through one
//!   detector per sensor, the steps through the cadence tracker and the RAS session
//!   ([`entrain_cue::RasSession`]), lets time pass and commits beats; every step, beat, phase,
//!   tempo change, command and sensor event also goes into a [`entrain_store::Batch`] for the
//!   record. Time is a parameter, so it runs in real time or as fast as possible.
//! - [`runtime`] wraps it in threads: the session loop (sensor polling on the session clock,
//!   audio through [`entrain_audio::Metronome`] or a visual cue when there is no device,
//!   clinician commands from a channel, [`Snapshot`]s published for the UI) and a store writer
//!   thread committing a batch every 250 ms (`synchronous=FULL`); what the record cannot take
//!   is retried, kept in memory, then in spool files beside the record, then the session is
//!   stopped with a reason that says so (`writer`).
//! - Through a sensor gap (a link lost, or no sample for [`EngineConfig::sensor_gap_nanos`]) the
//!   cue goes on at the last good tempo, the auto-pause is held off, and the snapshot and the
//!   record say so.
//! - [`sim`] runs the core on simulated time with the virtual patient, who hears the beats: the
//!   closed loop of `entrain simulate` and the tests; a replayed recording runs the same loop
//!   (`entrain analyze`).
//! - [`library`]: the music library's import (a folder's audio files, a file analysed into a
//!   track), for the CLI and the window alike.
//! - [`music_choice`]: which track plays next (pure): within ±10 % stretch of the target, liked
//!   before neutral, never a disliked track, the least played and then the closest tempo first.
//! - [`music_resolve`]: `--music TRACK|playlist:NAME|patient` into the first track and the
//!   candidates the session may switch to, from the record's playlists and preferences.
//! - [`open_source`] opens a [`entrain_source::SourceSpec`] (virtual patient, recording, and with
//!   the `ble` feature real BLE sensors: without it the engine pulls in no BLE stack).
#![forbid(unsafe_code)]

mod core;
mod detectors;
mod error;
pub mod library;
pub mod music;
pub mod music_choice;
pub mod music_resolve;
mod open;
pub mod runtime;
pub mod sim;
mod snapshot;
mod writer;

pub use crate::core::{
    EngineCommand, EngineConfig, EngineCore, EngineOutput, MusicCommand, fmt_secs,
};
pub use error::EngineError;
pub use open::{OpenError, open_source};
pub use snapshot::{MusicStatus, NowPlaying, RunStatus, SensorHealth, SensorStatus, Snapshot};
pub use writer::FAULT_SPILL_AT_ITEMS_ENV;
