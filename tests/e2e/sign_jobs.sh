#!/bin/sh
# SPDX-License-Identifier: MIT
# `cebgate sign -j N` and `cebgate verify -j N`: the same files, the same
# stdout and stderr, the same exit status for 1, 2 and 4 workers, on a
# directory that mixes valid declarations (spliced and re-serialized ones),
# refused inputs (a receipt, a malformed file, a signed message) and, for
# verify, a tampered message in the middle. RSA signatures are deterministic,
# so the RSA outputs must be byte-identical; SM2 ones are randomized, so those
# are compared by name and by verifying them.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"

need openssl cmp

u="$top_srcdir/samples/xml/unsigned"
x="$top_srcdir/samples/xml/export"
k=$T/keys
mkdir "$k" "$T/in"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$k/rsa.key" -out "$k/rsa.crt" -subj "/CN=t" \
	-days 365 -set_serial 0x01691FE9 2>/dev/null
"$CEBGATE" keygen --sm2 --key "$k/sm2.key" --cert "$k/sm2.crt" --serial 3000000000CDE6F >/dev/null

# Three rounds of the declarations, the refused inputs among them.
for r in 1 2 3; do
	for f in CEB311-order.xml CEB311-order-9610.xml CEB311-order-gb18030.xml \
		CEB311-order-default-ns-bom.xml CEB411-payment.xml CEB511-waybill.xml \
		CEB621-inventory.xml CEB621-inventory-9610.xml CEB623-cancel.xml CEB625-return.xml \
		CEB711-delivery.xml; do
		cp "$u/$f" "$T/in/$r-$f"
	done
	for f in CEB303Message.xml CEB603Message.xml CEB701Message.xml; do
		cp "$x/$f" "$T/in/$r-$f"
	done
	cp "$u/CEB312-order-receipt.xml" "$T/in/$r-CEB312-receipt.xml"
	cp "$top_srcdir/samples/xml/invalid/CEB311-not-well-formed.xml" "$T/in/$r-bad.xml"
done
"$CEBGATE" sign --key "$k/rsa.key" --cert "$k/rsa.crt" -j 1 -o "$T/in/2-signed-already.xml" \
	"$u/CEB311-order.xml"
total=$(ls "$T/in" | wc -l)

# sign PROFILE KEY N [ARGS...]: into $T/PROFILE-N, stdout and stderr beside it.
sign() {
	_p=$1 _key=$2 _n=$3
	shift 3
	_rc=0
	"$CEBGATE" sign --key "$k/$_key.key" --cert "$k/$_key.crt" --profile "$_p" -j "$_n" \
		-o "$T/$_p-$_n" "$@" "$T/in" >"$T/$_p-$_n.out" 2>"$T/$_p-$_n.err" || _rc=$?
	echo $_rc >"$T/$_p-$_n.rc"
}

for jn in 1 2 4; do
	sign rsa-sha256 rsa $jn
	sign sm2-sm3 sm2 $jn
done
is "rsa -j 1: some inputs refused (exit 1)" "$(cat "$T/rsa-sha256-1.rc")" 1
is "rsa -j 1: 7 inputs refused, by name" "$(grep -c '^cebgate: ' "$T/rsa-sha256-1.err")" 7
is "rsa -j 1: every declaration signed" "$(ls "$T/rsa-sha256-1" | wc -l)" $((total - 7))
for jn in 2 4; do
	ok "rsa -j $jn: byte-identical files" diff -r "$T/rsa-sha256-1" "$T/rsa-sha256-$jn"
	ok "rsa -j $jn: the same messages, in the same order" \
		cmp "$T/rsa-sha256-1.err" "$T/rsa-sha256-$jn.err"
	is "rsa -j $jn: the same exit status" "$(cat "$T/rsa-sha256-$jn.rc")" 1
	is "sm2 -j $jn: the same files" "$(ls "$T/sm2-sm3-$jn")" "$(ls "$T/sm2-sm3-1")"
	ok "sm2 -j $jn: the same messages, in the same order" \
		cmp "$T/sm2-sm3-1.err" "$T/sm2-sm3-$jn.err"
	is "sm2 -j $jn: the same exit status" "$(cat "$T/sm2-sm3-$jn.rc")" 1
done
ok "sm2 -j 4: every signature verifies" "$CEBGATE" verify -j 1 "$T/sm2-sm3-4"

# To stdout: the signed messages one after the other, in input order.
for jn in 1 3; do
	rc=0
	"$CEBGATE" sign --key "$k/rsa.key" --cert "$k/rsa.crt" --profile rsa-sha256 -j $jn \
		"$T/in" >"$T/stdout-$jn" 2>/dev/null || rc=$?
	is "stdout -j $jn: exit 1" $rc 1
done
ok "stdout: -j 3 writes what -j 1 writes" cmp "$T/stdout-1" "$T/stdout-3"

# An input that cannot be read stops the run, reported where -j 1 reports it.
ln -s "$T/nowhere" "$T/in/2-CEB311-unreadable.xml"
for jn in 1 4; do
	sign rsa-sha256 rsa $jn
done
is "unreadable: exit 2 at -j 1" "$(cat "$T/rsa-sha256-1.rc")" 2
is "unreadable: exit 2 at -j 4" "$(cat "$T/rsa-sha256-4.rc")" 2
ok "unreadable: the same messages at -j 4" cmp "$T/rsa-sha256-1.err" "$T/rsa-sha256-4.err"
like "unreadable: named" "$(cat "$T/rsa-sha256-4.err")" "cannot read .*2-CEB311-unreadable.xml"
rm "$T/in/2-CEB311-unreadable.xml"

# ---------------------------------------------------------------- verify
v=$T/v
mkdir "$v"
cp "$T/rsa-sha256-2"/* "$v/"
cp "$T/in/2-bad.xml" "$v/2-bad.xml"
# A tampered message in the middle: its amount changed after signing.
sed 's#<ceb:goodsValue>\([0-9]*\)#<ceb:goodsValue>9\1#' "$v/2-CEB311-order.xml" >"$v/2-CEB311-tampered.xml"
ok_fails "the tampering changed the file" cmp "$v/2-CEB311-order.xml" "$v/2-CEB311-tampered.xml"
for jn in 1 2 4; do
	rc=0
	"$CEBGATE" verify -j $jn "$v" >"$T/v-$jn.out" 2>"$T/v-$jn.err" || rc=$?
	echo $rc >"$T/v-$jn.rc"
	rc=0
	"$CEBGATE" verify --json -j $jn "$v" >"$T/vj-$jn.out" 2>&1 || rc=$?
	echo $rc >"$T/vj-$jn.rc"
	rc=0
	"$CEBGATE" verify --explain -j $jn "$v" >"$T/ve-$jn.out" 2>&1 || rc=$?
done
is "verify -j 1: some invalid (exit 1)" "$(cat "$T/v-1.rc")" 1
is "verify -j 1: the tampered message fails its digest" \
	"$(grep -A1 '2-CEB311-tampered.xml: INVALID' "$T/v-1.out" | grep -o CG3014)" CG3014
for jn in 2 4; do
	ok "verify -j $jn: the same report" cmp "$T/v-1.out" "$T/v-$jn.out"
	ok "verify -j $jn: the same messages" cmp "$T/v-1.err" "$T/v-$jn.err"
	is "verify -j $jn: the same exit status" "$(cat "$T/v-$jn.rc")" 1
	ok "verify --json -j $jn: the same report" cmp "$T/vj-1.out" "$T/vj-$jn.out"
	is "verify --json -j $jn: the same exit status" "$(cat "$T/vj-$jn.rc")" 1
	ok "verify --explain -j $jn: the same explanations, in order" cmp "$T/ve-1.out" "$T/ve-$jn.out"
done
# The report names files in input order: the tampered one between its neighbours.
is "verify -j 4: the tampered file reported in its place" \
	"$(grep -o '2-CEB311-[a-z0-9-]*\.xml' "$T/v-4.out" | uniq | tr '\n' ' ')" \
	"2-CEB311-order-9610.xml 2-CEB311-order-default-ns-bom.xml 2-CEB311-order-gb18030.xml 2-CEB311-order.xml 2-CEB311-tampered.xml "

# One pinned certificate shared by every worker (compared, never decoded per message).
for jn in 1 4; do
	rc=0
	"$CEBGATE" verify --pin-cert "$k/rsa.crt" -j $jn "$v" >"$T/vp-$jn.out" 2>&1 || rc=$?
	echo $rc >"$T/vp-$jn.rc"
done
is "verify --pin-cert -j 4: exit 1 (the tampered and the malformed file)" "$(cat "$T/vp-4.rc")" 1
ok "verify --pin-cert -j 4: the same report as -j 1" cmp "$T/vp-1.out" "$T/vp-4.out"
is "verify --pin-cert -j 4: 2 invalid" "$(tail -n 1 "$T/vp-4.out" | grep -o '[0-9]* invalid')" "2 invalid"

# An unreadable file: reported where it stands, exit 2, whatever -j.
ln -s "$T/nowhere" "$v/2-CEB311-p.xml"
for jn in 1 4; do
	rc=0
	"$CEBGATE" verify -j $jn "$v" >"$T/vu-$jn.out" 2>"$T/vu-$jn.err" || rc=$?
	echo $rc >"$T/vu-$jn.rc"
done
is "verify unreadable: exit 2" "$(cat "$T/vu-4.rc")" 2
ok "verify unreadable: the same report at -j 4" cmp "$T/vu-1.out" "$T/vu-4.out"
ok "verify unreadable: the same messages at -j 4" cmp "$T/vu-1.err" "$T/vu-4.err"

exit_code_is "-j 0 is a usage error" 2 "$CEBGATE" verify -j 0 "$v"
exit_code_is "-j x is a usage error" 2 "$CEBGATE" sign --key "$k/rsa.key" -j x "$T/in"
done_testing
