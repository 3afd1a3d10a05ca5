#!/usr/bin/env python3
"""mir_eval's F-measure (+-70 ms) of our beats (NAME.entrain.csv, written by the beat_eval
example) and librosa's (NAME.librosa.csv) against the truth (NAME.beats.csv): an outside check
of the F-measure the Rust evaluation prints.

    python3 benches/music/mir_eval_check.py DIR"""

import csv
import os
import sys

import mir_eval
import numpy as np


def times(path):
    with open(path) as f:
        return np.array([float(r["time_secs"]) for r in csv.DictReader(f)])


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: mir_eval_check.py DIR")
    folder = sys.argv[1]
    with open(os.path.join(folder, "manifest.csv")) as f:
        names = [row["name"] for row in csv.DictReader(f)]
    totals = {"entrain": [], "librosa": []}
    for name in names:
        truth = times(os.path.join(folder, name + ".beats.csv"))
        line = "%-28s" % name
        for who in totals:
            path = os.path.join(folder, "%s.%s.csv" % (name, who))
            if os.path.exists(path):
                score = mir_eval.beat.f_measure(truth, times(path))
                totals[who].append(score)
                line += "  %s %.3f" % (who, score)
        print(line)
    print("mir_eval mean F: " + ", ".join(
        "%s %.3f" % (who, sum(s) / len(s)) for who, s in totals.items() if s))


if __name__ == "__main__":
    main()
