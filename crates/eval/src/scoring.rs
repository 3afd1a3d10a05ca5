//! Scoring detected events against annotations: one-to-one matching, precision / recall / F1,
//! timing error and detection latency.

use serde::{Deserialize, Serialize};

use crate::reference::{ReferenceEvent, ReferenceTiming};
use entrain_gait::{GaitEvent, GaitEventKind};

/// When a detection may match an annotation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MatchRules {
    /// A detection matches an instant annotation within ± this, nanoseconds.
    pub instant_tolerance_nanos: i64,
    /// A detection matches a window annotation from its start to its end plus this, nanoseconds
    /// (Truong's windows end at foot-flat, shortly after the heel strike).
    pub window_margin_after_nanos: i64,
    /// Whether sides must agree where both the detection and the annotation have one.
    pub same_side: bool,
}

impl Default for MatchRules {
    /// ±250 ms for instants (a quarter of a typical stride, as step-detection studies use),
    /// 150 ms after a window: the data set README's own rule.
    fn default() -> Self {
        MatchRules {
            instant_tolerance_nanos: 250_000_000,
            window_margin_after_nanos: 150_000_000,
            same_side: true,
        }
    }
}

/// A matched pair: indices into the detected and the reference slices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchedPair {
    /// Index of the detection.
    pub detected: usize,
    /// Index of the annotation.
    pub reference: usize,
}

/// True positives, false positives and false negatives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetectionCounts {
    /// Detections matched to an annotation.
    pub true_positives: usize,
    /// Detections matching nothing.
    pub false_positives: usize,
    /// Annotations no detection matched.
    pub false_negatives: usize,
}

impl DetectionCounts {
    /// Precision: TP / (TP + FP); 1 when nothing was detected and nothing was missed... and 0 if
    /// nothing was detected while something was there.
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    /// Recall: TP / (TP + FN).
    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    /// F1: the harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Adds another set of counts.
    pub fn add(&mut self, other: DetectionCounts) {
        self.true_positives += other.true_positives;
        self.false_positives += other.false_positives;
        self.false_negatives += other.false_negatives;
    }
}

fn ratio(numerator: usize, denominator: usize) -> f64 {
    if denominator == 0 {
        1.0
    } else {
        numerator as f64 / denominator as f64
    }
}

/// The outcome of matching one recording's detections of one kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Matching {
    /// One-to-one pairs.
    pub pairs: Vec<MatchedPair>,
    /// The counts.
    pub counts: DetectionCounts,
    /// For pairs with an instant annotation: detected event time − annotated time, nanoseconds.
    pub timing_errors_nanos: Vec<i64>,
    /// For pairs with an instant annotation: emission time − annotated time, nanoseconds.
    pub latencies_nanos: Vec<i64>,
}

/// How far a detection at `time_nanos` is from an annotation, if it may match at all.
fn match_cost(time_nanos: i64, timing: ReferenceTiming, rules: &MatchRules) -> Option<i64> {
    match timing {
        ReferenceTiming::Instant { time_nanos: t } => {
            let distance = (time_nanos - t).abs();
            (distance <= rules.instant_tolerance_nanos).then_some(distance)
        }
        ReferenceTiming::Window {
            start_nanos,
            end_nanos,
        } => {
            let end = end_nanos + rules.window_margin_after_nanos;
            // Inside the window: cost grows with the distance from its middle, so that of two
            // overlapping windows the better centred wins.
            (start_nanos..=end)
                .contains(&time_nanos)
                .then(|| (time_nanos - (start_nanos + end_nanos) / 2).abs())
        }
    }
}

/// Matches detections of `kind` to annotations of `kind` one to one, closest pairs first.
pub fn match_events(
    detected: &[GaitEvent],
    reference: &[ReferenceEvent],
    kind: GaitEventKind,
    rules: &MatchRules,
) -> Matching {
    let detected_idx: Vec<usize> = (0..detected.len())
        .filter(|&i| detected[i].kind == kind)
        .collect();
    let reference_idx: Vec<usize> = (0..reference.len())
        .filter(|&j| reference[j].kind == kind)
        .collect();
    let mut candidates: Vec<(i64, usize, usize)> = Vec::new();
    for &i in &detected_idx {
        let event = &detected[i];
        for &j in &reference_idx {
            let annotation = &reference[j];
            if rules.same_side
                && matches!((event.side, annotation.side), (Some(a), Some(b)) if a != b)
            {
                continue;
            }
            if let Some(cost) = match_cost(event.event_time_nanos, annotation.timing, rules) {
                candidates.push((cost, i, j));
            }
        }
    }
    candidates.sort_unstable();
    let mut detected_used = vec![false; detected.len()];
    let mut reference_used = vec![false; reference.len()];
    let mut matching = Matching::default();
    for (_, i, j) in candidates {
        if detected_used[i] || reference_used[j] {
            continue;
        }
        detected_used[i] = true;
        reference_used[j] = true;
        matching.pairs.push(MatchedPair {
            detected: i,
            reference: j,
        });
        if let ReferenceTiming::Instant { time_nanos } = reference[j].timing {
            matching
                .timing_errors_nanos
                .push(detected[i].event_time_nanos - time_nanos);
            matching
                .latencies_nanos
                .push(detected[i].emitted_at_nanos - time_nanos);
        }
    }
    matching.pairs.sort_unstable_by_key(|p| p.reference);
    let matched = matching.pairs.len();
    matching.counts = DetectionCounts {
        true_positives: matched,
        false_positives: detected_idx.len() - matched,
        false_negatives: reference_idx.len() - matched,
    };
    matching
}

/// The `q`-quantile (0…1) of `values` by linear interpolation; `None` when empty.
pub fn quantile(values: &[f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let position = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lower = position.floor() as usize;
    let upper = position.ceil() as usize;
    let weight = position - lower as f64;
    Some(sorted[lower] * (1.0 - weight) + sorted[upper] * weight)
}

#[cfg(test)]
mod tests {
    use super::*;
    use entrain_gait::Side;

    const MS: i64 = 1_000_000;

    fn ic(side: Side, event_ms: i64, emitted_ms: i64) -> GaitEvent {
        GaitEvent {
            kind: GaitEventKind::InitialContact,
            side: Some(side),
            event_time_nanos: event_ms * MS,
            emitted_at_nanos: emitted_ms * MS,
        }
    }

    fn instant(side: Side, ms: i64) -> ReferenceEvent {
        ReferenceEvent {
            kind: GaitEventKind::InitialContact,
            side: Some(side),
            timing: ReferenceTiming::Instant {
                time_nanos: ms * MS,
            },
        }
    }

    #[test]
    fn matches_one_to_one_closest_first() {
        // Two detections near one annotation: only the closer one matches; the other is an FP.
        let detected = [ic(Side::Left, 990, 1010), ic(Side::Left, 1100, 1120)];
        let reference = [instant(Side::Left, 1000), instant(Side::Left, 2000)];
        let m = match_events(
            &detected,
            &reference,
            GaitEventKind::InitialContact,
            &MatchRules::default(),
        );
        assert_eq!(
            m.pairs,
            [MatchedPair {
                detected: 0,
                reference: 0
            }]
        );
        assert_eq!(
            m.counts,
            DetectionCounts {
                true_positives: 1,
                false_positives: 1,
                false_negatives: 1
            }
        );
        assert_eq!(m.timing_errors_nanos, [-10 * MS]);
        assert_eq!(m.latencies_nanos, [10 * MS]);
        assert!((m.counts.precision() - 0.5).abs() < 1e-12);
        assert!((m.counts.f1() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn sides_must_agree_and_kinds_are_scored_apart() {
        let mut toe_off = ic(Side::Left, 1000, 1000);
        toe_off.kind = GaitEventKind::ToeOff;
        let detected = [ic(Side::Right, 1000, 1000), toe_off];
        let reference = [instant(Side::Left, 1000)];
        let m = match_events(
            &detected,
            &reference,
            GaitEventKind::InitialContact,
            &MatchRules::default(),
        );
        assert_eq!(m.counts.true_positives, 0);
        assert_eq!(m.counts.false_positives, 1);
        assert_eq!(m.counts.false_negatives, 1);
    }

    #[test]
    fn windows_match_inside_with_the_margin_and_give_no_timing() {
        let window = |start, end| ReferenceEvent {
            kind: GaitEventKind::InitialContact,
            side: None,
            timing: ReferenceTiming::Window {
                start_nanos: start * MS,
                end_nanos: end * MS,
            },
        };
        let reference = [window(0, 500), window(600, 1100)];
        let detected = [
            ic(Side::Left, 640, 650),
            ic(Side::Left, 1240, 1250),
            ic(Side::Left, 1300, 1300),
        ];
        let m = match_events(
            &detected,
            &reference,
            GaitEventKind::InitialContact,
            &MatchRules::default(),
        );
        // 640 ms lies in the second window only (the first ends at 500 + 150); 1240 too late for the second.
        assert_eq!(
            m.pairs,
            [MatchedPair {
                detected: 0,
                reference: 1
            }]
        );
        assert!(m.timing_errors_nanos.is_empty());
        assert_eq!(m.counts.false_positives, 2);
        assert_eq!(m.counts.false_negatives, 1);
    }

    #[test]
    fn empty_inputs_score_sensibly() {
        let m = match_events(
            &[],
            &[],
            GaitEventKind::InitialContact,
            &MatchRules::default(),
        );
        assert_eq!(m.counts, DetectionCounts::default());
        assert_eq!(m.counts.f1(), 1.0);
        let m = match_events(
            &[],
            &[instant(Side::Left, 0)],
            GaitEventKind::InitialContact,
            &MatchRules::default(),
        );
        assert_eq!(m.counts.recall(), 0.0);
        assert_eq!(m.counts.f1(), 0.0);
    }

    #[test]
    fn quantiles_interpolate() {
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[3.0, 1.0, 2.0], 0.5), Some(2.0));
        assert_eq!(quantile(&[0.0, 10.0], 0.95), Some(9.5));
    }
}
