//! The closed RAS loop on simulated time, without a person and without threads: the virtual
//! patient's foot IMUs → [`EngineCore`] (one foot detector per foot, the RAS session) → beats →
//! the patient hears them. The same core runs a real session; only the clock and the listener
//! differ, so `entrain simulate` and the tests exercise the wiring a patient gets.

use entrain_cue::StepEvent;
use entrain_sensors::source::{SensorSource, SourceEvent};
use entrain_sensors::virtual_patient::{VirtualPatient, VirtualPatientSource};

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

/// A virtual patient walking through a RAS session on simulated time.
#[derive(Debug)]
pub struct SimulatedSession {
    core: EngineCore,
    source: VirtualPatientSource,
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
        let mut core = EngineCore::new(config, &source.name(), &source.sensors())?;
        let mut out = EngineOutput::default();
        core.command(0, EngineCommand::Start, &mut out);
        Ok(SimulatedSession {
            core,
            source,
            input,
            true_contacts_delivered: 0,
            events: Vec::with_capacity(64),
            steps: Vec::new(),
            out,
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
                    .patient()
                    .true_ics()
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

    /// The engine core (its session, snapshot, state).
    pub fn core(&self) -> &EngineCore {
        &self.core
    }

    /// The simulated patient (its true initial contacts, for scoring).
    pub fn patient(&self) -> &VirtualPatient {
        self.source.patient()
    }
}
