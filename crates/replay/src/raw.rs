//! Entrain's own raw recording format: one CSV file, one row per IMU sample of any sensor.
//!
//! ```text
//! placement,seq,time_nanos,ax,ay,az,gx,gy,gz
//! foot_left,0,0,0.12,9.79,0.31,1.5,-0.2,0.0
//! foot_right,0,0,...
//! ```
//! - `placement`: `foot_left`, `foot_right` or `lower_back`;
//! - `seq`: the sensor's packet/sample counter (ascending per sensor; a jump is lost samples);
//! - `time_nanos`: the sample's time on the session clock, ns (ascending per sensor);
//! - `ax..az`: specific force, m/s² (gravity included); `gx..gz`: angular velocity, deg/s.
//!
//! [`write_raw`] writes it, [`read_raw`] reads it back (every bad row is an error naming the file,
//! line and column). The sampling rate is the median interval of the samples.

use std::io::Write;
use std::path::{Path, PathBuf};

use entrain_gait::{ImuSample, Placement};

use super::{ReplayError, SensorStream};

/// The header line of a raw recording.
pub const RAW_HEADER: &str = "placement,seq,time_nanos,ax,ay,az,gx,gy,gz";

/// A raw recording read into memory.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRecording {
    /// The file it came from.
    pub path: PathBuf,
    /// Sampling rate, Hz (median interval over every stream).
    pub sample_rate_hz: f64,
    /// One stream per placement, samples in time order.
    pub streams: Vec<SensorStream>,
    /// The line the file was cut in (its last line, incomplete and without a newline: the
    /// recorder stopped mid-write); every complete line before it was read.
    pub cut_at_line: Option<usize>,
}

/// Writes `streams` as a raw recording (rows ordered by time, then placement).
pub fn write_raw(out: &mut impl Write, streams: &[SensorStream]) -> std::io::Result<()> {
    writeln!(out, "{RAW_HEADER}")?;
    let mut rows: Vec<(i64, usize, usize)> = Vec::new();
    for (s, stream) in streams.iter().enumerate() {
        for (i, sample) in stream.samples.iter().enumerate() {
            rows.push((sample.time_nanos, s, i));
        }
    }
    rows.sort_unstable();
    for (_, s, i) in rows {
        let stream = &streams[s];
        let x = &stream.samples[i];
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            stream.placement.code(),
            i,
            x.time_nanos,
            x.acc_mps2[0],
            x.acc_mps2[1],
            x.acc_mps2[2],
            x.gyr_dps[0],
            x.gyr_dps[1],
            x.gyr_dps[2]
        )?;
    }
    Ok(())
}

/// Reads a raw recording.
pub fn read_raw(path: &Path) -> Result<RawRecording, ReplayError> {
    let io = |source| ReplayError::Io {
        path: path.to_path_buf(),
        source,
    };
    let text = std::fs::read_to_string(path).map_err(io)?;
    // A last line without its newline may have been cut mid-write.
    let last_line_open = !text.is_empty() && !text.ends_with('\n');
    let total_lines = text.lines().count();
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default().to_string();
    if header.trim() != RAW_HEADER {
        return Err(ReplayError::Header {
            path: path.to_path_buf(),
            line: 1,
            expected: RAW_HEADER.to_string(),
            found: header.chars().take(80).collect(),
        });
    }
    let columns: Vec<&str> = RAW_HEADER.split(',').collect();
    let mut streams: Vec<SensorStream> = Vec::new();
    let mut last_seq: Vec<u64> = Vec::new();
    let mut cut_at_line = None;
    for (index, line) in lines.enumerate() {
        let line_no = index + 2;
        if line.trim().is_empty() {
            continue;
        }
        if last_line_open && line_no == total_lines && parse_row(line).is_none() {
            cut_at_line = Some(line_no);
            break;
        }
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != columns.len() {
            return Err(ReplayError::FieldCount {
                path: path.to_path_buf(),
                line: line_no,
                expected: columns.len(),
                found: fields.len(),
            });
        }
        let bad = |col: usize, expected: &str| ReplayError::Value {
            path: path.to_path_buf(),
            line: line_no,
            column: columns[col].to_string(),
            expected: expected.to_string(),
            found: fields[col].chars().take(40).collect(),
        };
        let placement = Placement::from_code(fields[0])
            .ok_or_else(|| bad(0, "foot_left, foot_right or lower_back"))?;
        let seq: u64 = fields[1]
            .trim()
            .parse()
            .map_err(|_| bad(1, "a sample counter (non-negative integer)"))?;
        let time_nanos: i64 = fields[2]
            .trim()
            .parse()
            .map_err(|_| bad(2, "a time in integer nanoseconds"))?;
        let mut values = [0f32; 6];
        for (k, v) in values.iter_mut().enumerate() {
            let parsed: f32 = fields[3 + k]
                .trim()
                .parse()
                .map_err(|_| bad(3 + k, "a finite number"))?;
            if !parsed.is_finite() {
                return Err(bad(3 + k, "a finite number"));
            }
            *v = parsed;
        }
        let s = match streams.iter().position(|s| s.placement == placement) {
            Some(s) => s,
            None => {
                streams.push(SensorStream {
                    placement,
                    samples: Vec::new(),
                });
                last_seq.push(0);
                streams.len() - 1
            }
        };
        if let Some(prev) = streams[s].samples.last() {
            if time_nanos <= prev.time_nanos {
                return Err(bad(2, "a time after the sensor's previous sample"));
            }
            if seq <= last_seq[s] {
                return Err(bad(1, "a counter above the sensor's previous sample"));
            }
        }
        last_seq[s] = seq;
        streams[s].samples.push(ImuSample {
            time_nanos,
            acc_mps2: [values[0], values[1], values[2]],
            gyr_dps: [values[3], values[4], values[5]],
        });
    }
    let mut intervals: Vec<i64> = streams
        .iter()
        .flat_map(|s| {
            s.samples
                .windows(2)
                .map(|w| w[1].time_nanos - w[0].time_nanos)
        })
        .collect();
    if intervals.is_empty() {
        return Err(ReplayError::Empty {
            path: path.to_path_buf(),
            line: 1,
        });
    }
    intervals.sort_unstable();
    let median = intervals[intervals.len() / 2].max(1);
    Ok(RawRecording {
        path: path.to_path_buf(),
        sample_rate_hz: 1e9 / median as f64,
        streams,
        cut_at_line,
    })
}

/// Whether `line` is a complete row: every column there and readable (the cut check only; the
/// reader above says what is wrong with a bad row elsewhere in the file).
fn parse_row(line: &str) -> Option<()> {
    let fields: Vec<&str> = line.split(',').collect();
    if fields.len() != RAW_HEADER.split(',').count() {
        return None;
    }
    Placement::from_code(fields[0])?;
    fields[1].trim().parse::<u64>().ok()?;
    fields[2].trim().parse::<i64>().ok()?;
    for f in &fields[3..] {
        f.trim().parse::<f32>().ok().filter(|v| v.is_finite())?;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use entrain_gait::Side;

    fn streams() -> Vec<SensorStream> {
        [Side::Left, Side::Right]
            .into_iter()
            .map(|side| SensorStream {
                placement: Placement::Foot(side),
                samples: (0..50)
                    .map(|i| ImuSample {
                        time_nanos: i * 10_000_000,
                        acc_mps2: [0.5 * i as f32, 9.81, -0.25],
                        gyr_dps: [1.0 / 3.0, -120.125, i as f32],
                    })
                    .collect(),
            })
            .collect()
    }

    #[test]
    fn round_trips_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("walk.csv");
        let mut file = std::fs::File::create(&path).unwrap();
        write_raw(&mut file, &streams()).unwrap();
        drop(file);
        let back = read_raw(&path).unwrap();
        assert_eq!(back.streams, streams());
        assert!((back.sample_rate_hz - 100.0).abs() < 1e-9);
        assert_eq!(back.cut_at_line, None);
    }

    #[test]
    fn a_file_cut_mid_line_is_read_to_the_cut() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.csv");
        let mut whole = Vec::new();
        write_raw(&mut whole, &streams()).unwrap();
        let text = String::from_utf8(whole).unwrap();
        let rows = text.lines().count();
        // Cut in the middle of the last row: every row before it is read, and the cut is named.
        let cut = &text[..text.len() - 12];
        std::fs::write(&path, cut).unwrap();
        let back = read_raw(&path).unwrap();
        assert_eq!(back.cut_at_line, Some(rows));
        let samples: usize = back.streams.iter().map(|s| s.samples.len()).sum();
        assert_eq!(samples, 99);
        // The same row cut with a newline after it is damage, not a cut: refused.
        std::fs::write(&path, format!("{cut}\n")).unwrap();
        let err = read_raw(&path).unwrap_err().to_string();
        assert!(err.contains(&format!(":{rows}:")), "{err}");
        // A complete last row without its newline is read whole.
        std::fs::write(&path, text.trim_end()).unwrap();
        let back = read_raw(&path).unwrap();
        assert_eq!((back.streams, back.cut_at_line), (streams(), None));
    }

    #[test]
    fn bad_rows_name_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.csv");
        std::fs::write(
            &path,
            format!("{RAW_HEADER}\nfoot_left,0,0,1,2,3,4,5,6\nfoot_left,1,10,1,x,3,4,5,6\n"),
        )
        .unwrap();
        let err = read_raw(&path).unwrap_err().to_string();
        assert!(err.contains(":3:") && err.contains("`ay`"), "{err}");
        std::fs::write(&path, "time,ax\n1,2\n").unwrap();
        let err = read_raw(&path).unwrap_err().to_string();
        assert!(err.contains("expected header"), "{err}");
        std::fs::write(&path, format!("{RAW_HEADER}\nknee,0,0,1,2,3,4,5,6\n")).unwrap();
        let err = read_raw(&path).unwrap_err().to_string();
        assert!(err.contains("`placement`"), "{err}");
    }
}
