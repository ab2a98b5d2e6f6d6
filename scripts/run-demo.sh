#!/usr/bin/env bash
# Builds the staff desktop and opens it on the fictional demo data.
# The demo store lives in $MONIRAVIQUE_DEMO_DIR (default ~/.local/share/moniravique-demo).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh run
export PATH="$HOME/.cargo/bin:$PATH"
cargo build -p moniravique-desktop
app="${CARGO_TARGET_DIR:-target}/debug/moniravique-desktop"
demo="${MONIRAVIQUE_DEMO_DIR:-$HOME/.local/share/moniravique-demo}"
mkdir -p "$demo"
args=(--data-dir "$demo/data" --log-dir "$demo/logs")

# Use the desktop's own Secret Service when there is one; otherwise a private,
# persistent gnome-keyring for the demo (headless machines, CI boxes). Without
# a session bus address, dbus-send would autolaunch a bus with a locked keyring.
if [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] && dbus-send --session --print-reply --dest=org.freedesktop.secrets \
     /org/freedesktop/secrets org.freedesktop.DBus.Peer.Ping >/dev/null 2>&1; then
  wrap=()
else
  export MONIRAVIQUE_KEYRING_HOME="$demo/keyring"
  wrap=(scripts/with-keyring.sh)
fi
if [ ! -e "$demo/data/moniravique.db" ]; then
  "${wrap[@]}" "$app" "${args[@]}" --seed-demo
fi
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "run-demo: no display; opening the window under Xvfb (screenshot it with: import -window root shot.png)"
  exec xvfb-run -a -s "-screen 0 1280x900x24" "${wrap[@]}" "$app" "${args[@]}"
fi
exec "${wrap[@]}" "$app" "${args[@]}"
