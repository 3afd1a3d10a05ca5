//! One driver per sensor kind: how it is recognised in a scan, which characteristics are
//! subscribed, what is written to start streaming (a small state machine fed the sensor's
//! control answers), and how its notifications become samples. Pure: no Bluetooth, no clocks;
//! `central` runs the I/O, [`super::stream::SensorStream`] the shared loss accounting and clock
//! mapping.
//!
//! | kind | module | recognised by |
//! |---|---|---|
//! | Entrain sensor | [`entrain`] | the Entrain service UUID |
//! | RSC foot pod | [`rsc`] | the RSC service UUID 0x1814 |
//! | Movesense (GATT SensorData app) | [`movesense`] | the name `Movesense …` (it advertises no service) |
//! | Polar Verity Sense | [`polar`] | the name `Polar Sense …`, or the PMD service with Polar's company id |
//!
//! **Samples.** Every driver delivers [`entrain_gait::ImuSample`]s in the sensor's own axes
//! (the project's convention, `ImuSample` docs: detectors are orientation-free), acceleration in
//! m/s² including gravity, angular rate in deg/s. Movesense sends exactly that (imu.yaml: m/s²,
//! deg/s); Polar sends counts × factor in g and deg/s, turned into m/s² with standard gravity. No
//! axis is swapped or negated for any device: each is right-handed in its own housing, as the
//! Entrain sensor's LSM6DSOX axes are.

pub mod entrain;
pub mod movesense;
pub mod polar;
pub mod rsc;

use entrain_gait::Placement;
use entrain_protocol::uuid;
use entrain_source::SensorKind;

use super::stream::Channel;

/// The rate Movesense and Polar sensors are asked to stream at, Hz: both offer 208 Hz (Polar in
/// SDK mode), the nearest to the Entrain sensor's 204.8 Hz the detectors are tuned at.
pub const DEFAULT_RATE_HZ: u16 = 208;

/// How often a kind sends a data notification at most, s, for the stale threshold's floor:
/// `entrain_interval_secs` for Entrain and Movesense sensors (a few samples per notification),
/// `rsc_interval_secs` for pods; a Verity Sense fills a whole frame (up to its MTU) before it
/// sends, up to half a second at 208 Hz.
pub fn packet_interval_secs(
    kind: SensorKind,
    entrain_interval_secs: f64,
    rsc_interval_secs: f64,
) -> f64 {
    match kind {
        SensorKind::Entrain | SensorKind::Movesense => entrain_interval_secs,
        SensorKind::Rsc { .. } => rsc_interval_secs,
        SensorKind::PolarVeritySense => entrain_interval_secs.max(0.5),
    }
}

/// What a scan saw of a device (the parts a driver recognises it by).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Advertisement<'a> {
    /// Its local name, if advertised (or in the scan response).
    pub name: Option<&'a str>,
    /// Service UUIDs it advertises.
    pub services: &'a [u128],
    /// Company identifiers of its manufacturer-specific data.
    pub manufacturer_ids: &'a [u16],
}

/// The kind a device's advertisement shows, if it is one Entrain reads.
pub fn recognise(ad: &Advertisement<'_>) -> Option<SensorKind> {
    if entrain::recognises(ad) {
        Some(SensorKind::Entrain)
    } else if movesense::recognises(ad) {
        Some(SensorKind::Movesense)
    } else if polar::recognises(ad) {
        Some(SensorKind::PolarVeritySense)
    } else if rsc::recognises(ad) {
        // Last: a device with its own service that also offers RSC is read through its own.
        Some(SensorKind::Rsc {
            cadence_is_strides: false,
        })
    } else {
        None
    }
}

/// The kind described for the clinician.
pub fn kind_label(kind: SensorKind) -> &'static str {
    match kind {
        SensorKind::Entrain => "Entrain sensor",
        SensorKind::Rsc { .. } => "RSC foot pod",
        SensorKind::Movesense => "Movesense",
        SensorKind::PolarVeritySense => "Polar Verity Sense",
    }
}

/// One characteristic to subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subscription {
    /// Its UUID.
    pub uuid: u128,
    /// Whether the sensor is unusable without it.
    pub required: bool,
}

const fn sub(uuid: u128, required: bool) -> Subscription {
    Subscription { uuid, required }
}

/// The characteristics to subscribe to, in order. Battery Level is optional for every kind that
/// does not report its charge in its own packets.
pub fn subscriptions(kind: SensorKind) -> &'static [Subscription] {
    match kind {
        SensorKind::Entrain => entrain::SUBSCRIPTIONS,
        SensorKind::Rsc { .. } => rsc::SUBSCRIPTIONS,
        SensorKind::Movesense => movesense::SUBSCRIPTIONS,
        SensorKind::PolarVeritySense => polar::SUBSCRIPTIONS,
    }
}

/// Characteristics read once after subscribing, and the channel their value is handed to.
pub fn reads(kind: SensorKind) -> &'static [(u128, Channel)] {
    match kind {
        SensorKind::Entrain => &[(uuid::STATUS, Channel::Status)],
        _ => &[(uuid::BATTERY_LEVEL, Channel::Battery)],
    }
}

/// Which channel a characteristic's notifications are (the UUIDs of all kinds are distinct).
pub fn channel_of(characteristic: u128) -> Option<Channel> {
    use entrain_protocol::movesense::gatt as ms;
    use entrain_protocol::polar::gatt as pmd;
    match characteristic {
        uuid::IMU => Some(Channel::Imu),
        uuid::STEP => Some(Channel::Step),
        uuid::STATUS => Some(Channel::Status),
        uuid::CONTROL => Some(Channel::Control),
        uuid::RSC_MEASUREMENT => Some(Channel::Rsc),
        uuid::BATTERY_LEVEL => Some(Channel::Battery),
        ms::DATA => Some(Channel::MovesenseData),
        pmd::PMD_CONTROL_POINT => Some(Channel::PolarControl),
        pmd::PMD_DATA => Some(Channel::PolarData),
        _ => None,
    }
}

/// A write to the sensor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    /// The characteristic.
    pub uuid: u128,
    /// The value.
    pub bytes: Vec<u8>,
}

/// Why a sensor could not be started; says what the sensor answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SetupError(pub String);

/// How one connection starts streaming: the writes to make, and (Polar) the answers to wait for.
/// Made afresh on every connection (a sensor forgets its subscriptions with the link).
#[derive(Debug, Clone)]
pub enum Setup {
    /// Entrain: placement, then Start; nothing to wait for.
    Entrain(entrain::Setup),
    /// RSC: subscribing is all.
    Rsc,
    /// Movesense: one SUBSCRIBE (the app never acknowledges it).
    Movesense(movesense::Setup),
    /// Polar: settings, SDK mode if needed, start ACC and gyro, each answered.
    Polar(polar::Setup),
}

impl Setup {
    /// The setup for `kind` worn at `placement`, streaming at `rate_hz` where the kind lets the
    /// host choose (Movesense, Polar).
    pub fn new(kind: SensorKind, placement: Placement, rate_hz: u16) -> Self {
        match kind {
            SensorKind::Entrain => Self::Entrain(entrain::Setup::new(placement)),
            SensorKind::Rsc { .. } => Self::Rsc,
            SensorKind::Movesense => Self::Movesense(movesense::Setup::new(rate_hz)),
            SensorKind::PolarVeritySense => Self::Polar(polar::Setup::new(rate_hz)),
        }
    }

    /// The first writes.
    pub fn begin(&mut self) -> Result<Vec<Write>, SetupError> {
        match self {
            Self::Entrain(s) => s.begin(),
            Self::Rsc => Ok(Vec::new()),
            Self::Movesense(s) => s.begin(),
            Self::Polar(s) => s.begin(),
        }
    }

    /// A notification arrived while starting; returns the writes it calls for.
    pub fn on_notification(
        &mut self,
        channel: Channel,
        bytes: &[u8],
    ) -> Result<Vec<Write>, SetupError> {
        match (self, channel) {
            (Self::Polar(s), Channel::PolarControl) => s.on_answer(bytes),
            _ => Ok(Vec::new()),
        }
    }

    /// Whether the sensor is streaming (nothing more to write or wait for).
    pub fn is_done(&self) -> bool {
        match self {
            Self::Polar(s) => s.is_done(),
            _ => true,
        }
    }
}

/// Samples a notification decoded into, before loss accounting and clock mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// The first sample's index in the sensor's stream (wrapping).
    pub first_index: u32,
    /// The packet's sequence number, if the sensor sends one (lost packets are then counted).
    pub seq: Option<u16>,
    /// The nominal sample period, ns.
    pub period_nanos: i64,
    /// The samples: sensor time (ns, unwrapped), acceleration m/s², angular rate deg/s.
    pub samples: Vec<BatchSample>,
}

/// One sample of a [`Batch`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchSample {
    /// When it was taken, sensor clock, ns (unwrapped).
    pub sensor_nanos: i64,
    /// Specific force, m/s², sensor axes.
    pub acc_mps2: [f32; 3],
    /// Angular rate, deg/s, sensor axes.
    pub gyr_dps: [f32; 3],
}

/// The nominal period of `rate_hz`, ns (rounded).
pub fn period_nanos(rate_hz: u16) -> i64 {
    if rate_hz == 0 {
        return 0;
    }
    (1_000_000_000 + i64::from(rate_hz) / 2) / i64::from(rate_hz)
}

/// Sample indices for sensors that send none (Movesense, Polar): counted on from the previous
/// batch by how many periods its first sample lies after the previous batch's end, so a rate a
/// little off nominal does not accumulate into false gaps (only the spacing across one gap is
/// measured in nominal periods).
#[derive(Debug, Clone, Default)]
pub struct IndexFromTime {
    /// The index and sensor time the next sample would have if none is lost.
    next: Option<(u32, i64)>,
}

impl IndexFromTime {
    /// Nothing seen.
    pub fn new() -> Self {
        Self::default()
    }

    /// The index of a batch of `count` samples whose first was taken at `first_nanos`, spaced
    /// `period_nanos`. A batch before the expected one (a copy) gets its earlier index and does
    /// not move the count back.
    pub fn index(&mut self, first_nanos: i64, count: usize, period_nanos: i64) -> u32 {
        let count_u32 = u32::try_from(count).unwrap_or(u32::MAX);
        let (index, advances) = match self.next {
            None => (0, true),
            Some((next_index, next_nanos)) => {
                let periods = if period_nanos > 0 {
                    let d = first_nanos.saturating_sub(next_nanos);
                    d.saturating_add(d.signum() * (period_nanos / 2)) / period_nanos
                } else {
                    0
                };
                // Wrapping like the sensors' own indices do.
                let index = next_index.wrapping_add(periods as u32);
                (index, periods >= 0)
            }
        };
        if advances {
            let end_nanos =
                first_nanos.saturating_add(i64::from(count_u32).saturating_mul(period_nanos));
            self.next = Some((index.wrapping_add(count_u32), end_nanos));
        }
        index
    }
}

#[cfg(test)]
mod tests;
