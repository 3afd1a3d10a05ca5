//! `entrain simulate`: the whole RAS loop in simulated time, without a person:
//! virtual patient → foot IMU samples → FootDetector per foot → RAS session → beats → the patient hears them.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use entrain_cue::sim::{Trace, Walker, tick};
use entrain_cue::{AdaptationMode, Beat, ProtocolConfig, RasSession, StepEvent};
use entrain_gait::detect::{FootDetector, FootDetectorConfig};
use entrain_gait::sync::summarize;
use entrain_gait::{GaitEvent, GaitEventKind, Placement, Side, StreamingDetector};
use entrain_sensors::virtual_patient::{Preset, VirtualPatient};

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

/// The patient seen through one foot detector per foot (or directly, with `--true-steps`).
struct SimWalker {
    patient: VirtualPatient,
    detectors: Option<[FootDetector; 2]>,
    events: Vec<GaitEvent>,
}

impl Walker for SimWalker {
    fn advance_to(&mut self, now_nanos: i64, steps: &mut Vec<StepEvent>) {
        let (mut samples, mut ics) = (Vec::new(), Vec::new());
        self.patient.advance_to(now_nanos, &mut samples, &mut ics);
        let Some(detectors) = self.detectors.as_mut() else {
            steps.extend(ics.iter().map(|ic| StepEvent {
                time_nanos: ic.time_nanos,
                side: ic.side,
            }));
            return;
        };
        for s in samples {
            let (idx, side) = match s.placement {
                Placement::Foot(Side::Left) => (0, Side::Left),
                Placement::Foot(Side::Right) => (1, Side::Right),
                Placement::LowerBack => continue,
            };
            self.events.clear();
            detectors[idx].push(&s.sample, &mut self.events);
            steps.extend(
                self.events
                    .iter()
                    .filter(|e| e.kind == GaitEventKind::InitialContact)
                    .map(|e| StepEvent {
                        time_nanos: e.event_time_nanos,
                        side: e.side.unwrap_or(side),
                    }),
            );
        }
    }

    fn hear(&mut self, beat: &Beat) {
        self.patient.hear_beat(beat.time_nanos);
    }
}

const SEC: i64 = 1_000_000_000;
const TICK_NANOS: i64 = 10_000_000;

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
    let patient = VirtualPatient::new(preset.config());
    let rate = patient.config().sample_rate_hz;
    let detectors = if args.true_steps {
        None
    } else {
        let make = |side| FootDetector::new(Some(side), FootDetectorConfig::new(rate));
        Some([make(Side::Left), make(Side::Right)].map(|d| d.context("building the foot detector")))
    };
    let detectors = match detectors {
        None => None,
        Some([l, r]) => Some([l?, r?]),
    };
    let mut walker = SimWalker {
        patient,
        detectors,
        events: Vec::new(),
    };
    let mut session = RasSession::new(config, 0).context("protocol configuration")?;
    let until = (args.seconds * 1e9) as i64;
    let mut trace = Trace::default();
    let mut curve = Vec::new();
    let mut now = 0;
    while now <= until && session.run_state() != entrain_cue::RunState::Finished {
        tick(&mut session, &mut walker, now, &mut trace);
        if now % (10 * SEC) == 0 {
            curve.push(sample_curve(&session, &trace, now));
        }
        now += TICK_NANOS;
    }

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
    let truth = walker.patient.true_ics();
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
