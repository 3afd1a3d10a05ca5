//! `entrain music like|dislike|neutral|prefs` (what a patient thinks of the music) and
//! `entrain music playlist ...` (a patient's own playlists, or shared ones without --patient).

use anyhow::{Context, Result};
use clap::Subcommand;
use entrain_engine::music_resolve::{candidate_of, library_track_key};
use entrain_store::{MusicPreference, PatientRecord, PlaylistRecord, Store, TrackRecord};

/// `entrain music playlist ...`.
#[derive(Debug, Subcommand)]
pub enum PlaylistCommand {
    /// Makes an empty playlist: the patient's with --patient, else shared by all patients.
    Create {
        /// Its name (unique among the patient's playlists, or among the shared ones).
        name: String,
        /// The patient whose playlist it is (without: shared).
        #[arg(long)]
        patient: Option<String>,
    },
    /// Appends tracks (built-in names or imported files) to a playlist.
    Add {
        /// The playlist.
        name: String,
        /// The tracks, in order.
        #[arg(required = true)]
        tracks: Vec<String>,
        /// The patient whose playlist it is (without: a shared one).
        #[arg(long)]
        patient: Option<String>,
    },
    /// Removes a track from a playlist.
    Remove {
        /// The playlist.
        name: String,
        /// The track.
        track: String,
        /// The patient whose playlist it is (without: a shared one).
        #[arg(long)]
        patient: Option<String>,
    },
    /// Moves a track of a playlist to a position (1 = first).
    Move {
        /// The playlist.
        name: String,
        /// The track.
        track: String,
        /// Its new position, 1 = first.
        position: usize,
        /// The patient whose playlist it is (without: a shared one).
        #[arg(long)]
        patient: Option<String>,
    },
    /// Renames a playlist.
    Rename {
        /// The playlist.
        name: String,
        /// Its new name.
        new_name: String,
        /// The patient whose playlist it is (without: a shared one).
        #[arg(long)]
        patient: Option<String>,
    },
    /// Shows a playlist's tracks in order, with their own tempo.
    Show {
        /// The playlist.
        name: String,
        /// The patient whose playlist it is (without: a shared one).
        #[arg(long)]
        patient: Option<String>,
    },
    /// Lists the playlists: the patient's own and the shared ones with --patient, else the
    /// shared ones.
    List {
        /// The patient.
        #[arg(long)]
        patient: Option<String>,
    },
    /// Deletes a playlist (its tracks stay in the library).
    Delete {
        /// The playlist.
        name: String,
        /// The patient whose playlist it is (without: a shared one).
        #[arg(long)]
        patient: Option<String>,
    },
}

/// The patient with `code`, or an error naming the code and the record.
fn patient(store: &Store, code: &str) -> Result<PatientRecord> {
    store.patient_by_code(code)?.with_context(|| {
        format!(
            "--patient {code}: no such patient in {} (add one: entrain patients --add)",
            store.path().display()
        )
    })
}

/// What `track` is shown as: its title and key.
fn shown(track: &str, library: &[TrackRecord]) -> String {
    match candidate_of(track, library, MusicPreference::Neutral) {
        Some(c) => format!("{} ({}), {:.1} bpm", c.title, c.name, c.tempo_bpm),
        None => format!("{track} (no longer in the library: skipped by sessions)"),
    }
}

/// `entrain music like|dislike|neutral --patient CODE TRACK`.
pub fn set_preference(
    store: &mut Store,
    code: &str,
    track: &str,
    preference: MusicPreference,
) -> Result<()> {
    let p = patient(store, code)?;
    let key = library_track_key(store, track)?;
    store.set_music_preference(p.id, &key, preference)?;
    let library = store.tracks()?;
    println!(
        "patient {}: {} {}",
        p.code,
        preference,
        shown(&key, &library)
    );
    Ok(())
}

/// One line of `entrain music prefs --json`.
#[derive(Debug, serde::Serialize)]
struct ListedPreference {
    track: String,
    title: Option<String>,
    tempo_bpm: Option<f64>,
    preference: MusicPreference,
    set_unix_ms: i64,
}

/// `entrain music prefs --patient CODE`: liked, then disliked; every other track is neutral.
pub fn list_preferences(store: &Store, code: &str, json: bool) -> Result<()> {
    let p = patient(store, code)?;
    let library = store.tracks()?;
    let prefs = store.music_preferences(p.id)?;
    if json {
        let listed: Vec<ListedPreference> = prefs
            .into_iter()
            .map(|pref| {
                let c = candidate_of(&pref.track, &library, pref.preference);
                ListedPreference {
                    title: c.as_ref().map(|c| c.title.clone()),
                    tempo_bpm: c.map(|c| c.tempo_bpm),
                    track: pref.track,
                    preference: pref.preference,
                    set_unix_ms: pref.set_unix_ms,
                }
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&listed)?);
        return Ok(());
    }
    if prefs.is_empty() {
        println!(
            "patient {}: no preferences yet (every track neutral): entrain music like --patient {} TRACK",
            p.code, p.code
        );
    }
    for pref in &prefs {
        println!(
            "{:<9} {}",
            pref.preference.as_str(),
            shown(&pref.track, &library)
        );
    }
    Ok(())
}

/// The playlist `name` of the patient (`--patient`) or among the shared ones.
fn playlist(store: &Store, name: &str, code: Option<&str>) -> Result<PlaylistRecord> {
    let owner = code.map(|c| patient(store, c)).transpose()?;
    let scope = match &owner {
        Some(p) => format!("among patient {}'s playlists", p.code),
        None => "among the shared playlists (a patient's: give --patient)".to_string(),
    };
    store
        .playlist_by_name(owner.map(|p| p.id), name)?
        .with_context(|| {
            format!(
                "playlist {name:?}: no such playlist {scope} in {}",
                store.path().display()
            )
        })
}

fn describe(store: &Store, list: &PlaylistRecord) -> Result<String> {
    let owner = match list.patient_id {
        Some(id) => format!("patient {}", store.patient(id)?.code),
        None => "shared".to_string(),
    };
    Ok(format!(
        "{} ({owner}): {} track(s)",
        list.name,
        list.tracks.len()
    ))
}

/// Runs `entrain music playlist ...`.
pub fn run_playlist(store: &mut Store, command: PlaylistCommand) -> Result<()> {
    match command {
        PlaylistCommand::Create {
            name,
            patient: code,
        } => {
            let owner = code.as_deref().map(|c| patient(store, c)).transpose()?;
            let list = store.create_playlist(owner.map(|p| p.id), &name)?;
            println!("{}", describe(store, &list)?);
        }
        PlaylistCommand::Add {
            name,
            tracks,
            patient: code,
        } => {
            let list = playlist(store, &name, code.as_deref())?;
            // Every track checked before any is added: a typo adds nothing.
            let keys = tracks
                .iter()
                .map(|t| library_track_key(store, t))
                .collect::<Result<Vec<_>, _>>()?;
            let mut list = list;
            for key in &keys {
                list = store.add_playlist_track(list.id, key)?;
            }
            println!("{}", describe(store, &list)?);
        }
        PlaylistCommand::Remove {
            name,
            track,
            patient: code,
        } => {
            let list = playlist(store, &name, code.as_deref())?;
            let key = stored_key(store, &list, &track);
            let list = store.remove_playlist_track(list.id, &key)?;
            println!("{}", describe(store, &list)?);
        }
        PlaylistCommand::Move {
            name,
            track,
            position,
            patient: code,
        } => {
            let list = playlist(store, &name, code.as_deref())?;
            let key = stored_key(store, &list, &track);
            let list = store.move_playlist_track(list.id, &key, position)?;
            show(store, &list)?;
        }
        PlaylistCommand::Rename {
            name,
            new_name,
            patient: code,
        } => {
            let list = playlist(store, &name, code.as_deref())?;
            let list = store.rename_playlist(list.id, &new_name)?;
            println!("{}", describe(store, &list)?);
        }
        PlaylistCommand::Show {
            name,
            patient: code,
        } => {
            let list = playlist(store, &name, code.as_deref())?;
            show(store, &list)?;
        }
        PlaylistCommand::List { patient: code } => {
            let owner = code.as_deref().map(|c| patient(store, c)).transpose()?;
            let lists = store.playlists(owner.map(|p| p.id))?;
            if lists.is_empty() {
                println!("no playlists yet: entrain music playlist create NAME [--patient CODE]");
            }
            for list in &lists {
                println!("{}", describe(store, list)?);
            }
        }
        PlaylistCommand::Delete {
            name,
            patient: code,
        } => {
            let list = playlist(store, &name, code.as_deref())?;
            store.delete_playlist(list.id)?;
            println!("deleted {}", describe(store, &list)?);
        }
    }
    Ok(())
}

/// A track as the playlist holds it: as given if listed so, else its library key (a relative
/// path made absolute), so a file no longer in the library can still be removed.
fn stored_key(store: &Store, list: &PlaylistRecord, given: &str) -> String {
    let given = given.trim();
    if list.tracks.iter().any(|t| t == given) {
        return given.to_string();
    }
    library_track_key(store, given)
        .ok()
        .or_else(|| entrain_engine::library::library_key(std::path::Path::new(given)).ok())
        .unwrap_or_else(|| given.to_string())
}

fn show(store: &Store, list: &PlaylistRecord) -> Result<()> {
    println!("{}", describe(store, list)?);
    let library = store.tracks()?;
    for (i, track) in list.tracks.iter().enumerate() {
        println!("{:>3}. {}", i + 1, shown(track, &library));
    }
    Ok(())
}
