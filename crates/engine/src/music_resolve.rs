//! `--music` (and the window's choice) turned into the tracks a session may play: one track by
//! name, a playlist (`playlist:NAME`: the patient's own of that name, else a shared one), or the
//! patient's music (`patient`: every built-in and library track, the liked ones first, the
//! disliked ones left out). The first track is the one closest to the target tempo by the
//! chooser's rule ([`crate::music_choice`]); the others follow as candidates in their list's order
//! (a playlist's), which the chooser keeps among equals.

use std::str::FromStr;

use entrain_music::builtin;
use entrain_store::{MusicPreference, MusicPreferenceRecord, Store, StoreError, TrackRecord};

use crate::music_choice::{DEFAULT_MAX_STRETCH_PERCENT, MusicCandidate, choose_track_index};

/// What `--music` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MusicSpec {
    /// One track: a built-in's name or an audio file (`./patient` for a file of that name).
    Track(String),
    /// `playlist:NAME`.
    Playlist(String),
    /// `patient`: the patient's music.
    Patient,
}

/// The prefix of a playlist in `--music`.
pub const PLAYLIST_PREFIX: &str = "playlist:";
/// `--music` for the patient's music.
pub const PATIENT_MUSIC: &str = "patient";

impl FromStr for MusicSpec {
    type Err = MusicResolveError;

    fn from_str(s: &str) -> Result<Self, MusicResolveError> {
        let s = s.trim();
        if let Some(name) = s.strip_prefix(PLAYLIST_PREFIX) {
            if name.trim().is_empty() {
                return Err(MusicResolveError::Spec {
                    given: s.to_string(),
                    detail: "a playlist's name after `playlist:`".into(),
                });
            }
            return Ok(MusicSpec::Playlist(name.trim().to_string()));
        }
        if s == PATIENT_MUSIC {
            return Ok(MusicSpec::Patient);
        }
        if s.is_empty() {
            return Err(MusicResolveError::Spec {
                given: s.to_string(),
                detail: format!(
                    "a track (built-in name or file), `{PLAYLIST_PREFIX}NAME` or `{PATIENT_MUSIC}`"
                ),
            });
        }
        Ok(MusicSpec::Track(s.to_string()))
    }
}

/// Why `--music` names nothing to play.
#[derive(Debug, thiserror::Error)]
pub enum MusicResolveError {
    /// Not a form `--music` takes.
    #[error("--music {given:?}: expected {detail}")]
    Spec {
        /// What was given.
        given: String,
        /// What is expected.
        detail: String,
    },
    /// `patient` without a patient.
    #[error("--music {PATIENT_MUSIC}: the patient's music needs a patient (give --patient CODE)")]
    NoPatient,
    /// No playlist of that name for the patient nor shared.
    #[error("--music {PLAYLIST_PREFIX}{name}: no such playlist ({where_looked}) in {db}")]
    NoPlaylist {
        /// The name given.
        name: String,
        /// Whose playlists were searched.
        where_looked: String,
        /// The record.
        db: String,
    },
    /// Nothing left to play (every track disliked, or not a track any more).
    #[error("--music {given}: nothing to play ({})", skipped.join("; "))]
    Nothing {
        /// What was given.
        given: String,
        /// Each track left out and why.
        skipped: Vec<String>,
    },
    /// The record could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The tracks a session plays: the first, loaded at the start, and the candidates the session
/// may switch to.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedMusic {
    /// The track to start with.
    pub first: MusicCandidate,
    /// The others, in their list's order.
    pub candidates: Vec<MusicCandidate>,
    /// Each track left out and why (disliked, not in the library any more), to say.
    pub skipped: Vec<String>,
}

/// A track key as a candidate: a built-in's, or a library track's (confirmed tempo); `None` for
/// a key that is neither.
pub fn candidate_of(
    key: &str,
    library: &[TrackRecord],
    preference: MusicPreference,
) -> Option<MusicCandidate> {
    if let Some(t) = builtin::by_name(key) {
        return Some(MusicCandidate {
            name: t.name.to_string(),
            title: t.title.to_string(),
            tempo_bpm: t.tempo_bpm,
            preference,
        });
    }
    library
        .iter()
        .find(|t| t.track.path == key)
        .map(|t| MusicCandidate {
            name: t.track.path.clone(),
            title: t.track.title.clone(),
            tempo_bpm: t.tempo_bpm(),
            preference,
        })
}

fn preference_in(prefs: &[MusicPreferenceRecord], key: &str) -> MusicPreference {
    prefs
        .iter()
        .find(|p| p.track == key)
        .map_or(MusicPreference::Neutral, |p| p.preference)
}

/// `keys` (a playlist's tracks, in order) as candidates with the patient's `prefs`: disliked
/// ones and keys that name no track are left out, each with why.
pub fn playlist_candidates(
    keys: &[String],
    library: &[TrackRecord],
    prefs: &[MusicPreferenceRecord],
) -> (Vec<MusicCandidate>, Vec<String>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for key in keys {
        let preference = preference_in(prefs, key);
        if preference == MusicPreference::Disliked {
            skipped.push(format!("{key}: the patient dislikes it"));
            continue;
        }
        match candidate_of(key, library, preference) {
            Some(c) => out.push(c),
            None => skipped.push(format!(
                "{key}: neither a built-in track nor in the music library (import it again)"
            )),
        }
    }
    (out, skipped)
}

/// The patient's music: the liked tracks (by track key), then every other built-in and library
/// track (built-ins first, then the library by title); disliked ones left out.
pub fn patient_candidates(
    library: &[TrackRecord],
    prefs: &[MusicPreferenceRecord],
) -> (Vec<MusicCandidate>, Vec<String>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for p in prefs
        .iter()
        .filter(|p| p.preference == MusicPreference::Liked)
    {
        match candidate_of(&p.track, library, MusicPreference::Liked) {
            Some(c) => out.push(c),
            None => skipped.push(format!(
                "{}: liked, but neither a built-in track nor in the music library (import it again)",
                p.track
            )),
        }
    }
    let others = builtin::tracks()
        .iter()
        .map(|t| t.name.to_string())
        .chain(library.iter().map(|t| t.track.path.clone()));
    let mut disliked = 0usize;
    for key in others {
        match preference_in(prefs, &key) {
            MusicPreference::Neutral => {
                out.extend(candidate_of(&key, library, MusicPreference::Neutral))
            }
            MusicPreference::Disliked => disliked += 1,
            MusicPreference::Liked => {} // listed above
        }
    }
    if disliked > 0 {
        skipped.push(format!("{disliked} track(s) the patient dislikes"));
    }
    (out, skipped)
}

/// Which of `candidates` starts the session at `target_bpm`: the chooser's choice within the
/// stretch window; when none fits, the one needing the least stretch (a session must start
/// with something; liked first among equals); without a target, the first of the list.
pub fn first_track(candidates: &[MusicCandidate], target_bpm: Option<f64>) -> Option<usize> {
    let playable = |c: &MusicCandidate| c.preference != MusicPreference::Disliked;
    let Some(target) = target_bpm.filter(|t| t.is_finite() && *t > 0.0) else {
        return candidates.iter().position(playable);
    };
    if let Some(i) = choose_track_index(candidates, target, DEFAULT_MAX_STRETCH_PERCENT, &[]) {
        return Some(i);
    }
    candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| playable(c))
        .filter_map(|(i, c)| Some((i, c.stretch_percent(target)?.abs(), c.preference)))
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.2.cmp(&b.2)))
        .map(|(i, ..)| i)
}

/// `candidates` with the first track chosen for `target_bpm` taken out in front.
pub fn resolved(
    given: &str,
    mut candidates: Vec<MusicCandidate>,
    skipped: Vec<String>,
    target_bpm: Option<f64>,
) -> Result<ResolvedMusic, MusicResolveError> {
    let Some(i) = first_track(&candidates, target_bpm) else {
        let mut skipped = skipped;
        if skipped.is_empty() {
            skipped.push("no tracks".into());
        }
        return Err(MusicResolveError::Nothing {
            given: given.to_string(),
            skipped,
        });
    };
    let first = candidates.remove(i);
    Ok(ResolvedMusic {
        first,
        candidates,
        skipped,
    })
}

/// A playlist or the patient's music from the record, the first track chosen for `target_bpm`
/// (the session's matched target when known, else the patient's last baseline cadence; `None`:
/// the list's first). A playlist is the patient's own of that name, else a shared one.
/// `MusicSpec::Track` is not resolved here (it is loaded as named): `Ok(None)`.
pub fn resolve_music(
    store: &Store,
    spec: &MusicSpec,
    patient_id: Option<i64>,
    target_bpm: Option<f64>,
) -> Result<Option<ResolvedMusic>, MusicResolveError> {
    let prefs = match patient_id {
        Some(p) => store.music_preferences(p)?,
        None => Vec::new(),
    };
    let library = store.tracks()?;
    let (given, (candidates, skipped)) = match spec {
        MusicSpec::Track(_) => return Ok(None),
        MusicSpec::Patient => {
            if patient_id.is_none() {
                return Err(MusicResolveError::NoPatient);
            }
            (
                PATIENT_MUSIC.to_string(),
                patient_candidates(&library, &prefs),
            )
        }
        MusicSpec::Playlist(name) => {
            let own = match patient_id {
                Some(p) => store.playlist_by_name(Some(p), name)?,
                None => None,
            };
            let list = match own {
                Some(l) => l,
                None => store.playlist_by_name(None, name)?.ok_or_else(|| {
                    MusicResolveError::NoPlaylist {
                        name: name.clone(),
                        where_looked: match patient_id {
                            Some(_) => "neither the patient's nor shared".into(),
                            None => "among the shared ones; a patient's needs --patient".into(),
                        },
                        db: store.path().display().to_string(),
                    }
                })?,
            };
            (
                format!("{PLAYLIST_PREFIX}{name}"),
                playlist_candidates(&list.tracks, &library, &prefs),
            )
        }
    };
    resolved(&given, candidates, skipped, target_bpm).map(Some)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use MusicPreference::*;

    fn c(name: &str, tempo_bpm: f64, preference: MusicPreference) -> MusicCandidate {
        MusicCandidate {
            name: name.into(),
            title: name.into(),
            tempo_bpm,
            preference,
        }
    }

    #[test]
    fn the_spec_forms() {
        assert_eq!(
            "playlist: Walks ".parse::<MusicSpec>().unwrap(),
            MusicSpec::Playlist("Walks".into())
        );
        assert_eq!("patient".parse::<MusicSpec>().unwrap(), MusicSpec::Patient);
        assert_eq!(
            "march-4-4".parse::<MusicSpec>().unwrap(),
            MusicSpec::Track("march-4-4".into())
        );
        assert_eq!(
            "./patient".parse::<MusicSpec>().unwrap(),
            MusicSpec::Track("./patient".into())
        );
        let e = "playlist:".parse::<MusicSpec>().unwrap_err().to_string();
        assert!(e.contains("a playlist's name"), "{e}");
        assert!("  ".parse::<MusicSpec>().is_err());
    }

    #[test]
    fn the_first_track_is_the_choosers_then_the_least_stretched_then_the_lists_first() {
        let cands = [
            c("neutral-exact", 100.0, Neutral),
            c("liked-near", 106.0, Liked),
            c("liked-far", 130.0, Liked),
        ];
        assert_eq!(
            first_track(&cands, Some(100.0)),
            Some(1),
            "liked within 10 %"
        );
        assert_eq!(
            first_track(&cands, Some(150.0)),
            Some(2),
            "nothing fits: the least stretched"
        );
        assert_eq!(first_track(&cands, None), Some(0));
        assert_eq!(first_track(&cands, Some(f64::NAN)), Some(0));
        let tie = [c("n", 110.0, Neutral), c("l", 90.0, Liked)];
        // At 100 from 110: −9.09 %; from 90: +11.1 %: the closer fits, liked or not.
        assert_eq!(first_track(&tie, Some(100.0)), Some(0));
        let disliked = [c("x", 100.0, Disliked), c("y", 140.0, Neutral)];
        assert_eq!(first_track(&disliked, Some(100.0)), Some(1));
        assert_eq!(first_track(&disliked, None), Some(1));
        assert_eq!(first_track(&[c("x", 100.0, Disliked)], None), None);
    }

    fn pref(track: &str, preference: MusicPreference) -> MusicPreferenceRecord {
        MusicPreferenceRecord {
            patient_id: 1,
            track: track.into(),
            preference,
            set_unix_ms: 0,
        }
    }

    #[test]
    fn a_playlist_keeps_its_order_leaves_out_the_disliked_and_the_unknown_and_says_why() {
        let keys: Vec<String> = ["waltz-3-4", "march-4-4", "/gone.flac"]
            .map(String::from)
            .to_vec();
        let prefs = [pref("march-4-4", Disliked)];
        let (cands, skipped) = playlist_candidates(&keys, &[], &prefs);
        assert_eq!(cands.len(), 1);
        assert_eq!(cands[0].name, "waltz-3-4");
        assert_eq!(
            cands[0].tempo_bpm,
            builtin::by_name("waltz-3-4").unwrap().tempo_bpm
        );
        assert_eq!(skipped.len(), 2);
        assert!(skipped[0].starts_with("march-4-4: the patient dislikes it"));
        assert!(skipped[1].starts_with("/gone.flac: neither a built-in"));
    }

    #[test]
    fn the_patients_music_is_liked_first_then_the_rest_never_the_disliked() {
        let names: Vec<&str> = builtin::tracks().iter().map(|t| t.name).collect();
        assert!(names.len() >= 2, "{names:?}");
        let prefs = [pref(names[1], Liked), pref(names[0], Disliked)];
        let (cands, skipped) = patient_candidates(&[], &prefs);
        assert_eq!(skipped, vec!["1 track(s) the patient dislikes".to_string()]);
        assert_eq!(cands[0].name, names[1]);
        assert_eq!(cands[0].preference, Liked);
        assert!(cands.iter().all(|c| c.name != names[0]));
        assert_eq!(cands.len(), names.len() - 1);
        assert!(cands[1..].iter().all(|c| c.preference == Neutral));
    }

    #[test]
    fn nothing_left_is_an_error_that_says_why() {
        let e = resolved(
            "playlist:x",
            Vec::new(),
            vec!["a: gone".into()],
            Some(100.0),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(e, "--music playlist:x: nothing to play (a: gone)");
        let r = resolved(
            "patient",
            vec![c("a", 90.0, Neutral), c("b", 100.0, Neutral)],
            Vec::new(),
            Some(101.0),
        )
        .unwrap();
        assert_eq!(r.first.name, "b");
        assert_eq!(r.candidates, vec![c("a", 90.0, Neutral)]);
    }
}

#[cfg(test)]
mod store_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use entrain_store::NewPatient;

    #[test]
    fn a_playlist_is_the_patients_own_first_else_a_shared_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("e.db")).unwrap();
        let ann = store
            .add_patient(&NewPatient {
                code: "ANN".into(),
                ..NewPatient::default()
            })
            .unwrap()
            .id;
        let names: Vec<&str> = builtin::tracks().iter().map(|t| t.name).collect();
        let shared = store.create_playlist(None, "Walks").unwrap();
        store.add_playlist_track(shared.id, names[0]).unwrap();
        let own = store.create_playlist(Some(ann), "walks").unwrap();
        store.add_playlist_track(own.id, names[1]).unwrap();
        let spec: MusicSpec = "playlist:WALKS".parse().unwrap();
        let mine = resolve_music(&store, &spec, Some(ann), None)
            .unwrap()
            .unwrap();
        assert_eq!(
            (mine.first.name.as_str(), mine.candidates.len()),
            (names[1], 0)
        );
        let anyone = resolve_music(&store, &spec, None, None).unwrap().unwrap();
        assert_eq!(anyone.first.name, names[0]);

        let e = resolve_music(&store, &"playlist:Runs".parse().unwrap(), Some(ann), None)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(
                "--music playlist:Runs: no such playlist (neither the patient's nor shared) in "
            ),
            "{e}"
        );
        let e = resolve_music(&store, &MusicSpec::Patient, None, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("give --patient CODE"), "{e}");
        assert_eq!(
            resolve_music(&store, &MusicSpec::Track("x".into()), None, None).unwrap(),
            None
        );

        // Every track disliked: nothing to play, each named.
        for n in &names {
            store
                .set_music_preference(ann, n, MusicPreference::Disliked)
                .unwrap();
        }
        let e = resolve_music(&store, &MusicSpec::Patient, Some(ann), Some(100.0))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            format!(
                "--music patient: nothing to play ({} track(s) the patient dislikes)",
                names.len()
            )
        );
        let e = resolve_music(&store, &spec, Some(ann), None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("the patient dislikes it"), "{e}");
    }
}
