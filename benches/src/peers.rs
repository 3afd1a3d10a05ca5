//! Side-by-side comparison of Entrain's streaming detectors with the offline initial-contact
//! detectors of mobgap and gaitmap (issue 10).
//!
//! The flow, driven by `benches/peers/run.sh`:
//! 1. [`export_suites`] writes the exact samples of every trial of every [`Suite`] to a neutral
//!    per-stream CSV (SI units, sample time on the recording's clock), with an index.
//! 2. Each runner reads that export, runs its detector(s), and writes the detected IC times
//!    ([`DetectionRow`]) and per-recording processing times ([`TimingRow`]). Entrain's runner is
//!    [`run_entrain`]; mobgap's and gaitmap's are `benches/peers/run_peers.py`.
//! 3. [`compare`] reloads every trial with `entrain_replay`, scores every method's
//!    detections with the same code (`entrain_eval::peers`, through
//!    `entrain_eval::evaluation::score_events`), and [`markdown_table`] renders the result.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Instant;

use entrain_eval::evaluation::{EvalPlacement, EvaluationError, detect};
pub use entrain_eval::peers::{CommonTiming, MethodScore, SuiteScores};
use entrain_eval::peers::{MethodTally, relate_to_baseline};
use entrain_eval::scoring::MatchRules;
use entrain_gait::{GaitEvent, GaitEventKind, ImuSample, Placement, Side};
use entrain_replay::{
    Dataset, Recording, ReplayError, SensorStream, TrialId, list_trials, load_trial,
};
use serde::{Deserialize, Serialize};

/// Name of Entrain's method in the detection files.
pub const ENTRAIN_METHOD: &str = "entrain";

/// Begin marker of the generated section in `docs/BENCHMARKS.md`.
pub const DOC_BEGIN_MARKER: &str = "<!-- peers:begin -->";
/// End marker of the generated section in `docs/BENCHMARKS.md`.
pub const DOC_END_MARKER: &str = "<!-- peers:end -->";

/// What went wrong in a step of the comparison; every variant names the file or trial.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    /// A file or folder could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// A CSV file is malformed.
    #[error("{}: {source}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The parser's error, with line and field.
        #[source]
        source: csv::Error,
    },
    /// A value in a file is not what it should be.
    #[error("{}: line {line}: {what}", path.display())]
    Value {
        /// The file.
        path: PathBuf,
        /// 1-based line (the header is line 1).
        line: u64,
        /// What is wrong.
        what: String,
    },
    /// A data set could not be read.
    #[error("reading {what}: {source}")]
    Replay {
        /// The data set or trial.
        what: String,
        /// The reader's error.
        #[source]
        source: Box<ReplayError>,
    },
    /// Entrain's detector could not run on a trial.
    #[error(transparent)]
    Evaluation(Box<EvaluationError>),
    /// The document has no (or broken) markers for the generated section.
    #[error("{}: expected one `{DOC_BEGIN_MARKER}` followed by one `{DOC_END_MARKER}`", path.display())]
    Markers {
        /// The document.
        path: PathBuf,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> PeerError + '_ {
    move |source| PeerError::Io {
        path: path.to_owned(),
        source,
    }
}

fn csv_error(path: &Path) -> impl FnOnce(csv::Error) -> PeerError + '_ {
    move |source| PeerError::Csv {
        path: path.to_owned(),
        source,
    }
}

/// One data set and sensor placement compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suite {
    /// The data set.
    pub dataset: Dataset,
    /// Its folder under the data-sets folder.
    pub folder: &'static str,
    /// Which sensors.
    pub placement: EvalPlacement,
}

impl Suite {
    /// `feet` or `lower_back`, as written in the files.
    pub fn placement_name(&self) -> &'static str {
        placement_name(self.placement)
    }
}

/// `feet` or `lower_back`.
pub fn placement_name(placement: EvalPlacement) -> &'static str {
    match placement {
        EvalPlacement::Feet => "feet",
        EvalPlacement::LowerBack => "lower_back",
    }
}

fn parse_placement(name: &str) -> Option<EvalPlacement> {
    match name {
        "feet" => Some(EvalPlacement::Feet),
        "lower_back" => Some(EvalPlacement::LowerBack),
        _ => None,
    }
}

/// The data sets and placements compared: every one where a peer's inputs can be met. Truong is
/// left out: it has no lower-back sensor (mobgap) and its foot data have gravity removed, so
/// gaitmap's gravity and forward-direction alignment cannot place its unknown sensor frame.
pub const SUITES: [Suite; 4] = [
    Suite {
        dataset: Dataset::Voisard,
        folder: "voisard2023_ipol_healthy",
        placement: EvalPlacement::Feet,
    },
    Suite {
        dataset: Dataset::Voisard,
        folder: "voisard2023_ipol_healthy",
        placement: EvalPlacement::LowerBack,
    },
    Suite {
        dataset: Dataset::Mobgap,
        folder: "mobgap_example",
        placement: EvalPlacement::LowerBack,
    },
    Suite {
        dataset: Dataset::Gaitmap,
        folder: "gaitmap_example",
        placement: EvalPlacement::Feet,
    },
];

/// The streams a suite uses, with their names in the export.
fn suite_streams(placement: EvalPlacement) -> &'static [(Placement, &'static str)] {
    match placement {
        EvalPlacement::Feet => &[
            (Placement::Foot(Side::Left), "left_foot"),
            (Placement::Foot(Side::Right), "right_foot"),
        ],
        EvalPlacement::LowerBack => &[(Placement::LowerBack, "lower_back")],
    }
}

/// One exported stream: a row of the export's `index.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexRow {
    /// Data set name (`voisard`, ...).
    pub dataset: String,
    /// `feet` or `lower_back`: the suite the stream belongs to.
    pub placement: String,
    /// Trial code.
    pub trial: String,
    /// Subject group.
    pub group: String,
    /// `left_foot`, `right_foot` or `lower_back`.
    pub stream: String,
    /// Sampling rate, Hz.
    pub sample_rate_hz: f64,
    /// Whether the accelerations include gravity.
    pub gravity_included: bool,
    /// Number of samples in the file (gaps in the grid are not filled).
    pub n_samples: usize,
    /// The samples' file, relative to the export folder.
    pub file: String,
}

/// Header of every exported stream file.
pub const STREAM_HEADER: [&str; 7] = [
    "time_secs",
    "acc_x_mps2",
    "acc_y_mps2",
    "acc_z_mps2",
    "gyr_x_dps",
    "gyr_y_dps",
    "gyr_z_dps",
];

/// Formats nanoseconds as seconds with nine decimals, exactly.
pub fn format_secs(nanos: i64) -> String {
    let sign = if nanos < 0 { "-" } else { "" };
    let abs = nanos.unsigned_abs();
    format!("{sign}{}.{:09}", abs / 1_000_000_000, abs % 1_000_000_000)
}

/// Parses decimal seconds (`12.345`, `-0.5`, `3`, `1e-3`) into nanoseconds, exactly for up to
/// nine decimals and rounded beyond. `None` for anything else, non-finite values included.
pub fn parse_secs(text: &str) -> Option<i64> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let plain = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.matches('.').count() <= 1
        && digits != ".";
    let magnitude = if plain {
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let mut nanos_part = 0i64;
        for (i, c) in fraction.chars().take(9).enumerate() {
            nanos_part += i64::from(c.to_digit(10)?) * 10i64.pow(8 - i as u32);
        }
        let round_up = fraction.chars().nth(9).is_some_and(|c| c >= '5');
        whole
            .checked_mul(1_000_000_000)?
            .checked_add(nanos_part + i64::from(round_up))?
    } else {
        let value: f64 = digits.parse().ok()?;
        if !value.is_finite() || digits.starts_with('-') || value.abs() > 9.0e9 {
            return None;
        }
        (value * 1e9).round() as i64
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// Writes every trial of every suite under `datasets_dir` to `out_dir`: `index.csv` and one CSV
/// per stream (`<dataset>/<trial>.<stream>.csv`, [`STREAM_HEADER`]). Returns the index.
pub fn export_suites(
    datasets_dir: &Path,
    suites: &[Suite],
    out_dir: &Path,
) -> Result<Vec<IndexRow>, PeerError> {
    let mut index = Vec::new();
    for suite in suites {
        let dir = datasets_dir.join(suite.folder);
        for (trial, recording) in load_suite(&dir, suite)? {
            for &(placement, stream_name) in suite_streams(suite.placement) {
                let Some(stream) = recording.stream(placement) else {
                    return Err(PeerError::Evaluation(Box::new(
                        EvaluationError::MissingSensor {
                            trial: trial.to_string(),
                            placement: stream_name,
                        },
                    )));
                };
                let file = format!("{}/{}.{}.csv", suite.dataset, trial.code, stream_name);
                write_stream(&out_dir.join(&file), &stream.samples)?;
                index.push(IndexRow {
                    dataset: suite.dataset.to_string(),
                    placement: suite.placement_name().to_owned(),
                    trial: trial.code.clone(),
                    group: trial.group.clone(),
                    stream: stream_name.to_owned(),
                    sample_rate_hz: recording.sample_rate_hz,
                    gravity_included: recording.gravity_included,
                    n_samples: stream.samples.len(),
                    file,
                });
            }
        }
    }
    write_rows(&out_dir.join("index.csv"), &index)?;
    Ok(index)
}

/// Lists and loads every trial of a suite.
fn load_suite(dir: &Path, suite: &Suite) -> Result<Vec<(TrialId, Recording)>, PeerError> {
    let trials = list_trials(suite.dataset, dir).map_err(|source| PeerError::Replay {
        what: format!("the {} trials in {}", suite.dataset, dir.display()),
        source: Box::new(source),
    })?;
    trials
        .into_iter()
        .map(|trial| {
            let recording = load_trial(dir, &trial).map_err(|source| PeerError::Replay {
                what: format!("trial {trial}"),
                source: Box::new(source),
            })?;
            Ok((trial, recording))
        })
        .collect()
}

fn write_stream(path: &Path, samples: &[ImuSample]) -> Result<(), PeerError> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io_error(parent))?;
    }
    let mut writer = csv::Writer::from_path(path).map_err(csv_error(path))?;
    writer
        .write_record(STREAM_HEADER)
        .map_err(csv_error(path))?;
    for s in samples {
        let [ax, ay, az] = s.acc_mps2;
        let [gx, gy, gz] = s.gyr_dps;
        writer
            .write_record([
                format_secs(s.time_nanos),
                ax.to_string(),
                ay.to_string(),
                az.to_string(),
                gx.to_string(),
                gy.to_string(),
                gz.to_string(),
            ])
            .map_err(csv_error(path))?;
    }
    writer.flush().map_err(io_error(path))
}

/// Reads a stream file written by [`export_suites`].
pub fn read_stream(path: &Path) -> Result<Vec<ImuSample>, PeerError> {
    let mut reader = csv::Reader::from_path(path).map_err(csv_error(path))?;
    let header = reader.headers().map_err(csv_error(path))?.clone();
    if header.iter().ne(STREAM_HEADER) {
        return Err(PeerError::Value {
            path: path.to_owned(),
            line: 1,
            what: format!(
                "expected header {}, found {}",
                STREAM_HEADER.join(","),
                header.iter().collect::<Vec<_>>().join(",")
            ),
        });
    }
    let mut samples = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error(path))?;
        let line = record.position().map_or(0, |p| p.line());
        let bad = |what: String| PeerError::Value {
            path: path.to_owned(),
            line,
            what,
        };
        let time_nanos = parse_secs(&record[0]).ok_or_else(|| {
            bad(format!(
                "time_secs: expected seconds, found `{}`",
                &record[0]
            ))
        })?;
        let mut values = [0f32; 6];
        for (i, v) in values.iter_mut().enumerate() {
            let text = &record[i + 1];
            *v = text
                .trim()
                .parse::<f32>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    bad(format!(
                        "{}: expected a finite number, found `{text}`",
                        STREAM_HEADER[i + 1]
                    ))
                })?;
        }
        samples.push(ImuSample {
            time_nanos,
            acc_mps2: [values[0], values[1], values[2]],
            gyr_dps: [values[3], values[4], values[5]],
        });
    }
    Ok(samples)
}

fn write_rows<T: Serialize>(path: &Path, rows: &[T]) -> Result<(), PeerError> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io_error(parent))?;
    }
    let mut writer = csv::Writer::from_path(path).map_err(csv_error(path))?;
    for row in rows {
        writer.serialize(row).map_err(csv_error(path))?;
    }
    writer.flush().map_err(io_error(path))
}

/// Reads every row of a CSV file with a header into `T`.
pub fn read_rows<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>, PeerError> {
    let mut reader = csv::Reader::from_path(path).map_err(csv_error(path))?;
    reader
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        .map_err(csv_error(path))
}

/// One detected initial contact, as every runner writes it (`<runner>.detections.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetectionRow {
    /// The method, e.g. `entrain`, `mobgap IcdShinImproved`.
    pub method: String,
    /// Data set name.
    pub dataset: String,
    /// `feet` or `lower_back`.
    pub placement: String,
    /// Trial code.
    pub trial: String,
    /// `left`, `right`, or empty where the method does not know the foot.
    pub side: String,
    /// Estimated IC time on the recording's clock, seconds.
    pub ic_time_secs: String,
    /// When a causal method emitted it, seconds; empty for offline methods.
    pub emitted_secs: String,
}

/// The time one method took on one recording (`<runner>.timing.csv`). A recording that a
/// method processed has a timing row even when it found nothing; one it could not process has
/// none, and a row in `<runner>.skipped.csv` instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimingRow {
    /// The method.
    pub method: String,
    /// Data set name.
    pub dataset: String,
    /// `feet` or `lower_back`.
    pub placement: String,
    /// Trial code.
    pub trial: String,
    /// Samples processed (all streams of the recording).
    pub n_samples: usize,
    /// Processing time of the detector on this recording (signals in memory), seconds.
    pub processing_secs: f64,
}

/// A recording a method did not process, and why (`<runner>.skipped.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedRow {
    /// The method.
    pub method: String,
    /// Data set name.
    pub dataset: String,
    /// `feet` or `lower_back`.
    pub placement: String,
    /// Trial code.
    pub trial: String,
    /// Why.
    pub reason: String,
}

/// Whole-process wall time of one runner (`wall_times.csv`, written by `run.sh`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WallTimeRow {
    /// The runner: `entrain`, `mobgap`, `gaitmap`.
    pub runner: String,
    /// Wall time of the whole process, imports and file reading included, seconds.
    pub wall_secs: f64,
}

/// Runs Entrain's streaming detectors (what `entrain eval` runs) over every recording of the
/// export in `export_dir`, timing each, and writes `entrain.detections.csv` and
/// `entrain.timing.csv` to `out_dir`.
pub fn run_entrain(export_dir: &Path, out_dir: &Path) -> Result<usize, PeerError> {
    let index_path = export_dir.join("index.csv");
    let index: Vec<IndexRow> = read_rows(&index_path)?;
    let mut detections = Vec::new();
    let mut timings = Vec::new();
    // Group the streams by recording, in index order.
    let mut recordings: Vec<(String, String, String, Vec<&IndexRow>)> = Vec::new();
    for row in &index {
        match recordings.last_mut() {
            Some((d, p, t, rows))
                if *d == row.dataset && *p == row.placement && *t == row.trial =>
            {
                rows.push(row)
            }
            _ => recordings.push((
                row.dataset.clone(),
                row.placement.clone(),
                row.trial.clone(),
                vec![row],
            )),
        }
    }
    for (dataset_name, placement_text, trial, rows) in recordings {
        let bad = |what: String| PeerError::Value {
            path: index_path.clone(),
            line: 0,
            what,
        };
        let dataset: Dataset = dataset_name
            .parse()
            .map_err(|e| bad(format!("trial {trial}: {e}")))?;
        let placement = parse_placement(&placement_text).ok_or_else(|| {
            bad(format!(
                "trial {trial}: placement `{placement_text}` is not feet or lower_back"
            ))
        })?;
        let mut streams = Vec::new();
        for row in &rows {
            let stream_placement = match row.stream.as_str() {
                "left_foot" => Placement::Foot(Side::Left),
                "right_foot" => Placement::Foot(Side::Right),
                "lower_back" => Placement::LowerBack,
                other => return Err(bad(format!("trial {trial}: unknown stream `{other}`"))),
            };
            streams.push(SensorStream {
                placement: stream_placement,
                samples: read_stream(&export_dir.join(&row.file))?,
            });
        }
        let n_samples = streams.iter().map(|s| s.samples.len()).sum();
        let recording = Recording {
            trial: TrialId {
                dataset,
                code: trial.clone(),
                group: rows[0].group.clone(),
            },
            sample_rate_hz: rows[0].sample_rate_hz,
            gravity_included: rows[0].gravity_included,
            streams,
            reference: Vec::new(),
            bouts: Vec::new(),
            reference_strides: Vec::new(),
            reference_distances: Vec::new(),
        };
        let start = Instant::now();
        let events =
            detect(&recording, placement).map_err(|e| PeerError::Evaluation(Box::new(e)))?;
        let processing_secs = start.elapsed().as_secs_f64();
        timings.push(TimingRow {
            method: ENTRAIN_METHOD.to_owned(),
            dataset: dataset_name.clone(),
            placement: placement_text.clone(),
            trial: trial.clone(),
            n_samples,
            processing_secs,
        });
        detections.extend(
            events
                .iter()
                .filter(|e| e.kind == GaitEventKind::InitialContact)
                .map(|e| DetectionRow {
                    method: ENTRAIN_METHOD.to_owned(),
                    dataset: dataset_name.clone(),
                    placement: placement_text.clone(),
                    trial: trial.clone(),
                    side: side_name(e.side).to_owned(),
                    ic_time_secs: format_secs(e.event_time_nanos),
                    emitted_secs: format_secs(e.emitted_at_nanos),
                }),
        );
    }
    write_rows(&out_dir.join("entrain.detections.csv"), &detections)?;
    write_rows(&out_dir.join("entrain.timing.csv"), &timings)?;
    Ok(timings.len())
}

fn side_name(side: Option<Side>) -> &'static str {
    match side {
        Some(Side::Left) => "left",
        Some(Side::Right) => "right",
        None => "",
    }
}

/// Everything the runners wrote into one folder.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunnerOutputs {
    /// Every detection of every method.
    pub detections: Vec<DetectionRow>,
    /// Every timing row of every method.
    pub timings: Vec<TimingRow>,
    /// Every skipped recording.
    pub skipped: Vec<SkippedRow>,
    /// Whole-process wall times, where `wall_times.csv` exists.
    pub wall_times: Vec<WallTimeRow>,
}

/// Reads every `*.detections.csv`, `*.timing.csv`, `*.skipped.csv` and `wall_times.csv` in `dir`.
pub fn read_runner_outputs(dir: &Path) -> Result<RunnerOutputs, PeerError> {
    let mut out = RunnerOutputs::default();
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(io_error(dir))?
        .map(|entry| entry.map(|e| e.path()).map_err(io_error(dir)))
        .collect::<Result<_, _>>()?;
    paths.sort();
    for path in paths {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.ends_with(".detections.csv") {
            out.detections.extend(read_rows::<DetectionRow>(&path)?);
        } else if name.ends_with(".timing.csv") {
            out.timings.extend(read_rows::<TimingRow>(&path)?);
        } else if name.ends_with(".skipped.csv") {
            out.skipped.extend(read_rows::<SkippedRow>(&path)?);
        } else if name == "wall_times.csv" {
            out.wall_times.extend(read_rows::<WallTimeRow>(&path)?);
        }
    }
    Ok(out)
}

/// Scores every method's detections on every suite with Entrain's scoring
/// (`evaluation::score_events`, default [`MatchRules`]), reloading each trial's reference with
/// `entrain_replay` from `datasets_dir`.
pub fn compare(
    datasets_dir: &Path,
    suites: &[Suite],
    outputs: &RunnerOutputs,
) -> Result<Vec<SuiteScores>, PeerError> {
    let rules = MatchRules::default();
    let mut all = Vec::new();
    for suite in suites {
        let dataset = suite.dataset.to_string();
        let placement = suite.placement_name();
        let in_suite = |d: &str, p: &str| d == dataset && p == placement;
        let mut methods: Vec<String> = outputs
            .timings
            .iter()
            .filter(|t| in_suite(&t.dataset, &t.placement))
            .map(|t| t.method.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        methods.sort_by_key(|m| (m != ENTRAIN_METHOD, m.clone()));
        let recordings = load_suite(&datasets_dir.join(suite.folder), suite)?;
        let groups: BTreeSet<String> = recordings.iter().map(|(t, _)| t.group.clone()).collect();
        let mut scores = Vec::new();
        for method in &methods {
            let timings: BTreeMap<&str, &TimingRow> = outputs
                .timings
                .iter()
                .filter(|t| &t.method == method && in_suite(&t.dataset, &t.placement))
                .map(|t| (t.trial.as_str(), t))
                .collect();
            let rows: Vec<&DetectionRow> = outputs
                .detections
                .iter()
                .filter(|d| &d.method == method && in_suite(&d.dataset, &d.placement))
                .collect();
            let causal = !rows.is_empty() && rows.iter().all(|d| !d.emitted_secs.is_empty());
            let mut tally = MethodTally::default();
            for (trial, recording) in &recordings {
                let Some(timing) = timings.get(trial.code.as_str()) else {
                    tally.skip();
                    continue;
                };
                let events = rows
                    .iter()
                    .filter(|d| d.trial == trial.code)
                    .map(|d| detection_event(d))
                    .collect::<Result<Vec<_>, _>>()?;
                tally.add_trial(
                    &trial.code,
                    recording,
                    events,
                    timing.processing_secs,
                    timing.n_samples,
                    causal,
                    &rules,
                );
            }
            scores.push(tally.finish(method, causal));
        }
        let method_scores = relate_to_baseline(scores, ENTRAIN_METHOD);
        all.push(SuiteScores {
            dataset,
            placement: placement.to_owned(),
            trials: recordings.len(),
            methods: method_scores,
            groups: groups.into_iter().collect(),
        });
    }
    Ok(all)
}

fn detection_event(row: &DetectionRow) -> Result<GaitEvent, PeerError> {
    let bad = |what: String| PeerError::Value {
        path: PathBuf::from(format!("{}.detections.csv", row.method)),
        line: 0,
        what: format!("{}/{} ({}): {what}", row.dataset, row.trial, row.method),
    };
    let event_time_nanos = parse_secs(&row.ic_time_secs).ok_or_else(|| {
        bad(format!(
            "ic_time_secs: expected seconds, found `{}`",
            row.ic_time_secs
        ))
    })?;
    let emitted_at_nanos = if row.emitted_secs.is_empty() {
        event_time_nanos
    } else {
        parse_secs(&row.emitted_secs).ok_or_else(|| {
            bad(format!(
                "emitted_secs: expected seconds, found `{}`",
                row.emitted_secs
            ))
        })?
    };
    let side = match row.side.as_str() {
        "left" => Some(Side::Left),
        "right" => Some(Side::Right),
        "" => None,
        other => {
            return Err(bad(format!(
                "side: expected left, right or empty, found `{other}`"
            )));
        }
    };
    Ok(GaitEvent {
        kind: GaitEventKind::InitialContact,
        side,
        event_time_nanos,
        emitted_at_nanos,
    })
}

fn suite_title(dataset: &str, placement: &str) -> String {
    let name = match dataset {
        "voisard" => "Voisard",
        "mobgap" => "mobgap example",
        "gaitmap" => "gaitmap example",
        "truong" => "Truong",
        other => other,
    };
    let sensors = match placement {
        "feet" => "feet",
        "lower_back" => "lower back",
        other => other,
    };
    format!("{name}, {sensors}")
}

fn opt(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{v:.decimals$}"))
}

/// The Markdown table of the comparison, one row per suite and method, then the runners' wall
/// times. Bold marks the best F1 and |error| of each suite.
pub fn markdown_table(scores: &[SuiteScores], wall_times: &[WallTimeRow]) -> String {
    let mut out = String::new();
    out.push_str(
        "| data set, sensors | method | kind | trials | ref. ICs | precision | recall | F1 | \
         median / p95 \\|IC error\\| (ms) | cadence MAE (steps/min) | latency median / p95 (ms) | \
         processing time (s) | time ÷ Entrain's |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for suite in scores {
        let best_f1 = suite
            .methods
            .iter()
            .map(|m| m.f1)
            .fold(f64::NEG_INFINITY, f64::max);
        let best_error = suite
            .methods
            .iter()
            .filter_map(|m| m.median_abs_error_ms)
            .fold(f64::INFINITY, f64::min);
        for m in &suite.methods {
            let f1 = format!("{:.3}", m.f1);
            let f1 = if m.f1 == best_f1 && suite.methods.len() > 1 {
                format!("**{f1}**")
            } else {
                f1
            };
            let error = match (m.median_abs_error_ms, m.p95_abs_error_ms) {
                (Some(median), Some(p95)) => {
                    let median_text = format!("{median:.0}");
                    let median_text = if median == best_error && suite.methods.len() > 1 {
                        format!("**{median_text}**")
                    } else {
                        median_text
                    };
                    format!("{median_text} / {p95:.0}")
                }
                _ => "–".to_owned(),
            };
            let latency = if m.causal {
                format!(
                    "{} / {}",
                    opt(m.median_latency_ms, 0),
                    opt(m.p95_latency_ms, 0)
                )
            } else {
                "offline".to_owned()
            };
            let trials = if m.trials_skipped > 0 {
                format!("{} (of {})", m.trials, m.trials + m.trials_skipped)
            } else {
                m.trials.to_string()
            };
            let ratio = if m.method == ENTRAIN_METHOD {
                "1".to_owned()
            } else {
                m.time_ratio_to_entrain
                    .map_or_else(|| "–".to_owned(), |r| format!("{r:.0}×"))
            };
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {:.3} | {:.3} | {} | {} | {} | {} | {:.3} | {} |\n",
                suite_title(&suite.dataset, &suite.placement),
                m.method,
                if m.causal { "causal" } else { "offline" },
                trials,
                m.reference_ics,
                m.precision,
                m.recall,
                f1,
                error,
                opt(m.cadence_mae_spm, 2),
                latency,
                m.processing_secs,
                ratio,
            ));
        }
    }
    out.push_str(
        "\nIC timing on the same contacts: the annotated ICs that both Entrain and the peer \
         matched.\n\n| data set, sensors | method | ICs both matched | method's median / p95 \
         \\|error\\| (ms) | Entrain's median / p95 \\|error\\| (ms) |\n|---|---|---|---|---|\n",
    );
    for suite in scores {
        for m in &suite.methods {
            if let Some(c) = m.common {
                out.push_str(&format!(
                    "| {} | {} | {} | {:.0} / {:.0} | {:.0} / {:.0} |\n",
                    suite_title(&suite.dataset, &suite.placement),
                    m.method,
                    c.ics,
                    c.median_abs_error_ms,
                    c.p95_abs_error_ms,
                    c.entrain_median_abs_error_ms,
                    c.entrain_p95_abs_error_ms,
                ));
            }
        }
    }
    let behind = not_ahead(scores);
    out.push('\n');
    if behind.is_empty() {
        out.push_str("Entrain is ahead of every peer on every accuracy column of every row.\n");
    } else {
        out.push_str(
            "Where Entrain is not ahead (a peer equal or better on an accuracy column):\n\n",
        );
        for line in behind {
            out.push_str(&format!("- {line}\n"));
        }
    }
    if !wall_times.is_empty() {
        out.push_str("\n| runner (whole process) | wall time (s) |\n|---|---|\n");
        for w in wall_times {
            out.push_str(&format!("| {} | {:.1} |\n", w.runner, w.wall_secs));
        }
    }
    out
}

/// One line per suite, peer and accuracy measure (F1; median and p95 |IC error| as the table
/// rounds them; cadence MAE) on which the peer is equal to or better than Entrain.
pub fn not_ahead(scores: &[SuiteScores]) -> Vec<String> {
    let mut lines = Vec::new();
    for suite in scores {
        let Some(entrain) = suite.methods.iter().find(|m| m.method == ENTRAIN_METHOD) else {
            continue;
        };
        let title = suite_title(&suite.dataset, &suite.placement);
        for peer in suite.methods.iter().filter(|m| m.method != ENTRAIN_METHOD) {
            // (measure, Entrain's value, the peer's, higher is better, decimals shown)
            let measures = [
                ("F1", Some(entrain.f1), Some(peer.f1), true, 3),
                (
                    "median |IC error| (ms)",
                    entrain.median_abs_error_ms,
                    peer.median_abs_error_ms,
                    false,
                    0,
                ),
                (
                    "p95 |IC error| (ms)",
                    entrain.p95_abs_error_ms,
                    peer.p95_abs_error_ms,
                    false,
                    0,
                ),
                (
                    "cadence MAE (steps/min)",
                    entrain.cadence_mae_spm,
                    peer.cadence_mae_spm,
                    false,
                    2,
                ),
            ];
            let common = peer.common;
            let common_measures = [
                (
                    "median |IC error| on the ICs both matched (ms)",
                    common.map(|c| c.entrain_median_abs_error_ms),
                    common.map(|c| c.median_abs_error_ms),
                    false,
                    0,
                ),
                (
                    "p95 |IC error| on the ICs both matched (ms)",
                    common.map(|c| c.entrain_p95_abs_error_ms),
                    common.map(|c| c.p95_abs_error_ms),
                    false,
                    0,
                ),
            ];
            for (name, ours, theirs, higher_is_better, decimals) in
                measures.into_iter().chain(common_measures)
            {
                let (Some(ours), Some(theirs)) = (ours, theirs) else {
                    continue;
                };
                let scale = 10f64.powi(decimals);
                let (ours_shown, theirs_shown) = ((ours * scale).round(), (theirs * scale).round());
                let peer_wins = if higher_is_better {
                    theirs_shown > ours_shown
                } else {
                    theirs_shown < ours_shown
                };
                let verdict = if peer_wins {
                    "better"
                } else if theirs_shown == ours_shown {
                    "equal"
                } else {
                    continue;
                };
                let d = decimals as usize;
                let basis = match common {
                    Some(c) if name.contains("both matched") => {
                        format!("on the same {} ICs", c.ics)
                    }
                    _ => format!(
                        "on {} vs {} matched ICs",
                        peer.counts.true_positives, entrain.counts.true_positives
                    ),
                };
                lines.push(format!(
                    "{title}: {} {verdict} on {name}: {theirs:.d$} vs Entrain's {ours:.d$} \
                     ({basis})",
                    peer.method
                ));
            }
        }
    }
    lines
}

/// Replaces what lies between [`DOC_BEGIN_MARKER`] and [`DOC_END_MARKER`] in `document` by
/// `content` (the markers stay, each on its own line). `None` unless the document has exactly one
/// begin marker followed by exactly one end marker.
pub fn splice_between_markers(document: &str, content: &str) -> Option<String> {
    if document.matches(DOC_BEGIN_MARKER).count() != 1
        || document.matches(DOC_END_MARKER).count() != 1
    {
        return None;
    }
    let begin = document.find(DOC_BEGIN_MARKER)? + DOC_BEGIN_MARKER.len();
    let end = document.find(DOC_END_MARKER)?;
    if end < begin {
        return None;
    }
    let content = content.trim_end_matches('\n');
    Some(format!(
        "{}\n{content}\n{}",
        &document[..begin],
        &document[end..]
    ))
}

/// Writes `content` between the markers of the document at `path`.
pub fn update_document(path: &Path, content: &str) -> Result<(), PeerError> {
    let document = fs::read_to_string(path).map_err(io_error(path))?;
    let updated = splice_between_markers(&document, content).ok_or_else(|| PeerError::Markers {
        path: path.to_owned(),
    })?;
    fs::write(path, updated).map_err(io_error(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_round_trip_exactly() {
        for nanos in [
            0,
            1,
            999_999_999,
            1_000_000_000,
            12_345_678_901,
            -10_000_000,
        ] {
            assert_eq!(parse_secs(&format_secs(nanos)), Some(nanos), "{nanos}");
        }
        assert_eq!(format_secs(-10_000_000), "-0.010000000");
        assert_eq!(parse_secs("3"), Some(3_000_000_000));
        assert_eq!(parse_secs(".5"), Some(500_000_000));
        assert_eq!(parse_secs("1.0000000006"), Some(1_000_000_001));
        assert_eq!(parse_secs("1e-3"), Some(1_000_000));
        assert_eq!(parse_secs(" 2.25 "), Some(2_250_000_000));
        for bad in ["", "-", ".", "1.2.3", "abc", "nan", "inf", "1e20", "--1"] {
            assert_eq!(parse_secs(bad), None, "`{bad}`");
        }
    }

    #[test]
    fn splice_replaces_only_between_markers() {
        let doc = "# A\nbefore\n<!-- peers:begin -->\nold\ntable\n<!-- peers:end -->\nafter\n";
        let new = splice_between_markers(doc, "| new |\n").unwrap();
        assert_eq!(
            new,
            "# A\nbefore\n<!-- peers:begin -->\n| new |\n<!-- peers:end -->\nafter\n"
        );
        // Idempotent.
        assert_eq!(splice_between_markers(&new, "| new |").unwrap(), new);
        assert_eq!(splice_between_markers("no markers", "x"), None);
        assert_eq!(
            splice_between_markers("<!-- peers:end --> <!-- peers:begin -->", "x"),
            None
        );
        assert_eq!(
            splice_between_markers(
                "<!-- peers:begin --><!-- peers:begin --><!-- peers:end -->",
                "x"
            ),
            None
        );
    }

    #[test]
    fn stream_files_round_trip_and_bad_values_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.csv");
        let samples = vec![
            ImuSample {
                time_nanos: 0,
                acc_mps2: [9.81, -0.1, 0.333_333_34],
                gyr_dps: [1.5, -200.25, 0.0],
            },
            ImuSample {
                time_nanos: 9_765_625,
                acc_mps2: [1e-7, 2.0, 3.0],
                gyr_dps: [4.0, 5.0, 6.0],
            },
        ];
        write_stream(&path, &samples).unwrap();
        assert_eq!(read_stream(&path).unwrap(), samples);

        fs::write(
            &path,
            "time_secs,acc_x_mps2,acc_y_mps2,acc_z_mps2,gyr_x_dps,gyr_y_dps,gyr_z_dps\n\
             0.0,1,2,3,4,5,6\n0.01,1,2,NaN,4,5,6\n",
        )
        .unwrap();
        let err = read_stream(&path).unwrap_err().to_string();
        assert!(
            err.contains("line 3") && err.contains("acc_z_mps2"),
            "{err}"
        );
        fs::write(&path, "t,a\n0,1\n").unwrap();
        let err = read_stream(&path).unwrap_err().to_string();
        assert!(err.contains("expected header"), "{err}");
    }

    /// The whole Rust side on the real fixture recordings: export, Entrain's runner, and the
    /// scoring of Entrain next to two made-up offline "methods" (the annotations themselves, and
    /// the annotations 300 ms late, beyond the ±250 ms tolerance).
    #[test]
    fn fixture_comparison_scores_every_method_with_the_same_rules() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/fixtures");
        let suites = [
            Suite {
                dataset: Dataset::Gaitmap,
                folder: "gaitmap",
                placement: EvalPlacement::Feet,
            },
            Suite {
                dataset: Dataset::Mobgap,
                folder: "mobgap",
                placement: EvalPlacement::LowerBack,
            },
        ];
        let work = tempfile::tempdir().unwrap();
        let export = work.path().join("export");
        let results = work.path().join("results");
        let index = export_suites(&fixtures, &suites, &export).unwrap();
        assert!(index.iter().any(|r| r.stream == "left_foot"));
        assert!(index.iter().any(|r| r.stream == "lower_back"));
        let recordings = run_entrain(&export, &results).unwrap();
        assert!(recordings >= 2);

        let mut outputs = read_runner_outputs(&results).unwrap();
        for suite in &suites {
            for (trial, recording) in load_suite(&fixtures.join(suite.folder), suite).unwrap() {
                for (method, shift_nanos) in [("annotations", 0), ("late", 300_000_000)] {
                    outputs.timings.push(TimingRow {
                        method: method.into(),
                        dataset: suite.dataset.to_string(),
                        placement: suite.placement_name().into(),
                        trial: trial.code.clone(),
                        n_samples: recording.len_samples(),
                        processing_secs: 1.0,
                    });
                    for r in &recording.reference {
                        let entrain_eval::ReferenceTiming::Instant { time_nanos } = r.timing else {
                            panic!("fixture references are instants");
                        };
                        if r.kind != GaitEventKind::InitialContact {
                            continue;
                        }
                        outputs.detections.push(DetectionRow {
                            method: method.into(),
                            dataset: suite.dataset.to_string(),
                            placement: suite.placement_name().into(),
                            trial: trial.code.clone(),
                            side: if suite.placement == EvalPlacement::Feet {
                                side_name(r.side).into()
                            } else {
                                String::new()
                            },
                            ic_time_secs: format_secs(time_nanos + shift_nanos),
                            emitted_secs: String::new(),
                        });
                    }
                }
            }
        }
        let scores = compare(&fixtures, &suites, &outputs).unwrap();
        assert_eq!(scores.len(), 2);
        for suite in &scores {
            let method = |name: &str| suite.methods.iter().find(|m| m.method == name).unwrap();
            assert_eq!(suite.methods[0].method, ENTRAIN_METHOD);
            let entrain = method(ENTRAIN_METHOD);
            assert!(entrain.causal);
            assert!(entrain.median_latency_ms.is_some());
            assert!(
                entrain.f1 > 0.7,
                "{}: entrain F1 {}",
                suite.dataset,
                entrain.f1
            );
            assert!(entrain.processing_secs > 0.0);

            let perfect = method("annotations");
            assert!(!perfect.causal);
            assert_eq!(perfect.median_latency_ms, None);
            assert_eq!(perfect.f1, 1.0, "{}", suite.dataset);
            assert_eq!(perfect.median_abs_error_ms, Some(0.0));
            assert_eq!(perfect.reference_ics, entrain.reference_ics);
            // The annotations match everything Entrain matched: the common contacts are
            // Entrain's matched ones, timed with no error on the annotations' side.
            let common = perfect.common.unwrap();
            assert_eq!(common.ics, entrain.counts.true_positives);
            assert_eq!(common.median_abs_error_ms, 0.0);
            assert_eq!(
                Some(common.entrain_median_abs_error_ms),
                entrain.median_abs_error_ms
            );
            assert_eq!(entrain.common, None);
            let ratio = perfect.time_ratio_to_entrain.unwrap();
            assert!((ratio - perfect.processing_secs / entrain.processing_secs).abs() < 1e-9);

            // 300 ms late misses its own contact; on the feet (sides must agree, strides ≈ 1 s)
            // it cannot reach another one either. Lower-back contacts carry no side, and the
            // next step may lie within 250 ms of a late one.
            let late = method("late");
            if suite.placement == "feet" {
                assert_eq!(late.counts.true_positives, 0, "{}", suite.dataset);
                assert_eq!(late.f1, 0.0);
            } else {
                assert!(late.f1 < 0.5, "{}: late F1 {}", suite.dataset, late.f1);
            }
        }
        let notes = not_ahead(&scores);
        assert!(
            notes
                .iter()
                .any(|l| l.starts_with("gaitmap example, feet: annotations better on F1: 1.000")),
            "{notes:?}"
        );
        assert!(
            !notes.iter().any(|l| l.contains("late better on F1")),
            "{notes:?}"
        );
        let table = markdown_table(&scores, &[]);
        assert!(table.contains("Where Entrain is not ahead"));
        assert!(table.contains("| gaitmap example, feet | entrain | causal |"));
        assert!(table.contains("| mobgap example, lower back | annotations | offline |"));
    }

    #[test]
    fn detections_parse_side_and_offline_emission() {
        let row = DetectionRow {
            method: "mobgap IcdShinImproved".into(),
            dataset: "mobgap".into(),
            placement: "lower_back".into(),
            trial: "HA_001".into(),
            side: String::new(),
            ic_time_secs: "1.25".into(),
            emitted_secs: String::new(),
        };
        let event = detection_event(&row).unwrap();
        assert_eq!(event.event_time_nanos, 1_250_000_000);
        assert_eq!(event.emitted_at_nanos, 1_250_000_000);
        assert_eq!(event.side, None);
        let bad = DetectionRow {
            side: "middle".into(),
            ..row.clone()
        };
        assert!(
            detection_event(&bad)
                .unwrap_err()
                .to_string()
                .contains("middle")
        );
        let bad = DetectionRow {
            ic_time_secs: "soon".into(),
            ..row
        };
        assert!(
            detection_event(&bad)
                .unwrap_err()
                .to_string()
                .contains("soon")
        );
    }
}
