#!/usr/bin/env bash
# Screenshots of every view of the desktop terminal on the real Upstox master, in the light and
# the dark theme, at 1366x768 under Xvfb: docs/screenshots/<view>-<theme>.png.
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
out=$root/docs/screenshots
cli=$build/app/strikeline-cli
desktop=$build/app/strikeline

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
shoot() { # name theme args...
    local name=$1 theme=$2
    shift 2
    # Each shot starts with an empty order journal: the orders view shows what it placed.
    rm -rf "$XDG_DATA_HOME/Strikeline/strikeline/journal"
    xvfb-run -a -s "-screen 0 1366x768x24" \
        "$desktop" --db "$db" --at "$at" --theme "$theme" \
        --screenshot "$out/$name-$theme.png" "$@" >/dev/null
    echo "$out/$name-$theme.png"
}

for theme in light dark; do
    shoot search "$theme" --query "nifty 26000"
    shoot chain "$theme" --query "NIFTY" --chain NIFTY --spot 25960
    shoot palette "$theme" --query "bank" --palette
    shoot sync "$theme" --panel sync
    shoot orders "$theme" --query "nifty fut" --panel orders
    shoot ticket "$theme" --query "nifty 26000 ce" --panel ticket
done
