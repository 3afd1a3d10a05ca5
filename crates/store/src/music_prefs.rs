//! What each patient thinks of the music: liked, disliked (neutral is no row), and the
//! therapist's playlists. The chooser (`entrain_engine::music_choice`) reads both.

use std::str::FromStr;

use entrain_gait::UnknownName;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::error::StoreError;
use crate::read::parsed;
use crate::store::{Store, unix_ms_now};

/// A patient's opinion of a track. Neutral is the default: no stored row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MusicPreference {
    /// The patient likes it: chosen first.
    Liked,
    /// No opinion recorded.
    Neutral,
    /// The patient dislikes it: never chosen automatically.
    Disliked,
}

impl MusicPreference {
    /// The stored and typed name: `liked`, `neutral`, `disliked`.
    pub fn as_str(self) -> &'static str {
        match self {
            MusicPreference::Liked => "liked",
            MusicPreference::Neutral => "neutral",
            MusicPreference::Disliked => "disliked",
        }
    }
}

impl std::fmt::Display for MusicPreference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MusicPreference {
    type Err = UnknownName;

    /// A stored or typed name in any case (`like`, `dislike` too).
    fn from_str(s: &str) -> Result<Self, UnknownName> {
        match s.trim().to_ascii_lowercase().as_str() {
            "liked" | "like" => Ok(MusicPreference::Liked),
            "neutral" => Ok(MusicPreference::Neutral),
            "disliked" | "dislike" => Ok(MusicPreference::Disliked),
            _ => Err(UnknownName::new(
                "music preference",
                "liked, neutral or disliked",
                s,
            )),
        }
    }
}
/// A patient's stored opinion of one track (schema v7 `music_preferences`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MusicPreferenceRecord {
    /// The patient.
    pub patient_id: i64,
    /// The track's key: a built-in track's name or a library file's absolute path.
    pub track: String,
    /// Liked or disliked (neutral is not stored).
    pub preference: MusicPreference,
    /// When it was set, Unix ms.
    pub set_unix_ms: i64,
}

/// A playlist (schema v7 `playlists`, `playlist_tracks`): one patient's, or shared by all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaylistRecord {
    /// Its id.
    pub id: i64,
    /// The patient it belongs to; `None`: shared, every patient's sessions may use it.
    pub patient_id: Option<i64>,
    /// Its name, unique among the patient's playlists (or among the shared ones), without case.
    pub name: String,
    /// Its tracks' keys, in order (a track at most once).
    pub tracks: Vec<String>,
    /// When it was made, Unix ms.
    pub created_unix_ms: i64,
}

/// The longest playlist name, characters.
pub const PLAYLIST_NAME_MAX_CHARS: usize = 100;

fn invalid(
    field: impl Into<String>,
    expected: impl Into<String>,
    found: impl Into<String>,
) -> StoreError {
    StoreError::Invalid {
        field: field.into(),
        expected: expected.into(),
        found: found.into(),
    }
}

/// A track key as given, trimmed; an empty one is refused.
fn check_track_key(track: &str) -> Result<&str, StoreError> {
    let key = track.trim();
    if key.is_empty() {
        return Err(invalid(
            "music track",
            "a built-in track's name or an imported file's path",
            format!("{track:?}"),
        ));
    }
    Ok(key)
}

/// A playlist name as given, trimmed: 1 to [`PLAYLIST_NAME_MAX_CHARS`] characters, no line break.
fn check_playlist_name(name: &str) -> Result<&str, StoreError> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > PLAYLIST_NAME_MAX_CHARS || n.contains(['\n', '\r']) {
        return Err(invalid(
            "playlist name",
            format!("1 to {PLAYLIST_NAME_MAX_CHARS} characters on one line"),
            format!("{name:?}"),
        ));
    }
    Ok(n)
}

const PLAYLIST_SELECT: &str = "SELECT id, patient_id, name, created_unix_ms FROM playlists";

fn preference_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MusicPreferenceRecord> {
    Ok(MusicPreferenceRecord {
        patient_id: r.get(0)?,
        track: r.get(1)?,
        preference: parsed(r, 2)?,
        set_unix_ms: r.get(3)?,
    })
}

impl Store {
    /// Sets patient `patient_id`'s opinion of `track` (a built-in's name or a library file's
    /// path; the caller checks it names a track). [`MusicPreference::Neutral`] clears it.
    pub fn set_music_preference(
        &mut self,
        patient_id: i64,
        track: &str,
        preference: MusicPreference,
    ) -> Result<(), StoreError> {
        let key = check_track_key(track)?;
        self.patient(patient_id)?;
        if preference == MusicPreference::Neutral {
            self.clear_music_preference(patient_id, key)?;
            return Ok(());
        }
        let path = self.path.clone();
        self.conn
            .execute(
                "INSERT INTO music_preferences (patient_id, track, preference, set_unix_ms)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(patient_id, track) DO UPDATE SET preference = excluded.preference,
                     set_unix_ms = excluded.set_unix_ms",
                params![patient_id, key, preference.as_str(), unix_ms_now()],
            )
            .map_err(|e| StoreError::sqlite(&path, "storing a music preference", e))?;
        Ok(())
    }

    /// Clears patient `patient_id`'s opinion of `track` (back to neutral); whether there was one.
    pub fn clear_music_preference(
        &mut self,
        patient_id: i64,
        track: &str,
    ) -> Result<bool, StoreError> {
        let key = check_track_key(track)?;
        self.patient(patient_id)?;
        let removed = self
            .conn
            .execute(
                "DELETE FROM music_preferences WHERE patient_id = ?1 AND track = ?2",
                params![patient_id, key],
            )
            .map_err(|e| self.e("clearing a music preference", e))?;
        Ok(removed > 0)
    }

    /// Patient `patient_id`'s opinion of `track`: neutral when none is stored.
    pub fn music_preference(
        &self,
        patient_id: i64,
        track: &str,
    ) -> Result<MusicPreference, StoreError> {
        let stored: Option<MusicPreferenceRecord> = self
            .conn
            .query_row(
                "SELECT patient_id, track, preference, set_unix_ms FROM music_preferences
                 WHERE patient_id = ?1 AND track = ?2",
                params![patient_id, track.trim()],
                preference_from_row,
            )
            .optional()
            .map_err(|e| self.e("reading a music preference", e))?;
        Ok(stored.map_or(MusicPreference::Neutral, |p| p.preference))
    }

    /// Patient `patient_id`'s stored opinions: liked first, then disliked, each by track.
    pub fn music_preferences(
        &self,
        patient_id: i64,
    ) -> Result<Vec<MusicPreferenceRecord>, StoreError> {
        self.patient(patient_id)?;
        let e = |e| self.e("reading music preferences", e);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT patient_id, track, preference, set_unix_ms FROM music_preferences
                 WHERE patient_id = ?1 ORDER BY preference = 'disliked', track",
            )
            .map_err(e)?;
        let rows = stmt
            .query_map([patient_id], preference_from_row)
            .map_err(e)?;
        rows.collect::<Result<_, _>>().map_err(e)
    }

    /// A new, empty playlist named `name`: patient `patient_id`'s, or shared (`None`). A name
    /// is used once per patient and once among the shared playlists (compared without case).
    pub fn create_playlist(
        &mut self,
        patient_id: Option<i64>,
        name: &str,
    ) -> Result<PlaylistRecord, StoreError> {
        let name = check_playlist_name(name)?;
        if let Some(p) = patient_id {
            self.patient(p)?;
        }
        self.refuse_taken_name(patient_id, name, None)?;
        let path = self.path.clone();
        self.conn
            .execute(
                "INSERT INTO playlists (patient_id, name, created_unix_ms) VALUES (?1, ?2, ?3)",
                params![patient_id, name, unix_ms_now()],
            )
            .map_err(|e| StoreError::sqlite(&path, "making a playlist", e))?;
        let id = self.conn.last_insert_rowid();
        self.playlist(id)
    }

    /// Renames playlist `id`.
    pub fn rename_playlist(&mut self, id: i64, name: &str) -> Result<PlaylistRecord, StoreError> {
        let name = check_playlist_name(name)?;
        let current = self.playlist(id)?;
        self.refuse_taken_name(current.patient_id, name, Some(id))?;
        self.conn
            .execute(
                "UPDATE playlists SET name = ?1 WHERE id = ?2",
                params![name, id],
            )
            .map_err(|e| self.e("renaming a playlist", e))?;
        self.playlist(id)
    }

    /// Deletes playlist `id` and its list of tracks (the tracks stay in the library).
    pub fn delete_playlist(&mut self, id: i64) -> Result<(), StoreError> {
        self.playlist(id)?;
        let path = self.path.clone();
        let e = |e| StoreError::sqlite(&path, "deleting a playlist", e);
        let tx = self.write_transaction().map_err(e)?;
        tx.execute("DELETE FROM playlist_tracks WHERE playlist_id = ?1", [id])
            .map_err(e)?;
        tx.execute("DELETE FROM playlists WHERE id = ?1", [id])
            .map_err(e)?;
        tx.commit().map_err(e)
    }

    /// Appends `track` to playlist `id` (a track is in a playlist at most once).
    pub fn add_playlist_track(
        &mut self,
        id: i64,
        track: &str,
    ) -> Result<PlaylistRecord, StoreError> {
        let key = check_track_key(track)?;
        let mut list = self.playlist(id)?;
        if list.tracks.iter().any(|t| t == key) {
            return Err(invalid(
                format!("playlist {}", list.name),
                "a track not in it yet",
                format!("{key} (already at position {})", position_of(&list, key)),
            ));
        }
        list.tracks.push(key.to_string());
        self.store_playlist_tracks(&list)?;
        Ok(list)
    }

    /// Removes `track` from playlist `id`.
    pub fn remove_playlist_track(
        &mut self,
        id: i64,
        track: &str,
    ) -> Result<PlaylistRecord, StoreError> {
        let key = track.trim();
        let mut list = self.playlist(id)?;
        let Some(at) = list.tracks.iter().position(|t| t == key) else {
            return Err(not_in(&list, key));
        };
        list.tracks.remove(at);
        self.store_playlist_tracks(&list)?;
        Ok(list)
    }

    /// Moves `track` of playlist `id` to position `to_position` (1 = first), the others keeping
    /// their order.
    pub fn move_playlist_track(
        &mut self,
        id: i64,
        track: &str,
        to_position: usize,
    ) -> Result<PlaylistRecord, StoreError> {
        let key = track.trim();
        let mut list = self.playlist(id)?;
        let Some(at) = list.tracks.iter().position(|t| t == key) else {
            return Err(not_in(&list, key));
        };
        if !(1..=list.tracks.len()).contains(&to_position) {
            return Err(invalid(
                format!("position in playlist {}", list.name),
                format!("1..={}", list.tracks.len()),
                to_position.to_string(),
            ));
        }
        let moved = list.tracks.remove(at);
        list.tracks.insert(to_position - 1, moved);
        self.store_playlist_tracks(&list)?;
        Ok(list)
    }

    /// Playlist `id`.
    pub fn playlist(&self, id: i64) -> Result<PlaylistRecord, StoreError> {
        let list = self
            .conn
            .query_row(
                &format!("{PLAYLIST_SELECT} WHERE id = ?1"),
                [id],
                playlist_from_row,
            )
            .optional()
            .map_err(|e| self.e("reading a playlist", e))?
            .ok_or_else(|| StoreError::NotFound {
                path: self.path.clone(),
                what: format!("playlist #{id}"),
            })?;
        self.with_tracks(list)
    }

    /// The playlist named `name` (without case) of patient `patient_id`, or among the shared
    /// ones for `None`; only that scope is searched.
    pub fn playlist_by_name(
        &self,
        patient_id: Option<i64>,
        name: &str,
    ) -> Result<Option<PlaylistRecord>, StoreError> {
        let found = self
            .conn
            .query_row(
                &format!("{PLAYLIST_SELECT} WHERE patient_id IS ?1 AND name = ?2 COLLATE NOCASE"),
                params![patient_id, name.trim()],
                playlist_from_row,
            )
            .optional()
            .map_err(|e| self.e("reading a playlist", e))?;
        found.map(|l| self.with_tracks(l)).transpose()
    }

    /// Every playlist a session of patient `patient_id` may use: theirs, then the shared ones,
    /// each by name. `None`: the shared ones only.
    pub fn playlists(&self, patient_id: Option<i64>) -> Result<Vec<PlaylistRecord>, StoreError> {
        if let Some(p) = patient_id {
            self.patient(p)?;
        }
        let e = |e| self.e("listing playlists", e);
        let mut stmt = self
            .conn
            .prepare(&format!(
                "{PLAYLIST_SELECT} WHERE patient_id IS ?1 OR patient_id IS NULL
                 ORDER BY patient_id IS NULL, name COLLATE NOCASE"
            ))
            .map_err(e)?;
        let rows = stmt.query_map([patient_id], playlist_from_row).map_err(e)?;
        let lists: Vec<PlaylistRecord> = rows.collect::<Result<_, _>>().map_err(e)?;
        lists.into_iter().map(|l| self.with_tracks(l)).collect()
    }

    /// Patient `patient_id`'s own playlists, by name (not the shared ones).
    pub fn patient_playlists(&self, patient_id: i64) -> Result<Vec<PlaylistRecord>, StoreError> {
        Ok(self
            .playlists(Some(patient_id))?
            .into_iter()
            .filter(|l| l.patient_id == Some(patient_id))
            .collect())
    }

    fn with_tracks(&self, mut list: PlaylistRecord) -> Result<PlaylistRecord, StoreError> {
        let e = |e| self.e("reading a playlist's tracks", e);
        let mut stmt = self
            .conn
            .prepare("SELECT track FROM playlist_tracks WHERE playlist_id = ?1 ORDER BY position")
            .map_err(e)?;
        let rows = stmt.query_map([list.id], |r| r.get(0)).map_err(e)?;
        list.tracks = rows.collect::<Result<_, _>>().map_err(e)?;
        Ok(list)
    }

    /// Rewrites `list`'s tracks in order, in one transaction.
    fn store_playlist_tracks(&mut self, list: &PlaylistRecord) -> Result<(), StoreError> {
        let path = self.path.clone();
        let e = |e| StoreError::sqlite(&path, "storing a playlist's tracks", e);
        let tx = self.write_transaction().map_err(e)?;
        tx.execute(
            "DELETE FROM playlist_tracks WHERE playlist_id = ?1",
            [list.id],
        )
        .map_err(e)?;
        for (position, track) in list.tracks.iter().enumerate() {
            tx.execute(
                "INSERT INTO playlist_tracks (playlist_id, position, track) VALUES (?1, ?2, ?3)",
                params![list.id, position as i64, track],
            )
            .map_err(e)?;
        }
        tx.commit().map_err(e)
    }

    /// Refuses `name` when another playlist of the same scope has it (without case).
    fn refuse_taken_name(
        &self,
        patient_id: Option<i64>,
        name: &str,
        except_id: Option<i64>,
    ) -> Result<(), StoreError> {
        if let Some(other) = self.playlist_by_name(patient_id, name)?
            && Some(other.id) != except_id
        {
            let scope = match patient_id {
                Some(p) => format!("patient {}'s playlists", self.patient(p)?.code),
                None => "the shared playlists".to_string(),
            };
            return Err(invalid(
                "playlist name",
                format!("a name not used yet among {scope} (names compare without case)"),
                format!("{name} (playlist #{} is {})", other.id, other.name),
            ));
        }
        Ok(())
    }
}

fn playlist_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PlaylistRecord> {
    Ok(PlaylistRecord {
        id: r.get(0)?,
        patient_id: r.get(1)?,
        name: r.get(2)?,
        tracks: Vec::new(),
        created_unix_ms: r.get(3)?,
    })
}

fn position_of(list: &PlaylistRecord, key: &str) -> usize {
    list.tracks
        .iter()
        .position(|t| t == key)
        .map_or(0, |i| i + 1)
}

fn not_in(list: &PlaylistRecord, key: &str) -> StoreError {
    invalid(
        format!("playlist {}", list.name),
        format!("one of its {} tracks", list.tracks.len()),
        format!("{key:?}"),
    )
}
