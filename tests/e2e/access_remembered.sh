#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: the token check remembers who holds a token (token_cache.c), and
# access taken back elsewhere still holds from the very next request. cebgated
# runs with one HTTP thread, so every request meets the same remembered tokens;
# each token is used twice before the change (the second time remembered).
# The operator's `cebgate admin` on the same database revokes a token,
# disables and enables a user and an enterprise; on PostgreSQL
# (tests/pg/access_remembered.pg) a second node does it too, over its API.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"

DB=$(new_db remembered)
adm enterprise add 4403960XA1 "platform" ebp,ebc >/dev/null
PW=adminpass123 adm user add ada admin --pass-env PW
PW=merchantpass1 adm user add mia merchant --enterprise 4403960XA1 --pass-env PW
TADM=$(adm token new --user ada)
TENT=$(adm token new --enterprise 4403960XA1)
TENT2=$(adm token new --enterprise 4403960XA1)
TMIA=$(adm token new --user mia)
start_daemon --db "$DB" --threads 1
A=$URL

get() { # URL TOKEN -> status of GET /api/v1/session
	http -H "Authorization: Bearer $2" "$1/api/v1/session"
}
twice() { # URL TOKEN -> the two statuses, the second from the remembered token
	printf '%s %s' "$(get "$1" "$2")" "$(get "$1" "$2")"
}

is "two tokens of the enterprise work, twice each" "$(twice "$A" "$TENT") $(twice "$A" "$TENT2")" \
	"200 200 200 200"
ok "the operator revokes one" adm token revoke "$(printf '%s' "$TENT" | cut -c1-8)"
is "it is refused at the next request (401)" "$(get "$A" "$TENT")" 401
is "the other one still works" "$(get "$A" "$TENT2")" 200
is "mia's token works, twice" "$(twice "$A" "$TMIA")" "200 200"
ok "the operator disables mia" adm user disable mia
is "her token is refused at the next request" "$(get "$A" "$TMIA")" 401
ok "the operator enables her" adm user enable mia
is "it works again" "$(get "$A" "$TMIA")" 200
ok "the operator disables the enterprise" adm enterprise disable 4403960XA1
is "its token is refused at the next request" "$(get "$A" "$TENT2")" 401
is "so is its merchant's" "$(get "$A" "$TMIA")" 401
ok "the operator enables it" adm enterprise enable 4403960XA1
is "both work again" "$(get "$A" "$TENT2") $(get "$A" "$TMIA")" "200 200"

if on_pg; then
	need jq
	first=$pid
	kill_at_exit "$first"
	start_daemon --db "$DB" --threads 1
	B=$URL
	TENT3=$(adm token new --enterprise 4403960XA1)
	is "a third token works on node A, twice" "$(twice "$A" "$TENT3")" "200 200"
	id=$(adm token list --json | jq -r '.tokens[-1].id')
	is "node B's admin revokes it over the API" \
		"$(http -X DELETE -H "Authorization: Bearer $TADM" "$B/api/v1/tokens/$id")" 200
	is "node A refuses it at the next request" "$(get "$A" "$TENT3")" 401
	is "mia's token works on node A, twice" "$(twice "$A" "$TMIA")" "200 200"
	is "node B's admin disables her" \
		"$(http -X PATCH -H "Authorization: Bearer $TADM" -H 'Content-Type: application/json' \
			--data '{"disabled":true}' "$B/api/v1/users/mia")" 200
	is "node A refuses her token at the next request" "$(get "$A" "$TMIA")" 401
	stop_daemon
	pid=$first
fi
stop_daemon
done_testing
