//! The selected patient's opinion of each track on the music screen: liked, disliked or neither
//! (the patient's own music matters for motivation: "The patient's liked music" plays the liked
//! ones and never a disliked one). Stored at once on the record's thread.

use egui::{Color32, RichText, Ui};

use entrain_store::{MusicPreference, MusicPreferenceRecord};

use super::Ctx;
use crate::t;
use crate::worker::Reply;

/// The selected patient's preferences as last read.
#[derive(Debug, Default)]
pub struct PatientMusicPrefs {
    /// The patient they were asked for.
    asked_for: Option<i64>,
    /// The record's answer for that patient.
    prefs: Vec<MusicPreferenceRecord>,
}

impl PatientMusicPrefs {
    /// The record's answer: `patient`'s preferences (an answer for another patient is dropped).
    pub fn loaded(&mut self, patient: i64, prefs: Vec<MusicPreferenceRecord>) {
        if self.asked_for == Some(patient) {
            self.prefs = prefs;
        }
    }

    /// Asks for the selected patient's preferences when the selection changes.
    pub fn follow_selection(&mut self, ctx: &Ctx) {
        let selected = ctx.roster.selected;
        if selected == self.asked_for || !ctx.store_ready {
            return;
        }
        self.asked_for = selected;
        self.prefs.clear();
        if let (Some(patient), Some(store)) = (selected, ctx.store) {
            store.run(move |store| {
                Reply::MusicPrefs(
                    store
                        .music_preferences(patient)
                        .map(|p| (patient, p))
                        .map_err(|e| e.to_string()),
                )
            });
        }
    }

    /// The patient's opinion of track `key`.
    pub fn of(&self, key: &str) -> MusicPreference {
        self.prefs
            .iter()
            .find(|p| p.track == key)
            .map_or(MusicPreference::Neutral, |p| p.preference)
    }

    /// The two buttons of track `key` (titled `title`) for the selected patient: "Liked" and
    /// "Disliked", the one that holds lit; clicking it again clears it.
    pub fn buttons(&self, ui: &mut Ui, ctx: &Ctx, key: &str, title: &str) {
        let Some(patient) = self.asked_for else {
            return;
        };
        let now = self.of(key);
        for (pref, text, name, colour) in [
            (
                MusicPreference::Liked,
                t!("music-liked"),
                t!("music-like-track", title = title),
                Color32::from_rgb(0x2d, 0x6a, 0x4f),
            ),
            (
                MusicPreference::Disliked,
                t!("music-disliked"),
                t!("music-dislike-track", title = title),
                Color32::from_rgb(0x8b, 0x1a, 0x1a),
            ),
        ] {
            let on = now == pref;
            let mut button = egui::Button::new(RichText::new(text)).selected(on);
            if on {
                button = button.fill(colour);
            }
            let response = ui.add(button);
            // Each row's buttons read the same: the accessible name says which track.
            response.widget_info(|| {
                egui::WidgetInfo::selected(egui::Role::Button, true, on, name.as_str())
            });
            if response.clicked() {
                let next = if on { MusicPreference::Neutral } else { pref };
                set(ctx, patient, key.to_string(), next);
            }
        }
    }
}

/// Stores `patient`'s opinion of `key` (neutral clears it); the answer is the patient's
/// preferences read back.
fn set(ctx: &Ctx, patient: i64, key: String, preference: MusicPreference) {
    let Some(store) = ctx.store else {
        return;
    };
    store.run(move |store| {
        Reply::MusicPrefs(
            store
                .set_music_preference(patient, &key, preference)
                .and_then(|()| store.music_preferences(patient))
                .map(|p| (patient, p))
                .map_err(|e| e.to_string()),
        )
    });
}
