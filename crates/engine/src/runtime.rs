//! The engine's threads: the session loop (sensor polling on the session clock, the core, audio
//! or visual cue, commands, snapshots) and the store writer (a batch committed every 250 ms).

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use entrain_audio::{
    Command, Metronome, MetronomeConfig, MetronomeEvent, MusicSetup, Overlay, Tempo,
};
use entrain_source::{SensorSource, SourceEvent};
use entrain_store::{
    Batch, EventKind, EventRow, NewSession, SessionSensor, SessionStatus, Store, StoreError,
};

use crate::core::{EngineCommand, EngineConfig, EngineCore, EngineOutput};
use crate::error::EngineError;
use crate::music::{LoadedMusic, MusicLoadError, MusicSegments, overlay_columns};
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
    /// The tracks the session may switch to (a playlist's, the patient's), chosen by
    /// [`crate::music_choice::choose_track`]; empty: the one track only.
    pub candidates: Vec<crate::music_choice::MusicCandidate>,
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
    config: RuntimeConfig,
    mut source: Box<dyn SensorSource>,
) -> Result<EngineHandle, EngineError> {
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
    let mut metronome = match &config.audio {
        AudioOutput::Off => None,
        AudioOutput::Device(c) => {
            let mut c = c.clone();
            // Beats are committed ~100 ms ahead: the metronome must place them exactly.
            c.start_lead = Duration::from_millis(20);
            match config.music.as_ref().map(|m| (&m.track, m.overlay)) {
                Some((Ok(music), overlay)) => {
                    let setup = MusicSetup {
                        overlay,
                        ..MusicSetup::new(music.track.clone())
                    };
                    Some(Metronome::with_music(c, setup, origin))
                }
                _ => Some(Metronome::new(c, origin)),
            }
        }
    };
    let (mut music_segments, mut music_note) = music_start(config.music.as_ref());
    let mut audio_status = match &config.audio {
        AudioOutput::Off => "off (--no-audio): visual cue".to_string(),
        AudioOutput::Device(_) => "opening the output device".to_string(),
    };
    let mut audio_faults = AudioFaults::default();
    // Beats given by the visual cue while a device was asked for: shown, not heard.
    let mut beats_not_heard: u64 = 0;
    let mut device_ever_opened = false;
    let mut last_played_beat: Option<u64> = None;
    let mut was_cued = false;
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
    if let Some(n) = &music_note {
        out.notices.push(n.clone());
    }
    let (status, reason) = loop {
        now = match config.clock {
            Clock::RealTime { .. } => {
                i64::try_from(origin.elapsed().as_nanos()).unwrap_or(i64::MAX)
            }
            Clock::Simulated => now + tick,
        };
        while let Ok(c) = commands.try_recv() {
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
            if let Some(n) = music_note.take() {
                audio_event(core, now, n, &mut out);
            }
        }
        polled.clear();
        source.poll(now, &mut polled)?;
        if core.needs_sample_rates(&polled) {
            core.learn_sample_rates(&source.sensors())?;
        }
        core.on_sensor_events(now, &polled, &mut out);

        // The beat: to the metronome, or played when due (visual cue / simulation).
        let audible = metronome.as_ref().is_some_and(Metronome::is_audible);
        if let Some(m) = metronome.as_mut() {
            for b in out.beats.iter().filter(|b| b.is_audible()) {
                if let Err(e) = m.send(Command::SetVolume(b.volume.clamp(0.0, 1.0) as f32)) {
                    tracing::warn!(error = %e, "metronome: a volume change was not applied");
                }
                if let Ok(tempo) = Tempo::from_bpm(b.tempo_spm) {
                    m.start_at(b.time_nanos, tempo);
                }
            }
            let cued = core.session().is_some_and(|s| {
                s.phase().is_cued() && s.run_state() == entrain_cue::RunState::Running
            });
            if was_cued && !cued {
                let unplayed = core.due_unplayed(i64::MAX).len() as u64;
                let at_beat = last_played_beat.map_or(0, |b| b + 1) + unplayed;
                if let Err(e) = m.send(Command::Stop { at_beat }) {
                    tracing::warn!(error = %e, at_beat, "metronome: the stop at the phase end was not applied");
                }
            }
            was_cued = cued;
            for e in m.poll() {
                match e {
                    MetronomeEvent::Beat {
                        beat,
                        session_nanos: Some(t),
                    } => {
                        last_played_beat = Some(beat.beat);
                        core.on_beat_played(t, &mut out);
                        source.beat_played(t);
                    }
                    MetronomeEvent::Opened(g) => {
                        tracing::info!(
                            device = %g.device_name,
                            sample_rate_hz = g.sample_rate_hz,
                            buffer_frames = ?g.buffer_frames,
                            "audio: output opened"
                        );
                        audio_status = format!("playing on {}", g.device_name);
                        out.notices.push(format!("audio: {audio_status}"));
                        device_ever_opened = true;
                        audio_event(
                            core,
                            now,
                            format!("output opened on {}", g.device_name),
                            &mut out,
                        );
                    }
                    MetronomeEvent::NoDevice { error } => {
                        let text = format!("no audio device ({error}): visual cue, retrying");
                        if audio_status != text {
                            tracing::warn!(%error, "audio: no output device; visual cue, retrying");
                            out.notices.push(format!("audio: {text}"));
                            audio_event(
                                core,
                                now,
                                format!("no output device ({error}): beats shown, not heard"),
                                &mut out,
                            );
                            audio_status = text;
                        }
                    }
                    MetronomeEvent::DeviceLost { device } => {
                        tracing::warn!(%device, "audio: device lost; visual cue, retrying");
                        audio_status = format!("device {device} lost: visual cue, retrying");
                        out.notices.push(format!("audio: {audio_status}"));
                        audio_event(
                            core,
                            now,
                            format!("device {device} lost: beats shown, not heard"),
                            &mut out,
                        );
                    }
                    other => audio_faults.note(&other),
                }
            }
        }
        if !audible {
            for t in core.due_unplayed(now) {
                let played_before = out.record.played.len();
                core.on_beat_played(t, &mut out);
                if metronome.is_some() {
                    // Sound was asked for but there is no device: the protocol goes on with
                    // the visual cue, but the record does not call the beat played (heard).
                    beats_not_heard += 1;
                    out.record.played.truncate(played_before);
                }
                source.beat_played(t);
            }
        }

        if let Some(segments) = music_segments.as_mut() {
            // As with the beats: without sound asked for (a visual cue, simulated time) the
            // music counts as played along the cue; asked for but with no device, it was not
            // heard, and no segment covers that time.
            let heard = metronome.is_none() || audible;
            if heard {
                for b in out.beats.iter().filter(|b| b.is_audible()) {
                    segments.beat(b.time_nanos, b.tempo_spm);
                }
            }
            let cued = core.session().is_some_and(|s| {
                s.phase().is_cued() && s.run_state() == entrain_cue::RunState::Running
            });
            // The music stops with the cue (the end of a cued phase, a pause, a stop), and when
            // the device goes.
            if (!cued || !heard)
                && let Some(row) = segments.end(now)
            {
                out.record.music_segments.push(row);
            }
        }
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
            snap.audio = if metronome.is_some() && !audible && audio_status.starts_with("playing") {
                "reconnecting: visual cue".into()
            } else {
                audio_status.clone()
            };
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
    if let Some(m) = metronome.as_mut() {
        let at_beat = last_played_beat.map_or(0, |b| b + 1);
        if let Err(e) = m.send(Command::Stop { at_beat }) {
            // The metronome is dropped right after, which silences it anyway.
            tracing::debug!(error = %e, "metronome: the final stop was not queued");
        }
    }
    audio_faults.summarise();
    if let Some(row) = music_segments.as_mut().and_then(|s| s.end(now)) {
        out.record.music_segments.push(row);
    }
    if metronome.is_some() && (!device_ever_opened || beats_not_heard > 0) {
        let text = if device_ever_opened {
            format!("{beats_not_heard} beats were shown, not heard (no output device then)")
        } else {
            format!(
                "no output device ever opened: no beat was heard ({beats_not_heard} shown as a visual cue)"
            )
        };
        tracing::warn!("audio: {text}");
        audio_event(core, now, text, &mut out);
    }
    if let (Some(w), Some(start)) = (recorder.writer(), core.started_at_nanos()) {
        from_start(&mut out.record, start);
        pending.append(&mut out.record);
        w.send(WriterMsg::Batch(pending));
    }
    if let Ok(mut s) = snapshot.lock() {
        *s = core.snapshot();
    }
    Ok((status, reason, now))
}

/// The segments to follow and the note for the record: which music cues the session, or why it
/// is cued by clicks instead.
fn music_start(music: Option<&SessionMusic>) -> (Option<MusicSegments>, Option<String>) {
    match music {
        None => (None, None),
        Some(SessionMusic {
            track: Ok(m),
            overlay,
            ..
        }) => (
            Some(MusicSegments::new(m, *overlay)),
            Some(format!(
                "music: {} ({}), its own tempo {:.1} bpm, overlay {}",
                m.title,
                m.label,
                m.tempo_bpm,
                overlay_columns(*overlay).0
            )),
        ),
        Some(SessionMusic { track: Err(e), .. }) => {
            tracing::warn!(track = %e.track, detail = %e.detail, "music could not be loaded; cued by clicks");
            (
                None,
                Some(format!(
                    "music {} could not be played ({}): the session is cued by clicks",
                    e.track, e.detail
                )),
            )
        }
    }
}

/// An `audio` event in the record: a device opened, missing or lost, or beats not heard.
fn audio_event(core: &EngineCore, now_nanos: i64, detail: String, out: &mut EngineOutput) {
    out.record.events.push(EventRow {
        time_nanos: now_nanos,
        phase: core.session().map(entrain_cue::RasSession::phase),
        kind: EventKind::Audio,
        detail,
    });
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

/// Audio faults the session goes on through (the beat keeps playing, or the visual cue does):
/// logged, the first of each kind at `warn` and the rest counted and summed up at the end, so a
/// machine that underruns all session long does not flood the log.
#[derive(Debug, Default)]
struct AudioFaults {
    xruns: u64,
    backend_errors: u64,
    rejected_commands: u64,
    telemetry_dropped: u64,
    /// Music frames played as silence (the music worker fell behind; the beat was unaffected).
    music_frames_lost: u64,
}

impl AudioFaults {
    fn note(&mut self, event: &MetronomeEvent) {
        match event {
            MetronomeEvent::Xrun { session_nanos } => {
                if self.xruns == 0 {
                    tracing::warn!(
                        at_secs = *session_nanos as f64 / 1e9,
                        "audio: underrun, beats near here may be late by up to a buffer"
                    );
                }
                self.xruns += 1;
            }
            MetronomeEvent::BackendError => {
                if self.backend_errors == 0 {
                    tracing::warn!("audio: the backend reported an error; the stream plays on");
                }
                self.backend_errors += 1;
            }
            MetronomeEvent::CommandRejected => {
                tracing::warn!("audio: the renderer refused a command");
                self.rejected_commands += 1;
            }
            MetronomeEvent::TelemetryDropped { count } => {
                if self.telemetry_dropped == 0 {
                    tracing::warn!(count, "audio: reports from the audio thread were lost");
                }
                self.telemetry_dropped += count;
            }
            MetronomeEvent::FaultsDropped { count } => {
                tracing::warn!(count, "audio: backend faults were lost (fault queue full)");
                self.backend_errors += count;
            }
            MetronomeEvent::DeviceChanged => {
                tracing::info!("audio: the backend moved the stream to another device");
            }
            MetronomeEvent::MusicUnderrun { buffers, frames } => {
                if self.music_frames_lost == 0 {
                    tracing::warn!(
                        buffers,
                        frames,
                        "audio: the music fell behind (silence instead of music); the beat plays on"
                    );
                }
                self.music_frames_lost += frames;
            }
            other => tracing::debug!(event = ?other, "audio event"),
        }
    }

    fn summarise(&self) {
        if self.xruns
            + self.backend_errors
            + self.rejected_commands
            + self.telemetry_dropped
            + self.music_frames_lost
            > 0
        {
            tracing::warn!(
                xruns = self.xruns,
                music_frames_lost = self.music_frames_lost,
                backend_errors = self.backend_errors,
                rejected_commands = self.rejected_commands,
                telemetry_dropped = self.telemetry_dropped,
                "audio faults during the session"
            );
        }
    }
}
