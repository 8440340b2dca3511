#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: a merchant without a command line. She uploads her shop's CSV
# export (good and bad rows) to the real cebgated, sees the findings at the
# right lines and columns, downloads them as CSV and the canonical XML, hands
# over her enterprise's key once (custodial signing), submits the good orders
# and reads their receipts; another enterprise's merchant sees nothing of it.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"

DB=$(new_db u)
M=$top_srcdir/samples/merchant
adm enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
adm enterprise add 4403960XB2 "示例电商" ebc DXPENT0000999902
PW=merchantpass1 adm user add mia merchant --enterprise 4403960XA1 --pass-env PW
PW=merchantpass2 adm user add max merchant --enterprise 4403960XB2 --pass-env PW
PW=officerpass1 adm user add olga officer --pass-env PW
TM=$(adm token new --user mia)
TX=$(adm token new --user max)
TO=$(adm token new --user olga)
printf 'custody passphrase 1\n' >"$T/custody.pass"
# Uploads and keys sit beside a SQLite file; a PostgreSQL URI has no "beside".
exit_code_is "a PostgreSQL database without --state-dir is refused" 2 \
	"$CEBGATED" --db postgresql:///nowhere --port 0
file_contains "saying what it needs" "$T/.ok" 'needs --state-dir DIR'
start_daemon --db "$DB" --custody-pass-file "$T/custody.pass" --max-upload 65536

call() { # TOKEN METHOD PATH [BODY-FILE] -> status; body in $T/out
	http -X "$2" ${1:+-H "Authorization: Bearer $1"} ${4:+--data-binary @"$4"} "$URL$3"
}
custody_json() { # CERT KEY: the custody hand-over body
	jq -n --rawfile c "$1" --rawfile k "$2" '{certificate: $c, key: $k}'
}
sha() { sha256sum "$1" | cut -c1-64; }
U=/api/v1/uploads

is "the merchant uploads her CSV export with good and bad rows (201)" \
	"$(call "$TM" POST "$U?name=orders-bad.csv" "$M/orders-bad.csv")" 201
# 10 orders and the ragged row (line 9) of an eleventh, which counts as a rejected record.
json_is "11 records read: 4 valid, 7 invalid, outcome partial" "$T/out" \
	'[.state, .records, .valid, .invalid, .outcome]' '["ready",11,4,7,"partial"]'
cp "$T/out" "$T/upload.json"
ID=$(jv "$T/out" .id)
# Every line of the expected-findings file of the sample is reported at its line and code.
expected_findings() {
	python3 - "$T/upload.json" "$M/orders-bad.EXPECTED.tsv" <<'PY'
import json, sys
got = {(f['line'], f['code']) for f in json.load(open(sys.argv[1]))['findings']}
want = [l.split('\t') for l in open(sys.argv[2], encoding='utf-8')
        if l.strip() and not l.startswith('#')]
sys.exit(0 if all((int(w[0]), w[2]) in got for w in want) else 1)
PY
}
ok "each bad row is reported at its CSV line with the expected code" expected_findings
json_is "findings carry the CSV column and the message in Chinese and English" "$T/out" \
	'[.findings[] | select(.line == 3) | [.column, .message_zh != "", .message_en != ""]]' \
	'[[29,true,true]]'
json_is "the normalization changes are listed with their line" "$T/out" \
	'(.changes | length > 0) and all(.changes[]; .line > 1)' true
ok "the raw file is kept under its SHA-256" test -f "$(files_of "$DB")/$(sha "$M/orders-bad.csv")"
json_is "which the answer names" "$T/out" .sha256 "$(sha "$M/orders-bad.csv")"
is "the findings download as CSV" "$(call "$TM" GET "$U/$ID/findings.csv")" 200
findings_csv() {
	python3 - "$T/out" "$T/upload.json" <<'PY'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8-sig', newline='')))
n = len(json.load(open(sys.argv[2]))['findings'])
sys.exit(0 if rows[0][0] == 'line' and len(rows) == n + 1
         and not any(c[:1] in '=+-@' and c for r in rows for c in r) else 1)
PY
}
ok "one row per finding, no cell a spreadsheet would run" findings_csv
is "each valid order downloads as canonical XML" "$(call "$TM" GET "$U/$ID/documents/1")" 200
ok "that validates" "$CEBGATE" validate --unsigned "$T/out"
file_contains "for her enterprise" "$T/out" '<ceb:copCode>4403960XA1</ceb:copCode>'
file_contains "the BaseTransfer is the merchant's enterprise, whatever the file says" \
	"$T/out" DXPENT0000999901
is "another enterprise's merchant cannot see the upload (404)" "$(call "$TX" GET "$U/$ID")" 404
is "nor its documents (404)" "$(call "$TX" GET "$U/$ID/documents/1")" 404
is "an officer cannot upload (403)" "$(call "$TO" POST "$U?name=x.csv" "$M/orders-bad.csv")" 403
is "without a custodial key, submitting is refused (409)" \
	"$(call "$TM" POST "$U/$ID/submit")" 409
"$CEBGATE" keygen --sm2 --key "$T/a.key" --cert "$T/a.crt" --serial 3000000000CDE6F >/dev/null
custody_json "$T/a.crt" "$T/a.key" >"$T/custody.json"
C=/api/v1/enterprises/4403960XA1/custody
is "another enterprise's merchant cannot hand over A1's key (403)" \
	"$(call "$TX" POST $C "$T/custody.json")" 403
"$CEBGATE" keygen --sm2 --key "$T/o.key" --cert "$T/o.crt" --serial 3000000000CDE70 >/dev/null
custody_json "$T/o.crt" "$T/a.key" >"$T/mismatch.json"
is "a key that does not belong to the certificate is refused (400)" \
	"$(call "$TM" POST $C "$T/mismatch.json")" 400
is "the merchant hands over her enterprise's SM2 key once (201)" \
	"$(call "$TM" POST $C "$T/custody.json")" 201
json_is "its serial and profile are answered" "$T/out" '[.serial, .profile]' \
	'["03000000000cde6f","sm2-sm3"]'
K=$(custody_of "$DB")/4403960XA1-03000000000cde6f.key
ok "the key is kept encrypted" grep -q 'ENCRYPTED PRIVATE KEY' "$K"
is "readable by the service alone" "$(stat -c %a "$K")" 600
file_lacks "and never answered" "$T/out" PRIVATE
is "submitting signs and sends the four good orders" "$(call "$TM" POST "$U/$ID/submit")" 200
json_is "all accepted" "$T/out" '[.submitted, .accepted]' '[4,4]'
is "submitting again" "$(call "$TM" POST "$U/$ID/submit")" 200
json_is "sends nothing twice" "$T/out" .submitted 0
is "and nothing more is stored" "$(dbq "$DB" 'SELECT count(*) FROM message')" 4
is "each signature on her behalf is in the audit trail with who asked and the key serial" \
	"$(dbq "$DB" "SELECT count(*) FROM audit WHERE action = 'custodial signature'
		AND actor = 'mia' AND detail LIKE '%serial 03000000000cde6f%'")" 4
is "the merchant reads the receipts of her enterprise" \
	"$(call "$TM" GET '/api/v1/receipts?after=0')" 200
json_is "four CEB312 with 120" "$T/out" '[.receipts[].returnStatus] | sort' \
	'["120","120","120","120"]'
is "the other merchant reads receipts" "$(call "$TX" GET '/api/v1/receipts?after=0')" 200
json_is "none of them" "$T/out" '.receipts | length' 0
is "the upload is read again" "$(call "$TM" GET "$U/$ID")" 200
json_is "it now shows each document's result" "$T/out" '[.documents[].result.status]' \
	'["accepted","accepted","accepted","accepted"]'
is "her status list is answered" "$(call "$TM" GET '/api/v1/declarations?kind=311')" 200
json_is "it shows the orders with their receipts" "$T/out" \
	'[.declarations[] | [.key2, .receipts]] | sort | .[0]' '["SO202611270000000201",["120"]]'
json_is "all four" "$T/out" '.declarations | length' 4
is "a search by order number is answered" \
	"$(call "$TM" GET '/api/v1/declarations?q=SO202611270000000203')" 200
json_is "and finds that one" "$T/out" '[.declarations[].key2]' '["SO202611270000000203"]'
is "the receipt code is explained from the shared catalogue, without login" \
	"$(call '' GET /api/v1/explain/120)" 200
json_is "as a returnStatus" "$T/out" .kind returnStatus
is "an unknown code is not found (404)" "$(call '' GET /api/v1/explain/NOSUCH)" 404
is "the other merchant's list is answered" "$(call "$TX" GET /api/v1/declarations)" 200
json_is "and empty" "$T/out" '.declarations | length' 0
printf '[columns]\n订单号 = orderNo\n' >"$T/p.profile"
printf 'no section\n' >"$T/bad.profile"
is "a mapping profile is saved for the enterprise (201)" \
	"$(call "$TM" POST /api/v1/profiles/shop "$T/p.profile")" 201
is "a malformed one is refused (400)" \
	"$(call "$TM" POST /api/v1/profiles/shop "$T/bad.profile")" 400
head -c 70000 /dev/zero | tr '\0' 'x' >"$T/big.csv"
is "an upload over max-upload is refused (413)" \
	"$(call "$TM" POST "$U?name=big.csv" "$T/big.csv")" 413
is "and not kept" "$(ls "$(files_of "$DB")" | wc -l)" 1
is "an upload naming an unknown saved profile is refused (400)" \
	"$(call "$TM" POST "$U?name=o.csv&profile=nosuch" "$M/orders-en.csv")" 400
stop_daemon
start_daemon --db "$DB" --max-upload-records 3 --state-dir "$T/st2"
ok "--state-dir holds the uploads and the custodial keys" test -d "$T/st2/files" -a -d "$T/st2/custody"
is "created for this service only" "$(stat -c %a "$T/st2" "$T/st2/files" "$T/st2/custody" | sort -u)" 700
is "past max-upload-records the upload stops (422)" \
	"$(call "$TM" POST "$U?name=many.csv" "$M/orders-bad.csv")" 422
json_is "failed, with a CG0003 finding" "$T/out" '[.state, .findings[-1].code]' \
	'["failed","CG0003"]'
k=0
while [ $k -lt 45 ]; do
	code=$(call "$TX" POST "$U?name=r.csv" "$M/orders-en.csv")
	[ "$code" = 429 ] && break
	k=$((k + 1))
done
# A minute boundary may reset the count once: at most 40 uploads before the 429.
is "an account uploading more than 20 files a minute is told to wait (429)" "$code" 429
ok "after at most 40 uploads" test $k -le 40
"$CEBGATE" keygen --rsa --key "$T/r.key" --cert "$T/r.crt" --serial 01691FE9 >/dev/null
adm cert add 4403960XA1 "$T/r.crt"
"$CEBGATE" sign --key "$T/r.key" --cert "$T/r.crt" "$S/CEB311-order.xml" -o "$T/own.xml"
call "$TM" POST "$U?name=own.xml" "$T/own.xml" >/dev/null
OWN=$(jv "$T/out" .id)
is "an order she signed herself is submitted" "$(call "$TM" POST "$U/$OWN/submit")" 200
json_is "and accepted" "$T/out" '[.submitted, .accepted]' '[1,1]'
is "it goes out with her own signature: the stored message is her bytes" \
	"$(dbq "$DB" "SELECT $(if on_pg; then echo "encode(sha256, 'hex')"; else echo 'lower(hex(sha256))'; fi) FROM message
		WHERE guid = '309FF3B5-9896-4379-93C3-706DB153EEF5'")" "$(sha "$T/own.xml")"
sed 's/<ceb:buyerName>[^<]*</<ceb:buyerName>篡改</' "$T/own.xml" >"$T/tampered.xml"
call "$TM" POST "$U?name=tampered.xml" "$T/tampered.xml" >/dev/null
is "an order changed after her signature is submitted" \
	"$(call "$TM" POST "$U/$(jv "$T/out" .id)/submit")" 200
json_is "and refused by the service's verification (signature)" "$T/out" \
	'[.accepted, .results[0].status, .results[0].reason]' \
	'[0,"rejected","the signature is not that of the sending enterprise"]'
done_testing
