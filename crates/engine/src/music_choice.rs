//! Which track plays next: pure, from the candidates' own tempi, the patient's opinion of each and
//! what was played already. No IO, no clock: the runtime asks at matched cue and in progression,
//! the CLI and the window when a session starts.
//!
//! The rule, in order:
//! 1. Only a track whose own tempo is within the stretch window of the target fits: played at the
//!    target it is stretched by at most [`DEFAULT_MAX_STRETCH_PERCENT`] (a stretch beyond that is
//!    heard as music that is too fast or too slow, and the beat is what must stay on the target).
//! 2. Never a track the patient dislikes, not even when nothing else fits: playing music a patient
//!    dislikes works against the motivation music is there for, and a session can always go on
//!    with the track it has or with clicks. Only a therapist's explicit `--music TRACK` plays one.
//! 3. Liked before neutral: the patient's own music matters for motivation.
//! 4. Among those, the least played first (a track not played yet before one played already),
//!    so the session does not loop on one song.
//! 5. Then the closest own tempo (the smallest stretch), then the candidates' order (a playlist's).
//!
//! [`choose_track`] returns `None` when nothing fits. The session then keeps the track it is
//! playing, stretched to the target (the live screen shows the stretch), and falls back to clicks
//! only when no track can be played at all: never to a disliked track.

pub use entrain_store::MusicPreference;

/// The widest stretch a track is chosen for, ± % of its own tempo (BeatWalk-like music cueing
/// keeps the music within about ±10 % of its recorded tempo).
pub const DEFAULT_MAX_STRETCH_PERCENT: f64 = 10.0;

/// A window edge computed in floating point (110 / 100 − 1 is 0.100000…009) still fits.
const EDGE_TOLERANCE_PERCENT: f64 = 1e-9;

/// A track the chooser may pick.
#[derive(Debug, Clone, PartialEq)]
pub struct MusicCandidate {
    /// As [`crate::music::load_track`] takes it: a built-in track's name or a file's absolute
    /// path (its library key).
    pub name: String,
    /// What the therapist sees.
    pub title: String,
    /// Its own tempo, beats/min (the therapist's confirmed tempo for an imported file).
    pub tempo_bpm: f64,
    /// The patient's opinion of it.
    pub preference: MusicPreference,
}

impl MusicCandidate {
    /// How far it is stretched when played at `target_bpm`: played / own − 1, % (positive:
    /// faster than recorded); `None` for a tempo that is not a positive number.
    pub fn stretch_percent(&self, target_bpm: f64) -> Option<f64> {
        stretch_percent(self.tempo_bpm, target_bpm)
    }
}

/// Played / own − 1, %, for positive finite tempi.
pub fn stretch_percent(own_bpm: f64, target_bpm: f64) -> Option<f64> {
    let valid = |t: f64| t.is_finite() && t > 0.0;
    (valid(own_bpm) && valid(target_bpm)).then(|| (target_bpm / own_bpm - 1.0) * 100.0)
}

/// Whether a track of own tempo `own_bpm` played at `target_bpm` is stretched by at most
/// `max_stretch_percent` (either way).
pub fn fits(own_bpm: f64, target_bpm: f64, max_stretch_percent: f64) -> bool {
    max_stretch_percent.is_finite()
        && max_stretch_percent >= 0.0
        && stretch_percent(own_bpm, target_bpm)
            .is_some_and(|s| s.abs() <= max_stretch_percent + EDGE_TOLERANCE_PERCENT)
}

/// The fitting candidates for `target_bpm`, best first (the rule in the module's notes); their
/// indices into `candidates`. Disliked tracks and tracks outside the window are left out.
pub fn rank_tracks(
    candidates: &[MusicCandidate],
    target_bpm: f64,
    max_stretch_percent: f64,
    already_played: &[&str],
) -> Vec<usize> {
    let plays = |name: &str| already_played.iter().filter(|p| **p == name).count();
    let mut ranked: Vec<(usize, u8, usize, f64)> = candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.preference != MusicPreference::Disliked)
        .filter(|(_, c)| fits(c.tempo_bpm, target_bpm, max_stretch_percent))
        .filter_map(|(i, c)| {
            let stretch = c.stretch_percent(target_bpm)?.abs();
            let liked_first = u8::from(c.preference != MusicPreference::Liked);
            Some((i, liked_first, plays(&c.name), stretch))
        })
        .collect();
    // A stable sort: equal keys keep the candidates' order.
    ranked.sort_by(|a, b| {
        (a.1, a.2)
            .cmp(&(b.1, b.2))
            .then_with(|| a.3.total_cmp(&b.3))
    });
    ranked.into_iter().map(|(i, ..)| i).collect()
}

/// The index of the track to play next at `target_bpm`, or `None` when no candidate fits
/// (see the module's notes for what the session does then).
pub fn choose_track_index(
    candidates: &[MusicCandidate],
    target_bpm: f64,
    max_stretch_percent: f64,
    already_played: &[&str],
) -> Option<usize> {
    rank_tracks(candidates, target_bpm, max_stretch_percent, already_played)
        .first()
        .copied()
}

/// The track to play next at `target_bpm`, or `None` when no candidate fits.
pub fn choose_track<'a>(
    candidates: &'a [MusicCandidate],
    target_bpm: f64,
    max_stretch_percent: f64,
    already_played: &[&str],
) -> Option<&'a MusicCandidate> {
    choose_track_index(candidates, target_bpm, max_stretch_percent, already_played)
        .map(|i| &candidates[i])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use MusicPreference::*;
    use proptest::prelude::*;

    fn c(name: &str, tempo_bpm: f64, preference: MusicPreference) -> MusicCandidate {
        MusicCandidate {
            name: name.into(),
            title: name.to_uppercase(),
            tempo_bpm,
            preference,
        }
    }

    fn pick(cands: &[MusicCandidate], target: f64, played: &[&str]) -> Option<String> {
        choose_track(cands, target, DEFAULT_MAX_STRETCH_PERCENT, played).map(|c| c.name.clone())
    }

    #[test]
    fn the_window_is_ten_percent_either_way_edges_included() {
        assert!(fits(100.0, 110.0, 10.0));
        assert!(fits(100.0, 90.0, 10.0));
        assert!(!fits(100.0, 110.1, 10.0));
        assert!(!fits(100.0, 89.9, 10.0));
        assert!(fits(100.0, 100.0, 0.0));
        assert!(!fits(100.0, 100.5, 0.0));
        for bad in [f64::NAN, f64::INFINITY, 0.0, -100.0] {
            assert!(!fits(bad, 100.0, 10.0), "own {bad}");
            assert!(!fits(100.0, bad, 10.0), "target {bad}");
        }
        assert!(!fits(100.0, 100.0, -1.0));
        assert!(!fits(100.0, 100.0, f64::NAN));
        assert_eq!(stretch_percent(100.0, 105.0), Some(5.000000000000004));
        assert_eq!(stretch_percent(0.0, 105.0), None);
    }

    #[test]
    fn liked_comes_before_neutral_even_when_further_from_the_target() {
        let cands = [
            c("neutral-exact", 100.0, Neutral),
            c("liked-far", 108.0, Liked),
        ];
        assert_eq!(pick(&cands, 100.0, &[]).as_deref(), Some("liked-far"));
    }

    #[test]
    fn a_disliked_track_is_never_chosen_not_even_alone_and_exact() {
        let cands = [c("hated", 100.0, Disliked)];
        assert_eq!(pick(&cands, 100.0, &[]), None);
        let cands = [c("hated", 100.0, Disliked), c("ok", 109.0, Neutral)];
        assert_eq!(pick(&cands, 100.0, &[]).as_deref(), Some("ok"));
    }

    #[test]
    fn among_equals_the_closest_own_tempo_then_the_candidates_order() {
        let cands = [
            c("a", 95.0, Liked),
            c("b", 102.0, Liked),
            c("c", 98.0, Liked),
        ];
        // Stretches at 100: a +5.26 %, b −1.96 %, c +2.04 %: b is the closest.
        assert_eq!(pick(&cands, 100.0, &[]).as_deref(), Some("b"));
        let tie = [c("first", 100.0, Neutral), c("second", 100.0, Neutral)];
        assert_eq!(pick(&tie, 100.0, &[]).as_deref(), Some("first"));
        assert_eq!(
            rank_tracks(&cands, 100.0, DEFAULT_MAX_STRETCH_PERCENT, &[]),
            vec![1, 2, 0]
        );
    }

    #[test]
    fn a_track_not_played_yet_comes_before_one_played_the_least_played_first() {
        let cands = [
            c("close", 100.0, Liked),
            c("far", 108.0, Liked),
            c("neutral", 100.0, Neutral),
        ];
        assert_eq!(pick(&cands, 100.0, &["close"]).as_deref(), Some("far"));
        assert_eq!(
            pick(&cands, 100.0, &["close", "far", "close"]).as_deref(),
            Some("far"),
            "both played: the one played less"
        );
        assert_eq!(
            pick(&cands, 100.0, &["close", "far"]).as_deref(),
            Some("close"),
            "both played once: the closer; a liked repeat still before a neutral"
        );
    }

    #[test]
    fn nothing_fits_is_none_and_bad_targets_choose_nothing() {
        let cands = [c("slow", 80.0, Liked), c("fast", 130.0, Neutral)];
        assert_eq!(pick(&cands, 100.0, &[]), None);
        assert_eq!(pick(&[], 100.0, &[]), None);
        for bad in [f64::NAN, 0.0, -5.0, f64::INFINITY] {
            assert_eq!(pick(&[c("x", 100.0, Liked)], bad, &[]), None, "{bad}");
        }
        let broken = [c("nan", f64::NAN, Liked), c("zero", 0.0, Liked)];
        assert_eq!(pick(&broken, 100.0, &[]), None);
        // A wider window, given explicitly, reaches the slow one.
        let wide = choose_track(&cands, 100.0, 25.0, &[]).unwrap();
        assert_eq!(wide.name, "slow");
        assert_eq!(choose_track_index(&cands, 100.0, 25.0, &[]), Some(0));
    }

    fn preference() -> impl Strategy<Value = MusicPreference> {
        prop_oneof![Just(Liked), Just(Neutral), Just(Disliked)]
    }

    proptest! {
        #[test]
        fn the_choice_is_within_the_window_never_disliked_and_the_best_there_is(
            tracks in prop::collection::vec((40.0f64..200.0, preference(), any::<bool>()), 0..12),
            target in 40.0f64..200.0,
            max in 0.0f64..30.0,
        ) {
            let cands: Vec<MusicCandidate> = tracks
                .iter()
                .enumerate()
                .map(|(i, (t, p, _))| c(&format!("t{i}"), *t, *p))
                .collect();
            let played: Vec<&str> = cands
                .iter()
                .zip(&tracks)
                .filter(|(_, (_, _, p))| *p)
                .map(|(c, _)| c.name.as_str())
                .collect();
            let fitting: Vec<&MusicCandidate> = cands
                .iter()
                .filter(|c| c.preference != Disliked)
                .filter(|c| ((target / c.tempo_bpm - 1.0) * 100.0).abs() <= max + 1e-9)
                .collect();
            match choose_track(&cands, target, max, &played) {
                None => prop_assert!(fitting.is_empty()),
                Some(chosen) => {
                    prop_assert_ne!(chosen.preference, Disliked);
                    let stretch = (target / chosen.tempo_bpm - 1.0) * 100.0;
                    prop_assert!(stretch.abs() <= max + 1e-9, "stretch {stretch} > {max}");
                    if fitting.iter().any(|c| c.preference == Liked) {
                        prop_assert_eq!(chosen.preference, Liked);
                    }
                    let same: Vec<&&MusicCandidate> =
                        fitting.iter().filter(|c| c.preference == chosen.preference).collect();
                    if same.iter().any(|c| !played.contains(&c.name.as_str())) {
                        prop_assert!(!played.contains(&chosen.name.as_str()));
                    }
                }
            }
        }
    }
}
