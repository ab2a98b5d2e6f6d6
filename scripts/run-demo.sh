#!/usr/bin/env bash
# Builds the staff desktop and the central server, starts a local server on the
# fictional demo data (HTTPS on loopback, self-signed certificate), makes an
# enrolment code for a demo account with the server's own command, and opens a
# fresh laptop on the real first-run screen, "Connecter ce poste", with that
# code ready (issue 14): give the account's password and the laptop connects,
# pulls that account's scope, and syncs in the background and on demand.
# MONIRAVIQUE_DEMO_ACCOUNT (default formatrice.a) is the account of the code.
# Everything lives in $MONIRAVIQUE_DEMO_DIR (default ~/.local/share/moniravique-demo);
# delete it to start again. MONIRAVIQUE_DEMO_PORT (default 8443) is the server's
# port; MONIRAVIQUE_DEMO_LAPTOP (default "laptop") names the laptop's folder, so
# a second laptop (another account) can run beside the first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh run
export PATH="$HOME/.cargo/bin:$PATH"
cargo build -p moniravique-desktop -p server
target="${CARGO_TARGET_DIR:-target}/debug"
app="$target/moniravique-desktop"
server="$target/moniravique-server"
demo="${MONIRAVIQUE_DEMO_DIR:-$HOME/.local/share/moniravique-demo}"
port="${MONIRAVIQUE_DEMO_PORT:-8443}"
laptop="$demo/${MONIRAVIQUE_DEMO_LAPTOP:-laptop}"
mkdir -p "$demo"

# The server: its own encrypted store and key file (0600), outside the repository.
srv="$demo/server"
if [ ! -e "$srv/data/server.db" ]; then
  rm -rf "$srv"
  mkdir -p "$srv"
  "$server" init --data-dir "$srv/data" --key-file "$srv/server.key"
  "$server" seed-demo --data-dir "$srv/data" --key-file "$srv/server.key"
  "$server" self-signed-cert --out-dir "$srv/tls" >/dev/null
fi
if curl -sf --cacert "$srv/tls/cert.pem" "https://127.0.0.1:$port/v1/health" >/dev/null 2>&1; then
  # A demo server already runs (another laptop of the demo): share it.
  url="https://127.0.0.1:$port"
else
  "$server" serve --data-dir "$srv/data" --key-file "$srv/server.key" \
    --cert "$srv/tls/cert.pem" --key "$srv/tls/key.pem" --addr "127.0.0.1:$port" \
    >"$demo/server.out" 2>"$demo/server.log" &
  server_pid=$!
  trap 'kill "$server_pid" 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    grep -q "listening on" "$demo/server.out" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { echo "run-demo: the server did not start (see $demo/server.log)"; exit 1; }
    sleep 0.1
  done
  url=$(sed -n 's/^listening on //p' "$demo/server.out" | head -n 1)
fi
echo "run-demo: demo server at $url (log: $demo/server.log)"

account="${MONIRAVIQUE_DEMO_ACCOUNT:-formatrice.a}"
args=(--data-dir "$laptop/data" --log-dir "$laptop/logs" --demo-laptop)
if [ ! -e "$laptop/connected" ]; then
  # The real first-run path: a one-time code made by the server's own command
  # (72 h), offered on the connect screen; a laptop already connected ignores it.
  mkdir -p "$laptop"
  rm -f "$laptop/code.txt"
  "$server" enrolment-code --data-dir "$srv/data" --key-file "$srv/server.key" \
    --username "$account" --server-url "$url" --cert "$srv/tls/cert.pem" \
    --out "$laptop/code.txt" >/dev/null
  args+=(--offer-code "$laptop/code.txt" --offer-account "$account")
  echo "run-demo: a fresh laptop; its connect screen has a code for $account (password: demo-${account//./-})"
fi

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
status=0
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "run-demo: no display; opening the window under Xvfb (screenshot it with: import -window root shot.png)"
  xvfb-run -a -s "-screen 0 1280x900x24" "${wrap[@]}" "$app" "${args[@]}" || status=$?
else
  "${wrap[@]}" "$app" "${args[@]}" || status=$?
fi
# Once the laptop is connected (its log says so), later runs skip the code.
if grep -rqs "laptop registered" "$laptop/logs"; then touch "$laptop/connected"; fi
exit "$status"
