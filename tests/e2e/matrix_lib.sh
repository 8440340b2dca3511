# SPDX-License-Identifier: MIT
# The permission matrix's world (tests/e2e/permissions.tsv), shared by permissions.sh
# (who may call each route) and openapi.sh (each answer against the API's description):
# the desk's enterprises and users with a token each, a cebgated with two held
# inventories and an upload, and the concrete path each route is asked at.
# Sourced after lib.sh and desk_lib.sh.
# shellcheck shell=sh
MATRIX=$top_srcdir/tests/e2e/permissions.tsv

# matrix_setup: tokens TADM TOFF TMER TLOG (and desk_setup's TA), the daemon started,
# ID a held inventory, UP the merchant's upload, $T/custody.json A1's key and certificate.
matrix_setup() {
	desk_setup
	TADM=$(adm token new --user ada)
	TOFF=$(adm token new --user olga)
	TMER=$(adm token new --user mia)
	TLOG=$(adm token new --user leo)
	printf 'custody passphrase 1\n' >"$T/custody.pass"
	start_daemon --db "$DB" --random-rate 1000 --match-timeout 3600 --lease 60 \
		--custody-pass-file "$T/custody.pass" --export-summary-any-month 1
	submit_all
	ID=$(curl -s -H "Authorization: Bearer $TOFF" "$URL/api/v1/review" | jq -r '.items[0].id')
	UP=$(curl -s -H "Authorization: Bearer $TMER" "$URL/api/v1/uploads?name=o.csv" \
		--data-binary @"$top_srcdir/samples/merchant/orders-en.csv" | jq -r .id)
	like "a held inventory and an upload to point the routes at" "$ID $UP" '^[0-9]+ [0-9]+$'
	jq -n --rawfile c "$T/A1.crt" --rawfile k "$T/A1.key" '{certificate: $c, key: $k}' \
		>"$T/custody.json"
	grep -v '^#' "$MATRIX" | grep -v '^$' >"$T/rows"
}

# concrete PATTERN: the path the routes of the matrix are asked at (see the table's head).
concrete() {
	case $1 in
	/api/v1/logistics/*) set -- "$1" 's|{code}/{no}|4403980XD4/EX2024111100012345|' ;;
	/api/v1/explain/*) set -- "$1" 's/{code}/120/' ;;
	/api/v1/uploads/*) set -- "$1" "s/{id}/$UP/; s/{seq}/1/" ;;
	/api/v1/webhooks/*) set -- "$1" 's/{id}/1/' ;;
	*) set -- "$1" "s/{id}/$ID/; s/{code}/4403960XA1/; s/{name}/shop/; s/{token}/999999/; s/{serial}/0bad/; s/{decl}/H20241205000000001/" ;;
	esac
	printf '%s\n' "$1" | sed "$2"
}

# matrix_body BODY: the curl argument of a row's body ('-' none, @s/ source, @t/ made here).
matrix_body() {
	case $1 in
	-) ;;
	@s/*) printf '@%s\n' "$top_srcdir/${1#@s/}" ;;
	@t/*) printf '@%s\n' "$T/${1#@t/}" ;;
	*) printf '%s\n' "$1" ;;
	esac
}
