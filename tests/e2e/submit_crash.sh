#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: `cebgate submit` killed with SIGKILL at random moments of a
# batch, several times, then run again to the end: every declaration reaches
# the service exactly once (no second message, no conflict, no refusal of a
# resend) and ends final. The killed runs sign on 2, 4 and 1 threads in turn
# (-j): records signed by a worker but not yet in the outbox are signed again
# by the next run, never sent twice. The long version (2,000 declarations, many kills)
# is bench/submit_crash_loop.sh.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"

N=${CG_CRASH_ORDERS:-500}
ROUNDS=${CG_CRASH_ROUNDS:-4}
DB=$T/s.db
OB=$T/outbox.db
export CEBGATE_OUTBOX="$OB"
python3 "$top_srcdir/bench/gen_orders.py" "$T/orders.csv" "$N" --seed 11 >/dev/null
adm enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
"$CEBGATE" keygen --sm2 --key "$T/a.key" --cert "$T/a.crt" --serial 3000000000CDE6F >/dev/null
adm cert add 4403960XA1 "$T/a.crt"
adm token new --enterprise 4403960XA1 >"$T/token"
# Each killed client leaves its connections open until cebgated's inactivity timeout:
# many kills in a row would reach the per-address limit (16) and make the last run
# wait for them (its sends fail and are retried, which is right, but slow).
start_daemon --db "$DB" --per-ip-limit 256
set -- --server "$URL" --token-file "$T/token" --key "$T/a.key" --cert "$T/a.crt" \
	--map "$top_srcdir/samples/merchant/default.profile" --batch 10 --parallel 2 \
	--max-attempts 1000 --backoff-max-ms 2000

r=1
while [ $r -le "$ROUNDS" ]; do
	# Started directly, not through a function: $! must be cebgate itself
	# (a function would run in a subshell, and the kill would leave cebgate running).
	"$CEBGATE" submit "$@" -j "$(echo "2 4 1" | cut -d' ' -f$(((r - 1) % 3 + 1)))" \
		"$T/orders.csv" >/dev/null 2>&1 &
	victim=$!
	# A random kill point, in time: how far the batch got is what varies.
	sleep "$(awk -v s="$r$$" -v w="${CG_CRASH_SPREAD:-0.4}" \
		'BEGIN { srand(s); printf "%.2f", 0.02 + rand() * w }')"
	kill -9 $victim 2>/dev/null || true
	wait $victim 2>/dev/null || true
	states=$(sqlite3 "$OB" "SELECT group_concat(state || ' ' || n, ', ') FROM
		(SELECT state, count(*) AS n FROM decl GROUP BY state)" 2>/dev/null) ||
		states=empty
	diag "kill $r: outbox $states"
	r=$((r + 1))
done
rc=0; "$CEBGATE" submit "$@" --wait-final --json "$T/orders.csv" >"$T/out.json" 2>"$T/err" || rc=$?
q() { sqlite3 "$1" "$2"; }
is "after $ROUNDS kills, running again finishes (exit 0)" $rc 0
is "the service holds each of the $N orders once" "$(q "$DB" 'SELECT count(*) FROM message')" $N
is "exactly once" "$(q "$DB" 'SELECT count(DISTINCT key2) FROM document WHERE kind = 311')" $N
is "no resend was taken for a new order (one CEB312 per order)" \
	"$(q "$DB" "SELECT count(*) FROM receipt WHERE msg_type = 'CEB312Message'")" $N
is "none negative" "$(q "$DB" "SELECT count(*) FROM receipt WHERE return_status LIKE '-%'")" 0
is "every declaration of the outbox is final" \
	"$(q "$OB" "SELECT count(*) FROM decl WHERE state = 'final'")" $N
is "and there are no others" "$(q "$OB" 'SELECT count(*) FROM decl')" $N
is "the outbox is sound" "$(q "$OB" 'PRAGMA integrity_check')" ok
is "the service's database is sound" "$(q "$DB" 'PRAGMA integrity_check')" ok
is "no killed cebgate is still running" \
	"$(ps -o args= -e | grep -v grep | grep -c -- "--token-file $T/token" || :)" 0
stop_daemon || true
done_testing
