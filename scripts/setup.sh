#!/usr/bin/env bash
# Installs what is missing to build and run (`setup.sh run`), to run every
# test (`setup.sh test`) or to build the installers (`setup.sh package`) on
# Debian 12 / Ubuntu 22.04+. Idempotent: it only installs what is not there yet.
set -euo pipefail
purpose="${1:-run}"

run_packages=(build-essential curl file pkg-config libssl-dev libdbus-1-dev
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libxdo-dev
  dbus dbus-x11 gnome-keyring)
test_packages=(xvfb xauth webkit2gtk-driver libsecret-tools xdotool)

wanted=("${run_packages[@]}")
if [ "$purpose" = test ]; then wanted+=("${test_packages[@]}"); fi

# The window's type-check (scripts/tsc.sh) needs Node.js and npm, from any source.
if [ "$purpose" = test ] && ! { command -v node && command -v npm; } >/dev/null 2>&1; then
  wanted+=(nodejs npm)
fi

missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    echo "setup: installing the Rust toolchain (rustup)"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c rustfmt,clippy
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
fi
if [ "$purpose" = test ]; then
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
  if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
    echo "setup: installing tauri-driver"
    cargo install tauri-driver --version 2.1.0 --locked
  fi
fi
# The installers (scripts/package.sh; the test command builds and installs the
# desktop .deb) need tauri-cli, pinned like tauri-driver.
tauri_cli_version=2.12.4
if [ "$purpose" = test ] || [ "$purpose" = package ]; then
  if [ "$(cargo tauri --version 2>/dev/null || true)" != "tauri-cli $tauri_cli_version" ]; then
    echo "setup: installing tauri-cli $tauri_cli_version"
    cargo install tauri-cli --version "=$tauri_cli_version" --locked
  fi
fi
