#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: `cebgate demo`, the README's main job, succeeds and says so:
# findings of the defective samples, then the whole declarants' pipeline
# against its own cebgated, every declaration followed to its final state.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
rc=0
TMPDIR=$T CEBGATE_DATADIR=$top_srcdir "$CEBGATE" demo >"$T/out" 2>&1 || rc=$?
is "demo exits 0" $rc 0
file_contains "demo reports success" "$T/out" 'every step behaved as expected'
file_contains "demo shows findings of the defective samples" "$T/out" CG2001 CG1001
file_contains "demo starts its own cebgated" "$T/out" 'cebgated listening on http://127.0.0.1:'
file_contains "the officer releases a held inventory" "$T/out" \
	'officer olga: release #[0-9]* -> released'
file_contains "every declaration ends final" "$T/out" \
	'every one with its final receipt: yes' ' 0 still open'
file_contains "the waybill's logistics status is shown" "$T/out" \
	'waybill 4403980XD4 EX2024111100012345: released'
file_contains "the service is stopped at the end" "$T/out" 'cebgated stopped \(SIGTERM\)'
ok_fails "no cebgated of the demo is left running" pgrep -f "$T/cebgate-demo"
done_testing
