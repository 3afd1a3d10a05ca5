//! The metronome as the rest of the app sees it: one object that plays the beat on an output
//! device, reports every played beat on the session clock, and survives missing or lost devices
//! (the app runs on and shows a visual beat meanwhile).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::clock::ClockMap;
use crate::error::AudioError;
use crate::music_callback::{MusicShared, Overlay};
use crate::music_engine::MusicTrack;
use crate::music_player::{MusicSetup, WorkerThread, open_music_output};
use crate::output::{GrantedConfig, OutputOptions, OutputStream, open_output};
use crate::renderer::{Command, PlayedBeat, Renderer};
use crate::sound::SoundId;
use crate::style::CueStyle;
use crate::telemetry::{BufferTiming, StreamFault, Telemetry};
use crate::tempo::Tempo;

/// How the metronome behaves around its device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetronomeConfig {
    /// The device and settings to ask for.
    pub output: OutputOptions,
    /// The cue's sound on every beat, until a [`Command::SetStyle`] says otherwise.
    pub sound: SoundId,
    /// How often to look for a device again while there is none.
    pub retry_interval: Duration,
    /// A stream that has not called back for this long is taken as lost.
    pub stall_timeout: Duration,
    /// How far ahead of "now" a beat asked for "now" is placed (it must reach the callback first).
    pub start_lead: Duration,
}

impl Default for MetronomeConfig {
    fn default() -> Self {
        Self {
            output: OutputOptions::default(),
            sound: SoundId::default(),
            retry_interval: Duration::from_secs(1),
            stall_timeout: Duration::from_secs(2),
            start_lead: Duration::from_millis(150),
        }
    }
}

/// Something the app should know about.
#[derive(Clone, Debug, PartialEq)]
pub enum MetronomeEvent {
    /// A stream is playing on this device with these settings.
    Opened(GrantedConfig),
    /// A beat was played; `session_nanos` is when its first frame reaches the output.
    Beat {
        /// The beat.
        beat: PlayedBeat,
        /// Its time on the session clock (None only before the first buffer was timed).
        session_nanos: Option<i64>,
    },
    /// An underrun: beats near `session_nanos` may be late by up to a buffer.
    Xrun {
        /// When it was noticed.
        session_nanos: i64,
    },
    /// No device could be opened; the beat is silent until one can.
    NoDevice {
        /// Why.
        error: AudioError,
    },
    /// The device went away mid-session.
    DeviceLost {
        /// The device's name.
        device: String,
    },
    /// The backend moved the stream to another device by itself.
    DeviceChanged,
    /// An unclassified backend error (the stream plays on).
    BackendError,
    /// The renderer refused a command.
    CommandRejected,
    /// Telemetry reports lost because the control side read too rarely.
    TelemetryDropped {
        /// How many.
        count: u64,
    },
    /// Backend faults lost because the fault queue was full.
    FaultsDropped {
        /// How many.
        count: u64,
    },
    /// Another track took over ([`Metronome::switch_music`]): its beat 0 plays at
    /// `session_nanos` (None only before the stream was timed).
    MusicSwitched {
        /// When its first beat plays, on the session clock.
        session_nanos: Option<i64>,
    },
    /// The music ring ran dry (the worker fell behind): silence instead of music, the beat and
    /// the clicks unaffected.
    MusicUnderrun {
        /// Buffers that ran dry since the last report.
        buffers: u64,
        /// Frames of music lost since the last report.
        frames: u64,
    },
}

/// What the metronome means to play, kept on the control side to carry it over to a new device.
#[derive(Clone, Copy, Debug)]
struct Intent {
    style: CueStyle,
    volume: f32,
    tempo: Option<Tempo>,
    last_beat: Option<(u64, i64)>,
}

impl Intent {
    /// What a new metronome means to play: `config`'s sound on every beat, at full volume.
    fn new(config: &MetronomeConfig) -> Self {
        Self {
            style: CueStyle::plain(config.sound),
            volume: 1.0,
            tempo: None,
            last_beat: None,
        }
    }

    /// A renderer for a new stream that plays what is meant: the style and the volume.
    fn renderer(&self, rate: u32, channels: u16) -> Renderer {
        let mut renderer = Renderer::new(rate, channels);
        // Both were validated when they were sent, so a refusal here is a bug; the new stream
        // then plays the renderer's defaults. This runs before the stream exists, off the audio
        // thread, so it may log.
        for command in [
            Command::SetStyle(self.style),
            Command::SetVolume(self.volume),
        ] {
            if let Err(e) = renderer.apply(command) {
                tracing::warn!(error = %e, ?command, "metronome: the new stream's renderer refused a setting");
            }
        }
        renderer
    }
}

struct Live {
    output: OutputStream,
    /// The music worker of this stream (dropped, and so stopped, with it).
    music_worker: Option<WorkerThread>,
    clock: ClockMap,
    last_buffer: Option<BufferTiming>,
    last_callback_at: Instant,
    max_latency_nanos: u64,
}

/// The metronome on a real output device, with fault handling and recovery onto the default device.
pub struct Metronome {
    config: MetronomeConfig,
    music: Option<(MusicSetup, Arc<MusicShared>)>,
    music_underruns_seen: (u64, u64),
    session_origin: Instant,
    live: Option<Live>,
    intent: Intent,
    pending_start: Option<(i64, Tempo, Option<u64>)>,
    next_retry: Instant,
    events: Vec<MetronomeEvent>,
}

impl std::fmt::Debug for Metronome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metronome")
            .field("config", &self.config)
            .field("granted", &self.granted())
            .finish_non_exhaustive()
    }
}

impl Metronome {
    /// A metronome on the session clock that started at `session_origin`. Tries to open the
    /// device now; if it cannot, it says so in the first [`Metronome::poll`] and keeps trying.
    pub fn new(config: MetronomeConfig, session_origin: Instant) -> Self {
        Self::open(config, None, session_origin)
    }

    /// A metronome that plays `music` along its beat (stretched so that each music beat sounds
    /// on a beat), with the overlay's clicks. Everything else is as [`Metronome::new`]: commands,
    /// events, the session clock, recovery onto another device. A [`Command::SetVolume`] is the
    /// master volume of music and clicks.
    pub fn with_music(config: MetronomeConfig, music: MusicSetup, session_origin: Instant) -> Self {
        let shared = Arc::new(MusicShared::new());
        Self::open(config, Some((music, shared)), session_origin)
    }

    fn open(
        config: MetronomeConfig,
        music: Option<(MusicSetup, Arc<MusicShared>)>,
        session_origin: Instant,
    ) -> Self {
        let mut metronome = Self {
            intent: Intent::new(&config),
            music,
            music_underruns_seen: (0, 0),
            config,
            session_origin,
            live: None,
            pending_start: None,
            next_retry: Instant::now(),
            events: Vec::new(),
        };
        metronome.try_open();
        metronome
    }

    /// Nanoseconds since the session started.
    pub fn session_nanos(&self) -> i64 {
        i64::try_from(self.session_origin.elapsed().as_nanos()).unwrap_or(i64::MAX)
    }

    /// Whether a stream is playing.
    pub fn is_audible(&self) -> bool {
        self.live.is_some()
    }

    /// The settings the device granted, while a stream plays.
    pub fn granted(&self) -> Option<&GrantedConfig> {
        self.live.as_ref().map(|l| &l.output.granted)
    }

    /// The output latency of the last buffer (callback to playback), while a stream plays.
    pub fn output_latency_nanos(&self) -> Option<u64> {
        let live = self.live.as_ref()?;
        live.last_buffer.map(|b| b.output_latency_nanos())
    }

    /// The music worker's time spent rendering as a share of one core, while music plays.
    pub fn music_cpu_share(&self) -> Option<f64> {
        let live = self.live.as_ref()?;
        live.music_worker.as_ref().map(WorkerThread::cpu_share)
    }

    /// The largest output latency seen on the current stream.
    pub fn max_output_latency_nanos(&self) -> Option<u64> {
        self.live.as_ref().map(|l| l.max_latency_nanos)
    }

    /// Session time at which `frame` of the current stream plays, once the stream is timed.
    pub fn session_nanos_of_frame(&self, frame: u64) -> Option<i64> {
        self.live.as_ref()?.clock.session_nanos_of_frame(frame)
    }

    /// Starts the beat so that its next beat plays at `session_nanos` (a time in the past is moved
    /// to the first beat time still ahead).
    pub fn start_at(&mut self, session_nanos: i64, tempo: Tempo) {
        self.intent.tempo = Some(tempo);
        self.pending_start = Some((session_nanos, tempo, None));
        self.try_pending_start();
    }

    /// Starts the beat as soon as it can be placed exactly (after `start_lead`).
    pub fn start(&mut self, tempo: Tempo) {
        let lead = i64::try_from(self.config.start_lead.as_nanos()).unwrap_or(0);
        self.start_at(self.session_nanos() + lead, tempo);
    }

    /// Sends a command to the renderer (style, volume, tempo/phase changes at a beat, fades,
    /// stops). Remembered so that it survives a change of device.
    pub fn send(&mut self, command: Command) -> Result<(), AudioError> {
        match command {
            Command::SetStyle(style) => {
                style.validate()?;
                self.intent.style = style;
            }
            Command::SetVolume(volume) => {
                self.intent.volume = volume;
                if let Some((_, shared)) = &self.music {
                    // The music callback sets the click's level itself, from this.
                    return shared.set_volume(volume);
                }
            }
            Command::Change(change) => {
                if let Some(tempo) = change.tempo {
                    self.intent.tempo = Some(tempo);
                }
            }
            Command::Stop { .. } => self.intent.tempo = None,
            Command::Start { tempo, .. } => self.intent.tempo = Some(tempo),
            Command::Fade { .. } | Command::NumberNextBeat(_) => {}
        }
        match self.live.as_mut() {
            Some(live) => live
                .output
                .commands
                .push(command)
                .map_err(|_| AudioError::CommandQueueFull),
            None => Ok(()),
        }
    }

    /// Changes what sounds with the music (music, music and click, click), from the next buffer;
    /// kept for a new stream after a change of device. Refused without music, or with a level
    /// out of 0..=1.
    pub fn set_overlay(&mut self, overlay: Overlay) -> Result<(), AudioError> {
        let Some((setup, shared)) = self.music.as_mut() else {
            return Err(AudioError::NoMusic);
        };
        shared.set_overlay(overlay)?;
        setup.overlay = overlay;
        Ok(())
    }

    /// What sounds with the music now; `None` without music.
    pub fn overlay(&self) -> Option<Overlay> {
        self.music.as_ref().map(|(_, shared)| shared.overlay())
    }

    /// The music's own volume (0..=1, under the master volume [`Command::SetVolume`], the
    /// clicks unaffected), from the next buffer. Refused without music, or out of 0..=1.
    pub fn set_music_volume(&mut self, volume: f32) -> Result<(), AudioError> {
        let Some((_, shared)) = self.music.as_ref() else {
            return Err(AudioError::NoMusic);
        };
        shared.set_music_volume(volume)
    }

    /// Puts another track on in place of the one playing, at a beat boundary: its beat 0 sounds
    /// on the first beat at or after `from_session_nanos` that the music worker can still
    /// reach (it decodes nothing: `track` is ready at the output's rate), the old track fading
    /// out into it; [`MetronomeEvent::MusicSwitched`] says when. A new stream after a change of
    /// device plays it from its start. Refused without music, or at another rate than the
    /// track playing.
    pub fn switch_music(
        &mut self,
        track: MusicTrack,
        from_session_nanos: i64,
    ) -> Result<(), AudioError> {
        let Some((setup, _)) = self.music.as_mut() else {
            return Err(AudioError::NoMusic);
        };
        if track.rate_hz != setup.track.rate_hz {
            return Err(AudioError::Track {
                what: "sample rate",
                detail: format!(
                    "is {} Hz, the music playing is at {} Hz",
                    track.rate_hz, setup.track.rate_hz
                ),
            });
        }
        setup.track = track.clone();
        let Some(live) = self.live.as_ref() else {
            return Ok(());
        };
        let Some(worker) = live.music_worker.as_ref() else {
            return Ok(());
        };
        // Not timed yet: the first beat the worker can reach.
        let from_frame = live
            .clock
            .frame_at_session_nanos(from_session_nanos)
            .unwrap_or(0);
        worker.put_on(track, from_frame)
    }

    /// Reads everything the audio side reported, handles faults and retries, and returns what
    /// happened since the last call. Call it often (every UI frame or every 10–50 ms).
    pub fn poll(&mut self) -> Vec<MetronomeEvent> {
        self.drain();
        self.check_stall();
        if self.live.is_none() && Instant::now() >= self.next_retry {
            self.try_open();
        }
        self.try_pending_start();
        std::mem::take(&mut self.events)
    }

    fn drain(&mut self) {
        if let Some((_, shared)) = &self.music {
            let now = (shared.underruns(), shared.underrun_frames());
            let (buffers, frames) = self.music_underruns_seen;
            if now.0 > buffers {
                self.events.push(MetronomeEvent::MusicUnderrun {
                    buffers: now.0 - buffers,
                    frames: now.1 - frames,
                });
                self.music_underruns_seen = now;
            }
        }
        let now_nanos = self.session_nanos();
        let Some(live) = self.live.as_mut() else {
            return;
        };
        if let Some(frame) = self
            .music
            .as_ref()
            .and_then(|(_, shared)| shared.take_switch())
        {
            self.events.push(MetronomeEvent::MusicSwitched {
                session_nanos: live.clock.session_nanos_of_frame(frame),
            });
        }
        let mut lost = false;
        let faults_dropped = live.output.faults_dropped.swap(0, Ordering::Relaxed);
        if faults_dropped > 0 {
            self.events.push(MetronomeEvent::FaultsDropped {
                count: faults_dropped,
            });
        }
        while let Ok(fault) = live.output.faults.pop() {
            match fault {
                StreamFault::Xrun => {
                    live.clock.reset();
                    self.events.push(MetronomeEvent::Xrun {
                        session_nanos: now_nanos,
                    });
                }
                StreamFault::DeviceLost => lost = true,
                StreamFault::DeviceChanged => self.events.push(MetronomeEvent::DeviceChanged),
                StreamFault::Backend => self.events.push(MetronomeEvent::BackendError),
            }
        }
        while let Ok(item) = live.output.telemetry.pop() {
            match item {
                Telemetry::Buffer(timing) => {
                    live.clock.observe(&timing);
                    live.last_buffer = Some(timing);
                    live.last_callback_at = Instant::now();
                    live.max_latency_nanos =
                        live.max_latency_nanos.max(timing.output_latency_nanos());
                }
                Telemetry::Beat(beat) => {
                    let session_nanos = live.clock.session_nanos_of_frame(beat.frame);
                    if let Some(t) = session_nanos {
                        self.intent.last_beat = Some((beat.beat, t));
                    }
                    self.events.push(MetronomeEvent::Beat {
                        beat,
                        session_nanos,
                    });
                }
                Telemetry::CommandRejected => self.events.push(MetronomeEvent::CommandRejected),
                Telemetry::Dropped { count } => {
                    self.events.push(MetronomeEvent::TelemetryDropped { count });
                }
            }
        }
        if lost {
            self.lose_device();
        }
    }

    fn check_stall(&mut self) {
        let stalled = self
            .live
            .as_ref()
            .is_some_and(|l| l.last_callback_at.elapsed() > self.config.stall_timeout);
        if stalled {
            self.lose_device();
        }
    }

    fn lose_device(&mut self) {
        if let Some(live) = self.live.take() {
            self.events.push(MetronomeEvent::DeviceLost {
                device: live.output.granted.device_name.clone(),
            });
            // Dropping a stream whose device vanished may block in the backend: not here.
            std::thread::spawn(move || drop(live));
            // Recover onto the default device, whatever was chosen before.
            self.config.output.device_name = None;
            self.next_retry = Instant::now() + self.config.retry_interval;
            self.resume_after_loss();
        }
    }

    /// Plans the beat to go on, in phase and with its numbering, on the next stream.
    fn resume_after_loss(&mut self) {
        let (Some(tempo), Some((beat, at_nanos))) = (self.intent.tempo, self.intent.last_beat)
        else {
            return;
        };
        self.pending_start = Some((at_nanos, tempo, Some(beat)));
    }

    fn try_open(&mut self) {
        let intent = self.intent;
        let make = |rate: u32, channels: u16| intent.renderer(rate, channels);
        let opened = match &self.music {
            None => open_output(&self.config.output, self.session_origin, make)
                .map(|output| (output, None)),
            Some((setup, shared)) => open_music_output(
                &self.config.output,
                self.session_origin,
                setup,
                shared,
                make,
            )
            .map(|(output, worker)| (output, Some(worker))),
        };
        match opened {
            Ok((output, music_worker)) => {
                let clock = ClockMap::new(
                    output.granted.sample_rate_hz,
                    output.stream_to_session_nanos,
                );
                self.events
                    .push(MetronomeEvent::Opened(output.granted.clone()));
                self.live = Some(Live {
                    output,
                    music_worker,
                    clock,
                    last_buffer: None,
                    last_callback_at: Instant::now(),
                    max_latency_nanos: 0,
                });
            }
            Err(error) => {
                self.events.push(MetronomeEvent::NoDevice { error });
                self.next_retry = Instant::now() + self.config.retry_interval;
            }
        }
    }

    /// Turns a start on the session clock into a start at a frame, once the stream is timed.
    fn try_pending_start(&mut self) {
        let Some((at_nanos, tempo, last_beat)) = self.pending_start else {
            return;
        };
        let now = self.session_nanos();
        let lead = i64::try_from(self.config.start_lead.as_nanos()).unwrap_or(0);
        let Some(live) = self.live.as_mut() else {
            return;
        };
        let Some(last_buffer) = live.last_buffer else {
            return;
        };
        // Move the start onto the beat grid, far enough ahead to reach the callback in time.
        let period_nanos = i64::try_from(tempo.frames_for_beats(1_000, 1_000_000_000) / 1_000)
            .unwrap_or(i64::MAX)
            .max(1);
        let earliest = now + lead;
        let skipped = if at_nanos >= earliest {
            0
        } else {
            (earliest - at_nanos + period_nanos - 1) / period_nanos
        };
        let start_nanos = at_nanos + skipped * period_nanos;
        let Some(frame) = live.clock.frame_at_session_nanos(start_nanos) else {
            return;
        };
        let frame = frame.max(last_buffer.first_frame + u64::from(last_buffer.frames));
        if let Some(beat) = last_beat {
            // Beat `beat` played at `at_nanos`: go on numbering `skipped` beats later, so feet
            // and accents carry on where they were.
            let next = beat + u64::try_from(skipped.max(1)).unwrap_or(1);
            if live
                .output
                .commands
                .push(Command::NumberNextBeat(next))
                .is_err()
            {
                return;
            }
        }
        let start = Command::Start {
            at_frame: frame,
            tempo,
        };
        if live.output.commands.push(start).is_ok() {
            self.pending_start = None;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::sound::SoundBank;

    /// The first beat a new stream's renderer plays, `len` frames of its left channel.
    fn first_beat(intent: &Intent, len: usize) -> Vec<f32> {
        let mut r = intent.renderer(48_000, 2);
        r.apply(Command::Start {
            at_frame: 0,
            tempo: Tempo::from_bpm(60.0).unwrap(),
        })
        .unwrap();
        let mut out = vec![0.0; len * 2];
        r.render(&mut out, |_| {});
        out.chunks(2).map(|f| f[0]).collect()
    }

    #[test]
    fn a_new_stream_plays_the_configured_sound() {
        let bank = SoundBank::new(48_000);
        for sound in SoundId::ALL {
            let config = MetronomeConfig {
                sound,
                ..MetronomeConfig::default()
            };
            let expected = bank.samples(sound);
            assert_eq!(
                first_beat(&Intent::new(&config), expected.len()),
                expected,
                "{sound}"
            );
        }
    }
}
