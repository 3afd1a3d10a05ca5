//! Mapping audio frames to the session clock (and back) from the callbacks' playback timestamps.

use crate::telemetry::BufferTiming;

const NANOS_PER_SEC: i128 = 1_000_000_000;
/// Buffers per window of the lower-envelope estimate.
const WINDOW_BUFFERS: u32 = 256;

/// Maps absolute output frames to `session_nanos` (the app's one time base).
///
/// Each buffer says when its first frame will be played. Callback wake-up delays only ever make
/// that stamp late, never early, so the map keeps the lower envelope of `playback − frame / rate`
/// over a recent window (two windows of [`WINDOW_BUFFERS`] buffers, so it follows slow clock drift)
/// and starts afresh after an xrun, when the frames really do play later.
///
/// One exception: while a stream starts (or restarts after an xrun) the backend fills its buffers
/// with callbacks in a burst, faster than real time, and what it reports as latency then does not
/// cover what it queued (PulseAudio's ALSA plugin runs ~0.3 s ahead this way). Only buffers whose
/// callback came at least half a buffer after the previous one — a stream pacing itself by the
/// device — count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClockMap {
    sample_rate_hz: u32,
    stream_to_session_nanos: i64,
    current_min_nanos: Option<i64>,
    previous_min_nanos: Option<i64>,
    buffers_in_window: u32,
    last_callback_stream_nanos: Option<u64>,
}

impl ClockMap {
    /// A map for a stream whose clock reads `session_nanos = stream_nanos + stream_to_session_nanos`.
    pub fn new(sample_rate_hz: u32, stream_to_session_nanos: i64) -> Self {
        Self {
            sample_rate_hz,
            stream_to_session_nanos,
            current_min_nanos: None,
            previous_min_nanos: None,
            buffers_in_window: 0,
            last_callback_stream_nanos: None,
        }
    }

    /// Takes one buffer's timing into account.
    pub fn observe(&mut self, timing: &BufferTiming) {
        let previous = self
            .last_callback_stream_nanos
            .replace(timing.callback_stream_nanos);
        let half_buffer_nanos = self.frames_to_nanos(u64::from(timing.frames)) / 2;
        let paced = previous.is_some_and(|p| {
            i128::from(timing.callback_stream_nanos) - i128::from(p) >= half_buffer_nanos
        });
        if !paced {
            return;
        }
        let playback_session =
            i128::from(timing.playback_stream_nanos) + i128::from(self.stream_to_session_nanos);
        let frame_nanos = self.frames_to_nanos(timing.first_frame);
        let origin = saturate(playback_session - frame_nanos);
        self.current_min_nanos = Some(self.current_min_nanos.map_or(origin, |m| m.min(origin)));
        self.buffers_in_window += 1;
        if self.buffers_in_window >= WINDOW_BUFFERS {
            self.previous_min_nanos = self.current_min_nanos;
            self.current_min_nanos = None;
            self.buffers_in_window = 0;
        }
    }

    /// Forgets the estimate (after an xrun the frames play later than before).
    pub fn reset(&mut self) {
        *self = Self::new(self.sample_rate_hz, self.stream_to_session_nanos);
    }

    /// Session time at which frame 0 would have played, if any buffer was seen.
    pub fn origin_session_nanos(&self) -> Option<i64> {
        match (self.current_min_nanos, self.previous_min_nanos) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Session time at which `frame` is played.
    pub fn session_nanos_of_frame(&self, frame: u64) -> Option<i64> {
        let origin = self.origin_session_nanos()?;
        Some(saturate(i128::from(origin) + self.frames_to_nanos(frame)))
    }

    /// The frame played at `session_nanos` (rounded; frames before 0 give 0).
    pub fn frame_at_session_nanos(&self, session_nanos: i64) -> Option<u64> {
        let origin = self.origin_session_nanos()?;
        let elapsed = i128::from(session_nanos) - i128::from(origin);
        let frames =
            (elapsed * i128::from(self.sample_rate_hz) + NANOS_PER_SEC / 2) / NANOS_PER_SEC;
        Some(u64::try_from(frames.max(0)).unwrap_or(u64::MAX))
    }

    fn frames_to_nanos(&self, frames: u64) -> i128 {
        i128::from(frames) * NANOS_PER_SEC / i128::from(self.sample_rate_hz.max(1))
    }
}

fn saturate(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timing(first_frame: u64, playback_stream_nanos: u64) -> BufferTiming {
        BufferTiming {
            first_frame,
            frames: 480,
            callback_stream_nanos: playback_stream_nanos.saturating_sub(20_000_000),
            playback_stream_nanos,
        }
    }

    #[test]
    fn keeps_the_lower_envelope_of_late_callbacks() {
        let mut map = ClockMap::new(48_000, 1_000);
        // A start-up burst: back-to-back callbacks running ahead of the device are ignored.
        map.observe(&timing(0, 40_000_000));
        map.observe(&timing(480, 40_100_000));
        assert_eq!(map.origin_session_nanos(), None);
        map.observe(&timing(0, 50_000_000 + 3_000_000)); // 3 ms late wake-up
        map.observe(&timing(480, 60_000_000)); // on time: frame 480 = 10 ms
        map.observe(&timing(960, 70_000_000 + 500_000));
        assert_eq!(map.origin_session_nanos(), Some(50_001_000));
        assert_eq!(map.session_nanos_of_frame(48_000), Some(1_050_001_000));
        assert_eq!(map.frame_at_session_nanos(1_050_001_000), Some(48_000));
        map.reset();
        assert_eq!(map.session_nanos_of_frame(0), None);
    }
}
