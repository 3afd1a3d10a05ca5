//! CPU of the music stretch path, as a share of one core: 60 s of a synthesised stereo track
//! (drums and a chord, 100 beats/min) stretched along a schedule that ramps 100 → 115 beats/min,
//! through the live path's worker and callback (offline, one thread, timed apart).
//! `cargo run --release -p entrain-audio --example music_stretch_cpu [SECONDS]`
#![allow(missing_docs)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use entrain_audio::wav::tempo_ramp;
use entrain_audio::{
    AudioCallback, CallbackState, Command, MusicShared, MusicTrack, Overlay, Renderer, Tempo,
    music_parts,
};

const RATE: u32 = 48_000;

fn track(seconds: f64) -> MusicTrack {
    let frames = (seconds * f64::from(RATE)) as usize;
    let tau = std::f64::consts::TAU;
    let period = 0.6;
    let mut samples = Vec::with_capacity(2 * frames);
    for i in 0..frames {
        let t = i as f64 / f64::from(RATE);
        let since_beat = t % period;
        let hit = (-since_beat / 0.05).exp() * (tau * 90.0 * since_beat).sin() * 0.4;
        let chord: f64 = [220.0, 277.2, 329.6]
            .iter()
            .map(|f| (tau * f * t).sin() * 0.08)
            .sum();
        samples.push((hit + chord) as f32);
        samples.push((0.8 * hit + chord) as f32);
    }
    let beats: Vec<f64> = (0..(seconds / period) as usize)
        .map(|k| k as f64 * period)
        .collect();
    MusicTrack {
        rate_hz: RATE,
        channels: 2,
        samples: samples.into(),
        downbeats_secs: beats.iter().step_by(4).copied().collect(),
        beats_secs: beats,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seconds: f64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(60.0);
    let track = track(seconds * 1.2 + 5.0);
    let start = Tempo::from_bpm(100.0)?;
    let changes = tempo_ramp(start, Tempo::from_bpm(115.0)?, seconds, 0, RATE)?;
    let mut renderer = Renderer::new(RATE, 2);
    renderer.apply(Command::Start {
        at_frame: 0,
        tempo: start,
    })?;
    let (mut commands, command_rx) = rtrb::RingBuffer::new(256);
    let (telemetry_tx, mut telemetry) = rtrb::RingBuffer::new(8192);
    let state = CallbackState::new(renderer, command_rx, telemetry_tx);
    let shared = Arc::new(MusicShared::new());
    let overlay = Overlay::MusicWithClick {
        click_level: 0.5,
        offbeat_level: 0.6,
    };
    let (mut callback, mut worker) =
        music_parts(&track, state, overlay, 0.8, 4_096, Arc::clone(&shared))?;
    let mut buffer = vec![0.0f32; 2 * 512];
    let total = (seconds * f64::from(RATE)) as u64;
    let (mut worker_time, mut callback_time) = (Duration::ZERO, Duration::ZERO);
    let mut pending = changes.iter().peekable();
    let mut next_beat = 0u64;
    let mut done = 0u64;
    while done < total {
        while let Some(c) = pending.next_if(|c| c.at_beat <= next_beat + 4) {
            if commands.push(Command::Change(*c)).is_err() {
                return Err("command queue full".into());
            }
        }
        let began = Instant::now();
        worker.fill_ring();
        worker_time += began.elapsed();
        let began = Instant::now();
        callback.process_f32(&mut buffer, 0, 0);
        callback_time += began.elapsed();
        while let Ok(item) = telemetry.pop() {
            if let entrain_audio::Telemetry::Beat(b) = item {
                next_beat = b.beat + 1;
            }
        }
        done += 512;
    }
    let audio = seconds;
    println!(
        "{seconds} s of stereo music at {RATE} Hz, 100 → 115 beats/min, {} beats",
        next_beat
    );
    println!(
        "worker (stretch path): {:.3} s = {:.2} % of one core",
        worker_time.as_secs_f64(),
        100.0 * worker_time.as_secs_f64() / audio
    );
    println!(
        "callback (clicks + mix): {:.3} s = {:.3} % of one core",
        callback_time.as_secs_f64(),
        100.0 * callback_time.as_secs_f64() / audio
    );
    println!(
        "plan lead (stretcher output latency): {} frames; underruns {}",
        worker.engine().plan_lead_frames(),
        shared.underruns()
    );
    Ok(())
}
