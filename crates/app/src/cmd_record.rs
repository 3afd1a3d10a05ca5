//! `entrain record`: raw samples of a patient's BLE sensors to a CSV file, as they arrive.
//!
//! The file is Entrain's raw recording format (`entrain_replay::raw`: placement, the
//! sensor's sample index as `seq`, session time, m/s² and deg/s), so `entrain session --source
//! replay:FILE` can replay it. Rows are written and flushed after every poll: a crash loses at
//! most the samples of the last 20 ms. Link changes, gaps and malformed packets go to stderr.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;
use entrain_ble::central::{Assignment, BleConfig, BleSource, normalise_id, recognise_kinds};
use entrain_gait::{Placement, Side};
use entrain_replay::raw::RAW_HEADER;
use entrain_source::SensorKind;
use entrain_source::{LinkState, SensorId, SensorSource, SourceEvent};

/// Arguments of `entrain record`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The left-foot sensor's address (from `entrain devices`).
    #[arg(long)]
    left: String,
    /// The right-foot sensor's address.
    #[arg(long)]
    right: String,
    /// The lower-back sensor's address, if worn.
    #[arg(long)]
    lower_back: Option<String>,
    /// Stop after this many seconds (default: run until interrupted).
    #[arg(long)]
    seconds: Option<f64>,
    /// The CSV file to write.
    #[arg(long)]
    out: PathBuf,
}

/// Runs `entrain record`.
pub fn run(args: RecordArgs) -> Result<()> {
    let mut assignments = Vec::new();
    for (flag, id, placement) in [
        ("--left", Some(&args.left), Placement::Foot(Side::Left)),
        ("--right", Some(&args.right), Placement::Foot(Side::Right)),
        (
            "--lower-back",
            args.lower_back.as_ref(),
            Placement::LowerBack,
        ),
    ] {
        let Some(id) = id else { continue };
        if normalise_id(id).is_none() {
            bail!(
                "{flag} {id}: not a Bluetooth address (AA:BB:CC:DD:EE:FF; see `entrain devices`)"
            );
        }
        assignments.push(Assignment {
            id: SensorId(id.clone()),
            placement,
            kind: SensorKind::Entrain,
        });
    }
    // Raw counts are an Entrain sensor's: other kinds record through `entrain session`, which
    // keeps every sample with the session.
    let ids: Vec<SensorId> = assignments.iter().map(|a| a.id.clone()).collect();
    let kinds = recognise_kinds(&ids, Duration::from_secs(10)).context("BLE sensors")?;
    for (a, kind) in assignments.iter().zip(kinds) {
        if kind != SensorKind::Entrain {
            bail!(
                "{} is a {}: `entrain record` writes Entrain sensors' raw counts; record it with `entrain session` (its samples are kept with the session)",
                a.id,
                entrain_ble::driver::kind_label(kind)
            );
        }
    }
    if let Some(s) = args.seconds
        && !(s.is_finite() && s > 0.0)
    {
        bail!("--seconds {s}: expected a positive duration");
    }
    let file = File::create(&args.out)
        .with_context(|| format!("--out {}: cannot create the file", args.out.display()))?;
    let mut out = BufWriter::new(file);
    writeln!(out, "{RAW_HEADER}")?;
    out.flush()?;
    let mut config = BleConfig::new(assignments);
    config.keep_raw = true;
    let start = Instant::now();
    let mut source = BleSource::start(config, start)?;
    let until = args.seconds.map(Duration::from_secs_f64);
    let mut events = Vec::new();
    let mut rows = 0u64;
    eprintln!("recording to {} (Ctrl-C to stop)", args.out.display());
    while until.is_none_or(|u| start.elapsed() < u) {
        std::thread::sleep(Duration::from_millis(20));
        events.clear();
        source
            .poll(source.now_nanos(), &mut events)
            .context("BLE sensors")?;
        for e in &events {
            log_event(e);
        }
        for (placement, records) in source.take_raw() {
            for r in records {
                let acc = r.acc.map(|c| r.scale.acc_mps2(c));
                let gyr = r.gyr.map(|c| r.scale.gyr_dps(c));
                writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{}",
                    placement.code(),
                    r.sample_index,
                    r.session_nanos,
                    acc[0],
                    acc[1],
                    acc[2],
                    gyr[0],
                    gyr[1],
                    gyr[2]
                )?;
                rows += 1;
            }
        }
        out.flush()
            .with_context(|| format!("writing {}", args.out.display()))?;
    }
    eprintln!("{rows} samples written to {}", args.out.display());
    for r in source.report() {
        eprintln!(
            "{} {}: {} samples, {} lost in {} packets, {} malformed, {} connection(s), drift {}",
            r.placement.code(),
            r.id,
            r.stats.samples,
            r.stats.lost_samples,
            r.stats.lost_packets,
            r.stats.malformed,
            r.connections,
            r.drift_ppm
                .map_or("unknown".into(), |d| format!("{d:+.0} ppm"))
        );
    }
    Ok(())
}

fn log_event(e: &SourceEvent) {
    let secs = |nanos: i64| nanos as f64 / 1e9;
    match e {
        SourceEvent::Link {
            placement,
            state,
            at_nanos,
        } => {
            let state = match state {
                LinkState::Connected => "connected".to_string(),
                LinkState::Reconnecting => "reconnecting".to_string(),
                LinkState::Lost { reason } => format!("lost: {reason}"),
            };
            eprintln!("{:8.3} s {}: {state}", secs(*at_nanos), placement.code());
        }
        SourceEvent::Gap {
            placement,
            lost_samples,
            from_nanos,
            to_nanos,
        } => eprintln!(
            "{:8.3} s {}: {lost_samples} samples lost until {:.3} s",
            secs(*from_nanos),
            placement.code(),
            secs(*to_nanos)
        ),
        SourceEvent::Malformed { placement, detail } => {
            eprintln!("{}: malformed: {detail}", placement.code());
        }
        SourceEvent::Battery { placement, percent } => {
            eprintln!("{}: battery {percent} %", placement.code());
        }
        _ => {}
    }
}
