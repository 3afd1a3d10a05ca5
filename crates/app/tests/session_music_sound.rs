//! Music in a session with sound, end to end: `entrain session --music march-4-4 --overlay music`
//! (music only, no click) with the virtual patient walking in real time, the music stretched to
//! the cue through cpal → ALSA → a private PulseAudio server's null sink, the sink's monitor
//! recorded with `parec`.
//!
//! - Every beat the session stored as played is heard: the music's beat strikes are found in
//!   the recording (the built-in track's beats carry a hat and a kick or snare on every beat, so
//!   the strike is the sharpest rise of the high-passed signal near the beat) and each lies
//!   within ±5 ms of its stored played time, once one offset (where the recording started, the
//!   output latency) is taken out. Times in the recording use the sink's measured frame rate
//!   (see `session_sound`). A beat stored as not played is not looked for (more than a fifth
//!   of them make the run garbled); `ENTRAIN_KEEP_MUSIC_RECORDING=FILE.wav` keeps the recording
//!   and the stored beats (`FILE.wav.beats`) for a look.
//! - The sound server killed mid-session: the session goes on with the visual cue, the record
//!   notes the device was lost, the music segment ends there, every step and beat printed before
//!   the kill is stored, and the session closes as it would have.
//!
//! Needs `pulseaudio`, `pulseaudio-utils` and `libasound2-plugins` (scripts/install-deps.sh);
//! fails, never skips.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use entrain_store::{EventKind, SessionStatus, Store};
use entrain_tests::pulse::{PulseServer, Recording};

mod common;
use common::{BIN, Session, parse_step, session_id};

const RATE_HZ: u32 = 48_000;

/// The two tests take turns: each runs a sound server and a real-time session, and the music's
/// timing is what one of them measures.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
const TRACK: &str = "march-4-4";
/// A stored beat and a strike pair up, when finding the offset, this close, s.
const PAIRING_SECS: f64 = 0.025;
/// Each strike is looked for this far either side of where its beat should be, s.
const SEARCH_SECS: f64 = 0.030;
/// What the test asks: every beat within ±5 ms of its strike.
const TOLERANCE_MS: f64 = 5.0;
/// A beat played this close to the session's end may not have left the output's buffers.
const END_CUT_SECS: f64 = 0.25;

/// The recording high-passed (first difference, on the louder channel): the hats' and the
/// snare's strikes stand out, the bass and keys (under 1 kHz) are damped twentyfold and more.
fn high_passed(recording: &Recording) -> Vec<i32> {
    let mut previous = [0i32; 2];
    recording
        .samples
        .chunks_exact(recording.channels)
        .map(|frame| {
            let mut loudest = 0i32;
            for (c, &s) in frame.iter().take(2).enumerate() {
                let d = i32::from(s) - previous[c];
                previous[c] = i32::from(s);
                loudest = loudest.max(d.abs());
            }
            loudest
        })
        .collect()
}

/// Strikes found blind, for the offset: the first frame over `threshold` at least `gap_frames`
/// after the previous strike (the off-beat hat, half a beat on, is skipped).
fn blind_strikes(hp: &[i32], threshold: i32, gap_frames: usize) -> Vec<usize> {
    let mut strikes: Vec<usize> = Vec::new();
    for (i, &v) in hp.iter().enumerate() {
        if v >= threshold && strikes.last().is_none_or(|&last| i >= last + gap_frames) {
            strikes.push(i);
        }
    }
    strikes
}

/// The strike near frame `expected`: the first frame within ±[`SEARCH_SECS`] reaching a third
/// of the loudest high-passed value there; `None` where nothing there is louder than `floor`.
fn strike_near(hp: &[i32], expected: f64, frames_per_sec: f64, floor: i32) -> Option<usize> {
    let half = (SEARCH_SECS * frames_per_sec) as usize;
    let centre = expected.round();
    if centre < half as f64 {
        return None;
    }
    let (lo, hi) = (
        centre as usize - half,
        (centre as usize + half).min(hp.len()),
    );
    let window = hp.get(lo..hi)?;
    let peak = *window.iter().max()?;
    if peak < floor {
        return None;
    }
    window.iter().position(|&v| v * 3 >= peak).map(|k| lo + k)
}

/// The beats the session stored: (scheduled, played) on the session clock, s; `played` only for
/// those heard.
fn stored_beats(db: &Path, out_dir: &Path) -> Vec<(f64, Option<f64>)> {
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
        .filter(|b| b["volume"].as_f64().unwrap() > 0.0)
        .map(|b| {
            (
                b["scheduled_nanos"].as_f64().unwrap() / 1e9,
                b["played_nanos"].as_f64().map(|n| n / 1e9),
            )
        })
        .collect()
}

#[test]
fn the_music_beats_heard_are_the_beats_the_session_stored() {
    let _turn = one_at_a_time();
    // As in `session_sound`: a loaded machine's sound server sometimes inserts or drops frames
    // in what it records (a run of beats 13 ms late, then on time again), which the renderer's
    // exact frame counting cannot do; such a run gets one more, and two in a row fail.
    match music_heard_at_the_stored_beats() {
        Ok(errors) => report(&errors),
        Err(first) => {
            eprintln!("first run: {first}; one more run");
            match music_heard_at_the_stored_beats() {
                Ok(errors) => report(&errors),
                Err(second) => panic!("first run: {first}\nsecond run: {second}"),
            }
        }
    }
}

fn report(errors_ms: &[f64]) {
    let mut abs: Vec<f64> = errors_ms.iter().map(|e| e.abs()).collect();
    abs.sort_by(f64::total_cmp);
    eprintln!(
        "onset error over {} beats: max {:.2} ms, median {:.2} ms",
        abs.len(),
        abs.last().copied().unwrap_or(f64::NAN),
        abs[abs.len() / 2]
    );
}

/// One session into a private sink: each beat stored as played has its strike in the recording
/// within ±5 ms (one offset); the errors, ms, else what was off.
fn music_heard_at_the_stored_beats() -> Result<Vec<f64>, String> {
    let server = PulseServer::start(RATE_HZ).expect("a private PulseAudio server");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    let recorder = server.record("music-session").expect("parec");
    let mut session = Command::new(BIN);
    session
        .args([
            "session",
            "--source",
            "sim:healthy",
            "--baseline-secs",
            "6",
            "--seconds",
            "26",
            "--music",
            TRACK,
            "--overlay",
            "music",
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

    let store = Store::open(&db).unwrap();
    let segments = store.music_segments(1).unwrap();
    assert_eq!(
        segments.len(),
        1,
        "one stretch of music: {segments:?}\n{log}"
    );
    assert_eq!(segments[0].segment.track, TRACK);
    assert_eq!(segments[0].segment.overlay, "music");
    let beats = stored_beats(&db, &dir.path().join("export"));
    let played: Vec<f64> = beats.iter().filter_map(|b| b.1).collect();
    assert!(beats.len() >= 20, "too few beats stored: {beats:?}\n{log}");
    // A beat not played (stored as not heard: seen when the machine is starved, four hogs on two
    // cores) is not checked against the recording; more than a fifth make the run garbled.
    let unplayed = beats.len() - played.len();
    if unplayed * 5 > beats.len() || played.len() < 20 {
        return Err(format!(
            "{unplayed} of {} beats were not played: {beats:?}",
            beats.len()
        ));
    }
    let fps = recording.frames_per_second().expect("the sink's rate");
    if let Ok(keep) = std::env::var("ENTRAIN_KEEP_MUSIC_RECORDING") {
        let mono: Vec<f32> = recording
            .samples
            .chunks_exact(2)
            .map(|f| f32::from(f[0]) / 32_768.0)
            .collect();
        entrain_tests::tracks::write_wav(Path::new(&keep), &mono, 1, RATE_HZ).unwrap();
        let beats_text: String = beats
            .iter()
            .map(|(s, p)| format!("{s} {}\n", p.unwrap_or(f64::NAN)))
            .collect();
        std::fs::write(
            format!("{keep}.beats"),
            beats_text + &format!("fps {fps}\n"),
        )
        .unwrap();
    }
    let hp = high_passed(&recording);
    let loudest = hp.iter().copied().max().unwrap_or(0);
    if loudest < 1_000 {
        return Err(format!("the recording is silent (loudest step {loudest})"));
    }
    // Blind strikes at a third of the loudest, at least 0.7 of the shortest beat apart: enough
    // of them pair with beats to fix the offset.
    let shortest = played
        .windows(2)
        .map(|w| w[1] - w[0])
        .fold(f64::MAX, f64::min);
    let blind: Vec<f64> = blind_strikes(&hp, loudest / 3, (0.7 * shortest * fps) as usize)
        .iter()
        .map(|&f| f as f64 / fps)
        .collect();
    let candidates = blind
        .iter()
        .take(8)
        .flat_map(|c| played.iter().take(8).map(move |b| c - b));
    // The most beats paired; of offsets pairing as many (a steady stretch pairs as well one
    // beat off), the closest pairs.
    let score = |offset: f64| {
        let residuals: Vec<f64> = played
            .iter()
            .filter_map(|b| {
                blind
                    .iter()
                    .map(|c| (c - b - offset).abs())
                    .find(|r| *r <= PAIRING_SECS)
            })
            .collect();
        let spread_us = (residuals.iter().sum::<f64>() * 1e6) as i64;
        (residuals.len(), -spread_us)
    };
    let coarse = candidates
        .max_by_key(|&o| score(o))
        .ok_or_else(|| format!("no strike found: {} blind", blind.len()))?;
    // Each beat's own strike, then one offset (the median) taken out.
    // A beat the renderer started within the output's latency of the end was stored as played
    // but its sound was still in the stream's buffers when the session dropped the stream: it is
    // listed, not counted (see the report of issue 19's music e2e test).
    let end_secs = store.session(1).unwrap().last_nanos as f64 / 1e9;
    let mut residuals_ms = Vec::with_capacity(played.len());
    let (mut missing, mut cut_off) = (Vec::new(), Vec::new());
    for &b in &played {
        match strike_near(&hp, (b + coarse) * fps, fps, loudest / 10) {
            Some(frame) => residuals_ms.push((frame as f64 / fps - b - coarse) * 1e3),
            None if b > end_secs - END_CUT_SECS => cut_off.push(b),
            None => missing.push(b),
        }
    }
    eprintln!(
        "recording {:.3} s, session to {end_secs:.3} s; residuals {residuals_ms:.2?} ms; no \
         strike near {missing:.3?}; cut off at the end {cut_off:.3?}",
        recording.frames() as f64 / fps
    );
    if !missing.is_empty() {
        return Err(format!(
            "no strike within {SEARCH_SECS} s of the beats at {missing:.3?} s (offset {coarse:.4} s)"
        ));
    }
    // Only the last beat can still be in the buffers at the end.
    if cut_off.len() > 1 {
        return Err(format!(
            "{} beats at the end not heard: {cut_off:.3?}",
            cut_off.len()
        ));
    }
    let mut sorted = residuals_ms.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    let errors_ms: Vec<f64> = residuals_ms.iter().map(|r| r - median).collect();
    let scheduled_vs_played_ms = beats
        .iter()
        .filter_map(|(s, p)| p.map(|p| (p - s) * 1e3))
        .fold(0.0f64, |m, d| m.max(d.abs()));
    eprintln!(
        "{} beats played, {} blind strikes; sink {fps:.1} frames/s; offset {:.1} ms; played vs \
         scheduled at most {scheduled_vs_played_ms:.3} ms; errors {errors_ms:.2?} ms",
        played.len(),
        blind.len(),
        (coarse + median / 1e3) * 1e3,
    );
    if let Some((k, e)) = errors_ms
        .iter()
        .enumerate()
        .find(|(_, e)| e.abs() > TOLERANCE_MS)
    {
        return Err(format!(
            "the beat at {:.3} s is {e:.2} ms off its strike: errors {errors_ms:.2?} ms",
            played[k]
        ));
    }
    Ok(errors_ms)
}

/// `beat   12.345 s 104.0 steps/min` → ns.
fn parse_beat(line: &str) -> Option<i64> {
    let rest = line.strip_prefix("beat ")?;
    let secs: f64 = rest.split_whitespace().next()?.parse().ok()?;
    Some((secs * 1e9).round() as i64)
}

#[test]
fn the_sound_server_dying_mid_session_leaves_a_visual_cue_a_note_and_the_record_whole() {
    let _turn = one_at_a_time();
    let mut server = PulseServer::start(RATE_HZ).expect("a private PulseAudio server");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("entrain.sqlite3");
    let args = [
        "--baseline-secs",
        "4",
        "--seconds",
        "22",
        "--music",
        TRACK,
        "--overlay",
        "music",
    ];
    let mut session = Session::start_with(&db, &args, |c| server.configure(c));
    session.wait_for_line("note audio: playing on", Duration::from_secs(15));
    // Music for a while (the matched cue starts after the 4 s baseline), then the server dies.
    let marker = loop {
        let line = session.wait_for_line("beat ", Duration::from_secs(20));
        if parse_beat(&line).is_some_and(|t| t >= 10_000_000_000) {
            break line;
        }
    };
    let marker_nanos = parse_beat(&marker).unwrap();
    server.kill();
    let (lines, stderr, ok) = session.finish(Duration::from_secs(40));
    assert!(ok, "the session failed: {stderr}\n{lines:#?}");
    // What was printed up to the marker was printed before the kill (what came between counts
    // as after: the checks of "before" only get fewer lines).
    let kill_index = lines.iter().position(|l| *l == marker).unwrap() + 1;
    let (printed_before, printed_after) = lines.split_at(kill_index);
    let id = session_id(&lines);
    let store = Store::open(&db).unwrap();
    let record = store.session(id).unwrap();

    // The session closed as it would have: at its time limit, nothing missing.
    assert_eq!(record.status, SessionStatus::Stopped, "{record:?}");
    // With --seconds the virtual patient's source ends at the time limit too: either is the
    // session's normal end.
    let reason = record.end_reason.as_deref().unwrap_or("");
    assert!(
        reason == "time limit reached" || reason.starts_with("the sensor source ended"),
        "{record:?}"
    );
    assert_eq!(record.missing, None, "{record:?}");
    store.check_integrity().unwrap();

    // The record notes the loss, and the window was told the cue is visual now.
    let events = store.events(id).unwrap();
    let lost = events
        .iter()
        .find(|e| e.kind == EventKind::Audio && e.detail.contains("lost"))
        .unwrap_or_else(|| panic!("no audio event says the device was lost: {events:#?}"));
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("note audio: ") && l.contains("visual cue")),
        "{lines:#?}"
    );
    let last_beat_before = printed_before
        .iter()
        .filter_map(|l| parse_beat(l))
        .max()
        .unwrap();
    eprintln!(
        "device lost at {:.3} s (the last beat printed before the kill {:.3} s): {:?}",
        lost.time_nanos as f64 / 1e9,
        last_beat_before as f64 / 1e9,
        lost.detail
    );
    assert!(
        lost.time_nanos >= last_beat_before - 1_000_000_000
            && lost.time_nanos <= last_beat_before + 3_000_000_000,
        "the loss is noted at {} ns, the kill came after the beat at {last_beat_before} ns",
        lost.time_nanos
    );

    // The visual cue went on: beats printed to the end, stored but not heard.
    let beats_after: Vec<i64> = printed_after.iter().filter_map(|l| parse_beat(l)).collect();
    assert!(
        beats_after.iter().any(|&t| t >= 20_000_000_000),
        "the cue stopped with the sound: {beats_after:?}"
    );
    let stored_beats = store.beats(id).unwrap();
    let heard_after_loss = stored_beats
        .iter()
        .filter(|b| b.scheduled_nanos > lost.time_nanos + 500_000_000 && b.played_nanos.is_some())
        .count();
    assert_eq!(heard_after_loss, 0, "beats after the loss stored as heard");

    // The music segment ends where the device went; no music after.
    let segments = store.music_segments(id).unwrap();
    assert_eq!(segments.len(), 1, "{segments:#?}");
    let m = &segments[0].segment;
    eprintln!(
        "music segment {:.3}-{:.3} s, {:.1}-{:.1} steps/min",
        m.start_nanos as f64 / 1e9,
        m.end_nanos as f64 / 1e9,
        m.played_min_bpm,
        m.played_max_bpm
    );
    assert!(m.start_nanos < 8_000_000_000, "{m:?}");
    assert!(
        (m.end_nanos - lost.time_nanos).abs() <= 1_000_000_000,
        "the segment ends at {} ns, the device was lost at {} ns",
        m.end_nanos,
        lost.time_nanos
    );

    // Nothing stored before the kill is lost: every step and beat printed before it is in the
    // record (and every step printed after, each once); the beats heard before it are marked so.
    let stored_steps = store.steps(id).unwrap();
    let steps_printed: Vec<(i64, String)> = lines.iter().filter_map(|l| parse_step(l)).collect();
    let steps_before = printed_before.iter().filter_map(|l| parse_step(l)).count();
    assert!(steps_before >= 10, "{printed_before:#?}");
    for (t, side) in &steps_printed {
        let n = stored_steps
            .iter()
            .filter(|s| (s.time_nanos - t).abs() <= 500_000 && s.side.as_str() == side)
            .count();
        assert_eq!(n, 1, "the step at {t} ns ({side}) is stored {n} times");
    }
    assert_eq!(stored_steps.len(), steps_printed.len());
    let flushed_before: Vec<(i64, u64)> = printed_before
        .iter()
        .filter_map(|l| {
            let rest = l.strip_prefix("stored up to ")?;
            let mut w = rest.split_whitespace();
            let secs: f64 = w.next()?.parse().ok()?;
            let steps: u64 = w.nth(1)?.trim_start_matches('(').parse().ok()?;
            Some(((secs * 1e9) as i64, steps))
        })
        .collect();
    let &(up_to, steps_stored) = flushed_before.last().expect("a flush before the kill");
    let kept = stored_steps
        .iter()
        .filter(|s| s.time_nanos <= up_to)
        .count() as u64;
    assert!(
        kept >= steps_stored,
        "{steps_stored} steps were stored up to {up_to} ns before the kill, {kept} are now"
    );
    let mut heard_before = 0;
    for t in printed_before.iter().filter_map(|l| parse_beat(l)) {
        let b = stored_beats
            .iter()
            .find(|b| (b.scheduled_nanos - t).abs() <= 500_000)
            .unwrap_or_else(|| panic!("the beat at {t} ns printed before the kill is not stored"));
        // Printed (committed) a schedule lead ahead of its time, the marker right before the
        // kill: the beats due well before the marker were due before the kill.
        if t < marker_nanos - 500_000_000 && b.played_nanos.is_some() {
            heard_before += 1;
        }
    }
    // The music was heard before the kill (each beat heard is checked by the other test; a
    // starved machine may miss some).
    assert!(
        heard_before >= 1,
        "{heard_before} beats heard before the kill: {stored_beats:#?}"
    );
    assert!(
        stored_steps
            .iter()
            .any(|s| s.time_nanos > lost.time_nanos + 5_000_000_000),
        "the steps after the loss were not recorded"
    );
}
