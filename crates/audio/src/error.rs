//! The errors of this crate.

/// Everything that can go wrong in the metronome, its renderer and its output.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AudioError {
    /// A tempo outside the metronome's range.
    #[error(
        "tempo {} beats/min is out of range ({}..={} beats/min)",
        *milli_bpm as f64 / 1000.0,
        crate::tempo::MIN_BPM,
        crate::tempo::MAX_BPM
    )]
    TempoOutOfRange {
        /// The refused tempo, in thousandths of a beat per minute.
        milli_bpm: u32,
    },
    /// A sound name not in the bank.
    #[error("unknown sound '{name}' (known: click, woodblock, beep, drum)")]
    UnknownSound {
        /// The name asked for.
        name: String,
    },
    /// A gain or pan outside 0..=1, or not a number.
    #[error("{what} must be within 0..=1, got {value}")]
    LevelOutOfRange {
        /// Which setting.
        what: &'static str,
        /// The refused value.
        value: f32,
    },
    /// Too many schedule changes waiting at once (the renderer holds a fixed number, to never allocate).
    #[error("too many pending schedule changes (at most {capacity})")]
    TooManyPendingChanges {
        /// How many it can hold.
        capacity: usize,
    },
    /// The command queue to the audio thread is full.
    #[error("the command queue to the audio thread is full")]
    CommandQueueFull,
    /// No output device was found.
    #[error("no audio output device found")]
    NoDevice,
    /// No output device matched the name asked for.
    #[error("no audio output device named '{name}'")]
    DeviceNotFound {
        /// The name asked for.
        name: String,
    },
    /// The device refused the stream or failed to open.
    #[error("cannot open audio device '{device}': {message}")]
    OpenFailed {
        /// The device's name.
        device: String,
        /// What the audio backend said.
        message: String,
    },
    /// The device plays no sample format the metronome can write.
    #[error("audio device '{device}' offers no usable output format")]
    NoUsableFormat {
        /// The device's name.
        device: String,
    },
    /// A WAV request the format cannot hold or the renderer cannot play.
    #[error("WAV file: {what} {detail}")]
    WavRequest {
        /// Which setting (`sample rate`, `length`, `channels`).
        what: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// A music track the player cannot follow.
    #[error("music track: {what} {detail}")]
    Track {
        /// Which part (`beats`, `samples`, `channels`, `sample rate`).
        what: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// A music setting sent to a metronome that plays no music.
    #[error("this metronome plays no music (a click metronome)")]
    NoMusic,
    /// Writing a WAV file failed.
    #[error("cannot write WAV file '{path}': {message}")]
    Wav {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}
