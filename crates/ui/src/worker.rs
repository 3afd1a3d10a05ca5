//! Work off the UI thread: the record (SQLite) on its own thread, BLE scans and session starts on
//! short-lived threads. Each job's answer comes back on a channel the UI drains every frame, and the
//! worker asks egui for a repaint, so the window never waits on the disk or the radio.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};

use entrain_analysis::{PatientProgress, analyse_patient_record};
use entrain_store::{PatientRecord, SessionRecord, Store};

use crate::{i18n, t};

/// The record's thread's name.
const RECORD_THREAD: &str = "entrain-ui-store";

/// A job for the record's thread.
pub type Job = Box<dyn FnOnce(&mut Store) -> Reply + Send>;

/// The record as it opened.
#[derive(Debug)]
pub struct OpenedRecord {
    /// Its file.
    pub path: PathBuf,
    /// Sessions a process that ended without closing them had left running, marked
    /// `interrupted` by this open ([`Store::recovered_sessions`]).
    pub interrupted: Vec<SessionRecord>,
}

/// An answer from a background job.
#[derive(Debug)]
pub enum Reply {
    /// The record is open.
    Opened(Result<OpenedRecord, String>),
    /// The patient list.
    Patients(Result<Vec<PatientRecord>, String>),
    /// A patient was added or changed.
    PatientSaved(Result<PatientRecord, String>),
    /// Sensors were assigned to a patient.
    Assigned(Result<String, String>),
    /// The music library.
    Tracks(Result<Vec<entrain_store::TrackRecord>, String>),
    /// A track was stored, or its tempo confirmed.
    TrackSaved(Result<entrain_store::TrackRecord, String>),
    /// A patient's remembered sensors: the patient and the record's assignments.
    Remembered(Result<(i64, Vec<entrain_store::SensorAssignment>), String>),
    /// A patient's progress.
    Progress(Result<PatientProgress, String>),
    /// A clinical test was stored: its description.
    TestSaved(Result<String, String>),
    /// A clinical test result was deleted: its description.
    TestDeleted(Result<String, String>),
    /// A report or export was written: what and where.
    ReportWritten(Result<String, String>),
    /// A note was stored on a session: the session and the note.
    NoteSaved(Result<(i64, String), String>),
    /// A patient's liked and disliked tracks: the patient and the record's rows.
    MusicPrefs(Result<(i64, Vec<entrain_store::MusicPreferenceRecord>), String>),
    /// The playlists a patient's sessions may use: the patient, the lists, and the one changed.
    Playlists(Result<(i64, Vec<entrain_store::PlaylistRecord>, Option<i64>), String>),
    /// The music a session played, as the record keeps it: the session and its segments.
    MusicPlayed(Result<(i64, Vec<entrain_store::MusicSegmentRow>), String>),
}

/// The record's thread.
#[derive(Debug)]
pub struct StoreWorker {
    jobs: Sender<Job>,
    replies: Receiver<Reply>,
}

impl StoreWorker {
    /// Opens (or creates) the record at `path` on a new thread; the answer arrives as
    /// [`Reply::Opened`]. `wake` is called after each answer (the UI's repaint request).
    pub fn open(path: PathBuf, wake: impl Fn() + Send + 'static) -> StoreWorker {
        let (job_tx, job_rx) = mpsc::channel::<Job>();
        let (reply_tx, reply_rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name(RECORD_THREAD.into())
            .spawn({
                let reply_tx = reply_tx.clone();
                move || {
                    let opened = path
                        .parent()
                        .map_or(Ok(()), std::fs::create_dir_all)
                        .map_err(|e| format!("{}: {e}", path.display()))
                        .and_then(|()| Store::open(&path).map_err(|e| e.to_string()));
                    let mut store = match opened {
                        Ok(s) => {
                            tracing::info!(record = %path.display(), "record opened");
                            let opened = OpenedRecord {
                                path: path.clone(),
                                interrupted: interrupted_sessions(&s),
                            };
                            if reply_tx.send(Reply::Opened(Ok(opened))).is_err() {
                                closed_early();
                                return;
                            }
                            wake();
                            s
                        }
                        Err(e) => {
                            tracing::error!(record = %path.display(), error = %e, "the record could not be opened");
                            if reply_tx.send(Reply::Opened(Err(e))).is_err() {
                                closed_early();
                            }
                            wake();
                            return;
                        }
                    };
                    while let Ok(job) = job_rx.recv() {
                        let reply = job(&mut store);
                        if reply_tx.send(reply).is_err() {
                            closed_early();
                            return;
                        }
                        wake();
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the record's thread");
            // `reply_rx` is still here, so this send cannot fail.
            if reply_tx
                .send(Reply::Opened(Err(t!(
                    "app-thread-not-started",
                    name = RECORD_THREAD,
                    detail = e.to_string()
                ))))
                .is_err()
            {
                closed_early();
            }
        }
        StoreWorker {
            jobs: job_tx,
            replies: reply_rx,
        }
    }

    /// Queues a job; `false` if the record's thread has ended.
    pub fn run(&self, job: impl FnOnce(&mut Store) -> Reply + Send + 'static) -> bool {
        // The answer's words are in the language of the window that asked.
        let language = i18n::language();
        self.jobs
            .send(Box::new(move |store| {
                i18n::set_language(language);
                job(store)
            }))
            .is_ok()
    }

    /// The answers that have arrived.
    pub fn replies(&self) -> Vec<Reply> {
        self.replies.try_iter().collect()
    }
}

/// The sessions this open marked interrupted, read back (one that cannot be read is logged; the
/// record keeps it marked all the same).
fn interrupted_sessions(store: &Store) -> Vec<SessionRecord> {
    store
        .recovered_sessions()
        .iter()
        .filter_map(|&id| match store.session(id) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::error!(session_id = id, error = %e, "an interrupted session cannot be read back");
                None
            }
        })
        .collect()
}

/// The UI dropped its [`StoreWorker`] (the window is closing): nobody waits for the answer, and the
/// job itself (the write) has already run, so nothing is lost.
fn closed_early() {
    tracing::debug!("record's thread: the window has gone; answer not delivered");
}

/// Reads a patient's progress from the record (every session measured by `entrain-analysis`).
pub fn load_progress(store: &Store, patient: &PatientRecord) -> Result<PatientProgress, String> {
    analyse_patient_record(store, patient.clone()).map_err(|e| e.to_string())
}

/// A one-off background job with one answer (BLE scan, session start).
#[derive(Debug)]
pub struct Pending<T> {
    rx: Receiver<T>,
}

impl<T: Send + 'static> Pending<T> {
    /// Runs `f` on a new thread named `name`; `wake` is called when it is done.
    pub fn spawn(
        name: &str,
        f: impl FnOnce() -> T + Send + 'static,
        wake: impl Fn() + Send + 'static,
    ) -> Result<Pending<T>, String> {
        let (tx, rx) = mpsc::channel();
        let language = i18n::language();
        std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                i18n::set_language(language);
                if tx.send(f()).is_err() {
                    // Whoever asked dropped its `Pending` (the window is closing): nobody wants
                    // the answer any more, and it is dropped with it.
                    tracing::debug!("background job finished after its screen was left");
                }
                wake();
            })
            .map_err(|e| {
                t!(
                    "app-thread-not-started",
                    name = name,
                    detail = e.to_string()
                )
            })?;
        Ok(Pending { rx })
    }

    /// The answer, once there.
    pub fn try_take(&self) -> Option<T> {
        self.rx.try_recv().ok()
    }
}
