//! Progress across sessions: the measures of each recorded session (from its stored steps, beats and
//! phases) and the clinical tests, with the clinical thresholds drawn on the gait-speed chart. Pure.

use entrain_gait::Side;
use entrain_store::{StoredBeat, StoredClinicalTest, StoredStep};

/// Gait-speed minimal clinically important difference, inpatient (DOMAIN.md), m/s.
pub const MCID_LOW_MPS: f64 = 0.13;
/// Gait-speed minimal clinically important difference, subacute (DOMAIN.md), m/s.
pub const MCID_HIGH_MPS: f64 = 0.16;
/// Below: household walker; above: limited community walker, m/s.
pub const HOUSEHOLD_LIMIT_MPS: f64 = 0.4;
/// Above: community walker, m/s.
pub const COMMUNITY_LIMIT_MPS: f64 = 0.8;
/// Fewer steps per foot than this give no measure (mobility reference systems report nothing).
pub const MIN_STEPS_PER_FOOT: usize = 5;

/// A step longer than this is a stop, not a step, ns.
const MAX_STEP_NANOS: i64 = 2_500_000_000;

/// Gait measures over one stretch of walking.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WalkMeasures {
    /// Steps counted.
    pub steps: usize,
    /// Cadence, steps/min.
    pub cadence_spm: Option<f64>,
    /// Mean step time ending on the left foot, s.
    pub step_time_left_secs: Option<f64>,
    /// Mean step time ending on the right foot, s.
    pub step_time_right_secs: Option<f64>,
    /// Symmetry ratio: paretic / non-paretic step time (left / right if no side is known); 1 = symmetric.
    pub symmetry_ratio: Option<f64>,
    /// Step-time variability: coefficient of variation, %.
    pub step_time_cv_percent: Option<f64>,
}

impl WalkMeasures {
    /// Measures the steps (ascending time; `side` is `left`/`right`); `paretic` picks the ratio's numerator.
    pub fn from_steps(steps: &[(i64, Side)], paretic: Option<Side>) -> WalkMeasures {
        let mut left = Vec::new();
        let mut right = Vec::new();
        let mut intervals = Vec::new();
        for w in steps.windows(2) {
            let [(t0, s0), (t1, s1)] = [w[0], w[1]];
            let dt = t1 - t0;
            if dt <= 0 || dt > MAX_STEP_NANOS {
                continue;
            }
            intervals.push(dt as f64 / 1e9);
            if s0 != s1 {
                match s1 {
                    Side::Left => left.push(dt as f64 / 1e9),
                    Side::Right => right.push(dt as f64 / 1e9),
                }
            }
        }
        let per_foot_ok = steps.iter().filter(|s| s.1 == Side::Left).count() >= MIN_STEPS_PER_FOOT
            && steps.iter().filter(|s| s.1 == Side::Right).count() >= MIN_STEPS_PER_FOOT;
        if !per_foot_ok {
            return WalkMeasures {
                steps: steps.len(),
                ..WalkMeasures::default()
            };
        }
        let cadence_spm = mean(&intervals).map(|m| 60.0 / m);
        let l = mean(&left);
        let r = mean(&right);
        let symmetry_ratio = match (l, r, paretic) {
            (Some(l), Some(r), Some(Side::Right)) => Some(r / l),
            (Some(l), Some(r), _) => Some(l / r),
            _ => None,
        };
        let all: Vec<f64> = left.iter().chain(&right).copied().collect();
        let step_time_cv_percent = match (mean(&all), sd(&all)) {
            (Some(m), Some(s)) if m > 0.0 => Some(100.0 * s / m),
            _ => None,
        };
        WalkMeasures {
            steps: steps.len(),
            cadence_spm,
            step_time_left_secs: l,
            step_time_right_secs: r,
            symmetry_ratio,
            step_time_cv_percent,
        }
    }
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

fn sd(v: &[f64]) -> Option<f64> {
    let m = mean(v)?;
    (v.len() >= 2)
        .then(|| (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt())
}

/// One session's measures for the progress charts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionPoint {
    /// Session id.
    pub session_id: i64,
    /// Start, Unix ms.
    pub started_unix_ms: i64,
    /// Uncued baseline.
    pub baseline: WalkMeasures,
    /// Uncued re-test (the outcome).
    pub retest: WalkMeasures,
    /// The whole session.
    pub whole: WalkMeasures,
    /// Entrainment over the cued steps: resultant length R, 0–1.
    pub entrainment_r: Option<f64>,
    /// Mean asynchrony of the cued steps, ms.
    pub mean_asynchrony_ms: Option<f64>,
    /// Steps in all.
    pub steps: usize,
}

fn side_of(name: &str) -> Option<Side> {
    match name {
        "left" => Some(Side::Left),
        "right" => Some(Side::Right),
        _ => None,
    }
}

/// Measures one stored session.
pub fn session_point(
    session_id: i64,
    started_unix_ms: i64,
    steps: &[StoredStep],
    beats: &[StoredBeat],
    paretic: Option<Side>,
) -> SessionPoint {
    let of_phase = |name: &str| -> Vec<(i64, Side)> {
        steps
            .iter()
            .filter(|s| s.phase == name)
            .filter_map(|s| side_of(&s.side).map(|side| (s.time_nanos, side)))
            .collect()
    };
    let all: Vec<(i64, Side)> = steps
        .iter()
        .filter_map(|s| side_of(&s.side).map(|side| (s.time_nanos, side)))
        .collect();
    let cued_phases = ["matched", "progression", "functional", "fading"];
    let audible: Vec<i64> = beats
        .iter()
        .filter(|b| b.volume > 0.0)
        .map(|b| b.played_nanos.unwrap_or(b.scheduled_nanos))
        .collect();
    let cued_ics: Vec<i64> = steps
        .iter()
        .filter(|s| cued_phases.contains(&s.phase.as_str()))
        .map(|s| s.time_nanos)
        .filter(|&t| {
            // Only steps inside the span of audible beats belong to a beat.
            matches!((audible.first(), audible.last()), (Some(&a), Some(&b)) if t >= a && t <= b)
        })
        .collect();
    let sync = entrain_gait::sync::summarize(&cued_ics, &audible);
    SessionPoint {
        session_id,
        started_unix_ms,
        baseline: WalkMeasures::from_steps(&of_phase("baseline"), paretic),
        retest: WalkMeasures::from_steps(&of_phase("retest"), paretic),
        whole: WalkMeasures::from_steps(&all, paretic),
        entrainment_r: sync.as_ref().map(|s| s.resultant_length),
        mean_asynchrony_ms: sync.as_ref().map(|s| s.mean_asynchrony_ms),
        steps: steps.len(),
    }
}

/// Gait speeds from the 10-metre walk tests, oldest first: (Unix ms, m/s).
pub fn gait_speeds(tests: &[StoredClinicalTest]) -> Vec<(i64, f64)> {
    let mut v: Vec<(i64, f64)> = tests
        .iter()
        .filter(|t| t.test == "10mwt")
        .map(|t| (t.performed_unix_ms, t.value))
        .collect();
    v.sort_by_key(|p| p.0);
    v
}

/// What a change of gait speed means against the MCID band.
pub fn speed_change_verdict(first_mps: f64, last_mps: f64) -> &'static str {
    let d = last_mps - first_mps;
    if d >= MCID_HIGH_MPS {
        "clinically important improvement (>= 0.16 m/s)"
    } else if d >= MCID_LOW_MPS {
        "improvement within the MCID band (0.13–0.16 m/s)"
    } else if d <= -MCID_LOW_MPS {
        "clinically important decline"
    } else {
        "change smaller than the MCID (0.13 m/s)"
    }
}

/// The ambulation class of a gait speed (Perry): household, limited community, community.
pub fn ambulation_class(speed_mps: f64) -> &'static str {
    if speed_mps < HOUSEHOLD_LIMIT_MPS {
        "household walker (< 0.4 m/s)"
    } else if speed_mps < COMMUNITY_LIMIT_MPS {
        "limited community walker (0.4–0.8 m/s)"
    } else {
        "community walker (>= 0.8 m/s)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: i64 = 1_000_000;

    fn walk(n: usize, left_ms: i64, right_ms: i64) -> Vec<(i64, Side)> {
        let mut t = 0;
        let mut v = Vec::new();
        for i in 0..n {
            let side = if i % 2 == 0 { Side::Left } else { Side::Right };
            t += if side == Side::Left {
                left_ms
            } else {
                right_ms
            } * MS;
            v.push((t, side));
        }
        v
    }

    #[test]
    fn measures_of_an_asymmetric_walk() {
        let m = WalkMeasures::from_steps(&walk(21, 800, 600), None);
        assert_eq!(m.steps, 21);
        // Mean interval 0.7 s -> 85.7 steps/min.
        assert!((m.cadence_spm.unwrap() - 60.0 / 0.7).abs() < 0.2);
        assert!((m.step_time_left_secs.unwrap() - 0.8).abs() < 1e-9);
        assert!((m.step_time_right_secs.unwrap() - 0.6).abs() < 1e-9);
        assert!((m.symmetry_ratio.unwrap() - 0.8 / 0.6).abs() < 1e-9);
        let paretic_right = WalkMeasures::from_steps(&walk(20, 800, 600), Some(Side::Right));
        assert!((paretic_right.symmetry_ratio.unwrap() - 0.6 / 0.8).abs() < 1e-9);
        assert!(m.step_time_cv_percent.unwrap() > 10.0);
    }

    #[test]
    fn too_few_steps_give_no_measure() {
        let m = WalkMeasures::from_steps(&walk(8, 700, 700), None);
        assert_eq!(m.steps, 8);
        assert_eq!(m.cadence_spm, None);
    }

    #[test]
    fn session_point_splits_phases_and_measures_entrainment() {
        let mut steps = Vec::new();
        let mut beats = Vec::new();
        for i in 0..40i64 {
            let phase = if i < 12 {
                "baseline"
            } else if i < 30 {
                "matched"
            } else {
                "retest"
            };
            let t = i * 750 * MS;
            steps.push(StoredStep {
                session_id: 1,
                time_nanos: t + 10 * MS,
                side: if i % 2 == 0 {
                    "left".into()
                } else {
                    "right".into()
                },
                detected_at_nanos: t + 100 * MS,
                phase: phase.into(),
            });
            if (12..30).contains(&i) {
                beats.push(StoredBeat {
                    session_id: 1,
                    scheduled_nanos: t,
                    played_nanos: Some(t),
                    tempo_spm: 80.0,
                    target_spm: 80.0,
                    volume: 1.0,
                    phase: phase.into(),
                });
            }
        }
        let p = session_point(1, 0, &steps, &beats, None);
        assert_eq!(p.steps, 40);
        assert!((p.baseline.cadence_spm.unwrap() - 80.0).abs() < 1e-6);
        assert!((p.retest.cadence_spm.unwrap() - 80.0).abs() < 1e-6);
        assert!(p.entrainment_r.unwrap() > 0.99);
        assert!((p.mean_asynchrony_ms.unwrap() - 10.0).abs() < 1e-6);
    }

    #[test]
    fn thresholds() {
        assert!(speed_change_verdict(0.5, 0.67).starts_with("clinically important improvement"));
        assert!(speed_change_verdict(0.5, 0.64).contains("MCID band"));
        assert!(speed_change_verdict(0.5, 0.55).starts_with("change smaller"));
        assert!(ambulation_class(0.3).starts_with("household"));
        assert!(ambulation_class(0.5).starts_with("limited"));
        assert!(ambulation_class(0.9).starts_with("community"));
    }
}
