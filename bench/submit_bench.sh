#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end throughput of the declarant's pipeline: N generated merchant
# orders (CSV) through `cebgate submit` (normalize, validate, sign with SM2,
# outbox, submit in batches over HTTP) to an acknowledged submission in a
# cebgated on the same machine, with `openssl speed sm2` in the same run as
# the reference; then the peak memory of `cebgate submit` on a stream of
# STREAM orders on stdin.
#
#   BUILD=build bench/submit_bench.sh [N] [STREAM]
#
# Defaults: N = 20,000, STREAM = 1,000,000 (the stream runs for several minutes).
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${BUILD:-$SRC/build}" && pwd)
N=${1:-20000}
STREAM=${2:-1000000}
CEBGATE=$BUILD/src/cli/cebgate
CEBGATED=$BUILD/src/server/cebgated
W=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$W"' EXIT INT TERM
export CEBGATE_DATADIR=$SRC

"$CEBGATE" admin --db "$W/s.db" enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
"$CEBGATE" keygen --sm2 --key "$W/a.key" --cert "$W/a.crt" --serial 3000000000CDE6F >/dev/null
"$CEBGATE" admin --db "$W/s.db" cert add 4403960XA1 "$W/a.crt"
"$CEBGATE" admin --db "$W/s.db" token new --enterprise 4403960XA1 >"$W/token"
"$CEBGATED" --db "$W/s.db" --port 0 --port-file "$W/port" --threads 2 2>"$W/cebgated.log" &
pid=$!
i=0
while [ ! -s "$W/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
URL=http://127.0.0.1:$(cat "$W/port")

echo "== machine: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "== openssl speed sm2 (one core, the SM2-SM3 profile's raw signing rate)"
openssl speed -seconds 3 sm2 2>/dev/null | grep 'SM2'

python3 "$SRC/bench/gen_orders.py" "$W/orders.csv" "$N" --seed 5 >/dev/null
for conf in "4 50" "8 100"; do
	set -- $conf
	rm -f "$W/ob.db"*
	echo "== cebgate submit: $N orders, CSV to acknowledged submission, parallel $1, batch $2"
	/usr/bin/time -f "wall %e s, user %U s, sys %S s, peak RSS %M KiB" \
		"$CEBGATE" submit --server "$URL" --token-file "$W/token" --outbox "$W/ob.db" \
		--key "$W/a.key" --cert "$W/a.crt" --map "$SRC/samples/merchant/default.profile" \
		--parallel "$1" --batch "$2" --json "$W/orders.csv" >"$W/out.json" 2>"$W/time.txt" || true
	tail -1 "$W/time.txt"
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))
print("accepted %d of %d, pending %d, %.0f declarations/s end to end (%.1f s)" % (
    r["accepted"], r["read"], r["pending"], r["accepted"] / r["seconds"], r["seconds"]))' "$W/out.json"
	# The next run must declare new orders: the service knows these now.
	python3 "$SRC/bench/gen_orders.py" "$W/orders.csv" "$N" --seed $((6 + $1)) >/dev/null
done

echo "== peak memory: a stream of $STREAM orders on stdin (CSV), same pipeline"
rm -f "$W/ob.db"*
python3 "$SRC/bench/gen_orders.py" - "$STREAM" --seed 99 |
	/usr/bin/time -f "wall %e s, user %U s, sys %S s, peak RSS %M KiB" \
		"$CEBGATE" submit --server "$URL" --token-file "$W/token" --outbox "$W/ob.db" \
		--key "$W/a.key" --cert "$W/a.crt" --map "$SRC/samples/merchant/default.profile" \
		--from csv --parallel 8 --batch 100 --json - >"$W/out.json" 2>"$W/time.txt" || true
tail -1 "$W/time.txt"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))
print("accepted %d of %d, pending %d, %.0f declarations/s" % (r["accepted"], r["read"], r["pending"], r["accepted"] / r["seconds"]))' "$W/out.json"
kill -TERM "$pid"
wait "$pid" || true
pid=""
