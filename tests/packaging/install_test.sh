#!/bin/bash
# The install test (ctest: install_test): build the .deb and .tar.gz from this build tree, unpack
# the .deb into a scratch root (no root rights needed), and use it as a trader would on a fresh
# account: versions, a first search on the demo data, the desktop's smoke test, desktop
# integration files, and that removing the program leaves the user's data in place.
#
#   install_test.sh BUILD_DIR VERSION
#
# With STRIKELINE_INSTALL_TEST_DPKG=1, running as root, it also installs the package for real
# (dpkg -i), runs it, and removes and purges it (dpkg -r, dpkg -P): only on a throwaway machine.
set -euo pipefail

build=$(cd "$1" && pwd)
version=$2
app_id=in.strikeline.Strikeline

work=$(mktemp -d "${TMPDIR:-/tmp}/strikeline-install-test.XXXXXX")
trap 'rm -rf "$work"' EXIT

fail() { echo "install_test: FAIL: $*" >&2; exit 1; }
step() { echo "install_test: $*"; }
need() { command -v "$1" >/dev/null || fail "'$1' is missing (Debian package $2; 'make deps' installs it)"; }

need cpack cmake
need dpkg-deb dpkg
need dpkg-checkbuilddeps dpkg-dev
need readelf binutils
need appstreamcli appstream
need desktop-file-validate desktop-file-utils

# --- build the packages ------------------------------------------------------------------------
step "cpack -G DEB;TGZ"
(cd "$build" && cpack -G "DEB;TGZ" -B "$work/pkg" >"$work/cpack.log" 2>&1) ||
    { cat "$work/cpack.log" >&2; fail "cpack failed"; }
deb=$(ls "$work"/pkg/strikeline_"$version"_*.deb 2>/dev/null | head -n1)
tgz=$(ls "$work"/pkg/strikeline-"$version"-*.tar.gz 2>/dev/null | head -n1)
[ -f "$deb" ] || fail "no strikeline_${version}_*.deb in $(ls "$work/pkg")"
[ -f "$tgz" ] || fail "no strikeline-${version}-*.tar.gz in $(ls "$work/pkg")"
step "built $(basename "$deb") ($(stat -c %s "$deb") bytes), $(basename "$tgz")"

# --- control data -----------------------------------------------------------------------------
[ "$(dpkg-deb -f "$deb" Package)" = strikeline ] || fail "package name"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "package version"
[ -n "$(dpkg-deb -f "$deb" Maintainer)" ] || fail "no Maintainer"
[ -n "$(dpkg-deb -f "$deb" Section)" ] || fail "no Section"
depends=$(dpkg-deb -f "$deb" Depends)
step "Depends: $depends"
# The runtime the terminal needs on Debian 12 / Ubuntu 24.04, including what is only loaded as a
# plugin (SQL drivers, platform plugins) and therefore invisible to dpkg-shlibdeps.
for pkg in libqt6core6 libqt6gui6 libqt6widgets6 libqt6network6 libqt6sql6 libqt6sql6-sqlite \
           libqt6sql6-psql libqt6httpserver6 qt6-qpa-plugins libspdlog libfmt libsimdjson \
           libabsl libpq5 libsqlite3-0 zlib1g libcsv3; do
    grep -Eq "(^|, )$pkg[^,]*" <<<"$depends" || fail "Depends lacks $pkg"
done
# Every dependency (versions, virtual packages) is satisfied by what this machine has installed.
dpkg-checkbuilddeps -d "$depends" /dev/null || fail "Depends not satisfied on this machine"

# No maintainer scripts: installing, upgrading and removing never touch a user's files.
dpkg-deb -e "$deb" "$work/control"
for script in preinst postinst prerm postrm config; do
    [ ! -e "$work/control/$script" ] || fail "the package has a $script script"
done

# --- the files --------------------------------------------------------------------------------
root="$work/root"
dpkg-deb -x "$deb" "$root"
expected="usr/bin/strikeline
usr/bin/strikeline-cli
usr/share/applications/$app_id.desktop
usr/share/doc/strikeline/README.md
usr/share/doc/strikeline/cli.md
usr/share/doc/strikeline/install.md
usr/share/icons/hicolor/scalable/apps/$app_id.svg
usr/share/metainfo/$app_id.metainfo.xml"
for size in 16 24 32 48 64 128 256 512; do
    expected+=$'\n'"usr/share/icons/hicolor/${size}x${size}/apps/$app_id.png"
done
actual=$(cd "$root" && find . -type f | sed 's|^\./||' | sort)
[ "$actual" = "$(sort <<<"$expected")" ] ||
    fail "unexpected file list:"$'\n'"$(diff <(sort <<<"$expected") <(echo "$actual"))"
tar -tzf "$tgz" >"$work/tgz.list"
grep -q "/bin/strikeline-cli$" "$work/tgz.list" || fail "the tarball lacks bin/strikeline-cli"
grep -q "/share/metainfo/$app_id.metainfo.xml$" "$work/tgz.list" || fail "the tarball lacks the metainfo"

for program in strikeline strikeline-cli; do
    binary="$root/usr/bin/$program"
    [ -x "$binary" ] || fail "$program is not executable"
    # System libraries only: no RPATH pointing into a build tree, nothing unresolved.
    readelf -d "$binary" >"$work/dynamic"
    ! grep -Eq "RPATH|RUNPATH" "$work/dynamic" || fail "$program carries an RPATH"
    ldd "$binary" >"$work/ldd"
    ! grep "not found" "$work/ldd" || fail "$program needs libraries this machine lacks"
done

# --- desktop integration ------------------------------------------------------------------------
appstreamcli validate --no-net "$root/usr/share/metainfo/$app_id.metainfo.xml" >"$work/as.log" 2>&1 ||
    { cat "$work/as.log" >&2; fail "appstreamcli validate"; }
desktop-file-validate "$root/usr/share/applications/$app_id.desktop" || fail "desktop-file-validate"
grep -q "<release version=\"$version\"" "$root/usr/share/metainfo/$app_id.metainfo.xml" ||
    fail "the metainfo has no <release> for $version"

# --- a fresh account ----------------------------------------------------------------------------
home="$work/home"
mkdir -p "$home/runtime" && chmod 700 "$home/runtime"
export HOME="$home" XDG_DATA_HOME="$home/.local/share" XDG_CONFIG_HOME="$home/.config" \
       XDG_CACHE_HOME="$home/.cache" XDG_RUNTIME_DIR="$home/runtime"
unset SPDLOG_LEVEL
data="$XDG_DATA_HOME/Strikeline/strikeline"

out=$("$root/usr/bin/strikeline-cli" --version) || fail "strikeline-cli --version"
[ "$out" = "strikeline-cli $version" ] || fail "strikeline-cli --version said '$out'"
out=$("$root/usr/bin/strikeline" --version) || fail "strikeline --version"
[ "$out" = "strikeline $version" ] || fail "strikeline --version said '$out'"

step "strikeline-cli search NIFTY (first run: empty database)"
"$root/usr/bin/strikeline-cli" search NIFTY --limit 5 >"$work/search.out" 2>"$work/search.err" ||
    { cat "$work/search.err" >&2; fail "strikeline-cli search NIFTY exited $?"; }
cat "$work/search.out" "$work/search.err"
grep -Eq "NIFTY FUT [0-9]{2} [A-Z]{3} [0-9]{2} +NSE_FO" "$work/search.out" ||
    fail "no NIFTY futures in the answer"
grep -q "using DEMO DATA" "$work/search.err" || fail "the CLI did not say it is using demo data"
grep -q "imported the demo master" "$work/search.err" || fail "no first-run import reported"
[ -s "$data/strikeline.db" ] || fail "no database in $data"

step "strikeline --smoke-test (offscreen)"
QT_QPA_PLATFORM=offscreen "$root/usr/bin/strikeline" --smoke-test >"$work/smoke.out" 2>"$work/smoke.err" ||
    { cat "$work/smoke.out" "$work/smoke.err" >&2; fail "strikeline --smoke-test"; }
cat "$work/smoke.out"
grep -q "smoke test ok" "$work/smoke.out" || fail "the smoke test said nothing"
grep -q "\[demo\]" "$work/smoke.out" || fail "the desktop did not label the demo data"
[ -s "$data/logs/strikeline.log" ] || fail "the desktop wrote no log file in $data/logs"

# --- uninstall ---------------------------------------------------------------------------------
# Removing the program (here: its unpacked root) leaves data, settings and logs alone.
rm -rf "$root"
for kept in strikeline.db logs/strikeline.log; do
    [ -s "$data/$kept" ] || fail "$kept is gone after uninstalling"
done
ls "$data"/demo-master-*.json.gz >/dev/null || fail "the demo master is gone after uninstalling"

# --- optionally, the real thing ------------------------------------------------------------------
if [ "${STRIKELINE_INSTALL_TEST_DPKG:-0}" = 1 ]; then
    [ "$(id -u)" = 0 ] || fail "STRIKELINE_INSTALL_TEST_DPKG=1 needs root"
    ! dpkg-query -W strikeline >/dev/null 2>&1 || fail "strikeline is already installed here"
    step "dpkg -i, run, dpkg -r; dpkg -i, dpkg -P"
    trap 'dpkg -P strikeline >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
    dpkg -i "$deb" >/dev/null
    /usr/bin/strikeline-cli search NIFTY --limit 1 >/dev/null 2>&1 || fail "installed strikeline-cli"
    dpkg -r strikeline >/dev/null
    [ ! -e /usr/bin/strikeline-cli ] || fail "dpkg -r left /usr/bin/strikeline-cli"
    [ -s "$data/strikeline.db" ] || fail "dpkg -r removed the user's database"
    dpkg -i "$deb" >/dev/null
    dpkg -P strikeline >/dev/null
    [ -s "$data/strikeline.db" ] || fail "dpkg -P removed the user's database"
    [ -s "$data/logs/strikeline.log" ] || fail "dpkg -P removed the user's logs"
fi

step "ok"
