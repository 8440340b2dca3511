# SPDX-License-Identifier: MIT
# Shared by the browser tests (web_browser.sh, web_merchant.sh), sourced
# before lib.sh: Debian's chromium driven by playwright-core, installed from
# the committed lock file into the build tree (never a browser download).
# Skips the test only when chromium or node is missing; sets $CHROMIUM.
CHROMIUM=${CG_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ] || ! command -v node >/dev/null 2>&1; then
	echo "1..0 # SKIP chromium ($CHROMIUM) or node not installed (scripts/install-deps installs both)"
	exit 0
fi

# browser_deps: playwright-core in $DEPS (set), or a failing TAP plan and exit.
browser_deps() {
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
}
