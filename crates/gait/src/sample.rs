//! The data every detector consumes and produces.

use serde::{Deserialize, Serialize};

/// Nanoseconds per second, for converting sample indices and rates.
pub const NANOS_PER_SEC: i64 = 1_000_000_000;

/// Standard gravity, m/s², for converting readings given in g.
pub const STANDARD_GRAVITY_MPS2: f32 = 9.806_65;

/// Which foot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Side {
    /// Left foot.
    Left,
    /// Right foot.
    Right,
}

impl Side {
    /// The other foot.
    pub fn other(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }
}

/// Where a sensor is worn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Placement {
    /// On the dorsum of a foot or on a shoe.
    Foot(Side),
    /// Lower back, at L5.
    LowerBack,
}

impl Placement {
    /// The placement's name in files and the record: `foot_left`, `foot_right`, `lower_back`.
    pub fn code(self) -> &'static str {
        match self {
            Placement::Foot(Side::Left) => "foot_left",
            Placement::Foot(Side::Right) => "foot_right",
            Placement::LowerBack => "lower_back",
        }
    }

    /// The placement named `code` (see [`Placement::code`]); surrounding spaces are ignored.
    pub fn from_code(code: &str) -> Option<Placement> {
        match code.trim() {
            "foot_left" => Some(Placement::Foot(Side::Left)),
            "foot_right" => Some(Placement::Foot(Side::Right)),
            "lower_back" => Some(Placement::LowerBack),
            _ => None,
        }
    }
}

/// One IMU reading on the session clock, in the sensor's own axes.
///
/// Accelerations include gravity unless the source says otherwise; detectors must not rely on
/// the axis orientation, which differs between sensors and mountings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ImuSample {
    /// When the sample was taken, on the session clock.
    pub time_nanos: i64,
    /// Specific force per axis, m/s².
    pub acc_mps2: [f32; 3],
    /// Angular velocity per axis, degrees per second.
    pub gyr_dps: [f32; 3],
}

/// The kind of gait event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GaitEventKind {
    /// Initial contact (heel strike).
    InitialContact,
    /// Toe-off (final contact).
    ToeOff,
}

/// A gait event as a streaming detector reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GaitEvent {
    /// IC or TO.
    pub kind: GaitEventKind,
    /// The foot, where the detector knows it.
    pub side: Option<Side>,
    /// The detector's estimate of when the event happened.
    pub event_time_nanos: i64,
    /// When the detector emitted it: the time of the sample that confirmed it. Latency is this
    /// minus the true event time.
    pub emitted_at_nanos: i64,
}

/// Time of sample `index` at `sample_rate_hz`, starting at zero, rounded to the nanosecond.
pub fn sample_time_nanos(index: usize, sample_rate_hz: f64) -> i64 {
    libm::round(index as f64 * NANOS_PER_SEC as f64 / sample_rate_hz) as i64
}
