#!/bin/sh
# SPDX-License-Identifier: MIT
# Run the foundation benchmarks and print a summary.
#
#   BUILD=/tmp/bench-build bench/run.sh [VALIDATE_N]
#
# 1. bench/build.sh: optimized build in BUILD (configured with CFLAGS='-O2 -g' if absent)
#    and BUILD/bench/validate_bench;
# 2. validate_bench: libxml2 parse-only vs cg_validate_buffer on CEB311 and CEB621, single
#    thread, VALIDATE_N iterations each (default: about 3 s per measurement);
# 3. bench/normalize_bench.sh: cebgate normalize on 100,000 and 1,000,000 generated orders
#    (NORMALIZE_SIZES to change; the CSVs are generated once into /tmp/cebgate-bench);
# 4. bench/sign_bench.sh: openssl speed rsa2048 and sm2, then cg_sign_buffer (self-check on
#    and off) and cg_verify_buffer per profile on CEB621 and CEB311, ~3 s per measurement.
# Full output goes to OUT (default bench/out/, ignored by git). Takes about 7 minutes the
# first time (generating the 1M-order CSV takes ~30 s), about 4.5 minutes after.
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-/tmp/bench-build}
OUT=${OUT:-$SRC/bench/out}
NORMALIZE_SIZES=${NORMALIZE_SIZES:-100000 1000000}
export BUILD OUT
mkdir -p "$OUT"

"$SRC/bench/build.sh"

status=0
echo "== validate (single thread)"
CEBGATE_DATADIR=$SRC "$BUILD/bench/validate_bench" "$@" >"$OUT/validate.txt" || status=1
cat "$OUT/validate.txt"

echo "== normalize"
# shellcheck disable=SC2086 # NORMALIZE_SIZES is a list
"$SRC/bench/normalize_bench.sh" $NORMALIZE_SIZES >"$OUT/normalize.txt" || status=1
cat "$OUT/normalize.txt"

echo "== sign and verify (single thread)"
"$SRC/bench/sign_bench.sh" >"$OUT/sign-summary.txt" || status=1
cat "$OUT/sign-summary.txt"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
rev=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$SRC" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
	rev="$rev + uncommitted changes"
fi
echo
echo "== summary"
echo "machine: $(nproc) CPU(s), $cpu, $mem RAM; $(uname -sr)"
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC'); source $rev; build $BUILD"
awk '/^file +bytes/ { t = 1; next }
     t && NF == 5 { printf "validate %-22s %6d msgs/s (parse only %6d/s), ratio %.3f\n",
                    $1, $4, $3, $5 }
     /^peak RSS/ { print "validate_bench " $0 }' "$OUT/validate.txt"
sed -n 's/^normalize \([0-9]*\) orders .*wall \([0-9.]*\) s.*, \([0-9]*\) orders\/s,.*peak RSS [0-9]* KiB (\([0-9.]*\) MiB, \(.*\)), \(.*\)$/normalize \1 orders: \3 orders\/s, wall \2 s, peak RSS \4 MiB (\5), \6/p' \
	"$OUT/normalize.txt"
awk '/^== whole message/ { t = 1; next }
     t && $1 ~ /^(rsa|sm2)-/ {
	printf "sign %-10s %-21s %5d/s (self-check off %d/s), raw %d/s, ratio %s (off %s); verify %d/s\n",
	       $1, $2, $3, $4, $6, $7, $8, $10 }' "$OUT/sign-summary.txt"
exit $status
