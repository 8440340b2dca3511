#!/bin/sh
# SPDX-License-Identifier: MIT
# CPU time per message of each of cebgated's threads, for one closed-loop pass
# of a set: what a change saves, measurable on a busy machine (per-thread
# utime+stime from /proc before and after, divided by the messages), where
# wall-clock rates are noise.
#
#   WORK=/tmp/cebgate-service-bench bench/service_cpu.sh [SET [CLIENTS]]
#
# Needs the binaries and sets of bench/service_ingest.sh (SETS_ONLY=1) in WORK
# (BIN another build's binaries). cebgated runs with its defaults (SQLite on
# disk, synchronous=FULL, group commit) plus CEBGATED_ARGS. PERF="perf record
# -g --call-graph dwarf -o FILE" records cebgated during the pass.
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/cebgate-service-bench}
SET=${1:-S}
CLIENTS=${2:-16}
BIN=${BIN:-$WORK/bin}
. "$SRC/bench/service_lib.sh"
bench_start_set service_cpu
hz=$(getconf CLK_TCK)
ticks() { for t in /proc/$pid/task/*; do echo "$(basename "$t") $(cut -d' ' -f2,14,15 "$t/stat")"; done; }
# warm-up: the last 100 messages (certificate cache, prepared statements)
tail -n 100 "$WORK/set-$SET/list" >"$DB/warm"
head -n -100 "$WORK/set-$SET/list" >"$DB/list"
"$BIN/service_load" -p "$port" -c "$CLIENTS" "$DB/warm" >/dev/null
n=$(wc -l <"$DB/list")
ticks >"$DB/t0"
if [ -n "${PERF:-}" ]; then
	$PERF -p "$pid" 2>/dev/null &
	perf_pid=$!
	sleep 1
fi
"$BIN/service_load" -p "$port" -c "$CLIENTS" "$DB/list" >"$DB/load"
ticks >"$DB/t1"
if [ -n "${PERF:-}" ]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; fi
echo "set $SET, $n messages, $CLIENTS clients: $(cat "$DB/load")"
curl -s "localhost:$port/metrics" | grep -E '^cebgate_commit_(messages|groups)_total' || true
# thread: ms of CPU per message (user, sys)
join "$DB/t0" "$DB/t1" | awk -v n="$n" -v hz="$hz" '
	{ u = ($6 - $3) * 1000 / hz / n; s = ($7 - $4) * 1000 / hz / n; tu += u; ts += s
	  printf "%-8s %-16s user %.3f sys %.3f ms/msg\n", $1, $2, u, s }
	END { printf "%-25s user %.3f sys %.3f total %.3f ms/msg\n", "cebgated", tu, ts, tu + ts }'
kill -TERM "$pid"
wait "$pid" || true
rm -rf "$DB"
