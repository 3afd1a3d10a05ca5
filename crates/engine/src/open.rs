//! Opening a [`SourceSpec`]: the one place that knows every kind of source, used by the CLI
//! (`entrain session --source`) and the UI alike.

use std::path::PathBuf;
use std::time::Instant;

use entrain_replay::{ReplayError, ReplaySource};
use entrain_sim::{Preset, VirtualPatient, VirtualPatientSource};
use entrain_source::{SensorSource, SourceSpec};

/// The virtual patient of a bare `sim`.
const DEFAULT_PRESET: Preset = Preset::Entrains;

/// Why a source could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// `sim:PRESET` with a preset the simulator does not have.
    #[error("unknown patient preset '{name}'; choose one of: {known}")]
    UnknownPreset {
        /// What was asked for.
        name: String,
        /// The presets there are, comma-separated.
        known: String,
    },
    /// The data set's folder could not be listed (`source` names the file).
    #[error("listing the trials: {source}")]
    ListTrials {
        /// The folder.
        dir: PathBuf,
        /// Why (boxed: the error is large, and opening fails rarely).
        source: Box<ReplayError>,
    },
    /// The data set has no such trial.
    #[error("no trial `{trial}` in {}", dir.display())]
    NoSuchTrial {
        /// The trial asked for.
        trial: String,
        /// The folder.
        dir: PathBuf,
    },
    /// A trial or a raw recording could not be read (`source` names the file).
    #[error("reading {what}: {source}")]
    Read {
        /// The trial or the file.
        what: String,
        /// Why (boxed: the error is large, and opening fails rarely).
        source: Box<ReplayError>,
    },
    /// The BLE sensors could not be started.
    #[cfg(feature = "ble")]
    #[error("starting the BLE sensors: {0}")]
    Ble(#[from] entrain_ble::central::BleError),
    /// `ble` (the patient's assigned sensors) reached the opener unresolved.
    #[error(
        "`ble` means the sensors assigned to the session's patient: give the patient (--patient), or the sensors as ble:LEFT,RIGHT"
    )]
    BleWithoutPatient,
    /// This build has no BLE support.
    #[cfg(not(feature = "ble"))]
    #[error("this build has no BLE support (entrain-engine without its `ble` feature)")]
    NoBle,
}

/// Opens `spec`. A virtual patient ends with [`entrain_source::SourceEvent::Finished`] at
/// `until_nanos` if given; a BLE source maps sensor clocks onto session time from `origin`.
pub fn open_source(
    spec: &SourceSpec,
    until_nanos: Option<i64>,
    origin: Instant,
) -> Result<Box<dyn SensorSource>, OpenError> {
    match spec {
        SourceSpec::Sim { preset } => {
            let preset = match preset {
                None => DEFAULT_PRESET,
                Some(name) => Preset::from_name(name).ok_or_else(|| OpenError::UnknownPreset {
                    name: name.clone(),
                    known: Preset::ALL.map(Preset::name).join(", "),
                })?,
            };
            let patient = VirtualPatient::new(preset.config());
            Ok(Box::new(VirtualPatientSource::new(
                patient,
                preset.name(),
                until_nanos,
            )))
        }
        SourceSpec::ReplayFile(path) => entrain_replay::raw::read_raw(path)
            .map(|raw| {
                if let Some(line) = raw.cut_at_line {
                    tracing::warn!(
                        "{}: the recording was cut in line {line} (its last, incomplete line); replaying every complete line before it",
                        path.display()
                    );
                }
                Box::new(ReplaySource::from_raw(raw)) as Box<dyn SensorSource>
            })
            .map_err(|source| OpenError::Read {
                what: "the raw recording".to_owned(),
                source: Box::new(source),
            }),
        SourceSpec::ReplayTrial {
            dataset,
            dir,
            trial,
        } => {
            let trials = entrain_replay::list_trials(*dataset, dir).map_err(|source| {
                OpenError::ListTrials {
                    dir: dir.clone(),
                    source: Box::new(source),
                }
            })?;
            let id =
                trials
                    .iter()
                    .find(|t| t.code == *trial)
                    .ok_or_else(|| OpenError::NoSuchTrial {
                        trial: trial.clone(),
                        dir: dir.clone(),
                    })?;
            let recording =
                entrain_replay::load_trial(dir, id).map_err(|source| OpenError::Read {
                    what: format!("the trial {id}"),
                    source: Box::new(source),
                })?;
            Ok(Box::new(ReplaySource::from_recording(&recording)))
        }
        SourceSpec::Ble(sensors) => open_ble(sensors, origin),
        SourceSpec::BleAssigned => Err(OpenError::BleWithoutPatient),
    }
}

/// How long a scan looks for sensors given by address alone before a session opens, s.
#[cfg(feature = "ble")]
const RECOGNISE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

#[cfg(feature = "ble")]
fn open_ble(
    sensors: &[entrain_source::BleSensor],
    origin: Instant,
) -> Result<Box<dyn SensorSource>, OpenError> {
    use entrain_ble::central::{Assignment, BleConfig, BleSource, recognise_kinds};
    // Sensors given by address alone: their kinds from their advertisements.
    let unknown: Vec<entrain_source::SensorId> = sensors
        .iter()
        .filter(|s| s.kind.is_none())
        .map(|s| s.id.clone())
        .collect();
    let recognised = if unknown.is_empty() {
        Vec::new()
    } else {
        recognise_kinds(&unknown, RECOGNISE_TIMEOUT)?
    };
    let mut recognised = unknown.into_iter().zip(recognised);
    let mut assignments = Vec::new();
    for s in sensors {
        let kind = match s.kind {
            Some(kind) => kind,
            // In the same order as `unknown`, one kind each.
            None => match recognised.next() {
                Some((id, kind)) if id == s.id => kind,
                _ => {
                    return Err(OpenError::Ble(entrain_ble::central::BleError::Config(
                        format!("sensor {}: its kind was not recognised", s.id),
                    )));
                }
            },
        };
        assignments.push(Assignment {
            id: s.id.clone(),
            placement: s.placement,
            kind,
        });
    }
    Ok(Box::new(BleSource::start(
        BleConfig::new(assignments),
        origin,
    )?))
}

#[cfg(not(feature = "ble"))]
fn open_ble(
    _sensors: &[entrain_source::BleSensor],
    _origin: Instant,
) -> Result<Box<dyn SensorSource>, OpenError> {
    Err(OpenError::NoBle)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn open(text: &str) -> Result<Box<dyn SensorSource>, OpenError> {
        open_source(&text.parse().unwrap(), Some(1_000_000_000), Instant::now())
    }

    #[test]
    fn sim_opens_the_preset_or_the_default() {
        assert!(open("sim").unwrap().name().contains("entrains"));
        assert!(open("sim:healthy").unwrap().name().contains("healthy"));
        let err = open("sim:nobody").err().unwrap().to_string();
        assert!(
            err.contains("'nobody'") && err.contains("entrains"),
            "{err}"
        );
    }

    #[test]
    fn replay_opens_a_fixture_trial_and_names_what_is_missing() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/fixtures/gaitmap");
        let trials =
            entrain_replay::list_trials(entrain_source::Dataset::Gaitmap, dir.as_ref()).unwrap();
        let source = open(&format!("replay:gaitmap:{dir}:{}", trials[0].code)).unwrap();
        assert_eq!(source.sensors().len(), 2);
        let err = open(&format!("replay:gaitmap:{dir}:nope")).err().unwrap();
        assert!(err.to_string().contains("no trial `nope`"), "{err}");
        let err = open("replay:/nonexistent/walk.csv").err().unwrap();
        assert!(err.to_string().contains("/nonexistent/walk.csv"), "{err}");
    }
}
