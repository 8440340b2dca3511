#!/bin/sh
# SPDX-License-Identifier: MIT
# One cebgated on PostgreSQL against one on SQLite, in the same run on the
# same machine: messages/s, cebgated's CPU per message, and the PostgreSQL
# server's CPU per message (every process of its cluster, from /proc: the
# postmaster's own and its exited children's time, each backend's) and the
# statements it ran per message (pg_stat_statements), from which the number
# of nodes one primary can feed follows (BENCHMARKS.md).
#
#   BUILD=build bench/pg_ingest.sh [K [REPS]]
#
# K (default 3000) distinct signed CEB621 inventories (SM2, bench/service_gen.py)
# are posted once by CLIENTS (default 16) keep-alive clients (bench/service_load.c)
# to a fresh database: a SQLite file (synchronous=FULL) in WORK, or a database
# of a PostgreSQL cluster started here in WORK with its defaults (fsync on,
# synchronous_commit on, unix socket only); --threads THREADS (default 2),
# group commit on (the default). REPS (default 3) runs of each, alternating.
# Each line of OUT/runs.txt also says the machine's load average and the CPU
# used by other processes during the run: on a shared machine, a disturbed
# run shows there; and on PostgreSQL the statements the server ran and
# cebgated's round trips to it (cebgate_db_round_trips_total), per message.
# OUT/pg-rN.statements lists the statements by calls and execution time per
# message. Autovacuum looks every second (autovacuum_naptime=1): a run lasts
# seconds, and the generic plans made while the tables were empty are made
# again only after its first ANALYZE (docs/postgresql.md), as on a database
# that has been running. PG_OPTS adds server options (-c name=value ...);
# BIN runs the cebgate and cebgated found there instead (nothing is built).
# Needs the PostgreSQL server binaries (scripts/install-deps), curl, python3;
# as root the cluster runs as the postgres user.
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
# the schemas and code tables of this tree (an installed copy reads only its own)
export CEBGATE_DATADIR="${CEBGATE_DATADIR:-$SRC}"
BUILD=$(cd "${BUILD:-$SRC/build}" && pwd)
OUT=${OUT:-$SRC/bench/out/pg}
WORK=${WORK:-/tmp/cebgate-pg-bench}
K=${1:-3000}
REPS=${2:-3}
CLIENTS=${CLIENTS:-16}
THREADS=${THREADS:-2}
mkdir -p "$OUT" "$WORK"
chmod 755 "$WORK"
top_srcdir=$SRC
. "$SRC/tests/pg_cluster.sh"
[ -n "$(pg_bindir)" ] || { echo "pg_ingest.sh: PostgreSQL server binaries not found" >&2; exit 1; }

# With BIN (binaries given) nothing is built.
[ -n "${BIN:-}" ] || make -C "$BUILD" -j2 >"$OUT/make.log" 2>&1 || { echo "make failed: $OUT/make.log" >&2; exit 1; }
cc -std=c11 -O2 -g -Wall -Wextra -pthread -o "$WORK/service_load" "$SRC/bench/service_load.c"
# BIN: a directory with other cebgate and cebgated binaries to measure (a copy of an earlier build,
# with its libcebgate.so.0 beside them, as bench/service_ingest.sh copies them)
[ -z "${BIN:-}" ] || [ ! -f "$BIN/libcebgate.so.0" ] || export LD_LIBRARY_PATH="$BIN${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
CEBGATE=${BIN:-$BUILD/src/cli}/cebgate
CEBGATED=${BIN:-$BUILD/src/server}/cebgated
LOAD=$WORK/service_load

# -- keys and messages: one enterprise, K inventories signed in one run --------------------
if [ ! -f "$WORK/done" ] || [ "$(cat "$WORK/done")" != "$K" ]; then
	rm -rf "$WORK/in" "$WORK/signed"
	"$CEBGATE" keygen --sm2 --key "$WORK/D4.key" --cert "$WORK/D4.crt" --serial 300000000000D4 >/dev/null
	python3 "$SRC/bench/service_gen.py" "$SRC/samples/xml/unsigned" "$WORK/in" S "$K" inventory
	"$CEBGATE" sign --key "$WORK/D4.key" --cert "$WORK/D4.crt" --profile sm2-sm3 "$WORK/in/D4" \
		-o "$WORK/signed"
	echo "$K" >"$WORK/done"
fi

# -- the PostgreSQL cluster: durable defaults, its own socket directory ---------------------
PGDIR=$WORK/pg
pg_down() { _pg_as "$(pg_bindir)/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1 || :; }
rm -rf "$PGDIR"
mkdir -p "$PGDIR"
[ "$(id -u)" -ne 0 ] || chown postgres "$PGDIR"
_pg_as "$(pg_bindir)/initdb" -D "$PGDIR/data" -U cebgate -A trust -E UTF8 --locale=C >"$OUT/initdb.log" 2>&1
_pg_as "$(pg_bindir)/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w \
	-o "-k $PGDIR -c listen_addresses= -c max_connections=50 -c shared_preload_libraries=pg_stat_statements -c autovacuum_naptime=1 ${PG_OPTS:-}" \
	start >/dev/null
trap 'pg_down' EXIT INT TERM
export PGHOST=$PGDIR PGUSER=cebgate PGDATABASE=postgres

ticks() { awk '{ print $14 + $15 }' "$1"; }
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
# The cluster's CPU ticks: the postmaster with its exited children, and every live child.
pg_ticks() {
	pm=$(head -n 1 "$PGDIR/data/postmaster.pid")
	t=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat")
	for c in $(ps -o pid= --ppid "$pm"); do
		t=$((t + $(ticks "/proc/$c/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}
hz=$(getconf CLK_TCK)
# cebgated's waits for the PostgreSQL server so far (/metrics; 0 on SQLite or before the counter).
trips() {
	curl -s "http://127.0.0.1:$1/metrics" | awk '$1 == "cebgate_db_round_trips_total" { t = $2 } END { print t + 0 }'
}

# run NAME BACKEND: one line of figures in OUT/runs.txt
run() {
	name=$1
	if [ "$2" = pg ]; then
		db=cg_bench_$name
		"$(pg_bindir)/dropdb" --if-exists "$db" >/dev/null 2>&1
		"$(pg_bindir)/createdb" --locale=C --template=template0 -E UTF8 "$db"
		db=postgresql:///$db
		state="--state-dir $WORK/state"
	else
		rm -rf "$WORK"/s.db*
		db=$WORK/s.db
		state=""
	fi
	"$CEBGATE" admin --db "$db" enterprise add 4403980XD4 "enterprise D4" logistics,agent DXPENT0000999904
	"$CEBGATE" admin --db "$db" cert add 4403980XD4 "$WORK/D4.crt"
	tok=$("$CEBGATE" admin --db "$db" token new --enterprise 4403980XD4)
	find "$WORK/signed" -name '*.xml' | sort | sed "s|^|$tok |" >"$WORK/list"
	rm -f "$WORK/port"
	# shellcheck disable=SC2086
	"$CEBGATED" --db "$db" $state --port 0 --port-file "$WORK/port" --threads "$THREADS" \
		--per-ip-limit 64 --random-rate 0 2>"$OUT/$name.log" &
	pid=$!
	i=0
	while [ ! -s "$WORK/port" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	port=$(cat "$WORK/port")
	i=0
	while [ $i -lt $((THREADS * 8)) ]; do
		curl -s -o /dev/null -H 'Authorization: Bearer warmup' "http://127.0.0.1:$port/api/v1/receipts"
		i=$((i + 1))
	done
	load0=$(cut -d' ' -f1 /proc/loadavg)
	[ "$2" != pg ] || psql -XAtq -d "$db" -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements' \
		-c 'SELECT pg_stat_statements_reset()' >/dev/null
	t0=$(trips "$port")
	c0=$(ticks "/proc/$pid/stat") m0=$(busy) p0=0
	[ "$2" != pg ] || p0=$(pg_ticks)
	/usr/bin/time -f '%U+%S' -o "$OUT/$name.client" "$LOAD" -p "$port" -c "$CLIENTS" "$WORK/list" >"$OUT/$name.load"
	c1=$(ticks "/proc/$pid/stat") m1=$(busy) p1=0
	[ "$2" != pg ] || p1=$(pg_ticks)
	t1=$(trips "$port")
	load1=$(cut -d' ' -f1 /proc/loadavg)
	kill -TERM $pid
	wait $pid || true
	calls=0
	if [ "$2" = pg ]; then
		stored=$(psql -XAtq -d "$db" -c 'SELECT count(*) FROM message')
		# Statements the server ran for this database during the load (round trips, about).
		calls=$(psql -XAtq -d "$db" -c "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements
			WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())")
		# Which statements, per message: where the server's time goes.
		psql -XAq -F '	' -d "$db" -c "SELECT round(calls::numeric / $K, 2) AS per_msg,
			round(total_exec_time::numeric * 1000 / $K, 1) AS exec_us_per_msg,
			round(total_plan_time::numeric * 1000 / $K, 1) AS plan_us_per_msg, left(query, 110) AS query
			FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
			ORDER BY calls DESC, total_exec_time DESC" >"$OUT/$name.statements"
	else
		stored=$(sqlite3 "$db" 'SELECT count(*) FROM message')
	fi
	n=$(sed 's/.* messages=\([0-9]*\).*/\1/' "$OUT/$name.load")
	rate=$(sed 's/.* rate=\([0-9.]*\).*/\1/' "$OUT/$name.load")
	p50=$(sed 's/.* p50_ms=\([0-9.]*\).*/\1/' "$OUT/$name.load")
	client=$(cat "$OUT/$name.client")
	awk -v name="$name" -v be="$2" -v n="$n" -v rate="$rate" -v p50="$p50" -v c0="$c0" -v c1="$c1" \
		-v p0="$p0" -v p1="$p1" -v m0="$m0" -v m1="$m1" -v hz="$hz" -v cl="$client" \
		-v stored="$stored" -v l0="$load0" -v l1="$load1" -v calls="$calls" -v trips=$((t1 - t0)) 'BEGIN {
		split(cl, x, "+")
		node = (c1 - c0) / hz; dbs = (p1 - p0) / hz
		others = (m1 - m0) / hz - node - dbs - x[1] - x[2]
		printf "%s backend=%s messages=%d stored=%d rate=%.0f p50_ms=%s node_cpu_us_per_msg=%.0f" \
			" db_cpu_us_per_msg=%.0f statements_per_msg=%.1f round_trips_per_msg=%.1f client_cpu_s=%.1f" \
			" other_cpu_s=%.1f loadavg=%s-%s\n",
			name, be, n, stored, rate, p50, node * 1e6 / n, dbs * 1e6 / n, calls / n, trips / n, x[1] + x[2],
			(others > 0 ? others : 0), l0, l1 }' | tee -a "$OUT/runs.txt"
}

: >"$OUT/runs.txt"
echo "# $(date -u '+%F %T') $(git -C "$SRC" rev-parse --short HEAD) nproc=$(nproc) K=$K clients=$CLIENTS threads=$THREADS" \
	"postgres=$("$(pg_bindir)/postgres" --version | awk '{ print $3 }') sqlite=$(sqlite3 --version | cut -d' ' -f1)" |
	tee -a "$OUT/runs.txt"
r=1
while [ "$r" -le "$REPS" ]; do
	run "sqlite-r$r" sqlite
	run "pg-r$r" pg
	r=$((r + 1))
done
# Medians by rate, and what their CPU per message means against the national peak.
awk '/^#/ { next } {
	for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	be = v["backend"]; k = ++cnt[be]
	rate[be, k] = v["rate"]; node[be, k] = v["node_cpu_us_per_msg"]; db[be, k] = v["db_cpu_us_per_msg"]
} END {
	for (be in cnt) {
		# the median run by rate
		n = cnt[be]
		for (i = 1; i <= n; i++) { r = 0; for (j = 1; j <= n; j++) if (rate[be, j] < rate[be, i] || (rate[be, j] == rate[be, i] && j < i)) r++; if (r == int((n - 1) / 2)) m = i }
		printf "median %s: %s msg/s, node %s us CPU/msg, database %s us CPU/msg\n", be, rate[be, m], node[be, m], db[be, m]
		if (be == "pg" && db[be, m] > 0) {
			# From CPU time, not from the rate of the run (a shared machine slows the rate first).
			dbc = 1e6 / db[be, m]; nodec = 1e6 / node[be, m]
			printf "one database core: %.0f msg/s; one node core: %.0f msg/s; so one database core feeds %.2f node cores\n", dbc, nodec, dbc / nodec
			printf "national peak 1417 msg/s: %.1f database cores and %.1f node cores, before any headroom\n", 1417 / dbc, 1417 / nodec
		}
	}
}' "$OUT/runs.txt" | tee "$OUT/summary.txt"
