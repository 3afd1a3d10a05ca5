//! The pure metronome renderer: owns an absolute frame counter and starts every beat on its exact
//! frame, whatever the buffer size. No threads, clocks, I/O or allocation after construction.

use crate::error::AudioError;
use crate::schedule::{ScheduleChange, Segment};
use crate::sound::{SoundBank, SoundId};
use crate::style::{CueStyle, Foot, check_level};
use crate::tempo::Tempo;

/// How many schedule changes, fades and stops may wait at once.
pub const PENDING_CAPACITY: usize = 16;

/// An instruction to the renderer. Beat-addressed commands take effect exactly at that beat (or at
/// the next beat not yet played, if it is already past).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Command {
    /// Starts (or re-anchors) the beat: the next beat plays on `at_frame`, then on at `tempo`.
    Start {
        /// Absolute output frame of the next beat.
        at_frame: u64,
        /// Tempo from there on.
        tempo: Tempo,
    },
    /// No beat from `at_beat` on (the sound already playing finishes).
    Stop {
        /// The first beat not played.
        at_beat: u64,
    },
    /// A tempo and/or phase change at a beat.
    Change(ScheduleChange),
    /// Moves the fade gain linearly from its value at `at_beat` to `to_gain` over `over_beats`
    /// beats: the softening and removal of the cue in the RAS fading phase, and its return.
    Fade {
        /// First beat of the ramp.
        at_beat: u64,
        /// Length of the ramp in beats (0: a step).
        over_beats: u32,
        /// Fade gain at the end of the ramp (0..=1).
        to_gain: f32,
    },
    /// Master volume (0..=1), from the next beat on.
    SetVolume(f32),
    /// Sounds, accents and panning, from the next beat on.
    SetStyle(CueStyle),
    /// Gives the next beat this number (carries beat numbering, and so feet and accents, over to a
    /// new stream after a change of device).
    NumberNextBeat(u64),
}

/// A beat the renderer started, for telemetry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlayedBeat {
    /// Beat index (0 = the first beat ever started by this renderer).
    pub beat: u64,
    /// Absolute frame on which its sound starts.
    pub frame: u64,
    /// Frame the schedule asked for; differs from `frame` only if the beat was already late
    /// when it was scheduled (a start or shift into the past).
    pub scheduled_frame: u64,
    /// The foot it cues.
    pub foot: Foot,
    /// Whether it is accented.
    pub accented: bool,
    /// The sound played.
    pub sound: SoundId,
    /// Overall gain of this beat (volume × fade × accent level), 0..=1.
    pub gain: f32,
}

#[derive(Clone, Copy, Debug)]
enum Pending {
    Change(ScheduleChange),
    Fade {
        at_beat: u64,
        over_beats: u32,
        to_gain: f32,
    },
    Stop {
        at_beat: u64,
    },
}

impl Pending {
    fn at_beat(&self) -> u64 {
        match self {
            Pending::Change(c) => c.at_beat,
            Pending::Fade { at_beat, .. } | Pending::Stop { at_beat } => *at_beat,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct FadeRamp {
    from_beat: u64,
    from_gain: f32,
    to_beat: u64,
    to_gain: f32,
}

impl FadeRamp {
    fn gain(&self, beat: u64) -> f32 {
        if beat >= self.to_beat {
            self.to_gain
        } else if beat <= self.from_beat {
            self.from_gain
        } else {
            let t = (beat - self.from_beat) as f32 / (self.to_beat - self.from_beat) as f32;
            self.from_gain + (self.to_gain - self.from_gain) * t
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Voice {
    sound: SoundId,
    position: usize,
    gains: [f32; 2],
}

/// The beat schedule as the renderer keeps it: the segment in force, the changes waiting for their
/// beat, the fade ramp and the number of the next beat. `Copy`, so a look-ahead runs on a copy with
/// exactly the rules the renderer plays by, and the audio callback can hand it, wait-free, to a
/// thread that prepares sound ahead of time (the music worker).
#[derive(Clone, Copy, Debug)]
pub struct BeatSchedule {
    sample_rate_hz: u32,
    next_beat: u64,
    segment: Option<Segment>,
    pending: [Option<(u64, Pending)>; PENDING_CAPACITY],
    pending_seq: u64,
    fade: FadeRamp,
    first_beat: Option<u64>,
    revision: u64,
}

impl BeatSchedule {
    /// A stopped schedule at beat 0 (as a new renderer has).
    pub fn new(sample_rate_hz: u32) -> Self {
        Self {
            sample_rate_hz,
            next_beat: 0,
            segment: None,
            pending: [None; PENDING_CAPACITY],
            pending_seq: 0,
            fade: FadeRamp {
                from_beat: 0,
                from_gain: 1.0,
                to_beat: 0,
                to_gain: 1.0,
            },
            first_beat: None,
            revision: 0,
        }
    }

    /// Index of the next beat to be started.
    pub fn next_beat(&self) -> u64 {
        self.next_beat
    }

    /// Sample rate of the frames, Hz.
    pub fn sample_rate_hz(&self) -> u32 {
        self.sample_rate_hz
    }

    /// The segment in force, if the beat is running.
    pub fn segment(&self) -> Option<Segment> {
        self.segment
    }

    /// The beat a start found the schedule stopped at: beat 0 of whatever plays along (renumbered
    /// with the beats). `None` while stopped.
    pub fn first_beat(&self) -> Option<u64> {
        self.first_beat
    }

    /// Goes up with every command taken in: a copy with the same revision is the same schedule.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Starts every beat whose onset lies before `frame`, as rendering up to `frame` would (a copy
    /// taken earlier catches up with the output that way).
    pub fn advance_to(&mut self, frame: u64) {
        while let Some(onset) = self.next_onset() {
            if onset >= frame {
                break;
            }
            self.next_beat += 1;
        }
        if self.segment.is_none() {
            self.first_beat = None;
        }
    }

    /// The fade gain (0..=1, see [`Command::Fade`]) the next beat will start with and its
    /// scheduled frame, with the changes known now taking effect; `None` while stopped.
    pub fn next_fade_gain(&self) -> Option<(u64, f32)> {
        let mut schedule = *self;
        let frame = schedule.next_onset()?;
        Some((frame, schedule.fade.gain(schedule.next_beat)))
    }

    /// The next `out.len()` beats not yet started, as `(beat, scheduled frame)`, with the changes
    /// known now taking effect at their beats exactly as [`Renderer::render`] will apply them.
    /// Returns how many were filled (fewer if the beat stops or is not running). Never allocates.
    pub fn upcoming_onsets(&self, out: &mut [(u64, u64)]) -> usize {
        let mut schedule = *self;
        for (filled, slot) in out.iter_mut().enumerate() {
            let Some(frame) = schedule.next_onset() else {
                return filled;
            };
            *slot = (schedule.next_beat, frame);
            schedule.next_beat += 1;
        }
        out.len()
    }

    fn push(&mut self, pending: Pending) -> Result<(), AudioError> {
        let slot = self.pending.iter_mut().find(|slot| slot.is_none()).ok_or(
            AudioError::TooManyPendingChanges {
                capacity: PENDING_CAPACITY,
            },
        )?;
        *slot = Some((self.pending_seq, pending));
        self.pending_seq += 1;
        Ok(())
    }

    /// Applies the changes due at the next beat and returns its scheduled frame.
    fn next_onset(&mut self) -> Option<u64> {
        let beat = self.next_beat;
        while let Some(index) = self.due_pending(beat) {
            if let Some((_, pending)) = self.pending[index].take() {
                self.take_effect(pending, beat);
            }
        }
        let segment = self.segment?;
        Some(segment.onset_frame(beat, self.sample_rate_hz))
    }

    fn due_pending(&self, beat: u64) -> Option<usize> {
        self.pending
            .iter()
            .enumerate()
            .filter_map(|(i, slot)| slot.map(|(seq, p)| (i, seq, p.at_beat())))
            .filter(|&(_, _, at)| at <= beat)
            .min_by_key(|&(_, seq, at)| (at, seq))
            .map(|(i, _, _)| i)
    }

    fn take_effect(&mut self, pending: Pending, beat: u64) {
        match pending {
            Pending::Change(change) => {
                if let Some(segment) = self.segment {
                    let tempo = change.tempo.unwrap_or(segment.tempo);
                    self.segment = Some(segment.changed_at(
                        beat,
                        tempo,
                        change.shift_frames,
                        self.sample_rate_hz,
                    ));
                }
            }
            Pending::Fade {
                over_beats,
                to_gain,
                ..
            } => {
                self.fade = FadeRamp {
                    from_beat: beat,
                    from_gain: self.fade.gain(beat),
                    to_beat: beat + u64::from(over_beats),
                    to_gain,
                };
            }
            Pending::Stop { .. } => {
                self.segment = None;
                self.first_beat = None;
            }
        }
    }
}

/// The metronome renderer. Feed it [`Command`]s, then call [`Renderer::render`] with each output
/// buffer; it reports every beat it starts.
#[derive(Clone, Debug)]
pub struct Renderer {
    channels: usize,
    frame: u64,
    timeline: BeatSchedule,
    style: CueStyle,
    volume: f32,
    bank: SoundBank,
    voice: Option<Voice>,
}

impl Renderer {
    /// A silent renderer at frame 0 for interleaved buffers of `channels` channels
    /// (1: mono; 2 or more: left, right, then silent channels). Synthesises the sound bank.
    pub fn new(sample_rate_hz: u32, channels: u16) -> Self {
        Self {
            channels: usize::from(channels.max(1)),
            frame: 0,
            timeline: BeatSchedule::new(sample_rate_hz),
            style: CueStyle::default(),
            volume: 1.0,
            bank: SoundBank::new(sample_rate_hz),
            voice: None,
        }
    }

    /// Sample rate in frames per second.
    pub fn sample_rate_hz(&self) -> u32 {
        self.timeline.sample_rate_hz
    }

    /// Master volume (0..=1).
    pub fn volume(&self) -> f32 {
        self.volume
    }

    /// Channels per frame.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Absolute frame of the next frame to be rendered (= frames rendered so far).
    pub fn frame(&self) -> u64 {
        self.frame
    }

    /// Index of the next beat to be started.
    pub fn next_beat(&self) -> u64 {
        self.timeline.next_beat
    }

    /// The schedule segment in force, if the beat is running.
    pub fn segment(&self) -> Option<Segment> {
        self.timeline.segment
    }

    /// The next `out.len()` beats not yet started (see [`BeatSchedule::upcoming_onsets`]); a
    /// command that arrives later can still move them.
    pub fn upcoming_onsets(&self, out: &mut [(u64, u64)]) -> usize {
        self.timeline.upcoming_onsets(out)
    }

    /// A copy of the schedule as it stands.
    pub fn schedule(&self) -> BeatSchedule {
        self.timeline
    }

    /// Applies a command. Never allocates.
    pub fn apply(&mut self, command: Command) -> Result<(), AudioError> {
        if !matches!(command, Command::SetVolume(_) | Command::SetStyle(_)) {
            self.timeline.revision += 1;
        }
        match command {
            Command::Start { at_frame, tempo } => {
                let timeline = &mut self.timeline;
                if timeline.segment.is_none() {
                    timeline.first_beat = Some(timeline.next_beat);
                }
                self.timeline.segment = Some(Segment {
                    start_beat: self.timeline.next_beat,
                    start_frame: at_frame,
                    tempo,
                });
                Ok(())
            }
            Command::Stop { at_beat } => self.timeline.push(Pending::Stop { at_beat }),
            Command::Change(change) => self.timeline.push(Pending::Change(change)),
            Command::Fade {
                at_beat,
                over_beats,
                to_gain,
            } => {
                check_level("fade gain", to_gain)?;
                self.timeline.push(Pending::Fade {
                    at_beat,
                    over_beats,
                    to_gain,
                })
            }
            Command::SetVolume(volume) => {
                check_level("volume", volume)?;
                self.volume = volume;
                Ok(())
            }
            Command::SetStyle(style) => {
                style.validate()?;
                self.style = style;
                Ok(())
            }
            Command::NumberNextBeat(beat) => {
                let timeline = &mut self.timeline;
                if let Some(segment) = timeline.segment.as_mut() {
                    // Keep the running schedule's frames: renumber its anchor too.
                    let onset = segment.onset_frame(timeline.next_beat, timeline.sample_rate_hz);
                    segment.start_beat = beat;
                    segment.start_frame = onset;
                }
                // Whatever plays along keeps its beats: its beat 0 is renumbered too.
                timeline.first_beat = timeline
                    .first_beat
                    .map(|first| (first + beat).saturating_sub(timeline.next_beat));
                timeline.next_beat = beat;
                Ok(())
            }
        }
    }

    /// Renders the next `out.len() / channels` frames into `out` (interleaved), overwriting it,
    /// and calls `on_beat` for every beat started in it, in order. Never allocates.
    pub fn render<F: FnMut(PlayedBeat)>(&mut self, out: &mut [f32], mut on_beat: F) {
        out.fill(0.0);
        let frames = out.len() / self.channels;
        let start = self.frame;
        let end = start + frames as u64;
        let mut cursor = start;
        loop {
            let onset = self.timeline.next_onset();
            let until = match onset {
                Some(frame) if frame < end => frame.max(cursor),
                _ => end,
            };
            self.mix_voice(out, offset(cursor, start), offset(until, start));
            cursor = until;
            if cursor >= end {
                break;
            }
            if let Some(scheduled_frame) = onset {
                on_beat(self.start_beat(cursor, scheduled_frame));
            }
        }
        self.frame = end;
    }

    fn start_beat(&mut self, frame: u64, scheduled_frame: u64) -> PlayedBeat {
        let beat = self.timeline.next_beat;
        self.timeline.next_beat += 1;
        let gain = self.volume * self.timeline.fade.gain(beat);
        let [left, right] = self.style.channel_gains(beat);
        let sound = self.style.sound(beat);
        self.voice = Some(Voice {
            sound,
            position: 0,
            gains: [left * gain, right * gain],
        });
        PlayedBeat {
            beat,
            frame,
            scheduled_frame,
            foot: self.style.foot(beat),
            accented: self.style.is_accented(beat),
            sound,
            gain: gain * left.max(right),
        }
    }

    fn mix_voice(&mut self, out: &mut [f32], from_frame: usize, to_frame: usize) {
        let Some(voice) = self.voice.as_mut() else {
            return;
        };
        let samples = self.bank.samples(voice.sound);
        let channels = self.channels;
        let wanted = to_frame - from_frame;
        let available = samples.len() - voice.position;
        let count = wanted.min(available);
        let source = &samples[voice.position..voice.position + count];
        let target = &mut out[from_frame * channels..(from_frame + count) * channels];
        if channels == 1 {
            let gain = voice.gains[0].max(voice.gains[1]);
            for (o, s) in target.iter_mut().zip(source) {
                *o = s * gain;
            }
        } else {
            for (frame, s) in target.chunks_exact_mut(channels).zip(source) {
                frame[0] = s * voice.gains[0];
                frame[1] = s * voice.gains[1];
            }
        }
        voice.position += count;
        if voice.position >= samples.len() {
            self.voice = None;
        }
    }
}

fn offset(frame: u64, start: u64) -> usize {
    // Offsets within one buffer always fit: the buffer length came from a usize.
    usize::try_from(frame - start).unwrap_or(usize::MAX)
}
