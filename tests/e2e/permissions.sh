#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: the API's permission matrix (tests/e2e/permissions.tsv), every caller
# against every route of the real cebgated, each answer's status and, where the table
# names one, a value of its JSON; the table's routes are exactly those `cebgated
# --routes` lists.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/desk_lib.sh"
TABLE=$top_srcdir/tests/e2e/permissions.tsv
desk_setup
TADM=$(adm token new --user ada)
TOFF=$(adm token new --user olga)
TMER=$(adm token new --user mia)
TLOG=$(adm token new --user leo)
printf 'custody passphrase 1\n' >"$T/custody.pass"
start_daemon --db "$DB" --random-rate 1000 --match-timeout 3600 --lease 60 \
	--custody-pass-file "$T/custody.pass"
submit_all
ID=$(curl -s -H "Authorization: Bearer $TOFF" "$URL/api/v1/review" | jq -r '.items[0].id')
UP=$(curl -s -H "Authorization: Bearer $TMER" "$URL/api/v1/uploads?name=o.csv" \
	--data-binary @"$top_srcdir/samples/merchant/orders-en.csv" | jq -r .id)
like "a held inventory and an upload to point the routes at" "$ID $UP" '^[0-9]+ [0-9]+$'
jq -n --rawfile c "$T/A1.crt" --rawfile k "$T/A1.key" '{certificate: $c, key: $k}' \
	>"$T/custody.json"

# refusal_is_json: a 401 or 403 answer says why in {"error": ...}.
refusal_is_json() { jq -e '.error | type == "string" and length > 0' "$T/out"; }

# cell ROLE TOKEN METHOD PATH BODY EXPECTED: one caller against one route.
cell() {
	want=${6%% *}
	case $5 in
	@s/*) set -- "$1" "$2" "$3" "$4" "@$top_srcdir/${5#@s/}" "$6" ;;
	@t/*) set -- "$1" "$2" "$3" "$4" "@$T/${5#@t/}" "$6" ;;
	esac
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

# concrete PATTERN: the path the routes of the matrix are asked at (see the table's head).
concrete() {
	case $1 in
	/api/v1/logistics/*) set -- "$1" 's|{code}/{no}|4403980XD4/EX2024111100012345|' ;;
	/api/v1/explain/*) set -- "$1" 's/{code}/120/' ;;
	/api/v1/uploads/*) set -- "$1" "s/{id}/$UP/; s/{seq}/1/" ;;
	/api/v1/webhooks/*) set -- "$1" 's/{id}/1/' ;;
	*) set -- "$1" "s/{id}/$ID/; s/{code}/4403960XA1/; s/{name}/shop/; s/{token}/999999/; s/{serial}/0bad/" ;;
	esac
	printf '%s\n' "$1" | sed "$2"
}

tab=$(printf '\t')
grep -v '^#' "$TABLE" | grep -v '^$' >"$T/rows"
while IFS=$tab read -r method pattern body admin officer merchant enterprise logistics anon; do
	path=$(concrete "$pattern")
	[ "$body" != - ] || body=""
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
