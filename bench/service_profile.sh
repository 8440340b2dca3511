#!/bin/sh
# SPDX-License-Identifier: MIT
# Where cebgated's time goes while it ingests signed declarations.
#
#   bench/service_profile.sh [SET [N [disk|tmpfs]]]
#
# Needs the signed sets of bench/service_ingest.sh in WORK (default
# /tmp/cebgate-service-bench; SET S = SM2 inventories, R = RSA-SHA256
# inventories, T/U = four-document scenarios; default S), N messages (default
# 3000), the database on disk (WORK) or on tmpfs (/dev/shm, the default: no
# fsync cost, CPU only). For the same N and database place:
#   1. a run without perf: CPU microseconds of cebgated per message (/proc/PID/stat);
#   2. a run under `perf record -e cpu-clock --call-graph dwarf` (a software
#      timer, so it works in a VM without hardware counters), each sample given
#      to the innermost phase of a submission (bench/service_phases.py): public-
#      key operation, C14N and digests, parse, XSD, rules, SQLite commit and
#      statements, clearance, receipt, JSON, token check, HTTP;
#   3. with `disk`: strace -c -w of fdatasync (count per message, wall time per
#      call), the time the single SQLite writer spends syncing while it holds the lock;
#   4. the shared objects' share of the samples.
# cebgated runs with THREADS (default 2) pool threads, service_load with CLIENTS
# (default 8) keep-alive clients. Raw outputs in OUT (default bench/out/service/).
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/cebgate-service-bench}
OUT=${OUT:-$SRC/bench/out/service}
SET=${1:-S}
N=${2:-3000}
WHERE=${3:-tmpfs}
THREADS=${THREADS:-2}
CLIENTS=${CLIENTS:-8}
[ -x "$WORK/bin/cebgated" ] && [ -s "$WORK/set-$SET/list" ] ||
	{ echo "service_profile.sh: run bench/service_ingest.sh first (no $WORK/set-$SET)" >&2; exit 2; }
command -v perf >/dev/null || { echo "service_profile.sh: no perf (apt-get install linux-perf)" >&2; exit 2; }
export LD_LIBRARY_PATH="$WORK/bin" CEBGATE_DATADIR="$SRC"
mkdir -p "$OUT"
head -n "$N" "$WORK/set-$SET/list" >"$OUT/profile.list"
N=$(wc -l <"$OUT/profile.list")
case $WHERE in
tmpfs) DBDIR=/dev/shm/cebgate-service-profile ;;
disk) DBDIR=$WORK/profile-db ;;
*) echo "usage: service_profile.sh [SET [N [disk|tmpfs]]]" >&2; exit 2 ;;
esac
name=profile-$SET-$WHERE

start() {
	rm -rf "$DBDIR"
	mkdir -p "$DBDIR"
	cp "$WORK/registry.db" "$DBDIR/s.db"
	"$WORK/bin/cebgated" --db "$DBDIR/s.db" --port 0 --port-file "$DBDIR/port" --threads "$THREADS" \
		--per-ip-limit 64 --random-rate 0 2>/dev/null &
	pid=$!
	i=0
	while [ ! -s "$DBDIR/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	port=$(cat "$DBDIR/port")
	i=0
	while [ $i -lt $((THREADS * 8)) ]; do
		curl -s -o /dev/null -H 'Authorization: Bearer warmup' "http://127.0.0.1:$port/api/v1/receipts"
		i=$((i + 1))
	done
}
stop() {
	kill -TERM "$pid"
	wait "$pid" || true
	rm -rf "$DBDIR"
}
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# 1. without perf
start
c0=$(ticks "$pid")
"$WORK/bin/service_load" -p "$port" -c "$CLIENTS" "$OUT/profile.list" >"$OUT/$name.load"
c1=$(ticks "$pid")
stop
cpu=$(awk -v a="$c0" -v b="$c1" -v t="$(getconf CLK_TCK)" -v n="$N" 'BEGIN { printf "%.0f", (b - a) * 1e6 / t / n }')
echo "set $SET, $N messages, database on $WHERE, --threads $THREADS, $CLIENTS clients: $(cat "$OUT/$name.load")"
echo "cebgated CPU per message without perf: $cpu us"

# 2. under perf
start
perf record -q -o "$OUT/$name.perf" -e cpu-clock -F 1999 --call-graph dwarf,32768 -p "$pid" 2>/dev/null &
ppid=$!
sleep 0.5
"$WORK/bin/service_load" -p "$port" -c "$CLIENTS" "$OUT/profile.list" >"$OUT/$name.perf.load"
kill -INT "$ppid"
wait "$ppid" || true
stop
perf script -i "$OUT/$name.perf" -F tid,ip,sym,dso 2>/dev/null >"$OUT/$name.script"
echo "under perf: $(cat "$OUT/$name.perf.load")"
echo
python3 "$SRC/bench/service_phases.py" "$cpu" <"$OUT/$name.script" | tee "$OUT/$name.phases"
echo
echo "shared objects (share of the samples):"
perf report -i "$OUT/$name.perf" --no-children --sort dso --stdio -g none 2>/dev/null |
	awk '/%/ && !/^#/ { printf "  %s %s\n", $1, $2 }' | head -n 10
rm -f "$OUT/$name.perf" "$OUT/$name.perf.old" # hundreds of MB; the script output stays

# 3. fdatasync on disk
if [ "$WHERE" = disk ] && command -v strace >/dev/null; then
	start
	strace -f -w -c -e trace=fsync,fdatasync -p "$pid" -o "$OUT/$name.strace" 2>/dev/null &
	spid=$!
	sleep 0.5
	"$WORK/bin/service_load" -p "$port" -c "$CLIENTS" "$OUT/profile.list" >/dev/null
	kill -INT "$spid"
	wait "$spid" || true
	stop
	echo
	awk -v n="$N" '$NF == "fdatasync" || $NF == "fsync" {
		printf "%s: %d calls for %d messages (%.2f per message), %s us wall per call (under strace)\n",
		       $NF, $4, n, $4 / n, $3 }' "$OUT/$name.strace"
fi
