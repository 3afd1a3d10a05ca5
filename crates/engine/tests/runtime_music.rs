//! Music in the session runtime, on simulated time: the virtual patient hears the beats the
//! music is played on as it hears clicks, so a music session raises its cadence as a click
//! session does; every stretch of music is recorded; a track that cannot be loaded leaves the
//! session cued by clicks with a recorded note.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;

use entrain_audio::Overlay;
use entrain_cue::config::UncuedLength;
use entrain_engine::EngineConfig;
use entrain_engine::music::{MUSIC_RATE_HZ, load_track};
use entrain_engine::runtime::{
    self, AudioOutput, Clock, Recording, RunSummary, RuntimeConfig, SessionMusic,
};
use entrain_sim::{Preset, VirtualPatient, VirtualPatientSource};
use entrain_store::{EventKind, SessionStatus, Store};

const SEC: i64 = 1_000_000_000;

fn config(db: &Path, music: Option<SessionMusic>) -> RuntimeConfig {
    let mut engine = EngineConfig::default();
    engine.protocol.baseline = UncuedLength::Secs(20.0);
    engine.protocol.fading_secs = 20.0;
    engine.protocol.retest = UncuedLength::Secs(20.0);
    RuntimeConfig {
        engine,
        clock: Clock::Simulated,
        tick_nanos: 10_000_000,
        audio: AudioOutput::Off,
        music,
        recording: Some(Recording {
            db_path: db.to_path_buf(),
            patient_id: None,
            source_label: "sim:entrains".into(),
        }),
        max_nanos: Some(1200 * SEC),
        auto_start: true,
    }
}

fn run(config: RuntimeConfig) -> RunSummary {
    let patient = VirtualPatient::new(Preset::Entrains.config());
    let source = VirtualPatientSource::new(patient, "entrains", None);
    let handle = runtime::start(config, Box::new(source)).unwrap();
    for _ in handle.events().iter() {}
    handle.join().unwrap()
}

fn march(overlay: Overlay) -> SessionMusic {
    SessionMusic {
        track: load_track(None, "march-4-4", MUSIC_RATE_HZ, 1200.0),
        overlay,
        candidates: Vec::new(),
    }
}

/// The cadence the session raised, re-test minus baseline, steps/min.
fn gain(summary: &RunSummary) -> f64 {
    let s = &summary.snapshot;
    s.retest_cadence_spm.unwrap() - s.baseline_cadence_spm.unwrap()
}

#[test]
fn a_music_session_raises_the_cadence_as_a_click_session_does_and_records_its_music() {
    let dir = tempfile::tempdir().unwrap();
    let clicks_db = dir.path().join("clicks.db");
    let music_db = dir.path().join("music.db");
    let clicks = run(config(&clicks_db, None));
    let overlay = Overlay::MusicWithClick {
        click_level: 0.3,
        offbeat_level: 0.6,
    };
    let music = run(config(&music_db, Some(march(overlay))));
    assert_eq!(clicks.status, SessionStatus::Completed, "{}", clicks.reason);
    assert_eq!(music.status, SessionStatus::Completed, "{}", music.reason);
    let (g_clicks, g_music) = (gain(&clicks), gain(&music));
    eprintln!("cadence raised: clicks {g_clicks:.2} steps/min, music {g_music:.2} steps/min");
    assert!(
        g_clicks > 2.0,
        "the click session raised the cadence by {g_clicks:.2}"
    );
    assert!(
        (g_music - g_clicks).abs() <= 2.0,
        "music raised it by {g_music:.2} steps/min, clicks by {g_clicks:.2}"
    );

    let store = Store::open(&music_db).unwrap();
    let id = music.session_id.unwrap();
    let segments: Vec<_> = store
        .music_segments(id)
        .unwrap()
        .into_iter()
        .map(|s| s.segment)
        .collect();
    assert!(!segments.is_empty(), "no music segment recorded");
    for s in &segments {
        eprintln!(
            "segment {:.1}-{:.1} s, {:.1}-{:.1} bpm, stretch {:.3}-{:.3}",
            s.start_nanos as f64 / 1e9,
            s.end_nanos as f64 / 1e9,
            s.played_min_bpm,
            s.played_max_bpm,
            s.stretch_min,
            s.stretch_max
        );
    }
    let beats: Vec<_> = store
        .beats(id)
        .unwrap()
        .into_iter()
        .filter(|b| b.volume > 0.0)
        .collect();
    assert!(!beats.is_empty());
    // Every sounding beat lies in a segment, and each segment's tempo range is its beats'.
    for b in &beats {
        assert!(
            segments
                .iter()
                .any(|s| (s.start_nanos..=s.end_nanos).contains(&b.scheduled_nanos)),
            "beat at {} ns outside every music segment",
            b.scheduled_nanos
        );
        assert!(b.phase.is_cued(), "a sounding beat in {:?}", b.phase);
    }
    let phases = store.phases(id).unwrap();
    let cued_start = phases
        .iter()
        .find(|p| p.phase.is_cued())
        .unwrap()
        .start_nanos;
    for s in &segments {
        assert!(
            s.start_nanos >= cued_start && s.end_nanos >= s.start_nanos,
            "{s:?}"
        );
        let inside: Vec<f64> = beats
            .iter()
            .filter(|b| (s.start_nanos..=s.end_nanos).contains(&b.scheduled_nanos))
            .map(|b| b.tempo_spm)
            .collect();
        assert!(!inside.is_empty(), "an empty segment {s:?}");
        let min = inside.iter().copied().fold(f64::INFINITY, f64::min);
        let max = inside.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!((s.played_min_bpm, s.played_max_bpm), (min, max), "{s:?}");
        assert_eq!(s.track, "march-4-4");
        assert_eq!(s.stretch_min, min / s.track_tempo_bpm);
        assert_eq!(s.stretch_max, max / s.track_tempo_bpm);
        assert_eq!(
            (s.overlay.as_str(), s.click_level),
            ("music+click", 0.3_f32 as f64)
        );
    }
    // The music followed the progression: the range played spans the cue's rise.
    let top = segments
        .iter()
        .map(|s| s.played_max_bpm)
        .fold(0.0, f64::max);
    let bottom = segments
        .iter()
        .map(|s| s.played_min_bpm)
        .fold(f64::INFINITY, f64::min);
    assert!(
        top > bottom,
        "the music was played at one tempo only ({bottom})"
    );
    let events = store.events(id).unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.kind == EventKind::Audio && e.detail.starts_with("music: ")),
        "{events:?}"
    );
    // The click session has none.
    let clicks_store = Store::open(&clicks_db).unwrap();
    assert!(
        clicks_store
            .music_segments(clicks.session_id.unwrap())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_track_that_cannot_be_loaded_leaves_a_click_session_and_a_recorded_note() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db");
    let missing = dir.path().join("gone.flac");
    let music = SessionMusic {
        track: load_track(None, missing.to_str().unwrap(), MUSIC_RATE_HZ, 60.0),
        overlay: Overlay::MusicOnly,
        candidates: Vec::new(),
    };
    assert!(music.track.is_err());
    let mut c = config(&db, Some(music));
    c.max_nanos = Some(60 * SEC);
    let summary = run(c);
    assert_eq!(summary.status, SessionStatus::Stopped, "{}", summary.reason);
    let store = Store::open(&db).unwrap();
    let id = summary.session_id.unwrap();
    assert!(store.music_segments(id).unwrap().is_empty());
    let notes: Vec<_> = store
        .events(id)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::Audio)
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].detail.contains("gone.flac"), "{}", notes[0].detail);
    assert!(
        notes[0].detail.contains("cued by clicks"),
        "{}",
        notes[0].detail
    );
    assert!(
        store
            .beats(id)
            .unwrap()
            .iter()
            .any(|b| b.played_nanos.is_some()),
        "the session was cued (by clicks)"
    );
}

#[test]
fn music_asked_for_with_no_device_is_not_recorded_as_played() {
    // Sound asked for on a device that does not exist: the beats go on as a visual cue and are
    // stored as not heard; no music segment may say the music was played.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nodevice.db");
    let mut config = config(&db, Some(march(Overlay::MusicOnly)));
    config.engine.protocol.baseline = UncuedLength::Secs(2.0);
    config.clock = Clock::RealTime {
        origin: std::time::Instant::now(),
    };
    config.tick_nanos = 5_000_000;
    config.max_nanos = Some(20 * SEC);
    config.audio = AudioOutput::Device(entrain_audio::MetronomeConfig {
        output: entrain_audio::OutputOptions {
            device_name: Some("no such output device (entrain test)".into()),
            ..entrain_audio::OutputOptions::default()
        },
        ..entrain_audio::MetronomeConfig::default()
    });
    let summary = run(config);
    let store = Store::open(&db).unwrap();
    let id = summary.session_id.unwrap();
    let beats = store.beats(id).unwrap();
    assert!(
        beats.iter().any(|b| b.phase.is_cued()),
        "the session reached the cue: {beats:?}"
    );
    assert!(beats.iter().all(|b| b.played_nanos.is_none()), "{beats:?}");
    assert_eq!(store.music_segments(id).unwrap(), vec![]);
}
