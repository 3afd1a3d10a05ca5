#!/usr/bin/env bash
# Entrain side by side with mobgap and gaitmap (issue 10), on the same recordings and machine, in
# one run; regenerates the table between the peers markers of docs/BENCHMARKS.md.
#
#   bash benches/peers/run.sh            # from a clean checkout, with ../shared/datasets beside it
#
# Steps: install what is needed (Debian packages incl. python3-venv, Rust; the pinned peers into
# target/peers-venv), export the exact samples of every compared trial (peer_compare export), run
# Entrain, mobgap and gaitmap on that export, each in its own timed process, then score all of
# them with the same Rust code (peer_compare compare). Not part of scripts/test.sh: it is long.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/install-deps.sh
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"

DATASETS=${DATASETS:-../shared/datasets}
OUT=target/peers
VENV=target/peers-venv
TARGET_DIR=${CARGO_TARGET_DIR:-target}
run_start=$(date +%s%N)

# The peers, pinned (requirements.txt), every transitive package pinned too (constraints.txt).
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check \
  -r benches/peers/requirements.txt -c benches/peers/constraints.txt

cargo build --release --locked -p entrain-benches --bin peer_compare
compare="$TARGET_DIR/release/peer_compare"

rm -rf "$OUT/export" "$OUT/results"
mkdir -p "$OUT/results"
"$compare" export --datasets "$DATASETS" --out "$OUT/export"

# Whole-process wall time of each runner, imports and file reading included.
echo "runner,wall_secs" > "$OUT/results/wall_times.csv"
timed() {
  local name=$1
  shift
  local t0 t1
  t0=$(date +%s%N)
  "$@"
  t1=$(date +%s%N)
  awk -v n="$name" -v ns="$((t1 - t0))" 'BEGIN { printf "%s,%.3f\n", n, ns / 1e9 }' \
    >> "$OUT/results/wall_times.csv"
}
timed entrain "$compare" entrain --export "$OUT/export" --out "$OUT/results"
timed mobgap "$VENV/bin/python" benches/peers/run_peers.py mobgap --export "$OUT/export" --out "$OUT/results"
timed gaitmap "$VENV/bin/python" benches/peers/run_peers.py gaitmap --export "$OUT/export" --out "$OUT/results"

"$compare" compare --datasets "$DATASETS" --results "$OUT/results" \
  --markdown "$OUT/table.md" --json "$OUT/scores.json" --doc docs/BENCHMARKS.md

awk -v ns="$(($(date +%s%N) - run_start))" \
  'BEGIN { printf "benches/peers/run.sh: %.0f s in all (after install-deps)\n", ns / 1e9 }'
