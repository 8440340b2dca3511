#!/bin/sh
# SPDX-License-Identifier: MIT
# `cebgate sign` and `cebgate verify` on every core: a directory of N messages
# (default 20,000) signed and verified at -j 1 and -j 2 for rsa-sha256 and
# sm2-sm3, next to `openssl speed` of the same algorithms in the same run.
#
#   BUILD=/tmp/bench-build bench/jobs_bench.sh [N]
#
# BUILD is an optimized build (bench/build.sh makes one; the default build
# directory works too). Messages are CEB311 orders with distinct order numbers
# (bench/gen_xml step below), 3.1 KB each. Each measurement runs the command
# once, -j 1 and -j 2 interleaved, and reads its wall and CPU time from
# /usr/bin/time. Rows for BENCHMARKS.md are printed at the end:
#   speed-up = wall(-j 1) / wall(-j 2)         (target >= 1.8 on 2 cores)
#   per core = messages / CPU seconds / raw    (target >= 0.8 for sign)
# Raw outputs go to OUT (default bench/out/).
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-/tmp/bench-build}
OUT=${OUT:-$SRC/bench/out}
N=${1:-20000}
CLI=$BUILD/src/cli/cebgate
case $N in '' | *[!0-9]*) echo "usage: jobs_bench.sh [N]" >&2; exit 2 ;; esac
[ -x "$CLI" ] || { echo "jobs_bench.sh: no $CLI (bench/build.sh)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "jobs_bench.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
mkdir -p "$OUT"
W=$(mktemp -d "${TMPDIR:-/tmp}/jobs-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
export CEBGATE_DATADIR="$SRC"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/rsa.key" -out "$W/rsa.crt" -subj /CN=bench \
	-days 30 -set_serial 0x01691FE9 2>/dev/null
openssl ecparam -genkey -name SM2 -out "$W/sm2.key"
openssl req -new -x509 -key "$W/sm2.key" -sm3 -sigopt distid:1234567812345678 -subj /CN=bench \
	-days 30 -set_serial 0x3000000000CDE6F -out "$W/sm2.crt"

# N orders, each with its own orderNo (the sample's, numbered).
mkdir "$W/in"
python3 - "$SRC/samples/xml/unsigned/CEB311-order.xml" "$W/in" "$N" <<'EOF'
import re, sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
xml = open(src, encoding="utf-8").read()
m = re.search(r"<ceb:orderNo>([^<]*)</ceb:orderNo>", xml)
for i in range(n):
    body = xml.replace(m.group(0), "<ceb:orderNo>%s%06d</ceb:orderNo>" % (m.group(1)[:20], i))
    with open("%s/%06d.xml" % (out, i), "w", encoding="utf-8") as f:
        f.write(body)
EOF

# run NAME CMD...: wall and CPU seconds of CMD into $W/NAME.t ("wall user sys").
run() {
	_name=$1
	shift
	rm -rf "$W/o"
	# The files the last run wrote go to disk now, not on the other core during this one.
	sync
	/usr/bin/time -f '%e %U %S' -o "$W/$_name.t" "$@" >/dev/null 2>"$W/$_name.err" || {
		echo "jobs_bench.sh: $_name failed:" >&2
		tail -n 5 "$W/$_name.err" >&2
		exit 1
	}
}

rows=$W/rows
: >"$rows"
for p in rsa-sha256 sm2-sm3; do
	key=${p%%-*}
	echo "== $p: openssl speed" >&2
	case $key in
	rsa) raw=$(openssl speed -seconds 3 rsa2048 2>/dev/null | tee "$OUT/jobs-speed-rsa.txt" |
		awk '/^rsa 2048 bits/ { print $6 }') ;;
	sm2) raw=$(openssl speed -seconds 3 sm2 2>/dev/null | tee "$OUT/jobs-speed-sm2.txt" |
		awk '/^ *256 bits SM2/ { print $(NF - 1) }') ;;
	esac
	echo "== $p: sign and verify, $N messages, -j 1 and -j 2 interleaved" >&2
	for j in 1 2; do
		run "sign-$p-$j" "$CLI" sign --key "$W/$key.key" --cert "$W/$key.crt" --profile "$p" \
			-j $j -o "$W/o" "$W/in"
		mv "$W/o" "$W/signed-$p-$j"
	done
	for j in 1 2; do
		run "verify-$p-$j" "$CLI" verify -j $j "$W/signed-$p-1"
	done
	cmp -s "$W/sign-$p-1.err" "$W/sign-$p-2.err" || echo "jobs_bench.sh: stderr differs" >&2
	rm -rf "$W/signed-$p-1" "$W/signed-$p-2"
	for op in sign verify; do
		awk -v p="$p" -v op="$op" -v n="$N" -v raw="$raw" '
			FNR == 1 { split($0, t, " "); w[FILENAME ~ /-1\.t$/ ? 1 : 2] = t[1];
				   c[FILENAME ~ /-1\.t$/ ? 1 : 2] = t[2] + t[3] }
			END {
				r1 = n / c[1]; r2 = n / c[2]
				printf "| %s | %s | %d | %.1f / %.1f | %.0f / %.0f | %.0f / %.0f | %.2f | %s | %s |\n",
					p, op, n, w[1], w[2], n / w[1], n / w[2], r1, r2, w[1] / w[2], raw,
					op == "sign" ? sprintf("%.2f / %.2f", r1 / raw, r2 / raw) : "–"
			}' "$W/$op-$p-1.t" "$W/$op-$p-2.t" >>"$rows"
	done
done
cp "$W"/*.t "$OUT/" 2>/dev/null || :
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) processors"
echo "| profile | command | messages | wall s -j1 / -j2 | msg/s -j1 / -j2 | msg per CPU s -j1 / -j2 | speed-up | openssl speed sign/s | per core / raw, -j1 / -j2 |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
cat "$rows"
