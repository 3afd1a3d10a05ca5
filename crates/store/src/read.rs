//! Reading a session's rows (and a patient's clinical tests) back from the record as types: a side is
//! a `Side`, a phase a `Phase`, a placement a `Placement`. A stored name this version does not know
//! fails the read as a damaged record, naming the table, the row's owner and the name.

use std::io::Read;

use entrain_gait::{ImuSample, Placement};

use crate::error::StoreError;
use crate::model::*;
use crate::store::{RAW_SAMPLE_BYTES, Store};

impl Store {
    /// The sensors of a session.
    pub fn session_sensors(&self, session_id: i64) -> Result<Vec<SessionSensor>, StoreError> {
        self.rows(
            "session sensors of session",
            "SELECT placement, sensor_key, name, sample_rate_hz FROM session_sensors WHERE session_id = ?1 ORDER BY placement",
            session_id,
            |r| {
                Ok(SessionSensor {
                    placement: parsed(r, 0)?,
                    sensor_key: r.get(1)?,
                    name: r.get(2)?,
                    sample_rate_hz: r.get(3)?,
                })
            },
        )
    }

    /// The rows `sql` selects for `id` (a session or patient), each read by `f`; `what` names them
    /// in errors (`steps of session` -> "reading the steps of session 3").
    fn rows<T>(
        &self,
        what: &str,
        sql: &str,
        id: i64,
        f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, StoreError> {
        let context = format!("reading the {what} {id}");
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(|e| self.e(&context, e))?;
        let rows = stmt.query_map([id], f).map_err(|e| self.e(&context, e))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| self.e(&context, e))
    }

    /// The steps of a session, by time.
    pub fn steps(&self, session_id: i64) -> Result<Vec<StoredStep>, StoreError> {
        self.rows(
            "steps of session",
            "SELECT session_id, time_nanos, side, detected_at_nanos, phase FROM steps WHERE session_id = ?1 ORDER BY time_nanos, rowid",
            session_id,
            |r| {
                Ok(StoredStep {
                    session_id: r.get(0)?,
                    time_nanos: r.get(1)?,
                    side: parsed(r, 2)?,
                    detected_at_nanos: r.get(3)?,
                    phase: phase_opt(r, 4)?,
                })
            },
        )
    }

    /// The beats of a session, by scheduled time.
    pub fn beats(&self, session_id: i64) -> Result<Vec<StoredBeat>, StoreError> {
        self.rows(
            "beats of session",
            "SELECT session_id, scheduled_nanos, played_nanos, tempo_spm, target_spm, volume, phase FROM beats WHERE session_id = ?1 ORDER BY scheduled_nanos, rowid",
            session_id,
            |r| {
                Ok(StoredBeat {
                    session_id: r.get(0)?,
                    scheduled_nanos: r.get(1)?,
                    played_nanos: r.get(2)?,
                    tempo_spm: r.get(3)?,
                    target_spm: r.get(4)?,
                    volume: r.get(5)?,
                    phase: parsed(r, 6)?,
                })
            },
        )
    }

    /// The tempo changes of a session.
    pub fn tempo_changes(&self, session_id: i64) -> Result<Vec<StoredTempoChange>, StoreError> {
        self.rows(
            "tempo changes of session",
            "SELECT session_id, time_nanos, phase, from_spm, to_spm, reason FROM tempo_changes WHERE session_id = ?1 ORDER BY time_nanos, rowid",
            session_id,
            |r| {
                Ok(StoredTempoChange {
                    session_id: r.get(0)?,
                    time_nanos: r.get(1)?,
                    phase: parsed(r, 2)?,
                    from_spm: r.get(3)?,
                    to_spm: r.get(4)?,
                    reason: r.get(5)?,
                })
            },
        )
    }

    /// The music segments of a session, in order.
    pub fn music_segments(&self, session_id: i64) -> Result<Vec<StoredMusicSegment>, StoreError> {
        self.rows(
            "music segments of session",
            "SELECT session_id, start_nanos, end_nanos, track, title, track_tempo_bpm, played_min_bpm, played_max_bpm, stretch_min, stretch_max, overlay, click_level FROM music_segments WHERE session_id = ?1 ORDER BY start_nanos, rowid",
            session_id,
            |r| {
                Ok(StoredMusicSegment {
                    session_id: r.get(0)?,
                    segment: MusicSegmentRow {
                        start_nanos: r.get(1)?,
                        end_nanos: r.get(2)?,
                        track: r.get(3)?,
                        title: r.get(4)?,
                        track_tempo_bpm: r.get(5)?,
                        played_min_bpm: r.get(6)?,
                        played_max_bpm: r.get(7)?,
                        stretch_min: r.get(8)?,
                        stretch_max: r.get(9)?,
                        overlay: r.get(10)?,
                        click_level: r.get(11)?,
                    },
                })
            },
        )
    }

    /// The phases of a session.
    pub fn phases(&self, session_id: i64) -> Result<Vec<StoredPhase>, StoreError> {
        self.rows(
            "phases of session",
            "SELECT session_id, seq, phase, start_nanos, end_nanos, reason FROM phases WHERE session_id = ?1 ORDER BY seq",
            session_id,
            |r| {
                Ok(StoredPhase {
                    session_id: r.get(0)?,
                    seq: r.get(1)?,
                    phase: parsed(r, 2)?,
                    start_nanos: r.get(3)?,
                    end_nanos: r.get(4)?,
                    reason: r.get(5)?,
                })
            },
        )
    }

    /// The events of a session.
    pub fn events(&self, session_id: i64) -> Result<Vec<StoredEvent>, StoreError> {
        self.rows(
            "events of session",
            "SELECT session_id, time_nanos, phase, kind, detail FROM events WHERE session_id = ?1 ORDER BY time_nanos, rowid",
            session_id,
            |r| {
                Ok(StoredEvent {
                    session_id: r.get(0)?,
                    time_nanos: r.get(1)?,
                    phase: phase_opt(r, 2)?,
                    kind: parsed(r, 3)?,
                    detail: r.get(4)?,
                })
            },
        )
    }

    /// The raw samples of a session, per placement, in time order.
    pub fn raw_samples(
        &self,
        session_id: i64,
    ) -> Result<Vec<(Placement, Vec<ImuSample>)>, StoreError> {
        let blobs: Vec<(String, i64, Vec<u8>)> = self.rows(
            "raw batches of session",
            "SELECT placement, n_samples, data FROM raw_batches WHERE session_id = ?1 ORDER BY placement, first_nanos, rowid",
            session_id,
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let mut out: Vec<(Placement, Vec<ImuSample>)> = Vec::new();
        for (name, n, data) in blobs {
            let bad = |detail: String| StoreError::Corrupt {
                path: self.path.clone(),
                detail: format!("session {session_id} raw samples of {name}: {detail}"),
            };
            let placement =
                Placement::from_code(&name).ok_or_else(|| bad("unknown placement".into()))?;
            if data.len() != n.max(0) as usize * RAW_SAMPLE_BYTES {
                return Err(bad(format!(
                    "expected {} bytes for {n} samples, found {}",
                    n.max(0) as usize * RAW_SAMPLE_BYTES,
                    data.len()
                )));
            }
            let idx = match out.iter().position(|(p, _)| *p == placement) {
                Some(i) => i,
                None => {
                    out.push((placement, Vec::new()));
                    out.len() - 1
                }
            };
            let mut reader = data.as_slice();
            for _ in 0..n {
                let mut t = [0u8; 8];
                let mut v = [0f32; 6];
                reader.read_exact(&mut t).map_err(|e| bad(e.to_string()))?;
                for x in &mut v {
                    let mut b = [0u8; 4];
                    reader.read_exact(&mut b).map_err(|e| bad(e.to_string()))?;
                    *x = f32::from_le_bytes(b);
                }
                out[idx].1.push(ImuSample {
                    time_nanos: i64::from_le_bytes(t),
                    acc_mps2: [v[0], v[1], v[2]],
                    gyr_dps: [v[3], v[4], v[5]],
                });
            }
        }
        Ok(out)
    }

    /// The clinical tests of a patient.
    pub fn clinical_tests(&self, patient_id: i64) -> Result<Vec<StoredClinicalTest>, StoreError> {
        self.rows(
            "clinical tests of patient",
            "SELECT id, patient_id, session_id, test, performed_unix_ms, value, unit, notes FROM clinical_tests WHERE patient_id = ?1 ORDER BY performed_unix_ms, id",
            patient_id,
            |r| {
                Ok(StoredClinicalTest {
                    id: r.get(0)?,
                    patient_id: r.get(1)?,
                    session_id: r.get(2)?,
                    test: parsed(r, 3)?,
                    performed_unix_ms: r.get(4)?,
                    value: r.get(5)?,
                    unit: r.get(6)?,
                    notes: r.get(7)?,
                })
            },
        )
    }
}

/// Column `idx` of a row, read as text and parsed into its type (a side, phase, placement, ...).
/// A name the type does not know fails the read with the column and the name.
pub(crate) fn parsed<T>(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<T>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let text: String = r.get(idx)?;
    text.parse().map_err(|e: T::Err| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// [`parsed`] for a column that may be empty (NULL).
pub(crate) fn parsed_opt<T>(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Option<T>>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let text: Option<String> = r.get(idx)?;
    text.map(|t| {
        t.parse().map_err(|e: T::Err| {
            rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
        })
    })
    .transpose()
}

/// A phase column that may say "before the session started" ([`parse_phase_column`]).
fn phase_opt(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Option<entrain_cue::Phase>> {
    let text: String = r.get(idx)?;
    parse_phase_column(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}
