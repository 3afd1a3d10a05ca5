//! `entrain session`: one RAS session from a sensor source through the engine, recorded.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, ValueEnum};
use entrain_engine::runtime::{self, AudioOutput, Clock, EngineEvent, Recording, RuntimeConfig};
use entrain_engine::{EngineCommand, EngineConfig, fmt_secs, open_source};
use entrain_source::{BleSensor, SensorId, SensorKind, SourceSpec};
use entrain_store::Store;

/// The protocol to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SessionProtocol {
    /// RAS: baseline, matched cue, progression, functional, fading, re-test.
    Ras,
}

/// Arguments of `entrain session`.
#[derive(Debug, Args)]
pub struct SessionArgs {
    /// Sensor source: `sim[:PRESET]` (virtual patient), `replay:FILE` (our raw CSV),
    /// `replay:DATASET:DIR:TRIAL` (a public data-set trial), `ble` (the sensors assigned to
    /// --patient: `entrain assign`), or `ble:LEFT,RIGHT[,LOWER_BACK]` (sensor ids from
    /// `entrain devices`).
    #[arg(long)]
    source: String,
    /// Protocol.
    #[arg(long, value_enum, default_value = "ras")]
    protocol: SessionProtocol,
    /// Database file (default: the user's data folder).
    #[arg(long)]
    pub(crate) db: Option<PathBuf>,
    /// No sound: a visual cue only.
    #[arg(long)]
    no_audio: bool,
    /// Run on simulated time, as fast as possible (implies --no-audio).
    #[arg(long)]
    fast: bool,
    /// The patient's pseudonymous code (must exist: `entrain patients --add`).
    #[arg(long)]
    patient: Option<String>,
    /// End the session after this many seconds of session time.
    #[arg(long)]
    seconds: Option<f64>,
    /// Baseline length, s (the protocol's default otherwise).
    #[arg(long)]
    baseline_secs: Option<f64>,
    /// Do not print every step and beat.
    #[arg(long)]
    quiet: bool,
    /// Cue with music: a built-in track (`entrain music list`), looped to cover the session, or
    /// an audio file (the library's beats and confirmed tempo when it is imported, else analysed
    /// now); `playlist:NAME` (the patient's own playlist of that name, else a shared one) or
    /// `patient` (the patient's liked tracks, then the rest of the library, never a disliked
    /// one): the first track is the one closest to the target tempo, and the session may switch
    /// to the others. A track that cannot be loaded leaves the session cued by clicks, and says
    /// so; a playlist with nothing playable is refused before the session starts.
    #[arg(long)]
    music: Option<String>,
    /// With --music, what sounds: `music`, `music+click` (a click on every beat, accented on
    /// downbeats) or `click`.
    #[arg(long, default_value = "music", requires = "music")]
    overlay: String,
    /// With --music and `--overlay music+click`, the click's level within the music, 0..=1.
    #[arg(long, default_value_t = 0.5, requires = "music")]
    click_level: f32,
    /// How the cue fades in the fading phase: `on-off` (16 beats heard, 16 silent), `volume`
    /// (lowered to nothing), `drop-bars` (4 bars heard, 4 silent, music and click, in the
    /// track's meter), or `pulse-only` (the music goes, the click pulse alone stays).
    #[arg(long, value_enum, default_value = "on-off")]
    fade: FadeMode,
    /// How the beat adapts to the steps: `fixed`, `phase` (phase correction, α 0.3),
    /// `phase+period`, or `kuramoto` (a coupled oscillator pulled by the steps, K 0.12, its
    /// frequency within ±5 % of the target and each beat within ±20 %).
    #[arg(long, default_value = "phase", value_parser = parse_adaptation)]
    adaptation: entrain_cue::AdaptationMode,
}

/// `--fade`: the protocol's fading schedules by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FadeMode {
    /// Blocks of 16 beats heard, 16 silent.
    OnOff,
    /// The cue lowered linearly to nothing.
    Volume,
    /// Whole bars dropped: 4 heard, 4 silent (music and click).
    DropBars,
    /// The music silent, the click pulse alone.
    PulseOnly,
}

impl FadeMode {
    fn schedule(self) -> entrain_cue::FadeSchedule {
        use entrain_cue::FadeSchedule;
        match self {
            FadeMode::OnOff => FadeSchedule::default(),
            FadeMode::Volume => FadeSchedule::Volume { from: 1.0, to: 0.0 },
            FadeMode::DropBars => FadeSchedule::DropBars {
                on_bars: 4,
                off_bars: 4,
            },
            FadeMode::PulseOnly => FadeSchedule::PulseOnly,
        }
    }
}

/// `--adaptation NAME`: the adaptation modes by their names (`AdaptationMode::name`), with
/// their defaults.
fn parse_adaptation(name: &str) -> Result<entrain_cue::AdaptationMode, String> {
    use entrain_cue::AdaptationMode;
    [
        AdaptationMode::Fixed,
        AdaptationMode::phase_default(),
        AdaptationMode::phase_period_default(),
        AdaptationMode::kuramoto_default(),
    ]
    .into_iter()
    .find(|m| m.name() == name)
    .ok_or_else(|| format!("{name}: expected fixed, phase, phase+period or kuramoto"))
}

/// How long a built-in is looped to without --seconds: longer than any protocol's session.
const MUSIC_DEFAULT_SECS: f64 = 3.0 * 3600.0;

/// `--music` as the runtime takes it: the first track (or why it cannot be played: then said on
/// standard error, and the session is cued by clicks) and, for a playlist or the patient's
/// music, the tracks the session may switch to.
fn session_music(
    args: &SessionArgs,
    db: &Path,
    patient_id: Option<i64>,
    protocol: &entrain_cue::config::ProtocolConfig,
) -> Result<Option<runtime::SessionMusic>> {
    let Some(name) = &args.music else {
        return Ok(None);
    };
    if args.no_audio && !args.fast {
        eprintln!("--music {name}: not played with --no-audio (a visual cue only)");
        return Ok(None);
    }
    let overlay = crate::cmd_music::parse_overlay(&args.overlay, args.click_level)?;
    crate::session_music::session_music(&crate::session_music::MusicRequest {
        given: name,
        overlay,
        db,
        patient_id,
        protocol,
        min_secs: args.seconds.unwrap_or(MUSIC_DEFAULT_SECS),
    })
    .map(Some)
}

/// `--db` (which `--data-dir` fills in when it is not given, see `Cli::run`), else the default
/// record, the window's. An older command-line record left beside it is named, never read instead.
pub fn db_path(db: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = db {
        return Ok(p.to_path_buf());
    }
    let path = entrain_store::default_db_path()
        .context("no data folder for this user: give the database with --db FILE")?;
    let legacy = path.with_file_name(entrain_store::LEGACY_DATABASE_FILE);
    if legacy.is_file() {
        tracing::warn!(
            "an older command-line record is at {}; this uses the window's record {} (read the older one with --db {})",
            legacy.display(),
            path.display(),
            legacy.display()
        );
    }
    Ok(path)
}

/// What each line on standard input does (one place: the doc below and the hint share it).
const COMMANDS_HINT: &str = "commands: p pause, r resume, t stop after a short re-test, s stop now (no re-test), n next phase, +N/-N tempo, m TEXT mark";

/// Reads clinician commands from standard input, one per line: `p` pause, `r` resume, `t` stop
/// after a short re-test, `s` stop now, `n` next phase, `+N` / `-N` nudge the tempo, `m TEXT`
/// mark.
fn parse_command(line: &str) -> Option<EngineCommand> {
    let line = line.trim();
    let (head, rest) = line.split_at(line.chars().next().map_or(0, char::len_utf8));
    match head {
        "p" => Some(EngineCommand::Pause),
        "r" => Some(EngineCommand::Resume),
        "s" => Some(EngineCommand::Stop),
        "t" => Some(EngineCommand::StopAfterRetest),
        "n" => Some(EngineCommand::NextPhase),
        "m" => Some(EngineCommand::Mark {
            label: rest.trim().to_string(),
        }),
        "+" | "-" => line
            .parse::<f64>()
            .ok()
            .map(|delta_spm| EngineCommand::NudgeTempo { delta_spm }),
        _ => None,
    }
}

/// Runs `entrain session`.
pub fn run(args: SessionArgs) -> Result<()> {
    let SessionProtocol::Ras = args.protocol;
    if let Some(s) = args.seconds
        && !(s.is_finite() && s > 0.0)
    {
        bail!("--seconds must be a positive number, got {s}");
    }
    let until_nanos = args.seconds.map(|s| (s * 1e9) as i64);
    // One line each (the reasons already name the file and what is wrong in it).
    let mut spec: SourceSpec = args
        .source
        .parse()
        .map_err(|e| anyhow!("--source {}: {e}", args.source))?;
    if args.fast && spec.needs_real_time() {
        bail!("--fast runs on simulated time; real sensors need real time: drop --fast");
    }
    let db = db_path(args.db.as_deref())?;
    let patient_id = match &args.patient {
        Some(code) => {
            let store = Store::open(&db)?;
            let p = store.patient_by_code(code)?.with_context(|| {
                format!("--patient {code}: no such patient in {}", db.display())
            })?;
            if spec == SourceSpec::BleAssigned {
                spec = assigned_sensors(&store, &p)?;
                eprintln!("--source ble: patient {code}'s sensors {spec}");
            }
            Some(p.id)
        }
        None => {
            eprintln!(
                "no --patient: the session is stored without a patient (give --patient CODE to file it under one)"
            );
            None
        }
    };
    let mut engine = EngineConfig::default();
    if let Some(b) = args.baseline_secs {
        engine.protocol.baseline = entrain_cue::config::UncuedLength::Secs(b);
    }
    engine.protocol.fade = args.fade.schedule();
    engine.protocol.adaptation = args.adaptation;
    let music = session_music(&args, &db, patient_id, &engine.protocol)?;
    let origin = Instant::now();
    let source = open_source(&spec, until_nanos, origin)
        .map_err(|e| anyhow!("--source {}: {e}", args.source))?;
    let config = RuntimeConfig {
        engine,
        clock: if args.fast {
            Clock::Simulated
        } else {
            Clock::RealTime { origin }
        },
        tick_nanos: if args.fast { 10_000_000 } else { 5_000_000 },
        audio: if args.no_audio || args.fast {
            AudioOutput::Off
        } else {
            AudioOutput::Device(entrain_audio::MetronomeConfig::default())
        },
        music,
        recording: Some(Recording {
            db_path: db.clone(),
            patient_id,
            source_label: args.source.clone(),
        }),
        max_nanos: until_nanos,
        auto_start: true,
    };
    println!(
        "entrain session --source {} ({}) → {}",
        args.source,
        source.name(),
        db.display()
    );
    let handle = runtime::start(config, source)?;
    let stopper = handle.stopper();
    crate::signals::on_stop_signals(move |name| {
        eprintln!("{name}: stopping the session (what was recorded is kept)");
        stopper.stop(runtime::stopped_by_signal(name));
    })?;
    if !args.fast {
        let commands = handle_commands(&handle);
        std::thread::spawn(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                match parse_command(&line) {
                    Some(c) => {
                        if commands.send(c).is_err() {
                            break;
                        }
                    }
                    None => eprintln!("{COMMANDS_HINT}"),
                }
            }
        });
    }
    for event in handle.events().iter() {
        match event {
            EngineEvent::Recording { session_id } => println!("recording session {session_id}"),
            EngineEvent::Step(s) if !args.quiet => println!(
                "step {} {} (detected {})",
                fmt_secs(s.time_nanos),
                s.side.as_str(),
                fmt_secs(s.detected_at_nanos)
            ),
            EngineEvent::Beat {
                time_nanos,
                tempo_spm,
            } if !args.quiet => println!("beat {} {tempo_spm:.1} steps/min", fmt_secs(time_nanos)),
            EngineEvent::Notice(n) => println!("note {n}"),
            EngineEvent::Flushed {
                up_to_nanos,
                steps_stored,
            } if !args.quiet => println!(
                "stored up to {} ({steps_stored} steps)",
                fmt_secs(up_to_nanos)
            ),
            _ => {}
        }
    }
    let summary = handle.join()?;
    let s = &summary.snapshot;
    println!(
        "session {} {}: {} at {} (phase {}, {} steps, {} beats)",
        summary.session_id.map_or("-".into(), |i| i.to_string()),
        summary.status.as_str(),
        summary.reason,
        fmt_secs(summary.end_nanos),
        s.phase,
        s.steps_total,
        s.beats_total
    );
    if let Some(e) = summary.store_error {
        bail!("the session ran but part of it could not be recorded: {e}");
    }
    Ok(())
}

/// A sender of commands for the stdin thread.
fn handle_commands(handle: &runtime::EngineHandle) -> std::sync::mpsc::Sender<EngineCommand> {
    handle.command_sender()
}

/// The BLE sensors the record assigns to `patient` (`entrain assign`, the Sensors screen), as a
/// source; virtual sensors assigned in the window are not BLE and are left out.
fn assigned_sensors(store: &Store, patient: &entrain_store::PatientRecord) -> Result<SourceSpec> {
    let mut sensors = Vec::new();
    for a in store.sensor_assignments(patient.id)? {
        if a.kind == entrain_store::VIRTUAL_SENSOR_KIND {
            continue;
        }
        // Records from before the kinds were kept: recognised when the session opens.
        let kind = match a.kind.as_str() {
            entrain_store::UNKNOWN_BLE_SENSOR_KIND => None,
            code => Some(code.parse::<SensorKind>().with_context(|| {
                format!(
                    "patient {}'s {} sensor {}",
                    patient.code, a.placement, a.sensor_key
                )
            })?),
        };
        sensors.push(BleSensor {
            id: SensorId(a.sensor_key),
            placement: a.placement,
            kind,
        });
    }
    let feet = sensors
        .iter()
        .filter(|s| matches!(s.placement, entrain_gait::Placement::Foot(_)))
        .count();
    if feet < 2 {
        bail!(
            "--source ble: patient {} has {} foot sensor(s) assigned, 2 needed: run `entrain assign --patient {}`",
            patient.code,
            feet,
            patient.code
        );
    }
    Ok(SourceSpec::Ble(sensors))
}
