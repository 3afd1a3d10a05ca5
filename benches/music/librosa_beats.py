#!/usr/bin/env python3
"""librosa's beat tracker on the benchmark tracks, for comparison with ours.

    python3 benches/music/librosa_beats.py DIR

For each NAME in DIR/manifest.csv, runs librosa.beat.beat_track (default parameters) on
NAME.wav as librosa loads it (mono, 22 050 Hz) and writes NAME.librosa.csv (time_secs).
With --check, also prints mir_eval's F-measure of those beats against NAME.beats.csv, an
outside check of the Rust F-measure."""

import csv
import os
import sys

import librosa


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    check = "--check" in sys.argv
    if len(args) != 1:
        sys.exit("usage: librosa_beats.py DIR [--check]")
    folder = args[0]
    with open(os.path.join(folder, "manifest.csv")) as f:
        names = [row["name"] for row in csv.DictReader(f)]
    scores = []
    for name in names:
        y, sr = librosa.load(os.path.join(folder, name + ".wav"))
        _, frames = librosa.beat.beat_track(y=y, sr=sr)
        beats = librosa.frames_to_time(frames, sr=sr)
        with open(os.path.join(folder, name + ".librosa.csv"), "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["time_secs"])
            for t in beats:
                writer.writerow(["%.6f" % t])
        if check:
            import mir_eval
            import numpy as np
            with open(os.path.join(folder, name + ".beats.csv")) as f:
                truth = np.array([float(r["time_secs"]) for r in csv.DictReader(f)])
            score = mir_eval.beat.f_measure(truth, np.asarray(beats))
            scores.append(score)
            print("%-28s mir_eval F %.3f" % (name, score))
    if check and scores:
        print("mean mir_eval F (librosa) %.3f" % (sum(scores) / len(scores)))


if __name__ == "__main__":
    main()
