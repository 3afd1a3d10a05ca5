//! Scoring other methods' initial-contact detections (mobgap's, gaitmap's, or any list of IC
//! times) next to Entrain's, with Entrain's own rules ([`score_events`]): per-method totals over
//! a suite of trials, processing time relative to Entrain, and timing on the contacts both
//! matched. Running the methods and reading their files is the benches' (`entrain-benches`'s
//! `peers`).

use std::collections::BTreeMap;

use entrain_gait::{GaitEvent, GaitEventKind};
use serde::Serialize;

use crate::evaluation::{AnnotatedTrial, score_events};
use crate::reference::ReferenceTiming;
use crate::scoring::{DetectionCounts, MatchRules, match_events, quantile};

/// One method's scores on one suite.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodScore {
    /// The method.
    pub method: String,
    /// Whether it is causal (every detection carries an emission time).
    pub causal: bool,
    /// Recordings it processed.
    pub trials: usize,
    /// Recordings of the suite it did not process.
    pub trials_skipped: usize,
    /// Annotated ICs in the processed recordings.
    pub reference_ics: usize,
    /// Detection counts.
    pub counts: DetectionCounts,
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
    /// Median |detected − annotated| over matched instants, ms.
    pub median_abs_error_ms: Option<f64>,
    /// 95th percentile of |detected − annotated|, ms.
    pub p95_abs_error_ms: Option<f64>,
    /// Mean signed detected − annotated, ms.
    pub mean_error_ms: Option<f64>,
    /// Mean |reference − detected| cadence per walking bout, steps/min.
    pub cadence_mae_spm: Option<f64>,
    /// Median emission − annotated time, ms (causal methods only).
    pub median_latency_ms: Option<f64>,
    /// 95th percentile of the latency, ms (causal methods only).
    pub p95_latency_ms: Option<f64>,
    /// Sum of the per-recording processing times, seconds.
    pub processing_secs: f64,
    /// Samples processed.
    pub samples: usize,
    /// `processing_secs` divided by Entrain's on the same recordings (None for Entrain itself or
    /// where Entrain did not run).
    pub time_ratio_to_entrain: Option<f64>,
    /// IC timing of this method and of Entrain on the annotations both matched (None for
    /// Entrain itself, or when they matched none in common).
    pub common: Option<CommonTiming>,
}

/// |IC error| of a peer and of Entrain on the same annotated contacts: those both matched. A
/// method that misses the hard contacts is otherwise timed on the easy ones only.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CommonTiming {
    /// Annotated instants both matched.
    pub ics: usize,
    /// The peer's median |error|, ms.
    pub median_abs_error_ms: f64,
    /// The peer's p95 |error|, ms.
    pub p95_abs_error_ms: f64,
    /// Entrain's median |error| on the same contacts, ms.
    pub entrain_median_abs_error_ms: f64,
    /// Entrain's p95 |error| on the same contacts, ms.
    pub entrain_p95_abs_error_ms: f64,
}

/// The timing of two methods on the annotations both matched, keyed by (trial, reference index).
fn common_timing(
    entrain: &BTreeMap<(String, usize), f64>,
    peer: &BTreeMap<(String, usize), f64>,
) -> Option<CommonTiming> {
    let (ours, theirs): (Vec<f64>, Vec<f64>) = peer
        .iter()
        .filter_map(|(key, e)| entrain.get(key).map(|o| (o.abs(), e.abs())))
        .unzip();
    Some(CommonTiming {
        ics: ours.len(),
        median_abs_error_ms: quantile(&theirs, 0.5)?,
        p95_abs_error_ms: quantile(&theirs, 0.95)?,
        entrain_median_abs_error_ms: quantile(&ours, 0.5)?,
        entrain_p95_abs_error_ms: quantile(&ours, 0.95)?,
    })
}

/// The scores of every method on one suite.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuiteScores {
    /// Data set name.
    pub dataset: String,
    /// `feet` or `lower_back`.
    pub placement: String,
    /// Recordings in the suite.
    pub trials: usize,
    /// One entry per method, Entrain first.
    pub methods: Vec<MethodScore>,
    /// The subject groups in the suite.
    pub groups: Vec<String>,
}

/// One method's running totals over a suite's trials: [`MethodTally::add_trial`] for each trial
/// it ran on, [`MethodTally::skip`] for each it did not, then [`MethodTally::finish`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MethodTally {
    trials: usize,
    skipped: usize,
    reference_ics: usize,
    counts: DetectionCounts,
    errors_ms: Vec<f64>,
    latencies_ms: Vec<f64>,
    cadence_abs_errors_spm: Vec<f64>,
    processing_secs: f64,
    samples: usize,
    trial_codes: Vec<String>,
    errors_by_reference: BTreeMap<(String, usize), f64>,
    processing_secs_by_trial: BTreeMap<String, f64>,
}

impl MethodTally {
    /// A trial of the suite the method did not process.
    pub fn skip(&mut self) {
        self.skipped += 1;
    }

    /// Scores `events`, the method's detections on `trial` (named `code`), with
    /// [`score_events`] under `rules`, and adds them and the run's cost (`processing_secs`
    /// over `n_samples`) to the totals; latencies count only for a `causal` method.
    #[allow(clippy::too_many_arguments)]
    pub fn add_trial(
        &mut self,
        code: &str,
        trial: &impl AnnotatedTrial,
        events: Vec<GaitEvent>,
        processing_secs: f64,
        n_samples: usize,
        causal: bool,
        rules: &MatchRules,
    ) {
        let score = score_events(trial, events, rules);
        self.trials += 1;
        self.reference_ics += score.counts.true_positives + score.counts.false_negatives;
        self.counts.add(score.counts);
        self.errors_ms.extend(score.ic_errors_ms);
        // The same matching again, to know which annotation each error belongs to.
        let matching = match_events(
            &score.events,
            trial.reference(),
            GaitEventKind::InitialContact,
            rules,
        );
        for pair in &matching.pairs {
            if let ReferenceTiming::Instant { time_nanos } =
                trial.reference()[pair.reference].timing
            {
                let error_nanos = score.events[pair.detected].event_time_nanos - time_nanos;
                self.errors_by_reference
                    .insert((code.to_owned(), pair.reference), error_nanos as f64 / 1e6);
            }
        }
        if causal {
            self.latencies_ms.extend(score.ic_latencies_ms);
        }
        self.cadence_abs_errors_spm
            .extend(score.cadence_pairs_spm.iter().map(|(r, d)| (r - d).abs()));
        self.processing_secs += processing_secs;
        self.samples += n_samples;
        self.trial_codes.push(code.to_owned());
        self.processing_secs_by_trial
            .insert(code.to_owned(), processing_secs);
    }

    /// The method's score (named `method`), and the totals for [`relate_to_baseline`].
    pub fn finish(self, method: &str, causal: bool) -> (MethodScore, MethodTally) {
        let abs: Vec<f64> = self.errors_ms.iter().map(|e| e.abs()).collect();
        let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
        let score = MethodScore {
            method: method.to_owned(),
            causal,
            trials: self.trials,
            trials_skipped: self.skipped,
            reference_ics: self.reference_ics,
            counts: self.counts,
            precision: self.counts.precision(),
            recall: self.counts.recall(),
            f1: self.counts.f1(),
            median_abs_error_ms: quantile(&abs, 0.5),
            p95_abs_error_ms: quantile(&abs, 0.95),
            mean_error_ms: mean(&self.errors_ms),
            cadence_mae_spm: mean(&self.cadence_abs_errors_spm),
            median_latency_ms: quantile(&self.latencies_ms, 0.5),
            p95_latency_ms: quantile(&self.latencies_ms, 0.95),
            processing_secs: self.processing_secs,
            samples: self.samples,
            time_ratio_to_entrain: None,
            common: None,
        };
        (score, self)
    }
}

/// Fills in, for every method but `baseline` (Entrain), its processing time relative to the
/// baseline's on the same recordings and its timing on the annotations both matched.
pub fn relate_to_baseline(
    scores: Vec<(MethodScore, MethodTally)>,
    baseline: &str,
) -> Vec<MethodScore> {
    let baseline_tally = scores
        .iter()
        .find(|(s, _)| s.method == baseline)
        .map(|(_, tally)| tally.clone());
    let baseline_secs_on = |codes: &[String]| -> Option<f64> {
        let secs = &baseline_tally.as_ref()?.processing_secs_by_trial;
        codes
            .iter()
            .map(|c| secs.get(c.as_str()).copied())
            .sum::<Option<f64>>()
            .filter(|s| *s > 0.0)
    };
    let mut method_scores = Vec::new();
    for (mut score, tally) in scores {
        if score.method != baseline {
            score.time_ratio_to_entrain =
                baseline_secs_on(&tally.trial_codes).map(|base| score.processing_secs / base);
            score.common = baseline_tally.as_ref().and_then(|base| {
                common_timing(&base.errors_by_reference, &tally.errors_by_reference)
            });
        }
        method_scores.push(score);
    }
    method_scores
}
