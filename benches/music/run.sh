#!/usr/bin/env bash
# Beat-tracking benchmark (docs/BENCHMARKS.md, "Beat tracking"): renders the MIDI tracks,
# runs librosa's tracker on them, then ours, and prints both F-measures side by side.
#
#   benches/music/run.sh [OUT_DIR] [--seed N]
#
# Needs: fluidsynth, fluid-soundfont-gm (Debian); mido, librosa, mir_eval (PyPI).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/target/beatbench}"
shift || true
python3 "$here/make_tracks.py" "$@" "$out" > /dev/null
python3 "$here/librosa_beats.py" "$out"
cd "$root"
nice cargo run --quiet --release -p entrain-music --example beat_eval -- "$out"
python3 "$here/mir_eval_check.py" "$out" | tail -n 5
nice cargo run --quiet --release -p entrain-music --example beat_eval -- builtin
