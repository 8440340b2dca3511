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

M=$top_srcdir/samples/merchant
DB=$T/s.db
OB=$T/outbox.db
export CEBGATE_OUTBOX="$OB"
adm enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
"$CEBGATE" keygen --sm2 --key "$T/a.key" --cert "$T/a.crt" --serial 3000000000CDE6F >/dev/null
adm cert add 4403960XA1 "$T/a.crt"
adm token new --enterprise 4403960XA1 >"$T/token"
echo "not-a-token" >"$T/bad-token"
start_daemon --db "$DB"

r() { jv "$T/out.json" "$1"; }
msgs() { sqlite3 "$DB" "SELECT count(*) FROM message"; }
submit() {
	"$CEBGATE" submit --server "$URL" --token-file "$T/token" --key "$T/a.key" \
		--cert "$T/a.crt" --map "$M/default.profile" --json "$@" >"$T/out.json" 2>"$T/err"
}

rc=0; submit "$M/orders-en.csv" "$M/orders-bad.csv" || rc=$?
is "a mixed batch exits 1 (some records invalid)" $rc 1
is "the valid records are accepted all the same" "$(r .accepted)" 10
is "and stored" "$(msgs)" 10
# 6 invalid orders and the ragged row of a seventh (a record that could not be read).
is "the invalid ones are counted" "$(r .invalid)" 7
json_is "and reported with their findings" "$T/out.json" \
	'[.report.files[].findings | length] | add >= 6' true
file_contains "among them CG2007" "$T/out.json" CG2007
is "nothing is pending" "$(r .pending)" 0
is "and the receipts already made the orders final" "$(r .documents.final)" 10
rc=0; submit "$M/orders-en.csv" || rc=$?
is "running the same input again exits 0" $rc 0
is "and adds nothing" "$(r .added)" 0
is "the six orders are known already" "$(r .already)" 6
is "nothing is submitted twice" "$(msgs)" 10
rc=0; submit - <"$M/orders.ndjson" || rc=$?
is "a stream on stdin (NDJSON) exits 0" $rc 0
json_is "its declarations are added" "$T/out.json" '.added > 0' true
ok "and submitted" test "$(msgs)" -gt 10
nmsg=$(msgs)
# A crash after sending but before the answer was recorded: the same bytes again.
sqlite3 "$OB" "UPDATE decl SET state = 'submitted', next_try = 9999999999999
	WHERE id IN (SELECT id FROM decl ORDER BY id LIMIT 3)"
rc=0
"$CEBGATE" submit --resume --server "$URL" --token-file "$T/token" --json >"$T/out.json" \
	2>"$T/err" || rc=$?
is "--resume resends what was in flight (exit 0)" $rc 0
is "and the service knows it: nothing new stored" "$(msgs)" "$nmsg"
is "nothing pending" "$(r .pending)" 0
like "the answer recorded is duplicate" "$(sqlite3 "$OB" "SELECT answer FROM decl WHERE id = 1")" \
	duplicate

# A client error is not retried: straight to the dead letter.
OB2=$T/outbox2.db
sed 's/SO20261127000000/SO20261127999900/g' "$M/orders-en.csv" >"$T/orders-401.csv"
rc=0
CEBGATE_OUTBOX=$OB2 "$CEBGATE" submit --server "$URL" --token-file "$T/bad-token" \
	--key "$T/a.key" --cert "$T/a.crt" --map "$M/default.profile" --json "$T/orders-401.csv" \
	>"$T/out.json" 2>"$T/err" || rc=$?
is "a 401 leaves every declaration dead (exit 75)" $rc 75
json_is "dead" "$T/out.json" '.dead > 0' true
is "none accepted" "$(r .accepted)" 0
is "each was sent once only" "$(sqlite3 "$OB2" "SELECT DISTINCT attempts FROM decl")" 1
is "4xx never retried" "$(r .retried)" 0
like "status names the dead letter and its reason" \
	"$(CEBGATE_OUTBOX=$OB2 "$CEBGATE" status SO202611279999000101)" 'dead.*HTTP 401'
rc=0
CEBGATE_OUTBOX=$OB2 "$CEBGATE" submit --retry-dead --server "$URL" --token-file "$T/token" \
	--json >"$T/out.json" 2>"$T/err" || rc=$?
is "--retry-dead with the right token exits 0" $rc 0
is "it releases them" "$(r .dead)" 0
json_is "and submits them" "$T/out.json" '.accepted > 0' true

# The server down, then up: network errors are retried with backoff until it answers.
port=$(cat "$T/port")
stop_daemon
OB3=$T/outbox3.db
CEBGATE_OUTBOX=$OB3 "$CEBGATE" submit --server "$URL" --token-file "$T/token" --key "$T/a.key" \
	--cert "$T/a.crt" --map "$M/shopx.profile" --backoff-ms 50 --backoff-max-ms 300 \
	--max-attempts 100000 --json "$M/orders-profile.csv" --type 311 \
	>"$T/down.json" 2>"$T/err" &
spid=$!
kill_at_exit $spid
tried_twice() {
	[ "$(sqlite3 "$OB3" 'SELECT coalesce(min(attempts), 0) FROM decl' 2>/dev/null || echo 0)" \
		-ge 2 ]
}
wait_until 300 tried_twice || :
ok "while the server is down the sends fail and are retried" tried_twice
start_daemon --db "$DB" --port "$port"
rc=0; wait $spid || rc=$?
cp "$T/down.json" "$T/out.json"
is "once it is up, every declaration goes through (exit 0)" $rc 0
is "none pending" "$(r .pending)" 0
json_is "accepted" "$T/out.json" '.accepted > 0' true
json_is "after retries" "$T/out.json" '.retried > 0' true
is "and the service holds each of them once" "$(sqlite3 "$DB" "SELECT count(*) FROM message")" \
	"$(sqlite3 "$DB" "SELECT count(DISTINCT guid) FROM message")"

# Receipts: followed to the end, matched by business keys.
rc=0
"$CEBGATE" receipts --server "$URL" --token-file "$T/token" --wait-final --json \
	>"$T/out.json" 2>"$T/err" || rc=$?
is "receipts --wait-final exits 0" $rc 0
json_is "with every declaration final" "$T/out.json" 'all(.documents[]; .final)' true
json_is "each order carries its 120 receipt" "$T/out.json" \
	'[.documents[].returnStatus] | unique' '["120"]'
sqlite3 "$OB" "UPDATE cursor SET value = 0"
"$CEBGATE" receipts --server "$URL" --token-file "$T/token" >/dev/null 2>"$T/err" || true
file_contains "pulling the whole feed again matches nothing new" "$T/err" '0 matched'
is "and changes nothing (duplicates ignored)" \
	"$(sqlite3 "$OB" 'SELECT count(*) FROM doc WHERE final = 0')" 0
# --follow --json: one JSON document per run, as every --json, printed when it is stopped.
sqlite3 "$OB" "UPDATE cursor SET value = 0"
"$CEBGATE" receipts --server "$URL" --token-file "$T/token" --follow --wait 1 --json \
	>"$T/follow.json" 2>"$T/follow.err" &
fpid=$!
kill_at_exit $fpid
pulled() { [ "$(sqlite3 "$OB" 'SELECT value FROM cursor')" -gt 0 ]; }
ok "receipts --follow pulls the feed" wait_until 1200 pulled
is "and prints nothing while it follows" "$(wc -c <"$T/follow.json")" 0
kill -TERM $fpid
rc=0; wait $fpid || rc=$?
is "stopped by SIGTERM, it exits 0 (every declaration final)" $rc 0
is "having printed exactly one JSON document" "$(jq -s length "$T/follow.json")" 1
json_is "the states of every declaration" "$T/follow.json" 'all(.documents[]; .final)' true
like "status shows one declaration's history" \
	"$("$CEBGATE" status SO202611270000000101)" 'receipt CEB312Message 120'
exit_code_is "status of an unknown number: exit 1" 1 "$CEBGATE" status NOSUCHORDER
exit_code_is "a wrong option is a usage error (exit 2)" 2 "$CEBGATE" submit --nope x
is "the outbox is sound" "$(sqlite3 "$OB" 'PRAGMA integrity_check')" ok
"$CEBGATE" dxp wrap --sender-id DXPENT0000999901 "$S/CEB311-order.xml" -o "$T/in-dxp.xml"
rc=0; submit "$T/in-dxp.xml" || rc=$?
is "a DxpMsg input is submitted (exit 0)" $rc 0
is "the declaration inside it is signed and added" "$(r .added)" 1
is "and stored" \
	"$(sqlite3 "$DB" "SELECT count(*) FROM document WHERE key2 = 'SO202411110000123456'")" 1
stop_daemon || true

# HTTPS with a client certificate: the TLS options reach libcurl.
q() { openssl "$@" 2>/dev/null; }
q req -x509 -newkey rsa:2048 -nodes -keyout "$T/tls.key" -out "$T/tls.crt" -subj /CN=127.0.0.1 \
	-addext "subjectAltName=IP:127.0.0.1" -days 2
q req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca.key" -out "$T/ca.crt" -subj /CN=ca -days 2
q req -newkey rsa:2048 -nodes -keyout "$T/cl.key" -out "$T/cl.csr" -subj /CN=client
q x509 -req -in "$T/cl.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial \
	-out "$T/cl.crt" -days 2
start_daemon --db "$DB" --tls-cert "$T/tls.crt" --tls-key "$T/tls.key" --tls-client-ca "$T/ca.crt"
URL=https://127.0.0.1:$(cat "$T/port")
OB4=$T/outbox4.db
sed 's/SO20261127000000/SO20261127888800/g' "$M/orders-en.csv" >"$T/orders-tls.csv"
rc=0
CEBGATE_OUTBOX=$OB4 submit --cacert "$T/tls.crt" --tls-cert "$T/cl.crt" --tls-key "$T/cl.key" \
	"$T/orders-tls.csv" || rc=$?
is "over HTTPS with a client certificate submit exits 0" $rc 0
is "and the orders are accepted" "$(r .accepted)" 6
OB5=$T/outbox5.db
rc=0
CEBGATE_OUTBOX=$OB5 submit --cacert "$T/tls.crt" --max-attempts 2 --backoff-ms 10 \
	"$T/orders-tls.csv" || rc=$?
is "without the client certificate nothing goes through (exit 75)" $rc 75
is "none accepted" "$(r .accepted)" 0
stop_daemon || true
done_testing
