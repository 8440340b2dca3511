#!/bin/sh
# SPDX-License-Identifier: MIT
# The side-by-side table of issue 18, in one run: signing and verifying N
# messages (default 20,000 CEB311 orders, 3.1 KB, distinct orderNo) by
#   - `openssl speed` of the algorithm (the raw rate, no XML),
#   - a plain libxml2 + xmlsec1 pipeline (bench/xmlsec_pipeline.c, compiled here),
#   - a JDK javax.xml.crypto pipeline (bench/JdkPipeline.java, one JVM for all files),
#   - cebgate sign / verify at -j 1 and -j 2,
# each reading the files from a directory and (signing) writing one file per message.
#
#   BUILD=/tmp/bench-build bench/side_by_side.sh [N]
#
# rsa-sha256 for all four; sm2-sm3 for openssl and cebgate only (xmlsec1 1.2.37 and
# the JDK have no SM2-SM3). Every verifier checks the same cebgate-signed files.
# Each command runs once, under /usr/bin/time (wall, user, sys); the table gives
# messages per CPU second (user + sys; the JVM's JIT and GC threads included) and
# that rate over `openssl speed`'s sign/s or verify/s of the same run. Needs cc,
# pkg-config xmlsec1-openssl, javac/java (scripts/install-deps), /usr/bin/time.
# Raw outputs go to OUT (default bench/out/).
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-/tmp/bench-build}
OUT=${OUT:-$SRC/bench/out}
N=${1:-20000}
CLI=$BUILD/src/cli/cebgate
case $N in '' | *[!0-9]*) echo "usage: side_by_side.sh [N]" >&2; exit 2 ;; esac
[ -x "$CLI" ] || { echo "side_by_side.sh: no $CLI (bench/build.sh)" >&2; exit 2; }
for t in cc pkg-config javac java openssl python3 /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "side_by_side.sh: needs $t" >&2; exit 2; }
done
mkdir -p "$OUT"
W=$(mktemp -d "${TMPDIR:-/tmp}/side-by-side.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
export CEBGATE_DATADIR="$SRC"

# shellcheck disable=SC2046 # pkg-config output is a list of flags
cc -std=c11 -O2 -o "$W/xmlsec_pipeline" "$SRC/bench/xmlsec_pipeline.c" \
	$(pkg-config --cflags --libs xmlsec1-openssl)
javac -Xlint:all -Werror -d "$W" "$SRC/bench/JdkPipeline.java"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/rsa.key" -out "$W/rsa.crt" -subj /CN=bench \
	-days 30 -set_serial 0x01691FE9 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$W/rsa.key" -outform DER -out "$W/rsa.pk8"
openssl ecparam -genkey -name SM2 -out "$W/sm2.key"
openssl req -new -x509 -key "$W/sm2.key" -sm3 -sigopt distid:1234567812345678 -subj /CN=bench \
	-days 30 -set_serial 0x3000000000CDE6F -out "$W/sm2.crt"

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

rows=$W/rows
: >"$rows"
# row PROFILE OP WHO RAW CMD...: run CMD once under /usr/bin/time, add a table row.
row() {
	_p=$1 _op=$2 _who=$3 _raw=$4
	shift 4
	/usr/bin/time -f '%e %U %S' -o "$W/t" "$@" >"$W/cmd.out" 2>"$W/cmd.err" || {
		echo "side_by_side.sh: $_p $_op $_who failed:" >&2
		tail -n 5 "$W/cmd.out" "$W/cmd.err" >&2
		exit 1
	}
	cat "$W/t" >>"$OUT/side-by-side-times.txt"
	awk -v p="$_p" -v op="$_op" -v who="$_who" -v n="$N" -v raw="$_raw" '{
		cpu = $2 + $3
		printf "| %s | %s | %s | %d | %.1f | %.1f | %.0f | %.0f | %.2f |\n",
			p, op, who, n, $1, cpu, n / $1, n / cpu, n / cpu / raw
	}' "$W/t" >>"$rows"
}

: >"$OUT/side-by-side-times.txt"
echo "== openssl speed" >&2
openssl speed -seconds 3 rsa2048 2>/dev/null >"$OUT/side-speed-rsa.txt"
openssl speed -seconds 3 sm2 2>/dev/null >"$OUT/side-speed-sm2.txt"
rsa_sign=$(awk '/^rsa 2048 bits/ { print $6 }' "$OUT/side-speed-rsa.txt")
rsa_verify=$(awk '/^rsa 2048 bits/ { print $7 }' "$OUT/side-speed-rsa.txt")
sm2_sign=$(awk '/^ *256 bits SM2/ { print $(NF - 1) }' "$OUT/side-speed-sm2.txt")
sm2_verify=$(awk '/^ *256 bits SM2/ { print $NF }' "$OUT/side-speed-sm2.txt")
for x in rsa-sha256:"$rsa_sign":"$rsa_verify" sm2-sm3:"$sm2_sign":"$sm2_verify"; do
	p=${x%%:*} r=${x#*:}
	printf '| %s | sign | openssl speed | – | – | – | – | %s | 1.00 |\n' "$p" "${r%%:*}" >>"$rows"
	printf '| %s | verify | openssl speed | – | – | – | – | %s | 1.00 |\n' "$p" "${r#*:}" >>"$rows"
done

echo "== rsa-sha256: sign" >&2
mkdir "$W/xs" "$W/jdk"
row rsa-sha256 sign "libxml2 + xmlsec1" "$rsa_sign" \
	"$W/xmlsec_pipeline" sign "$W/rsa.key" "$W/rsa.crt" "$W/xs" "$W"/in/*.xml
row rsa-sha256 sign "JDK javax.xml.crypto" "$rsa_sign" \
	java -cp "$W" JdkPipeline sign "$W/rsa.pk8" "$W/rsa.crt" "$W/jdk" "$W"/in/*.xml
for j in 1 2; do
	rm -rf "$W/cg"
	row rsa-sha256 sign "cebgate -j $j" "$rsa_sign" \
		"$CLI" sign --key "$W/rsa.key" --cert "$W/rsa.crt" --profile rsa-sha256 -j $j -o "$W/cg" "$W/in"
done
# Each pipeline's output is a valid signature: cebgate checks a hundred of each.
for d in xs jdk; do
	# shellcheck disable=SC2046 # file names made here: digits and .xml
	"$CLI" verify -j 2 $(find "$W/$d" -name '*.xml' | sort | head -n 100) >"$W/check.out" || {
		echo "side_by_side.sh: cebgate does not accept the $d pipeline's signatures" >&2
		tail -n 3 "$W/check.out" >&2
		exit 1
	}
done
rm -rf "$W/xs" "$W/jdk"

echo "== rsa-sha256: verify (the files cebgate signed)" >&2
row rsa-sha256 verify "libxml2 + xmlsec1" "$rsa_verify" "$W/xmlsec_pipeline" verify "$W/rsa.crt" "$W"/cg/*.xml
row rsa-sha256 verify "JDK javax.xml.crypto" "$rsa_verify" \
	java -cp "$W" JdkPipeline verify "$W/rsa.crt" "$W"/cg/*.xml
for j in 1 2; do
	row rsa-sha256 verify "cebgate -j $j" "$rsa_verify" "$CLI" verify -j $j "$W/cg"
done

echo "== sm2-sm3: sign and verify" >&2
for j in 1 2; do
	rm -rf "$W/cg"
	row sm2-sm3 sign "cebgate -j $j" "$sm2_sign" \
		"$CLI" sign --key "$W/sm2.key" --cert "$W/sm2.crt" --profile sm2-sm3 -j $j -o "$W/cg" "$W/in"
done
for j in 1 2; do
	row sm2-sm3 verify "cebgate -j $j" "$sm2_verify" "$CLI" verify -j $j "$W/cg"
done

echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) processors"
echo "| profile | op | pipeline | messages | wall s | CPU s | msg/s (wall) | msg per CPU s | / openssl speed (per CPU s) |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|"
sort -s -t'|' -k2,3 "$rows"
