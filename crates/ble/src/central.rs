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
use super::link::StaleMonitor;
use super::stream::{Channel, RawRecord, SensorStream, StreamStats};
use super::timesync::TimeSyncSchedule;
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
    /// Battery, percent, if advertised (Entrain sensors put it in the advertisement's service
    /// data under the Battery Service UUID 0x180F).
    pub battery_percent: Option<u8>,
    /// Entrain sensor or RSC foot pod.
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
        }
    }

    fn check(&self) -> Result<(), BleError> {
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
        let clock = SessionClock(session_start);
        let streams: Vec<SensorStream> = config
            .assignments
            .iter()
            .map(|a| {
                let stale_after = match a.kind {
                    SensorKind::Entrain => StaleMonitor::threshold_nanos(
                        secs_to_nanos(config.expected_step_secs),
                        secs_to_nanos(config.packet_interval_secs),
                    ),
                    SensorKind::Rsc { .. } => StaleMonitor::threshold_nanos(
                        secs_to_nanos(config.expected_step_secs),
                        secs_to_nanos(config.rsc_interval_secs),
                    ),
                };
                let mut stream =
                    SensorStream::new(a.id.clone(), a.placement, a.kind, stale_after, config.clock);
                if config.keep_raw {
                    stream.keep_raw();
                }
                stream
            })
            .collect();
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
                name: match s.kind() {
                    SensorKind::Entrain => format!("Entrain sensor {}", s.id()),
                    SensorKind::Rsc { .. } => format!("RSC foot pod {}", s.id()),
                },
                placement: s.placement(),
                sample_rate_hz: s
                    .status()
                    .map(|st| st.scale.sample_rate_hz())
                    .unwrap_or(0.0),
            })
            .collect()
    }

    fn poll(&mut self, now_nanos: i64, out: &mut Vec<SourceEvent>) -> Result<(), SourceError> {
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
                        stream.on_notification(channel, &bytes, arrival_nanos, out);
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
        for (stream, command) in self.streams.iter_mut().zip(&self.commands) {
            if stream.check_stale(now_nanos, out) {
                // Don't wait for the OS's supervision timeout: drop and re-establish the link.
                let _ = command.send(Cmd::Reconnect);
            }
        }
        Ok(())
    }
}

impl Drop for BleSource {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Scans for `duration` and lists Entrain sensors and RSC foot pods nearby, strongest first.
/// Other devices are filtered out here (BlueZ merges the scan filters of all its clients).
pub fn scan(duration: Duration) -> Result<Vec<FoundSensor>, BleError> {
    let runtime = runtime()?;
    runtime.block_on(async move {
        let adapter = first_adapter().await?;
        adapter
            .start_scan(ScanFilter {
                services: vec![
                    Uuid::from_u128(uuid::SERVICE),
                    Uuid::from_u128(uuid::RSC_SERVICE),
                ],
            })
            .await
            .map_err(|e| BleError::Stack(format!("cannot start scanning: {e}")))?;
        tokio::time::sleep(duration).await;
        let peripherals = adapter
            .peripherals()
            .await
            .map_err(|e| BleError::Stack(format!("cannot list devices: {e}")))?;
        let _ = adapter.stop_scan().await;
        let mut found = Vec::new();
        for p in peripherals {
            let Ok(Some(props)) = p.properties().await else {
                continue;
            };
            let Some(kind) = kind_of(&props.services) else {
                continue;
            };
            let battery_percent = props
                .service_data
                .get(&Uuid::from_u128(uuid::BATTERY_SERVICE))
                .and_then(|d| d.first().copied())
                .filter(|&b| b <= 100);
            found.push(FoundSensor {
                id: SensorId(p.address().to_string()),
                name: props.local_name.unwrap_or_else(|| "(no name)".into()),
                rssi_dbm: props.rssi,
                battery_percent,
                kind,
            });
        }
        found.sort_by_key(|f| std::cmp::Reverse(f.rssi_dbm.unwrap_or(i16::MIN)));
        Ok(found)
    })
}

fn kind_of(services: &[Uuid]) -> Option<SensorKind> {
    if services.contains(&Uuid::from_u128(uuid::SERVICE)) {
        Some(SensorKind::Entrain)
    } else if services.contains(&Uuid::from_u128(uuid::RSC_SERVICE)) {
        Some(SensorKind::Rsc {
            cadence_is_strides: false,
        })
    } else {
        None
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

fn ble_thread(
    config: BleConfig,
    clock: SessionClock,
    tx: mpsc::Sender<Msg>,
    receivers: Vec<tmpsc::UnboundedReceiver<Cmd>>,
    shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    let runtime = match runtime() {
        Ok(r) => r,
        Err(e) => {
            let _ = tx.send(Msg::Fatal(e.to_string()));
            return;
        }
    };
    runtime.block_on(async move {
        let adapter = match first_adapter().await {
            Ok(a) => a,
            Err(e) => {
                let _ = tx.send(Msg::Fatal(e.to_string()));
                return;
            }
        };
        // Scan so BlueZ knows the sensors; keep scanning while the session runs, so a sensor
        // that went out of range is found again when it returns.
        if let Err(e) = adapter
            .start_scan(ScanFilter {
                services: vec![
                    Uuid::from_u128(uuid::SERVICE),
                    Uuid::from_u128(uuid::RSC_SERVICE),
                ],
            })
            .await
        {
            let _ = tx.send(Msg::Fatal(format!("cannot start scanning: {e}")));
            return;
        }
        let connect_lock = std::sync::Arc::new(tokio::sync::Mutex::new(()));
        let mut tasks = Vec::new();
        for (index, (assignment, commands)) in config
            .assignments
            .iter()
            .cloned()
            .zip(receivers)
            .enumerate()
        {
            let link = SensorLink {
                index,
                assignment,
                adapter: adapter.clone(),
                tx: tx.clone(),
                clock,
                connect_lock: connect_lock.clone(),
                connect_timeout: Duration::from_secs_f64(config.connect_timeout_secs.max(0.1)),
                backoff: Duration::from_secs_f64(config.reconnect_backoff_secs.max(0.0)),
                time_sync: config.time_sync,
            };
            tasks.push(tokio::spawn(link.run(commands)));
        }
        let _ = shutdown.await;
        for task in &tasks {
            task.abort();
        }
        // Leave the sensors as we found them: disconnected.
        let _ = tokio::time::timeout(Duration::from_secs(2), async {
            if let Ok(peripherals) = adapter.peripherals().await {
                for p in peripherals {
                    if config
                        .assignments
                        .iter()
                        .any(|a| normalise_id(&a.id.0) == Some(p.address().to_string()))
                    {
                        let _ = p.disconnect().await;
                    }
                }
            }
        })
        .await;
        let _ = adapter.stop_scan().await;
    });
}

struct SensorLink {
    index: usize,
    assignment: Assignment,
    adapter: Adapter,
    tx: mpsc::Sender<Msg>,
    clock: SessionClock,
    connect_lock: std::sync::Arc<tokio::sync::Mutex<()>>,
    connect_timeout: Duration,
    backoff: Duration,
    time_sync: Option<TimeSyncSchedule>,
}

/// Tokens of time-sync commands: 16..=255, apart from the setup commands' (1, 2).
fn next_sync_token(token: u8) -> u8 {
    token.checked_add(1).unwrap_or(16).max(16)
}

/// Why a connected session with a sensor ended.
enum Ended {
    Disconnected,
    Stale,
    Failed(String),
}

impl SensorLink {
    fn send_link(&self, state: LinkState) {
        let _ = self.tx.send(Msg::Link {
            sensor: self.index,
            state,
            at_nanos: self.clock.now_nanos(),
        });
    }

    async fn run(self, mut commands: tmpsc::UnboundedReceiver<Cmd>) {
        // Attempts after a loss back off exponentially (to 5 s); the clinician sees one `Lost`
        // with its reason and one `Reconnecting` per loss, not one per failed attempt.
        let max_backoff = Duration::from_secs(5).max(self.backoff);
        let mut backoff = self.backoff;
        let mut reported_loss = false;
        // Carried across connections, so a late response can never pass for a newer command.
        let mut sync_token = 16u8;
        loop {
            let (ended, connected) = match self.find().await {
                Some(peripheral) => {
                    self.session(&peripheral, &mut commands, &mut sync_token)
                        .await
                }
                None => (
                    Ended::Failed(format!(
                        "sensor {} not found (is it on and in range?)",
                        self.assignment.id
                    )),
                    false,
                ),
            };
            if connected {
                backoff = self.backoff;
                reported_loss = false;
            }
            if !reported_loss {
                let reason = match ended {
                    Ended::Disconnected => "link lost (disconnected)".to_string(),
                    Ended::Stale => "stream stale; reconnecting".to_string(),
                    Ended::Failed(why) => why,
                };
                self.send_link(LinkState::Lost { reason });
                self.send_link(LinkState::Reconnecting);
                reported_loss = true;
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(max_backoff);
        }
    }

    /// The assigned sensor among the devices BlueZ knows, matched by address only.
    async fn find(&self) -> Option<Peripheral> {
        let want = normalise_id(&self.assignment.id.0)?;
        let deadline = tokio::time::Instant::now() + self.connect_timeout;
        loop {
            if let Ok(peripherals) = self.adapter.peripherals().await
                && let Some(p) = peripherals
                    .into_iter()
                    .find(|p| p.address().to_string() == want)
            {
                return Some(p);
            }
            if tokio::time::Instant::now() > deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn session(
        &self,
        peripheral: &Peripheral,
        commands: &mut tmpsc::UnboundedReceiver<Cmd>,
        sync_token: &mut u8,
    ) -> (Ended, bool) {
        // Drop stale reconnect requests from before this connection.
        while commands.try_recv().is_ok() {}
        let mut events = match self.adapter.events().await {
            Ok(e) => e,
            Err(e) => {
                return (
                    Ended::Failed(format!("cannot watch adapter events: {e}")),
                    false,
                );
            }
        };
        let setup = {
            let _one_at_a_time = self.connect_lock.lock().await;
            tokio::time::timeout(self.connect_timeout, self.connect_and_subscribe(peripheral))
                .await
                .unwrap_or_else(|_| {
                    Err(format!(
                        "sensor {}: connection timed out",
                        self.assignment.id
                    ))
                })
        };
        let (mut notifications, control) = match setup {
            Ok(s) => s,
            Err(why) => {
                let _ = peripheral.disconnect().await;
                return (Ended::Failed(why), false);
            }
        };
        self.send_link(LinkState::Connected);
        let my_id = peripheral.id();
        // Time syncs only after `Connected` is sent: the poll side forgets unanswered ones then.
        let sync = match (self.assignment.kind, control, self.time_sync) {
            (SensorKind::Entrain, Some(control), Some(schedule)) => Some((control, schedule)),
            _ => None,
        };
        let mut syncs_sent = 0u32;
        let mut sync_write: Option<tokio::task::JoinHandle<()>> = None;
        let sync_timer = tokio::time::sleep(
            sync.as_ref()
                .map(|(_, s)| s.delay_before(0))
                .unwrap_or(Duration::ZERO),
        );
        tokio::pin!(sync_timer);
        let ended = loop {
            tokio::select! {
                () = &mut sync_timer, if sync.is_some() => {
                    if let Some((control, schedule)) = &sync {
                        // One at a time: a write still waiting means the link is slow, and a
                        // second round trip queued behind it would only be slower.
                        if sync_write.as_ref().is_none_or(|w| w.is_finished()) {
                            sync_write = Some(self.send_time_sync(peripheral, control, *sync_token));
                            *sync_token = next_sync_token(*sync_token);
                            syncs_sent += 1;
                        }
                        sync_timer
                            .as_mut()
                            .reset(tokio::time::Instant::now() + schedule.delay_before(syncs_sent));
                    }
                }
                n = notifications.next() => match n {
                    Some(n) => {
                        let arrival_nanos = self.clock.now_nanos();
                        if let Some(channel) = channel_of(n.uuid) {
                            // Unbounded: never blocks.
                            let _ = self.tx.send(Msg::Notification {
                                sensor: self.index,
                                channel,
                                bytes: n.value,
                                arrival_nanos,
                            });
                        }
                    }
                    None => break Ended::Disconnected,
                },
                e = events.next() => match e {
                    Some(CentralEvent::DeviceDisconnected(id)) if id == my_id => {
                        break Ended::Disconnected;
                    }
                    Some(_) => {}
                    None => break Ended::Failed("adapter event stream ended".into()),
                },
                c = commands.recv() => match c {
                    Some(Cmd::Reconnect) => {
                        let _ = peripheral.disconnect().await;
                        break Ended::Stale;
                    }
                    None => break Ended::Failed("source closed".into()),
                },
            }
        };
        if let Some(write) = sync_write {
            write.abort();
        }
        (ended, true)
    }

    /// Writes a time sync from a task of its own (a write with response takes a connection
    /// event or two each way; the notification loop must not wait for it). The session time is
    /// taken just before the write and sent to the poll side before it, so it always precedes
    /// the response there. A failed write is a round trip lost, nothing more: sensors that do
    /// not support time sync keep working as before.
    fn send_time_sync(
        &self,
        peripheral: &Peripheral,
        control: &Characteristic,
        token: u8,
    ) -> tokio::task::JoinHandle<()> {
        let peripheral = peripheral.clone();
        let control = control.clone();
        let tx = self.tx.clone();
        let clock = self.clock;
        let sensor = self.index;
        tokio::spawn(async move {
            let sent_nanos = clock.now_nanos();
            let host_time_us = u64::try_from(sent_nanos / 1000).unwrap_or(0);
            let mut buf = [0u8; MAX_COMMAND_LEN];
            let command = Command {
                token,
                operation: Operation::TimeSync { host_time_us },
            };
            let Ok(n) = command.encode(&mut buf) else {
                return;
            };
            let _ = tx.send(Msg::TimeSyncSent {
                sensor,
                token,
                host_time_us,
                sent_nanos,
            });
            let _ = peripheral
                .write(&control, &buf[..n], WriteType::WithResponse)
                .await;
        })
    }

    async fn connect_and_subscribe(
        &self,
        peripheral: &Peripheral,
    ) -> Result<
        (
            std::pin::Pin<Box<dyn futures::Stream<Item = btleplug::api::ValueNotification> + Send>>,
            Option<Characteristic>,
        ),
        String,
    > {
        let id = &self.assignment.id;
        if !peripheral.is_connected().await.unwrap_or(false) {
            peripheral
                .connect()
                .await
                .map_err(|e| format!("sensor {id}: cannot connect: {e}"))?;
        }
        peripheral
            .discover_services()
            .await
            .map_err(|e| format!("sensor {id}: service discovery failed: {e}"))?;
        let by_uuid: BTreeMap<u128, Characteristic> = peripheral
            .characteristics()
            .into_iter()
            .map(|c| (c.uuid.as_u128(), c))
            .collect();
        // Subscribe after taking the notification stream, so nothing is missed.
        let notifications = peripheral
            .notifications()
            .await
            .map_err(|e| format!("sensor {id}: cannot receive notifications: {e}"))?;
        let wanted: &[(u128, bool)] = match self.assignment.kind {
            SensorKind::Entrain => &[
                (uuid::IMU, true),
                (uuid::STATUS, true),
                (uuid::CONTROL, true),
                (uuid::STEP, false),
            ],
            SensorKind::Rsc { .. } => {
                &[(uuid::RSC_MEASUREMENT, true), (uuid::BATTERY_LEVEL, false)]
            }
        };
        for &(u, required) in wanted {
            match by_uuid.get(&u) {
                Some(c) => peripheral.subscribe(c).await.map_err(|e| {
                    format!(
                        "sensor {id}: cannot subscribe to {}: {e}",
                        Uuid::from_u128(u)
                    )
                })?,
                None if required => {
                    return Err(format!(
                        "sensor {id}: characteristic {} missing: not a {} sensor?",
                        Uuid::from_u128(u),
                        match self.assignment.kind {
                            SensorKind::Entrain => "Entrain",
                            SensorKind::Rsc { .. } => "Running Speed and Cadence",
                        }
                    ));
                }
                None => {}
            }
        }
        let control = by_uuid.get(&uuid::CONTROL).cloned();
        if self.assignment.kind == SensorKind::Entrain {
            if let Some(status) = by_uuid.get(&uuid::STATUS)
                && let Ok(bytes) = peripheral.read(status).await
            {
                let _ = self.tx.send(Msg::Notification {
                    sensor: self.index,
                    channel: Channel::Status,
                    bytes,
                    arrival_nanos: self.clock.now_nanos(),
                });
            }
            if let Some(control) = &control {
                let placement = match self.assignment.placement {
                    Placement::Foot(entrain_gait::Side::Left) => {
                        entrain_protocol::SensorPlacement::LeftFoot
                    }
                    Placement::Foot(entrain_gait::Side::Right) => {
                        entrain_protocol::SensorPlacement::RightFoot
                    }
                    Placement::LowerBack => entrain_protocol::SensorPlacement::LowerBack,
                };
                for (token, operation) in [
                    (1u8, Operation::SetPlacement(placement)),
                    (2u8, Operation::Start),
                ] {
                    let mut buf = [0u8; MAX_COMMAND_LEN];
                    let n = Command { token, operation }
                        .encode(&mut buf)
                        .map_err(|e| format!("sensor {id}: {e}"))?;
                    peripheral
                        .write(control, &buf[..n], WriteType::WithResponse)
                        .await
                        .map_err(|e| format!("sensor {id}: control point write failed: {e}"))?;
                }
            }
        }
        Ok((notifications, control))
    }
}

fn channel_of(u: Uuid) -> Option<Channel> {
    match u.as_u128() {
        uuid::IMU => Some(Channel::Imu),
        uuid::STEP => Some(Channel::Step),
        uuid::STATUS => Some(Channel::Status),
        uuid::CONTROL => Some(Channel::Control),
        uuid::RSC_MEASUREMENT => Some(Channel::Rsc),
        uuid::BATTERY_LEVEL => Some(Channel::Battery),
        _ => None,
    }
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
