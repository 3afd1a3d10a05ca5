//! Offline rendering of music along a beat schedule, through the live path's own code: the same
//! engine, worker, ring and callback, run in turn on one thread instead of two.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use crate::callback::CallbackState;
use crate::error::AudioError;
use crate::music_callback::{MusicShared, Overlay};
use crate::music_engine::MusicTrack;
use crate::music_player::music_parts;
use crate::output::{COMMAND_QUEUE_CAPACITY, TELEMETRY_QUEUE_CAPACITY};
use crate::renderer::{Command, PENDING_CAPACITY, PlayedBeat, Renderer};
use crate::schedule::ScheduleChange;
use crate::sound::SoundId;
use crate::style::CueStyle;
use crate::telemetry::Telemetry;
use crate::tempo::Tempo;
use crate::wav::{WavRequest, to_i16};

/// What to render.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MusicWavRequest {
    /// Tempo of the first beat.
    pub tempo: Tempo,
    /// With a tempo here, the tempo moves linearly in time from `tempo` to this one over the
    /// whole length (changed at every beat).
    pub to_tempo: Option<Tempo>,
    /// Length of the file in seconds.
    pub seconds: f64,
    /// Frame of the first beat (music beat 0 sounds there; the track's intro before it).
    pub first_beat_frame: u64,
    /// Music, clicks, or both.
    pub overlay: Overlay,
    /// Level of the music (0..=1).
    pub music_level: f32,
    /// The click's sound when the overlay has one.
    pub sound: SoundId,
    /// Stereo frames between the worker and the callback, as live.
    pub ring_frames: usize,
}

/// Frames per callback of the offline render (as the live stream asks for).
const RENDER_BUFFER_FRAMES: usize = 512;
/// Ramp changes are sent this many beats before their beat (live, a session sends them ahead).
const CHANGES_AHEAD_BEATS: u64 = 4;

/// The tempo changes of a linear ramp from `start` to `to` over `seconds`, beat by beat from the
/// first beat at `first_beat_frame`: beat `k` gets the tempo the ramp has at its time.
pub fn tempo_ramp(
    start: Tempo,
    to: Tempo,
    seconds: f64,
    first_beat_frame: u64,
    sample_rate_hz: u32,
) -> Result<Vec<ScheduleChange>, AudioError> {
    let rate = f64::from(sample_rate_hz);
    let mut time_secs = first_beat_frame as f64 / rate + 60.0 / start.bpm();
    let mut changes = Vec::new();
    let mut beat = 1u64;
    while time_secs < seconds {
        let bpm = start.bpm() + (to.bpm() - start.bpm()) * (time_secs / seconds).min(1.0);
        let tempo = Tempo::from_bpm(bpm)?;
        changes.push(ScheduleChange {
            at_beat: beat,
            tempo: Some(tempo),
            shift_frames: 0,
        });
        time_secs += 60.0 / tempo.bpm();
        beat += 1;
    }
    Ok(changes)
}

/// Renders `track` along the schedule `request` describes into a 16-bit stereo WAV file at the
/// track's rate; returns the beats played (their frames are the schedule's).
pub fn render_music(
    track: &MusicTrack,
    request: &MusicWavRequest,
    path: &Path,
) -> Result<Vec<PlayedBeat>, AudioError> {
    let rate = track.rate_hz;
    let wav = WavRequest {
        tempo: request.tempo,
        seconds: request.seconds,
        sample_rate_hz: rate,
        channels: 2,
        first_beat_frame: request.first_beat_frame,
        style: CueStyle::plain(request.sound),
        volume: 1.0,
    };
    wav.validate()?;
    let changes = match request.to_tempo {
        Some(to) => tempo_ramp(
            request.tempo,
            to,
            request.seconds,
            request.first_beat_frame,
            rate,
        )?,
        None => Vec::new(),
    };
    let mut renderer = Renderer::new(rate, 2);
    renderer.apply(Command::SetStyle(wav.style))?;
    renderer.apply(Command::Start {
        at_frame: request.first_beat_frame,
        tempo: request.tempo,
    })?;
    let (mut commands, command_rx) = rtrb::RingBuffer::new(COMMAND_QUEUE_CAPACITY);
    let (telemetry_tx, mut telemetry) = rtrb::RingBuffer::new(TELEMETRY_QUEUE_CAPACITY);
    let state = CallbackState::new(renderer, command_rx, telemetry_tx);
    let shared = Arc::new(MusicShared::new());
    let (mut callback, mut worker) = music_parts(
        track,
        state,
        request.overlay,
        request.music_level,
        request.ring_frames,
        Arc::clone(&shared),
    )?;
    let wav_error = |e: hound::Error| AudioError::Wav {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).map_err(wav_error)?;
    let mut beats = Vec::new();
    let mut pending = changes.iter().peekable();
    let mut buffer = vec![0.0f32; 2 * RENDER_BUFFER_FRAMES];
    let total_frames = wav.total_frames();
    let mut done = 0u64;
    while done < total_frames {
        let next_beat = beats.last().map_or(0, |b: &PlayedBeat| b.beat + 1);
        let mut queued = 0;
        while let Some(change) = pending.next_if(|c| {
            c.at_beat <= next_beat + CHANGES_AHEAD_BEATS && queued < PENDING_CAPACITY / 2
        }) {
            commands
                .push(Command::Change(*change))
                .map_err(|_| AudioError::CommandQueueFull)?;
            queued += 1;
        }
        let frames = (total_frames - done).min(RENDER_BUFFER_FRAMES as u64) as usize;
        let out = &mut buffer[..2 * frames];
        worker.fill_ring();
        let nanos =
            u64::try_from(u128::from(done) * 1_000_000_000 / u128::from(rate)).unwrap_or(u64::MAX);
        crate::callback::AudioCallback::process_f32(&mut callback, out, nanos, nanos);
        while let Ok(item) = telemetry.pop() {
            match item {
                Telemetry::Beat(beat) => beats.push(beat),
                Telemetry::CommandRejected => {
                    return Err(AudioError::WavRequest {
                        what: "schedule",
                        detail: "the renderer refused a tempo change".into(),
                    });
                }
                Telemetry::Buffer(_) | Telemetry::Dropped { .. } => {}
            }
        }
        for sample in out.iter() {
            writer.write_sample(to_i16(*sample)).map_err(wav_error)?;
        }
        done += frames as u64;
    }
    writer.finalize().map_err(wav_error)?;
    if shared.underrun_frames() > 0 {
        // Offline the worker fills the ring before every buffer: a dry ring is a bug.
        return Err(AudioError::WavRequest {
            what: "music",
            detail: format!(
                "the music ring ran dry for {} frames",
                shared.underrun_frames()
            ),
        });
    }
    Ok(beats)
}

/// Writes the beat schedule as CSV (`beat_index,time_secs`), beat 0 the first one played.
pub fn write_beats_csv(
    path: &Path,
    beats: &[PlayedBeat],
    sample_rate_hz: u32,
) -> Result<(), AudioError> {
    let io_error = |e: std::io::Error| AudioError::Wav {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(io_error)?);
    writeln!(out, "beat_index,time_secs").map_err(io_error)?;
    let first = beats.first().map_or(0, |b| b.beat);
    for beat in beats {
        let secs = beat.frame as f64 / f64::from(sample_rate_hz);
        writeln!(out, "{},{secs:.6}", beat.beat - first).map_err(io_error)?;
    }
    out.flush().map_err(io_error)
}
