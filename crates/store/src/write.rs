//! Writing a session: its row begun at Start, its batches (phases, steps, beats, tempo changes,
//! events, raw samples) in one transaction each, its end, the mark of what is missing, and the
//! clinician's note.

use std::path::Path;

use entrain_gait::{ImuSample, Placement};
use rusqlite::params;

use crate::error::StoreError;
use crate::lease::{Lease, ThisMachine};
use crate::model::*;
use crate::store::{RAW_SAMPLE_BYTES, Store, unix_ms_now};

impl Store {
    /// Begins recording a session (status `running`, owned by this process); returns its id.
    pub fn begin_session(&mut self, session: &NewSession) -> Result<i64, StoreError> {
        let path = self.path.clone();
        let e = |e| StoreError::sqlite(&path, "beginning a session", e);
        let now = unix_ms_now();
        let lease = Lease::of_this_process(&ThisMachine);
        let tx = self.write_transaction().map_err(e)?;
        tx.execute(
            "INSERT INTO sessions (patient_id, source, protocol, settings_json, started_unix_ms, status,
                                   pid, heartbeat_unix_ms, lease_host, lease_boot_id,
                                   lease_process_start_ticks)
             VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?6, ?5, ?7, ?8, ?9)",
            params![
                session.patient_id,
                session.source,
                session.protocol,
                session.settings_json,
                now,
                lease.pid,
                lease.host,
                lease.boot_id,
                lease.process_start_ticks
            ],
        )
        .map_err(e)?;
        let id = tx.last_insert_rowid();
        for s in &session.sensors {
            tx.execute(
                "INSERT INTO session_sensors (session_id, placement, sensor_key, name, sample_rate_hz)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, s.placement.code(), s.sensor_key, s.name, s.sample_rate_hz],
            )
            .map_err(e)?;
        }
        tx.commit().map_err(e)?;
        Ok(id)
    }

    /// Writes one batch of a running session in one transaction (all of it or nothing).
    pub fn write_batch(&mut self, session_id: i64, batch: &Batch) -> Result<(), StoreError> {
        let path = self.path.clone();
        let e = |e| StoreError::sqlite(&path, "writing session data", e);
        let tx = self.write_transaction().map_err(e)?;
        Self::write_batch_in(&tx, &path, session_id, batch)?;
        tx.commit().map_err(e)
    }

    /// [`Store::write_batch`] inside a transaction of the caller's.
    pub(crate) fn write_batch_in(
        tx: &rusqlite::Transaction<'_>,
        path: &Path,
        session_id: i64,
        batch: &Batch,
    ) -> Result<(), StoreError> {
        let e = |e| StoreError::sqlite(path, "writing session data", e);
        {
            let first_seq: i64 = tx
                .query_row(
                    "SELECT COALESCE(MAX(seq) + 1, 0) FROM phases WHERE session_id = ?1",
                    [session_id],
                    |r| r.get(0),
                )
                .map_err(e)?;
            let mut end_phase = tx
                .prepare_cached(
                    "UPDATE phases SET end_nanos = ?2 WHERE session_id = ?1 AND end_nanos IS NULL",
                )
                .map_err(e)?;
            let mut phase = tx
                .prepare_cached(
                    "INSERT INTO phases (session_id, seq, phase, start_nanos, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(e)?;
            for (k, p) in batch.phases.iter().enumerate() {
                end_phase
                    .execute(params![session_id, p.start_nanos])
                    .map_err(e)?;
                phase
                    .execute(params![
                        session_id,
                        first_seq + k as i64,
                        p.phase.as_str(),
                        p.start_nanos,
                        p.reason
                    ])
                    .map_err(e)?;
            }
            let mut step = tx
                .prepare_cached(
                    "INSERT INTO steps (session_id, time_nanos, side, detected_at_nanos, phase) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(e)?;
            for s in &batch.steps {
                step.execute(params![
                    session_id,
                    s.time_nanos,
                    s.side.as_str(),
                    s.detected_at_nanos,
                    phase_column(s.phase)
                ])
                .map_err(e)?;
            }
            let mut beat = tx
                .prepare_cached(
                    "INSERT INTO beats (session_id, scheduled_nanos, tempo_spm, target_spm, volume, phase) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(e)?;
            for b in &batch.beats {
                beat.execute(params![
                    session_id,
                    b.scheduled_nanos,
                    b.tempo_spm,
                    b.target_spm,
                    b.volume,
                    b.phase.as_str()
                ])
                .map_err(e)?;
            }
            let mut played = tx
                .prepare_cached(
                    "UPDATE beats SET played_nanos = ?3 WHERE session_id = ?1 AND scheduled_nanos = ?2",
                )
                .map_err(e)?;
            for p in &batch.played {
                played
                    .execute(params![session_id, p.scheduled_nanos, p.played_nanos])
                    .map_err(e)?;
            }
            let mut tempo = tx
                .prepare_cached(
                    "INSERT INTO tempo_changes (session_id, time_nanos, phase, from_spm, to_spm, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(e)?;
            for t in &batch.tempo_changes {
                tempo
                    .execute(params![
                        session_id,
                        t.time_nanos,
                        t.phase.as_str(),
                        t.from_spm,
                        t.to_spm,
                        t.reason
                    ])
                    .map_err(e)?;
            }
            let mut event = tx
                .prepare_cached(
                    "INSERT INTO events (session_id, time_nanos, phase, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(e)?;
            for ev in &batch.events {
                event
                    .execute(params![
                        session_id,
                        ev.time_nanos,
                        phase_column(ev.phase),
                        ev.kind.as_str(),
                        ev.detail
                    ])
                    .map_err(e)?;
            }
            let mut segment = tx
                .prepare_cached(
                    "INSERT INTO music_segments (session_id, start_nanos, end_nanos, track, title, track_tempo_bpm, played_min_bpm, played_max_bpm, stretch_min, stretch_max, overlay, click_level) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .map_err(e)?;
            for m in &batch.music_segments {
                segment
                    .execute(params![
                        session_id,
                        m.start_nanos,
                        m.end_nanos,
                        m.track,
                        m.title,
                        m.track_tempo_bpm,
                        m.played_min_bpm,
                        m.played_max_bpm,
                        m.stretch_min,
                        m.stretch_max,
                        m.overlay,
                        m.click_level
                    ])
                    .map_err(e)?;
            }
            let mut raw = tx
                .prepare_cached(
                    "INSERT INTO raw_batches (session_id, placement, first_nanos, last_nanos, n_samples, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(e)?;
            for placement in [
                Placement::Foot(entrain_gait::Side::Left),
                Placement::Foot(entrain_gait::Side::Right),
                Placement::LowerBack,
            ] {
                let samples: Vec<&ImuSample> = batch
                    .raw
                    .iter()
                    .filter(|(p, _)| *p == placement)
                    .map(|(_, s)| s)
                    .collect();
                let (Some(first), Some(last)) = (samples.first(), samples.last()) else {
                    continue;
                };
                let mut data = Vec::with_capacity(samples.len() * RAW_SAMPLE_BYTES);
                for s in &samples {
                    data.extend_from_slice(&s.time_nanos.to_le_bytes());
                    for v in s.acc_mps2.iter().chain(&s.gyr_dps) {
                        data.extend_from_slice(&v.to_le_bytes());
                    }
                }
                raw.execute(params![
                    session_id,
                    placement.code(),
                    first.time_nanos,
                    last.time_nanos,
                    samples.len() as i64,
                    data
                ])
                .map_err(e)?;
            }
            tx.execute(
                "UPDATE sessions SET last_nanos = MAX(last_nanos, ?2), heartbeat_unix_ms = ?3 WHERE id = ?1",
                params![session_id, batch.now_nanos, unix_ms_now()],
            )
            .map_err(e)?;
        }
        Ok(())
    }

    /// Closes a session with its final status.
    pub fn end_session(
        &mut self,
        session_id: i64,
        status: SessionStatus,
        reason: &str,
        end_nanos: i64,
    ) -> Result<(), StoreError> {
        let path = self.path.clone();
        let e = |e| StoreError::sqlite(&path, "ending a session", e);
        let tx = self.write_transaction().map_err(e)?;
        Self::end_session_in(&tx, session_id, status, reason, end_nanos).map_err(e)?;
        tx.commit().map_err(e)
    }

    /// [`Store::end_session`] inside a transaction of the caller's.
    pub(crate) fn end_session_in(
        tx: &rusqlite::Transaction<'_>,
        session_id: i64,
        status: SessionStatus,
        reason: &str,
        end_nanos: i64,
    ) -> rusqlite::Result<()> {
        tx.execute(
            "UPDATE phases SET end_nanos = ?2 WHERE session_id = ?1 AND end_nanos IS NULL",
            params![session_id, end_nanos],
        )?;
        tx.execute(
            "UPDATE sessions SET status = ?2, end_reason = ?3, ended_unix_ms = ?4,
                 last_nanos = MAX(last_nanos, ?5) WHERE id = ?1",
            params![
                session_id,
                status.as_str(),
                reason,
                unix_ms_now(),
                end_nanos
            ],
        )?;
        Ok(())
    }

    /// Marks a session incomplete: part of its data could not be written, `missing` says what
    /// (a small update of its existing row, so it still fits when new data no longer do).
    pub fn mark_incomplete(&mut self, session_id: i64, missing: &str) -> Result<(), StoreError> {
        let path = self.path.clone();
        self.conn
            .execute(
                "UPDATE sessions SET missing = ?2 WHERE id = ?1",
                params![session_id, missing],
            )
            .map_err(|e| StoreError::sqlite(&path, "marking a session incomplete", e))?;
        Ok(())
    }

    /// Adds the clinician's note to session `session_id`: an event of kind `note` at the end of
    /// what was recorded, in the last phase recorded. Empty text is refused.
    pub fn add_session_note(&mut self, session_id: i64, text: &str) -> Result<(), StoreError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(StoreError::Invalid {
                field: "session note".into(),
                expected: "some text".into(),
                found: "nothing".into(),
            });
        }
        let session = self.session(session_id)?;
        self.conn
            .execute(
                "INSERT INTO events (session_id, time_nanos, phase, kind, detail)
                 VALUES (?1, ?2, COALESCE((SELECT phase FROM phases WHERE session_id = ?1
                     ORDER BY seq DESC LIMIT 1), ?3), ?4, ?5)",
                params![
                    session_id,
                    session.last_nanos,
                    NO_PHASE,
                    EventKind::Note.as_str(),
                    text
                ],
            )
            .map_err(|e| self.e("adding a session note", e))?;
        Ok(())
    }
}
