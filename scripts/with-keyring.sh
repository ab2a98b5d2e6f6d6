#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a real, unlocked
# gnome-keyring Secret Service (the OS keyring the app uses on Linux).
# Usage: scripts/with-keyring.sh CMD [ARGS...]
set -euo pipefail
if [ -z "${MONIRAVIQUE_IN_KEYRING:-}" ]; then
  export MONIRAVIQUE_IN_KEYRING=1
  exec dbus-run-session -- "$0" "$@"
fi
# A throwaway keyring directory unless the caller chose one.
export XDG_DATA_HOME="${MONIRAVIQUE_KEYRING_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}}"
mkdir -p "$XDG_DATA_HOME/keyrings"
# --unlock reads the login keyring password on stdin and creates it if missing.
eval "$(printf 'moniravique-test-keyring' | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true
exec "$@"
