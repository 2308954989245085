#!/usr/bin/env bash
# A real, throwaway PostgreSQL server for the test suite -- never a system server.
#
#   pg-test-server.sh start DIR     initdb + start a private server; DIR/url, DIR/port
#   pg-test-server.sh stop DIR [--force]
#                                   stop it (immediate) and remove DIR; fine if never started
#
# ctest runs `start` and `stop` as the FIXTURES_SETUP / FIXTURES_CLEANUP tests of the
# `postgres` fixture (tests/CMakeLists.txt); tests read the URL from $STRIKELINE_TEST_PG_DIR/url:
#   postgresql://strikeline@127.0.0.1:PORT/strikeline_test
# The role `strikeline` is a superuser with trust auth, reachable only on 127.0.0.1 (TCP) and
# through a Unix socket inside the server's own directory. Nothing here touches the network
# beyond loopback, nor any system cluster (/etc/postgresql, port 5432, /var/run/postgresql).
#
# Layout: DIR holds the contract files (url, port) and bookkeeping (rundir, owner, holders,
# server.log). The cluster itself lives in RUNDIR/data with its socket and log in RUNDIR.
# RUNDIR is DIR itself for a normal user; as root it is a fresh mktemp -d under /tmp owned by
# the unprivileged `strikeline-pg` account, because PostgreSQL refuses to run as root and
# that account must be able to reach its data directory (the build tree may not be).
#
# Sharing: one server per DIR. Each `start` registers its parent process (ctest) as a holder
# and each `stop` unregisters it; the server goes away when the last live holder stops, so
# two concurrent ctest runs of one build share a server without pulling it from under each
# other. Holders that died without stopping (a killed ctest) are pruned; a server left with
# no live holders is discarded and started afresh. `stop --force` ignores holders.
#
# Environment: STRIKELINE_PG_BINDIR overrides the server binaries' directory;
# STRIKELINE_PG_HOLDER overrides the holder id (default: the parent pid).
set -euo pipefail

readonly OS_USER=strikeline-pg # unprivileged account that runs the server when we are root
readonly DB_ROLE=strikeline
readonly DB_NAME=strikeline_test
readonly PORT_MIN=20000 # below Linux's ephemeral range (32768+), so outgoing
readonly PORT_SPAN=12000 # connections do not race us for the port
readonly PORT_ATTEMPTS=25

PROG=pg-test-server
info() { echo "$PROG: $*"; }
warn() { echo "$PROG: warning: $*" >&2; }
die() {
    echo "$PROG: error: $*" >&2
    exit 1
}
now_ms() { date +%s%3N; }

usage() {
    echo "usage: $0 start DIR | stop DIR [--force]" >&2
    exit 2
}

is_root() { [[ $(id -u) == 0 ]]; }
ME=$(id -un 2>/dev/null || id -u)

# ---- locating PostgreSQL ---------------------------------------------------------------

# The first directory holding initdb, pg_ctl and postgres. Debian keeps them in
# /usr/lib/postgresql/<major>/bin, which is not on PATH; pg_config (libpq-dev) names the
# version directory but does not guarantee the server package is installed.
find_bindir() {
    local candidates=() d
    [[ -n ${STRIKELINE_PG_BINDIR:-} ]] && candidates+=("$STRIKELINE_PG_BINDIR")
    if command -v pg_config >/dev/null 2>&1; then
        d=$(pg_config --bindir 2>/dev/null || true)
        [[ -n $d ]] && candidates+=("$d")
    fi
    local globbed
    globbed=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k5,5 -V -r)
    while IFS= read -r d; do
        [[ -d $d ]] && candidates+=("$d")
    done <<<"$globbed"
    if command -v initdb >/dev/null 2>&1; then
        candidates+=("$(dirname "$(readlink -f "$(command -v initdb)")")")
    fi
    for d in "${candidates[@]}"; do
        if [[ -x $d/initdb && -x $d/pg_ctl && -x $d/postgres ]]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

# ---- running as the server's owner -----------------------------------------------------

ensure_os_user() {
    id -u "$OS_USER" >/dev/null 2>&1 && return 0
    command -v useradd >/dev/null 2>&1 ||
        die "running as root needs useradd to create the unprivileged '$OS_USER' account"
    info "creating system user '$OS_USER' (PostgreSQL refuses to run as root)"
    # A concurrent start for another build directory may create it first: re-check on failure.
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
        --comment "Strikeline throwaway test PostgreSQL" "$OS_USER" 2>/dev/null ||
        id -u "$OS_USER" >/dev/null 2>&1 ||
        die "could not create system user '$OS_USER' (useradd failed)"
}

# Runs "$@" as the server's owner (recorded in DIR/owner), from /, without our lock fd 9:
# the postmaster must not inherit it, or it would hold the lock for its whole life.
as_owner() {
    local owner=${SERVER_OWNER:-$ME}
    if [[ $owner == "$ME" ]]; then
        (cd / && "$@") 9<&-
    elif is_root; then
        command -v runuser >/dev/null 2>&1 ||
            die "running as root needs runuser (util-linux) to start PostgreSQL as '$owner'"
        (cd / && runuser -u "$owner" -- "$@") 9<&-
    else
        die "the server in $DIR belongs to '$owner'; stop it as root or that user"
    fi
}

# ---- bookkeeping -----------------------------------------------------------------------

lock_dir() {
    # flock on the parent directory: no lock file to litter, and DIR itself can be removed.
    local parent
    parent=$(dirname "$DIR")
    mkdir -p "$parent" || die "cannot create $parent"
    exec 9<"$parent"
    if command -v flock >/dev/null 2>&1; then
        flock -w 120 9 || die "timed out waiting for another $PROG on $DIR"
    else
        warn "flock not found; concurrent starts/stops of $DIR are not serialised"
    fi
}

# A zombie counts as gone: an exited postmaster is reparented to PID 1, which in some
# containers reaps late or never.
pid_alive() {
    [[ $1 =~ ^[0-9]+$ ]] || return 1
    if [[ -r /proc/$1/stat ]]; then
        local stat
        stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
        stat=${stat##*) } # the state follows the parenthesised command name
        [[ ${stat:0:1} != [ZX] ]]
    else
        kill -0 "$1" 2>/dev/null
    fi
}

# Prints the live holders other than $1 (one per line).
live_holders_except() {
    [[ -f $DIR/holders ]] || return 0
    local h
    while IFS= read -r h; do
        if [[ $h != "$1" ]] && pid_alive "$h"; then echo "$h"; fi
    done <"$DIR/holders" | sort -u
}

write_holders() { # lines on stdin
    local tmp="$DIR/holders.tmp"
    cat >"$tmp" && mv -f "$tmp" "$DIR/holders"
}

write_file() { # path content: atomically, so readers never see a half-written url
    printf '%s\n' "$2" >"$1.tmp" && mv -f "$1.tmp" "$1"
}

load_state() {
    RUNDIR=$(cat "$DIR/rundir" 2>/dev/null || echo "$DIR")
    SERVER_OWNER=$(cat "$DIR/owner" 2>/dev/null || echo "$ME")
    PGDATA_DIR=$RUNDIR/data
}

postmaster_pid() { head -n1 "$PGDATA_DIR/postmaster.pid" 2>/dev/null || true; }

server_running() {
    local pid
    pid=$(postmaster_pid)
    [[ -n $pid ]] && pid_alive "$pid"
}

# Stops the server recorded in DIR (if any) and removes RUNDIR and DIR.
teardown() {
    load_state
    if server_running; then
        local bindir pid
        pid=$(postmaster_pid)
        if bindir=$(find_bindir); then
            as_owner "$bindir/pg_ctl" -D "$PGDATA_DIR" -m immediate -w -t 30 stop >/dev/null 2>&1 ||
                true
        fi
        if pid_alive "$pid"; then
            warn "pg_ctl did not stop postmaster $pid; killing it"
            kill -KILL "$pid" 2>/dev/null || true
            for _ in $(seq 50); do pid_alive "$pid" || break; sleep 0.1; done
        fi
        pid_alive "$pid" && die "postmaster $pid (data $PGDATA_DIR) is still running"
    fi
    if [[ $RUNDIR != "$DIR" && $RUNDIR == /* && -d $RUNDIR ]]; then
        rm -rf -- "$RUNDIR" || die "cannot remove $RUNDIR"
    fi
    rm -rf -- "$DIR" || die "cannot remove $DIR"
}

# ---- start -----------------------------------------------------------------------------

# True if something already accepts connections on 127.0.0.1:$1.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_failed() {
    local rc=$?
    ((rc == 0)) && return 0
    if [[ -f $RUNDIR/server.log ]]; then
        echo "---- $RUNDIR/server.log (last 30 lines) ----" >&2
        tail -n 30 "$RUNDIR/server.log" >&2 || true
    fi
    warn "start failed; removing the partial server in $DIR"
    (teardown) || true
    exit "$rc"
}

start() {
    local t0 holder bindir
    t0=$(now_ms)
    holder=${STRIKELINE_PG_HOLDER:-$PPID}
    lock_dir

    if [[ -e $DIR ]]; then
        load_state
        if [[ -s $DIR/url ]] && server_running; then
            local others
            others=$(live_holders_except "$holder")
            if [[ -n $others ]] || grep -qx "$holder" "$DIR/holders" 2>/dev/null; then
                { [[ -n $others ]] && echo "$others"; echo "$holder"; } | sort -u | write_holders
                info "reusing running server $(cat "$DIR/url") (holders: $(paste -sd' ' "$DIR/holders"))"
                return 0
            fi
            info "discarding a server left behind by a run that did not stop it"
        fi
        teardown
    fi

    bindir=$(find_bindir) || die "PostgreSQL server binaries not found (initdb, pg_ctl, postgres" \
        "in /usr/lib/postgresql/*/bin, pg_config --bindir or PATH): install the 'postgresql'" \
        "package (make deps does), or set STRIKELINE_PG_BINDIR"

    mkdir -p "$DIR" || die "cannot create $DIR"
    chmod 755 "$DIR"
    RUNDIR=$DIR
    SERVER_OWNER=$ME
    # pg_ctl hands -o to /bin/sh and a Unix socket path must stay under ~107 bytes: a plain,
    # short DIR can hold the cluster; otherwise (and always as root) use a private temp dir.
    if is_root || [[ ! $DIR =~ ^[A-Za-z0-9/._+-]+$ ]] || ((${#DIR} > 80)); then
        local tmpbase=${TMPDIR:-/tmp}
        if is_root; then
            ensure_os_user
            SERVER_OWNER=$OS_USER
            tmpbase=/tmp # must be traversable by $OS_USER
        fi
        RUNDIR=$(mktemp -d "$tmpbase/strikeline-pg.XXXXXX") || die "mktemp -d in $tmpbase failed"
        chmod 755 "$RUNDIR"
        is_root && chown "$OS_USER:" "$RUNDIR"
        ln -sfn "$RUNDIR/server.log" "$DIR/server.log"
    fi
    PGDATA_DIR=$RUNDIR/data
    write_file "$DIR/rundir" "$RUNDIR"
    write_file "$DIR/owner" "$SERVER_OWNER"
    trap start_failed EXIT

    # C locale: identical sorting everywhere and no dependency on generated locales.
    if ! as_owner "$bindir/initdb" -D "$PGDATA_DIR" --auth=trust -U "$DB_ROLE" --encoding=UTF8 \
        --no-locale --no-sync --no-instructions >"$DIR/initdb.log" 2>&1; then
        cat "$DIR/initdb.log" >&2
        die "initdb failed (as $SERVER_OWNER, data $PGDATA_DIR)"
    fi

    # fsync, synchronous_commit and full_page_writes are off ONLY because this cluster is
    # throwaway test scaffolding: a crash loses it anyway. Never copy these into a real setup.
    local port="" attempt candidate
    for ((attempt = 1; attempt <= PORT_ATTEMPTS; attempt++)); do
        candidate=$((PORT_MIN + (RANDOM * 32768 + RANDOM) % PORT_SPAN))
        port_in_use "$candidate" && continue
        rm -f "$RUNDIR/server.log"
        if as_owner "$bindir/pg_ctl" -w -t 60 -D "$PGDATA_DIR" -l "$RUNDIR/server.log" \
            -o "-c listen_addresses=127.0.0.1 -p $candidate -k $RUNDIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" \
            start >/dev/null 2>&1; then
            port=$candidate
            break
        fi
        # Lost a race for the port (someone bound it after our check): pick another one.
        if grep -qE 'could not bind|Address already in use|could not create any TCP/IP sockets' \
            "$RUNDIR/server.log" 2>/dev/null; then
            continue
        fi
        die "PostgreSQL failed to start (pg_ctl start, data $PGDATA_DIR)"
    done
    [[ -n $port ]] || die "no free TCP port on 127.0.0.1 after $PORT_ATTEMPTS attempts"

    PGCONNECT_TIMEOUT=10 "$bindir/createdb" -h 127.0.0.1 -p "$port" -U "$DB_ROLE" "$DB_NAME" 9<&- ||
        die "createdb $DB_NAME failed on 127.0.0.1:$port"

    write_file "$DIR/port" "$port"
    write_file "$DIR/url" "postgresql://$DB_ROLE@127.0.0.1:$port/$DB_NAME"
    echo "$holder" | write_holders
    trap - EXIT
    info "PostgreSQL $("$bindir/postgres" -V | awk '{print $3}') ready at $(cat "$DIR/url")" \
        "(owner $SERVER_OWNER, data $PGDATA_DIR, pid $(postmaster_pid)) in $(($(now_ms) - t0)) ms"
}

# ---- stop ------------------------------------------------------------------------------

stop() {
    local t0 holder others
    t0=$(now_ms)
    holder=${STRIKELINE_PG_HOLDER:-$PPID}
    if [[ ! -e $DIR ]]; then
        info "nothing to stop in $DIR"
        return 0
    fi
    lock_dir
    [[ -e $DIR ]] || { info "nothing to stop in $DIR"; return 0; }
    others=$(live_holders_except "$holder")
    if [[ -n $others && $FORCE != 1 ]]; then
        echo "$others" | write_holders
        info "server still used by pid(s) $(echo "$others" | paste -sd' '); leaving it running" \
            "(stop DIR --force to stop it anyway)"
        return 0
    fi
    teardown
    info "stopped and removed $DIR in $(($(now_ms) - t0)) ms"
}

# ---- main ------------------------------------------------------------------------------

(($# >= 2)) || usage
CMD=$1
[[ -n $2 ]] || usage
DIR=$(realpath -m -- "$2")
FORCE=0
if (($# == 3)) && [[ $CMD == stop && $3 == --force ]]; then
    FORCE=1
elif (($# != 2)); then
    usage
fi
[[ $DIR != / ]] || die "refusing to use / as DIR"

case $CMD in
start) start ;;
stop) stop ;;
*) usage ;;
esac
