//! The store writer, on its own thread: the session's batches committed every 250 ms. What the
//! record cannot take (a full disk, a lock held by another program) is kept in memory and retried
//! with back-off for as long as the session runs; past a bound ([`SPILL_AT_ITEMS`]) it goes to a spool file
//! beside the record (`entrain_store::spool`), named in the session's `missing` mark; when even
//! the spool cannot be written the session is stopped with a reason that says so. As soon as the
//! record takes rows again the writer writes its spool files back, oldest first, before anything
//! newer, so the record never holds a later row without the earlier ones.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use entrain_store::spool::{self, SpoolEnd};
use entrain_store::{Batch, SessionStatus, Store, StoreError};

use crate::runtime::{EngineEvent, EventSink, Stopper};

/// What the session loop hands the writer.
pub(crate) enum WriterMsg {
    /// Rows to store.
    Batch(Batch),
    /// The session is over: store what is left and close the row.
    End {
        status: SessionStatus,
        reason: String,
        end_nanos: i64,
    },
}

/// How often the writer commits.
const FLUSH_EVERY: Duration = Duration::from_millis(250);
/// The first retry of a failed write comes after this; each further one waits twice as long, up
/// to [`RETRY_AT_MOST`], for as long as the session runs.
const RETRY_FIRST: Duration = Duration::from_millis(50);
/// The longest wait between two retries.
const RETRY_AT_MOST: Duration = Duration::from_secs(2);
/// After the session's end, how long the last batch and the closing of the row are retried
/// before the writer gives up and says what is missing.
const END_RETRY_FOR: Duration = Duration::from_secs(30);
/// Unwritten rows and raw samples kept in memory before they go to a spool file: about two
/// minutes of two feet at 100 Hz, a few MB.
const SPILL_AT_ITEMS: usize = 25_000;
/// Fault injection for the tests of the real binary: this environment variable sets the bound
/// in place of [`SPILL_AT_ITEMS`], so a spill happens within seconds of a real-time session.
pub const FAULT_SPILL_AT_ITEMS_ENV: &str = "ENTRAIN_FAULT_SPILL_AT_ITEMS";

fn spill_at_items() -> usize {
    let Ok(value) = std::env::var(FAULT_SPILL_AT_ITEMS_ENV) else {
        return SPILL_AT_ITEMS;
    };
    match value.trim().parse() {
        Ok(items) => {
            tracing::warn!(
                items,
                "{FAULT_SPILL_AT_ITEMS_ENV}: the writer spills early (fault injection)"
            );
            items
        }
        Err(e) => {
            tracing::error!(%value, error = %e, "{FAULT_SPILL_AT_ITEMS_ENV} is not a count; ignored");
            SPILL_AT_ITEMS
        }
    }
}
/// Raw samples kept at most when neither the record nor the spool takes them, while the session
/// is being stopped: the newest are dropped past it (and the loss is named in the mark).
const RAW_AT_MOST: usize = 2_000_000;

/// A spool file this writer cut and has not yet written back.
struct Spilled {
    path: PathBuf,
    tag: String,
    rows: u64,
    steps: u64,
}

/// The writer's state: what is stored, what waits in memory, what waits in spool files.
struct Writer {
    store: Store,
    session_id: i64,
    status: Arc<Mutex<String>>,
    events: EventSink,
    stopper: Stopper,
    pending: Batch,
    steps_stored: u64,
    /// The session's rows in the record ([`Batch::row_count`]), for the spool's proof.
    rows_stored: u64,
    /// Oldest first.
    spilled: Vec<Spilled>,
    /// Failed writes in a row: the first is logged as an error, the retries at debug, the
    /// recovery at info, so a full disk does not fill the log four lines a second.
    failed_in_row: u64,
    first_error: Option<StoreError>,
    /// Whether the session was asked to stop for want of anywhere to keep its data.
    stop_asked: bool,
    /// Raw samples dropped while nothing could be kept.
    raw_dropped: usize,
    /// [`SPILL_AT_ITEMS`], or the fault injection's.
    spill_at_items: usize,
}

/// Runs the writer until the session's end is stored, or it gives up and says what is missing.
pub(crate) fn run(
    store: Store,
    session_id: i64,
    rx: Receiver<WriterMsg>,
    status: Arc<Mutex<String>>,
    events: EventSink,
    stopper: Stopper,
) -> Result<(), StoreError> {
    let mut w = Writer {
        store,
        session_id,
        status,
        events,
        stopper,
        pending: Batch::default(),
        steps_stored: 0,
        rows_stored: 0,
        spilled: Vec::new(),
        failed_in_row: 0,
        first_error: None,
        stop_asked: false,
        raw_dropped: 0,
        spill_at_items: spill_at_items(),
    };
    // When the next write is due: every FLUSH_EVERY while writes succeed, backing off from
    // RETRY_FIRST to RETRY_AT_MOST while they fail.
    let mut next_flush = Instant::now() + FLUSH_EVERY;
    let mut retry_delay = RETRY_FIRST;
    let end = loop {
        let wait = next_flush.saturating_duration_since(Instant::now());
        match rx.recv_timeout(wait) {
            Ok(WriterMsg::Batch(mut b)) => {
                w.pending.append(&mut b);
                // Bounded as data comes, not only at the next write: a write is tried at once
                // when the bound is reached, and while writes fail (retries come at most every
                // RETRY_AT_MOST) the data goes to the spool.
                if w.pending.items() >= w.spill_at_items && (w.failed_in_row > 0 || !w.flush()) {
                    w.keep_bounded();
                }
            }
            Ok(WriterMsg::End {
                status,
                reason,
                end_nanos,
            }) => break Some((status, reason, end_nanos)),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break None,
        }
        if Instant::now() >= next_flush {
            if w.flush() {
                next_flush = Instant::now() + FLUSH_EVERY;
                retry_delay = RETRY_FIRST;
            } else {
                w.keep_bounded();
                next_flush = Instant::now() + retry_delay;
                retry_delay = (retry_delay * 2).min(RETRY_AT_MOST);
            }
        }
    };
    // The end: what is left, then the row's close, each retried with back-off for a bounded
    // time, so a lock held as the session ends (another program, a backup) delays the record
    // instead of losing its end.
    let give_up_at = Instant::now() + END_RETRY_FOR;
    let mut retry_delay = RETRY_FIRST;
    loop {
        let stored = w.flush();
        if !stored {
            w.keep_bounded();
        }
        let closed = match (&end, stored) {
            (_, false) => Err(None),
            (None, true) => Ok(()),
            (Some((end_status, reason, end_nanos)), true) => w
                .store
                .end_session(session_id, *end_status, reason, *end_nanos)
                .map_err(Some),
        };
        match closed {
            // Written in the end: the earlier failures were retried away, nothing is missing.
            Ok(()) => {
                if let Some(e) = w.first_error {
                    tracing::info!(session_id, earlier_error = %e, "store: every batch and the session's end were stored after retries");
                }
                return Ok(());
            }
            Err(e) => {
                if Instant::now() >= give_up_at {
                    let error = e.or(w.first_error.take());
                    return Err(w.give_up(end.as_ref(), error));
                }
                if let Some(e) = e {
                    tracing::debug!(session_id, error = %e, "store: the session's end could not be stored yet; retrying");
                    w.first_error.get_or_insert(e);
                }
                std::thread::sleep(retry_delay);
                retry_delay = (retry_delay * 2).min(RETRY_AT_MOST);
            }
        }
    }
}

impl Writer {
    /// Writes back the spool files, then what waits in memory; whether everything handed over so
    /// far is in the record.
    fn flush(&mut self) -> bool {
        while let Some(first) = self.spilled.first() {
            match self.store.write_back_spool(self.session_id, &first.path) {
                Ok(applied) => {
                    let done = self.spilled.remove(0);
                    if applied {
                        self.rows_stored += done.rows;
                        self.steps_stored += done.steps;
                    } else {
                        // Cannot happen while this writer alone writes the session; kept for
                        // the next open, still named in the mark.
                        tracing::error!(session_id = self.session_id, file = %done.path.display(), "store: a spool file of this session could not be written back; kept");
                    }
                }
                Err(e) => {
                    self.failed(e);
                    return false;
                }
            }
        }
        if self.pending.is_empty() && self.pending.now_nanos == 0 {
            return true;
        }
        match self.store.write_batch(self.session_id, &self.pending) {
            Ok(()) => {
                self.steps_stored += self.pending.steps.len() as u64;
                self.rows_stored += self.pending.row_count();
                if self.failed_in_row > 0 {
                    tracing::info!(
                        session_id = self.session_id,
                        failed_attempts = self.failed_in_row,
                        "store: recording again"
                    );
                    self.failed_in_row = 0;
                }
                self.events.emit(EngineEvent::Flushed {
                    up_to_nanos: self.pending.now_nanos,
                    steps_stored: self.steps_stored,
                });
                self.set_status(format!(
                    "recording (session {}, {} steps stored)",
                    self.session_id, self.steps_stored
                ));
                self.pending = Batch::default();
                true
            }
            Err(e) => {
                self.failed(e);
                false
            }
        }
    }

    fn set_status(&self, text: String) {
        if let Ok(mut s) = self.status.lock() {
            *s = text;
        }
    }

    fn failed(&mut self, e: StoreError) {
        self.set_status(format!("NOT RECORDING: {e}; retrying"));
        if self.failed_in_row == 0 {
            tracing::error!(session_id = self.session_id, error = %e, "store: a batch could not be written; retrying");
            self.events
                .emit(EngineEvent::Notice(format!("record: {e}; retrying")));
        } else {
            tracing::debug!(session_id = self.session_id, error = %e, attempt = self.failed_in_row + 1, "store: still failing");
        }
        self.failed_in_row += 1;
        self.first_error.get_or_insert(e);
    }

    /// After a failed write: what waits in memory goes to a spool file once it reaches the
    /// bound; when the spool cannot be written either, the session is stopped.
    fn keep_bounded(&mut self) {
        if self.pending.items() < self.spill_at_items {
            return;
        }
        if !self.stop_asked {
            self.spill();
        }
        if self.pending.raw.len() > RAW_AT_MOST {
            // Only while the session is being stopped: neither the record nor the spool takes
            // anything, and memory must stay bounded until the end.
            self.raw_dropped += self.pending.raw.len();
            tracing::warn!(
                session_id = self.session_id,
                samples = self.pending.raw.len(),
                "store: raw samples dropped to bound memory: neither the record nor its spool can be written"
            );
            self.pending.raw.clear();
        }
    }

    /// The session's rows in the record and in the spool files not yet written back.
    fn rows_kept(&self) -> u64 {
        self.rows_stored + self.spilled.iter().map(|s| s.rows).sum::<u64>()
    }

    fn spill(&mut self) {
        let rows_before = self.rows_kept();
        match spool::write_spool(
            self.store.path(),
            self.session_id,
            &self.pending,
            rows_before,
            None,
        ) {
            Ok(path) => {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                tracing::warn!(session_id = self.session_id, file = %path.display(), what = %self.pending.summary(), "store: unwritten data kept in a spool file beside the record");
                self.spilled.push(Spilled {
                    tag: spool::spool_tag(&name),
                    rows: self.pending.row_count(),
                    steps: self.pending.steps.len() as u64,
                    path,
                });
                self.pending = Batch::default();
                self.mark_spilled();
            }
            Err(e) => {
                let record = self
                    .first_error
                    .as_ref()
                    .map_or_else(|| "cannot be written".to_string(), |e| e.to_string());
                let reason = format!(
                    "stopped: nothing more can be recorded (the record: {record}; its spool: {e})"
                );
                tracing::error!(session_id = self.session_id, %reason, "store: the session is stopped");
                self.events.emit(EngineEvent::Notice(reason.clone()));
                self.stopper.stop(reason);
                self.stop_asked = true;
            }
        }
    }

    /// The session's mark while data waits in spool files (best effort: a record that takes no
    /// new rows often still takes this small update; if not, the spool's own proof holds).
    fn mark_spilled(&mut self) {
        let mark = format!(
            "data not yet in the record, kept in {} and written back when the record takes it: {} {}",
            spool::spool_dir(self.store.path()).display(),
            self.first_error.as_ref().map_or_else(
                || "the record could not be written".to_string(),
                |e| e.to_string()
            ),
            self.spool_tags()
        );
        if let Err(e) = self.store.mark_incomplete(self.session_id, &mark) {
            tracing::debug!(session_id = self.session_id, error = %e, "store: the spool's mark could not be written yet");
        }
    }

    fn spool_tags(&self) -> String {
        self.spilled
            .iter()
            .map(|s| s.tag.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The writer gives up at the end: what is left goes to a spool file, the session is closed
    /// and marked incomplete with what is missing, each as far as the record still takes it
    /// (small updates of existing rows, which fit where new rows no longer do); the error says
    /// what is missing, for the clinician.
    fn give_up(
        mut self,
        end: Option<&(SessionStatus, String, i64)>,
        error: Option<StoreError>,
    ) -> StoreError {
        let session_id = self.session_id;
        let cause = error.map_or_else(|| "unknown error".to_string(), |e| e.to_string());
        let nothing_pending = self.pending.is_empty() && self.pending.now_nanos == 0;
        let mut parts = Vec::new();
        if nothing_pending && self.spilled.is_empty() {
            parts.push("the session's end".to_string());
        }
        if !self.spilled.is_empty() {
            let n = self.spilled.len();
            parts.push(format!(
                "what was moved out of memory during the session, kept in {} ({n} file{})",
                spool::spool_dir(self.store.path()).display(),
                if n == 1 { "" } else { "s" }
            ));
        }
        // With files cut during the session, the end goes into one more file even when no data
        // waits: the files hold no end of their own, and the next open closes the session from it.
        if !nothing_pending || !self.spilled.is_empty() {
            let what = if nothing_pending {
                "the session's end".to_string()
            } else {
                format!(
                    "the data after the last stored batch ({})",
                    self.pending.summary()
                )
            };
            // Kept beside the record, written back in on its next open.
            let spool_end = end.map(|(status, reason, end_nanos)| SpoolEnd {
                status: status.as_str().to_string(),
                reason: reason.clone(),
                end_nanos: *end_nanos,
            });
            let rows_before = self.rows_kept();
            match spool::write_spool(
                self.store.path(),
                session_id,
                &self.pending,
                rows_before,
                spool_end,
            ) {
                Ok(file) => {
                    let name = file
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    parts.push(format!("{what}, kept in {}", file.display()));
                    self.spilled.push(Spilled {
                        tag: spool::spool_tag(&name),
                        rows: self.pending.row_count(),
                        steps: self.pending.steps.len() as u64,
                        path: file,
                    });
                }
                Err(e) => {
                    tracing::error!(session_id, error = %e, "store: the spool could not be written either: that data is lost");
                    parts.push(format!(
                        "{what}, lost (the spool could not be written: {e})"
                    ));
                }
            }
        }
        if self.raw_dropped > 0 {
            parts.push(format!(
                "{} raw samples, lost (neither the record nor its spool could take them)",
                self.raw_dropped
            ));
        }
        let written_back = if self.spilled.is_empty() {
            String::new()
        } else {
            format!(
                "; written back on the record's next open {}",
                self.spool_tags()
            )
        };
        let missing = format!("{}: {cause}{written_back}", parts.join("; "));
        if let Some((status, reason, end_nanos)) = end
            && let Err(e) = self
                .store
                .end_session(session_id, *status, reason, *end_nanos)
        {
            tracing::error!(session_id, error = %e, "store: the session could not be closed");
        }
        match self.store.mark_incomplete(session_id, &missing) {
            Ok(()) => tracing::error!(session_id, %missing, "store: session marked incomplete"),
            Err(e) => {
                tracing::error!(session_id, error = %e, %missing, "store: the session could not even be marked incomplete")
            }
        }
        StoreError::Incomplete {
            session_id,
            what: missing,
        }
    }
}
