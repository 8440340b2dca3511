#!/bin/sh
# SPDX-License-Identifier: MIT
# The e2e harness checks itself: each assertion of tests/e2e/lib.sh passes on a true
# fact and fails on a false one (a script of deliberate failures, run apart, must
# print "not ok" for each), skip_all skips, and done_testing counts what ran.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
cat >"$T/facts.json" <<'J'
{"a": [1, 2], "s": "x", "n": 0.0}
J
cat >"$T/wrong.sh" <<'S'
set -eu
. "$top_srcdir/tests/e2e/lib.sh"
echo '{"s": "x"}' >"$T/j"
ok "ok on false" false
ok_fails "ok_fails on true" true
exit_code_is "exit_code_is" 3 sh -c 'exit 2'
is "is" a b
isnt "isnt" a a
like "like" abc '^b'
file_contains "file_contains" "$T/j" nothere
file_lacks "file_lacks" "$T/j" '"s"'
json_is "json_is" "$T/j" .s y
status_is "status_is" 200 --max-time 5 http://127.0.0.1:1/
done_testing
S
top_srcdir=$top_srcdir top_builddir=$top_builddir sh "$T/wrong.sh" >"$T/wrong.tap" 2>&1 || :
is "every assertion fails on a false fact (10 not ok)" "$(grep -c '^not ok' "$T/wrong.tap")" 10
file_contains "and the plan counts them" "$T/wrong.tap" '^1\.\.10$'
file_contains "a failed is shows what it got and expected" "$T/wrong.tap" '^# got: +a$' \
	'^# expected: b$'

ok "ok on true" true
ok_fails "ok_fails on false" false
exit_code_is "exit_code_is 2" 2 sh -c 'exit 2'
is "is" a a
isnt "isnt" a b
like "like" abc '^a'
file_contains "file_contains" "$T/facts.json" '"s": "x"'
file_lacks "file_lacks" "$T/facts.json" nothere
json_is "json_is on a file" "$T/facts.json" .a '[1,2]'
json_is "json_is on a body" '{"q": 3}' .q 3
printf '%s\n' 'set -eu' '. "$top_srcdir/tests/e2e/lib.sh"' 'need no-such-tool-here' \
	'fail "not reached"' >"$T/skip.sh"
like "need skips the whole script when a tool is missing" \
	"$(top_srcdir=$top_srcdir top_builddir=$top_builddir sh "$T/skip.sh")" \
	'^1\.\.0 # SKIP no-such-tool-here is not installed$'
done_testing
