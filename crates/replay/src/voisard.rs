//! Voisard et al. 2023 (IPOL 497): `manifest.csv`, `GaitData/<code>_{lb,lf,rf}.txt.gz` and
//! `<code>.json`.
//!
//! Signals: tab-separated, two header lines (`Acquisition frequency: 100 Hz`, then the column
//! names), acceleration in m/s² with gravity, gyro in rad/s (converted to deg/s). The three files
//! are truncated to the one that ends first. Each sample is placed at its `PacketCounter` / rate:
//! the counter skips values where the wireless link dropped packets, and the annotations are on
//! the counter's clock (checked: taking rows as consecutive puts the events of trial 7-1 up to
//! 0.4 s off after the U-turn), so the streams keep those gaps and a repeated counter value is
//! dropped. Reference: each `[TO, HS]` pair of
//! `Left/RightFootEvents` gives a toe-off and an initial-contact instant; the bout is
//! `TrialBoundaries`.

use std::path::Path;

use entrain_eval::{ReferenceDistance, WalkingBout};
use entrain_gait::sample::sample_time_nanos;
use entrain_gait::{GaitEventKind, ImuSample, Placement, Side};
use serde::Deserialize;

use super::text::TextFile;
use super::{Dataset, Recording, ReplayError, SensorStream, TrialId, index_nanos, instant};

const HEADER: &str = "PacketCounter\tAcc_X\tAcc_Y\tAcc_Z\tGyr_X\tGyr_Y\tGyr_Z\tMag_X\tMag_Y\tMag_Z";
const COLUMNS: [&str; 10] = [
    "PacketCounter",
    "Acc_X",
    "Acc_Y",
    "Acc_Z",
    "Gyr_X",
    "Gyr_Y",
    "Gyr_Z",
    "Mag_X",
    "Mag_Y",
    "Mag_Z",
];
/// The protocol's walkway, each way, m (the data set's description: stand, walk 10 m, U-turn,
/// walk back).
const VOISARD_WALKWAY_M: f64 = 10.0;
const RATE_PREFIX: &str = "Acquisition frequency: ";
const RAD_TO_DEG: f32 = 180.0 / std::f32::consts::PI;

#[derive(Deserialize)]
struct Annotation {
    #[serde(rename = "TrialBoundaries")]
    trial: [i64; 2],
    /// Start and end of the U-turn between the two 10 m walks.
    #[serde(rename = "UTurnBoundaries", default)]
    u_turn: Option<[i64; 2]>,
    #[serde(rename = "LeftFootEvents")]
    left: Vec<[i64; 2]>,
    #[serde(rename = "RightFootEvents")]
    right: Vec<[i64; 2]>,
}

pub(crate) fn list(dir: &Path) -> Result<Vec<TrialId>, ReplayError> {
    let rows = super::read_manifest_columns(&dir.join("manifest.csv"), &["code"])?;
    Ok(rows
        .into_iter()
        .map(|mut r| TrialId {
            dataset: Dataset::Voisard,
            code: r.pop().unwrap_or_default(),
            group: "Healthy".to_owned(),
        })
        .collect())
}

pub(crate) fn load(dir: &Path, trial: &TrialId) -> Result<Recording, ReplayError> {
    let data = dir.join("GaitData");
    let mut streams = Vec::with_capacity(3);
    let mut rate = None;
    for (suffix, placement) in [
        ("lb", Placement::LowerBack),
        ("lf", Placement::Foot(Side::Left)),
        ("rf", Placement::Foot(Side::Right)),
    ] {
        let path = data.join(format!("{}_{suffix}.txt.gz", trial.code));
        let (r, samples) = read_sensor(&path)?;
        match rate {
            None => rate = Some(r),
            Some(first) if first != r => {
                return Err(ReplayError::Inconsistent {
                    path,
                    field: "Acquisition frequency".to_owned(),
                    expected: format!("{first} Hz as in the `lb` file"),
                    found: format!("{r} Hz"),
                });
            }
            Some(_) => {}
        }
        streams.push(SensorStream { placement, samples });
    }
    let rate = rate.unwrap_or(100.0);
    let first_end = streams
        .iter()
        .filter_map(|s| s.samples.last().map(|l| l.time_nanos))
        .min()
        .unwrap_or(0);
    for s in &mut streams {
        s.samples.retain(|sample| sample.time_nanos <= first_end);
    }

    let json_path = data.join(format!("{}.json", trial.code));
    let ann: Annotation = super::read_json(&json_path)?;
    let bad = |field: String, expected: &str, found: [i64; 2]| ReplayError::Inconsistent {
        path: json_path.clone(),
        field,
        expected: expected.to_owned(),
        found: format!("[{}, {}]", found[0], found[1]),
    };
    let [t0, t1] = ann.trial;
    if t0 < 0 || t1 < t0 {
        return Err(bad(
            "TrialBoundaries".to_owned(),
            "0 <= start <= end",
            ann.trial,
        ));
    }
    let mut reference = Vec::with_capacity(2 * (ann.left.len() + ann.right.len()));
    for (name, side, swings) in [
        ("LeftFootEvents", Side::Left, &ann.left),
        ("RightFootEvents", Side::Right, &ann.right),
    ] {
        for (i, &[to, hs]) in swings.iter().enumerate() {
            if to < 0 || hs < to {
                return Err(bad(format!("{name}[{i}]"), "0 <= TO <= HS", [to, hs]));
            }
            reference.push(instant(
                GaitEventKind::ToeOff,
                Some(side),
                index_nanos(to, rate),
            ));
            reference.push(instant(
                GaitEventKind::InitialContact,
                Some(side),
                index_nanos(hs, rate),
            ));
        }
    }
    Ok(Recording {
        trial: trial.clone(),
        sample_rate_hz: rate,
        gravity_included: true,
        streams,
        reference,
        bouts: vec![WalkingBout {
            start_nanos: index_nanos(t0, rate),
            end_nanos: index_nanos(t1, rate),
            reference_cadence_spm: None,
        }],
        reference_strides: Vec::new(),
        reference_distances: match ann.u_turn {
            // Stand, walk 10 m, turn, walk back: each straight stretch is the walkway's length.
            Some([u0, u1]) if t0 <= u0 && u0 <= u1 && u1 <= t1 => [(t0, u0), (u1, t1)]
                .into_iter()
                .map(|(a, b)| ReferenceDistance {
                    start_nanos: index_nanos(a, rate),
                    end_nanos: index_nanos(b, rate),
                    distance_m: VOISARD_WALKWAY_M,
                })
                .collect(),
            Some(u) => {
                return Err(bad(
                    "UTurnBoundaries".to_owned(),
                    "within TrialBoundaries, start <= end",
                    u,
                ));
            }
            None => Vec::new(),
        },
    })
}

/// Reads one sensor file: its sampling rate and samples.
fn read_sensor(path: &Path) -> Result<(f64, Vec<ImuSample>), ReplayError> {
    let file = TextFile::read(path)?;
    let mut lines = file.lines();
    let rate_expected = format!("`{RATE_PREFIX}<rate> Hz`");
    let first = lines.next().map_or("", |(_, l)| l);
    let rate = first
        .strip_prefix(RATE_PREFIX)
        .and_then(|r| r.strip_suffix(" Hz"))
        .and_then(super::text::parse_f64)
        .filter(|r| r.is_finite() && *r > 0.0)
        .ok_or_else(|| file.header_error(1, &rate_expected, first))?;
    match lines.next() {
        Some((_, h)) if h == HEADER => {}
        other => {
            let found = other.map_or("", |(_, l)| l);
            return Err(file.header_error(
                2,
                &format!("`{}`", HEADER.replace('\t', "<TAB>")),
                found,
            ));
        }
    }
    let mut samples = Vec::with_capacity(file.text.len() / 80);
    let mut f = Vec::with_capacity(COLUMNS.len());
    for (no, line) in lines {
        file.split(no, line, '\t', COLUMNS.len(), &mut f)?;
        let mut v = [0f32; 7];
        for (c, slot) in v.iter_mut().enumerate() {
            *slot = file.f32_at(no, COLUMNS[c], f[c])?;
        }
        // Magnetometer columns are unused but still checked.
        for c in 7..10 {
            file.f32_at(no, COLUMNS[c], f[c])?;
        }
        let counter = file.index_at(no, COLUMNS[0], f[0])?;
        let time_nanos = sample_time_nanos(counter, rate);
        if samples
            .last()
            .is_some_and(|l: &ImuSample| l.time_nanos >= time_nanos)
        {
            continue; // a repeated (or backwards) counter: the packet was already read
        }
        samples.push(ImuSample {
            time_nanos,
            acc_mps2: [v[1], v[2], v[3]],
            gyr_dps: [v[4] * RAD_TO_DEG, v[5] * RAD_TO_DEG, v[6] * RAD_TO_DEG],
        });
    }
    if samples.is_empty() {
        return Err(file.empty_error(2));
    }
    Ok((rate, samples))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use std::io::Write;

    use entrain_eval::{ReferenceEvent, ReferenceTiming};

    use super::*;
    use crate::{list_trials, load_trial};

    fn gz(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    fn sensor_file(n: usize) -> String {
        let mut s = format!("Acquisition frequency: 100 Hz\n{HEADER}\n");
        for i in 0..n {
            s.push_str(&format!(
                "{i}.0\t0.0\t0.0\t9.81\t{}\t0\t0\t0.1\t0.2\t0.3\n",
                std::f64::consts::PI
            ));
        }
        s
    }

    fn good_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("manifest.csv"), "code,subject\n1-1,1\n").unwrap();
        std::fs::create_dir(d.join("GaitData")).unwrap();
        for (s, n) in [("lb", 6), ("lf", 5), ("rf", 7)] {
            std::fs::write(
                d.join(format!("GaitData/1-1_{s}.txt.gz")),
                gz(sensor_file(n).as_bytes()),
            )
            .unwrap();
        }
        std::fs::write(
            d.join("GaitData/1-1.json"),
            r#"{"TrialBoundaries":[1,4],"UTurnBoundaries":[2,3],"LeftFootEvents":[[1,3]],"RightFootEvents":[[2,4]]}"#,
        )
        .unwrap();
        dir
    }

    fn trial() -> TrialId {
        TrialId {
            dataset: Dataset::Voisard,
            code: "1-1".to_owned(),
            group: "Healthy".to_owned(),
        }
    }

    #[test]
    fn reads_truncates_and_converts() {
        let dir = good_dir();
        assert_eq!(
            list_trials(Dataset::Voisard, dir.path()).unwrap(),
            vec![trial()]
        );
        let rec = load_trial(dir.path(), &trial()).unwrap();
        assert_eq!(rec.sample_rate_hz, 100.0);
        assert!(rec.gravity_included);
        assert_eq!(rec.streams.len(), 3);
        for s in &rec.streams {
            assert_eq!(s.samples.len(), 5);
        }
        let lb = rec.stream(Placement::LowerBack).unwrap();
        assert!((lb.samples[0].gyr_dps[0] - 180.0).abs() < 1e-3);
        assert_eq!(lb.samples[0].acc_mps2[2], 9.81);
        let kinds: Vec<_> = rec.reference.iter().map(|e| (e.kind, e.side)).collect();
        assert_eq!(
            kinds,
            vec![
                (GaitEventKind::ToeOff, Some(Side::Left)),
                (GaitEventKind::ToeOff, Some(Side::Right)),
                (GaitEventKind::InitialContact, Some(Side::Left)),
                (GaitEventKind::InitialContact, Some(Side::Right)),
            ]
        );
        assert_eq!(
            rec.reference[2],
            ReferenceEvent {
                kind: GaitEventKind::InitialContact,
                side: Some(Side::Left),
                timing: ReferenceTiming::Instant {
                    time_nanos: 30_000_000
                }
            }
        );
        assert_eq!(rec.bouts.len(), 1);
        assert_eq!(
            (rec.bouts[0].start_nanos, rec.bouts[0].end_nanos),
            (10_000_000, 40_000_000)
        );
    }

    #[test]
    fn errors_name_file_and_line() {
        let dir = good_dir();
        let lf = dir.path().join("GaitData/1-1_lf.txt.gz");
        let put = |text: &str| std::fs::write(&lf, gz(text.as_bytes())).unwrap();
        let msg = || load_trial(dir.path(), &trial()).unwrap_err().to_string();

        put("Acquisition frequency: fast\n");
        assert!(
            msg().contains("1-1_lf.txt.gz:1: expected header `Acquisition frequency: <rate> Hz`"),
            "{}",
            msg()
        );

        put(&sensor_file(3).replace("Gyr_X", "Gyr_x"));
        assert!(
            msg().contains("1-1_lf.txt.gz:2: expected header"),
            "{}",
            msg()
        );

        put(&format!("{}1.0\t2.0\n", sensor_file(2)));
        assert!(
            msg().contains("1-1_lf.txt.gz:5: expected 10 fields, found 2"),
            "{}",
            msg()
        );

        put(&sensor_file(3).replace("0.2\t", "nan\t"));
        assert!(
            msg()
                .contains("1-1_lf.txt.gz:3: column `Mag_Y`: expected a finite number, found `nan`"),
            "{}",
            msg()
        );

        put(&sensor_file(3).replace(
            "Acquisition frequency: 100 Hz",
            "Acquisition frequency: 50 Hz",
        ));
        assert!(
            msg().contains("1-1_lf.txt.gz: field `Acquisition frequency`: expected 100 Hz"),
            "{}",
            msg()
        );

        put(&sensor_file(5));
        std::fs::write(
            dir.path().join("GaitData/1-1.json"),
            r#"{"TrialBoundaries":[1,4],"LeftFootEvents":[[1,3]],"RightFootEvents":[[4,2]]}"#,
        )
        .unwrap();
        assert!(
            msg().contains(
                "1-1.json: field `RightFootEvents[0]`: expected 0 <= TO <= HS, found [4, 2]"
            ),
            "{}",
            msg()
        );

        std::fs::write(
            dir.path().join("GaitData/1-1.json"),
            r#"{"TrialBoundaries":[1,4],"LeftFootEvents":[[1,3]],"RightFootEvents":[[1,"x"]]}"#,
        )
        .unwrap();
        assert!(msg().contains("1-1.json:1:"), "{}", msg());
        assert!(
            msg().contains("invalid type: string \"x\", expected i64"),
            "{}",
            msg()
        );

        std::fs::remove_file(dir.path().join("GaitData/1-1_rf.txt.gz")).unwrap();
        assert!(
            msg().contains("1-1_rf.txt.gz: cannot read the file"),
            "{}",
            msg()
        );
    }
}
