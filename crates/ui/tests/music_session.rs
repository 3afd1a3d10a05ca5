//! A session cued by music, in the window on a small ward screen: the built-in tracks imported
//! into the library, a patient's liked and disliked music set, "the patient's liked music" chosen
//! beside the start buttons, the virtual patient walked through the baseline into the cue, and
//! the music the record kept shown on the session's end panel.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use egui_kittest::kittest::{NodeT, Queryable};
use entrain_music::builtin;
use entrain_tests::tracks::write_wav;
use entrain_ui::Settings;

use common::*;

const RATE_HZ: u32 = 22_050;

#[test]
fn a_patients_liked_music_cues_the_session_and_the_end_panel_shows_what_played() {
    let size = egui::vec2(1366.0, 768.0);
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    std::fs::create_dir_all(&music).unwrap();
    // The built-in tracks as files, each under a title of its own.
    let files = [
        ("march-2-4", "Ward march"),
        ("waltz-3-4", "Ward waltz"),
        ("groove-4-4", "Ward groove"),
    ];
    for (name, title) in files {
        let rendered = builtin::by_name(name).unwrap().render(RATE_HZ);
        write_wav(
            &music.join(format!("{title}.wav")),
            &rendered.pcm.samples,
            1,
            RATE_HZ,
        )
        .unwrap();
    }
    let big = egui::vec2(1500.0, 1100.0);
    let mut h = ready_sized(Settings::demo(dir.path().join("data")), big);
    add_patient(&mut h, "MUSIC-1");

    // Music: import the folder, then the patient likes the waltz and dislikes the march.
    click(&mut h, "Music");
    type_into(
        &mut h,
        "Music folder or file (WAV, FLAC, Ogg Vorbis, MP3)",
        music.to_str().unwrap(),
    );
    click(&mut h, "Import");
    wait_until(&mut h, "the import", Duration::from_secs(60), |h| {
        has_text_containing(h, "Import finished: 3 files, 0 not imported.")
    });
    wait_until(&mut h, "the tracks listed", Duration::from_secs(10), |h| {
        files.iter().all(|(_, title)| has_label(h, title))
    });
    assert!(has_text_containing(
        &h,
        "Liked and disliked by patient MUSIC-1"
    ));
    let selected = |h: &egui_kittest::Harness<'_, entrain_ui::EntrainApp>, name: &str| {
        h.query_by_label(name)
            .is_some_and(|n| n.accesskit_node().toggled() == Some(egui::accesskit::Toggled::True))
    };
    click(&mut h, "Liked: Ward waltz");
    click(&mut h, "Disliked: Ward march");
    wait_until(&mut h, "the preferences", Duration::from_secs(10), |h| {
        selected(h, "Liked: Ward waltz") && selected(h, "Disliked: Ward march")
    });
    assert!(!selected(&h, "Liked: Ward groove"));
    // A playlist of the patient's: made, filled, put in order.
    type_into(&mut h, "New playlist", "Walk");
    click(&mut h, "Create playlist");
    click(&mut h, "Add Ward groove to Walk");
    wait_until(&mut h, "one track in it", Duration::from_secs(10), |h| {
        has_label(h, "Walk (1)")
    });
    click(&mut h, "Add Ward waltz to Walk");
    wait_until(&mut h, "two tracks in it", Duration::from_secs(10), |h| {
        has_label(h, "Walk (2)")
    });
    assert!(has_text_containing(&h, "1. Ward groove"));
    assert!(has_text_containing(&h, "2. Ward waltz"));
    click(&mut h, "Up: Ward waltz");
    wait_until(&mut h, "the waltz first", Duration::from_secs(10), |h| {
        has_text_containing(h, "1. Ward waltz") && has_text_containing(h, "2. Ward groove")
    });
    // A preview with sound off in the settings says so and plays nothing.
    click(&mut h, "Preview: Ward waltz");
    wait_until(
        &mut h,
        "the preview refused",
        Duration::from_secs(10),
        |h| {
            has_text_containing(
                h,
                "Sound is off in the settings: Ward waltz is not previewed.",
            )
        },
    );
    fits_small_screen(&mut h, size, big);

    // Sensors: the virtual patient, cued by the patient's liked music.
    click(&mut h, "Sensors");
    assert!(
        has_label(&h, "Playlist Walk"),
        "the patient's playlist is offered"
    );
    click(&mut h, "The patient's liked music");
    h.run_steps(2);
    assert!(has_text_containing(
        &h,
        "Music for the session: The patient's liked music"
    ));
    fits_small_screen(&mut h, size, big);
    // The demo settings play no sound: the chooser says the music will not be heard.
    assert!(has_text_containing(&h, "the music will not be heard"));
    click(&mut h, "Go to session");
    wait_until(
        &mut h,
        "the session to be ready",
        Duration::from_secs(60),
        |h| has_label(h, "Start"),
    );
    click(&mut h, "Start");
    // The demo protocol's baseline is 8 s of walking; the cue (the music) starts then.
    wait_until(&mut h, "the matched cue", Duration::from_secs(40), |h| {
        has_text_containing(h, "Phase: matched cue")
    });
    wait_for(&mut h, Duration::from_secs(4));
    stop_now(&mut h);

    // The end panel: the music the record kept, the liked track, never the disliked one.
    wait_until(&mut h, "the music played", Duration::from_secs(10), |h| {
        has_label(h, "Music played")
    });
    assert!(
        has_text_containing(&h, "Ward waltz: 0:"),
        "the liked track is shown as played"
    );
    assert!(has_text_containing(&h, "its own tempo"));
    assert!(has_text_containing(&h, ", music alone"));
    assert!(!has_text_containing(&h, "Ward march"));
}

/// Every button of the screen shown lies inside a ward screen of `small` (the window then back
/// to `big`).
fn fits_small_screen(
    h: &mut egui_kittest::Harness<'_, entrain_ui::EntrainApp>,
    small: egui::Vec2,
    big: egui::Vec2,
) {
    h.set_size(small);
    h.run_steps(3);
    for (name, r) in buttons(h) {
        assert!(
            r.min.x >= 0.0 && r.max.x <= small.x,
            "{name} is at {r:?}, outside the {small:?} window"
        );
    }
    h.set_size(big);
    h.run_steps(3);
}
