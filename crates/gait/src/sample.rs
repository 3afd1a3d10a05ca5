//! The data every detector consumes and produces.

use alloc::string::String;
use core::fmt;
use core::str::FromStr;

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
    /// The side's name in files and the record: `left`, `right`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
        }
    }

    /// The other foot.
    pub fn other(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }
}

impl FromStr for Side {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Side, UnknownName> {
        match s.trim() {
            "left" => Ok(Side::Left),
            "right" => Ok(Side::Right),
            _ => Err(UnknownName::new("side", "left or right", s)),
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name (of a side, placement, phase, ...) that is none of the names its kind has: what kind, which
/// names it could be, and what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    /// The kind of name (`side`, `placement`, `phase`).
    pub kind: &'static str,
    /// The names it could be, for the message.
    pub expected: &'static str,
    /// What was found.
    pub found: String,
}

impl UnknownName {
    /// A `kind` name that should be one of `expected` but is `found`.
    pub fn new(kind: &'static str, expected: &'static str, found: &str) -> UnknownName {
        UnknownName {
            kind,
            expected,
            found: String::from(found),
        }
    }
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} '{}': expected {}",
            self.kind, self.found, self.expected
        )
    }
}

impl core::error::Error for UnknownName {}

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

    /// The placement as a clinician reads it: `left foot`, `right foot`, `lower back`.
    pub fn label(self) -> &'static str {
        match self {
            Placement::Foot(Side::Left) => "left foot",
            Placement::Foot(Side::Right) => "right foot",
            Placement::LowerBack => "lower back",
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

impl FromStr for Placement {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Placement, UnknownName> {
        Placement::from_code(s)
            .ok_or_else(|| UnknownName::new("placement", "foot_left, foot_right or lower_back", s))
    }
}

impl fmt::Display for Placement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
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

#[cfg(test)]
mod name_tests {
    use super::*;

    #[test]
    fn sides_and_placements_read_back_from_their_names() {
        for side in [Side::Left, Side::Right] {
            assert_eq!(side.as_str().parse::<Side>(), Ok(side));
        }
        for p in [
            Placement::Foot(Side::Left),
            Placement::Foot(Side::Right),
            Placement::LowerBack,
        ] {
            assert_eq!(p.code().parse::<Placement>(), Ok(p));
        }
        assert!("Left".parse::<Side>().is_err());
        let err = "hip".parse::<Placement>().unwrap_err();
        assert_eq!(err.kind, "placement");
        assert_eq!(err.found, "hip");
    }
}
