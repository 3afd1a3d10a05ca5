//! Runs the streaming detectors over recorded trials and scores them against the annotations,
//! as `entrain eval`, the accuracy tests and the benches do.

use entrain_gait::cadence::{Contact, robust_cadence_spm, walk_cadence_spm};
use entrain_gait::detect::{
    FootDetector, FootDetectorConfig, LowerBackDetector, LowerBackDetectorConfig,
};
use entrain_gait::filter::FilterDesignError;
use std::collections::{HashMap, HashSet};

use entrain_gait::{GaitEvent, GaitEventKind, ImuSample, Placement, Side, StreamingDetector};

use entrain_source::Dataset;

use crate::reference::{ReferenceEvent, ReferenceTiming, WalkingBout};
use crate::scoring::{DetectionCounts, MatchRules, MatchedPair, match_events};

/// An annotated trial as evaluation reads it: its sensors' samples and its reference, on one
/// clock. `entrain-replay`'s `Recording` is one; a trait so this crate does not depend on the
/// readers that produce it.
pub trait AnnotatedTrial {
    /// The trial's name for messages (`truong/2-1`).
    fn trial_name(&self) -> String;
    /// The data set it comes from (which decides where detections are scored).
    fn dataset(&self) -> Dataset;
    /// Sampling rate of every stream, Hz.
    fn sample_rate_hz(&self) -> f64;
    /// The samples of the sensor at `placement`, in time order, if the trial has one.
    fn samples(&self, placement: Placement) -> Option<&[ImuSample]>;
    /// The annotated events, sorted by time.
    fn reference(&self) -> &[ReferenceEvent];
    /// The walks over which cadence is compared.
    fn bouts(&self) -> &[WalkingBout];
    /// Strides whose length the reference measured, if it did.
    fn reference_strides(&self) -> &[crate::ReferenceStride] {
        &[]
    }
    /// Straight stretches of known length, if the trial has them.
    fn reference_distances(&self) -> &[crate::ReferenceDistance] {
        &[]
    }
}

/// Which sensors' detector to evaluate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalPlacement {
    /// Both foot sensors, one detector each.
    Feet,
    /// The lower-back sensor.
    LowerBack,
}

/// Why a trial could not be evaluated.
#[derive(Debug, thiserror::Error)]
pub enum EvaluationError {
    /// The trial has no stream for the placement asked for.
    #[error("trial {trial} has no {placement} sensor")]
    MissingSensor {
        /// The trial.
        trial: String,
        /// What was missing.
        placement: &'static str,
    },
    /// The detector could not be built for this sample rate.
    #[error("cannot build a detector for trial {trial}: {source}")]
    Detector {
        /// The trial.
        trial: String,
        /// Why.
        source: FilterDesignError,
    },
}

/// One trial's scores.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrialScore {
    /// IC detection counts.
    pub counts: DetectionCounts,
    /// Detected − annotated IC time for matched instant annotations, ms.
    pub ic_errors_ms: Vec<f64>,
    /// Emission time − annotated IC time for matched instant annotations, ms.
    pub ic_latencies_ms: Vec<f64>,
    /// Per walking bout: (reference cadence, detected cadence), steps/min.
    pub cadence_pairs_spm: Vec<(f64, f64)>,
    /// Every event the detectors emitted.
    pub events: Vec<GaitEvent>,
    /// Every scored initial contact, annotated or detected, and how it came out.
    pub contacts: Vec<ScoredContact>,
}

/// How one initial contact came out of the scoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactOutcome {
    /// A detection matched to an annotation.
    Matched,
    /// A detection that matched no annotation.
    FalseDetection,
    /// An annotation that no detection matched.
    Missed,
}

/// One initial contact of a trial, for looking at where a detector goes wrong.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredContact {
    /// How it was scored.
    pub outcome: ContactOutcome,
    /// The foot, where known.
    pub side: Option<Side>,
    /// The annotation, unless a false detection.
    pub annotation: Option<ReferenceTiming>,
    /// The detected event time and its emission time, unless missed.
    pub detected_nanos: Option<(i64, i64)>,
    /// Where in the annotated walk it lies: 0 at the first annotated contact, 1 at the last,
    /// below 0 before the walk and above 1 after it (`NaN` with fewer than two annotations).
    /// On a walk-turn-walk-back protocol the U-turn is near 0.5.
    pub walk_position: f64,
}

/// Runs the detector(s) for `placement` over every sample of `recording`, in time order.
pub fn detect(
    recording: &impl AnnotatedTrial,
    placement: EvalPlacement,
) -> Result<Vec<GaitEvent>, EvaluationError> {
    let fs = recording.sample_rate_hz();
    let detector_error = |source| EvaluationError::Detector {
        trial: recording.trial_name(),
        source,
    };
    let missing = |placement| EvaluationError::MissingSensor {
        trial: recording.trial_name(),
        placement,
    };
    let mut events = Vec::new();
    match placement {
        EvalPlacement::Feet => {
            for (side, name) in [(Side::Left, "left foot"), (Side::Right, "right foot")] {
                let samples = recording
                    .samples(Placement::Foot(side))
                    .ok_or_else(|| missing(name))?;
                let mut detector = FootDetector::new(Some(side), FootDetectorConfig::new(fs))
                    .map_err(detector_error)?;
                samples.iter().for_each(|s| detector.push(s, &mut events));
            }
        }
        EvalPlacement::LowerBack => {
            let samples = recording
                .samples(Placement::LowerBack)
                .ok_or_else(|| missing("lower-back"))?;
            let mut detector =
                LowerBackDetector::new(LowerBackDetectorConfig::new(fs)).map_err(detector_error)?;
            samples.iter().for_each(|s| detector.push(s, &mut events));
        }
    }
    events.sort_by_key(|e| e.event_time_nanos);
    Ok(events)
}

/// Detects and scores one trial.
pub fn evaluate(
    recording: &impl AnnotatedTrial,
    placement: EvalPlacement,
    rules: &MatchRules,
) -> Result<TrialScore, EvaluationError> {
    let events = detect(recording, placement)?;
    Ok(score_events(recording, events, rules))
}

/// Scores `events` (from any detector, streaming or offline) against the trial's annotations by
/// the rules [`evaluate`] uses: bout restriction where the data set needs it, one-to-one IC
/// matching, timing error, latency and per-bout cadence.
pub fn score_events(
    recording: &impl AnnotatedTrial,
    mut events: Vec<GaitEvent>,
    rules: &MatchRules,
) -> TrialScore {
    events.sort_by_key(|e| e.event_time_nanos);
    if scored_within_bouts(recording.dataset()) {
        let inside_a_bout = |t: i64| {
            recording.bouts().iter().any(|b| {
                t >= b.start_nanos - BOUT_MARGIN_NANOS && t <= b.end_nanos + BOUT_MARGIN_NANOS
            })
        };
        events.retain(|e| inside_a_bout(e.event_time_nanos));
    }
    let matching = match_events(
        &events,
        recording.reference(),
        GaitEventKind::InitialContact,
        rules,
    );
    let to_ms = |nanos: &i64| *nanos as f64 / 1e6;
    let reference_ics: Vec<&ReferenceEvent> = recording
        .reference()
        .iter()
        .filter(|r| r.kind == GaitEventKind::InitialContact)
        .collect();
    let detected_ics: Vec<Contact> = events
        .iter()
        .filter(|e| e.kind == GaitEventKind::InitialContact)
        .map(|e| (e.event_time_nanos, e.side))
        .collect();
    let cadence_pairs_spm = recording
        .bouts()
        .iter()
        .filter_map(|bout| {
            let inside = |t: i64| t >= bout.start_nanos && t <= bout.end_nanos;
            let reference = bout.reference_cadence_spm.or_else(|| {
                let contacts: Vec<Contact> = reference_ics
                    .iter()
                    .map(|r| (reference_time(r.timing), r.side))
                    .filter(|&(t, _)| inside(t))
                    .collect();
                robust_cadence_spm(&contacts)
            })?;
            let detected: Vec<Contact> = detected_ics
                .iter()
                .copied()
                .filter(|&(t, _)| inside(t))
                .collect();
            // A walk whose reference is too short for a trustworthy cadence is not scored; the
            // detector, as in a session, must answer anyway.
            Some((reference, walk_cadence_spm(&detected).unwrap_or(0.0)))
        })
        .collect();
    let contacts = scored_contacts(&events, recording.reference(), &matching.pairs);
    TrialScore {
        counts: matching.counts,
        ic_errors_ms: matching.timing_errors_nanos.iter().map(to_ms).collect(),
        ic_latencies_ms: matching.latencies_nanos.iter().map(to_ms).collect(),
        cadence_pairs_spm,
        events,
        contacts,
    }
}

/// Every IC of `events` and `reference` with its outcome under `pairs`.
fn scored_contacts(
    events: &[GaitEvent],
    reference: &[ReferenceEvent],
    pairs: &[MatchedPair],
) -> Vec<ScoredContact> {
    let annotated: Vec<i64> = reference
        .iter()
        .filter(|r| r.kind == GaitEventKind::InitialContact)
        .map(|r| reference_time(r.timing))
        .collect();
    let first = annotated.iter().copied().min();
    let last = annotated.iter().copied().max();
    let walk_position = |t: i64| match (first, last) {
        (Some(a), Some(b)) if b > a => (t - a) as f64 / (b - a) as f64,
        _ => f64::NAN,
    };
    let matched_detection: HashMap<usize, usize> =
        pairs.iter().map(|p| (p.detected, p.reference)).collect();
    let matched_annotations: HashSet<usize> = pairs.iter().map(|p| p.reference).collect();
    let detections = events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == GaitEventKind::InitialContact)
        .map(|(i, e)| {
            let annotation = matched_detection.get(&i).map(|&j| reference[j].timing);
            ScoredContact {
                outcome: match annotation {
                    Some(_) => ContactOutcome::Matched,
                    None => ContactOutcome::FalseDetection,
                },
                side: e.side,
                annotation,
                detected_nanos: Some((e.event_time_nanos, e.emitted_at_nanos)),
                walk_position: walk_position(e.event_time_nanos),
            }
        });
    let misses = reference
        .iter()
        .enumerate()
        .filter(|(j, r)| {
            r.kind == GaitEventKind::InitialContact && !matched_annotations.contains(j)
        })
        .map(|(_, r)| ScoredContact {
            outcome: ContactOutcome::Missed,
            side: r.side,
            annotation: Some(r.timing),
            detected_nanos: None,
            walk_position: walk_position(reference_time(r.timing)),
        });
    detections.chain(misses).collect()
}

/// Mobilise-D's convention (and gaitmap's, whose mocap covers only part of the walk): only the
/// reference's walking bouts are annotated, so only detections inside them are scored. Truong and
/// Voisard annotate every step of the trial: there, a detection anywhere counts.
fn scored_within_bouts(dataset: Dataset) -> bool {
    matches!(dataset, Dataset::Mobgap | Dataset::Gaitmap)
}

/// Mobilise-D's matching tolerance, applied at the bout edges too.
const BOUT_MARGIN_NANOS: i64 = 500_000_000;

/// A point to place a window annotation by for cadence: its end (foot-flat follows the heel
/// strike closely, and the interval between them is near constant).
fn reference_time(timing: ReferenceTiming) -> i64 {
    match timing {
        ReferenceTiming::Instant { time_nanos } => time_nanos,
        ReferenceTiming::Window { end_nanos, .. } => end_nanos,
    }
}
