#!/usr/bin/env bash
# Load test of the local HTTP API (docs/api.md) with wrk on loopback: requests/s and latency
# percentiles for contract info, search and chain against the real master.
#
#   bash tests/bench/api-load.sh [build-dir]     (default build/release; `make bench-api`)
#
# Env: STRIKELINE_REAL_DATA_DIR (default ../shared/data/upstox), DURATION (default 10s),
# CONNECTIONS (default 4), THREADS (default 2). The results go into docs/PERFORMANCE.md by hand.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$repo/build/release}
cli=$build/app/strikeline-cli
data=${STRIKELINE_REAL_DATA_DIR:-$repo/../shared/data/upstox}
master=$data/complete-2025-12-09.json.gz
duration=${DURATION:-10s}
connections=${CONNECTIONS:-4}
threads=${THREADS:-2}

for tool in wrk curl; do
    command -v "$tool" >/dev/null || { echo "api-load: $tool is not installed (make deps)" >&2; exit 1; }
done
[[ -x $cli ]] || { echo "api-load: no $cli: build it first (cmake --preset release)" >&2; exit 1; }
[[ -f $master ]] || { echo "api-load: the real master is missing: $master" >&2; exit 1; }

scratch=$(mktemp -d)
server_pid=
cleanup() {
    if [[ -n $server_pid ]]; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$scratch"
}
trap cleanup EXIT

XDG_CONFIG_HOME=$scratch/config XDG_DATA_HOME=$scratch/data \
    "$cli" serve --port 0 --master "$master" >"$scratch/out" 2>"$scratch/err" &
server_pid=$!
for _ in $(seq 1 600); do
    grep -q '^API: ' "$scratch/out" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$scratch/err" >&2; exit 1; }
    sleep 0.1
done
base=$(sed -n 's/^API: //p' "$scratch/out")
token_file=$(sed -n 's/^Token file: \([^ ]*\).*/\1/p' "$scratch/out")
[[ -n $base && -f $token_file ]] || { echo "api-load: the server did not start" >&2; cat "$scratch/err" >&2; exit 1; }
auth="Authorization: Bearer $(cat "$token_file")"

# The master is of 2025-12-09: ask as of that day so the answers are the day's real ones.
declare -A urls=(
    [contract]="${base}instruments/NSE_FO%7C41915"
    [search]="${base}instruments/search?q=NIFTY&limit=20&at=2025-12-09"
    [chain]="${base}instruments/chain/NIFTY?at=2025-12-09&spot=25850&strikes=10"
)

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "server:  $cli ($(basename "$build")), master $(basename "$master")"
echo "wrk:     -c$connections -t$threads -d$duration --latency, loopback, keep-alive"
for name in contract search chain; do
    url=${urls[$name]}
    code=$(curl -s -o "$scratch/body" -w '%{http_code}' -H "$auth" "$url")
    [[ $code == 200 ]] || { echo "api-load: $name answered $code: $(cat "$scratch/body")" >&2; exit 1; }
    bytes=$(wc -c <"$scratch/body")
    wrk -c"$connections" -t"$threads" -d"$duration" --latency -H "$auth" "$url" >"$scratch/wrk"
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$scratch/wrk")
    pct() { awk -v p="$1" '$1 == p {print $2}' "$scratch/wrk"; }
    errors=$(grep -E 'Non-2xx|Socket errors' "$scratch/wrk" | tr '\n' ' ' || true)
    printf '%-9s %6s bytes  %10s req/s  p50 %-9s p90 %-9s p99 %-9s %s\n' \
        "$name" "$bytes" "$rps" "$(pct 50%)" "$(pct 90%)" "$(pct 99%)" "$errors"
done
