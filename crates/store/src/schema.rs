//! The schema and its migrations. `PRAGMA application_id` marks the file as Entrain's;
//! `PRAGMA user_version` is the schema version. Migration `n` takes version `n` to `n + 1`; each
//! runs in one transaction together with the version bump. docs/SCHEMA.md describes every table.

/// `PRAGMA application_id` of an Entrain database: "ENTR" in ASCII.
pub const APPLICATION_ID: i64 = 0x454E_5452;

/// The schema version this code writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Migration `i` takes the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7];

const V1: &str = r#"
CREATE TABLE patients (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 64),
    year_of_birth   INTEGER CHECK (year_of_birth IS NULL OR year_of_birth BETWEEN 1900 AND 2100),
    affected_side   TEXT CHECK (affected_side IS NULL OR affected_side IN ('left', 'right', 'both', 'none')),
    diagnosis_date  TEXT,
    notes           TEXT NOT NULL DEFAULT '',
    created_unix_ms INTEGER NOT NULL
);

CREATE TABLE sensors (
    id         INTEGER PRIMARY KEY,
    sensor_key TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL
);

CREATE TABLE sensor_assignments (
    patient_id       INTEGER NOT NULL REFERENCES patients(id),
    placement        TEXT NOT NULL CHECK (placement IN ('foot_left', 'foot_right', 'lower_back')),
    sensor_id        INTEGER NOT NULL REFERENCES sensors(id),
    assigned_unix_ms INTEGER NOT NULL,
    PRIMARY KEY (patient_id, placement)
);

CREATE TABLE sessions (
    id                INTEGER PRIMARY KEY,
    patient_id        INTEGER REFERENCES patients(id),
    source            TEXT NOT NULL,
    protocol          TEXT NOT NULL,
    settings_json     TEXT NOT NULL,
    started_unix_ms   INTEGER NOT NULL,
    ended_unix_ms     INTEGER,
    last_nanos        INTEGER NOT NULL DEFAULT 0,
    status            TEXT NOT NULL CHECK (status IN ('running', 'completed', 'stopped', 'interrupted', 'failed')),
    end_reason        TEXT,
    pid               INTEGER,
    heartbeat_unix_ms INTEGER
);
CREATE INDEX sessions_patient ON sessions(patient_id);
CREATE INDEX sessions_status ON sessions(status);

CREATE TABLE session_sensors (
    session_id     INTEGER NOT NULL REFERENCES sessions(id),
    placement      TEXT NOT NULL,
    sensor_key     TEXT NOT NULL,
    name           TEXT NOT NULL,
    sample_rate_hz REAL NOT NULL,
    PRIMARY KEY (session_id, placement)
);

CREATE TABLE phases (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    seq        INTEGER NOT NULL,
    phase      TEXT NOT NULL,
    start_nanos INTEGER NOT NULL,
    end_nanos  INTEGER,
    reason     TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
);

CREATE TABLE steps (
    session_id        INTEGER NOT NULL REFERENCES sessions(id),
    time_nanos        INTEGER NOT NULL,
    side              TEXT NOT NULL CHECK (side IN ('left', 'right')),
    detected_at_nanos INTEGER NOT NULL,
    phase             TEXT NOT NULL
);
CREATE INDEX steps_session ON steps(session_id, time_nanos);

CREATE TABLE beats (
    session_id      INTEGER NOT NULL REFERENCES sessions(id),
    scheduled_nanos INTEGER NOT NULL,
    played_nanos    INTEGER,
    tempo_spm       REAL NOT NULL,
    target_spm      REAL NOT NULL,
    volume          REAL NOT NULL,
    phase           TEXT NOT NULL
);
CREATE INDEX beats_session ON beats(session_id, scheduled_nanos);

CREATE TABLE tempo_changes (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    time_nanos INTEGER NOT NULL,
    phase      TEXT NOT NULL,
    from_spm   REAL,
    to_spm     REAL NOT NULL,
    reason     TEXT NOT NULL
);
CREATE INDEX tempo_changes_session ON tempo_changes(session_id, time_nanos);

CREATE TABLE events (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    time_nanos INTEGER NOT NULL,
    phase      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    detail     TEXT NOT NULL
);
CREATE INDEX events_session ON events(session_id, time_nanos);

CREATE TABLE raw_batches (
    session_id  INTEGER NOT NULL REFERENCES sessions(id),
    placement   TEXT NOT NULL CHECK (placement IN ('foot_left', 'foot_right', 'lower_back')),
    first_nanos INTEGER NOT NULL,
    last_nanos  INTEGER NOT NULL,
    n_samples   INTEGER NOT NULL,
    data        BLOB NOT NULL
);
CREATE INDEX raw_batches_session ON raw_batches(session_id, placement, first_nanos);

CREATE TABLE clinical_tests (
    id                INTEGER PRIMARY KEY,
    patient_id        INTEGER NOT NULL REFERENCES patients(id),
    session_id        INTEGER REFERENCES sessions(id),
    test              TEXT NOT NULL CHECK (test IN ('10mwt', '6mwt', 'tug', 'fac')),
    performed_unix_ms INTEGER NOT NULL,
    value             REAL NOT NULL,
    unit              TEXT NOT NULL,
    notes             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX clinical_tests_patient ON clinical_tests(patient_id);
"#;

/// The music library: each imported track's file, its analysis (tempo, beats, bar) computed
/// once at import, and the therapist's confirmation of an ambiguous tempo (`music.rs`).
const V5: &str = r#"
CREATE TABLE music_tracks (
    id                 INTEGER PRIMARY KEY,
    path               TEXT NOT NULL UNIQUE,
    title              TEXT NOT NULL,
    file_bytes         INTEGER NOT NULL CHECK (file_bytes >= 0),
    file_mtime_unix_ms INTEGER NOT NULL,
    duration_secs      REAL NOT NULL CHECK (duration_secs > 0),
    tempo_bpm          REAL NOT NULL CHECK (tempo_bpm > 0),
    beats_per_bar      INTEGER NOT NULL CHECK (beats_per_bar BETWEEN 1 AND 12),
    alternative_bpm    REAL CHECK (alternative_bpm IS NULL OR alternative_bpm > 0),
    confirmed_bpm      REAL CHECK (confirmed_bpm IS NULL OR confirmed_bpm > 0),
    beats_json         TEXT NOT NULL,
    downbeats_json     TEXT NOT NULL,
    analysis_version   INTEGER NOT NULL,
    imported_unix_ms   INTEGER NOT NULL
);
"#;

/// Each stretch of music played in a session: the track, its own tempo, the cue tempo range
/// played over it and the stretch, the overlay (`model::MusicSegmentRow`).
const V6: &str = r#"
CREATE TABLE music_segments (
    session_id      INTEGER NOT NULL REFERENCES sessions(id),
    start_nanos     INTEGER NOT NULL,
    end_nanos       INTEGER NOT NULL CHECK (end_nanos >= start_nanos),
    track           TEXT NOT NULL,
    title           TEXT NOT NULL,
    track_tempo_bpm REAL NOT NULL CHECK (track_tempo_bpm > 0),
    played_min_bpm  REAL NOT NULL,
    played_max_bpm  REAL NOT NULL CHECK (played_max_bpm >= played_min_bpm),
    stretch_min     REAL NOT NULL,
    stretch_max     REAL NOT NULL,
    overlay         TEXT NOT NULL CHECK (overlay IN ('music', 'music+click', 'click')),
    click_level     REAL NOT NULL CHECK (click_level BETWEEN 0 AND 1)
);
CREATE INDEX music_segments_session ON music_segments(session_id, start_nanos);
"#;

/// Each patient's opinion of tracks (liked, disliked; neutral is no row) and the playlists, a
/// patient's own or shared (`patient_id` null), each an ordered list of track keys (a built-in's
/// name or a library file's path), a track at most once (`music_prefs.rs`).
const V7: &str = r#"
CREATE TABLE music_preferences (
    patient_id  INTEGER NOT NULL REFERENCES patients(id),
    track       TEXT NOT NULL CHECK (length(track) > 0),
    preference  TEXT NOT NULL CHECK (preference IN ('liked', 'disliked')),
    set_unix_ms INTEGER NOT NULL,
    PRIMARY KEY (patient_id, track)
);

CREATE TABLE playlists (
    id              INTEGER PRIMARY KEY,
    patient_id      INTEGER REFERENCES patients(id),
    name            TEXT NOT NULL CHECK (length(name) > 0),
    created_unix_ms INTEGER NOT NULL
);
CREATE UNIQUE INDEX playlists_name ON playlists(ifnull(patient_id, -1), name COLLATE NOCASE);

CREATE TABLE playlist_tracks (
    playlist_id INTEGER NOT NULL REFERENCES playlists(id),
    position    INTEGER NOT NULL CHECK (position >= 0),
    track       TEXT NOT NULL CHECK (length(track) > 0),
    PRIMARY KEY (playlist_id, position),
    UNIQUE (playlist_id, track)
);
"#;

/// A running session's lease: the host, its boot and the recording process's start time, beside
/// the pid (`lease.rs`).
const V4: &str = r#"
ALTER TABLE sessions ADD COLUMN lease_host TEXT;
ALTER TABLE sessions ADD COLUMN lease_boot_id TEXT;
ALTER TABLE sessions ADD COLUMN lease_process_start_ticks INTEGER;
"#;

/// A session whose data did not all reach the record says what is missing (null: complete).
const V3: &str = r#"
ALTER TABLE sessions ADD COLUMN missing TEXT;
"#;

/// Patient codes compare without case (ASCII, SQLite's `NOCASE`): "p-001" is "P-001". Triggers,
/// not a unique index, refuse a new clash, so a record that already holds two such codes still
/// opens (both stay, each found by its exact spelling; see `Store::patient_by_code`).
const V2: &str = r#"
CREATE INDEX patients_code_nocase ON patients(code COLLATE NOCASE);

CREATE TRIGGER patients_code_nocase_insert BEFORE INSERT ON patients
WHEN EXISTS (SELECT 1 FROM patients WHERE code = NEW.code COLLATE NOCASE)
BEGIN
    SELECT RAISE(ABORT, 'patient code already used (codes compare without case)');
END;

CREATE TRIGGER patients_code_nocase_update BEFORE UPDATE OF code ON patients
WHEN NEW.code IS NOT OLD.code
    AND EXISTS (SELECT 1 FROM patients WHERE code = NEW.code COLLATE NOCASE AND id <> NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'patient code already used (codes compare without case)');
END;
"#;
