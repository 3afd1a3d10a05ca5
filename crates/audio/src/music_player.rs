//! The music player's parts: the stretched track on a worker thread, ahead of time, feeding the
//! audio callback through a wait-free ring; the clicks and the beat schedule stay in the
//! callback, exactly as the metronome plays them. [`crate::Metronome::with_music`] plays it on a
//! device; [`crate::wav::render_music`] renders it offline.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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

/// The worker's side: the engine and the two queues to and from the callback.
pub struct MusicWorker {
    engine: MusicEngine,
    ring: rtrb::Producer<f32>,
    schedules: rtrb::Consumer<BeatSchedule>,
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
        }
        let mut written = 0u64;
        while self.ring.slots() >= self.block.len() {
            self.engine.render(&mut self.block);
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
    let mut worker = MusicWorker {
        engine,
        ring,
        schedules,
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
    );
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
    handle: Option<JoinHandle<()>>,
    started_at: Instant,
}

impl WorkerThread {
    /// Runs `worker`, filling the ring every half block.
    fn spawn(mut worker: MusicWorker, sample_rate_hz: u32) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let stats = Arc::new(WorkerStats::default());
        let (stop_flag, worker_stats) = (Arc::clone(&stop), Arc::clone(&stats));
        let period = Duration::from_secs_f64(
            MUSIC_BLOCK_FRAMES as f64 / f64::from(sample_rate_hz.max(1)) / 2.0,
        );
        let handle = std::thread::Builder::new()
            .name("entrain-music".into())
            .spawn(move || {
                while !stop_flag.load(Ordering::Relaxed) {
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
            handle: Some(handle),
            started_at: Instant::now(),
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
    let thread = WorkerThread::spawn(worker, output.granted.sample_rate_hz).map_err(|e| {
        AudioError::OpenFailed {
            device: output.granted.device_name.clone(),
            message: format!("cannot start the music worker thread: {e}"),
        }
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
