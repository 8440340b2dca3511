#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: the real cebgated on a temporary database and port, driven over
# HTTP with curl as an enterprise would: submissions, idempotency, conflicts,
# appType rules, signatures of the right enterprise, receipts with a cursor.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"

DB=$(new_db s)
adm enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
adm enterprise add 4403960XC3 "示例支付" pay DXPENT0000999903
"$CEBGATE" keygen --sm2 --key "$T/a.key" --cert "$T/a.crt" --serial 3000000000CDE6F
"$CEBGATE" keygen --rsa --key "$T/c.key" --cert "$T/c.crt" --serial 01691FE9
adm cert add 4403960XA1 "$T/a.crt"
adm cert add 4403960XC3 "$T/c.crt"
TA=$(adm token new --enterprise 4403960XA1)
TC=$(adm token new --enterprise 4403960XC3)
PW=officerpass1 adm user add olga officer --pass-env PW
TO=$(adm token new --user olga)

printf 'max-body = 65536\nthreads = 2\n' >"$T/cebgated.conf"
start_daemon --db "$DB" --config "$T/cebgated.conf"

post() { # TOKEN FILE [CONTENT-TYPE] -> status printed, body in $T/out
	http -H "Authorization: Bearer $1" -H "Content-Type: ${3:-application/xml}" \
		--data-binary @"$2" "$URL/api/v1/submissions"
}
receipts() { # TOKEN AFTER -> number of receipts; the answer in $T/rcpt
	curl -s -H "Authorization: Bearer $1" "$URL/api/v1/receipts?after=$2" >"$T/rcpt"
	jq '.receipts | length' <"$T/rcpt"
}
status0() { jv "$T/out" '.results[0].status'; }
rs0() { jv "$T/out" '.results[0].documents[0].returnStatus'; }
sign_a() { "$CEBGATE" sign --key "$T/a.key" --cert "$T/a.crt" "$@"; }
order_as() { # OUT SED-EXPR...: the sample order changed by each sed expression, signed by A
	o=$1; shift
	for e in "$@"; do set -- "$@" -e "$e"; shift; done
	sed "$@" "$S/CEB311-order.xml" >"$T/$o-unsigned.xml"
	sign_a "$T/$o-unsigned.xml" -o "$T/$o.xml"
}
G=309FF3B5-9896-4379-93C3-706DB153EE

is "healthz answers" "$(curl -s "$URL/healthz")" ok
sign_a "$S/CEB311-order.xml" -o "$T/o.xml"
is "a signed order is accepted (200)" "$(post "$TA" "$T/o.xml")" 200
is "its status is accepted" "$(status0)" accepted
is "its receipt is a CEB312" "$(receipts "$TA" 0)" 1
file_contains "with returnStatus 120" "$T/rcpt" CEB312Message '"returnStatus": "120"'
is "the same message again gets the same answer (200)" "$(post "$TA" "$T/o.xml")" 200
is "as a duplicate" "$(status0)" duplicate
is "and no second receipt" "$(receipts "$TA" 0)" 1
order_as o2 's/<ceb:buyerRegNo>U88120031</<ceb:buyerRegNo>U88120032</'
is "the same guid with different content is a conflict (409)" "$(post "$TA" "$T/o2.xml")" 409
order_as o3 "s/${G}F5/${G}F6/"
post "$TA" "$T/o3.xml" >/dev/null
is "a new order with an existing orderNo is refused with -301010" "$(rs0)" -301010
is "and a -301010 receipt is issued" "$(receipts "$TA" 1)" 1
file_contains "naming -301010" "$T/rcpt" -301010
order_as o4 "s/${G}F5/${G}F7/" 's|<ceb:appType>1</ceb:appType>|<ceb:appType>2</ceb:appType>|'
is "a change (appType 2) of a declared order is accepted" "$(post "$TA" "$T/o4.xml")" 200
is "with returnStatus 120" "$(rs0)" 120
order_as o5 's/SO202411110000123456/SO209999999999999999/g' "s/${G}F5/${G}F8/" \
	's|<ceb:appType>1</ceb:appType>|<ceb:appType>2</ceb:appType>|'
post "$TA" "$T/o5.xml" >/dev/null
is "a change of an unknown order is refused with -301009" "$(rs0)" -301009
is "an unsigned order is refused (422)" "$(post "$TA" "$S/CEB311-order.xml")" 422
file_contains "with CG3001" "$T/out" CG3001
"$CEBGATE" sign --key "$T/c.key" --cert "$T/c.crt" "$S/CEB311-order.xml" -o "$T/o-wrongkey.xml"
is "an order signed with another enterprise's certificate is refused (422)" \
	"$(post "$TA" "$T/o-wrongkey.xml")" 422
is "the other enterprise cannot submit it as its own (422: copCode)" \
	"$(post "$TC" "$T/o-wrongkey.xml")" 422
sed 's/<ceb:buyerName>李晓明</<ceb:buyerName>李晓红</' "$T/o.xml" >"$T/o-tampered.xml"
isnt "an order changed after signing is refused" "$(post "$TA" "$T/o-tampered.xml")" 200
is "without a token: 401" "$(post nosuchtoken "$T/o.xml")" 401
is "an officer's token cannot submit declarations: 403" "$(post "$TO" "$T/o.xml")" 403
"$CEBGATE" sign --key "$T/c.key" --cert "$T/c.crt" "$S/CEB411-payment.xml" -o "$T/p.xml"
is "the payment company submits its payment" "$(post "$TC" "$T/p.xml")" 200
receipts "$TC" 0 >/dev/null
json_is "each enterprise sees only its own receipts" "$T/rcpt" \
	'([.receipts[] | select(.type == "CEB412Message")] | length > 0) and
	([.receipts[] | select(.returnStatus == "120" and .type == "CEB312Message")]
	| length == 0)' true
file_contains "its refused order came back to it as a negative CEB312 receipt" "$T/rcpt" -301008
receipts "$TA" 0 >/dev/null
last=$(jv "$T/rcpt" .next)
is "receipts after the last cursor: none" "$(receipts "$TA" "$last")" 0
printf '<not xml' >"$T/garbage.xml"
post "$TA" "$T/garbage.xml" >/dev/null
is "an unreadable message is answered with a receipt" "$(receipts "$TA" "$last")" 1
file_contains "a CEB900 format receipt" "$T/rcpt" CEB900Message
sed -e 's/SO202411110000123456/SO202411110000999001/g' -e "s/${G}F5/${G}01/" \
	"$S/CEB311-order.xml" >"$T/d-unsigned.xml"
sign_a --dxp --sender-id DXPENT0000999901 "$T/d-unsigned.xml" -o "$T/d.xml"
is "a DxpMsg envelope is accepted" "$(post "$TA" "$T/d.xml")" 200
sign_a --dxp --sender-id DXPENT0000999999 "$T/d-unsigned.xml" -o "$T/d2.xml"
is "a DxpMsg from another DXP id is refused" "$(post "$TA" "$T/d2.xml")" 422
jq -n --rawfile a "$T/o.xml" --rawfile b "$T/o3.xml" '{messages: [$a, $b]}' >"$T/batch.json"
is "a JSON batch is answered (200)" "$(post "$TA" "$T/batch.json" application/json)" 200
json_is "with one result per message" "$T/out" '.results | length' 2
mkdir "$T/rcpts"
curl -s -H "Authorization: Bearer $TA" "$URL/api/v1/receipts?after=0&limit=1000" >"$T/all"
for c in $(jq '.receipts[].cursor' <"$T/all"); do
	jq -r --argjson c "$c" '.receipts[] | select(.cursor == $c) | .xml' <"$T/all" \
		>"$T/rcpts/$c.xml"
done
ok "every receipt issued is valid against our XSDs" "$CEBGATE" validate --quiet "$T/rcpts"
order_as b 's/SO202411110000123456/SO202411110000777001/g' \
	's/309FF3B5-9896-4379-93C3-706DB153EEF5/309FF3B5-9896-4379-93C3-706DB1537701/'
jq -n --rawfile x "$T/b.xml" '{messages: [$x, "<broken", $x]}' >"$T/batch2.json"
is "a batch of three (one transaction) is answered" \
	"$(post "$TA" "$T/batch2.json" application/json)" 200
json_is "in it each message keeps its own outcome" "$T/out" '[.results[].status]' \
	'["accepted","rejected","duplicate"]'
is "and the batch's order was stored once" \
	"$(dbq "$DB" "SELECT count(*) FROM document WHERE key2 = 'SO202411110000777001'")" 1
# On PostgreSQL the stored messages (past TOAST's threshold) are compressed
# with LZ4, which the service's sessions choose where the server has it
# (db_pg.c); else with the server's default, pglz.
on_pg && is "PostgreSQL: the stored messages are compressed with LZ4 (where the server has it)" \
	"$(dbq "$DB" "SELECT string_agg(DISTINCT coalesce(pg_column_compression(xml), 'none'), ',')
		FROM message WHERE length(xml) > 2500")" \
	"$(dbq "$DB" "SELECT CASE WHEN 'lz4' = ANY(enumvals) THEN 'lz4' ELSE 'pglz' END
		FROM pg_settings WHERE name = 'default_toast_compression'")"
# Long-polls wait suspended: more of them than pool threads (2) leave the
# service free, and the write that gives them an answer wakes every one.
receipts "$TA" 0 >/dev/null
cur=$(jv "$T/rcpt" .next)
pollers=""
for i in 1 2 3 4 5 6; do
	curl -s -H "Authorization: Bearer $TA" "$URL/api/v1/receipts?after=$cur&wait=25" \
		>"$T/lp$i" &
	pollers="$pollers $!"
done
parked() { curl -s "$URL/metrics" | awk '$1 == "cebgate_long_polls_waiting" { print $2 }'; }
parked_is() { [ "$(parked)" = "$1" ]; }
wait_until 100 parked_is 6 || :
is "six long-polls wait parked, and /metrics still answers" "$(parked)" 6
order_as w 's/SO202411110000123456/SO202411110000777002/g' \
	's/309FF3B5-9896-4379-93C3-706DB153EEF5/309FF3B5-9896-4379-93C3-706DB1537702/'
is "a submission is served while they wait" "$(post "$TA" "$T/w.xml")" 200
# shellcheck disable=SC2086
wait $pollers || true
all_answered() {
	for i in 1 2 3 4 5 6; do grep -q SO202411110000777002 "$T/lp$i" || return 1; done
}
ok "and each of the six long-polls answers with its receipt" all_answered
curl -s "$URL/metrics" >"$T/metrics"
ok "/metrics has the request-duration histogram: buckets rise, +Inf equals the count" \
	awk '/^cebgate_request_duration_seconds_bucket/ {
		if ($2 < last) bad = 1; last = $2; inf = $2 }
	/^cebgate_request_duration_seconds_count/ { cnt = $2 }
	END { exit !(bad == 0 && inf == cnt && cnt > 10) }' "$T/metrics"
head -c 70000 /dev/zero | tr '\0' 'x' >"$T/big"
is "a body over max-body is refused with 413" "$(post "$TA" "$T/big")" 413
curl -s -o "$T/lastpoll" -w '%{http_code}' -H "Authorization: Bearer $TA" \
	"$URL/api/v1/receipts?after=999999&wait=25" >"$T/lastpoll.code" &
poller=$!
wait_until 100 parked_is 1 || :
rc=0
stop_daemon || rc=$?
is "SIGTERM stops cebgated cleanly (exit 0)" "$rc" 0
wait "$poller" || true
is "a long-poll waiting at SIGTERM is answered (200) before the exit" \
	"$(cat "$T/lastpoll.code")" 200
file_contains "with no receipts" "$T/lastpoll" '"receipts": \[\]'
is "the database is sound afterwards" "$(db_sound "$DB")" ok
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/tls.key" -out "$T/tls.crt" \
	-subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1" -days 2 2>/dev/null
start_daemon --db "$DB" --tls-cert "$T/tls.crt" --tls-key "$T/tls.key"
H=127.0.0.1:$(cat "$T/port")/healthz
is "with --tls-cert it serves HTTPS" "$(curl -s --cacert "$T/tls.crt" "https://$H")" ok
ok_fails "and nothing in clear" curl -s -m 5 "http://$H"
stop_daemon || true
# Client certificates: only those issued by the configured CA get in.
q() { openssl "$@" 2>/dev/null; }
q req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca.key" -out "$T/ca.crt" -subj /CN=ca -days 2
q req -newkey rsa:2048 -nodes -keyout "$T/cl.key" -out "$T/cl.csr" -subj /CN=client
q x509 -req -in "$T/cl.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial \
	-out "$T/cl.crt" -days 2
q req -x509 -newkey rsa:2048 -nodes -keyout "$T/ot.key" -out "$T/ot.crt" -subj /CN=other -days 2
start_daemon --db "$DB" --tls-cert "$T/tls.crt" --tls-key "$T/tls.key" --tls-client-ca "$T/ca.crt"
H=https://127.0.0.1:$(cat "$T/port")/healthz
is "with --tls-client-ca a certificate of that CA gets in" \
	"$(curl -s --cacert "$T/tls.crt" --cert "$T/cl.crt" --key "$T/cl.key" "$H")" ok
status_is "no client certificate: 403" 403 --cacert "$T/tls.crt" "$H"
isnt "a certificate of another CA: refused" \
	"$(http --cacert "$T/tls.crt" --cert "$T/ot.crt" --key "$T/ot.key" "$H")" 200
done_testing
