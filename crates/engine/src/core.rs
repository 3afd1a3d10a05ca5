//! The engine's pure core: sensor events in, steps, beats and records out. No threads, no clocks,
//! no I/O: time is a parameter, so the same core runs in real time and on simulated time.

use std::collections::VecDeque;

use entrain_cue::log::{LogEvent, PauseReason};
use entrain_cue::{Beat, ClinicianCommand, Phase, ProtocolConfig, RasSession, RunState, StepEvent};
use entrain_gait::cadence::{CadenceTracker, CadenceTrackerConfig};
use entrain_gait::metrics::{GaitMetrics, MetricsConfig};
use entrain_gait::{GaitEvent, GaitEventKind, Placement, Side};
use entrain_source::{LinkState, SensorInfo, SourceEvent};
use entrain_store::{
    Batch, BeatPlayed, BeatRow, EventKind, EventRow, PhaseRow, StepRow, TempoChangeRow,
    phase_column,
};

use crate::detectors::{Detector, build_detector};
use crate::error::EngineError;
use crate::snapshot::{RunStatus, SensorHealth, SensorStatus, Snapshot};

/// Engine settings.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineConfig {
    /// The RAS protocol.
    pub protocol: ProtocolConfig,
    /// A sensor with no sample for this long is in a gap: the cue goes on at the last tempo, ns.
    pub sensor_gap_nanos: i64,
    /// Keep every raw sample for the record (for re-analysis).
    pub record_raw: bool,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            protocol: ProtocolConfig::default(),
            sensor_gap_nanos: 500_000_000,
            record_raw: true,
        }
    }
}

/// What the clinician can ask of a running session.
#[derive(Debug, Clone, PartialEq)]
pub enum EngineCommand {
    /// Starts the session (the protocol's clock begins now).
    Start,
    /// Pauses the cue and the phase clock.
    Pause,
    /// Resumes after a pause.
    Resume,
    /// Ends the session now, with no re-test.
    Stop,
    /// Ends the cued part now: a short uncued re-test, then the end
    /// ([`ClinicianCommand::StopAfterRetest`]).
    StopAfterRetest,
    /// Ends the current phase and starts the next.
    NextPhase,
    /// Moves the target tempo, steps/min.
    NudgeTempo {
        /// Change, steps/min.
        delta_spm: f64,
    },
    /// Marks a moment with a label (a fall risk, a comment, a test start).
    Mark {
        /// The clinician's label.
        label: String,
    },
    /// A change to the music (the session's audio acts on it; the core only records it).
    Music(MusicCommand),
}

/// What the therapist can change in the music while the session runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MusicCommand {
    /// Goes on to the next track (of the playlist or the patient's choice) at the next beat.
    SkipTrack,
    /// The music's volume, 0…1.
    SetVolume(f64),
    /// The click's level over the music, 0…1 (0: music alone).
    SetClickLevel(f64),
}

/// What one call of the core produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EngineOutput {
    /// Steps detected, in order.
    pub steps: Vec<StepRow>,
    /// Beats committed to the metronome (audible or silent), in order.
    pub beats: Vec<Beat>,
    /// Everything for the record.
    pub record: Batch,
    /// Clinician-readable notices (phase changes, tempo changes, sensor gaps, ...).
    pub notices: Vec<String>,
}

impl EngineOutput {
    /// Empties every list (keeps the capacity).
    pub fn clear(&mut self) {
        self.steps.clear();
        self.beats.clear();
        self.record = Batch::default();
        self.notices.clear();
    }
}

struct Sensor {
    info: SensorInfo,
    /// Whether this sensor's steps are detected (feet; the lower back only without feet).
    detected: bool,
    /// Built once the sensor's sample rate is known (a BLE sensor tells it in its first packet).
    detector: Option<Detector>,
    last_sample_nanos: Option<i64>,
    samples: u64,
    lost_samples: u64,
    malformed: u64,
    battery_percent: Option<u8>,
    link: LinkState,
    in_gap_since: Option<i64>,
}

/// Steps kept for the live measures.
const RECENT_STEPS: usize = 24;
/// Beats kept for the live measures.
const RECENT_BEATS: usize = 32;

/// The session engine's pure core.
pub struct EngineCore {
    config: EngineConfig,
    sensors: Vec<Sensor>,
    /// Lower-back ICs carry no side: alternate.
    next_lower_back_side: Side,
    session: Option<RasSession>,
    /// When the protocol started (Start), on the engine's clock: the record's time zero.
    started_nanos: Option<i64>,
    log_seen: usize,
    cadence: CadenceTracker,
    recent_steps: VecDeque<StepEvent>,
    recent_beats: VecDeque<i64>,
    /// Committed audible beats not yet reported played.
    unplayed: VecDeque<i64>,
    steps_total: u64,
    beats_total: u64,
    last_beat_nanos: Option<i64>,
    gap_active: bool,
    source_finished: bool,
    now_nanos: i64,
    events: Vec<GaitEvent>,
    notices: VecDeque<String>,
}

impl std::fmt::Debug for EngineCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineCore")
            .field("now_nanos", &self.now_nanos)
            .field("steps_total", &self.steps_total)
            .field("beats_total", &self.beats_total)
            .finish_non_exhaustive()
    }
}

impl EngineCore {
    /// A core for a source with `sensors`. Feet get a foot detector each; a lower-back sensor
    /// is used only when there is no foot sensor.
    pub fn new(
        config: EngineConfig,
        source_name: &str,
        sensors: &[SensorInfo],
    ) -> Result<Self, EngineError> {
        config.protocol.validate()?;
        let has_feet = sensors
            .iter()
            .any(|s| matches!(s.placement, Placement::Foot(_)));
        let mut out = Vec::new();
        for info in sensors {
            let detected = matches!(info.placement, Placement::Foot(_)) || !has_feet;
            let detector = if detected && info.sample_rate_hz > 0.0 {
                Some(build_detector(info)?)
            } else {
                None
            };
            out.push(Sensor {
                info: info.clone(),
                detected,
                detector,
                last_sample_nanos: None,
                samples: 0,
                lost_samples: 0,
                malformed: 0,
                battery_percent: None,
                link: LinkState::Connected,
                in_gap_since: None,
            });
        }
        if !out.iter().any(|s| s.detected) {
            return Err(EngineError::NoSensors {
                source_name: source_name.into(),
            });
        }
        Ok(EngineCore {
            config,
            sensors: out,
            next_lower_back_side: Side::Left,
            session: None,
            started_nanos: None,
            log_seen: 0,
            cadence: CadenceTracker::new(CadenceTrackerConfig::default()),
            recent_steps: VecDeque::with_capacity(RECENT_STEPS + 1),
            recent_beats: VecDeque::with_capacity(RECENT_BEATS + 1),
            unplayed: VecDeque::new(),
            steps_total: 0,
            beats_total: 0,
            last_beat_nanos: None,
            gap_active: false,
            source_finished: false,
            now_nanos: 0,
            events: Vec::with_capacity(8),
            notices: VecDeque::new(),
        })
    }

    /// Whether `events` bring samples of a sensor whose detector still waits for its sample rate
    /// (then ask the source: it has learned the rate from those very packets).
    pub fn needs_sample_rates(&self, events: &[SourceEvent]) -> bool {
        events.iter().any(|e| match e {
            SourceEvent::Sample { placement, .. } => self
                .sensors
                .iter()
                .any(|s| s.info.placement == *placement && s.detected && s.detector.is_none()),
            _ => false,
        })
    }

    /// Builds the detectors of sensors whose sample rate the source now knows (`sensors`, as
    /// [`SensorSource::sensors`](entrain_source::SensorSource::sensors) reports them).
    /// Call it after a poll for which [`Self::needs_sample_rates`] holds; samples of a sensor whose
    /// rate the source still does not know are recorded but not detected.
    pub fn learn_sample_rates(&mut self, sensors: &[SensorInfo]) -> Result<(), EngineError> {
        for sensor in self
            .sensors
            .iter_mut()
            .filter(|s| s.detected && s.detector.is_none())
        {
            if let Some(info) = sensors
                .iter()
                .find(|i| i.placement == sensor.info.placement && i.sample_rate_hz > 0.0)
            {
                sensor.info.sample_rate_hz = info.sample_rate_hz;
                sensor.detector = Some(build_detector(&sensor.info)?);
            }
        }
        Ok(())
    }

    /// The protocol session, once started.
    pub fn session(&self) -> Option<&RasSession> {
        self.session.as_ref()
    }

    /// When the protocol started ([`EngineCommand::Start`]), on the engine's clock: the record
    /// measures every time from it. `None` before Start.
    pub fn started_at_nanos(&self) -> Option<i64> {
        self.started_nanos
    }

    /// Whether the session has ended (finished protocol or stop).
    pub fn is_finished(&self) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| s.run_state() == RunState::Finished)
    }

    /// Whether the source said it has nothing more.
    pub fn source_finished(&self) -> bool {
        self.source_finished
    }

    /// Whether the cue is going on through a sensor gap.
    pub fn in_sensor_gap(&self) -> bool {
        self.gap_active
    }

    /// Committed audible beats due by `now_nanos` and not yet reported played (for running
    /// without a sound device: the visual cue shows them on time).
    pub fn due_unplayed(&self, now_nanos: i64) -> Vec<i64> {
        self.unplayed
            .iter()
            .copied()
            .take_while(|&b| b <= now_nanos)
            .collect()
    }

    fn notice(&mut self, out: &mut EngineOutput, text: String) {
        if self.notices.len() >= 8 {
            self.notices.pop_front();
        }
        self.notices.push_back(text.clone());
        out.notices.push(text);
    }

    /// The protocol's phase; `None` before the session starts.
    fn phase(&self) -> Option<Phase> {
        self.session.as_ref().map(RasSession::phase)
    }

    /// A clinician command at `now_nanos`.
    pub fn command(&mut self, now_nanos: i64, command: EngineCommand, out: &mut EngineOutput) {
        self.now_nanos = self.now_nanos.max(now_nanos);
        let now = self.now_nanos;
        let text = format!("{command:?}");
        match command {
            EngineCommand::Start => {
                if self.session.is_none() {
                    match RasSession::new(self.config.protocol.clone(), now) {
                        Ok(s) => {
                            self.session = Some(s);
                            self.started_nanos = Some(now);
                        }
                        Err(e) => self.notice(out, format!("cannot start: {e}")),
                    }
                } else if let Some(s) = self.session.as_mut() {
                    s.command(now, ClinicianCommand::Resume);
                }
            }
            EngineCommand::Mark { label } => {
                out.record.events.push(EventRow {
                    time_nanos: now,
                    phase: self.phase(),
                    kind: EventKind::Mark,
                    detail: label.clone(),
                });
                self.notice(out, format!("mark: {label}"));
                return;
            }
            // The session's audio acts on it; the record keeps it as a command.
            EngineCommand::Music(_) => {}
            other => {
                let c = match other {
                    EngineCommand::Pause => ClinicianCommand::Pause,
                    EngineCommand::Resume => ClinicianCommand::Resume,
                    EngineCommand::Stop => ClinicianCommand::Stop,
                    EngineCommand::StopAfterRetest => ClinicianCommand::StopAfterRetest,
                    EngineCommand::NextPhase => ClinicianCommand::SkipPhase,
                    EngineCommand::NudgeTempo { delta_spm } => {
                        ClinicianCommand::NudgeTempo { delta_spm }
                    }
                    EngineCommand::Start | EngineCommand::Mark { .. } | EngineCommand::Music(_) => {
                        return;
                    }
                };
                match self.session.as_mut() {
                    Some(s) => s.command(now, c),
                    None => {
                        self.notice(out, format!("{text}: the session has not started"));
                        return;
                    }
                }
            }
        }
        out.record.events.push(EventRow {
            time_nanos: now,
            phase: self.phase(),
            kind: EventKind::Command,
            detail: text,
        });
        self.drain_log(out);
        out.record.now_nanos = now;
    }

    /// Everything the source delivered up to `now_nanos`: samples through the detectors, steps
    /// into the protocol, time passes, beats are committed.
    pub fn on_sensor_events(
        &mut self,
        now_nanos: i64,
        events: &[SourceEvent],
        out: &mut EngineOutput,
    ) {
        self.now_nanos = self.now_nanos.max(now_nanos);
        for event in events {
            self.on_event(event, out);
        }
        self.pass_time(out);
    }

    /// Steps found outside the core's detectors up to `now_nanos` (a simulation's true initial
    /// contacts), in time order: into the cadence tracker and the protocol, then time passes and
    /// beats are committed as in [`Self::on_sensor_events`]. Their detection time is `now_nanos`.
    pub fn on_steps(&mut self, now_nanos: i64, steps: &[StepEvent], out: &mut EngineOutput) {
        self.now_nanos = self.now_nanos.max(now_nanos);
        for step in steps {
            self.on_step(*step, self.now_nanos, out);
        }
        self.pass_time(out);
    }

    /// Sensor gaps, the protocol's clock and the beats it commits, the log, up to `now_nanos`.
    fn pass_time(&mut self, out: &mut EngineOutput) {
        self.check_gaps(out);
        let now = self.now_nanos;
        if let Some(session) = self.session.as_mut() {
            if self.gap_active {
                session.hold_through_sensor_gap(now);
            }
            let first = out.beats.len();
            session.advance_to(now, &mut out.beats);
            for b in &out.beats[first..] {
                let phase = session.phase();
                out.record.beats.push(BeatRow {
                    scheduled_nanos: b.time_nanos,
                    tempo_spm: b.tempo_spm,
                    target_spm: b.target_spm,
                    volume: b.volume,
                    phase,
                });
                if b.is_audible() {
                    self.unplayed.push_back(b.time_nanos);
                }
                self.beats_total += 1;
            }
        }
        self.drain_log(out);
        out.record.now_nanos = now;
    }

    fn on_event(&mut self, event: &SourceEvent, out: &mut EngineOutput) {
        match event {
            SourceEvent::Sample { placement, sample } => {
                let Some(i) = self
                    .sensors
                    .iter()
                    .position(|s| s.info.placement == *placement)
                else {
                    return;
                };
                if self.config.record_raw {
                    out.record.raw.push((*placement, *sample));
                }
                let sensor = &mut self.sensors[i];
                sensor.samples += 1;
                sensor.last_sample_nanos = Some(sample.time_nanos);
                if sensor.link != LinkState::Connected {
                    sensor.link = LinkState::Connected;
                }
                self.events.clear();
                match sensor.detector.as_mut() {
                    Some(d) => d.push(sample, &mut self.events),
                    None => return,
                }
                let default_side = match placement {
                    Placement::Foot(side) => Some(*side),
                    Placement::LowerBack => None,
                };
                for k in 0..self.events.len() {
                    let e = self.events[k];
                    if e.kind != GaitEventKind::InitialContact {
                        continue;
                    }
                    let side = match e.side.or(default_side) {
                        Some(side) => side,
                        None => {
                            let side = self.next_lower_back_side;
                            self.next_lower_back_side = side.other();
                            side
                        }
                    };
                    self.on_step(
                        StepEvent {
                            time_nanos: e.event_time_nanos,
                            side,
                        },
                        e.emitted_at_nanos,
                        out,
                    );
                }
            }
            SourceEvent::Link {
                placement,
                state,
                at_nanos,
            } => {
                let label = placement.label();
                let text = match state {
                    LinkState::Connected => format!("{label} sensor connected"),
                    LinkState::Lost { reason } => format!("{label} sensor lost: {reason}"),
                    LinkState::Reconnecting => format!("{label} sensor reconnecting"),
                };
                if let Some(s) = self
                    .sensors
                    .iter_mut()
                    .find(|s| s.info.placement == *placement)
                {
                    s.link = state.clone();
                }
                out.record.events.push(EventRow {
                    time_nanos: *at_nanos,
                    phase: self.phase(),
                    kind: EventKind::Sensor,
                    detail: text.clone(),
                });
                self.notice(out, text);
            }
            SourceEvent::Gap {
                placement,
                lost_samples,
                from_nanos,
                to_nanos,
            } => {
                if let Some(s) = self
                    .sensors
                    .iter_mut()
                    .find(|s| s.info.placement == *placement)
                {
                    s.lost_samples += lost_samples;
                }
                out.record.events.push(EventRow {
                    time_nanos: *to_nanos,
                    phase: self.phase(),
                    kind: EventKind::Sensor,
                    detail: format!(
                        "{}: {lost_samples} samples lost between {:.3} s and {:.3} s",
                        placement.label(),
                        *from_nanos as f64 / 1e9,
                        *to_nanos as f64 / 1e9
                    ),
                });
            }
            SourceEvent::Malformed { placement, detail } => {
                if let Some(s) = self
                    .sensors
                    .iter_mut()
                    .find(|s| s.info.placement == *placement)
                {
                    s.malformed += 1;
                    if s.malformed <= 10 {
                        out.record.events.push(EventRow {
                            time_nanos: self.now_nanos,
                            phase: self.phase(),
                            kind: EventKind::Sensor,
                            detail: format!("{}: malformed packet: {detail}", placement.label()),
                        });
                    }
                }
            }
            SourceEvent::Battery { placement, percent } => {
                if let Some(s) = self
                    .sensors
                    .iter_mut()
                    .find(|s| s.info.placement == *placement)
                {
                    s.battery_percent = Some(*percent);
                }
            }
            SourceEvent::Finished => self.source_finished = true,
            // Events of newer sources (on-board detections, cadence pods): the engine detects
            // steps from the raw samples itself.
            #[allow(unreachable_patterns)]
            _ => {}
        }
    }

    fn on_step(&mut self, step: StepEvent, detected_at_nanos: i64, out: &mut EngineOutput) {
        self.steps_total += 1;
        self.cadence.on_contact(step.time_nanos, Some(step.side));
        if self.recent_steps.len() >= RECENT_STEPS {
            self.recent_steps.pop_front();
        }
        self.recent_steps.push_back(step);
        // The step belongs to the phase it was taken in, also when it is the one that ends that
        // phase (the protocol measured it as part of it: the stored baseline is the one the
        // matched tempo came from).
        let phase = self.phase();
        // A contact from before Start (detected just after it) belongs to the wait, not the
        // protocol: the record drops it too.
        if let Some(s) = self
            .session
            .as_mut()
            .filter(|_| self.started_nanos.is_some_and(|t| step.time_nanos >= t))
        {
            s.on_step(step);
        }
        let row = StepRow {
            time_nanos: step.time_nanos,
            side: step.side,
            detected_at_nanos,
            phase,
        };
        out.steps.push(row);
        out.record.steps.push(row);
    }

    fn check_gaps(&mut self, out: &mut EngineOutput) {
        let now = self.now_nanos;
        let limit = self.config.sensor_gap_nanos;
        let tempo = self
            .session
            .as_ref()
            .and_then(RasSession::current_tempo_spm);
        let mut texts = Vec::new();
        for s in self.sensors.iter_mut().filter(|s| s.detected) {
            let Some(last) = s.last_sample_nanos else {
                continue;
            };
            let lost = matches!(s.link, LinkState::Lost { .. } | LinkState::Reconnecting);
            let stale = now - last > limit || lost;
            match (stale, s.in_gap_since) {
                (true, None) => {
                    s.in_gap_since = Some(last);
                    texts.push(format!(
                        "{}: no samples since {:.2} s: {}",
                        s.info.placement.label(),
                        last as f64 / 1e9,
                        match tempo {
                            Some(t) =>
                                format!("cue continues at the last good tempo {t:.1} steps/min"),
                            None => "the session carries on without steps".into(),
                        }
                    ));
                }
                (false, Some(since)) => {
                    s.in_gap_since = None;
                    texts.push(format!(
                        "{}: samples again after a {:.2} s gap",
                        s.info.placement.label(),
                        (last - since) as f64 / 1e9
                    ));
                }
                _ => {}
            }
        }
        self.gap_active = !self.source_finished
            && self
                .sensors
                .iter()
                .any(|s| s.detected && s.in_gap_since.is_some());
        for text in texts {
            out.record.events.push(EventRow {
                time_nanos: now,
                phase: self.phase(),
                kind: EventKind::Sensor,
                detail: text.clone(),
            });
            self.notice(out, text);
        }
    }

    /// Another track cues the session from the beat committed `beats_ago` beats before the
    /// latest: the protocol counts bars in its meter from there ([`RasSession::set_meter`]).
    pub fn set_music_meter(
        &mut self,
        meter: entrain_cue::MeterConfig,
        beats_ago: u64,
    ) -> Result<(), entrain_cue::ConfigError> {
        match self.session.as_mut() {
            Some(s) => s.set_meter(meter, beats_ago),
            None => {
                self.config.protocol.meter = meter;
                Ok(())
            }
        }
    }

    /// The metronome (or the visual cue) reports a beat sounded at `played_nanos`.
    pub fn on_beat_played(&mut self, played_nanos: i64, out: &mut EngineOutput) {
        let nearest = self
            .unplayed
            .iter()
            .enumerate()
            .min_by_key(|(_, b)| (**b - played_nanos).abs())
            .map(|(i, b)| (i, *b));
        let Some((i, scheduled)) = nearest.filter(|(_, b)| (b - played_nanos).abs() <= 100_000_000)
        else {
            return;
        };
        // Beats before it were never played (a device change, a stop).
        self.unplayed.drain(..=i);
        if let Some(s) = self.session.as_mut() {
            s.on_beat_played(played_nanos);
        }
        if self.recent_beats.len() >= RECENT_BEATS {
            self.recent_beats.pop_front();
        }
        self.recent_beats.push_back(played_nanos);
        self.last_beat_nanos = Some(played_nanos);
        out.record.played.push(BeatPlayed {
            scheduled_nanos: scheduled,
            played_nanos,
        });
    }

    fn drain_log(&mut self, out: &mut EngineOutput) {
        let Some(session) = self.session.as_ref() else {
            return;
        };
        let log = session.log();
        let start = self.started_nanos.unwrap_or(0);
        let mut notices = Vec::new();
        for entry in &log[self.log_seen.min(log.len())..] {
            let phase = entry.phase;
            let text = entry.event.to_string();
            match &entry.event {
                LogEvent::PhaseStarted { .. } => out.record.phases.push(PhaseRow {
                    phase,
                    start_nanos: entry.time_nanos,
                    reason: text.clone(),
                }),
                LogEvent::TempoTarget {
                    from_spm,
                    to_spm,
                    reason,
                } => out.record.tempo_changes.push(TempoChangeRow {
                    time_nanos: entry.time_nanos,
                    phase,
                    from_spm: *from_spm,
                    to_spm: *to_spm,
                    reason: reason.to_string(),
                }),
                _ => {}
            }
            out.record.events.push(EventRow {
                time_nanos: entry.time_nanos,
                phase: Some(phase),
                kind: EventKind::Log,
                detail: text.clone(),
            });
            // Times as the record keeps them: from Start.
            notices.push(format!(
                "{} [{}] {text}",
                fmt_secs(entry.time_nanos - start),
                entry.phase
            ));
        }
        self.log_seen = log.len();
        for n in notices {
            self.notice(out, n);
        }
    }

    /// A read-only picture of the session at the core's current time, for the UI.
    pub fn snapshot(&self) -> Snapshot {
        let now = self.now_nanos;
        let session = self.session.as_ref();
        let ics: Vec<_> = self.recent_steps.iter().copied().collect();
        let metrics = GaitMetrics::from_events(
            &ics,
            &[],
            MetricsConfig {
                paretic: self.config.protocol.paretic_side,
                ..MetricsConfig::default()
            },
        );
        let ic_times: Vec<i64> = ics
            .iter()
            .rev()
            .take(16)
            .rev()
            .map(|s| s.time_nanos)
            .collect();
        let beats: Vec<i64> = self.recent_beats.iter().copied().collect();
        let cued = session.is_some_and(|s| s.phase().is_cued());
        let half_interval = session
            .and_then(RasSession::current_tempo_spm)
            .map_or(0, |t| (30e9 / t) as i64);
        let cued_ics: Vec<i64> = ic_times
            .iter()
            .copied()
            .filter(|&ic| {
                entrain_gait::sync::asynchrony_nanos(ic, &beats)
                    .is_some_and(|a| a.abs() <= half_interval)
            })
            .collect();
        let sync = if cued && cued_ics.len() >= 4 {
            entrain_gait::sync::summarize(&cued_ics, &beats)
        } else {
            None
        };
        Snapshot {
            now_nanos: now,
            run_state: match session.map(RasSession::run_state) {
                None => RunStatus::Waiting,
                Some(RunState::Running) => RunStatus::Running,
                Some(RunState::Paused(r)) => RunStatus::Paused {
                    no_steps_timeout_ms: match r {
                        PauseReason::Clinician => None,
                        PauseReason::NoSteps { timeout_ms } => Some(timeout_ms),
                    },
                },
                Some(RunState::Finished) => RunStatus::Finished,
            },
            phase: phase_column(self.phase()).into(),
            phase_progress: session.and_then(|s| s.phase_progress(now)),
            cued,
            target_tempo_spm: session
                .and_then(RasSession::target_tempo_spm)
                .filter(|_| cued),
            tempo_limits: session.and_then(RasSession::limits),
            current_tempo_spm: session
                .and_then(RasSession::current_tempo_spm)
                .filter(|_| cued),
            cadence_spm: self.cadence.cadence_spm(now),
            step_time_left_secs: metrics.map(|m| m.step_time_left_secs),
            step_time_right_secs: metrics.map(|m| m.step_time_right_secs),
            symmetry_ratio: metrics.and_then(|m| m.symmetry_ratio),
            step_time_cv_percent: metrics.map(|m| m.step_time_cv_percent),
            mean_asynchrony_ms: sync.map(|s| s.mean_asynchrony_ms),
            entrainment_r: sync.map(|s| s.resultant_length),
            baseline_cadence_spm: session.and_then(|s| s.baseline()).map(|m| m.cadence_spm),
            retest_cadence_spm: session.and_then(|s| s.retest()).map(|m| m.cadence_spm),
            steps_total: self.steps_total,
            beats_total: self.beats_total,
            last_beat_nanos: self.last_beat_nanos,
            cueing_through_sensor_gap: self.gap_active && cued,
            sensors: self
                .sensors
                .iter()
                .map(|s| SensorHealth {
                    placement: s.info.placement,
                    name: s.info.name.clone(),
                    status: match (&s.link, s.in_gap_since, s.last_sample_nanos) {
                        (_, _, None) => SensorStatus::Waiting,
                        (LinkState::Lost { reason }, _, _) => SensorStatus::Lost(reason.clone()),
                        (LinkState::Reconnecting, _, _) => SensorStatus::Reconnecting,
                        (_, Some(since), _) => SensorStatus::Gap { since_nanos: since },
                        _ => SensorStatus::Streaming,
                    },
                    samples: s.samples,
                    lost_samples: s.lost_samples,
                    malformed: s.malformed,
                    battery_percent: s.battery_percent,
                })
                .collect(),
            audio: String::new(),
            store: String::new(),
            notices: self.notices.iter().cloned().collect(),
            // The session's audio fills it in (the runtime).
            music: None,
        }
    }
}

/// `12.345 s`.
pub fn fmt_secs(nanos: i64) -> String {
    format!("{:8.3} s", nanos as f64 / 1e9)
}
