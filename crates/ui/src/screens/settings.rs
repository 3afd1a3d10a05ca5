//! The settings screen: this computer's sound and data folder, and the protocol's defaults, edited
//! as a draft that takes effect when saved.

use egui::Ui;
use entrain_audio::SoundId;

use super::{Ctx, Request, labelled_text};
use crate::settings::{HIGHEST_INCREASE, Settings, SettingsError, TEMPO_CEILING, TEMPO_STEP};
use crate::theme::PROBLEM_COLOUR;

/// The settings screen's state: the draft being edited.
#[derive(Debug)]
pub struct SettingsScreen {
    draft: Settings,
}

impl SettingsScreen {
    /// The screen with a draft of `settings`.
    pub fn new(settings: &Settings) -> Self {
        SettingsScreen {
            draft: settings.clone(),
        }
    }

    /// Draws the screen. A value that is out of range or contradicts another is shown at its
    /// field, and the draft is not saved until it is changed.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx) {
        ui.heading("Settings of this computer");
        let problem = self.draft.validate().err();
        let d = &mut self.draft;
        ui.checkbox(&mut d.sound, "Sound (off: visual beat only)");
        ui.add(egui::Slider::new(&mut d.volume, 0.0..=1.0).text("Volume"));
        ui.horizontal(|ui| {
            ui.label("Cue sound:");
            for sound in SoundId::ALL {
                ui.radio_value(&mut d.cue_sound, sound, sound.label());
            }
        });
        labelled_text(ui, "Output device (empty = default)", &mut d.output_device);
        ui.heading("Protocol defaults");
        ui.add(egui::Slider::new(&mut d.baseline_secs, 5.0..=120.0).text("Baseline, s"));
        ui.add(egui::Slider::new(&mut d.retest_secs, 5.0..=120.0).text("Re-test, s"));
        ui.add(egui::Slider::new(&mut d.step_percent, 0.5..=20.0).text("Tempo step per level, %"));
        at_field(ui, problem.as_ref(), TEMPO_STEP);
        ui.add(
            egui::Slider::new(&mut d.max_increase_percent, 0.0..=30.0).text("Highest increase, %"),
        );
        at_field(ui, problem.as_ref(), HIGHEST_INCREASE);
        ui.add(
            egui::Slider::new(&mut d.ceiling_above_baseline_percent, 0.0..=40.0)
                .text("Tempo ceiling above baseline, %"),
        );
        at_field(ui, problem.as_ref(), TEMPO_CEILING);
        ui.add(egui::Slider::new(&mut d.fading_secs, 0.0..=300.0).text("Fading, s"));
        let mut folder = d.data_dir.display().to_string();
        if labelled_text(ui, "Data folder", &mut folder).changed() {
            d.data_dir = folder.into();
        }
        if let Some(e) = &problem
            && !e
                .fields()
                .first()
                .is_some_and(|f| [TEMPO_STEP, HIGHEST_INCREASE, TEMPO_CEILING].contains(f))
        {
            ui.colored_label(PROBLEM_COLOUR, format!("Not saved until changed: {e}"));
        }
        if ui.button("Save settings").clicked() {
            let draft = self.draft.clone();
            match draft.save() {
                Ok(()) => {
                    let reopen = draft.data_dir != ctx.settings.data_dir;
                    *ctx.settings = draft;
                    ctx.messages.info("Settings saved.");
                    if reopen {
                        ctx.requests.push(Request::ReopenStore);
                    }
                }
                Err(e) => ctx.messages.error(format!("Settings not saved: {e}")),
            }
        }
    }
}

/// Shows `problem` under the field `field` (its name in errors) if it is about that field first.
fn at_field(ui: &mut Ui, problem: Option<&SettingsError>, field: &str) {
    if let Some(e) = problem
        && e.fields().first() == Some(&field)
    {
        ui.colored_label(PROBLEM_COLOUR, format!("Not saved until changed: {e}"));
    }
}
