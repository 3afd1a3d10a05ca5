//! The real `entrain click`: a setting the metronome or the WAV format cannot honour is one clear
//! error naming the flag, never a panic, and writes no file.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_entrain");

#[test]
fn impossible_click_settings_are_refused_by_flag_without_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("click.wav");
    let wav_arg = wav.to_str().unwrap();
    for (args, says) in [
        (vec!["--sample-rate", "0"], "--sample-rate"),
        (
            vec!["--sample-rate", "0", "--wav", wav_arg],
            "--sample-rate",
        ),
        (vec!["--seconds", "1e12", "--wav", wav_arg], "4 GiB"),
        (vec!["--seconds", "NaN", "--wav", wav_arg], "--seconds"),
    ] {
        let out = Command::new(BIN)
            .args(["click", "--bpm", "100"])
            .args(&args)
            .env("RUST_BACKTRACE", "0")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!wav.exists(), "{args:?} wrote a file");
    }
    // A valid request still renders.
    let out = Command::new(BIN)
        .args(["click", "--bpm", "100", "--seconds", "2", "--wav", wav_arg])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(wav.metadata().unwrap().len() > 44);
}
