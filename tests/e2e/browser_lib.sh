# SPDX-License-Identifier: MIT
# Shared by the browser tests (web_browser.sh, web_merchant.sh), sourced
# after lib.sh: Debian's chromium driven by playwright-core, installed from
# the committed lock file into the build tree (never a browser download).
# Skips the test only when chromium or node is missing; sets $CHROMIUM.
# shellcheck shell=sh
CHROMIUM=${CG_CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || skip_all "chromium ($CHROMIUM) is not installed (scripts/install-deps)"
need node npm

# browser_deps: playwright-core in $DEPS (set), or a failing TAP plan and exit.
browser_deps() {
	DEPS=$top_builddir/tests/browser
	lock=$top_srcdir/tests/browser/package-lock.json
	if [ ! -f "$DEPS/node_modules/playwright-core/package.json" ] ||
		! cmp -s "$lock" "$DEPS/package-lock.json"; then
		mkdir -p "$DEPS"
		cp -f "$top_srcdir/tests/browser/package.json" "$lock" "$DEPS/"
		if ! (cd "$DEPS" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
			npm ci --no-audit --no-fund --ignore-scripts >"$T/npm.log" 2>&1); then
			fail "npm ci of tests/browser (playwright-core)"
			diag_file "$T/npm.log"
			done_testing
			exit 0
		fi
	fi
}
