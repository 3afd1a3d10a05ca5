//! The selected patient's opinion of each track on the music screen: liked, disliked or neither
//! (the patient's own music matters for motivation: "The patient's liked music" plays the liked
//! ones and never a disliked one), and the patient's playlists (made, filled and ordered here,
//! chosen for a session beside the start buttons). Stored at once on the record's thread.

use egui::{Color32, RichText, Ui};

use entrain_store::{MusicPreference, MusicPreferenceRecord, PlaylistRecord, Store, StoreError};

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
    /// Every playlist the patient's sessions may use (theirs, then the shared ones).
    playlists: Vec<PlaylistRecord>,
    /// The playlist tracks are added to (its id).
    open: Option<i64>,
    /// The new playlist's name being typed.
    new_name: String,
}

impl PatientMusicPrefs {
    /// The record's answer: `patient`'s preferences (an answer for another patient is dropped).
    pub fn loaded(&mut self, patient: i64, prefs: Vec<MusicPreferenceRecord>) {
        if self.asked_for == Some(patient) {
            self.prefs = prefs;
        }
    }

    /// The record's answer: the playlists `patient`'s sessions may use, and the one just
    /// changed (it becomes the open one).
    pub fn playlists_loaded(
        &mut self,
        patient: i64,
        lists: Vec<PlaylistRecord>,
        changed: Option<i64>,
    ) {
        if self.asked_for == Some(patient) {
            self.playlists = lists;
            if changed.is_some() {
                self.open = changed;
            }
        }
    }

    /// The playlists the selected patient's sessions may use.
    pub fn playlists(&self) -> &[PlaylistRecord] {
        &self.playlists
    }

    /// The playlists, the open one's tracks in order (up, remove), and a new one by name.
    pub fn playlists_ui(&mut self, ui: &mut Ui, ctx: &Ctx, title_of: &dyn Fn(&str) -> String) {
        let Some(patient) = self.asked_for else {
            return;
        };
        ui.label(RichText::new(t!("music-playlists-heading")).strong());
        ui.horizontal_wrapped(|ui| {
            for list in &self.playlists {
                let text = t!(
                    "music-playlist-name",
                    name = list.name.as_str(),
                    count = list.tracks.len()
                );
                if ui
                    .selectable_label(self.open == Some(list.id), text)
                    .clicked()
                {
                    self.open = Some(list.id);
                }
            }
        });
        ui.horizontal(|ui| {
            super::labelled_text(ui, &t!("music-playlist-new-name"), &mut self.new_name);
            if ui.button(t!("music-playlist-create")).clicked() {
                let name = self.new_name.trim().to_string();
                self.new_name.clear();
                change(ctx, patient, move |store| {
                    store.create_playlist(Some(patient), &name).map(|l| l.id)
                });
            }
        });
        let Some(list) = self.open_list() else {
            return;
        };
        let id = list.id;
        for (i, key) in list.tracks.iter().enumerate() {
            ui.horizontal(|ui| {
                let title = title_of(key);
                ui.label(format!("{}. {title}", i + 1));
                if i > 0 {
                    let up = ui.button(t!("music-playlist-up"));
                    let name = t!("music-playlist-up-track", title = title.as_str());
                    up.widget_info(|| {
                        egui::WidgetInfo::labeled(egui::Role::Button, true, name.as_str())
                    });
                    if up.clicked() {
                        let key = key.clone();
                        change(ctx, patient, move |store| {
                            store.move_playlist_track(id, &key, i).map(|l| l.id)
                        });
                    }
                }
                let remove = ui.button(t!("music-playlist-remove"));
                let name = t!("music-playlist-remove-track", title = title.as_str());
                remove.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, true, name.as_str())
                });
                if remove.clicked() {
                    let key = key.clone();
                    change(ctx, patient, move |store| {
                        store.remove_playlist_track(id, &key).map(|l| l.id)
                    });
                }
            });
        }
    }

    fn open_list(&self) -> Option<&PlaylistRecord> {
        self.playlists.iter().find(|l| Some(l.id) == self.open)
    }

    /// The button that adds track `key` (titled `title`) to the open playlist, if one is open
    /// and the track is not in it yet.
    pub fn add_button(&self, ui: &mut Ui, ctx: &Ctx, key: &str, title: &str) {
        let (Some(patient), Some(list)) = (self.asked_for, self.open_list()) else {
            return;
        };
        if list.tracks.iter().any(|t| t == key) {
            return;
        }
        let add = ui.button(t!("music-playlist-add", name = list.name.as_str()));
        let name = t!(
            "music-playlist-add-track",
            title = title,
            name = list.name.as_str()
        );
        add.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, name.as_str()));
        if add.clicked() {
            let (id, key) = (list.id, key.to_string());
            change(ctx, patient, move |store| {
                store.add_playlist_track(id, &key).map(|l| l.id)
            });
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
        self.playlists.clear();
        self.open = None;
        if let (Some(patient), Some(store)) = (selected, ctx.store) {
            store.run(move |store| {
                Reply::MusicPrefs(
                    store
                        .music_preferences(patient)
                        .map(|p| (patient, p))
                        .map_err(|e| e.to_string()),
                )
            });
            // No change: the playlists read as they are.
            change(ctx, patient, |_| Ok(0));
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

/// Runs `job` on the record's thread (a playlist change, answering the playlist it changed),
/// then reads back the playlists `patient`'s sessions may use.
fn change(
    ctx: &Ctx,
    patient: i64,
    job: impl FnOnce(&mut Store) -> Result<i64, StoreError> + Send + 'static,
) {
    let Some(store) = ctx.store else {
        return;
    };
    store.run(move |store| {
        Reply::Playlists(
            job(store)
                .and_then(|changed| {
                    store
                        .playlists(Some(patient))
                        .map(|lists| (patient, lists, Some(changed).filter(|c| *c > 0)))
                })
                .map_err(|e| e.to_string()),
        )
    });
}
