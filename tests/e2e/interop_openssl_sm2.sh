#!/bin/sh
# SPDX-License-Identifier: MIT
# An independent check of cebgate's SM2-SM3 signatures (ceb-spec §6.3) with the openssl and
# xmllint command lines and a little Python for text surgery and ASN.1
# (tests/interop/sm2_helper.py), none of cebgate's code:
#  - cebgate signs; DigestValue = base64(SM3(C14N(document without ds:Signature))), and
#    `openssl dgst -sm3 -verify -sigopt distid:1234567812345678` accepts SignatureValue (raw
#    r||s turned into DER, or DER with --sm2-der) over C14N(SignedInfo) in its final context;
#  - openssl signs a hand-assembled document (202205 URIs), raw and DER: cebgate accepts it,
#    and refuses it once changed or when signed without the default user ID.
# The canonical bytes come from libxml2 here as in cebgate (xmllint --c14n): the C14N itself
# is checked independently by the Java and xmlsec1 tests, not by this one.
set -eu

name='interop-sm2'
# shellcheck source=tests/interop/common.sh
. "${top_srcdir:?top_srcdir must be set}/tests/interop/common.sh"
need openssl xmllint python3

helper() {
	python3 "$interop/sm2_helper.py" "$@"
}
distid=1234567812345678
uri_c14n=http://www.w3.org/TR/2001/REC-xml-c14n-20010315
uri_sm2=http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3
uri_sm3=http://www.chinaport.gov.cn/2022/04/xmldsig#sm3
uri_env=http://www.w3.org/2000/09/xmldsig#enveloped-signature
ns_ds=http://www.w3.org/2000/09/xmldsig#

# The serial of the ceb-spec example: its padded form keeps the leading zero.
sm2_cert "$tmp/sm2" 0x03000000000CDE6F || { diag_file "$tmp/sm2/err"; bail "SM2 key"; }
pub="$tmp/sm2/pub.pem"
serial=$(serial_hex "$tmp/sm2/cert.pem")

# sm3_b64 FILE: base64 of the SM3 of FILE's bytes.
sm3_b64() {
	openssl dgst -sm3 -binary "$1" | openssl base64 -A
}

# ---- cebgate signs, openssl checks ----------------------------------------------------------

# check_cebgate SIGNED FORM LABEL: DigestValue and SignatureValue (FORM raw or der) of a
# cebgate SM2 signature, recomputed and verified without cebgate.
check_cebgate() {
	f=$1
	d="$tmp/check-$3"
	mkdir "$d"
	# DigestValue: SM3 of the canonical document with the Signature element removed.
	helper strip-signature "$f" "$d/unsigned.xml"
	xmllint --c14n "$d/unsigned.xml" >"$d/doc.c14n"
	want=$(sm3_b64 "$d/doc.c14n")
	got=$(helper field "$f" DigestValue)
	if [ -n "$got" ] && [ "$got" = "$want" ]; then
		pass "$3: DigestValue = base64(SM3(xmllint --c14n of the document without" \
			"ds:Signature))"
	else
		fail "$3: DigestValue $got, openssl computes $want"
	fi
	# SignatureValue over the canonical SignedInfo in the context of its final position.
	helper signedinfo "$f" "$d/si.xml"
	xmllint --c14n "$d/si.xml" >"$d/si.c14n"
	helper field "$f" SignatureValue >"$d/sv.b64"
	helper b64decode "$d/sv.b64" "$d/sv.bin"
	size=$(wc -c <"$d/sv.bin" | tr -d ' ')
	if [ "$2" = raw ]; then
		if [ "$size" -eq 64 ] && helper raw2der "$d/sv.bin" "$d/sv.der"; then
			pass "$3: SignatureValue is 64 bytes raw r||s"
		else
			fail "$3: SignatureValue is $size bytes, expected 64 (raw r||s)"
		fi
	else
		cp "$d/sv.bin" "$d/sv.der"
		# A DER SEQUENCE of two INTEGERs of at most 32 bytes (the length varies).
		if [ "$size" -ne 64 ] && helper der2raw "$d/sv.der" "$d/sv.raw" 2>/dev/null; then
			pass "$3: SignatureValue is DER ($size bytes)"
		else
			fail "$3: SignatureValue is not DER ($size bytes)"
		fi
	fi
	tool openssl dgst -sm3 -verify "$pub" -sigopt "distid:$distid" -signature "$d/sv.der" \
		"$d/si.c14n"
	if [ "$rc" -eq 0 ] && grep -q 'Verified OK' "$tmp/out"; then
		pass "$3: openssl dgst -sm3 -verify (distid $distid) accepts SignatureValue over" \
			"C14N(SignedInfo)"
	else
		fail "$3: openssl refuses SignatureValue over C14N(SignedInfo) (exit $rc)"
		diag_file "$tmp/out" "$tmp/err" "$d/si.c14n"
	fi
	# Controls: the same value must fail over other bytes and with another user ID.
	sed 's#</ds:DigestValue>#x</ds:DigestValue>#' "$d/si.c14n" >"$d/si-changed.c14n"
	bad=0
	openssl dgst -sm3 -verify "$pub" -sigopt "distid:$distid" -signature "$d/sv.der" \
		"$d/si-changed.c14n" >/dev/null 2>&1 && bad=1
	openssl dgst -sm3 -verify "$pub" -signature "$d/sv.der" "$d/si.c14n" >/dev/null 2>&1 && \
		bad=1
	if [ "$bad" -eq 0 ]; then
		pass "$3: control: openssl refuses it over a changed SignedInfo and without the" \
			"user ID"
	else
		fail "$3: control: openssl accepts the value where it must not"
	fi
}

for s in CEB621-inventory CEB311-order; do
	cli_signs "cebgate sign sm2-sm3 $s.xml (raw r||s)" --key "$tmp/sm2/key.pem" \
		--cert "$tmp/sm2/cert.pem" --profile sm2-sm3 "$samples/$s.xml" -o "$tmp/cg-$s.xml"
	if [ "$rc" -eq 0 ]; then
		check_cebgate "$tmp/cg-$s.xml" raw "$s"
	fi
done
cli_signs "cebgate sign sm2-sm3 --sm2-der CEB621-inventory.xml" --key "$tmp/sm2/key.pem" \
	--cert "$tmp/sm2/cert.pem" --sm2-der "$samples/CEB621-inventory.xml" -o "$tmp/cg-der.xml"
if [ "$rc" -eq 0 ]; then
	check_cebgate "$tmp/cg-der.xml" der "CEB621-inventory --sm2-der"
fi
if grep -q "<ds:KeyName>$serial</ds:KeyName>" "$tmp/cg-CEB621-inventory.xml" &&
	grep -q "Algorithm=\"$uri_sm2\"" "$tmp/cg-CEB621-inventory.xml" &&
	grep -q "Algorithm=\"$uri_sm3\"" "$tmp/cg-CEB621-inventory.xml"; then
	pass "cebgate's SM2 signature has the 202205 URIs and KeyName $serial"
else
	fail "cebgate's SM2 signature lacks the 202205 URIs or KeyName $serial"
fi

# ---- openssl signs a hand-assembled document, cebgate verifies -----------------------------

src="$samples/CEB621-inventory.xml"
cert_b64=$(openssl x509 -in "$tmp/sm2/cert.pem" -outform DER | openssl base64 -A)
xmllint --c14n "$src" >"$tmp/hand-doc.c14n"
digest=$(sm3_b64 "$tmp/hand-doc.c14n")

# signed_info DECLS: SignedInfo (with whitespace, which C14N keeps) and the namespace
# declarations DECLS on its start tag.
signed_info() {
	printf '<ds:SignedInfo%s>\n' "$1"
	printf '      <ds:CanonicalizationMethod Algorithm="%s"/>\n' "$uri_c14n"
	printf '      <ds:SignatureMethod Algorithm="%s"/>\n' "$uri_sm2"
	printf '      <ds:Reference URI="">\n'
	printf '        <ds:Transforms><ds:Transform Algorithm="%s"/></ds:Transforms>\n' "$uri_env"
	printf '        <ds:DigestMethod Algorithm="%s"/>\n' "$uri_sm3"
	printf '        <ds:DigestValue>%s</ds:DigestValue>\n' "$digest"
	printf '      </ds:Reference>\n'
	printf '    </ds:SignedInfo>'
}
# What is in scope at its final place: the root's xmlns:ceb and xmlns:xsi, the Signature's ds.
decls=" xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\" xmlns:ds=\"$ns_ds\""
decls="$decls xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
signed_info "$decls" >"$tmp/hand-si.xml"
xmllint --c14n "$tmp/hand-si.xml" >"$tmp/hand-si.c14n"
head -c 200 "$tmp/hand-si.c14n" >"$tmp/hand-si.head"
openssl dgst -sm3 -sign "$tmp/sm2/key.pem" -sigopt "distid:$distid" -out "$tmp/hand.der" \
	"$tmp/hand-si.c14n"
helper der2raw "$tmp/hand.der" "$tmp/hand.raw"
openssl dgst -sm3 -sign "$tmp/sm2/key.pem" -out "$tmp/hand-noid.der" "$tmp/hand-si.c14n"

# assemble VALUE OUT: the unsigned sample with ds:Signature as the root's last child,
# inserted just before the root's end tag so that the enveloped transform gives back the
# sample byte for byte (whitespace around the Signature would be part of the document).
assemble() {
	{
		sed '$d' "$src"
		printf '<ds:Signature xmlns:ds="%s">\n    ' "$ns_ds"
		signed_info ""
		printf '\n    <ds:SignatureValue>%s</ds:SignatureValue>\n' \
			"$(openssl base64 -A -in "$1")"
		printf '    <ds:KeyInfo>\n      <ds:KeyName>%s</ds:KeyName>\n' "$serial"
		printf '      <ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate>' \
			"$cert_b64"
		printf '</ds:X509Data>\n'
		printf '    </ds:KeyInfo>\n  </ds:Signature>'
		tail -n 1 "$src"
	} >"$2"
}
[ "$(tail -n 1 "$src")" = "</ceb:CEB621Message>" ] ||
	bail "$src does not end with its root's end tag"
assemble "$tmp/hand.raw" "$tmp/hand-raw.xml"
assemble "$tmp/hand.der" "$tmp/hand-der.xml"
assemble "$tmp/hand-noid.der" "$tmp/hand-noid.xml"

# The canonical SignedInfo starts as ceb-spec §6.3 says: three declarations, by prefix.
si_head='<ds:SignedInfo xmlns:ceb="http://www.chinaport.gov.cn/ceb"'
si_head="$si_head xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\""
si_head="$si_head xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
if grep -q -F "$si_head" "$tmp/hand-si.head"; then
	pass "hand-assembled: canonical SignedInfo starts with the ceb, ds and xsi declarations"
else
	fail "hand-assembled: unexpected canonical SignedInfo"
	diag_file "$tmp/hand-si.head"
fi
run verify --explain "$tmp/hand-raw.xml"
if sane && [ "$rc" -eq 0 ] && grep -q 'raw r||s' "$tmp/out"; then
	pass "cebgate verify accepts openssl's SM2 signature, raw r||s"
else
	fail "cebgate verify refuses openssl's SM2 signature, raw r||s (exit $rc)"
	diag_file "$tmp/out" "$tmp/err"
fi
run verify --explain "$tmp/hand-der.xml"
if sane && [ "$rc" -eq 0 ] && grep -q '(DER)' "$tmp/out"; then
	pass "cebgate verify accepts openssl's SM2 signature, DER"
else
	fail "cebgate verify refuses openssl's SM2 signature, DER (exit $rc)"
	diag_file "$tmp/out" "$tmp/err"
fi
tamper "$tmp/hand-raw.xml" "$tmp/hand-tampered.xml"
run verify --json "$tmp/hand-tampered.xml"
if sane && [ "$rc" -eq 1 ] && grep -q '"CG3014"' "$tmp/out"; then
	pass "cebgate verify refuses openssl's SM2 signature after a value changed (CG3014)"
else
	fail "cebgate verify of a tampered document signed by openssl (exit $rc, expected 1 with" \
		"CG3014)"
	diag_file "$tmp/out" "$tmp/err"
fi
run verify --explain "$tmp/hand-noid.xml"
if sane && [ "$rc" -eq 1 ] && grep -q "$distid" "$tmp/out"; then
	pass "cebgate verify refuses an SM2 signature made without user ID $distid, and says so"
else
	fail "cebgate verify of an SM2 signature without the default user ID (exit $rc, expected" \
		"1)"
	diag_file "$tmp/out" "$tmp/err"
fi

# r and s swapped, and each little-endian: refused, and --explain names the mistake.
python3 -c 'import sys; d = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(d[32:] + d[:32])' "$tmp/hand.raw" "$tmp/hand-swapped.raw"
python3 -c 'import sys; d = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(d[:32][::-1] + d[32:][::-1])' "$tmp/hand.raw" "$tmp/hand-le.raw"
assemble "$tmp/hand-swapped.raw" "$tmp/hand-swapped.xml"
assemble "$tmp/hand-le.raw" "$tmp/hand-le.xml"
run verify --explain "$tmp/hand-swapped.xml"
if sane && [ "$rc" -eq 1 ] && grep -q 'r and s in the wrong order' "$tmp/out"; then
	pass "an SM2 value as s||r: refused, --explain says r and s are in the wrong order"
else
	fail "an SM2 value as s||r (exit $rc, expected 1 naming the order)"
	diag_file "$tmp/out" "$tmp/err"
fi
run verify --explain "$tmp/hand-le.xml"
if sane && [ "$rc" -eq 1 ] && grep -q 'little-endian' "$tmp/out"; then
	pass "an SM2 value with r and s little-endian: refused, --explain says so"
else
	fail "an SM2 value with little-endian r and s (exit $rc, expected 1 naming it)"
	diag_file "$tmp/out" "$tmp/err"
fi
{ cat "$tmp/hand.der"; printf 'x'; } >"$tmp/hand-trail.der"
assemble "$tmp/hand-trail.der" "$tmp/hand-trail.xml"
run verify --explain "$tmp/hand-trail.xml"
if sane && [ "$rc" -eq 1 ] && grep -q 'DER with bytes after its end' "$tmp/out"; then
	pass "a DER SM2 value with a byte after it: refused, --explain says so"
else
	fail "a DER SM2 value with a trailing byte (exit $rc, expected 1 naming it)"
	diag_file "$tmp/out" "$tmp/err"
fi

# The S9 UKey style (ceb-spec 6.3): SM2 signature, SHA-1 DigestMethod. It verifies, with the
# warning CG3017 that the 202205 rules say SM3.
uri_sm3="http://www.w3.org/2000/09/xmldsig#sha1"
digest=$(openssl dgst -sha1 -binary "$tmp/hand-doc.c14n" | openssl base64 -A)
signed_info "$decls" >"$tmp/s9-si.xml"
xmllint --c14n "$tmp/s9-si.xml" >"$tmp/s9-si.c14n"
openssl dgst -sm3 -sign "$tmp/sm2/key.pem" -sigopt "distid:$distid" -out "$tmp/s9.der" \
	"$tmp/s9-si.c14n"
helper der2raw "$tmp/s9.der" "$tmp/s9.raw"
assemble "$tmp/s9.raw" "$tmp/s9.xml"
run verify --explain "$tmp/s9.xml"
if sane && [ "$rc" -eq 0 ] && grep -q 'warning CG3017' "$tmp/out"; then
	pass "SM2 with a SHA-1 DigestMethod (the S9 UKey style): valid, with warning CG3017"
else
	fail "SM2 with a SHA-1 DigestMethod (exit $rc, expected 0 with CG3017)"
	diag_file "$tmp/out" "$tmp/err"
fi

done_testing
