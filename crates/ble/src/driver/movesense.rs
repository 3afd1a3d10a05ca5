//! A Movesense running Movesense's GATT SensorData app (`docs/sensors/movesense.md`):
//! recognised by its name (`Movesense <serial>`; it advertises no service); the data
//! characteristic subscribed; streaming started by writing SUBSCRIBE `/Meas/IMU6/<rate>` under
//! [`REFERENCE`] on the command characteristic (never acknowledged: data starts, or the stream
//! goes stale). Each notification is one DATA, or a DATA + DATA_PART2 pair the assembler joins;
//! its payload is a ms timestamp of the first sample and the samples in m/s² and deg/s, which
//! need no conversion and keep the sensor's axes.
//!
//! The app sends no sequence number or sample index: indices are counted from the timestamps
//! ([`super::IndexFromTime`]). The ms timestamp wraps after 49.7 days; it is unwrapped like the
//! Entrain sensor's µs clock.

use entrain_protocol::movesense::{
    self as ms, Command, DataAssembler, ImuData, MeasKind, Notification, ResourcePath, ResponseType,
};
use entrain_protocol::uuid;

use super::{
    Advertisement, Batch, BatchSample, IndexFromTime, SetupError, Subscription, Write,
    period_nanos, sub,
};
use crate::clock::TickUnwrapper;

/// Subscribed: the data characteristic; Battery Level if the firmware has one.
pub const SUBSCRIPTIONS: &[Subscription] =
    &[sub(ms::gatt::DATA, true), sub(uuid::BATTERY_LEVEL, false)];

/// The client reference of Entrain's IMU subscription (any non-zero byte; one subscription).
pub const REFERENCE: u8 = 0x45;

/// The stream subscribed: acceleration and angular rate.
pub const KIND: MeasKind = MeasKind::Imu6;

/// Whether the advertisement is a Movesense's.
pub fn recognises(ad: &Advertisement<'_>) -> bool {
    ad.name.is_some_and(ms::gatt::is_movesense_name)
}

/// The resource subscribed at `rate_hz`, refused (naming the rates offered) if the sensor has no
/// such rate.
pub fn resource(rate_hz: u16) -> Result<ResourcePath, SetupError> {
    ResourcePath::new(KIND, u32::from(rate_hz)).map_err(|e| SetupError(e.to_string()))
}

/// One SUBSCRIBE.
#[derive(Debug, Clone)]
pub struct Setup {
    rate_hz: u16,
}

impl Setup {
    /// Subscribing at `rate_hz`.
    pub fn new(rate_hz: u16) -> Self {
        Self { rate_hz }
    }

    /// The SUBSCRIBE write.
    pub fn begin(&mut self) -> Result<Vec<Write>, SetupError> {
        let mut buf = [0u8; ms::command::MAX_LEN];
        let n = Command::subscribe(REFERENCE, resource(self.rate_hz)?)
            .encode(&mut buf)
            .map_err(|e| SetupError(format!("Movesense SUBSCRIBE: {e}")))?;
        Ok(vec![Write {
            uuid: ms::gatt::COMMAND,
            bytes: buf.get(..n).unwrap_or_default().to_vec(),
        }])
    }
}

/// Notifications on the data characteristic → batches of samples.
#[derive(Debug, Clone)]
pub struct Decoder {
    rate_hz: u16,
    assembler: DataAssembler,
    clock: TickUnwrapper,
    indices: IndexFromTime,
}

impl Decoder {
    /// For a stream subscribed at `rate_hz`.
    pub fn new(rate_hz: u16) -> Self {
        Self {
            rate_hz,
            assembler: DataAssembler::new(),
            clock: TickUnwrapper::new(),
            indices: IndexFromTime::new(),
        }
    }

    /// First parts whose second part never came.
    pub fn dropped_first_parts(&self) -> u32 {
        self.assembler.dropped_first_parts()
    }

    /// One notification: `Ok(None)` for a held first part or a command result, the samples
    /// once data is whole; `Err` says what was wrong.
    pub fn on_notification(&mut self, bytes: &[u8]) -> Result<Option<Batch>, String> {
        let notification = Notification::decode(bytes).map_err(|e| e.to_string())?;
        if notification.response == ResponseType::CommandResult {
            return match notification.status_code() {
                Some(code) => Err(format!("Movesense answered status {code}")),
                None => Ok(None),
            };
        }
        let (reference, imu) = match self.assembler.push(&notification) {
            Ok(Some(data)) => (
                data.reference,
                ImuData::decode(KIND, data.payload).map_err(|e| e.to_string()),
            ),
            Ok(None) => return Ok(None),
            Err(e) => return Err(e.to_string()),
        };
        if reference != REFERENCE {
            return Err(format!(
                "Movesense data for reference {reference}, not Entrain's {REFERENCE}"
            ));
        }
        let imu = imu?;
        // The ms counter unwrapped as the µs one is (same width), then scaled.
        let first_nanos = self
            .clock
            .unwrap_us(imu.timestamp_ms())
            .saturating_mul(1000);
        let period = period_nanos(self.rate_hz);
        let samples: Vec<BatchSample> = imu
            .acc_mps2()
            .iter()
            .zip(imu.gyro_dps())
            .enumerate()
            .map(|(i, (acc, gyr))| BatchSample {
                sensor_nanos: first_nanos + ms::imu::sample_offset_nanos(i as u64, self.rate_hz),
                acc_mps2: *acc,
                gyr_dps: *gyr,
            })
            .collect();
        let first_index = self.indices.index(first_nanos, samples.len(), period);
        Ok(Some(Batch {
            first_index,
            seq: None,
            period_nanos: period,
            samples,
        }))
    }
}
