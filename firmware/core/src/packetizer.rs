//! IMU samples, as the FIFO delivers them (raw counts and the IMU's timestamp counter), into
//! `entrain-protocol` IMU packets.
//!
//! **The sensor clock** is the IMU's own timestamp counter (25 µs per tick on the LSM6DSOX): the
//! samples are stamped by the chip that takes them, so the stamps carry no interrupt or bus
//! jitter. A packet's `timestamp_us` is its first sample's tick count × 25 µs, wrapping at
//! 2³² µs as the protocol says. [`SensorClock`] extends the same clock between samples (for the
//! control point's time-sync answers) from the MCU's timer.
//!
//! **Sample indices come from the timestamps**: index = round(elapsed ticks × tick / period). A
//! FIFO overrun that lost samples therefore shows up as a jump in the index, the packet after it
//! carries the overrun flag, and the host counts exactly how many samples never arrived. Packets
//! only ever hold consecutive samples.

use entrain_protocol::imu::{self, FLAG_SENSOR_OVERRUN, ImuPacket, ImuScale, RawSample};

/// One sample from the IMU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimedSample {
    /// The IMU's timestamp counter at the sample.
    pub ticks: u32,
    /// Raw counts.
    pub sample: RawSample,
}

/// Extends a wrapping `u32` counter to `u64`, assuming less than half a wrap between readings
/// (14.9 hours of 25 µs ticks). A step back (more than half the range forward) is taken as a reset
/// of the counter: the extended value then holds still, and the caller sees no advance.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unwrapper {
    last: Option<(u32, u64)>,
}

impl Unwrapper {
    /// The extended value of `raw`.
    pub fn unwrap(&mut self, raw: u32) -> u64 {
        let extended = match self.last {
            None => u64::from(raw),
            Some((last_raw, last_ext)) => {
                let step = raw.wrapping_sub(last_raw);
                if step > u32::MAX / 2 {
                    last_ext
                } else {
                    last_ext + u64::from(step)
                }
            }
        };
        self.last = Some((raw, extended));
        extended
    }
}

/// Errors of the packetizer configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PacketizerError {
    /// Samples per packet must be 1..=18.
    #[error("samples per packet {0} outside 1..=18")]
    SamplesPerPacket(usize),
    /// The scale has a zero rate or sensitivity.
    #[error("IMU scale has a zero rate or sensitivity")]
    ZeroScale,
    /// The tick length is zero.
    #[error("IMU timestamp tick of 0 ns")]
    ZeroTick,
}

/// Builds IMU packets from samples.
#[derive(Debug, Clone)]
pub struct Packetizer {
    scale: ImuScale,
    tick_nanos: u32,
    samples_per_packet: usize,
    next_seq: u16,
    start_index: u64,
    unwrapper: Unwrapper,
    /// (extended ticks, index) of the sample the indices are counted from.
    anchor: Option<(u64, u64)>,
    last_index: Option<u64>,
    building: Option<ImuPacket>,
    pending_overrun: bool,
    lost_samples: u64,
    discontinuities: u32,
}

impl Packetizer {
    /// A packetizer for samples at `scale`, stamped in ticks of `tick_nanos`, sending up to
    /// `samples_per_packet` samples per packet (see [`crate::link::samples_per_notification`];
    /// fewer means less delay before the host sees a sample).
    pub fn new(
        scale: ImuScale,
        tick_nanos: u32,
        samples_per_packet: usize,
    ) -> Result<Packetizer, PacketizerError> {
        if samples_per_packet == 0 || samples_per_packet > imu::MAX_SAMPLES {
            return Err(PacketizerError::SamplesPerPacket(samples_per_packet));
        }
        if scale.sample_rate_mhz == 0 || scale.acc_ug_per_lsb == 0 || scale.gyr_udps_per_lsb == 0 {
            return Err(PacketizerError::ZeroScale);
        }
        if tick_nanos == 0 {
            return Err(PacketizerError::ZeroTick);
        }
        Ok(Packetizer {
            scale,
            tick_nanos,
            samples_per_packet,
            next_seq: 0,
            start_index: 0,
            unwrapper: Unwrapper::default(),
            anchor: None,
            last_index: None,
            building: None,
            pending_overrun: false,
            lost_samples: 0,
            discontinuities: 0,
        })
    }

    /// Numbers the next packet `seq` and the first sample `first_sample_index` (instead of 0 and
    /// 0): a stream that goes on across a reconnection keeps its numbering, so the host sees one
    /// stream with a gap rather than a restart.
    pub fn starting_at(mut self, seq: u16, first_sample_index: u64) -> Packetizer {
        self.next_seq = seq;
        self.start_index = first_sample_index;
        self
    }

    /// The scale the packets carry.
    pub fn scale(&self) -> ImuScale {
        self.scale
    }

    /// Samples known lost (index jumps) since creation.
    pub fn lost_samples(&self) -> u64 {
        self.lost_samples
    }

    /// Times the IMU clock went backwards or stood still (an IMU reset), since creation.
    pub fn discontinuities(&self) -> u32 {
        self.discontinuities
    }

    /// The sequence number the next packet will carry.
    pub fn next_seq(&self) -> u16 {
        self.next_seq
    }

    /// Marks that the IMU reported a FIFO overrun: the next packet carries the overrun flag even
    /// if the lost samples cannot be counted from the timestamps.
    pub fn note_overrun(&mut self) {
        self.pending_overrun = true;
    }

    /// Starts a new stream: sample indices restart at 0; packet sequence numbers continue.
    /// A partly built packet is returned (it belongs to the old stream).
    pub fn restart(&mut self) -> Option<ImuPacket> {
        let last = self.flush();
        self.unwrapper = Unwrapper::default();
        self.anchor = None;
        self.start_index = 0;
        self.last_index = None;
        self.pending_overrun = false;
        last
    }

    fn index_of(&mut self, ticks: u32) -> u64 {
        let extended = self.unwrapper.unwrap(ticks);
        let (anchor_ticks, anchor_index) = match self.anchor {
            Some(a) => a,
            None => {
                self.anchor = Some((extended, self.start_index));
                (extended, self.start_index)
            }
        };
        let elapsed_nanos =
            u128::from(extended.saturating_sub(anchor_ticks)) * u128::from(self.tick_nanos);
        // index = elapsed / period = elapsed × rate_mHz / 1e12, rounded.
        let steps = (elapsed_nanos * u128::from(self.scale.sample_rate_mhz) + 500_000_000_000)
            / 1_000_000_000_000;
        anchor_index + u64::try_from(steps).unwrap_or(u64::MAX)
    }

    /// Adds one sample; `emit` receives every packet this completes (at most two: the packet a
    /// gap closed early, and a full one).
    pub fn push(&mut self, sample: TimedSample, mut emit: impl FnMut(&ImuPacket)) {
        let mut index = self.index_of(sample.ticks);
        if let Some(last) = self.last_index {
            if index <= last {
                // The IMU clock went back (the chip was reset): re-anchor so this sample follows
                // the last one, and flag it.
                self.discontinuities = self.discontinuities.saturating_add(1);
                let extended = self.unwrapper.unwrap(sample.ticks);
                index = last + 1;
                // (The unwrapper held still, so `extended` is where the clock restarted.)
                self.anchor = Some((extended, index));
                self.pending_overrun = true;
            } else if index > last + 1 {
                self.lost_samples += index - last - 1;
                self.pending_overrun = true;
            }
        }
        if self.pending_overrun
            && let Some(done) = self.flush()
        {
            emit(&done);
        }
        self.last_index = Some(index);
        let packet = match &mut self.building {
            Some(p) => p,
            None => {
                let flags = if self.pending_overrun {
                    FLAG_SENSOR_OVERRUN
                } else {
                    0
                };
                self.pending_overrun = false;
                let timestamp_us = ticks_to_micros(sample.ticks, self.tick_nanos);
                self.building.insert(ImuPacket {
                    seq: 0,
                    // The protocol's index wraps at 2^32.
                    first_sample_index: index as u32,
                    timestamp_us,
                    scale: self.scale,
                    flags,
                    count: 0,
                    samples: [RawSample::default(); imu::MAX_SAMPLES],
                })
            }
        };
        if let Some(slot) = packet.samples.get_mut(usize::from(packet.count)) {
            *slot = sample.sample;
            packet.count += 1;
        }
        if usize::from(packet.count) >= self.samples_per_packet
            && let Some(done) = self.flush()
        {
            emit(&done);
        }
    }

    /// Closes the packet being built, if it has samples (call it when the latency budget runs out
    /// or streaming stops), and gives it its sequence number.
    pub fn flush(&mut self) -> Option<ImuPacket> {
        let mut packet = self.building.take()?;
        if packet.count == 0 {
            return None;
        }
        packet.seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        Some(packet)
    }

    /// Samples in the packet being built.
    pub fn pending_samples(&self) -> usize {
        self.building.as_ref().map_or(0, |p| usize::from(p.count))
    }
}

/// The sensor clock in µs (wrapping at 2³²) for an IMU tick count: ticks × tick length, taken
/// modulo 2³² µs, which equals the true µs count modulo 2³² whenever the tick is a whole number of
/// µs (25 µs on the LSM6DSOX).
pub fn ticks_to_micros(ticks: u32, tick_nanos: u32) -> u32 {
    if tick_nanos.is_multiple_of(1000) {
        ticks.wrapping_mul(tick_nanos / 1000)
    } else {
        (u64::from(ticks) * u64::from(tick_nanos) / 1000) as u32
    }
}

/// The sensor clock between IMU samples: the last IMU timestamp seen, extended by the MCU's own
/// microsecond timer since then. Used to stamp control-point answers (time sync) on the same clock
/// as the samples.
#[derive(Debug, Clone, Copy, Default)]
pub struct SensorClock {
    anchor: Option<(u32, u64)>,
}

impl SensorClock {
    /// Notes that the IMU timestamp read `sensor_us` (µs) at MCU time `mcu_us`.
    pub fn observe(&mut self, sensor_us: u32, mcu_us: u64) {
        self.anchor = Some((sensor_us, mcu_us));
    }

    /// The sensor clock at MCU time `mcu_us`; before any observation, the MCU clock itself.
    pub fn now_us(&self, mcu_us: u64) -> u32 {
        match self.anchor {
            Some((sensor_us, at)) => sensor_us.wrapping_add(mcu_us.saturating_sub(at) as u32),
            None => mcu_us as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    extern crate std;
    use std::vec::Vec;

    const SCALE: ImuScale = ImuScale {
        sample_rate_mhz: 104_000,
        acc_ug_per_lsb: 488,
        gyr_udps_per_lsb: 70_000,
    };

    fn ticks_of(i: u64) -> u32 {
        // 40 000 ticks per second at 104 Hz, as the LSM6DSOX stamps them (rounded down).
        (i * 40_000_000 / 104_000) as u32
    }

    fn sample(i: u64) -> TimedSample {
        let v = i as i16;
        TimedSample {
            ticks: ticks_of(i),
            sample: RawSample {
                acc: [v, v + 1, v + 2],
                gyr: [-v, 2 * v, 3],
            },
        }
    }

    fn collect(p: &mut Packetizer, indices: impl IntoIterator<Item = u64>) -> Vec<ImuPacket> {
        let mut out = Vec::new();
        for i in indices {
            p.push(sample(i), |pkt| out.push(pkt.clone()));
        }
        out
    }

    #[test]
    fn packets_of_consecutive_samples_with_seq_and_index() {
        let mut p = Packetizer::new(SCALE, 25_000, 4).unwrap();
        let out = collect(&mut p, 0..10);
        assert_eq!(out.len(), 2);
        assert_eq!(p.pending_samples(), 2);
        let last = p.flush().unwrap();
        assert_eq!(
            (out[0].seq, out[1].seq, last.seq),
            (0, 1, 2),
            "sequence numbers"
        );
        assert_eq!(
            (
                out[0].first_sample_index,
                out[1].first_sample_index,
                last.first_sample_index
            ),
            (0, 4, 8)
        );
        assert_eq!(out[1].timestamp_us, ticks_of(4) * 25);
        assert_eq!(out[1].samples()[3], sample(7).sample);
        assert_eq!(last.count, 2);
        assert!(out.iter().all(|p| p.flags == 0));
        // Every packet encodes and decodes back to itself.
        for pkt in out.iter().chain([&last]) {
            let mut buf = [0u8; imu::MAX_LEN];
            let n = pkt.encode(&mut buf).unwrap();
            assert_eq!(&ImuPacket::decode(&buf[..n]).unwrap(), pkt);
        }
    }

    #[test]
    fn lost_samples_close_the_packet_and_flag_the_next() {
        let mut p = Packetizer::new(SCALE, 25_000, 4).unwrap();
        let out = collect(&mut p, (0..6).chain(9..13));
        // [0..4) full, [4,5] closed by the gap, [9..13) full.
        assert_eq!(out.len(), 3);
        assert_eq!(out[1].count, 2);
        assert_eq!(out[1].flags, 0);
        assert_eq!(out[2].first_sample_index, 9);
        assert_eq!(out[2].flags, FLAG_SENSOR_OVERRUN);
        assert_eq!(p.lost_samples(), 3);
    }

    #[test]
    fn timestamps_wrap_and_indices_go_on() {
        let mut p = Packetizer::new(SCALE, 25_000, 2).unwrap();
        let base = u32::MAX - 500;
        let mut out = Vec::new();
        for i in 0..6u64 {
            let mut s = sample(i);
            s.ticks = base.wrapping_add(ticks_of(i));
            p.push(s, |pkt| out.push(pkt.clone()));
        }
        assert_eq!(out.len(), 3);
        assert_eq!(out[2].first_sample_index, 4);
        assert_eq!(
            out[2].timestamp_us,
            base.wrapping_add(ticks_of(4)).wrapping_mul(25)
        );
        assert_eq!(p.lost_samples(), 0);
    }

    #[test]
    fn a_clock_reset_is_a_flagged_discontinuity() {
        let mut p = Packetizer::new(SCALE, 25_000, 3).unwrap();
        let mut out = collect(&mut p, 0..4);
        // The IMU restarts its counter.
        for i in 0..3 {
            p.push(sample(i), |pkt| out.push(pkt.clone()));
        }
        assert_eq!(p.discontinuities(), 1);
        let pkts: Vec<_> = out.into_iter().chain(p.flush()).collect();
        assert_eq!(pkts[1].first_sample_index, 3);
        assert_eq!(pkts[2].first_sample_index, 4);
        assert_eq!(pkts[2].flags, FLAG_SENSOR_OVERRUN);
    }

    #[test]
    fn restart_resets_indices_not_sequence_numbers() {
        let mut p = Packetizer::new(SCALE, 25_000, 2).unwrap();
        let out = collect(&mut p, 0..3);
        assert_eq!(out.len(), 1);
        let partial = p.restart().unwrap();
        assert_eq!(partial.seq, 1);
        let out = collect(&mut p, 100..102);
        assert_eq!(out[0].first_sample_index, 0);
        assert_eq!(out[0].seq, 2);
    }

    #[test]
    fn bad_configuration_is_refused() {
        assert_eq!(
            Packetizer::new(SCALE, 25_000, 0).err(),
            Some(PacketizerError::SamplesPerPacket(0))
        );
        assert_eq!(
            Packetizer::new(SCALE, 25_000, 19).err(),
            Some(PacketizerError::SamplesPerPacket(19))
        );
        let zero = ImuScale {
            sample_rate_mhz: 0,
            ..SCALE
        };
        assert_eq!(
            Packetizer::new(zero, 25_000, 4).err(),
            Some(PacketizerError::ZeroScale)
        );
        assert_eq!(
            Packetizer::new(SCALE, 0, 4).err(),
            Some(PacketizerError::ZeroTick)
        );
    }

    #[test]
    fn sensor_clock_extends_the_imu_clock() {
        let mut c = SensorClock::default();
        assert_eq!(c.now_us(1234), 1234);
        c.observe(u32::MAX - 10, 5_000);
        assert_eq!(c.now_us(5_020), 9);
        assert_eq!(ticks_to_micros(4, 25_000), 100);
        assert_eq!(ticks_to_micros(u32::MAX, 25_000), u32::MAX.wrapping_mul(25));
    }
}
