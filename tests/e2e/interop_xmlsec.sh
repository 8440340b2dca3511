#!/bin/sh
# SPDX-License-Identifier: MIT
# Interoperability with the xmlsec1 command line: cebgate's rsa-sha1 and rsa-sha256
# signatures verify with `xmlsec1 --verify`, signatures that `xmlsec1 --sign` makes from our
# templates (tests/interop/xmlsec-template-rsa-*.xml) verify with `cebgate verify`, and each
# side refuses a document the other signed and someone then changed.
set -eu

name='interop-xmlsec'
# shellcheck source=tests/interop/common.sh
. "${top_srcdir:?top_srcdir must be set}/tests/interop/common.sh"
need openssl xmlsec1

# The key's serial has a leading zero byte: KeyName must keep it (ceb-spec §6.3 step 5).
rsa_cert "$tmp/rsa" 0x01691fe9 || { diag_file "$tmp/rsa/err"; bail "openssl req"; }
rsa_cert "$tmp/other" 0x7a || bail "openssl req"
cert="$tmp/rsa/cert.pem"
serial=$(serial_hex "$cert")

# xmlsec_verify CERT FILE: the xmlsec1 command line as a third party would run it.
xmlsec_verify() {
	tool xmlsec1 --verify --pubkey-cert-pem "$1" --enabled-reference-uris empty "$2"
}

# ---- cebgate signs, xmlsec1 verifies -------------------------------------------------------

for alg in sha1 sha256; do
	for s in CEB621-inventory CEB311-order; do
		out="$tmp/cg-$alg-$s.xml"
		cli_signs "cebgate sign --profile rsa-$alg $s.xml" --key "$tmp/rsa/key.pem" \
			--cert "$cert" --profile "rsa-$alg" "$samples/$s.xml" -o "$out"
		xmlsec_verify "$cert" "$out"
		if [ "$rc" -eq 0 ] && grep -q '^OK' "$tmp/out" "$tmp/err"; then
			pass "xmlsec1 --verify accepts cebgate's rsa-$alg signature of $s.xml"
		else
			fail "xmlsec1 --verify refuses cebgate's rsa-$alg signature of $s.xml" \
				"(exit $rc)"
			diag_file "$tmp/out" "$tmp/err"
		fi
	done
	tamper "$tmp/cg-$alg-CEB621-inventory.xml" "$tmp/cg-$alg-tampered.xml"
	xmlsec_verify "$cert" "$tmp/cg-$alg-tampered.xml"
	if [ "$rc" -ne 0 ] && grep -q '^FAIL' "$tmp/out" "$tmp/err"; then
		pass "xmlsec1 --verify refuses a cebgate rsa-$alg signature after a value changed"
	else
		fail "xmlsec1 --verify accepts a tampered cebgate rsa-$alg signature (exit $rc)"
		diag_file "$tmp/out" "$tmp/err"
	fi
done

# Control: xmlsec1 checks with the key we give it, not only with the certificate in KeyInfo.
xmlsec_verify "$tmp/other/cert.pem" "$tmp/cg-sha256-CEB621-inventory.xml"
if [ "$rc" -ne 0 ] && grep -q '^FAIL' "$tmp/out" "$tmp/err"; then
	pass "control: xmlsec1 --verify with another certificate refuses cebgate's signature"
else
	fail "control: xmlsec1 --verify with another certificate accepts cebgate's signature"
	diag_file "$tmp/out" "$tmp/err"
fi

# ---- xmlsec1 signs from our templates, cebgate verifies ----------------------------------

for alg in sha1 sha256; do
	tmpl="$interop/xmlsec-template-rsa-$alg.xml"
	out="$tmp/xs-$alg.xml"
	# ":NAME" names the key: xmlsec1 writes that name into the empty KeyName. The
	# certificate after the comma fills the empty X509Certificate.
	tool xmlsec1 --sign --privkey-pem:"$serial" "$tmp/rsa/key.pem,$cert" \
		--enabled-reference-uris empty --output "$out" "$tmpl"
	if [ "$rc" -eq 0 ] && [ -s "$out" ] &&
		grep -q "<ds:KeyName>$serial</ds:KeyName>" "$out" &&
		[ "$(grep -c '<ds:X509Certificate>' "$out")" -eq 1 ]; then
		pass "xmlsec1 --sign fills the rsa-$alg template (KeyName $serial, one" \
			"certificate)"
	else
		fail "xmlsec1 --sign of the rsa-$alg template (exit $rc)"
		diag_file "$tmp/err" "$out"
	fi
	run verify --explain "$out"
	if sane && [ "$rc" -eq 0 ] && grep -q "profile *rsa-$alg" "$tmp/out"; then
		pass "cebgate verify accepts xmlsec1's rsa-$alg signature"
	else
		fail "cebgate verify refuses xmlsec1's rsa-$alg signature (exit $rc)"
		diag_file "$tmp/out" "$tmp/err"
	fi
	tamper "$out" "$tmp/xs-$alg-tampered.xml"
	run verify --json "$tmp/xs-$alg-tampered.xml"
	if sane && [ "$rc" -eq 1 ] && grep -q '"CG3014"' "$tmp/out"; then
		pass "cebgate verify refuses xmlsec1's rsa-$alg signature after a value changed" \
			"(CG3014)"
	else
		fail "cebgate verify of a tampered xmlsec1 rsa-$alg signature (exit $rc," \
			"expected 1 with CG3014)"
		diag_file "$tmp/out" "$tmp/err"
	fi
done

# ---- one byte changed: the same verdict as xmlsec1 ----------------------------------------
# cebgate canonicalizes straight into the digest, with the Signature taken out of the walk:
# a change inside what is digested or signed is refused by both, a change that C14N or the
# enveloped transform leaves out is accepted by both.

signed="$tmp/cg-sha256-CEB621-inventory.xml"
while IFS='|' read -r want expr what; do
	v="$tmp/variant.xml"
	sed -e "$expr" "$signed" >"$v"
	! cmp -s "$signed" "$v" || bail "variant '$what': nothing changed"
	xmlsec_verify "$cert" "$v"
	xs=$rc
	run verify "$v"
	if sane && { { [ "$want" = accept ] && [ "$xs" -eq 0 ] && [ "$rc" -eq 0 ]; } ||
		{ [ "$want" = refuse ] && [ "$xs" -ne 0 ] && [ "$rc" -eq 1 ]; }; }; then
		pass "$what: xmlsec1 and cebgate both $want it"
	else
		fail "$what: expected both to $want it; xmlsec1 exit $xs, cebgate exit $rc"
		diag_file "$tmp/out" "$tmp/err"
	fi
done <<'VARIANTS'
refuse|s#<ceb:appStatus>2<#<ceb:appStatus>3<#|a value of the inventory
refuse|2s#version="1.0"#version="1.1"#|an attribute of the root
refuse|s#</ceb:guid>#</ceb:guid> #|a space between two signed elements
refuse|s#"/><ds:SignatureMethod#"/> <ds:SignatureMethod#|a space inside SignedInfo
accept|1s#"#'#g|the XML declaration's quotes (not canonical content)
accept|s#<ceb:InventoryHead>#<ceb:InventoryHead >#|a space inside a start tag (C14N drops it)
accept|s#</ds:SignedInfo><ds:SignatureValue>#</ds:SignedInfo>\n<ds:SignatureValue>#|a line break in the Signature outside SignedInfo (the enveloped transform drops it)
VARIANTS

done_testing
