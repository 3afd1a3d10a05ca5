//! The engine's threads: the session loop (sensor polling on the session clock, the core, audio
//! or visual cue, commands, snapshots) and the store writer (a batch committed every 250 ms).

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use entrain_audio::{MetronomeConfig, Overlay};
use entrain_source::{SensorSource, SourceEvent};
use entrain_store::{Batch, NewSession, SessionSensor, SessionStatus, Store, StoreError};

use crate::core::{EngineCommand, EngineConfig, EngineCore, EngineOutput};
use crate::error::EngineError;
use crate::music::{LoadedMusic, MusicLoadError, overlay_columns};
use crate::session_audio::SessionAudio;
use crate::snapshot::Snapshot;
use crate::writer::{self, WriterMsg};

/// How session time passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The monotonic clock since `origin`, session time zero; the loop sleeps between ticks. A
    /// source that maps sensor clocks (BLE) must be started with the same origin.
    RealTime {
        /// Session time zero.
        origin: Instant,
    },
    /// Simulated time, as fast as possible (tests, headless runs).
    Simulated,
}

/// Where the beat goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AudioOutput {
    /// No sound: a visual cue (beats count as played when due).
    Off,
    /// The metronome on an output device (visual cue while there is none).
    Device(MetronomeConfig),
}

/// Music for the cue: the track (or why it could not be loaded: the session is then cued by
/// clicks and says so) and the overlay. On simulated time or with no device the beats the music
/// would be played on are the ones the virtual patient hears, and its segments are recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionMusic {
    /// The track, or why not.
    pub track: Result<LoadedMusic, MusicLoadError>,
    /// Music, music and click, or click.
    pub overlay: Overlay,
    /// Further tracks (a playlist's, the patient's), in their order: when the target tempo moves
    /// beyond the stretch limit of the track playing
    /// ([`crate::music_choice::DEFAULT_MAX_STRETCH_PERCENT`]), the one
    /// [`crate::music_choice::choose_track`] picks goes on; on [`crate::MusicCommand::SkipTrack`]
    /// the next one. The one that played goes to the back. Loaded when needed, off the session
    /// loop. Empty: the one track only.
    pub candidates: Vec<crate::music_choice::MusicCandidate>,
    /// The record whose music library holds imported files' beats and confirmed tempo (read
    /// when a further track is loaded); `None`: files are analysed then.
    pub library_db: Option<PathBuf>,
}

impl SessionMusic {
    /// `track` alone, with `overlay`.
    pub fn new(track: Result<LoadedMusic, MusicLoadError>, overlay: Overlay) -> Self {
        Self {
            track,
            overlay,
            candidates: Vec::new(),
            library_db: None,
        }
    }
}

/// Where the session is recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    /// The database file.
    pub db_path: PathBuf,
    /// The patient, if any.
    pub patient_id: Option<i64>,
    /// The source as the user named it (`sim:entrains`, `replay:...`, `ble`).
    pub source_label: String,
}

/// Runtime settings.
#[derive(Debug, Clone, PartialEq)]
pub struct RuntimeConfig {
    /// The core's settings.
    pub engine: EngineConfig,
    /// Real or simulated time.
    pub clock: Clock,
    /// Loop period, ns.
    pub tick_nanos: i64,
    /// Audio.
    pub audio: AudioOutput,
    /// Music along the beat (clicks only when `None`).
    pub music: Option<SessionMusic>,
    /// The record, if any.
    pub recording: Option<Recording>,
    /// Ends the session at this session time, ns.
    pub max_nanos: Option<i64>,
    /// Start the protocol at once (otherwise on [`EngineCommand::Start`]).
    pub auto_start: bool,
}

/// Something the session loop reports as it happens (for a console or a log).
#[derive(Debug, Clone, PartialEq)]
pub enum EngineEvent {
    /// The record is open: this session id.
    Recording {
        /// Session id.
        session_id: i64,
    },
    /// A step was detected.
    Step(entrain_store::StepRow),
    /// A beat was committed.
    Beat {
        /// When it sounds, ns.
        time_nanos: i64,
        /// Its tempo, steps/min.
        tempo_spm: f64,
    },
    /// A clinician-readable notice.
    Notice(String),
    /// A batch reached the disk, up to this session time.
    Flushed {
        /// Session time covered, ns.
        up_to_nanos: i64,
        /// Steps stored so far.
        steps_stored: u64,
    },
}

/// How a session ended.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    /// The recorded session, if recorded.
    pub session_id: Option<i64>,
    /// Final status.
    pub status: SessionStatus,
    /// Why it ended.
    pub reason: String,
    /// Session time at the end, ns.
    pub end_nanos: i64,
    /// The final snapshot.
    pub snapshot: Snapshot,
    /// The first recording error, if any batch could not be stored.
    pub store_error: Option<String>,
}

/// A running session: its snapshot, its command channel, its event stream.
#[derive(Debug)]
pub struct EngineHandle {
    snapshot: Arc<Mutex<Snapshot>>,
    commands: Sender<EngineCommand>,
    events: Receiver<EngineEvent>,
    stop: Stopper,
    thread: Option<JoinHandle<Result<RunSummary, EngineError>>>,
}

/// Asks a running session to stop now, for a reason of the caller's (a signal), through the
/// normal end: the protocol is stopped, every batch flushed, the row closed `stopped` with that
/// reason. Cloneable, `Send`: a signal-watching thread holds one.
#[derive(Debug, Clone, Default)]
pub struct Stopper(Arc<Mutex<Option<String>>>);

impl Stopper {
    /// Stops the session with this reason (the first reason given wins).
    pub fn stop(&self, reason: String) {
        match self.0.lock() {
            Ok(mut r) => {
                r.get_or_insert(reason);
            }
            Err(_) => tracing::error!("the stop request could not be passed on (lock poisoned)"),
        }
    }

    fn take(&self) -> Option<String> {
        self.0.lock().ok().and_then(|mut r| r.take())
    }
}

/// The reason a session stopped by a signal is stored with (one wording, everywhere).
pub fn stopped_by_signal(signal_name: &str) -> String {
    format!("stopped by signal {signal_name}")
}

impl EngineHandle {
    /// The latest snapshot.
    pub fn snapshot(&self) -> Snapshot {
        self.snapshot.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Sends a clinician command (ignored once the session is over).
    pub fn command(&self, command: EngineCommand) {
        if let Err(mpsc::SendError(command)) = self.commands.send(command) {
            // The session loop has ended: there is nothing left for the command to act on.
            tracing::debug!(?command, "command after the session ended, ignored");
        }
    }

    /// A sender for commands from another thread.
    pub fn command_sender(&self) -> Sender<EngineCommand> {
        self.commands.clone()
    }

    /// A handle that stops the session with a reason, from any thread.
    pub fn stopper(&self) -> Stopper {
        self.stop.clone()
    }

    /// The event stream.
    pub fn events(&self) -> &Receiver<EngineEvent> {
        &self.events
    }

    /// Waits for the session to end.
    pub fn join(mut self) -> Result<RunSummary, EngineError> {
        match self.thread.take() {
            Some(t) => t.join().map_err(|_| EngineError::Thread("session"))?,
            None => Err(EngineError::Thread("session")),
        }
    }
}

/// The event stream's sending side. The receiver goes away only when the caller dropped its
/// [`EngineHandle`] without joining: nobody follows the session any more, and nothing recorded
/// travels this way (the record has its own writer), so a lost event is harmless. Said once.
pub(crate) struct EventSink {
    tx: Sender<EngineEvent>,
    listened: bool,
}

impl EventSink {
    pub(crate) fn new(tx: Sender<EngineEvent>) -> Self {
        Self { tx, listened: true }
    }

    pub(crate) fn emit(&mut self, event: EngineEvent) {
        if self.tx.send(event).is_err() && self.listened {
            self.listened = false;
            tracing::debug!("nobody follows the session's events any more; no more are sent");
        }
    }
}

/// Hands batches to the store writer. The writer only ends when told to or when this side hangs
/// up, so a failed send means it died (panicked): the batch is lost. That is logged (once), and the
/// clinician learns it from the run's `store_error` when the session ends.
struct WriterLink {
    tx: Sender<WriterMsg>,
    alive: bool,
}

impl WriterLink {
    fn send(&mut self, msg: WriterMsg) {
        if self.tx.send(msg).is_err() && self.alive {
            self.alive = false;
            tracing::error!(
                "the store writer has stopped: the rest of the session is not recorded"
            );
        }
    }
}

/// Rows and samples the session loop gathers at most before it hands them to the writer.
const SEND_AT_ITEMS: usize = 1_000;

/// Starts a session on its own threads.
pub fn start(
    mut config: RuntimeConfig,
    mut source: Box<dyn SensorSource>,
) -> Result<EngineHandle, EngineError> {
    if let Some(SessionMusic { track: Ok(m), .. }) = &config.music {
        // The cue counts bars in the music's meter (fading by whole bars).
        config.engine.protocol.meter = crate::music::meter_of(&m.track);
        // Music heard: its beats land on the cue's only if each is committed early enough for
        // the music path (the worker's ring, the stretcher, the device) to bend the track to it.
        let needed_ms = crate::music::music_schedule_lead_ms(m.track.rate_hz);
        let lead_ms = &mut config.engine.protocol.schedule_lead_ms;
        if matches!(config.audio, AudioOutput::Device(_)) && *lead_ms < needed_ms {
            tracing::info!(
                from_ms = *lead_ms,
                to_ms = needed_ms,
                "music: beats are committed further ahead, as the music needs"
            );
            *lead_ms = needed_ms;
        }
    }
    let sensors = source.sensors();
    let mut core = EngineCore::new(config.engine.clone(), &source.name(), &sensors)?;
    let (event_tx, event_rx) = mpsc::channel();
    let mut events = EventSink::new(event_tx);
    let store_status = Arc::new(Mutex::new(String::from("not recorded")));
    let mut recorder = Recorder::Off;
    if let Some(rec) = &config.recording {
        // Opened now, so a record that cannot be opened fails at once; the session's row is
        // begun at Start (`Recorder::begin`), and nothing from before Start is stored.
        let store = Store::open(&rec.db_path)?;
        for id in store.recovered_sessions() {
            tracing::warn!(
                session_id = id,
                "a session had been interrupted (its process ended without closing it); marked interrupted"
            );
            events.emit(EngineEvent::Notice(format!(
                "session {id} had been interrupted (the process ended without closing it); marked interrupted"
            )));
        }
        let settings_json = serde_json::json!({
            // Structured, so the record can be read back by anything; the report still reads
            // the Rust `Debug` text older sessions stored.
            "protocol": serde_json::to_value(&config.engine.protocol)
                .unwrap_or_else(|_| serde_json::json!(format!("{:?}", config.engine.protocol))),
            "sensor_gap_nanos": config.engine.sensor_gap_nanos,
            "clock": format!("{:?}", config.clock),
            // What was asked for; whether a device opened and which beats were heard is in the
            // session's `audio` events (a request is not a sound).
            "audio_requested": matches!(config.audio, AudioOutput::Device(_)),
            // The track asked for; what was played is in `music_segments`, a failure in the
            // `audio` events.
            "music_requested": config.music.as_ref().map(|m| serde_json::json!({
                "track": match &m.track {
                    Ok(t) => t.label.clone(),
                    Err(e) => e.track.clone(),
                },
                "overlay": overlay_columns(m.overlay).0,
                "click_level": overlay_columns(m.overlay).1,
            })),
        })
        .to_string();
        let new_session = NewSession {
            patient_id: rec.patient_id,
            source: rec.source_label.clone(),
            protocol: "ras".into(),
            settings_json,
            sensors: sensors
                .iter()
                .map(|s| SessionSensor {
                    placement: s.placement,
                    sensor_key: s.id.0.clone(),
                    name: s.name.clone(),
                    sample_rate_hz: s.sample_rate_hz,
                })
                .collect(),
        };
        if let Ok(mut s) = store_status.lock() {
            *s = WAITING_FOR_START.into();
        }
        recorder = Recorder::Waiting {
            store: Box::new(store),
            new_session: Box::new(new_session),
            source: rec.source_label.clone(),
            db: rec.db_path.display().to_string(),
        };
    } else {
        tracing::info!(source = %source.name(), "session opened, not recorded");
    }
    let snapshot = Arc::new(Mutex::new(core.snapshot()));
    let (cmd_tx, cmd_rx) = mpsc::channel();
    let shared = Arc::clone(&snapshot);
    let stop = Stopper::default();
    let stop_requests = stop.clone();
    let thread = std::thread::Builder::new()
        .name("entrain-session".into())
        .spawn(move || {
            let result = session_loop(
                &config,
                &mut core,
                source.as_mut(),
                &cmd_rx,
                &stop_requests,
                &mut events,
                &shared,
                &mut recorder,
                &store_status,
            );
            let (status, reason, end_nanos) = match &result {
                Ok(r) => r.clone(),
                Err(e) => (
                    SessionStatus::Failed,
                    e.to_string(),
                    core.snapshot().now_nanos,
                ),
            };
            let start_nanos = core.started_at_nanos().unwrap_or(0);
            let (session_id, store_error) = recorder.end(status, &reason, end_nanos - start_nanos);
            let end_secs = end_nanos as f64 / 1e9;
            if result.is_err() {
                tracing::error!(session_id, %reason, end_secs, "session failed");
            } else {
                tracing::info!(session_id, status = status.as_str(), %reason, end_secs, "session ended");
            }
            if let Some(e) = &store_error {
                tracing::error!(session_id, error = %e, "part of the session could not be recorded");
            }
            result?;
            let mut snap = core.snapshot();
            // The sound's last word, as the loop published it.
            if let Ok(last) = shared.lock() {
                snap.audio = last.audio.clone();
                snap.music = last.music.clone();
            }
            snap.store = store_status.lock().map(|s| s.clone()).unwrap_or_default();
            Ok(RunSummary {
                session_id,
                status,
                reason,
                end_nanos,
                snapshot: snap,
                store_error,
            })
        })
        .map_err(|_| EngineError::Thread("session"))?;
    Ok(EngineHandle {
        snapshot,
        commands: cmd_tx,
        events: event_rx,
        stop,
        thread: Some(thread),
    })
}

#[allow(clippy::too_many_arguments)]
fn session_loop(
    config: &RuntimeConfig,
    core: &mut EngineCore,
    source: &mut dyn SensorSource,
    commands: &Receiver<EngineCommand>,
    stop_requests: &Stopper,
    events: &mut EventSink,
    snapshot: &Mutex<Snapshot>,
    recorder: &mut Recorder,
    store_status: &Arc<Mutex<String>>,
) -> Result<(SessionStatus, String, i64), EngineError> {
    let origin = match config.clock {
        Clock::RealTime { origin } => origin,
        Clock::Simulated => Instant::now(),
    };
    let tick = config.tick_nanos.max(1_000_000);
    let mut out = EngineOutput::default();
    let mut polled: Vec<SourceEvent> = Vec::with_capacity(256);
    let mut now: i64 = 0;
    let mut pending = Batch::default();
    let mut last_send = Instant::now();
    let mut last_snapshot_nanos = i64::MIN;
    // A stop asked for with a reason of its own (a signal): the protocol is stopped like the
    // clinician's Stop, and the session ends with that reason once this tick's output is queued.
    let mut stop_reason: Option<String> = None;
    if config.auto_start {
        core.command(0, EngineCommand::Start, &mut out);
    }
    let mut audio = SessionAudio::open(
        &config.audio,
        config.music.as_ref(),
        origin,
        matches!(config.clock, Clock::Simulated),
        &mut out,
    );
    let (status, reason) = loop {
        now = match config.clock {
            Clock::RealTime { .. } => {
                i64::try_from(origin.elapsed().as_nanos()).unwrap_or(i64::MAX)
            }
            Clock::Simulated => now + tick,
        };
        while let Ok(c) = commands.try_recv() {
            if let EngineCommand::Music(m) = &c {
                audio.music_command(*m, now, &mut out);
            }
            // Recorded as a command (the music's own change is in its segments).
            core.command(now, c, &mut out);
        }
        if stop_reason.is_none()
            && let Some(r) = stop_requests.take()
        {
            tracing::info!(reason = %r, "stop requested");
            core.command(now, EngineCommand::Stop, &mut out);
            stop_reason = Some(r);
        }
        if core.started_at_nanos().is_some() {
            recorder.begin(events, store_status, stop_requests, &mut out);
            // Said once the record has begun (nothing before Start is stored).
            audio.record_begun(core, now, &mut out);
        }
        polled.clear();
        source.poll(now, &mut polled)?;
        if core.needs_sample_rates(&polled) {
            core.learn_sample_rates(&source.sensors())?;
        }
        core.on_sensor_events(now, &polled, &mut out);

        // The beat: to the metronome, or played when due (visual cue / simulation).
        audio.tick(core, source, now, &mut out);
        for s in &out.steps {
            events.emit(EngineEvent::Step(*s));
        }
        for b in out.beats.iter().filter(|b| b.is_audible()) {
            events.emit(EngineEvent::Beat {
                time_nanos: b.time_nanos,
                tempo_spm: b.tempo_spm,
            });
        }
        for n in out.notices.drain(..) {
            // What the clinician is told, kept in the log too.
            tracing::info!("notice: {}", n.trim());
            events.emit(EngineEvent::Notice(n));
        }
        // Before Start nothing reaches the record: `out.clear` drops it.
        if let (Some(w), Some(start)) = (recorder.writer(), core.started_at_nanos()) {
            from_start(&mut out.record, start);
            pending.append(&mut out.record);
            // Every 50 ms, or sooner when time runs faster than the clock (a simulated session),
            // so the writer sees data as it comes and bounds what waits in memory.
            if last_send.elapsed() >= Duration::from_millis(50) || pending.items() >= SEND_AT_ITEMS
            {
                w.send(WriterMsg::Batch(std::mem::take(&mut pending)));
                last_send = Instant::now();
            }
        }
        out.clear();

        if now.saturating_sub(last_snapshot_nanos) >= 50_000_000 {
            last_snapshot_nanos = now;
            let mut snap = core.snapshot();
            snap.audio = audio.status();
            snap.music = audio.music_status();
            snap.store = store_status.lock().map(|s| s.clone()).unwrap_or_default();
            if let Ok(mut s) = snapshot.lock() {
                *s = snap;
            }
        }

        if let Some(r) = stop_reason.take() {
            break (SessionStatus::Stopped, r);
        }
        if let Some(outcome) = core.session().and_then(entrain_cue::RasSession::outcome) {
            let status = if outcome.is_completed() {
                SessionStatus::Completed
            } else {
                SessionStatus::Stopped
            };
            break (status, outcome.to_string());
        }
        if core.source_finished() {
            break (
                SessionStatus::Stopped,
                format!("the sensor source ended ({})", source.name()),
            );
        }
        if config.max_nanos.is_some_and(|m| now >= m) {
            break (SessionStatus::Stopped, "time limit reached".to_string());
        }
        if matches!(config.clock, Clock::RealTime { .. }) {
            let next = Duration::from_nanos(u64::try_from(now + tick).unwrap_or(0));
            let elapsed = origin.elapsed();
            if next > elapsed {
                std::thread::sleep(next - elapsed);
            }
        }
    };
    audio.finish(core, now, &mut out);
    if let (Some(w), Some(start)) = (recorder.writer(), core.started_at_nanos()) {
        from_start(&mut out.record, start);
        pending.append(&mut out.record);
        w.send(WriterMsg::Batch(pending));
    }
    if let Ok(mut s) = snapshot.lock() {
        let mut snap = core.snapshot();
        snap.audio = audio.status();
        snap.music = audio.music_status();
        *s = snap;
    }
    Ok((status, reason, now))
}

/// The store status before Start.
const WAITING_FOR_START: &str = "the record begins at Start (nothing before it is stored)";

/// The record of one session: opened at [`start`], its row begun at Start, written by the store
/// writer until the end.
enum Recorder {
    /// Not recorded (practice, or no recording asked for).
    Off,
    /// The record is open; the session's row is begun at Start.
    Waiting {
        store: Box<Store>,
        new_session: Box<NewSession>,
        /// The source as named, for the log.
        source: String,
        /// The database file, for the log.
        db: String,
    },
    /// The row exists; the writer stores the batches.
    Writing {
        session_id: i64,
        link: WriterLink,
        handle: JoinHandle<Result<(), StoreError>>,
    },
    /// Beginning the row failed at Start: the session runs on, not recorded, and says so.
    Failed(String),
}

impl Recorder {
    /// At Start: begins the session's row and starts the writer. A failure is told to the
    /// clinician (a notice, the snapshot's store status) and kept for the run's `store_error`.
    fn begin(
        &mut self,
        events: &mut EventSink,
        status: &Arc<Mutex<String>>,
        stopper: &Stopper,
        out: &mut EngineOutput,
    ) {
        if !matches!(self, Recorder::Waiting { .. }) {
            return;
        }
        let Recorder::Waiting {
            mut store,
            new_session,
            source,
            db,
        } = std::mem::replace(self, Recorder::Off)
        else {
            return;
        };
        let begun = store.begin_session(&new_session).map_err(|e| e.to_string());
        let spawned = begun.and_then(|id| {
            let (tx, rx) = mpsc::channel::<WriterMsg>();
            let writer_events = EventSink::new(events.tx.clone());
            let status = Arc::clone(status);
            let stopper = stopper.clone();
            std::thread::Builder::new()
                .name("entrain-store-writer".into())
                .spawn(move || writer::run(*store, id, rx, status, writer_events, stopper))
                .map(|handle| (id, tx, handle))
                .map_err(|e| format!("the store writer did not start: {e}"))
        });
        match spawned {
            Ok((session_id, tx, handle)) => {
                tracing::info!(session_id, %source, %db, "session started, recorded");
                events.emit(EngineEvent::Recording { session_id });
                *self = Recorder::Writing {
                    session_id,
                    link: WriterLink { tx, alive: true },
                    handle,
                };
            }
            Err(e) => {
                let text =
                    format!("NOT RECORDING: the session could not be begun in the record: {e}");
                tracing::error!(%source, %db, error = %e, "the session could not be begun in the record; it runs unrecorded");
                if let Ok(mut s) = status.lock() {
                    *s = text.clone();
                }
                out.notices.push(text.clone());
                *self = Recorder::Failed(text);
            }
        }
    }

    /// The writer's side, while the row exists.
    fn writer(&mut self) -> Option<&mut WriterLink> {
        match self {
            Recorder::Writing { link, .. } => Some(link),
            _ => None,
        }
    }

    /// Ends the row (`end_nanos` from Start) and waits for the writer: the session id, if
    /// the session was recorded, and the first recording error.
    fn end(
        self,
        status: SessionStatus,
        reason: &str,
        end_nanos: i64,
    ) -> (Option<i64>, Option<String>) {
        match self {
            Recorder::Off => (None, None),
            // Never started: there is no session to store.
            Recorder::Waiting { .. } => (None, None),
            Recorder::Failed(text) => (None, Some(text)),
            Recorder::Writing {
                session_id,
                mut link,
                handle,
            } => {
                link.send(WriterMsg::End {
                    status,
                    reason: reason.to_string(),
                    end_nanos: end_nanos.max(0),
                });
                drop(link);
                let error = match handle.join() {
                    Ok(Ok(())) => None,
                    Ok(Err(e)) => Some(e.to_string()),
                    Err(_) => Some("the store writer panicked".into()),
                };
                (Some(session_id), error)
            }
        }
    }
}

/// Puts a batch on the record's clock: session time 0 is Start (`start_nanos` on the engine's
/// clock), and whatever happened before it is dropped.
fn from_start(batch: &mut Batch, start_nanos: i64) {
    batch
        .phases
        .retain_mut(|r| shift(&mut r.start_nanos, start_nanos));
    batch.steps.retain_mut(|r| {
        r.detected_at_nanos -= start_nanos;
        shift(&mut r.time_nanos, start_nanos)
    });
    batch
        .beats
        .retain_mut(|r| shift(&mut r.scheduled_nanos, start_nanos));
    batch.played.retain_mut(|r| {
        r.played_nanos -= start_nanos;
        shift(&mut r.scheduled_nanos, start_nanos)
    });
    batch
        .tempo_changes
        .retain_mut(|r| shift(&mut r.time_nanos, start_nanos));
    batch
        .events
        .retain_mut(|r| shift(&mut r.time_nanos, start_nanos));
    batch.music_segments.retain_mut(|r| {
        r.end_nanos -= start_nanos;
        shift(&mut r.start_nanos, start_nanos)
    });
    batch
        .raw
        .retain_mut(|(_, s)| shift(&mut s.time_nanos, start_nanos));
    batch.now_nanos = (batch.now_nanos - start_nanos).max(0);
}

/// `t -= start_nanos`; whether it is at or after Start.
fn shift(t: &mut i64, start_nanos: i64) -> bool {
    *t -= start_nanos;
    *t >= 0
}
