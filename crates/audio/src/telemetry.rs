//! What the audio callback reports back, through a wait-free queue.

use crate::renderer::PlayedBeat;

/// Timing of one output buffer, on the stream's own clock (nanoseconds since the stream was made).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BufferTiming {
    /// Absolute frame of the buffer's first frame.
    pub first_frame: u64,
    /// Frames in the buffer.
    pub frames: u32,
    /// When the callback ran.
    pub callback_stream_nanos: u64,
    /// When the buffer's first frame will reach the device output (callback + output latency).
    pub playback_stream_nanos: u64,
}

impl BufferTiming {
    /// Output latency of this buffer: from the callback to its first frame being played.
    pub fn output_latency_nanos(&self) -> u64 {
        self.playback_stream_nanos
            .saturating_sub(self.callback_stream_nanos)
    }
}

/// One report from the audio callback.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Telemetry {
    /// A buffer was rendered (sent before the beats it holds).
    Buffer(BufferTiming),
    /// A beat started in the last buffer reported.
    Beat(PlayedBeat),
    /// The renderer refused a command (its pending list was full or a level out of range).
    CommandRejected,
    /// Reports dropped because the telemetry queue was full, since the last report of this kind.
    Dropped {
        /// How many.
        count: u64,
    },
}

/// A fault reported by the audio backend through the stream's error callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamFault {
    /// A buffer underrun (or overrun): some audio was late, the beat may have slipped by up to a
    /// buffer.
    Xrun,
    /// The device is gone; the stream is dead.
    DeviceLost,
    /// The backend rerouted the stream to another device by itself.
    DeviceChanged,
    /// Any other backend error.
    Backend,
}

impl StreamFault {
    /// Classifies a cpal error (without allocating).
    pub fn from_kind(kind: cpal::ErrorKind) -> Self {
        match kind {
            cpal::ErrorKind::Xrun => Self::Xrun,
            cpal::ErrorKind::DeviceNotAvailable | cpal::ErrorKind::StreamInvalidated => {
                Self::DeviceLost
            }
            cpal::ErrorKind::DeviceChanged => Self::DeviceChanged,
            _ => Self::Backend,
        }
    }
}
