//! Beat-tracking accuracy as the MIREX F-measure (the definition `mir_eval.beat.f_measure`
//! uses): an estimated beat is a hit when it lies within the tolerance of a reference beat,
//! each beat matched at most once; precision is hits over estimated beats, recall hits over
//! reference beats, F their harmonic mean.

/// The tolerance of the beat-tracking literature and mir_eval's default, seconds.
pub const DEFAULT_TOLERANCE_SECS: f64 = 0.07;

/// F-measure of `estimated` beats against `reference` beats (both ascending seconds), 0.0 when
/// either is empty or nothing matches.
pub fn f_measure(reference: &[f64], estimated: &[f64], tolerance_secs: f64) -> f64 {
    let hits = matches(reference, estimated, tolerance_secs);
    if hits == 0 {
        return 0.0;
    }
    let precision = hits as f64 / estimated.len() as f64;
    let recall = hits as f64 / reference.len() as f64;
    2.0 * precision * recall / (precision + recall)
}

/// The most pairs (one reference, one estimate, at most `tolerance_secs` apart) that can be
/// made with each beat used once. For points on a line, matching each reference, in order, to
/// the earliest unused estimate within reach is maximal: a later estimate would only take a
/// candidate that a later reference could still use.
pub fn matches(reference: &[f64], estimated: &[f64], tolerance_secs: f64) -> usize {
    let mut hits = 0;
    let mut next = 0;
    for r in reference {
        while next < estimated.len() && estimated[next] < r - tolerance_secs {
            next += 1;
        }
        if next < estimated.len() && estimated[next] <= r + tolerance_secs {
            hits += 1;
            next += 1;
        }
    }
    hits
}
