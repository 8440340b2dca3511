#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: the whole pipeline over the dir: channel (the transfer client's
# folder contract), with a stand-in that answers each DxpMsg of outbox/ with a
# receipt DxpMsg in inbox/ (one order gets a CEB900 format error, correlated
# by oriCopMsgId); then the spool directory (--follow) against the real
# cebgated: files present at start and dropped later go to done/ or failed/
# with a report beside them.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"

echo "1..14"
M=$top_srcdir/samples/merchant
CH=$T/ch
export CEBGATE_OUTBOX="$T/outbox.db"
"$CEBGATE" keygen --sm2 --key "$T/a.key" --cert "$T/a.crt" --serial 3000000000CDE6F >/dev/null
mkdir -p "$CH/inbox"
printf '<not a receipt' >"$CH/inbox/broken.xml"
printf '<half' >"$CH/inbox/.coming.part"
python3 "$top_srcdir/tests/e2e/dir_standin.py" "$CH" 0106 &
standin=$!
j() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/out.json" "$1"; }

rc=0
"$CEBGATE" submit --channel "dir:$CH" --key "$T/a.key" --cert "$T/a.crt" --map "$M/default.profile" \
	--wait-final --json "$M/orders-en.csv" >"$T/out.json" 2>"$T/err" || rc=$?
touch "$CH/stop"
wait $standin || true
check "the pipeline over dir: ends with every declaration final (exit 1: one refused)" \
	"[ $rc -eq 1 ] && [ \"\$(j 'r[\"pending\"]')\" = 0 ] && [ \"\$(j 'r[\"documents\"][\"final\"]')\" = 6 ]"
check "each declaration was written to outbox/ as a DxpMsg and taken by the client" \
	"[ \$(ls $CH/sent | wc -l) = 6 ] && [ -z \"\$(ls -A $CH/outbox)\" ] && grep -q DxpMsg $CH/sent/CEB311Message_*.xml"
check "no temporary file is left behind" "! ls -A $CH/outbox $CH/inbox | grep -q '\\.tmp'"
f=$(ls "$CH"/sent/CEB311Message_*.xml | head -1)
check "the DxpMsg carries the signed declaration, its CopMsgId is the message guid" \
	"'$CEBGATE' verify $f >/dev/null && grep -q \"<dxp:CopMsgId>\$(basename $f .xml | sed 's/CEB311Message_//')</dxp:CopMsgId>\" $f"
check "receipts are matched by business keys: five orders stored (120)" \
	"[ \"\$(sqlite3 $CEBGATE_OUTBOX \"SELECT count(*) FROM doc WHERE return_status = '120'\")\" = 5 ]"
check "the CEB900 is correlated by oriCopMsgId: that order is refused" \
	"[ \"\$(sqlite3 $CEBGATE_OUTBOX \"SELECT return_status FROM doc WHERE key2 = 'SO202611270000000106'\")\" = -1 ]"
check "read receipts are archived" "[ \$(ls $CH/archive | wc -l) = 6 ]"
check "an unreadable file goes to error/ with a report beside it" \
	"[ -f $CH/error/broken.xml ] && grep -q 'could not read' $CH/error/broken.xml.report.txt"
check "a file still being written is left alone" "[ -f $CH/inbox/.coming.part ]"
check "status tells the refused order's story" \
	"'$CEBGATE' status SO202611270000000106 | grep -q 'receipt CEB900Message -1'"

# The spool directory against the real cebgated.
DB=$T/s.db
"$CEBGATE" admin --db "$DB" enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
"$CEBGATE" admin --db "$DB" cert add 4403960XA1 "$T/a.crt"
"$CEBGATE" admin --db "$DB" token new --enterprise 4403960XA1 >"$T/token"
start_daemon --db "$DB"
SP=$T/spool
mkdir "$SP"
cp "$M/orders.ndjson" "$SP/early.ndjson"
"$CEBGATE" submit --server "$URL" --token-file "$T/token" --outbox "$T/spool.db" --key "$T/a.key" \
	--cert "$T/a.crt" --map "$M/default.profile" --follow "$SP" --json >"$T/spool.json" 2>"$T/spool.err" &
follower=$!
cp "$M/orders-bad.csv" "$SP/.late.csv.tmp"
mv "$SP/.late.csv.tmp" "$SP/late.csv"
# Wait (at most 2 minutes: sanitizer builds on a busy machine are slow) for both files to be taken.
i=0
while [ "$(ls "$SP/done" "$SP/failed" 2>/dev/null | grep -c -E '[.](ndjson|csv)$')" -lt 2 ] && [ $i -lt 1200 ]; do
	sleep 0.1; i=$((i + 1))
done
kill -TERM $follower
rc=0; wait $follower || rc=$?
cp "$T/spool.json" "$T/out.json"
check "a file present at start is taken, and goes to done/ with its report" \
	"[ -f $SP/done/early.ndjson ] && grep -q 'early.ndjson: 4 record(s), 0 invalid' $SP/done/early.ndjson.report.txt"
check "a file dropped later (atomically) is taken; with invalid records it goes to failed/" \
	"[ -f $SP/failed/late.csv ] && grep -q CG2007 $SP/failed/late.csv.report.txt"
check "SIGTERM ends the follower after the last submission (exit 1: invalid records seen)" \
	"[ $rc -eq 1 ] && [ \"\$(j 'r[\"pending\"]')\" = 0 ] && [ \"\$(j 'r[\"accepted\"]')\" = 8 ]"
check "and the service holds them" "[ \"\$(sqlite3 $DB 'SELECT count(*) FROM message')\" = 8 ]"
stop_daemon || true
exit 0
