#!/bin/sh
# SPDX-License-Identifier: MIT
# cebgated's connection limits: body size (413 counted, announced or chunked),
# per-IP and total connection limits, and slow clients. Four clients that send
# a request one byte a second from 127.0.0.1 fill that address's per-IP limit;
# while they drip, a fifth connection from it is refused, a client from
# 127.0.0.2 is served at once (they hold no worker thread), and four idle
# connections from 127.0.0.3 reach the total limit, so that 127.0.0.4 is not
# accepted (libmicrohttpd stops accepting at the limit: the connection waits in
# the listen backlog) until one of the eight is gone. The dripping requests never arrive whole: the request deadline
# (--request-timeout; the inactivity timeout alone would never fire, every
# byte resets it) shuts them down, the idle ones go at the inactivity timeout,
# and 127.0.0.1 is served again. Waits are bounded polls, not timings.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
helper=$top_srcdir/tests/e2e/slowclient.py
subs=""
cleanup() {
	for p in $subs; do kill "$p" 2>/dev/null || true; done
	[ -z "$pid" ] || kill "$pid" 2>/dev/null || true
	if [ -n "${CG_KEEP_TMP:-}" ]; then echo "# kept $T" >&2; else rm -rf "$T"; fi
}
echo "1..16"
DB=$T/s.db
"$CEBGATE" admin --db "$DB" enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc
TA=$("$CEBGATE" admin --db "$DB" token new --enterprise 4403960XA1)
PW=merchantpass1 "$CEBGATE" admin --db "$DB" user add mia merchant --enterprise 4403960XA1 --pass-env PW
TM=$("$CEBGATE" admin --db "$DB" token new --user mia)
start_daemon --db "$DB" --threads 1 --timeout 5 --request-timeout 8 --connection-limit 8 \
	--per-ip-limit 4 --max-body 65536 --max-upload 262144 --upload-dir "$T/uploads"
[ -s "$T/port" ] || { echo "Bail out! cebgated did not start"; exit 1; }
port=$(cat "$T/port")
SUB=$URL/api/v1/submissions
code() { curl -s --max-time 10 -o "$T/out" -w '%{http_code}' -H "Authorization: Bearer $TA" "$@" || true; }

# ---- body size ------------------------------------------------------------------------------
head -c 65537 /dev/zero | tr '\0' 'x' >"$T/over"
head -c 65536 /dev/zero | tr '\0' 'x' >"$T/at"
check "a body one byte over max-body: 413" "[ \"\$(code --data-binary @'$T/over' '$SUB')\" = 413 ]"
check "a chunked body over max-body (no Content-Length): 413" \
	"[ \"\$(code -H 'Transfer-Encoding: chunked' --data-binary @'$T/over' '$SUB')\" = 413 ]"
check "a body of exactly max-body is read and judged: 400, not 413" "[ \"\$(code --data-binary @'$T/at' '$SUB')\" = 400 ]"
# Content-Length of 10 GB and no body at all: the answer cannot wait for the body.
check "an announced Content-Length over max-body: 413 before any body byte" \
	"[ \"\$(code -X POST -H 'Content-Length: 10000000000' -H 'Expect:' '$SUB')\" = 413 ]"

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
check "an upload over max-body but within max-upload is taken (201)" \
	"[ \"\$(curl -s --max-time 10 -o '$T/out' -w '%{http_code}' -H 'Authorization: Bearer $TM' --data-binary @'$T/big.csv' '$URL/api/v1/uploads?name=big.csv')\" = 201 ]"
head -c 300000 /dev/zero | tr '\0' 'x' >"$T/huge.csv"
check "an upload announced over max-upload: 413" \
	"[ \"\$(curl -s --max-time 10 -o '$T/out' -w '%{http_code}' -H 'Authorization: Bearer $TM' --data-binary @'$T/huge.csv' '$URL/api/v1/uploads?name=huge.csv')\" = 413 ]"

# ---- slow and idle clients, per-IP and total limits -------------------------------------------
wait_file() { i=0; while [ ! -e "$1" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done; [ -e "$1" ]; }
python3 "$helper" drip "$port" 127.0.0.1 4 "$T/drip.ready" >"$T/drip.out" 2>"$T/drip.err" &
drip=$!
subs=$drip
wait_file "$T/drip.ready" || { echo "Bail out! the dripping clients did not connect"; cat "$T/drip.err"; exit 1; }
rc=0
curl -s --max-time 5 -o /dev/null "$URL/healthz" || rc=$?
check "while 4 clients drip from 127.0.0.1, a 5th connection from it is refused (per-IP limit; curl exit $rc)" \
	"[ $rc -ne 0 ] && [ $rc -ne 28 ]"
check "a client from 127.0.0.2 is served at once: the drippers hold no worker" \
	"[ \"\$(curl -s --max-time 5 --interface 127.0.0.2 -o /dev/null -w '%{http_code}' '$URL/healthz')\" = 200 ]"
python3 "$helper" idle "$port" 127.0.0.3 4 "$T/idle.ready" >"$T/idle.out" 2>"$T/idle.err" &
idle=$!
subs="$drip $idle"
wait_file "$T/idle.ready" || { echo "Bail out! the idle clients did not connect"; cat "$T/idle.err"; exit 1; }
(
	curl -s --max-time 100 --interface 127.0.0.4 -o /dev/null -w '%{http_code}' "$URL/healthz" >"$T/late.code" || true
	python3 -c 'import time; print("%.3f" % time.time())' >"$T/late.time"
) &
late=$!
subs="$drip $idle $late"
# Both helpers end when the server has closed all their connections (at most 120 s).
wait "$drip" || true
wait "$idle" || true
wait "$late" || true
subs=""
first_gone=$(cat "$T/drip.out" "$T/idle.out" | awk '/^closed/ { print $NF }' | sort -n | head -n 1)
check "with 8 connections open, one from 127.0.0.4 is answered only after one of them is gone (connection limit)" \
	"[ \"\$(cat '$T/late.code')\" = 200 ] && python3 -c 'import sys; sys.exit(not float(sys.argv[1]) >= float(sys.argv[2]))' \"\$(cat '$T/late.time')\" '${first_gone:-0}'"
sed 's/^/# drip: /' "$T/drip.out"
sed 's/^/# idle: /' "$T/idle.out"
check "the server closed all 4 dripping connections" "[ \$(grep -c '^closed after' '$T/drip.out') -eq 4 ]"
check "none of them got its request through (cut before 200 bytes)" \
	"! grep -q 'closed after 200 of' '$T/drip.out' && ! grep -q '^closed after 0 of' '$T/drip.out'"
check "the request deadline cut them (logged), not the inactivity timeout" \
	"grep -q 'request not received in time' '$T/log'"
check "the server closed the 4 idle connections" "[ \$(grep -c '^closed after 0 of' '$T/idle.out') -eq 4 ]"
ok_again=no
i=0
while [ $i -lt 50 ]; do
	if [ "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$URL/healthz" || true)" = 200 ]; then ok_again=yes; break; fi
	sleep 0.2
	i=$((i + 1))
done
check "127.0.0.1 is served again once they are gone" "[ $ok_again = yes ]"
check "and submissions work again from it" "[ \"\$(code --data-binary @'$S/CEB311-order.xml' '$SUB')\" = 422 ]"
stop_daemon
check "cebgated stops cleanly" "[ \$? -eq 0 ]"
