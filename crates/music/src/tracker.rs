//! Beat times by dynamic programming (Ellis 2007, "Beat Tracking by Dynamic Programming",
//! J. New Music Research 36(1)): the best chain of beats maximises the onset strength at the
//! beats plus a penalty, `-(ln(interval / period))^2` weighted by [`TIGHTNESS`], for each
//! interval that strays from the tempo's period.

/// Weight of the interval penalty against onset strength (the envelope has unit deviation).
const TIGHTNESS: f64 = 200.0;

/// Beat frames (ascending) for a normalised envelope and a beat period in frames.
pub fn track(envelope: &[f32], period_frames: f64) -> Vec<usize> {
    let n = envelope.len();
    if n == 0 || period_frames < 1.0 {
        return Vec::new();
    }
    // Intervals from half to twice the period are considered.
    let shortest = (period_frames / 2.0).round().max(1.0) as usize;
    let longest = (2.0 * period_frames).round().max(1.0) as usize;
    let penalties: Vec<f64> = (0..=longest)
        .map(|interval| {
            if interval < shortest {
                f64::NEG_INFINITY
            } else {
                let log_ratio = (interval as f64 / period_frames).ln();
                -TIGHTNESS * log_ratio * log_ratio
            }
        })
        .collect();
    let mut cumulative = vec![0.0f64; n];
    let mut previous: Vec<Option<usize>> = vec![None; n];
    for t in 0..n {
        let mut best: Option<(f64, usize)> = None;
        for interval in shortest..=longest.min(t) {
            let candidate = cumulative[t - interval] + penalties[interval];
            if best.is_none_or(|(score, _)| candidate > score) {
                best = Some((candidate, t - interval));
            }
        }
        let local = f64::from(envelope[t]);
        match best {
            // A beat with no predecessor starts a chain; a predecessor is taken only when the
            // chain through it scores better than starting afresh.
            Some((score, from)) if score > 0.0 => {
                cumulative[t] = local + score;
                previous[t] = Some(from);
            }
            _ => cumulative[t] = local,
        }
    }
    // The last beat: the best-scoring frame within the final period that is a local maximum
    // of the cumulative score (the chain's end, not a frame partway to the next beat).
    let tail_start = n.saturating_sub(period_frames.round() as usize + 1);
    let Some(last) = (tail_start..n).max_by(|a, b| cumulative[*a].total_cmp(&cumulative[*b]))
    else {
        return Vec::new();
    };
    let mut beats = vec![last];
    let mut at = last;
    while let Some(from) = previous[at] {
        beats.push(from);
        at = from;
    }
    beats.reverse();
    beats
}
