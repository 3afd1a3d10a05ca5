//! entrain-store: the patient record on SQLite.
//!
//! - One file (default [`default_db_path`]), WAL journal, `synchronous=FULL`: a committed batch
//!   survives a crash or power loss. The session engine commits every ~250 ms, so a kill loses at
//!   most the last fraction of a second.
//! - `PRAGMA application_id` marks the file as Entrain's, `PRAGMA user_version` is the schema
//!   version ([`schema`]); migrations run in a transaction each. A file that is not SQLite, another
//!   program's database, a damaged file or a newer schema is refused before anything is written.
//! - A running session holds a lease ([`lease`]: host, boot, pid and the process's start time);
//!   sessions still `running` when the database is opened whose recorder is gone become
//!   `interrupted`, and no other process relabels one still being recorded.
//! - Every write takes the write lock at its start (`BEGIN IMMEDIATE`), so two sessions on one
//!   record wait for each other within the busy timeout instead of failing.
//! - Patients (pseudonymous code, year of birth, affected side, diagnosis date, notes), sensors and
//!   their assignment, sessions with their protocol settings, phases, every step, every beat,
//!   tempo changes with their reason, events, clinical tests (10MWT, 6MWT, TUG, FAC) and the raw
//!   sensor samples (batched blobs) for re-analysis.
//! - [`export`]: tidy CSV tables and JSON per session or per patient, and a de-identified export.
//!
//! The schema is described in `docs/SCHEMA.md`.
#![forbid(unsafe_code)]

mod clinical;
mod error;
pub mod export;
pub mod lease;
mod model;
mod music;
mod music_prefs;
mod patients;
mod read;
pub mod schema;
pub mod spool;
mod store;
pub mod time;
mod write;

pub use error::StoreError;
pub use model::*;
pub use music::{NewTrack, TrackRecord};
pub use music_prefs::{
    MusicPreference, MusicPreferenceRecord, PLAYLIST_NAME_MAX_CHARS, PlaylistRecord,
};
pub use patients::same_patient_code;
pub use store::{
    Access, DATABASE_FILE, FAULT_MAX_PAGE_COUNT_ENV, LEGACY_DATABASE_FILE, RAW_SAMPLE_BYTES, Store,
    StoreOptions, default_data_dir, default_db_path, unix_ms_now,
};
