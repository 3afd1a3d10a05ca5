//! The virtual patient as a [`SensorSource`]: two foot sensors whose wearer hears the beats the
//! engine reports as played.

use entrain_gait::{Placement, Side};

use super::{TrueIc, VirtualPatient};
use entrain_source::{SensorId, SensorInfo, SensorSource, SourceError, SourceEvent};

/// A virtual patient walking on the session clock (time 0 = the patient stands at session start).
#[derive(Debug, Clone)]
pub struct VirtualPatientSource {
    patient: VirtualPatient,
    name: String,
    until_nanos: Option<i64>,
    finished: bool,
    samples: Vec<super::FootSample>,
    ics: Vec<TrueIc>,
}

impl VirtualPatientSource {
    /// A source for `patient`, named `name` (e.g. the preset), ending with
    /// [`SourceEvent::Finished`] at `until_nanos` if given.
    pub fn new(patient: VirtualPatient, name: impl Into<String>, until_nanos: Option<i64>) -> Self {
        VirtualPatientSource {
            patient,
            name: name.into(),
            until_nanos,
            finished: false,
            samples: Vec::new(),
            ics: Vec::new(),
        }
    }

    /// The simulated patient (its true initial contacts, for scoring).
    pub fn patient(&self) -> &VirtualPatient {
        &self.patient
    }
}

impl SensorSource for VirtualPatientSource {
    fn name(&self) -> String {
        format!("virtual patient ({})", self.name)
    }

    fn sensors(&self) -> Vec<SensorInfo> {
        [Side::Left, Side::Right]
            .into_iter()
            .map(|side| {
                let foot = match side {
                    Side::Left => "left",
                    Side::Right => "right",
                };
                SensorInfo {
                    id: SensorId(format!("virtual:{foot}")),
                    name: format!("virtual {foot} foot sensor"),
                    placement: Placement::Foot(side),
                    sample_rate_hz: self.patient.config().sample_rate_hz,
                }
            })
            .collect()
    }

    fn poll(&mut self, now_nanos: i64, out: &mut Vec<SourceEvent>) -> Result<(), SourceError> {
        if self.finished {
            return Ok(());
        }
        let until = self.until_nanos.map_or(now_nanos, |u| u.min(now_nanos));
        self.samples.clear();
        self.ics.clear();
        self.patient
            .advance_to(until, &mut self.samples, &mut self.ics);
        out.extend(self.samples.iter().map(|s| SourceEvent::Sample {
            placement: s.placement,
            sample: s.sample,
        }));
        if self.until_nanos.is_some_and(|u| now_nanos >= u) {
            self.finished = true;
            out.push(SourceEvent::Finished);
        }
        Ok(())
    }

    fn beat_played(&mut self, beat_nanos: i64) {
        self.patient.hear_beat(beat_nanos);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Preset;

    #[test]
    fn delivers_both_feet_then_finishes() {
        let patient = VirtualPatient::new(Preset::Healthy.config());
        let mut source = VirtualPatientSource::new(patient, "healthy", Some(1_000_000_000));
        let mut out = Vec::new();
        source.poll(500_000_000, &mut out).unwrap();
        let n = out.len();
        assert!(n > 50, "{n}");
        assert!(!out.contains(&SourceEvent::Finished));
        source.poll(2_000_000_000, &mut out).unwrap();
        assert_eq!(out.last(), Some(&SourceEvent::Finished));
        let last_t = out
            .iter()
            .filter_map(|e| match e {
                SourceEvent::Sample { sample, .. } => Some(sample.time_nanos),
                _ => None,
            })
            .max()
            .unwrap();
        assert!(last_t <= 1_000_000_000);
        assert_eq!(source.sensors().len(), 2);
    }
}
