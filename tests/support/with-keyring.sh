#!/bin/sh
# Runs a test against a real, throwaway Secret Service: a private D-Bus session bus
# (dbus-run-session) and a gnome-keyring-daemon whose login keyring is created and unlocked with
# a throwaway password, in a throwaway HOME. Nothing of the user's keyring is touched.
#
#   with-keyring.sh TEST [ARGS...]
#
# Without dbus-run-session or gnome-keyring-daemon (`make deps` installs both) the test is
# skipped (exit 77), unless STRIKELINE_REQUIRE_KEYCHAIN=1, when that is a failure.
set -eu
if [ "${1:-}" = "--inside" ]; then
    shift
    home=$(mktemp -d)
    trap 'rm -rf "$home"' EXIT
    export HOME="$home" XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config"
    export XDG_RUNTIME_DIR="$home/run"
    mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
    # --unlock reads the login keyring's password on stdin and creates that keyring.
    eval "$(printf 'strikeline-test' | gnome-keyring-daemon --unlock --components=secrets)"
    export STRIKELINE_KEYRING_RUNNING=1
    status=0
    "$@" || status=$?
    # Only the daemon started here: the one whose environment has this throwaway HOME.
    for pid in $(pgrep -u "$(id -u)" -f "gnome-keyring-daemon --unlock" 2>/dev/null); do
        if tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx "HOME=$home"; then
            kill "$pid" 2>/dev/null || true
        fi
    done
    exit "$status"
fi
for tool in dbus-run-session gnome-keyring-daemon; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "with-keyring.sh: $tool is not installed (make deps installs it)" >&2
        [ "${STRIKELINE_REQUIRE_KEYCHAIN:-0}" = 1 ] && exit 1
        exit 77
    fi
done
exec dbus-run-session -- sh "$0" --inside "$@"
