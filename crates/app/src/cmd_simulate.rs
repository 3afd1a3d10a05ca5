//! `entrain simulate`: the whole RAS loop in simulated time, without a person:
//! virtual patient → foot IMU samples → FootDetector per foot → RAS session → beats → the patient hears them.
//! The loop is the engine's ([`entrain_engine::sim::SimulatedSession`] around `EngineCore`); this
//! module only chooses its settings and prints what happened.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use entrain_cue::sim::Trace;
use entrain_cue::{AdaptationMode, ProtocolConfig, RasSession, StepEvent};
use entrain_engine::EngineConfig;
use entrain_engine::sim::{SimulatedSession, StepInput};
use entrain_gait::Side;
use entrain_gait::sync::summarize;
use entrain_sim::{Preset, VirtualPatient};

/// Which protocol to simulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimProtocol {
    /// The RAS session: baseline, matched cue, progression, fading, re-test.
    Ras,
}

/// Tempo adaptation mode, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimAdaptation {
    /// Fixed tempo.
    Fixed,
    /// Phase correction, α = 0.3.
    Phase,
    /// Phase + period correction, α = 0.3, β = 0.1.
    PhasePeriod,
    /// Coupled oscillator (Kuramoto), K = 0.12.
    Kuramoto,
}

/// Arguments of `entrain simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Protocol to run.
    #[arg(long, value_enum, default_value = "ras")]
    protocol: SimProtocol,
    /// Virtual patient preset: entrains, limited, asymmetric, stops, healthy.
    #[arg(long, default_value = "entrains")]
    patient: String,
    /// Longest simulated time, s (the run ends earlier when the session is done).
    #[arg(long, default_value_t = 600.0)]
    seconds: f64,
    /// Tempo adaptation mode.
    #[arg(long, value_enum, default_value = "phase")]
    adaptation: SimAdaptation,
    /// Use the patient's true ICs instead of the foot detector.
    #[arg(long)]
    true_steps: bool,
    /// Write one row per beat and per step to this CSV file.
    #[arg(long)]
    csv: Option<PathBuf>,
}

const SEC: i64 = 1_000_000_000;

/// Runs `entrain simulate`.
pub fn run(args: SimulateArgs) -> Result<()> {
    let SimProtocol::Ras = args.protocol;
    let Some(preset) = Preset::from_name(&args.patient) else {
        let names: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).collect();
        bail!(
            "unknown patient preset '{}'; choose one of: {}",
            args.patient,
            names.join(", ")
        );
    };
    if !(args.seconds.is_finite() && args.seconds > 0.0) {
        bail!("--seconds must be a positive number, got {}", args.seconds);
    }
    let config = ProtocolConfig {
        adaptation: match args.adaptation {
            SimAdaptation::Fixed => AdaptationMode::Fixed,
            SimAdaptation::Phase => AdaptationMode::phase_default(),
            SimAdaptation::PhasePeriod => AdaptationMode::phase_period_default(),
            SimAdaptation::Kuramoto => AdaptationMode::kuramoto_default(),
        },
        ..ProtocolConfig::default()
    };
    let engine_config = EngineConfig {
        protocol: config,
        // Nothing here reads the raw samples back: keeping them would only cost memory.
        record_raw: false,
        ..EngineConfig::default()
    };
    let input = if args.true_steps {
        StepInput::TrueContacts
    } else {
        StepInput::Detected
    };
    let mut sim = SimulatedSession::new(
        engine_config,
        VirtualPatient::new(preset.config()),
        preset.name(),
        input,
    )
    .context("starting the simulated session")?;
    let until = (args.seconds * 1e9) as i64;
    let mut trace = Trace::default();
    let mut curve = Vec::new();
    sim.run(until, |now, core, out| -> Result<()> {
        trace.steps.extend(out.steps.iter().map(|s| StepEvent {
            time_nanos: s.time_nanos,
            side: s.side,
        }));
        trace.beats.extend_from_slice(&out.beats);
        if now % (10 * SEC) == 0 {
            let session = core
                .session()
                .context("the simulated session did not start")?;
            curve.push(sample_curve(session, &trace, now));
        }
        Ok(())
    })?;
    let session = sim
        .core()
        .session()
        .context("the simulated session did not start")?;

    println!(
        "entrain simulate --protocol ras --patient {} ({} adaptation, {} steps)\n",
        preset.name(),
        session.config().adaptation.name(),
        if args.true_steps { "true" } else { "detected" }
    );
    println!("Event log");
    for e in session.log() {
        println!("  {e}");
    }
    println!("\nTempo curve and entrainment (every 10 s; window = the last 16 steps)");
    println!(
        "  {:>6}  {:<20} {:>8} {:>8} {:>9} {:>5} {:>8} {:>8}",
        "t s", "phase", "target", "beat", "cadence", "R", "asyn ms", "match %"
    );
    for row in &curve {
        println!("  {row}");
    }
    let truth = sim.patient().true_ics();
    let matched = truth
        .iter()
        .filter(|t| {
            trace
                .steps
                .iter()
                .any(|s| s.side == t.side && (s.time_nanos - t.time_nanos).abs() < 60_000_000)
        })
        .count();
    println!(
        "\nSteps: {} true ICs, {} reported to the session, {} matched within 60 ms",
        truth.len(),
        trace.steps.len(),
        matched
    );
    if let (Some(b), Some(r)) = (session.baseline(), session.retest()) {
        println!(
            "Baseline {:.1} → re-test {:.1} steps/min (uncued, {:+.1} %)",
            b.cadence_spm,
            r.cadence_spm,
            100.0 * (r.cadence_spm / b.cadence_spm - 1.0)
        );
    }
    if let Some(path) = &args.csv {
        write_csv(path, &trace).with_context(|| format!("writing {}", path.display()))?;
        println!("Wrote {}", path.display());
    }
    Ok(())
}

fn sample_curve(session: &RasSession, trace: &Trace, now: i64) -> String {
    let ics: Vec<i64> = trace
        .steps
        .iter()
        .rev()
        .take(16)
        .rev()
        .map(|s| s.time_nanos)
        .collect();
    // Only steps with a beat within half an interval: silent fading gaps and uncued walking have none.
    let half_interval = session.current_tempo_spm().map_or(0, |t| (30e9 / t) as i64);
    let beats = session.beats_nanos();
    let cued_ics: Vec<i64> = ics
        .iter()
        .copied()
        .filter(|&ic| {
            entrain_gait::sync::asynchrony_nanos(ic, beats)
                .is_some_and(|a| a.abs() <= half_interval)
        })
        .collect();
    let recent_beats: Vec<i64> = session
        .beats_nanos()
        .iter()
        .copied()
        .filter(|&b| b >= now - 20 * SEC)
        .collect();
    let sync = summarize(&cued_ics, &recent_beats)
        .filter(|_| cued_ics.len() >= 8 && cued_ics.first().is_some_and(|&f| f >= now - 20 * SEC));
    let cadence = match ics.as_slice() {
        [first, .., last] if *first >= now - 20 * SEC => {
            60e9 * (ics.len() - 1) as f64 / (last - first) as f64
        }
        _ => f64::NAN,
    };
    let opt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1}"));
    let paused = match session.run_state() {
        entrain_cue::RunState::Paused(_) => " (paused)",
        _ => "",
    };
    format!(
        "{:>6.0}  {:<20} {:>8} {:>8} {:>9.1} {:>5} {:>8} {:>8}",
        now as f64 / 1e9,
        format!("{}{}", session.phase(), paused),
        opt(session
            .target_tempo_spm()
            .filter(|_| session.phase().is_cued())),
        opt(session
            .current_tempo_spm()
            .filter(|_| session.phase().is_cued())),
        cadence,
        sync.map_or("-".into(), |s| format!("{:.2}", s.resultant_length)),
        sync.map_or("-".into(), |s| format!("{:+.0}", s.mean_asynchrony_ms)),
        opt(sync.and_then(|s| s.period_match_percent)),
    )
}

fn write_csv(path: &PathBuf, trace: &Trace) -> Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    writeln!(out, "time_s,kind,side,tempo_spm,target_spm,volume")?;
    let mut rows: Vec<(i64, String)> = Vec::new();
    for b in &trace.beats {
        rows.push((
            b.time_nanos,
            format!(
                "{:.4},beat,,{:.3},{:.3},{:.2}",
                b.time_nanos as f64 / 1e9,
                b.tempo_spm,
                b.target_spm,
                b.volume
            ),
        ));
    }
    for s in &trace.steps {
        let side = match s.side {
            Side::Left => "L",
            Side::Right => "R",
        };
        rows.push((
            s.time_nanos,
            format!("{:.4},ic,{side},,,", s.time_nanos as f64 / 1e9),
        ));
    }
    rows.sort_by_key(|r| r.0);
    for (_, row) in rows {
        writeln!(out, "{row}")?;
    }
    out.flush()?;
    Ok(())
}
