#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: a merchant without a command line. She uploads her shop's CSV
# export (good and bad rows) to the real cebgated, sees the findings at the
# right lines and columns, downloads them as CSV and the canonical XML, hands
# over her enterprise's key once (custodial signing), submits the good orders
# and reads their receipts; another enterprise's merchant sees nothing of it.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"

echo "1..32"
DB=$T/u.db
M=$top_srcdir/samples/merchant
"$CEBGATE" admin --db "$DB" enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
"$CEBGATE" admin --db "$DB" enterprise add 4403960XB2 "示例电商" ebc DXPENT0000999902
PW=merchantpass1 "$CEBGATE" admin --db "$DB" user add mia merchant --enterprise 4403960XA1 --pass-env PW
PW=merchantpass2 "$CEBGATE" admin --db "$DB" user add max merchant --enterprise 4403960XB2 --pass-env PW
PW=officerpass1 "$CEBGATE" admin --db "$DB" user add olga officer --pass-env PW
TM=$("$CEBGATE" admin --db "$DB" token new --user mia)
TX=$("$CEBGATE" admin --db "$DB" token new --user max)
TO=$("$CEBGATE" admin --db "$DB" token new --user olga)
printf 'custody passphrase 1\n' >"$T/custody.pass"
start_daemon --db "$DB" --custody-pass-file "$T/custody.pass" --max-upload 65536

call() { # TOKEN METHOD PATH [BODY-FILE] -> body in $T/out, status printed
	curl -s -o "$T/out" -w '%{http_code}' -X "$2" ${1:+-H "Authorization: Bearer $1"} \
		${4:+--data-binary @"$4"} "$URL$3"
}
j() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/out" "$1"; }

check "the merchant uploads her CSV export with good and bad rows (201)" \
	"[ \$(call $TM POST '/api/v1/uploads?name=orders-bad.csv' $M/orders-bad.csv) = 201 ] && [ \"\$(j '(r[\"state\"], r[\"records\"], r[\"valid\"], r[\"invalid\"])')\" = \"('ready', 10, 4, 6)\" ]"
cp "$T/out" "$T/upload.json"
ID=$(j 'r["id"]')
# Every line of the expected-findings file of the sample is reported at its line and code.
check "each bad row is reported at its CSV line with the expected code" \
	"python3 - $T/upload.json $M/orders-bad.EXPECTED.tsv <<'PY'
import json, sys
got = {(f['line'], f['code']) for f in json.load(open(sys.argv[1]))['findings']}
want = [l.split('\t') for l in open(sys.argv[2], encoding='utf-8') if l.strip() and not l.startswith('#')]
sys.exit(0 if all((int(w[0]), w[2]) in got for w in want) else 1)
PY"
check "findings carry the CSV column and the message in Chinese and English" \
	"[ \"\$(j '[(f[\"column\"], f[\"message_zh\"] != \"\", f[\"message_en\"] != \"\") for f in r[\"findings\"] if f[\"line\"] == 3]')\" = \"[(29, True, True)]\" ]"
check "the normalization changes are listed with their line" "[ \"\$(j 'len(r[\"changes\"]) > 0 and all(c[\"line\"] > 1 for c in r[\"changes\"])')\" = True ]"
check "the raw file is kept under its SHA-256" \
	"[ -f $DB.files/\$(sha256sum $M/orders-bad.csv | cut -c1-64) ] && [ \"\$(j 'r[\"sha256\"]')\" = \$(sha256sum $M/orders-bad.csv | cut -c1-64) ]"
check "the findings download as CSV, one row per finding, no cell a spreadsheet would run" \
	"[ \$(call $TM GET /api/v1/uploads/$ID/findings.csv) = 200 ] && python3 - $T/out $T/upload.json <<'PY'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8-sig', newline='')))
n = len(json.load(open(sys.argv[2]))['findings'])
sys.exit(0 if rows[0][0] == 'line' and len(rows) == n + 1 and not any(c[:1] in '=+-@' and c for r in rows for c in r) else 1)
PY"
check "each valid order downloads as canonical XML that validates" \
	"[ \$(call $TM GET /api/v1/uploads/$ID/documents/1) = 200 ] && '$CEBGATE' validate --unsigned $T/out >/dev/null && grep -q '<ceb:copCode>4403960XA1</ceb:copCode>' $T/out"
check "the BaseTransfer is the merchant's enterprise, whatever the file says" "grep -q DXPENT0000999901 $T/out"
check "another enterprise's merchant cannot see the upload (404)" "[ \$(call $TX GET /api/v1/uploads/$ID) = 404 ] && [ \$(call $TX GET /api/v1/uploads/$ID/documents/1) = 404 ]"
check "an officer cannot upload (403)" "[ \$(call $TO POST '/api/v1/uploads?name=x.csv' $M/orders-bad.csv) = 403 ]"
check "without a custodial key, submitting is refused (409)" "[ \$(call $TM POST /api/v1/uploads/$ID/submit) = 409 ]"
"$CEBGATE" keygen --sm2 --key "$T/a.key" --cert "$T/a.crt" --serial 3000000000CDE6F >/dev/null
python3 -c 'import json,sys; print(json.dumps({"certificate": open(sys.argv[1]).read(), "key": open(sys.argv[2]).read()}))' "$T/a.crt" "$T/a.key" >"$T/custody.json"
check "another enterprise's merchant cannot hand over A1's key (403)" \
	"[ \$(call $TX POST /api/v1/enterprises/4403960XA1/custody $T/custody.json) = 403 ]"
"$CEBGATE" keygen --sm2 --key "$T/o.key" --cert "$T/o.crt" --serial 3000000000CDE70 >/dev/null
python3 -c 'import json,sys; print(json.dumps({"certificate": open(sys.argv[1]).read(), "key": open(sys.argv[2]).read()}))' "$T/o.crt" "$T/a.key" >"$T/mismatch.json"
check "a key that does not belong to the certificate is refused (400)" \
	"[ \$(call $TM POST /api/v1/enterprises/4403960XA1/custody $T/mismatch.json) = 400 ]"
check "the merchant hands over her enterprise's SM2 key once (201, serial, profile)" \
	"[ \$(call $TM POST /api/v1/enterprises/4403960XA1/custody $T/custody.json) = 201 ] && [ \"\$(j '(r[\"serial\"], r[\"profile\"])')\" = \"('03000000000cde6f', 'sm2-sm3')\" ]"
check "the key is kept encrypted, readable by the service alone, and never answered" \
	"head -1 $DB.custody/4403960XA1-03000000000cde6f.key | grep -q 'ENCRYPTED PRIVATE KEY' && [ \$(stat -c %a $DB.custody/4403960XA1-03000000000cde6f.key) = 600 ] && ! grep -q PRIVATE $T/out"
check "submitting signs and sends the four good orders: all accepted" \
	"[ \$(call $TM POST /api/v1/uploads/$ID/submit) = 200 ] && [ \"\$(j '(r[\"submitted\"], r[\"accepted\"])')\" = '(4, 4)' ]"
check "submitting again sends nothing twice" \
	"[ \$(call $TM POST /api/v1/uploads/$ID/submit) = 200 ] && [ \"\$(j 'r[\"submitted\"]')\" = 0 ] && [ \"\$(sqlite3 $DB 'SELECT count(*) FROM message')\" = 4 ]"
check "each signature on her behalf is in the audit trail with who asked and the key serial" \
	"[ \"\$(sqlite3 $DB \"SELECT count(*) FROM audit WHERE action = 'custodial signature' AND actor = 'mia' AND detail LIKE '%serial 03000000000cde6f%'\")\" = 4 ]"
check "the merchant reads the receipts of her enterprise (four CEB312 with 120)" \
	"[ \$(call $TM GET '/api/v1/receipts?after=0') = 200 ] && [ \"\$(j 'sorted(x[\"returnStatus\"] for x in r[\"receipts\"])')\" = \"['120', '120', '120', '120']\" ]"
check "the other merchant reads none of them" "[ \$(call $TX GET '/api/v1/receipts?after=0') = 200 ] && [ \"\$(j 'len(r[\"receipts\"])')\" = 0 ]"
check "the upload now shows each document's result" \
	"[ \$(call $TM GET /api/v1/uploads/$ID) = 200 ] && [ \"\$(j '[d[\"result\"][\"status\"] for d in r[\"documents\"]]')\" = \"['accepted', 'accepted', 'accepted', 'accepted']\" ]"
check "her status list shows the four orders with their receipts" \
	"[ \$(call $TM GET '/api/v1/declarations?kind=311') = 200 ] && [ \"\$(j 'sorted((d[\"key2\"], d[\"receipts\"]) for d in r[\"declarations\"])[0]')\" = \"('SO202611270000000201', ['120'])\" ] && [ \"\$(j 'len(r[\"declarations\"])')\" = 4 ]"
check "a search by order number finds that one" \
	"[ \$(call $TM GET '/api/v1/declarations?q=SO202611270000000203') = 200 ] && [ \"\$(j '[d[\"key2\"] for d in r[\"declarations\"]]')\" = \"['SO202611270000000203']\" ]"
check "the receipt code is explained from the shared catalogue, without login" \
	"[ \$(call '' GET /api/v1/explain/120) = 200 ] && [ \"\$(j 'r[\"kind\"]')\" = returnStatus ] && [ \$(call '' GET /api/v1/explain/NOSUCH) = 404 ]"
check "the other merchant's list is empty" "[ \$(call $TX GET /api/v1/declarations) = 200 ] && [ \"\$(j 'len(r[\"declarations\"])')\" = 0 ]"
printf '[columns]\n订单号 = orderNo\n' >"$T/p.profile"
check "a mapping profile is saved for the enterprise (201); a malformed one is refused (400)" \
	"[ \$(call $TM POST /api/v1/profiles/shop $T/p.profile) = 201 ] && printf 'no section\n' >$T/bad.profile && [ \$(call $TM POST /api/v1/profiles/shop $T/bad.profile) = 400 ]"
head -c 70000 /dev/zero | tr '\0' 'x' >"$T/big.csv"
check "an upload over max-upload is refused (413) and not kept" \
	"[ \$(call $TM POST '/api/v1/uploads?name=big.csv' $T/big.csv) = 413 ] && [ \$(ls $DB.files | wc -l) = 1 ]"
check "an upload naming an unknown saved profile is refused (400)" \
	"[ \$(call $TM POST '/api/v1/uploads?name=o.csv&profile=nosuch' $M/orders-en.csv) = 400 ]"
stop_daemon
start_daemon --db "$DB" --max-upload-records 3
check "past max-upload-records the upload stops: 422, failed, a CG0003 finding" \
	"[ \$(call $TM POST '/api/v1/uploads?name=many.csv' $M/orders-bad.csv) = 422 ] && [ \"\$(j '(r[\"state\"], [f[\"code\"] for f in r[\"findings\"]][-1])')\" = \"('failed', 'CG0003')\" ]"
k=0
while [ $k -lt 45 ]; do call "$TX" POST '/api/v1/uploads?name=r.csv' $M/orders-en.csv >"$T/code"; [ "$(cat "$T/code")" = 429 ] && break; k=$((k + 1)); done
# A minute boundary may reset the count once: at most 40 uploads before the 429.
check "an account uploading more than 20 files a minute is told to wait (429)" "[ \$(cat $T/code) = 429 ] && [ $k -le 40 ]"
"$CEBGATE" keygen --rsa --key "$T/r.key" --cert "$T/r.crt" --serial 01691FE9 >/dev/null
"$CEBGATE" admin --db "$DB" cert add 4403960XA1 "$T/r.crt"
"$CEBGATE" sign --key "$T/r.key" --cert "$T/r.crt" "$S/CEB311-order.xml" -o "$T/own.xml"
call "$TM" POST '/api/v1/uploads?name=own.xml' "$T/own.xml" >/dev/null
OWN=$(j 'r["id"]')
check "an order she signed herself goes out with her own signature: the stored message is her bytes" \
	"[ \$(call $TM POST /api/v1/uploads/$OWN/submit) = 200 ] && [ \"\$(j '(r[\"submitted\"], r[\"accepted\"])')\" = '(1, 1)' ] && [ \"\$(sqlite3 $DB \"SELECT lower(hex(sha256)) FROM message WHERE guid = '309FF3B5-9896-4379-93C3-706DB153EEF5'\")\" = \$(sha256sum $T/own.xml | cut -c1-64) ]"
sed 's/<ceb:buyerName>[^<]*</<ceb:buyerName>篡改</' "$T/own.xml" >"$T/tampered.xml"
call "$TM" POST '/api/v1/uploads?name=tampered.xml' "$T/tampered.xml" >/dev/null
check "an order changed after her signature is refused by the service's verification (signature)" \
	"[ \$(call $TM POST /api/v1/uploads/\$(j 'r[\"id\"]')/submit) = 200 ] && [ \"\$(j '(r[\"accepted\"], r[\"results\"][0][\"status\"], r[\"results\"][0][\"reason\"])')\" = \"(0, 'rejected', 'the signature is not that of the sending enterprise')\" ]"
exit 0
