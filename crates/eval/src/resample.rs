//! Band-limited resampling of an IMU stream to another rate, so the detectors can be evaluated at
//! the rates of the sensors a ward can buy (Polar Verity Sense 52 Hz, Movesense 104 / 208 Hz) on
//! data recorded at another rate.
//!
//! Each output sample is the input convolved with a Kaiser-windowed sinc evaluated at the output
//! instant (any rate ratio, not only rational ones). The low-pass cut-off lies between
//! [`PASSBAND_FRACTION`] of the lower rate's Nyquist frequency and that Nyquist frequency itself:
//! when decimating, whatever would alias is removed first; when interpolating, the result is
//! band-limited to the input's band. The filter is symmetric, so it delays nothing: an event stays
//! at its instant, as in the recording, and scoring against the reference is unchanged.
//!
//! Output samples are on the new rate's grid, `first input time + sample_time_nanos(k, rate)`,
//! covering the input's first to last sample. Lost packets: a gap the detector would fill anyway
//! (up to `max_filled_samples` missing) is filled first by linear interpolation, as the detectors'
//! `GapFiller` does at the recorded rate; a longer one splits the stream into runs, resampled one
//! by one, and no output sample falls inside it, as a sensor at the new rate would have lost the
//! same span. At a run's ends the input is extended by its end values, so a constant (gravity)
//! stays constant up to the edges. Pure: no I/O, time in nanoseconds.

use entrain_gait::ImuSample;
use entrain_gait::sample::{NANOS_PER_SEC, sample_time_nanos};

/// Highest rate a stream may be resampled from or to, Hz: above any wearable IMU's streaming rate
/// (Movesense's highest is 833 Hz), low enough that a slip of the keyboard (5200) is refused.
pub const MAX_RATE_HZ: f64 = 2000.0;

/// Frequencies up to this fraction of the lower rate's Nyquist frequency pass unchanged (ripple
/// about 0.003 dB); the transition band runs from there to the Nyquist frequency.
pub const PASSBAND_FRACTION: f64 = 0.8;

/// Attenuation the filter is designed for from the lower rate's Nyquist frequency up, dB.
pub const STOPBAND_ATTENUATION_DB: f64 = 70.0;

/// Kernel table resolution: entries per period of the lower rate (linear interpolation between
/// them errs by about 1e-6 of the peak, far below the stopband).
const TABLE_STEPS_PER_LOW_PERIOD: f64 = 256.0;

/// Why a stream cannot be resampled.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum ResampleError {
    /// A rate that is not a finite number in (0, [`MAX_RATE_HZ`]].
    #[error(
        "{what} {rate_hz} Hz is not a usable rate: it must be a number above 0 and at most {MAX_RATE_HZ} Hz"
    )]
    BadRate {
        /// Which rate (`input rate`, `output rate`).
        what: &'static str,
        /// The value given.
        rate_hz: f64,
    },
}

/// `rate_hz` if it is a usable rate; otherwise why not, naming it `what`.
pub fn check_rate_hz(what: &'static str, rate_hz: f64) -> Result<f64, ResampleError> {
    if rate_hz.is_finite() && rate_hz > 0.0 && rate_hz <= MAX_RATE_HZ {
        Ok(rate_hz)
    } else {
        Err(ResampleError::BadRate { what, rate_hz })
    }
}

/// `samples`, taken at `from_rate_hz` (in time order, on that rate's grid, possibly with gaps),
/// resampled to `to_rate_hz`; gaps of up to `max_filled_samples` missing samples are filled by
/// linear interpolation first. At the same rate, the samples unchanged.
pub fn resample(
    samples: &[ImuSample],
    from_rate_hz: f64,
    to_rate_hz: f64,
    max_filled_samples: usize,
) -> Result<Vec<ImuSample>, ResampleError> {
    check_rate_hz("input rate", from_rate_hz)?;
    check_rate_hz("output rate", to_rate_hz)?;
    let Some(first) = samples.first() else {
        return Ok(Vec::new());
    };
    if from_rate_hz == to_rate_hz {
        return Ok(samples.to_vec());
    }
    let samples = fill_short_gaps(samples, from_rate_hz, max_filled_samples);
    let kernel = Kernel::design(from_rate_hz, to_rate_hz);
    let grid = Grid {
        origin_nanos: first.time_nanos,
        rate_hz: to_rate_hz,
    };
    let mut out =
        Vec::with_capacity((samples.len() as f64 * to_rate_hz / from_rate_hz).ceil() as usize + 1);
    let mut next_index = 0;
    let mut run_start = 0;
    for i in 1..=samples.len() {
        let run_ends = match samples.get(i) {
            None => true,
            Some(s) => periods_between(&samples[i - 1], s, from_rate_hz) != 1,
        };
        if run_ends {
            let run = &samples[run_start..i];
            next_index = resample_run(run, from_rate_hz, &kernel, grid, next_index, &mut out);
            run_start = i;
        }
    }
    Ok(out)
}

/// `samples` with every gap of up to `max_filled` missing samples filled by linear interpolation.
fn fill_short_gaps(samples: &[ImuSample], rate_hz: f64, max_filled: usize) -> Vec<ImuSample> {
    let mut out = Vec::with_capacity(samples.len());
    for (i, s) in samples.iter().enumerate() {
        if let Some(last) = i.checked_sub(1).map(|j| samples[j]) {
            let periods = periods_between(&last, s, rate_hz);
            if periods >= 2 && periods - 1 <= max_filled as i64 {
                let elapsed = s.time_nanos - last.time_nanos;
                for k in 1..periods {
                    let w = k as f32 / periods as f32;
                    let lerp = |a: [f32; 3], b: [f32; 3]| {
                        [0, 1, 2].map(|axis| a[axis] + (b[axis] - a[axis]) * w)
                    };
                    out.push(ImuSample {
                        time_nanos: last.time_nanos + k * elapsed / periods,
                        acc_mps2: lerp(last.acc_mps2, s.acc_mps2),
                        gyr_dps: lerp(last.gyr_dps, s.gyr_dps),
                    });
                }
            }
        }
        out.push(*s);
    }
    out
}

/// Whole input periods from `a` to `b`, rounded (sample times may jitter by part of a period).
fn periods_between(a: &ImuSample, b: &ImuSample, rate_hz: f64) -> i64 {
    ((b.time_nanos - a.time_nanos) as f64 * rate_hz / NANOS_PER_SEC as f64).round() as i64
}

/// The output grid.
#[derive(Debug, Clone, Copy)]
struct Grid {
    origin_nanos: i64,
    rate_hz: f64,
}

impl Grid {
    fn time_nanos(self, index: usize) -> i64 {
        self.origin_nanos + sample_time_nanos(index, self.rate_hz)
    }

    /// The first index at or after `time_nanos`, but not before `not_before`.
    fn first_at_or_after(self, time_nanos: i64, not_before: usize) -> usize {
        let guess = (time_nanos - self.origin_nanos) as f64 * self.rate_hz / NANOS_PER_SEC as f64;
        let mut k = (guess.ceil().max(0.0) as usize).max(not_before);
        // The guess is within one index; settle it on the exact integer times.
        while k > not_before && self.time_nanos(k - 1) >= time_nanos {
            k -= 1;
        }
        while self.time_nanos(k) < time_nanos {
            k += 1;
        }
        k
    }
}

/// Appends the output samples within one gapless run of input; returns the next output index.
fn resample_run(
    run: &[ImuSample],
    from_rate_hz: f64,
    kernel: &Kernel,
    grid: Grid,
    not_before: usize,
    out: &mut Vec<ImuSample>,
) -> usize {
    let (Some(first), Some(last)) = (run.first(), run.last()) else {
        return not_before;
    };
    let last_index = run.len() as i64 - 1;
    let mut k = grid.first_at_or_after(first.time_nanos, not_before);
    loop {
        let time_nanos = grid.time_nanos(k);
        if time_nanos > last.time_nanos {
            return k;
        }
        // Position of the output instant among the run's samples, in input periods.
        let u = (time_nanos - first.time_nanos) as f64 * from_rate_hz / NANOS_PER_SEC as f64;
        let lo = (u - kernel.half_width).ceil() as i64;
        let hi = (u + kernel.half_width).floor() as i64;
        let mut sums = [0f64; 6];
        let mut weight_sum = 0.0;
        for j in lo..=hi {
            let w = kernel.at(u - j as f64);
            let s = &run[j.clamp(0, last_index) as usize];
            for axis in 0..3 {
                sums[axis] += w * f64::from(s.acc_mps2[axis]);
                sums[axis + 3] += w * f64::from(s.gyr_dps[axis]);
            }
            weight_sum += w;
        }
        // Normalising makes the gain at 0 Hz exactly one whatever the output instant's phase.
        let value = |c: usize| (sums[c] / weight_sum) as f32;
        out.push(ImuSample {
            time_nanos,
            acc_mps2: [value(0), value(1), value(2)],
            gyr_dps: [value(3), value(4), value(5)],
        });
        k += 1;
    }
}

/// The windowed-sinc low-pass, tabulated over input periods.
#[derive(Debug, Clone)]
struct Kernel {
    /// Half its length, input periods.
    half_width: f64,
    /// Table step, input periods.
    step: f64,
    /// Values at `0, step, 2·step, ...`, then a zero.
    table: Vec<f64>,
}

impl Kernel {
    fn design(from_rate_hz: f64, to_rate_hz: f64) -> Kernel {
        let low_rate_hz = from_rate_hz.min(to_rate_hz);
        let nyquist_hz = low_rate_hz / 2.0;
        let transition_hz = (1.0 - PASSBAND_FRACTION) * nyquist_hz;
        let cutoff_hz = nyquist_hz - transition_hz / 2.0;
        // Kaiser's design formulas (Oppenheim & Schafer, "Discrete-Time Signal Processing"): the
        // window's shape for the attenuation, its length for the transition width.
        let a = STOPBAND_ATTENUATION_DB;
        let beta = 0.1102 * (a - 8.7);
        let length_secs = (a - 8.0) / (2.285 * 2.0 * std::f64::consts::PI * transition_hz);
        let half_width = length_secs / 2.0 * from_rate_hz;
        // Cut-off in cycles per input period, doubled: the sinc's zero crossings are 1/c apart.
        let c = 2.0 * cutoff_hz / from_rate_hz;
        let step = from_rate_hz / low_rate_hz / TABLE_STEPS_PER_LOW_PERIOD;
        let entries = (half_width / step).ceil() as usize + 1;
        let i0_beta = bessel_i0(beta);
        let mut table: Vec<f64> = (0..entries)
            .map(|i| {
                let x = i as f64 * step;
                let r = (x / half_width).min(1.0);
                let window = bessel_i0(beta * (1.0 - r * r).sqrt()) / i0_beta;
                c * sinc(c * x) * window
            })
            .collect();
        table.push(0.0);
        Kernel {
            half_width,
            step,
            table,
        }
    }

    /// The kernel at `x` input periods from its centre.
    fn at(&self, x: f64) -> f64 {
        let pos = x.abs() / self.step;
        let i = pos as usize;
        match (self.table.get(i), self.table.get(i + 1)) {
            (Some(a), Some(b)) => a + (b - a) * (pos - i as f64),
            _ => 0.0,
        }
    }
}

/// sin(πx)/(πx).
fn sinc(x: f64) -> f64 {
    if x == 0.0 {
        1.0
    } else {
        let px = std::f64::consts::PI * x;
        px.sin() / px
    }
}

/// The modified Bessel function of the first kind, order zero, by its power series.
fn bessel_i0(x: f64) -> f64 {
    let (mut sum, mut term, mut k) = (1.0, 1.0, 1.0);
    while term > 1e-15 * sum {
        term *= (x / (2.0 * k)) * (x / (2.0 * k));
        sum += term;
        k += 1.0;
    }
    sum
}

#[cfg(test)]
#[path = "resample_tests.rs"]
mod tests;
