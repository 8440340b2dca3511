#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: the 179 payment-data interface (ceb-spec §8) between a
# platform's endpoint (cebgate pay179 serve) and cebgated over HTTP. The risk
# rule asks for the payment data of the §13 inventory and the platform's
# signed upload is verified (the plain signing string); then, on an officer's
# request, an upload signed with a certificate the platform never registered,
# a tampered upload and an order the platform does not know are refused with
# their reasons; a good upload for that session is verified; the desk's API
# shows each result beside the documents, with its audit records.
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
# The platform's second key, whose certificate was never registered.
"$CEBGATE" keygen --rsa --key "$T/X.key" --cert "$T/X.crt" --serial 3000000000F1 >/dev/null
TA=$(adm token new --enterprise 4403960XA1)
TC=$(adm token new --enterprise 4403960XC3)
TD=$(adm token new --enterprise 4403980XD4)
PW=officerpass1 adm user add olga officer --pass-env PW
PW=adminpass123 adm user add ada admin --pass-env PW
TO=$(adm token new --user olga)
TAD=$(adm token new --user ada)
ORDERS=$top_srcdir/samples/pay179/orders.json

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

# §13's inventory is worth 526 CNY: the 179 rule asks for the payment data of any worth 500.
start_daemon --db "$DB" --random-rate 0 --pay179-value 500
UP=$URL/ceb2grab/grab/realTimeDataUpload
api() { http -X "$2" -H "Authorization: Bearer $1" ${4:+--data "$4"} "$URL$3"; }
post() { http -H "Authorization: Bearer $1" --data-binary @"$2" "$URL/api/v1/submissions"; }
# platform NAME KEY CERT [FLAGS...]: a platform endpoint; its port in $T/NAME.port, log $T/NAME.log
platform() {
	_n=$1; _k=$2; _c=$3; shift 3
	rm -f "$T/$_n.port"
	"$CEBGATE" pay179 serve --key "$_k" --cert "$_c" --orders "$ORDERS" --upload "$UP" \
		--port 0 --port-file "$T/$_n.port" "$@" 2>>"$T/$_n.log" &
	kill_at_exit $!
	wait_until 300 test -s "$T/$_n.port" || bail "the platform endpoint $_n did not start"
}
register() { # the platform's 179 URL, by the admin
	api "$TAD" POST /api/v1/enterprises/4403960XA1/pay179 \
		"{\"url\":\"http://127.0.0.1:$(cat "$T/$1.port")/platDataOpen\"}"
}
results() { # ID: the inventory's 179 results on the desk, in $T/desk.json
	curl -s -H "Authorization: Bearer $TO" "$URL/api/v1/declarations/$1" >"$T/desk.json"
}
state_is() { # ID N STATE: result N of the inventory has that state
	results "$1"
	[ "$(jq -r ".pay179[$2].state" "$T/desk.json")" = "$3" ]
}

platform good "$T/A1.key" "$T/A1.crt" --sign-form plain
is "the admin registers the platform's 179 URL" "$(register good)" 200
is "an officer cannot (403)" "$(api "$TO" POST /api/v1/enterprises/4403960XA1/pay179 '{"url":"http://x/"}')" 403
is "a URL that is not http(s) is refused (400)" \
	"$(api "$TAD" POST /api/v1/enterprises/4403960XA1/pay179 '{"url":"file:///etc/passwd"}')" 400

post "$TD" "$T/i.xml" >/dev/null
post "$TA" "$T/o.xml" >/dev/null
post "$TD" "$T/w.xml" >/dev/null
is "the fourth document completes the match" "$(post "$TC" "$T/p.xml")" 200
api "$TO" GET "/api/v1/declarations?kind=621" >/dev/null
ID=$(jv "$T/out" '.declarations[0].id')
ok "the risk rule asked the platform; its upload is verified" wait_until 1200 state_is "$ID" 0 verified
json_is "asked by the rule (actor system)" "$T/desk.json" '.pay179[0].actor' system
json_is "signed over the plain form of the signing string" "$T/desk.json" '.pay179[0].data.signForm' plain
json_is "with the platform's registered certificate" "$T/desk.json" '.pay179[0].data.certNo' 030000000000a1
json_is "and the payment facts read back" "$T/desk.json" \
	'[.pay179[0].data.payTransactionId, .pay179[0].data.totalAmount] | join(" ")' \
	'420000202411110005400012345678 573.87'
json_is "the audit trail has the request and the result" "$T/desk.json" \
	'[.audit[] | select(.action | startswith("pay179")) | .action] | join(" ")' \
	'pay179-request pay179-requested pay179-verified'
file_contains "the platform logged the upload's answer" "$T/good.log" 'uploaded: code 10000 上传成功'

# The platform signs with a certificate it never registered.
platform wrong "$T/X.key" "$T/X.crt"
register wrong >/dev/null
is "an officer asks for the payment data again" "$(api "$TO" POST "/api/v1/declarations/$ID/pay179")" 200
json_is "the platform acknowledged it" "$T/out" '.pay179[1].state' requested
ok "the upload signed with another certificate is refused" wait_until 1200 state_is "$ID" 1 refused
json_is "because that certificate is not registered (CG3102)" "$T/desk.json" \
	'.pay179[1].reason | test("^CG3102 ")' true
file_contains "the platform hears why" "$T/wrong.log" 'CG3102'
SID=$(jq -r '.pay179[1].sessionID' "$T/desk.json")

# A tampered upload for that session: signed, then its amount changed.
"$CEBGATE" pay179 sign --key "$T/A1.key" --cert "$T/A1.crt" --orders "$ORDERS" \
	--order SO202411110000123456 --session "$SID" >"$T/signed.json"
sed 's/"totalAmount":573.87/"totalAmount":57.87/' "$T/signed.json" >"$T/tampered.json"
ok "cebgate pay179 check finds the signed upload valid" "$CEBGATE" pay179 check --cert "$T/A1.crt" "$T/signed.json"
ok_fails "and the tampered one not" "$CEBGATE" pay179 check --cert "$T/A1.crt" "$T/tampered.json"
is "the tampered upload is answered" "$(http --data-urlencode "payExInfoStr@$T/tampered.json" "$UP")" 200
json_is "refused: the signature does not verify (CG3103)" "$T/out" \
	'[.code, (.message | test("^CG3103 "))] | join(" ")' '20000 true'
http --data-urlencode "payExInfoStr=$(jq -c 'del(.signValue)' "$T/signed.json")" "$UP" >/dev/null
json_is "an upload without signValue: certNo/signValue must not be empty (CG3101)" "$T/out" \
	'.message | test("certNo/signValue must not be empty")' true
http --data-urlencode "payExInfoStr=$(jq -c '.sessionID = "nosuch"' "$T/signed.json")" "$UP" >/dev/null
json_is "an unknown session is refused (CG3104)" "$T/out" '.message | test("^CG3104 ")' true
# Signed right, but the amount is not the declared payment's.
jq '.[0].totalAmount = 500' "$ORDERS" >"$T/amount.json"
"$CEBGATE" pay179 sign --key "$T/A1.key" --cert "$T/A1.crt" --orders "$T/amount.json" \
	--order SO202411110000123456 --session "$SID" >"$T/amount-signed.json"
http --data-urlencode "payExInfoStr@$T/amount-signed.json" "$UP" >/dev/null
json_is "an amount that is not the declared payment's is refused (CG3110)" "$T/out" \
	'[.code, (.message | test("CG3110 "))] | join(" ")' '20000 true'
ok "and the desk says so" state_is "$ID" 1 refused
json_is "with the reason" "$T/desk.json" '.pay179[1].reason | test("totalAmount differs")' true
is "the good upload for the session" "$(http --data-urlencode "payExInfoStr@$T/signed.json" "$UP")" 200
json_is "is accepted (10000)" "$T/out" .code 10000
ok "and verified" state_is "$ID" 1 verified
json_is "signed over the quoted form" "$T/desk.json" '.pay179[1].data.signForm' quoted
http --data-urlencode "payExInfoStr@$T/signed.json" "$UP" >/dev/null
json_is "a second upload for a verified session is refused (CG3105)" "$T/out" '.message | test("^CG3105 ")' true

# An order the platform does not know.
post "$TD" "$T/lone.xml" >/dev/null
api "$TO" GET "/api/v1/declarations?kind=621" >/dev/null
LONE=$(jv "$T/out" '.declarations[0].id')
register good >/dev/null
is "an officer asks for the payment data of an order the platform lacks" \
	"$(api "$TO" POST "/api/v1/declarations/$LONE/pay179")" 200
json_is "the platform refuses: order not found (CG3113)" "$T/out" \
	'[.pay179[0].state, (.pay179[0].reason | test("^CG3113 .*not found"))] | join(" ")' 'failed true'
is "an enterprise cannot ask (403)" "$(api "$TD" POST "/api/v1/declarations/$ID/pay179")" 403
is "no such inventory (404)" "$(api "$TO" POST /api/v1/declarations/999999/pay179)" 404
is "the requests in the database" \
	"$(dbq "$DB" "SELECT state FROM pay179 ORDER BY id" | tr '\n' ' ')" 'verified verified failed '
is "the database is sound" "$(db_sound "$DB")" ok
stop_daemon
done_testing
