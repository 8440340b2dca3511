#!/bin/sh
# SPDX-License-Identifier: MIT
# What cebgated's threads cost in on-CPU nanoseconds, from the kernel's
# per-thread schedstat (ns, user and system together; finer than the 10 ms
# ticks of /proc/PID/task/*/stat): per message over one closed-loop pass of a
# set, then per second while cebgated idles with the set's inventories still
# waiting for their orders (the once-a-second sweep of the main thread, which
# must not grow with the number waiting).
#
#   WORK=/tmp/cebgate-service-bench bench/service_idle.sh [SET [CLIENTS [IDLE]]]
#
# Needs the binaries and signed sets of bench/service_ingest.sh in WORK
# (`SETS_ONLY=1 bench/service_ingest.sh`; BIN=DIR takes cebgated, libcebgate and
# service_load from another build). A fresh copy of the registry, cebgated
# with its defaults plus CEBGATED_ARGS, the last 100 messages of SET (default
# S) to warm up, the others once over CLIENTS (default 16) connections, then
# IDLE (default 20) seconds of nothing. Sums by thread name (MHD-worker,
# cg-check, cg-writer, cg-checkpoint; "cebgated" is the main thread and the
# unnamed ones).
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/cebgate-service-bench}
SET=${1:-S}
CLIENTS=${2:-16}
IDLE=${3:-20}
BIN=${BIN:-$WORK/bin}
. "$SRC/bench/service_lib.sh"
bench_start_set service_idle
# thread id, name, on-CPU ns so far
ns() { for t in /proc/$pid/task/*; do echo "$(basename "$t") $(cat "$t/comm") $(cut -d' ' -f1 "$t/schedstat")"; done; }
# the ns of each thread name between two snapshots, divided by $3
per() { join "$1" "$2" | awk -v d="$3" '{ s[$2] += ($5 - $3) / d } END { for (k in s) printf "  %-16s %12.0f\n", k, s[k] }' | sort; }
tail -n 100 "$WORK/set-$SET/list" >"$DB/warm"
head -n -100 "$WORK/set-$SET/list" >"$DB/list"
n=$(wc -l <"$DB/list")
"$BIN/service_load" -p "$port" -c "$CLIENTS" "$DB/warm" >/dev/null
ns >"$DB/t0"
"$BIN/service_load" -p "$port" -c "$CLIENTS" "$DB/list" >"$DB/load"
ns >"$DB/t1"
sleep 2
ns >"$DB/t2"
sleep "$IDLE"
ns >"$DB/t3"
echo "set $SET, $n messages, $CLIENTS clients: $(cut -d' ' -f1-6 "$DB/load")"
echo "on-CPU ns per message during the pass, by thread name:"
per "$DB/t0" "$DB/t1" "$n"
echo "on-CPU ns per second over $IDLE s idle, $(sqlite3 "$DB/s.db" "SELECT count(*) FROM document WHERE kind = 621 AND state IN ('declared', 'waiting')" 2>/dev/null || echo '?') inventories waiting:"
per "$DB/t2" "$DB/t3" "$IDLE"
kill -TERM "$pid"
wait "$pid" || true
rm -rf "$DB"
