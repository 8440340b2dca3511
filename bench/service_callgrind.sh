#!/bin/sh
# SPDX-License-Identifier: MIT
# Instructions per message of each phase of cebgated's ingestion, counted by
# callgrind: the same figures whatever else runs on the machine, so that a
# change can be measured on a busy machine (wall-clock rates cannot).
#
#   WORK=/tmp/cebgate-service-bench bench/service_callgrind.sh [SET [N [CLIENTS]]]
#
# Needs the binaries and signed sets of bench/service_ingest.sh in WORK
# (`SETS_ONLY=1 bench/service_ingest.sh` makes them; SET S = SM2 inventories,
# T = SM2 order+payment+waybill+inventory scenarios, R/U the RSA ones; default
# S), N messages (default 2000) over CLIENTS keep-alive connections (default 8).
# cebgated runs under valgrind --tool=callgrind with its defaults (SQLite on
# disk, synchronous=FULL, group commit); the last 100 messages of the set warm
# it up (certificate cache, prepared statements), the counters are zeroed,
# the first N are posted, the counters dumped; bench/callgrind_phases.py gives
# each phase's instructions per message. Under valgrind the threads take turns,
# so groups are smaller than natively: the commit's share is an upper bound.
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/cebgate-service-bench}
OUT=${OUT:-$SRC/bench/out/service}
SET=${1:-S}
N=${2:-2000}
CLIENTS=${3:-8}
BIN=${BIN:-$WORK/bin} # another build's binaries and libcebgate (service_ingest.sh copies them there)
[ -x "$BIN/cebgated" ] && [ -s "$WORK/set-$SET/list" ] ||
	{ echo "service_callgrind.sh: run SETS_ONLY=1 bench/service_ingest.sh first (no $WORK/set-$SET)" >&2; exit 2; }
export LD_LIBRARY_PATH="$BIN" CEBGATE_DATADIR="$SRC"
mkdir -p "$OUT"
head -n "$N" "$WORK/set-$SET/list" >"$OUT/callgrind.list"
tail -n 100 "$WORK/set-$SET/list" >"$OUT/callgrind-warm.list"
N=$(wc -l <"$OUT/callgrind.list")
DB=$(mktemp -d "$WORK/callgrind-db.XXXXXX") # several runs at once: a database each
cp "$WORK/registry.db" "$DB/s.db"
rm -f "$OUT"/callgrind-$SET.out*
valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind-$SET.out" \
	"$BIN/cebgated" --db "$DB/s.db" --port 0 --port-file "$DB/port" --per-ip-limit 64 \
	--random-rate 0 ${CEBGATED_ARGS:-} 2>"$OUT/callgrind-$SET.log" &
pid=$!
i=0
while [ ! -s "$DB/port" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
port=$(cat "$DB/port")
"$BIN/service_load" -p "$port" -c "$CLIENTS" "$OUT/callgrind-warm.list" >"$OUT/callgrind-$SET.warm"
callgrind_control -z "$pid" >/dev/null
"$BIN/service_load" -p "$port" -c "$CLIENTS" "$OUT/callgrind.list" >"$OUT/callgrind-$SET.load"
callgrind_control -d "$pid" >/dev/null
kill -TERM "$pid"
wait "$pid" || true
dump=$(ls -t "$OUT"/callgrind-$SET.out.* 2>/dev/null | grep -v '\.out$' | head -n 1)
[ -n "$dump" ] || dump=$OUT/callgrind-$SET.out
echo "set $SET, $N messages, $CLIENTS clients, $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null)"
echo "load: $(cat "$OUT/callgrind-$SET.load")"
echo "stored: $(sqlite3 "$DB/s.db" 'SELECT count(*) FROM message') (100 of them the warm-up)"
python3 "$SRC/bench/callgrind_phases.py" "$dump" "$N"
rm -rf "$DB"
