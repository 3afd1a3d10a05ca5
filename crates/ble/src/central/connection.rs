//! The BLE thread's side of [`super::BleSource`]: the tokio runtime, and one task per assigned
//! sensor that finds it, connects, subscribes, forwards every notification with its arrival time,
//! writes the time syncs, and reconnects after a loss (see the parent module).

// Its types (`Msg`, `Cmd`, the config) and helpers are the parent's, private to the two.
use super::*;

pub(super) fn ble_thread(
    config: BleConfig,
    clock: SessionClock,
    tx: mpsc::Sender<Msg>,
    receivers: Vec<tmpsc::UnboundedReceiver<Cmd>>,
    shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    let runtime = match runtime() {
        Ok(r) => r,
        Err(e) => {
            fatal(&tx, e.to_string());
            return;
        }
    };
    runtime.block_on(async move {
        let adapter = match first_adapter().await {
            Ok(a) => a,
            Err(e) => {
                fatal(&tx, e.to_string());
                return;
            }
        };
        // Scan so BlueZ knows the sensors; keep scanning while the session runs, so a sensor
        // that went out of range is found again when it returns. Unfiltered: a Movesense
        // advertises no service, and sensors are taken by address only.
        if let Err(e) = adapter.start_scan(ScanFilter::default()).await {
            fatal(&tx, format!("cannot start scanning: {e}"));
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
                rate_hz: config.rate_hz,
            };
            tasks.push(tokio::spawn(link.run(commands)));
        }
        if shutdown.await.is_err() {
            // The source was dropped without sending: shut down all the same.
            tracing::debug!("BLE source dropped without a shutdown signal");
        }
        for task in &tasks {
            task.abort();
        }
        // Leave the sensors as we found them: disconnected.
        let disconnected = tokio::time::timeout(Duration::from_secs(2), async {
            if let Ok(peripherals) = adapter.peripherals().await {
                for p in peripherals {
                    if config
                        .assignments
                        .iter()
                        .any(|a| normalise_id(&a.id.0) == Some(p.address().to_string()))
                        && let Err(e) = p.disconnect().await
                    {
                        tracing::warn!("BLE shutdown: cannot disconnect {}: {e}", p.address());
                    }
                }
            }
        })
        .await;
        if disconnected.is_err() {
            tracing::warn!("BLE shutdown: disconnecting the sensors took over 2 s; left to BlueZ");
        }
        if let Err(e) = adapter.stop_scan().await {
            tracing::warn!("BLE shutdown: cannot stop scanning: {e}");
        }
    });
}

/// Tells the poll side the BLE thread cannot go on.
fn fatal(tx: &mpsc::Sender<Msg>, why: String) {
    if tx.send(Msg::Fatal(why)).is_err() {
        receiver_gone("fatal error");
    }
}

/// A message the poll side will never read: the [`BleSource`] was dropped (the session ended)
/// and the thread is shutting down, so losing it is harmless.
fn receiver_gone(what: &str) {
    tracing::debug!("BLE {what} not delivered: the source is shutting down");
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
    rate_hz: u16,
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
        let sent = self.tx.send(Msg::Link {
            sensor: self.index,
            state,
            at_nanos: self.clock.now_nanos(),
        });
        if sent.is_err() {
            receiver_gone("link state");
        }
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
                if let Err(e) = peripheral.disconnect().await {
                    tracing::warn!(
                        "sensor {}: cannot disconnect after a failed setup: {e}",
                        self.index
                    );
                }
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
                        if let Some(channel) = driver::channel_of(n.uuid.as_u128()) {
                            // Unbounded: never blocks.
                            let sent = self.tx.send(Msg::Notification {
                                sensor: self.index,
                                channel,
                                bytes: n.value,
                                arrival_nanos,
                            });
                            if sent.is_err() {
                                receiver_gone("notification");
                            }
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
                        if let Err(e) = peripheral.disconnect().await {
                            tracing::warn!("sensor {}: cannot drop the stale link: {e}", self.index);
                        }
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
            let sent = tx.send(Msg::TimeSyncSent {
                sensor,
                token,
                host_time_us,
                sent_nanos,
            });
            if sent.is_err() {
                receiver_gone("time sync");
            }
            if let Err(e) = peripheral
                .write(&control, &buf[..n], WriteType::WithResponse)
                .await
            {
                // A round trip lost, nothing more (see above).
                tracing::debug!("sensor {sensor}: time-sync write failed: {e}");
            }
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
        let kind = self.assignment.kind;
        for wanted in driver::subscriptions(kind) {
            match by_uuid.get(&wanted.uuid) {
                Some(c) => peripheral.subscribe(c).await.map_err(|e| {
                    format!(
                        "sensor {id}: cannot subscribe to {}: {e}",
                        Uuid::from_u128(wanted.uuid)
                    )
                })?,
                None if wanted.required => {
                    return Err(format!(
                        "sensor {id}: characteristic {} missing: not a {}?",
                        Uuid::from_u128(wanted.uuid),
                        driver::kind_label(kind)
                    ));
                }
                None => {}
            }
        }
        let control = by_uuid.get(&uuid::CONTROL).cloned();
        for &(u, channel) in driver::reads(kind) {
            if let Some(c) = by_uuid.get(&u) {
                match peripheral.read(c).await {
                    Ok(bytes) => self.forward(channel, bytes),
                    Err(e) => {
                        tracing::debug!("sensor {id}: cannot read {}: {e}", Uuid::from_u128(u))
                    }
                }
            }
        }
        // Start streaming: the driver's writes, and for a sensor that answers (Polar) its
        // answers fed back until it is streaming. Every notification still goes to the poll
        // side, which decodes the answers the same way.
        let mut setup = driver::Setup::new(kind, self.assignment.placement, self.rate_hz);
        let mut writes = setup.begin().map_err(|e| format!("sensor {id}: {e}"))?;
        let mut notifications = notifications;
        loop {
            for w in writes.drain(..) {
                let c = by_uuid.get(&w.uuid).ok_or_else(|| {
                    format!(
                        "sensor {id}: characteristic {} missing: not a {}?",
                        Uuid::from_u128(w.uuid),
                        driver::kind_label(kind)
                    )
                })?;
                peripheral
                    .write(c, &w.bytes, WriteType::WithResponse)
                    .await
                    .map_err(|e| {
                        format!(
                            "sensor {id}: write to {} failed: {e}",
                            Uuid::from_u128(w.uuid)
                        )
                    })?;
            }
            if setup.is_done() {
                break;
            }
            // The caller's connect timeout bounds this wait.
            let Some(n) = notifications.next().await else {
                return Err(format!("sensor {id}: disconnected while starting"));
            };
            let Some(channel) = driver::channel_of(n.uuid.as_u128()) else {
                continue;
            };
            writes = setup
                .on_notification(channel, &n.value)
                .map_err(|e| format!("sensor {id}: {e}"))?;
            self.forward(channel, n.value);
        }
        Ok((notifications, control))
    }

    /// Hands a value to the poll side, stamped with its arrival.
    fn forward(&self, channel: Channel, bytes: Vec<u8>) {
        let sent = self.tx.send(Msg::Notification {
            sensor: self.index,
            channel,
            bytes,
            arrival_nanos: self.clock.now_nanos(),
        });
        if sent.is_err() {
            receiver_gone("notification");
        }
    }
}
