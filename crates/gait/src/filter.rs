//! Causal IIR filters designed in code: Butterworth low-, high- and band-pass as cascades of
//! second-order sections (biquads), by the bilinear transform with pre-warping.

use alloc::vec::Vec;
use core::f64::consts::PI;

/// Why a filter could not be designed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FilterDesignError {
    /// The cut-off must lie strictly between 0 and the Nyquist frequency.
    CutoffOutOfRange {
        /// The cut-off asked for, Hz.
        cutoff_hz: f64,
        /// The sample rate, Hz.
        sample_rate_hz: f64,
    },
    /// Orders from 1 to 8 are supported.
    UnsupportedOrder(usize),
}

impl core::fmt::Display for FilterDesignError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FilterDesignError::CutoffOutOfRange {
                cutoff_hz,
                sample_rate_hz,
            } => write!(
                f,
                "cut-off {cutoff_hz} Hz must lie strictly between 0 and the Nyquist frequency ({} Hz)",
                sample_rate_hz / 2.0
            ),
            FilterDesignError::UnsupportedOrder(order) => {
                write!(f, "filter order {order} is not supported (1 to 8)")
            }
        }
    }
}

impl core::error::Error for FilterDesignError {}

/// One second-order section in direct form II transposed, normalised so `a0 == 1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Biquad {
    b: [f64; 3],
    a: [f64; 2],
    state: [f64; 2],
}

impl Biquad {
    /// A section from its numerator `b` and denominator `[a1, a2]` (with `a0 == 1`).
    pub fn new(b: [f64; 3], a: [f64; 2]) -> Self {
        Biquad {
            b,
            a,
            state: [0.0; 2],
        }
    }

    /// Filters one sample.
    #[inline]
    pub fn process(&mut self, x: f64) -> f64 {
        let y = self.b[0] * x + self.state[0];
        self.state[0] = self.b[1] * x - self.a[0] * y + self.state[1];
        self.state[1] = self.b[2] * x - self.a[1] * y;
        y
    }

    /// Sets the state as if `x` had been the input forever (no start-up transient for a constant).
    pub fn settle(&mut self, x: f64) {
        let dc_gain = (self.b[0] + self.b[1] + self.b[2]) / (1.0 + self.a[0] + self.a[1]);
        let y = x * dc_gain;
        self.state[1] = self.b[2] * x - self.a[1] * y;
        self.state[0] = self.b[1] * x - self.a[0] * y + self.state[1];
    }

    /// Clears the state.
    pub fn reset(&mut self) {
        self.state = [0.0; 2];
    }

    /// Complex frequency response at `freq_hz`, as (re, im).
    fn response(&self, freq_hz: f64, sample_rate_hz: f64) -> (f64, f64) {
        let w = 2.0 * PI * freq_hz / sample_rate_hz;
        // z^-1 = e^{-jw}
        let (c1, s1) = (libm::cos(w), -libm::sin(w));
        let (c2, s2) = (libm::cos(2.0 * w), -libm::sin(2.0 * w));
        let num = (
            self.b[0] + self.b[1] * c1 + self.b[2] * c2,
            self.b[1] * s1 + self.b[2] * s2,
        );
        let den = (
            1.0 + self.a[0] * c1 + self.a[1] * c2,
            self.a[0] * s1 + self.a[1] * s2,
        );
        let den_norm = den.0 * den.0 + den.1 * den.1;
        (
            (num.0 * den.0 + num.1 * den.1) / den_norm,
            (num.1 * den.0 - num.0 * den.1) / den_norm,
        )
    }
}

/// Which band a Butterworth filter passes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Band {
    /// Passes below the cut-off.
    LowPass(f64),
    /// Passes above the cut-off.
    HighPass(f64),
    /// A low-pass and a high-pass in cascade: passes between `low_hz` and `high_hz`.
    BandPass {
        /// Lower edge, Hz.
        low_hz: f64,
        /// Upper edge, Hz.
        high_hz: f64,
    },
}

/// A causal Butterworth filter as a cascade of biquads.
#[derive(Debug, Clone, PartialEq)]
pub struct Butterworth {
    sections: Vec<Biquad>,
    sample_rate_hz: f64,
}

impl Butterworth {
    /// Designs a Butterworth filter of `order` (per edge) passing `band` at `sample_rate_hz`.
    pub fn design(
        band: Band,
        order: usize,
        sample_rate_hz: f64,
    ) -> Result<Self, FilterDesignError> {
        let mut sections = Vec::new();
        match band {
            Band::LowPass(cutoff_hz) => {
                sections.extend(design_edge(cutoff_hz, order, sample_rate_hz, false)?)
            }
            Band::HighPass(cutoff_hz) => {
                sections.extend(design_edge(cutoff_hz, order, sample_rate_hz, true)?)
            }
            Band::BandPass { low_hz, high_hz } => {
                sections.extend(design_edge(low_hz, order, sample_rate_hz, true)?);
                sections.extend(design_edge(high_hz, order, sample_rate_hz, false)?);
            }
        }
        Ok(Butterworth {
            sections,
            sample_rate_hz,
        })
    }

    /// Filters one sample.
    #[inline]
    pub fn process(&mut self, x: f64) -> f64 {
        self.sections.iter_mut().fold(x, |acc, s| s.process(acc))
    }

    /// Starts the filter in the steady state for a constant input `x`.
    pub fn settle(&mut self, x: f64) {
        let mut value = x;
        for section in &mut self.sections {
            section.settle(value);
            let dc_gain =
                (section.b[0] + section.b[1] + section.b[2]) / (1.0 + section.a[0] + section.a[1]);
            value *= dc_gain;
        }
    }

    /// Clears the state.
    pub fn reset(&mut self) {
        self.sections.iter_mut().for_each(Biquad::reset);
    }

    /// Magnitude of the frequency response at `freq_hz` (1.0 = unity gain).
    pub fn magnitude_at(&self, freq_hz: f64) -> f64 {
        let (re, im) = self.complex_response(freq_hz);
        libm::sqrt(re * re + im * im)
    }

    /// Group delay at `freq_hz`, seconds, estimated from the phase slope.
    pub fn group_delay_secs_at(&self, freq_hz: f64) -> f64 {
        let df = 1e-3;
        let phase = |f: f64| {
            let (re, im) = self.complex_response(f);
            libm::atan2(im, re)
        };
        let mut dphi = phase(freq_hz + df) - phase(freq_hz - df);
        if dphi > PI {
            dphi -= 2.0 * PI;
        } else if dphi < -PI {
            dphi += 2.0 * PI;
        }
        -dphi / (2.0 * PI * 2.0 * df)
    }

    fn complex_response(&self, freq_hz: f64) -> (f64, f64) {
        self.sections.iter().fold((1.0, 0.0), |(re, im), s| {
            let (r2, i2) = s.response(freq_hz, self.sample_rate_hz);
            (re * r2 - im * i2, re * i2 + im * r2)
        })
    }
}

/// Butterworth sections for one edge: pairs of poles as biquads (RBJ form with the Butterworth
/// pole Qs), plus a first-order section for odd orders.
fn design_edge(
    cutoff_hz: f64,
    order: usize,
    sample_rate_hz: f64,
    high_pass: bool,
) -> Result<Vec<Biquad>, FilterDesignError> {
    if !(1..=8).contains(&order) {
        return Err(FilterDesignError::UnsupportedOrder(order));
    }
    if !(cutoff_hz > 0.0 && cutoff_hz < sample_rate_hz / 2.0) {
        return Err(FilterDesignError::CutoffOutOfRange {
            cutoff_hz,
            sample_rate_hz,
        });
    }
    let w0 = 2.0 * PI * cutoff_hz / sample_rate_hz;
    let (sin_w0, cos_w0) = (libm::sin(w0), libm::cos(w0));
    let mut sections = Vec::with_capacity(order.div_ceil(2));
    for k in 0..order / 2 {
        // Butterworth pole pair k has Q = 1 / (2 cos θ), θ its angle from the negative real axis:
        // (2k + 1)π / 2N for even N, (2k + 2)π / 2N for odd N (the real pole takes θ = 0).
        let theta = (2 * k + 1 + order % 2) as f64 * PI / (2 * order) as f64;
        let q = 1.0 / (2.0 * libm::cos(theta));
        let alpha = sin_w0 / (2.0 * q);
        let a0 = 1.0 + alpha;
        let b = if high_pass {
            [(1.0 + cos_w0) / 2.0, -(1.0 + cos_w0), (1.0 + cos_w0) / 2.0]
        } else {
            [(1.0 - cos_w0) / 2.0, 1.0 - cos_w0, (1.0 - cos_w0) / 2.0]
        };
        sections.push(Biquad::new(
            [b[0] / a0, b[1] / a0, b[2] / a0],
            [-2.0 * cos_w0 / a0, (1.0 - alpha) / a0],
        ));
    }
    if order % 2 == 1 {
        // First-order section from the bilinear transform of 1/(s+1), pre-warped.
        let k = libm::tan(w0 / 2.0);
        let a1 = (k - 1.0) / (k + 1.0);
        let b = if high_pass {
            [1.0 / (k + 1.0), -1.0 / (k + 1.0), 0.0]
        } else {
            [k / (k + 1.0), k / (k + 1.0), 0.0]
        };
        sections.push(Biquad::new(b, [a1, 0.0]));
    }
    Ok(sections)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn butterworth_magnitude(freq_hz: f64, cutoff_hz: f64, order: usize, fs: f64) -> f64 {
        // Analog Butterworth magnitude at the pre-warped frequency: what the bilinear design matches.
        let warp = |f: f64| libm::tan(PI * f / fs);
        let ratio = warp(freq_hz) / warp(cutoff_hz);
        1.0 / libm::sqrt(1.0 + libm::pow(ratio, 2.0 * order as f64))
    }

    #[test]
    fn low_pass_matches_the_butterworth_magnitude_for_every_order() {
        let fs = 100.0;
        for order in 1..=8 {
            let filter = Butterworth::design(Band::LowPass(5.0), order, fs).unwrap();
            for &f in &[0.1, 1.0, 3.0, 5.0, 7.0, 10.0, 20.0, 40.0, 49.0] {
                let expected = butterworth_magnitude(f, 5.0, order, fs);
                let got = filter.magnitude_at(f);
                assert!(
                    (got - expected).abs() < 1e-9,
                    "order {order} at {f} Hz: {got} vs {expected}"
                );
            }
            assert!((filter.magnitude_at(5.0) - libm::sqrt(0.5)).abs() < 1e-9);
        }
    }

    #[test]
    fn high_pass_is_the_mirror_of_low_pass() {
        let fs = 100.0;
        for order in 1..=4 {
            let filter = Butterworth::design(Band::HighPass(0.5), order, fs).unwrap();
            assert!(filter.magnitude_at(0.0) < 1e-12);
            assert!((filter.magnitude_at(0.5) - libm::sqrt(0.5)).abs() < 1e-9);
            assert!((filter.magnitude_at(25.0) - 1.0).abs() < 1e-3);
        }
    }

    #[test]
    fn band_pass_passes_the_middle_and_stops_the_edges() {
        let filter = Butterworth::design(
            Band::BandPass {
                low_hz: 0.5,
                high_hz: 3.0,
            },
            2,
            100.0,
        )
        .unwrap();
        assert!((filter.magnitude_at(1.2) - 1.0).abs() < 0.05);
        assert!(filter.magnitude_at(0.05) < 0.02);
        assert!(filter.magnitude_at(20.0) < 0.03);
    }

    #[test]
    fn time_domain_sine_amplitude_matches_the_magnitude_response() {
        let fs = 100.0;
        let mut filter = Butterworth::design(Band::LowPass(4.0), 2, fs).unwrap();
        let expected = filter.magnitude_at(6.0);
        let mut peak: f64 = 0.0;
        for i in 0..2000 {
            let y = filter.process(libm::sin(2.0 * PI * 6.0 * i as f64 / fs));
            if i > 1000 {
                peak = peak.max(y.abs());
            }
        }
        assert!((peak - expected).abs() < 0.01, "{peak} vs {expected}");
    }

    #[test]
    fn settled_filter_passes_a_constant_without_transient() {
        let mut filter = Butterworth::design(Band::LowPass(3.0), 4, 100.0).unwrap();
        filter.settle(9.81);
        for _ in 0..50 {
            assert!((filter.process(9.81) - 9.81).abs() < 1e-9);
        }
    }

    #[test]
    fn group_delay_of_a_low_pass_is_positive_and_small_in_band() {
        let filter = Butterworth::design(Band::LowPass(10.0), 2, 100.0).unwrap();
        let delay = filter.group_delay_secs_at(1.0);
        assert!(delay > 0.01 && delay < 0.04, "{delay}");
    }

    #[test]
    fn bad_designs_are_refused() {
        assert_eq!(
            Butterworth::design(Band::LowPass(60.0), 2, 100.0),
            Err(FilterDesignError::CutoffOutOfRange {
                cutoff_hz: 60.0,
                sample_rate_hz: 100.0
            })
        );
        assert_eq!(
            Butterworth::design(Band::LowPass(5.0), 0, 100.0),
            Err(FilterDesignError::UnsupportedOrder(0))
        );
    }
}
