//! One sensor's notifications turned into [`SourceEvent`]s: decoding (every malformed packet
//! counted and reported), loss accounting, clock mapping (with the link latency measured by
//! time-sync round trips taken out), stale detection. Pure: arrival times are parameters, so the
//! BLE thread only timestamps and forwards bytes.

use entrain_gait::{GaitEvent, GaitEventKind, Placement, Side};
use entrain_protocol::control::{Operation, Response, ResultCode};
use entrain_protocol::imu::{ImuPacket, ImuScale};
use entrain_protocol::rsc::RscMeasurement;
use entrain_protocol::status::Status;
use entrain_protocol::step::{StepKind, StepPacket, StepSide};

use super::clock::{ClockMap, ClockMapConfig, TickUnwrapper};
use super::driver;
use super::link::{Continuity, SequenceTracker, StaleMonitor};
use super::timesync::{PendingSyncs, RoundTrip};
use entrain_source::{LinkState, SensorId, SensorKind, SourceEvent};

/// Which characteristic a notification came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// Entrain IMU samples.
    Imu,
    /// Entrain step events.
    Step,
    /// Entrain status.
    Status,
    /// Entrain control point responses.
    Control,
    /// Bluetooth SIG RSC Measurement.
    Rsc,
    /// Bluetooth SIG Battery Level.
    Battery,
    /// Movesense GATT SensorData data characteristic.
    MovesenseData,
    /// Polar PMD control point answers.
    PolarControl,
    /// Polar PMD data frames.
    PolarData,
}

impl Channel {
    /// Name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Imu => "IMU packet",
            Self::Step => "step packet",
            Self::Status => "status packet",
            Self::Control => "control response",
            Self::Rsc => "RSC measurement",
            Self::Battery => "battery level",
            Self::MovesenseData => "Movesense data",
            Self::PolarControl => "PMD control point answer",
            Self::PolarData => "PMD data frame",
        }
    }
}

/// Counters of one sensor's stream, for the clinician and the record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamStats {
    /// Packets decoded.
    pub packets: u64,
    /// Samples delivered.
    pub samples: u64,
    /// Packets that could not be decoded.
    pub malformed: u64,
    /// Packets lost (sequence numbers).
    pub lost_packets: u64,
    /// Samples lost.
    pub lost_samples: u64,
    /// Duplicate or out-of-date packets dropped.
    pub stale_packets: u64,
    /// Times the stream went stale.
    pub stale_events: u64,
    /// Time-sync round trips answered and usable.
    pub time_syncs: u64,
}

/// A decoded raw sample, as recorded (`entrain record`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RawRecord {
    /// Sample index from the sensor.
    pub sample_index: u32,
    /// Packet sequence number.
    pub seq: u16,
    /// Sensor time, µs (as sent, wrapping).
    pub sensor_time_us: u32,
    /// Session time it maps to.
    pub session_nanos: i64,
    /// When its packet arrived, session clock.
    pub arrival_nanos: i64,
    /// Raw accelerometer counts.
    pub acc: [i16; 3],
    /// Raw gyroscope counts.
    pub gyr: [i16; 3],
    /// Scale that converts them.
    pub scale: ImuScale,
}

/// One sensor's stream state.
#[derive(Debug, Clone)]
pub struct SensorStream {
    id: SensorId,
    placement: Placement,
    kind: SensorKind,
    unwrapper: TickUnwrapper,
    tracker: SequenceTracker,
    clock: ClockMap,
    stale: StaleMonitor,
    last_sample_nanos: Option<i64>,
    stats: StreamStats,
    status: Option<Status>,
    raw: Option<Vec<RawRecord>>,
    pending_syncs: PendingSyncs,
    /// Answered time syncs whose sensor time cannot be unwrapped yet (no IMU packet so far):
    /// (sent, sensor µs, received).
    early_syncs: Vec<(i64, u32, i64)>,
    /// The decoder of a kind whose samples come as [`Batch`]es.
    decoder: Decoder,
    /// Packet numbers for sensors that send none (lost packets are then not counted).
    next_seq: u16,
}

/// The per-kind decoding state of sensors read through a [`driver`] decoder.
#[derive(Debug, Clone)]
enum Decoder {
    /// Decoded here (Entrain, RSC).
    Builtin,
    Movesense(Box<driver::movesense::Decoder>),
    Polar(Box<driver::polar::Decoder>),
}

impl Decoder {
    fn new(kind: SensorKind, rate_hz: u16) -> Self {
        match kind {
            SensorKind::Movesense => {
                Self::Movesense(Box::new(driver::movesense::Decoder::new(rate_hz)))
            }
            SensorKind::PolarVeritySense => {
                Self::Polar(Box::new(driver::polar::Decoder::new(rate_hz)))
            }
            _ => Self::Builtin,
        }
    }
}

/// At most this many answered time syncs wait for the first IMU packet.
const MAX_EARLY_SYNCS: usize = 8;

impl SensorStream {
    /// A stream for sensor `id` worn at `placement`, called stale after `stale_after_nanos`
    /// without a packet.
    pub fn new(
        id: SensorId,
        placement: Placement,
        kind: SensorKind,
        stale_after_nanos: i64,
        clock: ClockMapConfig,
    ) -> Self {
        Self {
            id,
            placement,
            kind,
            unwrapper: TickUnwrapper::new(),
            tracker: SequenceTracker::new(),
            clock: ClockMap::new(clock),
            stale: StaleMonitor::new(stale_after_nanos),
            last_sample_nanos: None,
            stats: StreamStats::default(),
            status: None,
            raw: None,
            pending_syncs: PendingSyncs::new(),
            early_syncs: Vec::new(),
            decoder: Decoder::new(kind, driver::DEFAULT_RATE_HZ),
            next_seq: 0,
        }
    }

    /// The same stream for a sensor asked to stream at `rate_hz` (Movesense, Polar; the others
    /// say their rate in their packets).
    pub fn with_rate_hz(mut self, rate_hz: u16) -> Self {
        self.decoder = Decoder::new(self.kind, rate_hz);
        self
    }

    /// Also keep every decoded raw sample (for recording); take them with [`Self::take_raw`].
    pub fn keep_raw(&mut self) {
        self.raw = Some(Vec::new());
    }

    /// The raw samples kept since the last call.
    pub fn take_raw(&mut self) -> Vec<RawRecord> {
        self.raw.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// The sensor.
    pub fn id(&self) -> &SensorId {
        &self.id
    }

    /// Where it is worn.
    pub fn placement(&self) -> Placement {
        self.placement
    }

    /// Its kind.
    pub fn kind(&self) -> SensorKind {
        self.kind
    }

    /// Counters so far.
    pub fn stats(&self) -> StreamStats {
        let mut stats = self.stats;
        stats.lost_packets = self.tracker.lost_packets;
        stats.lost_samples = self.tracker.lost_samples;
        stats.stale_packets = self.tracker.stale_packets;
        stats
    }

    /// The last status the sensor reported.
    pub fn status(&self) -> Option<Status> {
        self.status
    }

    /// The current clock fit.
    pub fn clock(&self) -> &ClockMap {
        &self.clock
    }

    /// Whether the stream is stale now.
    pub fn is_stale(&self) -> bool {
        self.stale.is_stale()
    }

    /// Starts the stale clock (subscribed, expecting packets from `now_nanos`).
    pub fn arm(&mut self, now_nanos: i64) {
        self.stale.arm(now_nanos);
    }

    /// Restarts the stale clock for a new connection made at `now_nanos`, and forgets time
    /// syncs still unanswered (the old connection's responses will never come).
    pub fn rearm(&mut self, now_nanos: i64) {
        self.stale.rearm(now_nanos);
        self.pending_syncs.clear();
        if let Decoder::Polar(polar) = &mut self.decoder {
            polar.on_reconnect();
        }
    }

    /// A time sync with `token`, carrying `host_time_us`, was written to the sensor at
    /// `sent_nanos` (session clock, taken just before the write).
    pub fn on_time_sync_sent(&mut self, token: u8, host_time_us: u64, sent_nanos: i64) {
        self.pending_syncs.on_sent(token, host_time_us, sent_nanos);
    }

    /// Appends a `Link Lost` event if the stream just went stale at `now_nanos`; returns whether
    /// it did.
    pub fn check_stale(&mut self, now_nanos: i64, out: &mut Vec<SourceEvent>) -> bool {
        match self.stale.check(now_nanos) {
            Some(silence) => {
                self.stats.stale_events += 1;
                out.push(SourceEvent::Link {
                    placement: self.placement,
                    state: LinkState::Lost {
                        reason: format!(
                            "sensor {}: no packets for {} ms (stale after {} ms)",
                            self.id,
                            silence / 1_000_000,
                            self.stale.stale_after_nanos() / 1_000_000
                        ),
                    },
                    at_nanos: now_nanos,
                });
                true
            }
            None => false,
        }
    }

    /// Handles one notification that arrived at `arrival_nanos` (session clock).
    pub fn on_notification(
        &mut self,
        channel: Channel,
        bytes: &[u8],
        arrival_nanos: i64,
        out: &mut Vec<SourceEvent>,
    ) {
        let result = match channel {
            Channel::Imu => self.on_imu(bytes, arrival_nanos, out),
            Channel::Step => self.on_step(bytes, arrival_nanos, out),
            Channel::Status => Status::decode(bytes).map(|status| {
                self.status = Some(status);
                if let Some(percent) = status.battery_percent {
                    out.push(SourceEvent::Battery {
                        placement: self.placement,
                        percent,
                    });
                }
            }),
            Channel::Control => Response::decode(bytes).map(|r| self.on_response(r, arrival_nanos)),
            Channel::Rsc => self.on_rsc(bytes, arrival_nanos, out),
            Channel::MovesenseData | Channel::PolarControl | Channel::PolarData => {
                if let Err(detail) = self.on_driver(channel, bytes, arrival_nanos, out) {
                    self.malformed(channel, bytes, detail, out);
                }
                return;
            }
            Channel::Battery => match bytes {
                [percent] if *percent <= 100 => {
                    out.push(SourceEvent::Battery {
                        placement: self.placement,
                        percent: *percent,
                    });
                    Ok(())
                }
                _ => {
                    self.malformed(
                        channel,
                        bytes,
                        "battery level must be one byte 0..=100".into(),
                        out,
                    );
                    return;
                }
            },
        };
        if let Err(e) = result {
            self.malformed(channel, bytes, e.to_string(), out);
        }
    }

    fn malformed(
        &mut self,
        channel: Channel,
        bytes: &[u8],
        detail: String,
        out: &mut Vec<SourceEvent>,
    ) {
        self.stats.malformed += 1;
        let shown: String = bytes.iter().take(32).map(|b| format!("{b:02x}")).collect();
        out.push(SourceEvent::Malformed {
            placement: self.placement,
            detail: format!(
                "sensor {}: {} of {} bytes ({shown}{}): {detail}",
                self.id,
                channel.name(),
                bytes.len(),
                if bytes.len() > 32 { "…" } else { "" }
            ),
        });
    }

    fn on_response(&mut self, response: Response, arrival_nanos: i64) {
        let time_sync = Operation::TimeSync { host_time_us: 0 }.opcode();
        if response.opcode != time_sync {
            return;
        }
        if response.result != ResultCode::Ok {
            // A sensor without time sync: the mapping goes on without it.
            self.pending_syncs.forget(response.token);
            return;
        }
        let Some(sent_nanos) = self
            .pending_syncs
            .on_response(response.token, response.host_time_us)
        else {
            return;
        };
        if self.early_syncs.len() < MAX_EARLY_SYNCS {
            self.early_syncs
                .push((sent_nanos, response.sensor_time_us, arrival_nanos));
        }
        self.resolve_syncs();
    }

    /// Hands answered time syncs to the clock map once their sensor time can be unwrapped
    /// consistently with the samples' (after the first IMU packet).
    fn resolve_syncs(&mut self) {
        let mut waiting = Vec::new();
        for (sent_nanos, sensor_time_us, received_nanos) in std::mem::take(&mut self.early_syncs) {
            let Some(sensor_nanos) = self.unwrapper.nearest_us(sensor_time_us) else {
                waiting.push((sent_nanos, sensor_time_us, received_nanos));
                continue;
            };
            if self.clock.observe_round_trip(RoundTrip {
                sent_nanos,
                sensor_nanos,
                received_nanos,
            }) {
                self.stats.time_syncs += 1;
            }
        }
        self.early_syncs = waiting;
    }

    /// A decoded data packet arrived: counted, and a stream that had gone stale is connected again.
    fn count_data_packet(&mut self, arrival_nanos: i64, out: &mut Vec<SourceEvent>) {
        self.stats.packets += 1;
        if self.stale.on_packet(arrival_nanos) {
            out.push(SourceEvent::Link {
                placement: self.placement,
                state: LinkState::Connected,
                at_nanos: arrival_nanos,
            });
        }
    }

    fn on_imu(
        &mut self,
        bytes: &[u8],
        arrival_nanos: i64,
        out: &mut Vec<SourceEvent>,
    ) -> Result<(), entrain_protocol::DecodeError> {
        let packet = ImuPacket::decode(bytes)?;
        self.count_data_packet(arrival_nanos, out);
        let scale = packet.scale;
        let period = scale.sample_period_nanos();
        let mut first_nanos = self.unwrapper.unwrap_us(packet.timestamp_us);
        let continuity = self.tracker.on_packet(
            packet.seq,
            packet.first_sample_index,
            packet.count,
            first_nanos,
            period,
        );
        match continuity {
            Continuity::Stale => return Ok(()),
            Continuity::Restart { lost_samples: 0 } => {
                // The clock went backwards: the sensor rebooted. Start the mapping afresh.
                self.unwrapper.reset();
                self.clock.reset();
                first_nanos = self.unwrapper.unwrap_us(packet.timestamp_us);
            }
            _ => {}
        }
        let last_offset = scale.sample_offset_nanos(u64::from(packet.count.saturating_sub(1)));
        // The packet cannot leave before its last sample is taken: that sample's time is the
        // one whose arrival bounds the clock offset.
        self.clock.observe(first_nanos + last_offset, arrival_nanos);
        if !self.early_syncs.is_empty() {
            self.resolve_syncs();
        }
        let lost = match continuity {
            Continuity::Gap { lost_samples, .. } => lost_samples,
            Continuity::Restart { lost_samples } => lost_samples,
            _ => 0,
        };
        for (i, raw) in packet.samples().iter().enumerate() {
            let sensor_nanos = first_nanos + scale.sample_offset_nanos(i as u64);
            let acc = raw.acc.map(|c| scale.acc_mps2(c));
            let gyr = raw.gyr.map(|c| scale.gyr_dps(c));
            let lost_before = if i == 0 { lost } else { 0 };
            let Some(time_nanos) = self.emit_sample(lost_before, sensor_nanos, acc, gyr, None, out)
            else {
                continue;
            };
            if let Some(records) = self.raw.as_mut() {
                let offset_us = scale.sample_offset_nanos(i as u64) / 1000;
                records.push(RawRecord {
                    sample_index: packet.first_sample_index.wrapping_add(i as u32),
                    seq: packet.seq,
                    sensor_time_us: packet.timestamp_us.wrapping_add(offset_us as u32),
                    session_nanos: time_nanos,
                    arrival_nanos,
                    acc: raw.acc,
                    gyr: raw.gyr,
                    scale,
                });
            }
        }
        Ok(())
    }

    fn on_step(
        &mut self,
        bytes: &[u8],
        arrival_nanos: i64,
        out: &mut Vec<SourceEvent>,
    ) -> Result<(), entrain_protocol::DecodeError> {
        let packet = StepPacket::decode(bytes)?;
        self.stats.packets += 1;
        for event in packet.events() {
            // On either side of a wrap the samples just crossed.
            let Some(sensor_nanos) = self.unwrapper.nearest_us(event.timestamp_us) else {
                continue;
            };
            let Some(time) = self.clock.map(sensor_nanos) else {
                continue;
            };
            let side = match (event.side, self.placement) {
                (StepSide::Left, _) => Some(Side::Left),
                (StepSide::Right, _) => Some(Side::Right),
                (StepSide::Unknown, Placement::Foot(side)) => Some(side),
                (StepSide::Unknown, Placement::LowerBack) => None,
            };
            out.push(SourceEvent::OnboardEvent {
                placement: self.placement,
                event: GaitEvent {
                    kind: match event.kind {
                        StepKind::InitialContact => GaitEventKind::InitialContact,
                        StepKind::ToeOff => GaitEventKind::ToeOff,
                    },
                    side,
                    event_time_nanos: time,
                    emitted_at_nanos: arrival_nanos,
                },
            });
        }
        Ok(())
    }

    fn on_rsc(
        &mut self,
        bytes: &[u8],
        arrival_nanos: i64,
        out: &mut Vec<SourceEvent>,
    ) -> Result<(), entrain_protocol::DecodeError> {
        let m = RscMeasurement::decode(bytes)?;
        self.count_data_packet(arrival_nanos, out);
        let factor = match self.kind {
            SensorKind::Rsc {
                cadence_is_strides: true,
            } => 2.0,
            _ => 1.0,
        };
        out.push(SourceEvent::Cadence {
            placement: self.placement,
            cadence_spm: m.cadence_spm() * factor,
            speed_mps: m.speed_mps(),
            at_nanos: arrival_nanos,
        });
        Ok(())
    }
}

mod batch;

#[cfg(test)]
mod tests;
