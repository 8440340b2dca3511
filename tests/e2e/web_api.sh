#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: the officer desk's side of the real cebgated. Pages come from a
# fixed list with their security headers and nothing else of the disk; a login
# sets an HttpOnly, SameSite=Strict session cookie; a change made with the
# cookie needs the session's CSRF token (and a same-site Origin); bearer
# tokens keep working; personal numbers are masked and revealing them is
# audited; the dashboard is for officers; the public random-inspection
# results need no login and carry no personal data; `cebgate review` works the
# same queue from a terminal.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/desk_lib.sh"

desk_setup
TO=$(adm token new --user oscar)
TM=$(adm token new --user mia)
start_daemon --db "$DB" --random-rate 1000 --match-timeout 3600 --lease 60
submit_all

page() { http --path-as-is "$URL$1"; }
csp() { header content-security-policy; }

is "the login page is served at /" "$(page /)" 200
like "as HTML" "$(header content-type)" text/html
file_contains "loading its script" "$T/out" login.js
file_lacks "its header is empty: app.js writes the navigation of every page" "$T/out" '<nav'
like "with a Content-Security-Policy that allows scripts of its own origin" "$(csp)" \
	"script-src 'self'"
ok_fails "and no inline script" grep -qi 'content-security-policy:.*unsafe-inline' "$T/h"
like "and no framing" "$(csp)" "frame-ancestors 'none'"
like "and X-Frame-Options DENY" "$(header x-frame-options)" DENY
like "and nosniff" "$(header x-content-type-options)" nosniff
is "scripts are served" "$(page /app.js)" 200
like "as JavaScript" "$(header content-type)" text/javascript
is "styles are served" "$(page /app.css)" 200
like "as CSS" "$(header content-type)" text/css
is "no path outside the list reaches the disk: traversal" "$(page /../schemas/ceb-import.xsd)" 404
is "encoded traversal" "$(page /%2e%2e/schemas/ceb-import.xsd)" 404
is "the web/ prefix" "$(page /web/app.js)" 404
is "traversal below a page" "$(page /index.html/../../etc/passwd)" 404
is "the database" "$(page /desk.db)" 404
is "the public page needs no login" "$(page /public.html)" 200
file_contains "and loads its script" "$T/out" public.js

login() {
	curl -s -c "$T/jar.$1" -D "$T/h" -o "$T/out" -w '%{http_code}' \
		-H 'Content-Type: application/json' \
		--data "{\"user\":\"$1\",\"password\":\"$2\"}" "$URL/api/v1/login"
}
is "an officer logs in with the API's account" "$(login olga officerpass1)" 200
json_is "as an officer" "$T/out" .role officer
CSRF=$(jv "$T/out" .csrf)
TOKEN=$(jv "$T/out" .token)
cookie=$(header set-cookie)
like "the session cookie is set" "$cookie" 'cg_session='
like "HttpOnly" "$cookie" HttpOnly
like "SameSite=Strict" "$cookie" 'SameSite=Strict'
like "for a working day" "$cookie" 'Max-Age=43200'
is "the login answer carries a CSRF token" "${#CSRF}" 64
isnt "distinct from the session token" "$CSRF" "$TOKEN"
ck() { # USER METHOD PATH [CSRF [BODY [ORIGIN]]] -> status, with the user's cookie jar
	http -b "$T/jar.$1" -X "$2" ${4:+-H "X-CSRF-Token: $4"} \
		${5:+-H 'Content-Type: application/json' --data "$5"} ${6:+-H "Origin: $6"} \
		"$URL$3"
}
api() { http -X "$2" -H "Authorization: Bearer $1" ${4:+--data "$4"} "$URL$3"; }
R=/api/v1/review
is "the cookie alone opens the review queue (GET)" "$(ck olga GET $R)" 200
json_is "with both held inventories" "$T/out" .count 2
ID=$(jv "$T/out" '.items[0].id')
ID2=$(jv "$T/out" '.items[1].id')
is "GET /api/v1/session tells the page who it is" "$(ck olga GET /api/v1/session)" 200
json_is "its user" "$T/out" .user olga
json_is "and its CSRF token" "$T/out" .csrf "$CSRF"
is "a claim with the cookie but no CSRF token is refused (403)" \
	"$(ck olga POST "$R/$ID/claim")" 403
# Every hex digit shifted: the same length, never the same token.
WRONG=$(echo "$CSRF" | tr 0-9a-f 1-9a-f0)
is "so is one with a longer CSRF token" "$(ck olga POST "$R/$ID/claim" "0000$CSRF")" 403
is "so is one with a wrong CSRF token" "$(ck olga POST "$R/$ID/claim" "$WRONG")" 403
is "and one from another origin even with the token" \
	"$(ck olga POST "$R/$ID/claim" "$CSRF" '' http://evil.example)" 403
is "the queue is read again" "$(ck olga GET $R)" 200
json_is "nothing was claimed by the refused requests" "$T/out" '[.items[].state]' \
	'["queued","queued"]'
is "with the CSRF token the officer claims it" "$(ck olga POST "$R/$ID/claim" "$CSRF")" 200
is "a bearer token needs no CSRF token: the second officer claims the other one" \
	"$(api "$TO" POST "$R/$ID2/claim")" 200
is "and is refused the first one (409)" "$(api "$TO" POST "$R/$ID/claim")" 409
is "the age filter is answered" "$(ck olga GET "$R?state=claimed&minAge=3600")" 200
json_is "nothing has waited an hour" "$T/out" .count 0
is "the age filter at 0 s is answered" "$(ck olga GET "$R?state=claimed&minAge=0")" 200
json_is "both have waited 0 s" "$T/out" .count 2
ck olga GET "/api/v1/declarations/$ID" >/dev/null
json_is "the detail shows who holds the lease" "$T/out" .review.claimedBy olga
json_is "and its expiry" "$T/out" '.review.leaseUntil > .now' true
ISO='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}$'
like "the lease's end is ISO 8601 with an offset" "$(jv "$T/out" .review.leaseUntil)" "$ISO"
like "so is the receipt's time" "$(jv "$T/out" '.receipts[0].created')" "$ISO"
like "and the claim's audit row names the end the same way" \
	"$(jv "$T/out" '[.audit[] | select(.action == "claim")][0].detail')" '^lease until [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[+-][0-9]{2}:[0-9]{2}$'
like "the audit row's own time too" "$(jv "$T/out" '.audit[0].at')" "$ISO"
file_lacks "ID numbers and telephone numbers are masked in every document" "$T/out" \
	330106199003071236 13800138000 13900139000
json_is "the masked ID number keeps its ends" "$T/out" .order.h.buyerIdNumber '330***********1236'
json_is "the differing buyer telephone is flagged, equal fields are not" "$T/out" \
	'[.comparison[] | select(.differs) | .field]' '["buyerTelephone"]'
json_is "each goods line shows its supervision conditions and inspection category from the tariff" \
	"$T/out" '[.lines[] | [.gcode, .tariff.supervision, .tariff.inspection, .tariff.edition]]' \
	'[["1901101010","7AB","RS","2026"],["3304990099","AB","MN","2026"]]'
json_is "the rule hits are listed" "$T/out" '[.review.rules[].code]' '["random"]'
json_is "the tax is recomputed" "$T/out" .tax.recomputed 47.87
json_is "with the buyer's quota" "$T/out" .tax.quota.used 1052.00
is "revealing needs the CSRF token too" "$(ck olga POST "/api/v1/declarations/$ID/reveal")" 403
is "a merchant cannot reveal (403)" "$(api "$TM" POST "/api/v1/declarations/$ID/reveal")" 403
is "an enterprise cannot reveal (403)" "$(api "$TA" POST "/api/v1/declarations/$ID/reveal")" 403
is "the officer reveals the numbers" \
	"$(ck olga POST "/api/v1/declarations/$ID/reveal" "$CSRF")" 200
json_is "the telephone" "$T/out" .inventory.buyerTelephone 13900139000
json_is "the payer's ID number" "$T/out" .payment.payerIdNumber 330106199003071236
ck olga GET "/api/v1/declarations/$ID" >/dev/null
json_is "the reveal is in the audit trail under the officer's name" "$T/out" \
	'[.audit[] | select(.actor == "olga") | .action]' '["claim","reveal"]'
file_contains "naming what was shown" "$T/out" 'inventory.buyerIdNumber'
is "a decision with the cookie and CSRF token is taken" "$(ck olga POST "$R/$ID/decide" "$CSRF" \
	'{"decision":"release","reason":"documents in order"}')" 200
json_is "its receipt returned" "$T/out" .returnStatus 800
ck olga GET "/api/v1/declarations/$ID" >/dev/null
json_is "the detail then carries the receipt that went out" "$T/out" \
	'[.receipts[].returnStatus][-1]' 800
json_is "a CEB622 with 800" "$T/out" \
	'.receipts[-1].xml | gsub("ceb:"; "") | contains("<returnStatus>800</returnStatus>")' true
is "the dashboard is answered" "$(ck olga GET '/api/v1/dashboard?hours=24')" 200
json_is "it counts the held this hour" "$T/out" '[.perHour[].held] | add' 2
json_is "the released" "$T/out" '[.perHour[].released] | add' 1
json_is "the queue's depth" "$T/out" '.queue[-1].depth' 1
json_is "with hold reasons" "$T/out" .holdReasons '[{"reason":"random","count":2}]'
json_is "review times" "$T/out" .reviewTime.decided 1
json_is "and match-failure rates" "$T/out" '.matchFailures[0].rate' 0
is "the dashboard is refused to a merchant (403)" "$(api "$TM" GET /api/v1/dashboard)" 403
status_is "and without login (401)" 401 "$URL/api/v1/dashboard"
is "a bad period is refused (400)" "$(ck olga GET '/api/v1/dashboard?hours=9999')" 400
status_is "the public random-inspection results need no login" 200 \
	"$URL/api/v1/public/inspections"
json_is "they aggregate per enterprise and month: 2 selected, 1 inspected, 1 in order" "$T/out" \
	'[.results[] | [.enterprise, .selected, .inspected, .inOrder, .irregular]]' \
	'[["4403960XB2",2,1,1,0]]'
file_lacks "and carry no personal data (ID, phone, buyer, officer) and no document numbers" \
	"$T/out" '330106199003071236|1380013800|1390013900|李晓明|olga|SO2024|EX2024|QH2024'
is "a logistics user logs in" "$(login leo logisticspass1)" 200
Q='{"waybills":[{"logisticsCode":"4403980XD4","logisticsNo":"EX2024111100012345"}]}'
is "its session looks up waybills in the browser's way" \
	"$(ck leo POST /api/v1/logistics/query "$(jv "$T/out" .csrf)" "$Q")" 200
json_is "and reads the state" "$T/out" '.waybills[0].state' released
sqlite3 "$DB" "UPDATE token SET created = created - 13 * 3600
	WHERE user_id = (SELECT id FROM user WHERE name = 'leo')"
is "a session older than a working day is over" "$(ck leo GET /api/v1/session)" 401
is "the same token as a bearer still works" \
	"$(api "$(awk '$6 == "cg_session" { print $7 }' "$T/jar.leo")" GET /api/v1/session)" 200
is "logout (with the CSRF token) is answered" "$(ck olga POST /api/v1/logout "$CSRF")" 200
is "it revokes the session's cookie" "$(ck olga GET $R)" 401
is "and its token" "$(api "$TOKEN" GET $R)" 401

echo "$TO" >"$T/oscar.token"
rv() {
	"$CEBGATE" review --server "$URL" --token-file "$T/oscar.token" "$@" >"$T/cli" 2>"$T/cli.err"
}
ok "cebgate review list shows the queue from a terminal" rv list --state claimed
file_contains "the claimed item, one in all" "$T/cli" "^$ID2 " '1 item'
ok "cebgate review show names the rule and the difference" rv show "$ID2"
file_contains "the rule" "$T/cli" 'rule: random'
file_lacks "masked" "$T/cli" 330106199003071236
ok "cebgate review claim renews the officer's own lease" rv claim "$ID2"
file_contains "and shows its expiry" "$T/cli" leaseUntil
exit_code_is "cebgate review decide needs a decision and a reason (usage: 2)" 2 \
	rv decide "$ID2" --decision release
ok "cebgate review decide returns it" \
	rv decide "$ID2" --decision return --reason 'goods differ from the order'
file_contains "with the receipt status" "$T/cli" '"returnStatus": "100"'
exit_code_is "a token from the environment works; a merchant's is refused (exit 1)" 1 \
	env CEBGATE_TOKEN="$TM" "$CEBGATE" review --server "$URL" list
exit_code_is "without a token the command stops before any request (exit 2)" 2 \
	env -u CEBGATE_TOKEN "$CEBGATE" review --server "$URL" list
stop_daemon
done_testing
