//! Mapping a sensor's clock onto the session clock, drift-aware.
//!
//! Each packet gives a pair (sensor time of its first sample, session time it arrived). Arrival =
//! offset + rate × sensor time + latency, and BLE latency is never negative: it only delays. So
//! the line sought lies *below* every point, touching the fastest arrivals: the lower envelope.
//! [`ClockMap`] keeps the quickest arrival of each short bucket over a sliding window, takes
//! their lower convex hull, and picks the hull edge that is the supporting line at the window's
//! mean sensor time: the line below all points that minimises the summed latency (the linear
//! programme of Moon, Skelly and Towsley's skew estimator). Its slope is the relative clock rate
//! (drift), bounded to ±[`ClockMapConfig::max_drift_ppm`].
//!
//! A new point below the line (quicker than any before) lowers the line at once, so a mapped time
//! never lies after the packet's own arrival. The envelope includes the link's smallest latency
//! (one connection event at best). Time-sync round trips ([`ClockMap::observe_round_trip`],
//! [`super::timesync`]) measure it and it is subtracted from every mapped time; without any
//! (a sensor that does not answer them), [`ClockMapConfig::min_latency_nanos`] is subtracted
//! instead (0 unless known).
//!
//! Pure: times are parameters.

use std::collections::VecDeque;

use super::timesync::{LatencyEstimate, RoundTrip, RoundTrips, TimeSyncConfig};

/// Settings of a [`ClockMap`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClockMapConfig {
    /// Points are grouped into buckets this long (sensor time); each keeps its quickest arrival.
    pub bucket_nanos: i64,
    /// The fit uses buckets over this much sensor time.
    pub window_nanos: i64,
    /// Below this span of sensor time the rate is taken as 1 (no drift estimate yet).
    pub min_span_for_rate_nanos: i64,
    /// Largest believable relative drift of the sensor's clock, parts per million.
    pub max_drift_ppm: f64,
    /// Smallest link latency assumed when no time-sync round trip measured it, subtracted from
    /// every mapped time.
    pub min_latency_nanos: i64,
    /// How time-sync round trips are judged.
    pub time_sync: TimeSyncConfig,
}

impl Default for ClockMapConfig {
    fn default() -> Self {
        Self {
            bucket_nanos: 250_000_000,
            window_nanos: 60_000_000_000,
            min_span_for_rate_nanos: 5_000_000_000,
            max_drift_ppm: 1000.0,
            min_latency_nanos: 0,
            time_sync: TimeSyncConfig::default(),
        }
    }
}

/// The current fit: session = intercept + rate × (sensor − reference).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClockFit {
    /// Sensor time the fit is expressed around, ns.
    pub reference_sensor_nanos: i64,
    /// Session time at the reference, ns (f64 for sub-ns continuity).
    pub intercept_nanos: f64,
    /// Session nanoseconds per sensor nanosecond.
    pub rate: f64,
}

impl ClockFit {
    /// The line at `sensor_nanos`: the envelope of arrivals, latency included.
    pub fn envelope_nanos(&self, sensor_nanos: i64) -> f64 {
        self.intercept_nanos + self.rate * (sensor_nanos - self.reference_sensor_nanos) as f64
    }

    /// Drift of the sensor clock relative to the session clock, ppm (positive: the sensor runs
    /// slow, so the session clock advances more per sensor tick).
    pub fn drift_ppm(&self) -> f64 {
        (self.rate - 1.0) * 1e6
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Point {
    sensor_nanos: i64,
    arrival_nanos: i64,
}

/// Round trips are compared with the quickest arrivals within this much sensor time of them.
const LOCAL_FLOOR_HALF_SPAN_NANOS: i64 = 1_000_000_000;

/// Drift-aware mapping of one sensor's clock (unwrapped, in ns) onto the session clock.
#[derive(Debug, Clone)]
pub struct ClockMap {
    config: ClockMapConfig,
    /// One point per bucket, in sensor-time order.
    points: VecDeque<Point>,
    fit: Option<ClockFit>,
    round_trips: RoundTrips,
    /// The envelope's latency as the round trips tell it, for the current fit.
    latency: Option<LatencyEstimate>,
}

impl ClockMap {
    /// An empty map.
    pub fn new(config: ClockMapConfig) -> Self {
        Self {
            config,
            points: VecDeque::new(),
            fit: None,
            round_trips: RoundTrips::new(config.time_sync),
            latency: None,
        }
    }

    /// The current fit, once there is at least one observation.
    pub fn fit(&self) -> Option<ClockFit> {
        self.fit
    }

    /// The link latency measured by time-sync round trips and taken out of mapped times, once
    /// there is a fit and at least one round trip.
    pub fn latency(&self) -> Option<LatencyEstimate> {
        self.latency
    }

    /// Forgets everything (a sensor that rebooted: its clock restarted).
    pub fn reset(&mut self) {
        self.points.clear();
        self.fit = None;
        self.round_trips.clear();
        self.latency = None;
    }

    /// Adds an answered time sync (sensor time unwrapped like the samples'); returns whether it
    /// was usable.
    pub fn observe_round_trip(&mut self, trip: RoundTrip) -> bool {
        let kept = self.round_trips.push(trip);
        self.update_latency();
        kept
    }

    fn update_latency(&mut self) {
        if let Some(last) = self.points.back() {
            self.round_trips
                .forget_before(last.sensor_nanos - self.config.window_nanos);
        }
        let Some(fit) = self.fit else {
            self.latency = None;
            return;
        };
        let points = &self.points;
        let half = LOCAL_FLOOR_HALF_SPAN_NANOS;
        // Each round trip is judged against the quickest arrivals around it, carried to its
        // sensor time along the fitted slope, not against the line itself: the line's slope
        // error would otherwise grow with the round trip's age (milliseconds when the drift
        // estimate first replaces rate 1), while over ±1 s it is a few µs. Without arrivals
        // nearby, the line.
        self.latency = self.round_trips.estimate(|s| {
            let from = points.partition_point(|p| p.sensor_nanos < s.saturating_sub(half));
            points
                .iter()
                .skip(from)
                .take_while(|p| p.sensor_nanos <= s.saturating_add(half))
                .map(|p| p.arrival_nanos as f64 - fit.rate * (p.sensor_nanos - s) as f64)
                .reduce(f64::min)
                .unwrap_or_else(|| fit.envelope_nanos(s))
        });
    }

    /// Adds an observation: a packet whose first sample was taken at `sensor_nanos` (sensor
    /// clock, unwrapped) arrived at `arrival_nanos` (session clock).
    pub fn observe(&mut self, sensor_nanos: i64, arrival_nanos: i64) {
        let point = Point {
            sensor_nanos,
            arrival_nanos,
        };
        let bucket = sensor_nanos.div_euclid(self.config.bucket_nanos.max(1));
        match self.points.back_mut() {
            Some(last)
                if last
                    .sensor_nanos
                    .div_euclid(self.config.bucket_nanos.max(1))
                    == bucket =>
            {
                if latency_order(&point, last) {
                    *last = point;
                }
            }
            Some(last) if sensor_nanos < last.sensor_nanos => {
                // Out of order (should not happen on one link): only use it if it lowers the
                // envelope, by inserting it in place.
                let at = self
                    .points
                    .partition_point(|p| p.sensor_nanos < sensor_nanos);
                self.points.insert(at, point);
            }
            _ => self.points.push_back(point),
        }
        while let (Some(first), Some(last)) = (self.points.front(), self.points.back()) {
            if last.sensor_nanos - first.sensor_nanos > self.config.window_nanos {
                self.points.pop_front();
            } else {
                break;
            }
        }
        self.refit();
        // Never map a packet after its own arrival: if it lies below the line, lower the line.
        if let Some(fit) = self.fit.as_mut() {
            let mapped =
                fit.intercept_nanos + fit.rate * (sensor_nanos - fit.reference_sensor_nanos) as f64;
            let excess = mapped - arrival_nanos as f64;
            if excess > 0.0 {
                fit.intercept_nanos -= excess;
            }
        }
        self.update_latency();
    }

    /// The session time of sensor time `sensor_nanos`, or `None` before any observation.
    pub fn map(&self, sensor_nanos: i64) -> Option<i64> {
        let fit = self.fit?;
        let latency = match self.latency {
            Some(measured) => measured.latency_nanos,
            None => self.config.min_latency_nanos as f64,
        };
        Some((fit.envelope_nanos(sensor_nanos) - latency).round() as i64)
    }

    fn refit(&mut self) {
        let (Some(first), Some(last)) = (self.points.front(), self.points.back()) else {
            self.fit = None;
            return;
        };
        let reference = first.sensor_nanos;
        let span = last.sensor_nanos - first.sensor_nanos;
        let xy = |p: &Point| {
            (
                (p.sensor_nanos - reference) as f64,
                (p.arrival_nanos - reference) as f64,
            )
        };
        let max_dev = self.config.max_drift_ppm * 1e-6;
        if span < self.config.min_span_for_rate_nanos || self.points.len() < 2 {
            // Rate 1: the line through the quickest point.
            let offset = self
                .points
                .iter()
                .map(|p| (p.arrival_nanos - p.sensor_nanos) as f64)
                .fold(f64::INFINITY, f64::min);
            self.fit = Some(ClockFit {
                reference_sensor_nanos: reference,
                intercept_nanos: reference as f64 + offset,
                rate: 1.0,
            });
            return;
        }
        // Lower convex hull (monotone chain) of (x, y) with y = arrival − reference, to keep
        // the numbers small; x increasing.
        let mut hull: Vec<(f64, f64)> = Vec::with_capacity(self.points.len());
        for p in &self.points {
            let (x, y) = xy(p);
            while hull.len() >= 2 {
                let (x1, y1) = hull[hull.len() - 2];
                let (x2, y2) = hull[hull.len() - 1];
                // Pop the middle point if it is not strictly below the chord.
                if (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1) <= 0.0 {
                    hull.pop();
                } else {
                    break;
                }
            }
            hull.push((x, y));
        }
        let mean_x = self.points.iter().map(|p| xy(p).0).sum::<f64>() / self.points.len() as f64;
        // The supporting line at mean_x: the hull edge spanning it.
        let mut line = None;
        for pair in hull.windows(2) {
            let ((x1, y1), (x2, y2)) = (pair[0], pair[1]);
            if x1 <= mean_x && mean_x <= x2 && x2 > x1 {
                let slope = (y2 - y1) / (x2 - x1);
                line = Some((slope, x1, y1));
                break;
            }
        }
        let (mut slope, x0, y0) = line.unwrap_or((1.0, hull[0].0, hull[0].1));
        if !(slope.is_finite() && (slope - 1.0).abs() <= max_dev) {
            slope = slope.clamp(1.0 - max_dev, 1.0 + max_dev);
            if !slope.is_finite() {
                slope = 1.0;
            }
        }
        // Through (x0, y0) with `slope`, then lowered so no point lies below it.
        let mut intercept = y0 - slope * x0;
        for p in &self.points {
            let (x, y) = xy(p);
            intercept = intercept.min(y - slope * x);
        }
        self.fit = Some(ClockFit {
            reference_sensor_nanos: reference,
            intercept_nanos: reference as f64 + intercept,
            rate: slope,
        });
    }
}

/// Whether `a` is a quicker arrival than `b` (smaller arrival − sensor time).
fn latency_order(a: &Point, b: &Point) -> bool {
    a.arrival_nanos - a.sensor_nanos < b.arrival_nanos - b.sensor_nanos
}

/// Unwraps a wrapping `u32` microsecond counter into monotonically continuing nanoseconds.
#[derive(Debug, Clone, Default)]
pub struct TickUnwrapper {
    last: Option<u32>,
    epochs: i64,
}

impl TickUnwrapper {
    /// A fresh unwrapper.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets history (a sensor that rebooted).
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// The unwrapped time of `ticks_us`, in ns. A step backwards of more than half the range is
    /// a wrap; a smaller step backwards is taken as a (reordered) earlier time in the same epoch.
    pub fn unwrap_us(&mut self, ticks_us: u32) -> i64 {
        const HALF: u32 = 1 << 31;
        let mut epoch = self.epochs;
        match self.last {
            Some(last) if ticks_us < last && last - ticks_us > HALF => {
                self.epochs += 1;
                epoch = self.epochs;
                self.last = Some(ticks_us);
            }
            Some(last) if ticks_us > last && ticks_us - last > HALF => {
                // An earlier time from before the last wrap.
                epoch -= 1;
            }
            Some(last) if ticks_us < last => {}
            _ => self.last = Some(ticks_us),
        }
        (epoch * (1i64 << 32) + i64::from(ticks_us)) * 1000
    }

    /// The unwrapped time of `ticks_us` without updating the state (for samples inside a
    /// packet whose first sample was just unwrapped).
    pub fn peek_us(&self, ticks_us: u32) -> i64 {
        (self.epochs * (1i64 << 32) + i64::from(ticks_us)) * 1000
    }

    /// The unwrapped time of `ticks_us` nearest the last time unwrapped, without updating the
    /// state, or `None` before the first: for times read off the sensor clock outside the sample
    /// stream (time-sync responses, on-board step events), which may lie on either side of a
    /// wrap the samples just crossed.
    pub fn nearest_us(&self, ticks_us: u32) -> Option<i64> {
        const RANGE: i64 = 1 << 32;
        let last = self.epochs * RANGE + i64::from(self.last?);
        let same = self.epochs * RANGE + i64::from(ticks_us);
        let nearest = [same - RANGE, same, same + RANGE]
            .into_iter()
            .min_by_key(|t| (t - last).abs())
            .unwrap_or(same);
        Some(nearest * 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use entrain_sim::SplitMix64 as Rng;

    /// A sensor whose clock runs at (1 + drift) relative to the session, offset by `offset`, and a
    /// link with a latency floor of `floor` plus jitter (exponential, mean `jitter_mean`) and
    /// occasional long delays (retransmissions).
    fn simulate(
        drift_ppm: f64,
        offset_nanos: i64,
        floor_nanos: f64,
        jitter_mean: f64,
        secs: f64,
        seed: u64,
    ) -> (ClockMap, Vec<(i64, i64)>) {
        let mut rng = Rng::new(seed);
        let mut map = ClockMap::new(ClockMapConfig::default());
        let period = 1e9 / 11.0; // ~11 packets per second
        let mut truth = Vec::new();
        let n = (secs * 11.0) as usize;
        for i in 0..n {
            let sensor = (i as f64 * period) as i64;
            // session time at which the sample was taken
            let taken = offset_nanos as f64 + sensor as f64 * (1.0 + drift_ppm * 1e-6);
            let mut latency = floor_nanos - jitter_mean * (1.0 - rng.uniform()).ln();
            if rng.uniform() < 0.05 {
                latency += 30e6 + 60e6 * rng.uniform(); // retransmitted over 1-3 connection events
            }
            let arrival = (taken + latency) as i64;
            map.observe(sensor, arrival);
            truth.push((sensor, taken as i64));
        }
        (map, truth)
    }

    #[test]
    fn recovers_drift_and_offset_under_jitter() {
        for (seed, drift) in [(1, 0.0), (2, 80.0), (3, -120.0), (4, 400.0)] {
            let floor = 7.5e6;
            let (map, truth) = simulate(drift, 3_000_000_000, floor, 4e6, 120.0, seed);
            let fit = map.fit().unwrap();
            assert!(
                (fit.drift_ppm() - drift).abs() < 3.0,
                "seed {seed}: drift {} vs {drift}",
                fit.drift_ppm()
            );
            // Recent samples map to their true time plus the latency floor, within 1 ms.
            for &(sensor, taken) in truth.iter().rev().take(200) {
                let err = map.map(sensor).unwrap() - taken - floor as i64;
                assert!(err.abs() < 1_000_000, "seed {seed}: error {err} ns");
            }
        }
    }

    #[test]
    fn follows_a_drift_that_changes_with_temperature() {
        // +60 ppm for 90 s, then -40 ppm (the sensor warmed up against the skin).
        let mut rng = Rng::new(5);
        let mut map = ClockMap::new(ClockMapConfig::default());
        let period = 1e9 / 11.0;
        let floor = 10e6;
        let mut taken = 0.0f64;
        let mut worst_late = 0i64;
        for i in 0..(240.0 * 11.0) as usize {
            let sensor = (i as f64 * period) as i64;
            let drift = if i < 90 * 11 { 60e-6 } else { -40e-6 };
            if i > 0 {
                taken += period * (1.0 + drift);
            }
            let latency = floor - 3e6 * (1.0 - rng.uniform()).ln();
            map.observe(sensor, (taken + latency) as i64);
            // A minute after the change the mapping is back within 1 ms.
            if i > 150 * 11 {
                let err = map.map(sensor).unwrap() - taken as i64 - floor as i64;
                worst_late = worst_late.max(err.abs());
            }
        }
        assert!(worst_late < 1_000_000, "error {worst_late} ns");
        assert!((map.fit().unwrap().drift_ppm() + 40.0).abs() < 3.0);
    }

    #[test]
    fn mapped_time_never_after_arrival() {
        let mut rng = Rng::new(9);
        let mut map = ClockMap::new(ClockMapConfig::default());
        for i in 0..3000i64 {
            let sensor = i * 90_000_000;
            let arrival = sensor
                + (sensor as f64 * 150e-6) as i64
                + 5_000_000
                + (20e6 * rng.uniform()) as i64;
            map.observe(sensor, arrival);
            assert!(map.map(sensor).unwrap() <= arrival, "packet {i}");
        }
    }

    #[test]
    fn starts_with_rate_one_and_tracks_the_quickest_arrival() {
        let mut map = ClockMap::new(ClockMapConfig::default());
        assert_eq!(map.map(0), None);
        map.observe(0, 1_000_050_000);
        map.observe(100_000_000, 1_100_020_000);
        map.observe(200_000_000, 1_200_090_000);
        assert_eq!(map.fit().unwrap().rate, 1.0);
        assert_eq!(map.map(300_000_000), Some(1_300_020_000));
    }

    #[test]
    fn round_trips_take_the_link_latency_out_of_the_mapping() {
        // A 20 ms floor each way plus up to 10 ms of waiting for a connection event, in both
        // directions; 100 ppm drift; a time sync every 4 s, a third of the responses lost.
        let mut rng = Rng::new(11);
        let floor = 20e6;
        let drift = 100e-6;
        let offset = 2_000_000_000.0;
        let truth = |sensor: i64| offset + sensor as f64 * (1.0 + drift);
        let mut synced = ClockMap::new(ClockMapConfig::default());
        let mut plain = ClockMap::new(ClockMapConfig::default());
        let period = 1e9 / 11.0;
        let mut worst_synced = 0.0f64;
        let mut worst_plain_early = f64::INFINITY;
        for i in 0..(120.0 * 11.0) as i64 {
            let sensor = (i as f64 * period) as i64;
            let arrival = (truth(sensor) + floor + 10e6 * rng.uniform()) as i64;
            synced.observe(sensor, arrival);
            plain.observe(sensor, arrival);
            if i % 44 == 0 && rng.uniform() > 0.33 {
                let handled = sensor + 3_000_000;
                let up = floor + 10e6 * rng.uniform();
                let down = floor + 10e6 * rng.uniform();
                synced.observe_round_trip(RoundTrip {
                    sent_nanos: (truth(handled) - up) as i64,
                    sensor_nanos: handled,
                    received_nanos: (truth(handled) + down) as i64,
                });
            }
            assert!(synced.map(sensor).unwrap() <= arrival, "packet {i}");
            if i > 30 * 11 {
                let err = synced.map(sensor).unwrap() as f64 - truth(sensor);
                worst_synced = worst_synced.max(err.abs());
                let late = plain.map(sensor).unwrap() as f64 - truth(sensor);
                worst_plain_early = worst_plain_early.min(late);
            }
        }
        // Half the difference between the quickest wait each way among the round trips kept,
        // and how far the quickest arrivals around them lie above the floor: a couple of ms
        // with a handful of round trips and this much jitter.
        assert!(worst_synced < 3e6, "synced: error {worst_synced} ns");
        assert!(
            worst_plain_early > 19e6,
            "plain: {worst_plain_early} ns late"
        );
        let latency = synced.latency().unwrap();
        assert!((latency.latency_nanos - floor).abs() < 1e6, "{latency:?}");
        assert!(plain.latency().is_none());
        synced.reset();
        assert!(synced.latency().is_none() && synced.map(0).is_none());
    }

    #[test]
    fn without_round_trips_the_configured_floor_is_subtracted() {
        let mut map = ClockMap::new(ClockMapConfig {
            min_latency_nanos: 7_500_000,
            ..ClockMapConfig::default()
        });
        map.observe(0, 1_020_000_000);
        assert_eq!(map.map(0), Some(1_012_500_000));
        // A round trip says 20 ms: it replaces the configured guess.
        map.observe_round_trip(RoundTrip {
            sent_nanos: 980_000_000,
            sensor_nanos: 0,
            received_nanos: 1_020_000_000,
        });
        assert_eq!(map.map(0), Some(1_000_000_000));
        assert_eq!(map.latency().unwrap().best_round_trip_nanos, 40_000_000);
    }

    #[test]
    fn nearest_unwrap_picks_the_side_of_the_wrap() {
        let mut u = TickUnwrapper::new();
        assert_eq!(u.nearest_us(5), None);
        u.unwrap_us(u32::MAX - 100);
        // Just after the wrap the samples have not crossed yet.
        assert_eq!(u.nearest_us(50), Some(((1i64 << 32) + 50) * 1000));
        u.unwrap_us(200);
        // Samples crossed; a response read just before the wrap.
        assert_eq!(
            u.nearest_us(u32::MAX - 5),
            Some((u32::MAX - 5) as i64 * 1000)
        );
        assert_eq!(u.nearest_us(300), Some(((1i64 << 32) + 300) * 1000));
    }

    #[test]
    fn unwrapper_continues_across_wraps() {
        let mut u = TickUnwrapper::new();
        assert_eq!(u.unwrap_us(u32::MAX - 10), (u32::MAX - 10) as i64 * 1000);
        assert_eq!(u.unwrap_us(5), ((1i64 << 32) + 5) * 1000);
        // A slightly reordered earlier value stays in the same epoch.
        assert_eq!(u.unwrap_us(3), ((1i64 << 32) + 3) * 1000);
        // A value from just before the wrap arriving late.
        assert_eq!(u.unwrap_us(u32::MAX - 2), (u32::MAX - 2) as i64 * 1000);
        assert_eq!(u.unwrap_us(1000), ((1i64 << 32) + 1000) * 1000);
    }
}
