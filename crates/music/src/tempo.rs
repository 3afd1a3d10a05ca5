//! The global tempo: how strongly the onset envelope repeats at each beat period
//! (autocorrelation, with the period's double added as a comb), weighted by a prior over
//! tempi that listeners tap to (log-normal around [`PRIOR_CENTRE_BPM`]).

/// Slowest and fastest tempo considered, beats per minute.
pub const MIN_BPM: f64 = 40.0;
/// See [`MIN_BPM`].
pub const MAX_BPM: f64 = 220.0;
/// Centre of the tempo prior: the preferred tapping rate.
const PRIOR_CENTRE_BPM: f64 = 110.0;
/// Width of the prior, octaves (one standard deviation).
const PRIOR_WIDTH_OCTAVES: f64 = 0.8;

/// A tempo and its score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TempoCandidate {
    /// Beat period, envelope frames (fractional).
    pub period_frames: f64,
    /// Prior-weighted periodicity score.
    pub score: f64,
}

/// Periodicity scores over integer lags.
#[derive(Debug, Clone)]
pub struct TempoScores {
    frame_rate_hz: f64,
    /// Autocorrelation per lag, lag 0 at index 0.
    autocorrelation: Vec<f64>,
    min_lag: usize,
    max_lag: usize,
}

impl TempoScores {
    /// Scores for a normalised onset envelope at `frame_rate_hz`.
    pub fn new(envelope: &[f32], frame_rate_hz: f64) -> Self {
        let min_lag = ((60.0 / MAX_BPM) * frame_rate_hz).floor().max(1.0) as usize;
        let max_lag = ((60.0 / MIN_BPM) * frame_rate_hz).ceil() as usize;
        // Up to twice the longest period (the comb reads it); unbiased mean per lag.
        let top = (2 * max_lag + 2).min(envelope.len());
        let autocorrelation = (0..top)
            .map(|lag| {
                let pairs = envelope.len() - lag;
                let sum: f64 = envelope[lag..]
                    .iter()
                    .zip(envelope)
                    .map(|(a, b)| f64::from(*a) * f64::from(*b))
                    .sum();
                sum / pairs.max(1) as f64
            })
            .collect();
        TempoScores {
            frame_rate_hz,
            autocorrelation,
            min_lag,
            max_lag,
        }
    }

    fn ac(&self, lag: f64) -> f64 {
        // Linear interpolation between integer lags; the best of the neighbouring lag too, so
        // a period between two frames still finds its peak.
        let at = |l: f64| {
            let i = l.floor();
            let frac = l - i;
            let i = i as usize;
            match (self.autocorrelation.get(i), self.autocorrelation.get(i + 1)) {
                (Some(a), Some(b)) => a * (1.0 - frac) + b * frac,
                (Some(a), None) => *a,
                _ => 0.0,
            }
        };
        at(lag).max(at(lag - 1.0).max(at(lag + 1.0)) * 0.9)
    }

    /// Raw periodicity at a period: the repeat at one period and (half weight) at two.
    pub fn periodicity(&self, period_frames: f64) -> f64 {
        self.ac(period_frames) + 0.5 * self.ac(2.0 * period_frames)
    }

    /// Prior weight of a period.
    pub fn prior(&self, period_frames: f64) -> f64 {
        let bpm = 60.0 * self.frame_rate_hz / period_frames;
        let octaves = (bpm / PRIOR_CENTRE_BPM).log2() / PRIOR_WIDTH_OCTAVES;
        (-0.5 * octaves * octaves).exp()
    }

    /// Prior-weighted score of a period.
    pub fn score(&self, period_frames: f64) -> f64 {
        self.periodicity(period_frames) * self.prior(period_frames)
    }

    /// Whether a period lies inside the tempo range.
    pub fn in_range(&self, period_frames: f64) -> bool {
        period_frames >= self.min_lag as f64 && period_frames <= self.max_lag as f64
    }

    /// The best-scoring period, refined between frames by a parabola through its neighbours;
    /// `None` when the envelope is too short for even the fastest tempo or holds no onsets.
    pub fn best(&self) -> Option<TempoCandidate> {
        let scored: Vec<(usize, f64)> = (self.min_lag..=self.max_lag)
            .filter(|lag| 2 * lag < self.autocorrelation.len())
            .map(|lag| (lag, self.score(lag as f64)))
            .collect();
        let (index, &(lag, score)) = scored
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.1.total_cmp(&b.1.1))?;
        if score.is_nan() || score <= 0.0 {
            return None;
        }
        let mut period = lag as f64;
        if index > 0 && index + 1 < scored.len() {
            let (left, right) = (scored[index - 1].1, scored[index + 1].1);
            let curvature = left - 2.0 * score + right;
            if curvature < 0.0 {
                period += (0.5 * (left - right) / curvature).clamp(-0.5, 0.5);
            }
        }
        Some(TempoCandidate {
            period_frames: period,
            score: self.score(period),
        })
    }
}
