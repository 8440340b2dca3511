#!/bin/sh
# SPDX-License-Identifier: MIT
# Custodial signing with the key in a PKCS#11 token (SoftHSM2): an enterprise
# hands over the token URI of its RSA key, never the key; cebgated signs its
# merchant's uploaded orders in the token (PIN = the custody passphrase) and
# submits them; every signature is audited.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/softhsm.sh"
if ! command -v softhsm2-util >/dev/null || ! command -v pkcs11-tool >/dev/null || ! softhsm_setup "$T"; then
	echo "1..0 # SKIP softhsm2 or opensc not installed (scripts/install-deps installs both)"
	exit 0
fi
# libp11 never frees its static method tables (tests/data/lsan-libp11.supp).
LSAN_OPTIONS="suppressions=$top_srcdir/tests/data/lsan-libp11.supp:print_suppressions=0"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
export LSAN_OPTIONS ASAN_OPTIONS

echo "1..6"
PIN=custodypin1
softhsm2-util --init-token --free --label custody --so-pin 12345678 --pin "$PIN" >/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
	-subj "/CN=cebgate custody test" -set_serial 0x01691fea 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$T/key.pem" -outform DER -out "$T/key.pk8"
openssl x509 -in "$T/cert.pem" -outform DER -out "$T/cert.der"
p11() { pkcs11-tool --module "$module" --token-label custody --login --pin "$PIN" "$@" >/dev/null 2>&1; }
p11 --write-object "$T/key.pk8" --type privkey --id 01 --label signkey
p11 --write-object "$T/cert.der" --type cert --id 01 --label signkey
rm -f "$T/key.pem" "$T/key.pk8" # from here on the key exists in the token only

DB=$T/c.db
"$CEBGATE" admin --db "$DB" enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
PW=merchantpass1 "$CEBGATE" admin --db "$DB" user add mia merchant --enterprise 4403960XA1 --pass-env PW
TM=$("$CEBGATE" admin --db "$DB" token new --user mia)
printf '%s\n' "$PIN" >"$T/custody.pass"
start_daemon --db "$DB" --custody-pass-file "$T/custody.pass"
call() { curl -s -o "$T/out" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TM" ${3:+--data-binary @"$3"} "$URL$2"; }
j() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/out" "$1"; }

python3 -c 'import json,sys; print(json.dumps({"certificate": open(sys.argv[1]).read(), "pkcs11": "pkcs11:token=custody;object=signkey;type=private"}))' "$T/cert.pem" >"$T/custody.json"
check "the enterprise hands over its token URI (201, RSA profile, serial)" \
	"[ \$(call POST /api/v1/enterprises/4403960XA1/custody $T/custody.json) = 201 ] && [ \"\$(j 'r[\"serial\"]')\" = 01691fea ] && j 'r[\"profile\"]' | grep -q '^rsa-'"
check "no key file is written for a token key" "! ls $DB.custody | grep -q '[.]key\$'"
python3 -c 'import json,sys; print(json.dumps({"certificate": open(sys.argv[1]).read(), "pkcs11": "pkcs11:token=custody;object=nosuch;type=private"}))' "$T/cert.pem" >"$T/bad.json"
check "a URI naming no key in the token is refused (400)" "[ \$(call POST /api/v1/enterprises/4403960XA1/custody $T/bad.json) = 400 ]"
check "the merchant's CSV upload is read (6 valid orders)" \
	"[ \$(call POST '/api/v1/uploads?name=orders-en.csv' $top_srcdir/samples/merchant/orders-en.csv) = 201 ] && [ \"\$(j 'r[\"valid\"]')\" = 6 ]"
ID=$(j 'r["id"]')
check "submitting signs each order in the token and all are accepted" \
	"[ \$(call POST /api/v1/uploads/$ID/submit) = 200 ] && [ \"\$(j '(r[\"submitted\"], r[\"accepted\"])')\" = '(6, 6)' ]"
check "each token signature is audited with the key serial" \
	"[ \"\$(sqlite3 $DB \"SELECT count(*) FROM audit WHERE action = 'custodial signature' AND detail LIKE '%serial 01691fea%'\")\" = 6 ]"
stop_daemon
exit 0
