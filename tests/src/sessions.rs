//! Whole RAS sessions of the virtual patient recorded into a real record on simulated time, for
//! the tests of what is made from a record (reports, the Progress screen, exports).

use std::path::Path;

use entrain_engine::EngineCommand;
use entrain_engine::music::{MUSIC_RATE_HZ, load_track};
use entrain_engine::runtime::{self, AudioOutput, Clock, Recording, RuntimeConfig, SessionMusic};
use entrain_sim::{Preset, VirtualPatient, VirtualPatientSource};

/// What sounds in a music session (re-exported for tests that have no audio dependency).
pub use entrain_audio::Overlay;

/// Records one whole session of `preset` into the record at `db` for `patient_id`, with the
/// clinician's `marks` made at its start; returns the session's id.
pub fn record_simulated_session(
    db: &Path,
    patient_id: Option<i64>,
    preset: Preset,
    marks: &[&str],
) -> Result<i64, String> {
    record(db, patient_id, preset, marks, None)
}

/// [`record_simulated_session`] cued by the built-in track `track` played with `overlay` (the
/// virtual patient hears its beats as it hears clicks); the record holds its music segments.
pub fn record_simulated_music_session(
    db: &Path,
    patient_id: Option<i64>,
    preset: Preset,
    track: &str,
    overlay: Overlay,
) -> Result<i64, String> {
    let music = SessionMusic {
        track: load_track(None, track, MUSIC_RATE_HZ, 20.0 * 60.0),
        overlay,
        candidates: Vec::new(),
        library_db: None,
    };
    if let Err(e) = &music.track {
        return Err(e.to_string());
    }
    record(db, patient_id, preset, &[], Some(music))
}

fn record(
    db: &Path,
    patient_id: Option<i64>,
    preset: Preset,
    marks: &[&str],
    music: Option<SessionMusic>,
) -> Result<i64, String> {
    let source =
        VirtualPatientSource::new(VirtualPatient::new(preset.config()), preset.name(), None);
    let config = RuntimeConfig {
        engine: entrain_engine::EngineConfig::default(),
        clock: Clock::Simulated,
        tick_nanos: 10_000_000,
        audio: AudioOutput::Off,
        music,
        recording: Some(Recording {
            db_path: db.to_path_buf(),
            patient_id,
            source_label: format!("sim:{}", preset.name()),
        }),
        max_nanos: Some(20 * 60 * 1_000_000_000),
        auto_start: true,
    };
    let handle = runtime::start(config, Box::new(source)).map_err(|e| e.to_string())?;
    for mark in marks {
        handle.command(EngineCommand::Mark {
            label: (*mark).to_string(),
        });
    }
    let summary = handle.join().map_err(|e| e.to_string())?;
    if let Some(e) = summary.store_error {
        return Err(format!("the record was not written: {e}"));
    }
    summary
        .session_id
        .ok_or_else(|| "the session was never recorded".to_string())
}
