//! Synchronisation metrics: is the patient entrained to the beat?
//!
//! Definitions: docs/CLINICAL.md#asynchrony (and the sections after it):
//! - **asynchrony** = t(IC) − t(nearest beat), in ms (negative: the step came before the beat);
//! - **relative phase** = 360° · asynchrony / beat interval;
//! - **resultant vector length R** = |mean(e^{iφ})| over a window, 0…1;
//! - **Rayleigh test** of non-uniformity of the phases (z = n·R², p from Zar's approximation);
//! - **period match** = mean step interval / beat interval, in % (100 % = matched).

use alloc::vec::Vec;
use core::f64::consts::PI;

/// Nanoseconds per millisecond.
const NANOS_PER_MS: f64 = 1.0e6;

/// The beat nearest to `ic_nanos` in `beats_nanos` (sorted ascending), or `None` if there are none.
/// On an exact tie the earlier beat wins, so the asynchrony is positive (step after the beat).
pub fn nearest_beat_nanos(ic_nanos: i64, beats_nanos: &[i64]) -> Option<i64> {
    let after = beats_nanos.partition_point(|&b| b < ic_nanos);
    let later = beats_nanos.get(after).copied();
    let earlier = after
        .checked_sub(1)
        .and_then(|i| beats_nanos.get(i))
        .copied();
    match (earlier, later) {
        (Some(e), Some(l)) => Some(if ic_nanos - e <= l - ic_nanos { e } else { l }),
        (e, l) => e.or(l),
    }
}

/// Asynchrony of one initial contact: t(IC) − t(nearest beat), in nanoseconds.
pub fn asynchrony_nanos(ic_nanos: i64, beats_nanos: &[i64]) -> Option<i64> {
    nearest_beat_nanos(ic_nanos, beats_nanos).map(|b| ic_nanos - b)
}

/// Asynchrony of one initial contact in milliseconds, as reported to clinicians.
pub fn asynchrony_ms(ic_nanos: i64, beats_nanos: &[i64]) -> Option<f64> {
    asynchrony_nanos(ic_nanos, beats_nanos).map(|a| a as f64 / NANOS_PER_MS)
}

/// Relative phase in degrees: 360 · asynchrony / beat interval. Zero or negative intervals give 0.
pub fn relative_phase_deg(asynchrony_nanos: i64, beat_interval_nanos: i64) -> f64 {
    if beat_interval_nanos <= 0 {
        return 0.0;
    }
    360.0 * asynchrony_nanos as f64 / beat_interval_nanos as f64
}

/// Relative phase in radians (2π · asynchrony / beat interval), the form the circular statistics use.
pub fn relative_phase_rad(asynchrony_nanos: i64, beat_interval_nanos: i64) -> f64 {
    relative_phase_deg(asynchrony_nanos, beat_interval_nanos) * PI / 180.0
}

/// Mean resultant vector of a set of phases (radians): its length R (0…1) and mean direction (radians).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resultant {
    /// Resultant vector length R = |mean(e^{iφ})|, 0 (uniform) … 1 (all phases equal).
    pub length: f64,
    /// Mean phase, radians in (−π, π].
    pub mean_phase_rad: f64,
    /// Number of phases.
    pub n: usize,
}

/// The mean resultant vector of `phases_rad`; `None` for an empty window.
pub fn resultant(phases_rad: &[f64]) -> Option<Resultant> {
    if phases_rad.is_empty() {
        return None;
    }
    let n = phases_rad.len() as f64;
    let (c, s) = phases_rad.iter().fold((0.0, 0.0), |(c, s), &p| {
        (c + libm::cos(p), s + libm::sin(p))
    });
    let (c, s) = (c / n, s / n);
    Some(Resultant {
        length: libm::sqrt(c * c + s * s),
        mean_phase_rad: libm::atan2(s, c),
        n: phases_rad.len(),
    })
}

/// Resultant vector length R of `phases_rad`; 0 for an empty window.
pub fn resultant_length(phases_rad: &[f64]) -> f64 {
    resultant(phases_rad).map_or(0.0, |r| r.length)
}

/// The Rayleigh test of uniformity for `n` phases with resultant length `r`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rayleigh {
    /// Rayleigh's z = n · R².
    pub z: f64,
    /// Probability of a resultant this long or longer if the phases were uniform (not entrained).
    pub p_value: f64,
}

/// Rayleigh test for `n` phases of resultant length `r`, with Zar's (Biostatistical Analysis, eq. 27.4)
/// approximation p = exp(√(1 + 4n + 4(n² − Rn²)) − (1 + 2n)), where Rn = n·R; clamped to [0, 1].
pub fn rayleigh(n: usize, r: f64) -> Rayleigh {
    if n == 0 {
        return Rayleigh {
            z: 0.0,
            p_value: 1.0,
        };
    }
    let n_f = n as f64;
    let r = r.clamp(0.0, 1.0);
    let rn = n_f * r;
    let z = n_f * r * r;
    let p =
        libm::exp(libm::sqrt(1.0 + 4.0 * n_f + 4.0 * (n_f * n_f - rn * rn)) - (1.0 + 2.0 * n_f));
    Rayleigh {
        z,
        p_value: p.clamp(0.0, 1.0),
    }
}

/// Period match: mean step interval / beat interval × 100 (100 % = the patient steps at the beat's tempo,
/// above 100 % = slower than the beat). `None` when either is not positive.
pub fn period_match_percent(
    mean_step_interval_nanos: f64,
    beat_interval_nanos: f64,
) -> Option<f64> {
    if mean_step_interval_nanos <= 0.0 || beat_interval_nanos <= 0.0 {
        return None;
    }
    Some(100.0 * mean_step_interval_nanos / beat_interval_nanos)
}

/// Every synchronisation measure over one window of steps against the beats actually played.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SyncSummary {
    /// Initial contacts in the window that had a beat to compare with.
    pub n_steps: usize,
    /// Mean asynchrony, ms (negative: steps before the beat).
    pub mean_asynchrony_ms: f64,
    /// Resultant vector length R of the relative phases.
    pub resultant_length: f64,
    /// Mean relative phase, degrees.
    pub mean_relative_phase_deg: f64,
    /// Rayleigh test of the relative phases.
    pub rayleigh: Rayleigh,
    /// Mean step interval / mean beat interval × 100, if the window has at least two steps.
    pub period_match_percent: Option<f64>,
}

/// Synchronisation measures of the initial contacts `ics_nanos` (both feet, ascending) against the played
/// `beats_nanos` (ascending). Each IC's phase is taken against the local beat interval around its nearest
/// beat. `None` if no IC has a beat to compare with.
pub fn summarize(ics_nanos: &[i64], beats_nanos: &[i64]) -> Option<SyncSummary> {
    if beats_nanos.len() < 2 {
        return None;
    }
    let mut phases = Vec::with_capacity(ics_nanos.len());
    let mut asyn_sum_nanos = 0.0;
    let mut interval_sum_nanos = 0.0;
    for &ic in ics_nanos {
        let Some(beat) = nearest_beat_nanos(ic, beats_nanos) else {
            continue;
        };
        let idx = beats_nanos.partition_point(|&b| b < beat);
        let interval = local_interval_nanos(beats_nanos, idx);
        let asyn = ic - beat;
        asyn_sum_nanos += asyn as f64;
        interval_sum_nanos += interval as f64;
        phases.push(relative_phase_rad(asyn, interval));
    }
    let res = resultant(&phases)?;
    let n = phases.len();
    let period_match_percent = match ics_nanos {
        [first, .., last] => {
            let mean_step = (*last - *first) as f64 / (ics_nanos.len() - 1) as f64;
            period_match_percent(mean_step, interval_sum_nanos / n as f64)
        }
        _ => None,
    };
    Some(SyncSummary {
        n_steps: n,
        mean_asynchrony_ms: asyn_sum_nanos / n as f64 / NANOS_PER_MS,
        resultant_length: res.length,
        mean_relative_phase_deg: res.mean_phase_rad * 180.0 / PI,
        rayleigh: rayleigh(n, res.length),
        period_match_percent,
    })
}

/// The beat interval around beat `idx`: to the next beat, or from the previous one at the end.
/// Requires `beats.len() >= 2`.
fn local_interval_nanos(beats: &[i64], idx: usize) -> i64 {
    match (beats.get(idx), beats.get(idx + 1)) {
        (Some(b), Some(n)) => n - b,
        _ => {
            let last = beats.len() - 1;
            beats[last] - beats[last - 1]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: i64 = 1_000_000;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn nearest_beat_picks_the_closer_one_and_earlier_on_ties() {
        let beats = [0, 1000 * MS, 2000 * MS];
        assert_eq!(nearest_beat_nanos(950 * MS, &beats), Some(1000 * MS));
        assert_eq!(nearest_beat_nanos(1040 * MS, &beats), Some(1000 * MS));
        assert_eq!(nearest_beat_nanos(500 * MS, &beats), Some(0));
        assert_eq!(nearest_beat_nanos(5000 * MS, &beats), Some(2000 * MS));
        assert_eq!(nearest_beat_nanos(-5 * MS, &beats), Some(0));
        assert_eq!(nearest_beat_nanos(5, &[]), None);
    }

    #[test]
    fn asynchrony_is_ic_minus_nearest_beat_in_ms() {
        let beats = [0, 750 * MS, 1500 * MS];
        // Step 40 ms before the second beat: −40 ms.
        assert_eq!(asynchrony_ms(710 * MS, &beats), Some(-40.0));
        assert_eq!(asynchrony_ms(1525 * MS, &beats), Some(25.0));
    }

    #[test]
    fn relative_phase_is_360_times_asynchrony_over_interval() {
        // −75 ms at a 750 ms beat: −36°.
        assert!(close(relative_phase_deg(-75 * MS, 750 * MS), -36.0, 1e-12));
        assert!(close(relative_phase_rad(375 * MS, 750 * MS), PI, 1e-12));
        assert_eq!(relative_phase_deg(5, 0), 0.0);
    }

    #[test]
    fn resultant_of_hand_computed_sets() {
        assert!(close(resultant_length(&[0.3; 7]), 1.0, 1e-12));
        // 0 and π/2: mean vector (0.5, 0.5), length √0.5, direction 45°.
        let r = resultant(&[0.0, PI / 2.0]).unwrap();
        assert!(close(r.length, 0.5_f64.sqrt(), 1e-12));
        assert!(close(r.mean_phase_rad, PI / 4.0, 1e-12));
        // Four phases evenly spread cancel out.
        assert!(resultant_length(&[0.0, PI / 2.0, PI, 1.5 * PI]) < 1e-12);
        assert_eq!(resultant_length(&[]), 0.0);
    }

    #[test]
    fn rayleigh_matches_hand_computed_values() {
        // n = 10, R = 0.5: z = 2.5; p = exp(√(1 + 40 + 4(100 − 25)) − 21) = exp(√341 − 21).
        let t = rayleigh(10, 0.5);
        assert!(close(t.z, 2.5, 1e-12));
        assert!(close(t.p_value, (341.0_f64.sqrt() - 21.0).exp(), 1e-12));
        assert!(close(t.p_value, 0.0794, 5e-4));
        // Perfect locking with 16 steps is overwhelmingly significant; R = 0 is not.
        assert!(rayleigh(16, 1.0).p_value < 1e-6);
        assert!(close(rayleigh(16, 0.0).p_value, 1.0, 1e-12));
        assert_eq!(rayleigh(0, 1.0).p_value, 1.0);
    }

    #[test]
    fn period_match_is_step_over_beat_interval_in_percent() {
        assert_eq!(period_match_percent(780.0, 750.0), Some(104.0));
        assert_eq!(period_match_percent(750.0, 750.0), Some(100.0));
        assert_eq!(period_match_percent(0.0, 750.0), None);
    }

    #[test]
    fn summary_of_steps_locked_20_ms_before_the_beat() {
        let beats: Vec<i64> = (0..20).map(|k| k * 750 * MS).collect();
        let ics: Vec<i64> = (1..19).map(|k| k * 750 * MS - 20 * MS).collect();
        let s = summarize(&ics, &beats).unwrap();
        assert_eq!(s.n_steps, 18);
        assert!(close(s.mean_asynchrony_ms, -20.0, 1e-9));
        assert!(close(s.resultant_length, 1.0, 1e-9));
        assert!(close(s.mean_relative_phase_deg, -9.6, 1e-9));
        assert!(close(s.period_match_percent.unwrap(), 100.0, 1e-9));
        assert!(s.rayleigh.p_value < 1e-6);
    }

    #[test]
    fn summary_of_a_patient_walking_slower_than_the_beat_is_not_locked() {
        // Beat at 750 ms, patient at 800 ms: the phase walks all the way round.
        let beats: Vec<i64> = (0..40).map(|k| k * 750 * MS).collect();
        let ics: Vec<i64> = (0..30).map(|k| k * 800 * MS + 10 * MS).collect();
        let s = summarize(&ics, &beats).unwrap();
        assert!(s.resultant_length < 0.3, "R = {}", s.resultant_length);
        assert!(close(
            s.period_match_percent.unwrap(),
            100.0 * 800.0 / 750.0,
            1e-9
        ));
        assert!(s.rayleigh.p_value > 0.05);
    }
}
