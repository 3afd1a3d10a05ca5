//! What the reports say about a session, computed from the record with `entrain-gait`'s metrics.

use entrain_gait::Side;
use entrain_gait::cadence::{CadenceTracker, CadenceTrackerConfig};
use entrain_gait::metrics::{FootEvent, GaitMetrics, MetricsConfig};
use entrain_gait::sync::{SyncSummary, summarize};
use entrain_store::{
    AffectedSide, ClinicalTestKind, PatientRecord, SessionRecord, SessionSensor, Store,
    StoredClinicalTest, StoredEvent, StoredTempoChange,
};

use crate::error::ReportError;
use crate::settings::{Settings, parse_settings};

const NANOS_PER_SEC: f64 = 1e9;

/// The label of a stored phase name, in DOMAIN.md's words.
pub fn phase_label(name: &str) -> &str {
    match name {
        "baseline" => "Baseline (no cue)",
        "matched" => "Resonant match",
        "progression" => "Frequency modulation",
        "functional" => "Functional walking",
        "fading" => "Fading",
        "retest" => "Re-test (no cue)",
        "done" => "Done",
        other => other,
    }
}

/// The entrainment category of a resultant vector length (DOMAIN.md: > 0.7 strong, 0.4–0.7
/// moderate).
pub fn entrainment_label(r: f64) -> &'static str {
    if r > 0.7 {
        "strong"
    } else if r >= 0.4 {
        "moderate"
    } else {
        "weak"
    }
}

/// One phase of the session.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseSummary {
    /// Stored name (`baseline`, `matched`, ...).
    pub name: String,
    /// Start, s of session time.
    pub start_secs: f64,
    /// End, s (the session's last data time if the phase never closed).
    pub end_secs: f64,
    /// Initial contacts in the phase.
    pub steps: usize,
    /// Audible beats in the phase.
    pub audible_beats: usize,
    /// Gait metrics of the phase (`None` with fewer than 5 steps per foot).
    pub metrics: Option<GaitMetrics>,
    /// Synchronisation with the beats (audible ones; in fading, silent ones too), for cued phases.
    pub sync: Option<SyncSummary>,
}

/// A result of a clinical test averaged over its trials.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TestResult {
    /// Mean of the trials.
    pub mean: f64,
    /// Number of trials.
    pub trials: usize,
}

/// Everything the reports and the FHIR export need about one session.
#[derive(Debug, Clone)]
pub struct SessionAnalysis {
    /// The session record.
    pub session: SessionRecord,
    /// Its patient, if any.
    pub patient: Option<PatientRecord>,
    /// The paretic side (from the patient's affected side), for the symmetry measures.
    pub paretic: Option<Side>,
    /// Flattened protocol settings.
    pub settings: Settings,
    /// The phases, in order.
    pub phases: Vec<PhaseSummary>,
    /// Gait metrics of the uncued baseline.
    pub baseline: Option<GaitMetrics>,
    /// Gait metrics of the uncued re-test.
    pub retest: Option<GaitMetrics>,
    /// Every beat: (s, tempo steps/min, target steps/min, audible).
    pub beats: Vec<(f64, f64, f64, bool)>,
    /// The patient's cadence as the live tracker saw it: (s, steps/min).
    pub cadence_track: Vec<(f64, f64)>,
    /// Target tempo changes with their reasons.
    pub tempo_changes: Vec<StoredTempoChange>,
    /// The clinician's marks during the session.
    pub marks: Vec<StoredEvent>,
    /// Clinical tests recorded with this session.
    pub clinical_tests: Vec<StoredClinicalTest>,
    /// 10 m walk gait speed done before the re-test started, m/s.
    pub gait_speed_baseline: Option<TestResult>,
    /// 10 m walk gait speed done at or after the re-test start, m/s.
    pub gait_speed_retest: Option<TestResult>,
    /// The sensors used.
    pub sensors: Vec<SessionSensor>,
    /// Total initial contacts.
    pub total_steps: usize,
    /// Session length, s.
    pub duration_secs: f64,
}

impl SessionAnalysis {
    /// The phase named `name`, if the session had it.
    pub fn phase(&self, name: &str) -> Option<&PhaseSummary> {
        self.phases.iter().find(|p| p.name == name)
    }

    /// Wall-clock time of a session time, Unix ms.
    pub fn unix_ms_at(&self, secs: f64) -> i64 {
        self.session.started_unix_ms + (secs * 1000.0).round() as i64
    }

    /// The sensors as one line: `foot_left 100 Hz, foot_right 100 Hz`.
    pub fn sensors_text(&self) -> String {
        if self.sensors.is_empty() {
            return "none recorded".into();
        }
        self.sensors
            .iter()
            .map(|s| {
                format!(
                    "{} {:.0} Hz",
                    s.placement.replace('_', " "),
                    s.sample_rate_hz
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The patient's code, or `-` without a patient.
    pub fn patient_code(&self) -> &str {
        self.session.patient_code.as_deref().unwrap_or("-")
    }
}

fn mean_of(tests: &[&StoredClinicalTest]) -> Option<TestResult> {
    if tests.is_empty() {
        return None;
    }
    Some(TestResult {
        mean: tests.iter().map(|t| t.value).sum::<f64>() / tests.len() as f64,
        trials: tests.len(),
    })
}

/// Reads session `session_id` from `store` and computes its measures.
pub fn analyse_session(store: &Store, session_id: i64) -> Result<SessionAnalysis, ReportError> {
    let session = store.session(session_id)?;
    let patient = session.patient_id.map(|id| store.patient(id)).transpose()?;
    let paretic = match patient.as_ref().and_then(|p| p.affected_side) {
        Some(AffectedSide::Left) => Some(Side::Left),
        Some(AffectedSide::Right) => Some(Side::Right),
        _ => None,
    };
    let steps = store.steps(session_id)?;
    let beats = store.beats(session_id)?;
    let stored_phases = store.phases(session_id)?;
    let bad = |detail: String| ReportError::Data { session_id, detail };
    let mut events = Vec::with_capacity(steps.len());
    for (i, s) in steps.iter().enumerate() {
        let side = match s.side.as_str() {
            "left" => Side::Left,
            "right" => Side::Right,
            other => {
                return Err(bad(format!(
                    "step {i} (at {:.3} s) has side '{other}', expected left or right",
                    s.time_nanos as f64 / NANOS_PER_SEC
                )));
            }
        };
        events.push((
            FootEvent {
                time_nanos: s.time_nanos,
                side,
            },
            s.phase.as_str(),
        ));
    }
    let config = MetricsConfig {
        paretic,
        ..MetricsConfig::default()
    };
    let last_nanos = session
        .last_nanos
        .max(steps.last().map_or(0, |s| s.time_nanos))
        .max(beats.last().map_or(0, |b| b.scheduled_nanos));
    let mut phases = Vec::with_capacity(stored_phases.len());
    for p in &stored_phases {
        let ics: Vec<FootEvent> = events
            .iter()
            .filter(|(_, phase)| *phase == p.phase)
            .map(|(e, _)| *e)
            .collect();
        let audible_beats = beats
            .iter()
            .filter(|b| b.phase == p.phase && b.volume > 0.0)
            .count();
        // The steps are compared with the audible beats; in fading, with every beat of the
        // schedule, silent ones included: the question there is whether the patient holds the
        // tempo without the cue (comparing with audible beats only would take the gaps for
        // long beat intervals).
        let reference: Vec<i64> = beats
            .iter()
            .filter(|b| b.phase == p.phase && (b.volume > 0.0 || p.phase == "fading"))
            .map(|b| b.played_nanos.unwrap_or(b.scheduled_nanos))
            .collect();
        let ic_times: Vec<i64> = ics.iter().map(|e| e.time_nanos).collect();
        let sync = if audible_beats >= 2 {
            summarize(&ic_times, &reference)
        } else {
            None
        };
        phases.push(PhaseSummary {
            name: p.phase.clone(),
            start_secs: p.start_nanos as f64 / NANOS_PER_SEC,
            end_secs: p.end_nanos.unwrap_or(last_nanos) as f64 / NANOS_PER_SEC,
            steps: ics.len(),
            audible_beats,
            metrics: GaitMetrics::from_events(&ics, &[], config),
            sync,
        });
    }
    let baseline = phases
        .iter()
        .find(|p| p.name == "baseline")
        .and_then(|p| p.metrics);
    let retest = phases
        .iter()
        .find(|p| p.name == "retest")
        .and_then(|p| p.metrics);

    let mut tracker = CadenceTracker::new(CadenceTrackerConfig::default());
    let mut cadence_track = Vec::with_capacity(events.len());
    for (e, _) in &events {
        if let Some(spm) = tracker.on_contact(e.time_nanos, Some(e.side)) {
            cadence_track.push((e.time_nanos as f64 / NANOS_PER_SEC, spm));
        }
    }

    let clinical_tests: Vec<StoredClinicalTest> = match session.patient_id {
        Some(pid) => store
            .clinical_tests(pid)?
            .into_iter()
            .filter(|t| t.session_id == Some(session_id))
            .collect(),
        None => Vec::new(),
    };
    let retest_start_ms = stored_phases
        .iter()
        .find(|p| p.phase == "retest")
        .map(|p| session.started_unix_ms + p.start_nanos / 1_000_000);
    let walk_tests: Vec<&StoredClinicalTest> = clinical_tests
        .iter()
        .filter(|t| t.test == ClinicalTestKind::TenMetreWalk.code())
        .collect();
    let (before, after): (Vec<&StoredClinicalTest>, Vec<&StoredClinicalTest>) = walk_tests
        .iter()
        .partition(|t| retest_start_ms.is_some_and(|start| t.performed_unix_ms < start));

    let marks = store
        .events(session_id)?
        .into_iter()
        .filter(|e| e.kind == "mark")
        .collect();
    Ok(SessionAnalysis {
        settings: parse_settings(&session.settings_json),
        patient,
        paretic,
        baseline,
        retest,
        beats: beats
            .iter()
            .map(|b| {
                (
                    b.scheduled_nanos as f64 / NANOS_PER_SEC,
                    b.tempo_spm,
                    b.target_spm,
                    b.volume > 0.0,
                )
            })
            .collect(),
        cadence_track,
        tempo_changes: store.tempo_changes(session_id)?,
        marks,
        gait_speed_baseline: mean_of(&before),
        gait_speed_retest: mean_of(&after),
        clinical_tests,
        sensors: store.session_sensors(session_id)?,
        total_steps: steps.len(),
        duration_secs: last_nanos as f64 / NANOS_PER_SEC,
        phases,
        session,
    })
}

/// One patient's sessions and tests, for the progress report.
#[derive(Debug, Clone)]
pub struct PatientProgress {
    /// The patient.
    pub patient: PatientRecord,
    /// Every session, oldest first.
    pub sessions: Vec<SessionAnalysis>,
    /// Every clinical test, oldest first.
    pub tests: Vec<StoredClinicalTest>,
}

/// Reads everything about the patient with code `code`.
pub fn analyse_patient(store: &Store, code: &str) -> Result<PatientProgress, ReportError> {
    let patient = store
        .patient_by_code(code)?
        .ok_or_else(|| ReportError::Patient {
            patient: code.to_string(),
            detail: format!("no such patient in {}", store.path().display()),
        })?;
    let sessions = store
        .sessions(Some(patient.id))?
        .iter()
        .map(|s| analyse_session(store, s.id))
        .collect::<Result<Vec<_>, _>>()?;
    let tests = store.clinical_tests(patient.id)?;
    Ok(PatientProgress {
        patient,
        sessions,
        tests,
    })
}
