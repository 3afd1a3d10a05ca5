//! How each beat sounds: accents, per-foot sounds and panning, volume.

use crate::error::AudioError;
use crate::sound::SoundId;

/// Which foot a beat cues. In RAS one beat is one step, so feet alternate beat by beat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Foot {
    /// The left foot.
    Left,
    /// The right foot.
    Right,
}

impl Foot {
    /// The other foot.
    pub fn other(self) -> Foot {
        match self {
            Foot::Left => Foot::Right,
            Foot::Right => Foot::Left,
        }
    }
}

/// The look-up table from a beat to its sound, accent and stereo place.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CueStyle {
    /// Sound for left-foot beats.
    pub left_sound: SoundId,
    /// Sound for right-foot beats.
    pub right_sound: SoundId,
    /// Which foot beat 0 cues.
    pub first_foot: Foot,
    /// Every n-th beat (counted from beat 0) is accented; 0 or 1 means every beat is the same.
    pub accent_every_beats: u32,
    /// Level of the beats that are not accented, relative to accented ones (0..=1).
    pub unaccented_level: f32,
    /// How far each foot's beat moves to its own side: 0 = centre, 1 = only that ear (0..=1).
    pub pan: f32,
}

impl Default for CueStyle {
    fn default() -> Self {
        Self {
            left_sound: SoundId::Click,
            right_sound: SoundId::Click,
            first_foot: Foot::Left,
            accent_every_beats: 0,
            unaccented_level: 0.6,
            pan: 0.0,
        }
    }
}

impl CueStyle {
    /// One sound on every beat, centred, no accents.
    pub fn plain(sound: SoundId) -> Self {
        Self {
            left_sound: sound,
            right_sound: sound,
            ..Self::default()
        }
    }

    /// Checks the levels are within 0..=1.
    pub fn validate(&self) -> Result<(), AudioError> {
        check_level("unaccented level", self.unaccented_level)?;
        check_level("pan", self.pan)
    }

    /// The foot that `beat` cues.
    pub fn foot(&self, beat: u64) -> Foot {
        if beat.is_multiple_of(2) {
            self.first_foot
        } else {
            self.first_foot.other()
        }
    }

    /// Whether `beat` is accented.
    pub fn is_accented(&self, beat: u64) -> bool {
        self.accent_every_beats <= 1 || beat.is_multiple_of(u64::from(self.accent_every_beats))
    }

    /// The sound for `beat`.
    pub fn sound(&self, beat: u64) -> SoundId {
        match self.foot(beat) {
            Foot::Left => self.left_sound,
            Foot::Right => self.right_sound,
        }
    }

    /// Left and right channel gains (each 0..=1) of `beat` before volume and fades.
    pub fn channel_gains(&self, beat: u64) -> [f32; 2] {
        let level = if self.is_accented(beat) {
            1.0
        } else {
            self.unaccented_level
        };
        let far = 1.0 - self.pan;
        match self.foot(beat) {
            Foot::Left => [level, level * far],
            Foot::Right => [level * far, level],
        }
    }
}

/// Checks that a level is a number within 0..=1.
pub(crate) fn check_level(what: &'static str, value: f32) -> Result<(), AudioError> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(AudioError::LevelOutOfRange { what, value })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_feet_alternate() {
        let style = CueStyle {
            accent_every_beats: 4,
            pan: 1.0,
            left_sound: SoundId::Drum,
            ..CueStyle::default()
        };
        assert!(style.is_accented(0) && !style.is_accented(1) && style.is_accented(4));
        assert_eq!(style.foot(3), Foot::Right);
        assert_eq!(style.sound(2), SoundId::Drum);
        assert_eq!(style.channel_gains(0), [1.0, 0.0]);
        assert_eq!(style.channel_gains(1), [0.0, 0.6]);
        assert!(CueStyle { pan: 1.5, ..style }.validate().is_err());
    }
}
