#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: the route list that `cebgated --routes` prints (the source of
# the OpenAPI document) is the routes that answer. Every listed route answers
# (no 404 of the router, no 405); without a token exactly the public ones do,
# the others say 401; with the token of an enterprise, an officer or an admin
# a route answers 403 exactly when the list does not name that role. A path
# the list lacks is 404, a listed path with a method it lacks 405.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"

DB=$T/r.db
adm enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
PW=adminpass123 adm user add ada admin --pass-env PW
PW=officerpass1 adm user add olga officer --pass-env PW
TADM=$(adm token new --user ada)
TOFF=$(adm token new --user olga)
TENT=$(adm token new --enterprise 4403960XA1)
"$CEBGATED" --routes >"$T/routes"
start_daemon --db "$DB"

# METHOD PATH [TOKEN] -> status; body in $T/out
call() {
	if [ "$1" = POST ]; then
		http -X POST -d '' ${3:+-H "Authorization: Bearer $3"} "$URL$2"
	else
		http -X "$1" ${3:+-H "Authorization: Bearer $3"} "$URL$2"
	fi
}
# A concrete path for a pattern: every named segment gets a value that exists or may
# (a token that does not: revoking the caller's own, id 1, would end the probe).
concrete() {
	echo "$1" | sed -e 's/{code}/4403960XA1/; s/{no}/EX1/; s/{name}/p1/; s/{token}/999999/; s/{[a-z]*}/1/g'
}
# Whether the answer is the router's own 404 or 405 (not the route's).
router_refused() { [ "$1" = 405 ] || { [ "$1" = 404 ] && grep -q 'no such resource' "$T/out"; }; }

# probe ROLE TOKEN: every listed route against what the list says of ROLE; mismatches on stderr.
probe() {
	bad=0
	while read -r method pattern roles; do
		# Logging out would revoke the token that the next routes need.
		[ "$pattern" = /api/v1/logout ] && [ -n "$2" ] && continue
		st=$(call "$method" "$(concrete "$pattern")" "$2")
		if router_refused "$st"; then
			want=answers
		elif [ "$roles" = public ]; then
			[ "$st" != 401 ] && [ "$st" != 403 ] && continue
			want=answers
		elif [ -z "$2" ]; then
			[ "$st" = 401 ] && continue
			want=401
		else
			case ",$roles," in
			*",$1,"*) [ "$st" != 401 ] && [ "$st" != 403 ] && continue; want=answers ;;
			*) [ "$st" = 403 ] && continue; want=403 ;;
			esac
		fi
		echo "$1: $method $pattern ($roles) answered $st, expected $want" >&2
		bad=1
	done <"$T/routes"
	return $bad
}

ok "the list names each method and path at least 40 times" test "$(wc -l <"$T/routes")" -ge 40
is "each once" "$(cut -d' ' -f1,2 "$T/routes" | sort | uniq -d)" ""
file_contains "for the API and the pages" "$T/routes" '^POST /api/v1/submissions enterprise$' \
	'^GET /queue.html public$'
ok "without a token the public routes answer and every other one is 401" probe '' ''
ok "an enterprise's token: 403 exactly where the list does not name enterprise" \
	probe enterprise "$TENT"
ok "an officer's token: 403 exactly where the list does not name officer" probe officer "$TOFF"
ok "an admin's token: 403 exactly where the list does not name admin" probe admin "$TADM"
is "a path the list lacks is 404" "$(call GET /api/v1/nosuch "$TADM")" 404
is "below a listed one too" "$(call GET /api/v1/review/1/claim/x "$TOFF")" 404
is "and a page the list lacks" "$(call GET /nosuch.html)" 404
is "a listed path with a method the list lacks is 405" \
	"$(call GET /api/v1/submissions "$TENT")" 405
is "for a GET route" "$(call POST /api/v1/receipts "$TENT")" 405
is "and for /healthz" "$(call POST /healthz)" 405
stop_daemon || :
done_testing
