#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: electronic tax bills (CEB816/818) in the real cebgated. The
# four documents of ceb-spec §13 match and the inventory is released: its
# CEB816 reaches the declarant and the guarantor (assureCode) in the receipts
# feed, sits beside the declaration on the desk and on the merchant status
# list, and is in the guarantor's monthly statement (JSON and CSV). A return
# (CEB625) within the return period voids it (CEB818 status 3); cebgate
# receipts records both.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"

DB=$(new_db s)
for e in A1:4403960XA1:ebp,ebc B2:4403960XB2:ebc C3:4403960XC3:pay D4:4403980XD4:logistics,agent; do
	k=${e%%:*}; rest=${e#*:}; code=${rest%%:*}; roles=${rest#*:}
	adm enterprise add "$code" "enterprise $k" "$roles"
	"$CEBGATE" keygen --sm2 --key "$T/$k.key" --cert "$T/$k.crt" --serial "30000000000$k" \
		>/dev/null
	adm cert add "$code" "$T/$k.crt"
done
TA=$(adm token new --enterprise 4403960XA1)
TB=$(adm token new --enterprise 4403960XB2)
TC=$(adm token new --enterprise 4403960XC3)
TD=$(adm token new --enterprise 4403980XD4)
PW=officerpass1 adm user add olga officer --pass-env PW
TO=$(adm token new --user olga)

"$CEBGATE" sign --key "$T/A1.key" --cert "$T/A1.crt" "$S/CEB311-order.xml" -o "$T/o.xml"
"$CEBGATE" sign --key "$T/C3.key" --cert "$T/C3.crt" "$S/CEB411-payment.xml" -o "$T/p.xml"
"$CEBGATE" sign --key "$T/D4.key" --cert "$T/D4.crt" "$S/CEB511-waybill.xml" -o "$T/w.xml"
"$CEBGATE" sign --key "$T/D4.key" --cert "$T/D4.crt" "$S/CEB621-inventory.xml" -o "$T/i.xml"

start_daemon --db "$DB" --random-rate 0
post() { http -H "Authorization: Bearer $1" --data-binary @"$2" "$URL/api/v1/submissions"; }
api() { http -X "$2" -H "Authorization: Bearer $1" "$URL$3"; }
feed() { # TOKEN TYPE: the returnStatus of each receipt of TYPE it has, in order
	curl -s -H "Authorization: Bearer $1" "$URL/api/v1/receipts?after=0" |
		jq -r --arg t "$2" '[.receipts[] | select(.type == $t) | .returnStatus] | join(" ")'
}

for f in o p w i; do
	k=D4; tok=$TD
	case $f in o) tok=$TA ;; p) tok=$TC ;; esac
	is "document $f accepted" "$(post "$tok" "$T/$f.xml")" 200
done
is "the inventory is released (399 800)" "$(feed "$TD" CEB622Message)" '2 120 399 800'
is "the declarant receives the tax bill (CEB816, status 1 issued)" "$(feed "$TD" CEB816Message)" 1
is "so does the guarantor of the assureCode (4403960XB2)" "$(feed "$TB" CEB816Message)" 1
is "the platform does not" "$(feed "$TA" CEB816Message)" ''
curl -s -H "Authorization: Bearer $TD" "$URL/api/v1/receipts?after=0" |
	jq -r '.receipts[] | select(.type == "CEB816Message") | .xml' >"$T/816.xml"
ok "the CEB816 is valid against the schema" "$CEBGATE" validate --unsigned "$T/816.xml"
file_contains "it carries VAT 47.87 (13 % x 70 % of 526.00)" "$T/816.xml" '<ceb:valueAddedTax>47.87</ceb:valueAddedTax>'
file_contains "and the first line's VAT at 5 decimals" "$T/816.xml" '<ceb:valueAddedTax>36.73436</ceb:valueAddedTax>'

api "$TD" GET "/api/v1/declarations?kind=621" >/dev/null
json_is "the declarant's status list shows the bill" "$T/out" '.declarations[0].taxBill.status' 1
json_is "with its total VAT" "$T/out" '.declarations[0].taxBill.valueAddedTax' 47.87
ID=$(jv "$T/out" '.declarations[0].id')
INVT=$(jv "$T/out" '.declarations[0].taxBill.invtNo')
TAXNO=$(jv "$T/out" '.declarations[0].taxBill.taxNo')
api "$TO" GET "/api/v1/declarations/$ID" >/dev/null
json_is "the desk shows the bill beside the declaration" "$T/out" \
	'[.taxBill.taxNo, .taxBill.assureCode, (.taxBill.lines | length)] | join(" ")' "$TAXNO 4403960XB2 2"
json_is "and the audit trail records its issue" "$T/out" '[.audit[] | select(.action == "tax-bill")] | length' 1

MONTH=$(jv "$T/out" .taxBill.month)
is "the guarantor reads its monthly statement" \
	"$(api "$TB" GET "/api/v1/enterprises/4403960XB2/tax-bills?month=$MONTH")" 200
json_is "one bill, VAT 47.87 in total" "$T/out" '[.count, .totals.valueAddedTax] | join(" ")' '1 47.87'
is "another month is empty" "$(api "$TB" GET "/api/v1/enterprises/4403960XB2/tax-bills?month=200001")" 200
json_is "no bills" "$T/out" .count 0
is "a month that is not YYYYMM is refused (400)" \
	"$(api "$TB" GET "/api/v1/enterprises/4403960XB2/tax-bills?month=2026-1")" 400
is "an enterprise cannot read another's statement (403)" \
	"$(api "$TA" GET "/api/v1/enterprises/4403960XB2/tax-bills?month=$MONTH")" 403
is "an officer can" "$(api "$TO" GET "/api/v1/enterprises/4403960XB2/tax-bills?month=$MONTH")" 200
is "the statement as CSV" \
	"$(api "$TB" GET "/api/v1/enterprises/4403960XB2/tax-bills.csv?month=$MONTH")" 200
like "is text/csv" "$(header Content-Type)" '^text/csv'
file_contains "with the bill's line" "$T/out" "\"$TAXNO\",\"$INVT\",\"1\""

# cebgate receipts follows the bills too.
"$CEBGATE" receipts --server "$URL" --token-file /dev/stdin --outbox "$T/ob.db" --json <<EOF2 >"$T/rc.json" 2>"$T/rc.err" || :
$TD
EOF2
file_contains "cebgate receipts records the tax bill" "$T/rc.json" "$TAXNO"

# A return within the period: the bill is voided.
sed -e "s/53492024I000123456/$INVT/" "$S/CEB625-return.xml" >"$T/r-unsigned.xml"
"$CEBGATE" sign --key "$T/D4.key" --cert "$T/D4.crt" "$T/r-unsigned.xml" -o "$T/r.xml"
is "the return is accepted" "$(post "$TD" "$T/r.xml")" 200
is "the declarant receives the CEB818: cancelled (3)" "$(feed "$TD" CEB818Message)" 3
is "so does the guarantor" "$(feed "$TB" CEB818Message)" 3
api "$TB" GET "/api/v1/enterprises/4403960XB2/tax-bills?month=$MONTH" >/dev/null
json_is "the statement lists it cancelled, owing nothing" "$T/out" \
	'[.bills[0].status, .totals.valueAddedTax] | join(" ")' '3 0.00'
is "the tax bill's rows in the database" "$(dbq "$DB" "SELECT status FROM tax_bill")" 3
is "the database is sound" "$(db_sound "$DB")" ok
stop_daemon
done_testing
