//! `entrain --demo --tour DIR`: the window shows every screen in turn while the demo session runs,
//! saving each as a PNG in DIR (`patients.png`, `live-session.png`, ...), then stops the session
//! and saves its end panel (`end-of-session.png`). The README's pictures and the Xvfb test's
//! check of every screen come from it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use entrain_engine::EngineCommand;
use entrain_ui::{EntrainApp, Screen};

/// How long a screen is shown before it is saved (its data loaded, its layout settled).
const SHOWN_FOR: Duration = Duration::from_millis(1500);
/// How long the end panel is given after the stop (the session joined and summarised).
const END_SHOWN_FOR: Duration = Duration::from_secs(4);

/// One stop of the tour.
#[derive(Debug, Clone, Copy)]
enum Stop {
    /// A screen, saved as `<name>.png`.
    Screen(Screen, &'static str),
    /// The session stopped now, its end panel saved as `end-of-session.png`.
    End,
}

/// Every screen, in the navigation's order, then the end of the session.
const STOPS: [Stop; 9] = [
    Stop::Screen(Screen::Patients, "patients"),
    Stop::Screen(Screen::Sensors, "sensors"),
    Stop::Screen(Screen::Live, "live-session"),
    Stop::Screen(Screen::Tests, "clinical-tests"),
    Stop::Screen(Screen::Progress, "progress"),
    Stop::Screen(Screen::Music, "music"),
    Stop::Screen(Screen::PatientView, "patient-view"),
    Stop::Screen(Screen::Settings, "settings"),
    Stop::End,
];

/// What the tour saved, or why it could not.
pub type TourResult = Arc<Mutex<Option<Result<Vec<PathBuf>, String>>>>;

/// The tour in progress.
pub struct Tour {
    dir: PathBuf,
    start_after: Duration,
    next: usize,
    shown_at: Option<Instant>,
    shot: Option<(PathBuf, crate::gui::ShotResult)>,
    saved: Vec<PathBuf>,
    result: TourResult,
}

impl Tour {
    /// A tour saving into `dir`, beginning `start_after` the window opened (the demo session
    /// under way); its outcome lands in `result`.
    pub fn new(dir: &Path, start_after: Duration, result: TourResult) -> Tour {
        Tour {
            dir: dir.to_path_buf(),
            start_after,
            next: 0,
            shown_at: None,
            shot: None,
            saved: Vec::new(),
            result,
        }
    }

    /// Whether every stop is saved (or the tour failed).
    pub fn is_done(&self) -> bool {
        self.result.lock().map(|r| r.is_some()).unwrap_or(true)
    }

    fn finish(&mut self, outcome: Result<(), String>) {
        if let Ok(mut slot) = self.result.lock() {
            *slot = Some(outcome.map(|()| std::mem::take(&mut self.saved)));
        }
    }

    /// One frame: shows the next stop, saves it once it has been shown long enough.
    pub fn frame(&mut self, app: &mut EntrainApp, ctx: &egui::Context, since_open: Duration) {
        if self.is_done() || since_open < self.start_after {
            return;
        }
        ctx.request_repaint_after(Duration::from_millis(100));
        if let Some((path, slot)) = &self.shot {
            let answer = slot.lock().map(|s| s.clone()).unwrap_or(None);
            match answer {
                None => return,
                Some(Err(e)) => return self.finish(Err(format!("{}: {e}", path.display()))),
                Some(Ok(())) => {
                    self.saved.push(path.clone());
                    self.shot = None;
                    self.shown_at = None;
                    self.next += 1;
                }
            }
        }
        let Some(stop) = STOPS.get(self.next).copied() else {
            return self.finish(Ok(()));
        };
        let Some(shown_at) = self.shown_at else {
            match stop {
                Stop::Screen(screen, _) => app.show(screen),
                Stop::End => {
                    app.show(Screen::Live);
                    match app.live() {
                        Some(l) => l.command(EngineCommand::Stop),
                        None => return self.finish(Err("no session to stop".into())),
                    }
                }
            }
            self.shown_at = Some(Instant::now());
            return;
        };
        let (ready, name) = match stop {
            Stop::Screen(_, name) => (shown_at.elapsed() >= SHOWN_FOR, name),
            Stop::End => (
                shown_at.elapsed() >= END_SHOWN_FOR && app.live().is_some_and(|l| l.is_finished()),
                "end-of-session",
            ),
        };
        if ready {
            let path = self.dir.join(format!("{name}.png"));
            let slot = Arc::new(Mutex::new(None));
            crate::gui::request_screenshot(ctx, &path, &slot);
            self.shot = Some((path, slot));
        }
    }
}
