//! The body of the audio callback: drain commands, render, report. Wait-free: no allocation, no
//! lock, no logging, no system call (tested with a counting allocator in `tests/no_alloc.rs`).

use cpal::{FromSample, Sample};

use crate::renderer::{Command, Renderer};
use crate::telemetry::{BufferTiming, Telemetry};

/// Frames rendered per pass when the device's samples are not `f32` (a scratch buffer of this
/// many frames is allocated up front).
pub const SCRATCH_FRAMES: usize = 4096;

/// Everything the audio callback owns.
#[derive(Debug)]
pub struct CallbackState {
    renderer: Renderer,
    commands: rtrb::Consumer<Command>,
    telemetry: rtrb::Producer<Telemetry>,
    scratch: Vec<f32>,
    dropped: u64,
}

impl CallbackState {
    /// The callback's state around a renderer and the two queues (allocates the scratch buffer).
    pub fn new(
        renderer: Renderer,
        commands: rtrb::Consumer<Command>,
        telemetry: rtrb::Producer<Telemetry>,
    ) -> Self {
        let scratch = vec![0.0; SCRATCH_FRAMES * renderer.channels()];
        Self {
            renderer,
            commands,
            telemetry,
            scratch,
            dropped: 0,
        }
    }

    /// The renderer (for inspection in tests).
    pub fn renderer(&self) -> &Renderer {
        &self.renderer
    }

    /// The renderer, to set what it plays between chunks of one buffer (the music overlay).
    pub(crate) fn renderer_mut(&mut self) -> &mut Renderer {
        &mut self.renderer
    }

    /// Renders `out` and reports the beats it starts (the part of a buffer after
    /// [`CallbackState::begin`]).
    pub(crate) fn render_reporting(&mut self, out: &mut [f32]) {
        let Self {
            renderer,
            telemetry,
            dropped,
            ..
        } = self;
        renderer.render(out, |beat| send(telemetry, dropped, Telemetry::Beat(beat)));
    }

    /// Handles one output buffer of interleaved `f32` samples.
    pub fn process_f32(
        &mut self,
        out: &mut [f32],
        callback_stream_nanos: u64,
        playback_stream_nanos: u64,
    ) {
        self.begin(out.len(), callback_stream_nanos, playback_stream_nanos);
        self.render_reporting(out);
    }

    /// Handles one output buffer of interleaved samples of any format, through the scratch buffer.
    pub fn process<T: Sample + FromSample<f32>>(
        &mut self,
        out: &mut [T],
        callback_stream_nanos: u64,
        playback_stream_nanos: u64,
    ) {
        self.begin(out.len(), callback_stream_nanos, playback_stream_nanos);
        let Self {
            renderer,
            telemetry,
            dropped,
            scratch,
            ..
        } = self;
        for chunk in out.chunks_mut(scratch.len().max(1)) {
            let rendered = &mut scratch[..chunk.len()];
            renderer.render(rendered, |beat| {
                send(telemetry, dropped, Telemetry::Beat(beat));
            });
            for (o, s) in chunk.iter_mut().zip(rendered.iter()) {
                *o = T::from_sample(*s);
            }
        }
    }

    /// Takes in the commands and reports the buffer's timing: the start of every buffer.
    pub(crate) fn begin(
        &mut self,
        samples: usize,
        callback_stream_nanos: u64,
        playback_stream_nanos: u64,
    ) {
        while let Ok(command) = self.commands.pop() {
            if self.renderer.apply(command).is_err() {
                send(
                    &mut self.telemetry,
                    &mut self.dropped,
                    Telemetry::CommandRejected,
                );
            }
        }
        if self.dropped > 0 && self.telemetry.slots() > 1 {
            let count = self.dropped;
            self.dropped = 0;
            send(
                &mut self.telemetry,
                &mut self.dropped,
                Telemetry::Dropped { count },
            );
        }
        let frames = samples / self.renderer.channels();
        let timing = BufferTiming {
            first_frame: self.renderer.frame(),
            frames: u32::try_from(frames).unwrap_or(u32::MAX),
            callback_stream_nanos,
            playback_stream_nanos,
        };
        send(
            &mut self.telemetry,
            &mut self.dropped,
            Telemetry::Buffer(timing),
        );
    }
}

fn send(queue: &mut rtrb::Producer<Telemetry>, dropped: &mut u64, item: Telemetry) {
    if queue.push(item).is_err() {
        *dropped += 1;
    }
}

/// What an output stream's callback runs: the metronome's [`CallbackState`], or the music player's
/// state around it.
pub trait AudioCallback: Send + 'static {
    /// Handles one output buffer of interleaved `f32` samples.
    fn process_f32(
        &mut self,
        out: &mut [f32],
        callback_stream_nanos: u64,
        playback_stream_nanos: u64,
    );

    /// Handles one output buffer of interleaved samples of any format.
    fn process<T: Sample + FromSample<f32>>(
        &mut self,
        out: &mut [T],
        callback_stream_nanos: u64,
        playback_stream_nanos: u64,
    );
}

impl AudioCallback for CallbackState {
    fn process_f32(
        &mut self,
        out: &mut [f32],
        callback_stream_nanos: u64,
        playback_stream_nanos: u64,
    ) {
        CallbackState::process_f32(self, out, callback_stream_nanos, playback_stream_nanos);
    }

    fn process<T: Sample + FromSample<f32>>(
        &mut self,
        out: &mut [T],
        callback_stream_nanos: u64,
        playback_stream_nanos: u64,
    ) {
        CallbackState::process(self, out, callback_stream_nanos, playback_stream_nanos);
    }
}
