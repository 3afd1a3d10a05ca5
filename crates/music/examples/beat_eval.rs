//! Beat-tracking accuracy, ours beside librosa's, as F-measure at ±70 ms.
//!
//! `beat_eval builtin` analyses the built-in tracks (at 44.1 kHz); `beat_eval DIR` analyses
//! each track listed in DIR/manifest.csv (from benches/music/make_tracks.py), against its
//! `NAME.beats.csv`, beside librosa's beats in `NAME.librosa.csv` where present (from
//! benches/music/librosa_beats.py), and writes our beats to `NAME.entrain.csv`. See
//! docs/BENCHMARKS.md, "Beat tracking".

use std::path::{Path, PathBuf};

use entrain_music::{
    BeatAnalysis, DEFAULT_TOLERANCE_SECS, analyze, builtin, decode_file, f_measure,
};

type Failure = Box<dyn std::error::Error>;

fn main() -> Result<(), Failure> {
    let target = std::env::args()
        .nth(1)
        .ok_or("usage: beat_eval builtin|DIR")?;
    if target == "builtin" {
        evaluate_builtin();
        Ok(())
    } else {
        evaluate_dir(Path::new(&target))
    }
}

fn downbeat_f(truth: &[f64], found: &BeatAnalysis) -> f64 {
    f_measure(truth, &found.downbeats_secs, DEFAULT_TOLERANCE_SECS)
}

fn ambiguous(found: &BeatAnalysis) -> String {
    found
        .tempo_ambiguous
        .map_or_else(|| "-".to_owned(), |bpm| format!("{bpm:.1}"))
}

fn evaluate_builtin() {
    println!(
        "{:<12} {:>7} {:>5} | {:>7} {:>5} {:>6} {:>6} {:>7} {:>9}",
        "track", "bpm", "bar", "ours", "bar", "F", "F_down", "ambig", "mean|err|"
    );
    let mut total = 0.0;
    for track in builtin::tracks() {
        let rendered = track.render(44_100);
        let found = analyze(&rendered.pcm);
        let f = f_measure(
            &rendered.beats_secs,
            &found.beats_secs,
            DEFAULT_TOLERANCE_SECS,
        );
        total += f;
        println!(
            "{:<12} {:>7.2} {:>5} | {:>7.2} {:>5} {:>6.3} {:>6.3} {:>7} {:>7.1}ms",
            track.name,
            track.tempo_bpm,
            track.beats_per_bar,
            found.tempo_bpm,
            found.beats_per_bar,
            f,
            downbeat_f(&rendered.downbeats_secs, &found),
            ambiguous(&found),
            1000.0 * mean_abs_error(&rendered.beats_secs, &found.beats_secs),
        );
    }
    println!("mean F {:.3}", total / builtin::tracks().len() as f64);
}

/// Mean distance from each found beat to the nearest true beat, for those within ±70 ms.
fn mean_abs_error(truth: &[f64], found: &[f64]) -> f64 {
    let errors: Vec<f64> = found
        .iter()
        .filter_map(|t| {
            truth
                .iter()
                .map(|r| (r - t).abs())
                .min_by(f64::total_cmp)
                .filter(|e| *e <= DEFAULT_TOLERANCE_SECS)
        })
        .collect();
    errors.iter().sum::<f64>() / errors.len().max(1) as f64
}

/// The first column of a CSV file with a header line, as numbers; the second as 0/1 flags.
fn read_times(path: &Path) -> Result<(Vec<f64>, Vec<bool>), Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut times = Vec::new();
    let mut flags = Vec::new();
    for (number, line) in text.lines().enumerate().skip(1) {
        let mut fields = line.split(',');
        let time = fields
            .next()
            .unwrap_or_default()
            .trim()
            .parse::<f64>()
            .map_err(|e| format!("{}:{}: {e}", path.display(), number + 1))?;
        times.push(time);
        flags.push(fields.next().is_some_and(|f| f.trim() == "1"));
    }
    Ok((times, flags))
}

struct Row {
    name: String,
    tempo_bpm: f64,
    meter: String,
    beats_per_bar: u8,
}

fn read_manifest(dir: &Path) -> Result<Vec<Row>, Failure> {
    let path = dir.join("manifest.csv");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .skip(1)
        .enumerate()
        .map(|(number, line)| {
            let fields: Vec<&str> = line.split(',').collect();
            let bad = || {
                format!(
                    "{}:{}: expected name,tempo_bpm,meter,beats_per_bar,...",
                    path.display(),
                    number + 2
                )
            };
            Ok(Row {
                name: fields.first().ok_or_else(bad)?.to_string(),
                tempo_bpm: fields.get(1).ok_or_else(bad)?.parse().map_err(|_| bad())?,
                meter: fields.get(2).ok_or_else(bad)?.to_string(),
                beats_per_bar: fields.get(3).ok_or_else(bad)?.parse().map_err(|_| bad())?,
            })
        })
        .collect()
}

fn evaluate_dir(dir: &Path) -> Result<(), Failure> {
    let rows = read_manifest(dir)?;
    println!(
        "{:<26} {:>6} {:>5} | {:>7} {:>4} {:>6} {:>6} {:>7} | {:>7} {:>6}",
        "track", "bpm", "meter", "ours", "bar", "F", "F_down", "ambig", "librosa", "F"
    );
    let (mut ours_total, mut librosa_total, mut librosa_n, mut meter_right) = (0.0, 0.0, 0, 0);
    let (mut audio_secs, mut analysis_secs) = (0.0, 0.0);
    for row in &rows {
        let file = |suffix: &str| -> PathBuf { dir.join(format!("{}{suffix}", row.name)) };
        let (truth, downbeat_flags) = read_times(&file(".beats.csv"))?;
        let downbeats: Vec<f64> = truth
            .iter()
            .zip(&downbeat_flags)
            .filter(|(_, d)| **d)
            .map(|(t, _)| *t)
            .collect();
        let pcm = decode_file(file(".wav"))?;
        audio_secs += pcm.duration_secs();
        let started = std::time::Instant::now();
        let found = analyze(&pcm);
        analysis_secs += started.elapsed().as_secs_f64();
        let f = f_measure(&truth, &found.beats_secs, DEFAULT_TOLERANCE_SECS);
        ours_total += f;
        // Our beats for mir_eval's outside check (benches/music/mir_eval_check.py).
        let mut ours_csv = String::from("time_secs\n");
        for t in &found.beats_secs {
            ours_csv.push_str(&format!("{t:.6}\n"));
        }
        let ours_path = file(".entrain.csv");
        std::fs::write(&ours_path, ours_csv)
            .map_err(|e| format!("{}: {e}", ours_path.display()))?;
        if found.beats_per_bar == row.beats_per_bar {
            meter_right += 1;
        }
        let librosa = file(".librosa.csv");
        let (librosa_bpm, librosa_f) = if librosa.exists() {
            let (beats, _) = read_times(&librosa)?;
            let f = f_measure(&truth, &beats, DEFAULT_TOLERANCE_SECS);
            librosa_total += f;
            librosa_n += 1;
            let bpm = if beats.len() > 1 {
                60.0 * (beats.len() - 1) as f64 / (beats[beats.len() - 1] - beats[0])
            } else {
                0.0
            };
            (format!("{bpm:.1}"), format!("{f:.3}"))
        } else {
            ("-".to_owned(), "-".to_owned())
        };
        println!(
            "{:<26} {:>6.1} {:>5} | {:>7.2} {:>4} {:>6.3} {:>6.3} {:>7} | {:>7} {:>6}",
            row.name,
            row.tempo_bpm,
            row.meter,
            found.tempo_bpm,
            found.beats_per_bar,
            f,
            downbeat_f(&downbeats, &found),
            ambiguous(&found),
            librosa_bpm,
            librosa_f,
        );
    }
    let n = rows.len().max(1) as f64;
    print!("mean F: ours {:.3}", ours_total / n);
    if librosa_n > 0 {
        print!(", librosa {:.3}", librosa_total / librosa_n as f64);
    }
    println!(
        " over {} tracks; bar length right on {} of {}",
        rows.len(),
        meter_right,
        rows.len()
    );
    println!(
        "analysis took {analysis_secs:.2} s for {audio_secs:.0} s of audio ({:.0}x real time)",
        audio_secs / analysis_secs.max(1.0e-9)
    );
    Ok(())
}
