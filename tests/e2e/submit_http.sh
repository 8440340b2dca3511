#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: `cebgate submit` against the real cebgated: a mixed batch where
# the invalid records do not hold back the valid ones, running again submits
# nothing twice, a stream on stdin, a resend after a crash recognised as the
# same submission, a client error (4xx) never retried and its dead letters
# released, the server down then up (retries, then success), receipts
# followed until every declaration is final.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"

echo "1..24"
M=$top_srcdir/samples/merchant
DB=$T/s.db
OB=$T/outbox.db
export CEBGATE_OUTBOX="$OB"
"$CEBGATE" admin --db "$DB" enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
"$CEBGATE" keygen --sm2 --key "$T/a.key" --cert "$T/a.crt" --serial 3000000000CDE6F >/dev/null
"$CEBGATE" admin --db "$DB" cert add 4403960XA1 "$T/a.crt"
"$CEBGATE" admin --db "$DB" token new --enterprise 4403960XA1 >"$T/token"
echo "not-a-token" >"$T/bad-token"
start_daemon --db "$DB"

j() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/out.json" "$1"; }
msgs() { sqlite3 "$DB" "SELECT count(*) FROM message"; }
submit() { "$CEBGATE" submit --server "$URL" --token-file "$T/token" --key "$T/a.key" --cert "$T/a.crt" \
	--map "$M/default.profile" --json "$@" >"$T/out.json" 2>"$T/err"; }

rc=0; submit "$M/orders-en.csv" "$M/orders-bad.csv" || rc=$?
check "a mixed batch exits 1 (some records invalid)" "[ $rc -eq 1 ]"
check "the valid records are accepted all the same" "[ \"\$(j 'r[\"accepted\"]')\" = 10 ] && [ \$(msgs) = 10 ]"
check "the invalid ones are counted and reported with their findings" \
	"[ \"\$(j 'r[\"invalid\"]')\" = 6 ] && [ \"\$(j 'sum(len(f[\"findings\"]) for f in r[\"report\"][\"files\"])')\" -ge 6 ] && grep -q CG2007 $T/out.json"
check "nothing is pending and the receipts already made the orders final" \
	"[ \"\$(j 'r[\"pending\"]')\" = 0 ] && [ \"\$(j 'r[\"documents\"][\"final\"]')\" = 10 ]"
rc=0; submit "$M/orders-en.csv" || rc=$?
check "running the same input again submits nothing twice" \
	"[ $rc -eq 0 ] && [ \"\$(j 'r[\"added\"]')\" = 0 ] && [ \"\$(j 'r[\"already\"]')\" = 6 ] && [ \$(msgs) = 10 ]"
rc=0; submit - <"$M/orders.ndjson" || rc=$?
check "a stream on stdin (NDJSON) is submitted" \
	"[ $rc -eq 0 ] && [ \"\$(j 'r[\"added\"]')\" -gt 0 ] && [ \$(msgs) -gt 10 ]"
nmsg=$(msgs)
# A crash after sending but before the answer was recorded: the same bytes again.
sqlite3 "$OB" "UPDATE decl SET state = 'submitted', next_try = 9999999999999 WHERE id IN (SELECT id FROM decl ORDER BY id LIMIT 3)"
rc=0; "$CEBGATE" submit --resume --server "$URL" --token-file "$T/token" --json >"$T/out.json" 2>"$T/err" || rc=$?
check "--resume resends what was in flight, and the service knows it (duplicate)" \
	"[ $rc -eq 0 ] && [ \$(msgs) = $nmsg ] && [ \"\$(j 'r[\"pending\"]')\" = 0 ] && sqlite3 $OB \"SELECT answer FROM decl WHERE id = 1\" | grep -q duplicate"

# A client error is not retried: straight to the dead letter.
OB2=$T/outbox2.db
sed 's/SO20261127000000/SO20261127999900/g' "$M/orders-en.csv" >"$T/orders-401.csv"
rc=0; CEBGATE_OUTBOX=$OB2 "$CEBGATE" submit --server "$URL" --token-file "$T/bad-token" \
	--key "$T/a.key" --cert "$T/a.crt" --map "$M/default.profile" --json "$T/orders-401.csv" >"$T/out.json" 2>"$T/err" || rc=$?
check "a 401 leaves every declaration dead (exit 75)" \
	"[ $rc -eq 75 ] && [ \"\$(j 'r[\"dead\"]')\" -gt 0 ] && [ \"\$(j 'r[\"accepted\"]')\" = 0 ]"
check "each was sent once only (4xx never retried)" \
	"[ \"\$(sqlite3 $OB2 \"SELECT DISTINCT attempts FROM decl\")\" = 1 ] && [ \"\$(j 'r[\"retried\"]')\" = 0 ]"
check "status names the dead letter and its reason" \
	"CEBGATE_OUTBOX=$OB2 '$CEBGATE' status SO202611279999000101 | grep -q 'dead.*HTTP 401'"
rc=0; CEBGATE_OUTBOX=$OB2 "$CEBGATE" submit --retry-dead --server "$URL" --token-file "$T/token" --json >"$T/out.json" 2>"$T/err" || rc=$?
check "--retry-dead with the right token releases and submits them" \
	"[ $rc -eq 0 ] && [ \"\$(j 'r[\"dead\"]')\" = 0 ] && [ \"\$(j 'r[\"accepted\"]')\" -gt 0 ]"

# The server down, then up: network errors are retried with backoff until it answers.
port=$(cat "$T/port")
stop_daemon
OB3=$T/outbox3.db
CEBGATE_OUTBOX=$OB3 "$CEBGATE" submit --server "$URL" --token-file "$T/token" --key "$T/a.key" \
	--cert "$T/a.crt" --map "$M/shopx.profile" --backoff-ms 50 --backoff-max-ms 300 \
	--max-attempts 100000 --json "$M/orders-profile.csv" --type 311 >"$T/down.json" 2>"$T/err" &
spid=$!
i=0
while [ "$(sqlite3 "$OB3" 'SELECT coalesce(min(attempts), 0) FROM decl' 2>/dev/null || echo 0)" -lt 2 ] && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
check "while the server is down the sends fail and are retried" \
	"[ \"\$(sqlite3 $OB3 'SELECT min(attempts) FROM decl')\" -ge 2 ]"
start_daemon --db "$DB" --port "$port"
rc=0; wait $spid || rc=$?
cp "$T/down.json" "$T/out.json"
check "once it is up, every declaration goes through (exit 0)" \
	"[ $rc -eq 0 ] && [ \"\$(j 'r[\"pending\"]')\" = 0 ] && [ \"\$(j 'r[\"accepted\"]')\" -gt 0 ] && [ \"\$(j 'r[\"retried\"]')\" -gt 0 ]"
check "and the service holds each of them once" \
	"[ \"\$(sqlite3 $DB \"SELECT count(*) FROM message\")\" = \"\$(sqlite3 $DB \"SELECT count(DISTINCT guid) FROM message\")\" ]"

# Receipts: followed to the end, matched by business keys.
rc=0; "$CEBGATE" receipts --server "$URL" --token-file "$T/token" --wait-final --json >"$T/out.json" 2>"$T/err" || rc=$?
check "receipts --wait-final ends with every declaration final (exit 0)" \
	"[ $rc -eq 0 ] && [ \"\$(j 'all(d[\"final\"] for d in r[\"documents\"])')\" = True ]"
check "each order carries its 120 receipt" \
	"[ \"\$(j 'sorted(set(d[\"returnStatus\"] for d in r[\"documents\"]))')\" = \"['120']\" ]"
sqlite3 "$OB" "UPDATE cursor SET value = 0"
"$CEBGATE" receipts --server "$URL" --token-file "$T/token" >/dev/null 2>"$T/err" || true
check "pulling the whole feed again changes nothing (duplicates ignored)" \
	"grep -q '0 matched' $T/err && [ \"\$(sqlite3 $OB 'SELECT count(*) FROM doc WHERE final = 0')\" = 0 ]"
check "status shows one declaration's history" \
	"'$CEBGATE' status SO202611270000000101 | grep -q 'receipt CEB312Message 120'"
check "status of an unknown number: exit 1" "! '$CEBGATE' status NOSUCHORDER 2>/dev/null"
check "a wrong option is a usage error (exit 2)" \
	"'$CEBGATE' submit --nope x >/dev/null 2>&1; [ \$? -eq 2 ]"
check "the outbox is sound" "[ \"\$(sqlite3 $OB 'PRAGMA integrity_check')\" = ok ]"
"$CEBGATE" dxp wrap --sender-id DXPENT0000999901 "$S/CEB311-order.xml" -o "$T/in-dxp.xml"
rc=0; submit "$T/in-dxp.xml" || rc=$?
check "a DxpMsg input: the declaration inside it is signed and submitted" \
	"[ $rc -eq 0 ] && [ \"\$(j 'r[\"added\"]')\" = 1 ] && sqlite3 $DB \"SELECT count(*) FROM document WHERE key2 = 'SO202411110000123456'\" | grep -qx 1"
stop_daemon || true

# HTTPS with a client certificate: the TLS options reach libcurl.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/tls.key" -out "$T/tls.crt" -subj /CN=127.0.0.1 \
	-addext "subjectAltName=IP:127.0.0.1" -days 2 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca.key" -out "$T/ca.crt" -subj /CN=ca -days 2 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$T/cl.key" -out "$T/cl.csr" -subj /CN=client 2>/dev/null
openssl x509 -req -in "$T/cl.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial -out "$T/cl.crt" -days 2 2>/dev/null
start_daemon --db "$DB" --tls-cert "$T/tls.crt" --tls-key "$T/tls.key" --tls-client-ca "$T/ca.crt"
URL=https://127.0.0.1:$(cat "$T/port")
OB4=$T/outbox4.db
sed 's/SO20261127000000/SO20261127888800/g' "$M/orders-en.csv" >"$T/orders-tls.csv"
rc=0; CEBGATE_OUTBOX=$OB4 submit --cacert "$T/tls.crt" --tls-cert "$T/cl.crt" --tls-key "$T/cl.key" \
	"$T/orders-tls.csv" || rc=$?
check "over HTTPS with a client certificate the orders are accepted" \
	"[ $rc -eq 0 ] && [ \"\$(j 'r[\"accepted\"]')\" = 6 ]"
OB5=$T/outbox5.db
rc=0; CEBGATE_OUTBOX=$OB5 submit --cacert "$T/tls.crt" --max-attempts 2 --backoff-ms 10 "$T/orders-tls.csv" || rc=$?
check "without the client certificate nothing goes through (exit 75)" \
	"[ $rc -eq 75 ] && [ \"\$(j 'r[\"accepted\"]')\" = 0 ]"
stop_daemon || true
exit 0
