#!/usr/bin/env bash
# Installs what Entrain needs on a fresh Debian/Ubuntu machine: Debian packages, the Rust toolchain
# components pinned in rust-toolchain.toml. Safe to run again. Used by scripts/run.sh and scripts/test.sh.
set -euo pipefail

# Packages: build tools; ALSA + PulseAudio (cpal, and the null-sink audio tests); sox for measuring audio.
packages=(
  build-essential pkg-config curl ca-certificates
  libasound2-dev pulseaudio pulseaudio-utils libasound2-plugins alsa-utils sox
  python3 python3-pandas util-linux procps  # session e2e: pandas reads the export; setpriv drops root for the read-only test; kill sends the signal tests their SIGTERM
  python3 python3-venv  # benches/peers/run.sh: mobgap and gaitmap in a virtual environment
  poppler-utils  # crates/report tests: pdfinfo, pdftoppm, pdftotext read the PDFs back (FHIR validator: python3-venv + pip, pinned in crates/report/tests/fhir-requirements.txt)
  clang libclang-dev qemu-system-arm  # firmware/: bindgen for nrf-sdc/nrf-mpsl; core logic under QEMU mps2-an386
  dbus libdbus-1-dev python3-dbus python3-gi  # BLE: btleplug needs libdbus; tests/ble/fake_bluez.py serves org.bluez on a private bus
  fonts-dejavu-core fonts-droid-fallback fonts-nanum  # the window's fallback fonts (crates/ui/src/theme.rs): symbols, Greek, Cyrillic; Chinese and Japanese; Korean
  libwayland-dev  # the window's AccessKit (screen readers) builds winit's Wayland backend, which links libwayland-client
  xvfb xauth libgl1-mesa-dri libegl1 libgl1 libxkbcommon-x11-0 libxcursor1 libxrandr2 libxi6 x11-utils  # the window (eframe/glow on Mesa llvmpipe) under Xvfb: screenshot test; xwininfo lists the patient window
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
fi
# rust-toolchain.toml names the channel, components and targets; this makes rustup fetch them now.
rustup show active-toolchain >/dev/null
