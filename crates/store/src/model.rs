//! The records the store keeps, as plain types (one per table row).

use std::str::FromStr;

use entrain_cue::Phase;
use entrain_gait::{ImuSample, Placement, Side, UnknownName};
use serde::{Deserialize, Serialize};

/// The side affected by the stroke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AffectedSide {
    /// Left hemiparesis.
    Left,
    /// Right hemiparesis.
    Right,
    /// Both sides.
    Both,
    /// Neither / not applicable.
    None,
}

impl AffectedSide {
    /// The stored name: `left`, `right`, `both`, `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            AffectedSide::Left => "left",
            AffectedSide::Right => "right",
            AffectedSide::Both => "both",
            AffectedSide::None => "none",
        }
    }

    /// The paretic side for the asymmetry measures: only a one-sided hemiparesis has one.
    pub fn paretic(self) -> Option<Side> {
        match self {
            AffectedSide::Left => Some(Side::Left),
            AffectedSide::Right => Some(Side::Right),
            AffectedSide::Both | AffectedSide::None => None,
        }
    }
}

impl FromStr for AffectedSide {
    type Err = UnknownName;

    /// A stored or typed name, in any case (`l` and `r` for short).
    fn from_str(s: &str) -> Result<Self, UnknownName> {
        match s.trim().to_ascii_lowercase().as_str() {
            "left" | "l" => Ok(AffectedSide::Left),
            "right" | "r" => Ok(AffectedSide::Right),
            "both" => Ok(AffectedSide::Both),
            "none" => Ok(AffectedSide::None),
            _ => Err(UnknownName::new(
                "affected side",
                "left, right, both or none",
                s,
            )),
        }
    }
}

/// A patient to add.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewPatient {
    /// Pseudonymous code (never the name), unique.
    pub code: String,
    /// Year of birth.
    pub year_of_birth: Option<i32>,
    /// Affected side.
    pub affected_side: Option<AffectedSide>,
    /// Date of the stroke diagnosis, `YYYY-MM-DD`.
    pub diagnosis_date: Option<String>,
    /// Free-text clinical notes (removed by the de-identified export).
    pub notes: String,
}

/// The kind a virtual patient's sensors have in [`SensorAssignment::kind`] (not BLE).
pub const VIRTUAL_SENSOR_KIND: &str = "virtual";
/// The kind records kept for every BLE sensor before they kept its own kind: recognised from its
/// advertisement when a session opens.
pub const UNKNOWN_BLE_SENSOR_KIND: &str = "ble";

/// A sensor assigned to a patient's placement, as the record keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SensorAssignment {
    /// Where the patient wears it.
    pub placement: Placement,
    /// Its stable identity (a Bluetooth address, or `virtual:left` and the like).
    pub sensor_key: String,
    /// Its name when assigned.
    pub name: String,
    /// Its kind's code (`entrain`, `movesense`, ..., [`VIRTUAL_SENSOR_KIND`] or
    /// [`UNKNOWN_BLE_SENSOR_KIND`]).
    pub kind: String,
    /// When it was assigned, Unix ms.
    pub assigned_unix_ms: i64,
}

/// A stored patient.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientRecord {
    /// Row id.
    pub id: i64,
    /// Pseudonymous code.
    pub code: String,
    /// Year of birth.
    pub year_of_birth: Option<i32>,
    /// Affected side.
    pub affected_side: Option<AffectedSide>,
    /// Diagnosis date, `YYYY-MM-DD`.
    pub diagnosis_date: Option<String>,
    /// Notes.
    pub notes: String,
    /// When the record was created, Unix ms.
    pub created_unix_ms: i64,
}

/// How a session ended (or that it has not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionStatus {
    /// Being recorded now.
    Running,
    /// Went through every phase.
    Completed,
    /// Stopped early by the clinician (or the recording ended).
    Stopped,
    /// The process ended without closing it (crash, power loss, kill).
    Interrupted,
    /// Ended by an error.
    Failed,
}

impl SessionStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Running => "running",
            SessionStatus::Completed => "completed",
            SessionStatus::Stopped => "stopped",
            SessionStatus::Interrupted => "interrupted",
            SessionStatus::Failed => "failed",
        }
    }
}

impl FromStr for SessionStatus {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, UnknownName> {
        match s {
            "running" => Ok(SessionStatus::Running),
            "completed" => Ok(SessionStatus::Completed),
            "stopped" => Ok(SessionStatus::Stopped),
            "interrupted" => Ok(SessionStatus::Interrupted),
            "failed" => Ok(SessionStatus::Failed),
            _ => Err(UnknownName::new(
                "session status",
                "running, completed, stopped, interrupted or failed",
                s,
            )),
        }
    }
}

/// One sensor used in a session.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionSensor {
    /// Where it was worn.
    pub placement: Placement,
    /// Stable identity (BLE address, `virtual:left`, `replay:...`).
    pub sensor_key: String,
    /// Human-readable name.
    pub name: String,
    /// Nominal rate, Hz.
    pub sample_rate_hz: f64,
}

/// A session to begin.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSession {
    /// The patient, if known.
    pub patient_id: Option<i64>,
    /// The sensor source (`sim:entrains`, `replay:...`, `ble`).
    pub source: String,
    /// The protocol (`ras`).
    pub protocol: String,
    /// The protocol settings, JSON.
    pub settings_json: String,
    /// The sensors.
    pub sensors: Vec<SessionSensor>,
}

/// A stored session.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    /// Row id.
    pub id: i64,
    /// Patient row id.
    pub patient_id: Option<i64>,
    /// Patient code.
    pub patient_code: Option<String>,
    /// Sensor source.
    pub source: String,
    /// Protocol.
    pub protocol: String,
    /// Protocol settings, JSON.
    pub settings_json: String,
    /// Start, Unix ms (wall clock).
    pub started_unix_ms: i64,
    /// End, Unix ms, once ended.
    pub ended_unix_ms: Option<i64>,
    /// Session time of the last data written, ns.
    pub last_nanos: i64,
    /// Status.
    pub status: SessionStatus,
    /// Why it ended.
    pub end_reason: Option<String>,
    /// What did not reach the record (the writer gave up on it); `None`: nothing is missing.
    /// An export must not call such a session final.
    pub missing: Option<String>,
}

/// One initial contact.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepRow {
    /// When the heel struck, session clock, ns.
    pub time_nanos: i64,
    /// Which foot.
    pub side: Side,
    /// When the detector reported it, ns.
    pub detected_at_nanos: i64,
    /// The phase at the time (`None`: before the session started).
    pub phase: Option<Phase>,
}

/// One beat committed to the metronome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BeatRow {
    /// When it was scheduled to sound, ns.
    pub scheduled_nanos: i64,
    /// Tempo, steps/min.
    pub tempo_spm: f64,
    /// Target tempo, steps/min.
    pub target_spm: f64,
    /// Loudness 0..1 (0: a silent beat of a fading gap).
    pub volume: f64,
    /// Phase.
    pub phase: Phase,
}

/// A beat reported as played.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BeatPlayed {
    /// The committed time it belongs to, ns.
    pub scheduled_nanos: i64,
    /// When it reached the output, ns.
    pub played_nanos: i64,
}

/// A change of the target tempo.
#[derive(Debug, Clone, PartialEq)]
pub struct TempoChangeRow {
    /// When, ns.
    pub time_nanos: i64,
    /// Phase.
    pub phase: Phase,
    /// Previous target, steps/min.
    pub from_spm: Option<f64>,
    /// New target, steps/min.
    pub to_spm: f64,
    /// Why, in the clinician's words.
    pub reason: String,
}

/// The start of a phase.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseRow {
    /// The phase.
    pub phase: Phase,
    /// Start, ns.
    pub start_nanos: i64,
    /// Why the previous phase ended.
    pub reason: String,
}

/// Anything else worth a line: the protocol log, clinician marks, sensor and audio health.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    /// When, ns.
    pub time_nanos: i64,
    /// Phase (`None`: before the session started).
    pub phase: Option<Phase>,
    /// What kind of event.
    pub kind: EventKind,
    /// Text.
    pub detail: String,
}

/// One stretch of music played in a session (schema v6 `music_segments`), written once it has
/// ended: the session ended, the music stopped (end of a cued phase, a stop) or the track changed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MusicSegmentRow {
    /// Its first beat, ns.
    pub start_nanos: i64,
    /// Its end, ns.
    pub end_nanos: i64,
    /// The built-in's name or the file's path.
    pub track: String,
    /// The track's title.
    pub title: String,
    /// The track's own tempo, beats/min.
    pub track_tempo_bpm: f64,
    /// The slowest cue tempo played over it, beats (steps)/min.
    pub played_min_bpm: f64,
    /// The fastest cue tempo played over it, beats (steps)/min.
    pub played_max_bpm: f64,
    /// `played_min_bpm / track_tempo_bpm`.
    pub stretch_min: f64,
    /// `played_max_bpm / track_tempo_bpm`.
    pub stretch_max: f64,
    /// `music`, `music+click` or `click`.
    pub overlay: String,
    /// The click's level under the music, 0–1.
    pub click_level: f64,
}

/// A stored music segment.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMusicSegment {
    /// Session.
    pub session_id: i64,
    /// The segment.
    pub segment: MusicSegmentRow,
}

/// Everything to write in one transaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    /// Phase starts.
    pub phases: Vec<PhaseRow>,
    /// Steps.
    pub steps: Vec<StepRow>,
    /// Committed beats.
    pub beats: Vec<BeatRow>,
    /// Played-beat reports.
    pub played: Vec<BeatPlayed>,
    /// Tempo changes.
    pub tempo_changes: Vec<TempoChangeRow>,
    /// Events.
    pub events: Vec<EventRow>,
    /// Ended music segments.
    pub music_segments: Vec<MusicSegmentRow>,
    /// Raw samples, in arrival order.
    pub raw: Vec<(Placement, ImuSample)>,
    /// Session time the batch reaches, ns.
    pub now_nanos: i64,
}

impl Batch {
    /// Nothing to write.
    pub fn is_empty(&self) -> bool {
        self.phases.is_empty()
            && self.steps.is_empty()
            && self.beats.is_empty()
            && self.played.is_empty()
            && self.tempo_changes.is_empty()
            && self.events.is_empty()
            && self.music_segments.is_empty()
            && self.raw.is_empty()
    }

    /// The rows it adds to the record's session tables (phases, steps, beats, tempo changes,
    /// events, music segments; not the played marks, which update beats, nor the raw blobs): what a spool file
    /// compares with the record to know its rows are not there yet.
    pub fn row_count(&self) -> u64 {
        (self.phases.len()
            + self.steps.len()
            + self.beats.len()
            + self.tempo_changes.len()
            + self.events.len()
            + self.music_segments.len()) as u64
    }

    /// Everything the batch holds, rows, played-beat reports and raw samples alike: what bounds
    /// the memory it takes.
    pub fn items(&self) -> usize {
        self.row_count() as usize + self.played.len() + self.raw.len()
    }

    /// What the batch holds, for a clinician: `12 steps, 10 beats, ... up to 8.250 s`.
    pub fn summary(&self) -> String {
        let counts = [
            (self.steps.len(), "steps"),
            (self.beats.len(), "beats"),
            (self.played.len(), "played-beat reports"),
            (self.phases.len(), "phase starts"),
            (self.tempo_changes.len(), "tempo changes"),
            (self.events.len(), "events"),
            (self.music_segments.len(), "music segments"),
            (self.raw.len(), "raw samples"),
        ];
        let parts: Vec<String> = counts
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
        let what = if parts.is_empty() {
            "no rows".to_string()
        } else {
            parts.join(", ")
        };
        format!("{what}, up to {:.3} s", self.now_nanos as f64 / 1e9)
    }

    /// Moves everything of `other` into this batch.
    pub fn append(&mut self, other: &mut Batch) {
        self.phases.append(&mut other.phases);
        self.steps.append(&mut other.steps);
        self.beats.append(&mut other.beats);
        self.played.append(&mut other.played);
        self.tempo_changes.append(&mut other.tempo_changes);
        self.events.append(&mut other.events);
        self.music_segments.append(&mut other.music_segments);
        self.raw.append(&mut other.raw);
        self.now_nanos = self.now_nanos.max(other.now_nanos);
    }
}

/// A stored step (read back).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredStep {
    /// Session.
    pub session_id: i64,
    /// Heel strike, ns.
    pub time_nanos: i64,
    /// Which foot.
    pub side: Side,
    /// Reported at, ns.
    pub detected_at_nanos: i64,
    /// Phase (`None`: before the session started).
    pub phase: Option<Phase>,
}

/// A stored beat.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredBeat {
    /// Session.
    pub session_id: i64,
    /// Scheduled, ns.
    pub scheduled_nanos: i64,
    /// Played, ns (empty if never reported).
    pub played_nanos: Option<i64>,
    /// Tempo, steps/min.
    pub tempo_spm: f64,
    /// Target, steps/min.
    pub target_spm: f64,
    /// Volume.
    pub volume: f64,
    /// Phase.
    pub phase: Phase,
}

/// A stored tempo change.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTempoChange {
    /// Session.
    pub session_id: i64,
    /// When, ns.
    pub time_nanos: i64,
    /// Phase.
    pub phase: Phase,
    /// From, steps/min.
    pub from_spm: Option<f64>,
    /// To, steps/min.
    pub to_spm: f64,
    /// Why.
    pub reason: String,
}

/// A stored phase.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPhase {
    /// Session.
    pub session_id: i64,
    /// Order in the session, from 0.
    pub seq: i64,
    /// The phase.
    pub phase: Phase,
    /// Start, ns.
    pub start_nanos: i64,
    /// End, ns (empty for the last phase of an interrupted session).
    pub end_nanos: Option<i64>,
    /// Why the previous phase ended.
    pub reason: String,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Session.
    pub session_id: i64,
    /// When, ns.
    pub time_nanos: i64,
    /// Phase (`None`: before the session started).
    pub phase: Option<Phase>,
    /// Kind.
    pub kind: EventKind,
    /// Text.
    pub detail: String,
}

/// The phase column's text for a row recorded before the session started.
pub const NO_PHASE: &str = "not started";

/// The phase column's text of `phase` ([`Phase::as_str`], or [`NO_PHASE`]).
pub fn phase_column(phase: Option<Phase>) -> &'static str {
    phase.map_or(NO_PHASE, Phase::as_str)
}

/// Reads a phase column back: [`NO_PHASE`], or an empty text (older records' sensor events),
/// is no phase.
pub fn parse_phase_column(text: &str) -> Result<Option<Phase>, UnknownName> {
    match text {
        NO_PHASE | "" => Ok(None),
        name => name.parse().map(Some),
    }
}

/// The standard clinical tests of gait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClinicalTestKind {
    /// 10-metre walk test: gait speed, m/s.
    TenMetreWalk,
    /// 6-minute walk test: distance, m.
    SixMinuteWalk,
    /// Timed Up and Go: time, s.
    TimedUpAndGo,
    /// Functional Ambulation Categories: 0–5.
    Fac,
}

impl ClinicalTestKind {
    /// Every test.
    pub const ALL: [ClinicalTestKind; 4] = [
        ClinicalTestKind::TenMetreWalk,
        ClinicalTestKind::SixMinuteWalk,
        ClinicalTestKind::TimedUpAndGo,
        ClinicalTestKind::Fac,
    ];

    /// The stored code: `10mwt`, `6mwt`, `tug`, `fac`.
    pub fn as_str(self) -> &'static str {
        match self {
            ClinicalTestKind::TenMetreWalk => "10mwt",
            ClinicalTestKind::SixMinuteWalk => "6mwt",
            ClinicalTestKind::TimedUpAndGo => "tug",
            ClinicalTestKind::Fac => "fac",
        }
    }

    /// The test's name and what it measures, for screens and reports.
    pub fn title(self) -> &'static str {
        match self {
            ClinicalTestKind::TenMetreWalk => "10 m walk test (gait speed)",
            ClinicalTestKind::SixMinuteWalk => "6 minute walk test (distance)",
            ClinicalTestKind::TimedUpAndGo => "Timed Up and Go",
            ClinicalTestKind::Fac => "Functional Ambulation Category",
        }
    }

    /// Decimal places a result is shown with: gait speed to the cm/s, distance to the metre, time
    /// to the tenth of a second, the FAC as the whole category it is.
    pub fn decimals(self) -> usize {
        match self {
            ClinicalTestKind::TenMetreWalk => 2,
            ClinicalTestKind::SixMinuteWalk | ClinicalTestKind::Fac => 0,
            ClinicalTestKind::TimedUpAndGo => 1,
        }
    }

    /// A result as shown, without its unit: `0.75`, `212`, `17.4`, `3`.
    pub fn format_value(self, value: f64) -> String {
        format!("{value:.*}", self.decimals())
    }

    /// A result as shown: `0.75 m/s`, `212 m`, `17.4 s`, and a FAC category as a bare number.
    pub fn format_result(self, value: f64) -> String {
        match self {
            ClinicalTestKind::Fac => self.format_value(value),
            _ => format!("{} {}", self.format_value(value), self.unit()),
        }
    }

    /// The unit of the value.
    pub fn unit(self) -> &'static str {
        match self {
            ClinicalTestKind::TenMetreWalk => "m/s",
            ClinicalTestKind::SixMinuteWalk => "m",
            ClinicalTestKind::TimedUpAndGo => "s",
            ClinicalTestKind::Fac => "category",
        }
    }

    /// The plausible range of the value.
    pub fn range(self) -> (f64, f64) {
        match self {
            ClinicalTestKind::TenMetreWalk => (0.0, 4.0),
            ClinicalTestKind::SixMinuteWalk => (0.0, 1000.0),
            ClinicalTestKind::TimedUpAndGo => (0.0, 600.0),
            ClinicalTestKind::Fac => (0.0, 5.0),
        }
    }
}

impl FromStr for ClinicalTestKind {
    type Err = UnknownName;

    /// A code (`10mwt`, `6mwt`, `tug`, `fac`), in any case; `10m` and `6min` for short.
    fn from_str(s: &str) -> Result<Self, UnknownName> {
        match s.trim().to_ascii_lowercase().as_str() {
            "10mwt" | "10m" => Ok(ClinicalTestKind::TenMetreWalk),
            "6mwt" | "6min" => Ok(ClinicalTestKind::SixMinuteWalk),
            "tug" => Ok(ClinicalTestKind::TimedUpAndGo),
            "fac" => Ok(ClinicalTestKind::Fac),
            _ => Err(UnknownName::new(
                "clinical test",
                "10mwt, 6mwt, tug or fac",
                s,
            )),
        }
    }
}

/// What an event row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// The protocol's own log (phase decisions, measures).
    Log,
    /// A clinician's mark.
    Mark,
    /// A clinician's command (pause, tempo, stop).
    Command,
    /// Sensor health: link lost, gap, battery.
    Sensor,
    /// Audio health: device lost, underruns.
    Audio,
    /// The record itself (a batch that could not be written).
    Store,
    /// A clinician's note on the session, written after it (`Store::add_session_note`).
    Note,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 7] = [
        EventKind::Log,
        EventKind::Mark,
        EventKind::Command,
        EventKind::Sensor,
        EventKind::Audio,
        EventKind::Store,
        EventKind::Note,
    ];

    /// The stored name: `log`, `mark`, `command`, `sensor`, `audio`, `store`, `note`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Log => "log",
            EventKind::Mark => "mark",
            EventKind::Command => "command",
            EventKind::Sensor => "sensor",
            EventKind::Audio => "audio",
            EventKind::Store => "store",
            EventKind::Note => "note",
        }
    }
}

impl FromStr for EventKind {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, UnknownName> {
        EventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                UnknownName::new(
                    "event kind",
                    "log, mark, command, sensor, audio, store or note",
                    s,
                )
            })
    }
}

/// A stored clinical test result.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredClinicalTest {
    /// Row id.
    pub id: i64,
    /// Patient row id.
    pub patient_id: i64,
    /// The session it was done in, if any.
    pub session_id: Option<i64>,
    /// Which test.
    pub test: ClinicalTestKind,
    /// When, Unix ms.
    pub performed_unix_ms: i64,
    /// Result.
    pub value: f64,
    /// Unit.
    pub unit: String,
    /// Notes.
    pub notes: String,
}
