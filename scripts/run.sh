#!/usr/bin/env bash
# Runs the Entrain app on a fresh Debian/Ubuntu machine, installing what it needs first.
# Arguments pass through to the binary (e.g. `scripts/run.sh eval --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-deps.sh
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
cargo run --release --locked -p entrain -- "$@"
