#!/usr/bin/env bash
# Every benchmark binary at a small size, in the test build (issue 13): a
# bench that panics, finds a wrong result or no longer compiles fails the
# test command, so none rots unseen. The figures printed here mean nothing
# (unoptimised build, tiny data); the full sizes are in scripts/bench-all.sh.
#
# `--workspace` everywhere: the same features, so the same build as the test
# command's (a `-p` selection would rebuild dependencies with other features).
set -euo pipefail
cd "$(dirname "$0")/.."
run() { echo "-- $*"; "$@"; }
run cargo test -q --workspace --bench store_bench -- --participants 2000 --rounds 30
run cargo test -q --workspace --bench dpo_bench -- --participants 1000 --samples 2 --audit-rows 20000
run cargo test -q --workspace --bench balancing_bench -- --small --runs 1
run cargo test -q --workspace --bench sync_bench -- --participants 600 --clients 4
run cargo test -q --workspace --bench intake_bench -- --participants 500 --requests 60 --concurrency 2
# Issue 15: spreadsheet import
run cargo test -q --workspace --bench families_import_bench -- --rows 1000 --samples 1
# Issue 16: the monthly statistics run (2,000 participants, 100,000 events)
run env STATISTICS_BENCH_SCALE=small cargo test -q --workspace --bench statistics_bench
run "${CARGO_TARGET_DIR:-target}/debug/examples/bench" 8
# The real window: Xvfb, a private D-Bus session and a throwaway keyring, as
# the end-to-end tests (debug binaries of the test build).
if [ -z "${MONIRAVIQUE_KEYRING_HOME:-}" ]; then
  MONIRAVIQUE_KEYRING_HOME="$(mktemp -d)"
  trap 'rm -rf "$MONIRAVIQUE_KEYRING_HOME"' EXIT
fi
run env MONIRAVIQUE_KEYRING_HOME="$MONIRAVIQUE_KEYRING_HOME" \
  xvfb-run -a -s "-screen 0 1280x900x24" scripts/with-keyring.sh \
  cargo test -q --workspace --bench start_bench -- --participants 2000 --runs 2
