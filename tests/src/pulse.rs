//! A private PulseAudio server with a null sink, for testing real audio output on a machine with
//! no sound card: ALSA's `default` device is routed to it (libasound2-plugins), and its monitor is
//! recorded with `parec`. Nothing outside a temporary directory is touched: the server's runtime
//! dir, state, cookie and the `.asoundrc` all live there, and programs under test are pointed at
//! it through their environment ([`PulseServer::configure`]).

use std::ffi::OsString;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Name of the null sink.
pub const SINK_NAME: &str = "entrain_sink";

/// Where Debian keeps the ALSA plugin that routes ALSA to PulseAudio.
const ALSA_PULSE_PLUGIN_DIRS: [&str; 3] = [
    "/usr/lib/x86_64-linux-gnu/alsa-lib",
    "/usr/lib/aarch64-linux-gnu/alsa-lib",
    "/usr/lib/alsa-lib",
];

/// What went wrong with the harness; every message says which package or step is missing.
#[derive(Debug)]
pub struct PulseError(pub String);

impl std::fmt::Display for PulseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PulseError {}

fn error(message: impl Into<String>) -> PulseError {
    PulseError(message.into())
}

/// A running private PulseAudio server with one null sink.
#[derive(Debug)]
pub struct PulseServer {
    dir: tempfile::TempDir,
    rate_hz: u32,
    daemon: Option<Child>,
}

impl PulseServer {
    /// Starts a server whose null sink runs at `rate_hz`, stereo, and waits until it answers.
    /// Fails with a clear message if `pulseaudio`, `pactl`, `parec` or the ALSA pulse plugin are
    /// missing (`scripts/install-deps.sh` installs them).
    pub fn start(rate_hz: u32) -> Result<Self, PulseError> {
        require_tools()?;
        let dir = tempfile::tempdir().map_err(|e| error(format!("temp dir: {e}")))?;
        let mut server = Self {
            dir,
            rate_hz,
            daemon: None,
        };
        for sub in ["run", "home", "state"] {
            std::fs::create_dir_all(server.dir.path().join(sub))
                .map_err(|e| error(format!("creating {sub}: {e}")))?;
        }
        std::fs::write(server.home().join(".asoundrc"), server.asoundrc())
            .map_err(|e| error(format!("writing .asoundrc: {e}")))?;
        server.launch()?;
        Ok(server)
    }

    /// Starts the daemon again after [`PulseServer::kill`] (same socket, same sink): a device
    /// that comes back.
    pub fn restart(&mut self) -> Result<(), PulseError> {
        self.kill();
        self.launch()
    }

    /// Kills the daemon (a device lost mid-session).
    pub fn kill(&mut self) {
        if let Some(mut daemon) = self.daemon.take() {
            let _ = daemon.kill();
            let _ = daemon.wait();
        }
    }

    fn launch(&mut self) -> Result<(), PulseError> {
        let log = File::create(self.dir.path().join("pulseaudio.log"))
            .map_err(|e| error(format!("creating the pulseaudio log: {e}")))?;
        let mut command = Command::new("pulseaudio");
        command
            .args([
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--disallow-exit",
                "--use-pid-file=no",
                "--system=no",
                "--disable-shm=yes",
                "-n",
                "--log-target=stderr",
            ])
            .arg("-L")
            .arg(format!(
                "module-null-sink sink_name={SINK_NAME} rate={} channels=2 format=s16le",
                self.rate_hz
            ))
            .arg("-L")
            .arg(format!(
                "module-native-protocol-unix socket={} auth-anonymous=1",
                self.socket().display()
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        self.configure(&mut command);
        let daemon = command
            .spawn()
            .map_err(|e| error(format!("cannot start pulseaudio: {e}")))?;
        self.daemon = Some(daemon);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let mut pactl = Command::new("pactl");
            pactl
                .arg("info")
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            self.configure(&mut pactl);
            if pactl.status().is_ok_and(|s| s.success()) {
                return Ok(());
            }
            if let Some(Ok(Some(status))) = self.daemon.as_mut().map(Child::try_wait) {
                return Err(error(format!(
                    "pulseaudio exited ({status}) before answering; its log:\n{}",
                    self.log()
                )));
            }
            if Instant::now() > deadline {
                return Err(error(format!(
                    "pulseaudio did not answer within 10 s; its log:\n{}",
                    self.log()
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("pulseaudio.log")).unwrap_or_default()
    }

    /// The sink's sample rate.
    pub fn rate_hz(&self) -> u32 {
        self.rate_hz
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("run").join("native")
    }

    fn asoundrc(&self) -> String {
        let server = format!("unix:{}", self.socket().display());
        format!(
            "pcm.!default {{\n  type pulse\n  server \"{server}\"\n  handle_underrun true\n}}\n\
             ctl.!default {{\n  type pulse\n  server \"{server}\"\n}}\n"
        )
    }

    /// The environment a program needs to use this server (directly or through ALSA `default`).
    pub fn env(&self) -> Vec<(OsString, OsString)> {
        let run = self.dir.path().join("run");
        vec![
            ("HOME".into(), self.home().into()),
            ("XDG_RUNTIME_DIR".into(), run.clone().into()),
            ("PULSE_RUNTIME_PATH".into(), run.into()),
            (
                "PULSE_STATE_PATH".into(),
                self.dir.path().join("state").into(),
            ),
            (
                "PULSE_SERVER".into(),
                format!("unix:{}", self.socket().display()).into(),
            ),
            ("PULSE_SINK".into(), SINK_NAME.into()),
        ]
    }

    /// Points `command` at this server.
    pub fn configure(&self, command: &mut Command) {
        command.env_remove("ALSA_CONFIG_PATH");
        command.envs(self.env());
    }

    /// Starts recording the sink's monitor (stereo, 16-bit, at the sink rate), noting when each
    /// chunk arrives, and waits until the recorder runs.
    pub fn record(&self, name: &str) -> Result<Recorder, PulseError> {
        let mut command = Command::new("parec");
        command
            .args([
                "--raw",
                "--format=s16le",
                "--channels=2",
                "--latency-msec=50",
            ])
            .arg(format!("--rate={}", self.rate_hz))
            .arg(format!("--device={SINK_NAME}.monitor"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        self.configure(&mut command);
        let mut child = command
            .spawn()
            .map_err(|e| error(format!("cannot start parec for {name}: {e}")))?;
        let mut stdout = child
            .stdout
            .take()
            .ok_or_else(|| error(format!("parec for {name} has no output")))?;
        let started = Instant::now();
        let reader = std::thread::spawn(move || {
            let (mut bytes, mut arrivals) = (Vec::new(), Vec::new());
            let mut chunk = vec![0u8; 16_384];
            while let Ok(n) = stdout.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                bytes.extend_from_slice(&chunk[..n]);
                let frames = (bytes.len() / 4) as u64;
                arrivals.push((started.elapsed().as_secs_f64(), frames));
            }
            (bytes, arrivals)
        });
        // parec needs a moment to connect; audio before that is not recorded.
        std::thread::sleep(Duration::from_millis(500));
        Ok(Recorder {
            child,
            reader,
            rate_hz: self.rate_hz,
        })
    }
}

impl Drop for PulseServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Chunks of a recording as they arrived: (seconds since the recorder started, frames so far).
type Arrivals = Vec<(f64, u64)>;

/// A `parec` recording in progress.
#[derive(Debug)]
pub struct Recorder {
    child: Child,
    reader: std::thread::JoinHandle<(Vec<u8>, Arrivals)>,
    rate_hz: u32,
}

impl Recorder {
    /// Stops recording and returns the recorded interleaved stereo samples.
    pub fn finish(mut self) -> Result<Recording, PulseError> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (bytes, arrivals) = self
            .reader
            .join()
            .map_err(|_| error(String::from("the recording reader panicked")))?;
        let samples = bytes
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        Ok(Recording {
            samples,
            channels: 2,
            rate_hz: self.rate_hz,
            arrivals,
        })
    }
}

/// Recorded audio.
#[derive(Clone, Debug)]
pub struct Recording {
    /// Interleaved samples.
    pub samples: Vec<i16>,
    /// Channels per frame.
    pub channels: usize,
    /// Frames per second.
    pub rate_hz: u32,
    /// When the chunks arrived (seconds since recording started, frames so far).
    pub arrivals: Vec<(f64, u64)>,
}

impl Recording {
    /// How many frames the sink really produced per second of the monotonic clock: the slope of
    /// frames against arrival time (after the first second, while parec settles). The null sink
    /// does not run at exactly its nominal rate while a stream plays (seen: +157 ppm), so times
    /// taken from frame counts at the nominal rate drift against the players' clocks.
    pub fn frames_per_second(&self) -> Option<f64> {
        let points: Vec<(f64, f64)> = self
            .arrivals
            .iter()
            .filter(|(t, _)| *t >= 1.0)
            .map(|&(t, f)| (t, f as f64))
            .collect();
        let n = points.len() as f64;
        if n < 100.0 {
            return None;
        }
        let (mean_t, mean_f) = points
            .iter()
            .fold((0.0, 0.0), |(a, b), (t, f)| (a + t / n, b + f / n));
        let (cov, var) = points.iter().fold((0.0, 0.0), |(c, v), (t, f)| {
            (c + (t - mean_t) * (f - mean_f), v + (t - mean_t).powi(2))
        });
        (var > 0.0).then(|| cov / var)
    }

    /// Length in frames.
    pub fn frames(&self) -> usize {
        self.samples.len() / self.channels
    }

    /// Onsets found by a plain energy threshold, independently of whatever made the sound: the
    /// first frame whose loudest channel exceeds `threshold` after at least `min_gap_frames`
    /// frames below it.
    pub fn onsets(&self, threshold: i16, min_gap_frames: usize) -> Vec<u64> {
        let mut onsets = Vec::new();
        let mut quiet = usize::MAX;
        for (i, frame) in self.samples.chunks_exact(self.channels).enumerate() {
            let loud = frame
                .iter()
                .any(|s| s.unsigned_abs() > threshold.unsigned_abs());
            if loud && quiet >= min_gap_frames {
                onsets.push(i as u64);
            }
            quiet = if loud { 0 } else { quiet.saturating_add(1) };
        }
        onsets
    }
}

/// Fails with a message naming the missing package unless every tool is present.
pub fn require_tools() -> Result<(), PulseError> {
    for (tool, package) in [
        ("pulseaudio", "pulseaudio"),
        ("pactl", "pulseaudio-utils"),
        ("parec", "pulseaudio-utils"),
    ] {
        if !on_path(tool) {
            return Err(error(format!(
                "`{tool}` not found: install the Debian package `{package}` \
                 (scripts/install-deps.sh does)"
            )));
        }
    }
    let plugin_found = ALSA_PULSE_PLUGIN_DIRS
        .iter()
        .any(|d| Path::new(d).join("libasound_module_pcm_pulse.so").exists());
    if !plugin_found {
        return Err(error(
            "the ALSA pulse plugin (libasound_module_pcm_pulse.so) is missing: install the \
             Debian package `libasound2-plugins` (scripts/install-deps.sh does)",
        ));
    }
    Ok(())
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

/// Lines the player child writes and the test reads: a small text protocol, one fact per line.
pub mod report {
    /// One line of the player's report.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum Line {
        /// `granted <rate_hz> <buffer_frames>`
        Granted {
            /// Sample rate.
            rate_hz: u32,
            /// Frames per callback (0 if unknown).
            buffer_frames: u32,
        },
        /// `beat <index> <frame>`
        Beat {
            /// Beat index.
            beat: u64,
            /// Frame the renderer started it on.
            frame: u64,
        },
        /// `xrun`
        Xrun,
        /// `lost`
        Lost,
        /// `opened`
        Opened,
        /// `latency <nanos>`
        Latency {
            /// Largest output latency seen.
            nanos: u64,
        },
    }

    /// Parses a report (unknown lines are skipped).
    pub fn parse(text: &str) -> Vec<Line> {
        text.lines()
            .filter_map(|line| {
                let mut words = line.split_whitespace();
                let tag = words.next()?;
                let mut num = || words.next().and_then(|w| w.parse::<u64>().ok());
                Some(match tag {
                    "granted" => Line::Granted {
                        rate_hz: u32::try_from(num()?).ok()?,
                        buffer_frames: u32::try_from(num()?).ok()?,
                    },
                    "beat" => Line::Beat {
                        beat: num()?,
                        frame: num()?,
                    },
                    "xrun" => Line::Xrun,
                    "lost" => Line::Lost,
                    "opened" => Line::Opened,
                    "latency" => Line::Latency { nanos: num()? },
                    _ => return None,
                })
            })
            .collect()
    }
}

/// The metronome player run in a child process pointed at a [`PulseServer`] (ALSA reads its
/// configuration from the environment, which a test may not change in its own process).
pub mod player {
    use std::fmt::Write as _;
    use std::path::{Path, PathBuf};
    use std::time::{Duration, Instant};

    use entrain_audio::{
        Command, Metronome, MetronomeConfig, MetronomeEvent, OutputOptions, ScheduleChange, Tempo,
    };

    const ENV_SPEC: &str = "ENTRAIN_PLAYER_SPEC";
    const ENV_REPORT: &str = "ENTRAIN_PLAYER_REPORT";

    /// What the child plays.
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub struct PlayerSpec {
        /// Tempo in thousandths of a beat per minute.
        pub milli_bpm: u32,
        /// How long to play.
        pub seconds: f64,
        /// Frames per callback to ask for.
        pub buffer_frames: u32,
        /// Sample rate to ask for.
        pub rate_hz: u32,
        /// An optional change: at beat, new tempo (milli-bpm), phase shift (frames).
        pub change: Option<(u64, u32, i64)>,
    }

    impl PlayerSpec {
        /// The environment that hands this spec and a report path to the child.
        pub fn env(&self, report: &Path) -> Vec<(String, String)> {
            let change = self
                .change
                .map_or("-".to_owned(), |(b, t, s)| format!("{b},{t},{s}"));
            vec![
                (
                    ENV_SPEC.into(),
                    format!(
                        "{} {} {} {} {change}",
                        self.milli_bpm, self.seconds, self.buffer_frames, self.rate_hz
                    ),
                ),
                (ENV_REPORT.into(), report.display().to_string()),
            ]
        }

        /// The spec and report path handed to this process, if it is a player child.
        pub fn from_env() -> Option<(Self, PathBuf)> {
            let spec = std::env::var(ENV_SPEC).ok()?;
            let report = PathBuf::from(std::env::var(ENV_REPORT).ok()?);
            let w: Vec<&str> = spec.split_whitespace().collect();
            let change = match w.get(4).copied() {
                Some("-") | None => None,
                Some(c) => {
                    let p: Vec<&str> = c.split(',').collect();
                    Some((
                        p.first()?.parse().ok()?,
                        p.get(1)?.parse().ok()?,
                        p.get(2)?.parse().ok()?,
                    ))
                }
            };
            Some((
                Self {
                    milli_bpm: w.first()?.parse().ok()?,
                    seconds: w.get(1)?.parse().ok()?,
                    buffer_frames: w.get(2)?.parse().ok()?,
                    rate_hz: w.get(3)?.parse().ok()?,
                    change,
                },
                report,
            ))
        }
    }

    /// Plays the spec on the default device with the real metronome and writes the report.
    pub fn run(spec: &PlayerSpec, report: &Path) -> Result<(), String> {
        let tempo = Tempo::from_milli_bpm(spec.milli_bpm).map_err(|e| e.to_string())?;
        let config = MetronomeConfig {
            output: OutputOptions {
                device_name: None,
                buffer_frames: Some(spec.buffer_frames),
                sample_rate_hz: spec.rate_hz,
            },
            retry_interval: Duration::from_millis(300),
            ..MetronomeConfig::default()
        };
        let origin = Instant::now();
        let mut metronome = Metronome::new(config, origin);
        metronome.start(tempo);
        if let Some((at_beat, milli_bpm, shift_frames)) = spec.change {
            let tempo = Tempo::from_milli_bpm(milli_bpm).map_err(|e| e.to_string())?;
            metronome
                .send(Command::Change(ScheduleChange {
                    at_beat,
                    tempo: Some(tempo),
                    shift_frames,
                }))
                .map_err(|e| e.to_string())?;
        }
        let mut out = String::new();
        let end = origin + Duration::from_secs_f64(spec.seconds);
        while Instant::now() < end {
            for event in metronome.poll() {
                let _ = match event {
                    MetronomeEvent::Opened(g) => writeln!(
                        out,
                        "opened\ngranted {} {}",
                        g.sample_rate_hz,
                        g.buffer_frames.unwrap_or(0)
                    ),
                    MetronomeEvent::Beat { beat, .. } => {
                        writeln!(out, "beat {} {}", beat.beat, beat.frame)
                    }
                    MetronomeEvent::Xrun { .. } => writeln!(out, "xrun"),
                    MetronomeEvent::DeviceLost { .. } => writeln!(out, "lost"),
                    other => writeln!(out, "# {other:?}"),
                };
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        if let Some(n) = metronome.max_output_latency_nanos() {
            let _ = writeln!(out, "latency {n}");
        }
        std::fs::write(report, out).map_err(|e| format!("writing the report: {e}"))
    }
}
