//! What the writer could not store, kept beside the record
//! (`<record>.spool/<session>-<unix ms>-<n>.json`): cut mid-session when the unwritten data
//! reaches its memory bound, and at the end for what is left. Written back exactly once, by the
//! session's own writer as soon as the record takes rows again, or else on the next writable
//! open: a file is applied while its session's `missing` mark names it, or, if the mark never
//! reached the record, while the session holds exactly the rows it held when the file was cut
//! (counting the files cut before it). The rows, the close and the file's removal from the mark
//! go in one transaction before the file is deleted; the mark is cleared with its last file.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use entrain_gait::{ImuSample, Placement, Side};
use serde::{Deserialize, Serialize};

use crate::error::StoreError;
use crate::model::{
    Batch, BeatPlayed, BeatRow, EventRow, MusicSegmentRow, PhaseRow, SessionStatus, StepRow,
    TempoChangeRow, parse_phase_column, phase_column,
};
use crate::store::{Store, unix_ms_now};

/// How a spooled session ended, to be stored with its rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpoolEnd {
    /// Final status (its stored name).
    pub status: String,
    /// Why it ended.
    pub reason: String,
    /// Session time at the end, ns.
    pub end_nanos: i64,
}

/// A batch in the spool's JSON: phases and kinds by their stored names.
#[derive(Debug, Default, Serialize, Deserialize)]
struct SpoolFile {
    format: String,
    session_id: i64,
    end: Option<SpoolEnd>,
    phases: Vec<(String, i64, String)>,
    steps: Vec<(i64, Side, i64, String)>,
    beats: Vec<(i64, f64, f64, f64, String)>,
    played: Vec<(i64, i64)>,
    tempo_changes: Vec<(i64, String, Option<f64>, f64, String)>,
    events: Vec<(i64, String, String, String)>,
    /// Absent in files written before schema v6.
    #[serde(default)]
    music_segments: Vec<MusicSegmentRow>,
    raw: Vec<(Placement, ImuSample)>,
    now_nanos: i64,
    /// The session's rows the record held when the spool was cut ([`Batch::row_count`]); absent
    /// in files written before it was kept.
    #[serde(default)]
    rows_stored_before: Option<u64>,
}

const FORMAT: &str = "entrain-spool-1";

/// The spool folder of the record at `db`.
pub fn spool_dir(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_os_string();
    name.push(".spool");
    PathBuf::from(name)
}

/// Writes what could not be stored to a new spool file beside the record; its path.
pub fn write_spool(
    db: &Path,
    session_id: i64,
    batch: &Batch,
    rows_stored_before: u64,
    end: Option<SpoolEnd>,
) -> Result<PathBuf, StoreError> {
    let dir = spool_dir(db);
    let io = |e: std::io::Error, what: &Path| StoreError::ReadOnly {
        path: what.to_path_buf(),
        detail: format!("writing the spool: {e}"),
    };
    std::fs::create_dir_all(&dir).map_err(|e| io(e, &dir))?;
    let file = SpoolFile {
        format: FORMAT.into(),
        session_id,
        end,
        phases: batch
            .phases
            .iter()
            .map(|p| {
                (
                    p.phase.as_str().to_string(),
                    p.start_nanos,
                    p.reason.clone(),
                )
            })
            .collect(),
        steps: batch
            .steps
            .iter()
            .map(|s| {
                let phase = phase_column(s.phase).to_string();
                (s.time_nanos, s.side, s.detected_at_nanos, phase)
            })
            .collect(),
        beats: batch
            .beats
            .iter()
            .map(|b| {
                let phase = b.phase.as_str().to_string();
                (
                    b.scheduled_nanos,
                    b.tempo_spm,
                    b.target_spm,
                    b.volume,
                    phase,
                )
            })
            .collect(),
        played: batch
            .played
            .iter()
            .map(|p| (p.scheduled_nanos, p.played_nanos))
            .collect(),
        tempo_changes: batch
            .tempo_changes
            .iter()
            .map(|t| {
                let phase = t.phase.as_str().to_string();
                (t.time_nanos, phase, t.from_spm, t.to_spm, t.reason.clone())
            })
            .collect(),
        events: batch
            .events
            .iter()
            .map(|e| {
                let phase = phase_column(e.phase).to_string();
                (
                    e.time_nanos,
                    phase,
                    e.kind.as_str().to_string(),
                    e.detail.clone(),
                )
            })
            .collect(),
        music_segments: batch.music_segments.clone(),
        raw: batch.raw.clone(),
        now_nanos: batch.now_nanos,
        rows_stored_before: Some(rows_stored_before),
    };
    // Ordered by name: a session's files sort in the order they were cut (fixed-width fields),
    // and two cut in one millisecond differ by the counter.
    static CUT: AtomicU64 = AtomicU64::new(0);
    let n = CUT.fetch_add(1, Ordering::Relaxed);
    let path = dir.join(format!("{session_id}-{:013}-{n:06}.json", unix_ms_now()));
    let text = serde_json::to_vec(&file).map_err(|e| StoreError::ReadOnly {
        path: path.clone(),
        detail: format!("encoding the spool: {e}"),
    })?;
    let partial = path.with_extension("part");
    std::fs::write(&partial, text).map_err(|e| io(e, &partial))?;
    std::fs::File::open(&partial)
        .and_then(|f| f.sync_all())
        .map_err(|e| io(e, &partial))?;
    std::fs::rename(&partial, &path).map_err(|e| io(e, &path))?;
    Ok(path)
}

/// A spool file as read back.
struct Spooled {
    session_id: i64,
    end: Option<SpoolEnd>,
    batch: Batch,
    rows_stored_before: Option<u64>,
}

fn read_spool(path: &Path) -> Result<Spooled, String> {
    let text = std::fs::read(path).map_err(|e| e.to_string())?;
    let f: SpoolFile = serde_json::from_slice(&text).map_err(|e| e.to_string())?;
    if f.format != FORMAT {
        return Err(format!("not a spool file of this version ({})", f.format));
    }
    let phase = |t: &str| {
        t.parse()
            .map_err(|e: entrain_gait::UnknownName| e.to_string())
    };
    let opt_phase = |t: &str| parse_phase_column(t).map_err(|e| e.to_string());
    let mut b = Batch {
        now_nanos: f.now_nanos,
        raw: f.raw,
        music_segments: f.music_segments,
        ..Batch::default()
    };
    for (p, start_nanos, reason) in f.phases {
        b.phases.push(PhaseRow {
            phase: phase(&p)?,
            start_nanos,
            reason,
        });
    }
    for (time_nanos, side, detected_at_nanos, p) in f.steps {
        b.steps.push(StepRow {
            time_nanos,
            side,
            detected_at_nanos,
            phase: opt_phase(&p)?,
        });
    }
    for (scheduled_nanos, tempo_spm, target_spm, volume, p) in f.beats {
        b.beats.push(BeatRow {
            scheduled_nanos,
            tempo_spm,
            target_spm,
            volume,
            phase: phase(&p)?,
        });
    }
    for (scheduled_nanos, played_nanos) in f.played {
        b.played.push(BeatPlayed {
            scheduled_nanos,
            played_nanos,
        });
    }
    for (time_nanos, p, from_spm, to_spm, reason) in f.tempo_changes {
        b.tempo_changes.push(TempoChangeRow {
            time_nanos,
            phase: phase(&p)?,
            from_spm,
            to_spm,
            reason,
        });
    }
    for (time_nanos, p, kind, detail) in f.events {
        b.events.push(EventRow {
            time_nanos,
            phase: opt_phase(&p)?,
            kind: kind
                .parse()
                .map_err(|e: entrain_gait::UnknownName| e.to_string())?,
            detail,
        });
    }
    Ok(Spooled {
        session_id: f.session_id,
        end: f.end,
        batch: b,
        rows_stored_before: f.rows_stored_before,
    })
}

impl Store {
    /// Writes the spool files beside this record back in (see the module doc); the sessions
    /// completed so. A file that cannot be read or applied (the disk still full) is left where
    /// it is and logged, and the open goes on: the session stays marked incomplete.
    pub(crate) fn apply_spool(&mut self) -> Vec<i64> {
        let dir = spool_dir(&self.path);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        let mut applied = Vec::new();
        for file in files {
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let spooled = match read_spool(&file) {
                Ok(x) => x,
                Err(e) => {
                    tracing::error!(file = %file.display(), error = %e, "spool: unreadable, left in place");
                    continue;
                }
            };
            let session_id = spooled.session_id;
            match self.apply_and_remove(&file, &name, &spooled) {
                Ok(true) => applied.push(session_id),
                Ok(false) => {}
                Err(e) => {
                    tracing::error!(session_id, file = %file.display(), error = %e, "spool: not written back yet; kept");
                }
            }
        }
        applied
    }

    /// Writes one spool file of session `session_id` back into the record now, under the same
    /// rule as an open (see the module doc): the session's writer does this with the files it
    /// cut itself, as soon as the record takes rows again. Whether it was applied; `false` means
    /// its rows could not be shown to be absent, and it is kept.
    pub fn write_back_spool(&mut self, session_id: i64, file: &Path) -> Result<bool, StoreError> {
        let spooled = read_spool(file).map_err(|detail| StoreError::Corrupt {
            path: file.to_path_buf(),
            detail,
        })?;
        if spooled.session_id != session_id {
            return Err(StoreError::Corrupt {
                path: file.to_path_buf(),
                detail: format!(
                    "a spool of session {}, not of session {session_id}",
                    spooled.session_id
                ),
            });
        }
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.apply_and_remove(file, &name, &spooled)
    }

    /// [`Self::apply_one`], then the file is deleted (it is no longer named, so a file left by a
    /// failed delete is never applied again).
    fn apply_and_remove(
        &mut self,
        file: &Path,
        name: &str,
        spooled: &Spooled,
    ) -> Result<bool, StoreError> {
        let applied = self.apply_one(file, name, spooled)?;
        if applied {
            if let Err(err) = std::fs::remove_file(file) {
                tracing::warn!(file = %file.display(), error = %err, "spool: applied but not removed (it will not be applied again)");
            }
            tracing::info!(session_id = spooled.session_id, file = %file.display(), "spool: written back into the record");
        }
        Ok(applied)
    }

    /// One spool file in one transaction; whether it was applied. It is applied when its
    /// session's mark names it, or, where the mark never reached the record (the record could
    /// take nothing at all), when the session is unmarked and holds exactly the rows it held when
    /// the spool was cut: then none of the spool's rows are in it, and once applied the count
    /// differs, so it is never applied twice.
    fn apply_one(
        &mut self,
        file: &Path,
        name: &str,
        spooled: &Spooled,
    ) -> Result<bool, StoreError> {
        let (session_id, end, batch) = (spooled.session_id, spooled.end.as_ref(), &spooled.batch);
        {
            let path = self.path.clone();
            let e = |e| StoreError::sqlite(&path, "writing a spooled batch back", e);
            let tx = self.write_transaction().map_err(e)?;
            let missing: Option<String> = tx
                .query_row(
                    "SELECT missing FROM sessions WHERE id = ?1",
                    [session_id],
                    |r| r.get(0),
                )
                .map_err(e)?;
            let tag = spool_tag(name);
            let named = missing.as_deref().is_some_and(|m| m.contains(&tag));
            let provably_absent = missing.is_none()
                && batch.row_count() > 0
                && spooled.rows_stored_before
                    == Some(session_row_count(&tx, session_id).map_err(e)?);
            if !(named || provably_absent) {
                // Applied already (and an earlier open was cut short before removing it), or
                // its rows cannot be shown to be absent: applying it could duplicate rows.
                tracing::warn!(session_id, file = %file.display(), "spool: its session does not name it and may hold its rows; kept, not applied");
                return Ok(false);
            }
            if provably_absent {
                tracing::info!(session_id, file = %file.display(), "spool: its session's mark never reached the record; its rows are not there, so it is applied");
            }
            Self::write_batch_in(&tx, &path, session_id, batch)?;
            if let Some(end) = end {
                let status: SessionStatus =
                    end.status.parse().map_err(|u: entrain_gait::UnknownName| {
                        StoreError::Corrupt {
                            path: file.to_path_buf(),
                            detail: u.to_string(),
                        }
                    })?;
                Self::end_session_in(&tx, session_id, status, &end.reason, end.end_nanos)
                    .map_err(e)?;
            }
            let still_missing = missing.as_deref().and_then(|m| mark_without(m, &tag));
            tx.execute(
                "UPDATE sessions SET missing = ?2 WHERE id = ?1",
                rusqlite::params![session_id, still_missing],
            )
            .map_err(e)?;
            tx.commit().map_err(e)?;
            Ok(true)
        }
    }
}

/// The session's rows in the tables [`Batch::row_count`] counts.
fn session_row_count(tx: &rusqlite::Transaction<'_>, session_id: i64) -> rusqlite::Result<u64> {
    tx.query_row(
        "SELECT (SELECT COUNT(*) FROM phases WHERE session_id = ?1)
              + (SELECT COUNT(*) FROM steps WHERE session_id = ?1)
              + (SELECT COUNT(*) FROM beats WHERE session_id = ?1)
              + (SELECT COUNT(*) FROM tempo_changes WHERE session_id = ?1)
              + (SELECT COUNT(*) FROM events WHERE session_id = ?1)
              + (SELECT COUNT(*) FROM music_segments WHERE session_id = ?1)",
        [session_id],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n.max(0) as u64)
}

/// How a `missing` mark names the spool file that holds what is missing.
pub fn spool_tag(file_name: &str) -> String {
    format!("[spool {file_name}]")
}

/// The opening of every [`spool_tag`].
const TAG_OPEN: &str = "[spool ";

/// A session's `missing` mark once the file tagged `tag` is written back: the mark without that
/// tag while it still names another file, or none (the session is complete) when it named no
/// other.
pub fn mark_without(mark: &str, tag: &str) -> Option<String> {
    let rest = mark.replace(tag, "");
    rest.contains(TAG_OPEN)
        .then(|| rest.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_loses_one_tag_at_a_time_and_clears_with_its_last() {
        let a = spool_tag("1-0000000000001-000001.json");
        let b = spool_tag("1-0000000000002-000002.json");
        let mark = format!("data kept in the spool {a} {b}: database or disk is full");
        let after_a = mark_without(&mark, &a).unwrap();
        assert_eq!(
            after_a,
            format!("data kept in the spool {b}: database or disk is full")
        );
        assert_eq!(mark_without(&after_a, &b), None);
        assert_eq!(
            mark_without(&mark, &spool_tag("other.json")).as_deref(),
            Some(mark.as_str())
        );
    }
}
