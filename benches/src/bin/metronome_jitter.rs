//! Metronome timing, side by side: Entrain's sample-accurate metronome against a naive
//! `thread::sleep` metronome, both played through cpal's ALSA host into a private PulseAudio null
//! sink and recorded from its monitor with `parec`; onsets found by an energy threshold on the
//! recording. Reports inter-onset jitter (deviation from the scheduled interval) in samples and ms.
//!
//! Run: `cargo run --release -p entrain-benches --bin metronome_jitter -- [seconds] [bpm]`
//! (needs pulseaudio, pulseaudio-utils, libasound2-plugins: scripts/install-deps.sh).

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use entrain_audio::{SoundBank, SoundId, Tempo};
use entrain_tests::pulse::PulseServer;
use entrain_tests::pulse::player::{self, PlayerSpec};

const RATE: u32 = 48_000;
const BUFFER_FRAMES: u32 = 512;
const ROLE_ENV: &str = "ENTRAIN_JITTER_ROLE";

fn main() -> Result<()> {
    if let Ok(role) = std::env::var(ROLE_ENV) {
        return child(&role);
    }
    let mut args = std::env::args().skip(1);
    let seconds: f64 = args
        .next()
        .map_or(Ok(30.0), |s| s.parse())
        .context("seconds")?;
    let bpm: f64 = args
        .next()
        .map_or(Ok(120.0), |s| s.parse())
        .context("bpm")?;
    let tempo = Tempo::from_bpm(bpm)?;
    let server = PulseServer::start(RATE).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "metronome jitter: {bpm} beats/min, {seconds} s each, {RATE} Hz, buffer {BUFFER_FRAMES} frames asked, \
         through ALSA -> PulseAudio null sink -> parec"
    );
    println!(
        "| metronome | beats | interval SD (samples) | max |dev| (samples) | SD (ms) | max |dev| (ms) |"
    );
    println!("|---|---|---|---|---|---|");
    for role in ["entrain", "naive-sleep"] {
        let stats = measure(&server, role, tempo, seconds)?;
        println!(
            "| {role} | {} | {:.2} | {} | {:.3} | {:.3} |",
            stats.beats,
            stats.sd_samples,
            stats.max_abs_samples,
            stats.sd_samples * 1000.0 / f64::from(RATE),
            stats.max_abs_samples as f64 * 1000.0 / f64::from(RATE),
        );
    }
    Ok(())
}

struct Stats {
    beats: usize,
    sd_samples: f64,
    max_abs_samples: i64,
}

fn measure(server: &PulseServer, role: &str, tempo: Tempo, seconds: f64) -> Result<Stats> {
    let dir = tempfile::tempdir()?;
    let report = dir.path().join("report.txt");
    let recorder = server.record(role).map_err(|e| anyhow::anyhow!("{e}"))?;
    let spec = PlayerSpec {
        milli_bpm: tempo.milli_bpm(),
        seconds,
        buffer_frames: BUFFER_FRAMES,
        rate_hz: RATE,
        change: None,
    };
    let mut command = Command::new(std::env::current_exe()?);
    command
        .env(ROLE_ENV, role)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    server.configure(&mut command);
    command.envs(spec.env(&report));
    let status = command.status()?;
    if !status.success() {
        bail!("{role} player failed: {status}");
    }
    std::thread::sleep(Duration::from_millis(300));
    let recording = recorder.finish().map_err(|e| anyhow::anyhow!("{e}"))?;
    let onsets = recording.onsets(3_000, 2_000);
    if onsets.len() < 3 {
        bail!("{role}: only {} onsets recorded", onsets.len());
    }
    // Deviation of each inter-onset interval from the scheduled one. Intervals are compared with
    // the exact schedule (n · rate · 60 / bpm rounded), so a perfect metronome scores 0.
    let deviations: Vec<i64> = onsets
        .windows(2)
        .enumerate()
        .map(|(i, w)| {
            let k = i as u64;
            let scheduled = tempo.frames_for_beats(k + 1, RATE) - tempo.frames_for_beats(k, RATE);
            i64::try_from(w[1] - w[0]).unwrap_or(i64::MAX) - i64::try_from(scheduled).unwrap_or(0)
        })
        .collect();
    let n = deviations.len() as f64;
    let mean = deviations.iter().sum::<i64>() as f64 / n;
    let var = deviations
        .iter()
        .map(|d| (*d as f64 - mean).powi(2))
        .sum::<f64>()
        / n;
    Ok(Stats {
        beats: onsets.len(),
        sd_samples: var.sqrt(),
        max_abs_samples: deviations.iter().map(|d| d.abs()).max().unwrap_or(0),
    })
}

fn child(role: &str) -> Result<()> {
    let (spec, report) = PlayerSpec::from_env().context("player spec")?;
    match role {
        "entrain" => player::run(&spec, &report).map_err(|e| anyhow::anyhow!(e)),
        _ => naive(&spec),
    }
}

/// The naive metronome: a thread sleeps one beat period at a time and raises a flag; the audio
/// callback starts the click at the start of the first buffer after the flag. What a metronome
/// built on timers rather than on the audio frame count does.
fn naive(spec: &PlayerSpec) -> Result<()> {
    let host = cpal::default_host();
    let device = host.default_output_device().context("no output device")?;
    let config = cpal::StreamConfig {
        channels: 2,
        sample_rate: spec.rate_hz,
        buffer_size: cpal::BufferSize::Fixed(spec.buffer_frames),
    };
    let click: Vec<f32> = SoundBank::new(spec.rate_hz)
        .samples(SoundId::Click)
        .to_vec();
    let trigger = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&trigger);
    let mut position = usize::MAX;
    let stream = device.build_output_stream(
        config,
        move |out: &mut [f32], _: &cpal::OutputCallbackInfo| {
            if flag.swap(false, Ordering::AcqRel) {
                position = 0;
            }
            for frame in out.chunks_exact_mut(2) {
                let s = click.get(position).copied().unwrap_or(0.0);
                frame[0] = s;
                frame[1] = s;
                position = position.saturating_add(1);
            }
        },
        |_| {},
        None,
    )?;
    stream.play()?;
    let period = Duration::from_secs_f64(60_000.0 / f64::from(spec.milli_bpm));
    let end = Instant::now() + Duration::from_secs_f64(spec.seconds);
    std::thread::sleep(Duration::from_millis(300));
    while Instant::now() < end {
        trigger.store(true, Ordering::Release);
        std::thread::sleep(period);
    }
    Ok(())
}
