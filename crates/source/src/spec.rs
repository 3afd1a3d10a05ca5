//! [`SourceSpec`]: which sensor source to open, parsed once from the text the CLI takes
//! (`--source`) and built directly by the UI; `entrain_engine::open_source` opens it.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use entrain_gait::{Placement, Side};

use crate::{Dataset, SensorId, SensorKind};

/// The forms a spec's text takes, for error messages.
const FORMS: &str = "sim[:PRESET], replay:FILE, replay:DATASET:DIR:TRIAL, ble (the patient's sensors) or ble:LEFT,RIGHT[,LOWER_BACK]";

/// Where the sensors of `ble:LEFT,RIGHT[,LOWER_BACK]` are worn, by position.
const BLE_PLACEMENTS: [(Placement, &str); 3] = [
    (Placement::Foot(Side::Left), "LEFT"),
    (Placement::Foot(Side::Right), "RIGHT"),
    (Placement::LowerBack, "LOWER_BACK"),
];

/// Which sensor source a session reads.
///
/// Text form ([`FromStr`] and [`fmt::Display`]): `sim[:PRESET]`, `replay:FILE`,
/// `replay:DATASET:DIR:TRIAL` (when `DATASET` is a [`Dataset`] name; any other `replay:` text is a
/// file), `ble` (the sensors assigned to the session's patient) and `ble:LEFT,RIGHT[,LOWER_BACK]`
/// (sensor ids from `entrain devices`, each sensor's kind recognised from its advertisement when
/// the session opens). A [`SourceSpec::Ble`] the UI builds carries the kinds it scanned, which
/// the text form does not: its text lists the ids only.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceSpec {
    /// The virtual patient.
    Sim {
        /// The patient preset's name (`entrains`, ...); `None`: the simulator's default.
        preset: Option<String>,
    },
    /// A recording in Entrain's raw format.
    ReplayFile(PathBuf),
    /// One trial of a public data set.
    ReplayTrial {
        /// The data-set layout.
        dataset: Dataset,
        /// The data set's folder.
        dir: PathBuf,
        /// The trial's code (as `entrain eval --contacts` lists them).
        trial: String,
    },
    /// Real BLE sensors.
    Ble(Vec<BleSensor>),
    /// The BLE sensors assigned to the session's patient in the record (`entrain assign`, the
    /// Sensors screen): whoever opens the session turns it into [`SourceSpec::Ble`].
    BleAssigned,
}

/// One BLE sensor of a [`SourceSpec::Ble`].
#[derive(Debug, Clone, PartialEq)]
pub struct BleSensor {
    /// Its stable identity (address or BlueZ device path).
    pub id: SensorId,
    /// Where it is worn.
    pub placement: Placement,
    /// What it is; `None`: recognised from its advertisement when the session opens.
    pub kind: Option<SensorKind>,
}

impl SourceSpec {
    /// Whether the source needs real time (BLE sensors cannot run on simulated time).
    pub fn needs_real_time(&self) -> bool {
        matches!(self, SourceSpec::Ble(_) | SourceSpec::BleAssigned)
    }
}

/// What is wrong with a source spec's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// Nothing was given.
    #[error("empty source: expected {FORMS}")]
    Empty,
    /// The part before the first `:` is not a source kind.
    #[error("unknown source kind `{kind}`: expected {FORMS}")]
    UnknownKind {
        /// What was given.
        kind: String,
    },
    /// `sim:` with nothing after it.
    #[error("no preset after `sim:`: give sim or sim:PRESET")]
    EmptyPreset,
    /// `replay` or `replay:` with nothing after it.
    #[error("no file after `replay:`: give replay:FILE or replay:DATASET:DIR:TRIAL")]
    EmptyReplay,
    /// `replay:DATASET:DIR:TRIAL` with an empty `DIR` or `TRIAL`.
    #[error("replay:DATASET:DIR:TRIAL: {part} is empty")]
    EmptyTrialPart {
        /// `DIR` or `TRIAL`.
        part: &'static str,
    },
    /// `ble:` with fewer than two or more than three ids.
    #[error(
        "expected ble:LEFT,RIGHT[,LOWER_BACK] (ids from `entrain devices`), got {count} sensor id(s)"
    )]
    BleSensorCount {
        /// How many comma-separated ids were given.
        count: usize,
    },
    /// An empty id in `ble:LEFT,RIGHT[,LOWER_BACK]`.
    #[error("ble:LEFT,RIGHT[,LOWER_BACK]: the {position} id is empty")]
    EmptyBleId {
        /// `LEFT`, `RIGHT` or `LOWER_BACK`.
        position: &'static str,
    },
}

impl FromStr for SourceSpec {
    type Err = SpecError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (kind, rest) = match text.split_once(':') {
            Some((kind, rest)) => (kind, Some(rest)),
            None => (text, None),
        };
        match (kind, rest) {
            ("", None) => Err(SpecError::Empty),
            ("sim", None) => Ok(SourceSpec::Sim { preset: None }),
            ("sim", Some("")) => Err(SpecError::EmptyPreset),
            ("sim", Some(preset)) => Ok(SourceSpec::Sim {
                preset: Some(preset.to_owned()),
            }),
            ("replay", None | Some("")) => Err(SpecError::EmptyReplay),
            ("replay", Some(rest)) => Ok(parse_replay(rest)?),
            ("ble", None) => Ok(SourceSpec::BleAssigned),
            ("ble", Some(ids)) => parse_ble(ids),
            (kind, _) => Err(SpecError::UnknownKind {
                kind: kind.to_owned(),
            }),
        }
    }
}

/// `FILE` or `DATASET:DIR:TRIAL` (only when `DATASET` names a data set: a file's name may hold
/// colons).
fn parse_replay(rest: &str) -> Result<SourceSpec, SpecError> {
    let parts: Vec<&str> = rest.splitn(3, ':').collect();
    if let [dataset, dir, trial] = parts.as_slice()
        && let Ok(dataset) = dataset.parse::<Dataset>()
    {
        if dir.is_empty() {
            return Err(SpecError::EmptyTrialPart { part: "DIR" });
        }
        if trial.is_empty() {
            return Err(SpecError::EmptyTrialPart { part: "TRIAL" });
        }
        return Ok(SourceSpec::ReplayTrial {
            dataset,
            dir: PathBuf::from(dir),
            trial: (*trial).to_owned(),
        });
    }
    Ok(SourceSpec::ReplayFile(PathBuf::from(rest)))
}

/// `LEFT,RIGHT[,LOWER_BACK]`.
fn parse_ble(ids: &str) -> Result<SourceSpec, SpecError> {
    let ids: Vec<&str> = ids.split(',').map(str::trim).collect();
    if !(2..=BLE_PLACEMENTS.len()).contains(&ids.len()) {
        return Err(SpecError::BleSensorCount { count: ids.len() });
    }
    ids.iter()
        .zip(BLE_PLACEMENTS)
        .map(|(id, (placement, position))| {
            if id.is_empty() {
                return Err(SpecError::EmptyBleId { position });
            }
            Ok(BleSensor {
                id: SensorId((*id).to_owned()),
                placement,
                kind: None,
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(SourceSpec::Ble)
}

impl fmt::Display for SourceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceSpec::Sim { preset: None } => f.write_str("sim"),
            SourceSpec::Sim {
                preset: Some(preset),
            } => write!(f, "sim:{preset}"),
            SourceSpec::ReplayFile(path) => write!(f, "replay:{}", path.display()),
            SourceSpec::ReplayTrial {
                dataset,
                dir,
                trial,
            } => write!(f, "replay:{dataset}:{}:{trial}", dir.display()),
            SourceSpec::BleAssigned => f.write_str("ble"),
            SourceSpec::Ble(sensors) => {
                f.write_str("ble:")?;
                for (i, sensor) in sensors.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{}", sensor.id)?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn parse(text: &str) -> Result<SourceSpec, SpecError> {
        text.parse()
    }

    #[test]
    fn every_form_parses_and_prints_back() {
        for text in [
            "sim",
            "sim:healthy",
            "ble",
            "replay:/tmp/walk.csv",
            "replay:truong:/data/truong2019_ipol_gait:185-2",
            "ble:AA:BB:CC:DD:EE:01,AA:BB:CC:DD:EE:02",
            "ble:/org/bluez/hci0/dev_1,/org/bluez/hci0/dev_2,/org/bluez/hci0/dev_3",
        ] {
            assert_eq!(parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn the_parts_land_where_they_belong() {
        assert_eq!(parse("sim").unwrap(), SourceSpec::Sim { preset: None });
        assert_eq!(
            parse("replay:gaitmap:data/g:imu_sample").unwrap(),
            SourceSpec::ReplayTrial {
                dataset: Dataset::Gaitmap,
                dir: PathBuf::from("data/g"),
                trial: "imu_sample".into(),
            }
        );
        // Not a data-set name: the whole rest is a file, colons and all.
        assert_eq!(
            parse("replay:walks:a:b.csv").unwrap(),
            SourceSpec::ReplayFile(PathBuf::from("walks:a:b.csv"))
        );
        let SourceSpec::Ble(sensors) = parse("ble: l , r ,b").unwrap() else {
            panic!("not ble");
        };
        let placements: Vec<Placement> = sensors.iter().map(|s| s.placement).collect();
        assert_eq!(
            placements,
            [
                Placement::Foot(Side::Left),
                Placement::Foot(Side::Right),
                Placement::LowerBack
            ]
        );
        assert_eq!(sensors[1].id, SensorId("r".into()));
        assert!(sensors.iter().all(|s| s.kind.is_none()));
        assert!(parse("ble:l,r").unwrap().needs_real_time());
        assert!(!parse("sim").unwrap().needs_real_time());
    }

    #[test]
    fn errors_say_what_is_wrong_and_where() {
        assert_eq!(parse(""), Err(SpecError::Empty));
        assert_eq!(
            parse("usb:1"),
            Err(SpecError::UnknownKind { kind: "usb".into() })
        );
        assert!(parse("usb:1").unwrap_err().to_string().contains("`usb`"));
        assert_eq!(parse("sim:"), Err(SpecError::EmptyPreset));
        assert_eq!(parse("replay"), Err(SpecError::EmptyReplay));
        assert_eq!(parse("replay:"), Err(SpecError::EmptyReplay));
        assert_eq!(
            parse("replay:truong::2-1"),
            Err(SpecError::EmptyTrialPart { part: "DIR" })
        );
        assert_eq!(
            parse("replay:truong:dir:"),
            Err(SpecError::EmptyTrialPart { part: "TRIAL" })
        );
        assert_eq!(parse("ble"), Ok(SourceSpec::BleAssigned));
        assert_eq!(
            parse("ble:only-one"),
            Err(SpecError::BleSensorCount { count: 1 })
        );
        assert_eq!(
            parse("ble:a,b,c,d"),
            Err(SpecError::BleSensorCount { count: 4 })
        );
        assert_eq!(
            parse("ble:a,,c"),
            Err(SpecError::EmptyBleId { position: "RIGHT" })
        );
        assert!(
            parse("ble:a,,c")
                .unwrap_err()
                .to_string()
                .contains("RIGHT id is empty")
        );
    }
}
