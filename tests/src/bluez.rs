//! A private D-Bus system bus with a fake BlueZ on it (`tests/ble/fake_bluez.py`), for testing
//! the real btleplug → BlueZ D-Bus path on a machine with no radio. Nothing outside a temporary
//! directory is touched: the bus has its own socket, and programs under test find it through
//! `DBUS_SYSTEM_BUS_ADDRESS` ([`FakeBluez::configure`]).
//!
//! Needs `dbus-daemon` (Debian `dbus`) and Python 3 with `dbus` and `gi` (Debian `python3-dbus`,
//! `python3-gi`); `scripts/install-deps.sh` installs them.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What went wrong with the harness; every message says which package or step is missing.
#[derive(Debug)]
pub struct BluezError(pub String);

impl std::fmt::Display for BluezError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BluezError {}

fn error(message: impl Into<String>) -> BluezError {
    BluezError(message.into())
}

/// The Python that has Debian's `python3-dbus` and `python3-gi` (not a pyenv shim).
const SYSTEM_PYTHON: &str = "/usr/bin/python3";

/// The fake's script.
pub fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ble/fake_bluez.py")
}

/// A private bus and the fake BlueZ serving on it.
#[derive(Debug)]
pub struct FakeBluez {
    dir: tempfile::TempDir,
    bus: Option<Child>,
    fake: Option<Child>,
    stdin: Option<ChildStdin>,
    lines: Arc<Mutex<Vec<String>>>,
}

impl FakeBluez {
    /// Starts a bus and the fake with `config` (the JSON the script reads: `devices`, each with
    /// `address`, `name`, `kind` (`entrain` or `rsc`), and for Entrain sensors `counts_csv`,
    /// `sample_rate_mhz`, `acc_ug_per_lsb`, `gyr_udps_per_lsb`, `clock_offset_us`, `drift_ppm`,
    /// optionally `answers_time_sync` (default true); for pods `rsc`: [[cadence, speed_256ths],
    /// ...] and `interval_secs`; for any device optionally `latency_ms` and `latency_jitter_ms`,
    /// a link latency both ways, floor plus uniform extra). Waits until it answers.
    pub fn start(config: &serde_json::Value) -> Result<Self, BluezError> {
        for (tool, package) in [("dbus-daemon", "dbus"), (SYSTEM_PYTHON, "python3")] {
            let found = Command::new("sh")
                .arg("-c")
                .arg(format!("command -v {tool}"))
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if !found {
                return Err(error(format!(
                    "{tool} not found: install Debian package {package} (scripts/install-deps.sh)"
                )));
            }
        }
        let check = Command::new(SYSTEM_PYTHON)
            .args([
                "-c",
                "import dbus, dbus.service, dbus.mainloop.glib; from gi.repository import GLib",
            ])
            .output()
            .map_err(|e| error(format!("cannot run {SYSTEM_PYTHON}: {e}")))?;
        if !check.status.success() {
            return Err(error(format!(
                "Python modules dbus and gi missing: install Debian packages python3-dbus and \
                 python3-gi (scripts/install-deps.sh): {}",
                String::from_utf8_lossy(&check.stderr)
            )));
        }
        let dir = tempfile::tempdir().map_err(|e| error(format!("temp dir: {e}")))?;
        let mut me = Self {
            dir,
            bus: None,
            fake: None,
            stdin: None,
            lines: Arc::new(Mutex::new(Vec::new())),
        };
        me.start_bus()?;
        me.start_fake(config)?;
        Ok(me)
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("system_bus_socket")
    }

    /// The bus address, for `DBUS_SYSTEM_BUS_ADDRESS`.
    pub fn address(&self) -> String {
        format!("unix:path={}", self.socket().display())
    }

    /// A scratch directory that lives as long as the fake.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn start_bus(&mut self) -> Result<(), BluezError> {
        let config = format!(
            r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow receive_sender="*"/>
    <allow send_type="method_call"/>
  </policy>
</busconfig>
"#,
            self.socket().display()
        );
        let path = self.dir.path().join("bus.conf");
        std::fs::write(&path, config).map_err(|e| error(format!("writing bus config: {e}")))?;
        let log = std::fs::File::create(self.dir.path().join("dbus.log"))
            .map_err(|e| error(format!("creating the bus log: {e}")))?;
        let bus = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", path.display()))
            .arg("--nofork")
            .arg("--nopidfile")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| error(format!("cannot start dbus-daemon: {e}")))?;
        self.bus = Some(bus);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.socket().exists() {
            if Instant::now() > deadline {
                return Err(error(format!(
                    "dbus-daemon did not create its socket within 10 s; its log:\n{}",
                    std::fs::read_to_string(self.dir.path().join("dbus.log")).unwrap_or_default()
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    fn start_fake(&mut self, config: &serde_json::Value) -> Result<(), BluezError> {
        let path = self.dir.path().join("fake.json");
        std::fs::write(&path, config.to_string())
            .map_err(|e| error(format!("writing the fake's config: {e}")))?;
        let log = std::fs::File::create(self.dir.path().join("fake.log"))
            .map_err(|e| error(format!("creating the fake's log: {e}")))?;
        let mut fake = Command::new(SYSTEM_PYTHON)
            .arg(script())
            .arg(&path)
            .env("DBUS_SYSTEM_BUS_ADDRESS", self.address())
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(|e| error(format!("cannot start the fake BlueZ: {e}")))?;
        self.stdin = fake.stdin.take();
        let stdout = fake
            .stdout
            .take()
            .ok_or_else(|| error("the fake BlueZ has no stdout"))?;
        let lines = self.lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Ok(mut lines) = lines.lock() {
                    lines.push(line);
                }
            }
        });
        self.fake = Some(fake);
        if !self.wait_for(Duration::from_secs(15), |lines| {
            lines.iter().any(|l| l == "READY")
        }) {
            return Err(error(format!(
                "the fake BlueZ did not get ready within 15 s; its log:\n{}",
                self.log()
            )));
        }
        Ok(())
    }

    /// The fake's stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("fake.log")).unwrap_or_default()
    }

    /// Every event line the fake printed so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Waits up to `timeout` until `done` holds for the event lines; returns whether it did.
    pub fn wait_for(&self, timeout: Duration, done: impl Fn(&[String]) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if done(&self.lines()) {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends a control line to the fake (`drop ADDRESS SECONDS`).
    pub fn send(&mut self, line: &str) -> Result<(), BluezError> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| error("the fake BlueZ's stdin is closed"))?;
        writeln!(stdin, "{line}")
            .and_then(|()| stdin.flush())
            .map_err(|e| error(format!("writing to the fake BlueZ: {e}")))
    }

    /// Points `command` at this bus.
    pub fn configure(&self, command: &mut Command) {
        command.env("DBUS_SYSTEM_BUS_ADDRESS", self.address());
    }
}

impl Drop for FakeBluez {
    fn drop(&mut self) {
        self.stdin.take();
        for child in [self.fake.take(), self.bus.take()].into_iter().flatten() {
            let mut child = child;
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
