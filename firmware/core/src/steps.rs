//! On-board step detection: the project's causal foot detector (`entrain-gait`'s [`FootDetector`],
//! the same code the host runs) fed with the sensor's own samples, producing step packets for the
//! Entrain step characteristic and a cadence for the standard RSC Measurement (0x2A53), so other
//! apps see a foot pod.
//!
//! The detector allocates (its filters and histories), so the firmware that enables this module
//! needs a global allocator; it allocates once at construction and not per sample after warm-up.

extern crate alloc;

use alloc::vec::Vec;

pub use entrain_gait::Side;
use entrain_gait::detect::{FootDetector, FootDetectorConfig, StreamingDetector};
use entrain_gait::filter::FilterDesignError;
use entrain_gait::{GaitEvent, GaitEventKind, ImuSample};
use entrain_protocol::imu::ImuScale;
use entrain_protocol::rsc::RscMeasurement;
use entrain_protocol::step::{MAX_EVENTS, StepEvent, StepKind, StepPacket, StepSide};

use crate::packetizer::{TimedSample, Unwrapper};

/// The detector gives no per-event confidence; every event it confirms is sent with this.
pub const CONFIRMED_CONFIDENCE_PERCENT: u8 = 100;

/// Strides longer than this (seconds) mean the walk stopped: cadence reads 0.
pub const MAX_STRIDE_SECS: f64 = 3.0;
/// Strides shorter than this are not believed (a double detection).
pub const MIN_STRIDE_SECS: f64 = 0.5;

/// The on-board detector and what it feeds.
#[derive(Debug, Clone)]
pub struct OnBoardSteps {
    detector: FootDetector,
    side: StepSide,
    scale: ImuScale,
    tick_nanos: u32,
    unwrapper: Unwrapper,
    events: Vec<GaitEvent>,
    next_seq: u16,
    /// The last three stride durations, nanoseconds (newest last).
    strides_nanos: [Option<i64>; 3],
    last_ic_nanos: Option<i64>,
    last_sample_nanos: i64,
}

impl OnBoardSteps {
    /// A detector for a sensor on `side`, sampling at `scale`, stamping in ticks of `tick_nanos`.
    pub fn new(
        side: Option<Side>,
        scale: ImuScale,
        tick_nanos: u32,
    ) -> Result<Self, FilterDesignError> {
        let config = FootDetectorConfig::new(scale.sample_rate_hz());
        Ok(OnBoardSteps {
            detector: FootDetector::new(side, config)?,
            side: match side {
                Some(Side::Left) => StepSide::Left,
                Some(Side::Right) => StepSide::Right,
                None => StepSide::Unknown,
            },
            scale,
            tick_nanos,
            unwrapper: Unwrapper::default(),
            events: Vec::with_capacity(4),
            next_seq: 0,
            strides_nanos: [None; 3],
            last_ic_nanos: None,
            last_sample_nanos: 0,
        })
    }

    /// Forgets the walk (after streaming stops or samples were lost for long).
    pub fn reset(&mut self) {
        self.detector.reset();
        self.unwrapper = Unwrapper::default();
        self.strides_nanos = [None; 3];
        self.last_ic_nanos = None;
    }

    /// Feeds one sample; returns a step packet if the detector confirmed events with it.
    pub fn push(&mut self, sample: &TimedSample) -> Option<StepPacket> {
        let time_nanos =
            (self.unwrapper.unwrap(sample.ticks) as i64).saturating_mul(i64::from(self.tick_nanos));
        self.last_sample_nanos = time_nanos;
        let s = &sample.sample;
        let imu = ImuSample {
            time_nanos,
            acc_mps2: [
                self.scale.acc_mps2(s.acc[0]),
                self.scale.acc_mps2(s.acc[1]),
                self.scale.acc_mps2(s.acc[2]),
            ],
            gyr_dps: [
                self.scale.gyr_dps(s.gyr[0]),
                self.scale.gyr_dps(s.gyr[1]),
                self.scale.gyr_dps(s.gyr[2]),
            ],
        };
        self.events.clear();
        self.detector.push(&imu, &mut self.events);
        if self.events.is_empty() {
            return None;
        }
        let mut out = [StepEvent {
            timestamp_us: 0,
            kind: StepKind::InitialContact,
            side: self.side,
            confidence: 0,
            latency_ms: 0,
        }; MAX_EVENTS];
        let mut n = 0;
        for i in 0..self.events.len() {
            let e = self.events[i];
            if e.kind == GaitEventKind::InitialContact {
                self.note_contact(e.event_time_nanos);
            }
            if let Some(slot) = out.get_mut(n) {
                *slot = StepEvent {
                    // µs modulo 2^32: the same clock as the IMU packets' timestamps.
                    timestamp_us: (e.event_time_nanos.max(0) / 1000) as u64 as u32,
                    kind: match e.kind {
                        GaitEventKind::InitialContact => StepKind::InitialContact,
                        GaitEventKind::ToeOff => StepKind::ToeOff,
                    },
                    side: self.side,
                    confidence: CONFIRMED_CONFIDENCE_PERCENT,
                    latency_ms: ((e.emitted_at_nanos - e.event_time_nanos).max(0) / 1_000_000)
                        .min(255) as u8,
                };
                n += 1;
            }
        }
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        StepPacket::new(seq, out.get(..n).unwrap_or(&[])).ok()
    }

    fn note_contact(&mut self, at_nanos: i64) {
        if let Some(last) = self.last_ic_nanos {
            let stride = at_nanos - last;
            let secs = stride as f64 / 1e9;
            if secs < MIN_STRIDE_SECS {
                return;
            }
            if secs <= MAX_STRIDE_SECS {
                self.strides_nanos = [self.strides_nanos[1], self.strides_nanos[2], Some(stride)];
            } else {
                self.strides_nanos = [None; 3];
            }
        }
        self.last_ic_nanos = Some(at_nanos);
    }

    /// Cadence in steps per minute (two steps per stride of this foot): the median of the last
    /// three strides, or 0 when fewer than one stride is known or the foot has not landed for
    /// [`MAX_STRIDE_SECS`].
    pub fn cadence_spm(&self) -> f64 {
        if self
            .last_ic_nanos
            .is_none_or(|t| (self.last_sample_nanos - t) as f64 / 1e9 > MAX_STRIDE_SECS)
        {
            return 0.0;
        }
        let mut known = [0i64; 3];
        let mut n = 0;
        for s in self.strides_nanos.iter().flatten() {
            known[n] = *s;
            n += 1;
        }
        if n == 0 {
            return 0.0;
        }
        let known = &mut known[..n];
        known.sort_unstable();
        let stride = known[n / 2] as f64 / 1e9;
        2.0 * 60.0 / stride
    }

    /// The RSC Measurement to notify: walking, cadence in steps per minute; speed 0 (a foot IMU
    /// alone does not give it reliably) and no stride length or distance.
    pub fn rsc(&self) -> RscMeasurement {
        RscMeasurement {
            flags: 0,
            speed_256ths_mps: 0,
            cadence_per_min: libm::round(self.cadence_spm()).clamp(0.0, 255.0) as u8,
            stride_length_cm: None,
            total_distance_dm: None,
            running: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use entrain_protocol::imu::RawSample;

    extern crate std;
    use std::string::String;
    use std::vec::Vec;

    const SCALE: ImuScale = ImuScale {
        sample_rate_mhz: 204_800,
        acc_ug_per_lsb: 488,
        gyr_udps_per_lsb: 70_000,
    };

    /// The gaitmap example's left foot as LSM6DSOX counts (±16 g, ±2000 dps), its reference ICs
    /// (sample indices from motion capture) and the span the reference covers (first stride's
    /// start to last stride's end: outside it, steps are real but not annotated).
    fn left_foot() -> (Vec<RawSample>, Vec<usize>, (usize, usize)) {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/fixtures/gaitmap/");
        let imu = std::fs::read_to_string(String::from(dir) + "imu_sample.csv").unwrap();
        let mut lines = imu.lines();
        let sensors: Vec<&str> = lines.next().unwrap().split(',').collect();
        let axes: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = |axis: &str| {
            (0..sensors.len())
                .find(|&i| sensors[i] == "left_sensor" && axes[i] == axis)
                .unwrap()
        };
        let cols: Vec<usize> = ["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]
            .iter()
            .map(|a| col(a))
            .collect();
        let samples = lines
            .map(|l| {
                let f: Vec<f64> = l.split(',').map(|v| v.parse().unwrap()).collect();
                RawSample {
                    acc: [0, 1, 2].map(|k| SCALE.acc_counts(f[cols[k]])),
                    gyr: [3, 4, 5].map(|k| SCALE.gyr_counts(f[cols[k]])),
                }
            })
            .collect();
        let events =
            std::fs::read_to_string(String::from(dir) + "stride_events_sample.csv").unwrap();
        let rows: Vec<Vec<usize>> = events
            .lines()
            .skip(1)
            .filter(|l| l.split(',').nth(1) == Some("left"))
            .map(|l| {
                l.split(',')
                    .skip(2)
                    .take(3)
                    .map(|v| v.parse::<f64>().unwrap() as usize)
                    .collect()
            })
            .collect();
        let ics = rows.iter().map(|r| r[2]).collect();
        let span = (rows[0][0], rows[rows.len() - 1][1]);
        (samples, ics, span)
    }

    #[test]
    fn detects_the_reference_heel_strikes_from_counts() {
        let (samples, reference, (span_start, span_end)) = left_foot();
        let mut steps = OnBoardSteps::new(Some(Side::Left), SCALE, 25_000).unwrap();
        let mut ics_us = Vec::new();
        let mut last_seq = None;
        let mut cadences = Vec::new();
        for (i, s) in samples.iter().enumerate() {
            let ticks = (i as u64 * 40_000_000 / 204_800) as u32;
            if let Some(p) = steps.push(&TimedSample { ticks, sample: *s }) {
                if let Some(prev) = last_seq {
                    assert_eq!(p.seq, u16::wrapping_add(prev, 1));
                }
                last_seq = Some(p.seq);
                for e in p.events() {
                    assert_eq!(e.side, StepSide::Left);
                    if e.kind == StepKind::InitialContact {
                        ics_us.push(e.timestamp_us);
                        cadences.push(steps.cadence_spm());
                    }
                }
            }
        }
        // Match each reference IC to a detection within 80 ms; precision over the annotated span.
        let period_us = 1e6 / 204.8;
        let span_us = (span_start as f64 * period_us, span_end as f64 * period_us);
        let ics_us: Vec<u32> = ics_us
            .into_iter()
            .filter(|&d| (span_us.0..=span_us.1).contains(&f64::from(d)))
            .collect();
        let matched = reference
            .iter()
            .filter(|&&r| {
                let r_us = r as f64 * period_us;
                ics_us
                    .iter()
                    .any(|&d| (f64::from(d) - r_us).abs() <= 80_000.0)
            })
            .count();
        let recall = matched as f64 / reference.len() as f64;
        let precision = matched as f64 / ics_us.len() as f64;
        assert!(
            recall >= 0.9,
            "recall {recall} ({matched}/{})",
            reference.len()
        );
        assert!(
            precision >= 0.9,
            "precision {precision} ({matched}/{})",
            ics_us.len()
        );
        // The cadence (median over the contacts) matches the reference strides' (median).
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let mut reference_cadences: Vec<f64> = reference
            .windows(2)
            .map(|w| 120.0 / ((w[1] - w[0]) as f64 / 204.8))
            .collect();
        let (ours, theirs) = (median(&mut cadences), median(&mut reference_cadences));
        assert!(
            (ours - theirs).abs() <= 3.0,
            "cadence {ours} vs reference {theirs}"
        );
        // The RSC measurement it would notify encodes and decodes.
        let rsc = steps.rsc();
        let mut buf = [0u8; entrain_protocol::rsc::MAX_LEN];
        let n = rsc.encode(&mut buf).unwrap();
        assert_eq!(RscMeasurement::decode(&buf[..n]).unwrap(), rsc);
    }

    #[test]
    fn standing_still_gives_no_steps_and_no_cadence() {
        let mut steps = OnBoardSteps::new(Some(Side::Right), SCALE, 25_000).unwrap();
        let still = RawSample {
            acc: [0, 0, SCALE.acc_counts(9.81)],
            gyr: [1, -1, 0],
        };
        for i in 0..2048u64 {
            let ticks = (i * 40_000_000 / 204_800) as u32;
            assert!(
                steps
                    .push(&TimedSample {
                        ticks,
                        sample: still
                    })
                    .is_none()
            );
        }
        assert_eq!(steps.cadence_spm(), 0.0);
        assert_eq!(steps.rsc().cadence_per_min, 0);
    }
}
