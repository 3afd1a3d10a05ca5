//! The seam between every sensor source (BLE, replay of a recording, the virtual patient) and the
//! session engine, and [`SourceSpec`], the one parsed description of which source to open.
//!
//! A source is polled by the engine with the current session time; it appends everything that has
//! happened up to then (samples already mapped onto the session clock, link changes, lost packets,
//! battery readings). Polling with a time parameter lets the same engine run in real time (the
//! engine passes its monotonic clock) or as fast as possible over simulated time (tests, re-analysis).
//!
//! Light on purpose (no BLE stack, no file readers): the sources live in `entrain-sim`,
//! `entrain-replay` and `entrain-ble`, and `entrain_engine::open_source` opens a [`SourceSpec`].
#![forbid(unsafe_code)]

mod dataset;
mod spec;

pub use dataset::{Dataset, UnknownDataset};
pub use spec::{BleSensor, SourceSpec, SpecError};

use std::fmt;

use entrain_gait::{GaitEvent, ImuSample, Placement};
use serde::{Deserialize, Serialize};

/// A sensor's stable identity: the BLE address (or BlueZ device path) for real sensors,
/// `virtual:left` and the like for simulated ones, `replay:<trial>:<placement>` for recordings.
/// It is what a patient's sensor assignment stores, so a sensor from the next bed is never taken by
/// mistake.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SensorId(pub String);

impl fmt::Display for SensorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What kind of sensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SensorKind {
    /// An Entrain IMU sensor (our GATT service).
    Entrain,
    /// A Running Speed and Cadence foot pod.
    Rsc {
        /// The pod sends strides per minute instead of steps per minute (non-conforming pods):
        /// Entrain doubles the value.
        cadence_is_strides: bool,
    },
    /// A Movesense sensor running Movesense's GATT SensorData app (IMU6 over plain GATT).
    Movesense,
    /// A Polar Verity Sense (the Polar Measurement Data service: ACC and gyro).
    PolarVeritySense,
}

impl SensorKind {
    /// Every kind, for listings and round trips (RSC pods as they conform).
    pub const ALL: [SensorKind; 4] = [
        SensorKind::Entrain,
        SensorKind::Rsc {
            cadence_is_strides: false,
        },
        SensorKind::Movesense,
        SensorKind::PolarVeritySense,
    ];

    /// The kind's stable short name: what `entrain devices` prints and the record stores.
    pub fn code(self) -> &'static str {
        match self {
            SensorKind::Entrain => "entrain",
            SensorKind::Rsc {
                cadence_is_strides: false,
            } => "rsc",
            SensorKind::Rsc {
                cadence_is_strides: true,
            } => "rsc-strides",
            SensorKind::Movesense => "movesense",
            SensorKind::PolarVeritySense => "polar-verity-sense",
        }
    }
}

/// A sensor kind's code that is none of [`SensorKind::code`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown sensor kind `{0}`: expected entrain, rsc, rsc-strides, movesense or polar-verity-sense"
)]
pub struct UnknownSensorKind(pub String);

impl std::str::FromStr for SensorKind {
    type Err = UnknownSensorKind;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        let strides = SensorKind::Rsc {
            cadence_is_strides: true,
        };
        SensorKind::ALL
            .into_iter()
            .chain([strides])
            .find(|k| k.code() == code)
            .ok_or_else(|| UnknownSensorKind(code.to_owned()))
    }
}

/// What the engine needs to know about one sensor of a source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensorInfo {
    /// Stable identity.
    pub id: SensorId,
    /// Human-readable name (advertised name, or a description).
    pub name: String,
    /// Where it is worn for this session.
    pub placement: Placement,
    /// Nominal sampling rate, Hz.
    pub sample_rate_hz: f64,
}

/// The state of one sensor's link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkState {
    /// Streaming.
    Connected,
    /// No samples are arriving: the link dropped, or the stream went stale. `reason` says which.
    Lost {
        /// Why the source considers the link lost, for the clinician.
        reason: String,
    },
    /// Trying to reconnect.
    Reconnecting,
}

/// One thing that happened at a source, in arrival order per sensor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SourceEvent {
    /// An IMU sample, its time already on the session clock.
    Sample {
        /// Which sensor.
        placement: Placement,
        /// The reading.
        sample: ImuSample,
    },
    /// The sensor's link changed state.
    Link {
        /// Which sensor.
        placement: Placement,
        /// The new state.
        state: LinkState,
        /// When the source noticed, session clock.
        at_nanos: i64,
    },
    /// Samples that were sent but never arrived (counted from sequence numbers).
    Gap {
        /// Which sensor.
        placement: Placement,
        /// How many samples are missing.
        lost_samples: u64,
        /// Session time of the last sample before the gap.
        from_nanos: i64,
        /// Session time of the first sample after it.
        to_nanos: i64,
    },
    /// A packet that could not be decoded; counted and reported, never fatal.
    Malformed {
        /// Which sensor.
        placement: Placement,
        /// What was wrong with it.
        detail: String,
    },
    /// A battery reading.
    Battery {
        /// Which sensor.
        placement: Placement,
        /// State of charge, percent.
        percent: u8,
    },
    /// A gait event detected on the sensor itself (sensors with on-board detection), its time
    /// already on the session clock.
    OnboardEvent {
        /// Which sensor.
        placement: Placement,
        /// The event; `emitted_at_nanos` is when it arrived.
        event: GaitEvent,
    },
    /// A cadence reading from a foot pod that reports cadence rather than raw samples (a
    /// Bluetooth SIG Running Speed and Cadence sensor).
    Cadence {
        /// Which sensor.
        placement: Placement,
        /// Steps per minute (see `entrain_protocol::rsc` for how the pod's field is read).
        cadence_spm: f64,
        /// Walking speed, m/s.
        speed_mps: f64,
        /// When it arrived, session clock.
        at_nanos: i64,
    },
    /// The source has nothing more to deliver (the recording or the simulated walk ended).
    Finished,
}

/// Why a source failed as a whole (a single bad packet is a [`SourceEvent::Malformed`], not this).
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The source could not be opened or started.
    #[error("sensor source {source_name}: cannot start: {detail}")]
    Start {
        /// Which source.
        source_name: String,
        /// What went wrong.
        detail: String,
    },
    /// The source stopped working and cannot recover on its own (e.g. the BLE adapter vanished).
    #[error("sensor source {source_name}: {detail}")]
    Failed {
        /// Which source.
        source_name: String,
        /// What went wrong.
        detail: String,
    },
}

/// A stream of sensor events on the session clock.
pub trait SensorSource: Send {
    /// The source's name for messages ("BLE", "virtual patient", a recording's path).
    fn name(&self) -> String;

    /// The sensors this source delivers.
    fn sensors(&self) -> Vec<SensorInfo>;

    /// Appends to `out` everything that has happened up to `now_nanos` on the session clock.
    /// Never blocks for long: a real-time source drains what has arrived; a simulated source
    /// generates up to `now_nanos`.
    fn poll(&mut self, now_nanos: i64, out: &mut Vec<SourceEvent>) -> Result<(), SourceError>;

    /// A beat sounded at `beat_nanos` on the session clock. Only simulated patients listen; real
    /// sensors ignore it.
    fn beat_played(&mut self, beat_nanos: i64) {
        let _ = beat_nanos;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_sensor_kind_code_reads_back_as_its_kind() {
        let strides = SensorKind::Rsc {
            cadence_is_strides: true,
        };
        for kind in SensorKind::ALL.into_iter().chain([strides]) {
            assert_eq!(kind.code().parse::<SensorKind>(), Ok(kind));
        }
        let err = "ble".parse::<SensorKind>().unwrap_err();
        assert!(err.to_string().contains("`ble`"), "{err}");
    }
}
