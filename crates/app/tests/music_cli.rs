//! `entrain music` as a therapist runs it: analyse a file, import a folder (a bad file named,
//! the others kept), list the library with the built-ins, confirm an ambiguous tempo.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
use common::{entrain, ok};
use std::path::{Path, PathBuf};

use entrain_music::{DEFAULT_TOLERANCE_SECS, builtin, f_measure};
use entrain_tests::tracks::{even_clicks, write_wav};
use serde_json::Value;

const RATE_HZ: u32 = 22_050;

/// A built-in track rendered to a WAV file, and its beat times.
fn builtin_wav(dir: &Path, name: &str) -> (PathBuf, Vec<f64>) {
    let rendered = builtin::by_name(name).unwrap().render(RATE_HZ);
    let path = dir.join(format!("{name}.wav"));
    write_wav(
        &path,
        &rendered.pcm.samples,
        rendered.pcm.channels,
        rendered.pcm.rate_hz,
    )
    .unwrap();
    (path, rendered.beats_secs)
}

#[test]
fn analyze_writes_the_beats_a_track_has() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db");
    let (wav, truth) = builtin_wav(dir.path(), "waltz-3-4");
    let json = dir.path().join("waltz.json");
    let stdout = ok(&entrain(
        &db,
        &[
            "music",
            "analyze",
            wav.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
        ],
    ));
    assert!(stdout.contains("3 beats per bar"), "{stdout}");
    let found: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let tempo = found["tempo_bpm"].as_f64().unwrap();
    let expected = builtin::by_name("waltz-3-4").unwrap().tempo_bpm;
    assert!(
        (tempo / expected - 1.0).abs() < 0.01,
        "{tempo} vs {expected}"
    );
    let beats: Vec<f64> = serde_json::from_value(found["beats_secs"].clone()).unwrap();
    let downbeats: Vec<f64> = serde_json::from_value(found["downbeats_secs"].clone()).unwrap();
    assert!(f_measure(&truth, &beats, DEFAULT_TOLERANCE_SECS) >= 0.95);
    assert!(!downbeats.is_empty() && downbeats.len() * 3 <= beats.len() + 3);

    // A file that is not audio: named, with why.
    let bad = dir.path().join("notes.mp3");
    std::fs::write(&bad, b"these are my notes, not music").unwrap();
    let out = entrain(&db, &["music", "analyze", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("notes.mp3"), "{stderr}");
}

#[test]
fn a_folder_imports_once_a_bad_file_is_named_and_an_ambiguous_tempo_is_confirmed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db");
    let music = dir.path().join("music");
    std::fs::create_dir_all(music.join("marches")).unwrap();
    builtin_wav(&music.join("marches"), "march-2-4");
    builtin_wav(&music, "groove-4-4");
    let clicks = music.join("clicks.wav");
    write_wav(&clicks, &even_clicks(RATE_HZ), 1, RATE_HZ).unwrap();
    std::fs::write(music.join("broken.flac"), b"fLaC but nothing else").unwrap();
    std::fs::write(music.join("playlist.txt"), b"not audio").unwrap();

    let out = entrain(&db, &["music", "import", music.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the broken file fails the import");
    assert!(
        stdout.contains("3 imported, 0 unchanged since their import, 1 failed"),
        "{stdout}"
    );
    assert!(stderr.contains("broken.flac"), "{stderr}");

    let listed: Value =
        serde_json::from_str(&ok(&entrain(&db, &["music", "list", "--json"]))).unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(
        listed.iter().filter(|l| l["builtin"] == true).count(),
        builtin::tracks().len()
    );
    let imported: Vec<&Value> = listed.iter().filter(|l| l["builtin"] == false).collect();
    assert_eq!(imported.len(), 3, "{imported:?}");
    let march = imported.iter().find(|l| l["title"] == "march-2-4").unwrap();
    assert_eq!(march["beats_per_bar"], 2);
    let clicks_row = imported.iter().find(|l| l["title"] == "clicks").unwrap();
    let (tempo, alternative) = (
        clicks_row["tempo_bpm"].as_f64().unwrap(),
        clicks_row["alternative_bpm"].as_f64().unwrap(),
    );
    let (low, high) = (tempo.min(alternative), tempo.max(alternative));
    assert!(
        (high - 150.0).abs() < 1.5 && (low - 75.0).abs() < 1.0,
        "{clicks_row}"
    );

    // Nothing changed: nothing analysed again.
    let out = entrain(&db, &["music", "import", music.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("0 imported, 3 unchanged since their import, 1 failed")
    );

    // The therapist walks to it at the slower tempo; a tempo the analysis did not offer is refused.
    let clicks = clicks.to_str().unwrap();
    let out = entrain(&db, &["music", "confirm", clicks, "--bpm", "100"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("bpm or"),
        "{out:?}"
    );
    let low_text = format!("{low}");
    ok(&entrain(
        &db,
        &["music", "confirm", clicks, "--bpm", &low_text],
    ));
    let listed: Value =
        serde_json::from_str(&ok(&entrain(&db, &["music", "list", "--json"]))).unwrap();
    let row = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["title"] == "clicks")
        .unwrap()
        .clone();
    assert_eq!(
        (row["tempo_bpm"].as_f64().unwrap(), row["confirmed"].clone()),
        (low, Value::Bool(true))
    );
}

/// The beat times of a `--beats-csv` file.
fn beats_csv(path: &Path) -> Vec<f64> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("beat_index,time_secs"));
    lines
        .enumerate()
        .map(|(i, line)| {
            let (index, time) = line.split_once(',').unwrap();
            assert_eq!(index.parse::<usize>().unwrap(), i, "{line}");
            time.parse().unwrap()
        })
        .collect()
}

/// The rendered WAV as mono f32, and its rate.
fn read_wav(path: &Path) -> (Vec<f32>, u32) {
    let mut reader = hound::WavReader::open(path).unwrap();
    let spec = reader.spec();
    assert_eq!(spec.channels, 2);
    let samples: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
    let mono = samples
        .chunks(2)
        .map(|f| (f32::from(f[0]) + f32::from(f[1])) / 65_536.0)
        .collect();
    (mono, spec.sample_rate)
}

#[test]
fn render_plays_a_built_in_track_at_the_tempo_asked_with_its_beats_where_the_csv_says() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db");
    let wav = dir.path().join("march.wav");
    let csv = dir.path().join("march.csv");
    // 50 s: longer than one loop of the track, which repeats.
    let stdout = ok(&entrain(
        &db,
        &[
            "music",
            "render",
            "--track",
            "march-4-4",
            "--bpm",
            "112",
            "--seconds",
            "50",
            "--wav",
            wav.to_str().unwrap(),
            "--beats-csv",
            csv.to_str().unwrap(),
        ],
    ));
    assert!(stdout.contains("beats, 50.0 s at 112.0 bpm"), "{stdout}");
    let beats = beats_csv(&csv);
    assert!((92..=94).contains(&beats.len()), "{} beats", beats.len());
    let (mono, rate) = read_wav(&wav);
    assert_eq!((mono.len() as f64 / f64::from(rate)).round(), 50.0);
    // Found independently of the renderer: the music's own beats where the schedule put them.
    let found = entrain_music::analyze(&entrain_music::Pcm {
        rate_hz: rate,
        channels: 1,
        samples: mono,
    });
    assert!(
        (found.tempo_bpm / 112.0 - 1.0).abs() < 0.01,
        "{}",
        found.tempo_bpm
    );
    let f = f_measure(&beats, &found.beats_secs, DEFAULT_TOLERANCE_SECS);
    assert!(f >= 0.95, "F {f}");

    // The clicks alone through a ramp: each click's onset on its scheduled time.
    let clicks = dir.path().join("clicks.wav");
    ok(&entrain(
        &db,
        &[
            "music",
            "render",
            "--track",
            "waltz-3-4",
            "--bpm",
            "100",
            "--to-bpm",
            "115",
            "--seconds",
            "20",
            "--overlay",
            "click",
            "--wav",
            clicks.to_str().unwrap(),
            "--beats-csv",
            csv.to_str().unwrap(),
        ],
    ));
    let beats = beats_csv(&csv);
    let (mono, rate) = read_wav(&clicks);
    let mut onsets = Vec::new();
    // The file starts in silence.
    let mut quiet = usize::MAX / 2;
    for (i, s) in mono.iter().enumerate() {
        if s.abs() > 0.02 {
            if quiet > rate as usize / 10 {
                onsets.push(i as f64 / f64::from(rate));
            }
            quiet = 0;
        } else {
            quiet += 1;
        }
    }
    assert_eq!(onsets.len(), beats.len(), "{onsets:?} vs {beats:?}");
    for (o, b) in onsets.iter().zip(&beats) {
        assert!((o - b).abs() < 0.001, "click at {o} s, scheduled {b} s");
    }
    let last_gap = beats[beats.len() - 1] - beats[beats.len() - 2];
    assert!((60.0 / last_gap - 115.0).abs() < 2.0, "{}", 60.0 / last_gap);

    // A track that is neither built in nor a file: named, with the built-ins.
    let out = entrain(
        &db,
        &[
            "music",
            "render",
            "--track",
            "polka",
            "--bpm",
            "100",
            "--seconds",
            "5",
            "--wav",
            wav.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--track polka: neither a built-in track (march-2-4"),
        "{stderr}"
    );
}
