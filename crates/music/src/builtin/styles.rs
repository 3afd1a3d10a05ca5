//! The arrangements of the built-in tracks: which voice strikes on which beat of each bar.
//! Every bar's first beat carries the bass root and a chord change, so the bar is heard.

use super::voices::{Event, Voice};

/// A chord: its bass root and its triad in the middle register (MIDI notes).
#[derive(Debug, Clone, Copy)]
struct Chord {
    root: u8,
    triad: [u8; 3],
}

/// I - vi - IV - V in C major, one chord a bar.
const PROGRESSION: [Chord; 4] = [
    Chord {
        root: 36,
        triad: [60, 64, 67],
    },
    Chord {
        root: 33,
        triad: [57, 60, 64],
    },
    Chord {
        root: 41,
        triad: [57, 60, 65],
    },
    Chord {
        root: 43,
        triad: [59, 62, 67],
    },
];

/// The styles of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Kick and snare alternating on the beats, hats on the eighths, root-fifth bass.
    March,
    /// Oom-pah-pah: bass on one, chord on two and three.
    Waltz,
    /// Syncopated kick and bass, backbeat snare, off-beat chord stab.
    Groove,
}

fn push(events: &mut Vec<Event>, at_beats: f64, voice: Voice, gain: f32) {
    events.push(Event {
        at_beats,
        voice,
        gain,
    });
}

fn chord(events: &mut Vec<Event>, at_beats: f64, chord: Chord, beats: f64, gain: f32) {
    for note in chord.triad {
        push(events, at_beats, Voice::Keys { note, beats }, gain);
    }
}

/// The events of `bars` bars of `beats_per_bar` beats in `style`.
pub fn events(style: Style, beats_per_bar: u8, bars: u32) -> Vec<Event> {
    let mut events = Vec::new();
    let per_bar = u32::from(beats_per_bar);
    for bar in 0..bars {
        let start = f64::from(bar * per_bar);
        // A two-beat bar alternates tonic and dominant, as a quick march does; a bar
        // of three or four walks the four-chord progression.
        let harmony = if beats_per_bar == 2 {
            PROGRESSION[if bar % 2 == 0 { 0 } else { 3 }]
        } else {
            PROGRESSION[(bar % 4) as usize]
        };
        // A melody note from the chord, an octave up, varying with bar and beat.
        let melody = |beat: u32| harmony.triad[((bar + beat) % 3) as usize] + 12;
        match style {
            Style::March => {
                for beat in 0..per_bar {
                    let at = start + f64::from(beat);
                    if beat % 2 == 0 {
                        push(&mut events, at, Voice::Kick, 1.0);
                    } else {
                        push(&mut events, at, Voice::Snare, 0.8);
                    }
                    push(&mut events, at, Voice::Hat, 0.6);
                    push(&mut events, at + 0.5, Voice::Hat, 0.35);
                    let bass = if beat % 2 == 0 {
                        harmony.root
                    } else {
                        harmony.root + 7
                    };
                    let accent = if beat == 0 { 1.0 } else { 0.7 };
                    let note = Voice::Bass {
                        note: bass,
                        beats: 0.8,
                    };
                    push(&mut events, at, note, accent);
                    let keys = Voice::Keys {
                        note: melody(beat),
                        beats: 0.9,
                    };
                    push(&mut events, at, keys, 0.8);
                }
                chord(&mut events, start, harmony, f64::from(per_bar) - 0.1, 0.5);
            }
            Style::Waltz => {
                push(&mut events, start, Voice::Kick, 0.7);
                let bass = Voice::Bass {
                    note: harmony.root,
                    beats: 0.9,
                };
                push(&mut events, start, bass, 1.0);
                for beat in 1..per_bar {
                    let at = start + f64::from(beat);
                    chord(&mut events, at, harmony, 0.5, 0.45);
                    push(&mut events, at, Voice::Hat, 0.4);
                }
                if bar % 2 == 0 {
                    let long = Voice::Keys {
                        note: melody(0),
                        beats: f64::from(per_bar) - 0.1,
                    };
                    push(&mut events, start, long, 0.9);
                } else {
                    for beat in 0..per_bar {
                        let keys = Voice::Keys {
                            note: melody(beat),
                            beats: 0.9,
                        };
                        push(&mut events, start + f64::from(beat), keys, 0.8);
                    }
                }
            }
            Style::Groove => {
                for (at, voice, gain) in [
                    (0.0, Voice::Kick, 1.0),
                    (1.5, Voice::Kick, 0.6),
                    (2.0, Voice::Kick, 0.9),
                    (1.0, Voice::Snare, 0.8),
                    (3.0, Voice::Snare, 0.8),
                ] {
                    push(&mut events, start + at, voice, gain);
                }
                for eighth in 0..8 {
                    let gain = if eighth % 2 == 0 { 0.5 } else { 0.3 };
                    push(
                        &mut events,
                        start + f64::from(eighth) / 2.0,
                        Voice::Hat,
                        gain,
                    );
                }
                for (at, note, beats, gain) in [
                    (0.0, harmony.root, 0.7, 1.0),
                    (1.5, harmony.root, 0.4, 0.6),
                    (2.0, harmony.root + 7, 0.9, 0.8),
                    (3.5, harmony.root + 12, 0.4, 0.6),
                ] {
                    push(&mut events, start + at, Voice::Bass { note, beats }, gain);
                }
                chord(&mut events, start, harmony, 0.4, 0.5);
                chord(&mut events, start + 2.5, harmony, 0.4, 0.35);
                for beat in [0, 2] {
                    let keys = Voice::Keys {
                        note: melody(beat),
                        beats: 1.4,
                    };
                    push(&mut events, start + f64::from(beat), keys, 0.7);
                }
            }
        }
    }
    events
}
