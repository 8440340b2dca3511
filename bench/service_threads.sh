#!/bin/sh
# SPDX-License-Identifier: MIT
# CPU time per message of each cebgated thread during one closed-loop pass:
# what the group commit's writer costs next to the checks, on a machine where
# wall-clock rates are noise (the CPU a thread used does not depend much on
# what else runs).
#
#   WORK=/tmp/cebgate-service-bench bench/service_threads.sh [SET [CLIENTS]]
#
# Needs the binaries and signed sets of bench/service_ingest.sh in WORK
# (`SETS_ONLY=1 bench/service_ingest.sh`; BIN=DIR takes cebgated, libcebgate and
# service_load from another build). A fresh copy of the registry, cebgated
# with its defaults (SQLite on disk, synchronous=FULL, group commit, every
# check) plus CEBGATED_ARGS, every message of SET (default S) once over CLIENTS
# (default 16) keep-alive connections. Prints, per thread (named when cebgated
# names it: cg-writer, cg-checkpoint), user and system CPU in ms per message
# over the pass; the client's CPU; the machine's idle and iowait share; the
# groups of the commit; the bytes cebgated wrote (/proc/PID/io); the size of
# the WAL at the end.
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/cebgate-service-bench}
SET=${1:-S}
CLIENTS=${2:-16}
BIN=${BIN:-$WORK/bin}
. "$SRC/bench/service_lib.sh"
bench_start_set service_threads
trap 'rm -rf "$DB"' EXIT
n=$(wc -l <"$WORK/set-$SET/list")
hz=$(getconf CLK_TCK)

# utime stime per thread: "tid name utime stime" (the name is the comm field, in parentheses)
threads() {
	for t in /proc/"$pid"/task/*; do
		sed 's/^\([0-9]*\) (\(.*\)) [A-Za-z] \(.*\)$/\1 \2 \3/' "$t/stat" |
			awk '{ print $1, $2, $(14 - 1), $(15 - 1) }'
	done
}
io() { awk '/^write_bytes/ { print $2 }' /proc/"$pid"/io; }

threads >"$DB/t0"
head -n 1 /proc/stat >"$DB/s0"
w0=$(io)
/usr/bin/time -f "%U %S %e" -o "$DB/client" "$BIN/service_load" -p "$port" -c "$CLIENTS" \
	"$WORK/set-$SET/list" >"$DB/load"
w1=$(io)
head -n 1 /proc/stat >"$DB/s1"
threads >"$DB/t1"
metrics=$(curl -s "http://127.0.0.1:$port/metrics" || true)
wal=$(stat -c %s "$DB/s.db-wal" 2>/dev/null || echo 0)
kill -TERM "$pid"
wait "$pid" || true

echo "== set $SET, $n messages, $CLIENTS clients, $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null), BIN=$BIN ${CEBGATED_ARGS:-}"
echo "load: $(cat "$DB/load")"
echo "thread            user ms/msg  sys ms/msg  total ms/msg"
# Threads that lived through the pass: ticks after minus before.
sort "$DB/t0" >"$DB/t0s"
sort "$DB/t1" >"$DB/t1s"
join "$DB/t0s" "$DB/t1s" | awk -v n="$n" -v hz="$hz" '
	{ u = ($6 - $3) * 1000 / hz / n; s = ($7 - $4) * 1000 / hz / n
	  if (u + s == 0) next
	  tu += u; ts += s
	  printf "%-8s %-8s %11.3f %11.3f %13.3f\n", $1, $2, u, s, u + s }
	END { printf "%-17s %11.3f %11.3f %13.3f\n", "cebgated", tu, ts, tu + ts }'
read -r cu cs cw <"$DB/client"
awk -v n="$n" -v u="$cu" -v s="$cs" -v w="$cw" 'BEGIN {
	printf "%-17s %11.3f %11.3f %13.3f   (wall %.2f s, %.0f msg/s)\n", "client", u * 1000 / n, s * 1000 / n,
		(u + s) * 1000 / n, w, n / w }'
paste "$DB/s0" "$DB/s1" | awk '{ k = NF / 2; t = 0
	for (i = 2; i <= k; i++) { d[i] = $(i + k) - $i; t += d[i] }
	printf "machine: idle %.0f %%, iowait %.0f %%, user %.0f %%, sys %.0f %%\n",
		100 * d[5] / t, 100 * d[6] / t, 100 * d[2] / t, 100 * d[4] / t }'
echo "$metrics" | awk -v n="$n" '
	/^cebgate_commit_groups_total/ { g = $2 } /^cebgate_commit_messages_total/ { m = $2 }
	END { if (g > 0) printf "groups: %d for %d messages (%.1f per group)\n", g, m, m / g }'
echo "written by cebgated: $(((w1 - w0) / n)) bytes per message; WAL at the end: $wal bytes"
