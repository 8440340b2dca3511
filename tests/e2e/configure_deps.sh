#!/bin/sh
# SPDX-License-Identifier: MIT
# configure refuses to go on without cmocka and names the Debian package, unless the
# unit tests are explicitly left out (--disable-unit-tests): a missing cmocka must not
# make `make check` silently skip every unit test. pkg-config is pointed at a copy of
# the system's .pc directory without cmocka.pc.
set -eu

: "${top_srcdir:?top_srcdir must be set}"

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }

if [ ! -x "$top_srcdir/configure" ] || [ -f "$top_srcdir/config.status" ]; then
	echo "1..0 # SKIP needs a source tree with configure, not configured in place"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cg-configure.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# Every .pc file pkg-config would find (the first of a name wins), except cmocka's.
mkdir "$tmp/pc" "$tmp/b1" "$tmp/b2"
for d in $(echo "${PKG_CONFIG_PATH:-}:$(pkg-config --variable pc_path pkg-config)" | tr ':' ' '); do
	for f in "$d"/*.pc; do
		[ -f "$f" ] || continue
		b=$(basename "$f")
		[ "$b" = cmocka.pc ] || [ -e "$tmp/pc/$b" ] || ln -s "$f" "$tmp/pc/$b"
	done
done

# configure DIR ARGS...: rc and the output in DIR/out.
run_configure() {
	dir=$1
	shift
	rc=0
	(cd "$dir" && env PKG_CONFIG_LIBDIR="$tmp/pc" PKG_CONFIG_PATH= \
		"$top_srcdir/configure" "$@" >out 2>&1) || rc=$?
}

run_configure "$tmp/b1"
if [ "$rc" -ne 0 ] && grep -q 'error: cmocka.*libcmocka-dev' "$tmp/b1/out"; then
	ok "without cmocka configure fails, naming libcmocka-dev"
else
	not_ok "without cmocka configure fails, naming libcmocka-dev (exit $rc)"
	tail -n 5 "$tmp/b1/out" | sed 's/^/# /'
fi

run_configure "$tmp/b2" --disable-unit-tests
if [ "$rc" -eq 0 ]; then
	ok "without cmocka, --disable-unit-tests configures"
else
	not_ok "without cmocka, --disable-unit-tests configures (exit $rc)"
	tail -n 5 "$tmp/b2/out" | sed 's/^/# /'
fi

echo "1..$n"
