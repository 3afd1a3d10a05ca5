//! The beat schedule: which frame each beat starts on, with tempo and phase changes that take
//! effect at a named beat. Integer arithmetic only, so it never drifts.

use crate::tempo::Tempo;

/// One stretch of steady beats: beat `start_beat` sits on `start_frame`, later beats follow at
/// `tempo`, until the next segment begins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// The first beat of this segment.
    pub start_beat: u64,
    /// The absolute output frame on which `start_beat` starts.
    pub start_frame: u64,
    /// The tempo from `start_beat` on.
    pub tempo: Tempo,
}

impl Segment {
    /// The frame on which `beat` (at or after `start_beat`) starts.
    pub fn onset_frame(&self, beat: u64, sample_rate_hz: u32) -> u64 {
        let beats = beat.saturating_sub(self.start_beat);
        self.start_frame
            .saturating_add(self.tempo.frames_for_beats(beats, sample_rate_hz))
    }

    /// The segment that starts at `beat` (at or after `start_beat`) with a new tempo and the beat
    /// moved by `shift_frames` (negative: earlier). Beat `beat` itself keeps its place unless
    /// shifted, so a tempo change never makes a beat jump.
    pub fn changed_at(
        &self,
        beat: u64,
        tempo: Tempo,
        shift_frames: i64,
        sample_rate_hz: u32,
    ) -> Segment {
        let onset = self.onset_frame(beat, sample_rate_hz);
        Segment {
            start_beat: beat,
            start_frame: onset.saturating_add_signed(shift_frames),
            tempo,
        }
    }
}

/// A change to the schedule taking effect at a given beat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScheduleChange {
    /// The beat from which the change holds (if that beat already played: the next one).
    pub at_beat: u64,
    /// The new tempo, or `None` to keep the current one.
    pub tempo: Option<Tempo>,
    /// Moves beat `at_beat` and all later beats by this many frames (phase change).
    pub shift_frames: i64,
}

/// Onset frames of a whole schedule given as a start and a list of changes, computed offline (for
/// tests, WAV rendering and the end-to-end checks). `changes` must be sorted by `at_beat`.
pub fn onset_frames(
    start: Segment,
    changes: &[ScheduleChange],
    beats: u64,
    sample_rate_hz: u32,
) -> Vec<u64> {
    let mut segment = start;
    let mut pending = changes.iter().peekable();
    (start.start_beat..start.start_beat + beats)
        .map(|beat| {
            while let Some(change) = pending.next_if(|c| c.at_beat <= beat) {
                let tempo = change.tempo.unwrap_or(segment.tempo);
                segment = segment.changed_at(beat, tempo, change.shift_frames, sample_rate_hz);
            }
            segment.onset_frame(beat, sample_rate_hz)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn seg(bpm: f64) -> Segment {
        Segment {
            start_beat: 0,
            start_frame: 1000,
            tempo: Tempo::from_bpm(bpm).unwrap(),
        }
    }

    #[test]
    fn tempo_change_keeps_the_changing_beat_in_place() {
        let onsets = onset_frames(
            seg(120.0),
            &[ScheduleChange {
                at_beat: 2,
                tempo: Some(Tempo::from_bpm(60.0).unwrap()),
                shift_frames: 0,
            }],
            4,
            48_000,
        );
        assert_eq!(onsets, vec![1000, 25_000, 49_000, 97_000]);
    }

    #[test]
    fn phase_shift_moves_later_beats_only() {
        let onsets = onset_frames(
            seg(120.0),
            &[ScheduleChange {
                at_beat: 1,
                tempo: None,
                shift_frames: -100,
            }],
            3,
            48_000,
        );
        assert_eq!(onsets, vec![1000, 24_900, 48_900]);
    }
}
