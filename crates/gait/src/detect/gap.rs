//! Regularises a sample stream for fixed-rate detectors: lost samples (BLE packet loss, a wireless
//! sensor's dropped packets) are filled by linear interpolation up to a limit; a longer gap is
//! reported so the detector can start afresh instead of reading a jump as a movement.

use alloc::vec::Vec;

use super::StreamingDetector;
use crate::sample::{GaitEvent, ImuSample};

/// What the gap filler made of the next sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Regularised {
    /// The sample follows on time; `missing` samples before it were interpolated (0 normally).
    OnTime {
        /// How many samples were filled in before this one.
        missing: usize,
    },
    /// The gap before this sample was too long to fill (or time went backwards): history is void.
    Restart,
}

/// Fills short gaps in a fixed-rate stream.
#[derive(Debug, Clone)]
pub struct GapFiller {
    period_nanos: i64,
    max_missing: usize,
    last: Option<ImuSample>,
    /// The grid samples of the latest push, kept to reuse its allocation.
    scratch: Vec<ImuSample>,
}

impl GapFiller {
    /// A filler for a stream at `sample_rate_hz` that interpolates at most `max_missing` samples.
    pub fn new(sample_rate_hz: f64, max_missing: usize) -> Self {
        GapFiller {
            period_nanos: libm::round(1e9 / sample_rate_hz) as i64,
            max_missing,
            last: None,
            scratch: Vec::with_capacity(max_missing + 1),
        }
    }

    /// Places `sample` after the previous one, calling `emit` for every interpolated sample and
    /// then for `sample` itself, all on the regular grid's timing.
    pub fn push(&mut self, sample: &ImuSample, mut emit: impl FnMut(&ImuSample)) -> Regularised {
        let Some(last) = self.last else {
            self.last = Some(*sample);
            emit(sample);
            return Regularised::OnTime { missing: 0 };
        };
        let elapsed = sample.time_nanos - last.time_nanos;
        // Periods elapsed, rounded: sensor timestamps jitter by a fraction of a period.
        let periods = (elapsed + self.period_nanos / 2).div_euclid(self.period_nanos);
        self.last = Some(*sample);
        if periods < 1 || periods as usize > self.max_missing + 1 {
            emit(sample);
            return Regularised::Restart;
        }
        let missing = periods as usize - 1;
        for k in 1..=missing {
            let w = k as f32 / periods as f32;
            let lerp = |a: [f32; 3], b: [f32; 3]| {
                [
                    a[0] + (b[0] - a[0]) * w,
                    a[1] + (b[1] - a[1]) * w,
                    a[2] + (b[2] - a[2]) * w,
                ]
            };
            emit(&ImuSample {
                time_nanos: last.time_nanos + k as i64 * elapsed / periods,
                acc_mps2: lerp(last.acc_mps2, sample.acc_mps2),
                gyr_dps: lerp(last.gyr_dps, sample.gyr_dps),
            });
        }
        emit(sample);
        Regularised::OnTime { missing }
    }

    /// Forgets the previous sample.
    pub fn reset(&mut self) {
        self.last = None;
    }
}

/// A detector that works on the regular sample grid. It gets [`StreamingDetector`] for free:
/// every incoming sample goes through its [`GapFiller`], short gaps are interpolated, and a long
/// gap clears the detector's signal history.
pub trait GridDetector {
    /// The detector's gap filler.
    fn gap_filler(&mut self) -> &mut GapFiller;
    /// Consumes one sample on the grid.
    fn step(&mut self, sample: &ImuSample, events: &mut Vec<GaitEvent>);
    /// Forgets the signal history (filters, phase), keeping what was learned of the patient.
    fn clear_history(&mut self);
}

impl<D: GridDetector> StreamingDetector for D {
    fn push(&mut self, sample: &ImuSample, events: &mut Vec<GaitEvent>) {
        let mut grid = core::mem::take(&mut self.gap_filler().scratch);
        grid.clear();
        if self.gap_filler().push(sample, |s| grid.push(*s)) == Regularised::Restart {
            self.clear_history();
        }
        for s in &grid {
            self.step(s, events);
        }
        self.gap_filler().scratch = grid;
    }

    fn reset(&mut self) {
        self.gap_filler().reset();
        self.clear_history();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(time_nanos: i64, value: f32) -> ImuSample {
        ImuSample {
            time_nanos,
            acc_mps2: [value; 3],
            gyr_dps: [value; 3],
        }
    }

    #[test]
    fn fills_a_short_gap_linearly_and_restarts_after_a_long_one() {
        let mut filler = GapFiller::new(100.0, 5);
        let mut out = Vec::new();
        assert_eq!(
            filler.push(&sample(0, 0.0), |s| out.push(*s)),
            Regularised::OnTime { missing: 0 }
        );
        assert_eq!(
            filler.push(&sample(40_000_000, 4.0), |s| out.push(*s)),
            Regularised::OnTime { missing: 3 }
        );
        let times: Vec<i64> = out.iter().map(|s| s.time_nanos).collect();
        assert_eq!(times, [0, 10_000_000, 20_000_000, 30_000_000, 40_000_000]);
        assert_eq!(out[2].gyr_dps, [2.0; 3]);
        out.clear();
        assert_eq!(
            filler.push(&sample(200_000_000, 1.0), |s| out.push(*s)),
            Regularised::Restart
        );
        assert_eq!(out.len(), 1);
        assert_eq!(
            filler.push(&sample(190_000_000, 1.0), |_| {}),
            Regularised::Restart
        );
    }
}
