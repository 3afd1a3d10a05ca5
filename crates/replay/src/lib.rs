//! Replay of recorded walks: readers for the public data-set layouts in `../shared/datasets`
//! and for Entrain's own raw recording format ([`raw`]), and [`ReplaySource`], which plays one
//! back as a sensor source.
//!
//! [`list_trials`] names the trials a data-set folder holds; [`load_trial`] reads one into a
//! [`Recording`]: every IMU stream in m/s² and deg/s with sample `i` at
//! [`sample_time_nanos`]`(i, rate)`, plus the annotated reference events and walking bouts on the
//! same clock.
//!
//! | [`Dataset`] | folder | streams | reference |
//! |---|---|---|---|
//! | `Truong` | `truong2019_ipol_gait/` | both feet, gravity removed | one IC window [heel-off, foot-flat] per step |
//! | `Voisard` | `voisard2023_ipol_healthy/` | lower back, both feet | TO and IC instants per swing |
//! | `Mobgap` | `mobgap_example/` (or its `extracted/`) | lower back | INDIP IC/FC instants, micro-WBs with cadence |
//! | `Gaitmap` | `gaitmap_example/` | both feet | mocap IC (and TC) instants |

#![forbid(unsafe_code)]

use std::fmt;
use std::path::Path;

use entrain_eval::resample::{ResampleError, resample};
use entrain_eval::{
    AnnotatedTrial, ReferenceDistance, ReferenceEvent, ReferenceStride, ReferenceTiming,
    WalkingBout,
};
use entrain_gait::detect::{FootDetectorConfig, LowerBackDetectorConfig};
use entrain_gait::sample::sample_time_nanos;
use entrain_gait::{GaitEventKind, ImuSample, Placement, Side, sample::STANDARD_GRAVITY_MPS2};

mod error;
mod gaitmap;
mod gaitmap_mocap;
mod mobgap;
pub mod raw;
mod source;
mod text;
mod truong;
mod voisard;

pub use entrain_source::{Dataset, UnknownDataset};
pub use error::ReplayError;
pub use source::ReplaySource;

/// Which trial of which data set.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrialId {
    /// The data set.
    pub dataset: Dataset,
    /// The trial's code, as the data set names its files: Truong / Voisard `2-1`, Mobgap
    /// `HA_001_TimeMeasure1_Test5_Trial1`, Gaitmap `imu_sample` or `imu_sample_ic_stride`.
    pub code: String,
    /// The subject group: Truong's `PathologyGroup` (`Healthy`, `Orthopedic`, `Neurological`),
    /// `Healthy` for Voisard and Gaitmap, the Mobilise-D cohort (`HA`, `MS`, ...) for Mobgap.
    pub group: String,
}

impl fmt::Display for TrialId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.dataset, self.code)
    }
}

/// The samples of one sensor.
#[derive(Debug, Clone, PartialEq)]
pub struct SensorStream {
    /// Where the sensor was worn.
    pub placement: Placement,
    /// The samples, in time order, on the regular grid of `sample_rate_hz`; where the sensor
    /// lost packets (Voisard's wireless sensors), the grid has gaps.
    pub samples: Vec<ImuSample>,
}

/// One trial read into memory: signals, reference events and walking bouts on one clock that
/// starts at zero with the first sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    /// Which trial.
    pub trial: TrialId,
    /// Sampling rate of every stream, Hz.
    pub sample_rate_hz: f64,
    /// Whether accelerations include gravity (false for Truong, whose data have it removed).
    pub gravity_included: bool,
    /// Every sensor the trial has, cut to end together.
    pub streams: Vec<SensorStream>,
    /// The annotated events, sorted by time (window start for windows).
    pub reference: Vec<ReferenceEvent>,
    /// The walks over which cadence is compared.
    pub bouts: Vec<WalkingBout>,
    /// Strides whose length the reference measured (Gaitmap's motion capture).
    pub reference_strides: Vec<ReferenceStride>,
    /// Straight stretches of known length (Voisard's 10 m walkway, each way).
    pub reference_distances: Vec<ReferenceDistance>,
}

impl Recording {
    /// The stream of the sensor at `placement`, if the trial has one.
    pub fn stream(&self, placement: Placement) -> Option<&SensorStream> {
        self.streams.iter().find(|s| s.placement == placement)
    }

    /// Number of samples per stream (the shortest, should they differ).
    pub fn len_samples(&self) -> usize {
        self.streams
            .iter()
            .map(|s| s.samples.len())
            .min()
            .unwrap_or(0)
    }

    /// Duration from the first sample to one period past the last, nanoseconds.
    pub fn duration_nanos(&self) -> i64 {
        sample_time_nanos(self.len_samples(), self.sample_rate_hz)
    }

    /// This recording as a sensor at `rate_hz` would have given it: every stream resampled,
    /// anti-aliased ([`entrain_eval::resample`]), its samples on the new rate's grid; the
    /// reference and the bouts stay on their own clock, which is the same. At the recorded rate,
    /// the recording unchanged.
    /// Gaps in a stream that its detector would fill are filled first, the same way.
    pub fn resampled(mut self, rate_hz: f64) -> Result<Recording, ResampleError> {
        for stream in &mut self.streams {
            let max_filled_samples = match stream.placement {
                Placement::Foot(_) => {
                    FootDetectorConfig::new(self.sample_rate_hz).max_missing_samples
                }
                Placement::LowerBack => {
                    LowerBackDetectorConfig::new(self.sample_rate_hz).max_missing_samples
                }
            };
            stream.samples = resample(
                &stream.samples,
                self.sample_rate_hz,
                rate_hz,
                max_filled_samples,
            )?;
        }
        self.sample_rate_hz = rate_hz;
        Ok(self)
    }
}

impl AnnotatedTrial for Recording {
    fn trial_name(&self) -> String {
        self.trial.to_string()
    }

    fn dataset(&self) -> Dataset {
        self.trial.dataset
    }

    fn sample_rate_hz(&self) -> f64 {
        self.sample_rate_hz
    }

    fn samples(&self, placement: Placement) -> Option<&[ImuSample]> {
        self.stream(placement).map(|s| s.samples.as_slice())
    }

    fn reference(&self) -> &[ReferenceEvent] {
        &self.reference
    }

    fn bouts(&self) -> &[WalkingBout] {
        &self.bouts
    }

    fn reference_strides(&self) -> &[ReferenceStride] {
        &self.reference_strides
    }

    fn reference_distances(&self) -> &[ReferenceDistance] {
        &self.reference_distances
    }
}

/// The trials the data-set folder `dir` holds, in the order of its manifest (Truong, Voisard:
/// `manifest.csv`; Mobgap: `summary.csv`) or a fixed order (Gaitmap: the trials whose files exist).
pub fn list_trials(dataset: Dataset, dir: &Path) -> Result<Vec<TrialId>, ReplayError> {
    match dataset {
        Dataset::Truong => truong::list(dir),
        Dataset::Voisard => voisard::list(dir),
        Dataset::Mobgap => mobgap::list(dir),
        Dataset::Gaitmap => gaitmap::list(dir),
    }
}

/// Reads one trial of the data-set folder `dir` (the folder [`list_trials`] was given).
pub fn load_trial(dir: &Path, trial: &TrialId) -> Result<Recording, ReplayError> {
    let mut rec = match trial.dataset {
        Dataset::Truong => truong::load(dir, trial),
        Dataset::Voisard => voisard::load(dir, trial),
        Dataset::Mobgap => mobgap::load(dir, trial),
        Dataset::Gaitmap => gaitmap::load(dir, trial),
    }?;
    sort_reference(&mut rec.reference);
    rec.bouts.sort_by_key(|b| (b.start_nanos, b.end_nanos));
    Ok(rec)
}

/// Sorts events by time (window start, then end), then IC before TO, then left before right.
fn sort_reference(events: &mut [ReferenceEvent]) {
    events.sort_by_key(|e| {
        let (t, end) = match e.timing {
            ReferenceTiming::Instant { time_nanos } => (time_nanos, time_nanos),
            ReferenceTiming::Window {
                start_nanos,
                end_nanos,
            } => (start_nanos, end_nanos),
        };
        let kind = match e.kind {
            GaitEventKind::InitialContact => 0,
            GaitEventKind::ToeOff => 1,
        };
        let side = match e.side {
            Some(Side::Left) => 0,
            Some(Side::Right) => 1,
            None => 2,
        };
        (t, end, kind, side)
    });
}

/// Time of a possibly negative (or past-the-end) sample index.
fn index_nanos(index: i64, rate_hz: f64) -> i64 {
    let t = sample_time_nanos(index.unsigned_abs() as usize, rate_hz);
    if index < 0 { -t } else { t }
}

/// Time of a fractional sample index.
fn fractional_index_nanos(index: f64, rate_hz: f64) -> i64 {
    (index * 1e9 / rate_hz).round() as i64
}

/// An IC or TO instant.
fn instant(kind: GaitEventKind, side: Option<Side>, time_nanos: i64) -> ReferenceEvent {
    ReferenceEvent {
        kind,
        side,
        timing: ReferenceTiming::Instant { time_nanos },
    }
}

/// A sample from readings in g and deg/s.
fn sample_g(index: usize, rate_hz: f64, acc_g: [f32; 3], gyr_dps: [f32; 3]) -> ImuSample {
    ImuSample {
        time_nanos: sample_time_nanos(index, rate_hz),
        acc_mps2: acc_g.map(|a| a * STANDARD_GRAVITY_MPS2),
        gyr_dps,
    }
}

/// Reads a JSON file into `T`, with file, line and column in the error.
fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ReplayError> {
    let bytes = text::read_bytes(path)?;
    let bytes = nan_to_null(bytes);
    serde_json::from_slice(&bytes).map_err(|e| ReplayError::json(path.to_owned(), &e))
}

/// Replaces the bare `NaN`, `Infinity` and `-Infinity` that Python's `json.dump` writes (Voisard's
/// `Height`/`Weight`, for one) by `null`, outside strings, so that strict JSON parsing accepts them.
fn nan_to_null(bytes: Vec<u8>) -> Vec<u8> {
    if !bytes.windows(3).any(|w| w == b"NaN" || w == b"Inf") {
        return bytes;
    }
    let mut out = Vec::with_capacity(bytes.len() + 16);
    let (mut i, mut in_string, mut escaped) = (0, false, false);
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        } else {
            let rest = &bytes[i..];
            if let Some(token) = [&b"-Infinity"[..], b"Infinity", b"NaN"]
                .into_iter()
                .find(|t| rest.starts_with(t))
            {
                out.extend_from_slice(b"null");
                i += token.len();
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    out
}

/// Reads a manifest-like CSV: the values of columns `names` for every data row.
fn read_manifest_columns(path: &Path, names: &[&str]) -> Result<Vec<Vec<String>>, ReplayError> {
    let file = text::TextFile::read(path)?;
    let mut lines = file.lines();
    let Some((hline, header)) = lines.next() else {
        return Err(file.header_error(1, &format!("a header with {}", names.join(",")), ""));
    };
    let header: Vec<&str> = header.split(',').collect();
    let idx = names
        .iter()
        .map(|n| text::column_of(&file, hline, &header, n))
        .collect::<Result<Vec<_>, _>>()?;
    let mut rows = Vec::new();
    let mut fields = Vec::with_capacity(header.len());
    for (no, line) in lines {
        file.split(no, line, ',', header.len(), &mut fields)?;
        let row: Vec<String> = idx.iter().map(|&i| fields[i].trim().to_owned()).collect();
        for (value, name) in row.iter().zip(names) {
            if value.is_empty() {
                return Err(file.value_error(no, name, "a non-empty value", value));
            }
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(file.empty_error(hline));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn python_nan_becomes_null() {
        let fixed = nan_to_null(
            br#"{"a": NaN, "b": "NaN", "c": [-Infinity, Infinity], "d": "x\"NaN"}"#.to_vec(),
        );
        assert_eq!(
            String::from_utf8(fixed).unwrap(),
            r#"{"a": null, "b": "NaN", "c": [null, null], "d": "x\"NaN"}"#
        );
    }

    #[test]
    fn negative_indices_map_to_negative_times() {
        assert_eq!(index_nanos(-1, 100.0), -10_000_000);
        assert_eq!(index_nanos(3, 100.0), 30_000_000);
        assert_eq!(
            fractional_index_nanos(2.0, 204.8),
            sample_time_nanos(2, 204.8)
        );
    }
}
