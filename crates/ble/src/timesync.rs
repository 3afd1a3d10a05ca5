//! Taking the link's one-way latency out of the clock mapping with time-sync round trips.
//!
//! [`super::clock::ClockMap`] fits the lower envelope of notification arrivals. Every arrival is
//! late by at least the link's smallest one-way latency (one connection event at best, 7.5–30 ms
//! and unknown to us), so the envelope lies that much after the true sensor → session line, and
//! so would every step time and the clinician's step-to-beat asynchrony. Arrivals alone cannot
//! tell that floor apart from the clock offset.
//!
//! A time sync is a round trip on the control point: the host notes the session time T1 when it
//! writes the command, the sensor reads its clock (S) when it handles it, and the response
//! notification arrives at T2. One-way latencies are never negative, so S happened in [T1, T2] on
//! the session clock. The envelope E maps S to E(S) (the clock map passes the quickest arrivals
//! around S, carried to S along the fitted slope, so that an error in the drift estimate does not
//! grow with a round trip's age); the envelope's bias b at S is therefore in
//! [E(S) − T2, E(S) − T1] = [b − down, b + up], where up and down are that round trip's one-way
//! times. Every round trip kept must hold, so b lies in the intersection [b − min down,
//! b + min up]; [`RoundTrips::estimate`] takes its midpoint, b + (min up − min down) / 2. Both
//! directions wait for the next connection event and pass the same host stack, so their floors
//! are alike, and the two minima come from whichever round trips were quickest *in that
//! direction*: over a dozen round trips each approaches the floor, which a single round trip's
//! midpoint ((T1 + T2) / 2, error (down − up) / 2) only does when both its waits were short at
//! once. Should the bounds contradict each other (a clock that jumped, a drift estimate still
//! off), the estimate falls back to the median of the midpoints of the
//! [`TimeSyncConfig::quickest`] quickest round trips. It is never below 0: a mapped time never
//! moves after the envelope, so never after its packet's arrival. The drift still comes from the
//! envelope; the round trips set the offset.
//!
//! [`PendingSyncs`] matches responses to the commands sent (by token, with the echoed host time
//! as a check), so lost responses, responses from before a reconnection and sensors that never
//! answer are simply never used. [`TimeSyncSchedule`] says when to send them.
//!
//! Pure: times are parameters.

use std::collections::VecDeque;
use std::time::Duration;

/// How round trips are judged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeSyncConfig {
    /// Round trips longer than this are dropped: a retransmission or a busy stack on either
    /// side makes the midpoint meaningless.
    pub max_round_trip_nanos: i64,
    /// When the round trips' bounds contradict each other, the offset is the median over this
    /// many of the quickest round trips kept.
    pub quickest: usize,
    /// At most this many recent round trips are kept (and only those inside the clock map's
    /// window).
    pub keep: usize,
}

impl Default for TimeSyncConfig {
    fn default() -> Self {
        Self {
            max_round_trip_nanos: 250_000_000,
            quickest: 3,
            keep: 16,
        }
    }
}

/// One answered time sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundTrip {
    /// Session time the command was written (T1), ns.
    pub sent_nanos: i64,
    /// Sensor time it was handled (S), unwrapped like the sample clock, ns.
    pub sensor_nanos: i64,
    /// Session time the response arrived (T2), ns.
    pub received_nanos: i64,
}

impl RoundTrip {
    /// T2 − T1, ns.
    pub fn round_trip_nanos(&self) -> i64 {
        self.received_nanos.saturating_sub(self.sent_nanos)
    }

    /// The best estimate of S on the session clock: the midpoint of [T1, T2].
    pub fn midpoint_nanos(&self) -> f64 {
        (self.sent_nanos as f64 + self.received_nanos as f64) / 2.0
    }
}

/// How late the notification envelope is, as the round trips tell it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatencyEstimate {
    /// To subtract from the envelope, ns (≥ 0).
    pub latency_nanos: f64,
    /// The quickest round trip used, ns.
    pub best_round_trip_nanos: i64,
    /// Round trips kept.
    pub round_trips: usize,
}

/// The recent round trips of one sensor.
#[derive(Debug, Clone)]
pub struct RoundTrips {
    config: TimeSyncConfig,
    trips: VecDeque<RoundTrip>,
}

impl RoundTrips {
    /// None yet.
    pub fn new(config: TimeSyncConfig) -> Self {
        Self {
            config,
            trips: VecDeque::new(),
        }
    }

    /// Keeps `trip` if it is usable (T2 ≥ T1, not too long); returns whether it was kept.
    pub fn push(&mut self, trip: RoundTrip) -> bool {
        let rtt = trip.round_trip_nanos();
        if trip.received_nanos < trip.sent_nanos || rtt > self.config.max_round_trip_nanos {
            return false;
        }
        self.trips.push_back(trip);
        while self.trips.len() > self.config.keep.max(1) {
            self.trips.pop_front();
        }
        true
    }

    /// Drops round trips taken before sensor time `sensor_nanos` (outside the envelope's window,
    /// where its line is an extrapolation).
    pub fn forget_before(&mut self, sensor_nanos: i64) {
        self.trips.retain(|t| t.sensor_nanos >= sensor_nanos);
    }

    /// Drops everything (the sensor's clock restarted).
    pub fn clear(&mut self) {
        self.trips.clear();
    }

    /// Round trips kept.
    pub fn len(&self) -> usize {
        self.trips.len()
    }

    /// Whether none are kept.
    pub fn is_empty(&self) -> bool {
        self.trips.is_empty()
    }

    /// The envelope's latency, given the envelope (`envelope_nanos`: sensor ns → session ns, as
    /// fitted now), or `None` without round trips.
    pub fn estimate(&self, envelope_nanos: impl Fn(i64) -> f64) -> Option<LatencyEstimate> {
        let mut by_speed: Vec<&RoundTrip> = self.trips.iter().collect();
        by_speed.sort_by_key(|t| t.round_trip_nanos());
        let best = *by_speed.first()?;
        // Every round trip bounds the latency: [E(S) − T2, E(S) − T1].
        let (lower, upper) =
            self.trips
                .iter()
                .fold((f64::NEG_INFINITY, f64::INFINITY), |(lower, upper), t| {
                    let at = envelope_nanos(t.sensor_nanos);
                    (
                        lower.max(at - t.received_nanos as f64),
                        upper.min(at - t.sent_nanos as f64),
                    )
                });
        let latency = if lower <= upper {
            (lower + upper) / 2.0
        } else {
            let mut estimates: Vec<f64> = by_speed
                .iter()
                .take(self.config.quickest.max(1))
                .map(|t| envelope_nanos(t.sensor_nanos) - t.midpoint_nanos())
                .collect();
            estimates.sort_by(f64::total_cmp);
            let mid = estimates.len() / 2;
            if estimates.len() % 2 == 1 {
                estimates[mid]
            } else {
                (estimates[mid - 1] + estimates[mid]) / 2.0
            }
        };
        Some(LatencyEstimate {
            latency_nanos: latency.max(0.0),
            best_round_trip_nanos: best.round_trip_nanos(),
            round_trips: self.trips.len(),
        })
    }
}

/// One time sync written and not answered yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pending {
    token: u8,
    host_time_us: u64,
    sent_nanos: i64,
}

/// Time syncs sent and not yet answered, to match the responses.
#[derive(Debug, Clone, Default)]
pub struct PendingSyncs {
    sent: VecDeque<Pending>,
}

impl PendingSyncs {
    /// At most this many are remembered; older ones are taken as lost.
    const CAPACITY: usize = 8;

    /// Nothing pending.
    pub fn new() -> Self {
        Self::default()
    }

    /// A time sync with `token` carrying `host_time_us` was written at `sent_nanos`.
    pub fn on_sent(&mut self, token: u8, host_time_us: u64, sent_nanos: i64) {
        self.sent.retain(|p| p.token != token);
        self.sent.push_back(Pending {
            token,
            host_time_us,
            sent_nanos,
        });
        while self.sent.len() > Self::CAPACITY {
            self.sent.pop_front();
        }
    }

    /// The response to `token` echoing `host_time_us` arrived: when its command was sent, if it
    /// answers one still pending. A sensor that echoes 0 is matched by token alone. Commands sent
    /// before the one answered will not be answered any more (one link delivers in order), so
    /// they are forgotten.
    pub fn on_response(&mut self, token: u8, host_time_us: u64) -> Option<i64> {
        let at = self.sent.iter().position(|p| p.token == token)?;
        let pending = self.sent[at];
        if host_time_us != 0 && host_time_us != pending.host_time_us {
            // Same token, another command (from an earlier connection): not ours.
            return None;
        }
        self.sent.drain(..=at);
        Some(pending.sent_nanos)
    }

    /// Forgets a command answered with an error.
    pub fn forget(&mut self, token: u8) {
        self.sent.retain(|p| p.token != token);
    }

    /// Forgets everything (a new connection: the old one's responses will never come).
    pub fn clear(&mut self) {
        self.sent.clear();
    }

    /// How many are pending.
    pub fn len(&self) -> usize {
        self.sent.len()
    }

    /// Whether none is pending.
    pub fn is_empty(&self) -> bool {
        self.sent.is_empty()
    }
}

/// When to send time syncs on a connection: a quick burst at connection (so the first seconds
/// already have a quick round trip to go by), then one every period (so the estimate follows
/// the link and the window keeps fresh round trips).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeSyncSchedule {
    /// Time syncs right after connecting, one every `burst_interval_secs`.
    pub burst: u32,
    /// Spacing within the burst, s.
    pub burst_interval_secs: f64,
    /// Spacing after the burst, s.
    pub period_secs: f64,
}

impl Default for TimeSyncSchedule {
    fn default() -> Self {
        Self {
            burst: 5,
            burst_interval_secs: 0.2,
            period_secs: 2.0,
        }
    }
}

impl TimeSyncSchedule {
    /// How long to wait before the time sync number `n` (0 = first) of a connection.
    pub fn delay_before(&self, n: u32) -> Duration {
        let secs = match n {
            0 => 0.0,
            n if n < self.burst => self.burst_interval_secs,
            _ => self.period_secs,
        };
        Duration::from_secs_f64(secs.clamp(0.0, 3600.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trip(sent: i64, sensor: i64, received: i64) -> RoundTrip {
        RoundTrip {
            sent_nanos: sent,
            sensor_nanos: sensor,
            received_nanos: received,
        }
    }

    #[test]
    fn the_quickest_round_trips_set_the_latency() {
        // Envelope: session = sensor + 1 s + 20 ms (the link's floor). Truth: sensor + 1 s.
        let envelope = |s: i64| (s + 1_020_000_000) as f64;
        let mut trips = RoundTrips::new(TimeSyncConfig::default());
        assert_eq!(trips.estimate(envelope), None);
        // Symmetric quick round trips: 20 ms each way, ±1 ms.
        for (k, (up, down)) in [(20, 21), (21, 20), (20, 20), (60, 25), (22, 90)]
            .into_iter()
            .enumerate()
        {
            let s = k as i64 * 1_000_000_000;
            let truth = s + 1_000_000_000;
            assert!(trips.push(trip(truth - up * 1_000_000, s, truth + down * 1_000_000)));
        }
        // The quickest uplink and the quickest downlink were both 20 ms: exact.
        let e = trips.estimate(envelope).unwrap();
        assert_eq!(e.latency_nanos, 20e6, "{e:?}");
        assert_eq!(e.best_round_trip_nanos, 40_000_000);
        assert_eq!(e.round_trips, 5);
    }

    #[test]
    fn the_bounds_of_all_round_trips_combine_and_contradictions_fall_back_to_the_quickest() {
        let envelope = |s: i64| s as f64;
        let mut trips = RoundTrips::new(TimeSyncConfig {
            quickest: 1,
            ..TimeSyncConfig::default()
        });
        // The quickest one alone: latency in [-5, 15] ms, its midpoint says 5 ms.
        trips.push(trip(-15_000_000, 0, 5_000_000));
        assert_eq!(trips.estimate(envelope).unwrap().latency_nanos, 5e6);
        // A slower one whose response arrived 8 ms before E(S): the latency is in [8, 40] ms.
        trips.push(trip(
            1_000_000_000 - 40_000_000,
            1_000_000_000,
            1_000_000_000 - 8_000_000,
        ));
        let e = trips.estimate(envelope).unwrap();
        assert_eq!(e.latency_nanos, 11.5e6);
        assert_eq!(e.best_round_trip_nanos, 20_000_000);
        // One that contradicts both (latency in [30, 50] ms): the quickest one's midpoint.
        trips.push(trip(1_950_000_000, 2_000_000_000, 1_970_000_000));
        assert_eq!(trips.estimate(envelope).unwrap().latency_nanos, 5e6);
        // A sensor apparently ahead of the envelope: clamped at 0.
        let mut trips = RoundTrips::new(TimeSyncConfig::default());
        trips.push(trip(10_000_000, 0, 30_000_000));
        assert_eq!(trips.estimate(envelope).unwrap().latency_nanos, 0.0);
    }

    #[test]
    fn long_or_backwards_round_trips_are_dropped_and_old_ones_forgotten() {
        let mut trips = RoundTrips::new(TimeSyncConfig {
            keep: 3,
            ..TimeSyncConfig::default()
        });
        assert!(!trips.push(trip(0, 0, 300_000_000)));
        assert!(!trips.push(trip(10, 0, 5)));
        for k in 0..5 {
            assert!(trips.push(trip(k, k, k + 1)));
        }
        assert_eq!(trips.len(), 3);
        trips.forget_before(4);
        assert_eq!(trips.len(), 1);
        trips.clear();
        assert!(trips.is_empty());
    }

    #[test]
    fn responses_match_their_commands_and_lost_ones_are_forgotten() {
        let mut pending = PendingSyncs::new();
        pending.on_sent(16, 1_000, 1_000_000);
        pending.on_sent(17, 2_000, 2_000_000);
        pending.on_sent(18, 3_000, 3_000_000);
        // An unknown token, or a known token echoing another host time: not ours.
        assert_eq!(pending.on_response(99, 1_000), None);
        assert_eq!(pending.on_response(17, 7_777), None);
        // 17 answered: 16's response was lost.
        assert_eq!(pending.on_response(17, 2_000), Some(2_000_000));
        assert_eq!(pending.len(), 1);
        assert_eq!(pending.on_response(16, 1_000), None);
        // A sensor that echoes 0 is matched by token.
        assert_eq!(pending.on_response(18, 0), Some(3_000_000));
        assert!(pending.is_empty());
        for token in 0..20 {
            pending.on_sent(token, u64::from(token), i64::from(token));
        }
        assert_eq!(pending.len(), PendingSyncs::CAPACITY);
        pending.forget(19);
        pending.clear();
        assert!(pending.is_empty());
    }

    #[test]
    fn schedule_bursts_then_settles() {
        let s = TimeSyncSchedule::default();
        assert_eq!(s.delay_before(0), Duration::ZERO);
        assert_eq!(s.delay_before(1), Duration::from_millis(200));
        assert_eq!(s.delay_before(4), Duration::from_millis(200));
        assert_eq!(s.delay_before(5), Duration::from_secs(2));
    }
}
