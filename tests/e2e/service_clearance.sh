#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: clearance in the real cebgated. The four documents of the
# ceb-spec §13 scenario arrive out of order and match; the inventory is held
# by a risk rule, two officers compete for it, one decides; the logistics
# company polls its waybill; an inventory alone is refused at the match
# timeout; the quota ledger and the audit trail are checked in the database.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"

DB=$(new_db s)
for e in A1:4403960XA1:ebp,ebc C3:4403960XC3:pay D4:4403980XD4:logistics,agent; do
	k=${e%%:*}; rest=${e#*:}; code=${rest%%:*}; roles=${rest#*:}
	adm enterprise add "$code" "enterprise $k" "$roles"
	"$CEBGATE" keygen --sm2 --key "$T/$k.key" --cert "$T/$k.crt" --serial "30000000000$k" \
		>/dev/null
	adm cert add "$code" "$T/$k.crt"
done
TA=$(adm token new --enterprise 4403960XA1)
TC=$(adm token new --enterprise 4403960XC3)
TD=$(adm token new --enterprise 4403980XD4)
for u in olga oscar; do PW=officerpass1 adm user add $u officer --pass-env PW; done
PW=merchantpass1 adm user add mia merchant --enterprise 4403960XA1 --pass-env PW
TO=$(adm token new --user olga)
TS=$(adm token new --user oscar)

"$CEBGATE" sign --key "$T/A1.key" --cert "$T/A1.crt" "$S/CEB311-order.xml" -o "$T/o.xml"
"$CEBGATE" sign --key "$T/C3.key" --cert "$T/C3.crt" "$S/CEB411-payment.xml" -o "$T/p.xml"
"$CEBGATE" sign --key "$T/D4.key" --cert "$T/D4.crt" "$S/CEB511-waybill.xml" -o "$T/w.xml"
"$CEBGATE" sign --key "$T/D4.key" --cert "$T/D4.crt" "$S/CEB621-inventory.xml" -o "$T/i.xml"
sed -e 's/SO202411110000123456/SO202411119999999999/' \
	-e 's/EX2024111100012345/EX2024111199999999/' \
	-e 's/QH20241111000001/QH20241111999999/' \
	-e 's/6A5BAB8E-3E9E-4FBD-83D0-D91DC81E0784/6A5BAB8E-3E9E-4FBD-83D0-D91DC81E0799/' \
	"$S/CEB621-inventory.xml" >"$T/lone-unsigned.xml"
"$CEBGATE" sign --key "$T/D4.key" --cert "$T/D4.crt" "$T/lone-unsigned.xml" -o "$T/lone.xml"

# §13's inventory is worth 526 CNY: a threshold of 500 holds it for review.
start_daemon --db "$DB" --value-threshold 500 --random-rate 0 --match-timeout 5 --lease 60
post() {
	http -H "Authorization: Bearer $1" --data-binary @"$2" "$URL/api/v1/submissions"
}
api() { # TOKEN METHOD PATH [BODY] -> status; body in $T/out
	http -X "$2" -H "Authorization: Bearer $1" ${4:+--data "$4"} "$URL$3"
}
statuses() { # TOKEN: the returnStatus of each CEB622 receipt it has, in order
	curl -s -H "Authorization: Bearer $1" "$URL/api/v1/receipts?after=0" |
		jq -r '[.receipts[] | select(.type == "CEB622Message") | .returnStatus]
			| join(" ")'
}

# The four documents come within the 5 s match timeout: between them only curl
# runs (on a loaded machine a python start took seconds); the receipts read
# after the second are judged once all four are in.
post "$TD" "$T/i.xml" >/dev/null
post "$TA" "$T/o.xml" >/dev/null
is "an inventory without its other documents waits (receipt 2 only)" "$(statuses "$TD")" 2
post "$TD" "$T/w.xml" >/dev/null
post "$TC" "$T/p.xml" >/dev/null
is "the fourth document completes the match: 120, then held for review (300)" \
	"$(statuses "$TD")" '2 120 300'
is "the order's sender does not see the inventory's receipts" "$(statuses "$TA")" ''
is "an enterprise cannot read the review queue (403)" "$(api "$TA" GET /api/v1/review)" 403
api "$TO" GET /api/v1/review >/dev/null
json_is "the officer's queue lists it" "$T/out" .count 1
json_is "with its reason" "$T/out" '.items[0].reason' value
json_is "its enterprise's name, declared value and currency" "$T/out" \
	'.items[0] | [.ebcCode, (.ebcName | length > 0), (.value | test("^[0-9]+[.][0-9]{2}$")), .currency]' \
	'["4403960XB2",true,true,"142"]'
ID=$(jv "$T/out" '.items[0].id')
api "$TO" GET "/api/v1/review?enterprise=4403960XB2&tradeMode=1210" >/dev/null
json_is "the queue filters by enterprise and trade mode" "$T/out" .count 1
is "another trade mode is answered" "$(api "$TO" GET '/api/v1/review?tradeMode=9610')" 200
json_is "with nothing in it" "$T/out" .count 0
is "an enterprise cannot claim it (403)" "$(api "$TD" POST "/api/v1/review/$ID/claim")" 403
is "nor read the officers' view of it (403)" "$(api "$TD" GET "/api/v1/declarations/$ID")" 403
is "the first officer claims it" "$(api "$TO" POST "/api/v1/review/$ID/claim")" 200
is "a second officer cannot claim it (409)" "$(api "$TS" POST "/api/v1/review/$ID/claim")" 409
is "nor decide it (409)" \
	"$(api "$TS" POST "/api/v1/review/$ID/decide" '{"decision":"release","reason":"ok"}')" 409
is "a decision without a reason is refused (400)" \
	"$(api "$TO" POST "/api/v1/review/$ID/decide" '{"decision":"release","reason":" "}')" 400
is "an unknown decision is refused (400)" \
	"$(api "$TO" POST "/api/v1/review/$ID/decide" '{"decision":"approve","reason":"x"}')" 400
curl -s "$URL/metrics" >"$T/metrics"
file_contains "/metrics shows the review queue's depth" "$T/metrics" \
	'^cebgate_review_queue_depth 1$'
is "the officer releases it" "$(api "$TO" POST "/api/v1/review/$ID/decide" \
	'{"decision":"release","reason":"documents in order"}')" 200
is "the declarant receives 399 and 800" "$(statuses "$TD")" '2 120 300 399 800'
api "$TO" GET "/api/v1/declarations/$ID" >/dev/null
json_is "the officer's view has the order, payment and waybill beside the inventory" "$T/out" \
	'has("order") and has("payment") and has("waybill") and .state == "released"' true
json_is "its audit trail names the officer, the claim and the decision" "$T/out" \
	'[.audit[] | select(.actor == "olga") | .action]' '["claim","released"]'
file_contains "with its reason" "$T/out" 'documents in order'
api "$TA" GET '/api/v1/declarations?kind=311' >/dev/null
json_is "the order's sender sees what became of it: its inventory released, why and when" "$T/out" \
	'.declarations[0].outcome | [.state, .reason, .decision, (.at | test("^20"))]' \
	'["released","documents in order","release",true]'
api "$TA" GET '/api/v1/declarations?kind=311&action=1' >/dev/null
json_is "nothing released needs the sender's action" "$T/out" '.declarations | length' 0
W=/api/v1/logistics/4403980XD4/EX2024111100012345
is "the logistics company reads its waybill" "$(api "$TD" GET $W)" 200
json_is "released" "$T/out" '.waybills[0].state' released
etag() {
	curl -s -D - -o /dev/null -H "Authorization: Bearer $TD" "$URL$W" |
		awk 'tolower($1) == "etag:" { print $2 }' | tr -d '\r'
}
ETAG=$(etag)
like "the waybill has an ETag" "$ETAG" '^.+$'
status_is "an unchanged waybill answers 304 to If-None-Match" 304 \
	-H "Authorization: Bearer $TD" -H "If-None-Match: $ETAG" "$URL$W"
is "another enterprise asks for that waybill" "$(api "$TA" GET $W)" 200
json_is "and learns nothing of it" "$T/out" '.waybills[0].state' unknown
"$CEBGATE" sign --key "$T/D4.key" --cert "$T/D4.crt" "$S/CEB513-status.xml" -o "$T/st.xml"
ETAG=$(etag)
curl -s -o "$T/poll" -w '%{http_code}' -H "Authorization: Bearer $TD" -H "If-None-Match: $ETAG" \
	"$URL$W?wait=20" >"$T/poll.code" &
poller=$!
is "the logistics company reports the parcel signed for (CEB513)" "$(post "$TD" "$T/st.xml")" 200
wait "$poller" || true
is "a long-poll with If-None-Match returns as soon as the state changes" \
	"$(cat "$T/poll.code")" 200
file_contains "with the new state" "$T/poll" 'signed for'
is "the waybill is read again" "$(api "$TD" GET $W)" 200
json_is "and now reads signed for" "$T/out" '.waybills[0].state' 'signed for'
Q='{"waybills":[{"logisticsCode":"4403980XD4","logisticsNo":"EX2024111100012345"},
{"logisticsCode":"4403980XD4","logisticsNo":"NOSUCH"}]}'
is "a batch query is answered" "$(api "$TD" POST /api/v1/logistics/query "$Q")" 200
json_is "for each waybill" "$T/out" '[.waybills[].state]' '["signed for","unknown"]'
post "$TD" "$T/lone.xml" >/dev/null
refused_alone() { statuses "$TD" | grep -q ' 2 100$'; }
wait_until 100 refused_alone || :
ok "an inventory alone is refused at the match timeout (100)" refused_alone
curl -s -H "Authorization: Bearer $TD" "$URL/api/v1/receipts?after=0" >"$T/rcpt"
file_contains "the refusal names what was missing" "$T/rcpt" '缺少订单'
api "$TD" GET '/api/v1/declarations?action=1' >/dev/null
json_is "the refused inventory needs its sender's action, and only it" "$T/out" \
	'[.declarations[] | [.kind, .outcome.state, .outcome.reason]]' '[[621,"rejected","timeout"]]'
login() {
	http -H 'Content-Type: application/json' --data "{\"user\":\"$1\",\"password\":\"$2\"}" \
		"$URL/api/v1/login"
}
is "an officer logs in with a password and gets a token" "$(login olga officerpass1)" 200
json_is "as an officer" "$T/out" .role officer
TL=$(jv "$T/out" .token)
is "the login token opens the review queue" "$(api "$TL" GET '/api/v1/review?state=decided')" 200
is "a merchant logs in with the same page" "$(login mia merchantpass1)" 200
is "but the queue stays closed (403)" "$(api "$(jv "$T/out" .token)" GET /api/v1/review)" 403
is "a wrong password is refused (401)" "$(login oscar wrongpassword)" 401
for k in 1 2 3 4; do login oscar wrongpassword >/dev/null; done
is "after five failures in a minute even the right password waits (429)" \
	"$(login oscar officerpass1)" 429
stop_daemon || true
is "the buyer's ledger holds the released inventory's dutiable value (526.00)" \
	"$(dbq "$DB" 'SELECT used FROM quota')" 52600000
ok_fails "the audit trail cannot be rewritten" dbq "$DB" "UPDATE audit SET actor = 'x'"
ok_fails "nor emptied" dbq "$DB" 'DELETE FROM audit'
done_testing
