//! The whole product path with sound: `entrain session` with the virtual patient walking in real
//! time, the engine's beats through cpal → ALSA → a private PulseAudio server's null sink, and the
//! sink recorded with `parec`. The clicks found in the recording must be the audible beats the
//! session stored, at the stored times: one constant offset (the output latency plus where the
//! recording started) and at most 2 ms of spread, through the tempo changes of the cue. Times in
//! the recording use the sink's measured frame rate: the null sink runs ~150 ppm fast while a
//! stream plays, which would otherwise look like a drift of the beats.
//! Needs `pulseaudio`, `pulseaudio-utils` and `libasound2-plugins` (scripts/install-deps.sh).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use entrain_tests::pulse::PulseServer;

const BIN: &str = env!("CARGO_BIN_EXE_entrain");
const RATE_HZ: u32 = 48_000;
/// A recorded click and a stored beat pair up when this close, after the constant offset, s.
const PAIRING_SECS: f64 = 0.025;

/// The audible beats the session stored: scheduled time on the session clock, s.
fn stored_audible_beats(db: &Path, out_dir: &Path) -> Vec<f64> {
    let status = Command::new(BIN)
        .args(["export", "--session", "1", "--format", "json", "--db"])
        .arg(db)
        .arg("--out")
        .arg(out_dir)
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(out_dir.join("export.json")).unwrap();
    let export: serde_json::Value = serde_json::from_str(&text).unwrap();
    export["tables"]["beats"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["volume"].as_f64().unwrap() > 0.0 && !b["played_nanos"].is_null())
        .map(|b| b["scheduled_nanos"].as_f64().unwrap() / 1e9)
        .collect()
}

/// The offset (recording time − session time) that pairs the most clicks with beats.
fn best_offset(clicks: &[f64], beats: &[f64]) -> f64 {
    let candidates = clicks
        .iter()
        .take(5)
        .flat_map(|c| beats.iter().take(5).map(move |b| c - b));
    let paired = |offset: f64| {
        beats
            .iter()
            .filter(|b| {
                clicks
                    .iter()
                    .any(|c| (c - *b - offset).abs() <= PAIRING_SECS)
            })
            .count()
    };
    candidates
        .max_by_key(|&offset| paired(offset))
        .expect("clicks and beats")
}

#[test]
fn the_clicks_heard_are_the_beats_the_session_stored() {
    // A loaded machine's sound server sometimes inserts or drops frames in what it records (seen
    // in CI: five beats 13 ms late, then the next on time again, which the renderer's exact
    // frame counting cannot do): such a run gets one more, and two in a row fail.
    if let Err(first) = clicks_heard_are_the_stored_beats() {
        eprintln!("first run: {first}; one more run");
        if let Err(second) = clicks_heard_are_the_stored_beats() {
            panic!("first run: {first}\nsecond run: {second}");
        }
    }
}

/// One session into a private sink: every stored audible beat heard at its stored time, within
/// 2 ms of each other once offset, and nothing else heard; else what was off.
fn clicks_heard_are_the_stored_beats() -> Result<(), String> {
    let server = PulseServer::start(RATE_HZ).expect("a private PulseAudio server");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    let recorder = server.record("session").expect("parec");
    let mut session = Command::new(BIN);
    session
        .args([
            "session",
            "--source",
            "sim:healthy",
            "--baseline-secs",
            "6",
            "--seconds",
            "24",
            "--quiet",
            "--db",
        ])
        .arg(&db)
        .stdin(Stdio::null());
    server.configure(&mut session);
    let out = session.output().unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{log}");
    std::thread::sleep(Duration::from_millis(300));
    let recording = recorder.finish().expect("the recording");

    let beats = stored_audible_beats(&db, &dir.path().join("export"));
    // The sink's frames are not exactly its nominal rate in real time; measure them.
    let sink_frames_per_sec = recording.frames_per_second().expect("the sink's rate");
    let clicks: Vec<f64> = recording
        .onsets(3_000, 4_800)
        .iter()
        .map(|&frame| frame as f64 / sink_frames_per_sec)
        .collect();
    assert!(beats.len() >= 20, "too few audible beats stored: {log}");
    let offset = best_offset(&clicks, &beats);
    let residuals_ms: Vec<f64> = beats
        .iter()
        .filter_map(|b| {
            clicks
                .iter()
                .map(|c| (c - b - offset) * 1e3)
                .find(|r| r.abs() <= PAIRING_SECS * 1e3)
        })
        .collect();
    let spread_ms = residuals_ms.iter().copied().fold(f64::MIN, f64::max)
        - residuals_ms.iter().copied().fold(f64::MAX, f64::min);
    eprintln!(
        "{} beats stored, {} clicks recorded, {} paired; sink {:.1} frames/s; offset {:.1} ms, \
         spread {:.2} ms; residuals {residuals_ms:.2?} ms",
        beats.len(),
        clicks.len(),
        residuals_ms.len(),
        sink_frames_per_sec,
        offset * 1e3,
        spread_ms
    );
    // Every stored audible beat was heard, and nothing else was.
    if residuals_ms.len() != beats.len() || clicks.len() != beats.len() {
        return Err(format!(
            "{} beats stored, {} clicks recorded, {} paired: clicks {clicks:?}",
            beats.len(),
            clicks.len(),
            residuals_ms.len()
        ));
    }
    if spread_ms > 2.0 {
        return Err(format!(
            "spread {spread_ms:.2} ms: residuals {residuals_ms:.2?} ms"
        ));
    }
    Ok(())
}
