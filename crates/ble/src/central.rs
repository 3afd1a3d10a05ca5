//! Real sensors through btleplug (BlueZ over D-Bus on Linux).
//!
//! btleplug runs on its own thread with a single-threaded tokio runtime. One task per assigned
//! sensor finds it by its stable identity (its Bluetooth address; never by name or by "the first
//! sensor seen", so a sensor from the next bed is never taken), connects (one sensor at a time:
//! BlueZ rejects concurrent connects), discovers services, subscribes, reads the status and starts
//! streaming. Each notification is stamped with its arrival on the session clock and sent through
//! an unbounded channel: nothing on that side ever blocks or decodes. Everything else (decoding,
//! loss accounting, clock mapping, stale detection) happens in [`BleSource::poll`], on the
//! caller's thread, through [`super::stream::SensorStream`].
//!
//! On a link loss (BlueZ reports the disconnect, or `poll` finds the stream stale: no packet for
//! two expected steps), the task disconnects, reconnects and re-subscribes on its own (BlueZ drops
//! notification sessions on reconnect), with a short back-off, for as long as the source lives.
//!
//! On every connection to an Entrain sensor the task also writes time-sync commands on the
//! control point ([`BleConfig::time_sync`]: a burst, then periodically), each from its own small
//! task so the notification loop never waits on a write; the session time just before each write
//! goes to the poll side ahead of the write, so it is there before the response. The stream pairs
//! them ([`super::timesync`]) and the clock map takes the link latency out of every mapped time.

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ::uuid::Uuid;
use btleplug::api::{
    Central, CentralEvent, Characteristic, Manager as _, Peripheral as _, ScanFilter, WriteType,
};
use btleplug::platform::{Adapter, Manager, Peripheral};
use entrain_gait::Placement;
use entrain_protocol::control::{Command, MAX_COMMAND_LEN, Operation};
use entrain_protocol::uuid;
use futures::StreamExt;
use tokio::sync::mpsc as tmpsc;

use super::clock::ClockMapConfig;
use super::driver::{self, Advertisement};
use super::link::StaleMonitor;
use super::stream::{Channel, RawRecord, SensorStream, StreamStats};
use super::timesync::TimeSyncSchedule;
mod connection;
mod scan;
mod tap;

pub use scan::{recognise_kinds, scan};
pub use tap::{TapEvent, TapListener};

use connection::ble_thread;
use entrain_source::{
    LinkState, SensorId, SensorInfo, SensorKind, SensorSource, SourceError, SourceEvent,
};

/// The message when the machine has no Bluetooth adapter (or no BlueZ).
pub const NO_ADAPTER: &str = "no Bluetooth adapter found; use --source sim or a recording";

/// Why a BLE operation failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum BleError {
    /// No adapter, or BlueZ is not reachable.
    #[error("{NO_ADAPTER} ({detail})")]
    NoAdapter {
        /// What the stack said.
        detail: String,
    },
    /// The Bluetooth stack failed.
    #[error("Bluetooth: {0}")]
    Stack(String),
    /// The configuration is unusable.
    #[error("BLE configuration: {0}")]
    Config(String),
}

/// A sensor found by a scan.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FoundSensor {
    /// Stable identity: the Bluetooth address.
    pub id: SensorId,
    /// Advertised name.
    pub name: String,
    /// Signal strength, dBm, if known.
    pub rssi_dbm: Option<i16>,
    /// Battery, percent: advertised as service data under the Battery Service UUID 0x180F
    /// (Entrain sensors), or for Movesense and Polar sensors read from their Battery Service
    /// over a short connection, if they have one.
    pub battery_percent: Option<u8>,
    /// What it is ([`SensorKind::code`] names it).
    pub kind: SensorKind,
}

/// One sensor assigned to the patient.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// Its stable identity (Bluetooth address, any case).
    pub id: SensorId,
    /// Where it is worn.
    pub placement: Placement,
    /// What it is.
    pub kind: SensorKind,
}

/// Settings of a [`BleSource`].
#[derive(Debug, Clone, PartialEq)]
pub struct BleConfig {
    /// The patient's sensors: left and right foot, optionally lower back.
    pub assignments: Vec<Assignment>,
    /// The expected step duration, s; a stream silent for two steps is stale.
    pub expected_step_secs: f64,
    /// How often an Entrain sensor sends a packet, s (for the stale threshold's floor).
    pub packet_interval_secs: f64,
    /// How often an RSC pod notifies, s.
    pub rsc_interval_secs: f64,
    /// Give up one connection attempt after this long, s.
    pub connect_timeout_secs: f64,
    /// Wait this long between reconnection attempts, s.
    pub reconnect_backoff_secs: f64,
    /// Clock mapping settings.
    pub clock: ClockMapConfig,
    /// When to send time syncs to Entrain sensors; `None`: never (the mapping then keeps the
    /// link's latency, less [`ClockMapConfig::min_latency_nanos`]).
    pub time_sync: Option<TimeSyncSchedule>,
    /// Keep raw samples for recording ([`BleSource::take_raw`]).
    pub keep_raw: bool,
    /// The rate Movesense and Polar sensors are asked to stream at, Hz (Entrain sensors and
    /// pods have their own).
    pub rate_hz: u16,
}

impl BleConfig {
    /// Defaults for `assignments`.
    pub fn new(assignments: Vec<Assignment>) -> Self {
        Self {
            assignments,
            expected_step_secs: 0.6,
            packet_interval_secs: 0.09,
            rsc_interval_secs: 1.0,
            connect_timeout_secs: 10.0,
            reconnect_backoff_secs: 0.3,
            clock: ClockMapConfig::default(),
            time_sync: Some(TimeSyncSchedule::default()),
            keep_raw: false,
            rate_hz: driver::DEFAULT_RATE_HZ,
        }
    }

    fn check(&self) -> Result<(), BleError> {
        self.check_addresses()?;
        for (i, a) in self.assignments.iter().enumerate() {
            for b in &self.assignments[..i] {
                if a.placement == b.placement {
                    return Err(BleError::Config(format!(
                        "two sensors at {:?}: {} and {}",
                        a.placement, b.id, a.id
                    )));
                }
            }
        }
        Ok(())
    }

    /// Every sensor is a Bluetooth address, and none comes twice.
    fn check_addresses(&self) -> Result<(), BleError> {
        if self.assignments.is_empty() {
            return Err(BleError::Config("no sensors assigned".into()));
        }
        for (i, a) in self.assignments.iter().enumerate() {
            if normalise_id(&a.id.0).is_none() {
                return Err(BleError::Config(format!(
                    "sensor {}: not a Bluetooth address (expected AA:BB:CC:DD:EE:FF)",
                    a.id
                )));
            }
            for b in &self.assignments[..i] {
                if normalise_id(&a.id.0) == normalise_id(&b.id.0) {
                    return Err(BleError::Config(format!(
                        "sensor {} is assigned twice",
                        a.id
                    )));
                }
            }
        }
        Ok(())
    }
}

/// The canonical form of a Bluetooth address (upper case, colons), if `id` is one.
pub fn normalise_id(id: &str) -> Option<String> {
    let parts: Vec<&str> = id.trim().split([':', '-', '_']).collect();
    if parts.len() != 6
        || parts
            .iter()
            .any(|p| p.len() != 2 || !p.chars().all(|c| c.is_ascii_hexdigit()))
    {
        return None;
    }
    Some(parts.join(":").to_ascii_uppercase())
}

/// What the BLE thread tells the poll side.
#[derive(Debug)]
enum Msg {
    Notification {
        sensor: usize,
        channel: Channel,
        bytes: Vec<u8>,
        arrival_nanos: i64,
    },
    Link {
        sensor: usize,
        state: LinkState,
        at_nanos: i64,
    },
    /// A time sync is about to be written.
    TimeSyncSent {
        sensor: usize,
        token: u8,
        host_time_us: u64,
        sent_nanos: i64,
    },
    Fatal(String),
}

/// What the poll side asks of a sensor's task.
#[derive(Debug)]
enum Cmd {
    /// The stream is stale: drop the link and connect again.
    Reconnect,
}

/// The session clock, shared by both sides.
#[derive(Debug, Clone, Copy)]
struct SessionClock(Instant);

impl SessionClock {
    fn now_nanos(&self) -> i64 {
        i64::try_from(self.0.elapsed().as_nanos()).unwrap_or(i64::MAX)
    }
}

/// Counters of one sensor's link.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkReport {
    /// Which sensor.
    pub id: SensorId,
    /// Where.
    pub placement: Placement,
    /// Stream counters.
    pub stats: StreamStats,
    /// Connections made (1 + reconnections).
    pub connections: u64,
    /// Estimated drift of its clock, ppm.
    pub drift_ppm: Option<f64>,
    /// The link's one-way latency measured by time sync and taken out of mapped times, ns
    /// (`None`: no usable round trip, the sensor did not answer).
    pub link_latency_nanos: Option<f64>,
}

/// Entrain and RSC sensors over BLE, as a [`SensorSource`].
pub struct BleSource {
    clock: SessionClock,
    streams: Vec<SensorStream>,
    connections: Vec<u64>,
    rx: mpsc::Receiver<Msg>,
    commands: Vec<tmpsc::UnboundedSender<Cmd>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    fatal: Option<String>,
    rate_hz: u16,
    scratch: Vec<SourceEvent>,
}

impl std::fmt::Debug for BleSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BleSource")
            .field("sensors", &self.streams.len())
            .finish()
    }
}

impl BleSource {
    /// Starts connecting to the assigned sensors. `session_start` is the instant the session
    /// clock counts from (the same the engine passes to [`SensorSource::poll`] as 0).
    /// Returns at once; connection progress arrives as [`SourceEvent::Link`] events.
    pub fn start(config: BleConfig, session_start: Instant) -> Result<Self, BleError> {
        config.check()?;
        Self::launch(config, session_start)
    }

    /// Starts the BLE thread for `config`, whose addresses are checked, and whose placements are
    /// distinct for a session (not for [`TapListener`], which only tells its sensors apart).
    fn launch(config: BleConfig, session_start: Instant) -> Result<Self, BleError> {
        let clock = SessionClock(session_start);
        let streams: Vec<SensorStream> = config
            .assignments
            .iter()
            .map(|a| {
                let stale_after = StaleMonitor::threshold_nanos(
                    secs_to_nanos(config.expected_step_secs),
                    secs_to_nanos(driver::packet_interval_secs(
                        a.kind,
                        config.packet_interval_secs,
                        config.rsc_interval_secs,
                    )),
                );
                let mut stream =
                    SensorStream::new(a.id.clone(), a.placement, a.kind, stale_after, config.clock)
                        .with_rate_hz(config.rate_hz);
                if config.keep_raw {
                    stream.keep_raw();
                }
                stream
            })
            .collect();
        let rate_hz = config.rate_hz;
        let (tx, rx) = mpsc::channel();
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel();
        let mut commands = Vec::new();
        let mut receivers = Vec::new();
        for _ in &config.assignments {
            let (ctx, crx) = tmpsc::unbounded_channel();
            commands.push(ctx);
            receivers.push(crx);
        }
        let thread = std::thread::Builder::new()
            .name("entrain-ble".into())
            .spawn(move || ble_thread(config, clock, tx, receivers, shutdown_rx))
            .map_err(|e| BleError::Stack(format!("cannot start the BLE thread: {e}")))?;
        Ok(Self {
            clock,
            streams,
            connections: vec![0; commands.len()],
            rx,
            commands,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
            fatal: None,
            rate_hz,
            scratch: Vec::new(),
        })
    }

    /// The session clock now, ns.
    pub fn now_nanos(&self) -> i64 {
        self.clock.now_nanos()
    }

    /// Counters per sensor.
    pub fn report(&self) -> Vec<LinkReport> {
        self.streams
            .iter()
            .zip(&self.connections)
            .map(|(s, &connections)| LinkReport {
                id: s.id().clone(),
                placement: s.placement(),
                stats: s.stats(),
                connections,
                drift_ppm: s.clock().fit().map(|f| f.drift_ppm()),
                link_latency_nanos: s.clock().latency().map(|l| l.latency_nanos),
            })
            .collect()
    }

    /// Raw samples decoded since the last call, per placement (only with
    /// [`BleConfig::keep_raw`]).
    pub fn take_raw(&mut self) -> Vec<(Placement, Vec<RawRecord>)> {
        self.streams
            .iter_mut()
            .map(|s| (s.placement(), s.take_raw()))
            .collect()
    }
}

fn secs_to_nanos(secs: f64) -> i64 {
    (secs * 1e9) as i64
}

impl SensorSource for BleSource {
    fn name(&self) -> String {
        "BLE".into()
    }

    fn sensors(&self) -> Vec<SensorInfo> {
        self.streams
            .iter()
            .map(|s| SensorInfo {
                id: s.id().clone(),
                name: format!("{} {}", driver::kind_label(s.kind()), s.id()),
                placement: s.placement(),
                sample_rate_hz: match s.kind() {
                    SensorKind::Movesense | SensorKind::PolarVeritySense => f64::from(self.rate_hz),
                    _ => s
                        .status()
                        .map(|st| st.scale.sample_rate_hz())
                        .unwrap_or(0.0),
                },
            })
            .collect()
    }

    fn poll(&mut self, now_nanos: i64, out: &mut Vec<SourceEvent>) -> Result<(), SourceError> {
        self.poll_each(now_nanos, |_, event| out.push(event))
    }
}

impl BleSource {
    /// [`SensorSource::poll`], each event handed to `emit` with the index of its sensor (in
    /// [`BleConfig::assignments`]).
    fn poll_each(
        &mut self,
        now_nanos: i64,
        mut emit: impl FnMut(usize, SourceEvent),
    ) -> Result<(), SourceError> {
        // One sensor's events at a time, in a buffer kept between polls (no allocation per
        // poll on the detection path).
        let mut out = std::mem::take(&mut self.scratch);
        let mut flush = |sensor: usize, out: &mut Vec<SourceEvent>| {
            for event in out.drain(..) {
                emit(sensor, event);
            }
        };
        if let Some(detail) = &self.fatal {
            return Err(SourceError::Failed {
                source_name: "BLE".into(),
                detail: detail.clone(),
            });
        }
        loop {
            match self.rx.try_recv() {
                Ok(Msg::Notification {
                    sensor,
                    channel,
                    bytes,
                    arrival_nanos,
                }) => {
                    if let Some(stream) = self.streams.get_mut(sensor) {
                        stream.on_notification(channel, &bytes, arrival_nanos, &mut out);
                        flush(sensor, &mut out);
                    }
                }
                Ok(Msg::Link {
                    sensor,
                    state,
                    at_nanos,
                }) => {
                    if let Some(stream) = self.streams.get_mut(sensor) {
                        if state == LinkState::Connected {
                            stream.rearm(at_nanos);
                            if let Some(c) = self.connections.get_mut(sensor) {
                                *c += 1;
                            }
                        }
                        out.push(SourceEvent::Link {
                            placement: stream.placement(),
                            state,
                            at_nanos,
                        });
                        flush(sensor, &mut out);
                    }
                }
                Ok(Msg::TimeSyncSent {
                    sensor,
                    token,
                    host_time_us,
                    sent_nanos,
                }) => {
                    if let Some(stream) = self.streams.get_mut(sensor) {
                        stream.on_time_sync_sent(token, host_time_us, sent_nanos);
                    }
                }
                Ok(Msg::Fatal(detail)) => {
                    self.fatal = Some(detail.clone());
                    return Err(SourceError::Failed {
                        source_name: "BLE".into(),
                        detail,
                    });
                }
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) => {
                    let detail = "the BLE thread stopped".to_string();
                    self.fatal = Some(detail.clone());
                    return Err(SourceError::Failed {
                        source_name: "BLE".into(),
                        detail,
                    });
                }
            }
        }
        for (sensor, (stream, command)) in self.streams.iter_mut().zip(&self.commands).enumerate() {
            let stale = stream.check_stale(now_nanos, &mut out);
            flush(sensor, &mut out);
            if stale {
                // Don't wait for the OS's supervision timeout: drop and re-establish the link.
                if command.send(Cmd::Reconnect).is_err() {
                    // The link's task is gone (the BLE thread is shutting down): nothing to
                    // reconnect.
                    tracing::debug!("stale sensor: its link task has ended, no reconnect sent");
                }
            }
        }
        self.scratch = out;
        Ok(())
    }
}

impl Drop for BleSource {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take()
            && shutdown.send(()).is_err()
        {
            // The BLE thread already ended (after a fatal error): nothing to stop.
            tracing::debug!("BLE thread already gone at shutdown");
        }
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::warn!("the BLE thread panicked");
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, BleError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| BleError::Stack(format!("cannot start the BLE runtime: {e}")))
}

async fn first_adapter() -> Result<Adapter, BleError> {
    let manager = Manager::new().await.map_err(|e| BleError::NoAdapter {
        detail: e.to_string(),
    })?;
    let adapters = manager.adapters().await.map_err(|e| BleError::NoAdapter {
        detail: e.to_string(),
    })?;
    adapters.into_iter().next().ok_or(BleError::NoAdapter {
        detail: "BlueZ lists no adapter".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_normalise_and_reject_names() {
        assert_eq!(
            normalise_id("aa-bb-cc-dd-ee-0f").as_deref(),
            Some("AA:BB:CC:DD:EE:0F")
        );
        assert_eq!(normalise_id("Entrain-L"), None);
        assert_eq!(normalise_id("AA:BB:CC:DD:EE"), None);
    }

    #[test]
    fn config_rejects_duplicates() {
        let a = |id: &str, placement| Assignment {
            id: SensorId(id.into()),
            placement,
            kind: SensorKind::Entrain,
        };
        let left = Placement::Foot(entrain_gait::Side::Left);
        let right = Placement::Foot(entrain_gait::Side::Right);
        assert!(
            BleConfig::new(vec![
                a("AA:00:00:00:00:01", left),
                a("aa:00:00:00:00:01", right)
            ])
            .check()
            .is_err()
        );
        assert!(
            BleConfig::new(vec![
                a("AA:00:00:00:00:01", left),
                a("AA:00:00:00:00:02", left)
            ])
            .check()
            .is_err()
        );
        assert!(
            BleConfig::new(vec![
                a("AA:00:00:00:00:01", left),
                a("AA:00:00:00:00:02", right)
            ])
            .check()
            .is_ok()
        );
        assert!(BleConfig::new(vec![a("bed 3 left", left)]).check().is_err());
    }
}
