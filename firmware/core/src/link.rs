//! BLE link parameters suited to streaming IMU samples with low latency, and how many samples fit
//! one notification.
//!
//! Why these values:
//! - **Connection interval 7.5–15 ms.** A heel strike detected on the host is only as early as the
//!   packet that carries it; the interval adds up to one interval of queueing. 15 ms keeps that
//!   small next to the detector's own delay and the ±30 ms a listener tolerates in beat-step
//!   asynchrony, while 7.5 ms (the minimum the specification allows) lets a central with spare
//!   air time go faster. Several sensors (two feet, lower back) at 15 ms leave the central room to
//!   schedule them all. (Apple's accessory guidelines would want multiples of 15 ms; the Entrain
//!   host is BlueZ, which grants what is asked within its limits.)
//! - **Peripheral latency 0.** Latency lets the sensor skip connection events to save power, but a
//!   skipped event is a delayed sample packet; the radio is cheap next to the IMU at these rates.
//! - **Supervision timeout 2 s.** A lost link is noticed in 2 s instead of the 10–20 s operating
//!   systems otherwise take (the host also watches for missing packets), yet a walk past a metal
//!   door does not drop it. It must exceed (1 + latency) × interval × 2 = 30 ms, which it does
//!   by far.
//! - **ATT MTU 247 with data length extension (251-byte link-layer payloads).** One notification
//!   then carries a whole IMU packet of up to 18 samples without L2CAP fragmentation.

use entrain_protocol::imu;

/// Connection parameters as the link layer encodes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionParams {
    /// Minimum connection interval, units of 1.25 ms.
    pub interval_min_1250us: u16,
    /// Maximum connection interval, units of 1.25 ms.
    pub interval_max_1250us: u16,
    /// Peripheral latency, connection events the sensor may skip.
    pub peripheral_latency: u16,
    /// Supervision timeout, units of 10 ms.
    pub supervision_timeout_10ms: u16,
}

impl ConnectionParams {
    /// Minimum interval, microseconds.
    pub const fn interval_min_micros(&self) -> u32 {
        self.interval_min_1250us as u32 * 1250
    }

    /// Maximum interval, microseconds.
    pub const fn interval_max_micros(&self) -> u32 {
        self.interval_max_1250us as u32 * 1250
    }

    /// Supervision timeout, milliseconds.
    pub const fn supervision_timeout_millis(&self) -> u32 {
        self.supervision_timeout_10ms as u32 * 10
    }

    /// Whether the set obeys the Core specification's ranges (Vol 6, Part B, 4.5.2): interval
    /// 7.5 ms..4 s with min ≤ max, latency ≤ 499, timeout 100 ms..32 s and longer than
    /// (1 + latency) × max interval × 2.
    pub const fn is_valid(&self) -> bool {
        let interval_ok = self.interval_min_1250us >= 6
            && self.interval_max_1250us <= 3200
            && self.interval_min_1250us <= self.interval_max_1250us;
        let latency_ok = self.peripheral_latency <= 499;
        let timeout_ok =
            self.supervision_timeout_10ms >= 10 && self.supervision_timeout_10ms <= 3200;
        let timeout_long_enough = self.supervision_timeout_millis() * 1000
            > (1 + self.peripheral_latency as u32) * self.interval_max_micros() * 2;
        interval_ok && latency_ok && timeout_ok && timeout_long_enough
    }
}

/// What the sensor asks for once connected (see the module documentation for why).
pub const STREAMING_PARAMS: ConnectionParams = ConnectionParams {
    interval_min_1250us: 6,
    interval_max_1250us: 12,
    peripheral_latency: 0,
    supervision_timeout_10ms: 200,
};

/// What the sensor asks for when connected but not streaming: slower, with latency, to save power
/// while the clinician prepares the session.
pub const IDLE_PARAMS: ConnectionParams = ConnectionParams {
    interval_min_1250us: 80,
    interval_max_1250us: 160,
    peripheral_latency: 4,
    supervision_timeout_10ms: 600,
};

/// The ATT MTU the sensor offers.
pub const PREFERRED_ATT_MTU: u16 = 247;

/// ATT notification header: opcode and attribute handle.
pub const ATT_NOTIFY_OVERHEAD: usize = 3;

/// How many IMU samples fit one notification at this ATT MTU (at most [`imu::MAX_SAMPLES`]);
/// 0 if not even one does (an MTU below 39 bytes: the sensor then cannot stream and says so).
pub fn samples_per_notification(att_mtu: u16) -> usize {
    let payload = usize::from(att_mtu).saturating_sub(ATT_NOTIFY_OVERHEAD);
    let samples = payload.saturating_sub(imu::HEADER_LEN) / imu::SAMPLE_LEN;
    if payload < imu::HEADER_LEN {
        return 0;
    }
    samples.min(imu::MAX_SAMPLES)
}

/// Samples per IMU packet: as many as one notification carries at this ATT MTU, but no more than
/// are taken in `max_delay_micros` (the first sample of a packet waits for the last; 40 ms keeps
/// that small next to the host detector's own delay), and at least 1 when any fit.
pub fn samples_per_packet(att_mtu: u16, sample_rate_mhz: u32, max_delay_micros: u32) -> usize {
    let fit = samples_per_notification(att_mtu);
    // Samples taken within the delay: floor(delay × rate), plus the first one.
    let within =
        (u64::from(max_delay_micros) * u64::from(sample_rate_mhz) / 1_000_000_000) as usize + 1;
    fit.min(within).max(fit.min(1))
}

/// The default packet delay budget, µs.
pub const MAX_PACKET_DELAY_MICROS: u32 = 40_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requested_parameters_are_valid_and_as_documented() {
        assert!(STREAMING_PARAMS.is_valid());
        assert!(IDLE_PARAMS.is_valid());
        assert_eq!(STREAMING_PARAMS.interval_min_micros(), 7_500);
        assert_eq!(STREAMING_PARAMS.interval_max_micros(), 15_000);
        assert_eq!(STREAMING_PARAMS.supervision_timeout_millis(), 2_000);
        let too_short_timeout = ConnectionParams {
            supervision_timeout_10ms: 10,
            peripheral_latency: 10,
            ..STREAMING_PARAMS
        };
        assert!(!too_short_timeout.is_valid());
        let below_minimum = ConnectionParams {
            interval_min_1250us: 5,
            ..STREAMING_PARAMS
        };
        assert!(!below_minimum.is_valid());
    }

    #[test]
    fn samples_per_packet_by_mtu_and_delay() {
        // 104 Hz, 40 ms: samples at 0, 9.6, 19.2, 28.8, 38.5 ms -> 5.
        assert_eq!(samples_per_packet(247, 104_000, 40_000), 5);
        assert_eq!(samples_per_packet(247, 833_000, 40_000), imu::MAX_SAMPLES);
        assert_eq!(samples_per_packet(63, 833_000, 40_000), 3);
        assert_eq!(samples_per_packet(247, 12_500, 40_000), 1);
        assert_eq!(samples_per_packet(23, 104_000, 40_000), 0);
    }

    #[test]
    fn samples_per_notification_by_mtu() {
        assert_eq!(samples_per_notification(23), 0);
        assert_eq!(samples_per_notification(38), 0);
        assert_eq!(samples_per_notification(39), 1);
        assert_eq!(samples_per_notification(100), 6);
        assert_eq!(samples_per_notification(247), imu::MAX_SAMPLES);
        assert_eq!(samples_per_notification(517), imu::MAX_SAMPLES);
    }
}
