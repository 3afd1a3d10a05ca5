//! Mobilise-D TVS example (mobgap): `extracted/summary.csv`, `<recording>_imu.csv` and
//! `<recording>_ref.json`.
//!
//! The folder given may be the data-set folder (holding `extracted/`) or `extracted/` itself.
//! Signals: one lower-back sensor, `sample,time_s,acc_x_g,...,gyr_z_dps`, acceleration in g with
//! gravity, gyro in deg/s, at the reference file's `fs_hz`. Reference: the INDIP system's
//! micro walking bouts: each non-null `ic_sample` an IC instant (side from `ic_side`), each
//! non-null `fc_sample` a toe-off; one bout per micro-WB, from `start_s` to `end_s` converted as
//! the samples are (`round(t·fs) − 1`), with its `cadence_spm`. Events are kept as the reference
//! gives them, so the IC count equals `summary.csv`'s `n_ic`; note that the INDIP lists a few
//! duplicate ICs (same sample and side, twice in MS 001 Test11) and a right/left pair 10 ms apart
//! (HA 001 Test11), and that two recordings (HA 002 Test5) have no INDIP bout at all.

use std::path::{Path, PathBuf};

use entrain_eval::WalkingBout;
use entrain_gait::{GaitEventKind, ImuSample, Placement, Side};
use serde::Deserialize;

use super::text::{TextFile, column_of};
use super::{
    Dataset, Recording, ReplayError, SensorStream, TrialId, index_nanos, instant, sample_g,
};

const COLUMNS: [&str; 8] = [
    "sample",
    "time_s",
    "acc_x_g",
    "acc_y_g",
    "acc_z_g",
    "gyr_x_dps",
    "gyr_y_dps",
    "gyr_z_dps",
];

#[derive(Deserialize)]
struct RefFile {
    fs_hz: f64,
    n_samples: usize,
    systems: Systems,
}

#[derive(Deserialize)]
struct Systems {
    #[serde(rename = "INDIP")]
    indip: System,
}

#[derive(Deserialize)]
struct System {
    micro_wb: Vec<MicroWb>,
}

#[derive(Deserialize)]
struct MicroWb {
    start_s: f64,
    end_s: f64,
    cadence_spm: Option<f64>,
    ic_sample: Vec<Option<i64>>,
    ic_side: Vec<Option<JsonSide>>,
    fc_sample: Vec<Option<i64>>,
    fc_side: Vec<Option<JsonSide>>,
}

#[derive(Deserialize, Clone, Copy)]
enum JsonSide {
    Left,
    Right,
}

impl From<JsonSide> for Side {
    fn from(s: JsonSide) -> Side {
        match s {
            JsonSide::Left => Side::Left,
            JsonSide::Right => Side::Right,
        }
    }
}

/// The folder holding the extracted files.
fn extracted(dir: &Path) -> PathBuf {
    let sub = dir.join("extracted");
    if sub.is_dir() { sub } else { dir.to_owned() }
}

/// The cohort of a recording name such as `HA_001_TimeMeasure1_Test5_Trial1`.
fn cohort(code: &str) -> String {
    code.split('_').next().unwrap_or(code).to_owned()
}

pub(crate) fn list(dir: &Path) -> Result<Vec<TrialId>, ReplayError> {
    let rows = super::read_manifest_columns(&extracted(dir).join("summary.csv"), &["recording"])?;
    let mut out: Vec<TrialId> = Vec::new();
    for mut r in rows {
        let code = r.pop().unwrap_or_default();
        // One row per reference system: keep the first of each recording.
        if out.iter().any(|t| t.code == code) {
            continue;
        }
        out.push(TrialId {
            dataset: Dataset::Mobgap,
            group: cohort(&code),
            code,
        });
    }
    Ok(out)
}

pub(crate) fn load(dir: &Path, trial: &TrialId) -> Result<Recording, ReplayError> {
    let dir = extracted(dir);
    let ref_path = dir.join(format!("{}_ref.json", trial.code));
    let imu_path = dir.join(format!("{}_imu.csv", trial.code));
    // The IMU first: a missing recording is reported by its signal file.
    let imu = TextFile::read(&imu_path)?;
    let r: RefFile = super::read_json(&ref_path)?;
    let inconsistent = |field: String, expected: String, found: String| ReplayError::Inconsistent {
        path: ref_path.clone(),
        field,
        expected,
        found,
    };
    if !(r.fs_hz.is_finite() && r.fs_hz > 0.0) {
        return Err(inconsistent(
            "fs_hz".to_owned(),
            "a positive rate".to_owned(),
            r.fs_hz.to_string(),
        ));
    }
    let fs = r.fs_hz;
    let samples = read_imu(&imu, fs)?;
    if samples.len() != r.n_samples {
        return Err(inconsistent(
            "n_samples".to_owned(),
            format!("{} rows as in {}", samples.len(), imu_path.display()),
            r.n_samples.to_string(),
        ));
    }
    // mobgap's convention: sample = round(t * fs) - 1.
    let seconds_nanos = |t: f64| index_nanos((t * fs).round() as i64 - 1, fs);
    let mut reference = Vec::new();
    let mut bouts = Vec::with_capacity(r.systems.indip.micro_wb.len());
    for (w, wb) in r.systems.indip.micro_wb.iter().enumerate() {
        for (what, kind, idx, sides) in [
            (
                "ic",
                GaitEventKind::InitialContact,
                &wb.ic_sample,
                &wb.ic_side,
            ),
            ("fc", GaitEventKind::ToeOff, &wb.fc_sample, &wb.fc_side),
        ] {
            if idx.len() != sides.len() {
                return Err(inconsistent(
                    format!("systems.INDIP.micro_wb[{w}].{what}_side"),
                    format!("{} entries, one per {what}_sample", idx.len()),
                    format!("{} entries", sides.len()),
                ));
            }
            for (&i, &side) in idx.iter().zip(sides.iter()) {
                if let Some(i) = i {
                    reference.push(instant(kind, side.map(Side::from), index_nanos(i, fs)));
                }
            }
        }
        if !(wb.start_s.is_finite() && wb.end_s.is_finite() && wb.start_s <= wb.end_s) {
            return Err(inconsistent(
                format!("systems.INDIP.micro_wb[{w}].start_s/end_s"),
                "start_s <= end_s".to_owned(),
                format!("{} / {}", wb.start_s, wb.end_s),
            ));
        }
        bouts.push(WalkingBout {
            start_nanos: seconds_nanos(wb.start_s),
            end_nanos: seconds_nanos(wb.end_s),
            reference_cadence_spm: wb.cadence_spm.filter(|c| c.is_finite()),
        });
    }
    Ok(Recording {
        trial: trial.clone(),
        sample_rate_hz: fs,
        gravity_included: true,
        streams: vec![SensorStream {
            placement: Placement::LowerBack,
            samples,
        }],
        reference,
        bouts,
        reference_strides: Vec::new(),
        reference_distances: Vec::new(),
    })
}

fn read_imu(file: &TextFile, fs: f64) -> Result<Vec<ImuSample>, ReplayError> {
    let mut lines = file.lines();
    let Some((hno, header)) = lines.next() else {
        return Err(file.header_error(1, &format!("`{}`", COLUMNS.join(",")), ""));
    };
    let header: Vec<&str> = header.split(',').collect();
    let idx = COLUMNS
        .iter()
        .map(|c| column_of(file, hno, &header, c))
        .collect::<Result<Vec<_>, _>>()?;
    let mut samples = Vec::with_capacity(file.text.len() / 64);
    let mut f = Vec::with_capacity(header.len());
    for (no, line) in lines {
        file.split(no, line, ',', header.len(), &mut f)?;
        let i = samples.len();
        let index = file.index_at(no, COLUMNS[0], f[idx[0]])?;
        if index != i {
            return Err(file.value_error(
                no,
                COLUMNS[0],
                format!("the row's sample index {i}"),
                f[idx[0]],
            ));
        }
        let mut v = [0f32; 6];
        for (k, slot) in v.iter_mut().enumerate() {
            *slot = file.f32_at(no, COLUMNS[k + 2], f[idx[k + 2]])?;
        }
        samples.push(sample_g(i, fs, [v[0], v[1], v[2]], [v[3], v[4], v[5]]));
    }
    if samples.is_empty() {
        return Err(file.empty_error(hno));
    }
    Ok(samples)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use entrain_eval::ReferenceTiming;

    use super::*;
    use crate::{list_trials, load_trial};

    const CODE: &str = "HA_001_TimeMeasure1_Test5_Trial1";

    fn imu(n: usize) -> String {
        let mut s = format!("{}\n", COLUMNS.join(","));
        for i in 0..n {
            s.push_str(&format!("{i},{:.2},1.0,0.0,0.0,1,2,3\n", i as f64 / 100.0));
        }
        s
    }

    const REF: &str = r#"{"fs_hz": 100, "n_samples": 10, "systems": {
      "INDIP": {"micro_wb": [{"start_s": 0.02, "end_s": 0.09, "cadence_spm": 100.5, "n_strides": 1,
        "ic_time_s": [0.02, null, 0.09], "ic_sample": [1, null, 8], "ic_side": ["Left", "Right", "Left"],
        "fc_time_s": [0.05], "fc_sample": [4], "fc_side": ["Right"]}]},
      "Stereophoto": {"micro_wb": []}}}"#;

    fn good_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let ex = dir.path().join("extracted");
        std::fs::create_dir(&ex).unwrap();
        std::fs::write(
            ex.join("summary.csv"),
            format!("recording,system,n_ic\n{CODE},Stereophoto,3\n{CODE},INDIP,2\n"),
        )
        .unwrap();
        std::fs::write(ex.join(format!("{CODE}_imu.csv")), imu(10)).unwrap();
        std::fs::write(ex.join(format!("{CODE}_ref.json")), REF).unwrap();
        dir
    }

    fn trial() -> TrialId {
        TrialId {
            dataset: Dataset::Mobgap,
            code: CODE.to_owned(),
            group: "HA".to_owned(),
        }
    }

    #[test]
    fn reads_with_null_ics() {
        let dir = good_dir();
        assert_eq!(
            list_trials(Dataset::Mobgap, dir.path()).unwrap(),
            vec![trial()]
        );
        assert_eq!(
            list_trials(Dataset::Mobgap, &dir.path().join("extracted")).unwrap(),
            vec![trial()]
        );
        let rec = load_trial(dir.path(), &trial()).unwrap();
        assert_eq!(rec.streams.len(), 1);
        let s = &rec.stream(Placement::LowerBack).unwrap().samples;
        assert_eq!(s.len(), 10);
        assert!((s[0].acc_mps2[0] - 9.80665).abs() < 1e-5);
        assert_eq!(s[0].gyr_dps, [1.0, 2.0, 3.0]);
        let ev: Vec<_> = rec
            .reference
            .iter()
            .map(|e| (e.kind, e.side, e.timing))
            .collect();
        let at = |ms: i64| ReferenceTiming::Instant {
            time_nanos: ms * 1_000_000,
        };
        assert_eq!(
            ev,
            vec![
                (GaitEventKind::InitialContact, Some(Side::Left), at(10)),
                (GaitEventKind::ToeOff, Some(Side::Right), at(40)),
                (GaitEventKind::InitialContact, Some(Side::Left), at(80)),
            ]
        );
        assert_eq!(
            rec.bouts,
            vec![WalkingBout {
                start_nanos: 10_000_000,
                end_nanos: 80_000_000,
                reference_cadence_spm: Some(100.5)
            }]
        );
    }

    #[test]
    fn errors_name_file_and_line() {
        let dir = good_dir();
        let ex = dir.path().join("extracted");
        let imu_path = ex.join(format!("{CODE}_imu.csv"));
        let ref_path = ex.join(format!("{CODE}_ref.json"));
        let msg = || load_trial(dir.path(), &trial()).unwrap_err().to_string();

        std::fs::write(&imu_path, imu(10).replace("\n3,", "\n4,")).unwrap();
        assert!(
            msg().contains(
                "_imu.csv:5: column `sample`: expected the row's sample index 3, found `4`"
            ),
            "{}",
            msg()
        );
        std::fs::write(&imu_path, imu(10).replace("1,2,3\n", "1,2\n")).unwrap();
        assert!(
            msg().contains("_imu.csv:2: expected 8 fields, found 7"),
            "{}",
            msg()
        );
        std::fs::write(&imu_path, imu(10).replace("acc_y_g", "acc_yy")).unwrap();
        assert!(
            msg().contains("_imu.csv:1: expected header a column named `acc_y_g`"),
            "{}",
            msg()
        );
        std::fs::write(&imu_path, imu(10).replace("0.05,1.0", "0.05,--1")).unwrap();
        assert!(
            msg().contains("_imu.csv:7: column `acc_x_g`: expected a finite number, found `--1`"),
            "{}",
            msg()
        );
        std::fs::write(&imu_path, imu(9)).unwrap();
        assert!(
            msg().contains("_ref.json: field `n_samples`: expected 9 rows"),
            "{}",
            msg()
        );

        std::fs::write(&imu_path, imu(10)).unwrap();
        std::fs::write(
            &ref_path,
            REF.replace("\"Right\", \"Left\"]", "\"Up\", \"Left\"]"),
        )
        .unwrap();
        assert!(msg().contains("_ref.json:3:"), "{}", msg());
        assert!(msg().contains("unknown variant `Up`"), "{}", msg());
        std::fs::write(&ref_path, REF.replace("\"fs_hz\": 100,", "")).unwrap();
        assert!(
            msg().contains("invalid JSON: missing field `fs_hz`"),
            "{}",
            msg()
        );
        std::fs::write(
            &ref_path,
            REF.replace("\"fc_side\": [\"Right\"]", "\"fc_side\": []"),
        )
        .unwrap();
        assert!(
            msg().contains("field `systems.INDIP.micro_wb[0].fc_side`: expected 1 entries, one per fc_sample, found 0 entries"),
            "{}",
            msg()
        );
        std::fs::remove_file(&ref_path).unwrap();
        assert!(
            msg().contains("_ref.json: cannot read the file"),
            "{}",
            msg()
        );
    }
}
