#!/bin/sh
# SPDX-License-Identifier: MIT
# Custodial signing with the key in a PKCS#11 token (SoftHSM2): an enterprise
# hands over the token URI of its RSA key, never the key; cebgated signs its
# merchant's uploaded orders in the token (PIN = the custody passphrase) and
# submits them; every signature is audited.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/softhsm.sh"
need softhsm2-util pkcs11-tool
softhsm_setup "$T" || skip_all "softhsm2 is not installed (scripts/install-deps installs it)"
# libp11 never frees its static method tables (tests/data/lsan-libp11.supp).
LSAN_OPTIONS="suppressions=$top_srcdir/tests/data/lsan-libp11.supp:print_suppressions=0"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
export LSAN_OPTIONS ASAN_OPTIONS

PIN=custodypin1
softhsm2-util --init-token --free --label custody --so-pin 12345678 --pin "$PIN" >/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
	-subj "/CN=cebgate custody test" -set_serial 0x01691fea 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$T/key.pem" -outform DER -out "$T/key.pk8"
openssl x509 -in "$T/cert.pem" -outform DER -out "$T/cert.der"
p11() {
	pkcs11-tool --module "$module" --token-label custody --login --pin "$PIN" "$@" \
		>/dev/null 2>&1
}
p11 --write-object "$T/key.pk8" --type privkey --id 01 --label signkey
p11 --write-object "$T/cert.der" --type cert --id 01 --label signkey
rm -f "$T/key.pem" "$T/key.pk8" # from here on the key exists in the token only

DB=$T/c.db
adm enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
PW=merchantpass1 adm user add mia merchant --enterprise 4403960XA1 --pass-env PW
TM=$(adm token new --user mia)
printf '%s\n' "$PIN" >"$T/custody.pass"
start_daemon --db "$DB" --custody-pass-file "$T/custody.pass"
call() {
	http -X "$1" -H "Authorization: Bearer $TM" ${3:+--data-binary @"$3"} "$URL$2"
}
uri_json() { # CERT URI: the custody hand-over body naming a token key
	jq -n --rawfile c "$1" --arg u "$2" '{certificate: $c, pkcs11: $u}'
}
C=/api/v1/enterprises/4403960XA1/custody

uri_json "$T/cert.pem" "pkcs11:token=custody;object=signkey;type=private" >"$T/custody.json"
is "the enterprise hands over its token URI (201)" "$(call POST $C "$T/custody.json")" 201
json_is "its serial is answered" "$T/out" .serial 01691fea
like "with an RSA profile" "$(jv "$T/out" .profile)" '^rsa-'
is "no key file is written for a token key" "$(ls "$DB.custody" | grep '[.]key$' || :)" ""
uri_json "$T/cert.pem" "pkcs11:token=custody;object=nosuch;type=private" >"$T/bad.json"
is "a URI naming no key in the token is refused (400)" "$(call POST $C "$T/bad.json")" 400
is "the merchant's CSV upload is read" "$(call POST '/api/v1/uploads?name=orders-en.csv' \
	"$top_srcdir/samples/merchant/orders-en.csv")" 201
json_is "6 valid orders" "$T/out" .valid 6
ID=$(jv "$T/out" .id)
is "submitting signs each order in the token" "$(call POST "/api/v1/uploads/$ID/submit")" 200
json_is "and all are accepted" "$T/out" '[.submitted, .accepted]' '[6,6]'
is "each token signature is audited with the key serial" \
	"$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action = 'custodial signature'
		AND detail LIKE '%serial 01691fea%'")" 6
stop_daemon
done_testing
