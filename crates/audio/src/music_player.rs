//! The music player: the stretched track on a worker thread, ahead of time, feeding the audio
//! callback through a wait-free ring; the clicks and the beat schedule stay in the callback,
//! exactly as the metronome plays them.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::callback::CallbackState;
use crate::error::AudioError;
use crate::music_callback::{MusicCallbackState, MusicShared, Overlay};
use crate::music_engine::{MusicEngine, MusicTrack};
use crate::output::{GrantedConfig, OutputOptions, OutputStream, open_output_with};
use crate::renderer::{BeatSchedule, Command, Renderer};
use crate::telemetry::{StreamFault, Telemetry};

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

/// How the music player plays.
#[derive(Clone, Debug, PartialEq)]
pub struct MusicConfig {
    /// The device and settings to ask for (the track must be at the granted rate).
    pub output: OutputOptions,
    /// Music, clicks, or both.
    pub overlay: Overlay,
    /// Level of the music (0..=1).
    pub music_level: f32,
    /// Stereo frames the worker keeps ready ahead of the callback. A schedule change reaches the
    /// music on its beat when it arrives this long plus the stretcher's latency before the beat.
    pub ring_frames: usize,
}

impl Default for MusicConfig {
    fn default() -> Self {
        Self {
            output: OutputOptions::default(),
            overlay: Overlay::MusicOnly,
            music_level: 0.8,
            ring_frames: 4_096,
        }
    }
}

/// The worker thread's time spent rendering, for the CPU share of the stretch path.
#[derive(Debug, Default)]
struct WorkerStats {
    busy_nanos: AtomicU64,
    frames: AtomicU64,
}

/// Music that follows the beat schedule, on a real output device.
pub struct MusicPlayer {
    output: OutputStream,
    shared: Arc<MusicShared>,
    stats: Arc<WorkerStats>,
    stop: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
    started_at: Instant,
}

impl std::fmt::Debug for MusicPlayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MusicPlayer")
            .field("granted", &self.output.granted)
            .finish_non_exhaustive()
    }
}

impl MusicPlayer {
    /// Opens the device and plays `track` along the beat schedule, silent until a
    /// [`Command::Start`]. `session_origin` is the session clock's zero.
    pub fn open(
        config: &MusicConfig,
        track: &MusicTrack,
        session_origin: Instant,
    ) -> Result<Self, AudioError> {
        let shared = Arc::new(MusicShared::new());
        let mut made: Option<Result<MusicWorker, AudioError>> = None;
        let output = open_output_with(
            &config.output,
            session_origin,
            |rate, channels, commands, telemetry| {
                let state = CallbackState::new(Renderer::new(rate, channels), commands, telemetry);
                let parts = music_parts(
                    track,
                    state,
                    config.overlay,
                    config.music_level,
                    config.ring_frames,
                    Arc::clone(&shared),
                );
                match parts {
                    Ok((callback, worker)) => {
                        made = Some(Ok(worker));
                        callback
                    }
                    Err(e) => {
                        made = Some(Err(e));
                        // A silent stand-in; the stream is dropped below.
                        silent_callback(rate, channels, &shared)
                    }
                }
            },
        )?;
        let mut worker = match made {
            Some(Ok(worker)) => worker,
            Some(Err(e)) => return Err(e),
            None => {
                return Err(AudioError::OpenFailed {
                    device: output.granted.device_name.clone(),
                    message: "the stream was opened without its music worker".into(),
                });
            }
        };
        let stop = Arc::new(AtomicBool::new(false));
        let stats = Arc::new(WorkerStats::default());
        let (stop_flag, worker_stats) = (Arc::clone(&stop), Arc::clone(&stats));
        let period = Duration::from_secs_f64(
            MUSIC_BLOCK_FRAMES as f64 / f64::from(output.granted.sample_rate_hz.max(1)) / 2.0,
        );
        let handle = std::thread::Builder::new()
            .name("entrain-music".into())
            .spawn(move || {
                while !stop_flag.load(Ordering::Relaxed) {
                    let began = Instant::now();
                    let frames = worker.fill_ring();
                    if frames > 0 {
                        let nanos = u64::try_from(began.elapsed().as_nanos()).unwrap_or(u64::MAX);
                        worker_stats.busy_nanos.fetch_add(nanos, Ordering::Relaxed);
                        worker_stats.frames.fetch_add(frames, Ordering::Relaxed);
                    }
                    std::thread::sleep(period);
                }
            })
            .map_err(|e| AudioError::OpenFailed {
                device: output.granted.device_name.clone(),
                message: format!("cannot start the music worker thread: {e}"),
            })?;
        Ok(Self {
            output,
            shared,
            stats,
            stop,
            worker: Some(handle),
            started_at: Instant::now(),
        })
    }

    /// What the device granted.
    pub fn granted(&self) -> &GrantedConfig {
        &self.output.granted
    }

    /// `session_nanos = stream_nanos + this` for the stream's timestamps.
    pub fn stream_to_session_nanos(&self) -> i64 {
        self.output.stream_to_session_nanos
    }

    /// Sends a command to the metronome in the callback (the music follows its schedule). A
    /// volume is the master volume of music and clicks together.
    pub fn send(&mut self, command: Command) -> Result<(), AudioError> {
        if let Command::SetVolume(volume) = command {
            return self.shared.set_volume(volume);
        }
        self.output
            .commands
            .push(command)
            .map_err(|_| AudioError::CommandQueueFull)
    }

    /// Reports from the callback: buffer timings and every beat played (as the metronome's).
    pub fn telemetry(&mut self) -> &mut rtrb::Consumer<Telemetry> {
        &mut self.output.telemetry
    }

    /// Faults from the backend.
    pub fn faults(&mut self) -> &mut rtrb::Consumer<StreamFault> {
        &mut self.output.faults
    }

    /// Frames of music the ring could not deliver in time (played as silence).
    pub fn underrun_frames(&self) -> u64 {
        self.shared.underrun_frames()
    }

    /// Buffers in which the music ring ran dry.
    pub fn underruns(&self) -> u64 {
        self.shared.underruns()
    }

    /// Time the worker spent rendering as a share of one core since the player opened.
    pub fn worker_cpu_share(&self) -> f64 {
        let busy = self.stats.busy_nanos.load(Ordering::Relaxed) as f64;
        busy / self.started_at.elapsed().as_nanos().max(1) as f64
    }

    /// Frames the worker rendered since the player opened.
    pub fn worker_frames(&self) -> u64 {
        self.stats.frames.load(Ordering::Relaxed)
    }
}

impl Drop for MusicPlayer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.worker.take()
            && handle.join().is_err()
        {
            tracing::error!("music player: the worker thread panicked");
        }
    }
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
