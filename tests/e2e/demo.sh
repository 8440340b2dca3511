#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: `cebgate demo`, the README's main job, succeeds and says so:
# findings of the defective samples, then the whole declarants' pipeline
# against its own cebgated, every declaration followed to its final state;
# then the export day: a 9610 retail export and a 9710 B2B direct export
# from order to departure (899), the 9710 one released by the officer.
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
# The export day: a 9610 and a 9710 export from order to departure through the same cebgated.
file_contains "the export day submits export orders, waybills and inventories" "$T/out" \
	'--type 303 --map merchant/export/platform.profile' \
	'--type 505 --map merchant/export/logistics.profile' \
	'--type 603 --map merchant/export/declarant.profile'
file_contains "the officer releases the held 9710 export inventory: concluded, 399" "$T/out" \
	'officer olga: release #[0-9]* -> concluded \(399\)'
file_contains "both export inventories are closed (899, departed)" "$T/out" \
	'export inventory EI2024111800000001: closed' 'export inventory EI2024111900000001: closed'
file_contains "their waybills read departed" "$T/out" \
	'waybill 3301980XL4 EXL2024111800000012: departed' \
	'waybill 3301980XL4 EXL2024111800000013: departed'
file_contains "every export declaration ends final" "$T/out" \
	'export declarations: [0-9]* final, 0 refused, 0 still open; every document with its final receipt: yes'
file_contains "the service is stopped at the end" "$T/out" 'cebgated stopped \(SIGTERM\)'
ok_fails "no cebgated of the demo is left running" pgrep -f "$T/cebgate-demo"
done_testing
