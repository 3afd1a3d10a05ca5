//! The session's sound: the metronome (with its music) opened, fed the committed beats and
//! polled; the visual cue when there is no device; the music segments, the `audio` events and
//! the beats shown but not heard, for the record; the audio status the snapshot shows. The
//! session loop (`runtime`) calls it once a tick.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::{Duration, Instant};

use entrain_audio::{Command, Metronome, MetronomeEvent, MusicSetup, Overlay, Tempo};
use entrain_source::SensorSource;
use entrain_store::{EventKind, EventRow, Store};

use crate::core::{EngineCore, EngineOutput, MusicCommand};
use crate::music::{
    CLICK_OFFBEAT_LEVEL, LoadedMusic, MUSIC_RATE_HZ, MusicLoadError, MusicSegments, load_track,
    meter_of, overlay_columns,
};
use crate::music_choice::{
    DEFAULT_MAX_STRETCH_PERCENT, MusicCandidate, MusicPreference, choose_track_index,
};
use crate::runtime::{AudioOutput, SessionMusic};
use crate::snapshot::{MusicStatus, NowPlaying};

/// The music of a session as it plays.
struct MusicState {
    /// The track now playing and the segments of it played, for the record; `None` when the
    /// track could not be loaded.
    segments: Option<MusicSegments>,
    /// Why there is no music: the track that could not be loaded, in words.
    load_failure: Option<String>,
    /// What sounds, as the therapist set it (a pulse-only fading sounds the click alone).
    overlay: Overlay,
    /// The music's volume, the therapist's, 0…1.
    volume: f64,
    /// The tempo of the last beat the music was played on, beats/min.
    played_tempo_bpm: Option<f64>,
    /// A pulse-only fading has silenced the music.
    pulse_only: bool,
    /// The tracks to play next, in order.
    queue: VecDeque<MusicCandidate>,
    /// The tracks played so far (the chooser plays the least played first).
    played: Vec<String>,
    /// The name the track playing was loaded by (it goes to the back of the queue).
    playing: Option<MusicCandidate>,
    library_db: Option<PathBuf>,
    /// The rate and length further tracks are loaded at (the first one's).
    rate_hz: u32,
    min_secs: f64,
    /// A track being loaded on its own thread.
    loading: Option<Loading>,
    /// A track loaded and put on: it takes over on the first beat at or after this time.
    switch: Option<(LoadedMusic, i64, MusicCandidate)>,
    /// The target tempo no further track was found for (said once).
    no_fit_at_spm: Option<f64>,
}

/// A track being decoded (and analysed) on the loader thread.
struct Loading {
    candidate: MusicCandidate,
    /// Skipped to by the therapist (else put on for the tempo).
    skipped: bool,
    result: Receiver<Result<LoadedMusic, MusicLoadError>>,
}

/// How long after it is loaded a track takes over, at the next beat: the music worker must
/// reach that beat before it plays (its ring and the stretcher's latency, ~200 ms).
const SWITCH_AFTER_NANOS: i64 = 400_000_000;

/// The sound of one session, between the session loop and the metronome.
pub(crate) struct SessionAudio {
    metronome: Option<Metronome>,
    /// The music, when it was asked for.
    music: Option<MusicState>,
    /// Which music cues the session (or why not), for the record once it has begun.
    music_note: Option<String>,
    status: String,
    faults: AudioFaults,
    /// Beats given by the visual cue while a device was asked for: shown, not heard.
    beats_not_heard: u64,
    device_ever_opened: bool,
    last_played_beat: Option<u64>,
    was_cued: bool,
    /// Whether a stream played at the last tick.
    audible: bool,
    /// Simulated time waits for a track being loaded (so the session is the same every run);
    /// real time goes on and puts it on when it is ready.
    wait_for_loads: bool,
}

impl SessionAudio {
    /// Opens the sound asked for (a device, with the music if it loaded) on the session clock
    /// that starts at `origin`. The note saying which music cues the session is a notice now
    /// (into `out`) and an `audio` event once the record has begun.
    pub(crate) fn open(
        audio: &AudioOutput,
        music: Option<&SessionMusic>,
        origin: Instant,
        wait_for_loads: bool,
        out: &mut EngineOutput,
    ) -> Self {
        let metronome = match audio {
            AudioOutput::Off => None,
            AudioOutput::Device(c) => {
                let mut c = c.clone();
                // Beats are committed ~100 ms ahead: the metronome must place them exactly.
                c.start_lead = Duration::from_millis(20);
                match music.map(|m| (&m.track, m.overlay)) {
                    Some((Ok(music), overlay)) => {
                        let setup = MusicSetup {
                            overlay,
                            ..MusicSetup::new(music.track.clone())
                        };
                        Some(Metronome::with_music(c, setup, origin))
                    }
                    _ => Some(Metronome::new(c, origin)),
                }
            }
        };
        let (music_state, music_note) = music_start(music);
        if let Some(n) = &music_note {
            out.notices.push(n.clone());
        }
        let status = match audio {
            AudioOutput::Off => "off (--no-audio): visual cue".to_string(),
            AudioOutput::Device(_) => "opening the output device".to_string(),
        };
        Self {
            metronome,
            music: music_state,
            music_note,
            status,
            faults: AudioFaults::default(),
            beats_not_heard: 0,
            device_ever_opened: false,
            last_played_beat: None,
            was_cued: false,
            audible: false,
            wait_for_loads,
        }
    }

    /// The record has begun: the music note goes into it (once).
    pub(crate) fn record_begun(
        &mut self,
        core: &EngineCore,
        now_nanos: i64,
        out: &mut EngineOutput,
    ) {
        if let Some(n) = self.music_note.take() {
            audio_event(core, now_nanos, n, out);
        }
    }

    /// One tick: the beats the core committed go to the metronome, or are played when due (the
    /// visual cue, simulated time); what the metronome reports is handled; the music segments
    /// follow.
    pub(crate) fn tick(
        &mut self,
        core: &mut EngineCore,
        source: &mut dyn SensorSource,
        now: i64,
        out: &mut EngineOutput,
    ) {
        let audible = self.metronome.as_ref().is_some_and(Metronome::is_audible);
        self.audible = audible;
        let cued = core.session().is_some_and(|s| {
            s.phase().is_cued() && s.run_state() == entrain_cue::RunState::Running
        });
        if let Some(m) = self.metronome.as_mut() {
            for b in &out.beats {
                // Silent beats too (a fading gap, a dropped bar): the beat clock runs on,
                // unheard.
                if let Err(e) = m.send(Command::SetVolume(b.volume.clamp(0.0, 1.0) as f32)) {
                    tracing::warn!(error = %e, "metronome: a volume change was not applied");
                }
                if b.is_audible()
                    && let Ok(tempo) = Tempo::from_bpm(b.tempo_spm)
                {
                    m.start_at(b.time_nanos, tempo);
                }
            }
            if self.was_cued && !cued {
                let unplayed = core.due_unplayed(i64::MAX).len() as u64;
                let at_beat = self.last_played_beat.map_or(0, |b| b + 1) + unplayed;
                if let Err(e) = m.send(Command::Stop { at_beat }) {
                    tracing::warn!(error = %e, at_beat, "metronome: the stop at the phase end was not applied");
                }
            }
            self.was_cued = cued;
            for e in m.poll() {
                match e {
                    MetronomeEvent::Beat {
                        beat,
                        session_nanos: Some(t),
                    } => {
                        self.last_played_beat = Some(beat.beat);
                        core.on_beat_played(t, out);
                        source.beat_played(t);
                    }
                    MetronomeEvent::Opened(g) => {
                        tracing::info!(
                            device = %g.device_name,
                            sample_rate_hz = g.sample_rate_hz,
                            buffer_frames = ?g.buffer_frames,
                            "audio: output opened"
                        );
                        self.status = format!("playing on {}", g.device_name);
                        out.notices.push(format!("audio: {}", self.status));
                        self.device_ever_opened = true;
                        audio_event(
                            core,
                            now,
                            format!("output opened on {}", g.device_name),
                            out,
                        );
                    }
                    MetronomeEvent::NoDevice { error } => {
                        let text = format!("no audio device ({error}): visual cue, retrying");
                        if self.status != text {
                            tracing::warn!(%error, "audio: no output device; visual cue, retrying");
                            out.notices.push(format!("audio: {text}"));
                            audio_event(
                                core,
                                now,
                                format!("no output device ({error}): beats shown, not heard"),
                                out,
                            );
                            self.status = text;
                        }
                    }
                    MetronomeEvent::DeviceLost { device } => {
                        tracing::warn!(%device, "audio: device lost; visual cue, retrying");
                        self.status = format!("device {device} lost: visual cue, retrying");
                        out.notices.push(format!("audio: {}", self.status));
                        audio_event(
                            core,
                            now,
                            format!("device {device} lost: beats shown, not heard"),
                            out,
                        );
                    }
                    other => self.faults.note(&other),
                }
            }
        }
        if !audible {
            for t in core.due_unplayed(now) {
                let played_before = out.record.played.len();
                core.on_beat_played(t, out);
                if self.metronome.is_some() {
                    // Sound was asked for but there is no device: the protocol goes on with
                    // the visual cue, but the record does not call the beat played (heard).
                    self.beats_not_heard += 1;
                    out.record.played.truncate(played_before);
                }
                source.beat_played(t);
            }
        }
        self.load_next(core, cued, now, out);
        self.follow_music(core, cued, audible, now, out);
    }

    /// Further tracks: one is loaded when the target has moved beyond the stretch limit of the
    /// track playing; a loaded one is put on (the metronome's music worker takes it over at a
    /// beat); one that fails is said and recorded, and the track playing goes on.
    fn load_next(&mut self, core: &EngineCore, cued: bool, now: i64, out: &mut EngineOutput) {
        let Some(music) = self.music.as_mut() else {
            return;
        };
        if let Some(loading) = music.loading.as_ref() {
            let result = if self.wait_for_loads {
                loading
                    .result
                    .recv()
                    .map_err(|_| TryRecvError::Disconnected)
            } else {
                loading.result.try_recv()
            };
            let result = match result {
                Ok(r) => r,
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Disconnected) => Err(MusicLoadError {
                    track: loading.candidate.name.clone(),
                    detail: "the loader stopped (a bug: see the log)".into(),
                }),
            };
            let Some(loading) = music.loading.take() else {
                return;
            };
            match result {
                Ok(loaded) => {
                    let from = now + SWITCH_AFTER_NANOS;
                    if let Some(m) = self.metronome.as_mut()
                        && let Err(e) = m.switch_music(loaded.track.clone(), from)
                    {
                        tracing::warn!(error = %e, "metronome: the next track was not put on");
                    }
                    tracing::info!(track = %loaded.label, skipped = loading.skipped, "music: next track loaded");
                    music.switch = Some((loaded, from, loading.candidate));
                }
                Err(e) => {
                    let playing = music
                        .segments
                        .as_ref()
                        .map_or(String::new(), |s| s.track().1.to_string());
                    let text = format!(
                        "music {} could not be loaded ({}): {playing} plays on",
                        e.track, e.detail
                    );
                    tracing::warn!(track = %e.track, detail = %e.detail, "music: the next track could not be loaded");
                    out.notices.push(text.clone());
                    audio_event(core, now, text, out);
                }
            }
            return;
        }
        if !cued || music.switch.is_some() || music.segments.is_none() {
            return;
        }
        let (Some(target), Some(own)) = (
            core.session()
                .and_then(entrain_cue::RasSession::target_tempo_spm),
            music.segments.as_ref().map(|s| s.track().2),
        ) else {
            return;
        };
        if stretch_fits(own, target) || music.no_fit_at_spm == Some(target) {
            return;
        }
        // The chooser's rule: within the stretch limit, liked first, the least played, the
        // closest tempo, then the list's order.
        let queue: Vec<MusicCandidate> = music.queue.iter().cloned().collect();
        let played: Vec<&str> = music.played.iter().map(String::as_str).collect();
        match choose_track_index(&queue, target, DEFAULT_MAX_STRETCH_PERCENT, &played) {
            Some(i) => {
                if let Some(c) = music.queue.remove(i) {
                    music.start_loading(c, false);
                }
            }
            None => {
                music.no_fit_at_spm = Some(target);
                out.notices.push(format!(
                    "music: no further track within ±{DEFAULT_MAX_STRETCH_PERCENT:.0} % of {target:.1} steps/min; the one playing is stretched further"
                ));
            }
        }
    }

    /// The music along the beats committed this tick: its segments for the record (a segment
    /// ends where the music stops: the cue stops, the device goes, a silent beat, a beat of the
    /// pulse alone), and the overlay of a pulse-only fading.
    fn follow_music(
        &mut self,
        core: &mut EngineCore,
        cued: bool,
        audible: bool,
        now: i64,
        out: &mut EngineOutput,
    ) {
        let Some(music) = self.music.as_mut() else {
            return;
        };
        let Some(segments) = music.segments.as_mut() else {
            return;
        };
        // As with the beats: without sound asked for (a visual cue, simulated time) the music
        // counts as played along the cue; asked for but with no device, it was not heard, and
        // no segment covers that time.
        let heard = self.metronome.is_none() || audible;
        let committed = out.beats.len();
        for (i, b) in out.beats.iter().enumerate() {
            if music
                .switch
                .as_ref()
                .is_some_and(|(_, from, _)| b.time_nanos >= *from)
                && let Some((next, _, candidate)) = music.switch.take()
            {
                // The track that takes over on this beat, as the music worker puts it on.
                if let Some(row) = segments.switch_track(&next, b.time_nanos) {
                    out.record.music_segments.push(row);
                }
                let beats_ago = (committed - 1 - i) as u64;
                if let Err(e) = core.set_music_meter(meter_of(&next.track), beats_ago) {
                    tracing::warn!(error = %e, "music: the new track's bars are not counted");
                }
                let text = format!(
                    "music: {} ({}), its own tempo {:.1} bpm",
                    next.title, next.label, next.tempo_bpm
                );
                out.notices.push(text.clone());
                out.record.events.push(EventRow {
                    time_nanos: b.time_nanos,
                    phase: core.session().map(entrain_cue::RasSession::phase),
                    kind: EventKind::Audio,
                    detail: text,
                });
                music.played.push(candidate.name.clone());
                if let Some(old) = music.playing.replace(candidate) {
                    music.queue.push_back(old);
                }
                music.played_tempo_bpm = None;
                music.no_fit_at_spm = None;
            }
            if b.pulse_only != music.pulse_only {
                music.pulse_only = b.pulse_only;
                let live = if b.pulse_only {
                    Overlay::ClickOnly
                } else {
                    music.overlay
                };
                set_live_overlay(self.metronome.as_mut(), live);
            }
            if b.is_audible() && !b.pulse_only {
                music.played_tempo_bpm = Some(b.tempo_spm);
                if heard {
                    segments.beat(b.time_nanos, b.tempo_spm);
                }
            } else if let Some(row) = segments.end(b.time_nanos) {
                out.record.music_segments.push(row);
            }
        }
        if !cued && music.pulse_only {
            // The fading phase ended (or the cue stopped): the music is back for what follows.
            music.pulse_only = false;
            set_live_overlay(self.metronome.as_mut(), music.overlay);
        }
        // The music stops with the cue (the end of a cued phase, a pause, a stop), and when
        // the device goes.
        if (!cued || !heard)
            && let Some(row) = segments.end(now)
        {
            out.record.music_segments.push(row);
        }
    }

    /// A therapist's change to the music, at `now`: the volume and the click level change the
    /// live metronome; a change of click level ends the segment of music playing (each row
    /// has one overlay). Said as a notice; a refusal too.
    pub(crate) fn music_command(
        &mut self,
        command: MusicCommand,
        now: i64,
        out: &mut EngineOutput,
    ) {
        let Some(music) = self.music.as_mut() else {
            out.notices
                .push(format!("{command:?}: no music in this session"));
            return;
        };
        if music.segments.is_none() {
            out.notices.push(format!(
                "{command:?}: no music plays (the session is cued by clicks)"
            ));
            return;
        }
        let level = |what: &str, v: f64| {
            if v.is_finite() && (0.0..=1.0).contains(&v) {
                Ok(v)
            } else {
                Err(format!("{what} {v}: must be within 0..=1"))
            }
        };
        match command {
            MusicCommand::SetVolume(v) => match level("music volume", v) {
                Ok(v) => {
                    music.volume = v;
                    if let Some(m) = self.metronome.as_mut()
                        && let Err(e) = m.set_music_volume(v as f32)
                    {
                        tracing::warn!(error = %e, "metronome: the music volume was not applied");
                    }
                    out.notices.push(format!("music volume {:.0} %", v * 100.0));
                }
                Err(e) => out.notices.push(e),
            },
            MusicCommand::SetClickLevel(c) => match level("click level", c) {
                Ok(c) => {
                    let overlay = match music.overlay {
                        // The clicks alone are the cue at full level: nothing to mix.
                        Overlay::ClickOnly => {
                            out.notices.push(
                                "click level: the overlay is the click alone (no music to mix it with)"
                                    .into(),
                            );
                            return;
                        }
                        _ if c == 0.0 => Overlay::MusicOnly,
                        Overlay::MusicWithClick { offbeat_level, .. } => Overlay::MusicWithClick {
                            click_level: c as f32,
                            offbeat_level,
                        },
                        Overlay::MusicOnly => Overlay::MusicWithClick {
                            click_level: c as f32,
                            offbeat_level: CLICK_OFFBEAT_LEVEL,
                        },
                    };
                    music.overlay = overlay;
                    if let Some(row) = music
                        .segments
                        .as_mut()
                        .and_then(|s| s.set_overlay(overlay, now))
                    {
                        out.record.music_segments.push(row);
                    }
                    if !music.pulse_only {
                        set_live_overlay(self.metronome.as_mut(), overlay);
                    }
                    out.notices.push(format!("click level {:.0} %", c * 100.0));
                }
                Err(e) => out.notices.push(e),
            },
            MusicCommand::SkipTrack => {
                if music.loading.is_some() || music.switch.is_some() {
                    out.notices
                        .push("skip: the next track is already on its way".into());
                } else if let Some(c) = music.queue.pop_front() {
                    out.notices.push(format!("skip: {} next", c.title));
                    music.start_loading(c, true);
                } else {
                    out.notices.push("skip: no further track to play".into());
                }
            }
        }
    }

    /// The music as the live screen shows it; `None` when no music was asked for.
    pub(crate) fn music_status(&self) -> Option<MusicStatus> {
        let music = self.music.as_ref()?;
        let live_overlay = if music.pulse_only {
            Overlay::ClickOnly
        } else {
            music.overlay
        };
        let (overlay, click_level) = overlay_columns(live_overlay);
        let now_playing = music.segments.as_ref().map(|s| {
            let (label, title, own) = s.track();
            NowPlaying {
                title: title.to_string(),
                label: label.to_string(),
                own_tempo_bpm: own,
                played_tempo_bpm: music.played_tempo_bpm,
                stretch_percent: music.played_tempo_bpm.map(|p| (p / own - 1.0) * 100.0),
            }
        });
        let fallback = match (&music.load_failure, &self.metronome) {
            (Some(why), _) => Some(why.clone()),
            (None, Some(_)) if !self.audible => Some(format!("no music heard: {}", self.status())),
            _ => None,
        };
        Some(MusicStatus {
            now_playing,
            fallback,
            overlay: overlay.to_string(),
            click_level,
            volume: music.volume,
        })
    }

    /// The audio health in words, for the snapshot.
    pub(crate) fn status(&self) -> String {
        if self.metronome.is_some() && !self.audible && self.status.starts_with("playing") {
            "reconnecting: visual cue".into()
        } else {
            self.status.clone()
        }
    }

    /// The session ends at `now`: the beat stops, the faults are summed up in the log, the open
    /// music segment ends, and beats that were shown but not heard are recorded.
    pub(crate) fn finish(&mut self, core: &EngineCore, now: i64, out: &mut EngineOutput) {
        if let Some(m) = self.metronome.as_mut() {
            let at_beat = self.last_played_beat.map_or(0, |b| b + 1);
            if let Err(e) = m.send(Command::Stop { at_beat }) {
                // The metronome is dropped right after, which silences it anyway.
                tracing::debug!(error = %e, "metronome: the final stop was not queued");
            }
        }
        self.faults.summarise();
        if let Some(row) = self
            .music
            .as_mut()
            .and_then(|m| m.segments.as_mut())
            .and_then(|s| s.end(now))
        {
            out.record.music_segments.push(row);
        }
        if self.metronome.is_some() && (!self.device_ever_opened || self.beats_not_heard > 0) {
            let n = self.beats_not_heard;
            let text = if self.device_ever_opened {
                format!("{n} beats were shown, not heard (no output device then)")
            } else {
                format!(
                    "no output device ever opened: no beat was heard ({n} shown as a visual cue)"
                )
            };
            tracing::warn!("audio: {text}");
            audio_event(core, now, text, out);
        }
    }
}

/// The music to follow and the note for the record: which music cues the session, or why it
/// is cued by clicks instead.
fn music_start(music: Option<&SessionMusic>) -> (Option<MusicState>, Option<String>) {
    let Some(music) = music else {
        return (None, None);
    };
    let (segments, load_failure, note) = match &music.track {
        Ok(m) => (
            Some(MusicSegments::new(m, music.overlay)),
            None,
            format!(
                "music: {} ({}), its own tempo {:.1} bpm, overlay {}",
                m.title,
                m.label,
                m.tempo_bpm,
                overlay_columns(music.overlay).0
            ),
        ),
        Err(e) => {
            tracing::warn!(track = %e.track, detail = %e.detail, "music could not be loaded; cued by clicks");
            let why = format!(
                "music {} could not be played ({}): the session is cued by clicks",
                e.track, e.detail
            );
            (None, Some(why.clone()), why)
        }
    };
    let first = music.track.as_ref().ok();
    let state = MusicState {
        segments,
        load_failure,
        overlay: music.overlay,
        volume: 1.0,
        played_tempo_bpm: None,
        pulse_only: false,
        queue: music.candidates.iter().cloned().collect(),
        // The patient's opinion of the first track is the caller's (it chose it): neutral here.
        playing: first.map(|m| MusicCandidate {
            name: m.label.clone(),
            title: m.title.clone(),
            tempo_bpm: m.tempo_bpm,
            preference: MusicPreference::Neutral,
        }),
        played: first.map(|m| vec![m.label.clone()]).unwrap_or_default(),
        library_db: music.library_db.clone(),
        rate_hz: first.map_or(MUSIC_RATE_HZ, |m| m.track.rate_hz),
        min_secs: first.map_or(0.0, |m| {
            let frames = m.track.samples.len() / usize::from(m.track.channels.max(1));
            frames as f64 / f64::from(m.track.rate_hz.max(1))
        }),
        loading: None,
        switch: None,
        no_fit_at_spm: None,
    };
    (Some(state), Some(note))
}

impl MusicState {
    /// Loads `candidate` on its own thread (decoding and analysis take seconds: never on the
    /// session loop or the audio thread).
    fn start_loading(&mut self, candidate: MusicCandidate, skipped: bool) {
        let (tx, result) = mpsc::channel();
        let (name, library_db) = (candidate.name.clone(), self.library_db.clone());
        let (rate_hz, min_secs) = (self.rate_hz, self.min_secs);
        let spawned = std::thread::Builder::new()
            .name("entrain-music-load".into())
            .spawn(move || {
                let library = library_db.and_then(|db| match Store::open_for_reading(&db) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        tracing::warn!(db = %db.display(), error = %e, "music: the library cannot be read; the file is analysed now");
                        None
                    }
                });
                let loaded = load_track(library.as_ref(), &name, rate_hz, min_secs);
                if tx.send(loaded).is_err() {
                    tracing::debug!(track = %name, "music: loaded after the session ended");
                }
            });
        if let Err(e) = spawned {
            // The sender went with the thread: the result reads as a loader that stopped.
            tracing::error!(error = %e, "music: the loader thread did not start");
        }
        self.loading = Some(Loading {
            candidate,
            skipped,
            result,
        });
    }
}

/// Whether a track of its own tempo `own_bpm` plays at `target_spm` within the stretch limit.
fn stretch_fits(own_bpm: f64, target_spm: f64) -> bool {
    crate::music_choice::fits(own_bpm, target_spm, DEFAULT_MAX_STRETCH_PERCENT)
}

/// What sounds on the device now (a click metronome has no overlay: nothing to set).
fn set_live_overlay(metronome: Option<&mut Metronome>, overlay: Overlay) {
    if let Some(m) = metronome
        && let Err(e) = m.set_overlay(overlay)
    {
        tracing::warn!(error = %e, ?overlay, "metronome: the overlay was not applied");
    }
}

/// An `audio` event in the record: a device opened, missing or lost, or beats not heard.
fn audio_event(core: &EngineCore, now_nanos: i64, detail: String, out: &mut EngineOutput) {
    out.record.events.push(EventRow {
        time_nanos: now_nanos,
        phase: core.session().map(entrain_cue::RasSession::phase),
        kind: EventKind::Audio,
        detail,
    });
}

/// Audio faults the session goes on through (the beat keeps playing, or the visual cue does):
/// logged, the first of each kind at `warn` and the rest counted and summed up at the end, so a
/// machine that underruns all session long does not flood the log.
#[derive(Debug, Default)]
struct AudioFaults {
    xruns: u64,
    backend_errors: u64,
    rejected_commands: u64,
    telemetry_dropped: u64,
    /// Music frames played as silence (the music worker fell behind; the beat was unaffected).
    music_frames_lost: u64,
}

impl AudioFaults {
    fn note(&mut self, event: &MetronomeEvent) {
        match event {
            MetronomeEvent::Xrun { session_nanos } => {
                if self.xruns == 0 {
                    tracing::warn!(
                        at_secs = *session_nanos as f64 / 1e9,
                        "audio: underrun, beats near here may be late by up to a buffer"
                    );
                }
                self.xruns += 1;
            }
            MetronomeEvent::BackendError => {
                if self.backend_errors == 0 {
                    tracing::warn!("audio: the backend reported an error; the stream plays on");
                }
                self.backend_errors += 1;
            }
            MetronomeEvent::CommandRejected => {
                tracing::warn!("audio: the renderer refused a command");
                self.rejected_commands += 1;
            }
            MetronomeEvent::TelemetryDropped { count } => {
                if self.telemetry_dropped == 0 {
                    tracing::warn!(count, "audio: reports from the audio thread were lost");
                }
                self.telemetry_dropped += count;
            }
            MetronomeEvent::FaultsDropped { count } => {
                tracing::warn!(count, "audio: backend faults were lost (fault queue full)");
                self.backend_errors += count;
            }
            MetronomeEvent::DeviceChanged => {
                tracing::info!("audio: the backend moved the stream to another device");
            }
            MetronomeEvent::MusicUnderrun { buffers, frames } => {
                if self.music_frames_lost == 0 {
                    tracing::warn!(
                        buffers,
                        frames,
                        "audio: the music fell behind (silence instead of music); the beat plays on"
                    );
                }
                self.music_frames_lost += frames;
            }
            other => tracing::debug!(event = ?other, "audio event"),
        }
    }

    fn summarise(&self) {
        if self.xruns
            + self.backend_errors
            + self.rejected_commands
            + self.telemetry_dropped
            + self.music_frames_lost
            > 0
        {
            tracing::warn!(
                xruns = self.xruns,
                music_frames_lost = self.music_frames_lost,
                backend_errors = self.backend_errors,
                rejected_commands = self.rejected_commands,
                telemetry_dropped = self.telemetry_dropped,
                "audio faults during the session"
            );
        }
    }
}
