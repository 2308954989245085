#!/usr/bin/env bash
# Screenshots of every view of the desktop terminal on the real Upstox master, in the light and
# the dark theme, under Xvfb: docs/screenshots/<view>-<theme>.png at 1280x800 and
# docs/screenshots/<view>-<theme>-1920.png at 1920x1080.
#
#   tools/screenshots.sh [BUILD_DIR]        (default build/dev; `make screenshots` runs it)
#
# The master is synced into a scratch SQLite database first, so the window shows what a trader
# sees after a real sync (master date, sync run), and the clock is pinned to that master's
# trading day (--at), so contracts are live rather than a year expired.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/dev}
master=${STRIKELINE_SCREENSHOT_MASTER:-$root/../shared/data/upstox/complete-2025-12-09.json.gz}
at=${STRIKELINE_SCREENSHOT_AT:-2025-12-09 10:30}
out=${STRIKELINE_SCREENSHOT_OUT:-$root/docs/screenshots}
cli=$build/app/strikeline-cli
desktop=$build/app/strikeline-screenshots

for tool in xvfb-run "$cli" "$desktop"; do
    command -v "$tool" >/dev/null || { echo "screenshots: $tool not found (build first)" >&2; exit 1; }
done
[ -f "$master" ] || { echo "screenshots: master not found: $master" >&2; exit 1; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export XDG_CONFIG_HOME=$scratch/config XDG_DATA_HOME=$scratch/data XDG_CACHE_HOME=$scratch/cache
db="sqlite://$scratch/strikeline.db"
# Yesterday's master first when there is one, so the history and the changes have something to
# show.
previous=${STRIKELINE_SCREENSHOT_PREVIOUS:-$root/../shared/data/upstox/complete-2025-11-25.json.gz}
[ -f "$previous" ] && "$cli" sync --db "$db" --source "$previous" >/dev/null
"$cli" sync --db "$db" --source "$master" >/dev/null

mkdir -p "$out"
# A market watch for the watch shots, written where the desktop reads its settings.
mkdir -p "$XDG_CONFIG_HOME/Strikeline"
cat > "$XDG_CONFIG_HOME/Strikeline/strikeline.conf" <<'CONF'
[watch]
current=Index & stocks
lists="[{\"name\":\"Index & stocks\",\"keys\":[\"NSE_INDEX|Nifty 50\",\"NSE_FO|49543\",\"NSE_FO|49508\",\"NSE_FO|48224\",\"NSE_FO|48225\",\"NSE_EQ|INE002A01018\",\"NSE_FO|50014\",\"BSE_FO|1102290\",\"MCX_FO|462523\"]},{\"name\":\"Weeklies\",\"keys\":[]}]"
CONF
shoot() { # name theme size suffix args...
    local name=$1 theme=$2 size=$3 suffix=$4
    shift 4
    # Each shot starts with an empty order journal: the orders view shows what it placed.
    rm -rf "$XDG_DATA_HOME/Strikeline/strikeline/journal"
    xvfb-run -a -s "-screen 0 1920x1080x24" \
        "$desktop" --db "${shot_db:-$db}" --at "${shot_at:-$at}" --theme "$theme" --size "$size" \
        --screenshot "$out/$name-$theme$suffix.png" "$@" >/dev/null
    echo "$out/$name-$theme$suffix.png"
}

for theme in light dark; do
    for size in 1280x800 1920x1080; do
        suffix=
        [ "$size" = 1280x800 ] || suffix=-${size%%x*}
        shoot search "$theme" "$size" "$suffix" --query "nifty 26000"
        shoot chain "$theme" "$size" "$suffix" --query "NIFTY" --chain NIFTY --spot 25960
        shoot palette "$theme" "$size" "$suffix" --query "bank" --palette
        shoot sync "$theme" "$size" "$suffix" --panel sync
        shoot orders "$theme" "$size" "$suffix" --query "nifty fut" --panel orders
        shoot ticket "$theme" "$size" "$suffix" --query "nifty 26000 ce" --panel ticket
        # Logged out (no session here): the login form and the Analytics Token group.
        shoot upstox "$theme" "$size" "$suffix" --panel upstox
        shoot watch "$theme" "$size" "$suffix" --query "nifty fut" --panel watch
    done
    # The narrowest window we support: the status line elides instead of clipping.
    shoot search "$theme" 1024x700 -1024 --query "nifty 26000"
done

# The live market: the chain and the search results on the feed of `strikeline-cli upstox-sim`
# (the fixture's day, its Analytics Token), never on Upstox. The shots wait for the first ticks.
fixture=${STRIKELINE_SCREENSHOT_LIVE_MASTER:-$root/../shared/data/upstox/fixture-NSE_FO-subset-2026-08-21.json}
if [ -f "$fixture" ]; then
    shot_db="sqlite://$scratch/live.db"
    shot_at="2026-08-21 10:00"
    "$cli" sync --db "$shot_db" --source "$fixture" >/dev/null
    "$cli" upstox-sim --master "$fixture" --port 0 --at "$shot_at" >"$scratch/sim.out" 2>"$scratch/sim.err" &
    sim=$!
    trap 'kill $sim 2>/dev/null; rm -rf "$scratch"' EXIT
    for _ in $(seq 100); do
        grep -q '^listening on ' "$scratch/sim.out" && break
        sleep 0.2
    done
    url=$(sed -n 's/^listening on //p' "$scratch/sim.out")
    [ -n "$url" ] || { echo "screenshots: the simulator did not start: $(cat "$scratch/sim.err")" >&2; exit 1; }
    export STRIKELINE_UPSTOX_URL=$url UPSTOX_ANALYTICS_TOKEN=sim-analytics-token
    for theme in light dark; do
        shoot chain-live "$theme" 1280x800 "" --query "NIFTY" --chain NIFTY
        shoot chain-live "$theme" 1920x1080 -1920 --query "NIFTY" --chain NIFTY
        shoot search-live "$theme" 1280x800 "" --query "nifty fut"
    done
    unset STRIKELINE_UPSTOX_URL UPSTOX_ANALYTICS_TOKEN shot_db shot_at
fi
