//! Truong et al. 2019 (IPOL 265): `manifest.csv`, `GaitData/<code>.csv.gz` and `<code>.json`.
//!
//! Signals: 16 columns `LAV,LAX,...,RRZ` at 100 Hz, acceleration in g with gravity removed,
//! rotation rate in deg/s; the `V` ("vertical") columns are not used. Reference: every
//! `[start, end]` of `Left/RightFootActivity` is one step of that foot, [heel-off, foot-flat], read
//! as an IC window.

use std::path::Path;

use entrain_eval::{ReferenceEvent, ReferenceTiming, WalkingBout};
use entrain_gait::{GaitEventKind, Placement, Side};
use serde::Deserialize;

use super::text::TextFile;
use super::{Dataset, Recording, ReplayError, SensorStream, TrialId, index_nanos, sample_g};

/// Sampling rate, Hz.
pub(crate) const RATE_HZ: f64 = 100.0;

const HEADER: &str = "LAV,LAX,LAY,LAZ,LRV,LRX,LRY,LRZ,RAV,RAX,RAY,RAZ,RRV,RRX,RRY,RRZ";
const COLUMNS: [&str; 16] = [
    "LAV", "LAX", "LAY", "LAZ", "LRV", "LRX", "LRY", "LRZ", "RAV", "RAX", "RAY", "RAZ", "RRV",
    "RRX", "RRY", "RRZ",
];

#[derive(Deserialize)]
struct Annotation {
    #[serde(rename = "LeftFootActivity")]
    left: Vec<[i64; 2]>,
    #[serde(rename = "RightFootActivity")]
    right: Vec<[i64; 2]>,
}

pub(crate) fn list(dir: &Path) -> Result<Vec<TrialId>, ReplayError> {
    let rows = super::read_manifest_columns(&dir.join("manifest.csv"), &["code", "group"])?;
    Ok(rows
        .into_iter()
        .map(|mut r| {
            let group = r.pop().unwrap_or_default();
            let code = r.pop().unwrap_or_default();
            TrialId {
                dataset: Dataset::Truong,
                code,
                group,
            }
        })
        .collect())
}

pub(crate) fn load(dir: &Path, trial: &TrialId) -> Result<Recording, ReplayError> {
    let data = dir.join("GaitData");
    let (left, right) = read_signals(&data.join(format!("{}.csv.gz", trial.code)))?;
    let json_path = data.join(format!("{}.json", trial.code));
    let ann: Annotation = super::read_json(&json_path)?;

    let mut reference = Vec::with_capacity(ann.left.len() + ann.right.len());
    let mut first = i64::MAX;
    let mut last = i64::MIN;
    for (name, side, steps) in [
        ("LeftFootActivity", Side::Left, &ann.left),
        ("RightFootActivity", Side::Right, &ann.right),
    ] {
        for (i, &[start, end]) in steps.iter().enumerate() {
            if start < 0 || end < start {
                return Err(ReplayError::Inconsistent {
                    path: json_path,
                    field: format!("{name}[{i}]"),
                    expected: "0 <= start <= end".to_owned(),
                    found: format!("[{start}, {end}]"),
                });
            }
            first = first.min(start);
            last = last.max(end);
            reference.push(ReferenceEvent {
                kind: GaitEventKind::InitialContact,
                side: Some(side),
                timing: ReferenceTiming::Window {
                    start_nanos: index_nanos(start, RATE_HZ),
                    end_nanos: index_nanos(end, RATE_HZ),
                },
            });
        }
    }
    let bouts = if reference.is_empty() {
        Vec::new()
    } else {
        vec![WalkingBout {
            start_nanos: index_nanos(first, RATE_HZ),
            end_nanos: index_nanos(last, RATE_HZ),
            reference_cadence_spm: None,
        }]
    };
    Ok(Recording {
        trial: trial.clone(),
        sample_rate_hz: RATE_HZ,
        gravity_included: false,
        streams: vec![
            SensorStream {
                placement: Placement::Foot(Side::Left),
                samples: left,
            },
            SensorStream {
                placement: Placement::Foot(Side::Right),
                samples: right,
            },
        ],
        reference,
        bouts,
        reference_strides: Vec::new(),
        reference_distances: Vec::new(),
    })
}

type Samples = Vec<entrain_gait::ImuSample>;

/// Reads the left and right foot streams of one signal file.
fn read_signals(path: &Path) -> Result<(Samples, Samples), ReplayError> {
    let file = TextFile::read(path)?;
    let mut lines = file.lines();
    match lines.next() {
        Some((_, h)) if h == HEADER => {}
        Some((_, h)) => return Err(file.header_error(1, &format!("`{HEADER}`"), h)),
        None => return Err(file.header_error(1, &format!("`{HEADER}`"), "")),
    }
    // About 228 bytes per row.
    let cap = file.text.len() / 200;
    let mut left = Vec::with_capacity(cap);
    let mut right = Vec::with_capacity(cap);
    let mut f = Vec::with_capacity(COLUMNS.len());
    let mut v = [0f32; 16];
    for (no, line) in lines {
        file.split(no, line, ',', COLUMNS.len(), &mut f)?;
        for (c, slot) in v.iter_mut().enumerate() {
            // The V columns are unused but still checked.
            *slot = file.f32_at(no, COLUMNS[c], f[c])?;
        }
        let i = left.len();
        left.push(sample_g(i, RATE_HZ, [v[1], v[2], v[3]], [v[5], v[6], v[7]]));
        right.push(sample_g(
            i,
            RATE_HZ,
            [v[9], v[10], v[11]],
            [v[13], v[14], v[15]],
        ));
    }
    if left.is_empty() {
        return Err(file.empty_error(1));
    }
    Ok((left, right))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use std::io::Write;

    use super::*;
    use crate::{list_trials, load_trial};

    const ROW: &str = "0.1,1,0,0,5,10,20,30,0.2,0,1,0,6,-10,-20,-30";

    fn gz(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    fn trial(code: &str) -> TrialId {
        TrialId {
            dataset: Dataset::Truong,
            code: code.to_owned(),
            group: "Neurological".to_owned(),
        }
    }

    /// A folder with one good trial `1-1` of 4 samples and 2 + 1 steps.
    fn good_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(
            d.join("manifest.csv"),
            "code,subject,group\n1-1,1,Neurological\n",
        )
        .unwrap();
        std::fs::create_dir(d.join("GaitData")).unwrap();
        let csv = format!("{HEADER}\n{ROW}\n{ROW}\n{ROW}\n{ROW}\n");
        std::fs::write(d.join("GaitData/1-1.csv.gz"), gz(csv.as_bytes())).unwrap();
        std::fs::write(
            d.join("GaitData/1-1.json"),
            r#"{"Code":"1-1","LeftFootActivity":[[0,1],[2,3]],"RightFootActivity":[[1,2]]}"#,
        )
        .unwrap();
        dir
    }

    #[test]
    fn reads_a_small_trial() {
        let dir = good_dir();
        let trials = list_trials(Dataset::Truong, dir.path()).unwrap();
        assert_eq!(trials, vec![trial("1-1")]);
        let rec = load_trial(dir.path(), &trials[0]).unwrap();
        assert!(!rec.gravity_included);
        assert_eq!(rec.streams.len(), 2);
        let left = rec.stream(Placement::Foot(Side::Left)).unwrap();
        assert_eq!(left.samples.len(), 4);
        assert_eq!(left.samples[1].time_nanos, 10_000_000);
        assert!((left.samples[0].acc_mps2[0] - 9.80665).abs() < 1e-5);
        assert_eq!(left.samples[0].gyr_dps, [10.0, 20.0, 30.0]);
        let right = rec.stream(Placement::Foot(Side::Right)).unwrap();
        assert_eq!(right.samples[0].gyr_dps, [-10.0, -20.0, -30.0]);
        assert!((right.samples[0].acc_mps2[1] - 9.80665).abs() < 1e-5);
        assert_eq!(rec.reference.len(), 3);
        assert_eq!(
            rec.reference[1],
            ReferenceEvent {
                kind: GaitEventKind::InitialContact,
                side: Some(Side::Right),
                timing: ReferenceTiming::Window {
                    start_nanos: 10_000_000,
                    end_nanos: 20_000_000
                }
            }
        );
        assert_eq!(rec.bouts.len(), 1);
        assert_eq!(rec.bouts[0].start_nanos, 0);
        assert_eq!(rec.bouts[0].end_nanos, 30_000_000);
    }

    fn err_for(csv: Option<&[u8]>, json: Option<&str>) -> String {
        let dir = good_dir();
        let d = dir.path();
        if let Some(csv) = csv {
            std::fs::write(d.join("GaitData/1-1.csv.gz"), csv).unwrap();
        }
        if let Some(json) = json {
            std::fs::write(d.join("GaitData/1-1.json"), json).unwrap();
        }
        load_trial(d, &trial("1-1")).unwrap_err().to_string()
    }

    #[test]
    fn missing_file_names_it() {
        let dir = good_dir();
        let e = load_trial(dir.path(), &trial("9-9")).unwrap_err();
        assert!(matches!(e, ReplayError::Io { .. }));
        assert!(e.to_string().contains("9-9.csv.gz"), "{e}");
    }

    #[test]
    fn truncated_gzip_names_file_and_line() {
        let mut csv = format!("{HEADER}\n");
        for _ in 0..2000 {
            csv.push_str(ROW);
            csv.push('\n');
        }
        let full = gz(csv.as_bytes());
        let cut = &full[..full.len() / 2];
        let msg = err_for(Some(cut), None);
        assert!(msg.contains("1-1.csv.gz"), "{msg}");
        assert!(msg.contains("broken gzip stream after line"), "{msg}");
    }

    #[test]
    fn wrong_field_count_names_line() {
        let csv = format!("{HEADER}\n{ROW}\n{ROW},7\n");
        let msg = err_for(Some(&gz(csv.as_bytes())), None);
        assert!(
            msg.contains("1-1.csv.gz:3: expected 16 fields, found 17"),
            "{msg}"
        );
    }

    #[test]
    fn non_numeric_names_line_and_column() {
        let csv = format!("{HEADER}\n{ROW}\n{ROW}\n{}\n", ROW.replace("0.2", "x"));
        let msg = err_for(Some(&gz(csv.as_bytes())), None);
        assert!(
            msg.contains("1-1.csv.gz:4: column `RAV`: expected a finite number, found `x`"),
            "{msg}"
        );
    }

    #[test]
    fn wrong_header_names_line() {
        let csv = format!("{}\n{ROW}\n", HEADER.replace("LAX", "LAW"));
        let msg = err_for(Some(&gz(csv.as_bytes())), None);
        assert!(msg.contains("1-1.csv.gz:1: expected header"), "{msg}");
    }

    #[test]
    fn header_only_is_empty() {
        let csv = format!("{HEADER}\n");
        let msg = err_for(Some(&gz(csv.as_bytes())), None);
        assert!(
            msg.contains("1-1.csv.gz: expected at least one data row after line 1"),
            "{msg}"
        );
    }

    #[test]
    fn json_missing_field_names_it_and_line() {
        let msg = err_for(None, Some("{\n\"LeftFootActivity\": [[0, 1]]\n}"));
        assert!(
            msg.contains("1-1.json:3:1: invalid JSON: missing field `RightFootActivity`"),
            "{msg}"
        );
    }

    #[test]
    fn json_bad_window_names_field() {
        let msg = err_for(
            None,
            Some(r#"{"LeftFootActivity":[[0,1],[5,3]],"RightFootActivity":[]}"#),
        );
        assert!(
            msg.contains(
                "1-1.json: field `LeftFootActivity[1]`: expected 0 <= start <= end, found [5, 3]"
            ),
            "{msg}"
        );
    }

    #[test]
    fn manifest_errors_name_line() {
        let dir = good_dir();
        std::fs::write(dir.path().join("manifest.csv"), "code,group\n1-1\n").unwrap();
        let msg = list_trials(Dataset::Truong, dir.path())
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("manifest.csv:2: expected 2 fields, found 1"),
            "{msg}"
        );
        std::fs::write(dir.path().join("manifest.csv"), "code,subject\n1-1,1\n").unwrap();
        let msg = list_trials(Dataset::Truong, dir.path())
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("manifest.csv:1: expected header a column named `group`"),
            "{msg}"
        );
    }
}
