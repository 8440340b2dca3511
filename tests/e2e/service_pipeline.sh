#!/bin/sh
# SPDX-License-Identifier: MIT
# The submission pipeline (src/server/pipeline.c): a submission is checked by
# a worker and committed by the group commit's writer while its connection
# waits suspended, not in a pool thread. A client of the database holds the
# write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: LOCK TABLE message), so
# that accepted messages wait for their commit as long as the test wants:
#  - with one pool thread, four submissions wait and /metrics is answered
#    meanwhile (the gauge counts them); once the lock is let go, the three
#    that arrived during the first group's wait are committed in one group;
#  - a client that disconnects while its submission waits: the message is
#    stored once, the request completes (the gauge back to 0), a second copy
#    is a duplicate;
#  - SIGTERM with submissions waiting: cebgated answers every one of them
#    (200, accepted, stored) before it exits, with status 0.
# Every step waits for a state (the gauge, a file); no timings. The lock is
# held for a few seconds at most: the lock wait of the database is 10 s.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"

DB=$(new_db p)
adm enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
"$CEBGATE" keygen --sm2 --key "$T/a.key" --cert "$T/a.crt" --serial 3000000000CDE6F >/dev/null
adm cert add 4403960XA1 "$T/a.crt"
TA=$(adm token new --enterprise 4403960XA1)
mkdir "$T/in" "$T/signed"
for i in 01 02 03 04 05 06 07 08 09 10; do
	sed -e "s/SO202411110000123456/SO20241111PIPE$i/" \
		-e "s/309FF3B5-9896-4379-93C3-706DB153EEF5/309FF3B5-9896-4379-93C3-706DB15300$i/g" \
		"$S/CEB311-order.xml" >"$T/in/o$i.xml"
done
"$CEBGATE" sign --key "$T/a.key" --cert "$T/a.crt" "$T/in" -o "$T/signed"

gauge() {
	curl -s --max-time 30 -o "$T/metrics" "$URL/metrics" || return 1
	awk -v k="$1" '$1 == k { print $2 }' "$T/metrics"
}
gauge_is() { [ "$(gauge "$1")" = "$2" ]; }
submit() { # submit FILE OUT: the status code in OUT.code, the answer in OUT
	curl -s --max-time 120 -o "$2" -w '%{http_code}' -H "Authorization: Bearer $TA" \
		-H 'Content-Type: application/xml' --data-binary @"$1" "$URL/api/v1/submissions" >"$2.code" || :
}
stored() { dbq "$DB" "SELECT count(*) FROM message WHERE guid = '309FF3B5-9896-4379-93C3-706DB15300$1'"; }

# hold / release: another client of the database holds its write lock. The
# token is used first: its last use is written at most once a minute, and
# that write would wait for the lock in the pool thread.
hold() {
	status_is "the token is good" 200 -H "Authorization: Bearer $TA" "$URL/api/v1/receipts"
	rm -f "$T/lock.fifo" "$T/lock.out"
	mkfifo "$T/lock.fifo"
	if on_pg; then
		psql -XAtq -d "$DB" <"$T/lock.fifo" >"$T/lock.out" 2>&1 &
	else
		sqlite3 "$DB" <"$T/lock.fifo" >"$T/lock.out" 2>&1 &
	fi
	lockpid=$!
	kill_at_exit $lockpid
	exec 3>"$T/lock.fifo"
	if on_pg; then
		echo "BEGIN; LOCK TABLE message IN EXCLUSIVE MODE; SELECT 'held';" >&3
	else
		echo "BEGIN IMMEDIATE; SELECT 'held';" >&3
	fi
	wait_until 300 grep -q held "$T/lock.out" || bail "the database's write lock was not taken"
}
release() {
	echo "ROLLBACK;" >&3
	exec 3>&-
	wait "$lockpid" || :
}

# ---- four submissions wait suspended; the one pool thread serves meanwhile -------------------
start_daemon --db "$DB" --threads 1
is "nothing waits at first" "$(gauge cebgate_submissions_waiting)" 0
hold
for i in 01 02 03 04; do
	submit "$T/signed/o$i.xml" "$T/a$i" &
	kill_at_exit $!
done
ok "with one pool thread, /metrics answers while four submissions wait for their commit" \
	wait_until 600 gauge_is cebgate_submissions_waiting 4
release
wait_until 600 gauge_is cebgate_submissions_waiting 0 || bail "the four submissions were not answered"
for i in 01 02 03 04; do
	wait_until 600 test -s "$T/a$i.code" || :
	is "order $i: 200 once the lock is let go" "$(cat "$T/a$i.code")" 200
	json_is "order $i: accepted" "$T/a$i" '.results[0].status' accepted
	is "order $i: stored once" "$(stored "$i")" 1
done

# ---- a client gone while its submission waits ------------------------------------------------
hold
curl -s --max-time 120 -o /dev/null -H "Authorization: Bearer $TA" -H 'Content-Type: application/xml' \
	--data-binary @"$T/signed/o05.xml" "$URL/api/v1/submissions" &
cpid=$!
kill_at_exit $cpid
wait_until 600 gauge_is cebgate_submissions_waiting 1 || bail "the submission did not wait"
kill -KILL $cpid
wait $cpid 2>/dev/null || : # killed: the shell says so
release
ok "the abandoned request completes once its group committed" \
	wait_until 600 gauge_is cebgate_submissions_waiting 0
is "the abandoned client's message is stored once" "$(stored 05)" 1
submit "$T/signed/o05.xml" "$T/a05"
is "sent again: 200" "$(cat "$T/a05.code")" 200
json_is "sent again: a duplicate" "$T/a05" '.results[0].status' duplicate
# The message row is written once, with the answer its sender got: the same
# object, repeated to a duplicate; /metrics counts each by type and outcome
# from the outcome the writer handed over, not by reading the answer again.
is "the stored answer is the one sent" "$(dbq "$DB" "SELECT result FROM message WHERE guid = '309FF3B5-9896-4379-93C3-706DB1530001'" | jq -S -c .)" \
	"$(jq -S -c '.results[0]' "$T/a01")"
json_is "it has the document's decision" "$T/a01" '.results[0].documents[0] | [.accepted, .returnStatus] | @text' '[true,"120"]'
status_is "an unsigned order is refused" 422 -H "Authorization: Bearer $TA" -H 'Content-Type: application/xml' \
	--data-binary @"$T/in/o10.xml" "$URL/api/v1/submissions"
msgs() { gauge "cebgate_messages_total{type=\"CEB311Message\",outcome=\"$1\"}"; }
is "/metrics: 5 orders accepted (the abandoned one too)" "$(msgs accepted)" 5
is "/metrics: 1 duplicate" "$(msgs duplicate)" 1
is "/metrics: 1 rejected" "$(msgs rejected)" 1
status_is "cebgated serves on" 200 "$URL/healthz"

# ---- SIGTERM while submissions wait ----------------------------------------------------------
hold
for i in 06 07 08 09; do
	submit "$T/signed/o$i.xml" "$T/a$i" &
	kill_at_exit $!
done
wait_until 600 gauge_is cebgate_submissions_waiting 4 || bail "the four submissions did not wait"
kill -TERM "$pid"
ok "after SIGTERM, cebgated waits for the submissions it holds" kill -0 "$pid"
release
rc=0
wait "$pid" || rc=$?
pid=""
is "then it exits with status 0" "$rc" 0
for i in 06 07 08 09; do
	is "order $i: answered 200 before the exit" "$(cat "$T/a$i.code")" 200
	json_is "order $i: accepted" "$T/a$i" '.results[0].status' accepted
	is "order $i: stored once" "$(stored "$i")" 1
done
is "the database holds the 9 messages" "$(dbq "$DB" 'SELECT count(*) FROM message')" 9
is "the database is sound" "$(db_sound "$DB")" ok
done_testing
