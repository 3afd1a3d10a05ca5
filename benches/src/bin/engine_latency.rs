//! Processing time per incoming sample through the whole session engine (`EngineCore`: detector,
//! cadence, RAS session, beat commit, record batch), and the sample-to-beat-schedule latency: the
//! time from a sample entering the engine to the beat schedule being updated, for the samples that
//! complete a step (the step enters the controller and beats are committed in the same call).
//! Audio output latency is not included. Samples are fed one at a time, as a BLE source delivers
//! them, on simulated time.
//!
//! `cargo run --release -p entrain-benches --bin engine_latency [-- TRUONG_DIR TRIAL]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use entrain_engine::{EngineCommand, EngineConfig, EngineCore, EngineOutput};
use entrain_replay::{self as replay, Dataset, ReplaySource};
use entrain_source::{SensorSource, SourceEvent};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[idx]
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets/truong2019_ipol_gait")
    });
    let code = args.next().unwrap_or_else(|| "185-2".into());
    let trials = replay::list_trials(Dataset::Truong, &dir)
        .with_context(|| format!("listing {}", dir.display()))?;
    let trial = trials
        .iter()
        .find(|t| t.code == code)
        .with_context(|| format!("no trial {code}"))?;
    let rec = replay::load_trial(&dir, trial)?;
    let rounds = 20;
    let mut per_sample = Vec::new();
    let mut to_schedule = Vec::new();
    let mut steps = 0usize;
    let mut beats = 0usize;
    for _ in 0..rounds {
        let mut source = ReplaySource::from_recording(&rec);
        let mut events = Vec::new();
        source.poll(i64::MAX, &mut events)?;
        let mut config = EngineConfig::default();
        config.protocol.baseline = entrain_cue::config::UncuedLength::Secs(20.0);
        let mut core = EngineCore::new(config, &source.name(), &source.sensors())?;
        let mut out = EngineOutput::default();
        core.command(0, EngineCommand::Start, &mut out);
        out.clear();
        for e in &events {
            let SourceEvent::Sample { sample, .. } = e else {
                continue;
            };
            let now = sample.time_nanos;
            let t0 = Instant::now();
            core.on_sensor_events(now, std::slice::from_ref(e), &mut out);
            let scheduled = Instant::now();
            for t in core.due_unplayed(now) {
                core.on_beat_played(t, &mut out);
            }
            let dt = t0.elapsed().as_nanos() as f64;
            per_sample.push(dt);
            if !out.steps.is_empty() {
                to_schedule.push((scheduled - t0).as_nanos() as f64);
            }
            steps += out.steps.len();
            beats += out.beats.len();
            out.clear();
        }
    }
    per_sample.sort_by(f64::total_cmp);
    to_schedule.sort_by(f64::total_cmp);
    println!(
        "engine_latency: {} ({} Hz, {} streams, {:.1} s), {rounds} rounds; {} samples, {} steps, {} beats",
        rec.trial,
        rec.sample_rate_hz,
        rec.streams.len(),
        rec.duration_nanos() as f64 / 1e9,
        per_sample.len(),
        steps,
        beats
    );
    println!(
        "per sample through the engine: median {:.2} µs, p99 {:.2} µs, max {:.1} µs",
        percentile(&per_sample, 0.5) / 1e3,
        percentile(&per_sample, 0.99) / 1e3,
        per_sample.last().copied().unwrap_or(f64::NAN) / 1e3
    );
    println!(
        "sample → beat schedule (samples completing a step, n = {}): median {:.2} µs, p99 {:.2} µs, max {:.1} µs",
        to_schedule.len(),
        percentile(&to_schedule, 0.5) / 1e3,
        percentile(&to_schedule, 0.99) / 1e3,
        to_schedule.last().copied().unwrap_or(f64::NAN) / 1e3
    );
    Ok(())
}
