#!/usr/bin/env bash
# Beat-tracking benchmark (docs/BENCHMARKS.md, "Beat tracking"): renders the MIDI tracks,
# runs librosa's tracker on them, then ours, and prints both F-measures side by side.
#
#   benches/music/run.sh [OUT_DIR] [--seed N]
#
# Installs what it needs: fluidsynth and fluid-soundfont-gm (Debian), and mido, librosa and
# mir_eval pinned (requirements.txt) in target/music-venv. Not part of scripts/test.sh: it is long.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/target/beatbench}"
shift || true
if ! command -v fluidsynth > /dev/null || [ ! -e /usr/share/sounds/sf2/FluidR3_GM.sf2 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get install -y --no-install-recommends fluidsynth fluid-soundfont-gm python3-venv
fi
venv="$root/target/music-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt"
"$venv/bin/python" "$here/make_tracks.py" "$@" "$out" > /dev/null
"$venv/bin/python" "$here/librosa_beats.py" "$out"
cd "$root"
nice cargo run --quiet --release -p entrain-music --example beat_eval -- "$out"
"$venv/bin/python" "$here/mir_eval_check.py" "$out" | tail -n 5
nice cargo run --quiet --release -p entrain-music --example beat_eval -- builtin
