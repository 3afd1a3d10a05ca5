//! Spatial accuracy: stride lengths and walked distances measured from the foot sensors
//! ([`entrain_gait::StrideTracker`]) against a reference system's (motion capture, or a walkway
//! of known length).

use entrain_gait::{ImuSample, Placement, Side, Stride, StrideConfig, StrideTracker};
use serde::{Deserialize, Serialize};

use crate::AnnotatedTrial;

/// One stride the reference measured: from one initial contact of a foot to its next.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReferenceStride {
    /// The foot.
    pub side: Side,
    /// The initial contact it starts at, on the recording's clock.
    pub start_nanos: i64,
    /// The initial contact it ends at.
    pub end_nanos: i64,
    /// Horizontal distance the heel travelled, m.
    pub length_m: f64,
}

/// A straight stretch of a trial of known length (a walkway between turns).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReferenceDistance {
    /// Start of the stretch, on the recording's clock.
    pub start_nanos: i64,
    /// End of the stretch.
    pub end_nanos: i64,
    /// Its length, m.
    pub distance_m: f64,
}

/// Mean absolute error of lengths against a reference, as `entrain eval` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct LengthError {
    /// Mean absolute error, m.
    pub mean_abs_error_m: f64,
    /// Mean absolute error relative to each reference length, %.
    pub mean_abs_error_percent: f64,
    /// How many lengths were compared.
    pub n: usize,
}

impl LengthError {
    /// The error over pairs of (measured, reference) lengths, m; `None` with no pair.
    pub fn of_pairs(pairs: &[(f64, f64)]) -> Option<LengthError> {
        if pairs.is_empty() {
            return None;
        }
        let n = pairs.len();
        let abs_m: f64 = pairs.iter().map(|(m, r)| (m - r).abs()).sum();
        let pct: f64 = pairs.iter().map(|(m, r)| 100.0 * (m - r).abs() / r).sum();
        Some(LengthError {
            mean_abs_error_m: abs_m / n as f64,
            mean_abs_error_percent: pct / n as f64,
            n,
        })
    }

    /// Both sides' errors as one (weighted by their counts).
    pub fn combine(parts: &[LengthError]) -> Option<LengthError> {
        let n: usize = parts.iter().map(|p| p.n).sum();
        (n > 0).then(|| LengthError {
            mean_abs_error_m: parts
                .iter()
                .map(|p| p.mean_abs_error_m * p.n as f64)
                .sum::<f64>()
                / n as f64,
            mean_abs_error_percent: parts
                .iter()
                .map(|p| p.mean_abs_error_percent * p.n as f64)
                .sum::<f64>()
                / n as f64,
            n,
        })
    }
}

/// The strides of one foot's samples.
pub fn track_strides(samples: &[ImuSample], config: StrideConfig) -> Vec<Stride> {
    let mut tracker = StrideTracker::new(config);
    samples.iter().filter_map(|s| tracker.push(s)).collect()
}

/// How long after the reference's initial contact the tracker's foot flat may begin, ns: the
/// foot rolls onto its sole after the heel lands.
const FOOT_FLAT_AFTER_CONTACT_NANOS: i64 = 400_000_000;
/// How long before it, for a reference contact marked late, ns.
const FOOT_FLAT_BEFORE_CONTACT_NANOS: i64 = 50_000_000;

/// Pairs each reference stride of `side` with the measured stride of that foot that swung
/// between its two contacts (lifted off after the first, flat again just after the second):
/// (measured, reference) lengths, each stride used once.
pub fn match_strides(
    side: Side,
    measured: &[Stride],
    reference: &[ReferenceStride],
) -> Vec<(f64, f64)> {
    let mut used = vec![false; measured.len()];
    let mut pairs = Vec::new();
    for r in reference.iter().filter(|r| r.side == side) {
        let found = measured.iter().enumerate().position(|(i, m)| {
            !used[i]
                && m.lift_off_nanos > r.start_nanos
                && m.lift_off_nanos < r.end_nanos
                && m.foot_flat_nanos >= r.end_nanos - FOOT_FLAT_BEFORE_CONTACT_NANOS
                && m.foot_flat_nanos <= r.end_nanos + FOOT_FLAT_AFTER_CONTACT_NANOS
        });
        if let Some(i) = found {
            used[i] = true;
            pairs.push((measured[i].length_m, r.length_m));
        }
    }
    pairs
}

/// The distance both feet travelled within a stretch: the mean over the feet of the lengths of
/// the strides that lifted off within it.
pub fn distance_within(feet: &[&[Stride]], stretch: &ReferenceDistance) -> Option<f64> {
    let per_foot: Vec<f64> = feet
        .iter()
        .map(|strides| {
            strides
                .iter()
                .filter(|s| {
                    s.lift_off_nanos >= stretch.start_nanos && s.lift_off_nanos < stretch.end_nanos
                })
                .map(|s| s.length_m)
                .sum::<f64>()
        })
        .collect();
    (!per_foot.is_empty()).then(|| per_foot.iter().sum::<f64>() / per_foot.len() as f64)
}

/// One trial's (measured, reference) pairs, m: stride lengths and straight-stretch distances,
/// where the trial has a reference for them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpatialPairs {
    /// Stride lengths.
    pub stride_length: Vec<(f64, f64)>,
    /// Distances of the straight stretches.
    pub distance: Vec<(f64, f64)>,
}

/// Tracks both feet's strides over `trial` and pairs them with its spatial reference (empty
/// pairs where it has none or lacks a foot sensor).
pub fn spatial_pairs(trial: &impl AnnotatedTrial, config: StrideConfig) -> SpatialPairs {
    let (strides, distances) = (trial.reference_strides(), trial.reference_distances());
    let mut pairs = SpatialPairs::default();
    if strides.is_empty() && distances.is_empty() {
        return pairs;
    }
    let feet: Vec<(Side, Vec<Stride>)> = [Side::Left, Side::Right]
        .into_iter()
        .filter_map(|side| {
            let samples = trial.samples(Placement::Foot(side))?;
            Some((side, track_strides(samples, config)))
        })
        .collect();
    for (side, measured) in &feet {
        pairs
            .stride_length
            .extend(match_strides(*side, measured, strides));
    }
    if feet.len() == 2 {
        let both: Vec<&[Stride]> = feet.iter().map(|(_, s)| s.as_slice()).collect();
        pairs.distance = distances
            .iter()
            .filter_map(|d| Some((distance_within(&both, d)?, d.distance_m)))
            .collect();
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stride(lift_off_s: f64, flat_s: f64, length_m: f64) -> Stride {
        Stride {
            lift_off_nanos: (lift_off_s * 1e9) as i64,
            foot_flat_nanos: (flat_s * 1e9) as i64,
            stride_time_nanos: 1_000_000_000,
            length_m,
            displacement_m: [length_m, 0.0, 0.0],
            clearance_m: 0.1,
            heading_change_deg: 0.0,
            is_turn: false,
            emitted_at_nanos: (flat_s * 1e9) as i64 + 40_000_000,
        }
    }

    fn reference(side: Side, from_s: f64, to_s: f64, length_m: f64) -> ReferenceStride {
        ReferenceStride {
            side,
            start_nanos: (from_s * 1e9) as i64,
            end_nanos: (to_s * 1e9) as i64,
            length_m,
        }
    }

    #[test]
    fn strides_pair_with_the_reference_stride_they_swung_in() {
        let measured = [
            stride(1.3, 2.1, 1.40),
            stride(2.4, 3.15, 1.35),
            // Lifted off before the reference's first contact: no pair.
            stride(0.1, 0.9, 9.0),
        ];
        let refs = [
            reference(Side::Left, 1.0, 2.0, 1.42),
            reference(Side::Left, 2.0, 3.0, 1.30),
            reference(Side::Right, 1.0, 2.0, 1.0),
        ];
        let pairs = match_strides(Side::Left, &measured, &refs);
        assert_eq!(pairs, [(1.40, 1.42), (1.35, 1.30)]);
        let e = LengthError::of_pairs(&pairs).unwrap();
        assert!((e.mean_abs_error_m - 0.035).abs() < 1e-12);
        let pct = (100.0 * 0.02 / 1.42 + 100.0 * 0.05 / 1.30) / 2.0;
        assert!((e.mean_abs_error_percent - pct).abs() < 1e-12);
        assert_eq!(e.n, 2);
        // A foot flat long after the contact is another stride's.
        assert!(match_strides(Side::Left, &[stride(1.3, 2.6, 1.4)], &refs[..1]).is_empty());
    }

    #[test]
    fn a_distance_is_the_mean_of_the_feet_over_the_stretch() {
        let left = [stride(1.0, 1.8, 1.0), stride(2.0, 2.8, 1.2)];
        let right = [stride(1.5, 2.3, 1.1), stride(9.0, 9.8, 5.0)];
        let stretch = ReferenceDistance {
            start_nanos: 500_000_000,
            end_nanos: 3_000_000_000,
            distance_m: 2.2,
        };
        let d = distance_within(&[&left, &right], &stretch).unwrap();
        assert!((d - (2.2 + 1.1) / 2.0).abs() < 1e-12);
        let combined = LengthError::combine(&[
            LengthError::of_pairs(&[(1.0, 1.1)]).unwrap(),
            LengthError::of_pairs(&[(2.0, 2.0), (3.0, 3.0)]).unwrap(),
        ])
        .unwrap();
        assert_eq!(combined.n, 3);
        assert!((combined.mean_abs_error_m - 0.1 / 3.0).abs() < 1e-12);
    }
}
