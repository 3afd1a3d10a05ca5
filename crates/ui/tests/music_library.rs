//! The music screen: a folder of the therapist's music imported with its progress (a bad file
//! named, the rest kept), each track's tempo and bar shown, an ambiguous tempo confirmed, and
//! the library there again when the window opens next.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use egui_kittest::kittest::{NodeT, Queryable};
use entrain_music::builtin;
use entrain_tests::tracks::{even_clicks, write_wav};
use entrain_ui::Settings;

use common::*;

const RATE_HZ: u32 = 22_050;

#[test]
fn a_folder_is_imported_with_its_tempi_and_an_ambiguous_one_is_confirmed() {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    std::fs::create_dir_all(&music).unwrap();
    let waltz = builtin::by_name("waltz-3-4").unwrap().render(RATE_HZ);
    write_wav(
        &music.join("Waltz for walking.wav"),
        &waltz.pcm.samples,
        1,
        RATE_HZ,
    )
    .unwrap();
    write_wav(&music.join("Clicks.wav"), &even_clicks(RATE_HZ), 1, RATE_HZ).unwrap();
    std::fs::write(music.join("Broken.mp3"), b"not really an mp3").unwrap();

    let settings = Settings::demo(dir.path().join("data"));
    let mut h = ready(settings.clone());
    click(&mut h, "Music");
    assert!(
        has_text_containing(&h, "March in 2/4"),
        "the built-in tracks are listed"
    );
    assert!(has_text_containing(&h, "No tracks imported yet."));
    type_into(
        &mut h,
        "Music folder or file (WAV, FLAC, Ogg Vorbis, MP3)",
        music.to_str().unwrap(),
    );
    click(&mut h, "Import");
    wait_until(&mut h, "the import", Duration::from_secs(60), |h| {
        has_text_containing(h, "Import finished: 3 files, 1 not imported.")
    });
    assert!(
        has_text_containing(&h, "Broken.mp3"),
        "the bad file is named"
    );
    wait_until(&mut h, "the tracks listed", Duration::from_secs(10), |h| {
        has_label(h, "Waltz for walking") && has_label(h, "Clicks")
    });
    assert!(has_text_containing(&h, "3 beats per bar"));
    assert!(has_text_containing(&h, "Which is the beat?"));
    // The therapist walks it at the slower of the two.
    let slower = h
        .query_all_by_label_contains("Clicks: ")
        .filter_map(|n| {
            let label = n.accesskit_node().label()?;
            let bpm: f64 = label
                .strip_prefix("Clicks: ")?
                .strip_suffix(" bpm")?
                .parse()
                .ok()?;
            Some((bpm, label))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .unwrap();
    assert!((slower.0 - 75.0).abs() < 1.0, "{slower:?}");
    click(&mut h, &slower.1);
    wait_until(&mut h, "the confirmation", Duration::from_secs(10), |h| {
        has_text_containing(h, "tempo confirmed")
    });
    drop(h);

    // The next time the window opens, the library is there with the therapist's tempo.
    let mut h = ready(settings);
    click(&mut h, "Music");
    wait_until(&mut h, "the library", Duration::from_secs(10), |h| {
        has_label(h, "Clicks") && has_text_containing(h, "tempo confirmed")
    });
    assert!(has_text_containing(&h, &format!("{:.1} bpm", slower.0)));
}
