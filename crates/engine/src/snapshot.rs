//! The read-only picture of a running session the UI draws.

use entrain_cue::{PhaseProgress, TempoLimits};
use serde::Serialize;

/// How one sensor is doing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum SensorStatus {
    /// No sample yet.
    Waiting,
    /// Samples arriving.
    Streaming,
    /// No sample for longer than the gap limit (the cue goes on at the last tempo).
    Gap {
        /// Time of the last sample before the gap, ns.
        since_nanos: i64,
    },
    /// The link is lost, with the source's reason.
    Lost(String),
    /// The source is reconnecting.
    Reconnecting,
}

/// Where the session stands.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub enum RunStatus {
    /// Not started yet.
    #[default]
    Waiting,
    /// Phases and cue running.
    Running,
    /// Paused: by the clinician (`no_steps_timeout_ms` none), or because no step came for that
    /// long (the patient stopped, froze or sat down).
    Paused {
        /// The timeout that elapsed with no step, ms; none when the clinician paused.
        no_steps_timeout_ms: Option<i64>,
    },
    /// Over.
    Finished,
}

/// One sensor's health.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SensorHealth {
    /// Where it is worn.
    pub placement: entrain_gait::Placement,
    /// Its name.
    pub name: String,
    /// Status.
    pub status: SensorStatus,
    /// Samples received.
    pub samples: u64,
    /// Samples lost in transit.
    pub lost_samples: u64,
    /// Malformed packets.
    pub malformed: u64,
    /// Battery, %, if reported.
    pub battery_percent: Option<u8>,
}

/// The session at one moment.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Snapshot {
    /// Session time, ns.
    pub now_nanos: i64,
    /// Running / paused (why) / finished / waiting to start.
    pub run_state: RunStatus,
    /// Current phase.
    pub phase: String,
    /// How far the phase has gone towards its end, in the measure that ends it (walking time,
    /// steps or the progression's level); `None` before the start and after the end.
    pub phase_progress: Option<PhaseProgress>,
    /// Whether the phase is cued.
    pub cued: bool,
    /// Target tempo, steps/min, while cued.
    pub target_tempo_spm: Option<f64>,
    /// The safety limits every target is held within, once the baseline is known.
    pub tempo_limits: Option<TempoLimits>,
    /// Tempo of the last beat, steps/min, while cued.
    pub current_tempo_spm: Option<f64>,
    /// Current cadence, steps/min.
    pub cadence_spm: Option<f64>,
    /// Mean left step time over the recent steps, s.
    pub step_time_left_secs: Option<f64>,
    /// Mean right step time over the recent steps, s.
    pub step_time_right_secs: Option<f64>,
    /// Paretic / non-paretic step time (if the paretic side is set).
    pub symmetry_ratio: Option<f64>,
    /// Step-time variability, %.
    pub step_time_cv_percent: Option<f64>,
    /// Mean asynchrony (step − beat) over the recent cued steps, ms.
    pub mean_asynchrony_ms: Option<f64>,
    /// Entrainment: resultant length R of the relative phases (1 = locked to the beat).
    pub entrainment_r: Option<f64>,
    /// Cadence of the uncued baseline, steps/min, once it is measured.
    pub baseline_cadence_spm: Option<f64>,
    /// Cadence of the uncued re-test, steps/min, once it is measured.
    pub retest_cadence_spm: Option<f64>,
    /// Steps detected so far.
    pub steps_total: u64,
    /// Beats committed so far.
    pub beats_total: u64,
    /// Time of the last played beat (for a visual cue), ns.
    pub last_beat_nanos: Option<i64>,
    /// True while the cue goes on at the last good tempo through a sensor gap.
    pub cueing_through_sensor_gap: bool,
    /// Sensor health.
    pub sensors: Vec<SensorHealth>,
    /// Audio health, in words.
    pub audio: String,
    /// Recording health, in words.
    pub store: String,
    /// The last few notices, oldest first.
    pub notices: Vec<String>,
    /// The music cueing the session, or why it fell back to clicks; `None` when no music was
    /// asked for.
    pub music: Option<MusicStatus>,
}

/// The music of a session, as the live screen shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MusicStatus {
    /// The track now playing (or the last one asked for), if any track could be loaded.
    pub now_playing: Option<NowPlaying>,
    /// Why the session is cued by clicks instead of music, in words (no track, a file that
    /// failed, no output device); `None` while the music plays.
    pub fallback: Option<String>,
    /// Music, music and click, or click (`engine::music::overlay_columns`' name).
    pub overlay: String,
    /// Level of the click over the music, 0…1.
    pub click_level: f64,
    /// The music's volume, 0…1 (the therapist's, before the protocol's fading).
    pub volume: f64,
}

/// One track as it plays.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NowPlaying {
    /// Its title.
    pub title: String,
    /// The built-in's name or the file's absolute path.
    pub label: String,
    /// Its own tempo, beats/min.
    pub own_tempo_bpm: f64,
    /// The tempo it is played at now (the last beat's), beats/min.
    pub played_tempo_bpm: Option<f64>,
    /// How far it is stretched: played / own − 1, % (positive: faster than recorded).
    pub stretch_percent: Option<f64>,
}
