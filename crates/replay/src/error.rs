//! What can go wrong reading a data set, with the file, line and field it went wrong at.

use std::path::PathBuf;

/// An error reading a recording of one of the public data sets.
///
/// Every variant names the file; variants about a place in a file also name the 1-based line and
/// the column or JSON field, and say what was expected and what was found.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The file could not be opened or read (missing, unreadable).
    #[error("{}: cannot read the file: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The gzip stream is truncated or corrupt.
    #[error(
        "{}: broken gzip stream after line {line}: expected a complete gzip file, found: {source}",
        path.display()
    )]
    Gzip {
        /// The compressed file.
        path: PathBuf,
        /// The last (1-based) line that was decompressed completely or in part.
        line: usize,
        /// The decompressor's error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not UTF-8 text.
    #[error(
        "{}:{line}:{column}: expected UTF-8 text, found an invalid byte",
        path.display()
    )]
    Encoding {
        /// The file.
        path: PathBuf,
        /// 1-based line of the first invalid byte.
        line: usize,
        /// 1-based byte column of the first invalid byte.
        column: usize,
    },
    /// A header line differs from the layout the reader knows.
    #[error("{}:{line}: expected header {expected}, found `{found}`", path.display())]
    Header {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What the reader expected.
        expected: String,
        /// The line as found (possibly shortened).
        found: String,
    },
    /// A row has the wrong number of fields.
    #[error("{}:{line}: expected {expected} fields, found {found}", path.display())]
    FieldCount {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// Number of fields of the header / layout.
        expected: usize,
        /// Number of fields in the row.
        found: usize,
    },
    /// A field does not hold what it should (non-numeric, non-finite, unknown name, wrong index).
    #[error(
        "{}:{line}: column `{column}`: expected {expected}, found `{found}`",
        path.display()
    )]
    Value {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// The column's header name.
        column: String,
        /// What the column should hold.
        expected: String,
        /// The field as found (possibly shortened).
        found: String,
    },
    /// A table has a header but no data row.
    #[error("{}: expected at least one data row after line {line}, found none", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
        /// 1-based number of the last header line.
        line: usize,
    },
    /// A JSON file is malformed or misses a field (serde's message names the field).
    #[error("{}:{line}:{column}: invalid JSON: {message}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// 1-based line where the parser stopped.
        line: usize,
        /// 1-based column where the parser stopped.
        column: usize,
        /// What was expected and found, in serde_json's words.
        message: String,
    },
    /// A value parses but contradicts the layout or another file (e.g. a window ending before it
    /// starts, or a sample count that differs between files).
    #[error("{}: field `{field}`: expected {expected}, found {found}", path.display())]
    Inconsistent {
        /// The file holding the value.
        path: PathBuf,
        /// The JSON field or column, with an index where there is one (`LeftFootActivity[3]`).
        field: String,
        /// What was expected.
        expected: String,
        /// What was found.
        found: String,
    },
    /// The trial is not one this reader knows for the data set.
    #[error(
        "{}: trial `{code}`: expected a trial of the {dataset} data set, found none by that code",
        path.display()
    )]
    UnknownTrial {
        /// The data-set folder.
        path: PathBuf,
        /// The data set.
        dataset: super::Dataset,
        /// The code asked for.
        code: String,
    },
}

impl ReplayError {
    /// The file the error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            ReplayError::Io { path, .. }
            | ReplayError::Gzip { path, .. }
            | ReplayError::Encoding { path, .. }
            | ReplayError::Header { path, .. }
            | ReplayError::FieldCount { path, .. }
            | ReplayError::Value { path, .. }
            | ReplayError::Empty { path, .. }
            | ReplayError::Json { path, .. }
            | ReplayError::Inconsistent { path, .. }
            | ReplayError::UnknownTrial { path, .. } => path,
        }
    }

    /// A JSON error, with serde_json's location moved out of its message.
    pub(crate) fn json(path: PathBuf, err: &serde_json::Error) -> Self {
        let (line, column) = (err.line(), err.column());
        let full = err.to_string();
        let suffix = format!(" at line {line} column {column}");
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
        ReplayError::Json {
            path,
            line,
            column,
            message,
        }
    }
}

/// Shortens a found value for an error message.
pub(crate) fn shorten(s: &str) -> String {
    const MAX: usize = 80;
    if s.len() <= MAX {
        return s.to_owned();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}
