#!/usr/bin/env python3
"""Renders the beat-tracking benchmark: MIDI files written here (mido), played through
fluidsynth with Debian's FluidR3 General MIDI sound font, into WAVs whose beat times are known
because we placed the notes.

    python3 benches/music/make_tracks.py [--seed N] OUT_DIR

writes, per track, NAME.mid, NAME.wav (44.1 kHz), NAME.beats.csv (time_secs,is_downbeat),
and OUT_DIR/manifest.csv (name,tempo_bpm,meter,beats_per_bar,instruments). Deterministic:
every choice comes from a generator seeded with the track's number.

A beat is the notated beat: the quarter note in 2/4, 3/4 and 4/4, the dotted quarter in 6/8
(two beats a bar). Tempi span 60-140 beats per minute. With --seed N, the 20 tracks' tempi,
meters and instruments are drawn at random instead of the fixed list."""

import csv
import os
import random
import subprocess
import sys

import mido

SOUND_FONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
RATE_HZ = 44100
SECONDS = 30.0
# A fixed MIDI tempo (120 quarters a minute, 480 ticks a quarter): a tick is 1/960 s, and
# every time is placed in seconds, rounded to the tick; the truth is the rounded time.
TICKS_PER_SEC = 960

# General MIDI programs (0-based).
PIANO, E_PIANO, VIBES, MARIMBA, ORGAN, ACCORDION, NYLON, STEEL = 0, 4, 11, 12, 19, 21, 24, 25
STRINGS, HARP, TRUMPET, BRASS, CLARINET, FLUTE, ACOUSTIC_BASS, FINGER_BASS = 48, 46, 56, 61, 71, 73, 32, 33

# (tempo bpm, meter, chord instrument, melody instrument, bass instrument, drums)
TRACKS = [
    (60, "4/4", PIANO, FLUTE, ACOUSTIC_BASS, False),
    (64, "3/4", STRINGS, CLARINET, ACOUSTIC_BASS, False),
    (66, "6/8", HARP, FLUTE, ACOUSTIC_BASS, False),
    (70, "4/4", E_PIANO, VIBES, FINGER_BASS, True),
    (72, "2/4", ACCORDION, CLARINET, ACOUSTIC_BASS, False),
    (76, "6/8", NYLON, FLUTE, ACOUSTIC_BASS, True),
    (80, "3/4", PIANO, STRINGS, ACOUSTIC_BASS, False),
    (84, "4/4", ORGAN, TRUMPET, FINGER_BASS, True),
    (88, "6/8", MARIMBA, CLARINET, ACOUSTIC_BASS, False),
    (92, "2/4", BRASS, TRUMPET, ACOUSTIC_BASS, True),
    (96, "4/4", STEEL, PIANO, FINGER_BASS, False),
    (100, "3/4", VIBES, FLUTE, ACOUSTIC_BASS, True),
    (104, "4/4", STRINGS, E_PIANO, FINGER_BASS, True),
    (108, "2/4", PIANO, CLARINET, ACOUSTIC_BASS, False),
    (112, "3/4", ACCORDION, VIBES, ACOUSTIC_BASS, False),
    (116, "4/4", NYLON, FLUTE, FINGER_BASS, True),
    (120, "2/4", MARIMBA, TRUMPET, ACOUSTIC_BASS, True),
    (126, "4/4", ORGAN, PIANO, FINGER_BASS, False),
    (132, "3/4", HARP, STRINGS, ACOUSTIC_BASS, True),
    (140, "4/4", E_PIANO, BRASS, FINGER_BASS, True),
]

NAMES = {
    PIANO: "piano", E_PIANO: "epiano", VIBES: "vibes", MARIMBA: "marimba", ORGAN: "organ",
    ACCORDION: "accordion", NYLON: "guitar", STEEL: "steelgtr", STRINGS: "strings",
    HARP: "harp", TRUMPET: "trumpet", BRASS: "brass", CLARINET: "clarinet", FLUTE: "flute",
    ACOUSTIC_BASS: "bass", FINGER_BASS: "fbass",
}

# Chords as (bass root, triad) MIDI notes; a few progressions in C, G and F.
PROGRESSIONS = [
    [(36, (60, 64, 67)), (33, (57, 60, 64)), (41, (57, 60, 65)), (43, (59, 62, 67))],
    [(43, (59, 62, 67)), (40, (59, 64, 67)), (36, (60, 64, 67)), (38, (57, 62, 66))],
    [(41, (57, 60, 65)), (38, (57, 62, 65)), (34, (58, 62, 65)), (36, (58, 60, 64))],
    [(36, (60, 64, 67)), (41, (60, 65, 69)), (43, (59, 62, 67)), (36, (60, 64, 67))],
]

DRUMS = 9  # MIDI channel 10
KICK, SNARE, HAT = 36, 38, 42


def meter_shape(meter):
    """(beats per bar, subdivisions per beat)."""
    return {"2/4": (2, 2), "3/4": (3, 2), "4/4": (4, 2), "6/8": (2, 3)}[meter]


def build(number, bpm, meter, chords_program, melody_program, bass_program, drums):
    rng = random.Random(number)
    beats_per_bar, subdivisions = meter_shape(meter)
    beat_secs = 60.0 / bpm
    sub_secs = beat_secs / subdivisions
    bars = int(SECONDS / (beat_secs * beats_per_bar))
    progression = PROGRESSIONS[number % len(PROGRESSIONS)]
    notes = []  # (start_secs, end_secs, channel, note, velocity)

    def note(start, length, channel, pitch, velocity):
        notes.append((start, start + length, channel, pitch, max(1, min(127, velocity))))

    beats = []
    for bar in range(bars):
        root, triad = progression[bar % len(progression)]
        bar_start = bar * beats_per_bar * beat_secs
        for beat in range(beats_per_bar):
            t = bar_start + beat * beat_secs
            beats.append((t, beat == 0))
            downbeat = beat == 0
            # Bass: root on the downbeat, root or fifth on the other beats.
            pitch = root if downbeat or rng.random() < 0.5 else root + 7
            note(t, beat_secs * 0.9, 0, pitch, 100 if downbeat else 80)
            # Chords: a block chord on the downbeat; after-beats, arpeggios or repeated
            # chords by meter.
            if meter == "3/4" and not downbeat:
                for p in triad:
                    note(t, beat_secs * 0.5, 1, p, 62)
            elif meter == "6/8":
                for s in range(subdivisions):
                    p = triad[s % 3] + (12 if s == 0 else 0)
                    note(t + s * sub_secs, sub_secs * 0.95, 1, p, 75 if s == 0 else 55)
            elif downbeat or (meter == "4/4" and beat == 2):
                for p in triad:
                    note(t, beat_secs * beats_per_bar / 2 * 0.95, 1, p, 70 if downbeat else 60)
            else:
                for s in range(subdivisions):
                    note(t + s * sub_secs, sub_secs * 0.9, 1, triad[(beat + s) % 3], 55)
            # Melody: a chord tone on most beats, sometimes split in two, sometimes resting.
            r = rng.random()
            if r < 0.15 and not downbeat:
                pass
            elif r < 0.45:
                for s in range(subdivisions):
                    p = rng.choice(triad) + 12 + rng.choice((0, 2, -1)) * (s % 2)
                    note(t + s * sub_secs, sub_secs * 0.9, 2, p, rng.randint(70, 90))
            else:
                note(t, beat_secs * 0.95, 2, rng.choice(triad) + 12, rng.randint(80, 100))
            if drums:
                if downbeat or (meter == "4/4" and beat == 2):
                    note(t, 0.1, DRUMS, KICK, 100)
                elif meter != "3/4" or beat == 1:
                    note(t, 0.1, DRUMS, SNARE, 85)
                for s in range(subdivisions):
                    note(t + s * sub_secs, 0.05, DRUMS, HAT, 70 if s == 0 else 50)
    total_secs = bars * beats_per_bar * beat_secs

    def tick(secs):
        return int(round(secs * TICKS_PER_SEC))

    midi = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    midi.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=500000, time=0))
    for channel, program in ((0, bass_program), (1, chords_program), (2, melody_program)):
        track.append(mido.Message("program_change", channel=channel, program=program, time=0))
    track.append(mido.Message("control_change", channel=2, control=7, value=90, time=0))
    events = []
    for start, end, channel, pitch, velocity in notes:
        events.append((tick(start), 1, mido.Message("note_on", channel=channel, note=pitch, velocity=velocity)))
        events.append((tick(end), 0, mido.Message("note_off", channel=channel, note=pitch, velocity=0)))
    events.sort(key=lambda e: (e[0], e[1]))
    now = 0
    for at, _, message in events:
        track.append(message.copy(time=at - now))
        now = at
    track.append(mido.MetaMessage("end_of_track", time=tick(total_secs + 1.0) - now))
    truth = [(tick(t) / TICKS_PER_SEC, 1 if d else 0) for t, d in beats]
    return midi, truth, beats_per_bar


def drawn_tracks(seed):
    """20 tracks whose tempo, meter and instruments are drawn at random from `seed`: a set
    the tracker was not tuned on."""
    rng = random.Random(seed)
    keys = [PIANO, E_PIANO, VIBES, MARIMBA, ORGAN, ACCORDION, NYLON, STEEL, STRINGS, HARP]
    leads = [TRUMPET, BRASS, CLARINET, FLUTE, VIBES, PIANO, STRINGS]
    return [
        (rng.randint(60, 140), rng.choice(["2/4", "3/4", "4/4", "6/8"]), rng.choice(keys),
         rng.choice(leads), rng.choice([ACOUSTIC_BASS, FINGER_BASS]), rng.random() < 0.5)
        for _ in range(20)
    ]


def main():
    args = sys.argv[1:]
    seed = None
    if len(args) == 3 and args[0] == "--seed":
        seed = int(args[1])
        args = args[2:]
    if len(args) != 1:
        sys.exit("usage: make_tracks.py [--seed N] OUT_DIR")
    out = args[0]
    os.makedirs(out, exist_ok=True)
    rows = []
    tracks = TRACKS if seed is None else drawn_tracks(seed)
    for number, (bpm, meter, chords, melody, bass, drums) in enumerate(tracks):
        name = "%02d-%03dbpm-%s-%s%s" % (
            number, bpm, meter.replace("/", "-"), NAMES[chords], "-drums" if drums else "")
        midi, truth, beats_per_bar = build(number + 100 * (seed or 0), bpm, meter, chords, melody, bass, drums)
        mid_path = os.path.join(out, name + ".mid")
        wav_path = os.path.join(out, name + ".wav")
        midi.save(mid_path)
        subprocess.run(
            ["fluidsynth", "-q", "-ni", "-g", "0.5", "-r", str(RATE_HZ), "-F", wav_path,
             SOUND_FONT, mid_path],
            check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(out, name + ".beats.csv"), "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["time_secs", "is_downbeat"])
            for t, d in truth:
                writer.writerow(["%.6f" % t, d])
        instruments = "+".join(NAMES[p] for p in (chords, melody, bass)) + ("+drums" if drums else "")
        rows.append([name, bpm, meter, beats_per_bar, instruments])
        print(name, flush=True)
    with open(os.path.join(out, "manifest.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["name", "tempo_bpm", "meter", "beats_per_bar", "instruments"])
        writer.writerows(rows)


if __name__ == "__main__":
    main()
