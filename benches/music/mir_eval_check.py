#!/usr/bin/env python3
"""mir_eval's F-measure (+-70 ms) of our beats (NAME.entrain.csv, written by the beat_eval
example) and librosa's (NAME.librosa.csv) against the truth (NAME.beats.csv): an outside check
of the F-measure the Rust evaluation prints. Also the offset of each matched beat from the
truth (estimate minus reference, within 70 ms), pooled over the tracks with drums and over
those without.

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
    offsets = {(who, drums): [] for who in totals for drums in (True, False)}
    for name in names:
        truth = times(os.path.join(folder, name + ".beats.csv"))
        line = "%-28s" % name
        for who in totals:
            path = os.path.join(folder, "%s.%s.csv" % (name, who))
            if os.path.exists(path):
                estimated = times(path)
                score = mir_eval.beat.f_measure(truth, estimated)
                totals[who].append(score)
                for t in estimated:
                    nearest = truth[np.argmin(np.abs(truth - t))]
                    if abs(t - nearest) <= 0.07:
                        offsets[(who, name.endswith("-drums"))].append(1000.0 * (t - nearest))
                line += "  %s %.3f" % (who, score)
        print(line)
    for (who, drums), values in offsets.items():
        if values:
            v = np.array(values)
            print("offset %-8s %-11s median %5.1f ms, mean %5.1f ms, 95th percentile of |offset| %5.1f ms"
                  % (who, "with drums" if drums else "no drums", np.median(v), v.mean(),
                     np.percentile(np.abs(v), 95)))
    print("mir_eval mean F: " + ", ".join(
        "%s %.3f" % (who, sum(s) / len(s)) for who, s in totals.items() if s))


if __name__ == "__main__":
    main()
