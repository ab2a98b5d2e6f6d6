#!/usr/bin/env bash
# Every benchmark binary at a small size, in the test build (issue 13): a
# bench that panics, finds a wrong result or no longer compiles fails the
# test command, so none rots unseen. The figures printed here mean nothing
# (unoptimised build, tiny data); the full sizes are in scripts/bench-all.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
run() { echo "-- $*"; "$@"; }
run cargo test -q -p store --bench store_bench -- --participants 2000 --rounds 30
run cargo test -q -p store --bench dpo_bench -- --participants 1000 --samples 2 --audit-rows 20000
run cargo test -q -p domain --bench balancing_bench -- --small --runs 1
run cargo test -q -p server --bench sync_bench -- --participants 600 --clients 4
run cargo run -q -p pagescan --example bench -- 8
