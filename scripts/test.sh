#!/usr/bin/env bash
# The whole test suite, from a fresh Debian/Ubuntu machine: installs what it needs, starts the
# test services the end-to-end tests use, then runs format, lint and every test. README.md names it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-deps.sh
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked --release
echo "== fuzz: short libFuzzer runs of the protocol decoders and the BLE stream (fuzz/, own workspace)"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --version 0.13.2 --locked
# cargo-fuzz needs nightly flags (-Zsanitizer); the one stable toolchain accepts them with RUSTC_BOOTSTRAP.
(cd fuzz && for target in decode sensor_stream; do
  RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" -- -max_total_time=20 -print_final_stats=1
done)
echo "== firmware (own workspace, thumbv7em-none-eabihf): host tests, QEMU, board image size"
bash firmware/test.sh
