//! What each patient thinks of the music: liked, disliked (neutral is no row), and the
//! therapist's playlists. The chooser (`entrain_engine::music_choice`) reads both.

use std::str::FromStr;

use entrain_gait::UnknownName;
use serde::{Deserialize, Serialize};

/// A patient's opinion of a track. Neutral is the default: no stored row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MusicPreference {
    /// The patient likes it: chosen first.
    Liked,
    /// No opinion recorded.
    Neutral,
    /// The patient dislikes it: never chosen automatically.
    Disliked,
}

impl MusicPreference {
    /// The stored and typed name: `liked`, `neutral`, `disliked`.
    pub fn as_str(self) -> &'static str {
        match self {
            MusicPreference::Liked => "liked",
            MusicPreference::Neutral => "neutral",
            MusicPreference::Disliked => "disliked",
        }
    }
}

impl std::fmt::Display for MusicPreference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MusicPreference {
    type Err = UnknownName;

    /// A stored or typed name in any case (`like`, `dislike` too).
    fn from_str(s: &str) -> Result<Self, UnknownName> {
        match s.trim().to_ascii_lowercase().as_str() {
            "liked" | "like" => Ok(MusicPreference::Liked),
            "neutral" => Ok(MusicPreference::Neutral),
            "disliked" | "dislike" => Ok(MusicPreference::Disliked),
            _ => Err(UnknownName::new(
                "music preference",
                "liked, neutral or disliked",
                s,
            )),
        }
    }
}
