#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 18's targets 1 and 4, in one run: cebgated's ingestion rate against
# the SM2 verification rate of OpenSSL on every core, and the p99 latency of a
# single submission at 80 % of that peak.
#
#   WORK=/tmp/cebgate-service-bench bench/service_rate.sh [SETS]
#
# Needs the binaries and signed sets of bench/service_ingest.sh in WORK
# (`SETS_ONLY=1 bench/service_ingest.sh` makes them; SETS default "S T": S =
# 5,000 SM2 inventories, T = 1,250 SM2 order+payment+waybill+inventory
# scenarios). For each set, on a fresh copy of the registry, cebgated with its
# defaults (SQLite on disk, synchronous=FULL, group commit, every check):
#   1. `openssl speed -seconds 3 sm2`: verifications per CPU second (v);
#   2. peak: every message once over CLIENTS (default 16) keep-alive
#      connections, closed loop: msg/s (R);
#   3. `openssl speed` again; v is the mean of the two (the machine's state
#      on both sides of the run);
#   4. a fresh database; the last WARM messages (default 200) sent first, closed
#      loop, as a node in service has been; then the others at 0.8 R, open loop
#      (service_load -r, RCLIENTS connections, default 64): the p99 latency,
#      counted from when each request was due;
#   5. the same without the warm-up, on another fresh database and cebgated
#      (p99_cold): the first instant of a node started under full load, when
#      each thread opens its service and the first message of a key builds its
#      table, weighs on 5,000 requests' p99.
# Prints R, cores x v, the ratio R / (cores x v) (target >= 0.5) and the p99
# (target < 50 ms). CEBGATED_ARGS adds flags to cebgated. Raw outputs in OUT.
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/cebgate-service-bench}
OUT=${OUT:-$SRC/bench/out/service}
SETS=${1:-"S T"}
CLIENTS=${CLIENTS:-16}
RCLIENTS=${RCLIENTS:-64}
WARM=${WARM:-200}
CORES=$(nproc)
BIN=${BIN:-$WORK/bin} # another build's binaries and libcebgate (service_ingest.sh copies them there)
[ -x "$BIN/cebgated" ] ||
	{ echo "service_rate.sh: run SETS_ONLY=1 bench/service_ingest.sh first (no $BIN)" >&2; exit 2; }
export LD_LIBRARY_PATH="$BIN" CEBGATE_DATADIR="$SRC"
mkdir -p "$OUT"
DB=$WORK/rate-db

verify_rate() {
	openssl speed -seconds 3 -mr sm2 2>/dev/null | awk -F: '/^\+F7:/ { print $6 }'
}
start() {
	rm -rf "$DB"
	mkdir -p "$DB"
	cp "$WORK/registry.db" "$DB/s.db"
	"$BIN/cebgated" --db "$DB/s.db" --port 0 --port-file "$DB/port" --per-ip-limit 128 \
		--random-rate 0 ${CEBGATED_ARGS:-} 2>"$OUT/rate-$1.log" &
	pid=$!
	i=0
	while [ ! -s "$DB/port" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	port=$(cat "$DB/port")
}
stop() {
	kill -TERM "$pid"
	wait "$pid" || true
}
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" "$2"; }

echo "== $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null); $CORES CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1); load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-4s %6s %9s %9s %7s %9s %8s %8s %11s %s\n' set msgs msg/s cores*v ratio 0.8*peak p99_ms p50_ms p99_cold_ms answers
for set in $SETS; do
	list=$WORK/set-$set/list
	[ -s "$list" ] || { echo "service_rate.sh: no $list" >&2; exit 2; }
	v1=$(verify_rate)
	start "$set-peak"
	"$BIN/service_load" -p "$port" -c "$CLIENTS" "$list" >"$OUT/rate-$set-peak.load"
	stop
	v2=$(verify_rate)
	peak=$(field rate "$OUT/rate-$set-peak.load")
	target=$(awk -v r="$peak" 'BEGIN { printf "%.0f", r * 0.8 }')
	tail -n "$WARM" "$list" >"$WORK/rate-warm"
	head -n -"$WARM" "$list" >"$WORK/rate-rest"
	start "$set-80"
	"$BIN/service_load" -p "$port" -c "$CLIENTS" "$WORK/rate-warm" >"$OUT/rate-$set-warm.load"
	"$BIN/service_load" -p "$port" -c "$RCLIENTS" -r "$target" "$WORK/rate-rest" >"$OUT/rate-$set-80.load"
	stop
	start "$set-80-cold"
	"$BIN/service_load" -p "$port" -c "$RCLIENTS" -r "$target" "$list" >"$OUT/rate-$set-80-cold.load"
	stop
	rm -rf "$DB" "$WORK/rate-warm" "$WORK/rate-rest"
	awk -v set="$set" -v n="$(field messages "$OUT/rate-$set-peak.load")" -v r="$peak" -v v1="$v1" -v v2="$v2" \
		-v c="$CORES" -v t="$target" -v p99="$(field p99_ms "$OUT/rate-$set-80.load")" \
		-v p50="$(field p50_ms "$OUT/rate-$set-80.load")" -v cold="$(field p99_ms "$OUT/rate-$set-80-cold.load")" \
		-v ans="accepted=$(field accepted "$OUT/rate-$set-peak.load")+$(field accepted "$OUT/rate-$set-warm.load")+$(field accepted "$OUT/rate-$set-80.load")+$(field accepted "$OUT/rate-$set-80-cold.load")" \
		'BEGIN { v = (v1 + v2) / 2; printf "%-4s %6d %9.0f %9.0f %7.3f %9d %8.2f %8.2f %11.2f %s (openssl sm2 verify/s per core: %.0f, %.0f)\n",
		         set, n, r, c * v, r / (c * v), t, p99, p50, cold, ans, v1, v2 }'
done
