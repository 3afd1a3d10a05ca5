//! The real `entrain` window under Xvfb (eframe on OpenGL, Mesa llvmpipe). A demo session with the
//! virtual patient runs; the window saves a screenshot of the live session screen to
//! `test-output/live-session.png`, then tours every screen at 1366×768 into `test-output/screens/`
//! (the README's pictures come from this run), stops the session, saves its end panel and closes
//! (the session is stored as stopped). With `--patient-window`, the patient view opens as a second
//! native window beside the clinician's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_entrain");

struct Xvfb {
    child: Child,
    display: String,
    /// One window test at a time: several X servers and llvmpipe windows at once on a loaded
    /// 2-core machine made a window fail to connect to its own server.
    _one_at_a_time: std::sync::MutexGuard<'static, ()>,
}

static ONE_WINDOW_TEST: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl Drop for Xvfb {
    fn drop(&mut self) {
        // Only the test's own clean-up: a server that already died is no failure of the app.
        if let Err(e) = self.child.kill().and_then(|()| self.child.wait().map(drop)) {
            eprintln!("stopping Xvfb: {e}");
        }
    }
}

/// Starts `Xvfb` on a display it picks itself (`-displayfd`: it writes the number once it is
/// ready), so tests running at the same time never share, or kill, one another's server.
fn start_xvfb() -> Xvfb {
    // A test that failed while holding the lock poisons it; the next one still runs.
    let one_at_a_time = ONE_WINDOW_TEST
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut child = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1400x900x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb (Debian package xvfb, installed by scripts/install-deps.sh)");
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().expect("Xvfb's stdout")),
        &mut line,
    )
    .expect("reading Xvfb's display number");
    let number: u32 = line
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("Xvfb did not report a display: {line:?}"));
    Xvfb {
        child,
        display: format!(":{number}"),
        _one_at_a_time: one_at_a_time,
    }
}

/// The `entrain` window on `x`'s display, rendered by Mesa's software OpenGL, never on Wayland.
fn window(x: &Xvfb) -> Command {
    let mut c = Command::new(BIN);
    c.env("DISPLAY", &x.display)
        .env("LIBGL_ALWAYS_SOFTWARE", "1")
        .env_remove("WAYLAND_DISPLAY");
    c
}

/// Removes a file left by an earlier run, so it cannot pass for this one.
fn remove_old(path: &Path) {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            panic!("removing the old {}: {e}", path.display())
        }
        _ => {}
    }
}

/// A PNG's size, and whether it is a drawn screen rather than a blank one (many distinct colours:
/// text, plots, buttons).
fn picture(path: &Path) -> (u32, u32, usize) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let mut colours: Vec<[u8; 4]> = buf[..info.buffer_size()]
        .chunks_exact(4)
        .map(|c| [c[0], c[1], c[2], c[3]])
        .collect();
    colours.sort_unstable();
    colours.dedup();
    (info.width, info.height, colours.len())
}

/// The screens the tour saves, by file name.
const TOUR: [&str; 9] = [
    "patients",
    "sensors",
    "live-session",
    "clinical-tests",
    "progress",
    "music",
    "patient-view",
    "settings",
    "end-of-session",
];

#[test]
fn the_window_runs_a_demo_session_and_saves_every_screen_at_1366x768() {
    let x = start_xvfb();
    let output = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-output");
    let out = output.join("live-session.png");
    let screens = output.join("screens");
    remove_old(&out);
    for name in TOUR {
        remove_old(&screens.join(format!("{name}.png")));
    }
    let data = tempfile::tempdir().unwrap();
    let run = window(&x)
        .args(["--demo", "--data-dir"])
        .arg(data.path())
        .arg("--screenshot")
        .arg(&out)
        .args(["--screenshot-after", "14", "--tour"])
        .arg(&screens)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "entrain --demo failed: {stderr}");
    assert!(stderr.contains("screenshot saved"), "{stderr}");
    let (w, h, colours) = picture(&out);
    assert!(w >= 800 && h >= 600, "{w}x{h}");
    assert!(colours > 200, "only {colours} colours");
    // Every screen, at a ward laptop's 1366×768, drawn.
    for name in TOUR {
        let (w, h, colours) = picture(&screens.join(format!("{name}.png")));
        assert_eq!((w, h), (1366, 768), "{name}");
        assert!(colours > 100, "{name}: only {colours} colours");
    }
    // The session ran: it is in the record with its steps.
    let listing = Command::new(BIN)
        .args(["sessions", "--db"])
        .arg(data.path().join("entrain.db"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&listing.stdout);
    assert!(
        listing.status.success(),
        "{}",
        String::from_utf8_lossy(&listing.stderr)
    );
    assert!(text.contains("sim:entrains"), "{text}");
    // `--quit-after` closes as "Stop it and close" does: the session was ended properly, not
    // left running for the next start to find interrupted.
    assert!(!text.contains("was interrupted"), "{text}");
    let row = text
        .lines()
        .find(|l| l.contains("sim:entrains"))
        .unwrap_or_default();
    assert!(row.contains(" stopped "), "not stopped: {row}");
    // The window was built for screen readers, and found its fallback fonts.
    let log = log_text(data.path());
    assert!(log.contains("screen readers: AccessKit on"), "{log}");
    assert!(log.contains("font for symbols, Greek, Cyrillic"), "{log}");
    assert!(!log.contains("no font for"), "{log}");
}

#[test]
fn the_window_tours_every_screen_in_german_with_every_message_found() {
    let x = start_xvfb();
    let screens = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-output/screens/de");
    for name in TOUR {
        remove_old(&screens.join(format!("{name}.png")));
    }
    let data = tempfile::tempdir().unwrap();
    let run = window(&x)
        .args(["--demo", "--language", "de", "--data-dir"])
        .arg(data.path())
        .arg("--tour")
        .arg(&screens)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success(),
        "entrain --demo --language de failed: {stderr}"
    );
    for name in TOUR {
        let (w, h, colours) = picture(&screens.join(format!("{name}.png")));
        assert_eq!((w, h), (1366, 768), "{name}");
        assert!(colours > 100, "{name}: only {colours} colours");
    }
    // Every text the window looked up was in the German catalogue (a missing one is logged).
    let log = log_text(data.path());
    assert!(!log.contains("message catalogue"), "{log}");
}

#[test]
fn a_language_the_window_does_not_have_is_refused_by_name() {
    let out = Command::new(BIN)
        .args(["--language", "fr"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no language `fr`") && stderr.contains("en, de"),
        "{stderr}"
    );
}

/// Everything the app logged into the data folder's log files.
fn log_text(data: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(data.join("logs")).unwrap() {
        text.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    text
}

/// The top-level windows on `display`: (title, width, height), from `xwininfo -root -tree`.
fn windows(display: &str) -> Vec<(String, u32, u32)> {
    let out = Command::new("xwininfo")
        .args(["-root", "-tree", "-display", display])
        .output()
        .expect("xwininfo (Debian package x11-utils, installed by scripts/install-deps.sh)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            // `0x1a00003 "Entrain": ("entrain" "entrain")  1400x900+0+0  +0+0`
            let title = line.split('"').nth(1)?.to_string();
            let geometry = line.split_whitespace().find(|w| {
                w.contains('x') && w.contains('+') && w.starts_with(|c: char| c.is_ascii_digit())
            })?;
            let (size, _) = geometry.split_once('+')?;
            let (w, h) = size.split_once('x')?;
            Some((title, w.parse().ok()?, h.parse().ok()?))
        })
        .collect()
}

#[test]
fn the_patient_view_opens_in_a_native_window_of_its_own() {
    let x = start_xvfb();
    let data = tempfile::tempdir().unwrap();
    let mut child = window(&x)
        .args([
            "--demo",
            "--patient-window",
            "--quit-after",
            "20",
            "--data-dir",
        ])
        .arg(data.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let mut seen = Vec::new();
    while start.elapsed() < Duration::from_secs(15) {
        seen = windows(&x.display);
        let has = |title: &str| seen.iter().any(|(t, _, _)| t == title);
        if has("Entrain") && has("Entrain: patient view") {
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(
        status.success(),
        "entrain --patient-window failed: {stderr}"
    );
    let patient = seen
        .iter()
        .find(|(t, _, _)| t == "Entrain: patient view")
        .unwrap_or_else(|| panic!("no patient window among {seen:?}"));
    let clinician = seen
        .iter()
        .find(|(t, _, _)| t == "Entrain")
        .unwrap_or_else(|| panic!("no clinician window among {seen:?}"));
    assert_eq!((patient.1, patient.2), (1024, 768), "{seen:?}");
    assert_eq!((clinician.1, clinician.2), (1400, 900), "{seen:?}");
}

#[test]
fn a_signal_to_the_window_ends_its_session_as_stopped_by_that_signal() {
    let x = start_xvfb();
    let data = tempfile::tempdir().unwrap();
    let mut child = window(&x)
        .args(["--demo", "--data-dir"])
        .arg(data.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The demo session has started once its row is in the record.
    let db = data.path().join(entrain_store::DATABASE_FILE);
    let start = Instant::now();
    let started = || {
        db.exists()
            && entrain_store::Store::open_for_reading(&db)
                .and_then(|s| s.sessions(None))
                .is_ok_and(|s| !s.is_empty())
    };
    while !started() {
        assert!(
            start.elapsed() < Duration::from_secs(40),
            "no session began"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(3));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let waited = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            waited.elapsed() < Duration::from_secs(30),
            "the window did not close after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{status}: {stderr}");
    let store = entrain_store::Store::open_for_reading(&db).unwrap();
    let sessions = store.sessions(None).unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].status, entrain_store::SessionStatus::Stopped);
    assert_eq!(
        sessions[0].end_reason.as_deref(),
        Some("stopped by signal SIGTERM")
    );
    assert!(!store.steps(sessions[0].id).unwrap().is_empty());
}
