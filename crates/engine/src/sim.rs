//! The closed RAS loop on simulated time, without a person and without threads: the virtual
//! patient's foot IMUs → [`EngineCore`] (one foot detector per foot, the RAS session) → beats →
//! the patient hears them. The same core runs a real session; only the clock and the listener
//! differ, so `entrain simulate` and the tests exercise the wiring a patient gets. Any other
//! [`SimSource`] (a replayed recording: `entrain analyze`) runs through the same loop, detection
//! only.

use entrain_cue::StepEvent;
use entrain_replay::ReplaySource;
use entrain_sim::{TrueIc, VirtualPatient, VirtualPatientSource};
use entrain_source::{SensorSource, SourceEvent};

use crate::core::{EngineCommand, EngineConfig, EngineCore, EngineOutput};
use crate::error::EngineError;

/// Where the session's steps come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepInput {
    /// Detected from the patient's foot IMU samples, as in a real session.
    Detected,
    /// The patient's true initial contacts, bypassing the detectors (to tell the protocol's
    /// behaviour apart from the detector's errors).
    TrueContacts,
}

/// The simulated-time step of `entrain simulate` and `entrain analyze`, ns.
pub const TICK_NANOS: i64 = 10_000_000;

/// A source that can run on simulated time; the virtual patient also knows its true contacts.
pub trait SimSource: SensorSource {
    /// The true initial contacts made so far (for [`StepInput::TrueContacts`]); none for a
    /// recording.
    fn true_contacts(&self) -> &[TrueIc] {
        &[]
    }
}

impl SimSource for VirtualPatientSource {
    fn true_contacts(&self) -> &[TrueIc] {
        self.patient().true_ics()
    }
}

impl SimSource for ReplaySource {}

/// A source (by default a virtual patient) walking through a RAS session on simulated time.
#[derive(Debug)]
pub struct SimulatedSession<S = VirtualPatientSource> {
    core: EngineCore,
    source: S,
    input: StepInput,
    /// True contacts already given to the core (with [`StepInput::TrueContacts`]).
    true_contacts_delivered: usize,
    events: Vec<SourceEvent>,
    steps: Vec<StepEvent>,
    out: EngineOutput,
}

impl SimulatedSession {
    /// `patient` (named `name` in messages) standing at time 0, and the protocol started at 0.
    pub fn new(
        config: EngineConfig,
        patient: VirtualPatient,
        name: &str,
        input: StepInput,
    ) -> Result<Self, EngineError> {
        let source = VirtualPatientSource::new(patient, name, None);
        let mut session = SimulatedSession::build(config, source, input)?;
        session
            .core
            .command(0, EngineCommand::Start, &mut session.out);
        Ok(session)
    }

    /// The simulated patient (its true initial contacts, for scoring).
    pub fn patient(&self) -> &VirtualPatient {
        self.source.patient()
    }
}

impl<S: SimSource> SimulatedSession<S> {
    /// `source`'s samples through the core's detectors, the protocol not started: re-detection
    /// of a recording, as `entrain analyze` does.
    pub fn detecting(config: EngineConfig, source: S) -> Result<Self, EngineError> {
        SimulatedSession::build(config, source, StepInput::Detected)
    }

    fn build(config: EngineConfig, source: S, input: StepInput) -> Result<Self, EngineError> {
        let core = EngineCore::new(config, &source.name(), &source.sensors())?;
        Ok(SimulatedSession {
            core,
            source,
            input,
            true_contacts_delivered: 0,
            events: Vec::with_capacity(64),
            steps: Vec::new(),
            out: EngineOutput::default(),
        })
    }

    /// One turn of the loop at `now_nanos` (call with increasing times): the patient walks up to
    /// it, its steps go into the core, time passes, and the patient hears every audible beat the
    /// core committed. Returns what the core produced in this turn.
    pub fn tick(&mut self, now_nanos: i64) -> Result<&EngineOutput, EngineError> {
        self.out.clear();
        self.events.clear();
        // The samples are generated in both modes: the patient's noise and its step timing share
        // one random sequence, so skipping them would make a different walk.
        self.source.poll(now_nanos, &mut self.events)?;
        match self.input {
            StepInput::Detected => {
                self.core
                    .on_sensor_events(now_nanos, &self.events, &mut self.out);
            }
            StepInput::TrueContacts => {
                let contacts = self
                    .source
                    .true_contacts()
                    .get(self.true_contacts_delivered..)
                    .unwrap_or_default();
                self.true_contacts_delivered += contacts.len();
                self.steps.clear();
                self.steps.extend(contacts.iter().map(|ic| StepEvent {
                    time_nanos: ic.time_nanos,
                    side: ic.side,
                }));
                self.core.on_steps(now_nanos, &self.steps, &mut self.out);
            }
        }
        // A simulated beat sounds exactly when scheduled, and the patient hears it as soon as it
        // is committed (up to the protocol's schedule lead early), as in `entrain_cue::sim`.
        for k in 0..self.out.beats.len() {
            let beat = self.out.beats[k];
            if beat.is_audible() {
                self.core.on_beat_played(beat.time_nanos, &mut self.out);
                self.source.beat_played(beat.time_nanos);
            }
        }
        Ok(&self.out)
    }

    /// Ticks every [`TICK_NANOS`] from 0 up to `until_nanos` or the end of the session, handing
    /// each turn's time, the core and its output to `each`.
    pub fn run<E: From<EngineError>>(
        &mut self,
        until_nanos: i64,
        mut each: impl FnMut(i64, &EngineCore, &EngineOutput) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut now = 0;
        while now <= until_nanos && !self.core.is_finished() {
            self.tick(now)?;
            each(now, &self.core, &self.out)?;
            now += TICK_NANOS;
        }
        Ok(())
    }

    /// The engine core (its session, snapshot, state).
    pub fn core(&self) -> &EngineCore {
        &self.core
    }

    /// The source.
    pub fn source(&self) -> &S {
        &self.source
    }
}
