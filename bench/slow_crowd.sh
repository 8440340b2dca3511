#!/bin/sh
# SPDX-License-Identifier: MIT
# A normal client's answers while a slow-loris crowd holds cebgated (issue 20):
#
#   bench/slow_crowd.sh [REQUESTS]
#
# cebgated with its default limits (512 connections, 128 of them reserved for
# addresses with a recent login, 64 per address, 256 after a login, 10 s to
# send the headers, 60 s for a whole request) on loopback. For each scenario,
# the crowd (tests/e2e/crowd.py, from 127.0.0.10-29) is started and has
# settled, then two clients each make REQUESTS (default 200) requests one
# after the other, each on a new connection (as a browser that opens one):
#
#   known    127.0.0.2, an enterprise whose token was used before the crowd
#            came: GET /api/v1/receipts with its token;
#   unknown  127.0.0.3, nobody logged in there: GET /healthz.
#
# Scenarios: no crowd; the crowd of the issue (300 connections from 20
# addresses dripping headers); 1,000 header drippers from 20 addresses; 1,000
# connections from 20 addresses sending headers then dripping a body. Each
# request is bounded at 70 s (longer than the old 60 s request deadline). It
# prints, per scenario and client, the requests answered, p50, p99 and the
# slowest, in ms, and the server's connection counters after the scenario.
# Needs curl and python3 and a build (top_builddir, default ./build).
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
# the schemas and code tables of this tree (an installed copy reads only its own)
export CEBGATE_DATADIR="${CEBGATE_DATADIR:-$SRC}"
top_builddir=${top_builddir:-$SRC/build}
N=${1:-200}
WORK=${WORK:-/tmp/cebgate-crowd}
CEBGATE=$top_builddir/src/cli/cebgate
CEBGATED=${CEBGATED:-$top_builddir/src/server/cebgated}
rm -rf "$WORK"
mkdir -p "$WORK"
DB=$WORK/c.db
"$CEBGATE" admin --db "$DB" enterprise add 4403960XA1 "enterprise A1" ebp,ebc
TOKEN=$("$CEBGATE" admin --db "$DB" token new --enterprise 4403960XA1)
ulimit -n 4096 2>/dev/null || :
"$CEBGATED" --db "$DB" --port 0 --port-file "$WORK/port" 2>"$WORK/log" &
server=$!
trap 'kill $server 2>/dev/null || :; for d in "$WORK"/crowd*; do touch "$d/stop" 2>/dev/null || :; done' EXIT
while [ ! -s "$WORK/port" ]; do sleep 0.1; done
PORT=$(cat "$WORK/port")
URL=http://127.0.0.1:$PORT
curl -sf --interface 127.0.0.2 -H "Authorization: Bearer $TOKEN" -o /dev/null "$URL/api/v1/receipts"

# measure NAME: the two clients, one after the other; one line each.
measure() {
	for who in known unknown; do
		python3 - "$PORT" "$TOKEN" "$N" "$who" "$1" <<'PY'
import http.client, sys, time
port, token, n, who, scenario = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
src, path, headers = ("127.0.0.2", "/api/v1/receipts", {"Authorization": "Bearer " + token}) \
    if who == "known" else ("127.0.0.3", "/healthz", {})
times, answered = [], 0
for _ in range(n):
    t = time.monotonic()
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=70, source_address=(src, 0))
        c.request("GET", path, headers=headers)
        if c.getresponse().status == 200:
            answered += 1
        c.close()
    except OSError:
        pass
    times.append((time.monotonic() - t) * 1000)
times.sort()
pct = lambda p: times[min(len(times) - 1, int(p * len(times)))]
print("| %s | %s | %d/%d | %.1f | %.1f | %.1f |" % (scenario, who, answered, n, pct(0.5), pct(0.99), times[-1]))
PY
	done
	curl -s --interface 127.0.0.2 "$URL/metrics" | grep '^cebgate_connections' | tr '\n' ' ' >&2
	echo >&2
}
# crowd NAME ADDRESSES PER MODE: start it and wait until it has opened every connection.
crowd() {
	mkdir -p "$WORK/$1"
	python3 "$SRC/tests/e2e/crowd.py" "$PORT" "$2" "$3" "$4" "$WORK/$1" >"$WORK/$1/out" 2>"$WORK/$1/err" &
	while [ ! -s "$WORK/$1/state" ]; do sleep 0.2; done
	sleep 1 # one more drip for every connection
	echo "# $1: $(cat "$WORK/$1/state")" >&2
}
stop() {
	touch "$WORK/$1/stop"
	while [ -z "$(cat "$WORK/$1/out")" ]; do sleep 0.2; done
}

echo "| crowd | client | answered | p50 ms | p99 ms | slowest ms |"
echo "|---|---|---:|---:|---:|---:|"
measure "none"
crowd crowd300 127.0.0.10-29 15 header
measure "300 header drippers, 20 addresses"
stop crowd300
# Two processes of 500 (a process's descriptors are limited).
crowd crowdh1 127.0.0.10-19 50 header
crowd crowdh2 127.0.0.20-29 50 header
measure "1,000 header drippers, 20 addresses"
stop crowdh1
stop crowdh2
crowd crowdb1 127.0.0.10-19 50 body
crowd crowdb2 127.0.0.20-29 50 body
measure "1,000 slow bodies, 20 addresses"
stop crowdb1
stop crowdb2
grep -c 'connection refused' "$WORK/log" | sed 's/^/# refusals logged: /' >&2
grep -c 'idle connection dropped' "$WORK/log" | sed 's/^/# idle connections dropped: /' >&2
