#!/usr/bin/env bash
# Every benchmark at its full size, release build (issue 13). Writes one
# markdown report (default target/bench-report.md; first argument to change
# it): the machine, then one table row per figure each bench printed, so a
# closing note can paste it. Takes a while (the store and sync benches seed
# 100,000 and 20,000 participants).
#
# Sizes can be lowered for a quick look: BENCH_PARTICIPANTS, SYNC_PARTICIPANTS.
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
bench pagescan cargo run -q --release -p pagescan --example bench -- 1024

{
  echo "# Benchmark figures"
  echo
  echo "- date: $(date -u +'%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "- build: release; sizes: store and DPO $participants participants, sync $sync_participants"
  echo
  echo "| bench | status (s) | figure |"
  echo "|---|---|---|"
  for name in store dpo balancing sync pagescan; do
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
