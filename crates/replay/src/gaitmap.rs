//! gaitmap example data: `imu_sample.csv` + `stride_events_sample.csv` (204.8 Hz) and
//! `imu_sample_ic_stride.csv` + `stride_borders_sample_ic_stride.csv` (102.4 Hz).
//!
//! Signals: a two-row header (`sensor` × `axis`, the first cell possibly empty), then an index
//! column and `acc_*` (m/s², with gravity) and `gyr_*` (deg/s) per `left_sensor` /
//! `right_sensor`. Reference:
//! * `stride_events_sample.csv`: one row per mocap stride with `ic`, `tc` and `pre_ic` (the IC
//!   that precedes the stride, which is the previous stride's `ic`). ICs are the union of `ic` and
//!   `pre_ic` per foot, deduplicated (so the first stride's `pre_ic` is kept once), TOs the `tc`.
//! * `stride_borders_sample_ic_stride.csv`: strides from IC to IC: ICs are the union of `start`
//!   and `end` per foot, deduplicated; there are no TOs.
//!
//! Bouts: runs of contiguous strides (one stride's `end` is the next one's `start`) per foot,
//! spanning their ICs, merged across feet where they overlap. The MS recordings have no
//! reference and are not trials here.

use std::path::Path;

use entrain_eval::{ReferenceEvent, WalkingBout};
use entrain_gait::{GaitEventKind, ImuSample, Placement, Side};

use super::gaitmap_mocap::Heels;
use super::text::{TextFile, column_of};
use super::{
    Dataset, Recording, ReplayError, SensorStream, TrialId, fractional_index_nanos, instant,
};

/// How a trial's reference file is laid out.
#[derive(Clone, Copy)]
enum RefKind {
    /// `s_id,foot,start,end,ic,tc,min_vel,pre_ic`.
    StrideEvents,
    /// `s_id,foot,start,end,gsd_id`, borders at ICs.
    IcBorders,
}

struct Layout {
    code: &'static str,
    imu: &'static str,
    rate_hz: f64,
    reference: &'static str,
    kind: RefKind,
    /// Marker trajectories on this trial's clock, if the data set has them.
    mocap: Option<&'static str>,
}

const TRIALS: [Layout; 2] = [
    Layout {
        code: "imu_sample",
        imu: "imu_sample.csv",
        rate_hz: 204.8,
        reference: "stride_events_sample.csv",
        kind: RefKind::StrideEvents,
        mocap: Some("mocap_sample.csv"),
    },
    Layout {
        code: "imu_sample_ic_stride",
        imu: "imu_sample_ic_stride.csv",
        rate_hz: 102.4,
        reference: "stride_borders_sample_ic_stride.csv",
        kind: RefKind::IcBorders,
        mocap: None,
    },
];

const AXES: [&str; 6] = ["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"];
const SENSORS: [(&str, Side); 2] = [("left_sensor", Side::Left), ("right_sensor", Side::Right)];

pub(crate) fn list(dir: &Path) -> Result<Vec<TrialId>, ReplayError> {
    let found: Vec<TrialId> = TRIALS
        .iter()
        .filter(|t| dir.join(t.imu).is_file() && dir.join(t.reference).is_file())
        .map(|t| TrialId {
            dataset: Dataset::Gaitmap,
            code: t.code.to_owned(),
            group: "Healthy".to_owned(),
        })
        .collect();
    if found.is_empty() {
        // Report the first trial's signal file as the one missing.
        let path = dir.join(TRIALS[0].imu);
        return Err(ReplayError::Io {
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no gaitmap trial (imu_sample*.csv with its stride file) in this folder",
            ),
            path,
        });
    }
    Ok(found)
}

pub(crate) fn load(dir: &Path, trial: &TrialId) -> Result<Recording, ReplayError> {
    let layout = TRIALS
        .iter()
        .find(|t| t.code == trial.code)
        .ok_or_else(|| ReplayError::UnknownTrial {
            path: dir.to_owned(),
            dataset: Dataset::Gaitmap,
            code: trial.code.clone(),
        })?;
    let rate = layout.rate_hz;
    let (left, right) = read_imu(&TextFile::read(&dir.join(layout.imu))?, rate)?;
    let strides = read_strides(&TextFile::read(&dir.join(layout.reference))?, layout.kind)?;

    let mut reference = Vec::new();
    let mut spans: Vec<(f64, f64)> = Vec::new();
    for side in [Side::Left, Side::Right] {
        let mut foot: Vec<&Stride> = strides.iter().filter(|s| s.side == side).collect();
        foot.sort_by(|a, b| a.start.total_cmp(&b.start));
        let mut ics: Vec<f64> = foot.iter().flat_map(|s| s.ics.iter().copied()).collect();
        let mut tcs: Vec<f64> = foot.iter().filter_map(|s| s.tc).collect();
        for (v, kind) in [
            (&mut ics, GaitEventKind::InitialContact),
            (&mut tcs, GaitEventKind::ToeOff),
        ] {
            v.sort_by(f64::total_cmp);
            v.dedup();
            reference.extend(
                v.iter()
                    .map(|&i| instant(kind, Some(side), fractional_index_nanos(i, rate))),
            );
        }
        // Runs of contiguous strides, spanning their ICs.
        let mut run: Option<(f64, f64, f64)> = None; // (first IC, last IC, run end border)
        for s in &foot {
            let (lo, hi) = s
                .ics
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &i| {
                    (lo.min(i), hi.max(i))
                });
            run = match run {
                Some((a, b, end)) if end == s.start => Some((a.min(lo), b.max(hi), s.end)),
                Some((a, b, _)) => {
                    spans.push((a, b));
                    Some((lo, hi, s.end))
                }
                None => Some((lo, hi, s.end)),
            };
        }
        if let Some((a, b, _)) = run {
            spans.push((a, b));
        }
    }
    Ok(Recording {
        trial: trial.clone(),
        sample_rate_hz: rate,
        gravity_included: true,
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
        reference: dedup_events(reference),
        bouts: merge_spans(spans, rate),
        reference_strides: match layout.mocap.map(|m| dir.join(m)) {
            // The fixture copied into data/ has no mocap: lengths only where the file is.
            Some(path) if path.is_file() => {
                let heels = Heels::read(&TextFile::read(&path)?)?;
                strides
                    .iter()
                    .filter_map(|s| match s.ics.as_slice() {
                        [ic, pre_ic] => heels.stride(s.side, *pre_ic, *ic, rate),
                        _ => None,
                    })
                    .collect()
            }
            _ => Vec::new(),
        },
        reference_distances: Vec::new(),
    })
}

fn dedup_events(mut events: Vec<ReferenceEvent>) -> Vec<ReferenceEvent> {
    super::sort_reference(&mut events);
    events.dedup();
    events
}

/// Merges overlapping spans (sample indices) into bouts.
fn merge_spans(mut spans: Vec<(f64, f64)>, rate: f64) -> Vec<WalkingBout> {
    spans.retain(|(a, b)| a.is_finite() && b.is_finite());
    spans.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut merged: Vec<(f64, f64)> = Vec::new();
    for (a, b) in spans {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
        .into_iter()
        .map(|(a, b)| WalkingBout {
            start_nanos: fractional_index_nanos(a, rate),
            end_nanos: fractional_index_nanos(b, rate),
            reference_cadence_spm: None,
        })
        .collect()
}

type Samples = Vec<ImuSample>;

fn read_imu(file: &TextFile, rate: f64) -> Result<(Samples, Samples), ReplayError> {
    let mut lines = file.lines();
    let expected_sensor = "a `sensor` row naming left_sensor/right_sensor per column";
    let expected_axis = "an `axis` row naming acc_x..gyr_z per column";
    let (_, l1) = lines
        .next()
        .ok_or_else(|| file.header_error(1, expected_sensor, ""))?;
    let (_, l2) = lines
        .next()
        .ok_or_else(|| file.header_error(2, expected_axis, ""))?;
    let sensors: Vec<&str> = l1.split(',').collect();
    let axes: Vec<&str> = l2.split(',').collect();
    if !matches!(sensors[0], "" | "sensor") {
        return Err(file.header_error(1, expected_sensor, l1));
    }
    if !matches!(axes[0], "" | "axis") || axes.len() != sensors.len() {
        return Err(file.header_error(2, expected_axis, l2));
    }
    // cols[sensor][axis] = column index.
    let mut cols = [[0usize; 6]; 2];
    for (k, (sensor, _)) in SENSORS.iter().enumerate() {
        for (a, axis) in AXES.iter().enumerate() {
            cols[k][a] = (1..sensors.len())
                .find(|&c| sensors[c] == *sensor && axes[c] == *axis)
                .ok_or_else(|| {
                    file.header_error(
                        2,
                        &format!("a column `{sensor}`/`{axis}` in the two header rows"),
                        l2,
                    )
                })?;
        }
    }
    let name = |c: usize| format!("{}/{}", sensors[c], axes[c]);
    let cap = file.text.len() / 220;
    let mut out = [Vec::with_capacity(cap), Vec::with_capacity(cap)];
    let mut f = Vec::with_capacity(sensors.len());
    for (no, line) in lines {
        file.split(no, line, ',', sensors.len(), &mut f)?;
        let i = out[0].len();
        let index = file.index_at(no, "index", f[0])?;
        if index != i {
            return Err(file.value_error(no, "index", format!("the row's sample index {i}"), f[0]));
        }
        for (k, stream) in out.iter_mut().enumerate() {
            let mut v = [0f32; 6];
            for (a, slot) in v.iter_mut().enumerate() {
                let c = cols[k][a];
                *slot = file
                    .f64_at(no, "", f[c])
                    .map_err(|_| file.value_error(no, &name(c), "a finite number", f[c]))?
                    as f32;
            }
            stream.push(ImuSample {
                time_nanos: entrain_gait::sample::sample_time_nanos(i, rate),
                acc_mps2: [v[0], v[1], v[2]],
                gyr_dps: [v[3], v[4], v[5]],
            });
        }
    }
    let [left, right] = out;
    if left.is_empty() {
        return Err(file.empty_error(2));
    }
    Ok((left, right))
}

struct Stride {
    side: Side,
    start: f64,
    end: f64,
    /// The ICs this row gives (`ic` and `pre_ic`, or the two borders).
    ics: Vec<f64>,
    tc: Option<f64>,
}

fn read_strides(file: &TextFile, kind: RefKind) -> Result<Vec<Stride>, ReplayError> {
    let mut lines = file.lines();
    let (hno, header) = lines
        .next()
        .ok_or_else(|| file.header_error(1, "a header `s_id,foot,start,end,...`", ""))?;
    let header: Vec<&str> = header.split(',').collect();
    let col = |n: &str| column_of(file, hno, &header, n);
    let (foot, start, end) = (col("foot")?, col("start")?, col("end")?);
    let events = match kind {
        RefKind::StrideEvents => Some((col("ic")?, col("tc")?, col("pre_ic")?)),
        RefKind::IcBorders => None,
    };
    let mut out = Vec::new();
    let mut f = Vec::with_capacity(header.len());
    for (no, line) in lines {
        file.split(no, line, ',', header.len(), &mut f)?;
        let side = match f[foot] {
            "left" => Side::Left,
            "right" => Side::Right,
            other => return Err(file.value_error(no, "foot", "`left` or `right`", other)),
        };
        let index = |c: usize| -> Result<f64, ReplayError> {
            file.f64_at(no, header[c], f[c]).and_then(|v| {
                if v >= 0.0 {
                    Ok(v)
                } else {
                    Err(file.value_error(no, header[c], "a sample index >= 0", f[c]))
                }
            })
        };
        let (s, e) = (index(start)?, index(end)?);
        if e < s {
            return Err(file.value_error(no, "end", format!("an index >= start ({s})"), f[end]));
        }
        let stride = match events {
            Some((ic, tc, pre_ic)) => {
                let mut ics = vec![index(ic)?];
                // No previous IC is written as an empty field or NaN.
                let pre = f[pre_ic].trim();
                if !(pre.is_empty() || pre.eq_ignore_ascii_case("nan")) {
                    ics.push(index(pre_ic)?);
                }
                Stride {
                    side,
                    start: s,
                    end: e,
                    ics,
                    tc: Some(index(tc)?),
                }
            }
            None => Stride {
                side,
                start: s,
                end: e,
                ics: vec![s, e],
                tc: None,
            },
        };
        out.push(stride);
    }
    if out.is_empty() {
        return Err(file.empty_error(hno));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use entrain_eval::ReferenceTiming;

    use super::*;
    use crate::{list_trials, load_trial};

    fn imu(n: usize) -> String {
        let mut s = String::from(
            "sensor,left_sensor,right_sensor,left_sensor,right_sensor,left_sensor,right_sensor,left_sensor,right_sensor,left_sensor,right_sensor,left_sensor,right_sensor\n\
             axis,acc_x,acc_x,acc_y,acc_y,acc_z,acc_z,gyr_x,gyr_x,gyr_y,gyr_y,gyr_z,gyr_z\n",
        );
        for i in 0..n {
            s.push_str(&format!("{i},1,-1,2,-2,3,-3,4,-4,5,-5,6,-6\n"));
        }
        s
    }

    const EVENTS: &str = "s_id,foot,start,end,ic,tc,min_vel,pre_ic\n\
        0,left,10.0,20.0,17.0,14.0,10.0,7.0\n\
        1,left,20.0,30.0,27.0,24.0,20.0,17.0\n\
        2,left,50.0,60.0,57.0,54.0,50.0,47.0\n\
        3,right,15.0,25.0,22.0,19.0,15.0,12.0\n";

    fn good_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("imu_sample.csv"), imu(80)).unwrap();
        std::fs::write(dir.path().join("stride_events_sample.csv"), EVENTS).unwrap();
        dir
    }

    fn trial(code: &str) -> TrialId {
        TrialId {
            dataset: Dataset::Gaitmap,
            code: code.to_owned(),
            group: "Healthy".to_owned(),
        }
    }

    #[test]
    fn reads_and_deduplicates_pre_ic() {
        let dir = good_dir();
        assert_eq!(
            list_trials(Dataset::Gaitmap, dir.path()).unwrap(),
            vec![trial("imu_sample")]
        );
        let rec = load_trial(dir.path(), &trial("imu_sample")).unwrap();
        assert_eq!(rec.sample_rate_hz, 204.8);
        let l = rec.stream(Placement::Foot(Side::Left)).unwrap();
        let r = rec.stream(Placement::Foot(Side::Right)).unwrap();
        assert_eq!(l.samples.len(), 80);
        assert_eq!(l.samples[3].acc_mps2, [1.0, 2.0, 3.0]);
        assert_eq!(r.samples[3].gyr_dps, [-4.0, -5.0, -6.0]);
        let ic = |side| {
            rec.reference
                .iter()
                .filter(|e| e.kind == GaitEventKind::InitialContact && e.side == Some(side))
                .map(|e| match e.timing {
                    ReferenceTiming::Instant { time_nanos } => {
                        (time_nanos as f64 * 204.8 / 1e9).round() as i64
                    }
                    ReferenceTiming::Window { .. } => -1,
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(ic(Side::Left), vec![7, 17, 27, 47, 57]);
        assert_eq!(ic(Side::Right), vec![12, 22]);
        let tc = rec
            .reference
            .iter()
            .filter(|e| e.kind == GaitEventKind::ToeOff)
            .count();
        assert_eq!(tc, 4);
        // Left runs [7, 27] and [47, 57], right [12, 22]: merged into two bouts.
        let b: Vec<_> = rec
            .bouts
            .iter()
            .map(|b| (b.start_nanos, b.end_nanos))
            .collect();
        let t = |i| entrain_gait::sample::sample_time_nanos(i, 204.8);
        assert_eq!(b, vec![(t(7), t(27)), (t(47), t(57))]);
    }

    #[test]
    fn ic_borders_trial() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("imu_sample_ic_stride.csv"),
            imu(50)
                .replacen("sensor,", ",", 1)
                .replacen("axis,", ",", 1),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("stride_borders_sample_ic_stride.csv"),
            "s_id,foot,start,end,gsd_id\n0,left,5,15,1\n1,left,15,25,1\n2,right,10,20,1\n",
        )
        .unwrap();
        assert_eq!(
            list_trials(Dataset::Gaitmap, dir.path()).unwrap(),
            vec![trial("imu_sample_ic_stride")]
        );
        let rec = load_trial(dir.path(), &trial("imu_sample_ic_stride")).unwrap();
        assert_eq!(rec.sample_rate_hz, 102.4);
        assert_eq!(rec.reference.len(), 5);
        assert!(
            rec.reference
                .iter()
                .all(|e| e.kind == GaitEventKind::InitialContact)
        );
        assert_eq!(rec.bouts.len(), 1);
    }

    #[test]
    fn errors_name_file_and_line() {
        let dir = good_dir();
        let imu_path = dir.path().join("imu_sample.csv");
        let ev_path = dir.path().join("stride_events_sample.csv");
        let msg = || {
            load_trial(dir.path(), &trial("imu_sample"))
                .unwrap_err()
                .to_string()
        };

        std::fs::write(&imu_path, imu(5).replace("gyr_z,gyr_z", "gyr_z,gyr_q")).unwrap();
        assert!(
            msg().contains("imu_sample.csv:2: expected header a column `right_sensor`/`gyr_z`"),
            "{}",
            msg()
        );
        std::fs::write(&imu_path, imu(5).replace("3,-3,4", "3,x,4")).unwrap();
        assert!(
            msg().contains(
                "imu_sample.csv:3: column `right_sensor/acc_z`: expected a finite number, found `x`"
            ),
            "{}",
            msg()
        );
        std::fs::write(&imu_path, imu(5).replace("\n2,", "\n2,7,")).unwrap();
        assert!(
            msg().contains("imu_sample.csv:5: expected 13 fields, found 14"),
            "{}",
            msg()
        );

        std::fs::write(&imu_path, imu(5)).unwrap();
        std::fs::write(&ev_path, EVENTS.replace("3,right", "3,middle")).unwrap();
        assert!(
            msg().contains("stride_events_sample.csv:5: column `foot`: expected `left` or `right`, found `middle`"),
            "{}",
            msg()
        );
        std::fs::write(&ev_path, EVENTS.replace(",tc,", ",to,")).unwrap();
        assert!(
            msg().contains("stride_events_sample.csv:1: expected header a column named `tc`"),
            "{}",
            msg()
        );
        std::fs::write(&ev_path, EVENTS.replace("27.0,24.0", "27.0,-3")).unwrap();
        assert!(
            msg().contains(
                "stride_events_sample.csv:3: column `tc`: expected a sample index >= 0, found `-3`"
            ),
            "{}",
            msg()
        );

        let e = load_trial(dir.path(), &trial("imu_sample_ms_left")).unwrap_err();
        assert!(matches!(e, ReplayError::UnknownTrial { .. }), "{e}");
        assert!(e.to_string().contains("imu_sample_ms_left"), "{e}");

        let empty = tempfile::tempdir().unwrap();
        let e = list_trials(Dataset::Gaitmap, empty.path()).unwrap_err();
        assert!(e.to_string().contains("imu_sample.csv"), "{e}");
    }
}
