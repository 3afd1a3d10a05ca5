#!/usr/bin/env bash
# Firmware tests (called by scripts/test.sh, which installs the toolchain target, clang/libclang for
# nrf-sdc's bindgen and qemu-system-arm first):
#   1. format and lint of the firmware crates;
#   2. host tests of firmware/core, the LSM6DS driver (LSM6DSOX and LSM6DS3TR-C, each against its
#      register-level fake), the UF2 converter and the shared checks;
#   3. the same checks on an emulated Cortex-M4 (qemu-system-arm -machine mps2-an386, semihosting):
#      every check must pass and print exactly the summary the host printed;
#   4. the nRF52840 board images for thumbv7em-none-eabihf, left and right foot, for both boards
#      (XIAO nRF52840 + LSM6DSOX breakout; XIAO nRF52840 Sense, feature xiao-sense), and their size
#      budget; the Sense images converted to UF2 (target/uf2/entrain-xiao-sense-{left,right}.uf2)
#      and checked: block framing, nRF52840 family, contiguous addresses inside the bootloader's
#      application region, vector table, size budget.
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TARGET_DIR="${FIRMWARE_TARGET_DIR:-$PWD/target}"
target=thumbv7em-none-eabihf
# rust-toolchain.toml names the target; make sure rustup has it even on a toolchain installed before.
rustup target list --installed | grep -qx "$target" || rustup target add "$target"
host_crates=(-p entrain-fw-core -p entrain-lsm6dsox -p entrain-fw-checks -p entrain-fw-uf2)
# Linted one at a time: they choose different critical-section implementations (the board the
# SoftDevice's, the QEMU image cortex-m's single-core one), which must not be unified.
arm_crates=(-p entrain-nrf52840 -p entrain-fw-qemu-tests)
# Size budget of the board image: half the nRF52840's 1 MiB flash (room for a second image or
# bond storage later), half its 256 KiB RAM as statics (the rest is stack).
flash_budget_kib=512
ram_budget_kib=128
# The XIAO nRF52840 Sense's factory UF2 bootloader (Adafruit nRF52 bootloader, S140 7.3.0): the
# application starts after the SoftDevice region and must end before USER_FLASH_END (memory-uf2.x).
uf2_app_start=0x27000
uf2_app_end=0xAD000

echo "== firmware: cargo fmt --check"
cargo fmt "${host_crates[@]}" "${arm_crates[@]}" -- --check
echo "== firmware: cargo clippy (host crates, then ARM crates)"
cargo clippy --locked "${host_crates[@]}" --all-targets -- -D warnings
for crate in entrain-nrf52840 entrain-fw-qemu-tests; do
  cargo clippy --locked --release --target "$target" -p "$crate" -- -D warnings
done
cargo clippy --locked --release --target "$target" -p entrain-nrf52840 --features xiao-sense -- -D warnings

echo "== firmware: host tests"
cargo test --locked "${host_crates[@]}"
host_summary=$(cargo test --locked -p entrain-fw-checks --test host -- --nocapture 2>/dev/null | grep '^SUMMARY')

echo "== firmware: checks on an emulated Cortex-M4 (qemu-system-arm -machine mps2-an386)"
cargo build --locked --release --target "$target" -p entrain-fw-qemu-tests
set +e
qemu_out=$(timeout 300 qemu-system-arm -machine mps2-an386 -cpu cortex-m4 \
  -semihosting-config enable=on,target=native -nographic -monitor none -serial none \
  -kernel "$CARGO_TARGET_DIR/$target/release/entrain-fw-qemu-tests")
qemu_status=$?
set -e
echo "$qemu_out"
if [ "$qemu_status" -ne 0 ]; then
  echo "FAIL: the checks failed in QEMU (exit status $qemu_status)" >&2
  exit 1
fi
qemu_summary=$(echo "$qemu_out" | grep '^SUMMARY' || true)
if [ -z "$host_summary" ] || [ "$qemu_summary" != "$host_summary" ]; then
  echo "FAIL: QEMU and host disagree" >&2
  echo "  host: $host_summary" >&2
  echo "  qemu: $qemu_summary" >&2
  exit 1
fi
echo "QEMU and host agree: $qemu_summary"

echo "== firmware: nRF52840 board images (both boards, left and right foot) and their size budget"
cargo build --locked -p entrain-fw-uf2
uf2_tool="$CARGO_TARGET_DIR/debug/entrain-uf2"
uf2_dir="$CARGO_TARGET_DIR/uf2"
mkdir -p "$uf2_dir"
elf="$CARGO_TARGET_DIR/$target/release/entrain-nrf52840"
for board in xiao xiao-sense; do
  for foot in left right; do
    features=()
    [ "$board" = xiao-sense ] && features+=(xiao-sense)
    [ "$foot" = right ] && features+=(right-foot)
    feature_list=$(IFS=,; echo "${features[*]}")
    cargo build --locked --release --target "$target" -p entrain-nrf52840 --features "$feature_list"
    echo "image $board $foot foot:"
    python3 size-check.py "$elf" --flash-kib "$flash_budget_kib" --ram-kib "$ram_budget_kib"
    if [ "$board" = xiao-sense ]; then
      uf2="$uf2_dir/entrain-xiao-sense-$foot.uf2"
      "$uf2_tool" convert "$elf" "$uf2"
      "$uf2_tool" check "$uf2" --start "$uf2_app_start" --end "$uf2_app_end" \
        --budget-kib "$flash_budget_kib"
    fi
  done
done
