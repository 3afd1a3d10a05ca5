//! Which sensor the clinician tapped: how a foot is chosen for a sensor without reading its
//! address. Pure: fed each sensor's samples (times on the session clock), it decides from the
//! samples' own times.
//!
//! A tap is a short, sharp knock on a sensor that is otherwise still: the acceleration was quiet
//! for [`QUIET_BEFORE_NANOS`], then jumps by at least [`TAP_MIN_MPS2`] from its quiet mean within
//! [`TAP_RISE_NANOS`] (the jerk), then settles back to the same orientation within
//! [`SETTLE_NANOS`]. A foot that walks is never quiet before its heel strike (the swing comes
//! first), and a sensor that is picked up turns, so neither counts. A tap counts only if no other
//! sensor jolted at the same moment (the patient moved, or the table was knocked): then the
//! answer is [`TapDecision::Ambiguous`] and the clinician taps again.

use std::collections::VecDeque;

use entrain_gait::ImuSample;

/// How long a sensor must have been still before a tap, ns.
pub const QUIET_BEFORE_NANOS: i64 = 400_000_000;
/// The most any axis may wander while still, m/s² (a sensor resting on a foot or a table moves
/// well under this; a foot in swing moves tens of m/s²).
pub const STILL_RANGE_MPS2: f32 = 2.0;
/// The least jump of one axis from the still mean that is a tap, m/s² (about 0.6 g; a fingertip
/// knock gives one to several g, even at 52 Hz).
pub const TAP_MIN_MPS2: f32 = 6.0;
/// Within how long after the quiet the jump must come, ns.
pub const TAP_RISE_NANOS: i64 = 60_000_000;
/// After the jump, the sensor is still again from this long on, ns…
pub const SETTLE_NANOS: i64 = 250_000_000;
/// …for this long, ns, at the orientation it had before (its mean within [`STILL_RANGE_MPS2`]).
pub const QUIET_AFTER_NANOS: i64 = 250_000_000;
/// Another sensor that jolts by half a tap within this long of the tap makes it ambiguous, ns.
pub const SIMULTANEOUS_NANOS: i64 = 300_000_000;

/// What the detector decided about one tap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TapDecision {
    /// Exactly one sensor was tapped: its index (as given to [`TapDetector::push`]).
    Tapped {
        /// The sensor's index.
        sensor: usize,
        /// When its jump began, session clock, ns.
        at_nanos: i64,
    },
    /// More than one sensor jolted at once: their indexes, the tapped-looking one first.
    Ambiguous {
        /// The sensors that moved.
        sensors: Vec<usize>,
    },
}

/// One sensor's recent samples and the tap it is waiting to confirm.
#[derive(Debug, Default)]
struct SensorTrace {
    samples: VecDeque<ImuSample>,
    /// A jump seen after a quiet spell: its time and the quiet mean before it.
    candidate: Option<(i64, [f32; 3])>,
    /// The latest sample's time.
    latest_nanos: Option<i64>,
    /// No new candidate before this time (one knock is one tap).
    refractory_until_nanos: i64,
}

/// How long after a tap a sensor whose samples have not caught up is waited for, ns (a Polar
/// Verity Sense holds a whole frame, up to half a second, before sending).
const WAIT_FOR_OTHERS_NANOS: i64 = 1_500_000_000;

/// How long a trace keeps samples, ns: the quiet before, the jump, the settling, and the wait
/// for the other sensors.
const KEEP_NANOS: i64 = QUIET_BEFORE_NANOS
    + TAP_RISE_NANOS
    + SETTLE_NANOS
    + QUIET_AFTER_NANOS
    + SIMULTANEOUS_NANOS
    + WAIT_FOR_OTHERS_NANOS;

/// Finds taps in the samples of several sensors.
#[derive(Debug)]
pub struct TapDetector {
    traces: Vec<SensorTrace>,
}

impl TapDetector {
    /// A detector for `sensors` sensors, indexed `0..sensors`.
    pub fn new(sensors: usize) -> Self {
        Self {
            traces: (0..sensors).map(|_| SensorTrace::default()).collect(),
        }
    }

    /// One sample of sensor `sensor` (samples of one sensor in time order; an unknown index is
    /// ignored).
    pub fn push(&mut self, sensor: usize, sample: ImuSample) {
        let Some(trace) = self.traces.get_mut(sensor) else {
            return;
        };
        if trace.latest_nanos.is_some_and(|t| sample.time_nanos <= t) {
            return;
        }
        trace.latest_nanos = Some(sample.time_nanos);
        trace.samples.push_back(sample);
        while trace
            .samples
            .front()
            .is_some_and(|s| s.time_nanos < sample.time_nanos - KEEP_NANOS)
        {
            trace.samples.pop_front();
        }
        if trace.candidate.is_none() && sample.time_nanos >= trace.refractory_until_nanos {
            trace.candidate = jump_after_quiet(&trace.samples, sample.time_nanos);
        }
    }

    /// The next decision the samples so far allow, given the session time now (to stop waiting
    /// for a sensor whose samples no longer come). Each tap is decided once.
    pub fn decide(&mut self, now_nanos: i64) -> Option<TapDecision> {
        for sensor in 0..self.traces.len() {
            let Some((at_nanos, mean)) = self.traces[sensor].candidate else {
                continue;
            };
            let trace = &self.traces[sensor];
            let settled_by = at_nanos + SETTLE_NANOS + QUIET_AFTER_NANOS;
            if trace.latest_nanos.is_none_or(|t| t < settled_by) {
                continue;
            }
            let window_end = at_nanos + SIMULTANEOUS_NANOS;
            let others_caught_up = self.traces.iter().enumerate().all(|(i, t)| {
                i == sensor || t.latest_nanos.is_some_and(|latest| latest >= window_end)
            });
            if !others_caught_up && now_nanos < settled_by.max(window_end) + WAIT_FOR_OTHERS_NANOS {
                continue;
            }
            let settled = still_at(&trace.samples, at_nanos + SETTLE_NANOS, settled_by, mean);
            let jolted: Vec<usize> = (0..self.traces.len())
                .filter(|&i| i != sensor && jolted_near(&self.traces[i].samples, at_nanos))
                .collect();
            // One event, one decision: the jolted sensors' own jumps are part of it.
            for i in std::iter::once(sensor).chain(jolted.iter().copied()) {
                let trace = &mut self.traces[i];
                if trace
                    .candidate
                    .is_some_and(|(t, _)| (t - at_nanos).abs() <= SIMULTANEOUS_NANOS)
                {
                    trace.candidate = None;
                }
                trace.refractory_until_nanos = trace.refractory_until_nanos.max(settled_by);
            }
            if !settled {
                continue;
            }
            return Some(if jolted.is_empty() {
                TapDecision::Tapped { sensor, at_nanos }
            } else {
                TapDecision::Ambiguous {
                    sensors: std::iter::once(sensor).chain(jolted).collect(),
                }
            });
        }
        None
    }
}

/// If the newest sample (at `now_nanos`) jumped from a quiet spell: the jump's start and the
/// quiet mean. The quiet spell ends at most [`TAP_RISE_NANOS`] before the newest sample.
fn jump_after_quiet(samples: &VecDeque<ImuSample>, now_nanos: i64) -> Option<(i64, [f32; 3])> {
    let newest = samples.back()?;
    // The quiet spell is the latest window of QUIET_BEFORE that ends before the jump; try each
    // possible end within the rise time, latest first.
    let quiet_end_earliest = now_nanos - TAP_RISE_NANOS;
    for (end, s) in samples.iter().enumerate().rev().skip(1) {
        if s.time_nanos < quiet_end_earliest {
            break;
        }
        let quiet_start = s.time_nanos - QUIET_BEFORE_NANOS;
        if samples.front().is_none_or(|f| f.time_nanos > quiet_start) {
            // Not enough history yet.
            return None;
        }
        let quiet = samples
            .range(..=end)
            .rev()
            .take_while(|q| q.time_nanos >= quiet_start);
        let Some(mean) = still_mean(quiet) else {
            continue;
        };
        if deviation(&newest.acc_mps2, &mean) >= TAP_MIN_MPS2 {
            let start = samples
                .iter()
                .find(|q| q.time_nanos > s.time_nanos)
                .map_or(newest.time_nanos, |q| q.time_nanos);
            return Some((start, mean));
        }
    }
    None
}

/// The mean acceleration of `samples` if they are still (no axis ranges over
/// [`STILL_RANGE_MPS2`]) and there are at least two.
fn still_mean<'a>(samples: impl Iterator<Item = &'a ImuSample>) -> Option<[f32; 3]> {
    let mut min = [f32::INFINITY; 3];
    let mut max = [f32::NEG_INFINITY; 3];
    let mut sum = [0.0f64; 3];
    let mut n = 0u32;
    for s in samples {
        for axis in 0..3 {
            min[axis] = min[axis].min(s.acc_mps2[axis]);
            max[axis] = max[axis].max(s.acc_mps2[axis]);
            sum[axis] += f64::from(s.acc_mps2[axis]);
        }
        n += 1;
    }
    if n < 2 || (0..3).any(|axis| max[axis] - min[axis] > STILL_RANGE_MPS2) {
        return None;
    }
    Some(sum.map(|s| (s / f64::from(n)) as f32))
}

/// Whether the samples in `from..=to` are still and at `mean`'s orientation.
fn still_at(samples: &VecDeque<ImuSample>, from: i64, to: i64, mean: [f32; 3]) -> bool {
    still_mean(
        samples
            .iter()
            .filter(|s| (from..=to).contains(&s.time_nanos)),
    )
    .is_some_and(|after| deviation(&after, &mean) <= STILL_RANGE_MPS2)
}

/// Whether a sensor jolted by half a tap within [`SIMULTANEOUS_NANOS`] of `at_nanos`, relative
/// to where it was just before that window.
fn jolted_near(samples: &VecDeque<ImuSample>, at_nanos: i64) -> bool {
    let from = at_nanos - SIMULTANEOUS_NANOS;
    let to = at_nanos + SIMULTANEOUS_NANOS;
    let mut window = samples
        .iter()
        .filter(|s| (from..=to).contains(&s.time_nanos))
        .peekable();
    // Where it was just before the window, else where the window begins; a sensor with no
    // samples there cannot be judged, and does not block the tap.
    let Some(reference) = samples
        .iter()
        .rev()
        .find(|s| s.time_nanos < from)
        .or(window.peek().copied())
    else {
        return false;
    };
    window.any(|s| deviation(&s.acc_mps2, &reference.acc_mps2) >= TAP_MIN_MPS2 / 2.0)
}

/// The largest per-axis difference, m/s².
fn deviation(a: &[f32; 3], b: &[f32; 3]) -> f32 {
    (0..3).map(|i| (a[i] - b[i]).abs()).fold(0.0, f32::max)
}

#[cfg(test)]
#[path = "tap/tests.rs"]
mod tests;
