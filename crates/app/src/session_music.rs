//! `entrain session --music TRACK|playlist:NAME|patient`: the track the session starts with and
//! the candidates it may switch to (`entrain_engine::music_resolve`), for the runtime.

use std::path::Path;

use anyhow::Result;
use entrain_cue::Phase;
use entrain_cue::config::ProtocolConfig;
use entrain_engine::music::{LoadedMusic, MUSIC_RATE_HZ, MusicLoadError, load_track};
use entrain_engine::music_choice::MusicCandidate;
use entrain_engine::music_resolve::{MusicSpec, resolve_music};
use entrain_engine::runtime::SessionMusic;
use entrain_store::Store;

/// How many of the patient's latest sessions are searched for a baseline cadence.
const BASELINE_LOOKBACK_SESSIONS: usize = 5;

/// What the session's music is asked for.
pub struct MusicRequest<'a> {
    /// `--music` as given.
    pub given: &'a str,
    /// Music, music and click, or click.
    pub overlay: entrain_audio::Overlay,
    /// The record (its library, playlists and preferences).
    pub db: &'a Path,
    /// The session's patient.
    pub patient_id: Option<i64>,
    /// The protocol (a clinician's matched tempo is the target).
    pub protocol: &'a ProtocolConfig,
    /// How long a built-in is looped to, s.
    pub min_secs: f64,
}

/// The music for the runtime: the first track loaded (or why not: the session is then cued by
/// clicks) and the candidates. A playlist or `patient` that names nothing playable is an error
/// before the session starts; a single track that fails falls back to clicks, as before.
pub fn session_music(req: &MusicRequest<'_>) -> Result<SessionMusic> {
    let spec: MusicSpec = req.given.parse()?;
    let library = match Store::open(req.db) {
        Ok(s) => Some(s),
        Err(e) => {
            if !matches!(spec, MusicSpec::Track(_)) {
                anyhow::bail!(
                    "--music {}: the playlists and preferences in {} cannot be read: {e}",
                    req.given,
                    req.db.display()
                );
            }
            eprintln!(
                "--music {}: the music library in {} cannot be read ({e}); the file is analysed now",
                req.given,
                req.db.display()
            );
            None
        }
    };
    let resolved = match (&library, &spec) {
        (Some(store), MusicSpec::Playlist(_) | MusicSpec::Patient) => {
            let target = target_bpm(store, req.patient_id, req.protocol);
            resolve_music(store, &spec, req.patient_id, target)?.map(|r| (r, target))
        }
        _ => None,
    };
    let Some((resolved, target)) = resolved else {
        let track = load(
            library.as_ref(),
            req.given,
            req.min_secs,
            "the session is cued by clicks",
        );
        return Ok(SessionMusic {
            track,
            overlay: req.overlay,
            candidates: Vec::new(),
        });
    };
    for note in &resolved.skipped {
        eprintln!("--music {}: left out: {note}", req.given);
    }
    match target {
        Some(t) => eprintln!(
            "--music {}: {} tracks; the first chosen for {t:.1} steps/min",
            req.given,
            resolved.candidates.len() + 1
        ),
        None => eprintln!(
            "--music {}: {} tracks; no baseline on record yet, so the list's first",
            req.given,
            resolved.candidates.len() + 1
        ),
    }
    // A track that fails to load is said and the next is tried; none: clicks.
    let mut order: Vec<MusicCandidate> = std::iter::once(resolved.first)
        .chain(resolved.candidates)
        .collect();
    let mut first_error = None;
    for i in 0..order.len() {
        let then = if i + 1 < order.len() {
            "the next track is tried"
        } else {
            "the session is cued by clicks"
        };
        match load(library.as_ref(), &order[i].name, req.min_secs, then) {
            Ok(m) => {
                // The ones that failed stay out; the rest keep their order.
                return Ok(SessionMusic {
                    track: Ok(m),
                    overlay: req.overlay,
                    candidates: order.split_off(i + 1),
                });
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    let track = Err(first_error.unwrap_or_else(|| MusicLoadError {
        track: req.given.to_string(),
        detail: "no track could be loaded".into(),
    }));
    Ok(SessionMusic {
        track,
        overlay: req.overlay,
        candidates: Vec::new(),
    })
}

/// `name` loaded, said on standard error either way (`then`: what happens when it fails).
fn load(
    library: Option<&Store>,
    name: &str,
    min_secs: f64,
    then: &str,
) -> Result<LoadedMusic, MusicLoadError> {
    let track = load_track(library, name, MUSIC_RATE_HZ, min_secs);
    match &track {
        Ok(m) => eprintln!(
            "--music: {} ({}), its own tempo {:.1} bpm",
            m.title, m.label, m.tempo_bpm
        ),
        Err(e) => eprintln!("--music: {e}: {then}"),
    }
    track
}

/// The tempo the first track is chosen for: the clinician's matched tempo, else the patient's
/// last baseline cadence on record (with the protocol's matched offset), else none.
fn target_bpm(store: &Store, patient_id: Option<i64>, protocol: &ProtocolConfig) -> Option<f64> {
    if let Some(t) = protocol.matched_tempo_spm {
        return Some(t);
    }
    let baseline = last_baseline_cadence_spm(store, patient_id?)?;
    Some(baseline + protocol.matched_offset_spm)
}

/// The cadence of the patient's latest baseline with gait measures, among their last few
/// sessions.
fn last_baseline_cadence_spm(store: &Store, patient_id: i64) -> Option<f64> {
    let sessions = match store.sessions(Some(patient_id)) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!("reading the patient's sessions for a baseline cadence: {e}");
            return None;
        }
    };
    sessions
        .iter()
        .rev()
        .take(BASELINE_LOOKBACK_SESSIONS)
        .find_map(|s| match entrain_analysis::analyse_session(store, s.id) {
            Ok(a) => a
                .phase(Phase::Baseline)
                .and_then(|p| p.metrics.as_ref())
                .map(|m| m.cadence_spm),
            Err(e) => {
                tracing::warn!(session = s.id, "analysing for a baseline cadence: {e}");
                None
            }
        })
}
