#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: `cebgate demo`, the README's main job, succeeds and says so:
# findings of the defective samples, then the whole declarants' pipeline
# against its own cebgated, every declaration followed to its final state;
# then the export day: a 9610 retail export and a 9710 B2B direct export
# from order to departure (899), the 9710 one released by the officer; then
# the 9610 one's summary declaration: a CEB701 listing the invtNo the
# service assigned, answered 702 399 with a sumNo and a 792 summary result,
# the inventory read back summarized.
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
# The summary declaration (CEB701 -> 702 -> 792), by the invtNo read from the 604 399 receipt.
file_contains "the demo says its cebgated takes inventories closed this month" "$T/out" \
	'export-summary-any-month = 1' 'CG1356'
file_contains "the summary application names the invtNo of the 604 399 receipt" "$T/out" \
	'inventory EI2024111800000001 was concluded as invtNo 2901[0-9]{4}E[0-9]{9} \(its CEB604 399 receipt\)' \
	'--type 701 --map merchant/export/declarant.profile .*summary-application.ndjson'
file_contains "it is answered 702 399 with a sumNo" "$T/out" \
	'summary application ES2024120500000001: CEB702 399, sumNo S[0-9]{17}$'
file_contains "the summary result (792) arrives: a declaration with the inventory's rows" "$T/out" \
	'summary result \(CEB792\) for S[0-9]{17}: declaration H[0-9]{17}, [1-9][0-9]* row\(s\) of inventory 2901[0-9]{4}E[0-9]{9}$'
file_contains "the inventory reads summarized" "$T/out" 'export inventory EI2024111800000001: summarized'
file_contains "the service is stopped at the end" "$T/out" 'cebgated stopped \(SIGTERM\)'
ok_fails "no cebgated of the demo is left running" pgrep -f "$T/cebgate-demo"
done_testing
