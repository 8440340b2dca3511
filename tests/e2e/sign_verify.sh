#!/bin/sh
# SPDX-License-Identifier: MIT
# `cebgate sign`, `cebgate verify` and `cebgate dxp` end to end (ceb-spec §6, §7.1;
# docs/findings.md CG3001-CG3016). Keys and certificates are made once per run with the
# openssl CLI in a temporary directory: RSA 2048 with serial 0x01691FE9 and SM2 with serial
# 0x3000000000CDE6F (the two serials observed in the field), a second key of each type with
# the same serial (for "signed by another key"), a small CA and certificates for the RSA key
# that are expired or not yet valid.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
tmp=$T

cli="$top_builddir/src/cli/cebgate"
samples="$top_srcdir/samples/xml/unsigned"
inv="$samples/CEB621-inventory.xml"
order="$samples/CEB311-order.xml"
data="$top_srcdir/tests/data/sig"

need openssl python3 xmllint

# ---------------------------------------------------------------- key material
k="$tmp/keys"
mkdir "$k"
(
	cd "$k" &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.crt -subj "/CN=t" \
		-days 365 -set_serial 0x01691FE9 &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa2.key -out rsa2.crt -subj "/CN=t2" \
		-days 365 -set_serial 0x01691FE9 &&
	openssl ecparam -genkey -name SM2 -out sm2.key &&
	openssl req -new -x509 -key sm2.key -sm3 -sigopt distid:1234567812345678 -subj "/CN=t" \
		-days 365 -set_serial 0x3000000000CDE6F -out sm2.crt &&
	openssl ecparam -genkey -name SM2 -out sm2b.key &&
	openssl req -new -x509 -key sm2b.key -sm3 -sigopt distid:1234567812345678 -subj "/CN=t2" \
		-days 365 -set_serial 0x3000000000CDE6F -out sm2b.crt &&
	# Encrypted PKCS#8 and PKCS#12.
	openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:s3cret-pass -in rsa.key -out \
		rsa-enc.key &&
	openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:s3cret-pass -in sm2.key -out \
		sm2-enc.key &&
	openssl pkcs12 -export -passout pass:p12-pass -inkey rsa.key -in rsa.crt -out rsa.p12 &&
	openssl pkcs12 -export -passout pass:p12-pass -inkey sm2.key -in sm2.crt -out sm2.p12 &&
	openssl x509 -in rsa.crt -outform DER -out rsa.der &&
	# A CA (EC P-256: cheap) with a leaf for the second RSA key, and an unrelated CA.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
		-out ca.crt -subj "/CN=cebgate test CA" -days 365 &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other.key \
		-out other.crt -subj "/CN=cebgate other CA" -days 365 &&
	openssl req -new -key rsa2.key -subj "/CN=leaf" -out leaf.csr &&
	openssl x509 -req -in leaf.csr -CA ca.crt -CAkey ca.key -set_serial 0x0A1B2C3D -days 30 \
		-out leaf.crt &&
	# Certificates for the first RSA key, same serial, outside their validity period.
	openssl req -new -key rsa.key -subj "/CN=t" -out rsa.csr &&
	: >index.txt &&
	echo 01691FE9 >serial &&
	openssl ca -batch -notext -config "$data/ca.cnf" -cert ca.crt -keyfile ca.key -in rsa.csr \
		-out expired.crt -startdate 20200101000000Z -enddate 20210101000000Z &&
	: >index.txt &&
	echo 01691FE9 >serial &&
	openssl ca -batch -notext -config "$data/ca.cnf" -cert ca.crt -keyfile ca.key -in rsa.csr \
		-out future.crt -startdate 20400101000000Z -enddate 20410101000000Z
) >"$tmp/keygen.log" 2>&1 || {
	echo "Bail out! cannot make test keys with openssl"
	diag_file "$tmp/keygen.log"
	exit 1
}
printf 's3cret-pass\n' >"$k/pass.txt"
printf 'p12-pass\n' >"$k/p12pass.txt"
printf 'not-the-pass\n' >"$k/wrong.txt"

# sign OUT ARGS...: runs cebgate sign ... -o OUT; sets rc, stderr in $tmp/sign.err.
sign() {
	out=$1
	shift
	rc=0
	"$cli" sign "$@" -o "$out" >"$tmp/sign.out" 2>"$tmp/sign.err" || rc=$?
}
# verify ARGS...: cebgate verify --explain; sets rc, output in $tmp/v.out.
verify() {
	rc=0
	"$cli" verify --explain "$@" >"$tmp/v.out" 2>&1 || rc=$?
}

py() {
	python3 "$data/sigtool.py" "$@"
}

# ---------------------------------------------------------------- signing, every profile
keyname_rsa=01691fe9
keyname_sm2=03000000000cde6f
for profile in rsa-sha1 rsa-sha256 sm2-sm3; do
	case $profile in
	sm2-sm3) key="$k/sm2.key" cert="$k/sm2.crt" kn=$keyname_sm2 ;;
	*) key="$k/rsa.key" cert="$k/rsa.crt" kn=$keyname_rsa ;;
	esac
	for in in "$inv" "$order"; do
		base=$(basename "$in" .xml)
		out="$tmp/$profile-$base.xml"
		sign "$out" --key "$key" --cert "$cert" --profile "$profile" "$in"
		if [ "$rc" -eq 0 ] && [ -s "$out" ]; then
			pass "$profile: sign $base exits 0"
		else
			fail "$profile: sign $base exits 0 (got $rc)"
			diag_file "$tmp/sign.err"
		fi
		verify "$out"
		if [ "$rc" -eq 0 ] && grep -q "^$out: valid" "$tmp/v.out"; then
			pass "$profile: verify of the signed $base exits 0"
		else
			fail "$profile: verify of the signed $base exits 0 (got $rc)"
			diag_file "$tmp/v.out"
		fi
		ok "$profile: $base: one ds:Signature, last child, KeyName $kn, its URIs" \
			py shape "$out" "$profile" "$kn"
	done
	rc=0
	"$cli" validate "$tmp/$profile-CEB621-inventory.xml" >"$tmp/val.out" 2>&1 || rc=$?
	if [ "$rc" -eq 0 ] && ! grep -q CG0200 "$tmp/val.out"; then
		pass "$profile: validate (without --unsigned) accepts the signed inventory"
	else
		fail "$profile: validate (not --unsigned) accepts the signed inventory (rc $rc)"
		diag_file "$tmp/val.out"
	fi
done

# ---------------------------------------------------------------- SM2 value encodings
ok "sm2-sm3: SignatureValue is 64 bytes (raw r||s) by default" \
	py sm2len "$tmp/sm2-sm3-CEB621-inventory.xml" raw
sign "$tmp/sm2-der.xml" --key "$k/sm2.key" --cert "$k/sm2.crt" --sm2-der "$inv"
verify "$tmp/sm2-der.xml"
if [ "$rc" -eq 0 ] && py sm2len "$tmp/sm2-der.xml" der >"$tmp/check.out" 2>&1 &&
	grep -q '\[ok\] signature value.*(DER)' "$tmp/v.out"; then
	pass "sm2-sm3 --sm2-der: SignatureValue is DER (0x30 ...) and verifies"
else
	fail "sm2-sm3 --sm2-der: SignatureValue is DER (0x30 ...) and verifies (rc $rc)"
	diag_file "$tmp/check.out" "$tmp/v.out"
fi

# ---------------------------------------------------------------- profile selection
sign "$tmp/auto-sm2.xml" --key "$k/sm2.key" --cert "$k/sm2.crt" "$inv"
ok "an SM2 key without --profile signs with the sm2-sm3 URIs of spec 6.1" \
	py shape "$tmp/auto-sm2.xml" sm2-sm3 "$keyname_sm2"
sign "$tmp/auto-rsa.xml" --key "$k/rsa.key" --cert "$k/rsa.crt" "$inv"
ok "an RSA key without --profile signs with the rsa-sha1 URIs" \
	py shape "$tmp/auto-rsa.xml" rsa-sha1 "$keyname_rsa"
sign "$tmp/mismatch.xml" --key "$k/rsa.key" --cert "$k/rsa.crt" --profile sm2-sm3 "$inv"
if [ "$rc" -eq 2 ] && [ ! -e "$tmp/mismatch.xml" ] && grep -q "sm2-sm3" "$tmp/sign.err"; then
	pass "--profile sm2-sm3 with an RSA key: exit 2, nothing written, the profile named"
else
	fail "--profile sm2-sm3 with an RSA key: exit 2, nothing written (got $rc)"
	diag_file "$tmp/sign.err"
fi
sign "$tmp/mismatch.xml" --key "$k/sm2.key" --cert "$k/sm2.crt" --profile rsa-sha256 "$inv"
if [ "$rc" -eq 2 ] && [ ! -e "$tmp/mismatch.xml" ]; then
	pass "--profile rsa-sha256 with an SM2 key: exit 2"
else
	fail "--profile rsa-sha256 with an SM2 key: exit 2 (got $rc)"
	diag_file "$tmp/sign.err"
fi
sign "$tmp/mismatch.xml" --key "$k/rsa.key" --cert "$k/sm2.crt" "$inv"
if [ "$rc" -eq 2 ] && [ ! -e "$tmp/mismatch.xml" ]; then
	pass "a certificate that does not belong to the key: exit 2"
else
	fail "a certificate that does not belong to the key: exit 2 (got $rc)"
	diag_file "$tmp/sign.err"
fi

# ---------------------------------------------------------------- key containers
sign "$tmp/p8file.xml" --key "$k/rsa-enc.key" --cert "$k/rsa.crt" --pass-file "$k/pass.txt" \
	"$order"
verify "$tmp/p8file.xml"
if [ "$rc" -eq 0 ]; then
	pass "encrypted PKCS#8 RSA key with --pass-file signs and verifies"
else
	fail "encrypted PKCS#8 RSA key with --pass-file signs and verifies"
	diag_file "$tmp/sign.err" "$tmp/v.out"
fi
rc=0
CG_TEST_PASS=s3cret-pass "$cli" sign --key "$k/sm2-enc.key" --cert "$k/sm2.crt" \
	--pass-env CG_TEST_PASS "$order" -o "$tmp/p8env.xml" 2>"$tmp/sign.err" || rc=$?
verify "$tmp/p8env.xml"
if [ "$rc" -eq 0 ]; then
	pass "encrypted PKCS#8 SM2 key with --pass-env signs and verifies"
else
	fail "encrypted PKCS#8 SM2 key with --pass-env signs and verifies"
	diag_file "$tmp/sign.err" "$tmp/v.out"
fi
sign "$tmp/wrongpass.xml" --key "$k/rsa-enc.key" --cert "$k/rsa.crt" --pass-file "$k/wrong.txt" \
	"$order"
if [ "$rc" -eq 2 ] && [ ! -e "$tmp/wrongpass.xml" ] && grep -qi "passphrase" "$tmp/sign.err" &&
	grep -q "rsa-enc.key" "$tmp/sign.err"; then
	pass "a wrong passphrase: exit 2, nothing written, the key file and passphrase named"
else
	fail "a wrong passphrase: exit 2, nothing written, clear message (got $rc)"
	diag_file "$tmp/sign.err"
fi
sign "$tmp/nopass.xml" --key "$k/sm2-enc.key" --cert "$k/sm2.crt" "$order"
if [ "$rc" -eq 2 ] && [ ! -e "$tmp/nopass.xml" ]; then
	pass "an encrypted key without a passphrase: exit 2 (no prompt, no hang)"
else
	fail "an encrypted key without a passphrase: exit 2 (got $rc)"
	diag_file "$tmp/sign.err"
fi
rc=0
(
	unset CG_TEST_UNSET_VAR
	exec "$cli" sign --key "$k/sm2-enc.key" --cert "$k/sm2.crt" --pass-env CG_TEST_UNSET_VAR \
		"$order" -o "$tmp/unset.xml"
) 2>"$tmp/sign.err" </dev/null || rc=$?
if [ "$rc" -eq 2 ] && grep -q CG_TEST_UNSET_VAR "$tmp/sign.err"; then
	pass "--pass-env naming an unset variable: exit 2 and the message names it"
else
	fail "--pass-env naming an unset variable: exit 2 (got $rc)"
	diag_file "$tmp/sign.err"
fi
for t in rsa sm2; do
	sign "$tmp/p12-$t.xml" --key "$k/$t.p12" --pass-file "$k/p12pass.txt" "$order"
	verify "$tmp/p12-$t.xml"
	if [ "$rc" -eq 0 ]; then
		pass "PKCS#12 $t key without --cert (certificate from the file) signs and verifies"
	else
		fail "PKCS#12 $t key without --cert signs and verifies"
		diag_file "$tmp/sign.err"
	fi
done
sign "$tmp/p12-wrong.xml" --key "$k/rsa.p12" --pass-file "$k/wrong.txt" "$order"
if [ "$rc" -eq 2 ] && [ ! -e "$tmp/p12-wrong.xml" ] && grep -qi "passphrase" "$tmp/sign.err"; then
	pass "PKCS#12 with a wrong passphrase: exit 2, the message mentions the passphrase"
else
	fail "PKCS#12 with a wrong passphrase: exit 2 (got $rc)"
	diag_file "$tmp/sign.err"
fi
sign "$tmp/dercert.xml" --key "$k/rsa.key" --cert "$k/rsa.der" "$order"
if [ "$rc" -eq 0 ] &&
	py shape "$tmp/dercert.xml" rsa-sha1 "$keyname_rsa" >"$tmp/check.out" 2>&1; then
	pass "a DER certificate (--cert, documented as PEM or DER) is accepted"
else
	fail "a DER certificate (--cert) is accepted"
	diag_file "$tmp/sign.err"
fi

# ---------------------------------------------------------------- several files, signed input
mkdir "$tmp/batch"
cp "$inv" "$order" "$samples/CEB411-payment.xml" "$samples/CEB511-waybill.xml" "$tmp/batch/"
echo "not xml" >"$tmp/batch/README.txt"
sign "$tmp/batch-out" --key "$k/sm2.key" --cert "$k/sm2.crt" "$tmp/batch"
nout=$(find "$tmp/batch-out" -type f 2>/dev/null | wc -l)
rc2=0
"$cli" verify "$tmp/batch-out"/*.xml >"$tmp/v.out" 2>&1 || rc2=$?
if [ "$rc" -eq 0 ] && [ "$nout" -eq 4 ] && [ "$rc2" -eq 0 ] &&
	grep -q "4 file(s): 4 valid" "$tmp/v.out"; then
	pass "one run signs a directory of 4 messages into -o DIR, all verify, others skipped"
else
	fail "one invocation signs a directory into -o DIR (sign $rc, $nout files, verify $rc2)"
	diag_file "$tmp/sign.err" "$tmp/v.out"
fi
sign "$tmp/batch-out2" --key "$k/rsa.key" --cert "$k/rsa.crt" "$inv" "$order"
if [ "$rc" -eq 0 ] && [ -s "$tmp/batch-out2/CEB621-inventory.xml" ] &&
	[ -s "$tmp/batch-out2/CEB311-order.xml" ]; then
	pass "several input files with -o DIR give one signed file each"
else
	fail "several input files with -o DIR give one signed file each (rc $rc)"
	diag_file "$tmp/sign.err"
fi
signed_inv="$tmp/rsa-sha1-CEB621-inventory.xml"
sign "$tmp/twice.xml" --key "$k/rsa.key" --cert "$k/rsa.crt" "$signed_inv"
if [ "$rc" -ne 0 ] && [ ! -e "$tmp/twice.xml" ] && grep -q "signed already" "$tmp/sign.err"; then
	pass "signing a signed message fails (exit $rc, 'signed already'), nothing written"
else
	fail "signing an already-signed message fails (got $rc)"
	diag_file "$tmp/sign.err"
fi
# Placement (ceb-spec 6.2): import declarations last, export declarations before ExtendMessage.
ext='<ceb:ExtendMessage><ceb:name>x</ceb:name></ceb:ExtendMessage>'
sed "s|</ceb:BaseTransfer>|</ceb:BaseTransfer>$ext|" \
	"$inv" >"$tmp/import-ext.xml"
sign "$tmp/export-ext-signed.xml" --key "$k/sm2.key" --cert "$k/sm2.crt" "$data/CEB303-export.xml"
rc1=$rc
sign "$tmp/import-ext-signed.xml" --key "$k/sm2.key" --cert "$k/sm2.crt" "$tmp/import-ext.xml"
rc2=0
"$cli" verify "$tmp/export-ext-signed.xml" "$tmp/import-ext-signed.xml" >"$tmp/v.out" 2>&1 || \
	rc2=$?
if [ "$rc1" -eq 0 ] && [ "$rc" -eq 0 ] && [ "$rc2" -eq 0 ] &&
	py children "$tmp/export-ext-signed.xml" Order BaseTransfer Signature ExtendMessage \
		>"$tmp/check.out" 2>&1 &&
	py children "$tmp/import-ext-signed.xml" Inventory BaseTransfer ExtendMessage Signature \
		>>"$tmp/check.out" 2>&1; then
	pass "Signature: export (CEB303) before ExtendMessage, import (CEB621) after; both verify"
else
	fail "Signature: export before ExtendMessage, import last (sign $rc1/$rc, verify $rc2)"
	diag_file "$tmp/sign.err" "$tmp/check.out" "$tmp/v.out"
fi
sign "$tmp/expired-sign.xml" --key "$k/rsa.key" --cert "$k/expired.crt" "$inv"
if [ "$rc" -ne 0 ] && [ ! -e "$tmp/expired-sign.xml" ] && grep -q "expired" "$tmp/sign.err"; then
	pass "the signer's self-check refuses an expired certificate (exit $rc), nothing written"
else
	fail "the signer refuses an expired certificate (got $rc)"
	diag_file "$tmp/sign.err"
fi
# Without the self-check the message is written, and verify is what refuses it.
sign "$tmp/expired-nocheck.xml" --no-self-check --key "$k/rsa.key" --cert "$k/expired.crt" "$inv"
rc1=$rc
verify "$tmp/expired-nocheck.xml"
if [ "$rc1" -eq 0 ] && [ "$rc" -eq 1 ] && grep -q '^  error CG3011 ' "$tmp/v.out"; then
	pass "--no-self-check signs with an expired certificate; verify refuses it (CG3011)"
else
	fail "--no-self-check with an expired certificate (sign $rc1, verify $rc)"
	diag_file "$tmp/sign.err" "$tmp/v.out"
fi

# ---------------------------------------------------------------- DXP envelope
sender=DXPENT0000999904
sign "$tmp/env.xml" --key "$k/sm2.key" --cert "$k/sm2.crt" --dxp --sender-id "$sender" "$inv"
verify "$tmp/env.xml"
if [ "$rc" -eq 0 ] && grep -q '<dxp:DxpMsg' "$tmp/env.xml" &&
	grep -q "<dxp:SenderId>$sender</dxp:SenderId>" "$tmp/env.xml" &&
	grep -q '<dxp:MsgType>CEB621Message</dxp:MsgType>' "$tmp/env.xml"; then
	pass "sign --dxp --sender-id gives a DxpMsg (SenderId, MsgType) that verify accepts"
else
	fail "sign --dxp --sender-id gives a DxpMsg that cebgate verify accepts (rc $rc)"
	diag_file "$tmp/sign.err" "$tmp/v.out"
fi
rc=0
"$cli" dxp unwrap "$tmp/env.xml" -o "$tmp/env-inner.xml" 2>"$tmp/unwrap.err" || rc=$?
py data "$tmp/env.xml" "$tmp/env-data.bin"
verify "$tmp/env-inner.xml"
if cmp -s "$tmp/env-inner.xml" "$tmp/env-data.bin" && [ "$rc" -eq 0 ] &&
	grep -q "MsgType CEB621Message" "$tmp/unwrap.err"; then
	pass "dxp unwrap of the --dxp output restores the signed message byte for byte"
else
	fail "dxp unwrap of the --dxp output restores the signed message byte for byte"
	diag_file "$tmp/unwrap.err"
fi
if "$cli" verify "$tmp/env-inner.xml" >"$tmp/v.out" 2>&1; then
	pass "the unwrapped message verifies on its own"
else
	fail "the unwrapped message verifies on its own"
	diag_file "$tmp/v.out"
fi
rc=0
"$cli" dxp wrap --sender-id "$sender" "$signed_inv" -o "$tmp/wrap.xml" 2>"$tmp/wrap.err" || rc=$?
rc2=0
"$cli" dxp unwrap "$tmp/wrap.xml" -o "$tmp/wrap-inner.xml" 2>"$tmp/unwrap.err" || rc2=$?
if [ "$rc" -eq 0 ] && [ "$rc2" -eq 0 ] && cmp -s "$signed_inv" "$tmp/wrap-inner.xml"; then
	pass "dxp wrap then dxp unwrap gives back the signed file byte for byte"
else
	fail "dxp wrap then unwrap gives back the signed file's bytes (wrap $rc, unwrap $rc2)"
	diag_file "$tmp/wrap.err" "$tmp/unwrap.err"
fi
if grep -q '<dxp:ReceiverId>DXPEDCCEB0000002</dxp:ReceiverId>' "$tmp/wrap.xml"; then
	pass "dxp wrap picks DXPEDCCEB0000002 for an import message (CEB621)"
else
	fail "dxp wrap picks DXPEDCCEB0000002 for an import message (CEB621)"
	diag_file "$tmp/wrap.xml"
fi
sign "$tmp/export.xml" --key "$k/sm2.key" --cert "$k/sm2.crt" \
	"$top_srcdir/samples/xml/export/CEB303Message.xml"
rc=0
"$cli" dxp wrap --sender-id "$sender" "$tmp/export.xml" -o "$tmp/wrap-export.xml" \
	2>"$tmp/wrap.err" || rc=$?
if [ "$rc" -eq 0 ] && grep -q '<dxp:ReceiverId>DXPEDCCEB0000003</dxp:ReceiverId>' \
	"$tmp/wrap-export.xml"; then
	pass "dxp wrap picks DXPEDCCEB0000003 for an export message (CEB303)"
else
	fail "dxp wrap picks DXPEDCCEB0000003 for an export message (rc $rc)"
	diag_file "$tmp/wrap.err" "$tmp/wrap-export.xml"
fi
py replace "$tmp/wrap.xml" "$tmp/env-type.xml" '<dxp:MsgType>CEB621Message<' \
	'<dxp:MsgType>CEB311Message<'
rc=0
"$cli" dxp unwrap "$tmp/env-type.xml" -o "$tmp/env-type-inner.xml" >"$tmp/unwrap.out" 2>&1 || rc=$?
if [ "$rc" -eq 1 ] && [ ! -e "$tmp/env-type-inner.xml" ] && grep -q "MsgType differs" \
	"$tmp/unwrap.out"; then
	pass "dxp unwrap refuses an envelope whose MsgType differs from the inner root (exit 1)"
else
	fail "dxp unwrap refuses an envelope whose MsgType differs from the inner root (got $rc)"
	diag_file "$tmp/unwrap.out"
fi
py replace "$tmp/wrap.xml" "$tmp/env-b64.xml" '<dxp:Data>(.)' '<dxp:Data>*'
rc=0
"$cli" dxp unwrap "$tmp/env-b64.xml" -o "$tmp/env-b64-inner.xml" >"$tmp/unwrap.out" 2>&1 || rc=$?
if [ "$rc" -eq 1 ] && [ ! -e "$tmp/env-b64-inner.xml" ] && grep -q "CG0100" "$tmp/unwrap.out"; then
	pass "dxp unwrap refuses Data that is not base64 (exit 1, CG0100)"
else
	fail "dxp unwrap refuses Data that is not base64 (got $rc)"
	diag_file "$tmp/unwrap.out"
fi

# wrap: what the envelope would carry wrongly is refused, nothing written: exit 1 for the
# message, 2 for a field given wrongly.
wrap_refuses() {
	name=$1 want=$2 re=$3
	shift 3
	rc=0
	"$cli" dxp wrap --sender-id "$sender" "$@" -o "$tmp/refused.xml" >"$tmp/wrap.err" 2>&1 || \
		rc=$?
	if [ "$rc" -eq "$want" ] && [ ! -e "$tmp/refused.xml" ] && grep -Eq -- "$re" \
		"$tmp/wrap.err"; then
		pass "dxp wrap refuses $name: exit $want, '$re'"
	else
		fail "dxp wrap refuses $name (got $rc)"
		diag_file "$tmp/wrap.err"
	fi
}
wrap_refuses "an unsigned inventory" 1 "CEB621Message is not signed" "$inv"
wrap_refuses "an import declaration addressed to the export receiver" 2 \
	"customs receives a CEB621Message at DXPEDCCEB0000002" \
	--receiver-id DXPEDCCEB0000003 "$signed_inv"
wrap_refuses "a ReceiverId of 17 characters" 2 "ReceiverId must be 1 to 16" --receiver-id \
	DXPEDCCEB00000021 "$signed_inv"
wrap_refuses "a CopMsgId of 256 characters" 2 "CopMsgId must be 1 to 255" \
	--copmsgid "$(python3 -c 'print("x" * 256)')" "$signed_inv"
wrap_refuses "a CreatTime that is not a dateTime" 2 "CreatTime must look like" --creat-time \
	"2026-11-28 10:00" "$signed_inv"
rc=0
"$cli" dxp wrap --sender-id "$sender" --creat-time 2026-11-28T10:00:00 --copmsgid "报文-1" \
	"$signed_inv" \
	-o "$tmp/wrap-t.xml" 2>"$tmp/wrap.err" || rc=$?
"$cli" dxp unwrap "$tmp/wrap-t.xml" -o /dev/null 2>"$tmp/unwrap.err" || rc=$?
if [ "$rc" -eq 0 ] && grep -q '^CreatTime 2026-11-28T10:00:00$' "$tmp/unwrap.err" &&
	grep -q '^CopMsgId 报文-1$' "$tmp/unwrap.err"; then
	pass "dxp wrap --creat-time and --copmsgid: dxp unwrap prints them back"
else
	fail "dxp wrap --creat-time (rc $rc)"
	diag_file "$tmp/wrap.err" "$tmp/unwrap.err"
fi
py replace "$tmp/wrap.xml" "$tmp/env-recv.xml" '<dxp:ReceiverId>DXPEDCCEB0000002<' \
	'<dxp:ReceiverId>DXPEDCCEB0000003<'
rc=0
"$cli" dxp unwrap "$tmp/env-recv.xml" -o "$tmp/env-recv-inner.xml" >"$tmp/unwrap.out" 2>&1 || rc=$?
if [ "$rc" -eq 1 ] && [ ! -e "$tmp/env-recv-inner.xml" ] &&
	grep -q "ReceiverId is not customs'" "$tmp/unwrap.out"; then
	pass "dxp unwrap refuses an import declaration addressed to the export receiver (exit 1)"
else
	fail "dxp unwrap of an import declaration addressed to the export receiver (got $rc)"
	diag_file "$tmp/unwrap.out"
fi

# ---------------------------------------------------------------- changes C14N ignores
# Line ends, the character encoding and base64 line breaks (Java writes "&#13;\n" every 76
# characters, security.md) are not part of the canonical form: still valid.
sed 's/$/\r/' "$tmp/rsa-sha1-CEB621-inventory.xml" >"$tmp/crlf.xml"
verify "$tmp/crlf.xml"
if [ "$rc" -eq 0 ]; then
	pass "a signed message converted to CRLF line ends still verifies (C14N normalises to LF)"
else
	fail "a signed message converted to CRLF line ends still verifies (got $rc)"
	diag_file "$tmp/v.out"
fi
if command -v iconv >/dev/null 2>&1; then
	sed '1s/encoding="UTF-8"/encoding="GB18030"/' "$tmp/sm2-sm3-CEB621-inventory.xml" |
		iconv -f UTF-8 -t GB18030 >"$tmp/gb18030.xml"
	verify "$tmp/gb18030.xml"
	if [ "$rc" -eq 0 ] && ! cmp -s "$tmp/gb18030.xml" "$tmp/sm2-sm3-CEB621-inventory.xml"; then
		pass "a signed message transcoded to GB18030 still verifies (C14N output is UTF-8)"
	else
		fail "a signed message transcoded to GB18030 still verifies (got $rc)"
		diag_file "$tmp/v.out"
	fi
else
	skip "a signed message transcoded to GB18030 still verifies" "iconv not available"
fi
for p in rsa-sha1 sm2-sm3; do
	py java "$tmp/$p-CEB621-inventory.xml" "$tmp/$p-CEB621-inventory-java.xml"
done
verify "$tmp/rsa-sha1-CEB621-inventory-java.xml" "$tmp/sm2-sm3-CEB621-inventory-java.xml"
if [ "$rc" -eq 0 ] && grep -q "2 file(s): 2 valid" "$tmp/v.out" &&
	grep -q '&#13;' "$tmp/sm2-sm3-CEB621-inventory-java.xml"; then
	pass "SignatureValue, X509Certificate wrapped at 76 with &#13; (Java) verify (RSA, SM2)"
else
	fail "SignatureValue and X509Certificate wrapped with &#13; line ends verify (got $rc)"
	diag_file "$tmp/v.out"
fi

# ---------------------------------------------------------------- verification failures
# fails NAME FILE CODE REGEX [verify options]: exit 1, the finding CODE, and an --explain
# [FAIL] line matching REGEX (the cause, in words).
fails() {
	name=$1 file=$2 code=$3 re=$4
	shift 4
	verify "$@" "$file"
	if [ "$rc" -eq 1 ] && grep -q "^  error $code " "$tmp/v.out" &&
		grep -E "^  \[FAIL\] " "$tmp/v.out" | grep -Eq -- "$re"; then
		pass "$name: exit 1, $code, --explain says '$re'"
	else
		fail "$name: exit 1, $code, --explain says '$re' (got $rc)"
		diag_file "$tmp/v.out"
	fi
	cp "$tmp/v.out" "$tmp/explain-$code.out"
}
rsa_inv="$tmp/rsa-sha1-CEB621-inventory.xml"
sm2_inv="$tmp/sm2-sm3-CEB621-inventory.xml"

py replace "$rsa_inv" "$tmp/f-value-rsa.xml" '<ceb:price>198.00</ceb:price>' \
	'<ceb:price>19.80</ceb:price>'
fails "rsa-sha1: a price changed after signing" "$tmp/f-value-rsa.xml" CG3014 \
	"changed after signing"
py replace "$sm2_inv" "$tmp/f-value-sm2.xml" '<ceb:buyerName>李晓明<' '<ceb:buyerName>李晓名<'
fails "sm2-sm3: a name changed after signing" "$tmp/f-value-sm2.xml" CG3014 "changed after signing"

# DigestValue of the right bytes with the wrong algorithm: the enveloped transform means the
# canonical document without the Signature, i.e. the canonical form of the unsigned sample.
xmllint --c14n "$inv" >"$tmp/inv.c14n"
sha1=$(openssl dgst -sha1 -binary "$tmp/inv.c14n" | openssl base64 -A)
sha256=$(openssl dgst -sha256 -binary "$tmp/inv.c14n" | openssl base64 -A)
sm3=$(openssl dgst -sm3 -binary "$tmp/inv.c14n" | openssl base64 -A)
if grep -q "<ds:DigestValue>$sm3</ds:DigestValue>" "$sm2_inv"; then
	pass "sm2-sm3 DigestValue = openssl's SM3 of xmllint --c14n of the unsigned message"
else
	fail "sm2-sm3 DigestValue = openssl's SM3 of xmllint --c14n of the unsigned message ($sm3)"
	grep -o '<ds:DigestValue>[^<]*' "$sm2_inv" | sed 's/^/# /'
fi
py replace "$sm2_inv" "$tmp/f-alg-sm2.xml" '(?<=<ds:DigestValue>)[^<]*' "$sha1"
fails "sm2-sm3 with a SHA-1 DigestValue" "$tmp/f-alg-sm2.xml" CG3014 \
	"sha1 of the document.*wrong digest algorithm"
py replace "$rsa_inv" "$tmp/f-alg-rsa.xml" '(?<=<ds:DigestValue>)[^<]*' "$sha256"
fails "rsa-sha1 with a SHA-256 DigestValue" "$tmp/f-alg-rsa.xml" CG3014 \
	"sha256 of the document.*wrong digest algorithm"

# The usual reasons a DigestValue does not match, each recognised by --explain: the bytes the
# signer digested by mistake are made here with xmllint and Python, and put in DigestValue.
python3 - "$inv" "$rsa_inv" "$tmp" <<'PY'
import base64, hashlib, re, subprocess, sys
inv, signed, tmp = sys.argv[1:]
text = open(signed, encoding="utf-8").read()
def c14n(path):
    return subprocess.run(["xmllint", "--c14n", path], check=True, capture_output=True).stdout
def put(name, data, body=text):
    dv = base64.b64encode(hashlib.sha1(data).digest()).decode()
    with open("%s/f-%s.xml" % (tmp, name), "w", encoding="utf-8") as f:
        f.write(re.sub(r"(?<=<ds:DigestValue>)[^<]*", dv, body, count=1))
canon = c14n(inv)
put("crlf", canon.replace(b"\n", b"\r\n"))
put("gb18030", canon.decode("utf-8").encode("gb18030"))
put("raw", open(inv, "rb").read())
template = re.sub(r"(?<=<ds:DigestValue>)[^<]*", "", text, count=1)
template = re.sub(r"(?<=<ds:SignatureValue>)[^<]*", "", template, count=1)
open(tmp + "/template.xml", "w", encoding="utf-8").write(template)
put("template", c14n(tmp + "/template.xml"))
# The signer digested the values as they were; spaces were put around one afterwards.
put("trim", canon, text.replace("<ceb:price>198.00<", "<ceb:price> 198.00 <", 1))
PY
fails "a digest of CRLF line ends" "$tmp/f-crlf.xml" CG3014 "digested CRLF line ends"
fails "a digest of the canonical bytes in GB18030" "$tmp/f-gb18030.xml" CG3014 \
	"canonical bytes in GB18030"
fails "a digest of the file's bytes without C14N" "$tmp/f-raw.xml" CG3014 \
	"file's bytes as they are, without C14N"
fails "a digest with the Signature template in the document" "$tmp/f-template.xml" CG3014 \
	"Signature template in it \(no enveloped transform\)"
fails "spaces put around a value after signing" "$tmp/f-trim.xml" CG3014 \
	"spaces around values removed"
# Signed compact, then pretty-printed on the way (xmllint --format).
xmllint --noblanks "$inv" >"$tmp/compact.xml"
sign "$tmp/compact-signed.xml" --key "$k/rsa.key" --cert "$k/rsa.crt" "$tmp/compact.xml"
xmllint --format "$tmp/compact-signed.xml" >"$tmp/f-indented.xml"
fails "a message indented after signing" "$tmp/f-indented.xml" CG3014 \
	"white space between elements"
# Control: a changed value is still told as a change, not as one of the above.
fails "a changed value is not mistaken for white space" "$tmp/f-value-rsa.xml" CG3014 \
	"changed after signing \(a value"

# SM2 with the SHA-1 DigestMethod some UKey signers write (ceb-spec 6.3, S9): it verifies, with
# warning CG3017 that the 202205 rules say SM3.
python3 - "$sm2_inv" "$inv" "$tmp/sm2-sha1.xml" <<'PY'
import sys
signed, inv, out = sys.argv[1:]
t = open(signed, encoding="utf-8").read()
t = t.replace("http://www.chinaport.gov.cn/2022/04/xmldsig#sm3",
              "http://www.w3.org/2000/09/xmldsig#sha1")
open(out, "w", encoding="utf-8").write(t)
PY
# Certificates outside their validity: same key and serial, so nothing else differs.
py setcert "$rsa_inv" "$tmp/f-expired.xml" "$k/expired.crt"
fails "an expired certificate" "$tmp/f-expired.xml" CG3011 \
	"validity +valid 2020-01-01 .* to 2021-01-01.*: expired"
py setcert "$rsa_inv" "$tmp/f-future.xml" "$k/future.crt"
fails "a certificate not yet valid" "$tmp/f-future.xml" CG3011 \
	"validity +valid 2040-01-01 .* to 2041-01-01.*: not yet valid"

py replace "$rsa_inv" "$tmp/f-keyname.xml" '<ds:KeyName>01691fe9<' '<ds:KeyName>01691fea<'
fails "KeyName changed" "$tmp/f-keyname.xml" CG3010 "KeyName 01691fea, certificate serial 01691fe9"
# No KeyName at all (as the JDK signer writes KeyInfo): told as missing, with what it must hold.
py replace "$rsa_inv" "$tmp/f-keyname-none.xml" '<ds:KeyName>01691fe9</ds:KeyName>' ''
fails "KeyName missing" "$tmp/f-keyname-none.xml" CG3010 "KeyName missing: it must hold the certificate serial"
if grep -q "KeyInfo has no KeyName: the standard requires one holding the signing certificate's serial" \
	"$tmp/v.out" && grep -q "KeyInfo缺少KeyName" "$tmp/v.out" && ! grep -q "only one KeyName" "$tmp/v.out"; then
	pass "KeyName missing: the finding says it is missing and what it must contain"
else
	fail "KeyName missing: the finding says it is missing and what it must contain"
	diag_file "$tmp/v.out"
fi
py replace "$sm2_inv" "$tmp/f-keyname-unpadded.xml" '<ds:KeyName>03000000000cde6f<' \
	'<ds:KeyName>3000000000cde6f<'
verify "$tmp/f-keyname-unpadded.xml"
if [ "$rc" -eq 0 ] && grep -q "^  warning CG3016 " "$tmp/v.out" &&
	grep -q "without padding" "$tmp/v.out" && ! grep -q "^  error " "$tmp/v.out"; then
	pass "KeyName without the zero padding (3000000000cde6f): warning CG3016, still exit 0"
else
	fail "KeyName without the zero padding: warning CG3016, still exit 0 (got $rc)"
	diag_file "$tmp/v.out"
fi
py replace "$rsa_inv" "$tmp/f-keyname-upper.xml" '<ds:KeyName>01691fe9<' '<ds:KeyName>01691FE9<'
verify "$tmp/f-keyname-upper.xml"
if [ "$rc" -eq 0 ] && ! grep -q "CG3010" "$tmp/v.out"; then
	pass "KeyName in uppercase hex is the same serial: accepted"
else
	fail "KeyName in uppercase hex is the same serial: accepted (got $rc)"
	diag_file "$tmp/v.out"
fi

# Trust and pinning.
sign "$tmp/leaf.xml" --key "$k/rsa2.key" --cert "$k/leaf.crt" "$inv"
verify --ca "$k/ca.crt" "$tmp/leaf.xml"
if [ "$rc" -eq 0 ] && grep -q '\[ok\] trust' "$tmp/v.out"; then
	pass "a certificate issued by the --ca anchor: exit 0, trust step ok"
else
	fail "a certificate issued by the --ca anchor: exit 0 (got $rc)"
	diag_file "$tmp/sign.err" "$tmp/v.out"
fi
fails "a certificate from another CA than --ca" "$tmp/leaf.xml" CG3012 \
	"trust +unable to get local issuer" --ca "$k/other.crt"
fails "a self-signed certificate with --ca" "$rsa_inv" CG3012 "trust +self-signed" --ca "$k/ca.crt"
verify --pin-serial 01691fe9 "$rsa_inv"
if [ "$rc" -eq 0 ]; then
	pass "--pin-serial equal to the serial: exit 0"
else
	fail "--pin-serial equal to the serial: exit 0 (got $rc)"
	diag_file "$tmp/v.out"
fi
fails "--pin-serial another serial" "$rsa_inv" CG3013 \
	"pinning +serial 01691fe9 is not the pinned 0a1b2c3d" --pin-serial 0a1b2c3d
verify --pin-cert "$k/sm2.crt" "$sm2_inv"
if [ "$rc" -eq 0 ]; then
	pass "--pin-cert with the signing certificate: exit 0"
else
	fail "--pin-cert with the signing certificate: exit 0 (got $rc)"
	diag_file "$tmp/v.out"
fi
fails "--pin-cert another certificate with the same serial" "$sm2_inv" CG3013 \
	"pinning +the certificate is not the registered one" --pin-cert "$k/sm2b.crt"

# Signature values from another key of the same type and serial (SignedInfo is the same
# bytes: same document, same profile, KeyInfo outside the signed scope).
sign "$tmp/rsa2-inv.xml" --key "$k/rsa2.key" --cert "$k/rsa2.crt" "$inv"
py setvalue "$rsa_inv" "$tmp/f-otherkey-rsa.xml" "file:$tmp/rsa2-inv.xml"
fails "rsa-sha1: SignatureValue made by another RSA key" "$tmp/f-otherkey-rsa.xml" CG3015 \
	"signature value +the signature does not verify"
sign "$tmp/sm2b-inv.xml" --key "$k/sm2b.key" --cert "$k/sm2b.crt" "$inv"
py setvalue "$sm2_inv" "$tmp/f-otherkey-sm2.xml" "file:$tmp/sm2b-inv.xml"
fails "sm2-sm3: SignatureValue made by another SM2 key" "$tmp/f-otherkey-sm2.xml" CG3015 \
	"signature value +the signature does not verify"
py setvalue "$sm2_inv" "$tmp/f-sm2-50.xml" "$(openssl rand -base64 50 | tr -d '\n')"
fails "sm2-sm3: a 50-byte SignatureValue" "$tmp/f-sm2-50.xml" CG3015 \
	"64 bytes raw r\|\|s \(or DER\): this one is neither"
py setvalue "$sm2_inv" "$tmp/f-notb64.xml" "not*base64"
fails "SignatureValue that is not base64" "$tmp/f-notb64.xml" CG3015 "not base64"
fails "an unsigned message" "$inv" CG3001 "signature +no ds:Signature"

# The JSON report of a batch: parses, one entry per file, the expected codes.
rc=0
"$cli" verify --json "$tmp/f-value-rsa.xml" "$tmp/f-keyname.xml" "$tmp/f-otherkey-sm2.xml" \
	"$tmp/f-keyname-unpadded.xml" "$sm2_inv" "$inv" >"$tmp/v.json" 2>"$tmp/v.err" || rc=$?
if [ "$rc" -eq 1 ] && py report "$tmp/v.json" invalid:CG3014 invalid:CG3010 invalid:CG3015 \
	valid:CG3016 valid:- invalid:CG3001 >"$tmp/check.out" 2>&1; then
	pass "verify --json: parses, one entry per file with the expected codes and validity"
else
	fail "verify --json: parses, one entry per file with the expected codes (rc $rc)"
	diag_file "$tmp/check.out" "$tmp/v.json"
fi
rc=0
"$cli" verify "$tmp/does-not-exist.xml" >"$tmp/v.out" 2>&1 || rc=$?
if [ "$rc" -eq 2 ]; then
	pass "verify of a missing file: exit 2"
else
	fail "verify of a missing file: exit 2 (got $rc)"
fi
rc=0
"$cli" verify --json "$tmp/does-not-exist.xml" "$sm2_inv" >"$tmp/v.json" 2>"$tmp/v.err" || rc=$?
if [ "$rc" -eq 2 ] && python3 - "$tmp/v.json" "$tmp/does-not-exist.xml" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
f = {x["file"]: x for x in r["files"]}
missing = f[sys.argv[2]]
assert missing["valid"] is False and "No such file" in missing["error"], missing
assert any(x["valid"] for x in r["files"] if x["file"] != sys.argv[2])
PY
then
	pass "verify --json reports a missing file with why, the others verified (exit 2)"
else
	fail "verify --json with a missing file (exit $rc)"
	diag_file "$tmp/v.json" "$tmp/v.err"
fi

# URIs from a file (--uris): the w3.org spelling of the SM URIs some signers use.
printf \
	'[sm2-sm3]\nsignature = %s\ndigest = %s\n' \
	http://www.w3.org/2000/09/xmldsig#sm2-sm3 http://www.w3.org/2000/09/xmldsig#sm3 \
	>"$tmp/w3.uris"
sign "$tmp/w3.xml" --key "$k/sm2.key" --cert "$k/sm2.crt" --uris "$tmp/w3.uris" "$inv"
verify "$tmp/w3.xml"
if grep -q 'Algorithm="http://www.w3.org/2000/09/xmldsig#sm2-sm3"' "$tmp/w3.xml" && [ "$rc" -eq 0 \
	]; then
	pass "sign --uris writes the file's SM URIs; a verifier with the built-in ones accepts"
else
	fail "sign --uris (verify exit $rc)"
	diag_file "$tmp/sign.err" "$tmp/v.out"
fi
verify --uris "$tmp/w3.uris" "$sm2_inv"
if [ "$rc" -eq 1 ] && grep -q 'built-in URI of sm2-sm3, which the URI file replaces' \
	"$tmp/v.out"; then
	pass "verify --uris refuses the built-in SM URI the file replaces, and says so"
else
	fail "verify --uris with the built-in SM URI (exit $rc)"
	diag_file "$tmp/v.out"
fi
printf '[sm2-sm3]\ndigets = urn:x\n' >"$tmp/typo.uris"
sign "$tmp/typo.xml" --key "$k/sm2.key" --cert "$k/sm2.crt" --uris "$tmp/typo.uris" "$inv"
if [ "$rc" -eq 2 ] && [ ! -e "$tmp/typo.xml" ] && grep -q 'typo.uris:2' "$tmp/sign.err"; then
	pass "sign --uris with a misspelt key: exit 2, the file and line named, nothing written"
else
	fail "sign --uris with a misspelt key (exit $rc)"
	diag_file "$tmp/sign.err"
fi
# No passphrase on the command line: there is no such option.
sign "$tmp/argv.xml" --key "$k/rsa-enc.key" --cert "$k/rsa.crt" --pass s3cret-pass "$inv"
if [ "$rc" -eq 2 ] && [ ! -e "$tmp/argv.xml" ]; then
	pass "a passphrase on the command line (--pass) is refused: exit 2"
else
	fail "a passphrase on the command line (--pass): exit $rc"
	diag_file "$tmp/sign.err"
fi

# ---------------------------------------------------------------- receipts are not signed
# The standard signs no receipt (CEB312 ... CEB900): sign refuses each one, exit 1 with
# CG0201, and writes nothing; submit says so (CG0201) and queues nothing.
for in in "$samples"/CEB312-*.xml "$samples"/CEB412-*.xml "$samples"/CEB512-*.xml \
	"$samples"/CEB514-*.xml "$samples"/CEB622-*.xml "$samples"/CEB624-*.xml \
	"$samples"/CEB626-*.xml "$samples"/CEB712-*.xml "$samples"/CEB816-*.xml \
	"$samples"/CEB818-*.xml "$samples"/CEB900-*.xml; do
	base=$(basename "$in" .xml)
	rm -f "$tmp/receipt.xml"
	sign "$tmp/receipt.xml" --key "$k/rsa.key" --cert "$k/rsa.crt" "$in"
	root=$(printf '%s' "$base" | cut -c1-6)Message
	if [ "$rc" -eq 1 ] && [ ! -s "$tmp/receipt.xml" ] && grep -q \
		"CG0201 $root is a receipt: the standard does not sign this message type" \
		"$tmp/sign.err"; then
		pass "sign $base: refused, exit 1, CG0201, nothing written"
	else
		fail "sign $base: refused, exit 1, CG0201, nothing written (got $rc)"
		diag_file "$tmp/sign.err"
	fi
done
rc=0
mkdir -p "$tmp/ch/inbox"
"$cli" submit --channel "dir:$tmp/ch" --outbox "$tmp/receipt-outbox.db" --key "$k/rsa.key" \
	--cert "$k/rsa.crt" --json "$samples/CEB312-order-receipt.xml" >"$tmp/submit.out" \
	2>"$tmp/submit.err" || rc=$?
if [ "$rc" -eq 1 ] && grep -q "CG0201" "$tmp/submit.out" "$tmp/submit.err" &&
	[ -z "$(ls "$tmp/ch/outbox" 2>/dev/null)" ] &&
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["added"] == 0 and d["invalid"] == 1 else 1)
' "$tmp/submit.out"; then
	pass "submit of a receipt: exit 1, CG0201, nothing queued or sent"
else
	fail "submit of a receipt: exit 1, CG0201, nothing queued or sent (got $rc)"
	diag_file "$tmp/submit.out" "$tmp/submit.err"
fi

done_testing
exit 0
