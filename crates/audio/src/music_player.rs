//! The music player's parts: the stretched track on a worker thread, ahead of time, feeding the
//! audio callback through a wait-free ring; the clicks and the beat schedule stay in the
//! callback, exactly as the metronome plays them. [`crate::Metronome::with_music`] plays it on a
//! device; [`crate::wav::render_music`] renders it offline.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::callback::CallbackState;
use crate::error::AudioError;
use crate::music_callback::{MusicCallbackState, MusicShared, Overlay};
use crate::music_engine::{MusicEngine, MusicTrack};
use crate::output::{OutputOptions, OutputStream, open_output_with};
use crate::renderer::{BeatSchedule, Renderer};

/// Stereo frames the worker renders at a time.
pub const MUSIC_BLOCK_FRAMES: usize = 256;
/// Schedule copies waiting for the worker at most.
const SCHEDULE_QUEUE_CAPACITY: usize = 16;
/// Track changes waiting for the callback (and old downbeats for the worker) at most.
const DOWNBEAT_QUEUE_CAPACITY: usize = 4;

/// How long the track playing fades out into the one taking over, ending on the beat the new
/// one's beat 0 sounds on.
const SWITCH_FADE_SECS: f64 = 0.100;

/// A track taking over: its engine (rendering alongside the old one until the beat) and the
/// output frame of that beat.
struct TakeOver {
    engine: MusicEngine,
    onset_frame: u64,
    block: Vec<f32>,
}

/// The downbeats of a track that takes over, for the callback's accents: the flags, the
/// schedule's first beat when it was put on, and the cue beat its beat 0 sounds on.
pub(crate) type DownbeatSwitch = (Arc<[bool]>, u64, u64);

/// The worker's side: the engine and the queues to and from the callback.
pub struct MusicWorker {
    engine: MusicEngine,
    take_over: Option<TakeOver>,
    ring: rtrb::Producer<f32>,
    schedules: rtrb::Consumer<BeatSchedule>,
    /// New downbeats to the callback, and the old ones back to be freed here (never on the
    /// audio thread).
    downbeats: rtrb::Producer<DownbeatSwitch>,
    retired: rtrb::Consumer<Arc<[bool]>>,
    block: Vec<f32>,
}

impl std::fmt::Debug for MusicWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MusicWorker")
            .field("engine", &self.engine)
            .finish_non_exhaustive()
    }
}

impl MusicWorker {
    /// Follows the latest schedule the callback published, then renders blocks into the ring
    /// until it is full; returns the frames written.
    pub fn fill_ring(&mut self) -> u64 {
        let mut latest = None;
        while let Ok(schedule) = self.schedules.pop() {
            latest = Some(schedule);
        }
        if let Some(schedule) = latest {
            self.engine.follow(schedule);
            if let Some(t) = self.take_over.as_mut() {
                t.engine.follow(schedule);
            }
        }
        while self.retired.pop().is_ok() {}
        let mut written = 0u64;
        while self.ring.slots() >= self.block.len() {
            self.render_block();
            let Ok(chunk) = self.ring.write_chunk_uninit(self.block.len()) else {
                break;
            };
            chunk.fill_from_iter(self.block.iter().copied());
            written += MUSIC_BLOCK_FRAMES as u64;
        }
        written
    }

    /// The engine (for inspection).
    pub fn engine(&self) -> &MusicEngine {
        &self.engine
    }

    /// Puts `track` on in place of the one playing: its beat 0 sounds on the first beat whose
    /// onset is at or after output frame `from_frame` (and late enough for the worker to reach
    /// it), the old track fading out into it; with the beat stopped, at once (it starts with
    /// the next start). Returns that beat's `(cue beat, onset frame)`, or `None` when no beat
    /// is close enough yet (ask again later). Refused: a track the player cannot follow, or
    /// one at another rate.
    pub fn put_on(
        &mut self,
        track: &MusicTrack,
        from_frame: u64,
    ) -> Result<Option<(u64, u64)>, AudioError> {
        let rate = self.schedule_rate();
        let schedule = self.engine.schedule();
        let output_frame = self.engine.output_frame();
        let flags: Arc<[bool]> = track.downbeat_flags().into();
        let Some(first) = schedule.first_beat() else {
            // Nothing plays: the new track waits for the next start, from where the output is.
            self.engine = MusicEngine::take_over(track, rate, output_frame, schedule, 0)?;
            self.take_over = None;
            // A beat far behind any: the flags hold from the next start.
            self.send_downbeats(flags, u64::MAX, 0);
            return Ok(None);
        };
        // The new engine plans from where the old one has planned to: the beat must be after.
        let earliest = from_frame.max(output_frame + self.engine.plan_lead_frames() + 1);
        let Some((beat, onset)) = self.engine.next_beat_from(earliest) else {
            return Ok(None);
        };
        let engine = MusicEngine::take_over(track, rate, output_frame, schedule, beat)?;
        self.take_over = Some(TakeOver {
            engine,
            onset_frame: onset,
            block: vec![0.0; self.block.len()],
        });
        self.send_downbeats(flags, first, beat);
        Ok(Some((beat, onset)))
    }

    fn send_downbeats(&mut self, flags: Arc<[bool]>, schedule_first: u64, at_beat: u64) {
        if self
            .downbeats
            .push((flags, schedule_first, at_beat))
            .is_err()
        {
            // Off the audio thread: it may log. The accents keep the old track's bars.
            tracing::warn!("music player: the new track's downbeats did not reach the callback");
        }
    }

    fn schedule_rate(&self) -> u32 {
        self.engine.schedule().sample_rate_hz()
    }

    /// One block into `self.block`: the engine's, or through a take-over the old track faded
    /// out into the new one on its beat.
    fn render_block(&mut self) {
        self.engine.render(&mut self.block);
        let rate = f64::from(self.schedule_rate());
        let Some(t) = self.take_over.as_mut() else {
            return;
        };
        let start = t.engine.output_frame();
        t.engine.render(&mut t.block);
        let fade = (SWITCH_FADE_SECS * rate).max(1.0);
        for (i, (old, new)) in self
            .block
            .chunks_exact_mut(2)
            .zip(t.block.chunks_exact(2))
            .enumerate()
        {
            let frame = start + i as u64;
            // Old out and new in over the fade that ends on the beat.
            let to_go = t.onset_frame.saturating_sub(frame) as f64;
            let old_gain = (to_go / fade).min(1.0) as f32;
            let new_gain = 1.0 - old_gain;
            old[0] = old[0] * old_gain + new[0] * new_gain;
            old[1] = old[1] * old_gain + new[1] * new_gain;
        }
        if start + (self.block.len() / 2) as u64 >= t.onset_frame
            && let Some(t) = self.take_over.take()
        {
            self.engine = t.engine;
        }
    }
}

/// Makes the callback and the worker of one stream: a ring of `ring_frames` stereo frames between
/// them, filled before the first callback from the schedule `state`'s renderer has now.
pub fn music_parts(
    track: &MusicTrack,
    state: CallbackState,
    overlay: Overlay,
    music_level: f32,
    ring_frames: usize,
    shared: Arc<MusicShared>,
) -> Result<(MusicCallbackState, MusicWorker), AudioError> {
    overlay.validate()?;
    crate::style::check_level("music level", music_level)?;
    let rate = state.renderer().sample_rate_hz();
    let engine = MusicEngine::new(track, rate)?;
    let (ring, music) = rtrb::RingBuffer::new(2 * ring_frames.max(MUSIC_BLOCK_FRAMES));
    let (schedules_tx, schedules) = rtrb::RingBuffer::new(SCHEDULE_QUEUE_CAPACITY);
    let downbeats: Arc<[bool]> = track.downbeat_flags().into();
    let (downbeats_tx, downbeats_rx) = rtrb::RingBuffer::new(DOWNBEAT_QUEUE_CAPACITY);
    let (retired_tx, retired) = rtrb::RingBuffer::new(DOWNBEAT_QUEUE_CAPACITY);
    let mut worker = MusicWorker {
        engine,
        take_over: None,
        ring,
        schedules,
        downbeats: downbeats_tx,
        retired,
        block: vec![0.0; 2 * MUSIC_BLOCK_FRAMES],
    };
    // The schedule as the renderer starts with it (an offline render is started already).
    worker.engine.follow(state.renderer().schedule());
    worker.fill_ring();
    let callback = MusicCallbackState::new(
        state,
        music,
        schedules_tx,
        overlay,
        music_level,
        downbeats,
        shared,
    )
    .with_track_changes(downbeats_rx, retired_tx);
    Ok((callback, worker))
}

/// The ring a live player keeps between its worker and the callback, stereo frames (85 ms at
/// 48 kHz).
pub const DEFAULT_RING_FRAMES: usize = 4_096;

/// Music to play along the beat.
#[derive(Clone, Debug, PartialEq)]
pub struct MusicSetup {
    /// The track (at the output's rate).
    pub track: MusicTrack,
    /// Music, clicks, or both.
    pub overlay: Overlay,
    /// Level of the music (0..=1).
    pub music_level: f32,
    /// Stereo frames the worker keeps ready ahead of the callback. A schedule change reaches the
    /// music on its beat when it arrives this long plus the stretcher's latency before the beat.
    pub ring_frames: usize,
}

impl MusicSetup {
    /// `track` alone at 0.8, with the [`DEFAULT_RING_FRAMES`] ring.
    pub fn new(track: MusicTrack) -> Self {
        Self {
            track,
            overlay: Overlay::MusicOnly,
            music_level: 0.8,
            ring_frames: DEFAULT_RING_FRAMES,
        }
    }
}

/// The worker thread's time spent rendering, for the CPU share of the stretch path.
#[derive(Debug, Default)]
struct WorkerStats {
    busy_nanos: AtomicU64,
}

/// The music worker on its own thread; stopped and joined when dropped.
pub(crate) struct WorkerThread {
    stop: Arc<AtomicBool>,
    stats: Arc<WorkerStats>,
    tracks: mpsc::Sender<(MusicTrack, u64)>,
    handle: Option<JoinHandle<()>>,
    started_at: Instant,
}

/// No track change reported yet ([`MusicShared`]'s last switch frame).
pub(crate) const NO_SWITCH: u64 = u64::MAX;

impl WorkerThread {
    /// Runs `worker`, filling the ring every half block, and putting on the tracks sent with
    /// [`WorkerThread::put_on`]; the onset frame of each one's first beat is told in `shared`.
    fn spawn(
        mut worker: MusicWorker,
        sample_rate_hz: u32,
        shared: Arc<MusicShared>,
    ) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let stats = Arc::new(WorkerStats::default());
        let (stop_flag, worker_stats) = (Arc::clone(&stop), Arc::clone(&stats));
        let (tracks, track_rx) = mpsc::channel::<(MusicTrack, u64)>();
        let period = Duration::from_secs_f64(
            MUSIC_BLOCK_FRAMES as f64 / f64::from(sample_rate_hz.max(1)) / 2.0,
        );
        let handle = std::thread::Builder::new()
            .name("entrain-music".into())
            .spawn(move || {
                let mut waiting: Option<(MusicTrack, u64)> = None;
                while !stop_flag.load(Ordering::Relaxed) {
                    while let Ok(next) = track_rx.try_recv() {
                        // The latest asked for wins.
                        waiting = Some(next);
                    }
                    if let Some((track, from_frame)) = waiting.take() {
                        match worker.put_on(&track, from_frame) {
                            Ok(Some((_, onset))) => shared.report_switch(onset),
                            Ok(None) if worker.engine().schedule().first_beat().is_none() => {
                                shared.report_switch(worker.engine().output_frame());
                            }
                            // No beat near enough yet: again next round.
                            Ok(None) => waiting = Some((track, from_frame)),
                            Err(e) => {
                                tracing::warn!(error = %e, "music player: the next track cannot be played; the one playing goes on");
                            }
                        }
                    }
                    let began = Instant::now();
                    if worker.fill_ring() > 0 {
                        let nanos = u64::try_from(began.elapsed().as_nanos()).unwrap_or(u64::MAX);
                        worker_stats.busy_nanos.fetch_add(nanos, Ordering::Relaxed);
                    }
                    std::thread::sleep(period);
                }
            })?;
        Ok(Self {
            stop,
            stats,
            tracks,
            handle: Some(handle),
            started_at: Instant::now(),
        })
    }

    /// Puts `track` on from the first beat at or after output frame `from_frame`.
    pub(crate) fn put_on(&self, track: MusicTrack, from_frame: u64) -> Result<(), AudioError> {
        self.tracks
            .send((track, from_frame))
            .map_err(|_| AudioError::Track {
                what: "player",
                detail: "the music worker has stopped".into(),
            })
    }

    /// Time spent rendering as a share of one core since the thread started.
    pub(crate) fn cpu_share(&self) -> f64 {
        let busy = self.stats.busy_nanos.load(Ordering::Relaxed) as f64;
        busy / self.started_at.elapsed().as_nanos().max(1) as f64
    }
}

impl Drop for WorkerThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.handle.take()
            && handle.join().is_err()
        {
            tracing::error!("music player: the worker thread panicked");
        }
    }
}

/// Opens the device with the music callback around a renderer made by `make_renderer`, and
/// starts the worker that feeds it.
pub(crate) fn open_music_output(
    options: &OutputOptions,
    session_origin: Instant,
    setup: &MusicSetup,
    shared: &Arc<MusicShared>,
    mut make_renderer: impl FnMut(u32, u16) -> Renderer,
) -> Result<(OutputStream, WorkerThread), AudioError> {
    let mut made: Option<Result<MusicWorker, AudioError>> = None;
    let output = open_output_with(
        options,
        session_origin,
        |rate, channels, commands, telemetry| {
            let state = CallbackState::new(make_renderer(rate, channels), commands, telemetry);
            let parts = music_parts(
                &setup.track,
                state,
                setup.overlay,
                setup.music_level,
                setup.ring_frames,
                Arc::clone(shared),
            );
            match parts {
                Ok((callback, worker)) => {
                    made = Some(Ok(worker));
                    callback
                }
                Err(e) => {
                    made = Some(Err(e));
                    // A silent stand-in; the stream is dropped below.
                    silent_callback(rate, channels, shared)
                }
            }
        },
    )?;
    let worker = match made {
        Some(Ok(worker)) => worker,
        Some(Err(e)) => return Err(e),
        None => {
            return Err(AudioError::OpenFailed {
                device: output.granted.device_name.clone(),
                message: "the stream was opened without its music worker".into(),
            });
        }
    };
    let thread = WorkerThread::spawn(worker, output.granted.sample_rate_hz, Arc::clone(shared))
        .map_err(|e| AudioError::OpenFailed {
            device: output.granted.device_name.clone(),
            message: format!("cannot start the music worker thread: {e}"),
        })?;
    Ok((output, thread))
}

/// The stand-in callback of a stream whose music could not be made (it is dropped at once).
fn silent_callback(rate: u32, channels: u16, shared: &Arc<MusicShared>) -> MusicCallbackState {
    let (_, commands) = rtrb::RingBuffer::new(1);
    let (telemetry, _) = rtrb::RingBuffer::new(1);
    let (_, music) = rtrb::RingBuffer::new(2);
    let (schedules, _) = rtrb::RingBuffer::new(1);
    MusicCallbackState::new(
        CallbackState::new(Renderer::new(rate, channels), commands, telemetry),
        music,
        schedules,
        Overlay::ClickOnly,
        0.0,
        Arc::from(Vec::new()),
        Arc::clone(shared),
    )
}
