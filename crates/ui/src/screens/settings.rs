//! The settings screen: this computer's language, sound and data folder, and the protocol's
//! defaults, edited as a draft that takes effect when saved.

use egui::Ui;
use entrain_audio::SoundId;

use super::{Ctx, Request, labelled_text};
use crate::i18n::{self, Language};
use crate::settings::{Setting, Settings, SettingsError};
use crate::t;
use crate::theme::PROBLEM_COLOUR;

/// The settings whose problems are shown under their own field rather than at the foot.
const SHOWN_AT_FIELD: [Setting; 3] = [
    Setting::TempoStep,
    Setting::HighestIncrease,
    Setting::TempoCeiling,
];

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
        ui.heading(t!("settings-heading"));
        let problem = self.draft.validate().err();
        let d = &mut self.draft;
        ui.horizontal(|ui| {
            ui.label(t!("settings-language"));
            // Each language by its own name, so a clinician who cannot read the current one
            // still finds theirs.
            for language in Language::ALL {
                ui.radio_value(&mut d.language, language, language.native_name());
            }
        });
        ui.checkbox(&mut d.sound, t!("settings-sound"));
        ui.add(egui::Slider::new(&mut d.volume, 0.0..=1.0).text(t!("settings-volume")));
        ui.horizontal(|ui| {
            ui.label(t!("settings-cue-sound"));
            for sound in SoundId::ALL {
                ui.radio_value(&mut d.cue_sound, sound, i18n::sound_label(sound));
            }
        });
        labelled_text(ui, &t!("settings-output-device"), &mut d.output_device);
        ui.heading(t!("settings-protocol-heading"));
        ui.add(egui::Slider::new(&mut d.baseline_secs, 5.0..=120.0).text(t!("settings-baseline")));
        ui.add(egui::Slider::new(&mut d.retest_secs, 5.0..=120.0).text(t!("settings-retest")));
        ui.add(egui::Slider::new(&mut d.step_percent, 0.5..=20.0).text(t!("settings-tempo-step")));
        at_field(ui, problem.as_ref(), Setting::TempoStep);
        ui.add(
            egui::Slider::new(&mut d.max_increase_percent, 0.0..=30.0)
                .text(t!("settings-highest-increase")),
        );
        at_field(ui, problem.as_ref(), Setting::HighestIncrease);
        ui.add(
            egui::Slider::new(&mut d.ceiling_above_baseline_percent, 0.0..=40.0)
                .text(t!("settings-tempo-ceiling")),
        );
        at_field(ui, problem.as_ref(), Setting::TempoCeiling);
        ui.add(egui::Slider::new(&mut d.fading_secs, 0.0..=300.0).text(t!("settings-fading")));
        let mut folder = d.data_dir.display().to_string();
        if labelled_text(ui, &t!("settings-data-folder"), &mut folder).changed() {
            d.data_dir = folder.into();
        }
        if let Some(e) = &problem
            && !e
                .fields()
                .first()
                .is_some_and(|f| SHOWN_AT_FIELD.contains(f))
        {
            not_saved_until_changed(ui, e);
        }
        if ui.button(t!("settings-save")).clicked() {
            let draft = self.draft.clone();
            match draft.save() {
                Ok(()) => {
                    let reopen = draft.data_dir != ctx.settings.data_dir;
                    // The rest of this frame, its message included, in the saved language; the
                    // window keeps to it from the next frame on.
                    i18n::set_language(draft.language);
                    *ctx.settings = draft;
                    ctx.messages.info(t!("settings-saved"));
                    if reopen {
                        ctx.requests.push(Request::ReopenStore);
                    }
                }
                Err(e) => ctx
                    .messages
                    .error(t!("settings-not-saved", problem = e.to_string())),
            }
        }
    }
}

/// Shows `problem` under the field of `field` if it is about that field first.
fn at_field(ui: &mut Ui, problem: Option<&SettingsError>, field: Setting) {
    if let Some(e) = problem
        && e.fields().first() == Some(&field)
    {
        not_saved_until_changed(ui, e);
    }
}

/// The problem that keeps the draft from being saved, in red.
fn not_saved_until_changed(ui: &mut Ui, problem: &SettingsError) {
    ui.colored_label(
        PROBLEM_COLOUR,
        t!(
            "settings-not-saved-until-changed",
            problem = problem.to_string()
        ),
    );
}
