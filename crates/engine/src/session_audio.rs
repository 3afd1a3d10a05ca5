//! The session's sound: the metronome (with its music) opened, fed the committed beats and
//! polled; the visual cue when there is no device; the music segments, the `audio` events and
//! the beats shown but not heard, for the record; the audio status the snapshot shows. The
//! session loop (`runtime`) calls it once a tick.

use std::time::{Duration, Instant};

use entrain_audio::{Command, Metronome, MetronomeEvent, MusicSetup, Tempo};
use entrain_source::SensorSource;
use entrain_store::{EventKind, EventRow};

use crate::core::{EngineCore, EngineOutput};
use crate::music::{MusicSegments, overlay_columns};
use crate::runtime::{AudioOutput, SessionMusic};

/// The sound of one session, between the session loop and the metronome.
pub(crate) struct SessionAudio {
    metronome: Option<Metronome>,
    /// The segments of music played, while music cues the session.
    segments: Option<MusicSegments>,
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
}

impl SessionAudio {
    /// Opens the sound asked for (a device, with the music if it loaded) on the session clock
    /// that starts at `origin`. The note saying which music cues the session is a notice now
    /// (into `out`) and an `audio` event once the record has begun.
    pub(crate) fn open(
        audio: &AudioOutput,
        music: Option<&SessionMusic>,
        origin: Instant,
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
        let (segments, music_note) = music_start(music);
        if let Some(n) = &music_note {
            out.notices.push(n.clone());
        }
        let status = match audio {
            AudioOutput::Off => "off (--no-audio): visual cue".to_string(),
            AudioOutput::Device(_) => "opening the output device".to_string(),
        };
        Self {
            metronome,
            segments,
            music_note,
            status,
            faults: AudioFaults::default(),
            beats_not_heard: 0,
            device_ever_opened: false,
            last_played_beat: None,
            was_cued: false,
            audible: false,
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
            for b in out.beats.iter().filter(|b| b.is_audible()) {
                if let Err(e) = m.send(Command::SetVolume(b.volume.clamp(0.0, 1.0) as f32)) {
                    tracing::warn!(error = %e, "metronome: a volume change was not applied");
                }
                if let Ok(tempo) = Tempo::from_bpm(b.tempo_spm) {
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
        if let Some(segments) = self.segments.as_mut() {
            // As with the beats: without sound asked for (a visual cue, simulated time) the
            // music counts as played along the cue; asked for but with no device, it was not
            // heard, and no segment covers that time.
            let heard = self.metronome.is_none() || audible;
            if heard {
                for b in out.beats.iter().filter(|b| b.is_audible()) {
                    segments.beat(b.time_nanos, b.tempo_spm);
                }
            }
            // The music stops with the cue (the end of a cued phase, a pause, a stop), and when
            // the device goes.
            if (!cued || !heard)
                && let Some(row) = segments.end(now)
            {
                out.record.music_segments.push(row);
            }
        }
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
        if let Some(row) = self.segments.as_mut().and_then(|s| s.end(now)) {
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

/// The segments to follow and the note for the record: which music cues the session, or why it
/// is cued by clicks instead.
fn music_start(music: Option<&SessionMusic>) -> (Option<MusicSegments>, Option<String>) {
    match music {
        None => (None, None),
        Some(SessionMusic {
            track: Ok(m),
            overlay,
        }) => (
            Some(MusicSegments::new(m, *overlay)),
            Some(format!(
                "music: {} ({}), its own tempo {:.1} bpm, overlay {}",
                m.title,
                m.label,
                m.tempo_bpm,
                overlay_columns(*overlay).0
            )),
        ),
        Some(SessionMusic { track: Err(e), .. }) => {
            tracing::warn!(track = %e.track, detail = %e.detail, "music could not be loaded; cued by clicks");
            (
                None,
                Some(format!(
                    "music {} could not be played ({}): the session is cued by clicks",
                    e.track, e.detail
                )),
            )
        }
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
