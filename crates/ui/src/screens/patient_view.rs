//! The patient view: the calm display for the patient (the beat, the step count, a word of
//! encouragement), full screen in the clinician's window or in a window of its own.

use egui::{Color32, RichText, Ui};

use super::Ctx;
use crate::app::Screen;
use crate::live::LiveSession;
use crate::widgets;
use entrain_engine::Snapshot;

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
        let title = crate::t!("patient-view-title");
        let closed = if ctx.embed_viewports() {
            let mut open = true;
            // Its own id: the title changes with the language, the window's place must not.
            egui::Window::new(title)
                .id(egui::Id::unique("entrain-patient-view-window"))
                .default_pos([480.0, 160.0])
                .default_size([800.0, 600.0])
                .collapsible(false)
                .open(&mut open)
                .show(ctx, |ui| display(ui, live, false));
            !open
        } else {
            let builder = egui::ViewportBuilder::default()
                .with_title(title)
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
    display_snapshot(ui, &snap, with_back)
}

/// [`display`] of the snapshot `snap`.
fn display_snapshot(ui: &mut Ui, snap: &Snapshot, with_back: bool) -> bool {
    let background = egui::Frame::new().fill(Color32::from_rgb(0x10, 0x18, 0x28));
    let mut back = false;
    let mut content = |ui: &mut Ui| {
        ui.vertical_centered(|ui| {
            ui.add_space(30.0);
            let interval = snap.current_tempo_spm.map(|t| (60e9 / t) as i64);
            let since = snap.last_beat_nanos.map(|b| snap.now_nanos - b);
            widgets::beat_pulse(
                ui,
                260.0,
                widgets::beat_brightness(since, interval),
                &crate::t!("patient-view-beat"),
            );
            ui.add_space(20.0);
            ui.label(
                RichText::new(crate::t!("patient-view-steps", count = snap.steps_total))
                    .size(80.0)
                    .color(Color32::WHITE),
            );
            let words = match (snap.cued, snap.entrainment_r) {
                (true, Some(r)) if r > 0.7 => crate::t!("patient-view-lovely-rhythm"),
                (true, _) => crate::t!("patient-view-walk-with-beat"),
                (false, _) if snap.steps_total > 0 => crate::t!("patient-view-own-pace"),
                _ => crate::t!("patient-view-ready"),
            };
            ui.label(
                RichText::new(words)
                    .size(48.0)
                    .color(Color32::from_rgb(0xb8, 0xd8, 0xf8)),
            );
            // The music's title at most: the patient view stays calm.
            if let Some(title) = super::live_music::patient_line(snap.music.as_ref()) {
                ui.add_space(16.0);
                ui.label(
                    RichText::new(crate::t!("patient-view-music", title = title))
                        .size(32.0)
                        .color(Color32::from_rgb(0x9a, 0xb0, 0xc8)),
                );
            }
            ui.add_space(40.0);
            back = with_back && ui.button(crate::t!("patient-view-back")).clicked();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{self, Language};
    use egui_kittest::kittest::Queryable;

    fn shows(language: Language, texts: &[&str]) {
        i18n::set_language(language);
        let mut h = egui_kittest::Harness::new_ui(|ui| {
            display(ui, None, false);
        });
        h.run();
        for text in texts {
            assert!(h.query_by_label(text).is_some(), "{text:?} not shown");
        }
        i18n::set_language(Language::English);
    }

    #[test]
    fn the_patient_sees_the_title_of_the_music_and_nothing_else_of_it() {
        let snap = Snapshot {
            music: Some(entrain_engine::MusicStatus {
                now_playing: Some(entrain_engine::NowPlaying {
                    title: "Waltz for walking".into(),
                    label: "/music/waltz.wav".into(),
                    own_tempo_bpm: 90.0,
                    played_tempo_bpm: Some(95.0),
                    stretch_percent: Some(5.6),
                }),
                fallback: None,
                overlay: "music".into(),
                click_level: 0.0,
                volume: 0.8,
            }),
            ..Snapshot::default()
        };
        let mut h = egui_kittest::Harness::new_ui(|ui| {
            display_snapshot(ui, &snap, false);
        });
        h.run();
        assert!(h.query_by_label("Music: Waltz for walking").is_some());
        assert!(h.query_by_label_contains("bpm").is_none());
        assert!(h.query_by_label_contains("Stretch").is_none());
        let mut h = egui_kittest::Harness::new_ui(|ui| {
            display_snapshot(ui, &Snapshot::default(), false);
        });
        h.run();
        assert!(h.query_by_label_contains("Music").is_none());
    }

    #[test]
    fn the_patient_reads_the_view_in_the_chosen_language() {
        shows(Language::English, &["0 steps", "Ready when you are"]);
        shows(
            Language::German,
            &["0 Schritte", "Los geht's, wenn Sie bereit sind"],
        );
    }
}
