#!/bin/sh
# SPDX-License-Identifier: MIT
# Replays, with the fuzz targets' own code built by this build (fuzz/replay.c),
# every input that a fuzz run once failed on (tests/data/fuzz/TARGET/, one file
# per crash, named after what it broke) and the inputs the targets are seeded
# from that live in the repository (samples, hostile fixtures), so that each
# fixed crash stays fixed in the gcc, ASan and valgrind runs alike. A target
# that aborts, or a sanitizer report, fails its line.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
data=$top_srcdir/tests/data/fuzz
tmp=$T
export TMPDIR="$tmp"
run() { # TARGET INPUTS...
	t=$1
	shift
	rc=0
	"$top_builddir/fuzz/replay_$t" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ $rc -eq 0 ] && ! grep -q -e 'Sanitizer' -e 'runtime error' "$tmp/err"; then
		pass "replay_$t: $(cat "$tmp/out")"
	else
		fail "replay_$t: exit $rc"
		diag_file "$tmp/err"
	fi
}
regressions() { # TARGET: its regression inputs, if any
	[ -d "$data/$1" ] && ls "$data/$1" | grep -q . && echo "$data/$1"
	return 0
}
run xml "$top_srcdir/samples/xml/unsigned" "$top_srcdir/samples/xml/invalid" \
	"$top_srcdir/tests/data/hostile" $(regressions xml)
for t in csv ndjson normalize verify dxp http; do
	set -- $(regressions $t)
	# A target with no failure on record yet still replays one empty input (its setup).
	[ $# -gt 0 ] || { : >"$tmp/empty"; set -- "$tmp/empty"; }
	run $t "$@"
done
done_testing
