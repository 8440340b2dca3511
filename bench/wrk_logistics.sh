#!/bin/sh
# SPDX-License-Identifier: MIT
# Read load on cebgated: the logistics company polling its waybills.
#
#   BUILD=/tmp/bench-build bench/wrk_logistics.sh [SCENARIOS [SECONDS]]
#
# 1. make in BUILD (-O2 -g); the binaries are copied to WORK/bin (default
#    /tmp/cebgate-wrk-bench) so that a rebuild during the run changes nothing;
# 2. a registry (platform, payment company, logistics company with SM2 keys),
#    SCENARIOS (default 400) order+payment+waybill+inventory sets made by
#    bench/service_gen.py, signed with one `cebgate sign` run per enterprise,
#    loaded through the API (they match and are released), plus as many
#    waybills alone (state "declared"): 2 x SCENARIOS waybills to read;
# 3. wrk -t2 -c16 -d SECONDS (default 30) on GET /api/v1/logistics/CODE/NO with
#    the logistics company's token, cycling through every waybill
#    (bench/wrk_logistics.lua), then the same on GET /healthz (no database, no
#    token: the ceiling of the HTTP layer); cebgated runs with its defaults
#    (--threads 4, per-IP limit 16), its log (a line per request) going to a file;
# 4. figures: requests/s, latency percentiles, non-2xx answers, cebgated's CPU
#    time per request and peak RSS (VmHWM);
# 5. the logistics GET again (10 s) after STATUS513 (default 100000) CEB513
#    status reports are added to the database (0: skip).
# Needs wrk (scripts/install-deps installs it). Raw outputs in OUT (default
# bench/out/wrk/).
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-/tmp/bench-build}
WORK=${WORK:-/tmp/cebgate-wrk-bench}
OUT=${OUT:-$SRC/bench/out/wrk}
SCEN=${1:-400}
SECS=${2:-30}
command -v wrk >/dev/null || { echo "wrk_logistics.sh: no wrk (scripts/install-deps)" >&2; exit 2; }
mkdir -p "$OUT" "$WORK/bin"

if [ ! -f "$BUILD/Makefile" ]; then
	mkdir -p "$BUILD"
	(cd "$BUILD" && "$SRC/configure" CFLAGS='-O2 -g' >configure.log 2>&1)
fi
rev=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)
make -C "$BUILD" -j"$(nproc)" >"$OUT/make.log" 2>&1 || { echo "make failed: $OUT/make.log" >&2; exit 1; }
cp "$BUILD/src/server/.libs/cebgated" "$BUILD/src/cli/.libs/cebgate" "$WORK/bin/"
cp -L "$BUILD/.libs/libcebgate.so.0" "$WORK/bin/"
export LD_LIBRARY_PATH="$WORK/bin" CEBGATE_DATADIR="$SRC"
CEBGATE=$WORK/bin/cebgate

# -- registry, messages -------------------------------------------------------------------
DB=$WORK/s.db
rm -rf "$WORK/in" "$WORK/signed" "$WORK/alone-in" "$DB" "$DB-wal" "$DB-shm"
for e in A1:4403960XA1:ebp,ebc:01 C3:4403960XC3:pay:03 D4:4403980XD4:logistics,agent:04; do
	k=${e%%:*}; rest=${e#*:}; code=${rest%%:*}; rest=${rest#*:}; roles=${rest%%:*}; n=${rest#*:}
	"$CEBGATE" admin --db "$DB" enterprise add "$code" "enterprise $k" "$roles" "DXPENT00009999$n"
	"$CEBGATE" keygen --sm2 --key "$WORK/$k.key" --cert "$WORK/$k.crt" --serial "30000000000$k" >/dev/null
	"$CEBGATE" admin --db "$DB" cert add "$code" "$WORK/$k.crt"
	eval "T$k=\$(\"\$CEBGATE\" admin --db \"\$DB\" token new --enterprise $code)"
done
python3 "$SRC/bench/service_gen.py" "$SRC/samples/xml/unsigned" "$WORK/in" L "$SCEN" scenario
python3 "$SRC/bench/service_gen.py" "$SRC/samples/xml/unsigned" "$WORK/alone-in" W "$SCEN" scenario
mkdir -p "$WORK/in/D4W" "$WORK/signed"
mv "$WORK"/alone-in/D4/*-3-waybill.xml "$WORK/in/D4W/"
for d in A1 C3 D4 D4W; do
	k=${d%W}
	"$CEBGATE" sign --key "$WORK/$k.key" --cert "$WORK/$k.crt" "$WORK/in/$d" -o "$WORK/signed/$d"
done

rm -f "$WORK/port"
"$WORK/bin/cebgated" --db "$DB" --port 0 --port-file "$WORK/port" --random-rate 0 2>"$WORK/cebgated.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT INT TERM
i=0
while [ ! -s "$WORK/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
URL=http://127.0.0.1:$(cat "$WORK/port")
# Load through the API, one message per request: orders, payments, then waybills and
# inventories (each inventory completes its scenario), then the lone waybills.
load() { # TOKEN DIR
	for f in "$2"/*.xml; do
		curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $1" --data-binary @"$f" \
			"$URL/api/v1/submissions"
	done
}
{
	load "$TA1" "$WORK/signed/A1"
	load "$TC3" "$WORK/signed/C3"
	load "$TD4" "$WORK/signed/D4"
	load "$TD4" "$WORK/signed/D4W"
} | sort | uniq -c >"$OUT/load-codes.txt"
echo "loaded: $(tr -s ' \n' ' ' <"$OUT/load-codes.txt")(count, HTTP status)"
sqlite3 "$DB" "SELECT kind, state, count(*) FROM document GROUP BY kind, state" | tr '\n' ' ' >"$OUT/states.txt"
echo "documents (kind|state|count): $(cat "$OUT/states.txt")"

# The waybills to read, one path per line, for the Lua script.
sqlite3 "$DB" "SELECT '/api/v1/logistics/' || key1 || '/' || key2 FROM document WHERE kind = 511" >"$WORK/paths"
echo "sample answer: $(curl -s -H "Authorization: Bearer $TD4" "$URL$(head -n 1 "$WORK/paths")" | tr -d '\n ')"

ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
# bench NAME URL [LUA]
bench() {
	c0=$(ticks)
	WRK_TOKEN=$TD4 WRK_PATHS=$WORK/paths wrk -t2 -c16 -d"${SECS}s" --latency ${3:+-s "$3"} "$2" >"$OUT/$1.txt" 2>&1
	sleep 1 # let cebgated drop the closed connections (per-IP limit 16)
	c1=$(ticks)
	reqs=$(awk '/requests in/ { print $1 }' "$OUT/$1.txt")
	awk -v name="$1" -v c0="$c0" -v c1="$c1" -v n="$reqs" -v t="$(getconf CLK_TCK)" '
		/Requests\/sec/ { rps = $2 }
		/^ +50%/ { p50 = $2 } /^ +75%/ { p75 = $2 } /^ +90%/ { p90 = $2 } /^ +99%/ { p99 = $2 }
		/Non-2xx/ { non2xx = $NF }
		/Socket errors/ { err = $0; sub(/^ +/, "", err) }
		END { printf "%-22s %10s req/s  p50 %s  p75 %s  p90 %s  p99 %s  non-2xx %s  %s  cebgated CPU %.1f us/req\n",
		             name, rps, p50, p75, p90, p99, non2xx == "" ? 0 : non2xx, err == "" ? "no socket errors" : err,
		             (c1 - c0) * 1e6 / t / n }' "$OUT/$1.txt" | tee -a "$OUT/summary.txt"
}
: >"$OUT/summary.txt"
echo "== source $rev; wrk -t2 -c16 -d${SECS}s; $(wc -l <"$WORK/paths") waybills; $(nproc) CPUs"
sleep 1 # closed connections of the loading leave the per-IP count
bench logistics "$URL" "$SRC/bench/wrk_logistics.lua"
bench healthz "$URL/healthz"
echo "cebgated peak RSS (VmHWM): $(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status") KiB" | tee -a "$OUT/summary.txt"
kill -TERM "$pid"
wait "$pid" || true

# 5. The same GET once the database holds STATUS513 (default 100000) waybill
#    status reports (CEB513 documents, inserted directly with SQL: only their
#    number matters): the logistics query looks them up by key1 || '|' || key2,
#    which no index serves. 10 s.
STATUS513=${STATUS513:-100000}
if [ "$STATUS513" -gt 0 ]; then
	sqlite3 "$DB" "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $STATUS513)
		INSERT INTO document(message_id, kind, key1, key2, app_type, state, sender_id, updated)
		SELECT (SELECT min(id) FROM message), 513, '4403980XD4', printf('EXSTATUS%08d', i), '1',
		       'declared', (SELECT id FROM enterprise WHERE cop_code = '4403980XD4'), 0 FROM c"
	rm -f "$WORK/port"
	"$WORK/bin/cebgated" --db "$DB" --port 0 --port-file "$WORK/port" --random-rate 0 2>"$WORK/cebgated.log" &
	pid=$!
	i=0
	while [ ! -s "$WORK/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	URL=http://127.0.0.1:$(cat "$WORK/port")
	SECS=10
	bench "logistics+${STATUS513}x513" "$URL" "$SRC/bench/wrk_logistics.lua"
	kill -TERM "$pid"
	wait "$pid" || true
fi
trap - EXIT INT TERM
# One log line per request: millions of lines. Keep the warnings and errors only.
grep -v '^level=info status=' "$WORK/cebgated.log" >"$OUT/cebgated-warnings.log" || true
rm -f "$WORK/cebgated.log"
