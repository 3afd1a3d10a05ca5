//! What can go wrong with the patient record; every variant names the database file.

use std::path::PathBuf;

/// An error opening, reading or writing the patient record.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The file exists but is not an SQLite database at all (wrong header).
    #[error(
        "{}: not an Entrain database: expected an SQLite 3 file, found {found}; the file was not modified",
        path.display()
    )]
    NotSqlite {
        /// The file.
        path: PathBuf,
        /// What its first bytes look like.
        found: String,
    },
    /// An SQLite database of another program.
    #[error(
        "{}: not an Entrain database: it belongs to another program ({detail}); the file was not modified",
        path.display()
    )]
    Foreign {
        /// The file.
        path: PathBuf,
        /// Its application id and tables.
        detail: String,
    },
    /// The file is damaged.
    #[error(
        "{}: the database is damaged ({detail}); nothing was written to it. Restore it from a backup or move it aside",
        path.display()
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// SQLite's message.
        detail: String,
    },
    /// Written by a newer Entrain whose schema this version does not know.
    #[error(
        "{}: the database has schema version {found}, newer than the {supported} this version of Entrain knows; update Entrain (the file was not modified)",
        path.display()
    )]
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest this code knows.
        supported: i64,
    },
    /// The file or its folder cannot be written.
    #[error("{}: cannot write the database: {detail}", path.display())]
    ReadOnly {
        /// The file.
        path: PathBuf,
        /// What refused.
        detail: String,
    },
    /// Part of a session could not be written in the end (the record stayed locked or full).
    #[error("session {session_id}: {what} could not be stored")]
    Incomplete {
        /// The session.
        session_id: i64,
        /// What is missing.
        what: String,
    },
    /// The disk (or the database's size limit) is full; the last batch was not written, earlier
    /// data are intact.
    #[error(
        "{}: the disk is full while {context}: that write was rolled back, everything stored before is intact",
        path.display()
    )]
    Full {
        /// The file.
        path: PathBuf,
        /// What was being written.
        context: String,
    },
    /// A file-system error around the database (folder cannot be created, ...).
    #[error("{}: {context}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was being done.
        context: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// No record at the path given (a mistyped `--db` is not a new, empty record).
    #[error(
        "{}: no such file, so no record to read there: check --db or --data-dir (a record is made by the window, `entrain session` or `entrain patients --add`)",
        path.display()
    )]
    NoRecord {
        /// The path given.
        path: PathBuf,
    },
    /// Something that was asked for does not exist.
    #[error("{}: {what} not found", path.display())]
    NotFound {
        /// The file.
        path: PathBuf,
        /// What is missing (`session 12`, `patient P-07`).
        what: String,
    },
    /// A value given to the store is not acceptable.
    #[error("{field}: expected {expected}, found {found}")]
    Invalid {
        /// Which field.
        field: String,
        /// What it must be.
        expected: String,
        /// What it was.
        found: String,
    },
    /// Any other SQLite error.
    #[error("{}: {context}: {source}", path.display())]
    Sqlite {
        /// The file.
        path: PathBuf,
        /// What was being done.
        context: String,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// An export file could not be written.
    #[error("{}: cannot write the export: {detail}", path.display())]
    Export {
        /// The export file.
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },
}

impl StoreError {
    /// Classifies an SQLite error met at `path` while doing `context`.
    pub(crate) fn sqlite(path: &std::path::Path, context: &str, e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        let path = path.to_path_buf();
        if let rusqlite::Error::SqliteFailure(f, msg) = &e {
            let detail = msg.clone().unwrap_or_else(|| f.to_string());
            match f.code {
                ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt => {
                    return StoreError::Corrupt { path, detail };
                }
                ErrorCode::DiskFull => {
                    return StoreError::Full {
                        path,
                        context: context.to_string(),
                    };
                }
                ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied => {
                    return StoreError::ReadOnly {
                        path,
                        detail: format!("{context}: {detail}"),
                    };
                }
                _ => {}
            }
        }
        if let rusqlite::Error::FromSqlConversionFailure(column, _, inner) = &e {
            // A stored name this version cannot read back (a side, phase, ...): the row is not
            // what Entrain writes, so the record is damaged there.
            return StoreError::Corrupt {
                path,
                detail: format!("{context}: column {column}: {inner}"),
            };
        }
        StoreError::Sqlite {
            path,
            context: context.to_string(),
            source: e,
        }
    }
}
