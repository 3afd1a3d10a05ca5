//! `entrain click`: plays a metronome on the output device, or renders it to a WAV file.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use entrain_audio::{
    Command, CueStyle, Metronome, MetronomeConfig, MetronomeEvent, OutputOptions, SoundId, Tempo,
    wav,
};

/// Arguments of `entrain click`.
#[derive(Debug, Args)]
pub struct ClickArgs {
    /// Tempo in beats (steps) per minute.
    #[arg(long)]
    bpm: f64,
    /// How long to play, in seconds.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Sound: click, woodblock, beep or drum.
    #[arg(long, default_value = "click")]
    sound: String,
    /// Render to this WAV file instead of playing.
    #[arg(long)]
    wav: Option<PathBuf>,
    /// Accent every n-th beat (0: no accents).
    #[arg(long, default_value_t = 0)]
    accent_every: u32,
    /// Move left-foot beats left and right-foot beats right (0 = centre … 1 = one ear).
    #[arg(long, default_value_t = 0.0)]
    pan: f32,
    /// Volume, 0..=1.
    #[arg(long, default_value_t = 1.0)]
    volume: f32,
    /// Output device name (default: the system's default device).
    #[arg(long)]
    device: Option<String>,
    /// Frames per audio callback to ask the device for.
    #[arg(long, default_value_t = 512)]
    buffer_frames: u32,
    /// Sample rate to ask for (and of the WAV file).
    #[arg(long, default_value_t = 48_000)]
    sample_rate: u32,
    /// Print every beat with its time on the session clock.
    #[arg(long)]
    verbose: bool,
}

/// Runs `entrain click`.
pub fn run(args: ClickArgs) -> Result<()> {
    let tempo = Tempo::from_bpm(args.bpm).context("--bpm")?;
    let sound: SoundId = args.sound.parse().context("--sound")?;
    let style = CueStyle {
        accent_every_beats: args.accent_every,
        pan: args.pan,
        ..CueStyle::plain(sound)
    };
    style.validate().context("--pan")?;
    let rates = entrain_audio::wav::SAMPLE_RATES_HZ;
    anyhow::ensure!(
        rates.contains(&args.sample_rate),
        "--sample-rate must be within {}..={} Hz, got {}",
        rates.start(),
        rates.end(),
        args.sample_rate
    );
    anyhow::ensure!(
        args.seconds.is_finite() && args.seconds >= 0.0,
        "--seconds must be a number of seconds ≥ 0, got {}",
        args.seconds
    );
    anyhow::ensure!(
        (0.0..=1.0).contains(&args.volume),
        "--volume must be within 0..=1, got {}",
        args.volume
    );
    match &args.wav {
        Some(path) => render_wav(&args, path, tempo, style),
        None => play(&args, tempo, style),
    }
}

fn render_wav(
    args: &ClickArgs,
    path: &std::path::Path,
    tempo: Tempo,
    style: CueStyle,
) -> Result<()> {
    let request = wav::WavRequest {
        tempo,
        seconds: args.seconds,
        sample_rate_hz: args.sample_rate,
        channels: 2,
        first_beat_frame: 0,
        style,
        volume: args.volume,
    };
    let beats = wav::render_to_wav(path, &request).context("--wav")?;
    println!(
        "wrote {} ({} beats at {} beats/min, {} Hz, {:.1} s)",
        path.display(),
        beats.len(),
        tempo.bpm(),
        args.sample_rate,
        args.seconds
    );
    Ok(())
}

fn play(args: &ClickArgs, tempo: Tempo, style: CueStyle) -> Result<()> {
    let session_origin = Instant::now();
    let config = MetronomeConfig {
        output: OutputOptions {
            device_name: args.device.clone(),
            buffer_frames: Some(args.buffer_frames),
            sample_rate_hz: args.sample_rate,
        },
        ..MetronomeConfig::default()
    };
    let mut metronome = Metronome::new(config, session_origin);
    metronome.send(Command::SetStyle(style))?;
    metronome.send(Command::SetVolume(args.volume))?;
    metronome.start(tempo);

    let period = Duration::from_secs_f64(60.0 / tempo.bpm());
    let end = session_origin + Duration::from_secs_f64(args.seconds.max(0.0));
    let mut next_visual = Instant::now() + period;
    let (mut beats, mut xruns) = (0u64, 0u64);
    while Instant::now() < end {
        for event in metronome.poll() {
            match event {
                MetronomeEvent::Opened(granted) => println!(
                    "playing on '{}': {} Hz, {} ch, {}, buffer {} frames (asked {})",
                    granted.device_name,
                    granted.sample_rate_hz,
                    granted.channels,
                    granted.sample_format,
                    granted
                        .buffer_frames
                        .map_or("unknown".into(), |n| n.to_string()),
                    granted
                        .requested_buffer_frames
                        .map_or("default".into(), |n| n.to_string()),
                ),
                MetronomeEvent::Beat {
                    beat,
                    session_nanos,
                } => {
                    beats += 1;
                    if args.verbose {
                        let at =
                            session_nanos.map_or("?".into(), |t| format!("{:.3}", t as f64 / 1e9));
                        let origin = metronome
                            .session_nanos_of_frame(0)
                            .map_or(0.0, |t| t as f64 / 1e9);
                        println!(
                            "beat {:>4} frame {:>9} at {at} s (frame 0 at {origin:.3} s, now {:.3} s)",
                            beat.beat,
                            beat.frame,
                            metronome.session_nanos() as f64 / 1e9
                        );
                    }
                }
                MetronomeEvent::Xrun { .. } => xruns += 1,
                MetronomeEvent::NoDevice { error } => {
                    eprintln!("no sound: {error}; showing a visual beat and retrying");
                }
                MetronomeEvent::DeviceLost { device } => {
                    eprintln!("audio device '{device}' lost; showing a visual beat and retrying");
                }
                other => eprintln!("audio: {other:?}"),
            }
        }
        if !metronome.is_audible() && Instant::now() >= next_visual {
            println!("● (visual beat)");
        }
        while Instant::now() >= next_visual {
            next_visual += period;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let latency = metronome
        .max_output_latency_nanos()
        .map_or("unknown".into(), |n| format!("{:.1} ms", n as f64 / 1e6));
    println!("played {beats} beats, {xruns} xruns, max output latency {latency}");
    Ok(())
}
