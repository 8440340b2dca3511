#!/bin/sh
# SPDX-License-Identifier: MIT
# A merchant's big upload against cebgated: peak memory (VmHWM) of the service
# before and after, the upload's size and documents, the time it took.
#
#   BUILD=/tmp/bench-build bench/upload_memory.sh [N]
#
# bench/gen_orders.py writes N valid orders (default 100,000) as CSV; cebgated
# (optimized build in BUILD, configured if absent) is started on a temporary
# database with max-upload-records N and max-upload 2 GiB; one merchant posts
# the file with curl (streamed from disk); the figures come from
# /proc/PID/status and the upload's answer. The upload is spooled to disk as it
# arrives and normalized one document at a time, so the peak should not grow
# with N (findings and changes kept are capped at 10,000 each).
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-/tmp/bench-build}
N=${1:-100000}
W=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$W"' EXIT INT TERM
if [ ! -f "$BUILD/Makefile" ]; then
	mkdir -p "$BUILD"
	(cd "$BUILD" && "$SRC/configure" CFLAGS='-O2 -g' >configure.log 2>&1)
fi
make -C "$BUILD" -j"$(nproc)" >"$W/make.log" 2>&1
export CEBGATE_DATADIR="$SRC"
C=$BUILD/src/cli/cebgate
python3 "$SRC/bench/gen_orders.py" "$W/orders.csv" "$N" >/dev/null
"$C" admin --db "$W/s.db" enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
PW=merchantpass1 "$C" admin --db "$W/s.db" user add mia merchant --enterprise 4403960XA1 --pass-env PW
T=$("$C" admin --db "$W/s.db" token new --user mia)
"$BUILD/src/server/cebgated" --db "$W/s.db" --port 0 --port-file "$W/port" --max-upload 2147483648 \
	--max-upload-records "$N" --timeout 3600 2>"$W/log" &
pid=$!
i=0
while [ ! -s "$W/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
curl -s -o /dev/null "http://127.0.0.1:$(cat "$W/port")/healthz"
# The real process (libtool wraps the uninstalled binary in a shell script that execs it).
before=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
t0=$(date +%s.%N)
code=$(curl -s -o "$W/out" -w '%{http_code}' -H "Authorization: Bearer $T" -T "$W/orders.csv" -X POST \
	"http://127.0.0.1:$(cat "$W/port")/api/v1/uploads?name=orders.csv")
t1=$(date +%s.%N)
after=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
python3 - "$W/out" "$code" "$(stat -c %s "$W/orders.csv")" "$before" "$after" "$t0" "$t1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
size, before, after, t0, t1 = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7])
print("upload: HTTP %s, %.1f MiB, %d documents (%d valid, %d invalid), %.1f s, %.0f documents/s"
      % (sys.argv[2], size / 1048576, r["records"], r["valid"], r["invalid"], t1 - t0, r["records"] / (t1 - t0)))
print("cebgated VmHWM: %.1f MiB after start, %.1f MiB after the upload" % (before / 1024, after / 1024))
PY
