//! End to end: the real metronome through cpal's ALSA host into a PulseAudio null sink, recorded
//! from the sink monitor with `parec`, its onsets found by an energy threshold on the recording.
//! Needs `pulseaudio`, `pulseaudio-utils` and `libasound2-plugins` (scripts/install-deps.sh); fails,
//! never skips, without them.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use entrain_audio::{ScheduleChange, Segment, Tempo, onset_frames};
use entrain_tests::pulse::player::{self, PlayerSpec};
use entrain_tests::pulse::report::{Line, parse};
use entrain_tests::pulse::{PulseServer, Recording};

const RATE: u32 = 48_000;

/// The two measuring tests share the machine's two cores with the PulseAudio servers they start:
/// run them one at a time so neither starves the other's audio thread.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Not a test of its own: the child process that plays (see `spawn_player`). Does nothing unless
/// started by one of the tests below.
#[test]
fn player_child() {
    if let Some((spec, report)) = PlayerSpec::from_env() {
        player::run(&spec, &report).expect("player");
    }
}

/// Runs the player child of this test binary against `server`.
fn spawn_player(server: &PulseServer, spec: &PlayerSpec, report: &Path) -> std::process::Child {
    let mut command = Command::new(std::env::current_exe().expect("test binary"));
    command
        .args(["--exact", "player_child", "--nocapture", "--test-threads=1"])
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    server.configure(&mut command);
    command.envs(spec.env(report));
    command.spawn().expect("starting the player child")
}

fn start_server() -> PulseServer {
    PulseServer::start(RATE).unwrap_or_else(|e| panic!("PulseAudio test harness: {e}"))
}

struct Played {
    beats: Vec<(u64, u64)>,
    xruns: usize,
    buffer_frames: u32,
    lines: Vec<Line>,
}

fn read_report(path: &Path) -> Played {
    let text = std::fs::read_to_string(path).expect("player report");
    let lines = parse(&text);
    let beats = lines
        .iter()
        .filter_map(|l| match l {
            Line::Beat { beat, frame } => Some((*beat, *frame)),
            _ => None,
        })
        .collect();
    let xruns = lines.iter().filter(|l| **l == Line::Xrun).count();
    let buffer_frames = lines
        .iter()
        .find_map(|l| match l {
            Line::Granted { buffer_frames, .. } => Some(*buffer_frames),
            _ => None,
        })
        .unwrap_or_else(|| panic!("the player never opened the device; report:\n{text}"));
    Played {
        beats,
        xruns,
        buffer_frames,
        lines,
    }
}

fn intervals(frames: &[u64]) -> Vec<i64> {
    frames
        .windows(2)
        .map(|w| i64::try_from(w[1]).unwrap() - i64::try_from(w[0]).unwrap())
        .collect()
}

/// A glitch of the sound server itself (an interval off the schedule in the recording while the
/// renderer's own report is exact, with no xrun to explain it, or an xrun that cost more than a
/// period) gets one more run: a loaded CI machine can make PulseAudio drop or insert frames. A
/// renderer that leaves its schedule fails at once, and a glitch in both runs fails too.
#[test]
fn metronome_through_pulseaudio_is_sample_exact() {
    let _serial = one_at_a_time();
    let first = play_and_compare();
    if let Err(glitch) = first {
        eprintln!("first run: {glitch}; running once more");
        if let Err(again) = play_and_compare() {
            panic!("intervals off the schedule in both runs:\n{glitch}\n{again}");
        }
    }
}

/// Plays the spec once and compares the recorded onsets with the schedule. Panics where the
/// renderer is wrong; `Err` where only the recording is off (a glitch of the sound server).
fn play_and_compare() -> Result<(), String> {
    let server = start_server();
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.txt");
    // 110 beats/min (26 181.8 frames per beat: not a whole number), then at beat 6 a tempo
    // change to 137.5 beats/min with the beat moved 333 frames later.
    let spec = PlayerSpec {
        milli_bpm: 110_000,
        seconds: 7.0,
        buffer_frames: 512,
        rate_hz: RATE,
        change: Some((6, 137_500, 333)),
    };
    let recorder = server.record("e2e").expect("parec");
    let status = spawn_player(&server, &spec, &report).wait().unwrap();
    assert!(status.success(), "player failed: {status}");
    std::thread::sleep(Duration::from_millis(300));
    let recording: Recording = recorder.finish().expect("recording");
    let played = read_report(&report);
    assert!(
        played.beats.len() >= 10,
        "too few beats: {:?}",
        played.lines
    );

    // The schedule, computed from the tempo arithmetic alone.
    let (first_beat, first_frame) = played.beats[0];
    let start = Segment {
        start_beat: first_beat,
        start_frame: first_frame,
        tempo: Tempo::from_milli_bpm(spec.milli_bpm).unwrap(),
    };
    let change = ScheduleChange {
        at_beat: 6,
        tempo: Some(Tempo::from_milli_bpm(137_500).unwrap()),
        shift_frames: 333,
    };
    let expected = onset_frames(start, &[change], played.beats.len() as u64, RATE);
    let reported: Vec<u64> = played.beats.iter().map(|b| b.1).collect();
    assert_eq!(reported, expected, "the renderer left its schedule");

    // What actually came out of the sink.
    let detected = recording.onsets(3_000, 2_000);
    let n = detected.len().min(expected.len());
    assert!(
        n + 2 >= expected.len(),
        "recorded {} onsets for {} beats played",
        detected.len(),
        expected.len()
    );
    let got = intervals(&detected[..n]);
    let want = intervals(&expected[..n]);
    let mismatches: Vec<(usize, i64, i64)> = got
        .iter()
        .zip(&want)
        .enumerate()
        .filter(|(_, (g, w))| g != w)
        .map(|(i, (g, w))| (i, *g, *w))
        .collect();
    eprintln!(
        "{} intervals compared, {} xruns reported, buffer {} frames, mismatches {:?}",
        got.len(),
        played.xruns,
        played.buffer_frames,
        mismatches
    );
    if mismatches.len() > played.xruns {
        return Err(format!(
            "{mismatches:?}\nrecorded {got:?}\nscheduled {want:?}"
        ));
    }
    // An xrun may cost more than one period when the machine stalls the sound server; such a
    // run is a glitch of the machine, not of the renderer (whose report was exact), and gets
    // the one more run a glitch gets.
    if let Some((i, g, w)) = mismatches
        .iter()
        .find(|(_, g, w)| (g - w).abs() > i64::from(played.buffer_frames))
    {
        return Err(format!(
            "interval {i} off by more than a period ({g} vs {w}) with {} xruns reported",
            played.xruns
        ));
    }
    Ok(())
}

#[test]
fn metronome_reports_a_lost_device_and_recovers_when_it_returns() {
    let _serial = one_at_a_time();
    let mut server = start_server();
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.txt");
    let spec = PlayerSpec {
        milli_bpm: 120_000,
        seconds: 11.0,
        buffer_frames: 512,
        rate_hz: RATE,
        change: None,
    };
    let mut child = spawn_player(&server, &spec, &report);
    std::thread::sleep(Duration::from_millis(2_500));
    server.kill();
    std::thread::sleep(Duration::from_millis(2_500));
    server.restart().expect("restarting pulseaudio");
    let status = child.wait().unwrap();
    assert!(status.success(), "player failed: {status}");
    let played = read_report(&report);
    eprintln!("{}", std::fs::read_to_string(&report).unwrap());
    let lines = &played.lines;
    let lost = lines
        .iter()
        .position(|l| *l == Line::Lost)
        .unwrap_or_else(|| panic!("no device loss reported: {lines:?}"));
    let reopened = lines[lost..]
        .iter()
        .position(|l| *l == Line::Opened)
        .unwrap_or_else(|| panic!("no recovery reported: {lines:?}"));
    let beats_after = lines[lost + reopened..]
        .iter()
        .filter(|l| matches!(l, Line::Beat { .. }))
        .count();
    assert!(beats_after >= 3, "too few beats after recovery: {lines:?}");
    // Beat numbering carries on over the change of stream.
    let numbers: Vec<u64> = played.beats.iter().map(|b| b.0).collect();
    assert!(numbers.windows(2).all(|w| w[1] > w[0]), "{numbers:?}");
}
