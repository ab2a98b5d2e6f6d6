#!/usr/bin/env bash
# Type-checks the window's modules (ui/, plain JS with JSDoc and // @ts-check)
# against the generated bindings (ui/bindings.d.ts): a wrong command name, a
# missing argument or a misread answer field fails here (DC-4).
#
# TypeScript is pinned (scripts/tsc/package.json and its package-lock.json)
# and installed with `npm ci` into target/tools/ts, outside the sources, only
# when that exact version is missing. Nothing is installed into ui/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pinned="$root/scripts/tsc"
tools="${CARGO_TARGET_DIR:-$root/target}/tools/ts"
want="$(node -e "console.log(require('$pinned/package-lock.json').packages['node_modules/typescript'].version)")"
have=""
if [ -f "$tools/node_modules/typescript/package.json" ]; then
  have="$(node -e "console.log(require('$tools/node_modules/typescript/package.json').version)")"
fi
if [ "$have" != "$want" ] || ! cmp -s "$pinned/package-lock.json" "$tools/package-lock.json"; then
  mkdir -p "$tools"
  cp "$pinned/package.json" "$pinned/package-lock.json" "$tools/"
  (cd "$tools" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
exec "$tools/node_modules/.bin/tsc" --noEmit -p "$root/ui" "$@"
