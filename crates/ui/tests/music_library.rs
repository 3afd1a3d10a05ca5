//! The music screen: a folder of the therapist's music imported with its progress (a bad file
//! named, the rest kept), each track's tempo and bar shown, an ambiguous tempo confirmed, and
//! the library there again when the window opens next.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::time::Duration;

use egui_kittest::kittest::{NodeT, Queryable};
use entrain_music::builtin;
use entrain_ui::Settings;

use common::*;

const RATE_HZ: u32 = 22_050;

fn write_wav(path: &Path, samples: &[f32]) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE_HZ,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for s in samples {
        w.write_sample((s.clamp(-1.0, 1.0) * 32_767.0) as i16)
            .unwrap();
    }
    w.finalize().unwrap();
}

/// Identical clicks at 150 per minute for 20 s: 150 and 75 bpm fit as well.
fn even_clicks() -> Vec<f32> {
    let rate = f64::from(RATE_HZ);
    let mut samples = vec![0.0f32; 20 * RATE_HZ as usize];
    let mut t = 0.3;
    while t < 19.9 {
        let start = (t * rate) as usize;
        for n in 0..(0.01 * rate) as usize {
            let tau = n as f64 / rate;
            samples[start + n] +=
                (0.5 * (std::f64::consts::TAU * 2_000.0 * tau).sin() * (-tau / 0.003).exp()) as f32;
        }
        t += 0.4;
    }
    samples
}

#[test]
fn a_folder_is_imported_with_its_tempi_and_an_ambiguous_one_is_confirmed() {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    std::fs::create_dir_all(&music).unwrap();
    let waltz = builtin::by_name("waltz-3-4").unwrap().render(RATE_HZ);
    write_wav(&music.join("Waltz for walking.wav"), &waltz.pcm.samples);
    write_wav(&music.join("Clicks.wav"), &even_clicks());
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
