//! A track's tempo, beats and bars, from its PCM alone.

use serde::{Deserialize, Serialize};

use crate::meter::{accents, meter};
use crate::onset::{normalised, onsets};
use crate::pcm::Pcm;
use crate::refine::{attack_function, refine};
use crate::tempo::TempoScores;
use crate::tracker::track;

/// Window of the local mean taken from the onset envelope, seconds.
const LOCAL_MEAN_SECS: f64 = 0.4;
/// An alternative metrical level (half, double, third or triple tempo) scoring at least this
/// share of the chosen tempo's score makes the tempo ambiguous.
pub const AMBIGUITY_RATIO: f64 = 0.7;
/// Beats at either end of a track whose onset strength is below this share of the median
/// beat's are dropped: the tracker's chain runs on through silence at the period, at no cost.
const WEAK_END_BEAT_SHARE: f32 = 0.15;

/// The version of this analysis: a library keeps it with each track's result and analyses a
/// track again when it changes.
pub const ANALYSIS_VERSION: u32 = 1;

/// What the analysis found in a track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BeatAnalysis {
    /// Tempo, beats per minute, from the spacing of the beats; 0.0 when no pulse was found.
    pub tempo_bpm: f64,
    /// Beat times, seconds from the start of the track, ascending.
    pub beats_secs: Vec<f64>,
    /// The beats that begin a bar.
    pub downbeats_secs: Vec<f64>,
    /// Beats per bar: 2, 3 or 4.
    pub beats_per_bar: u8,
    /// Another tempo, beats per minute, that fits the track nearly as well (half, double, a
    /// third or triple): the therapist should confirm which one is the beat.
    pub tempo_ambiguous: Option<f64>,
    /// Length of the track analysed, seconds.
    pub duration_secs: f64,
}

impl BeatAnalysis {
    fn nothing(duration_secs: f64) -> Self {
        BeatAnalysis {
            tempo_bpm: 0.0,
            beats_secs: Vec::new(),
            downbeats_secs: Vec::new(),
            beats_per_bar: 4,
            tempo_ambiguous: None,
            duration_secs,
        }
    }
}

/// Tempo, beats, bars and ambiguity of `pcm` (channels mixed to mono). Never fails: a silent,
/// too short or pulseless input has no beats and a tempo of 0.
pub fn analyze(pcm: &Pcm) -> BeatAnalysis {
    let duration_secs = pcm.duration_secs();
    let mono = pcm.mono();
    if pcm.rate_hz == 0 || mono.is_empty() || mono.iter().any(|s| !s.is_finite()) {
        return BeatAnalysis::nothing(duration_secs);
    }
    let found = onsets(&mono, pcm.rate_hz);
    let frame_rate_hz = found.frame_rate_hz;
    let window = (LOCAL_MEAN_SECS * frame_rate_hz).round() as usize;
    let envelope = normalised(&found.strength, window);
    let scores = TempoScores::new(&envelope, frame_rate_hz);
    let Some(tempo) = scores.best() else {
        return BeatAnalysis::nothing(duration_secs);
    };
    let mut beat_frames = track(&envelope, tempo.period_frames);
    trim_weak_ends(&mut beat_frames, &envelope);
    if beat_frames.len() < 2 {
        return BeatAnalysis::nothing(duration_secs);
    }
    let attack = attack_function(&mono, pcm.rate_hz);
    let beats_secs: Vec<f64> = beat_frames
        .iter()
        .map(|&f| refine(f as f64 / frame_rate_hz, &attack))
        .collect();
    let tempo_bpm = match mean_interval_secs(&beats_secs) {
        Some(interval) if interval > 0.0 => 60.0 / interval,
        _ => 60.0 * frame_rate_hz / tempo.period_frames,
    };
    let tempo_ambiguous = [2.0, 0.5, 3.0, 1.0 / 3.0]
        .into_iter()
        .filter(|factor| scores.in_range(tempo.period_frames * factor))
        .map(|factor| (factor, scores.score(tempo.period_frames * factor)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .filter(|(_, score)| *score >= AMBIGUITY_RATIO * tempo.score)
        .map(|(factor, _)| tempo_bpm / factor);
    let bars = meter(&accents(&found, &beat_frames));
    let downbeats_secs = beats_secs
        .iter()
        .enumerate()
        .filter(|(i, _)| i % usize::from(bars.beats_per_bar) == bars.phase)
        .map(|(_, t)| *t)
        .collect();
    BeatAnalysis {
        tempo_bpm,
        beats_secs,
        downbeats_secs,
        beats_per_bar: bars.beats_per_bar,
        tempo_ambiguous,
        duration_secs,
    }
}

/// Drops leading and trailing beats with hardly any onset near them.
fn trim_weak_ends(beat_frames: &mut Vec<usize>, envelope: &[f32]) {
    let strength = |frame: usize| {
        let lo = frame.saturating_sub(2);
        let hi = (frame + 3).min(envelope.len());
        envelope
            .get(lo..hi)
            .map_or(0.0, |v| v.iter().copied().fold(0.0f32, f32::max))
    };
    let mut strengths: Vec<f32> = beat_frames.iter().map(|&f| strength(f)).collect();
    let mut sorted = strengths.clone();
    sorted.sort_by(f32::total_cmp);
    let Some(median) = sorted.get(sorted.len() / 2).copied() else {
        return;
    };
    let threshold = WEAK_END_BEAT_SHARE * median;
    while strengths.last().is_some_and(|s| *s < threshold) {
        strengths.pop();
        beat_frames.pop();
    }
    let leading = strengths.iter().take_while(|s| **s < threshold).count();
    beat_frames.drain(..leading);
}

/// The beat interval from a least-squares line through beat time against beat index.
fn mean_interval_secs(beats_secs: &[f64]) -> Option<f64> {
    let n = beats_secs.len();
    if n < 2 {
        return None;
    }
    let mean_i = (n - 1) as f64 / 2.0;
    let mean_t = beats_secs.iter().sum::<f64>() / n as f64;
    let (mut cov, mut var) = (0.0, 0.0);
    for (i, t) in beats_secs.iter().enumerate() {
        let di = i as f64 - mean_i;
        cov += di * (t - mean_t);
        var += di * di;
    }
    (var > 0.0).then(|| cov / var)
}

/// The beats of a track read at `chosen_bpm` instead of the analysed `analysed_bpm`, when the
/// therapist confirmed the other metrical level: every second (third) beat for half (a third)
/// the tempo, a beat inserted midway (at thirds) for double (triple). `None` if `chosen_bpm` is
/// none of these.
pub fn beats_at_tempo(beats_secs: &[f64], analysed_bpm: f64, chosen_bpm: f64) -> Option<Vec<f64>> {
    let ratio = chosen_bpm / analysed_bpm;
    let near = |r: f64| (ratio / r - 1.0).abs() < 0.02;
    if near(1.0) {
        return Some(beats_secs.to_vec());
    }
    for step in [2usize, 3] {
        if near(1.0 / step as f64) {
            return Some(beats_secs.iter().step_by(step).copied().collect());
        }
        if near(step as f64) {
            let mut out = Vec::with_capacity(beats_secs.len() * step);
            for w in beats_secs.windows(2) {
                for k in 0..step {
                    out.push(w[0] + (w[1] - w[0]) * k as f64 / step as f64);
                }
            }
            out.extend(beats_secs.last());
            return Some(out);
        }
    }
    None
}

#[cfg(test)]
mod tempo_choice_tests {
    use super::*;

    #[test]
    fn beats_follow_the_confirmed_metrical_level() {
        let beats = [0.0, 0.5, 1.0, 1.5, 2.0];
        assert_eq!(beats_at_tempo(&beats, 120.0, 120.0), Some(beats.to_vec()));
        assert_eq!(
            beats_at_tempo(&beats, 120.0, 60.0),
            Some(vec![0.0, 1.0, 2.0])
        );
        assert_eq!(
            beats_at_tempo(&beats[..3], 120.0, 240.0),
            Some(vec![0.0, 0.25, 0.5, 0.75, 1.0])
        );
        assert_eq!(beats_at_tempo(&beats, 120.0, 40.0), Some(vec![0.0, 1.5]));
        assert_eq!(beats_at_tempo(&beats, 120.0, 100.0), None);
    }
}
