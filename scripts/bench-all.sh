#!/usr/bin/env bash
# Every benchmark at its full size, release build (issue 13). Writes one
# markdown report (default target/bench-report.md; first argument to change
# it): the machine, then one table row per figure each bench printed, so a
# closing note can paste it. Takes a while (the store and sync benches seed
# 100,000 and 20,000 participants).
#
# Sizes can be lowered for a quick look: BENCH_PARTICIPANTS, SYNC_PARTICIPANTS,
# IMPORT_ROWS, STATISTICS_BENCH_SCALE=small.
set -euo pipefail
cd "$(dirname "$0")/.."
report="${1:-target/bench-report.md}"
mkdir -p "$(dirname "$report")"
export PATH="$HOME/.cargo/bin:$PATH"
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT

participants="${BENCH_PARTICIPANTS:-100000}"
sync_participants="${SYNC_PARTICIPANTS:-20000}"

bench() { # name, command...
  local name="$1"; shift
  echo "== $name: $*" >&2
  local started=$(date +%s)
  if "$@" > "$logs/$name.log" 2>&1; then
    echo "ok $(( $(date +%s) - started ))" > "$logs/$name.status"
  else
    echo "FAILED $(( $(date +%s) - started ))" > "$logs/$name.status"
  fi
  cat "$logs/$name.log" >&2
}

bench store cargo bench -q -p store --bench store_bench -- --participants "$participants"
bench dpo cargo bench -q -p store --bench dpo_bench -- --participants "$participants"
bench balancing cargo bench -q -p domain --bench balancing_bench
bench sync cargo bench -q -p server --bench sync_bench -- --participants "$sync_participants"
bench intake cargo bench -q -p server --bench intake_bench -- --participants "$sync_participants"
bench pagescan cargo run -q --release -p pagescan --example bench -- 1024
# Issue 15: spreadsheet import (preview and apply of a 20,000-row XLSX).
bench families cargo bench -q -p sync --bench families_import_bench -- --rows "${IMPORT_ROWS:-20000}"
# Issue 16: the monthly statistics run over a year of 10,500,000 usage events
# (STATISTICS_BENCH_SCALE=small for a quick look)
bench statistics env STATISTICS_BENCH_SCALE="${STATISTICS_BENCH_SCALE:-full}" \
  cargo bench -q -p store --bench statistics_bench

# The real window (release app and bare window; the driving bench is the test
# build's), under Xvfb with a throwaway keyring. D-Bus and WebKit chatter on
# stderr is kept out of the report unless the bench fails.
window_bench() {
  local target="${CARGO_TARGET_DIR:-$PWD/target}"
  cargo build -q --release -p moniravique-desktop -p bare-window || return 1
  if ! MONIRAVIQUE_APP="$target/release/moniravique-desktop" \
    BARE_WINDOW_APP="$target/release/bare-window" \
    MONIRAVIQUE_KEYRING_HOME="$logs/keyring" \
    xvfb-run -a -s "-screen 0 1280x900x24" scripts/with-keyring.sh \
    cargo test -q --workspace --bench start_bench -- --participants "$participants" \
    2> "$logs/start.stderr"; then
    cat "$logs/start.stderr" >&2
    return 1
  fi
}
bench start window_bench

{
  echo "# Benchmark figures"
  echo
  echo "- date: $(date -u +'%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "- build: release; sizes: store, DPO and start $participants participants, sync and intake $sync_participants"
  echo
  echo "| bench | status (s) | figure |"
  echo "|---|---|---|"
  for name in store dpo balancing sync intake pagescan families statistics start; do
    status="$(cat "$logs/$name.status")"
    # Every printed line is a figure; cargo's own lines are skipped.
    grep -v -e '^\s*$' -e '^\s*Finished' -e '^\s*Running' -e '^\s*Compiling' "$logs/$name.log" \
      | sed 's/|/\\|/g' \
      | while IFS= read -r line; do
          echo "| $name | $status | ${line} |"
        done
  done
} > "$report"
echo "report: $report" >&2
grep -q FAILED "$logs"/*.status && exit 1 || exit 0
