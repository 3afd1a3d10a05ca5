//! One stored session's measures: the uncued baseline and re-test, entrainment per phase, the
//! cadence curve, the clinical tests filed with it. Definitions: `docs/CLINICAL.md`.

use entrain_cue::Phase;
use entrain_gait::Side;
use entrain_gait::cadence::{CadenceTracker, CadenceTrackerConfig};
use entrain_gait::metrics::{FootEvent, GaitMetrics, MetricsConfig};
use entrain_gait::sync::{SyncSummary, summarize};
use entrain_store::{
    ClinicalTestKind, EventKind, MusicSegmentRow, PatientRecord, SessionRecord, SessionSensor,
    Store, StoredClinicalTest, StoredEvent, StoredTempoChange,
};

use crate::error::AnalysisError;
use crate::measure::{GAIT_SPEED_DECIMALS, NO_VALUE, WalkMeasure, format_change, format_value};
use crate::settings::{Settings, parse_settings};

const NANOS_PER_SEC: f64 = 1e9;

/// One phase of the session.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseSummary {
    /// Which phase.
    pub phase: Phase,
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

/// One beat of the schedule, for the tempo curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BeatPoint {
    /// When it was due, s of session time.
    pub secs: f64,
    /// Its tempo, steps/min.
    pub tempo_spm: f64,
    /// The target tempo then, steps/min.
    pub target_spm: f64,
    /// Whether it sounded (a fading gap's beats are silent).
    pub audible: bool,
}

/// A result of a clinical test averaged over its trials.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TestResult {
    /// Mean of the trials.
    pub mean: f64,
    /// Number of trials.
    pub trials: usize,
}

impl TestResult {
    /// The mean of `tests`' values; `None` without a test.
    pub fn mean_of<'a>(tests: impl IntoIterator<Item = &'a StoredClinicalTest>) -> Option<Self> {
        let (sum, trials) = tests
            .into_iter()
            .fold((0.0, 0), |(sum, n), t| (sum + t.value, n + 1));
        (trials > 0).then(|| TestResult {
            mean: sum / trials as f64,
            trials,
        })
    }
}

/// Everything the screen, the reports and the FHIR export say about one session.
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
    /// Every beat of the schedule, audible or silent.
    pub beats: Vec<BeatPoint>,
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
    /// The music played, one segment per stretch (times in ns of session time), in order; empty
    /// for a session cued by clicks.
    pub music: Vec<MusicSegmentRow>,
    /// Total initial contacts.
    pub total_steps: usize,
    /// Session length, s.
    pub duration_secs: f64,
}

impl SessionAnalysis {
    /// The summary of `phase`, if the session had it.
    pub fn phase(&self, phase: Phase) -> Option<&PhaseSummary> {
        self.phases.iter().find(|p| p.phase == phase)
    }

    /// The session's entrainment for the progress trend: the highest R any cued phase reached,
    /// with that phase.
    pub fn best_entrainment(&self) -> Option<(Phase, SyncSummary)> {
        self.phases
            .iter()
            .filter_map(|p| p.sync.map(|s| (p.phase, s)))
            .fold(None, |best, (phase, s)| match best {
                Some((_, b)) if b.resultant_length >= s.resultant_length => best,
                _ => Some((phase, s)),
            })
    }

    /// The highest audible cue tempo of the session, steps/min.
    pub fn max_cue_tempo_spm(&self) -> Option<f64> {
        self.beats
            .iter()
            .filter(|b| b.audible)
            .map(|b| b.tempo_spm)
            .fold(None, |a: Option<f64>, v| Some(a.map_or(v, |a| a.max(v))))
    }

    /// The session's gait speed for the progress trend: the re-test's 10 m walk, else the
    /// baseline's.
    pub fn gait_speed(&self) -> Option<TestResult> {
        self.gait_speed_retest.or(self.gait_speed_baseline)
    }

    /// The baseline vs re-test table as shown on the Progress screen and in the session report:
    /// one row per [`WalkMeasure`], then the 10 m walk gait speed and the steps counted; each row
    /// is label, baseline, re-test, change.
    pub fn baseline_vs_retest(&self) -> Vec<[String; 4]> {
        let mut rows: Vec<[String; 4]> = WalkMeasure::ALL
            .iter()
            .map(|m| {
                let b = self.baseline.as_ref().and_then(|x| m.of(x));
                let r = self.retest.as_ref().and_then(|x| m.of(x));
                [
                    m.label().to_string(),
                    format_value(b, m.decimals()),
                    format_value(r, m.decimals()),
                    format_change(b, r, m.decimals()),
                ]
            })
            .collect();
        let speed = |t: Option<TestResult>| t.map(|t| t.mean);
        let shown = |t: Option<TestResult>| {
            let trials = t.map_or(String::new(), |t| format!(" ({}×)", t.trials));
            format!("{}{trials}", format_value(speed(t), GAIT_SPEED_DECIMALS))
        };
        rows.push([
            "Gait speed, 10 m walk test (m/s)".into(),
            shown(self.gait_speed_baseline),
            shown(self.gait_speed_retest),
            format_change(
                speed(self.gait_speed_baseline),
                speed(self.gait_speed_retest),
                GAIT_SPEED_DECIMALS,
            ),
        ]);
        let steps = |m: Option<&GaitMetrics>| {
            m.map_or(NO_VALUE.into(), |m| format!("{} / {}", m.n_left, m.n_right))
        };
        rows.push([
            "Steps counted (L / R)".into(),
            steps(self.baseline.as_ref()),
            steps(self.retest.as_ref()),
            String::new(),
        ]);
        rows
    }

    /// Wall-clock time of a session time, Unix ms.
    pub fn unix_ms_at(&self, secs: f64) -> i64 {
        self.session.started_unix_ms + (secs * 1000.0).round() as i64
    }

    /// The sensors as one line: `foot left 100 Hz, foot right 100 Hz`.
    pub fn sensors_text(&self) -> String {
        if self.sensors.is_empty() {
            return "none recorded".into();
        }
        self.sensors
            .iter()
            .map(|s| {
                format!(
                    "{} {:.0} Hz",
                    s.placement.code().replace('_', " "),
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

/// Reads session `session_id` from `store` and computes its measures.
pub fn analyse_session(store: &Store, session_id: i64) -> Result<SessionAnalysis, AnalysisError> {
    let session = store.session(session_id)?;
    let patient = session.patient_id.map(|id| store.patient(id)).transpose()?;
    let paretic = patient
        .as_ref()
        .and_then(|p| p.affected_side)
        .and_then(|s| s.paretic());
    let steps = store.steps(session_id)?;
    let beats = store.beats(session_id)?;
    let stored_phases = store.phases(session_id)?;
    let events: Vec<(FootEvent, Option<Phase>)> = steps
        .iter()
        .map(|s| {
            let event = FootEvent {
                time_nanos: s.time_nanos,
                side: s.side,
            };
            (event, s.phase)
        })
        .collect();
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
            .filter(|(_, phase)| *phase == Some(p.phase))
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
            .filter(|b| b.phase == p.phase && (b.volume > 0.0 || p.phase == Phase::Fading))
            .map(|b| b.played_nanos.unwrap_or(b.scheduled_nanos))
            .collect();
        let ic_times: Vec<i64> = ics.iter().map(|e| e.time_nanos).collect();
        let sync = if audible_beats >= 2 {
            summarize(&ic_times, &reference)
        } else {
            None
        };
        phases.push(PhaseSummary {
            phase: p.phase,
            start_secs: p.start_nanos as f64 / NANOS_PER_SEC,
            end_secs: p.end_nanos.unwrap_or(last_nanos) as f64 / NANOS_PER_SEC,
            steps: ics.len(),
            audible_beats,
            metrics: GaitMetrics::from_events(&ics, &[], config),
            sync,
        });
    }
    let metrics_of = |phase: Phase| {
        phases
            .iter()
            .find(|p| p.phase == phase)
            .and_then(|p| p.metrics)
    };
    let baseline = metrics_of(Phase::Baseline);
    let retest = metrics_of(Phase::Retest);

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
    // A 10 m walk done before the re-test started measures the baseline; at or after, the re-test.
    let retest_start_ms = stored_phases
        .iter()
        .find(|p| p.phase == Phase::Retest)
        .map(|p| session.started_unix_ms + p.start_nanos / 1_000_000);
    let (before, after): (Vec<&StoredClinicalTest>, Vec<&StoredClinicalTest>) = clinical_tests
        .iter()
        .filter(|t| t.test == ClinicalTestKind::TenMetreWalk)
        .partition(|t| retest_start_ms.is_some_and(|start| t.performed_unix_ms < start));

    let marks = store
        .events(session_id)?
        .into_iter()
        .filter(|e| e.kind == EventKind::Mark)
        .collect();
    Ok(SessionAnalysis {
        settings: parse_settings(&session.settings_json),
        patient,
        paretic,
        baseline,
        retest,
        beats: beats
            .iter()
            .map(|b| BeatPoint {
                secs: b.scheduled_nanos as f64 / NANOS_PER_SEC,
                tempo_spm: b.tempo_spm,
                target_spm: b.target_spm,
                audible: b.volume > 0.0,
            })
            .collect(),
        cadence_track,
        tempo_changes: store.tempo_changes(session_id)?,
        marks,
        gait_speed_baseline: TestResult::mean_of(before),
        gait_speed_retest: TestResult::mean_of(after),
        clinical_tests,
        sensors: store.session_sensors(session_id)?,
        music: store
            .music_segments(session_id)?
            .into_iter()
            .map(|m| m.segment)
            .collect(),
        total_steps: steps.len(),
        duration_secs: last_nanos as f64 / NANOS_PER_SEC,
        phases,
        session,
    })
}
