#!/bin/sh
# SPDX-License-Identifier: MIT
# SM2-SM3 verification: OpenSSL's EVP SM2 (what cebgate used before) against sm2verify.c,
# with and without the key's own table, in one interleaved run; then instructions per
# verification under callgrind (repeatable whatever the load) and `openssl speed sm2`
# for reference. Figures in BENCHMARKS.md ("SM2 verification").
#
#   bench/sm2_bench.sh [BUILD] [SECONDS]
#
# BUILD is a configured build tree (default: build); SECONDS the interleaved run (default 20).
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
SECONDS_RUN=${2:-20}
BIN="$BUILD/bench/sm2_bench"

make -C "$BUILD" sm2-bench >/dev/null
# The libtool wrapper runs the real binary with the uninstalled library.
run() { "$BUILD/libtool" --mode=execute "$@"; }

echo "== machine: $(nproc) cores, $(uptime | sed 's/.*load/load/')"
echo "== interleaved run, ${SECONDS_RUN} s (batches of each way in turn)"
run "$BIN" run "$SECONDS_RUN"

echo "== instructions per verification (callgrind: N=201 minus N=1, over 200)"
if command -v valgrind >/dev/null 2>&1; then
	for way in evp plain table; do
		count() {
			run valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" count "$way" "$1" 2>&1 |
				sed -n 's/.*Collected : *//p'
		}
		one=$(count 1)
		many=$(count 201)
		echo "$way $(( (many - one) / 200 ))"
	done | awk '{ i[NR] = $2; w[NR] = $1 } END {
		for (k = 1; k <= NR; k++)
			printf "%-6s %10d instructions  %.2fx fewer than evp\n", w[k], i[k], i[1] / i[k] }'
else
	echo "valgrind not installed: no instruction counts"
fi

echo "== openssl speed sm2 (reference: EVP sign and verify, 3 s each)"
openssl speed -seconds 3 sm2 2>/dev/null | tail -3
