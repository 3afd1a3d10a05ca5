//! The patient view: the calm display for the patient (the beat, the step count, a word of
//! encouragement), full screen in the clinician's window or in a window of its own.

use egui::{Color32, RichText, Ui};

use super::Ctx;
use crate::app::Screen;
use crate::live::LiveSession;
use crate::widgets;

/// The patient view's state: whether its own window is open.
#[derive(Debug, Default)]
pub struct PatientView {
    /// The patient view in a window of its own, for a second screen facing the patient.
    pub window_open: bool,
}

impl PatientView {
    /// The patient view in its own window: drag it to the screen the patient sees and make it
    /// full screen there (F11 or the window manager). Where the platform (or a test harness) has
    /// only one native window, it is an egui window inside it, placed clear of the navigation.
    pub fn window(&mut self, ctx: &egui::Context, live: Option<&LiveSession>) {
        const TITLE: &str = "Entrain: patient view";
        let closed = if ctx.embed_viewports() {
            let mut open = true;
            egui::Window::new(TITLE)
                .default_pos([480.0, 160.0])
                .default_size([800.0, 600.0])
                .collapsible(false)
                .open(&mut open)
                .show(ctx, |ui| display(ui, live, false));
            !open
        } else {
            let builder = egui::ViewportBuilder::default()
                .with_title(TITLE)
                .with_inner_size([1024.0, 768.0]);
            ctx.show_viewport_immediate(
                egui::ViewportId::from_hash_of("entrain-patient-view"),
                builder,
                |ui, _class| {
                    display(ui, live, false);
                    ui.ctx().input(|i| i.viewport().close_requested())
                },
            )
        };
        if closed {
            self.window_open = false;
        }
    }

    /// Draws the view full screen in the clinician's window, with the way back.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx, live: Option<&LiveSession>) {
        if display(ui, live, true) {
            *ctx.screen = Screen::Live;
        }
    }
}

/// The calm display for the patient: the beat, the step count, a word of encouragement.
/// `with_back` adds the way back to the clinician's screens (not in the patient's own window);
/// returns whether it was clicked.
fn display(ui: &mut Ui, live: Option<&LiveSession>, with_back: bool) -> bool {
    let snap = live.map(|l| l.snapshot.clone()).unwrap_or_default();
    let background = egui::Frame::new().fill(Color32::from_rgb(0x10, 0x18, 0x28));
    let mut back = false;
    let mut content = |ui: &mut Ui| {
        ui.vertical_centered(|ui| {
            ui.add_space(30.0);
            let interval = snap.current_tempo_spm.map(|t| (60e9 / t) as i64);
            let since = snap.last_beat_nanos.map(|b| snap.now_nanos - b);
            widgets::beat_pulse(ui, 260.0, widgets::beat_brightness(since, interval), "beat");
            ui.add_space(20.0);
            ui.label(
                RichText::new(format!("{} steps", snap.steps_total))
                    .size(80.0)
                    .color(Color32::WHITE),
            );
            let words = match (snap.cued, snap.entrainment_r) {
                (true, Some(r)) if r > 0.7 => "Lovely rhythm — keep going!",
                (true, _) => "Walk with the beat",
                (false, _) if snap.steps_total > 0 => "Walk at your own pace",
                _ => "Ready when you are",
            };
            ui.label(
                RichText::new(words)
                    .size(48.0)
                    .color(Color32::from_rgb(0xb8, 0xd8, 0xf8)),
            );
            ui.add_space(40.0);
            back = with_back && ui.button("Back to clinician view").clicked();
        });
    };
    if with_back {
        // Full screen in the clinician's window.
        egui::CentralPanel::default()
            .frame(background)
            .show(ui, content);
    } else {
        // Its own window: a panel would cover whatever shares the viewport when embedded.
        background.show(ui, |ui| {
            ui.set_min_size(ui.available_size());
            content(ui);
        });
    }
    back
}
