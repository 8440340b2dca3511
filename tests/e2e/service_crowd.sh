#!/bin/sh
# SPDX-License-Identifier: MIT
# A slow-loris crowd from many addresses does not shut a known client out
# (issue 20). cebgated keeps 10 of its 40 connections for addresses where
# someone logged in recently; the other 30 are shared by everyone else, 3 at
# most per address. Then:
#  - 60 connections that drip their headers from 20 addresses: each beyond the
#    30 drops the oldest idle one, so the crowd holds 30, and a newcomer from
#    yet another address is served (dropping one more);
#  - 60 connections that send whole headers and drip a body (each opened once
#    the server has answered the previous one's "Expect: 100-continue", or
#    closed it): 30 are held
#    (a request under way is never dropped), the other 30 are refused at once,
#    and so is a newcomer from an unknown address: refused, not left waiting;
#  - all along, the known client is answered while every connection the crowd
#    holds is still open (read back from the crowd, after its next look).
# Every step waits for a state (a log line, a gauge, the crowd's own count);
# the timeouts are generous so that nothing is cut by time during the test.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
crowd=$top_srcdir/tests/e2e/crowd.py
DB=$T/c.db
adm enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc
TA=$(adm token new --enterprise 4403960XA1)
start_daemon --db "$DB" --threads 2 --connection-limit 40 --reserved-connections 10 \
	--per-ip-limit 3 --known-ip-limit 8 --header-timeout 120 --timeout 120 --request-timeout 240
port=$(cat "$T/port")
known() { curl -s --max-time 20 --interface 127.0.0.2 -o "$T/out" -w '%{http_code}' "$@" || :; }
receipts() { known -H "Authorization: Bearer $TA" "$URL/api/v1/receipts"; }
gauge() { known "$URL/metrics" >/dev/null; awk -v k="$1" '$1 == k { print $2 }' "$T/out"; }
gauge_is() { [ "$(gauge "$1")" = "$2" ]; }
logged() { grep -c -- "$1" "$T/log" || :; }
# start_crowd NAME ADDRESSES PER MODE: the crowd runs in the background; its state in $T/NAME/state.
start_crowd() {
	mkdir -p "$T/$1"
	python3 "$crowd" "$port" "$2" "$3" "$4" "$T/$1" >"$T/$1/out" 2>"$T/$1/err" &
	eval "crowd_$1=\$!"
	kill_at_exit $!
}
crowd_has() { grep -q -- "$2" "$T/$1/state" 2>/dev/null; }
passes() { sed 's/^passes=\([0-9]*\) .*/\1/' "$T/$1/state"; }
# after_next_look NAME: the crowd has looked at every connection since now.
after_next_look() {
	_p=$(passes "$1")
	wait_until 300 sh -c "[ \$(sed 's/^passes=\([0-9]*\) .*/\1/' '$T/$1/state') -ge $((_p + 2)) ]"
}
stop_crowd() {
	touch "$T/$1/stop"
	eval "wait \$crowd_$1" || true
}

is "the known client's first request is answered" "$(receipts)" 200
ok "its address now counts as known (no connection from an unknown address)" \
	wait_until 50 gauge_is cebgate_connections_unknown 0

# ---- a crowd that drips its headers --------------------------------------------------------
start_crowd headers 127.0.0.10-29 3 header
wait_until 600 crowd_has headers 'open=30 closed=30' ||
	{ diag_file "$T/headers/state" "$T/headers/err"; bail "the header crowd did not settle"; }
is "60 header drippers from 20 addresses: 30 oldest dropped for newer ones" \
	"$(logged 'idle connection dropped" .*limit=unknown')" 30
is "none refused: there was always an idle connection to drop" "$(logged 'connection refused')" 0
ok "the crowd holds the 30 connections shared by unknown addresses" \
	wait_until 50 gauge_is cebgate_connections_unknown 30
status_is "a newcomer from another unknown address is served" 200 --max-time 20 \
	--interface 127.0.0.3 "$URL/healthz"
is "by dropping the crowd's oldest idle connection for it" \
	"$(logged 'idle connection dropped" .*for=127.0.0.3 limit=unknown')" 1
wait_until 300 crowd_has headers 'open=29 closed=31' || diag_file "$T/headers/state"
dropped=$(logged 'idle connection dropped')
answered=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
	[ "$(receipts)" != 200 ] || answered=$((answered + 1))
done
is "the known client: 10 of 10 requests answered during the crowd" $answered 10
is "without dropping any of the crowd's connections" "$(logged 'idle connection dropped')" $dropped
after_next_look headers
ok "all 29 connections the crowd holds were still open after those answers" \
	crowd_has headers 'open=29 closed=31'
stop_crowd headers
ok "the crowd gone, its connections are closed" wait_until 100 gauge_is cebgate_connections_unknown 0

# ---- a crowd that sends headers and drips a body -------------------------------------------
start_crowd bodies 127.0.0.40-59 3 body
wait_until 600 crowd_has bodies 'open=30 closed=30' ||
	{ diag_file "$T/bodies/state" "$T/bodies/err"; bail "the body crowd did not settle"; }
is "60 body drippers: 30 refused at once (requests under way are not dropped)" \
	"$(logged 'connection refused" .*limit=unknown')" 30
rc=0
curl -s --max-time 20 --interface 127.0.0.3 -o /dev/null "$URL/healthz" || rc=$?
ok "a newcomer from an unknown address is refused (curl exit $rc)" test $rc -ne 0
isnt "at once, not left waiting until a time-out" $rc 28
is "refused for the share of unknown addresses (logged)" \
	"$(logged 'connection refused" addr=127.0.0.3 limit=unknown')" 1
refused=$(logged 'connection refused')
dropped=$(logged 'idle connection dropped')
answered=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
	[ "$(receipts)" != 200 ] || answered=$((answered + 1))
done
is "the known client: 10 of 10 requests answered from the reserved connections" $answered 10
is "no connection refused or dropped for them" \
	"$(logged 'connection refused'):$(logged 'idle connection dropped')" "$refused:$dropped"
after_next_look bodies
ok "all 30 connections the crowd holds were still open after those answers" \
	crowd_has bodies 'open=30 closed=30'
stop_crowd bodies
rc=0
stop_daemon || rc=$?
is "cebgated stops cleanly" $rc 0
done_testing
