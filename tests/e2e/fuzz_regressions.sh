#!/bin/sh
# SPDX-License-Identifier: MIT
# Replays, with the fuzz targets' own code built by this build (fuzz/replay.c),
# every input that a fuzz run once failed on (tests/data/fuzz/TARGET/, one file
# per crash, named after what it broke) and the inputs the targets are seeded
# from that live in the repository (samples, hostile fixtures), so that each
# fixed crash stays fixed in the gcc, ASan and valgrind runs alike. A target
# that aborts, or a sanitizer report, fails its line.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
data=$top_srcdir/tests/data/fuzz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TMPDIR="$tmp"
n=0
run() { # TARGET INPUTS...
	t=$1
	shift
	n=$((n + 1))
	rc=0
	"$top_builddir/fuzz/replay_$t" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ $rc -eq 0 ] && ! grep -q -e 'Sanitizer' -e 'runtime error' "$tmp/err"; then
		echo "ok $n - replay_$t: $(cat "$tmp/out")"
	else
		echo "not ok $n - replay_$t: exit $rc"
		head -n 30 "$tmp/err" | sed 's/^/# /'
	fi
}
regressions() { # TARGET: its regression inputs, if any
	[ -d "$data/$1" ] && ls "$data/$1" | grep -q . && echo "$data/$1"
	return 0
}
run xml "$top_srcdir/samples/xml/valid" "$top_srcdir/samples/xml/invalid" \
	"$top_srcdir/tests/data/hostile" $(regressions xml)
for t in csv ndjson normalize verify dxp http; do
	set -- $(regressions $t)
	# A target with no failure on record yet still replays one empty input (its setup).
	[ $# -gt 0 ] || { : >"$tmp/empty"; set -- "$tmp/empty"; }
	run $t "$@"
done
echo "1..$n"
