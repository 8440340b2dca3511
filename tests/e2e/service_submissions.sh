#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: the real cebgated on a temporary database and port, driven over
# HTTP with curl as an enterprise would: submissions, idempotency, conflicts,
# appType rules, signatures of the right enterprise, receipts with a cursor.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"

echo "1..40"
DB=$T/s.db
"$CEBGATE" admin --db "$DB" enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
"$CEBGATE" admin --db "$DB" enterprise add 4403960XC3 "示例支付" pay DXPENT0000999903
"$CEBGATE" keygen --sm2 --key "$T/a.key" --cert "$T/a.crt" --serial 3000000000CDE6F
"$CEBGATE" keygen --rsa --key "$T/c.key" --cert "$T/c.crt" --serial 01691FE9
"$CEBGATE" admin --db "$DB" cert add 4403960XA1 "$T/a.crt"
"$CEBGATE" admin --db "$DB" cert add 4403960XC3 "$T/c.crt"
TA=$("$CEBGATE" admin --db "$DB" token new --enterprise 4403960XA1)
TC=$("$CEBGATE" admin --db "$DB" token new --enterprise 4403960XC3)
PW=officerpass1 "$CEBGATE" admin --db "$DB" user add olga officer --pass-env PW
TO=$("$CEBGATE" admin --db "$DB" token new --user olga)

printf 'max-body = 65536\nthreads = 2\n' >"$T/cebgated.conf"
start_daemon --db "$DB" --config "$T/cebgated.conf"

post() { # TOKEN FILE [CONTENT-TYPE] -> body in $T/out, status printed
	curl -s -o "$T/out" -w '%{http_code}' -H "Authorization: Bearer $1" \
		-H "Content-Type: ${3:-application/xml}" --data-binary @"$2" "$URL/api/v1/submissions"
}
field() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/out" "$1"; }
receipts() { # TOKEN AFTER -> number of receipts
	curl -s -H "Authorization: Bearer $1" "$URL/api/v1/receipts?after=$2" >"$T/rcpt"
	python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["receipts"]))' "$T/rcpt"
}

check "healthz answers" "[ \"\$(curl -s $URL/healthz)\" = ok ]"
"$CEBGATE" sign --key "$T/a.key" --cert "$T/a.crt" "$S/CEB311-order.xml" -o "$T/o.xml"
check "a signed order is accepted (200)" "[ \$(post $TA $T/o.xml) = 200 ] && [ \"\$(field 'r[\"results\"][0][\"status\"]')\" = accepted ]"
check "its receipt is a CEB312 with returnStatus 120" \
	"[ \$(receipts $TA 0) = 1 ] && grep -q CEB312Message $T/rcpt && grep -q '\"returnStatus\": \"120\"' $T/rcpt"
check "the same message again gets the same answer (duplicate)" \
	"[ \$(post $TA $T/o.xml) = 200 ] && [ \"\$(field 'r[\"results\"][0][\"status\"]')\" = duplicate ]"
check "and no second receipt" "[ \$(receipts $TA 0) = 1 ]"
sed 's/<ceb:buyerRegNo>U88120031</<ceb:buyerRegNo>U88120032</' "$S/CEB311-order.xml" >"$T/o2-unsigned.xml"
"$CEBGATE" sign --key "$T/a.key" --cert "$T/a.crt" "$T/o2-unsigned.xml" -o "$T/o2.xml"
check "the same guid with different content is a conflict (409)" "[ \$(post $TA $T/o2.xml) = 409 ]"
sed 's/309FF3B5-9896-4379-93C3-706DB153EEF5/309FF3B5-9896-4379-93C3-706DB153EEF6/' "$S/CEB311-order.xml" >"$T/o3-unsigned.xml"
"$CEBGATE" sign --key "$T/a.key" --cert "$T/a.crt" "$T/o3-unsigned.xml" -o "$T/o3.xml"
post "$TA" "$T/o3.xml" >/dev/null
check "a new order with an existing orderNo is refused with -301010" \
	"[ \"\$(field 'r[\"results\"][0][\"documents\"][0][\"returnStatus\"]')\" = -301010 ]"
check "and a -301010 receipt is issued" "[ \$(receipts $TA 1) = 1 ] && grep -q -- '-301010' $T/rcpt"
sed -e 's/309FF3B5-9896-4379-93C3-706DB153EEF5/309FF3B5-9896-4379-93C3-706DB153EEF7/' \
	-e 's|<ceb:appType>1</ceb:appType>|<ceb:appType>2</ceb:appType>|' "$S/CEB311-order.xml" >"$T/o4-unsigned.xml"
"$CEBGATE" sign --key "$T/a.key" --cert "$T/a.crt" "$T/o4-unsigned.xml" -o "$T/o4.xml"
check "a change (appType 2) of a declared order is accepted" \
	"[ \$(post $TA $T/o4.xml) = 200 ] && [ \"\$(field 'r[\"results\"][0][\"documents\"][0][\"returnStatus\"]')\" = 120 ]"
sed -e 's/SO202411110000123456/SO209999999999999999/g' -e 's/309FF3B5-9896-4379-93C3-706DB153EEF5/309FF3B5-9896-4379-93C3-706DB153EEF8/' \
	-e 's|<ceb:appType>1</ceb:appType>|<ceb:appType>2</ceb:appType>|' "$S/CEB311-order.xml" >"$T/o5-unsigned.xml"
"$CEBGATE" sign --key "$T/a.key" --cert "$T/a.crt" "$T/o5-unsigned.xml" -o "$T/o5.xml"
post "$TA" "$T/o5.xml" >/dev/null
check "a change of an unknown order is refused with -301009" \
	"[ \"\$(field 'r[\"results\"][0][\"documents\"][0][\"returnStatus\"]')\" = -301009 ]"
check "an unsigned order is refused (422, CG3001)" "[ \$(post $TA $S/CEB311-order.xml) = 422 ] && grep -q CG3001 $T/out"
"$CEBGATE" sign --key "$T/c.key" --cert "$T/c.crt" "$S/CEB311-order.xml" -o "$T/o-wrongkey.xml"
check "an order signed with another enterprise's certificate is refused (422)" "[ \$(post $TA $T/o-wrongkey.xml) = 422 ]"
check "the other enterprise cannot submit it as its own (422: copCode)" "[ \$(post $TC $T/o-wrongkey.xml) = 422 ]"
sed 's/<ceb:buyerName>李晓明</<ceb:buyerName>李晓红</' "$T/o.xml" >"$T/o-tampered.xml"
check "an order changed after signing is refused" "[ \$(post $TA $T/o-tampered.xml) != 200 ]"
check "without a token: 401" "[ \$(post nosuchtoken $T/o.xml) = 401 ]"
check "an officer's token cannot submit declarations: 403" "[ \$(post $TO $T/o.xml) = 403 ]"
"$CEBGATE" sign --key "$T/c.key" --cert "$T/c.crt" "$S/CEB411-payment.xml" -o "$T/p.xml"
check "the payment company submits its payment" "[ \$(post $TC $T/p.xml) = 200 ]"
receipts "$TC" 0 >/dev/null
check "each enterprise sees only its own receipts" \
	"python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))[\"receipts\"]; sys.exit(0 if any(x[\"type\"]==\"CEB412Message\" for x in r) and not any(x[\"returnStatus\"]==\"120\" and x[\"type\"]==\"CEB312Message\" for x in r) else 1)' $T/rcpt"
check "its refused order came back to it as a negative CEB312 receipt" "grep -q -- '-301008' $T/rcpt"
receipts "$TA" 0 >/dev/null
last=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["next"])' "$T/rcpt")
check "receipts after the last cursor: none" "[ \$(receipts $TA $last) = 0 ]"
printf '<not xml' >"$T/garbage.xml"
post "$TA" "$T/garbage.xml" >/dev/null
check "an unreadable message is answered with a CEB900 format receipt" \
	"[ \$(receipts $TA $last) = 1 ] && grep -q CEB900Message $T/rcpt"
sed -e 's/SO202411110000123456/SO202411110000999001/g' -e 's/309FF3B5-9896-4379-93C3-706DB153EEF5/309FF3B5-9896-4379-93C3-706DB153EE01/' \
	"$S/CEB311-order.xml" >"$T/d-unsigned.xml"
"$CEBGATE" sign --key "$T/a.key" --cert "$T/a.crt" --dxp --sender-id DXPENT0000999901 "$T/d-unsigned.xml" -o "$T/d.xml"
check "a DxpMsg envelope is accepted" "[ \$(post $TA $T/d.xml) = 200 ]"
"$CEBGATE" sign --key "$T/a.key" --cert "$T/a.crt" --dxp --sender-id DXPENT0000999999 "$T/d-unsigned.xml" -o "$T/d2.xml"
check "a DxpMsg from another DXP id is refused" "[ \$(post $TA $T/d2.xml) = 422 ]"
python3 -c 'import json,sys; print(json.dumps({"messages": [open(sys.argv[1]).read(), open(sys.argv[2]).read()]}))' "$T/o.xml" "$T/o3.xml" >"$T/batch.json"
check "a JSON batch gets one result per message" \
	"[ \$(post $TA $T/batch.json application/json) = 200 ] && [ \"\$(field 'len(r[\"results\"])')\" = 2 ]"
mkdir "$T/rcpts"
curl -s -H "Authorization: Bearer $TA" "$URL/api/v1/receipts?after=0&limit=1000" |
	python3 -c 'import json,sys
for r in json.load(sys.stdin)["receipts"]:
    open("%s/%d.xml" % (sys.argv[1], r["cursor"]), "w").write(r["xml"])' "$T/rcpts"
check "every receipt issued is valid against our XSDs" "'$CEBGATE' validate --quiet $T/rcpts >/dev/null"
sed -e 's/SO202411110000123456/SO202411110000777001/g' -e 's/309FF3B5-9896-4379-93C3-706DB153EEF5/309FF3B5-9896-4379-93C3-706DB1537701/' \
	"$S/CEB311-order.xml" >"$T/b-unsigned.xml"
"$CEBGATE" sign --key "$T/a.key" --cert "$T/a.crt" "$T/b-unsigned.xml" -o "$T/b.xml"
python3 -c 'import json,sys; x=open(sys.argv[1]).read(); print(json.dumps({"messages": [x, "<broken", x]}))' "$T/b.xml" >"$T/batch2.json"
check "in one batch (one transaction) each message keeps its own outcome" \
	"[ \$(post $TA $T/batch2.json application/json) = 200 ] && [ \"\$(field '[x[\"status\"] for x in r[\"results\"]]')\" = \"['accepted', 'rejected', 'duplicate']\" ]"
check "and the batch's order was stored once" "[ \"\$(sqlite3 $DB \"SELECT count(*) FROM document WHERE key2 = 'SO202411110000777001'\")\" = 1 ]"
# Long-polls wait suspended: more of them than pool threads (2) leave the
# service free, and the write that gives them an answer wakes every one.
receipts "$TA" 0 >/dev/null
cur=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["next"])' "$T/rcpt")
pollers=""
for i in 1 2 3 4 5 6; do
	curl -s -H "Authorization: Bearer $TA" "$URL/api/v1/receipts?after=$cur&wait=25" >"$T/lp$i" &
	pollers="$pollers $!"
done
parked() { curl -s "$URL/metrics" | awk '$1 == "cebgate_long_polls_waiting" { print $2 }'; }
i=0
while [ "$(parked)" != 6 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "six long-polls wait parked, and /metrics still answers" "[ \"\$(parked)\" = 6 ]"
sed -e 's/SO202411110000123456/SO202411110000777002/g' -e 's/309FF3B5-9896-4379-93C3-706DB153EEF5/309FF3B5-9896-4379-93C3-706DB1537702/' \
	"$S/CEB311-order.xml" >"$T/w-unsigned.xml"
"$CEBGATE" sign --key "$T/a.key" --cert "$T/a.crt" "$T/w-unsigned.xml" -o "$T/w.xml"
check "a submission is served while they wait" "[ \$(post $TA $T/w.xml) = 200 ]"
# shellcheck disable=SC2086
wait $pollers || true
check "and each of the six long-polls answers with its receipt" \
	"for i in 1 2 3 4 5 6; do grep -q SO202411110000777002 $T/lp\$i || exit 1; done"
curl -s "$URL/metrics" >"$T/metrics"
check "/metrics has the request-duration histogram: buckets rise, +Inf equals the count" \
	"awk '/^cebgate_request_duration_seconds_bucket/ { if (\$2 < last) bad = 1; last = \$2; inf = \$2 } /^cebgate_request_duration_seconds_count/ { cnt = \$2 } END { exit !(bad == 0 && inf == cnt && cnt > 10) }' $T/metrics"
head -c 70000 /dev/zero | tr '\0' 'x' >"$T/big"
check "a body over max-body is refused with 413" "[ \$(post $TA $T/big) = 413 ]"
curl -s -o "$T/lastpoll" -w '%{http_code}' -H "Authorization: Bearer $TA" \
	"$URL/api/v1/receipts?after=999999&wait=25" >"$T/lastpoll.code" &
poller=$!
i=0
while [ "$(parked)" != 1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
rc=0
stop_daemon || rc=$?
check "SIGTERM stops cebgated cleanly (exit 0)" "[ $rc -eq 0 ]"
wait "$poller" || true
check "a long-poll waiting at SIGTERM is answered (200, no receipts) before the exit" \
	"[ \"\$(cat $T/lastpoll.code)\" = 200 ] && grep -q '\"receipts\": \[\]' $T/lastpoll"
check "the database is sound afterwards" "[ \"\$(sqlite3 $DB 'PRAGMA integrity_check')\" = ok ]"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/tls.key" -out "$T/tls.crt" -subj /CN=127.0.0.1 \
	-addext "subjectAltName=IP:127.0.0.1" -days 2 2>/dev/null
start_daemon --db "$DB" --tls-cert "$T/tls.crt" --tls-key "$T/tls.key"
check "with --tls-cert it serves HTTPS" "[ \"\$(curl -s --cacert $T/tls.crt https://127.0.0.1:\$(cat $T/port)/healthz)\" = ok ]"
check "and nothing in clear" "! curl -s -m 5 http://127.0.0.1:\$(cat $T/port)/healthz >/dev/null 2>&1"
stop_daemon || true
# Client certificates: only those issued by the configured CA get in.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca.key" -out "$T/ca.crt" -subj /CN=ca -days 2 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$T/cl.key" -out "$T/cl.csr" -subj /CN=client 2>/dev/null
openssl x509 -req -in "$T/cl.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial -out "$T/cl.crt" -days 2 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ot.key" -out "$T/ot.crt" -subj /CN=other -days 2 2>/dev/null
start_daemon --db "$DB" --tls-cert "$T/tls.crt" --tls-key "$T/tls.key" --tls-client-ca "$T/ca.crt"
H=https://127.0.0.1:$(cat "$T/port")/healthz
check "with --tls-client-ca a certificate of that CA gets in" \
	"[ \"\$(curl -s --cacert $T/tls.crt --cert $T/cl.crt --key $T/cl.key $H)\" = ok ]"
check "no client certificate: 403" "[ \$(curl -s -o /dev/null -w '%{http_code}' --cacert $T/tls.crt $H) = 403 ]"
check "a certificate of another CA: 403" \
	"[ \$(curl -s -o /dev/null -w '%{http_code}' --cacert $T/tls.crt --cert $T/ot.crt --key $T/ot.key $H) != 200 ]"
exit 0
