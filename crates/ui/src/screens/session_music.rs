//! The music of the next session, chosen where a session is started (beside the start buttons):
//! none (the cue's clicks), a built-in track or one of the library's, and what sounds (the music
//! alone, the music with a click, the clicks alone) with the click's level. The track is loaded
//! on the session's starting thread, never on the window's.

use egui::{RichText, Ui};

use entrain_audio::Overlay;
use entrain_engine::music_resolve::{MusicSpec, PATIENT_MUSIC, PLAYLIST_PREFIX};
use entrain_music::builtin;
use entrain_store::{PlaylistRecord, TrackRecord};

use crate::i18n;
use crate::t;
use crate::theme;

/// Where the next session's music comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum MusicSource {
    /// No music: the cue's clicks.
    Clicks,
    /// The patient's music: the tracks they like (never one they dislike), the first chosen for
    /// the tempo.
    PatientMusic,
    /// A playlist, by name (the patient's own of that name, else a shared one).
    Playlist(String),
    /// One track, looped or played to its end.
    Track {
        /// A built-in's name, or an imported file's library key (its absolute path): what
        /// `entrain_engine::music::load_track` takes.
        name: String,
        /// Its title, as the list shows it.
        title: String,
    },
}

/// What sounds in a session with music.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverlayKind {
    /// The music alone.
    Music,
    /// The music with a click on every beat.
    MusicWithClick,
    /// The clicks alone (the music chosen is followed and recorded, not heard).
    Click,
}

impl OverlayKind {
    /// Every kind, in the chooser's order.
    pub const ALL: [OverlayKind; 3] = [
        OverlayKind::Music,
        OverlayKind::MusicWithClick,
        OverlayKind::Click,
    ];

    /// The overlay the player takes, the click at `click_level` (0…1) over the music.
    pub fn overlay(self, click_level: f32) -> Overlay {
        match self {
            OverlayKind::Music => Overlay::MusicOnly,
            OverlayKind::MusicWithClick => Overlay::MusicWithClick {
                click_level,
                // Off-beats a little softer than downbeats: the bar is heard.
                offbeat_level: OFFBEAT_LEVEL,
            },
            OverlayKind::Click => Overlay::ClickOnly,
        }
    }

    /// Its name in the window's language.
    pub fn label(self) -> String {
        let (name, _) = entrain_engine::music::overlay_columns(self.overlay(0.5));
        i18n::overlay_label(name)
    }
}

/// The height of the list of music to choose from, px (it scrolls when longer).
const LIST_HEIGHT_PX: f32 = 110.0;

/// The level of the off-beats' click relative to the downbeats'.
const OFFBEAT_LEVEL: f32 = 0.7;

/// The music the session start takes: what to play, as `entrain session --music` names it, and
/// the overlay.
#[derive(Debug, Clone, PartialEq)]
pub struct MusicRequest {
    /// One track (a built-in's name or an imported file's library key), a playlist, or the
    /// patient's music.
    pub spec: MusicSpec,
    /// What sounds.
    pub overlay: Overlay,
}

impl MusicRequest {
    /// The music as `--music` would name it, for messages.
    pub fn given(&self) -> String {
        match &self.spec {
            MusicSpec::Track(t) => t.clone(),
            MusicSpec::Playlist(p) => format!("{PLAYLIST_PREFIX}{p}"),
            MusicSpec::Patient => PATIENT_MUSIC.to_string(),
        }
    }
}

/// The chooser's state.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionMusicChooser {
    source: MusicSource,
    overlay: OverlayKind,
    /// The click's level over the music, whole percent.
    click_percent: f64,
}

impl Default for SessionMusicChooser {
    fn default() -> Self {
        SessionMusicChooser {
            source: MusicSource::Clicks,
            overlay: OverlayKind::Music,
            click_percent: 50.0,
        }
    }
}

impl SessionMusicChooser {
    /// The music for the next session, if any.
    ///
    /// A playlist chosen for one patient stays chosen for the next only if they have one of
    /// that name; the session says so otherwise (cued by clicks).
    pub fn request(&self) -> Option<MusicRequest> {
        let spec = match &self.source {
            MusicSource::Clicks => return None,
            MusicSource::PatientMusic => MusicSpec::Patient,
            MusicSource::Playlist(name) => MusicSpec::Playlist(name.clone()),
            MusicSource::Track { name, .. } => MusicSpec::Track(name.clone()),
        };
        Some(MusicRequest {
            spec,
            overlay: self
                .overlay
                .overlay((self.click_percent / 100.0).clamp(0.0, 1.0) as f32),
        })
    }

    /// Draws the chooser; `library` is the music library as last read.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        library: &[TrackRecord],
        playlists: &[PlaylistRecord],
        sound_on: bool,
    ) {
        ui.horizontal_wrapped(|ui| {
            let shown = match &self.source {
                MusicSource::Clicks => t!("session-music-none"),
                MusicSource::PatientMusic => t!("session-music-patient"),
                MusicSource::Playlist(name) => t!("session-music-playlist", name = name.as_str()),
                MusicSource::Track { title, .. } => title.clone(),
            };
            ui.label(RichText::new(t!("session-music-chosen", music = shown)).strong());
        });
        // A short list to scroll rather than a drop-down: every choice a finger's height.
        egui::ScrollArea::vertical()
            .id_salt("session-music-list")
            .max_height(LIST_HEIGHT_PX)
            .show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    ui.selectable_value(
                        &mut self.source,
                        MusicSource::Clicks,
                        t!("session-music-none"),
                    );
                    ui.selectable_value(
                        &mut self.source,
                        MusicSource::PatientMusic,
                        t!("session-music-patient"),
                    );
                    for list in playlists {
                        ui.selectable_value(
                            &mut self.source,
                            MusicSource::Playlist(list.name.clone()),
                            t!("session-music-playlist", name = list.name.as_str()),
                        );
                    }
                    for track in builtin::tracks() {
                        let source = MusicSource::Track {
                            name: track.name.to_string(),
                            title: track.title.to_string(),
                        };
                        // A built-in's title names its tempo.
                        let text = t!("session-music-builtin", title = track.title);
                        ui.selectable_value(&mut self.source, source, text);
                    }
                    for record in library {
                        let source = MusicSource::Track {
                            name: record.track.path.clone(),
                            title: record.track.title.clone(),
                        };
                        let text = t!(
                            "session-music-library",
                            title = record.track.title.as_str(),
                            bpm = format!("{:.0}", record.tempo_bpm())
                        );
                        ui.selectable_value(&mut self.source, source, text);
                    }
                });
            });
        ui.horizontal_wrapped(|ui| {
            if self.source == MusicSource::Clicks {
                return;
            }
            for kind in OverlayKind::ALL {
                ui.radio_value(&mut self.overlay, kind, kind.label());
            }
            if self.overlay == OverlayKind::MusicWithClick {
                ui.add_space(12.0);
                ui.add(
                    egui::Slider::new(&mut self.click_percent, 0.0..=100.0)
                        .step_by(5.0)
                        .suffix(" %")
                        .text(t!("session-music-click-level")),
                );
            }
        });
        if self.source != MusicSource::Clicks && !sound_on {
            ui.label(
                RichText::new(t!("session-music-sound-off"))
                    .color(theme::PROBLEM_COLOUR)
                    .size(theme::BODY_TEXT_PX),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::accesskit::Role;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    #[test]
    fn no_music_by_default_and_a_track_with_its_overlay_once_chosen() {
        let mut c = SessionMusicChooser::default();
        assert_eq!(c.request(), None);
        c.source = MusicSource::Track {
            name: "march-2-4".into(),
            title: "March in 2/4".into(),
        };
        assert_eq!(
            c.request(),
            Some(MusicRequest {
                spec: MusicSpec::Track("march-2-4".into()),
                overlay: Overlay::MusicOnly
            })
        );
        c.overlay = OverlayKind::MusicWithClick;
        c.click_percent = 30.0;
        assert_eq!(
            c.request().map(|r| r.overlay),
            Some(Overlay::MusicWithClick {
                click_level: 0.3,
                offbeat_level: OFFBEAT_LEVEL
            })
        );
        c.overlay = OverlayKind::Click;
        assert_eq!(c.request().map(|r| r.overlay), Some(Overlay::ClickOnly));
        c.source = MusicSource::PatientMusic;
        assert_eq!(c.request().map(|r| r.given()).as_deref(), Some("patient"));
        c.source = MusicSource::Clicks;
        assert_eq!(c.request(), None);
    }

    #[test]
    fn a_track_is_chosen_from_the_list_and_what_sounds_beside_it() {
        let mut h = Harness::builder()
            .with_size(egui::vec2(1366.0, 500.0))
            .build_ui_state(
                |ui, c: &mut SessionMusicChooser| c.ui(ui, &[], &[], true),
                SessionMusicChooser::default(),
            );
        h.run();
        assert!(h.query_by_label("music with a click").is_none());
        h.get_by_label("Waltz in 3/4, 100 bpm (built in)").click();
        h.run();
        assert_eq!(
            h.state().request().map(|r| r.spec),
            Some(MusicSpec::Track("waltz-3-4".into()))
        );
        h.get_by_label("music with a click").click();
        h.run();
        assert!(
            h.query_by_role_and_label(Role::Slider, "Click level")
                .is_some()
        );
        assert!(matches!(
            h.state().request().map(|r| r.overlay),
            Some(Overlay::MusicWithClick { .. })
        ));
    }
}
