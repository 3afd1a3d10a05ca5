//! The music library's import: which files of a folder are audio, whether the library's
//! analysis of a file is still its own, and a file analysed into a library track. Shared by
//! `entrain music import` and the window's Music screen.

use std::path::{Path, PathBuf};

use entrain_music::{ANALYSIS_VERSION, AUDIO_EXTENSIONS, analyze, decode_file};
use entrain_store::{NewTrack, TrackRecord};

/// Why a file did not become a library track; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    /// The file or a folder could not be read.
    #[error("{path}: {what}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was being done.
        what: &'static str,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The file could not be decoded (the decoder's error names it).
    #[error(transparent)]
    Decode(#[from] entrain_music::DecodeError),
    /// The file decoded, but no beat was found in it.
    #[error("{}: no beat found (silent, or no steady pulse): not imported", path.display())]
    NoBeat {
        /// The file.
        path: PathBuf,
    },
}

/// The audio files under `dir` (subfolders included, hidden entries skipped), sorted.
pub fn audio_files(dir: &Path) -> Result<Vec<PathBuf>, LibraryError> {
    fn listing(path: &Path) -> impl FnOnce(std::io::Error) -> LibraryError + '_ {
        move |source| LibraryError::Io {
            path: path.to_path_buf(),
            what: "cannot list the folder",
            source,
        }
    }
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).map_err(listing(&folder))? {
            let entry = entry.map_err(listing(&folder))?;
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if is_audio(&path) {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Whether `path` names a format the decoder reads, by its extension.
pub fn is_audio(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| AUDIO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// The key a file is kept under in the music library: its absolute path.
pub fn library_key(file: &Path) -> std::io::Result<String> {
    std::path::absolute(file).map(|p| p.display().to_string())
}

/// A file as the library knows it: its key (the absolute path), size and modification time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStamp {
    /// The library's key: the absolute path.
    pub key: String,
    /// Its size, bytes.
    pub bytes: i64,
    /// Its modification time, Unix ms.
    pub mtime_unix_ms: i64,
}

impl FileStamp {
    /// `file`'s stamp now.
    pub fn of(file: &Path) -> Result<Self, LibraryError> {
        let io = |what| {
            move |source| LibraryError::Io {
                path: file.to_path_buf(),
                what,
                source,
            }
        };
        let key = library_key(file).map_err(io("cannot make the path absolute"))?;
        let meta = std::fs::metadata(file).map_err(io("cannot read"))?;
        Ok(FileStamp {
            key,
            bytes: i64::try_from(meta.len()).unwrap_or(i64::MAX),
            mtime_unix_ms: meta
                .modified()
                .ok()
                .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        })
    }

    /// Whether the library's `known` analysis is of the file as it is now, by this analysis.
    pub fn is_analysed_in(&self, known: &TrackRecord) -> bool {
        known.track.path == self.key
            && known.track.file_bytes == self.bytes
            && known.track.file_mtime_unix_ms == self.mtime_unix_ms
            && known.track.analysis_version == ANALYSIS_VERSION
    }
}

/// `file` decoded and analysed into a library track (its title: the file's name).
pub fn analyse_for_library(file: &Path, stamp: FileStamp) -> Result<NewTrack, LibraryError> {
    let pcm = decode_file(file)?;
    let analysis = analyze(&pcm);
    if analysis.beats_secs.len() < 2 {
        return Err(LibraryError::NoBeat {
            path: file.to_path_buf(),
        });
    }
    let title = file
        .file_stem()
        .map_or_else(|| stamp.key.clone(), |s| s.to_string_lossy().into_owned());
    Ok(NewTrack {
        path: stamp.key,
        title,
        file_bytes: stamp.bytes,
        file_mtime_unix_ms: stamp.mtime_unix_ms,
        duration_secs: analysis.duration_secs,
        tempo_bpm: analysis.tempo_bpm,
        beats_per_bar: u32::from(analysis.beats_per_bar),
        alternative_bpm: analysis.tempo_ambiguous,
        beats_secs: analysis.beats_secs,
        downbeats_secs: analysis.downbeats_secs,
        analysis_version: ANALYSIS_VERSION,
    })
}
