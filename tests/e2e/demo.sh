#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: `cebgate demo`, the README's main job, succeeds and says so:
# findings of the defective samples, then the whole declarants' pipeline
# against its own cebgated, every declaration followed to its final state.
set -eu
CEBGATE=${top_builddir:?}/src/cli/cebgate
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
echo "1..8"
set +e
TMPDIR=$T CEBGATE_DATADIR=${top_srcdir:?} "$CEBGATE" demo >"$T/out" 2>&1
rc=$?
set -e
t() { if eval "$2"; then echo "ok $1 - $3"; else echo "not ok $1 - $3"; fi; }
t 1 "[ $rc -eq 0 ]" "demo exits 0 (got $rc)"
t 2 "grep -q 'every step behaved as expected' $T/out" "demo reports success"
t 3 "grep -q 'CG2001' $T/out && grep -q 'CG1001' $T/out" "demo shows findings of the defective samples"
t 4 "grep -q 'cebgated listening on http://127.0.0.1:' $T/out" "demo starts its own cebgated"
t 5 "grep -q 'officer olga: release #[0-9]* -> released' $T/out" "the officer releases a held inventory"
t 6 "grep -q 'every one with its final receipt: yes' $T/out && grep -q ' 0 still open' $T/out" \
	"every declaration ends final"
t 7 "grep -q 'waybill 4403980XD4 EX2024111100012345: released' $T/out" "the waybill's logistics status is shown"
t 8 "grep -q 'cebgated stopped (SIGTERM)' $T/out && ! ls $T/cebgate-demo-*/cebgated.port >/dev/null 2>&1 || ! pgrep -f \"$T/cebgate-demo\" >/dev/null" \
	"the service is stopped at the end"
