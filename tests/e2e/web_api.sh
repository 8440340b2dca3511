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

echo "1..46"
desk_setup
TO=$("$CEBGATE" admin --db "$DB" token new --user oscar)
TM=$("$CEBGATE" admin --db "$DB" token new --user mia)
start_daemon --db "$DB" --random-rate 1000 --match-timeout 3600 --lease 60
submit_all

j() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/out" "$1"; }
hdr() { grep -i "^$1:" "$T/h" | head -1 | tr -d '\r'; }
page() { curl -s --path-as-is -D "$T/h" -o "$T/out" -w '%{http_code}' "$URL$1"; }

check "the login page is served at / as HTML" "[ \$(page /) = 200 ] && hdr content-type | grep -q 'text/html' && grep -q 'login.js' $T/out"
check "with a Content-Security-Policy that allows no inline script and no framing" \
	"hdr content-security-policy | grep -q \"script-src 'self'\" && ! hdr content-security-policy | grep -q unsafe-inline && hdr content-security-policy | grep -q \"frame-ancestors 'none'\""
check "and X-Frame-Options DENY, nosniff" "hdr x-frame-options | grep -q DENY && hdr x-content-type-options | grep -q nosniff"
check "scripts and styles have their types" "[ \$(page /app.js) = 200 ] && hdr content-type | grep -q text/javascript && [ \$(page /app.css) = 200 ] && hdr content-type | grep -q text/css"
check "no path outside the list reaches the disk (traversal, encoded, web/ prefix)" \
	"[ \$(page /../schemas/ceb-import.xsd) = 404 ] && [ \$(page /%2e%2e/schemas/ceb-import.xsd) = 404 ] && [ \$(page /web/app.js) = 404 ] && [ \$(page /index.html/../../etc/passwd) = 404 ] && [ \$(page /desk.db) = 404 ]"
check "the public page needs no login" "[ \$(page /public.html) = 200 ] && grep -q public.js $T/out"

login() { curl -s -c "$T/jar.$1" -D "$T/h" -o "$T/out" -w '%{http_code}' -H 'Content-Type: application/json' \
	--data "{\"user\":\"$1\",\"password\":\"$2\"}" "$URL/api/v1/login"; }
check "an officer logs in with the API's account" "[ \$(login olga officerpass1) = 200 ] && [ \"\$(j 'r[\"role\"]')\" = officer ]"
CSRF=$(j 'r["csrf"]')
TOKEN=$(j 'r["token"]')
check "the session cookie is HttpOnly and SameSite=Strict, for a working day" \
	"hdr set-cookie | grep -q 'cg_session=' && hdr set-cookie | grep -q HttpOnly && hdr set-cookie | grep -q 'SameSite=Strict' && hdr set-cookie | grep -q 'Max-Age=43200'"
check "the login answer carries a CSRF token distinct from the session token" "[ \${#CSRF} = 64 ] && [ \"$CSRF\" != \"$TOKEN\" ]"
ck() { # USER METHOD PATH [CSRF [BODY [ORIGIN]]] -> status, with the user's cookie jar
	curl -s -b "$T/jar.$1" -o "$T/out" -w '%{http_code}' -X "$2" ${4:+-H "X-CSRF-Token: $4"} \
		${5:+-H 'Content-Type: application/json' --data "$5"} ${6:+-H "Origin: $6"} "$URL$3"
}
api() { curl -s -o "$T/out" -w '%{http_code}' -X "$2" -H "Authorization: Bearer $1" ${4:+--data "$4"} "$URL$3"; }
check "the cookie alone opens the review queue (GET)" "[ \$(ck olga GET /api/v1/review) = 200 ] && [ \"\$(j 'r[\"count\"]')\" = 2 ]"
ID=$(j 'r["items"][0]["id"]')
ID2=$(j 'r["items"][1]["id"]')
check "GET /api/v1/session tells the page who it is and its CSRF token" \
	"[ \$(ck olga GET /api/v1/session) = 200 ] && [ \"\$(j 'r[\"user\"]')\" = olga ] && [ \"\$(j 'r[\"csrf\"]')\" = $CSRF ]"
check "a claim with the cookie but no CSRF token is refused (403)" "[ \$(ck olga POST /api/v1/review/$ID/claim) = 403 ]"
# Every hex digit shifted: the same length, never the same token.
WRONG=$(echo "$CSRF" | tr 0-9a-f 1-9a-f0)
check "so is one with a wrong CSRF token" "[ \$(ck olga POST /api/v1/review/$ID/claim 0000$CSRF) = 403 ] && [ \$(ck olga POST /api/v1/review/$ID/claim $WRONG) = 403 ]"
check "and one from another origin even with the token" "[ \$(ck olga POST /api/v1/review/$ID/claim $CSRF '' http://evil.example) = 403 ]"
check "nothing was claimed by the refused requests" "[ \$(ck olga GET /api/v1/review) = 200 ] && [ \"\$(j '[i[\"state\"] for i in r[\"items\"]]')\" = \"['queued', 'queued']\" ]"
check "with the CSRF token the officer claims it" "[ \$(ck olga POST /api/v1/review/$ID/claim $CSRF) = 200 ]"
check "a bearer token needs no CSRF token: the second officer claims the other one" "[ \$(api $TO POST /api/v1/review/$ID2/claim) = 200 ]"
check "and is refused the first one (409)" "[ \$(api $TO POST /api/v1/review/$ID/claim) = 409 ]"
check "the age filter: nothing has waited an hour, both have waited 0 s" \
	"[ \$(ck olga GET '/api/v1/review?state=claimed&minAge=3600') = 200 ] && [ \"\$(j 'r[\"count\"]')\" = 0 ] && [ \$(ck olga GET '/api/v1/review?state=claimed&minAge=0') = 200 ] && [ \"\$(j 'r[\"count\"]')\" = 2 ]"
ck olga GET "/api/v1/declarations/$ID" >/dev/null
check "the detail shows the lease's expiry and who holds it" "[ \"\$(j 'r[\"review\"][\"claimedBy\"]')\" = olga ] && [ \"\$(j 'r[\"review\"][\"leaseUntil\"] > r[\"now\"]')\" = True ]"
check "ID numbers and telephone numbers are masked in every document" \
	"! grep -q 330106199003071236 $T/out && ! grep -q 13800138000 $T/out && ! grep -q 13900139000 $T/out && [ \"\$(j 'r[\"order\"][\"h\"][\"buyerIdNumber\"]')\" = '330***********1236' ]"
check "the differing buyer telephone is flagged, equal fields are not" \
	"[ \"\$(j '[c[\"field\"] for c in r[\"comparison\"] if c[\"differs\"]]')\" = \"['buyerTelephone']\" ]"
check "the rule hits and the tax with the buyer's quota are listed" \
	"[ \"\$(j '[x[\"code\"] for x in r[\"review\"][\"rules\"]]')\" = \"['random']\" ] && [ \"\$(j 'r[\"tax\"][\"recomputed\"]')\" = 47.87 ] && [ \"\$(j 'r[\"tax\"][\"quota\"][\"used\"]')\" = 1052.00 ]"
check "revealing needs the CSRF token too" "[ \$(ck olga POST /api/v1/declarations/$ID/reveal) = 403 ]"
check "a merchant and an enterprise cannot reveal (403)" \
	"[ \$(api $TM POST /api/v1/declarations/$ID/reveal) = 403 ] && [ \$(api $TA POST /api/v1/declarations/$ID/reveal) = 403 ]"
check "the officer reveals the numbers" \
	"[ \$(ck olga POST /api/v1/declarations/$ID/reveal $CSRF) = 200 ] && [ \"\$(j 'r[\"inventory\"][\"buyerTelephone\"]')\" = 13900139000 ] && [ \"\$(j 'r[\"payment\"][\"payerIdNumber\"]')\" = 330106199003071236 ]"
ck olga GET "/api/v1/declarations/$ID" >/dev/null
check "and the reveal is in the audit trail under the officer's name" \
	"[ \"\$(j '[a[\"action\"] for a in r[\"audit\"] if a[\"actor\"] == \"olga\"]')\" = \"['claim', 'reveal']\" ] && grep -q 'inventory.buyerIdNumber' $T/out"
check "a decision with the cookie and CSRF token is taken, its receipt returned" \
	"[ \$(ck olga POST /api/v1/review/$ID/decide $CSRF '{\"decision\":\"release\",\"reason\":\"documents in order\"}') = 200 ] && [ \"\$(j 'r[\"returnStatus\"]')\" = 800 ]"
ck olga GET "/api/v1/declarations/$ID" >/dev/null
check "the detail then carries the receipt that went out (CEB622 with 800)" \
	"[ \"\$(j '[x[\"returnStatus\"] for x in r[\"receipts\"]][-1]')\" = 800 ] && [ \"\$(j '\"<returnStatus>800</returnStatus>\" in r[\"receipts\"][-1][\"xml\"].replace(\"ceb:\", \"\")')\" = True ]"
check "the dashboard counts what happened this hour" \
	"[ \$(ck olga GET '/api/v1/dashboard?hours=24') = 200 ] && [ \"\$(j 'sum(h[\"held\"] for h in r[\"perHour\"])')\" = 2 ] && [ \"\$(j 'sum(h[\"released\"] for h in r[\"perHour\"])')\" = 1 ] && [ \"\$(j 'r[\"queue\"][-1][\"depth\"]')\" = 1 ]"
check "with hold reasons, review times and match-failure rates" \
	"[ \"\$(j 'r[\"holdReasons\"]')\" = \"[{'reason': 'random', 'count': 2}]\" ] && [ \"\$(j 'r[\"reviewTime\"][\"decided\"]')\" = 1 ] && [ \"\$(j 'r[\"matchFailures\"][0][\"rate\"]')\" = 0.0 ]"
check "the dashboard is refused to a merchant (403) and without login (401)" \
	"[ \$(api $TM GET /api/v1/dashboard) = 403 ] && [ \$(curl -s -o /dev/null -w '%{http_code}' $URL/api/v1/dashboard) = 401 ]"
check "a bad period is refused (400)" "[ \$(ck olga GET '/api/v1/dashboard?hours=9999') = 400 ]"
code=$(curl -s -o "$T/out" -w '%{http_code}' "$URL/api/v1/public/inspections")
check "the public random-inspection results need no login" "[ $code = 200 ]"
check "they aggregate per enterprise and month: 2 selected, 1 inspected, 1 in order" \
	"[ \"\$(j '[(x[\"enterprise\"], x[\"selected\"], x[\"inspected\"], x[\"inOrder\"], x[\"irregular\"]) for x in r[\"results\"]]')\" = \"[('4403960XB2', 2, 1, 1, 0)]\" ]"
check "and carry no personal data (ID, phone, buyer, officer) and no document numbers" \
	"! grep -qE '330106199003071236|1380013800|1390013900|李晓明|olga|SO2024|EX2024|QH2024' $T/out"
check "a logistics user's session looks up waybills in the browser's way" \
	"[ \$(login leo logisticspass1) = 200 ] && [ \$(ck leo POST /api/v1/logistics/query \$(j 'r[\"csrf\"]') '{\"waybills\":[{\"logisticsCode\":\"4403980XD4\",\"logisticsNo\":\"EX2024111100012345\"}]}') = 200 ] && [ \"\$(j 'r[\"waybills\"][0][\"state\"]')\" = released ]"
sqlite3 "$DB" "UPDATE token SET created = created - 13 * 3600 WHERE user_id = (SELECT id FROM user WHERE name = 'leo')"
check "a session older than a working day is over; the same token as a bearer still works" \
	"[ \$(ck leo GET /api/v1/session) = 401 ] && [ \$(api \$(awk '\$6 == \"cg_session\" { print \$7 }' $T/jar.leo) GET /api/v1/session) = 200 ]"
check "logout (with the CSRF token) revokes the session" \
	"[ \$(ck olga POST /api/v1/logout $CSRF) = 200 ] && [ \$(ck olga GET /api/v1/review) = 401 ] && [ \$(api $TOKEN GET /api/v1/review) = 401 ]"

echo "$TO" >"$T/oscar.token"
R() { "$CEBGATE" review --url "$URL" --token-file "$T/oscar.token" "$@" >"$T/cli" 2>"$T/cli.err"; }
check "cebgate review list shows the queue from a terminal" "R list --state claimed && grep -q \"^$ID2 \" $T/cli && grep -q '1 item' $T/cli"
check "cebgate review show names the rule and the difference, masked" \
	"R show $ID2 && grep -q 'rule: random' $T/cli && ! grep -q 330106199003071236 $T/cli"
check "cebgate review claim renews the officer's own lease" "R claim $ID2 && grep -q leaseUntil $T/cli"
check "cebgate review decide needs a decision and a reason (usage: 2)" "R decide $ID2 --decision release; [ \$? = 2 ]"
check "cebgate review decide returns it, with the receipt status" \
	"R decide $ID2 --decision return --reason 'goods differ from the order' && grep -q '\"returnStatus\": \"100\"' $T/cli"
check "a token from the environment works; a merchant's is refused (exit 1)" \
	"CEBGATE_TOKEN=$TM $CEBGATE review --url $URL list >/dev/null 2>&1; [ \$? = 1 ]"
check "without a token the command stops before any request (exit 2)" \
	"env -u CEBGATE_TOKEN $CEBGATE review --url $URL list >/dev/null 2>&1; [ \$? = 2 ]"
stop_daemon
exit 0
