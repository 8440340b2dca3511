#!/bin/sh
# SPDX-License-Identifier: MIT
# System calls of cebgated's HTTP threads (MHD-worker) per message: strace -c
# attached to those threads only, during one closed-loop pass of a set.
#
#   WORK=/tmp/cebgate-service-bench bench/service_syscalls.sh [SET [CLIENTS [N]]]
#
# Needs the binaries and signed sets of bench/service_ingest.sh in WORK
# (`SETS_ONLY=1 bench/service_ingest.sh`; BIN=DIR takes cebgated, libcebgate and
# service_load from another build). A fresh copy of the registry, cebgated with
# its defaults plus CEBGATED_ARGS, the last 100 messages of SET (default S) to
# warm up, then N (default 1000) messages over CLIENTS (default 16)
# connections under strace; prints strace's table and the calls per message.
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/cebgate-service-bench}
SET=${1:-S}
CLIENTS=${2:-16}
N=${3:-1000}
BIN=${BIN:-$WORK/bin}
. "$SRC/bench/service_lib.sh"
bench_start_set service_syscalls
trap 'kill "$pid" 2>/dev/null || true' EXIT INT TERM
tail -n 100 "$WORK/set-$SET/list" >"$DB/warm"
head -n "$N" "$WORK/set-$SET/list" >"$DB/list"
n=$(wc -l <"$DB/list")
"$BIN/service_load" -p "$port" -c "$CLIENTS" "$DB/warm" >/dev/null
tids=$(for t in /proc/$pid/task/*; do [ "$(cat "$t/comm")" != MHD-worker ] || printf ' -p %s' "${t##*/}"; done)
# shellcheck disable=SC2086 # one -p per thread
strace -c -o "$DB/strace" $tids &
st=$!
sleep 1 # strace attached
"$BIN/service_load" -p "$port" -c "$CLIENTS" "$DB/list" >"$DB/load"
kill -INT "$st"
wait "$st" || true
echo "set $SET, $n messages, $CLIENTS clients: $(cut -d' ' -f1-6 "$DB/load")"
cat "$DB/strace"
echo "calls per message:"
awk -v n="$n" '$1 ~ /^[0-9.]+$/ && $NF != "total" && NF >= 5 { printf "  %-16s %6.2f\n", $NF, $4 / n; all += $4 }
	END { printf "  %-16s %6.2f\n", "all", all / n }' "$DB/strace"
kill -TERM "$pid"
wait "$pid" || true
rm -rf "$DB"
