#!/usr/bin/env bash
# Upstox's official Node SDK against `strikeline-cli upstox-sim` (docs/upstox-sim.md).
#   tests/sdk/run.sh BUILD_DIR [FIXTURE_DIR]
# Starts the simulator on a free port over the fixture master, logs in over HTTP, runs every
# tests/sdk/*.test.js with node (env SIM_URL, UPSTOX_TEST_TOKEN) and fails if any fails.
# Exit 77 (a CTest skip) only when the SDK is not installed AND npm cannot reach its registry.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$(cd "${1:?usage: run.sh BUILD_DIR [FIXTURE_DIR]}" && pwd)"
fixtures="${2:-${STRIKELINE_REAL_DATA_DIR:-$here/../../../shared/data/upstox}}"
master="$fixtures/fixture-NSE_FO-subset-2026-08-21.json"
cli="$build/app/strikeline-cli"

command -v node >/dev/null || { echo "run.sh: node is not installed (make deps installs it)" >&2; exit 1; }
[[ -x "$cli" ]] || { echo "run.sh: $cli is not built" >&2; exit 1; }
if [[ ! -f "$master" ]]; then
  if [[ "${STRIKELINE_REQUIRE_REAL_DATA:-0}" == 1 ]]; then
    echo "run.sh: fixture master missing (required): $master" >&2; exit 1
  fi
  echo "run.sh: SKIP: fixture master not on this machine: $master"; exit 77
fi

installed() {
  node -e "process.exit(require('$here/node_modules/upstox-js-sdk/package.json').version === '2.31.0' ? 0 : 1)" 2>/dev/null
}
if ! installed; then
  if ! (cd "$here" && npm ci --no-audit --no-fund --loglevel=error); then
    if ! installed && ! (cd "$here" && timeout 20 npm ping >/dev/null 2>&1); then
      echo "run.sh: SKIP: upstox-js-sdk is not installed and npm cannot reach its registry" \
           "(run 'make deps' with network access once)"
      exit 77
    fi
    echo "run.sh: npm ci failed although the registry is reachable" >&2
    exit 1
  fi
fi

work="$(mktemp -d)"
sim_pid=""
cleanup() {
  if [[ -n "$sim_pid" ]] && kill -0 "$sim_pid" 2>/dev/null; then
    kill -TERM "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$cli" upstox-sim --master "$master" --port 0 --seed 7 --at "2026-08-21 10:30" \
  >"$work/stdout" 2>"$work/stderr" &
sim_pid=$!
for _ in $(seq 1 600); do
  grep -q '^listening on ' "$work/stdout" 2>/dev/null && break
  kill -0 "$sim_pid" 2>/dev/null || { echo "run.sh: the simulator exited:" >&2; cat "$work/stderr" >&2; exit 1; }
  sleep 0.1
done
url="$(sed -n 's/^listening on //p' "$work/stdout" | head -1)"
[[ -n "$url" ]] || { echo "run.sh: the simulator never said where it listens" >&2; exit 1; }
export SIM_URL="$url"

token="$(cd "$here" && node -e "require('./sim-host.js').login().then((t) => process.stdout.write(t), (e) => { console.error(e.message); process.exit(1); })")"
export UPSTOX_TEST_TOKEN="$token"

failed=0
shopt -s nullglob
tests=("$here"/*.test.js)
[[ ${#tests[@]} -gt 0 ]] || { echo "run.sh: no tests/sdk/*.test.js" >&2; exit 1; }
for t in "${tests[@]}"; do
  echo "== $(basename "$t")"
  if ! (cd "$here" && node --require ./sim-host.js "$t"); then
    failed=1
    echo "run.sh: FAILED: $(basename "$t")" >&2
  fi
done
exit "$failed"
