#!/bin/sh
# SPDX-License-Identifier: MIT
# What JSON batches (one transaction per batch, taken before the batch's
# messages are parsed and verified) do to the other writers of cebgated.
#
#   bench/service_batch_contention.sh
#
# Needs the signed sets of bench/service_ingest.sh in WORK (default
# /tmp/cebgate-service-bench). The database is on tmpfs (/dev/shm), so that
# only the lock, not the disk, is measured.
#   1. single inventories (300 of set T, one client, 20 ms apart) alone, with the defaults
#      (--threads 4): their latency;
#   2. the same while 8 clients post the 10,000 inventories of sets S and R as
#      batches of 1,000: the singles' latency, the batches' throughput;
#   3. 20 batches of 1,000 at once (the inventories of S, R, T and U, then S
#      again) with --threads 20: how many exceed SQLite's 10 s busy timeout.
# Raw outputs in OUT (default bench/out/service/).
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/cebgate-service-bench}
OUT=${OUT:-$SRC/bench/out/service}
DBDIR=/dev/shm/cebgate-batch-contention
[ -x "$WORK/bin/cebgated" ] && [ -s "$WORK/set-U/list" ] ||
	{ echo "service_batch_contention.sh: run bench/service_ingest.sh first" >&2; exit 2; }
export LD_LIBRARY_PATH="$WORK/bin" CEBGATE_DATADIR="$SRC"
LOAD=$WORK/bin/service_load
mkdir -p "$OUT"

start() { # THREADS
	rm -rf "$DBDIR"
	mkdir -p "$DBDIR"
	cp "$WORK/registry.db" "$DBDIR/s.db"
	"$WORK/bin/cebgated" --db "$DBDIR/s.db" --port 0 --port-file "$DBDIR/port" --threads "$1" \
		--per-ip-limit 64 --random-rate 0 2>"$DBDIR/log" &
	pid=$!
	i=0
	while [ ! -s "$DBDIR/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	port=$(cat "$DBDIR/port")
}
stop() {
	kill -TERM "$pid"
	wait "$pid" || true
	grep 'level=error' "$DBDIR/log" | sed 's/^/  /' | sort | uniq -c | head -n 5
	rm -rf "$DBDIR"
}
fig() { tr ' ' '\n' <"$1" | grep -E '^(requests|messages|batch|rate|p50_ms|p99_ms|max_ms|http_[0-9]+|accepted|duplicate|other)=' | tr '\n' ' '; }

grep -- '-4-inventory' "$WORK/set-T/list" | head -n 300 >"$OUT/contention-singles.list"
cat "$WORK/set-S/list" "$WORK/set-R/list" >"$OUT/contention-batches.list"

start 4
"$LOAD" -p "$port" -c 1 -w 0.02 "$OUT/contention-singles.list" >"$OUT/contention-alone.load"
stop
echo "1. singles alone (--threads 4):          $(fig "$OUT/contention-alone.load")"

start 4
"$LOAD" -p "$port" -c 8 -b 1000 "$OUT/contention-batches.list" >"$OUT/contention-batches.load" &
bp=$!
sleep 0.5
"$LOAD" -p "$port" -c 1 -w 0.02 "$OUT/contention-singles.list" >"$OUT/contention-with.load"
wait $bp
stop
echo "2. singles beside batches (--threads 4): $(fig "$OUT/contention-with.load")"
echo "   the batches:                          $(fig "$OUT/contention-batches.load")"

{
	cat "$WORK/set-S/list" "$WORK/set-R/list"
	grep '/D4/' "$WORK/set-T/list"
	grep '/D4/' "$WORK/set-U/list"
	cat "$WORK/set-S/list"
} >"$OUT/contention-20.list"
start 20
"$LOAD" -p "$port" -c 20 -b 1000 "$OUT/contention-20.list" >"$OUT/contention-20.load"
echo "3. 20 batches of 1,000 (--threads 20):   $(fig "$OUT/contention-20.load")"
stop
