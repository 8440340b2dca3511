#!/bin/sh
# SPDX-License-Identifier: MIT
# Signing and verification throughput against the raw algorithm rate of this machine.
#
#   BUILD=/tmp/bench-build bench/sign_bench.sh [N]            benchmark + `openssl speed`
#   BUILD=/tmp/bench-build bench/sign_bench.sh --profile [N]  where the time goes, per phase
#
# Needs BUILD/bench/sign_bench (bench/build.sh makes it). Keys are generated with the openssl
# command line into a temporary directory, removed at the end: an RSA-2048 key for rsa-sha1
# and rsa-sha256 (the same key), an SM2 key with a self-signed SM3 certificate for sm2-sm3.
#
# Benchmark (the default): in one run, on one thread,
#   1. openssl speed -seconds 3 rsa2048   (RSA sign/s and verify/s)
#   2. openssl speed -seconds 3 sm2       (when this openssl has it; else the raw SM2 rate is
#                                          sign_bench's own EVP figure: 1 KB, SM3, default id)
#   3. sign_bench [-n N] with the keys: per profile and sample, cg_sign_buffer() with the
#      self-check on (the default) and off, cg_verify_buffer(), the "floor" (libxml2 parse,
#      C14N, digest, sign, serialize without cebgate: what any tree-based signer pays) and
#      the raw EVP rates
# then a summary: whole-message rate / raw rate per profile. The target is signing at
# >= 0.80 of the raw algorithm rate per core. Without N each measurement lasts about 3 s.
#
# --profile: for each profile, sign, sign without self-check and verify of the CEB621
# inventory for N iterations (default 2000) under `perf record -e cpu-clock` (a software
# timer: works where hardware counters do not) with DWARF call graphs, each sample attributed
# to the innermost cebgate phase it is in (parse, C14N, RSA/SM2 operation, serialize, the
# self-check's steps ...). Figures are the share of samples times the CPU µs/op of a run of
# the same N without perf. Without a usable perf, valgrind --tool=callgrind gives inclusive
# instruction counts per call of the same functions instead.
#
# Output goes to stdout; the raw outputs to OUT (default bench/out/, ignored by git).
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-/tmp/bench-build}
OUT=${OUT:-$SRC/bench/out}
BENCH=$BUILD/bench/sign_bench
SAMPLE=CEB621-inventory.xml
PROFILES="rsa-sha1 rsa-sha256 sm2-sm3"

mode=bench
if [ "${1:-}" = --profile ]; then
	mode=profile
	shift
fi
n=${1:-0}
case $n in
'' | *[!0-9]*) echo "usage: sign_bench.sh [--profile] [N]" >&2; exit 2 ;;
esac
[ -x "$BENCH" ] || { echo "sign_bench.sh: no $BENCH (run bench/build.sh)" >&2; exit 2; }
command -v openssl >/dev/null || { echo "sign_bench.sh: needs the openssl command" >&2; exit 2; }
mkdir -p "$OUT"

KEYS=$(mktemp -d "${TMPDIR:-/tmp}/sign-bench.XXXXXX")
trap 'rm -rf "$KEYS"' EXIT INT TERM
(
	cd "$KEYS"
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key 2>/dev/null
	openssl req -new -x509 -key rsa.key -sha256 -subj /CN=bench -days 30 \
		-set_serial 0x3000000000CDE6E -out rsa.crt
	openssl ecparam -genkey -name SM2 -out sm2.key
	openssl req -new -x509 -key sm2.key -sm3 -sigopt distid:1234567812345678 -subj /CN=bench \
		-days 30 -set_serial 0x3000000000CDE6F -out sm2.crt
) || { echo "sign_bench.sh: cannot generate the keys" >&2; exit 1; }
set -- "$KEYS/rsa.key" "$KEYS/rsa.crt" "$KEYS/sm2.key" "$KEYS/sm2.crt"
export CEBGATE_DATADIR="$SRC"

# ---------------------------------------------------------------------------- benchmark
if [ $mode = bench ]; then
	nopt=
	[ "$n" -eq 0 ] || nopt="-n $n"
	echo "== openssl speed -seconds 3 rsa2048"
	openssl speed -seconds 3 rsa2048 >"$OUT/speed-rsa.txt" 2>&1 || {
		cat "$OUT/speed-rsa.txt" >&2
		exit 1
	}
	grep -E '^(version|built|options|compiler|CPUINFO)|sign/s|^rsa' "$OUT/speed-rsa.txt" |
		grep -v '^compiler' || true
	echo "== openssl speed -seconds 3 sm2"
	if openssl speed -seconds 3 sm2 >"$OUT/speed-sm2.txt" 2>&1 &&
	    grep -q 'SM2' "$OUT/speed-sm2.txt"; then
		grep -E 'sign/s|SM2' "$OUT/speed-sm2.txt"
	else
		echo "(not supported by this openssl: the raw SM2 rate is sign_bench's EVP figure)"
		: >"$OUT/speed-sm2.txt"
	fi
	echo "== sign_bench $nopt (single thread)"
	# shellcheck disable=SC2086 # nopt is empty or two words
	"$BENCH" $nopt "$@" >"$OUT/sign.txt" || { cat "$OUT/sign.txt"; exit 1; }
	cat "$OUT/sign.txt"
	echo
	echo "== whole message / raw algorithm (per CPU second, one core; target: signing >= 0.80)"
	awk -v speed_rsa="$OUT/speed-rsa.txt" -v speed_sm2="$OUT/speed-sm2.txt" '
	BEGIN {
		while ((getline l < speed_rsa) > 0) {
			split(l, f, /[ \t]+/)
			if (l ~ /^rsa +2048 bits/) { rs["rsa"] = f[6]; rv["rsa"] = f[7] }
		}
		while ((getline l < speed_sm2) > 0) {
			if (l ~ /SM2/ && l ~ /bits/) {
				m = split(l, f, /[ \t]+/)
				rs["sm2"] = f[m - 1]; rv["sm2"] = f[m]
			}
		}
		printf "%-11s %-21s %7s %9s %7s %7s %6s %6s %6s %8s %7s %6s %s\n", "profile", "file",
		       "sign/s", "nocheck/s", "floor/s", "raw", "ratio", "nochk", "floor",
		       "verify/s", "raw", "ratio", "signing target"
	}
	/^profile +file +bytes/ { t = 1; next }
	t && NF == 10 {
		alg = $1 ~ /^sm2/ ? "sm2" : "rsa"
		src = "speed"
		s = rs[alg]; v = rv[alg]
		if (s == "") { s = $9; v = $10; src = "EVP" }
		printf "%-11s %-21s %7.0f %9.0f %7.0f %7.0f %6.3f %6.3f %6.3f %8.0f %7.0f %6.3f %s\n",
		       $1, $2, $5, $6, $8, s, $5 / s, $6 / s, $8 / s, $7, v, $7 / v,
		       ($5 / s >= 0.8 ? "met" : ($6 / s >= 0.8 ? "met only without self-check" \
							 : "NOT met")) \
		       (src == "EVP" ? " (raw: in-process EVP)" : "")
	}
	/^peak RSS/ { print "sign_bench " $0 }' "$OUT/sign.txt"
	echo "(raw = openssl speed: RSA-2048 for both RSA profiles, SM2 for sm2-sm3;" \
		"ratio = sign/s / raw, nochk = nocheck/s / raw, floor = floor/s / raw)"
	exit 0
fi

# ---------------------------------------------------------------------------- profile
[ "$n" -ne 0 ] || n=2000
ATTR=$KEYS/attr.py
cat >"$ATTR" <<'EOF'
# Attribute perf samples (perf script -F ip,sym: frames leaf first, blank line between
# samples) to the innermost cebgate phase on the stack. argv[1]: CPU us/op to scale by.
import collections, re, sys

KEYWRAP = {"X509_get_pubkey", "xmlSecOpenSSLEvpKeyAdopt", "xmlSecKeyCreate",
           "xmlSecKeySetValue", "xmlSecKeyReqMatchKey"}
RSAOP = {"RSA_sign", "RSA_verify", "EVP_SignFinal_ex", "EVP_VerifyFinal_ex", "EVP_PKEY_sign",
         "EVP_PKEY_verify", "RSA_private_encrypt", "RSA_public_decrypt"}

def xmlsec(has, p):
    if has(KEYWRAP): return p + "key wrap and key match (per message)"
    if has({"xmlSecDSigReferenceCtxProcessNode"}): return p + "Reference: C14N + digest of the document"
    if has(RSAOP): return p + "RSA operation"
    if has({"xmlSecDSigCtxInitialize", "xmlSecDSigCtxFinalize"}): return p + "context init/finalize"
    if has({"xmlSecTransformCtxXmlExecute", "xmlSecTransformCtxExecute"}): return p + "SignedInfo C14N"
    return p + "other"

def sm2(has, p, op):
    if has({"EVP_DigestSign", "EVP_DigestVerify", "EVP_DigestSignFinal", "EVP_DigestVerifyFinal"}):
        return p + op
    return p + "SM2 context setup, r||s <-> DER, free"

def classify(names):
    s = set(names)
    has = lambda n: bool(s & n)
    if "cg_sign_buffer" in s:
        if "cg__sig_self_check" in s:
            p = "self-check: "
            if has({"cg__xml_parse"}): return p + "re-parse of the output"
            if has({"decode_cert"}): return p + "certificate decode (d2i_X509) + compare"
            if has({"check_digest"}): return p + "C14N + digest of the document"
            if has({"rsa_xmlsec"}): return xmlsec(has, p + "xmlsec verify: ")
            if has({"cg__sm2_verify"}): return sm2(has, p, "SM2 verify")
            if has({"check_certificate"}): return p + "certificate checks"
            if has({"xmlFreeDoc"}): return p + "free the tree"
            return p + "other (shape checks, findings)"
        if "sign_rsa" in s: return xmlsec(has, "sign, xmlsec: ")
        if "sign_evp" in s or "sign_sm2" in s:
            p = "sign, libxml2 C14N + EVP: "
            if has({"cg__c14n_document"}): return p + "C14N of the document"
            if has({"cg__c14n_subtree"}): return p + "C14N of SignedInfo"
            if has({"cg__sm2_sign"}): return sm2(has, p, "SM2 operation (Z, SM3, EC)")
            if has({"rsa_sign"}): return p + "RSA operation"
            if has({"cg__digest"}): return p + "digest of the document"
            return p + "other"
        if has({"parse_input", "cg__xml_parse"}): return "parse of the input"
        if has({"build_signature"}): return "build the Signature element"
        if has({"add_keyinfo"}): return "add KeyInfo"
        if has({"xmlDocDumpMemoryEnc"}): return "serialize (xmlDocDumpMemoryEnc)"
        if has({"xmlFreeDoc"}): return "free the tree"
        return "cg_sign_buffer, other (copy of the output ...)"
    if "cg_verify_buffer" in s:
        p = "verify: "
        if has({"cg__xml_parse"}): return p + "parse"
        if has({"decode_cert"}): return p + "certificate decode (d2i_X509) + compare"
        if has({"check_certificate"}): return p + "certificate checks"
        if has({"check_digest"}): return p + "C14N + digest of the document"
        if has({"rsa_xmlsec"}): return xmlsec(has, p + "xmlsec: ")
        if has({"cg__sm2_verify"}): return sm2(has, p, "SM2 operation (Z, SM3, EC)")
        if has({"cg__c14n_subtree"}): return p + "C14N of SignedInfo"
        if has({"xmlFreeDoc"}): return p + "free the tree"
        return p + "other (shape checks, findings)"
    if "main" in s: return None  # the benchmark loop itself
    return "(stack not unwound)"

us = float(sys.argv[1])
count, cur = collections.Counter(), []
for line in list(sys.stdin) + [""]:
    line = line.strip()
    if line:
        m = re.match(r"[0-9a-f]+ (\S+)", line)
        if m: cur.append(m.group(1))
        continue
    if cur:
        count[classify(cur)] += 1
        cur = []
outside = count.pop(None, 0)
total = sum(count.values())
print("  %6s %6s %8s  %s" % ("samples", "share", "us/op", "phase"))
for k, v in sorted(count.items(), key=lambda kv: -kv[1]):
    print("  %6d %5.1f%% %8.1f  %s" % (v, 100.0 * v / total, us * v / total, k))
print("  (%d samples in the call, %d outside it; scaled to %.1f CPU us/op)" % (total, outside, us))
EOF

use_perf=0
if command -v perf >/dev/null &&
    perf record -q -e cpu-clock -o "$KEYS/probe.data" true >/dev/null 2>&1; then
	use_perf=1
elif ! command -v valgrind >/dev/null; then
	echo "sign_bench.sh: --profile needs perf or valgrind" >&2
	exit 2
fi
for p in $PROFILES; do
	for m in sign nocheck verify; do
		log=$OUT/profile-$p-$m
		# The plain run gives the CPU us/op the shares are scaled to.
		"$BENCH" -n "$n" -p "$p" -s "$SAMPLE" -m "$m" "$@" >"$log.txt"
		us=$(awk -v m="$m" '$3 == m { print $9; exit }' "$log.txt")
		echo "== $p $m, $SAMPLE, $n iterations: $us CPU us/op without the profiler"
		if [ $use_perf = 1 ]; then
			perf record -q -e cpu-clock -F 2000 --call-graph dwarf,16384 -o "$log.data" \
				"$BENCH" -n "$n" -p "$p" -s "$SAMPLE" -m "$m" "$@" >/dev/null 2>&1
			perf script -i "$log.data" -F ip,sym 2>/dev/null | python3 "$ATTR" "$us"
			rm -f "$log.data"
		else
			valgrind --tool=callgrind --callgrind-out-file="$log.callgrind" \
				"$BENCH" -n "$n" -p "$p" -s "$SAMPLE" -m "$m" "$@" >/dev/null 2>&1
			# Inclusive instructions per call (the loop makes N + 50 warm-up calls).
			callgrind_annotate --inclusive=yes "$log.callgrind" 2>/dev/null |
				awk -v calls=$((n + 50)) '
				/:(cg_sign_buffer|cg_verify_buffer|cg__xml_parse|sign_rsa|sign_sm2|cg__sm2_sign|cg__sm2_verify|cg__c14n_document|cg__c14n_subtree|xmlC14NExecute|xmlDocDumpMemoryEnc|cg__sig_self_check|cg__sig_verify_doc|d2i_X509|xmlSecDSigCtxSign|xmlSecDSigCtxVerify|xmlSecDSigReferenceCtxProcessNode|RSA_sign|RSA_verify|xmlFreeDoc) / {
					gsub(",", "", $1); fn = $3; sub(/^.*:/, "", fn); sub(/ .*/, "", fn)
					printf "  %12.0f Ir/call  %s\n", $1 / calls, fn
				}'
		fi
	done
done
