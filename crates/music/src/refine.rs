//! Moving each tracked beat onto the attack nearest it, to the millisecond: the onset envelope
//! has a hop of about 11 ms, a beat cue needs a few.
//!
//! The attack function is the rise of short-window energy of the pre-emphasised signal (so a
//! drum's or a plucked note's attack outweighs a bass swell), sampled every millisecond.

/// Resolution of the attack function, seconds.
const STEP_SECS: f64 = 0.001;
/// Energy window, seconds.
const WINDOW_SECS: f64 = 0.004;
/// How far a beat may move, seconds: about one envelope hop and a half either way.
pub const SEARCH_SECS: f64 = 0.02;

/// Energy rise per millisecond step of `mono` at `rate_hz`, step `i` at `i * STEP_SECS`.
pub fn attack_function(mono: &[f32], rate_hz: u32) -> Vec<f32> {
    if rate_hz == 0 || mono.is_empty() {
        return Vec::new();
    }
    let rate = f64::from(rate_hz);
    let step = (rate * STEP_SECS).max(1.0);
    let half = ((rate * WINDOW_SECS) / 2.0).round().max(1.0) as usize;
    // Pre-emphasis: first difference, which lifts the spectrum by 6 dB per octave.
    let mut prefix = vec![0.0f64; mono.len() + 1];
    let mut last = 0.0f32;
    for (i, x) in mono.iter().enumerate() {
        let emphasised = f64::from(x - 0.95 * last);
        last = *x;
        prefix[i + 1] = prefix[i] + emphasised * emphasised;
    }
    // Energy of samples [from, to), silence outside the signal.
    let energy = |from: usize, to: usize| {
        let (from, to) = (from.min(mono.len()), to.min(mono.len()));
        prefix[to] - prefix[from]
    };
    let window = 2 * half;
    let steps = (mono.len() as f64 / step) as usize + 1;
    (0..steps)
        .map(|i| {
            let centre = (i as f64 * step).round() as usize;
            // The window after the instant against the window before it.
            let after = energy(centre, centre + window);
            let before = energy(centre.saturating_sub(window), centre);
            (after - before).max(0.0) as f32
        })
        .collect()
}

/// `beat_secs` moved to the strongest attack within [`SEARCH_SECS`]; unchanged where the
/// window holds no rise at all.
pub fn refine(beat_secs: f64, attack: &[f32]) -> f64 {
    let centre = (beat_secs / STEP_SECS).round() as i64;
    let reach = (SEARCH_SECS / STEP_SECS).round() as i64;
    let lo = (centre - reach).max(0) as usize;
    let hi = ((centre + reach).max(0) as usize).min(attack.len().saturating_sub(1));
    if lo > hi {
        return beat_secs;
    }
    let best = (lo..=hi).max_by(|a, b| attack[*a].total_cmp(&attack[*b]));
    match best {
        Some(i) if attack[i] > 0.0 => i as f64 * STEP_SECS,
        _ => beat_secs,
    }
}
