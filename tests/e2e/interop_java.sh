#!/bin/sh
# SPDX-License-Identifier: MIT
# Interoperability with the JDK's XML signatures (javax.xml.crypto.dsig, Java 17):
# tests/interop/java/CebXmlDsig.java is compiled with javac into the temporary directory.
# cebgate's rsa-sha1 and rsa-sha256 signatures verify in Java; Java's verify in cebgate,
# including the "&#13;" that the JDK writes at the end of every base64 line; each side
# refuses a document that was changed after the other signed it. A missing JDK fails the
# test: CI installs default-jdk-headless through scripts/install-deps.
set -eu

name='interop-java'
# shellcheck source=tests/interop/common.sh
. "${top_srcdir:?top_srcdir must be set}/tests/interop/common.sh"
need openssl javac java

rsa_cert "$tmp/rsa" 0x01691fe9 || { diag_file "$tmp/rsa/err"; bail "openssl req"; }
rsa_cert "$tmp/other" 0x7a || bail "openssl req"
cert="$tmp/rsa/cert.pem"
serial=$(serial_hex "$cert")

mkdir "$tmp/classes"
tool javac -Xlint:all -Werror -d "$tmp/classes" "$interop/java/CebXmlDsig.java"
if [ "$rc" -eq 0 ] && [ -f "$tmp/classes/CebXmlDsig.class" ]; then
	pass "javac compiles tests/interop/java/CebXmlDsig.java"
else
	fail "javac tests/interop/java/CebXmlDsig.java (exit $rc)"
	diag_file "$tmp/out" "$tmp/err"
	done_testing
	exit 1
fi

# jdsig MODE ARGS...: the Java program; rc, $tmp/out, $tmp/err.
jdsig() {
	tool java -XX:TieredStopAtLevel=1 -cp "$tmp/classes" CebXmlDsig "$@"
}

# ---- cebgate signs, Java verifies ----------------------------------------------------------

for alg in sha1 sha256; do
	for s in CEB621-inventory CEB311-order; do
		out="$tmp/cg-$alg-$s.xml"
		cli_signs "cebgate sign --profile rsa-$alg $s.xml" --key "$tmp/rsa/key.pem" \
			--cert "$cert" --profile "rsa-$alg" "$samples/$s.xml" -o "$out"
		jdsig verify "$out" "$cert"
		if [ "$rc" -eq 0 ] && grep -q '^VALID' "$tmp/out"; then
			pass "Java accepts cebgate's rsa-$alg signature of $s.xml"
		else
			fail "Java refuses cebgate's rsa-$alg signature of $s.xml (exit $rc)"
			diag_file "$tmp/out" "$tmp/err"
		fi
	done
	tamper "$tmp/cg-$alg-CEB621-inventory.xml" "$tmp/cg-$alg-tampered.xml"
	jdsig verify "$tmp/cg-$alg-tampered.xml" "$cert"
	if [ "$rc" -eq 1 ] && grep -q '^Reference URI="" FAIL' "$tmp/out"; then
		pass "Java refuses a cebgate rsa-$alg signature after a value changed (reference" \
			"fails)"
	else
		fail "Java on a tampered cebgate rsa-$alg signature (exit $rc, expected 1)"
		diag_file "$tmp/out" "$tmp/err"
	fi
done

# security.md: with secure validation on (the JDK's default) Java 17 refuses SHA-1, which is
# why `verify` switches it off for rsa-sha1 only.
jdsig verify-secure "$tmp/cg-sha1-CEB621-inventory.xml" "$cert"
if [ "$rc" -eq 1 ] && grep -q -i 'forbidden.*sha1' "$tmp/out"; then
	pass "Java 17 with secure validation on refuses rsa-sha1, as security.md says"
else
	fail "Java with secure validation on and rsa-sha1 (exit $rc, expected 1): update" \
		"security.md?"
	diag_file "$tmp/out" "$tmp/err"
fi

# Control: Java checks with the key of the certificate we give it.
jdsig verify "$tmp/cg-sha256-CEB621-inventory.xml" "$tmp/other/cert.pem"
if [ "$rc" -eq 1 ] && grep -q '^SignatureValue FAIL' "$tmp/out"; then
	pass "control: Java with another certificate refuses cebgate's signature"
else
	fail "control: Java with another certificate (exit $rc, expected 1)"
	diag_file "$tmp/out" "$tmp/err"
fi

# ---- Java signs, cebgate verifies ----------------------------------------------------------

cr='&#13;'
for alg in sha1 sha256; do
	out="$tmp/java-$alg.xml"
	jdsig sign "$samples/CEB621-inventory.xml" "$tmp/rsa/key.pk8" "$cert" "$out" "rsa-$alg"
	if [ "$rc" -eq 0 ] && grep -q "<ds:KeyName>$serial</ds:KeyName>" "$out"; then
		pass "Java signs CEB621-inventory.xml with rsa-$alg (KeyName $serial)"
	else
		fail "Java sign rsa-$alg (exit $rc)"
		diag_file "$tmp/out" "$tmp/err"
	fi
	# The case security.md warns about: CR kept as a character reference in the base64 of
	# both SignatureValue and X509Certificate.
	if python3 - "$out" "$cr" <<'EOF'
import re, sys
doc = open(sys.argv[1], encoding="utf-8").read()
for name in ("SignatureValue", "X509Certificate"):
    m = re.search(r"<ds:%s>(.*?)</ds:%s>" % (name, name), doc, re.S)
    if m is None or sys.argv[2] + "\n" not in m.group(1):
        sys.exit("%s has no %s line ends" % (name, sys.argv[2]))
EOF
	then
		pass "Java's rsa-$alg output has $cr line ends in SignatureValue and" \
			"X509Certificate"
	else
		fail "Java's rsa-$alg output lacks $cr line ends: the case is not exercised"
	fi
	run verify --explain "$out"
	if sane && [ "$rc" -eq 0 ] && grep -q "profile *rsa-$alg" "$tmp/out"; then
		pass "cebgate verify accepts Java's rsa-$alg signature ($cr in base64)"
	else
		fail "cebgate verify refuses Java's rsa-$alg signature (exit $rc)"
		diag_file "$tmp/out" "$tmp/err"
	fi
	jdsig verify "$out" "$cert"
	if [ "$rc" -eq 0 ]; then
		pass "Java accepts its own rsa-$alg signature (the program is sound)"
	else
		fail "Java refuses its own rsa-$alg signature (exit $rc)"
		diag_file "$tmp/out" "$tmp/err"
	fi
	tamper "$out" "$tmp/java-$alg-tampered.xml"
	run verify --json "$tmp/java-$alg-tampered.xml"
	if sane && [ "$rc" -eq 1 ] && grep -q '"CG3014"' "$tmp/out"; then
		pass "cebgate verify refuses Java's rsa-$alg signature after a value changed" \
			"(CG3014)"
	else
		fail "cebgate verify of a tampered Java rsa-$alg signature (exit $rc, expected 1" \
			"with CG3014)"
		diag_file "$tmp/out" "$tmp/err"
	fi
done

done_testing
