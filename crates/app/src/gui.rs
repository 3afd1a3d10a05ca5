//! The clinician's window (eframe, OpenGL through glow): `entrain` with no subcommand opens it.
//! `--demo` runs a short session with the virtual patient; `--screenshot PATH` saves the window
//! as a PNG after `--screenshot-after` seconds; `--quit-after` closes it as "Stop it and close"
//! does, ending a running session properly first (for the Xvfb test); `--patient-window` opens the
//! patient view in a window of its own from the start. Closing the window mid-session asks first
//! (`EntrainApp` cancels the close request and shows the prompt).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use clap::Args;
use entrain_ui::{EntrainApp, Screen, Settings};

/// Options of the window.
#[derive(Debug, Args, Default)]
pub struct GuiArgs {
    /// Data folder (the record, the settings and the log), for the window and every subcommand;
    /// default: the user's data folder (`~/.local/share/entrain`).
    #[arg(long, value_name = "DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Demonstration: a short protocol, patient DEMO-01 and the virtual patient, started at once.
    #[arg(long)]
    pub demo: bool,
    /// Save a PNG of the window to this file.
    #[arg(long, value_name = "PATH")]
    pub screenshot: Option<PathBuf>,
    /// When to take the screenshot, seconds after the window opens.
    #[arg(long, value_name = "SECS", default_value_t = 20.0)]
    pub screenshot_after: f64,
    /// Close the window after this many seconds.
    #[arg(long, value_name = "SECS")]
    pub quit_after: Option<f64>,
    /// Open the patient view in a window of its own at once, for a second screen facing the
    /// patient.
    #[arg(long)]
    pub patient_window: bool,
    /// With --demo: show every screen in turn at 1366×768, save each as a PNG in DIR, then stop
    /// the session, save its end panel and close.
    #[arg(long, value_name = "DIR", requires = "demo")]
    pub tour: Option<PathBuf>,
    /// The window's language for this run (`en`, `de`), instead of the one in Settings.
    #[arg(long, value_name = "CODE", value_parser = parse_language)]
    pub language: Option<entrain_ui::i18n::Language>,
}

fn parse_language(code: &str) -> Result<entrain_ui::i18n::Language, String> {
    use entrain_ui::i18n::Language;
    Language::from_code(code).ok_or_else(|| {
        let known: Vec<&str> = Language::ALL.iter().map(|l| l.code()).collect();
        format!("no language `{code}`; the window has {}", known.join(", "))
    })
}

/// The window's size on a ward's laptop, for the tour's pictures.
const TOUR_WINDOW: [f32; 2] = [1366.0, 768.0];
/// When the tour begins: the demo session well into its matched cue.
const TOUR_START: Duration = Duration::from_secs(16);

/// Whether the window is built with AccessKit, so screen readers can read it (this crate's
/// `accesskit` feature, on by default, turns on eframe's).
pub const ACCESSKIT: bool = cfg!(feature = "accesskit");

struct Shell {
    app: EntrainApp,
    opened: Instant,
    demo_started: bool,
    demo: bool,
    screenshot: Option<PathBuf>,
    screenshot_after: Duration,
    shot_requested: bool,
    shot_result: ShotResult,
    quit_after: Option<Duration>,
    quit_asked: bool,
    tour: Option<crate::tour::Tour>,
    /// The stop signal received (SIGINT, SIGTERM), for the next frame to act on.
    signal: Arc<Mutex<Option<&'static str>>>,
}

/// Where a screenshot's outcome lands: `None` until the PNG is saved or refused.
pub type ShotResult = Arc<Mutex<Option<Result<(), String>>>>;

/// Asks the window for a screenshot saved as a PNG at `path`; the outcome lands in `slot`.
pub fn request_screenshot(ctx: &egui::Context, path: &Path, slot: &ShotResult) {
    let path = path.to_path_buf();
    let result = Arc::clone(slot);
    let wake = ctx.clone();
    ctx.send_viewport_cmd(egui::ViewportCommand::Screenshot(
        egui::ScreenshotCallback::new(move |image| {
            let r = save_png(&path, &image);
            if let Ok(mut slot) = result.lock() {
                *slot = Some(r);
            }
            wake.request_repaint();
        }),
    ));
}

fn save_png(path: &Path, image: &egui::ColorImage) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let [w, h] = image.size;
    let mut enc = png::Encoder::new(
        std::io::BufWriter::new(file),
        u32::try_from(w).map_err(|e| e.to_string())?,
        u32::try_from(h).map_err(|e| e.to_string())?,
    );
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc
        .write_header()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let bytes: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    writer
        .write_image_data(&bytes)
        .map_err(|e| format!("{}: {e}", path.display()))
}

impl eframe::App for Shell {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let elapsed = self.opened.elapsed();
        if self.demo && !self.demo_started && self.app.selected_patient_id().is_some() {
            self.demo_started = true;
            self.app.start_session();
        }
        self.app.ui(ui);
        let ctx = ui.ctx().clone();
        if let Some(path) = &self.screenshot
            && !self.shot_requested
            && elapsed >= self.screenshot_after
        {
            self.shot_requested = true;
            request_screenshot(&ctx, path, &self.shot_result);
        }
        let signal = self.signal.lock().map(|s| *s).unwrap_or(None);
        if let Some(name) = signal
            && !self.quit_asked
        {
            self.quit_asked = true;
            self.app.stop_by_signal_and_close(name);
        }
        if let Some(tour) = &mut self.tour {
            tour.frame(&mut self.app, &ctx, elapsed);
            if tour.is_done() && !self.quit_asked {
                self.quit_asked = true;
                self.app.stop_and_close();
            }
        }
        if let Some(q) = self.quit_after {
            let shot_done = self.screenshot.is_none()
                || self.shot_result.lock().map(|s| s.is_some()).unwrap_or(true);
            if elapsed >= q && shot_done && !self.quit_asked {
                self.quit_asked = true;
                self.app.stop_and_close();
            }
            ctx.request_repaint_after(Duration::from_millis(100));
        }
        if self.screenshot.is_some() && !self.shot_requested {
            ctx.request_repaint_after(Duration::from_millis(100));
        }
    }
}

/// Opens the window and runs it until it is closed.
pub fn run(args: GuiArgs) -> Result<()> {
    let data_dir = match &args.data_dir {
        Some(d) => d.clone(),
        None => entrain_ui::settings::default_data_dir(),
    };
    let mut settings = if args.demo {
        Settings::demo(data_dir)
    } else {
        Settings::load(&data_dir).with_context(|| "reading the settings")?
    };
    if let Some(language) = args.language {
        settings.language = language;
    }
    let shot_result = Arc::new(Mutex::new(None));
    if ACCESSKIT {
        tracing::info!("screen readers: AccessKit on");
    } else {
        tracing::warn!("screen readers: AccessKit off (built without the accesskit feature)");
    }
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Entrain")
            .with_inner_size(if args.tour.is_some() {
                TOUR_WINDOW
            } else {
                [1400.0, 900.0]
            }),
        renderer: eframe::Renderer::Glow,
        ..eframe::NativeOptions::default()
    };
    let demo = args.demo;
    let patient_window = args.patient_window;
    let screenshot = args.screenshot.clone();
    let after = Duration::from_secs_f64(args.screenshot_after.max(0.0));
    let quit = args.quit_after.map(|s| Duration::from_secs_f64(s.max(0.0)));
    let result_slot = Arc::clone(&shot_result);
    let tour_result: crate::tour::TourResult = Arc::new(Mutex::new(None));
    let tour = args
        .tour
        .as_deref()
        .map(|dir| crate::tour::Tour::new(dir, TOUR_START, Arc::clone(&tour_result)));
    eframe::run_native(
        "Entrain",
        native,
        Box::new(move |cc| {
            let signal = Arc::new(Mutex::new(None));
            let (slot, wake) = (Arc::clone(&signal), cc.egui_ctx.clone());
            crate::signals::on_stop_signals(move |name| {
                if let Ok(mut s) = slot.lock() {
                    s.get_or_insert(name);
                }
                wake.request_repaint();
            })?;
            let mut app = EntrainApp::new(&cc.egui_ctx, settings);
            if demo {
                app.queue_demo("DEMO-01");
                app.set_auto_start(true);
                app.show(Screen::Live);
            }
            if patient_window {
                app.open_patient_window();
            }
            Ok(Box::new(Shell {
                app,
                opened: Instant::now(),
                demo_started: false,
                demo,
                screenshot,
                screenshot_after: after,
                shot_requested: false,
                shot_result: result_slot,
                quit_after: quit,
                quit_asked: false,
                tour,
                signal,
            }))
        }),
    )
    .map_err(|e| {
        anyhow!(
            "the window could not open: {e}\n(no display here? everything also runs from the command line: `entrain --help`, e.g. `entrain session --source sim --no-audio`)"
        )
    })?;
    if let Some(dir) = &args.tour {
        match tour_result.lock().map(|s| s.clone()) {
            Ok(Some(Ok(saved))) => {
                for path in saved {
                    eprintln!("screenshot saved to {}", path.display());
                }
            }
            Ok(Some(Err(e))) => return Err(anyhow!("tour of the screens: {e}")),
            _ => {
                return Err(anyhow!(
                    "the window closed before the tour saved every screen in {}",
                    dir.display()
                ));
            }
        }
    }
    if let Some(path) = &args.screenshot {
        match shot_result.lock().map(|s| s.clone()) {
            Ok(Some(Ok(()))) => eprintln!("screenshot saved to {}", path.display()),
            Ok(Some(Err(e))) => return Err(anyhow!("screenshot not saved: {e}")),
            _ => return Err(anyhow!("the window closed before the screenshot was taken")),
        }
    }
    Ok(())
}
