//! The music screen: the built-in tracks and the music library, a folder imported with its
//! progress (each file analysed once, off the window's thread), and a therapist's confirmation of
//! a tempo that could be half or double.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver};

use egui::Ui;

use entrain_engine::library::{self, FileStamp};
use entrain_music::builtin;
use entrain_store::{NewTrack, TrackRecord};

use super::music_prefs::PatientMusicPrefs;
use super::music_preview::{PREVIEW_SECS, Preview};
use super::session_music::SessionMusicChooser;
use super::{Ctx, labelled_text};
use crate::t;
use crate::worker::Reply;

/// What the import's thread tells the screen.
#[derive(Debug)]
enum ImportNews {
    /// How many audio files it found.
    Files(usize),
    /// One file analysed, to be kept in the record.
    Analysed(Box<NewTrack>),
    /// One file the library already holds as it is now.
    Unchanged,
    /// One file that could not be imported, and why (naming it).
    Failed(String),
    /// The folder could not be listed.
    NotListed(String),
}

/// A running import.
#[derive(Debug)]
struct Import {
    news: Receiver<ImportNews>,
    files: usize,
    done: usize,
    failed: Vec<String>,
}

/// The music screen's state, and the choice of the next session's music (drawn beside the start
/// buttons, from this library).
#[derive(Debug, Default)]
pub struct MusicScreen {
    path: String,
    import: Option<Import>,
    tracks: Vec<TrackRecord>,
    /// Whether the library was asked for since the record opened.
    asked: bool,
    /// The next session's music.
    pub session: SessionMusicChooser,
    /// The selected patient's liked and disliked tracks.
    pub prefs: PatientMusicPrefs,
    /// A track's first seconds playing.
    preview: Option<Preview>,
}

impl MusicScreen {
    /// The record's answer: the library.
    pub fn loaded(&mut self, tracks: Vec<TrackRecord>) {
        self.tracks = tracks;
    }

    /// A track was stored or changed: shown in its place.
    pub fn saved(&mut self, track: TrackRecord) {
        match self.tracks.iter_mut().find(|t| t.id == track.id) {
            Some(t) => *t = track,
            None => {
                self.tracks.push(track);
                self.tracks.sort_by_key(|t| t.track.title.to_lowercase());
            }
        }
    }

    /// Asks the record for the library once it is open (the answer is a [`Reply::Tracks`]).
    fn ask_for_library(&mut self, ctx: &Ctx) {
        if !self.asked && ctx.store_ready {
            self.asked = true;
            if let Some(store) = ctx.store {
                store.run(|store| Reply::Tracks(store.tracks().map_err(|e| e.to_string())));
            }
        }
    }

    /// The choice of the next session's music, from the built-ins and this library.
    pub fn session_ui(&mut self, ui: &mut Ui, ctx: &mut Ctx) {
        self.ask_for_library(ctx);
        self.prefs.follow_selection(ctx);
        self.session
            .ui(ui, &self.tracks, self.prefs.playlists(), ctx.settings.sound);
    }

    /// Draws the screen.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx) {
        self.ask_for_library(ctx);
        self.prefs.follow_selection(ctx);
        ui.heading(t!("music-heading"));
        self.import_ui(ui, ctx);
        ui.separator();
        self.preview_ui(ui, ctx);
        match ctx.roster.selected_patient() {
            Some(p) => ui.label(t!("music-prefs-of", code = p.code.as_str())),
            None => ui.label(t!("music-prefs-no-patient")),
        };
        let library = &self.tracks;
        let title_of = |key: &str| {
            builtin::by_name(key)
                .map(|t| t.title.to_string())
                .or_else(|| {
                    library
                        .iter()
                        .find(|t| t.track.path == key)
                        .map(|t| t.track.title.clone())
                })
                .unwrap_or_else(|| key.to_string())
        };
        self.prefs.playlists_ui(ui, ctx, &title_of);
        let mut preview = None;
        ui.label(egui::RichText::new(t!("music-builtin-heading")).strong());
        egui::Grid::new("builtin-tracks")
            .striped(true)
            .show(ui, |ui| {
                for track in builtin::tracks() {
                    ui.label(track.title);
                    ui.label(t!("music-tempo", bpm = format!("{:.1}", track.tempo_bpm)));
                    ui.label(t!("music-bar", beats = track.beats_per_bar));
                    ui.horizontal(|ui| {
                        if preview_button(ui, track.title) {
                            preview = Some((track.name.to_string(), track.title.to_string()));
                        }
                        self.prefs.buttons(ui, ctx, track.name, track.title);
                        self.prefs.add_button(ui, ctx, track.name, track.title);
                    });
                    ui.end_row();
                }
            });
        ui.separator();
        ui.label(egui::RichText::new(t!("music-library-heading")).strong());
        if self.tracks.is_empty() {
            ui.label(t!("music-library-empty"));
        }
        let mut confirm = None;
        egui::Grid::new("library-tracks")
            .striped(true)
            .show(ui, |ui| {
                for record in &self.tracks {
                    ui.label(&record.track.title);
                    ui.label(t!(
                        "music-tempo",
                        bpm = format!("{:.1}", record.tempo_bpm())
                    ));
                    ui.label(t!("music-bar", beats = record.track.beats_per_bar));
                    ui.label(t!(
                        "music-length",
                        seconds = format!("{:.0}", record.track.duration_secs)
                    ));
                    ui.horizontal(|ui| {
                        if preview_button(ui, &record.track.title) {
                            preview = Some((record.track.path.clone(), record.track.title.clone()));
                        }
                        self.prefs
                            .buttons(ui, ctx, &record.track.path, &record.track.title);
                        self.prefs
                            .add_button(ui, ctx, &record.track.path, &record.track.title);
                    });
                    match (record.track.alternative_bpm, record.confirmed_bpm) {
                        (Some(other), None) => {
                            ui.horizontal(|ui| {
                                ui.label(t!("music-ambiguous"));
                                for bpm in [record.track.tempo_bpm, other] {
                                    let text = t!(
                                        "music-confirm",
                                        title = record.track.title.as_str(),
                                        bpm = format!("{bpm:.1}")
                                    );
                                    if ui.button(text).clicked() {
                                        confirm = Some((record.id, bpm));
                                    }
                                }
                            });
                        }
                        (_, Some(_)) => {
                            ui.label(t!("music-confirmed"));
                        }
                        (None, None) => {
                            ui.label("");
                        }
                    }
                    ui.end_row();
                }
            });
        if let Some((name, title)) = preview {
            // One at a time: a new preview stops the last.
            self.preview = None;
            self.preview = Preview::start(ctx, name, title);
        }
        if let (Some((id, bpm)), Some(store)) = (confirm, ctx.store) {
            store.run(move |store| {
                Reply::TrackSaved(
                    store
                        .confirm_track_tempo(id, bpm)
                        .map_err(|e| e.to_string()),
                )
            });
        }
    }

    /// The preview playing, and its Stop.
    fn preview_ui(&mut self, ui: &mut Ui, ctx: &mut Ctx) {
        let Some(p) = &mut self.preview else {
            return;
        };
        if !p.poll(ctx) {
            self.preview = None;
            return;
        }
        ui.horizontal(|ui| {
            let text = if p.playing {
                t!(
                    "music-preview-playing",
                    title = p.title.as_str(),
                    seconds = format!("{PREVIEW_SECS:.0}")
                )
            } else {
                t!("music-preview-loading", title = p.title.as_str())
            };
            ui.label(egui::RichText::new(text).strong());
            if ui.button(t!("music-preview-stop")).clicked() {
                p.stop();
            }
        });
        // The thread says when it ends: look again soon.
        ctx.egui
            .request_repaint_after(std::time::Duration::from_millis(200));
    }

    /// The folder field, the Import button and the import's progress.
    fn import_ui(&mut self, ui: &mut Ui, ctx: &mut Ctx) {
        labelled_text(ui, &t!("music-import-path"), &mut self.path);
        let running = self.import.is_some();
        if ui
            .add_enabled(!running, egui::Button::new(t!("music-import")))
            .clicked()
        {
            self.start_import(ctx);
        }
        let Some(import) = &mut self.import else {
            return;
        };
        let mut finished = false;
        while let Ok(news) = import.news.try_recv() {
            match news {
                ImportNews::Files(0) => {
                    ctx.messages.error(t!("music-import-none"));
                    finished = true;
                }
                ImportNews::Files(n) => import.files = n,
                ImportNews::Analysed(track) => {
                    import.done += 1;
                    if let Some(store) = ctx.store {
                        store.run(move |store| {
                            Reply::TrackSaved(store.put_track(&track).map_err(|e| e.to_string()))
                        });
                    }
                }
                ImportNews::Unchanged => import.done += 1,
                ImportNews::Failed(why) => {
                    import.done += 1;
                    import.failed.push(why);
                }
                ImportNews::NotListed(why) => {
                    ctx.messages.error(why);
                    finished = true;
                }
            }
        }
        if import.files > 0 {
            ui.add(
                egui::ProgressBar::new(import.done as f32 / import.files as f32).text(t!(
                    "music-import-progress",
                    done = import.done,
                    files = import.files
                )),
            );
            // The analysis runs on its own thread: look again soon.
            ctx.egui
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
        if finished || (import.files > 0 && import.done == import.files) {
            let failed = import.failed.len();
            for why in import.failed.drain(..) {
                ctx.messages.error(why);
            }
            ctx.messages
                .info(t!("music-imported", files = import.files, failed = failed));
            self.import = None;
        }
    }

    /// Lists and analyses the folder (or file) on a thread of its own.
    fn start_import(&mut self, ctx: &mut Ctx) {
        let path = PathBuf::from(self.path.trim());
        if self.path.trim().is_empty() {
            ctx.messages.error(t!("music-import-need-path"));
            return;
        }
        let known: Vec<TrackRecord> = self.tracks.clone();
        let (tx, rx) = mpsc::channel();
        let wake = ctx.waker();
        let spawned = std::thread::Builder::new()
            .name("entrain-ui-music-import".into())
            .spawn(move || {
                let send = |news| {
                    let sent = tx.send(news).is_ok();
                    wake();
                    sent
                };
                let files = if path.is_dir() {
                    match library::audio_files(&path) {
                        Ok(files) => files,
                        Err(e) => {
                            send(ImportNews::NotListed(e.to_string()));
                            return;
                        }
                    }
                } else {
                    vec![path]
                };
                if !send(ImportNews::Files(files.len())) {
                    return;
                }
                for file in files {
                    let news = match FileStamp::of(&file) {
                        Ok(stamp) if known.iter().any(|k| stamp.is_analysed_in(k)) => {
                            ImportNews::Unchanged
                        }
                        Ok(stamp) => match library::analyse_for_library(&file, stamp) {
                            Ok(track) => ImportNews::Analysed(Box::new(track)),
                            Err(e) => ImportNews::Failed(e.to_string()),
                        },
                        Err(e) => ImportNews::Failed(e.to_string()),
                    };
                    if !send(news) {
                        // The screen is gone (the window closes): stop analysing.
                        return;
                    }
                }
            });
        match spawned {
            Ok(_) => {
                self.import = Some(Import {
                    news: rx,
                    files: 0,
                    done: 0,
                    failed: Vec::new(),
                });
            }
            Err(e) => ctx.messages.error(t!(
                "app-thread-not-started",
                name = "entrain-ui-music-import",
                detail = e.to_string()
            )),
        }
    }
}

/// A track's Preview button, named by its title; whether it was clicked.
fn preview_button(ui: &mut Ui, title: &str) -> bool {
    let name = t!("music-preview-track", title = title);
    let response = ui.button(t!("music-preview"));
    // Each row's button reads the same: the accessible name says which track.
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, name.as_str()));
    response.clicked()
}
