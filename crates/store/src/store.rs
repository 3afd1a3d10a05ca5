//! The store: opening (with the checks that keep a foreign or damaged file untouched),
//! migrations, crash recovery, sensors, and a session's row read back; writing sessions is in
//! `write`, patients in `patients`, clinical tests in `clinical`, a session's rows read back as
//! types in `read`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use entrain_gait::Placement;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::error::StoreError;
use crate::lease::{Lease, ThisMachine, holder_is_gone};
use crate::model::*;
use crate::read::parsed;
use crate::schema::{APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION};

/// Bytes per stored raw sample: `time_nanos` i64, then ax, ay, az, gx, gy, gz as f32, little-endian.
pub const RAW_SAMPLE_BYTES: usize = 32;

/// Fault injection for the tests of the real binary: this environment variable caps every record
/// the process opens at that many pages (a full disk, simulated, as [`StoreOptions::max_page_count`]).
pub const FAULT_MAX_PAGE_COUNT_ENV: &str = "ENTRAIN_FAULT_MAX_PAGE_COUNT";

fn fault_max_page_count() -> Option<u64> {
    let value = std::env::var(FAULT_MAX_PAGE_COUNT_ENV).ok()?;
    match value.trim().parse() {
        Ok(pages) => {
            tracing::warn!(
                pages,
                "{FAULT_MAX_PAGE_COUNT_ENV}: the record is capped (fault injection)"
            );
            Some(pages)
        }
        Err(e) => {
            tracing::error!(%value, error = %e, "{FAULT_MAX_PAGE_COUNT_ENV} is not a page count; ignored");
            None
        }
    }
}

/// Options for [`Store::open_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StoreOptions {
    /// Caps the database at this many pages (SQLite's `max_page_count`): a full disk, simulated.
    pub max_page_count: Option<u64>,
    /// Whether a missing file is created, and whether a record that cannot be written is read.
    pub access: Access,
}

/// How a record is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Access {
    /// Created if missing (a session, a new patient, the window).
    #[default]
    Create,
    /// Must exist: a mistyped path is an error, not a new empty record.
    Existing,
    /// Must exist, and is read: written where it can be (interrupted sessions marked), opened
    /// read-only where the file or its folder cannot be written.
    Read,
}

/// How long an opener or a writer waits for another's lock before it fails.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The patient record: one SQLite database file in WAL mode, `synchronous=FULL`.
#[derive(Debug)]
pub struct Store {
    pub(crate) conn: Connection,
    pub(crate) path: PathBuf,
    recovered: Vec<i64>,
}

/// Wall-clock time, Unix ms.
pub fn unix_ms_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The record's file name inside a data folder, for the window and the command line alike.
pub const DATABASE_FILE: &str = "entrain.db";

/// The file name the command line used for its default record before it shared the window's
/// ([`DATABASE_FILE`]); such a file is named to the user, never read in its place.
pub const LEGACY_DATABASE_FILE: &str = "entrain.sqlite3";

/// The user's default data folder: `<data dir>/entrain` (e.g. `~/.local/share/entrain` on Linux);
/// `None` if this user has no data folder.
pub fn default_data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("entrain"))
}

/// The default record: [`DATABASE_FILE`] in [`default_data_dir`], the window's and the command
/// line's one file.
pub fn default_db_path() -> Option<PathBuf> {
    default_data_dir().map(|d| d.join(DATABASE_FILE))
}

impl Store {
    /// Opens (or creates) the database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Self::open_with(path, StoreOptions::default())
    }

    /// Opens an existing record, refusing a missing file (a mistyped `--db` is not a new record).
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        Self::open_with(
            path,
            StoreOptions {
                access: Access::Existing,
                ..StoreOptions::default()
            },
        )
    }

    /// Opens an existing record to read it: read-only where it cannot be written (a read-only
    /// file or folder), so it can still be listed, exported and reported.
    pub fn open_for_reading(path: &Path) -> Result<Store, StoreError> {
        Self::open_with(
            path,
            StoreOptions {
                access: Access::Read,
                ..StoreOptions::default()
            },
        )
    }

    /// Opens the database at `path` with `options` (created if missing with [`Access::Create`]).
    ///
    /// Before anything is written, the file is checked: not SQLite, another program's database,
    /// a damaged file or a newer schema are refused with an error and the file is left as it was.
    /// Sessions left `running` by a process that no longer exists become `interrupted` (not in a
    /// record opened read-only).
    pub fn open_with(path: &Path, mut options: StoreOptions) -> Result<Store, StoreError> {
        if options.max_page_count.is_none() {
            options.max_page_count = fault_max_page_count();
        }
        let exists = path.exists();
        if exists {
            check_header(path)?;
        } else if options.access != Access::Create {
            return Err(StoreError::NoRecord {
                path: path.to_path_buf(),
            });
        } else if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                path: dir.to_path_buf(),
                context: "cannot create the database folder".into(),
                source,
            })?;
        }
        match Self::open_writable(path, options) {
            Err(StoreError::ReadOnly { .. }) if options.access == Access::Read => {
                Self::open_read_only(path)
            }
            other => other,
        }
    }

    /// Opens a record that cannot be written, for reading only: nothing is migrated, recovered or
    /// written. A WAL record whose folder is read-only has no shared-memory file to create, so it
    /// is read as immutable (nobody can be writing it there).
    fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let probe = |conn: Connection| -> Result<(Connection, i64), StoreError> {
            let version: i64 = conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(|e| StoreError::sqlite(path, "reading the schema version", e))?;
            Ok((conn, version))
        };
        let opened = Connection::open_with_flags(path, flags)
            .map_err(|e| StoreError::sqlite(path, "opening the database read-only", e))
            .and_then(probe);
        let (conn, version) = match opened {
            Ok(c) => c,
            Err(_) => {
                let uri = format!("file:{}?immutable=1", uri_path(path));
                let conn = Connection::open_with_flags(&uri, flags)
                    .map_err(|e| StoreError::sqlite(path, "opening the database read-only", e))?;
                probe(conn)?
            }
        };
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: path.to_path_buf(),
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        if version < SCHEMA_VERSION {
            // The reads expect the current schema, and upgrading it is a write.
            return Err(StoreError::ReadOnly {
                path: path.to_path_buf(),
                detail: format!(
                    "it has schema version {version}, older than this Entrain's {SCHEMA_VERSION}, and cannot be upgraded while it cannot be written: open it once where it can be"
                ),
            });
        }
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            recovered: Vec::new(),
        })
    }

    fn open_writable(path: &Path, options: StoreOptions) -> Result<Store, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| StoreError::sqlite(path, "opening the database", e))?;
        let err = |context: &str| {
            let context = context.to_string();
            move |e| StoreError::sqlite(path, &context, e)
        };
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(err("setting the busy timeout"))?;
        // Read-only checks first: nothing is written to a file that is not ours. One read
        // transaction, so the three reads see one state: read apart, another process creating
        // the record between them made it look foreign (tables, but no id yet).
        let snapshot = conn
            .unchecked_transaction()
            .map_err(err("reading the record's header"))?;
        let app_id: i64 = snapshot
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(err("reading the application id"))?;
        let version: i64 = snapshot
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(err("reading the schema version"))?;
        let tables: Vec<String> = {
            let mut stmt = snapshot
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .map_err(err("listing the tables"))?;
            let rows = stmt
                .query_map([], |r| r.get::<_, String>(0))
                .map_err(err("listing the tables"))?;
            rows.collect::<Result<_, _>>()
                .map_err(err("listing the tables"))?
        };
        snapshot
            .commit()
            .map_err(err("reading the record's header"))?;
        if app_id != APPLICATION_ID && !(app_id == 0 && tables.is_empty() && version == 0) {
            let shown: Vec<&str> = tables.iter().take(8).map(String::as_str).collect();
            return Err(StoreError::Foreign {
                path: path.to_path_buf(),
                detail: format!(
                    "application id {app_id:#x}, schema version {version}, tables: {}",
                    if shown.is_empty() {
                        "none".to_string()
                    } else {
                        shown.join(", ")
                    }
                ),
            });
        }
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: path.to_path_buf(),
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        // Switching a new record to WAL needs it to itself for a moment, and SQLite does not wait
        // for that through the busy timeout when another opener holds it: retried as long.
        let switching_since = std::time::Instant::now();
        let mode: String = loop {
            match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)) {
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::DatabaseBusy
                        && switching_since.elapsed() < BUSY_TIMEOUT =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                other => break other.map_err(err("switching to WAL"))?,
            }
        };
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::ReadOnly {
                path: path.to_path_buf(),
                detail: format!("cannot switch the journal to WAL (got {mode})"),
            });
        }
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
            .map_err(err("setting synchronous=FULL"))?;
        if let Some(pages) = options.max_page_count {
            conn.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))
                .map_err(err("setting max_page_count"))?;
        }
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            recovered: Vec::new(),
        };
        store.migrate()?;
        store.recover()?;
        store.apply_spool();
        Ok(store)
    }

    /// Brings the schema to [`SCHEMA_VERSION`], one migration per transaction. Each takes the
    /// write lock first and reads the version under it, so two processes opening a new record at
    /// once do not both run the same migration.
    fn migrate(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        loop {
            let tx = self
                .write_transaction()
                .map_err(|e| StoreError::sqlite(&path, "migrating the schema", e))?;
            let version: i64 = tx
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(|e| StoreError::sqlite(&path, "reading the schema version", e))?;
            let Some(sql) = MIGRATIONS.get(version.max(0) as usize) else {
                return Ok(());
            };
            let context = format!("migrating the schema to version {}", version + 1);
            tx.execute_batch(sql)
                .map_err(|e| StoreError::sqlite(&path, &context, e))?;
            tx.execute_batch(&format!(
                "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {};",
                version + 1
            ))
            .map_err(|e| StoreError::sqlite(&path, &context, e))?;
            tx.commit()
                .map_err(|e| StoreError::sqlite(&path, &context, e))?;
        }
    }

    /// A transaction that takes the write lock at once (waiting for it up to the busy timeout):
    /// a deferred one that read first would fail at once with "database is locked" when another
    /// writer got in between, whatever the timeout.
    pub(crate) fn write_transaction(&mut self) -> rusqlite::Result<rusqlite::Transaction<'_>> {
        self.conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
    }

    /// Marks sessions left `running` by a recorder that is gone as `interrupted` (its lease says
    /// who it was: [`crate::lease`]); a session still being recorded, here or on another host, is
    /// left as it is.
    fn recover(&mut self) -> Result<(), StoreError> {
        type Row = (i64, Option<i64>, i64, Option<i64>, Option<Lease>);
        let running: Vec<Row> = {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT id, pid, last_nanos, heartbeat_unix_ms, lease_host, lease_boot_id,
                            lease_process_start_ticks
                     FROM sessions WHERE status = 'running'",
                )
                .map_err(|e| self.e("looking for interrupted sessions", e))?;
            let rows = stmt
                .query_map([], |r| {
                    let pid: Option<i64> = r.get(1)?;
                    let host: Option<String> = r.get(4)?;
                    let boot: Option<String> = r.get(5)?;
                    let start: Option<i64> = r.get(6)?;
                    let lease = match (host, boot, pid, start) {
                        (Some(host), Some(boot_id), Some(pid), Some(process_start_ticks)) => {
                            Some(Lease {
                                host,
                                boot_id,
                                pid,
                                process_start_ticks,
                            })
                        }
                        _ => None,
                    };
                    Ok((r.get(0)?, pid, r.get(2)?, r.get(3)?, lease))
                })
                .map_err(|e| self.e("looking for interrupted sessions", e))?;
            rows.collect::<Result<_, _>>()
                .map_err(|e| self.e("looking for interrupted sessions", e))?
        };
        let now = unix_ms_now();
        for (id, pid, last_nanos, heartbeat, lease) in running {
            let Some(why) = holder_is_gone(lease.as_ref(), pid, heartbeat, now, &ThisMachine)
            else {
                continue;
            };
            tracing::warn!(
                session_id = id,
                "marking a running session interrupted: {why}"
            );
            let marked = self
                .conn
                .execute(
                    "UPDATE sessions SET status = 'interrupted', end_reason = ?2
                     WHERE id = ?1 AND status = 'running'",
                    params![
                        id,
                        format!(
                            "the recording process ended without closing the session ({why}); data up to {:.1} s kept",
                            last_nanos as f64 / 1e9
                        )
                    ],
                )
                .map_err(|e| self.e("marking an interrupted session", e))?;
            if marked == 1 {
                self.recovered.push(id);
            }
        }
        Ok(())
    }

    pub(crate) fn e(&self, context: &str, e: rusqlite::Error) -> StoreError {
        StoreError::sqlite(&self.path, context, e)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sessions this open found left running by a process that is gone, now `interrupted`.
    pub fn recovered_sessions(&self) -> &[i64] {
        &self.recovered
    }

    /// Records a sensor (by its stable key) and assigns it to a patient's placement.
    pub fn assign_sensor(
        &mut self,
        patient_id: i64,
        sensor_key: &str,
        name: &str,
        kind: &str,
        placement: Placement,
    ) -> Result<(), StoreError> {
        let path = self.path.clone();
        let e = |e| StoreError::sqlite(&path, "assigning a sensor", e);
        let tx = self.write_transaction().map_err(e)?;
        tx.execute(
            "INSERT INTO sensors (sensor_key, name, kind) VALUES (?1, ?2, ?3)
             ON CONFLICT(sensor_key) DO UPDATE SET name = excluded.name, kind = excluded.kind",
            params![sensor_key, name, kind],
        )
        .map_err(e)?;
        tx.execute(
            "INSERT INTO sensor_assignments (patient_id, placement, sensor_id, assigned_unix_ms)
             VALUES (?1, ?2, (SELECT id FROM sensors WHERE sensor_key = ?3), ?4)
             ON CONFLICT(patient_id, placement) DO UPDATE SET sensor_id = excluded.sensor_id,
                 assigned_unix_ms = excluded.assigned_unix_ms",
            params![patient_id, placement.code(), sensor_key, unix_ms_now()],
        )
        .map_err(e)?;
        tx.commit().map_err(e)
    }

    /// The sensors assigned to a patient, by placement.
    pub fn sensor_assignments(&self, patient_id: i64) -> Result<Vec<SensorAssignment>, StoreError> {
        let e = |e| self.e("reading sensor assignments", e);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT a.placement, s.sensor_key, s.name, s.kind, a.assigned_unix_ms
                 FROM sensor_assignments a JOIN sensors s ON s.id = a.sensor_id
                 WHERE a.patient_id = ?1 ORDER BY a.placement",
            )
            .map_err(e)?;
        let rows = stmt
            .query_map([patient_id], |r| {
                Ok(SensorAssignment {
                    placement: parsed(r, 0)?,
                    sensor_key: r.get(1)?,
                    name: r.get(2)?,
                    kind: r.get(3)?,
                    assigned_unix_ms: r.get(4)?,
                })
            })
            .map_err(e)?;
        rows.collect::<Result<_, _>>().map_err(e)
    }

    const SESSION_SELECT: &'static str =
        "SELECT s.id, s.patient_id, p.code, s.source, s.protocol, s.settings_json,
            s.started_unix_ms, s.ended_unix_ms, s.last_nanos, s.status, s.end_reason, s.missing
         FROM sessions s LEFT JOIN patients p ON p.id = s.patient_id";

    fn session_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SessionRecord> {
        Ok(SessionRecord {
            id: r.get(0)?,
            patient_id: r.get(1)?,
            patient_code: r.get(2)?,
            source: r.get(3)?,
            protocol: r.get(4)?,
            settings_json: r.get(5)?,
            started_unix_ms: r.get(6)?,
            ended_unix_ms: r.get(7)?,
            last_nanos: r.get(8)?,
            status: parsed(r, 9)?,
            end_reason: r.get(10)?,
            missing: r.get(11)?,
        })
    }

    /// One session.
    pub fn session(&self, id: i64) -> Result<SessionRecord, StoreError> {
        self.conn
            .query_row(
                &format!("{} WHERE s.id = ?1", Self::SESSION_SELECT),
                [id],
                Self::session_from_row,
            )
            .optional()
            .map_err(|e| self.e("reading a session", e))?
            .ok_or_else(|| StoreError::NotFound {
                path: self.path.clone(),
                what: format!("session {id}"),
            })
    }

    /// Every session (of one patient, if given), oldest first.
    pub fn sessions(&self, patient_id: Option<i64>) -> Result<Vec<SessionRecord>, StoreError> {
        let sql = format!(
            "{} WHERE (?1 IS NULL OR s.patient_id = ?1) ORDER BY s.id",
            Self::SESSION_SELECT
        );
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(|e| self.e("listing sessions", e))?;
        let rows = stmt
            .query_map([patient_id], Self::session_from_row)
            .map_err(|e| self.e("listing sessions", e))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| self.e("listing sessions", e))
    }

    /// Runs SQLite's integrity check; `Ok(())` if the file is sound.
    pub fn check_integrity(&self) -> Result<(), StoreError> {
        let result: String = self
            .conn
            .query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))
            .map_err(|e| self.e("checking integrity", e))?;
        if result == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt {
                path: self.path.clone(),
                detail: result,
            })
        }
    }
}

/// `path` for an SQLite `file:` URI: absolute, with the characters a URI reserves escaped.
fn uri_path(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::new();
    for c in absolute.to_string_lossy().chars() {
        match c {
            '%' | '?' | '#' => out.push_str(&format!("%{:02X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// Refuses a file that does not start with the SQLite header, before SQLite touches it.
fn check_header(path: &Path) -> Result<(), StoreError> {
    let mut file = std::fs::File::open(path).map_err(|source| StoreError::Io {
        path: path.to_path_buf(),
        context: "cannot open the database file".into(),
        source,
    })?;
    let mut head = Vec::with_capacity(100);
    file.by_ref()
        .take(100)
        .read_to_end(&mut head)
        .map_err(|source| StoreError::Io {
            path: path.to_path_buf(),
            context: "cannot read the database file".into(),
            source,
        })?;
    if head.is_empty() {
        // An empty file is a new database.
        return Ok(());
    }
    const MAGIC: &[u8] = b"SQLite format 3\0";
    if !head.starts_with(MAGIC) {
        let shown: String = head
            .iter()
            .take(16)
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    char::from(b)
                } else {
                    '.'
                }
            })
            .collect();
        return Err(StoreError::NotSqlite {
            path: path.to_path_buf(),
            found: format!("a file starting with `{shown}`"),
        });
    }
    if head.len() < 100 {
        return Err(StoreError::Corrupt {
            path: path.to_path_buf(),
            detail: format!("the header is cut short at {} bytes", head.len()),
        });
    }
    Ok(())
}
