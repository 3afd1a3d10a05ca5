//! What the live screen plots, accumulated from the engine's event stream: step times per foot, the
//! tempo curve, asynchronies, and the reasons of tempo changes. Pure: fed by the screen, tested alone.

use entrain_gait::Side;

/// A step longer than this is not a step time (the patient stopped), ns.
const MAX_STEP_NANOS: i64 = 2_500_000_000;

/// One automatic (or clinician) tempo change with the engine's reason, in the clinician's words.
#[derive(Debug, Clone, PartialEq)]
pub struct TempoChangeNote {
    /// The notice as the engine wrote it (time, phase, "tempo a → b steps/min: why").
    pub text: String,
}

/// The live history of one session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveHistory {
    last_ic: Option<(i64, Side)>,
    /// Step times ending with a left IC: (IC time s, step time s).
    pub step_times_left: Vec<[f64; 2]>,
    /// Step times ending with a right IC: (IC time s, step time s).
    pub step_times_right: Vec<[f64; 2]>,
    /// Beat tempo over time: (beat time s, steps/min).
    pub tempo_curve: Vec<[f64; 2]>,
    beats_nanos: Vec<i64>,
    pending_ics: Vec<i64>,
    /// Asynchronies of cued steps, ms (step − nearest beat).
    pub asynchronies_ms: Vec<f64>,
    /// Tempo changes with their reasons, oldest first.
    pub tempo_changes: Vec<TempoChangeNote>,
    /// Every notice, oldest first.
    pub notices: Vec<String>,
    /// Steps seen.
    pub steps: u64,
}

impl LiveHistory {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// A heel strike.
    pub fn on_step(&mut self, time_nanos: i64, side: Side) {
        self.steps += 1;
        if let Some((t0, s0)) = self.last_ic
            && s0 != side
            && time_nanos > t0
            && time_nanos - t0 <= MAX_STEP_NANOS
        {
            let point = [time_nanos as f64 / 1e9, (time_nanos - t0) as f64 / 1e9];
            match side {
                Side::Left => self.step_times_left.push(point),
                Side::Right => self.step_times_right.push(point),
            }
        }
        self.last_ic = Some((time_nanos, side));
        self.pending_ics.push(time_nanos);
        self.match_asynchronies();
    }

    /// A beat committed at `time_nanos` with `tempo_spm`.
    pub fn on_beat(&mut self, time_nanos: i64, tempo_spm: f64) {
        self.tempo_curve.push([time_nanos as f64 / 1e9, tempo_spm]);
        self.beats_nanos.push(time_nanos);
        self.match_asynchronies();
    }

    /// A notice from the engine; tempo changes are kept apart with their reason.
    pub fn on_notice(&mut self, text: String) {
        let text = plain_text(&text);
        if is_tempo_change(&text) {
            self.tempo_changes
                .push(TempoChangeNote { text: text.clone() });
        }
        self.notices.push(text);
    }

    /// The latest tempo change, if any.
    pub fn last_tempo_change(&self) -> Option<&TempoChangeNote> {
        self.tempo_changes.last()
    }

    /// Pairs each step with its nearest beat once the beat after it is known (or it is too late
    /// for one to come), so the asynchrony is final.
    fn match_asynchronies(&mut self) {
        let beats = &self.beats_nanos;
        let Some(&last_beat) = beats.last() else {
            // Uncued so far: nothing to pair; keep only the newest step waiting.
            let n = self.pending_ics.len();
            if n > 1 {
                self.pending_ics.drain(..n - 1);
            }
            return;
        };
        let mut keep = Vec::new();
        for &ic in &self.pending_ics {
            if ic > last_beat {
                keep.push(ic);
                continue;
            }
            let i = beats.partition_point(|&b| b < ic);
            let after = beats.get(i).copied();
            let before = i.checked_sub(1).and_then(|j| beats.get(j)).copied();
            let interval = match (before, after) {
                (Some(b), Some(a)) if a > b => a - b,
                _ => continue,
            };
            let nearest = match (before, after) {
                (Some(b), Some(a)) => {
                    if ic - b <= a - ic {
                        b
                    } else {
                        a
                    }
                }
                _ => continue,
            };
            let asyn = ic - nearest;
            // A step more than half a beat from every beat belongs to no beat (uncued stretch).
            if asyn.abs() * 2 <= interval && interval <= MAX_STEP_NANOS {
                self.asynchronies_ms.push(asyn as f64 / 1e6);
            }
        }
        self.pending_ics = keep;
    }
}

/// `text` with the symbols egui's default fonts cannot draw replaced by plain ones (→ ->, − -,
/// ≥ >=, ≤ <=, × x).
pub fn plain_text(text: &str) -> String {
    text.replace('→', "->")
        .replace('−', "-")
        .replace('≥', ">=")
        .replace('≤', "<=")
        .replace('×', "x")
}

/// Whether an engine notice is a tempo change ("… tempo 80.0 → 84.0 steps/min: why").
pub fn is_tempo_change(text: &str) -> bool {
    text.contains("] tempo ") && text.contains(" steps/min")
}

/// Counts of `values` in bins of `bin_width` from `min` to `max`: (bin centre, count).
pub fn histogram(values: &[f64], min: f64, max: f64, bin_width: f64) -> Vec<(f64, u32)> {
    if !(bin_width > 0.0 && max > min) {
        return Vec::new();
    }
    let n = ((max - min) / bin_width).ceil() as usize;
    let mut counts = vec![0u32; n];
    for &v in values {
        if v.is_finite() && v >= min && v < max {
            let i = ((v - min) / bin_width) as usize;
            if let Some(c) = counts.get_mut(i) {
                *c += 1;
            }
        }
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(i, c)| (min + (i as f64 + 0.5) * bin_width, c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: i64 = 1_000_000;

    #[test]
    fn step_times_alternate_feet_only() {
        let mut h = LiveHistory::new();
        h.on_step(1000 * MS, Side::Left);
        h.on_step(1600 * MS, Side::Right);
        h.on_step(2300 * MS, Side::Left);
        h.on_step(2400 * MS, Side::Left); // same foot twice: no step time
        h.on_step(9000 * MS, Side::Right); // after a stop: no step time
        assert_eq!(h.step_times_right, vec![[1.6, 0.6]]);
        assert_eq!(h.step_times_left.len(), 1);
        assert!((h.step_times_left[0][1] - 0.7).abs() < 1e-9);
        assert_eq!(h.steps, 5);
    }

    #[test]
    fn asynchrony_is_step_minus_nearest_beat() {
        let mut h = LiveHistory::new();
        for k in 0..5 {
            h.on_beat(k * 750 * MS, 80.0);
        }
        h.on_step(730 * MS, Side::Left); // 20 ms early
        h.on_step(1540 * MS, Side::Right); // 40 ms late
        h.on_step(3100 * MS, Side::Left); // after the last beat: waits
        assert_eq!(h.asynchronies_ms, vec![-20.0, 40.0]);
        h.on_beat(3750 * MS, 80.0);
        assert_eq!(h.asynchronies_ms, vec![-20.0, 40.0, 100.0]);
    }

    #[test]
    fn tempo_changes_are_recognised() {
        let mut h = LiveHistory::new();
        h.on_notice("0:12.0 [Matched] phase Matched started".into());
        h.on_notice(
            "0:40.0 [Progression] tempo 80.0 → 84.0 steps/min: entrained at this level".into(),
        );
        assert_eq!(h.notices.len(), 2);
        assert_eq!(h.tempo_changes.len(), 1);
        assert!(h.last_tempo_change().unwrap().text.contains("80.0 -> 84.0"));
    }

    #[test]
    fn histogram_bins() {
        let bins = histogram(
            &[-95.0, -15.0, -10.0, 0.0, 5.0, 99.9, 100.0, f64::NAN],
            -100.0,
            100.0,
            20.0,
        );
        assert_eq!(bins.len(), 10);
        assert_eq!(bins[0], (-90.0, 1));
        assert_eq!(bins[4], (-10.0, 2));
        assert_eq!(bins[5], (10.0, 2));
        assert_eq!(bins[9], (90.0, 1));
        assert!(histogram(&[1.0], 0.0, 0.0, 1.0).is_empty());
    }
}
