//! The records the store keeps, as plain types (one per table row).

use entrain_gait::{ImuSample, Placement, Side};
use serde::{Deserialize, Serialize};

use crate::error::StoreError;

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
    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            AffectedSide::Left => "left",
            AffectedSide::Right => "right",
            AffectedSide::Both => "both",
            AffectedSide::None => "none",
        }
    }

    /// Parses a stored or typed name.
    pub fn parse(s: &str) -> Result<Self, StoreError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "left" | "l" => Ok(AffectedSide::Left),
            "right" | "r" => Ok(AffectedSide::Right),
            "both" => Ok(AffectedSide::Both),
            "none" => Ok(AffectedSide::None),
            _ => Err(StoreError::Invalid {
                field: "affected side".into(),
                expected: "left, right, both or none".into(),
                found: s.into(),
            }),
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

/// A stored patient.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    pub fn name(self) -> &'static str {
        match self {
            SessionStatus::Running => "running",
            SessionStatus::Completed => "completed",
            SessionStatus::Stopped => "stopped",
            SessionStatus::Interrupted => "interrupted",
            SessionStatus::Failed => "failed",
        }
    }

    pub(crate) fn parse(s: &str) -> SessionStatus {
        match s {
            "running" => SessionStatus::Running,
            "completed" => SessionStatus::Completed,
            "stopped" => SessionStatus::Stopped,
            "interrupted" => SessionStatus::Interrupted,
            _ => SessionStatus::Failed,
        }
    }
}

/// One sensor used in a session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionSensor {
    /// Where it was worn.
    pub placement: String,
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
}

/// One initial contact.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StepRow {
    /// When the heel struck, session clock, ns.
    pub time_nanos: i64,
    /// Which foot.
    pub side: Side,
    /// When the detector reported it, ns.
    pub detected_at_nanos: i64,
    /// The phase at the time.
    pub phase: &'static str,
}

/// One beat committed to the metronome.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
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
    pub phase: &'static str,
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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TempoChangeRow {
    /// When, ns.
    pub time_nanos: i64,
    /// Phase.
    pub phase: &'static str,
    /// Previous target, steps/min.
    pub from_spm: Option<f64>,
    /// New target, steps/min.
    pub to_spm: f64,
    /// Why, in the clinician's words.
    pub reason: String,
}

/// The start of a phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseRow {
    /// Phase name.
    pub phase: &'static str,
    /// Start, ns.
    pub start_nanos: i64,
    /// Why the previous phase ended.
    pub reason: String,
}

/// Anything else worth a line: the protocol log, clinician marks, sensor and audio health.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventRow {
    /// When, ns.
    pub time_nanos: i64,
    /// Phase.
    pub phase: &'static str,
    /// `log`, `mark`, `command`, `sensor`, `audio`, `store`.
    pub kind: &'static str,
    /// Text.
    pub detail: String,
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
            && self.raw.is_empty()
    }

    /// Moves everything of `other` into this batch.
    pub fn append(&mut self, other: &mut Batch) {
        self.phases.append(&mut other.phases);
        self.steps.append(&mut other.steps);
        self.beats.append(&mut other.beats);
        self.played.append(&mut other.played);
        self.tempo_changes.append(&mut other.tempo_changes);
        self.events.append(&mut other.events);
        self.raw.append(&mut other.raw);
        self.now_nanos = self.now_nanos.max(other.now_nanos);
    }
}

/// A stored step (read back).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredStep {
    /// Session.
    pub session_id: i64,
    /// Heel strike, ns.
    pub time_nanos: i64,
    /// `left` / `right`.
    pub side: String,
    /// Reported at, ns.
    pub detected_at_nanos: i64,
    /// Phase.
    pub phase: String,
}

/// A stored beat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    pub phase: String,
}

/// A stored tempo change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredTempoChange {
    /// Session.
    pub session_id: i64,
    /// When, ns.
    pub time_nanos: i64,
    /// Phase.
    pub phase: String,
    /// From, steps/min.
    pub from_spm: Option<f64>,
    /// To, steps/min.
    pub to_spm: f64,
    /// Why.
    pub reason: String,
}

/// A stored phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPhase {
    /// Session.
    pub session_id: i64,
    /// Order in the session, from 0.
    pub seq: i64,
    /// Name.
    pub phase: String,
    /// Start, ns.
    pub start_nanos: i64,
    /// End, ns (empty for the last phase of an interrupted session).
    pub end_nanos: Option<i64>,
    /// Why the previous phase ended.
    pub reason: String,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    /// Session.
    pub session_id: i64,
    /// When, ns.
    pub time_nanos: i64,
    /// Phase.
    pub phase: String,
    /// Kind.
    pub kind: String,
    /// Text.
    pub detail: String,
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
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            ClinicalTestKind::TenMetreWalk => "10mwt",
            ClinicalTestKind::SixMinuteWalk => "6mwt",
            ClinicalTestKind::TimedUpAndGo => "tug",
            ClinicalTestKind::Fac => "fac",
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

    /// Parses a code (`10mwt`, `6mwt`, `tug`, `fac`).
    pub fn parse(s: &str) -> Result<Self, StoreError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "10mwt" | "10m" => Ok(ClinicalTestKind::TenMetreWalk),
            "6mwt" | "6min" => Ok(ClinicalTestKind::SixMinuteWalk),
            "tug" => Ok(ClinicalTestKind::TimedUpAndGo),
            "fac" => Ok(ClinicalTestKind::Fac),
            _ => Err(StoreError::Invalid {
                field: "clinical test".into(),
                expected: "10mwt, 6mwt, tug or fac".into(),
                found: s.into(),
            }),
        }
    }
}

/// A stored clinical test result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredClinicalTest {
    /// Row id.
    pub id: i64,
    /// Patient row id.
    pub patient_id: i64,
    /// The session it was done in, if any.
    pub session_id: Option<i64>,
    /// `10mwt`, `6mwt`, `tug`, `fac`.
    pub test: String,
    /// When, Unix ms.
    pub performed_unix_ms: i64,
    /// Result.
    pub value: f64,
    /// Unit.
    pub unit: String,
    /// Notes.
    pub notes: String,
}

/// The name of a side in the store.
pub fn side_name(side: Side) -> &'static str {
    match side {
        Side::Left => "left",
        Side::Right => "right",
    }
}
