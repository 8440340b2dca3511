#!/bin/sh
# SPDX-License-Identifier: MIT
# cebgated's connection limits: body size (413 counted, announced or chunked),
# per-address and total connection limits, and the deadlines of slow clients.
# At a limit the oldest idle connection (no request under way) gives way to a
# newcomer; when every connection holds a request under way, the newcomer is
# refused at once (closed, never left waiting in the listen backlog). Every
# step is proven by what the server logged or the clients saw, in the order
# the single pool thread accepts connections (the kernel's accept queue is
# first in, first out); the timeouts are generous except where a deadline is
# the event under test. The slow clients are tests/e2e/crowd.py.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
crowd=$top_srcdir/tests/e2e/crowd.py
DB=$(new_db s)
adm enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc
TA=$(adm token new --enterprise 4403960XA1)
PW=merchantpass1 adm user add mia merchant --enterprise 4403960XA1 --pass-env PW
TM=$(adm token new --user mia)
start_daemon --db "$DB" --threads 1 --header-timeout 120 --timeout 120 --request-timeout 240 \
	--connection-limit 8 --reserved-connections 0 --per-ip-limit 4 --known-ip-limit 4 --max-body 65536 \
	--max-upload 262144 --upload-dir "$T/uploads"
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
# Announced and not sent: a client still sending when the 413 goes out and the connection
# closes may see its send reset before it reads the answer (no answer at all, 000).
is "an upload announced over max-upload: 413 before any body byte" \
	"$(http --max-time 10 -H "Authorization: Bearer $TM" -X POST -H 'Content-Length: 300000' \
		-H 'Expect:' "$URL/api/v1/uploads?name=huge.csv")" 413

# ---- per-address and total limits --------------------------------------------------------
# start_crowd NAME ADDRESSES PER MODE: slow clients in the background; what they see in $T/NAME/state.
start_crowd() {
	mkdir -p "$T/$1"
	python3 "$crowd" "$port" "$2" "$3" "$4" "$T/$1" >"$T/$1/out" 2>"$T/$1/err" &
	eval "crowd_$1=\$!"
	kill_at_exit $!
}
crowd_has() { grep -q -- "$2" "$T/$1/state" 2>/dev/null; }
settled() {
	wait_until 600 crowd_has "$1" "$2" || { diag_file "$T/$1/state" "$T/$1/err"; bail "crowd $1: not $2"; }
}
stop_crowd() {
	touch "$T/$1/stop"
	eval "wait \$crowd_$1" || true
}
logged() { grep -c -- "$1" "$T/log" || :; }
refused_at_once() { # DESC ADDRESS: curl from ADDRESS gets no answer, and not by its time-out
	_rc=0
	curl -s --max-time 20 --interface "$2" -o /dev/null "$URL/healthz" || _rc=$?
	ok "$1 (curl exit $_rc)" test $_rc -ne 0 -a $_rc -ne 28
}

start_crowd drip 127.0.0.1 4 header
settled drip 'open=4 closed=0'
status_is "4 clients drip headers from 127.0.0.1 (its limit): a 5th connection from it is served" 200 \
	--max-time 20 "$URL/healthz"
is "by dropping the address's oldest idle connection, a dripper" \
	"$(logged 'idle connection dropped" addr=127.0.0.1 for=127.0.0.1 limit=address')" 1
settled drip 'open=3 closed=1'
status_is "a client from 127.0.0.2 is served at once: the drippers hold no worker" 200 \
	--max-time 20 --interface 127.0.0.2 "$URL/healthz"
start_crowd idle 127.0.0.8-12 1 idle
settled idle 'open=5'
# 3 drippers and 5 idle connections (5 addresses): the connection limit (8) is reached.
status_is "with 8 connections open, one from 127.0.0.4 is answered at once (connection limit)" 200 \
	--max-time 20 --interface 127.0.0.4 "$URL/healthz"
is "by dropping the oldest idle connection of an address nobody logged in from" \
	"$(logged 'idle connection dropped" addr=127.0.0.8 for=127.0.0.4 limit=total')" 1
is "not the older drippers of 127.0.0.1, where someone did (the uploads above)" \
	"$(logged 'idle connection dropped" addr=127.0.0.1 for=127.0.0.4')" 0
stop_crowd drip
stop_crowd idle
ok "the crowds gone, the server counts no connection of theirs" wait_until 100 sh -c \
	"curl -s '$URL/metrics' | grep -qx 'cebgate_connections_open 1'"
# Requests under way (bodies arriving) are never dropped for a newcomer.
start_crowd body5 127.0.0.5 4 body
settled body5 'open=4 closed=0'
refused_at_once "4 requests under way from 127.0.0.5: a 5th connection from it is refused" 127.0.0.5
is "for its address's limit (logged)" "$(logged 'connection refused" addr=127.0.0.5 limit=address')" 1
start_crowd body6 127.0.0.6 4 body
settled body6 'open=4 closed=0'
refused_at_once "8 requests under way: a connection from 127.0.0.7 is refused" 127.0.0.7
is "for the connection limit (logged)" "$(logged 'connection refused" addr=127.0.0.7')" 1
settled body5 'open=4 closed=0'
settled body6 'open=4 closed=0'
stop_crowd body5
stop_crowd body6
rc=0
stop_daemon || rc=$?
is "cebgated stops cleanly" $rc 0

# ---- deadlines ------------------------------------------------------------------------------
# Headers must be in within header-timeout (2 s) of the accept, whatever the
# client drips; an idle connection goes then too. Once the headers are in, the
# inactivity timeout (30 s) takes over: a request whose body pauses longer than
# the header timeout is still served.
start_daemon --db "$DB" --threads 1 --header-timeout 2 --timeout 30 --request-timeout 60
port=$(cat "$T/port")
start_crowd late 127.0.0.1 2 header
start_crowd quiet 127.0.0.3 1 idle
settled late 'closed=2'
file_contains "dripping headers past header-timeout: cut by the deadline (logged)" "$T/log" \
	'request not received in time'
file_lacks "before their headers were whole (none got an answer)" "$T/late/state" 'answered=[1-9]'
settled quiet 'closed=1'
pass "an idle connection is closed at the header timeout"
python3 - "$port" >"$T/pause.out" 2>&1 <<'PY' || :
import socket, sys
port = int(sys.argv[1])
a = socket.create_connection(("127.0.0.1", port))
a.settimeout(60)
a.sendall(b"POST /api/v1/submissions HTTP/1.1\r\nHost: cebgate\r\nExpect: 100-continue\r\n"
          b"Content-Length: 5\r\n\r\n")
got = b""
while b"\r\n\r\n" not in got:
    got += a.recv(4096)
print("continue" if got.startswith(b"HTTP/1.1 100") else "no continue")
b = socket.create_connection(("127.0.0.1", port))  # opened after a's headers, silent
b.settimeout(60)
print("idle closed" if b.recv(1) == b"" else "idle answered")
a.sendall(b"<a/>\n")  # a has been silent at least as long as b
a.settimeout(30)
print(a.recv(64).split(b"\r\n")[0].decode())
PY
file_contains "a request with its headers in, then silent" "$T/pause.out" '^continue'
file_contains "while a connection opened after it was closed at the header timeout" "$T/pause.out" \
	'^idle closed'
file_contains "is still served (the inactivity timeout replaced the header timeout)" "$T/pause.out" \
	'^HTTP/1.1 401'
rc=0
stop_daemon || rc=$?
is "cebgated stops cleanly" $rc 0
# A body must be whole within request-timeout of the accept, however it drips.
start_daemon --db "$DB" --threads 1 --header-timeout 2 --timeout 30 --request-timeout 3
port=$(cat "$T/port")
start_crowd slowbody 127.0.0.5 1 body
settled slowbody 'closed=1'
file_contains "a body dripping past request-timeout is cut" "$T/log" 'request not received in time'
status_is "127.0.0.5 is served afterwards" 200 --max-time 20 --interface 127.0.0.5 "$URL/healthz"
rc=0
stop_daemon || rc=$?
is "cebgated stops cleanly" $rc 0
done_testing
