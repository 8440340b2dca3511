#!/bin/sh
# SPDX-License-Identifier: MIT
# The officer's desk for exports in a real browser (tests/browser/export_desk.mjs:
# Debian's chromium, playwright-core, axe-core) against the real cebgated: an
# export inventory's page beside its order, receipt of payment, waybill,
# arrival, departure and master/house list (a differing gross weight marked in
# words), a held one's page saying what has not come, and the summaries page
# where an officer records a generated declaration's later facts (a later
# CEB792 in the declarant's feed; the same facts again send nothing). Both
# pages axe-clean and 390 px wide. Skipped only when chromium or node is missing.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/browser_lib.sh"
. "$top_srcdir/tests/e2e/export_desk_lib.sh"
need python3 jq
browser_deps

xdesk_setup
start_daemon --db "$DB" --random-rate 1000 --export-summary-any-month 1
xheld 1 '<ceb:grossWeight>1.35</ceb:grossWeight>=<ceb:grossWeight>1.50</ceb:grossWeight>'
xrelease 1
xdepart 1
xmk s1 701 11 "LIST=$(xinv 1 invt_no)"
xpost s1
[ "$(xinv 1 state)" = summarized ] || bail "parcel 1 was not summarised"
xheld 2
DECL=$(dbq "$DB" "SELECT decl_seq_no FROM export_summary_decl")
SHOTS=$top_builddir/tests/screenshots
mkdir -p "$SHOTS"
CG_URL=$URL CG_X1=$(xinv 1 id) CG_X2=$(xinv 2 id) CG_DECL=$DECL CG_TB=$TB CG_DEPS=$DEPS \
	CG_CHROMIUM=$CHROMIUM CG_SHOTS=$SHOTS node "$top_srcdir/tests/browser/export_desk.mjs" || true
stop_daemon
exit 0
