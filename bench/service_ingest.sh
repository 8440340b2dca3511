#!/bin/sh
# SPDX-License-Identifier: MIT
# Ingestion throughput of cebgated: signed declarations with every check
# (safe parse, XSD, business rules, signature against the registered
# certificate, idempotency by guid, one SQLite transaction with synchronous=FULL
# and a receipt per message), over loopback, against the optimized build.
#
#   BUILD=/tmp/bench-build bench/service_ingest.sh [K [SCENARIOS]]
#
# 1. make in BUILD (configured with CFLAGS='-O2 -g' if absent) and
#    BUILD/bench/service_load (bench/service_load.c, a keep-alive HTTP client);
#    the binaries and libcebgate are copied to WORK/bin, so that a rebuild of
#    BUILD during the run changes nothing;
# 2. keys: SM2 (sm2-sm3) and RSA-2048 (rsa-sha256) for each enterprise;
# 3. bench/service_gen.py: K distinct CEB621 inventories (default 5000) per key
#    type, and SCENARIOS (default 1250) order+payment+waybill+inventory sets per
#    key type; each directory signed with ONE `cebgate sign DIR -o OUT` run,
#    timed (signing throughput);
# 4. per set and per --threads in THREADS (default "2 4"), REPS times (default
#    3): a fresh copy of the registry database, cebgated started, warmed up
#    (each pool thread opens its service), then service_load with CLIENTS
#    (default 16) clients posts every message once; figures: messages/s, p50/p99
#    latency, cebgated's CPU time per message (utime+stime from /proc/PID/stat),
#    the CPU ticks of each pool thread (libmicrohttpd pins a keep-alive
#    connection to the thread that accepted it: a 0 shows a thread left idle,
#    which happened in 4 of 27 runs with --threads 2 and 17 of 27 with 4),
#    peak RSS (VmHWM), CPU used by other processes meanwhile (a disturbed run),
#    the answers; then SIGTERM and a count of the stored messages;
# 5. the inventories again with the database on tmpfs (/dev/shm: fsync costs
#    nothing there; the difference is the price of synchronous=FULL on this
#    disk), with bench/service_busy_shim.c preloaded (SQLite's sleeping busy
#    handler replaced by a 20 us retry: the cost of writers waiting on each
#    other), and as JSON batches of BATCH (default 100) messages per request;
# 6. the RSA scenarios once the 5,000 SM2 inventories of set S wait unmatched
#    in the database (posted first, not measured): "after-S".
# The summary gives the median run by messages/s and the range.
# SETS_ONLY=1 stops after step 3 (binaries and signed sets, for the other service benches).
# SERIES=disk runs only the four on-disk series per thread count; CEBGATED_ARGS
# adds flags to every cebgated (e.g. "--group-commit 0" for the old behaviour).
#
# WORK (default /tmp/cebgate-service-bench) keeps the generated and signed files
# between runs (regenerated when K or SCENARIOS change); raw outputs go to OUT
# (default bench/out/service/). About 6.5 minutes with the defaults.
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-/tmp/bench-build}
OUT=${OUT:-$SRC/bench/out/service}
WORK=${WORK:-/tmp/cebgate-service-bench}
K=${1:-5000}
SCEN=${2:-1250}
THREADS=${THREADS:-"2 4"}
CLIENTS=${CLIENTS:-16}
BATCH=${BATCH:-100}
SHM=${SHM:-/dev/shm/cebgate-service-bench}
mkdir -p "$OUT" "$WORK"

# -- 1. build ---------------------------------------------------------------------------
if [ ! -f "$BUILD/Makefile" ]; then
	mkdir -p "$BUILD"
	(cd "$BUILD" && "$SRC/configure" CFLAGS='-O2 -g' >configure.log 2>&1)
fi
case " $(sed -n 's/^CFLAGS = //p' "$BUILD/Makefile") " in
*" -O2 "*) ;;
*) echo "service_ingest.sh: warning: $BUILD is not an -O2 build" >&2 ;;
esac
rev=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C "$SRC" status --porcelain --untracked-files=no -- src 2>/dev/null)" ] || rev="$rev + uncommitted src/ changes"
make -C "$BUILD" -j"$(nproc)" >"$OUT/make.log" 2>&1 || { echo "make failed: $OUT/make.log" >&2; exit 1; }
mkdir -p "$BUILD/bench" "$WORK/bin"
cc -std=c11 -O2 -g -Wall -Wextra -pthread -o "$BUILD/bench/service_load" "$SRC/bench/service_load.c"
cp "$BUILD/src/server/.libs/cebgated" "$BUILD/src/cli/.libs/cebgate" "$BUILD/bench/service_load" "$WORK/bin/"
cp -L "$BUILD/.libs/libcebgate.so.0" "$WORK/bin/"
export LD_LIBRARY_PATH="$WORK/bin" CEBGATE_DATADIR="$SRC"
CEBGATE=$WORK/bin/cebgate
CEBGATED=$WORK/bin/cebgated
LOAD=$WORK/bin/service_load

# -- 2. registry and keys -----------------------------------------------------------------
REG=$WORK/registry.db
if [ ! -s "$REG" ]; then
	rm -f "$WORK"/*.key "$WORK"/*.crt "$WORK"/tokens
	for e in A1:4403960XA1:ebp,ebc:01 C3:4403960XC3:pay:03 D4:4403980XD4:logistics,agent:04; do
		k=${e%%:*}; rest=${e#*:}; code=${rest%%:*}; rest=${rest#*:}; roles=${rest%%:*}; n=${rest#*:}
		"$CEBGATE" admin --db "$REG" enterprise add "$code" "enterprise $k" "$roles" "DXPENT00009999$n"
		"$CEBGATE" keygen --sm2 --key "$WORK/$k-sm2.key" --cert "$WORK/$k-sm2.crt" --serial "30000000000$k" >/dev/null
		"$CEBGATE" keygen --rsa --key "$WORK/$k-rsa.key" --cert "$WORK/$k-rsa.crt" --serial "40000000000$k" >/dev/null
		"$CEBGATE" admin --db "$REG" cert add "$code" "$WORK/$k-sm2.crt"
		"$CEBGATE" admin --db "$REG" cert add "$code" "$WORK/$k-rsa.crt"
		echo "$k $("$CEBGATE" admin --db "$REG" token new --enterprise "$code")" >>"$WORK/tokens"
	done
fi
token() { awk -v k="$1" '$1 == k { print $2 }' "$WORK/tokens"; }

# -- 3. messages, signed ------------------------------------------------------------------
# set TAG MODE COUNT KEYTYPE: WORK/set-TAG/{in,signed}/{A1,C3,D4}, and WORK/set-TAG/list
: >"$OUT/sign.txt"
make_set() {
	d=$WORK/set-$1
	if [ -f "$d/done" ] && [ "$(cat "$d/done")" = "$2 $3 $4" ]; then
		cat "$d/sign.txt" >>"$OUT/sign.txt"
		return 0
	fi
	rm -rf "$d"
	mkdir -p "$d/signed"
	python3 "$SRC/bench/service_gen.py" "$SRC/samples/xml/unsigned" "$d/in" "$1" "$3" "$2"
	: >"$d/sign.txt"
	for e in A1 C3 D4; do
		[ -d "$d/in/$e" ] || continue
		prof=sm2-sm3
		[ "$4" = rsa ] && prof=rsa-sha256
		files=$(ls "$d/in/$e" | wc -l)
		t0=$(date +%s.%N)
		"$CEBGATE" sign --key "$WORK/$e-$4.key" --cert "$WORK/$e-$4.crt" --profile "$prof" \
			"$d/in/$e" -o "$d/signed/$e"
		t1=$(date +%s.%N)
		echo "sign $1 $prof $e $(awk -v f="$files" -v a="$t0" -v b="$t1" 'BEGIN { printf "files=%d seconds=%.2f rate=%.0f", f, b - a, f / (b - a) }')" |
			tee -a "$d/sign.txt"
	done
	# Submission order: scenario by scenario (order, payment, waybill, inventory).
	ta=$(token A1) tc=$(token C3) td=$(token D4)
	for f in $(cd "$d/signed" && find A1 C3 D4 -name '*.xml' 2>/dev/null | sed 's|.*/||' | sort -t- -k1,1 -k2,2n); do
		case $f in
		*-1-*) echo "$ta $d/signed/A1/$f" ;;
		*-2-*) echo "$tc $d/signed/C3/$f" ;;
		*) echo "$td $d/signed/D4/$f" ;;
		esac
	done >"$d/list"
	cat "$d/sign.txt" >>"$OUT/sign.txt"
	echo "$2 $3 $4" >"$d/done"
}
make_set S inventory "$K" sm2
make_set R inventory "$K" rsa
make_set T scenario "$SCEN" sm2
make_set U scenario "$SCEN" rsa
# SETS_ONLY=1: the binaries and signed sets only (for bench/service_callgrind.sh, service_rate.sh).
[ "${SETS_ONLY:-0}" = 1 ] && exit 0

# -- 4./5. runs ---------------------------------------------------------------------------
cc -shared -fPIC -O2 -Wall -o "$WORK/bin/service_busy_shim.so" "$SRC/bench/service_busy_shim.c"
ticks() { awk '{ print $14 + $15 }' "$1"; }
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
# run NAME SET THREADS DBDIR [PRELOAD [BATCH [BACKLOG]]]: one line of figures in OUT/runs.txt;
# BACKLOG: a set posted first, not measured (inventories left waiting for their order)
run() {
	name=$1 set=$2 th=$3 dbdir=$4 backlog=${7:-}
	rm -rf "$dbdir"
	mkdir -p "$dbdir"
	cp "$REG" "$dbdir/s.db"
	LD_PRELOAD=${5:-} "$CEBGATED" --db "$dbdir/s.db" --port 0 --port-file "$dbdir/port" --threads "$th" \
		--per-ip-limit 64 --random-rate 0 ${CEBGATED_ARGS:-} 2>"$OUT/$name.log" &
	pid=$!
	i=0
	while [ ! -s "$dbdir/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	port=$(cat "$dbdir/port")
	# Warm-up: new connections until every pool thread has opened its service (a 401 does it).
	i=0
	while [ $i -lt $((th * 8)) ]; do
		curl -s -o /dev/null -H 'Authorization: Bearer warmup' "http://127.0.0.1:$port/api/v1/receipts"
		i=$((i + 1))
	done
	pre=0
	if [ -n "$backlog" ]; then
		"$LOAD" -p "$port" -c "$CLIENTS" "$WORK/set-$backlog/list" >"$OUT/$name.backlog"
		pre=$(sed 's/.* messages=\([0-9]*\).*/\1/' "$OUT/$name.backlog")
	fi
	for t in /proc/$pid/task/*; do echo "${t##*/} $(ticks "$t/stat")"; done >"$dbdir/t0"
	c0=$(ticks "/proc/$pid/stat") m0=$(busy)
	/usr/bin/time -f 'client_cpu_s=%U+%S' -o "$OUT/$name.client" \
		"$LOAD" -p "$port" -c "$CLIENTS" -b "${6:-1}" "$WORK/set-$set/list" >"$OUT/$name.load"
	c1=$(ticks "/proc/$pid/stat") m1=$(busy)
	for t in /proc/$pid/task/*; do echo "${t##*/} $(ticks "$t/stat")"; done >"$dbdir/t1"
	# CPU ticks of each pool thread (the main thread only sweeps): shows a thread left idle.
	split=$(join "$dbdir/t0" "$dbdir/t1" | awk -v main="$pid" '$1 != main { printf "%s%d", sep, $3 - $2; sep = "/" }')
	hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
	groups=$(curl -s "http://127.0.0.1:$port/metrics" | awk '$1 == "cebgate_commit_groups_total" { g = $2 } $1 == "cebgate_commit_messages_total" { m = $2 } END { printf "%s/%s", g, m }')
	kill -TERM $pid
	wait $pid || true
	n=$(sed 's/.* messages=\([0-9]*\).*/\1/' "$OUT/$name.load")
	stored=$(($(sqlite3 "$dbdir/s.db" 'SELECT count(*) FROM message') - ${pre:-0}))
	released=$(sqlite3 "$dbdir/s.db" "SELECT count(*) FROM document WHERE kind = 621 AND state = 'released'")
	client=$(sed 's/client_cpu_s=//' "$OUT/$name.client")
	# Machine CPU not used by cebgated or the client during the run: other work disturbing it.
	others=$(awk -v m="$m1" -v m0="$m0" -v c="$c1" -v c0="$c0" -v cl="$client" -v t="$(getconf CLK_TCK)" \
		'BEGIN { split(cl, x, "+"); o = ((m - m0) - (c - c0)) / t - x[1] - x[2]; printf "%.2f", (o > 0 ? o : 0) }')
	echo "$name set=$set threads=$th clients=$CLIENTS $(cat "$OUT/$name.load") server_cpu_us_per_msg=$(awk -v a="$c0" -v b="$c1" -v t="$(getconf CLK_TCK)" -v n="$n" 'BEGIN { printf "%.0f", (b - a) * 1e6 / t / n }') thread_ticks=$split vmhwm_kib=$hwm client_cpu_s=$client other_cpu_s=$others stored=$stored released=$released commit_groups=$groups" >>"$OUT/runs.txt"
	rm -rf "$dbdir"
}
# series NAME SET THREADS DBDIR [PRELOAD [BATCH [BACKLOG]]]: REPS runs; the median by rate is the figure
series() {
	r=1
	while [ $r -le "$REPS" ]; do
		run "$1-r$r" "$2" "$3" "$4" "${5:-}" "${6:-1}" "${7:-}"
		r=$((r + 1))
	done
}

REPS=${REPS:-3}
: >"$OUT/runs.txt"
for th in $THREADS; do
	series "inv-sm2-t$th" S "$th" "$WORK/db"
	series "inv-rsa-t$th" R "$th" "$WORK/db"
	series "scen-sm2-t$th" T "$th" "$WORK/db"
	series "scen-rsa-t$th" U "$th" "$WORK/db"
	[ "${SERIES:-all}" = disk ] && continue
	series "inv-sm2-t$th-tmpfs" S "$th" "$SHM"
	series "inv-rsa-t$th-tmpfs" R "$th" "$SHM"
	series "inv-sm2-t$th-shim" S "$th" "$WORK/db" "$WORK/bin/service_busy_shim.so"
	series "inv-rsa-t$th-tmpfs-shim" R "$th" "$SHM" "$WORK/bin/service_busy_shim.so"
	series "inv-sm2-t$th-batch$BATCH" S "$th" "$WORK/db" "" "$BATCH"
	series "inv-rsa-t$th-batch$BATCH" R "$th" "$WORK/db" "" "$BATCH"
	series "scen-rsa-t$th-after-S" U "$th" "$WORK/db" "" 1 S
done

echo "== source $rev; $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1); $(uname -sr)"
echo "== signing (one cebgate sign run per directory)"
cat "$OUT/sign.txt"
echo "== ingestion (cebgated $(sed -n 's/^CFLAGS = //p' "$BUILD/Makefile"), $CLIENTS keep-alive clients, $(nproc) CPUs, median of $REPS runs by msg/s)"
echo "   (tmpfs: database on /dev/shm; shim: LD_PRELOAD bench/service_busy_shim.c; threads: CPU ticks per pool thread)"
printf '%-24s %6s %6s %11s %7s %7s %6s %9s %8s %6s %s\n' run msgs msg/s range p50_ms p99_ms us/msg threads VmHWM other answers
awk '{ name = $1; sub(/-r[0-9]+$/, "", name)
       for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
       line = sprintf("%6s %6.0f %%s %7.2f %7.2f %6s %9s %7.1fM %6s accepted=%s dup=%s rejected=%s other=%s stored=%s released=%s groups/msgs=%s",
              v["requests"], v["rate"], v["p50_ms"], v["p99_ms"], v["server_cpu_us_per_msg"], v["thread_ticks"],
              v["vmhwm_kib"] / 1024, v["other_cpu_s"], v["accepted"], v["duplicate"], v["rejected"], v["other"], v["stored"], v["released"], v["commit_groups"])
       if (!(name in n)) order[++k] = name
       n[name]++; rate[name, n[name]] = v["rate"]; text[name, n[name]] = line }
     END { for (j = 1; j <= k; j++) { name = order[j]; c = n[name]
             # median by rate (insertion sort of the indices)
             for (a = 1; a <= c; a++) idx[a] = a
             for (a = 2; a <= c; a++) for (b = a; b > 1 && rate[name, idx[b]] < rate[name, idx[b - 1]]; b--) { t = idx[b]; idx[b] = idx[b - 1]; idx[b - 1] = t }
             m = idx[int((c + 1) / 2)]
             printf "%-24s " text[name, m] "\n", name, sprintf("%5.0f-%-5.0f", rate[name, idx[1]], rate[name, idx[c]]) } }' \
	"$OUT/runs.txt"
