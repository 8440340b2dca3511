#!/bin/sh
# SPDX-License-Identifier: MIT
# Throughput and peak memory of `cebgate normalize` on generated merchant CSV.
#
#   BUILD=/tmp/bench-build bench/normalize_bench.sh [N...]
#
# For each N (default: 100000 1000000) the orders are generated once by bench/gen_orders.py
# into $ORDERS_DIR (default /tmp/cebgate-bench, reused when present) and normalized with
#   CEBGATE_NOW=20261128100000 cebgate normalize --map samples/merchant/default.profile \
#       --log /dev/null FILE > /dev/null
# under /usr/bin/time -v. The messages go to /dev/null (writing a million files is a file-system
# benchmark), the change log to /dev/null. The run must exit 0 and print
# "N document(s) read, N message(s) written, 0 rejected" on stderr. Logs go to $OUT
# (default bench/out/, ignored by git). Target: peak RSS < 64 MiB.
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-/tmp/bench-build}
ORDERS_DIR=${ORDERS_DIR:-/tmp/cebgate-bench}
OUT=${OUT:-$SRC/bench/out}
CEBGATE=${CEBGATE:-$BUILD/src/cli/cebgate}
RSS_TARGET_KIB=65536

[ $# -gt 0 ] || set -- 100000 1000000
[ -x "$CEBGATE" ] || { echo "normalize_bench: no $CEBGATE (run bench/build.sh)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "normalize_bench: needs GNU time in /usr/bin/time" >&2; exit 2; }
mkdir -p "$ORDERS_DIR" "$OUT"

now_ns() { date +%s%N; }

status=0
for n in "$@"; do
	csv=$ORDERS_DIR/orders-$n.csv
	if [ ! -s "$csv" ]; then
		echo "normalize_bench: generating $n orders into $csv" >&2
		python3 "$SRC/bench/gen_orders.py" "$csv.tmp" "$n"
		mv "$csv.tmp" "$csv"
	fi
	bytes=$(wc -c <"$csv")
	rows=$(($(wc -l <"$csv") - 1))
	timef=$OUT/normalize-$n.time
	errf=$OUT/normalize-$n.stderr

	t0=$(now_ns)
	rc=0
	CEBGATE_DATADIR=$SRC CEBGATE_NOW=20261128100000 /usr/bin/time -v -o "$timef" \
		"$CEBGATE" normalize --map "$SRC/samples/merchant/default.profile" \
		--log /dev/null "$csv" >/dev/null 2>"$errf" || rc=$?
	t1=$(now_ns)

	rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$timef")
	user=$(sed -n 's/^[[:space:]]*User time (seconds): //p' "$timef")
	sys=$(sed -n 's/^[[:space:]]*System time (seconds): //p' "$timef")
	summary=$(grep '^normalize: ' "$errf" | tail -n 1 || true)
	want="normalize: $n document(s) read, $n message(s) written, 0 rejected"
	verdict=ok
	if [ "$rc" -ne 0 ]; then
		verdict="FAILED: exit status $rc"
	elif [ "${summary#"$want"}" = "$summary" ]; then
		verdict="FAILED: summary is '$summary'"
	fi
	if [ "$verdict" != ok ]; then
		status=1
		echo "normalize_bench: $verdict (stderr in $errf)" >&2
		grep -m 5 -E 'error|CG[0-9]{4}' "$errf" >&2 || true
	fi
	rss_ok=ok
	[ "$rss" -lt "$RSS_TARGET_KIB" ] || rss_ok="OVER the 64 MiB target"
	awk -v n="$n" -v rows="$rows" -v bytes="$bytes" -v t0="$t0" -v t1="$t1" -v rss="$rss" \
	    -v user="$user" -v sys="$sys" -v v="$verdict" -v r="$rss_ok" 'BEGIN {
		s = (t1 - t0) / 1e9
		printf "normalize %d orders (%d rows, %.1f MB): wall %.2f s (user %.2f, sys %.2f), " \
		       "%.0f orders/s, %.1f MB/s in, peak RSS %d KiB (%.1f MiB, %s), %s\n",
		       n, rows, bytes / 1e6, s, user, sys, n / s, bytes / 1e6 / s, rss, rss / 1024, r, v
	}'
	echo "  stderr: $summary"
done
exit $status
