//! The live screen's music panel: the track now playing, its own tempo, how far it is stretched
//! and the tempo it is played at; the music's volume, the click's level over it and the next
//! track; and, plainly, when the session is cued by clicks instead (no track, a file that failed,
//! no device). Drawn from the snapshot alone; what the therapist changes comes back as commands.

use egui::{Color32, RichText, Ui};

use entrain_engine::{MusicCommand, MusicStatus};
use entrain_store::MusicSegmentRow;

use super::big_button;
use crate::i18n;
use crate::t;
use crate::theme::{self, glance};

/// The fill of the fall-back sign: amber, as a warning that is no fault of the therapist.
const FALLBACK_FILL: Color32 = Color32::from_rgb(0x7a, 0x5a, 0x0a);
/// The sliders' width, px: wide enough to set by finger.
const SLIDER_WIDTH_PX: f32 = 260.0;

/// A level 0…1 as the sliders show it, whole percent.
fn percent_of(level: f64) -> f64 {
    (level.clamp(0.0, 1.0) * 100.0).round()
}

/// A stretch, signed: "+4.2", "-3.0", "0.0".
pub fn stretch_text(percent: f64) -> String {
    if percent.abs() < 0.05 {
        "0.0".into()
    } else {
        format!("{percent:+.1}")
    }
}

/// Draws the panel for `music`; returns what the therapist changed.
pub fn panel(ui: &mut Ui, music: &MusicStatus) -> Vec<MusicCommand> {
    let mut commands = Vec::new();
    egui::Frame::group(ui.style())
        .inner_margin(8.0)
        .show(ui, |ui| {
            if let Some(reason) = &music.fallback {
                fallback_sign(ui, reason);
            }
            ui.horizontal_wrapped(|ui| match &music.now_playing {
                Some(p) => {
                    ui.label(
                        RichText::new(t!("live-music-now-playing", title = p.title.as_str()))
                            .size(theme::BIG_NUMBER_LABEL_PX + 4.0)
                            .strong()
                            .color(theme::GLANCE_COLOUR),
                    );
                    ui.add_space(16.0);
                    ui.label(glance(t!(
                        "live-music-own-tempo",
                        bpm = format!("{:.1}", p.own_tempo_bpm)
                    )));
                    ui.add_space(16.0);
                    ui.label(glance(t!(
                        "live-music-stretch",
                        percent = p.stretch_percent.map_or_else(|| "—".into(), stretch_text)
                    )));
                    ui.add_space(16.0);
                    ui.label(glance(t!(
                        "live-music-played-tempo",
                        bpm = super::fmt_opt(p.played_tempo_bpm, 1)
                    )));
                }
                None => {
                    ui.label(glance(t!("live-music-no-track")));
                }
            });
            ui.horizontal_wrapped(|ui| {
                ui.label(glance(t!(
                    "live-music-overlay",
                    overlay = i18n::overlay_label(&music.overlay)
                )));
                ui.add_space(16.0);
                ui.spacing_mut().slider_width = SLIDER_WIDTH_PX;
                ui.spacing_mut().slider_rail_height = 12.0;
                let mut volume = percent_of(music.volume);
                if level_slider(ui, &mut volume, &t!("live-music-volume")) {
                    commands.push(MusicCommand::SetVolume(volume / 100.0));
                }
                ui.add_space(16.0);
                let mut click = percent_of(music.click_level);
                if level_slider(ui, &mut click, &t!("live-music-click-level")) {
                    commands.push(MusicCommand::SetClickLevel(click / 100.0));
                }
                ui.add_space(16.0);
                if big_button(
                    ui,
                    &t!("live-music-skip"),
                    Color32::from_rgb(0x1c, 0x4f, 0x8b),
                )
                .clicked()
                {
                    commands.push(MusicCommand::SkipTrack);
                }
            });
        });
    commands
}

/// A 0–100 % slider named `name`; whether the therapist moved it.
fn level_slider(ui: &mut Ui, value: &mut f64, name: &str) -> bool {
    ui.add(
        egui::Slider::new(value, 0.0..=100.0)
            .step_by(1.0)
            .fixed_decimals(0)
            .suffix(" %")
            .text(RichText::new(name).size(theme::BIG_NUMBER_LABEL_PX)),
    )
    .changed()
}

/// The sign that the session is cued by clicks, not music, and why.
fn fallback_sign(ui: &mut Ui, reason: &str) {
    egui::Frame::new()
        .fill(FALLBACK_FILL)
        .inner_margin(8.0)
        .corner_radius(4.0)
        .show(ui, |ui| {
            ui.add(
                egui::Label::new(
                    RichText::new(t!("live-music-fallback", reason = reason))
                        .size(theme::GLANCE_TEXT_PX)
                        .strong()
                        .color(Color32::WHITE),
                )
                .wrap(),
            );
        });
}

/// One stretch of music a session played, for its end panel: "Waltz: 0:08–1:12, its own tempo
/// 100.0 bpm, played at 78.0–82.5 bpm (-22.0 to -17.5 %), music alone".
pub fn segment_text(s: &MusicSegmentRow) -> String {
    let clock = |nanos: i64| {
        let secs = nanos.max(0) / 1_000_000_000;
        format!("{}:{:02}", secs / 60, secs % 60)
    };
    let stretch = |ratio: f64| stretch_text((ratio - 1.0) * 100.0);
    t!(
        "live-music-segment",
        title = s.title.as_str(),
        start = clock(s.start_nanos),
        end = clock(s.end_nanos),
        own = format!("{:.1}", s.track_tempo_bpm),
        min = format!("{:.1}", s.played_min_bpm),
        max = format!("{:.1}", s.played_max_bpm),
        stretch_min = stretch(s.stretch_min),
        stretch_max = stretch(s.stretch_max),
        overlay = i18n::overlay_label(&s.overlay)
    )
}

/// The end panel's account of the music the record kept for the session.
pub fn played_ui(ui: &mut Ui, segments: &[MusicSegmentRow]) {
    ui.label(RichText::new(t!("live-music-played")).strong());
    if segments.is_empty() {
        ui.label(t!("live-music-played-none"));
    }
    for s in segments {
        ui.label(segment_text(s));
    }
}

/// The patient view's one line of music: the title of the track playing, if music plays.
pub fn patient_line(music: Option<&MusicStatus>) -> Option<String> {
    let music = music?;
    if music.fallback.is_some() {
        return None;
    }
    music.now_playing.as_ref().map(|p| p.title.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{self, Language};
    use egui::accesskit::Role;
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT, Queryable};
    use entrain_engine::NowPlaying;

    fn playing() -> MusicStatus {
        MusicStatus {
            now_playing: Some(NowPlaying {
                title: "March in 2/4".into(),
                label: "march-2-4".into(),
                own_tempo_bpm: 100.0,
                played_tempo_bpm: Some(104.2),
                stretch_percent: Some(4.2),
            }),
            fallback: None,
            overlay: "music+click".into(),
            click_level: 0.5,
            volume: 0.8,
        }
    }

    /// The panel for `music` in a harness; the commands it sent, all frames together.
    fn harness(music: MusicStatus) -> Harness<'static, (MusicStatus, Vec<MusicCommand>)> {
        Harness::builder()
            .with_size(egui::vec2(1366.0, 400.0))
            .build_ui_state(
                |ui, (music, sent): &mut (MusicStatus, Vec<MusicCommand>)| {
                    crate::theme::apply(ui.ctx());
                    sent.extend(panel(ui, music));
                },
                (music, Vec::new()),
            )
    }

    #[test]
    fn the_panel_shows_the_track_its_own_tempo_the_stretch_and_the_played_tempo() {
        let mut h = harness(playing());
        h.run();
        for text in [
            "Now playing: March in 2/4",
            "Its own tempo: 100.0 bpm",
            "Stretched: +4.2 %",
            "Played at: 104.2 bpm",
            "Sound: music with a click",
        ] {
            assert!(h.query_by_label(text).is_some(), "{text:?} not shown");
        }
        let level = |name: &str| {
            h.get_by_role_and_label(Role::Slider, name)
                .accesskit_node()
                .numeric_value()
        };
        assert_eq!(level("Music volume"), Some(80.0));
        assert_eq!(level("Click over the music"), Some(50.0));
        assert!(
            h.query_by_label_contains("Cued by clicks").is_none(),
            "no fall-back while the music plays"
        );
        assert!(h.state().1.is_empty(), "drawing alone sends nothing");
    }

    #[test]
    fn the_controls_send_skip_volume_and_click_level() {
        let mut h = harness(playing());
        h.run();
        h.get_by_label("Next track").click();
        h.run();
        assert_eq!(h.state().1, [MusicCommand::SkipTrack]);
        h.get_by_role_and_label(Role::Slider, "Music volume")
            .set_value_accesskit(35.0);
        h.run();
        h.get_by_role_and_label(Role::Slider, "Click over the music")
            .set_value_accesskit(0.0);
        h.run();
        assert_eq!(
            h.state().1,
            [
                MusicCommand::SkipTrack,
                MusicCommand::SetVolume(0.35),
                MusicCommand::SetClickLevel(0.0),
            ]
        );
    }

    #[test]
    fn a_session_cued_by_clicks_says_so_and_why() {
        let mut h = harness(MusicStatus {
            now_playing: None,
            fallback: Some("music x.wav could not be played (no such file)".into()),
            overlay: "music".into(),
            click_level: 0.0,
            volume: 1.0,
        });
        h.run();
        assert!(
            h.query_by_label(
                "Cued by clicks, not music: music x.wav could not be played (no such file)"
            )
            .is_some()
        );
        assert!(h.query_by_label("No track playing").is_some());
        assert_eq!(patient_line(Some(&h.state().0)), None);
    }

    #[test]
    fn the_panel_reads_in_german() {
        i18n::set_language(Language::German);
        let mut h = harness(MusicStatus {
            fallback: Some("no output device".into()),
            ..playing()
        });
        h.run();
        for text in [
            "Es läuft: March in 2/4",
            "Eigenes Tempo: 100.0 bpm",
            "Gedehnt: +4.2 %",
            "Gespielt mit: 104.2 bpm",
            "Klang: Musik mit Klick",
            "Klicks statt Musik: no output device",
        ] {
            assert!(h.query_by_label(text).is_some(), "{text:?} not shown");
        }
        assert!(
            h.query_by_role_and_label(Role::Slider, "Musiklautstärke")
                .is_some()
        );
        assert!(
            h.query_by_role_and_label(Role::Slider, "Klick über der Musik")
                .is_some()
        );
        assert!(h.query_by_label("Nächster Titel").is_some());
        i18n::set_language(Language::English);
    }

    #[test]
    fn the_patient_sees_only_the_title_and_only_while_music_plays() {
        assert_eq!(
            patient_line(Some(&playing())).as_deref(),
            Some("March in 2/4")
        );
        assert_eq!(patient_line(None), None);
        let no_track = MusicStatus {
            now_playing: None,
            ..playing()
        };
        assert_eq!(patient_line(Some(&no_track)), None);
    }

    #[test]
    fn a_stretch_of_music_played_reads_with_its_times_tempi_and_overlay() {
        let s = MusicSegmentRow {
            start_nanos: 8_400_000_000,
            end_nanos: 72_000_000_000,
            track: "waltz-3-4".into(),
            title: "Waltz in 3/4, 100 bpm".into(),
            track_tempo_bpm: 100.0,
            played_min_bpm: 78.0,
            played_max_bpm: 82.5,
            stretch_min: 0.78,
            stretch_max: 0.825,
            overlay: "music".into(),
            click_level: 0.0,
        };
        assert_eq!(
            segment_text(&s),
            "Waltz in 3/4, 100 bpm: 0:08–1:12, its own tempo 100.0 bpm, played at 78.0–82.5 bpm (stretched -22.0 to -17.5 %), music alone"
        );
        i18n::set_language(Language::German);
        assert_eq!(
            segment_text(&s),
            "Waltz in 3/4, 100 bpm: 0:08–1:12, eigenes Tempo 100.0 bpm, gespielt mit 78.0–82.5 bpm (gedehnt -22.0 bis -17.5 %), nur Musik"
        );
        i18n::set_language(Language::English);
    }

    #[test]
    fn a_stretch_reads_signed() {
        assert_eq!(stretch_text(4.24), "+4.2");
        assert_eq!(stretch_text(-3.0), "-3.0");
        assert_eq!(stretch_text(0.01), "0.0");
        assert_eq!(stretch_text(-0.01), "0.0");
    }
}
