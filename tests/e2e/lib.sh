# SPDX-License-Identifier: MIT
# Shared by the end-to-end scripts that drive cebgated: TAP output, a temporary
# directory cleaned on exit, and starting the daemon on a free port.
# Sourced with `. "$top_srcdir/tests/e2e/lib.sh"` after `set -eu`.

CEBGATE=${top_builddir:?}/src/cli/cebgate
CEBGATED=${top_builddir}/src/server/cebgated
S=${top_srcdir:?}/samples/xml/valid
T=$(mktemp -d)
pid=""
n=0

cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	if [ -n "${CG_KEEP_TMP:-}" ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT INT TERM

ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
# check DESCRIPTION CONDITION: the condition is a shell expression, evaluated.
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }

# start_daemon ARGS...: cebgated on a free port of 127.0.0.1; sets $pid and $URL.
# It waits for the port file (bounded), never for a fixed time.
start_daemon() {
	rm -f "$T/port"
	"$CEBGATED" --port 0 --port-file "$T/port" "$@" 2>>"$T/log" &
	pid=$!
	i=0
	# (Under valgrind, CG_MEMCHECK=1, starting takes far longer.)
	tries=100
	[ -z "${CG_MEMCHECK:-}" ] || tries=1200
	while [ ! -s "$T/port" ] && [ $i -lt $tries ]; do sleep 0.1; i=$((i + 1)); done
	URL=http://127.0.0.1:$(cat "$T/port")
}

stop_daemon() {
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	pid=""
	return $rc
}
