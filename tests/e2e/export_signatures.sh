#!/bin/sh
# SPDX-License-Identifier: MIT
# Signatures of the export family (ceb-export-spec.md §5) with the whole tail a declaration
# may carry: BaseTransfer, two BaseSubscribe, then the Signature, then ExtendMessage.
#  - every one of the 11 export declaration roots signs and verifies with rsa-sha1,
#    rsa-sha256 and sm2-sm3, the Signature lands after BaseSubscribe and before ExtendMessage,
#    the result validates against the export schema; a Signature elsewhere is refused (CG3003);
#  - each is wrapped in a DxpMsg for the export receiver DXPEDCCEB0000003;
#  - interop: cebgate's RSA signatures verify with the xmlsec1 command line and the JDK's
#    javax.xml.crypto (tests/interop/java/CebXmlDsig.java), theirs verify with cebgate;
#    cebgate's SM2 signatures are recomputed with openssl (tests/interop/sm2_helper.py), and
#    openssl's SM2 signature of a hand-assembled export message verifies with cebgate.
set -eu

name='export-signatures'
# shellcheck source=tests/interop/common.sh
. "${top_srcdir:?top_srcdir must be set}/tests/interop/common.sh"
need openssl xmlsec1 xmllint python3 javac java

X="$top_srcdir/samples/xml/export"
decls="CEB213Message CEB215Message CEB303Message CEB403Message CEB505Message CEB507Message
CEB509Message CEB603Message CEB605Message CEB607Message CEB701Message"
receiver=DXPEDCCEB0000003

rsa_cert "$tmp/rsa" 0x01691fe9 || { diag_file "$tmp/rsa/err"; bail "openssl req"; }
rsa_cert "$tmp/other" 0x7a || bail "openssl req"
sm2_cert "$tmp/sm2" 0x03000000000CDE6F || { diag_file "$tmp/sm2/err"; bail "SM2 key"; }
rsa="$tmp/rsa/cert.pem"
serial=$(serial_hex "$rsa")

# The export samples with the full tail: two subscribers and an extension after BaseTransfer.
mkdir "$tmp/full"
for r in $decls; do
	python3 - "$X/$r.xml" "$tmp/full/$r.xml" <<'PY'
import sys
s = open(sys.argv[1], encoding="utf-8").read()
tail = ("<ceb:BaseSubscribe><ceb:status>ALL</ceb:status><ceb:dxpMode>DXP</ceb:dxpMode>"
        "<ceb:dxpAddress>DXPENT0000999921</ceb:dxpAddress></ceb:BaseSubscribe>\n  "
        "<ceb:BaseSubscribe><ceb:status>RET</ceb:status><ceb:dxpMode>DXP</ceb:dxpMode>"
        "<ceb:dxpAddress>DXPENT0000999922</ceb:dxpAddress></ceb:BaseSubscribe>\n  "
        "<ceb:ExtendMessage><ceb:name>erp</ceb:name><ceb:version>1</ceb:version>"
        "<ceb:Message><e:ref xmlns:e=\"urn:example:erp\">PO-77</e:ref></ceb:Message>"
        "</ceb:ExtendMessage>\n")
assert s.count("</ceb:BaseTransfer>\n") == 1
open(sys.argv[2], "w", encoding="utf-8").write(s.replace("</ceb:BaseTransfer>\n", "</ceb:BaseTransfer>\n  " + tail))
PY
done
run validate --unsigned "$tmp/full"
expect_rc 0 "the 11 export declarations with BaseSubscribe and ExtendMessage validate unsigned"

# children FILE: the local names of the root's element children.
children() {
	python3 -c '
import sys, xml.dom.minidom as m
r = m.parse(sys.argv[1]).documentElement
print(" ".join(c.localName for c in r.childNodes if c.nodeType == 1))' "$1"
}
# tail_of FILE: the last five children, the part §5 orders.
tail_of() { children "$1" | awk '{ print $(NF-4), $(NF-3), $(NF-2), $(NF-1), $NF }'; }
want_tail="BaseTransfer BaseSubscribe BaseSubscribe Signature ExtendMessage"
# retouch IN OUT: one business value changed after signing (every root has BaseTransfer).
retouch() {
	sed 's#<ceb:copName>#<ceb:copName>改#' "$1" >"$2"
	! cmp -s "$1" "$2" || bail "retouch: nothing changed in $1"
}

# ---- cebgate: every root, every profile -----------------------------------------------------

for profile in rsa-sha1 rsa-sha256 sm2-sm3; do
	case $profile in sm2-sm3) k="$tmp/sm2" ;; *) k="$tmp/rsa" ;; esac
	mkdir "$tmp/$profile"
	bad=""
	for r in $decls; do
		out="$tmp/$profile/$r.xml"
		run sign --key "$k/key.pem" --cert "$k/cert.pem" --profile "$profile" \
			"$tmp/full/$r.xml" -o "$out"
		sane && [ "$rc" -eq 0 ] || { bad="$bad sign:$r"; continue; }
		[ "$(tail_of "$out")" = "$want_tail" ] || bad="$bad place:$r"
		run verify --pin-cert "$k/cert.pem" --explain "$out"
		sane && [ "$rc" -eq 0 ] && grep -q "profile *$profile" "$tmp/out" &&
			grep -q 'before ExtendMessage (export)' "$tmp/out" || bad="$bad verify:$r"
		retouch "$out" "$tmp/$profile/x-$r.xml"
		run verify --json "$tmp/$profile/x-$r.xml"
		sane && [ "$rc" -eq 1 ] && grep -q '"CG3014"' "$tmp/out" || bad="$bad tamper:$r"
	done
	is "$profile: the 11 declarations sign, the Signature after BaseSubscribe and before ExtendMessage, verify, and are refused once changed (CG3014)" "$bad" ""
	run validate "$tmp/$profile"
	expect_rc 0 "$profile: the 11 signed declarations validate against the export schema"
done

# A Signature after ExtendMessage (the import order) or before BaseSubscribe is misplaced.
# move FILE OUT WHERE: the Signature of FILE moved to the end or before the first BaseSubscribe.
move() {
	python3 - "$1" "$2" "$3" <<'PY'
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"<ds:Signature .*?</ds:Signature>", s, re.S)
sig, s = m.group(0), s[:m.start()] + s[m.end():]
if sys.argv[3] == "end":
    i = s.rindex("</ceb:")
else:
    i = s.index("<ceb:BaseSubscribe>")
open(sys.argv[2], "w", encoding="utf-8").write(s[:i] + sig + s[i:])
PY
}
for where in end subscribe; do
	move "$tmp/rsa-sha256/CEB603Message.xml" "$tmp/moved-$where.xml" "$where"
	run verify --json "$tmp/moved-$where.xml"
	if sane && [ "$rc" -eq 1 ] && grep -q '"CG3003"' "$tmp/out"; then
		pass "a Signature moved to the $where of an export inventory is refused (CG3003)"
	else
		fail "a Signature moved to the $where of an export inventory (exit $rc, expected 1" \
			"with CG3003)"
		diag_file "$tmp/out" "$tmp/err"
	fi
done
run validate "$tmp/moved-end.xml"
expect_rc 1 "and the export schema refuses the Signature after ExtendMessage"

# ---- DxpMsg to the export receiver ----------------------------------------------------------

mkdir "$tmp/dxp"
bad=""
for r in $decls; do
	run sign --key "$tmp/sm2/key.pem" --cert "$tmp/sm2/cert.pem" --dxp \
		--sender-id DXPENT0000999915 "$tmp/full/$r.xml" -o "$tmp/dxp/$r.xml"
	sane && [ "$rc" -eq 0 ] || { bad="$bad sign:$r"; continue; }
	run dxp unwrap "$tmp/dxp/$r.xml" -o "$tmp/dxp/$r.data"
	sane && [ "$rc" -eq 0 ] && grep -qx "ReceiverId $receiver" "$tmp/err" &&
		grep -qx "MsgType $r" "$tmp/err" && grep -qx 'SenderId DXPENT0000999915' "$tmp/err" ||
		bad="$bad envelope:$r"
	run verify --pin-cert "$tmp/sm2/cert.pem" "$tmp/dxp/$r.data"
	sane && [ "$rc" -eq 0 ] || bad="$bad data:$r"
	[ "$(tail_of "$tmp/dxp/$r.data")" = "$want_tail" ] || bad="$bad place:$r"
done
is "the 11 signed declarations wrap in a DxpMsg (SenderId, ReceiverId $receiver, MsgType the root) whose Data verifies" "$bad" ""
run verify --pin-cert "$tmp/sm2/cert.pem" "$tmp/dxp/CEB701Message.xml"
expect_rc 0 "verify takes the DxpMsg itself"

# ---- xmlsec1 ---------------------------------------------------------------------------------

# xmlsec_verify CERT FILE: the xmlsec1 command line as a third party would run it.
xmlsec_verify() {
	tool xmlsec1 --verify --pubkey-cert-pem "$1" --enabled-reference-uris empty "$2"
	[ "$rc" -eq 0 ] && grep -q '^OK' "$tmp/out" "$tmp/err"
}
for alg in sha1 sha256; do
	bad=""
	for r in $decls; do
		xmlsec_verify "$rsa" "$tmp/rsa-$alg/$r.xml" || bad="$bad $r"
		! xmlsec_verify "$rsa" "$tmp/rsa-$alg/x-$r.xml" || bad="$bad changed:$r"
	done
	is "xmlsec1 --verify accepts cebgate's rsa-$alg signatures of the 11 export declarations and refuses them once changed" "$bad" ""
done
if ! xmlsec_verify "$tmp/other/cert.pem" "$tmp/rsa-sha256/CEB603Message.xml"; then
	pass "control: xmlsec1 with another certificate refuses cebgate's export signature"
else
	fail "control: xmlsec1 with another certificate accepts cebgate's export signature"
fi

# template IN OUT ALG: IN with an empty Signature template before its ExtendMessage.
template() {
	python3 - "$1" "$2" "$3" <<'PY'
import sys
s = open(sys.argv[1], encoding="utf-8").read()
sm = {"sha1": "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
      "sha256": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"}[sys.argv[3]]
dm = {"sha1": "http://www.w3.org/2000/09/xmldsig#sha1",
      "sha256": "http://www.w3.org/2001/04/xmlenc#sha256"}[sys.argv[3]]
t = ('<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
     '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>'
     '<ds:SignatureMethod Algorithm="%s"/><ds:Reference URI=""><ds:Transforms>'
     '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
     '</ds:Transforms><ds:DigestMethod Algorithm="%s"/><ds:DigestValue></ds:DigestValue>'
     '</ds:Reference></ds:SignedInfo><ds:SignatureValue></ds:SignatureValue><ds:KeyInfo>'
     '<ds:KeyName></ds:KeyName><ds:X509Data><ds:X509Certificate></ds:X509Certificate>'
     '</ds:X509Data></ds:KeyInfo></ds:Signature>\n  ') % (sm, dm)
i = s.index("<ceb:ExtendMessage>")
open(sys.argv[2], "w", encoding="utf-8").write(s[:i] + t + s[i:])
PY
}
mkdir "$tmp/xs"
for alg in sha1 sha256; do
	bad=""
	for r in $decls; do
		template "$tmp/full/$r.xml" "$tmp/xs/t-$alg-$r.xml" "$alg"
		out="$tmp/xs/$alg-$r.xml"
		tool xmlsec1 --sign --privkey-pem:"$serial" "$tmp/rsa/key.pem,$rsa" \
			--enabled-reference-uris empty --output "$out" "$tmp/xs/t-$alg-$r.xml"
		[ "$rc" -eq 0 ] && grep -q "<ds:KeyName>$serial</ds:KeyName>" "$out" ||
			{ bad="$bad xmlsec1:$r"; continue; }
		run verify --explain "$out"
		sane && [ "$rc" -eq 0 ] && grep -q "profile *rsa-$alg" "$tmp/out" ||
			bad="$bad verify:$r"
		retouch "$out" "$tmp/xs/x-$alg-$r.xml"
		run verify --json "$tmp/xs/x-$alg-$r.xml"
		sane && [ "$rc" -eq 1 ] && grep -q '"CG3014"' "$tmp/out" || bad="$bad changed:$r"
	done
	is "xmlsec1 --sign rsa-$alg of the 11 export declarations (Signature before ExtendMessage): cebgate verifies them, and refuses them once changed" "$bad" ""
done
run validate "$tmp/xs/sha256-CEB603Message.xml"
expect_rc 0 "xmlsec1's signed export inventory validates against the export schema"

# ---- the JDK ----------------------------------------------------------------------------------

mkdir "$tmp/classes"
tool javac -Xlint:all -Werror -d "$tmp/classes" "$interop/java/CebXmlDsig.java"
[ "$rc" -eq 0 ] || { diag_file "$tmp/out" "$tmp/err"; bail "javac CebXmlDsig.java"; }
jdsig() {
	tool java -XX:TieredStopAtLevel=1 -cp "$tmp/classes" CebXmlDsig "$@"
}
for alg in sha1 sha256; do
	# shellcheck disable=SC2086 # one argument a file
	set -- $(for r in $decls; do echo "$tmp/rsa-$alg/$r.xml"; done)
	jdsig verify-each "$rsa" "$@"
	is "Java accepts cebgate's rsa-$alg signatures of the 11 export declarations" \
		"$(grep -c ' VALID$' "$tmp/out")" 11
	# shellcheck disable=SC2086
	set -- $(for r in $decls; do echo "$tmp/rsa-$alg/x-$r.xml"; done)
	jdsig verify-each "$rsa" "$@"
	is "and refuses all 11 once changed" "$(grep -c ' INVALID$' "$tmp/out")" 11
done
mkdir "$tmp/java"
for alg in sha1 sha256; do
	bad=""
	for r in CEB303Message CEB603Message CEB701Message; do
		out="$tmp/java/$alg-$r.xml"
		jdsig sign "$tmp/full/$r.xml" "$tmp/rsa/key.pk8" "$rsa" "$out" "rsa-$alg" export
		[ "$rc" -eq 0 ] || { bad="$bad java:$r"; diag_file "$tmp/err"; continue; }
		[ "$(tail_of "$out")" = "$want_tail" ] || bad="$bad place:$r"
		run verify --explain "$out"
		sane && [ "$rc" -eq 0 ] && grep -q "profile *rsa-$alg" "$tmp/out" ||
			bad="$bad verify:$r"
		retouch "$out" "$tmp/java/x-$alg-$r.xml"
		run verify --json "$tmp/java/x-$alg-$r.xml"
		sane && [ "$rc" -eq 1 ] && grep -q '"CG3014"' "$tmp/out" || bad="$bad changed:$r"
	done
	is "Java signs rsa-$alg export order, inventory and summary before ExtendMessage: cebgate verifies them, and refuses them once changed" "$bad" ""
done

# ---- SM2 against openssl -----------------------------------------------------------------------

helper() { python3 "$interop/sm2_helper.py" "$@"; }
distid=1234567812345678
pub="$tmp/sm2/pub.pem"
sm3_b64() { openssl dgst -sm3 -binary "$1" | openssl base64 -A; }

# openssl_checks SIGNED: DigestValue and the raw SignatureValue of a cebgate SM2 signature
# recomputed without cebgate; fails (status 1) on the first difference.
openssl_checks() {
	d="$tmp/chk"
	rm -rf "$d" && mkdir "$d"
	helper strip-signature "$1" "$d/unsigned.xml" &&
		xmllint --c14n "$d/unsigned.xml" >"$d/doc.c14n" &&
		[ "$(helper field "$1" DigestValue)" = "$(sm3_b64 "$d/doc.c14n")" ] &&
		helper signedinfo "$1" "$d/si.xml" && xmllint --c14n "$d/si.xml" >"$d/si.c14n" &&
		helper field "$1" SignatureValue >"$d/sv.b64" &&
		helper b64decode "$d/sv.b64" "$d/sv.bin" && helper raw2der "$d/sv.bin" "$d/sv.der" &&
		openssl dgst -sm3 -verify "$pub" -sigopt "distid:$distid" -signature "$d/sv.der" \
			"$d/si.c14n" >/dev/null 2>&1
}
bad=""
for r in $decls; do
	openssl_checks "$tmp/sm2-sm3/$r.xml" || bad="$bad $r"
done
is "openssl recomputes the SM3 digest and verifies the SM2 value (distid $distid) of cebgate's signatures of the 11 export declarations" "$bad" ""
if ! openssl_checks "$tmp/sm2-sm3/x-CEB603Message.xml"; then
	pass "control: openssl's check fails on a signed export inventory changed afterwards"
else
	fail "control: openssl's check passes a changed export inventory"
fi

# openssl signs a hand-assembled export inventory: the Signature goes right before
# ExtendMessage, so that removing it gives the unsigned bytes back.
src="$tmp/full/CEB603Message.xml"
xmllint --c14n "$src" >"$tmp/hand-doc.c14n"
digest=$(sm3_b64 "$tmp/hand-doc.c14n")
ns_ds=http://www.w3.org/2000/09/xmldsig#
signed_info() {
	printf '<ds:SignedInfo%s>' "$1"
	printf '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>'
	printf '<ds:SignatureMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"/>'
	printf '<ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="%s"/></ds:Transforms>' \
		"${ns_ds}enveloped-signature"
	printf '<ds:DigestMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"/>'
	printf '<ds:DigestValue>%s</ds:DigestValue></ds:Reference></ds:SignedInfo>' "$digest"
}
decls_ns=" xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\" xmlns:ds=\"$ns_ds\""
decls_ns="$decls_ns xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
signed_info "$decls_ns" >"$tmp/hand-si.xml"
xmllint --c14n "$tmp/hand-si.xml" >"$tmp/hand-si.c14n"
openssl dgst -sm3 -sign "$tmp/sm2/key.pem" -sigopt "distid:$distid" -out "$tmp/hand.der" \
	"$tmp/hand-si.c14n"
helper der2raw "$tmp/hand.der" "$tmp/hand.raw"
cert_b64=$(openssl x509 -in "$tmp/sm2/cert.pem" -outform DER | openssl base64 -A)
sm2_serial=$(serial_hex "$tmp/sm2/cert.pem")
{
	printf '<ds:Signature xmlns:ds="%s">' "$ns_ds"
	signed_info ""
	printf '<ds:SignatureValue>%s</ds:SignatureValue>' "$(openssl base64 -A -in "$tmp/hand.raw")"
	printf '<ds:KeyInfo><ds:KeyName>%s</ds:KeyName><ds:X509Data><ds:X509Certificate>%s' \
		"$sm2_serial" "$cert_b64"
	printf '</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>'
} >"$tmp/hand-sig.xml"
python3 - "$src" "$tmp/hand-sig.xml" "$tmp/hand.xml" <<'PY'
import sys
s = open(sys.argv[1], encoding="utf-8").read()
sig = open(sys.argv[2], encoding="utf-8").read()
i = s.index("<ceb:ExtendMessage>")
open(sys.argv[3], "w", encoding="utf-8").write(s[:i] + sig + s[i:])
PY
[ "$(tail_of "$tmp/hand.xml")" = "$want_tail" ] || bail "hand-assembled: misplaced Signature"
run verify --explain "$tmp/hand.xml"
if sane && [ "$rc" -eq 0 ] && grep -q 'raw r||s' "$tmp/out" &&
	grep -q 'before ExtendMessage (export)' "$tmp/out"; then
	pass "cebgate verifies openssl's SM2 signature of an export inventory before ExtendMessage"
else
	fail "cebgate refuses openssl's SM2 signature of an export inventory (exit $rc)"
	diag_file "$tmp/out" "$tmp/err"
fi
retouch "$tmp/hand.xml" "$tmp/hand-x.xml"
run verify --json "$tmp/hand-x.xml"
if sane && [ "$rc" -eq 1 ] && grep -q '"CG3014"' "$tmp/out"; then
	pass "and refuses it once changed (CG3014)"
else
	fail "cebgate on openssl's SM2 export signature changed afterwards (exit $rc)"
	diag_file "$tmp/out" "$tmp/err"
fi

done_testing
