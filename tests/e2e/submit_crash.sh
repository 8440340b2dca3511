#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: `cebgate submit` killed with SIGKILL at random moments of a
# batch, several times, then run again to the end: every declaration reaches
# the service exactly once (no second message, no conflict, no refusal of a
# resend) and ends final. The long version (2,000 declarations, many kills)
# is bench/submit_crash_loop.sh.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"

N=${CG_CRASH_ORDERS:-500}
ROUNDS=${CG_CRASH_ROUNDS:-4}
echo "1..7"
DB=$T/s.db
export CEBGATE_OUTBOX="$T/outbox.db"
python3 "$top_srcdir/bench/gen_orders.py" "$T/orders.csv" "$N" --seed 11 >/dev/null
"$CEBGATE" admin --db "$DB" enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
"$CEBGATE" keygen --sm2 --key "$T/a.key" --cert "$T/a.crt" --serial 3000000000CDE6F >/dev/null
"$CEBGATE" admin --db "$DB" cert add 4403960XA1 "$T/a.crt"
"$CEBGATE" admin --db "$DB" token new --enterprise 4403960XA1 >"$T/token"
# Each killed client leaves its connections open until cebgated's inactivity timeout:
# many kills in a row would reach the per-address limit (16) and make the last run
# wait for them (its sends fail and are retried, which is right, but slow).
start_daemon --db "$DB" --per-ip-limit 256
submit() { "$CEBGATE" submit --server "$URL" --token-file "$T/token" --key "$T/a.key" --cert "$T/a.crt" \
	--map "$top_srcdir/samples/merchant/default.profile" --batch 10 --parallel 2 \
	--max-attempts 1000 --backoff-max-ms 2000 "$@"; }

r=1
while [ $r -le "$ROUNDS" ]; do
	# Started directly, not through the function: $! must be cebgate itself
	# (a function would run in a subshell, and the kill would leave cebgate running).
	"$CEBGATE" submit --server "$URL" --token-file "$T/token" --key "$T/a.key" --cert "$T/a.crt" \
		--map "$top_srcdir/samples/merchant/default.profile" --batch 10 --parallel 2 \
		--max-attempts 1000 --backoff-max-ms 2000 "$T/orders.csv" >/dev/null 2>&1 &
	victim=$!
	sleep "$(awk -v s="$r$$" -v w="${CG_CRASH_SPREAD:-0.4}" 'BEGIN { srand(s); printf "%.2f", 0.02 + rand() * w }')"
	kill -9 $victim 2>/dev/null || true
	wait $victim 2>/dev/null || true
	echo "# kill $r: outbox $(sqlite3 "$CEBGATE_OUTBOX" "SELECT group_concat(state || ' ' || n, ', ') FROM (SELECT state, count(*) AS n FROM decl GROUP BY state)" 2>/dev/null || echo empty)"
	r=$((r + 1))
done
rc=0; submit --wait-final --json "$T/orders.csv" >"$T/out.json" 2>"$T/err" || rc=$?
q() { sqlite3 "$1" "$2"; }
check "after $ROUNDS kills, running again finishes (exit 0)" "[ $rc -eq 0 ]"
check "the service holds each of the $N orders exactly once" \
	"[ \$(q $DB 'SELECT count(*) FROM message') = $N ] && [ \$(q $DB 'SELECT count(DISTINCT key2) FROM document WHERE kind = 311') = $N ]"
check "no resend was taken for a new order (one CEB312 per order, none negative)" \
	"[ \$(q $DB \"SELECT count(*) FROM receipt WHERE msg_type = 'CEB312Message'\") = $N ] && [ \$(q $DB \"SELECT count(*) FROM receipt WHERE return_status LIKE '-%'\") = 0 ]"
check "every declaration of the outbox is final" \
	"[ \$(q $CEBGATE_OUTBOX \"SELECT count(*) FROM decl WHERE state = 'final'\") = $N ] && [ \$(q $CEBGATE_OUTBOX 'SELECT count(*) FROM decl') = $N ]"
check "the outbox is sound" "[ \"\$(q $CEBGATE_OUTBOX 'PRAGMA integrity_check')\" = ok ]"
check "the service's database is sound" "[ \"\$(q $DB 'PRAGMA integrity_check')\" = ok ]"
check "no killed cebgate is still running" "! ps -o args= -e | grep -v grep | grep -q -- \"--token-file $T/token\""
stop_daemon || true
exit 0
