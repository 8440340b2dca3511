#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: the API's permission matrix (tests/e2e/permissions.tsv), every caller
# against every route of the real cebgated, each answer's status and, where the table
# names one, a value of its JSON; the table's routes are exactly those `cebgated
# --routes` lists.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/desk_lib.sh"
. "$top_srcdir/tests/e2e/matrix_lib.sh"
matrix_setup

# refusal_is_json: a 401 or 403 answer says why in {"error": ...}.
refusal_is_json() { jq -e '.error | type == "string" and length > 0' "$T/out"; }

# cell ROLE TOKEN METHOD PATH BODY EXPECTED: one caller against one route.
cell() {
	want=${6%% *}
	got=$(http -X "$3" ${2:+-H "Authorization: Bearer $2"} ${5:+--data-binary "$5"} "$URL$4")
	if [ "$got" != "$want" ]; then
		fail "$3 $4 as $1: $want"
		diag "status $got"
		diag_file "$T/out"
		return 0
	fi
	case $want in
	401 | 403) ok "$3 $4 as $1: $want, JSON error" refusal_is_json ;;
	*) pass "$3 $4 as $1: $want" ;;
	esac
	case $6 in
	*' '*)
		check=${6#* }
		json_is "$3 $4 as $1: $check" "$T/out" "${check%=*}" "${check##*=}"
		;;
	esac
}

tab=$(printf '\t')
while IFS=$tab read -r method pattern body admin officer merchant enterprise logistics anon; do
	path=$(concrete "$pattern")
	body=$(matrix_body "$body")
	cell admin "$TADM" "$method" "$path" "$body" "$admin"
	cell officer "$TOFF" "$method" "$path" "$body" "$officer"
	cell merchant "$TMER" "$method" "$path" "$body" "$merchant"
	cell enterprise "$TA" "$method" "$path" "$body" "$enterprise"
	cell logistics "$TLOG" "$method" "$path" "$body" "$logistics"
	cell anonymous "" "$method" "$path" "$body" "$anon"
done <"$T/rows"

# Every route cebgated lists has its row, and every row is a listed route.
if "$CEBGATED" --routes >"$T/routes" 2>/dev/null && [ -s "$T/routes" ]; then
	cut -f1,2 "$T/rows" | tr '\t' ' ' | sort -u >"$T/covered"
	cut -d' ' -f1,2 "$T/routes" | sort -u >"$T/listed"
	is "every route of cebgated --routes is in the matrix" \
		"$(comm -23 "$T/listed" "$T/covered" | tr '\n' ';')" ""
	is "every route of the matrix is one cebgated lists" \
		"$(comm -13 "$T/listed" "$T/covered" | tr '\n' ';')" ""
else
	skip "every route of cebgated --routes is in the matrix" "cebgated has no --routes"
fi
stop_daemon
done_testing
