//! Schema v7: each patient's music preferences and the playlists (a patient's own or shared),
//! stored, refused when wrong, exported and migrated from v6.
#![allow(clippy::unwrap_used)]

use entrain_store::export::{ExportFormat, ExportOptions, build_tables, write_tables};
use entrain_store::*;

const FILE: &str = "/home/therapist/Music/Ann's walk.flac";

fn patient(store: &mut Store, code: &str) -> i64 {
    store
        .add_patient(&NewPatient {
            code: code.into(),
            ..NewPatient::default()
        })
        .unwrap()
        .id
}

fn invalid_field(e: StoreError) -> (String, String) {
    match e {
        StoreError::Invalid {
            field,
            expected,
            found,
        } => (field, format!("expected {expected}, found {found}")),
        other => panic!("not Invalid: {other}"),
    }
}

#[test]
fn preferences_round_trip_overwrite_and_neutral_clears() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.sqlite3");
    let mut store = Store::open(&path).unwrap();
    let ann = patient(&mut store, "ANN-1");
    let bob = patient(&mut store, "BOB-2");
    assert_eq!(
        store.music_preference(ann, "march-4-4").unwrap(),
        MusicPreference::Neutral
    );
    store
        .set_music_preference(ann, "march-4-4", MusicPreference::Disliked)
        .unwrap();
    store
        .set_music_preference(ann, FILE, MusicPreference::Liked)
        .unwrap();
    store
        .set_music_preference(ann, "  waltz-3-4 ", MusicPreference::Liked)
        .unwrap();
    store
        .set_music_preference(bob, "march-4-4", MusicPreference::Liked)
        .unwrap();
    drop(store);

    let mut store = Store::open(&path).unwrap();
    let got: Vec<(String, MusicPreference)> = store
        .music_preferences(ann)
        .unwrap()
        .into_iter()
        .map(|p| {
            assert_eq!(p.patient_id, ann);
            assert!(p.set_unix_ms > 0);
            (p.track, p.preference)
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (FILE.to_string(), MusicPreference::Liked),
            ("waltz-3-4".to_string(), MusicPreference::Liked),
            ("march-4-4".to_string(), MusicPreference::Disliked),
        ],
        "liked first, each by track; the key trimmed"
    );
    assert_eq!(
        store.music_preference(bob, "march-4-4").unwrap(),
        MusicPreference::Liked,
        "each patient's own"
    );

    store
        .set_music_preference(ann, "march-4-4", MusicPreference::Liked)
        .unwrap();
    assert_eq!(
        store.music_preference(ann, "march-4-4").unwrap(),
        MusicPreference::Liked
    );
    store
        .set_music_preference(ann, "march-4-4", MusicPreference::Neutral)
        .unwrap();
    assert_eq!(
        store.music_preference(ann, "march-4-4").unwrap(),
        MusicPreference::Neutral
    );
    assert!(store.clear_music_preference(ann, FILE).unwrap());
    assert!(
        !store.clear_music_preference(ann, FILE).unwrap(),
        "none left"
    );
    assert_eq!(store.music_preferences(ann).unwrap().len(), 1);
}

#[test]
fn a_preference_of_no_patient_or_no_track_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("e.sqlite3")).unwrap();
    let ann = patient(&mut store, "ANN-1");
    let e = store
        .set_music_preference(ann + 9, "march-4-4", MusicPreference::Liked)
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::NotFound { what, .. } if what == &format!("patient #{}", ann + 9)),
        "{e}"
    );
    assert!(store.music_preferences(ann + 9).is_err());
    let (field, text) = invalid_field(
        store
            .set_music_preference(ann, "  ", MusicPreference::Liked)
            .unwrap_err(),
    );
    assert_eq!(field, "music track");
    assert!(text.contains("built-in track's name"), "{text}");
    assert!(store.music_preferences(ann).unwrap().is_empty());
}

#[test]
fn playlists_keep_their_tracks_in_order_and_are_edited_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.sqlite3");
    let mut store = Store::open(&path).unwrap();
    let ann = patient(&mut store, "ANN-1");
    let list = store.create_playlist(Some(ann), " Walks ").unwrap();
    assert_eq!(
        (list.name.as_str(), list.patient_id, list.tracks.len()),
        ("Walks", Some(ann), 0)
    );
    for t in ["march-4-4", FILE, "waltz-3-4"] {
        store.add_playlist_track(list.id, t).unwrap();
    }
    let moved = store.move_playlist_track(list.id, "waltz-3-4", 1).unwrap();
    assert_eq!(moved.tracks, vec!["waltz-3-4", "march-4-4", FILE]);
    let removed = store.remove_playlist_track(list.id, "march-4-4").unwrap();
    assert_eq!(removed.tracks, vec!["waltz-3-4", FILE]);
    store.rename_playlist(list.id, "Morning walks").unwrap();
    drop(store);

    let mut store = Store::open(&path).unwrap();
    let back = store.playlist(list.id).unwrap();
    assert_eq!(back.name, "Morning walks");
    assert_eq!(back.tracks, vec!["waltz-3-4", FILE]);
    assert_eq!(
        store
            .playlist_by_name(Some(ann), "MORNING WALKS")
            .unwrap()
            .unwrap(),
        back,
        "found by name without case"
    );
    assert_eq!(store.playlist_by_name(None, "Morning walks").unwrap(), None);
    store.delete_playlist(list.id).unwrap();
    assert!(matches!(
        store.playlist(list.id),
        Err(StoreError::NotFound { .. })
    ));
    assert!(store.playlists(Some(ann)).unwrap().is_empty());
    // The name is free again once deleted.
    store.create_playlist(Some(ann), "Morning walks").unwrap();
}

#[test]
fn shared_and_own_playlists_are_listed_for_a_patient_names_unique_per_scope() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("e.sqlite3")).unwrap();
    let ann = patient(&mut store, "ANN-1");
    let bob = patient(&mut store, "BOB-2");
    let shared = store.create_playlist(None, "Ward marches").unwrap();
    let own = store.create_playlist(Some(ann), "Ward marches").unwrap();
    let bobs = store.create_playlist(Some(bob), "Bob's").unwrap();
    store.create_playlist(None, "Adagio").unwrap();
    let names = |lists: Vec<PlaylistRecord>| -> Vec<(String, Option<i64>)> {
        lists.into_iter().map(|l| (l.name, l.patient_id)).collect()
    };
    assert_eq!(
        names(store.playlists(Some(ann)).unwrap()),
        vec![
            ("Ward marches".to_string(), Some(ann)),
            ("Adagio".to_string(), None),
            ("Ward marches".to_string(), None),
        ],
        "the patient's own first, then the shared, each by name; not Bob's"
    );
    assert_eq!(
        names(store.playlists(None).unwrap()).len(),
        2,
        "shared only"
    );
    assert_eq!(
        store.patient_playlists(bob).unwrap(),
        vec![store.playlist(bobs.id).unwrap()]
    );
    assert_eq!(
        store
            .playlist_by_name(None, "ward marches")
            .unwrap()
            .unwrap()
            .id,
        shared.id
    );
    assert_eq!(
        store
            .playlist_by_name(Some(ann), "ward marches")
            .unwrap()
            .unwrap()
            .id,
        own.id
    );

    let (field, text) = invalid_field(
        store
            .create_playlist(Some(ann), "WARD MARCHES")
            .unwrap_err(),
    );
    assert_eq!(field, "playlist name");
    assert!(
        text.contains("among patient ANN-1's playlists") && text.contains("WARD MARCHES"),
        "{text}"
    );
    let (_, text) = invalid_field(store.create_playlist(None, "adagio").unwrap_err());
    assert!(text.contains("among the shared playlists"), "{text}");
    let (_, text) = invalid_field(store.rename_playlist(shared.id, "Adagio").unwrap_err());
    assert!(text.contains("Adagio"), "{text}");
    store
        .rename_playlist(shared.id, "ward MARCHES")
        .expect("its own name, in another case");
}

#[test]
fn bad_playlist_input_is_refused_with_what_and_where() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("e.sqlite3")).unwrap();
    let ann = patient(&mut store, "ANN-1");
    for bad in ["", "   ", "two\nlines"] {
        let (field, _) = invalid_field(store.create_playlist(Some(ann), bad).unwrap_err());
        assert_eq!(field, "playlist name", "{bad:?}");
    }
    let long = "x".repeat(PLAYLIST_NAME_MAX_CHARS + 1);
    let (_, text) = invalid_field(store.create_playlist(None, &long).unwrap_err());
    assert!(text.contains("1 to 100 characters"), "{text}");
    store
        .create_playlist(None, &"é".repeat(PLAYLIST_NAME_MAX_CHARS))
        .expect("100 characters, not bytes");
    assert!(matches!(
        store.create_playlist(Some(ann + 5), "Walks"),
        Err(StoreError::NotFound { what, .. }) if what == format!("patient #{}", ann + 5)
    ));
    assert!(matches!(
        store.add_playlist_track(999, "march-4-4"),
        Err(StoreError::NotFound { what, .. }) if what == "playlist #999"
    ));

    let list = store.create_playlist(Some(ann), "Walks").unwrap();
    store.add_playlist_track(list.id, "march-4-4").unwrap();
    let (field, text) = invalid_field(store.add_playlist_track(list.id, "march-4-4").unwrap_err());
    assert_eq!(field, "playlist Walks");
    assert!(text.contains("already at position 1"), "{text}");
    let (_, text) = invalid_field(store.add_playlist_track(list.id, "").unwrap_err());
    assert!(text.contains("built-in track's name"), "{text}");
    let (field, text) = invalid_field(store.remove_playlist_track(list.id, "polka").unwrap_err());
    assert_eq!(field, "playlist Walks");
    assert!(text.contains("\"polka\""), "{text}");
    let (field, text) = invalid_field(
        store
            .move_playlist_track(list.id, "march-4-4", 2)
            .unwrap_err(),
    );
    assert_eq!(field, "position in playlist Walks");
    assert!(text.contains("1..=1, found 2"), "{text}");
    assert!(store.move_playlist_track(list.id, "march-4-4", 0).is_err());
    assert_eq!(store.playlist(list.id).unwrap().tracks, vec!["march-4-4"]);
}

#[test]
fn preferences_and_own_playlists_are_exported_and_deidentified() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("e.sqlite3")).unwrap();
    let ann = patient(&mut store, "ANN-1");
    store
        .set_music_preference(ann, FILE, MusicPreference::Liked)
        .unwrap();
    store
        .set_music_preference(ann, "march-4-4", MusicPreference::Disliked)
        .unwrap();
    let list = store
        .create_playlist(Some(ann), "Ann's favourites")
        .unwrap();
    store.add_playlist_track(list.id, FILE).unwrap();
    store.add_playlist_track(list.id, "waltz-3-4").unwrap();
    let shared = store.create_playlist(None, "Ward marches").unwrap();
    store.add_playlist_track(shared.id, "march-4-4").unwrap();

    let export = |options: ExportOptions, sub: &str| {
        let tables = build_tables(&store, &[], &[ann], options).unwrap();
        let out = dir.path().join(sub);
        write_tables(&tables, ExportFormat::Csv, &out, options).unwrap();
        let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap();
        (read("music_preferences.csv"), read("playlists.csv"))
    };
    let (prefs, lists) = export(ExportOptions::default(), "plain");
    let prefs: Vec<&str> = prefs.lines().collect();
    assert_eq!(prefs[0], "patient,track,preference,set_utc");
    assert_eq!(prefs.len(), 3);
    assert!(
        prefs[1].starts_with(&format!("ANN-1,{FILE},liked,")),
        "{}",
        prefs[1]
    );
    assert!(
        prefs[2].starts_with("ANN-1,march-4-4,disliked,"),
        "{}",
        prefs[2]
    );
    assert_eq!(
        lists,
        format!(
            "patient,playlist,position,track\nANN-1,Ann's favourites,1,{FILE}\nANN-1,Ann's favourites,2,waltz-3-4\n"
        ),
        "the patient's own playlists, not the shared ones"
    );

    let (prefs, lists) = export(ExportOptions { deidentified: true }, "anon");
    assert!(
        prefs.starts_with("patient,track,preference,set_day\n"),
        "{prefs}"
    );
    assert!(prefs.contains("R001,Ann's walk.flac,liked,"), "{prefs}");
    assert!(!prefs.contains("/home/therapist"), "{prefs}");
    assert_eq!(
        lists,
        "patient,playlist,position,track\nR001,playlist 1,1,Ann's walk.flac\nR001,playlist 1,2,waltz-3-4\n"
    );
}

#[test]
fn a_version_6_record_gains_preferences_and_playlists_and_keeps_its_patients() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v6.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        for m in &schema::MIGRATIONS[..6] {
            conn.execute_batch(m).unwrap();
        }
        conn.execute_batch(&format!(
            "PRAGMA application_id = {}; PRAGMA user_version = 6;
             INSERT INTO patients (code, created_unix_ms) VALUES ('OLD-1', 0);",
            schema::APPLICATION_ID
        ))
        .unwrap();
        let has: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('music_preferences', 'playlists', 'playlist_tracks')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(has, 0, "a v6 record has neither");
    }
    assert_eq!(schema::SCHEMA_VERSION, 7);
    let mut store = Store::open(&path).unwrap();
    let old = store.patient_by_code("OLD-1").unwrap().unwrap();
    assert!(store.music_preferences(old.id).unwrap().is_empty());
    assert!(store.playlists(Some(old.id)).unwrap().is_empty());
    store
        .set_music_preference(old.id, "march-4-4", MusicPreference::Liked)
        .unwrap();
    let list = store.create_playlist(Some(old.id), "Walks").unwrap();
    store.add_playlist_track(list.id, "march-4-4").unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 7);
    // The schema's own checks hold what the API checks, for any other writer.
    assert!(
        conn.execute(
            "INSERT INTO music_preferences VALUES (?1, 'x', 'neutral', 0)",
            [old.id]
        )
        .is_err(),
        "neutral is not stored"
    );
    assert!(
        conn.execute(
            "INSERT INTO playlists (patient_id, name, created_unix_ms) VALUES (?1, 'WALKS', 0)",
            [old.id]
        )
        .is_err(),
        "a name once per patient, without case"
    );
    assert!(
        conn.execute(
            "INSERT INTO playlist_tracks VALUES (?1, 5, 'march-4-4')",
            [list.id]
        )
        .is_err(),
        "a track once per playlist"
    );
}

#[test]
fn preference_names_parse_in_any_case_and_say_what_they_take() {
    assert_eq!(
        " Like ".parse::<MusicPreference>().unwrap(),
        MusicPreference::Liked
    );
    assert_eq!(
        "DISLIKED".parse::<MusicPreference>().unwrap(),
        MusicPreference::Disliked
    );
    assert_eq!(
        "neutral".parse::<MusicPreference>().unwrap(),
        MusicPreference::Neutral
    );
    let e = "love".parse::<MusicPreference>().unwrap_err().to_string();
    assert!(
        e.contains("music preference") && e.contains("liked, neutral or disliked"),
        "{e}"
    );
    for p in [
        MusicPreference::Liked,
        MusicPreference::Neutral,
        MusicPreference::Disliked,
    ] {
        assert_eq!(p.as_str().parse::<MusicPreference>().unwrap(), p);
    }
}
