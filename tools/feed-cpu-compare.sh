#!/usr/bin/env bash
# CPU to receive and decode the simulator's feed: strikeline-cli quotes (our feed client, protobuf
# decoder and quote book) against the official Node SDK's MarketDataStreamerV3, connected to the
# same simulator at the same time, the same keys and mode (issue 12; docs/PERFORMANCE.md).
#   tools/feed-cpu-compare.sh BUILD_DIR [SECONDS] [TICK_RATE] [KEYS] [MODE]
# Defaults: 60 s, 3000 frames/s across both connections, 50 keys (NIFTY and 49 options of the
# nearest expiry), full. Prints each side's JSON summary and the ratio of CPU per frame.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${1:?usage: feed-cpu-compare.sh BUILD_DIR [SECONDS] [TICK_RATE] [KEYS] [MODE]}" && pwd)"
seconds="${2:-60}"
rate="${3:-3000}"
count="${4:-50}"
mode="${5:-full}"
fixtures="${STRIKELINE_REAL_DATA_DIR:-$here/../shared/data/upstox}"
master="$fixtures/fixture-NSE_FO-subset-2026-08-21.json"
cli="$build/app/strikeline-cli"
sdk="$here/tests/sdk"
at="2026-08-21 10:30"

[[ -f "$sdk/node_modules/upstox-js-sdk/package.json" ]] || (cd "$sdk" && npm ci --no-audit --no-fund --loglevel=error)
work="$(mktemp -d)"
sim_pid=""
cleanup() {
  [[ -n "$sim_pid" ]] && kill -TERM "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$cli" upstox-sim --master "$master" --port 0 --seed 7 --at "$at" --tick-rate "$rate" \
  >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
for _ in $(seq 1 600); do
  grep -q '^listening on ' "$work/sim.out" 2>/dev/null && break
  sleep 0.1
done
export SIM_URL="$(sed -n 's/^listening on //p' "$work/sim.out" | head -1)"
[[ -n "$SIM_URL" ]] || { cat "$work/sim.err" >&2; exit 1; }
export UPSTOX_TEST_TOKEN="$(cd "$sdk" && node -e "require('./sim-host.js').login().then((t) => process.stdout.write(t))")"

(cd "$sdk" && node --require ./sim-host.js feed-cpu.js keys "NSE_INDEX|Nifty 50" "$count") >"$work/keys"
mapfile -t keys <"$work/keys"
echo "keys: ${#keys[@]} ($mode), simulator at $rate frames/s across both clients, $seconds s" >&2

(cd "$sdk" && FEED_KEYS_FILE="$work/keys" FEED_MODE="$mode" FEED_SECONDS="$seconds" \
   node --require ./sim-host.js feed-cpu.js measure) >"$work/sdk.json" &
sdk_pid=$!
STRIKELINE_UPSTOX_URL="$SIM_URL" UPSTOX_ACCESS_TOKEN="$UPSTOX_TEST_TOKEN" STRIKELINE_KEYCHAIN=off \
  "$cli" quotes "${keys[@]}" --mode "$mode" --seconds "$seconds" --stats --at "$at" >"$work/ours.json"
wait "$sdk_pid"

echo "strikeline: $(cat "$work/ours.json")"
echo "sdk:        $(cat "$work/sdk.json")"
node -e '
const ours = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const sdk = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
const per = (s) => (s.cpu_seconds / s.frames) * 1e6;
console.log(`CPU per frame: strikeline ${per(ours).toFixed(1)} us, sdk ${per(sdk).toFixed(1)} us, ` +
            `ratio ${(per(ours) / per(sdk)).toFixed(3)}`);
' "$work/ours.json" "$work/sdk.json"
