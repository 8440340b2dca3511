#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end in a real browser: Debian's chromium, driven by playwright-core
# (tests/browser/desk.mjs), against the real cebgated. An officer logs in,
# filters the queue, claims, sees the differences highlighted, reveals,
# decides with a reason and sees the receipt; a second officer is refused the
# claimed item; the public results page shows the aggregated numbers and no
# personal data. Skipped only when chromium or node is missing.
set -eu
CHROMIUM=${CG_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ] || ! command -v node >/dev/null 2>&1; then
	echo "1..0 # SKIP chromium ($CHROMIUM) or node not installed (scripts/install-deps installs both)"
	exit 0
fi
. "${top_srcdir:?}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/desk_lib.sh"

# playwright-core from the committed lock file, into the build tree (never a browser download).
DEPS=$top_builddir/tests/browser
if [ ! -f "$DEPS/node_modules/playwright-core/package.json" ] ||
	! cmp -s "$top_srcdir/tests/browser/package-lock.json" "$DEPS/package-lock.json"; then
	mkdir -p "$DEPS"
	cp "$top_srcdir/tests/browser/package.json" "$top_srcdir/tests/browser/package-lock.json" "$DEPS/"
	if ! (cd "$DEPS" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts >"$T/npm.log" 2>&1); then
		echo "1..1"
		echo "not ok 1 - npm ci of tests/browser (playwright-core) failed"
		sed 's/^/# /' "$T/npm.log"
		exit 0
	fi
fi

desk_setup
start_daemon --db "$DB" --random-rate 1000 --match-timeout 3600 --lease 300
submit_all
ID1=$(sqlite3 "$DB" "SELECT id FROM document WHERE kind = 621 AND json_extract(data, '$.h.copNo') = 'QH20241111000001'")
CG_URL=$URL CG_ID1=$ID1 CG_DEPS=$DEPS CG_CHROMIUM=$CHROMIUM node "$top_srcdir/tests/browser/desk.mjs" || true
stop_daemon
exit 0
