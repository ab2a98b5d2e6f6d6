#!/usr/bin/env bash
# DC-9: the domain and store crates (and every crate under crates/) build
# without Tauri, so the rules can be reused by the server and tested alone.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for manifest in crates/*/Cargo.toml; do
  crate="$(basename "$(dirname "$manifest")")"
  if cargo tree -p "$crate" -e normal,build --prefix none 2>/dev/null | grep -Eq '^(tauri|wry|tao|webkit2gtk)( |-)'; then
    echo "layering: crate $crate depends on Tauri or a webview" >&2
    cargo tree -p "$crate" -e normal,build -i tauri 2>/dev/null | head -20 >&2 || true
    status=1
  else
    echo "layering: $crate is free of Tauri"
  fi
done
exit $status
