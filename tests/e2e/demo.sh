#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: `cebgate demo`, the README's main job, succeeds and says so.
set -eu
CEBGATE=${top_builddir:?}/src/cli/cebgate
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
echo "1..3"
set +e
TMPDIR=$T CEBGATE_DATADIR=${top_srcdir:?} "$CEBGATE" demo >"$T/out" 2>&1
rc=$?
set -e
if [ $rc -eq 0 ]; then echo "ok 1 - demo exits 0"; else echo "not ok 1 - demo exits $rc"; fi
if grep -q 'every step behaved as expected' "$T/out"; then echo "ok 2 - demo reports success"
else echo "not ok 2 - demo reports success"; fi
if grep -q 'CG2001' "$T/out" && grep -q 'CG1001' "$T/out"; then
	echo "ok 3 - demo shows findings of the defective samples"
else
	echo "not ok 3 - demo shows findings of the defective samples"
fi
