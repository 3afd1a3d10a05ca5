//! The music library: tracks imported from the therapist's files, each with its beat analysis
//! (computed once at import by `entrain-music`, kept here so a session never analyses again),
//! and the therapist's choice where the tempo was ambiguous (half or double).

use rusqlite::{OptionalExtension, params};

use crate::error::StoreError;
use crate::store::{Store, unix_ms_now};

/// A track to keep in the library (an import, or a re-import of a changed file).
#[derive(Debug, Clone, PartialEq)]
pub struct NewTrack {
    /// The file, as imported (absolute).
    pub path: String,
    /// What the library shows (the file's name without its extension, or its title tag).
    pub title: String,
    /// The file's size when analysed, bytes (a changed file is analysed again).
    pub file_bytes: i64,
    /// The file's modification time when analysed, Unix ms.
    pub file_mtime_unix_ms: i64,
    /// Its length, s.
    pub duration_secs: f64,
    /// Its tempo, beats per minute.
    pub tempo_bpm: f64,
    /// Beats per bar (2, 3, 4, ...).
    pub beats_per_bar: u32,
    /// The half or double tempo, when it scored nearly as well (the therapist confirms one).
    pub alternative_bpm: Option<f64>,
    /// Beat times, s from the start of the file.
    pub beats_secs: Vec<f64>,
    /// Downbeat times (the first beat of each bar), s.
    pub downbeats_secs: Vec<f64>,
    /// The version of the analysis that produced it (a newer analysis re-analyses).
    pub analysis_version: u32,
}

/// A track of the library.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackRecord {
    /// Its id.
    pub id: i64,
    /// What was stored.
    pub track: NewTrack,
    /// The tempo the therapist confirmed, if they chose (the analysed one or its alternative).
    pub confirmed_bpm: Option<f64>,
    /// When it was (last) imported, Unix ms.
    pub imported_unix_ms: i64,
}

impl TrackRecord {
    /// The tempo to play it by: the therapist's, else the analysed one.
    pub fn tempo_bpm(&self) -> f64 {
        self.confirmed_bpm.unwrap_or(self.track.tempo_bpm)
    }
}

const TRACK_SELECT: &str = "SELECT id, path, title, file_bytes, file_mtime_unix_ms, duration_secs,
    tempo_bpm, beats_per_bar, alternative_bpm, confirmed_bpm, beats_json, downbeats_json,
    analysis_version, imported_unix_ms FROM music_tracks";

fn track_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TrackRecord> {
    let times = |idx: usize| -> rusqlite::Result<Vec<f64>> {
        let text: String = r.get(idx)?;
        serde_json::from_str(&text).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
        })
    };
    Ok(TrackRecord {
        id: r.get(0)?,
        track: NewTrack {
            path: r.get(1)?,
            title: r.get(2)?,
            file_bytes: r.get(3)?,
            file_mtime_unix_ms: r.get(4)?,
            duration_secs: r.get(5)?,
            tempo_bpm: r.get(6)?,
            beats_per_bar: r.get(7)?,
            alternative_bpm: r.get(8)?,
            beats_secs: times(10)?,
            downbeats_secs: times(11)?,
            analysis_version: r.get(12)?,
        },
        confirmed_bpm: r.get(9)?,
        imported_unix_ms: r.get(13)?,
    })
}

impl Store {
    /// Keeps `track` in the library: a new row, or the same file's row replaced (its analysis
    /// redone; a confirmed tempo is kept only if the analysis still offers it).
    pub fn put_track(&mut self, track: &NewTrack) -> Result<TrackRecord, StoreError> {
        check_track(track)?;
        let path = self.path().to_path_buf();
        let e = |e| StoreError::sqlite(&path, "storing a music track", e);
        let beats = serde_json::to_string(&track.beats_secs).map_err(|e| StoreError::Invalid {
            field: "beat times".into(),
            expected: "finite numbers".into(),
            found: e.to_string(),
        })?;
        let downbeats =
            serde_json::to_string(&track.downbeats_secs).map_err(|e| StoreError::Invalid {
                field: "downbeat times".into(),
                expected: "finite numbers".into(),
                found: e.to_string(),
            })?;
        let tx = self.write_transaction().map_err(e)?;
        tx.execute(
            "INSERT INTO music_tracks (path, title, file_bytes, file_mtime_unix_ms, duration_secs,
                 tempo_bpm, beats_per_bar, alternative_bpm, beats_json, downbeats_json,
                 analysis_version, imported_unix_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT(path) DO UPDATE SET title = excluded.title,
                 file_bytes = excluded.file_bytes, file_mtime_unix_ms = excluded.file_mtime_unix_ms,
                 duration_secs = excluded.duration_secs, tempo_bpm = excluded.tempo_bpm,
                 beats_per_bar = excluded.beats_per_bar, alternative_bpm = excluded.alternative_bpm,
                 beats_json = excluded.beats_json, downbeats_json = excluded.downbeats_json,
                 analysis_version = excluded.analysis_version,
                 imported_unix_ms = excluded.imported_unix_ms,
                 confirmed_bpm = CASE
                     WHEN abs(confirmed_bpm - excluded.tempo_bpm) < 0.01
                       OR abs(confirmed_bpm - excluded.alternative_bpm) < 0.01 THEN confirmed_bpm
                     ELSE NULL END",
            params![
                track.path,
                track.title,
                track.file_bytes,
                track.file_mtime_unix_ms,
                track.duration_secs,
                track.tempo_bpm,
                track.beats_per_bar,
                track.alternative_bpm,
                beats,
                downbeats,
                track.analysis_version,
                unix_ms_now(),
            ],
        )
        .map_err(e)?;
        tx.commit().map_err(e)?;
        self.track_by_path(&track.path)?
            .ok_or_else(|| StoreError::Invalid {
                field: "music track".into(),
                expected: format!("{} stored", track.path),
                found: "no row after storing it".into(),
            })
    }

    /// The library, by title.
    pub fn tracks(&self) -> Result<Vec<TrackRecord>, StoreError> {
        let e = |e| self.e("reading the music library", e);
        let mut stmt = self
            .conn
            .prepare(&format!(
                "{TRACK_SELECT} ORDER BY title COLLATE NOCASE, path"
            ))
            .map_err(e)?;
        let rows = stmt.query_map([], track_from_row).map_err(e)?;
        rows.collect::<Result<_, _>>().map_err(e)
    }

    /// The library's track of file `path`, if imported.
    pub fn track_by_path(&self, path: &str) -> Result<Option<TrackRecord>, StoreError> {
        self.conn
            .query_row(
                &format!("{TRACK_SELECT} WHERE path = ?1"),
                [path],
                track_from_row,
            )
            .optional()
            .map_err(|e| self.e("reading a music track", e))
    }

    /// The therapist's tempo for track `id`: the analysed tempo or its alternative, nothing else.
    pub fn confirm_track_tempo(&mut self, id: i64, bpm: f64) -> Result<TrackRecord, StoreError> {
        let record = self
            .conn
            .query_row(
                &format!("{TRACK_SELECT} WHERE id = ?1"),
                [id],
                track_from_row,
            )
            .optional()
            .map_err(|e| self.e("reading a music track", e))?
            .ok_or_else(|| StoreError::Invalid {
                field: "music track".into(),
                expected: "a track of the library".into(),
                found: format!("id {id}"),
            })?;
        let offered = std::iter::once(record.track.tempo_bpm).chain(record.track.alternative_bpm);
        if !offered.clone().any(|t| (t - bpm).abs() < 0.01) {
            return Err(StoreError::Invalid {
                field: format!("tempo of {}", record.track.title),
                expected: offered
                    .map(|t| format!("{t:.1} bpm"))
                    .collect::<Vec<_>>()
                    .join(" or "),
                found: format!("{bpm} bpm"),
            });
        }
        let path = self.path().to_path_buf();
        self.conn
            .execute(
                "UPDATE music_tracks SET confirmed_bpm = ?1 WHERE id = ?2",
                params![bpm, id],
            )
            .map_err(|e| StoreError::sqlite(&path, "confirming a track's tempo", e))?;
        Ok(TrackRecord {
            confirmed_bpm: Some(bpm),
            ..record
        })
    }
}

/// A track's analysis is usable: a positive tempo, a bar, beat times finite and rising.
fn check_track(track: &NewTrack) -> Result<(), StoreError> {
    let invalid = |field: &str, expected: &str, found: String| StoreError::Invalid {
        field: format!("{field} of {}", track.path),
        expected: expected.into(),
        found,
    };
    if !(track.tempo_bpm.is_finite() && track.tempo_bpm > 0.0) {
        return Err(invalid(
            "tempo",
            "a positive bpm",
            track.tempo_bpm.to_string(),
        ));
    }
    if !(1..=12).contains(&track.beats_per_bar) {
        return Err(invalid(
            "beats per bar",
            "1..=12",
            track.beats_per_bar.to_string(),
        ));
    }
    if !(track.duration_secs.is_finite() && track.duration_secs > 0.0) {
        return Err(invalid(
            "length",
            "a positive number of seconds",
            track.duration_secs.to_string(),
        ));
    }
    for (what, times) in [
        ("beat times", &track.beats_secs),
        ("downbeat times", &track.downbeats_secs),
    ] {
        if times.iter().any(|t| !t.is_finite()) || times.windows(2).any(|w| w[1] <= w[0]) {
            return Err(invalid(
                what,
                "finite, rising seconds",
                format!("{} times", times.len()),
            ));
        }
    }
    Ok(())
}
