#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end in a real browser: Debian's chromium, driven by playwright-core
# (tests/browser/desk.mjs), against the real cebgated. An officer logs in,
# filters the queue, claims, sees the differences highlighted, reveals, sees
# an expired lease and renews it, decides with a reason and sees the receipt;
# a second officer is refused the claimed item; the public results page shows
# the aggregated numbers and no personal data. Skipped only when chromium or
# node is missing.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/browser_lib.sh"
. "$top_srcdir/tests/e2e/desk_lib.sh"
browser_deps

desk_setup
start_daemon --db "$DB" --random-rate 1000 --match-timeout 3600 --lease 300
submit_all
ID1=$(sqlite3 "$DB" "SELECT id FROM document WHERE kind = 621
	AND json_extract(data, '$.h.copNo') = 'QH20241111000001'")
CG_URL=$URL CG_ID1=$ID1 CG_DEPS=$DEPS CG_CHROMIUM=$CHROMIUM CG_DB=$DB \
	node "$top_srcdir/tests/browser/desk.mjs" || true
stop_daemon
exit 0
