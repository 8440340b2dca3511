#!/bin/sh
# SPDX-License-Identifier: MIT
# cebgated's connection limits: body size (413 counted, announced or chunked),
# per-IP and total connection limits, and slow clients. Four clients that send
# a request one byte a second from 127.0.0.1 fill that address's per-IP limit;
# while they drip, a fifth connection from it is refused, a client from
# 127.0.0.2 is served at once (they hold no worker thread), and four idle
# connections from 127.0.0.3 reach the total limit, so that 127.0.0.4 is not
# accepted (libmicrohttpd stops accepting at the limit: the connection waits in
# the listen backlog) until one of the eight is gone. The dripping requests
# never arrive whole: the request deadline
# (--request-timeout; the inactivity timeout alone would never fire, every
# byte resets it) shuts them down, the idle ones go at the inactivity timeout,
# and 127.0.0.1 is served again. Waits are bounded polls, not timings.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
helper=$top_srcdir/tests/e2e/slowclient.py
DB=$T/s.db
adm enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc
TA=$(adm token new --enterprise 4403960XA1)
PW=merchantpass1 adm user add mia merchant --enterprise 4403960XA1 --pass-env PW
TM=$(adm token new --user mia)
start_daemon --db "$DB" --threads 1 --timeout 5 --request-timeout 8 --connection-limit 8 \
	--per-ip-limit 4 --max-body 65536 --max-upload 262144 --upload-dir "$T/uploads"
port=$(cat "$T/port")
SUB=$URL/api/v1/submissions
code() { http --max-time 10 -H "Authorization: Bearer $TA" "$@"; }
upload() { http --max-time 10 -H "Authorization: Bearer $TM" --data-binary @"$1" "$2"; }

# ---- body size --------------------------------------------------------------------------
head -c 65537 /dev/zero | tr '\0' 'x' >"$T/over"
head -c 65536 /dev/zero | tr '\0' 'x' >"$T/at"
is "a body one byte over max-body: 413" "$(code --data-binary @"$T/over" "$SUB")" 413
is "a chunked body over max-body (no Content-Length): 413" \
	"$(code -H 'Transfer-Encoding: chunked' --data-binary @"$T/over" "$SUB")" 413
is "a body of exactly max-body is read and judged: 400, not 413" \
	"$(code --data-binary @"$T/at" "$SUB")" 400
# Content-Length of 10 GB and no body at all: the answer cannot wait for the body.
is "an announced Content-Length over max-body: 413 before any body byte" \
	"$(code -X POST -H 'Content-Length: 10000000000' -H 'Expect:' "$SUB")" 413

# Uploads have their own cap (max-upload): a file over max-body but within it is taken.
python3 - "$top_srcdir/samples/merchant/orders-en.csv" "$T/big.csv" <<'PY'
import sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
body = b"\n".join(lines[1:])
out = lines[0] + b"\n"
while len(out) < 100000:
    out += body
open(sys.argv[2], "wb").write(out)
PY
# Taken and judged: 201, or 422 when no row of it is valid (its outcome "refused"), never 413.
like "an upload over max-body but within max-upload is taken (201 or 422)" \
	"$(upload "$T/big.csv" "$URL/api/v1/uploads?name=big.csv")" '^(201|422)$'
head -c 300000 /dev/zero | tr '\0' 'x' >"$T/huge.csv"
is "an upload announced over max-upload: 413" \
	"$(upload "$T/huge.csv" "$URL/api/v1/uploads?name=huge.csv")" 413

# ---- slow and idle clients, per-IP and total limits ---------------------------------------
python3 "$helper" drip "$port" 127.0.0.1 4 "$T/drip.ready" >"$T/drip.out" 2>"$T/drip.err" &
drip=$!
kill_at_exit $drip
wait_until 100 test -e "$T/drip.ready" ||
	{ diag_file "$T/drip.err"; bail "the dripping clients did not connect"; }
rc=0
curl -s --max-time 5 -o /dev/null "$URL/healthz" || rc=$?
ok "while 4 clients drip from 127.0.0.1, a 5th connection from it is refused (per-IP limit)" \
	test $rc -ne 0
isnt "at once, not after a time-out (curl exit $rc)" $rc 28
status_is "a client from 127.0.0.2 is served at once: the drippers hold no worker" 200 \
	--max-time 5 --interface 127.0.0.2 "$URL/healthz"
python3 "$helper" idle "$port" 127.0.0.3 4 "$T/idle.ready" >"$T/idle.out" 2>"$T/idle.err" &
idle=$!
kill_at_exit $idle
wait_until 100 test -e "$T/idle.ready" ||
	{ diag_file "$T/idle.err"; bail "the idle clients did not connect"; }
(
	curl -s --max-time 100 --interface 127.0.0.4 -o /dev/null -w '%{http_code}' \
		"$URL/healthz" >"$T/late.code" || true
	python3 -c 'import time; print("%.3f" % time.time())' >"$T/late.time"
) &
late=$!
kill_at_exit $late
# Both helpers end when the server has closed all their connections (at most 120 s).
wait "$drip" || true
wait "$idle" || true
wait "$late" || true
first_gone=$(cat "$T/drip.out" "$T/idle.out" | awk '/^closed/ { print $NF }' | sort -n |
	head -n 1)
is "with 8 connections open, one from 127.0.0.4 is answered (connection limit)" \
	"$(cat "$T/late.code")" 200
after() { python3 -c 'import sys; sys.exit(not float(sys.argv[1]) >= float(sys.argv[2]))' "$@"; }
ok "only after one of them is gone" after "$(cat "$T/late.time")" "${first_gone:-0}"
sed 's/^/# drip: /' "$T/drip.out"
sed 's/^/# idle: /' "$T/idle.out"
is "the server closed all 4 dripping connections" "$(grep -c '^closed after' "$T/drip.out")" 4
file_lacks "none of them got its request through (cut before 200 bytes)" "$T/drip.out" \
	'closed after 200 of' '^closed after 0 of'
file_contains "the request deadline cut them (logged), not the inactivity timeout" "$T/log" \
	'request not received in time'
is "the server closed the 4 idle connections" "$(grep -c '^closed after 0 of' "$T/idle.out")" 4
served() { [ "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$URL/healthz")" = 200 ]; }
ok "127.0.0.1 is served again once they are gone" wait_until 100 served
is "and submissions work again from it" "$(code --data-binary @"$S/CEB311-order.xml" "$SUB")" 422
rc=0
stop_daemon || rc=$?
is "cebgated stops cleanly" $rc 0
done_testing
