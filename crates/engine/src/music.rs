//! Music for a session: a track as the player takes it (a built-in name or an audio file, with
//! the library's analysis and confirmed tempo when the file is imported), and the segments of
//! music a session plays, for the record.

use std::path::Path;

use entrain_audio::{DEFAULT_RING_FRAMES, MusicTrack, Overlay, TrackStretcher};
use entrain_cue::MeterConfig;
use entrain_music::{analyze, beats_at_tempo, builtin, decode_file, resample};
use entrain_store::{MusicSegmentRow, Store};

/// The rate tracks are prepared at when the output's is not known: the metronome asks for it.
pub const MUSIC_RATE_HZ: u32 = 48_000;

/// Why a track could not be loaded: the track as named, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("music {track}: {detail}")]
pub struct MusicLoadError {
    /// The track as the user named it.
    pub track: String,
    /// What is wrong.
    pub detail: String,
}

/// A track ready to play, with what the record says of it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedMusic {
    /// Samples and beats at the output's rate (a built-in looped to cover the session).
    pub track: MusicTrack,
    /// The built-in's name or the file's absolute path.
    pub label: String,
    /// Its title.
    pub title: String,
    /// Its own tempo, beats/min (the therapist's confirmed tempo for an imported file).
    pub tempo_bpm: f64,
}

/// The key a file is kept under in the music library ([`crate::library::library_key`]).
pub fn library_key(file: &Path) -> Result<String, MusicLoadError> {
    crate::library::library_key(file).map_err(|e| MusicLoadError {
        track: file.display().to_string(),
        detail: format!("cannot make the path absolute: {e}"),
    })
}

/// `name` (a built-in track's name, else an audio file) at `rate_hz`, at least `min_secs` long
/// for a built-in (looped). A file imported into `library` uses its stored beats at the
/// confirmed tempo; any other file is analysed now. A track with fewer than two beats is refused.
pub fn load_track(
    library: Option<&Store>,
    name: &str,
    rate_hz: u32,
    min_secs: f64,
) -> Result<LoadedMusic, MusicLoadError> {
    let fail = |detail: String| MusicLoadError {
        track: name.to_string(),
        detail,
    };
    if let Some(track) = builtin::by_name(name) {
        let once = track.render(rate_hz);
        let once_secs = once.pcm.duration_secs();
        let times = if once_secs > 0.0 && min_secs.is_finite() {
            (min_secs / once_secs).ceil().max(1.0) as usize
        } else {
            1
        };
        let looped = once.repeated(times);
        return Ok(LoadedMusic {
            track: MusicTrack {
                rate_hz: looped.pcm.rate_hz,
                channels: looped.pcm.channels,
                samples: looped.pcm.samples.into(),
                beats_secs: looped.beats_secs,
                downbeats_secs: looped.downbeats_secs,
            },
            label: track.name.to_string(),
            title: track.title.to_string(),
            tempo_bpm: track.tempo_bpm,
        });
    }
    let file = Path::new(name);
    if !file.is_file() {
        let names: Vec<&str> = builtin::tracks().iter().map(|t| t.name).collect();
        return Err(fail(format!(
            "neither a built-in track ({}) nor a file",
            names.join(", ")
        )));
    }
    let key = library_key(file)?;
    let decoded = decode_file(file).map_err(|e| fail(e.to_string()))?;
    let pcm = resample(&decoded, rate_hz)
        .map_err(|e| fail(format!("resampling to {rate_hz} Hz: {e}")))?;
    let known = match library {
        Some(store) => store
            .track_by_path(&key)
            .map_err(|e| fail(format!("reading the music library: {e}")))?,
        None => None,
    };
    let (beats_secs, downbeats_secs, tempo_bpm, title) = match known {
        Some(known) => {
            let tempo = known.tempo_bpm();
            let beats = beats_at_tempo(&known.track.beats_secs, known.track.tempo_bpm, tempo)
                .unwrap_or(known.track.beats_secs);
            (beats, known.track.downbeats_secs, tempo, known.track.title)
        }
        None => {
            let a = analyze(&pcm);
            let title = file
                .file_stem()
                .map_or_else(|| key.clone(), |s| s.to_string_lossy().into_owned());
            (a.beats_secs, a.downbeats_secs, a.tempo_bpm, title)
        }
    };
    if beats_secs.len() < 2 || !(tempo_bpm.is_finite() && tempo_bpm > 0.0) {
        return Err(fail("no beat found (silent, or no steady pulse)".into()));
    }
    Ok(LoadedMusic {
        track: MusicTrack {
            rate_hz: pcm.rate_hz,
            channels: pcm.channels,
            samples: pcm.samples.into(),
            beats_secs,
            downbeats_secs,
        },
        label: key,
        title,
        tempo_bpm,
    })
}

/// What [`music_schedule_lead_ms`] allows for the output device's own latency (the callback
/// renders a frame that long before it is heard, and the beats are placed on the frames heard:
/// PulseAudio through ALSA, as in the tests, takes about 100 ms), the output's buffer and the
/// session's tick, ms.
const MUSIC_LEAD_OUTPUT_ALLOWANCE_MS: f64 = 150.0;

/// How far ahead of its time a session must commit each beat (`ProtocolConfig::schedule_lead_ms`)
/// for music at `rate_hz` to sound on it: the music worker keeps [`DEFAULT_RING_FRAMES`] ready
/// ahead of the audio callback and the stretcher plans its output latency ahead of that, and the
/// callback itself runs ahead of what is heard by the device's latency; a tempo or phase change
/// the music learns of later bends the track too late and its beat lands off the cue's (measured
/// by `crates/app/tests/session_music_sound.rs`: up to 21 ms off at the protocol's default
/// 100 ms, still 9 ms at 185 ms, under 1.5 ms with this lead). The device's latency is known only
/// once its stream runs: an output slower than the allowance still lands its music late.
pub fn music_schedule_lead_ms(rate_hz: u32) -> f64 {
    let rate = f64::from(rate_hz.max(1));
    let frames =
        DEFAULT_RING_FRAMES as f64 + TrackStretcher::new(rate_hz).output_latency_frames() as f64;
    frames * 1000.0 / rate + MUSIC_LEAD_OUTPUT_ALLOWANCE_MS
}

/// The bars of `track` as the cue counts them (for fading by whole bars): beats per bar is the
/// most common count of beats between its downbeats, the first downbeat its beat's index
/// (within the first bar). Bars of 4 from the first beat when the track names no downbeats.
pub fn meter_of(track: &MusicTrack) -> MeterConfig {
    let flags = track.downbeat_flags();
    let downbeats: Vec<usize> = (0..flags.len()).filter(|&i| flags[i]).collect();
    if track.downbeats_secs.is_empty() || downbeats.len() < 2 {
        return MeterConfig::default();
    }
    let mut counts = [0u32; 33];
    for w in downbeats.windows(2) {
        if let Some(c) = counts.get_mut(w[1] - w[0]) {
            *c += 1;
        }
    }
    let Some(beats_per_bar) = (1..counts.len())
        .max_by_key(|&n| (counts[n], std::cmp::Reverse(n)))
        .filter(|&n| counts[n] > 0)
    else {
        return MeterConfig::default();
    };
    MeterConfig {
        beats_per_bar: beats_per_bar as u32,
        first_downbeat: (downbeats[0] % beats_per_bar) as u32,
    }
}

/// Level of the click on the beats between downbeats, relative to the downbeats' (music and
/// click).
pub const CLICK_OFFBEAT_LEVEL: f32 = 0.6;

/// The overlay's stored name and click level.
pub fn overlay_columns(overlay: Overlay) -> (&'static str, f64) {
    match overlay {
        Overlay::MusicOnly => ("music", 0.0),
        Overlay::MusicWithClick { click_level, .. } => ("music+click", f64::from(click_level)),
        Overlay::ClickOnly => ("click", 1.0),
    }
}

/// The stretch of music now playing.
#[derive(Debug, Clone, Copy, PartialEq)]
struct OpenSegment {
    start_nanos: i64,
    last_beat_nanos: i64,
    min_bpm: f64,
    max_bpm: f64,
}

/// Follows the beats the music is played on and cuts them into segments: one opens at a beat
/// when none is open and ends when [`MusicSegments::end`] is called (the music stopped, the
/// session ended). Pure: times are parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct MusicSegments {
    label: String,
    title: String,
    tempo_bpm: f64,
    overlay: Overlay,
    open: Option<OpenSegment>,
}

impl MusicSegments {
    /// Segments of `music` played with `overlay`.
    pub fn new(music: &LoadedMusic, overlay: Overlay) -> Self {
        Self {
            label: music.label.clone(),
            title: music.title.clone(),
            tempo_bpm: music.tempo_bpm,
            overlay,
            open: None,
        }
    }

    /// A music beat at `time_nanos`, played at `tempo_spm`.
    pub fn beat(&mut self, time_nanos: i64, tempo_spm: f64) {
        match &mut self.open {
            Some(s) => {
                s.last_beat_nanos = s.last_beat_nanos.max(time_nanos);
                s.min_bpm = s.min_bpm.min(tempo_spm);
                s.max_bpm = s.max_bpm.max(tempo_spm);
            }
            None => {
                self.open = Some(OpenSegment {
                    start_nanos: time_nanos,
                    last_beat_nanos: time_nanos,
                    min_bpm: tempo_spm,
                    max_bpm: tempo_spm,
                });
            }
        }
    }

    /// Whether a segment is open.
    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    /// What sounds with the music, as recorded.
    pub fn overlay(&self) -> Overlay {
        self.overlay
    }

    /// The track's name (a built-in's name or the file's absolute path), title and own tempo.
    pub fn track(&self) -> (&str, &str, f64) {
        (&self.label, &self.title, self.tempo_bpm)
    }

    /// The overlay changes at `now_nanos`: the open segment ends there (its row, if one was
    /// open) and the next beat opens one with the new overlay, so each row has one overlay.
    pub fn set_overlay(&mut self, overlay: Overlay, now_nanos: i64) -> Option<MusicSegmentRow> {
        if overlay == self.overlay {
            return None;
        }
        let row = self.end(now_nanos);
        self.overlay = overlay;
        row
    }

    /// Another track plays from `now_nanos`: the open segment ends there (its row, if one was
    /// open) and the next beat opens one of `music`.
    pub fn switch_track(&mut self, music: &LoadedMusic, now_nanos: i64) -> Option<MusicSegmentRow> {
        let row = self.end(now_nanos);
        self.label = music.label.clone();
        self.title = music.title.clone();
        self.tempo_bpm = music.tempo_bpm;
        row
    }

    /// Ends the open segment at `end_nanos` (not before its last beat, which may have been
    /// committed ahead of now); its row, if one was open.
    pub fn end(&mut self, end_nanos: i64) -> Option<MusicSegmentRow> {
        let s = self.open.take()?;
        let (overlay, click_level) = overlay_columns(self.overlay);
        Some(MusicSegmentRow {
            start_nanos: s.start_nanos,
            end_nanos: end_nanos.max(s.last_beat_nanos),
            track: self.label.clone(),
            title: self.title.clone(),
            track_tempo_bpm: self.tempo_bpm,
            played_min_bpm: s.min_bpm,
            played_max_bpm: s.max_bpm,
            stretch_min: s.min_bpm / self.tempo_bpm,
            stretch_max: s.max_bpm / self.tempo_bpm,
            overlay: overlay.to_string(),
            click_level,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_music_lead_covers_the_ring_and_the_stretcher_and_is_a_valid_protocol_lead() {
        let lead_ms = music_schedule_lead_ms(MUSIC_RATE_HZ);
        let latency = TrackStretcher::new(MUSIC_RATE_HZ).output_latency_frames() as f64;
        let ring_ms = DEFAULT_RING_FRAMES as f64 / 48.0;
        assert!(latency > 0.0);
        let expected_ms = ring_ms + latency / 48.0 + MUSIC_LEAD_OUTPUT_ALLOWANCE_MS;
        assert!(
            (lead_ms - expected_ms).abs() < 1e-9,
            "{lead_ms} vs {expected_ms}"
        );
        // Over the protocol's default lead (which the music cannot follow), within its limit.
        let protocol = entrain_cue::config::ProtocolConfig::default();
        assert!(lead_ms > protocol.schedule_lead_ms, "{lead_ms}");
        let mut longer = protocol.clone();
        longer.schedule_lead_ms = lead_ms;
        longer.validate().unwrap();
    }

    #[test]
    fn a_builtin_is_looped_to_cover_the_session_and_keeps_its_beats_rising() {
        let m = load_track(None, "march-4-4", MUSIC_RATE_HZ, 600.0).unwrap();
        let secs = m.track.samples.len() as f64 / f64::from(m.track.channels) / 48_000.0;
        assert!(secs >= 600.0, "{secs}");
        assert!(m.track.beats_secs.windows(2).all(|w| w[1] > w[0]));
        assert_eq!(m.label, "march-4-4");
        assert!(m.tempo_bpm > 0.0);
    }

    #[test]
    fn a_missing_file_and_a_file_that_is_not_audio_are_refused_by_name() {
        let e = load_track(None, "/nonexistent/song.flac", MUSIC_RATE_HZ, 60.0).unwrap_err();
        assert_eq!(e.track, "/nonexistent/song.flac");
        assert!(e.detail.contains("neither a built-in"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.wav");
        std::fs::write(&bad, b"not a wav file at all").unwrap();
        let e = load_track(None, bad.to_str().unwrap(), MUSIC_RATE_HZ, 60.0).unwrap_err();
        assert!(e.to_string().contains("bad.wav"), "{e}");
    }

    #[test]
    fn the_meter_is_read_from_the_downbeats() {
        let m = load_track(None, "march-4-4", MUSIC_RATE_HZ, 1.0).unwrap();
        assert_eq!(
            meter_of(&m.track),
            MeterConfig {
                beats_per_bar: 4,
                first_downbeat: 0
            }
        );
        let mut t = m.track.clone();
        t.beats_secs = (0..12).map(|i| f64::from(i) * 0.5).collect();
        t.downbeats_secs = vec![1.0, 2.5, 4.0, 5.5];
        assert_eq!(
            meter_of(&t),
            MeterConfig {
                beats_per_bar: 3,
                first_downbeat: 2
            }
        );
        t.downbeats_secs.clear();
        assert_eq!(meter_of(&t), MeterConfig::default());
    }

    #[test]
    fn a_segment_spans_its_beats_and_their_tempo_range() {
        let m = load_track(None, "march-4-4", MUSIC_RATE_HZ, 1.0).unwrap();
        let overlay = Overlay::MusicWithClick {
            click_level: 0.5,
            offbeat_level: 0.5,
        };
        let mut s = MusicSegments::new(&m, overlay);
        assert_eq!(s.end(5), None, "nothing played, no segment");
        s.beat(1_000, 100.0);
        s.beat(2_000, 104.0);
        s.beat(3_000, 102.0);
        assert!(s.is_open());
        let row = s.end(2_500).unwrap();
        assert_eq!((row.start_nanos, row.end_nanos), (1_000, 3_000));
        assert_eq!((row.played_min_bpm, row.played_max_bpm), (100.0, 104.0));
        assert_eq!(row.stretch_max, 104.0 / m.tempo_bpm);
        assert_eq!(
            (row.overlay.as_str(), row.click_level),
            ("music+click", 0.5)
        );
        assert!(!s.is_open());
        s.beat(9_000, 90.0);
        let next = s.end(9_500).unwrap();
        assert_eq!((next.start_nanos, next.end_nanos), (9_000, 9_500));
        assert_eq!(next.played_min_bpm, 90.0);
    }
}
