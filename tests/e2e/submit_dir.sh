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

M=$top_srcdir/samples/merchant
CH=$T/ch
OB=$T/outbox.db
export CEBGATE_OUTBOX="$OB"
"$CEBGATE" keygen --sm2 --key "$T/a.key" --cert "$T/a.crt" --serial 3000000000CDE6F >/dev/null
mkdir -p "$CH/inbox"
printf '<not a receipt' >"$CH/inbox/broken.xml"
printf '<half' >"$CH/inbox/.coming.part"
python3 "$top_srcdir/tests/e2e/dir_standin.py" "$CH" 0106 &
standin=$!
kill_at_exit $standin
r() { jv "$T/out.json" "$1"; }

rc=0
"$CEBGATE" submit --channel "dir:$CH" --key "$T/a.key" --cert "$T/a.crt" \
	--map "$M/default.profile" --wait-final --json "$M/orders-en.csv" >"$T/out.json" \
	2>"$T/err" || rc=$?
touch "$CH/stop"
wait $standin || true
is "the pipeline over dir: ends (exit 1: one refused)" $rc 1
is "with nothing pending" "$(r .pending)" 0
is "every declaration final" "$(r .documents.final)" 6
is "each declaration was written to outbox/ and taken by the client" "$(ls "$CH/sent" | wc -l)" 6
is "outbox/ is empty" "$(ls -A "$CH/outbox")" ""
ok "as a DxpMsg" grep -q DxpMsg "$CH"/sent/CEB311Message_*.xml
is "no temporary file is left behind" "$(ls -A "$CH/outbox" "$CH/inbox" | grep '\.tmp' || :)" ""
f=$(ls "$CH"/sent/CEB311Message_*.xml | head -1)
ok "the DxpMsg carries the signed declaration" "$CEBGATE" verify "$f"
file_contains "its CopMsgId is the message guid" "$f" \
	"<dxp:CopMsgId>$(basename "$f" .xml | sed 's/CEB311Message_//')</dxp:CopMsgId>"
is "receipts are matched by business keys: five orders stored (120)" \
	"$(sqlite3 "$OB" "SELECT count(*) FROM doc WHERE return_status = '120'")" 5
is "the CEB900 is correlated by oriCopMsgId: that order is refused" \
	"$(sqlite3 "$OB" "SELECT return_status FROM doc WHERE key2 = 'SO202611270000000106'")" -1
is "read receipts are archived" "$(ls "$CH/archive" | wc -l)" 6
ok "an unreadable file goes to error/" test -f "$CH/error/broken.xml"
file_contains "with a report beside it" "$CH/error/broken.xml.report.txt" 'could not read'
ok "a file still being written is left alone" test -f "$CH/inbox/.coming.part"
like "status tells the refused order's story" "$("$CEBGATE" status SO202611270000000106)" \
	'receipt CEB900Message -1'

# The spool directory against the real cebgated.
DB=$T/s.db
adm enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
adm cert add 4403960XA1 "$T/a.crt"
adm token new --enterprise 4403960XA1 >"$T/token"
start_daemon --db "$DB"
SP=$T/spool
mkdir "$SP"
cp "$M/orders.ndjson" "$SP/early.ndjson"
"$CEBGATE" submit --server "$URL" --token-file "$T/token" --outbox "$T/spool.db" \
	--key "$T/a.key" --cert "$T/a.crt" --map "$M/default.profile" --follow "$SP" --json \
	>"$T/spool.json" 2>"$T/spool.err" &
follower=$!
kill_at_exit $follower
cp "$M/orders-bad.csv" "$SP/.late.csv.tmp"
mv "$SP/.late.csv.tmp" "$SP/late.csv"
# Both files taken (at most 2 minutes: sanitizer builds on a busy machine are slow).
both_taken() {
	[ "$(ls "$SP/done" "$SP/failed" 2>/dev/null | grep -c -E '[.](ndjson|csv)$')" -ge 2 ]
}
wait_until 1200 both_taken || :
kill -TERM $follower
rc=0; wait $follower || rc=$?
cp "$T/spool.json" "$T/out.json"
ok "a file present at start is taken, and goes to done/" test -f "$SP/done/early.ndjson"
file_contains "with its report" "$SP/done/early.ndjson.report.txt" \
	'early.ndjson: 4 record\(s\), 0 invalid'
ok "a file dropped later (atomically) is taken; with invalid records it goes to failed/" \
	test -f "$SP/failed/late.csv"
file_contains "with its report" "$SP/failed/late.csv.report.txt" CG2007
is "SIGTERM ends the follower after the last submission (exit 1: invalid records seen)" $rc 1
is "nothing pending" "$(r .pending)" 0
is "all accepted" "$(r .accepted)" 8
is "and the service holds them" "$(sqlite3 "$DB" 'SELECT count(*) FROM message')" 8
stop_daemon || true
done_testing
