//! Link bookkeeping for one sensor: lost packets and samples counted from sequence numbers, and
//! a stale stream noticed from missing packets, well before the operating system gives up on the
//! link (BLE supervision timeouts run to seconds). Pure: times are parameters.

/// What a packet's sequence numbers say about the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Continuity {
    /// The first packet seen.
    First,
    /// Follows the previous packet directly.
    Contiguous,
    /// Samples are missing before this packet.
    Gap {
        /// Samples missing.
        lost_samples: u64,
        /// Packets missing (from the packet sequence number).
        lost_packets: u64,
    },
    /// A copy of, or older than, what was already delivered: to be dropped.
    Stale,
    /// The sample index does not fit the sensor's timestamps (the sensor restarted its stream
    /// or rebooted): continuity is re-established from here; `lost_samples` is estimated from
    /// the timestamps.
    Restart {
        /// Estimated samples missing (0 when the clock went backwards: a reboot).
        lost_samples: u64,
    },
}

/// Counts lost packets and samples of one sensor's IMU stream.
#[derive(Debug, Clone, Default)]
pub struct SequenceTracker {
    next_seq: Option<u16>,
    next_index: Option<u32>,
    next_sensor_nanos: i64,
    /// Packets lost so far.
    pub lost_packets: u64,
    /// Samples lost so far.
    pub lost_samples: u64,
    /// Duplicate or out-of-date packets dropped so far.
    pub stale_packets: u64,
    /// Stream restarts seen.
    pub restarts: u64,
}

impl SequenceTracker {
    /// A tracker that has seen nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Accounts for a packet with sequence number `seq` whose `count` samples start at sample
    /// index `first_index` and sensor time `sensor_nanos` (unwrapped), `period_nanos` apart.
    pub fn on_packet(
        &mut self,
        seq: u16,
        first_index: u32,
        count: u8,
        sensor_nanos: i64,
        period_nanos: i64,
    ) -> Continuity {
        let end_nanos = sensor_nanos + i64::from(count) * period_nanos;
        let (Some(next_seq), Some(next_index)) = (self.next_seq, self.next_index) else {
            self.advance(seq, first_index, count, end_nanos);
            return Continuity::First;
        };
        let index_delta = first_index.wrapping_sub(next_index);
        let time_delta = sensor_nanos - self.next_sensor_nanos;
        let tolerance = (2 * period_nanos).max(2_000_000);
        if index_delta == 0 && time_delta.abs() <= tolerance {
            self.advance(seq, first_index, count, end_nanos);
            return Continuity::Contiguous;
        }
        if index_delta > u32::MAX / 2 {
            // Behind what was delivered. A copy or a late packet, if its time agrees.
            let behind = u64::from(index_delta.wrapping_neg());
            let expected_behind = i128::from(behind) * i128::from(period_nanos);
            if (i128::from(-time_delta) - expected_behind).abs() <= i128::from(tolerance) {
                self.stale_packets += 1;
                return Continuity::Stale;
            }
        } else {
            let expected = i128::from(index_delta) * i128::from(period_nanos);
            if (i128::from(time_delta) - expected).abs() <= i128::from(tolerance) {
                let lost_packets = u64::from(seq.wrapping_sub(next_seq));
                self.lost_samples += u64::from(index_delta);
                self.lost_packets += lost_packets;
                self.advance(seq, first_index, count, end_nanos);
                return Continuity::Gap {
                    lost_samples: u64::from(index_delta),
                    lost_packets,
                };
            }
        }
        // Index and time disagree: the stream restarted.
        let lost_samples = if time_delta > 0 && period_nanos > 0 {
            ((time_delta + period_nanos / 2) / period_nanos) as u64
        } else {
            0
        };
        self.lost_samples += lost_samples;
        self.restarts += 1;
        self.advance(seq, first_index, count, end_nanos);
        Continuity::Restart { lost_samples }
    }

    fn advance(&mut self, seq: u16, first_index: u32, count: u8, end_nanos: i64) {
        self.next_seq = Some(seq.wrapping_add(1));
        self.next_index = Some(first_index.wrapping_add(u32::from(count)));
        self.next_sensor_nanos = end_nanos;
    }
}

/// Notices a stream that stopped delivering.
#[derive(Debug, Clone)]
pub struct StaleMonitor {
    stale_after_nanos: i64,
    last_arrival_nanos: Option<i64>,
    stale: bool,
}

impl StaleMonitor {
    /// A monitor that calls the stream stale after `stale_after_nanos` without a packet.
    pub fn new(stale_after_nanos: i64) -> Self {
        Self {
            stale_after_nanos,
            last_arrival_nanos: None,
            stale: false,
        }
    }

    /// The silence that makes the stream stale: two expected steps (`step_nanos` each), but at
    /// least three packet intervals so ordinary jitter never trips it.
    pub fn threshold_nanos(step_nanos: i64, packet_interval_nanos: i64) -> i64 {
        (2 * step_nanos).max(3 * packet_interval_nanos)
    }

    /// How long a silence makes the stream stale.
    pub fn stale_after_nanos(&self) -> i64 {
        self.stale_after_nanos
    }

    /// A packet arrived; returns true if the stream had been stale (it recovered).
    pub fn on_packet(&mut self, arrival_nanos: i64) -> bool {
        self.last_arrival_nanos = Some(arrival_nanos);
        std::mem::replace(&mut self.stale, false)
    }

    /// Starts the clock without a packet (after subscribing), so a stream that never starts is
    /// noticed too.
    pub fn arm(&mut self, now_nanos: i64) {
        if self.last_arrival_nanos.is_none() {
            self.last_arrival_nanos = Some(now_nanos);
        }
    }

    /// Starts a fresh watch from `now_nanos` (a new connection): a stream that stays silent
    /// after it is noticed again.
    pub fn rearm(&mut self, now_nanos: i64) {
        self.last_arrival_nanos = Some(now_nanos);
        self.stale = false;
    }

    /// Returns the silence so far if the stream just became stale at `now_nanos` (once per
    /// silence).
    pub fn check(&mut self, now_nanos: i64) -> Option<i64> {
        let last = self.last_arrival_nanos?;
        let silence = now_nanos - last;
        if !self.stale && silence > self.stale_after_nanos {
            self.stale = true;
            Some(silence)
        } else {
            None
        }
    }

    /// Whether the stream is stale now.
    pub fn is_stale(&self) -> bool {
        self.stale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: i64 = 4_882_812; // 204.8 Hz

    #[test]
    fn counts_lost_packets_and_samples() {
        let mut t = SequenceTracker::new();
        assert_eq!(t.on_packet(0, 0, 18, 0, P), Continuity::First);
        assert_eq!(t.on_packet(1, 18, 18, 18 * P, P), Continuity::Contiguous);
        // Packets 2 and 3 lost.
        assert_eq!(
            t.on_packet(4, 72, 18, 72 * P, P),
            Continuity::Gap {
                lost_samples: 36,
                lost_packets: 2
            }
        );
        // A duplicate of packet 4.
        assert_eq!(t.on_packet(4, 72, 18, 72 * P, P), Continuity::Stale);
        assert_eq!(t.on_packet(5, 90, 18, 90 * P, P), Continuity::Contiguous);
        assert_eq!(
            (t.lost_packets, t.lost_samples, t.stale_packets),
            (2, 36, 1)
        );
    }

    #[test]
    fn counts_across_wrapping_counters() {
        let mut t = SequenceTracker::new();
        let start = u32::MAX - 17;
        t.on_packet(u16::MAX, start, 18, 0, P);
        assert_eq!(
            t.on_packet(0, start.wrapping_add(18), 18, 18 * P, P),
            Continuity::Contiguous
        );
        assert_eq!(
            t.on_packet(2, start.wrapping_add(54), 18, 54 * P, P),
            Continuity::Gap {
                lost_samples: 18,
                lost_packets: 1
            }
        );
    }

    #[test]
    fn a_restarted_stream_is_estimated_from_time() {
        let mut t = SequenceTracker::new();
        t.on_packet(10, 5000, 18, 0, P);
        // The sensor restarted streaming: index 0 again, 1 s later.
        let c = t.on_packet(0, 0, 18, 18 * P + 1_000_000_000, P);
        assert_eq!(
            c,
            Continuity::Restart {
                lost_samples: 205 // 1 s at 204.8 Hz, rounded
            }
        );
        assert_eq!(
            t.on_packet(1, 18, 18, 36 * P + 1_000_000_000, P),
            Continuity::Contiguous
        );
    }

    #[test]
    fn stale_after_two_steps_once_per_silence() {
        let threshold = StaleMonitor::threshold_nanos(600_000_000, 88_000_000);
        assert_eq!(threshold, 1_200_000_000);
        let mut m = StaleMonitor::new(threshold);
        assert_eq!(m.check(5_000_000_000), None, "not armed yet");
        m.arm(0);
        assert!(!m.on_packet(100_000_000));
        assert_eq!(m.check(1_300_000_000), None);
        assert_eq!(m.check(1_300_000_001), Some(1_200_000_001));
        assert_eq!(m.check(2_000_000_000), None, "reported once");
        assert!(m.is_stale());
        assert!(m.on_packet(2_100_000_000), "recovered");
        assert!(!m.is_stale());
    }

    #[test]
    fn threshold_never_below_three_packets() {
        assert_eq!(
            StaleMonitor::threshold_nanos(100_000_000, 1_000_000_000),
            3_000_000_000
        );
    }
}
