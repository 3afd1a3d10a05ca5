//! A running session as the UI holds it: the engine's handle, the latest snapshot, the history for
//! the plots, and how the sensors were chosen.

use std::path::PathBuf;
use std::time::Instant;

use entrain_audio::MetronomeConfig;
use entrain_engine::music::{MUSIC_RATE_HZ, MusicLoadError, load_track};
use entrain_engine::music_choice::MusicCandidate;
use entrain_engine::music_resolve::{MusicSpec, resolve_music};
use entrain_engine::runtime::{self, AudioOutput, Clock, EngineEvent, EngineHandle, RunSummary};
use entrain_engine::{EngineCommand, EngineConfig, EngineError, RunStatus, Snapshot, open_source};
use entrain_gait::{Placement, Side};
use entrain_sim::{Preset, VirtualPatient, VirtualPatientSource};
use entrain_source::{BleSensor, SensorId, SensorKind, SensorSource, SourceSpec};
use entrain_store::{SessionStatus, Store};

use crate::history::LiveHistory;
use crate::screens::session_music::MusicRequest;
use crate::settings::Settings;

/// Where a session's sensor data comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceChoice {
    /// The virtual patient (simulated gait that entrains to the beat).
    Virtual(Preset),
    /// A recorded walk (the raw CSV format of `entrain_replay::raw`).
    Recorded(PathBuf),
    /// Real BLE sensors by address.
    Ble(Vec<(SensorId, Placement, SensorKind)>),
}

impl SourceChoice {
    /// The label the record keeps (`sim:entrains`, `replay:PATH`, `ble`).
    pub fn label(&self) -> String {
        match self {
            SourceChoice::Virtual(p) => format!("sim:{}", p.name()),
            SourceChoice::Recorded(p) => format!("replay:{}", p.display()),
            SourceChoice::Ble(_) => "ble".into(),
        }
    }

    /// The source as a [`SourceSpec`] (what [`entrain_engine::open_source`] opens).
    pub fn spec(&self) -> SourceSpec {
        match self {
            SourceChoice::Virtual(p) => SourceSpec::Sim {
                preset: Some(p.name().to_owned()),
            },
            SourceChoice::Recorded(path) => SourceSpec::ReplayFile(path.clone()),
            SourceChoice::Ble(sensors) => SourceSpec::Ble(
                sensors
                    .iter()
                    .map(|(id, placement, kind)| BleSensor {
                        id: id.clone(),
                        placement: *placement,
                        kind: Some(*kind),
                    })
                    .collect(),
            ),
        }
    }

    /// Opens the source; a BLE source maps sensor clocks onto session time from `origin`.
    pub fn open(&self, origin: Instant) -> Result<Box<dyn SensorSource>, String> {
        open_source(&self.spec(), None, origin).map_err(|e| e.to_string())
    }
}

/// The sensors of the virtual patient (for assignment): (placement, id, name).
pub fn virtual_sensors(preset: Preset) -> Vec<(Placement, SensorId, String)> {
    VirtualPatientSource::new(VirtualPatient::new(preset.config()), preset.name(), None)
        .sensors()
        .into_iter()
        .map(|s| (s.placement, s.id, s.name))
        .collect()
}

/// Why a session does not start without a patient (shown at the start buttons and in the banner).
pub fn no_patient() -> String {
    crate::t!("live-no-patient")
}

/// The live screen's line for a session that stores nothing.
pub fn practice_line() -> String {
    crate::t!("live-practice-line")
}

/// The engine's run state in the clinician's language: "running", "paused (paused by the
/// clinician)".
pub fn run_state_text(run_state: RunStatus) -> String {
    match run_state {
        RunStatus::Waiting => crate::t!("live-run-waiting"),
        RunStatus::Running => crate::t!("live-run-running"),
        RunStatus::Finished => crate::t!("live-run-finished"),
        RunStatus::Paused {
            no_steps_timeout_ms: None,
        } => crate::t!("live-run-paused-clinician"),
        RunStatus::Paused {
            no_steps_timeout_ms: Some(ms),
        } => crate::t!(
            "live-run-paused-no-steps",
            seconds = format!("{:.1}", ms as f64 / 1000.0)
        ),
    }
}

/// Who a session is for: a patient, whose record keeps it, or practice, which stores nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionFor {
    /// Recorded under this patient (row id).
    Patient(i64),
    /// Not recorded.
    Practice,
}

/// Where the settings send the beat: the metronome with the chosen cue sound on the chosen
/// device, or nowhere (visual beat only).
pub fn audio_output(settings: &Settings) -> AudioOutput {
    if !settings.sound {
        return AudioOutput::Off;
    }
    let mut m = MetronomeConfig {
        sound: settings.cue_sound,
        ..MetronomeConfig::default()
    };
    if !settings.output_device.trim().is_empty() {
        m.output.device_name = Some(settings.output_device.trim().to_string());
    }
    AudioOutput::Device(m)
}

/// How long a built-in track is looped to for a session in the window, s: longer than a ward
/// session (a track the session outlasts ends its music, as a file's does).
pub const BUILTIN_LOOP_SECS: f64 = 40.0 * 60.0;

/// The session's music: the first track of `request` loaded (slow for a file: decoded and
/// resampled; call it off the UI thread), with the library's beats and confirmed tempo when it is
/// imported, and the candidates it may go on to. A playlist or the patient's music is resolved by
/// `entrain_engine::music_resolve` (never a disliked track), the first chosen for the clinician's
/// matched tempo when set, else the list's first; a track that fails to load makes way for the
/// next. Nothing playable is handed on as a load error: the session is then cued by clicks and
/// says why.
pub fn session_music(
    settings: &Settings,
    request: &MusicRequest,
    patient_id: Option<i64>,
) -> runtime::SessionMusic {
    let fail = |detail: String| MusicLoadError {
        track: request.given(),
        detail,
    };
    let clicks = |error: MusicLoadError| {
        tracing::warn!(error = %error, "the session's music could not be loaded; cued by clicks");
        runtime::SessionMusic {
            track: Err(error),
            overlay: request.overlay,
            candidates: Vec::new(),
            library_db: None,
        }
    };
    // The library is read if the record opens; a file not in it is analysed now.
    let library = match Store::open_for_reading(&settings.database_path()) {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::warn!(error = %e, "the music library cannot be read");
            None
        }
    };
    // The tracks to try in order, and (for a playlist or the patient's music) each as a
    // candidate with the patient's opinion of it, for the runtime to go on to.
    let (order, resolved): (Vec<String>, Vec<MusicCandidate>) = match (&request.spec, &library) {
        (MusicSpec::Track(name), _) => (vec![name.clone()], Vec::new()),
        (spec, Some(store)) => {
            let target = settings.protocol(None).matched_tempo_spm;
            match resolve_music(store, spec, patient_id, target) {
                Ok(Some(r)) => {
                    for note in &r.skipped {
                        tracing::info!(music = %request.given(), "left out: {note}");
                    }
                    let all: Vec<MusicCandidate> =
                        std::iter::once(r.first).chain(r.candidates).collect();
                    (all.iter().map(|c| c.name.clone()).collect(), all)
                }
                Ok(None) => return clicks(fail(crate::t!("live-music-nothing-to-play"))),
                Err(e) => return clicks(fail(e.to_string())),
            }
        }
        (_, None) => {
            return clicks(fail(crate::t!("live-music-record-unread")));
        }
    };
    let mut first_error = None;
    for (i, name) in order.iter().enumerate() {
        match load_track(library.as_ref(), name, MUSIC_RATE_HZ, BUILTIN_LOOP_SECS) {
            Ok(m) => {
                // The ones that failed stay out; the rest keep their order.
                return runtime::SessionMusic {
                    track: Ok(m),
                    overlay: request.overlay,
                    candidates: resolved.get(i + 1..).unwrap_or_default().to_vec(),
                    // The record the candidates are read with when the session goes on to one.
                    library_db: Some(settings.database_path()),
                };
            }
            Err(e) => {
                tracing::warn!(error = %e, "a track of the session's music could not be loaded; the next is tried");
                first_error.get_or_insert(e);
            }
        }
    }
    clicks(first_error.unwrap_or_else(|| fail(crate::t!("live-music-nothing-to-play"))))
}

/// Starts a session (blocking: opens the record and the source, loads the music; call it off
/// the UI thread).
pub fn start_session(
    settings: &Settings,
    source: &SourceChoice,
    music: Option<&MusicRequest>,
    session_for: SessionFor,
    paretic: Option<Side>,
) -> Result<EngineHandle, String> {
    settings.validate().map_err(|e| e.to_string())?;
    let patient_id = match session_for {
        SessionFor::Patient(id) => Some(id),
        SessionFor::Practice => None,
    };
    let music = music.map(|m| session_music(settings, m, patient_id));
    let origin = Instant::now();
    let opened = source.open(origin)?;
    let audio = audio_output(settings);
    let config = runtime::RuntimeConfig {
        engine: EngineConfig {
            protocol: settings.protocol(paretic),
            ..EngineConfig::default()
        },
        clock: Clock::RealTime { origin },
        tick_nanos: 5_000_000,
        audio,
        music,
        recording: match session_for {
            SessionFor::Patient(id) => Some(runtime::Recording {
                db_path: settings.database_path(),
                patient_id: Some(id),
                source_label: source.label(),
            }),
            SessionFor::Practice => None,
        },
        max_nanos: None,
        auto_start: false,
    };
    runtime::start(config, opened).map_err(|e: EngineError| e.to_string())
}

/// A session on screen.
#[derive(Debug)]
pub struct LiveSession {
    handle: Option<EngineHandle>,
    /// The latest snapshot.
    pub snapshot: Snapshot,
    /// Plots' data.
    pub history: LiveHistory,
    /// The record's session id.
    pub session_id: Option<i64>,
    /// The source label.
    pub source_label: String,
    /// The patient.
    pub patient_id: Option<i64>,
    /// Waiting for the clinician to confirm the stop.
    pub confirm_stop: bool,
    /// The mark-event text.
    pub mark_text: String,
    /// The typed tempo ("Set tempo").
    pub tempo_text: String,
    /// What became of the last typed tempo (set, or capped by the safety limits).
    pub tempo_note: Option<String>,
    /// Batches stored so far (steps).
    pub steps_stored: u64,
    /// A practice session: nothing is stored.
    pub practice: bool,
}

impl LiveSession {
    /// Wraps a started engine.
    pub fn new(handle: EngineHandle, source_label: String, session_for: SessionFor) -> Self {
        let patient_id = match session_for {
            SessionFor::Patient(id) => Some(id),
            SessionFor::Practice => None,
        };
        LiveSession {
            snapshot: handle.snapshot(),
            handle: Some(handle),
            history: LiveHistory::new(),
            session_id: None,
            source_label,
            patient_id,
            confirm_stop: false,
            mark_text: String::new(),
            tempo_text: String::new(),
            tempo_note: None,
            steps_stored: 0,
            practice: session_for == SessionFor::Practice,
        }
    }

    /// Reads the engine's new events and snapshot (never blocks).
    pub fn poll(&mut self) {
        let Some(handle) = &self.handle else { return };
        for e in handle.events().try_iter() {
            match e {
                EngineEvent::Recording { session_id } => self.session_id = Some(session_id),
                EngineEvent::Step(s) => self.history.on_step(s.time_nanos, s.side),
                EngineEvent::Beat {
                    time_nanos,
                    tempo_spm,
                } => self.history.on_beat(time_nanos, tempo_spm),
                EngineEvent::Notice(n) => self.history.on_notice(n),
                EngineEvent::Flushed { steps_stored, .. } => self.steps_stored = steps_stored,
            }
        }
        self.snapshot = handle.snapshot();
    }

    /// Sends a clinician command.
    pub fn command(&self, command: EngineCommand) {
        if let Some(h) = &self.handle {
            h.command(command);
        }
    }

    /// Stops the session as a signal to the process does: through its normal end, stored
    /// `stopped` with the signal named ([`runtime::stopped_by_signal`]).
    pub fn stop_by_signal(&self, signal_name: &str) {
        if let Some(h) = &self.handle {
            h.stopper().stop(runtime::stopped_by_signal(signal_name));
        }
    }

    /// Whether the protocol is running or paused (started and not over).
    pub fn is_started(&self) -> bool {
        self.snapshot.run_state != RunStatus::Waiting && !self.is_finished()
    }

    /// Whether the session is over.
    pub fn is_finished(&self) -> bool {
        self.snapshot.run_state == RunStatus::Finished
    }

    /// Whether it is paused.
    pub fn is_paused(&self) -> bool {
        matches!(self.snapshot.run_state, RunStatus::Paused { .. })
    }

    /// Takes the engine's handle to join it (once finished).
    pub fn take_handle(&mut self) -> Option<EngineHandle> {
        self.handle.take()
    }

    /// Whether the engine's handle was taken to join it.
    pub fn is_joined(&self) -> bool {
        self.handle.is_none()
    }
}

/// A session that has ended, as its end panel shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct EndedSession {
    /// The record's session id, if recorded.
    pub session_id: Option<i64>,
    /// Completed or stopped (...); `None` if it ended with an error.
    pub status: Option<SessionStatus>,
    /// How it ended, in a sentence ([`summary_text`]).
    pub summary: String,
    /// The final snapshot (the last one seen if it ended with an error).
    pub snapshot: Snapshot,
}

impl EndedSession {
    /// The session that ended with `summary`; `last` is the last snapshot the UI saw.
    pub fn of(summary: &Result<RunSummary, EngineError>, last: Snapshot) -> Self {
        match summary {
            Ok(s) => EndedSession {
                session_id: s.session_id,
                status: Some(s.status),
                summary: summary_text(summary),
                snapshot: s.snapshot.clone(),
            },
            Err(_) => EndedSession {
                session_id: None,
                status: None,
                summary: summary_text(summary),
                snapshot: last,
            },
        }
    }
}

/// How a session ended, as the UI reports it.
pub fn summary_text(summary: &Result<RunSummary, EngineError>) -> String {
    match summary {
        Ok(s) => {
            let who = s.session_id.map_or_else(
                || crate::t!("live-summary-not-recorded"),
                |id| format!("#{id}"),
            );
            let mut t = crate::t!(
                "live-summary",
                who = who,
                status = crate::i18n::status_label(s.status),
                reason = s.reason.as_str(),
                steps = s.snapshot.steps_total
            );
            if let Some(e) = &s.store_error {
                t.push(' ');
                t.push_str(&crate::t!(
                    "live-summary-recording-problem",
                    error = e.as_str()
                ));
            }
            t
        }
        Err(e) => crate::t!("live-summary-error", error = e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{self, Language};
    use entrain_audio::SoundId;

    fn ended(session_id: Option<i64>, steps: u64, store_error: Option<&str>) -> RunSummary {
        RunSummary {
            session_id,
            status: SessionStatus::Completed,
            reason: "protocol complete".into(),
            end_nanos: 0,
            snapshot: Snapshot {
                steps_total: steps,
                ..Snapshot::default()
            },
            store_error: store_error.map(str::to_string),
        }
    }

    #[test]
    fn how_a_session_ended_reads_in_english_and_german() {
        assert_eq!(
            summary_text(&Ok(ended(Some(12), 420, None))),
            "Session #12 completed: protocol complete (420 steps)."
        );
        assert_eq!(
            summary_text(&Ok(ended(None, 1, Some("disk full")))),
            "Session (not recorded) completed: protocol complete (1 step). Recording problem: disk full"
        );
        i18n::set_language(Language::German);
        assert_eq!(
            summary_text(&Ok(ended(Some(12), 420, None))),
            "Sitzung #12 abgeschlossen: protocol complete (420 Schritte)."
        );
        assert_eq!(
            summary_text(&Ok(ended(None, 1, Some("disk full")))),
            "Sitzung (ohne Aufzeichnung) abgeschlossen: protocol complete (1 Schritt). Problem bei der Aufzeichnung: disk full"
        );
        i18n::set_language(Language::English);
    }

    #[test]
    fn the_run_state_reads_in_the_clinicians_language() {
        let clinician = RunStatus::Paused {
            no_steps_timeout_ms: None,
        };
        let no_steps = RunStatus::Paused {
            no_steps_timeout_ms: Some(8000),
        };
        assert_eq!(run_state_text(RunStatus::Waiting), "waiting to start");
        assert_eq!(
            run_state_text(clinician),
            "paused (paused by the clinician)"
        );
        assert_eq!(
            run_state_text(no_steps),
            "paused (no step for 8.0 s (stopped, froze or sat down): cue paused)"
        );
        i18n::set_language(Language::German);
        assert_eq!(run_state_text(RunStatus::Waiting), "wartet auf Start");
        assert_eq!(run_state_text(RunStatus::Running), "läuft");
        assert_eq!(run_state_text(RunStatus::Finished), "beendet");
        assert!(run_state_text(no_steps).contains("8.0 s ohne Schritt"));
        i18n::set_language(Language::English);
    }

    #[test]
    fn the_metronome_gets_the_chosen_sound_and_device() {
        let settings = Settings {
            sound: true,
            cue_sound: SoundId::Drum,
            output_device: " USB speaker ".into(),
            ..Settings::default()
        };
        let AudioOutput::Device(m) = audio_output(&settings) else {
            panic!("sound is on");
        };
        assert_eq!(m.sound, SoundId::Drum);
        assert_eq!(m.output.device_name.as_deref(), Some("USB speaker"));
        let silent = Settings {
            sound: false,
            ..settings
        };
        assert_eq!(audio_output(&silent), AudioOutput::Off);
    }
}
