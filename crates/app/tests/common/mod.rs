//! What the tests of the real `entrain` binary share.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_entrain");

/// `entrain ARGS --db DB`, run to the end.
pub fn entrain(db: &Path, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .arg("--db")
        .arg(db)
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap()
}

/// The standard output of a run that must have succeeded (else its output in the failure).
pub fn ok(out: &std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A real-time session of the virtual patient on a record, its stdout read line by line as it
/// comes, each line with the moment it arrived.
pub struct Session {
    child: Child,
    lines: mpsc::Receiver<(Instant, String)>,
    reader: JoinHandle<()>,
    /// Lines already taken from `lines` by [`Session::wait_for_line`], kept for the end.
    seen: Vec<(Instant, String)>,
}

impl Session {
    /// `entrain session --source sim:healthy EXTRA --db DB`.
    pub fn start(db: &Path, extra: &[&str]) -> Self {
        Self::start_with(db, extra, |_| {})
    }

    /// [`Session::start`], its command first given to `configure` (environment variables).
    pub fn start_with(db: &Path, extra: &[&str], configure: impl FnOnce(&mut Command)) -> Self {
        let mut command = Command::new(BIN);
        configure(&mut command);
        command
            .args(["session", "--source", "sim:healthy"])
            .args(extra)
            .arg("--db")
            .arg(db);
        Self::spawn(command)
    }

    /// `command`, whose stdout is a session's.
    pub fn spawn(mut command: Command) -> Self {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send((Instant::now(), line)).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            reader,
            seen: Vec::new(),
        }
    }

    /// Waits (at most `limit`) until the session prints a line starting with `prefix`; that
    /// line. Every line read meanwhile is kept for [`Session::finish`] and [`Session::kill`].
    pub fn wait_for_line(&mut self, prefix: &str, limit: Duration) -> String {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Ok((at, line)) = self.lines.recv_timeout(Duration::from_millis(50)) {
                self.seen.push((at, line.clone()));
                if line.starts_with(prefix) {
                    return line;
                }
            }
        }
        panic!("the session printed no line starting {prefix:?} within {limit:?}");
    }

    /// Sends the process signal `name` (`TERM`, `INT`).
    pub fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{name} failed");
    }

    /// The lines printed over the next `span`.
    pub fn read_for(&self, span: Duration) -> Vec<(Instant, String)> {
        let started = Instant::now();
        let mut lines = Vec::new();
        while started.elapsed() < span {
            if let Ok(l) = self.lines.recv_timeout(Duration::from_millis(50)) {
                lines.push(l);
            }
        }
        lines
    }

    /// SIGKILL: the lines printed after the last read, and the moment of the kill.
    pub fn kill(mut self) -> (Vec<(Instant, String)>, Instant) {
        let killed_at = Instant::now();
        self.child.kill().unwrap();
        let status = self.child.wait().unwrap();
        assert!(!status.success());
        self.reader.join().unwrap();
        let mut lines = std::mem::take(&mut self.seen);
        lines.extend(self.lines.try_iter());
        (lines, killed_at)
    }

    /// Waits (at most `limit`) for the process to end: its stdout lines, its stderr, whether it
    /// succeeded.
    pub fn finish(mut self, limit: Duration) -> (Vec<String>, String, bool) {
        let started = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if started.elapsed() > limit {
                self.child.kill().unwrap();
                panic!("the session did not end within {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        self.reader.join().unwrap();
        let lines: Vec<String> = std::mem::take(&mut self.seen)
            .into_iter()
            .chain(self.lines.try_iter())
            .map(|(_, l)| l)
            .collect();
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut self.child.stderr.take().unwrap(), &mut stderr).unwrap();
        (lines, stderr, status.success())
    }
}

/// The session id a run announced (`recording session N`).
pub fn session_id<S: AsRef<str>>(lines: &[S]) -> i64 {
    lines
        .iter()
        .find_map(|l| l.as_ref().strip_prefix("recording session "))
        .expect("the session announced its id")
        .trim()
        .parse()
        .unwrap()
}

/// A line `entrain session` prints per step, `step   12.345 s left (...)` → (nanos, side).
pub fn parse_step(line: &str) -> Option<(i64, String)> {
    let rest = line.strip_prefix("step ")?;
    let mut parts = rest.split_whitespace();
    let secs: f64 = parts.next()?.parse().ok()?;
    let _unit = parts.next()?;
    let side = parts.next()?.to_string();
    Some(((secs * 1e9).round() as i64, side))
}
