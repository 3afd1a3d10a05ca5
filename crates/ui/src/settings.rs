//! The clinician's settings: sound, cue sound, volume, protocol defaults, tempo ceiling, output
//! device, data folder. Saved as JSON beside the record.

use std::path::{Path, PathBuf};

use entrain_audio::SoundId;
use entrain_cue::ProtocolConfig;
use entrain_cue::config::UncuedLength;
use serde::{Deserialize, Serialize};

use crate::i18n::Language;
use crate::t;

/// The settings file's name inside the data folder.
pub const SETTINGS_FILE: &str = "settings.json";
/// The record's file name inside the data folder (the command line's too).
pub use entrain_store::DATABASE_FILE;

/// A settings file that cannot be read or written, or a value that cannot be saved. Its text is
/// in the window's language (English outside the window, as on the command line).
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// Reading or writing failed.
    #[error("{}", self.message())]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong (the system's own words).
        detail: String,
    },
    /// The file is not the settings' JSON.
    #[error("{}", self.message())]
    NotJson {
        /// The file.
        path: PathBuf,
        /// What the JSON reader said.
        detail: String,
    },
    /// A value is out of range.
    #[error("{}", self.message())]
    OutOfRange {
        /// The setting.
        what: Setting,
        /// The value.
        found: f64,
        /// Lowest allowed.
        min: f64,
        /// Highest allowed.
        max: f64,
    },
    /// The values contradict each other as a protocol (the protocol's own validation says why,
    /// in its own English words).
    #[error("{}", self.message())]
    Protocol(#[from] entrain_cue::ConfigError),
}

impl SettingsError {
    /// The settings the error is about, so the screen can show it at those fields; empty if it
    /// is about none in particular.
    pub fn fields(&self) -> Vec<Setting> {
        use entrain_cue::ConfigError;
        match self {
            SettingsError::OutOfRange { what, .. } => vec![*what],
            SettingsError::Protocol(ConfigError::IncreaseAboveCeiling { .. }) => {
                vec![Setting::HighestIncrease, Setting::TempoCeiling]
            }
            SettingsError::Protocol(ConfigError::ToleranceNotBelowStep { .. }) => {
                vec![Setting::TempoStep]
            }
            SettingsError::Protocol(_)
            | SettingsError::Io { .. }
            | SettingsError::NotJson { .. } => Vec::new(),
        }
    }

    /// What went wrong, in the window's language.
    fn message(&self) -> String {
        match self {
            SettingsError::Io { path, detail } => t!(
                "settings-file-problem",
                path = path.display().to_string(),
                detail = detail.as_str()
            ),
            SettingsError::NotJson { path, detail } => t!(
                "settings-file-not-json",
                path = path.display().to_string(),
                detail = detail.as_str()
            ),
            // Values as Rust shows an f64 (`30`, `0.5`), not as Fluent would.
            SettingsError::OutOfRange {
                what,
                found,
                min,
                max,
            } => t!(
                "settings-out-of-range",
                setting = what.name(),
                found = found.to_string(),
                min = min.to_string(),
                max = max.to_string()
            ),
            SettingsError::Protocol(e) => e.to_string(),
        }
    }
}

/// A setting that is checked on its own: the key that matches an error to its field on the
/// screen (never shown), and its name in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// [`Settings::volume`].
    Volume,
    /// [`Settings::baseline_secs`].
    Baseline,
    /// [`Settings::retest_secs`].
    Retest,
    /// [`Settings::matched_min_secs`].
    MatchedMinimum,
    /// [`Settings::level_min_secs`].
    TimePerLevel,
    /// [`Settings::step_percent`].
    TempoStep,
    /// [`Settings::max_increase_percent`].
    HighestIncrease,
    /// [`Settings::ceiling_above_baseline_percent`].
    TempoCeiling,
    /// [`Settings::fading_secs`].
    Fading,
    /// [`Settings::settle_beats`].
    SettleBeats,
}

impl Setting {
    /// Its name in errors ("highest increase, %"), in the window's language.
    pub fn name(self) -> String {
        match self {
            Setting::Volume => t!("settings-name-volume"),
            Setting::Baseline => t!("settings-name-baseline"),
            Setting::Retest => t!("settings-name-retest"),
            Setting::MatchedMinimum => t!("settings-name-matched-minimum"),
            Setting::TimePerLevel => t!("settings-name-time-per-level"),
            Setting::TempoStep => t!("settings-name-tempo-step"),
            Setting::HighestIncrease => t!("settings-name-highest-increase"),
            Setting::TempoCeiling => t!("settings-name-tempo-ceiling"),
            Setting::Fading => t!("settings-name-fading"),
            Setting::SettleBeats => t!("settings-name-settle-beats"),
        }
    }
}

/// Everything the clinician can set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Play the beat on the sound card (off: visual beat only).
    pub sound: bool,
    /// The cue's sound, saved by its name ([`SoundId::name`]).
    #[serde(with = "sound_name")]
    pub cue_sound: SoundId,
    /// Cue volume, 0–1.
    pub volume: f64,
    /// Output device name; empty = the system default.
    pub output_device: String,
    /// Uncued baseline length, s.
    pub baseline_secs: f64,
    /// Uncued re-test length, s.
    pub retest_secs: f64,
    /// Minimum time at the matched tempo before progression, s.
    pub matched_min_secs: f64,
    /// Entrained time at a level before the next, s.
    pub level_min_secs: f64,
    /// Tempo increase per level, %.
    pub step_percent: f64,
    /// Highest increase over the matched tempo, %.
    pub max_increase_percent: f64,
    /// Tempo ceiling, % above the baseline cadence.
    pub ceiling_above_baseline_percent: f64,
    /// Fading phase length, s.
    pub fading_secs: f64,
    /// Beats to settle after a tempo change before the entrainment gate looks.
    pub settle_beats: u32,
    /// The data folder (record and settings).
    pub data_dir: PathBuf,
    /// The window's language.
    pub language: Language,
}

impl Default for Settings {
    fn default() -> Self {
        let p = ProtocolConfig::default();
        Settings {
            sound: true,
            cue_sound: SoundId::default(),
            volume: p.cue_volume,
            output_device: String::new(),
            baseline_secs: 30.0,
            retest_secs: 30.0,
            matched_min_secs: p.progression.matched_min_secs,
            level_min_secs: p.progression.level_min_secs,
            step_percent: p.progression.step_percent,
            max_increase_percent: p.progression.max_increase_percent,
            ceiling_above_baseline_percent: p.safety.ceiling_above_baseline_percent,
            fading_secs: p.fading_secs,
            settle_beats: p.progression.settle_beats,
            data_dir: default_data_dir(),
            language: Language::default(),
        }
    }
}

/// A [`SoundId`] in the settings file: its name (`click`, `woodblock`, ...), as on the command line.
mod sound_name {
    use entrain_audio::SoundId;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(sound: &SoundId, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(sound.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SoundId, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

/// The per-user data folder (`~/.local/share/entrain`), or `./entrain-data` if there is none.
pub fn default_data_dir() -> PathBuf {
    entrain_store::default_data_dir().unwrap_or_else(|| PathBuf::from("entrain-data"))
}

fn check(what: Setting, v: f64, min: f64, max: f64) -> Result<(), SettingsError> {
    if v.is_finite() && (min..=max).contains(&v) {
        Ok(())
    } else {
        Err(SettingsError::OutOfRange {
            what,
            found: v,
            min,
            max,
        })
    }
}

impl Settings {
    /// A short protocol for demonstrations and tests: every phase in about a minute.
    pub fn demo(data_dir: PathBuf) -> Settings {
        Settings {
            sound: false,
            baseline_secs: 8.0,
            retest_secs: 8.0,
            matched_min_secs: 6.0,
            level_min_secs: 5.0,
            fading_secs: 10.0,
            settle_beats: 4,
            data_dir,
            ..Settings::default()
        }
    }

    /// Checks every value, and that together they make a valid protocol
    /// ([`ProtocolConfig::validate`]).
    pub fn validate(&self) -> Result<(), SettingsError> {
        self.check_ranges()?;
        self.protocol(None).validate()?;
        Ok(())
    }

    /// Checks each value on its own.
    fn check_ranges(&self) -> Result<(), SettingsError> {
        check(Setting::Volume, self.volume, 0.0, 1.0)?;
        check(Setting::Baseline, self.baseline_secs, 5.0, 600.0)?;
        check(Setting::Retest, self.retest_secs, 5.0, 600.0)?;
        check(Setting::MatchedMinimum, self.matched_min_secs, 0.0, 600.0)?;
        check(Setting::TimePerLevel, self.level_min_secs, 1.0, 600.0)?;
        check(Setting::TempoStep, self.step_percent, 0.5, 20.0)?;
        check(
            Setting::HighestIncrease,
            self.max_increase_percent,
            0.0,
            30.0,
        )?;
        check(
            Setting::TempoCeiling,
            self.ceiling_above_baseline_percent,
            0.0,
            40.0,
        )?;
        check(Setting::Fading, self.fading_secs, 0.0, 1200.0)?;
        check(
            Setting::SettleBeats,
            f64::from(self.settle_beats),
            0.0,
            64.0,
        )?;
        Ok(())
    }

    /// The RAS protocol these settings describe.
    pub fn protocol(&self, paretic: Option<entrain_gait::Side>) -> ProtocolConfig {
        let mut p = ProtocolConfig {
            baseline: UncuedLength::Secs(self.baseline_secs),
            retest: UncuedLength::Secs(self.retest_secs),
            fading_secs: self.fading_secs,
            cue_volume: self.volume,
            paretic_side: paretic,
            ..ProtocolConfig::default()
        };
        p.progression.matched_min_secs = self.matched_min_secs;
        p.progression.level_min_secs = self.level_min_secs;
        p.progression.step_percent = self.step_percent;
        p.progression.max_increase_percent = self.max_increase_percent;
        p.progression.settle_beats = self.settle_beats;
        p.safety.ceiling_above_baseline_percent = self.ceiling_above_baseline_percent;
        p
    }

    /// The record's path.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join(DATABASE_FILE)
    }

    /// Reads the settings saved in `data_dir`, or the defaults (with that folder) if none are.
    pub fn load(data_dir: &Path) -> Result<Settings, SettingsError> {
        let path = data_dir.join(SETTINGS_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Settings {
                    data_dir: data_dir.to_path_buf(),
                    ..Settings::default()
                });
            }
            Err(e) => {
                return Err(SettingsError::Io {
                    path,
                    detail: e.to_string(),
                });
            }
        };
        let mut s: Settings = serde_json::from_str(&text).map_err(|e| SettingsError::NotJson {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        s.data_dir = data_dir.to_path_buf();
        // Only each value's range: a file saved before contradictions were refused still opens,
        // and the settings screen shows what to change (a session will not start until then).
        s.check_ranges()?;
        Ok(s)
    }

    /// Saves into the data folder (creating it).
    pub fn save(&self) -> Result<(), SettingsError> {
        self.validate()?;
        let path = self.data_dir.join(SETTINGS_FILE);
        let io = |e: std::io::Error| SettingsError::Io {
            path: path.clone(),
            detail: e.to_string(),
        };
        std::fs::create_dir_all(&self.data_dir).map_err(io)?;
        let text = serde_json::to_string_pretty(self).map_err(|e| SettingsError::Io {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        std::fs::write(&path, text).map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n;

    #[test]
    fn an_error_names_its_setting_in_the_windows_language() {
        let err = Settings {
            volume: 2.0,
            ..Settings::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(err.fields(), [Setting::Volume]);
        assert_eq!(err.to_string(), "setting volume: 2 is outside 0–1");
        i18n::set_language(Language::German);
        let german = err.to_string();
        i18n::set_language(Language::English);
        let name = i18n::format_in(Language::German, "settings-name-volume", &[]);
        assert!(german.contains(&name), "{german} names {name}");
        assert!(german.contains("0–1"), "{german}");
        assert!(!german.contains("outside"), "{german}");
    }

    #[test]
    fn round_trip_and_validation() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = Settings::load(dir.path()).unwrap();
        assert_eq!(loaded.data_dir, dir.path());
        let s = Settings {
            cue_sound: SoundId::Woodblock,
            volume: 0.4,
            ceiling_above_baseline_percent: 10.0,
            ..Settings::demo(dir.path().to_path_buf())
        };
        s.save().unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), s);
        let p = s.protocol(Some(entrain_gait::Side::Left));
        assert_eq!(p.safety.ceiling_above_baseline_percent, 10.0);
        assert_eq!(p.cue_volume, 0.4);
        let bad = Settings {
            volume: 2.0,
            ..s.clone()
        };
        assert!(bad.save().unwrap_err().to_string().contains("volume"));
        let contradictory = Settings {
            max_increase_percent: 30.0,
            ceiling_above_baseline_percent: 15.0,
            ..s.clone()
        };
        let err = contradictory.save().unwrap_err();
        assert_eq!(
            err.fields(),
            [Setting::HighestIncrease, Setting::TempoCeiling],
            "{err}"
        );
        assert!(err.to_string().contains("ceiling"), "{err}");
        assert_eq!(Settings::load(dir.path()).unwrap(), s, "nothing was saved");
        let text = std::fs::read_to_string(dir.path().join(SETTINGS_FILE)).unwrap();
        assert!(text.contains(r#""cue_sound": "woodblock""#), "{text}");
        std::fs::write(
            dir.path().join(SETTINGS_FILE),
            text.replace(r#""cue_sound": "woodblock""#, r#""cue_sound": "gong""#),
        )
        .unwrap();
        let err = Settings::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("gong"), "an unknown sound is named: {err}");
        std::fs::write(dir.path().join(SETTINGS_FILE), "{ not json").unwrap();
        let err = Settings::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("settings.json"), "{err}");
    }
}
