#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: access that can be taken back, over HTTP with the real cebgated.
# Credentials in a URL are refused and never logged; every form of the pages
# posts; tokens are listed without their secret, revoked by id or prefix and
# expire; users and enterprises are disabled and enabled (their sessions and
# tokens stop at once); a revoked certificate's later signatures are refused
# while what it signed before stays accepted; each change is audited; a
# revoked, expired or disabled token gets the same 401 as an unknown one; and a
# second cebgated on the same SQLite database refuses to start.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
need jq sqlite3

DB=$T/a.db
adm enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901 >/dev/null
"$CEBGATE" keygen --sm2 --key "$T/a.key" --cert "$T/a.crt" --serial 3000000000A1A1 >/dev/null
adm cert add 4403960XA1 "$T/a.crt"
PW=adminpass123 adm user add ada admin --pass-env PW
PW=officerpass1 adm user add olga officer --pass-env PW
PW=merchantpass1 adm user add mia merchant --enterprise 4403960XA1 --pass-env PW
TADM=$(adm token new --user ada)
TOFF=$(adm token new --user olga)
TENT=$(adm token new --enterprise 4403960XA1)
TOLD=$(adm token new --enterprise 4403960XA1)
TEXP=$(adm token new --enterprise 4403960XA1 --expires 2099-12-31)
start_daemon --db "$DB"

call() { # TOKEN METHOD PATH [BODY] -> status; body in $T/out
	printf '%s' "${4:-}" >"$T/body"
	http -X "$2" ${1:+-H "Authorization: Bearer $1"} -H "Content-Type: application/json" \
		${4:+--data-binary @"$T/body"} "$URL$3"
}
# order N: the sample order with its own guid and number, signed by 4403960XA1's key.
order() {
	sed -e "s|309FF3B5-9896-4379-93C3-706DB153EEF5|309FF3B5-9896-4379-93C3-706DB153EE0$1|" \
		-e "s|SO202411110000123456|SO20241111000012345$1|" "$S/CEB311-order.xml" >"$T/o$1-u.xml"
	"$CEBGATE" sign --key "$T/a.key" --cert "$T/a.crt" "$T/o$1-u.xml" -o "$T/o$1.xml"
}
submit() { # TOKEN FILE -> status
	http -H "Authorization: Bearer $1" -H "Content-Type: application/xml" \
		--data-binary @"$2" "$URL/api/v1/submissions"
}

# ---- no password or token in a URL
is "a login form sent as GET (password in the query) is refused (400)" \
	"$(http "$URL/?user=ada&password=SeCrEtInUrl1")" 400
json_is "with a message that says why" "$T/out" '.error | test("URL")' true
is "so is an API token in the query, whatever the path" \
	"$(http "$URL/api/v1/session?token=$TADM")" 400
is "and a login whose password rides in the query" \
	"$(http -X POST -H 'Content-Type: application/json' --data '{}' \
		"$URL/api/v1/login?user=ada&Password=SeCrEtInUrl1")" 400
file_lacks "the service's log never holds the secret" "$T/log" SeCrEtInUrl1 "$TADM"
is "an ordinary query still works" "$(call "$TADM" GET '/api/v1/declarations?limit=1')" 200
forms=$(grep -ho '<form[^>]*>' "$top_srcdir"/web/*.html)
is "every form of the pages posts (none would put a password in the URL)" \
	"$(printf '%s\n' "$forms" | grep -vc 'method="post"' || :)" 0
http "$URL/" >/dev/null
file_contains "the login page served posts its form" "$T/out" '<form id="login"[^>]*method="post"'

# ---- listing tokens: never the secret
adm token list --json >"$T/list.json"
is "token list --json prints exactly one JSON document" "$(jq -s length "$T/list.json")" 1
json_is "listing the five tokens" "$T/list.json" .count 5
json_is "each with an id, a prefix of 8 characters, an owner and a state" "$T/list.json" \
	'[.tokens[] | (.id > 0) and (.prefix | length) == 8 and ((.user // .enterprise) != null)
		and .state == "active"] | all' true
# Moments are ISO 8601 in the zone of the process: China's here (the lists of an operator there).
TZ=CST-8 adm token list --json >"$T/list.json"
json_is "the expiry date given is kept (2099-12-31 00:00 +08:00), as ISO 8601" "$T/list.json" \
	'[.tokens[] | select(.expires != null) | .expires]' '["2099-12-31T00:00:00+08:00"]'
file_lacks "and no token itself" "$T/list.json" "$TADM" "$TENT" "$TEXP"
TZ=CST-8 adm token list >"$T/list.txt"
file_contains "the table for people shows the expiry in ISO 8601 with its offset" "$T/list.txt" \
	'2099-12-31T00:00:00\+08:00'
is "the admin API lists them too" "$(call "$TADM" GET /api/v1/tokens)" 200
json_is "the same ids" "$T/out" '[.tokens[].id]' "$(jq -c '[.tokens[].id]' "$T/list.json")"
file_lacks "without any secret" "$T/out" "$TADM" "$TENT"
is "an officer may not list tokens (403)" "$(call "$TOFF" GET /api/v1/tokens)" 403
is "nor may anyone without a token (401)" "$(call '' GET /api/v1/tokens)" 401

# ---- what a refused token is told: the same as an unknown one
is "a made-up token: 401" "$(call nosuchtokenatall0000000000000000000000000000 GET /api/v1/session)" 401
cp "$T/out" "$T/unknown.json"
is "the enterprise token works before it is revoked" "$(call "$TOLD" GET /api/v1/session)" 200

# ---- revoking by prefix (the CLI) and by id (the API)
old_id=$(jq -r --arg p "$(printf '%s' "$TOLD" | cut -c1-8)" '.tokens[] | select(.prefix == $p) | .id' "$T/list.json")
exit_code_is "a prefix of 3 characters is too short to name a token" 1 \
	adm token revoke "$(printf '%s' "$TOLD" | cut -c1-3)"
sqlite3 "$DB" "UPDATE token SET prefix = 'zzzz' || substr(prefix, 5) WHERE id IN ($old_id, $old_id - 1)"
exit_code_is "a prefix that names two tokens is refused" 1 adm token revoke zzzz
adm token revoke zzzz >"$T/amb" 2>&1 || :
file_contains "saying so" "$T/amb" 'more than one token'
is "and both still work" "$(call "$TOLD" GET /api/v1/session)" 200
sqlite3 "$DB" "UPDATE token SET prefix = substr('$TOLD', 1, 8) WHERE id = $old_id;
	UPDATE token SET prefix = substr('$TENT', 1, 8) WHERE id = $old_id - 1"
ok "the operator revokes a token by its prefix" adm token revoke "$(printf '%s' "$TOLD" | cut -c1-6)"
is "it is refused at once (401)" "$(call "$TOLD" GET /api/v1/session)" 401
is "with the very answer an unknown token gets" "$(cat "$T/out")" "$(cat "$T/unknown.json")"
is "the other enterprise token still works" "$(call "$TENT" GET /api/v1/session)" 200
TOK2=$(adm token new --user olga)
id2=$(adm token list --json | jq -r '.tokens[-1].id')
is "the admin revokes a token by id over the API (200)" "$(call "$TADM" DELETE "/api/v1/tokens/$id2")" 200
json_is "the answer names it revoked" "$T/out" .state revoked
is "it is refused at once" "$(call "$TOK2" GET /api/v1/session)" 401
is "revoking an unknown id: 404" "$(call "$TADM" DELETE /api/v1/tokens/999999)" 404
is "an officer may not revoke (403)" "$(call "$TOFF" DELETE "/api/v1/tokens/$id2")" 403
adm token list --json >"$T/list2.json"
json_is "the list shows which are revoked" "$T/list2.json" \
	"[.tokens[] | select(.id == $old_id or .id == $id2) | .state]" '["revoked","revoked"]'

# ---- expiry
exit_code_is "an expiry date in the past is refused" 1 adm token new --enterprise 4403960XA1 --expires 2020-01-01
exit_code_is "so is a date that does not exist" 1 adm token new --enterprise 4403960XA1 --expires 2099-02-30
exit_code_is "and a time without its offset" 1 adm token new --enterprise 4403960XA1 --expires 2099-01-01T10:00:00
is "the token with a future expiry works" "$(call "$TEXP" GET /api/v1/session)" 200
# The clock cannot be moved: the stored expiry is, as if that day had come.
sqlite3 "$DB" "UPDATE token SET expires = 1 WHERE expires IS NOT NULL"
is "once expired it is refused" "$(call "$TEXP" GET /api/v1/session)" 401
is "like an unknown token" "$(cat "$T/out")" "$(cat "$T/unknown.json")"
call "$TADM" POST /api/v1/tokens '{"enterprise":"4403960XA1","expires":"2099-06-30T18:00:00+08:00"}' >/dev/null
json_is "the API issues a token with an expiry time" "$T/out" .expires 2099-06-30T18:00:00+08:00
is "and refuses a bad one (400)" \
	"$(call "$TADM" POST /api/v1/tokens '{"enterprise":"4403960XA1","expires":"next week"}')" 400

# ---- disabling a user: her browser session ends at once
http -c "$T/jar" -H 'Content-Type: application/json' \
	--data '{"user":"mia","password":"merchantpass1"}' "$URL/api/v1/login" >/dev/null
is "mia's browser session works" "$(http -b "$T/jar" "$URL/api/v1/session")" 200
TMIA=$(adm token new --user mia)
is "the admin disables her (200)" "$(call "$TADM" PATCH /api/v1/users/mia '{"disabled":true}')" 200
json_is "the answer says so" "$T/out" .disabled true
is "her open session is refused at the next request (401)" "$(http -b "$T/jar" "$URL/api/v1/session")" 401
is "so is her API token" "$(call "$TMIA" GET /api/v1/session)" 401
is "like an unknown token" "$(cat "$T/out")" "$(cat "$T/unknown.json")"
is "she cannot log in again" "$(http -H 'Content-Type: application/json' \
	--data '{"user":"mia","password":"merchantpass1"}' "$URL/api/v1/login")" 401
cp "$T/out" "$T/disabled-login.json"
http -H 'Content-Type: application/json' --data '{"user":"mia","password":"wrongpass99"}' \
	"$URL/api/v1/login" >/dev/null
is "and is told what a wrong password is told" "$(cat "$T/disabled-login.json")" "$(cat "$T/out")"
is "a body other than {disabled} is refused (400)" \
	"$(call "$TADM" PATCH /api/v1/users/mia '{"disabled":true,"role":"admin"}')" 400
is "an unknown user: 404" "$(call "$TADM" PATCH /api/v1/users/nobody '{"disabled":true}')" 404
is "an officer may not disable anyone (403)" "$(call "$TOFF" PATCH /api/v1/users/ada '{"disabled":true}')" 403
call "$TADM" GET /api/v1/users >/dev/null
json_is "the user list shows her disabled" "$T/out" '[.users[] | select(.name == "mia") | .disabled]' '[true]'
ok "the operator enables her again" adm user enable mia
is "she logs in again" "$(http -H 'Content-Type: application/json' \
	--data '{"user":"mia","password":"merchantpass1"}' "$URL/api/v1/login")" 200
is "and her token works again" "$(call "$TMIA" GET /api/v1/session)" 200

# ---- a revoked certificate: later signatures refused, earlier ones untouched
order 1
order 2
is "an order signed with the registered certificate is accepted" "$(submit "$TENT" "$T/o1.xml")" 200
json_is "accepted" "$T/out" '.results[0].status' accepted
adm cert list --json >"$T/certs.json"
is "cert list --json prints one document" "$(jq -s length "$T/certs.json")" 1
serial=$(jq -r '.certificates[0].serial' "$T/certs.json")
json_is "the certificate is in force" "$T/certs.json" '.certificates[0].revoked' null
is "an officer may not revoke a certificate (403)" \
	"$(call "$TOFF" DELETE "/api/v1/enterprises/4403960XA1/certificates/$serial")" 403
is "the admin revokes it over the API (200)" \
	"$(call "$TADM" DELETE "/api/v1/enterprises/4403960XA1/certificates/$serial")" 200
is "a certificate that is not registered: 404" \
	"$(call "$TADM" DELETE /api/v1/enterprises/4403960XA1/certificates/0bad)" 404
is "a later order signed with it is refused (422)" "$(submit "$TENT" "$T/o2.xml")" 422
json_is "its result says rejected" "$T/out" '.results[0].status' rejected
json_is "with the finding that says the certificate was revoked" "$T/out" \
	'[.results[0].findings[].code] | index("CG3018") != null' true
is "the order accepted before stays accepted" \
	"$(sqlite3 "$DB" "SELECT state FROM document WHERE key2 = 'SO202411110000123451'")" declared
is "the refused one was not stored as a declaration" \
	"$(sqlite3 "$DB" "SELECT count(*) FROM document WHERE key2 = 'SO202411110000123452'")" 0
adm cert list >"$T/certs.txt"
file_lacks "the list no longer shows it in force" "$T/certs.txt" 'in force'

# ---- disabling an enterprise: its tokens and its staff stop at once
ok "the operator disables the enterprise" adm enterprise disable 4403960XA1
is "its API token is refused at once (401)" "$(call "$TENT" GET /api/v1/session)" 401
is "like an unknown token" "$(cat "$T/out")" "$(cat "$T/unknown.json")"
is "so is its merchant's token" "$(call "$TMIA" GET /api/v1/session)" 401
is "it cannot submit" "$(submit "$TENT" "$T/o2.xml")" 401
adm enterprise list --json >"$T/ents.json"
is "enterprise list --json prints one document" "$(jq -s length "$T/ents.json")" 1
json_is "showing it disabled" "$T/ents.json" '.enterprises[0].disabled' true
is "the admin enables it over the API (200)" \
	"$(call "$TADM" PATCH /api/v1/enterprises/4403960XA1 '{"disabled":false}')" 200
is "its token works again" "$(call "$TENT" GET /api/v1/session)" 200
exit_code_is "disabling an unknown enterprise fails" 1 adm enterprise disable NOSUCH
adm user list --json >"$T/users.json"
is "user list --json prints one document" "$(jq -s length "$T/users.json")" 1

# ---- when a token was last used: shown, and written at most once a minute
TNEW=$(adm token new --enterprise 4403960XA1)
pre=$(printf '%s' "$TNEW" | cut -c1-8)
used() { sqlite3 "$DB" "SELECT coalesce(last_used, 'never') FROM token WHERE prefix = '$pre'"; }
adm token list --json >"$T/tokens.json"
json_is "a token never used shows no last use" "$T/tokens.json" \
	".tokens[] | select(.prefix == \"$pre\") | .lastUsed" null
call "$TNEW" GET /api/v1/session >/dev/null
adm token list --json >"$T/tokens.json"
like "once used, the list shows when (ISO 8601 with offset)" \
	"$(jv "$T/tokens.json" ".tokens[] | select(.prefix == \"$pre\") | .lastUsed")" \
	'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}$'
adm token list >"$T/tokens.txt"
file_contains "so does the text list, in its last-used column" "$T/tokens.txt" 'last used' \
	"^[0-9]+ +$pre +4403960XA1 +[^ ]+ +- +[0-9]{4}-[0-9]{2}-[0-9]{2}T[^ ]+ +active"
sqlite3 "$DB" "UPDATE token SET last_used = strftime('%s', 'now') - 30 WHERE prefix = '$pre'"
before=$(used)
call "$TNEW" GET /api/v1/session >/dev/null
is "used again within the minute: nothing is written" "$(used)" "$before"
sqlite3 "$DB" "UPDATE token SET last_used = strftime('%s', 'now') - 120 WHERE prefix = '$pre'"
before=$(used)
call "$TNEW" GET /api/v1/session >/dev/null
ok "used after more than a minute: the time is written again" test "$(used)" -gt "$before"

# ---- the audit trail
me=$(id -un)
is "each change is in the audit trail, with who made it" \
	"$(sqlite3 -separator ' ' "$DB" "SELECT actor, action, detail FROM audit
		WHERE action IN ('revoke token', 'disable user', 'enable user', 'revoke certificate',
		'disable enterprise', 'enable enterprise') ORDER BY id" | sed 's/token [0-9]* prefix/token N prefix/')" \
	"operator:$me revoke token token N prefix $(printf '%s' "$TOLD" | cut -c1-8)
ada revoke token token N prefix $(printf '%s' "$TOK2" | cut -c1-8)
ada disable user mia
operator:$me enable user mia
ada revoke certificate 4403960XA1 serial $serial
operator:$me disable enterprise 4403960XA1
ada enable enterprise 4403960XA1"
is "so are the operator's registrations (1 enterprise, 1 certificate, 3 users, 8 tokens)" \
	"$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE actor = 'operator:$me' AND action IN
		('register enterprise', 'register certificate', 'register user', 'issue token')")" 13

# ---- one cebgated per SQLite database
"$CEBGATED" --db "$DB" --port 0 --port-file "$T/port2" 2>"$T/second.log" && rc=0 || rc=$?
is "a second cebgated on the same database refuses to start" "$rc" 2
file_contains "naming the process that holds it" "$T/second.log" "in use by another cebgated \\(pid $pid"
ok "and writes no port file" test ! -e "$T/port2"
is "the first one still answers" "$(call "$TADM" GET /api/v1/session)" 200
first=$pid
kill -KILL "$first"
wait "$first" 2>/dev/null || :
pid=""
start_daemon --db "$DB"
is "once the first has died, however it died, a new one starts on the database" \
	"$(call "$TADM" GET /api/v1/session)" 200
"$CEBGATED" --db "$T/other.db" --port 0 --port-file "$T/port3" 2>"$T/third.log" &
other=$!
kill_at_exit "$other"
wait_until 300 test -s "$T/port3"
ok "while another database takes its own cebgated" test -s "$T/port3"
done_testing
