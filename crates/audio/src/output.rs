//! The thin cpal shell: opens an output device, runs the renderer in its callback, and hands back
//! the wait-free queues to talk to it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{BufferSize, SampleFormat, SupportedBufferSize, SupportedStreamConfig};

use crate::callback::{AudioCallback, CallbackState};
use crate::error::AudioError;
use crate::renderer::{Command, Renderer};
use crate::telemetry::{StreamFault, Telemetry};

/// Commands waiting for the audio thread at most.
pub const COMMAND_QUEUE_CAPACITY: usize = 256;
/// Telemetry reports waiting for the control thread at most.
pub const TELEMETRY_QUEUE_CAPACITY: usize = 8192;
/// Faults waiting for the control thread at most.
pub const FAULT_QUEUE_CAPACITY: usize = 64;

/// Which device and settings to ask for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputOptions {
    /// A device name as listed by cpal, or `None` for the default device.
    pub device_name: Option<String>,
    /// Frames per callback to ask for (`None`: the device's default).
    pub buffer_frames: Option<u32>,
    /// Sample rate to ask for; the device's default rate if it cannot do this one.
    pub sample_rate_hz: u32,
}

impl Default for OutputOptions {
    fn default() -> Self {
        Self {
            device_name: None,
            buffer_frames: Some(512),
            sample_rate_hz: 48_000,
        }
    }
}

/// What the device granted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantedConfig {
    /// The device's name.
    pub device_name: String,
    /// Sample rate in use.
    pub sample_rate_hz: u32,
    /// Channels in use.
    pub channels: u16,
    /// Sample format in use.
    pub sample_format: String,
    /// Frames per callback asked for.
    pub requested_buffer_frames: Option<u32>,
    /// Frames per callback granted, as the stream reports it.
    pub buffer_frames: Option<u32>,
}

/// A playing output stream and the queues to its callback.
pub struct OutputStream {
    /// The stream (dropping it stops the sound).
    pub stream: cpal::Stream,
    /// What the device granted.
    pub granted: GrantedConfig,
    /// `session_nanos = stream_nanos + stream_to_session_nanos` for this stream's timestamps.
    pub stream_to_session_nanos: i64,
    /// Commands to the renderer.
    pub commands: rtrb::Producer<Command>,
    /// Reports from the callback.
    pub telemetry: rtrb::Consumer<Telemetry>,
    /// Faults from the backend.
    pub faults: rtrb::Consumer<StreamFault>,
    /// Faults the backend reported while `faults` was full (read and reset by the control side).
    pub faults_dropped: Arc<AtomicU64>,
}

impl std::fmt::Debug for OutputStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutputStream")
            .field("granted", &self.granted)
            .field("stream_to_session_nanos", &self.stream_to_session_nanos)
            .finish_non_exhaustive()
    }
}

/// Names of the output devices the default host lists.
pub fn output_device_names() -> Result<Vec<String>, AudioError> {
    let host = cpal::default_host();
    let devices = host.output_devices().map_err(|e| AudioError::OpenFailed {
        device: "(listing devices)".into(),
        message: e.to_string(),
    })?;
    Ok(devices.map(|d| d.to_string()).collect())
}

/// Opens the device and starts a stream that plays a renderer made by `make_renderer` for the
/// granted sample rate and channel count. `session_origin` is the session clock's zero.
pub fn open_output(
    options: &OutputOptions,
    session_origin: Instant,
    mut make_renderer: impl FnMut(u32, u16) -> Renderer,
) -> Result<OutputStream, AudioError> {
    open_output_with(
        options,
        session_origin,
        |rate, channels, commands, telemetry| {
            CallbackState::new(make_renderer(rate, channels), commands, telemetry)
        },
    )
}

/// Makes the state an output stream's callback runs, for the granted sample rate and channel
/// count, around the two queues.
pub(crate) type MakeCallback<'a, S> =
    dyn FnMut(u32, u16, rtrb::Consumer<Command>, rtrb::Producer<Telemetry>) -> S + 'a;

/// [`open_output`] with any callback state (the music player's).
pub(crate) fn open_output_with<S: AudioCallback>(
    options: &OutputOptions,
    session_origin: Instant,
    mut make_state: impl FnMut(u32, u16, rtrb::Consumer<Command>, rtrb::Producer<Telemetry>) -> S,
) -> Result<OutputStream, AudioError> {
    let make_renderer = &mut make_state;
    let host = cpal::default_host();
    let device = find_device(&host, options.device_name.as_deref())?;
    let device_name = device.to_string();
    let open_failed = |e: cpal::Error| AudioError::OpenFailed {
        device: device_name.clone(),
        message: e.to_string(),
    };
    let supported = choose_config(&device, options.sample_rate_hz).map_err(open_failed)?;
    let supported = supported.ok_or_else(|| AudioError::NoUsableFormat {
        device: device_name.clone(),
    })?;
    let fixed = options
        .buffer_frames
        .filter(|&n| buffer_size_allowed(supported.buffer_size(), n));
    let attempt = |size: BufferSize, make: &mut MakeCallback<'_, S>| {
        start_stream(&device, &supported, size, session_origin, make)
    };
    let mut opened = match fixed {
        // A fixed size the device lists but still refuses: fall back to its default size.
        Some(frames) => attempt(BufferSize::Fixed(frames), make_renderer)
            .or_else(|_| attempt(BufferSize::Default, make_renderer)),
        None => attempt(BufferSize::Default, make_renderer),
    }
    .map_err(open_failed)?;
    opened.granted.device_name = device_name;
    opened.granted.requested_buffer_frames = options.buffer_frames;
    Ok(opened)
}

fn start_stream<S: AudioCallback>(
    device: &cpal::Device,
    supported: &SupportedStreamConfig,
    buffer_size: BufferSize,
    session_origin: Instant,
    make_state: &mut MakeCallback<'_, S>,
) -> Result<OutputStream, cpal::Error> {
    let sample_rate_hz = supported.sample_rate();
    let channels = supported.channels();
    let format = supported.sample_format();
    let (commands, command_rx) = rtrb::RingBuffer::new(COMMAND_QUEUE_CAPACITY);
    let (telemetry_tx, telemetry) = rtrb::RingBuffer::new(TELEMETRY_QUEUE_CAPACITY);
    let (mut fault_tx, faults) = rtrb::RingBuffer::new(FAULT_QUEUE_CAPACITY);
    let faults_dropped = Arc::new(AtomicU64::new(0));
    let dropped = Arc::clone(&faults_dropped);
    let mut state = make_state(sample_rate_hz, channels, command_rx, telemetry_tx);
    let mut config = supported.config();
    config.buffer_size = buffer_size;
    let on_error = move |e: cpal::Error| {
        // This may run on the audio thread: no logging here, only a wait-free push, or a count
        // when the queue is full (the control side logs it; a lost stream is still caught by the
        // stall timeout).
        if fault_tx.push(StreamFault::from_kind(e.kind())).is_err() {
            dropped.fetch_add(1, Ordering::Relaxed);
        }
    };
    let stream = match format {
        SampleFormat::F32 => device.build_output_stream(
            config,
            move |out: &mut [f32], info: &cpal::OutputCallbackInfo| {
                let (cb, play) = stamps(info);
                state.process_f32(out, cb, play);
            },
            on_error,
            None,
        ),
        SampleFormat::I16 => device.build_output_stream(
            config,
            move |out: &mut [i16], info: &cpal::OutputCallbackInfo| {
                let (cb, play) = stamps(info);
                state.process(out, cb, play);
            },
            on_error,
            None,
        ),
        SampleFormat::I32 => device.build_output_stream(
            config,
            move |out: &mut [i32], info: &cpal::OutputCallbackInfo| {
                let (cb, play) = stamps(info);
                state.process(out, cb, play);
            },
            on_error,
            None,
        ),
        _ => device.build_output_stream(
            config,
            move |out: &mut [f64], info: &cpal::OutputCallbackInfo| {
                let (cb, play) = stamps(info);
                state.process(out, cb, play);
            },
            on_error,
            None,
        ),
    }?;
    let stream_now_nanos = i128::try_from(stream.now().as_nanos()).unwrap_or(i128::MAX);
    let session_now_nanos = i128::try_from(session_origin.elapsed().as_nanos()).unwrap_or(0);
    let stream_to_session_nanos = i64::try_from(session_now_nanos - stream_now_nanos).unwrap_or(0);
    stream.play()?;
    let granted = GrantedConfig {
        device_name: String::new(),
        sample_rate_hz,
        channels,
        sample_format: format.to_string(),
        requested_buffer_frames: None,
        buffer_frames: stream.buffer_size().ok(),
    };
    Ok(OutputStream {
        stream,
        granted,
        stream_to_session_nanos,
        commands,
        telemetry,
        faults,
        faults_dropped,
    })
}

fn stamps(info: &cpal::OutputCallbackInfo) -> (u64, u64) {
    let t = info.timestamp();
    let nanos = |i: cpal::StreamInstant| u64::try_from(i.as_nanos()).unwrap_or(u64::MAX);
    (nanos(t.callback), nanos(t.playback))
}

fn find_device(host: &cpal::Host, name: Option<&str>) -> Result<cpal::Device, AudioError> {
    match name {
        None => host.default_output_device().ok_or(AudioError::NoDevice),
        Some(name) => host
            .output_devices()
            .map_err(|e| AudioError::OpenFailed {
                device: name.to_owned(),
                message: e.to_string(),
            })?
            .find(|d| d.to_string() == name || d.id().is_ok_and(|id| id.to_string() == name))
            .ok_or_else(|| AudioError::DeviceNotFound {
                name: name.to_owned(),
            }),
    }
}

const USABLE_FORMATS: [SampleFormat; 4] = [
    SampleFormat::F32,
    SampleFormat::I16,
    SampleFormat::I32,
    SampleFormat::F64,
];

/// The best config at `rate_hz`: `f32` first, then other usable formats, at the default channel
/// count; the device default if none can do that rate.
fn choose_config(
    device: &cpal::Device,
    rate_hz: u32,
) -> Result<Option<SupportedStreamConfig>, cpal::Error> {
    let default = device.default_output_config()?;
    let ranges: Vec<_> = device.supported_output_configs()?.collect();
    for format in USABLE_FORMATS {
        for channels in [default.channels(), 2, 1] {
            let found = ranges.iter().find(|r| {
                r.sample_format() == format
                    && r.channels() == channels
                    && (r.min_sample_rate()..=r.max_sample_rate()).contains(&rate_hz)
            });
            if let Some(range) = found {
                return Ok(Some(range.with_sample_rate(rate_hz)));
            }
        }
    }
    Ok(USABLE_FORMATS
        .contains(&default.sample_format())
        .then_some(default))
}

fn buffer_size_allowed(supported: &SupportedBufferSize, frames: u32) -> bool {
    match supported {
        SupportedBufferSize::Range { min, max } => (*min..=*max).contains(&frames),
        SupportedBufferSize::Unknown => true,
    }
}
