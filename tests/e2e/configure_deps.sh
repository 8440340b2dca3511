#!/bin/sh
# SPDX-License-Identifier: MIT
# configure refuses to go on without cmocka and names the Debian package, unless the
# unit tests are explicitly left out (--disable-unit-tests): a missing cmocka must not
# make `make check` silently skip every unit test. pkg-config is pointed at a copy of
# the system's .pc directory without cmocka.pc.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
tmp=$T

if [ ! -x "$top_srcdir/configure" ] || [ -f "$top_srcdir/config.status" ]; then
	skip_all "needs a source tree with configure, not configured in place"
fi

# Every .pc file pkg-config would find (the first of a name wins), except cmocka's.
mkdir "$tmp/pc" "$tmp/b1" "$tmp/b2"
pc_dirs=$(echo "${PKG_CONFIG_PATH:-}:$(pkg-config --variable pc_path pkg-config)" | tr ':' ' ')
for d in $pc_dirs; do
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
	pass "without cmocka configure fails, naming libcmocka-dev"
else
	fail "without cmocka configure fails, naming libcmocka-dev (exit $rc)"
	tail -n 5 "$tmp/b1/out" | sed 's/^/# /'
fi

run_configure "$tmp/b2" --disable-unit-tests
if [ "$rc" -eq 0 ]; then
	pass "without cmocka, --disable-unit-tests configures"
else
	fail "without cmocka, --disable-unit-tests configures (exit $rc)"
	tail -n 5 "$tmp/b2/out" | sed 's/^/# /'
fi

done_testing
