# SPDX-License-Identifier: MIT
# The one harness of the end-to-end scripts: TAP output, named assertions,
# a temporary directory cleaned on exit, and cebgated started and stopped on
# proven events (its port file, its exit status). Sourced after `set -eu`:
#   . "${top_srcdir:?}/tests/e2e/lib.sh"
# Assertions take their description first and run commands as argument
# lists, never as strings to evaluate. The plan is printed by `plan N` or,
# when the count depends on the data, by `done_testing` at the end.
# shellcheck shell=sh

CEBGATE=${top_builddir:?}/src/cli/cebgate
CEBGATED=${top_builddir}/src/server/cebgated
S=${top_srcdir:?}/samples/xml/unsigned
T=$(mktemp -d "${TMPDIR:-/tmp}/cg-e2e.XXXXXX")
pid=""
bg_pids=""
n=0
failed=0

cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null || :
	for _p in $bg_pids; do kill "$_p" 2>/dev/null || :; wait "$_p" 2>/dev/null || :; done
	[ -z "${own_pg:-}" ] || pg_stop
	if [ -n "${CG_KEEP_TMP:-}" ]; then echo "# kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# kill_at_exit PID: a helper process (listener, poller) ended with the test.
kill_at_exit() { bg_pids="$bg_pids $1"; }

# ------------------------------------------------------------------ TAP
plan() { echo "1..$1"; }
done_testing() { echo "1..$n"; }
# skip_all REASON: the whole script is skipped (an optional tool is missing).
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
# need TOOL...: skip_all unless every tool is on the PATH.
need() {
	for _tool in "$@"; do
		command -v "$_tool" >/dev/null 2>&1 || skip_all "$_tool is not installed"
	done
}
bail() { echo "Bail out! $*"; exit 1; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
# diag_file FILE...: the first lines of each file, as TAP comments.
diag_file() { for _f in "$@"; do [ ! -f "$_f" ] || head -n 20 "$_f" | sed 's/^/# /'; done; }

pass() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
# skip DESC REASON: one check that cannot run here.
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# ------------------------------------------------------------------ assertions
# ok DESC CMD...: the command succeeds (its output is shown when it does not).
ok() {
	_d=$1; shift
	if "$@" >"$T/.ok" 2>&1; then pass "$_d"; else fail "$_d"; diag_file "$T/.ok"; fi
}
# ok_fails DESC CMD...: the command fails.
ok_fails() {
	_d=$1; shift
	if "$@" >"$T/.ok" 2>&1; then fail "$_d"; diag_file "$T/.ok"; else pass "$_d"; fi
}
# exit_code_is DESC CODE CMD...: the command exits with CODE.
exit_code_is() {
	_d=$1; _want=$2; shift 2
	_got=0
	"$@" >"$T/.ok" 2>&1 || _got=$?
	if [ "$_got" = "$_want" ]; then pass "$_d"; else
		fail "$_d"; diag "exit $_got, expected $_want"; diag_file "$T/.ok"
	fi
}
# is DESC GOT EXPECTED: two strings are equal.
is() {
	if [ "$2" = "$3" ]; then pass "$1"; else
		fail "$1"; diag "got:      $2" "expected: $3"
	fi
}
# isnt DESC GOT UNEXPECTED
isnt() {
	if [ "$2" != "$3" ]; then pass "$1"; else fail "$1"; diag "got: $2"; fi
}
# like DESC GOT ERE: the string matches the extended regular expression.
like() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then pass "$1"; else
		fail "$1"; diag "got: $2" "expected to match: $3"
	fi
}
# file_contains DESC FILE ERE...: the file has a line matching each pattern.
file_contains() {
	_d=$1; _f=$2; shift 2
	for _p in "$@"; do
		if ! grep -Eq -- "$_p" "$_f" 2>/dev/null; then
			fail "$_d"; diag "$_f has no line matching: $_p"; diag_file "$_f"; return 0
		fi
	done
	pass "$_d"
}
# file_lacks DESC FILE ERE...: no line of the file matches any pattern.
file_lacks() {
	_d=$1; _f=$2; shift 2
	for _p in "$@"; do
		if grep -Eq -- "$_p" "$_f" 2>/dev/null; then
			fail "$_d"; diag "$_f has a line matching: $_p"; return 0
		fi
	done
	pass "$_d"
}

# ------------------------------------------------------------------ JSON
# jv FILE|BODY PATH: the jq PATH of a JSON file or text; strings raw,
# arrays and objects compact (["a","b"]).
jv() {
	if [ -f "$1" ]; then jq -rc "$2" <"$1"; else printf '%s' "$1" | jq -rc "$2"; fi
}
# json_is DESC FILE|BODY PATH EXPECTED
json_is() {
	_got=$(jv "$2" "$3" 2>&1) || :
	is "$1" "$_got" "$4"
}

# ------------------------------------------------------------------ HTTP
# http [CURL-ARGS...] URL: prints the status; body in $T/out, headers in $T/h.
http() { curl -s -o "$T/out" -D "$T/h" -w '%{http_code}' "$@" || :; }
# status_is DESC CODE [CURL-ARGS...] URL: the answer's status is CODE.
status_is() {
	_d=$1; _want=$2; shift 2
	_got=$(http "$@")
	if [ "$_got" = "$_want" ]; then pass "$_d"; else
		fail "$_d"; diag "status $_got, expected $_want"; diag_file "$T/out"
	fi
}
# header VALUE-NAME: the value of a header of the last answer (from $T/h).
header() { grep -i "^$1:" "$T/h" | head -n 1 | tr -d '\r' | sed 's/^[^:]*: *//'; }

# ------------------------------------------------------------------ waiting
# wait_until TRIES CMD...: polls the command (every 0.1 s) until it succeeds;
# the state is proven by the command, the tries only bound a broken run.
wait_until() {
	_tries=$1; shift
	[ -z "${CG_MEMCHECK:-}" ] || _tries=$((_tries * 12))
	_i=0
	while ! "$@" >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ "$_i" -lt "$_tries" ] || return 1
		sleep 0.1
	done
}
# wait_for_log ERE [FILE]: the daemon's log (or FILE) has a matching line.
wait_for_log() { wait_until 100 grep -Eq -- "$1" "${2:-$T/log}"; }

# ------------------------------------------------------------------ the database
# With CG_TEST_DB=pg (tests/pg_run for make check, or set by hand) the
# databases are PostgreSQL's, on a throw-away cluster (tests/pg_cluster.sh;
# started here when tests/pg_run did not), and cebgated keeps its files in
# --state-dir $T/state; otherwise they are SQLite files in $T, with the
# files beside them.
on_pg() { [ "${CG_TEST_DB:-}" = pg ]; }
if on_pg; then
	. "$top_srcdir/tests/pg_cluster.sh"
	if [ -z "${CG_TEST_PG_DIR:-}" ]; then
		[ -n "$(pg_bindir)" ] || skip_all "CG_TEST_DB=pg but the PostgreSQL server binaries are absent"
		pg_start || bail "cannot start a PostgreSQL cluster"
		own_pg=1
	fi
fi
# new_db NAME: a new, empty database; prints its location for --db.
new_db() { if on_pg; then pg_new_db "$1"; else echo "$T/$1.db"; fi; }
# dbq DB SQL: the rows of one query, columns separated by |.
dbq() {
	if on_pg; then psql -XAtq -v ON_ERROR_STOP=1 -d "$1" -c "$2"; else sqlite3 -cmd '.timeout 10000' "$1" "$2"; fi
}
# db_sound DB: "ok" when the back end's own check finds nothing (SQLite's
# integrity and foreign key checks; PostgreSQL checks both as it writes).
db_sound() {
	if on_pg; then dbq "$1" "SELECT 'ok'"; else
		_r=$(dbq "$1" 'PRAGMA integrity_check')
		[ -z "$(dbq "$1" 'PRAGMA foreign_key_check')" ] || _r="$_r; dangling foreign keys"
		echo "$_r"
	fi
}
# files_of DB / custody_of DB: where cebgated keeps uploads and custodial keys.
files_of() { if on_pg; then echo "$T/state/files"; else echo "$1.files"; fi; }
custody_of() { if on_pg; then echo "$T/state/custody"; else echo "$1.custody"; fi; }

# ------------------------------------------------------------------ cebgated
# adm ARGS...: `cebgate admin` on the test's database $DB.
adm() { "$CEBGATE" admin --db "$DB" "$@"; }
# start_daemon ARGS...: cebgated on a free port of 127.0.0.1; sets $pid and
# $URL once it has written its port file; bails out if it exits first.
start_daemon() {
	rm -f "$T/port"
	set -- --port 0 --port-file "$T/port" "$@"
	! on_pg || set -- --state-dir "$T/state" "$@"
	"$CEBGATED" "$@" 2>>"$T/log" &
	pid=$!
	_tries=300
	[ -z "${CG_MEMCHECK:-}" ] || _tries=1200
	_i=0
	while [ ! -s "$T/port" ]; do
		if ! kill -0 "$pid" 2>/dev/null || [ "$_i" -ge "$_tries" ]; then
			diag_file "$T/log"
			bail "cebgated did not write its port file"
		fi
		_i=$((_i + 1))
		sleep 0.1
	done
	URL=http://127.0.0.1:$(cat "$T/port")
}
# stop_daemon: SIGTERM; returns cebgated's exit status.
stop_daemon() {
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	pid=""
	return $rc
}
