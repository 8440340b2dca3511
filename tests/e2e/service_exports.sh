#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: the customs side of exports in the real cebgated (docs/export.md).
# The worked 9610 export of ceb-export-spec §6 goes from order to closed (899)
# with every receipt read back from the feeds; another parcel's documents come
# in reverse order; 9710, 9810 and 1210 exports are released and depart; one
# list, arrival and departure carry two parcels; an inventory is cancelled
# before departure and a cancellation after it refused; an inventory whose
# lines differ from its order is refused; a duplicate guid, a business key
# declared twice; then, restarted with other settings, an inventory waits for
# its receipt of payment, is held and concluded by an officer; and one is
# released at conclusion; one left without its order is counted in the waiting
# gauge and refused by the match-timeout sweep. The logistics company polls an
# export waybill through its states.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
need python3 jq

X="$top_srcdir/samples/xml/export"
DB=$(new_db x)
i=0
for e in P1:3301960XP1:ebp E2:3301960XE2:ebc L4:3301980XL4:logistics S6:3301980XS6:logistics \
	B5:3301980XB5:agent; do
	k=${e%%:*}; rest=${e#*:}; code=${rest%%:*}; roles=${rest#*:}; i=$((i + 1))
	adm enterprise add "$code" "enterprise $k" "$roles" >/dev/null
	"$CEBGATE" keygen --sm2 --key "$T/$k.key" --cert "$T/$k.crt" --serial "4000000000000$i" >/dev/null
	adm cert add "$code" "$T/$k.crt" >/dev/null
done
TP=$(adm token new --enterprise 3301960XP1)
TE=$(adm token new --enterprise 3301960XE2)
TL=$(adm token new --enterprise 3301980XL4)
TS=$(adm token new --enterprise 3301980XS6)
TB=$(adm token new --enterprise 3301980XB5)
PW=officerpass1 adm user add olga officer --pass-env PW >/dev/null
TO=$(adm token new --user olga)

# mk NAME TYPE N [OLD=NEW]...: $T/NAME.xml is the sample of TYPE (303, 603...) for
# parcel N (its own guids, orderNo, logisticsNo and copNo), changed by each
# OLD=NEW, signed by the sample's sender (or $SIGNER: P1, E2, L4, S6, B5);
# $T/NAME.tok is that sender's token.
mk() {
	name=$1 type=$2 num=$3; shift 3
	python3 - "$X/CEB${type}Message.xml" "$T/$name.u.xml" "$num" "$@" <<'PY'
import re, sys, uuid
s = open(sys.argv[1], encoding="utf-8").read()
n = int(sys.argv[3])
s = re.sub(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}",
           lambda m: str(uuid.uuid4()).upper(), s)
s = s.replace("EO2024111800000001", "EO20241118%08d" % n)
s = s.replace("EXL2024111800000012", "EXL20241118%08d" % n)
s = re.sub(r"(E[IWADC]\d{8})00000001", lambda m: m.group(1) + "%08d" % n, s)
for r in sys.argv[4:]:
    old, new = r.split("=", 1)
    assert old in s, old
    s = s.replace(old, new)
open(sys.argv[2], "w", encoding="utf-8").write(s)
PY
	case ${SIGNER:-$type} in
	303 | P1) k=P1 tok=$TP ;; 403 | E2) k=E2 tok=$TE ;; 507 | 215 | S6) k=S6 tok=$TS ;;
	603 | 605 | 213 | 701 | B5) k=B5 tok=$TB ;;
	*) k=L4 tok=$TL ;;
	esac
	"$CEBGATE" sign --key "$T/$k.key" --cert "$T/$k.crt" "$T/$name.u.xml" -o "$T/$name.xml"
	echo "$tok" >"$T/$name.tok"
}
# post NAME: submit $T/NAME.xml with its sender's token; prints the HTTP status.
post() {
	http -H "Authorization: Bearer $(cat "$T/$1.tok")" -H 'Content-Type: application/xml' \
		--data-binary @"$T/$1.xml" "$URL/api/v1/submissions"
}
# posts NAME...: submit each, failing the test on any refusal.
posts() {
	for _m in "$@"; do
		_s=$(post "$_m")
		[ "$_s" = 200 ] || { fail "$_m accepted ($_s)"; diag_file "$T/out"; }
	done
}
# rs TOKEN TYPE KEY: the returnStatus of TOKEN's receipts of TYPE (e.g. 604) that name KEY, in order.
rs() {
	curl -s -H "Authorization: Bearer $1" "$URL/api/v1/receipts?after=0&limit=1000" |
		jq -r --arg t "CEB$2Message" --arg k "$3" \
			'[.receipts[] | select(.type == $t and (.xml | contains($k))) | .returnStatus] | join(" ")'
}
# inv N COLUMN: a column of parcel N's inventory row.
inv() { dbq "$DB" "SELECT $2 FROM document WHERE kind = 603 AND key2 = 'EI20241118$(printf %08d "$1")'"; }
lstate() { # N: what the logistics company reads for parcel N's waybill
	curl -s -H "Authorization: Bearer $TL" \
		"$URL/api/v1/logistics/3301980XL4/EXL20241118$(printf %08d "$1")" | jq -r '.waybills[0].state'
}
I1=EI2024111800000001
# Every write of an export document's data must change it (a step that changes
# only the state writes only the state): SQLite counts the others here.
on_pg || dbq "$DB" "CREATE TABLE same_data(id INTEGER);
	CREATE TRIGGER same_data AFTER UPDATE OF data ON document WHEN old.data = new.data
	BEGIN INSERT INTO same_data VALUES(old.id); END" >/dev/null

start_daemon --db "$DB" --random-rate 0

# ------------------------------------------------------------ 9610, in the order of §6
mk o1 303 1; mk w1 505 1; mk i1 603 1; mk l1 607 1; mk a1 507 1; mk d1 509 1
posts o1 w1
is "the order is accepted (2) and stored (120)" "$(rs "$TP" 304 EO2024111800000001)" "2 120"
is "the waybill: 2, then 399 (120 is not a state of CEB506)" "$(rs "$TL" 506 EXL2024111800000001)" "2 399"
is "the logistics company reads its export waybill as declared" "$(lstate 1)" declared
posts i1
is "the inventory matches its order and waybill: 2, 120, then concluded (399)" \
	"$(rs "$TB" 604 $I1)" "2 120 399"
INVT=$(inv 1 invt_no)
like "it has a customs inventory number: district, year, E, serial" "$INVT" '^29012[0-9]{3}E[0-9]{9}$'
curl -s -H "Authorization: Bearer $TB" "$URL/api/v1/receipts?after=0" >"$T/r.json"
is "the 399 receipt carries it" \
	"$(jq -r '[.receipts[] | select(.type == "CEB604Message" and .returnStatus == "399") | .xml]
		| .[0] | capture("<ceb:invtNo>(?<n>[^<]*)<").n' "$T/r.json")" "$INVT"
is "and so does the stored inventory (data.h.invtNo)" "$(inv 1 data | jq -r .h.invtNo)" "$INVT"
is "which is 'concluded'" "$(inv 1 state)" concluded
is "concluded, not arrived: still declared for the logistics company" "$(lstate 1)" declared
posts l1
is "the master/house list: 608 2, 399" "$(rs "$TL" 608 EW2024111900000001)" "2 399"
is "it gave the inventory its master bill and flight" \
	"$(inv 1 data | jq -c '[.h.billNo, .h.voyageNo]')" '["000-12345675","20241120"]'
posts a1
is "the arrival: 508 2, 399" "$(rs "$TS" 508 EA2024111900000001)" "2 399"
is "and the inventory is released (800)" "$(rs "$TB" 604 $I1)" "2 120 399 800"
is "released" "$(inv 1 state)" released
is "the logistics company reads released" "$(lstate 1)" released
posts d1
is "the departure: 510 2, 399" "$(rs "$TL" 510 ED2024112000000001)" "2 399"
is "and the inventory is closed (899)" "$(rs "$TB" 604 $I1)" "2 120 399 800 899"
is "closed" "$(inv 1 state)" closed
is "the logistics company reads departed" "$(lstate 1)" departed
ID1=$(inv 1 id)
is "each step of the inventory is in the audit trail" \
	"$(dbq "$DB" "SELECT action FROM audit WHERE document_id = $ID1 ORDER BY id" | tr '\n' ' ')" \
	"120 399 800 899 "
# Every receipt the service wrote is a valid export receipt (schemas/ceb-export.xsd).
mkdir "$T/rc"
for t in $TP $TL $TS $TB; do
	curl -s -H "Authorization: Bearer $t" "$URL/api/v1/receipts?after=0&limit=1000"
done | python3 -c '
import json, sys
i = 0
text = sys.stdin.read()
dec = json.JSONDecoder()
pos = 0
while pos < len(text):
    while pos < len(text) and text[pos].isspace():
        pos += 1
    if pos >= len(text):
        break
    o, pos = dec.raw_decode(text, pos)
    for r in o["receipts"]:
        i += 1
        open("%s/%d.xml" % (sys.argv[1], i), "w", encoding="utf-8").write(r["xml"])
' "$T/rc"
"$CEBGATE" validate --unsigned "$T/rc" >"$T/rc.out" 2>&1 || :
file_contains "every receipt written so far validates against the export schema" "$T/rc.out" \
	"^15 file\(s\): 15 valid, 0 invalid; 0 error\(s\), 0 warning\(s\)$"

# ------------------------------------------------------------ reverse order
mk d2 509 2; mk a2 507 2; mk l2 607 2; mk i2 603 2; mk w2 505 2; mk o2 303 2
posts d2 a2 l2 i2 w2
is "departure, arrival, list, inventory, waybill: the inventory still waits (2)" \
	"$(rs "$TB" 604 EI2024111800000002)" "2"
is "'declared', saying what is missing" "$(inv 2 state) $(inv 2 reason)" "declared 缺少订单 order (or booking) missing"
is "the logistics company reads arrived" "$(lstate 2)" arrived
posts o2
is "the order last: matched, concluded, released and closed at once" \
	"$(rs "$TB" 604 EI2024111800000002)" "2 120 399 800 899"
is "with the list's master bill" "$(inv 2 data | jq -r .h.billNo)" 000-12345675

# ------------------------------------------------------------ 9710 and 9810
mk o3 303 3 '<ceb:orderType>E<=<ceb:orderType>B<'
mk w3 505 3; mk i3 603 3 '<ceb:tradeMode>9610<=<ceb:tradeMode>9710<'
mk a3 507 3; mk d3 509 3
posts o3 w3 i3
is "9710: a B2B order and a waybill conclude the inventory" "$(rs "$TB" 604 EI2024111800000003)" "2 120 399"
posts a3 d3
is "released at its arrival and closed at its departure" \
	"$(rs "$TB" 604 EI2024111800000003)" "2 120 399 800 899"
mk o4 303 4 '<ceb:orderType>E<=<ceb:orderType>W<'
mk w4 505 4; mk i4 603 4 '<ceb:tradeMode>9610<=<ceb:tradeMode>9810<'
mk a4 507 4; mk d4 509 4
posts w4
is "9810: the waybill alone reads declared" "$(lstate 4)" declared
posts a4
is "reported at the site before its inventory: arrived" "$(lstate 4)" arrived
posts i4 o4
is "a booking (W) and a waybill conclude it, and the arrival releases it" \
	"$(rs "$TB" 604 EI2024111800000004)" "2 120 399 800"
is "the logistics company reads released" "$(lstate 4)" released
posts d4
is "closed at its departure" "$(rs "$TB" 604 EI2024111800000004)" "2 120 399 800 899"
is "the logistics company reads departed" "$(lstate 4)" departed
# 1210 (§2.3): the zone's warehousing enterprise, account book and item numbers.
mk o16 303 16; mk w16 505 16; mk a16 507 16; mk d16 509 16
mk i16 603 16 '<ceb:tradeMode>9610<=<ceb:tradeMode>1210<' \
	'</ceb:ownerName>=</ceb:ownerName><ceb:iacCode>3301960XZ7</ceb:iacCode><ceb:iacName>示例综合保税区仓储（杭州）有限公司</ceb:iacName><ceb:emsNo>T2901W000000001</ceb:emsNo>' \
	'<ceb:itemNo>SKU-MUG-350</ceb:itemNo>=<ceb:itemNo>SKU-MUG-350</ceb:itemNo><ceb:itemRecordNo>T2901-0001</ceb:itemRecordNo>' \
	'<ceb:itemNo>SKU-SCARF-90</ceb:itemNo>=<ceb:itemNo>SKU-SCARF-90</ceb:itemNo><ceb:itemRecordNo>T2901-0002</ceb:itemRecordNo>'
posts o16 w16 i16
is "1210: an order and a waybill conclude the special-zone inventory" \
	"$(rs "$TB" 604 EI2024111800000016)" "2 120 399"
is "it keeps its zone enterprise and account book" "$(inv 16 data | jq -r '[.h.iacCode, .h.emsNo] | join(" ")')" \
	"3301960XZ7 T2901W000000001"
posts a16 d16
is "released at its arrival and closed at its departure" \
	"$(rs "$TB" 604 EI2024111800000016)" "2 120 399 800 899"
is "the logistics company reads departed" "$(lstate 16)" departed
# One list, arrival and departure for two parcels, named in other orders on
# each (the arrival lists 19 first): every listed parcel's inventory takes
# each step, and the waybills follow.
mk o18 303 18; mk w18 505 18; mk i18 603 18; mk o19 303 19; mk w19 505 19; mk i19 603 19
posts o18 w18 i18 o19 w19 i19
both() { echo "$(rs "$TB" 604 EI2024111800000018) / $(rs "$TB" 604 EI2024111800000019)"; }
is "two parcels: both inventories concluded" "$(both)" "2 120 399 / 2 120 399"
mk l18 607 18 EXL2024111800000013=EXL2024111800000019
posts l18
is "a list naming both: 608 2, 399" "$(rs "$TL" 608 EW2024111900000018)" "2 399"
is "it gave each inventory its master bill" \
	"$(inv 18 data | jq -r .h.billNo) $(inv 19 data | jq -r .h.billNo)" "000-12345675 000-12345675"
mk a18 507 18 EXL2024111800000018=EXL2024111800000019 EXL2024111800000013=EXL2024111800000018
posts a18
is "an arrival naming both, the other first: 508 2, 399" "$(rs "$TS" 508 EA2024111900000018)" "2 399"
is "releases both" "$(both)" "2 120 399 800 / 2 120 399 800"
is "the logistics company reads both released" "$(lstate 18) $(lstate 19)" "released released"
mk d18 509 18 EXL2024111800000013=EXL2024111800000019
posts d18
is "a departure naming both closes both" "$(both)" "2 120 399 800 899 / 2 120 399 800 899"
is "both waybills departed" "$(lstate 18) $(lstate 19)" "departed departed"
mk i17 603 17 '<ceb:tradeMode>9610<=<ceb:tradeMode>1210<'
is "a 1210 inventory without its zone enterprise and account book is refused" "$(post i17)" 400
like "naming the rule (CG1304)" "$(cat "$T/out")" CG1304
mk o5 303 5; mk w5 505 5; mk i5 603 5 '<ceb:tradeMode>9610<=<ceb:tradeMode>9710<'
posts o5 w5 i5
is "a 9710 inventory with an order of type E is refused (100)" \
	"$(rs "$TB" 604 EI2024111800000005)" "2 100"
curl -s -H "Authorization: Bearer $TB" "$URL/api/v1/receipts?after=0&limit=1000" >"$T/r.json"
is "the refusal names the rule (CG1312)" \
	"$(jq -r '[.receipts[] | select(.returnStatus == "100" and (.xml | contains("EI2024111800000005"))) | .xml | test("CG1312")] | .[0]' "$T/r.json")" true

# ------------------------------------------------------------ a difference refuses
mk o6 303 6; mk w6 505 6; mk i6 603 6 '<ceb:itemNo>SKU-MUG-350<=<ceb:itemNo>SKU-MUG-999<'
posts i6 o6 w6
is "an inventory line whose itemNo is not its order's is refused (100)" \
	"$(rs "$TB" 604 EI2024111800000006)" "2 100"
is "'rejected'" "$(inv 6 state)" rejected
curl -s -H "Authorization: Bearer $TB" "$URL/api/v1/receipts?after=0&limit=1000" >"$T/r.json"
like "the receipt says which line and why (CG1311)" \
	"$(jq -r '[.receipts[] | select(.returnStatus == "100" and (.xml | contains("EI2024111800000006"))) | .xml] | .[0]' "$T/r.json")" \
	'CG1311.*gnum 1: itemNo differs'

# ------------------------------------------------------------ cancellations
mk o7 303 7; mk w7 505 7; mk i7 603 7
posts o7 w7 i7
mk c7 605 7 "29012024E000012345=$(inv 7 invt_no)"
posts c7
is "a concluded inventory is cancelled: 606 2, 399" "$(rs "$TB" 606 EC2024111900000007)" "2 399"
is "'cancelled'" "$(inv 7 state)" cancelled
mk c1 605 1 "29012024E000012345=$INVT"
posts c1
is "a cancellation after the departure is refused: 606 2, 100" "$(rs "$TB" 606 EC2024111900000001)" "2 100"
is "the inventory stays closed" "$(inv 1 state)" closed
mk c9 605 9 "29012024E000012345=29012024E999999999"
posts c9
is "a cancellation of an unknown invtNo is refused" "$(rs "$TB" 606 EC2024111900000009)" "2 100"
mk o10 303 10; mk w10 505 10; mk i10 603 10
posts o10 w10 i10
SIGNER=L4 mk c10 605 10 "29012024E000012345=$(inv 10 invt_no)" \
	'<ceb:copCode>3301980XB5<=<ceb:copCode>3301980XL4<'
posts c10
is "another enterprise cannot cancel an inventory it did not declare (606 100)" \
	"$(rs "$TL" 606 EC2024111900000010)" "2 100"
mk c10b 605 11 "29012024E000012345=$(inv 10 invt_no)" \
	'<ceb:ebcCode>3301960XE2<=<ceb:ebcCode>3301960XE9<'
posts c10b
is "nor its declarant for another consignor (606 100)" "$(rs "$TB" 606 EC2024111900000011)" "2 100"
is "the inventory stays concluded" "$(inv 10 state)" concluded

# ------------------------------------------------------------ returns and the summary: the first receipt
mk r1 213 1; mk t1 215 1; mk s1 701 1
posts r1 t1 s1
# The samples name an inventory that does not exist here: each is then refused
# (service_export_summary.sh has the rest).
is "a return request is accepted (214 2), then refused: no such inventory (100)" \
	"$(rs "$TB" 214 ER2024121000000001)" "2 100"
is "a return tally (216 2), refused: no return to tally (100)" "$(rs "$TS" 216 ET2024121200000001)" "2 100"
is "a summary application (702 2), refused: no such inventory (100)" \
	"$(rs "$TB" 702 ES2024120500000001)" "2 100"
is "each stored as a document of its kind, rejected as it was refused" \
	"$(dbq "$DB" "SELECT kind || ' ' || state FROM document WHERE kind IN (213, 215, 701) ORDER BY kind" | tr '\n' ';')" \
	"213 rejected;215 rejected;701 rejected;"

# ------------------------------------------------------------ idempotency
is "the same message again is answered the same (200)" "$(post o1)" 200
json_is "as a duplicate" "$T/out" '.results[0].status' duplicate
is "and writes no receipt" "$(rs "$TP" 304 EO2024111800000001)" "2 120"
sed 's/<ceb:freight>35.00</<ceb:freight>36.00</' "$T/o1.u.xml" >"$T/o1b.u.xml"
"$CEBGATE" sign --key "$T/P1.key" --cert "$T/P1.crt" "$T/o1b.u.xml" -o "$T/o1b.xml"
cp "$T/o1.tok" "$T/o1b.tok"
is "other content under the same guid is a conflict" "$(post o1b)" 409
mk o1c 303 1
is "the same order under a new guid is refused" "$(post o1c)" 200
json_is "with the export family's 'key exists' code" "$T/out" '.results[0].documents[0].returnStatus' -304001
is "and its receipt" "$(rs "$TP" 304 EO2024111800000001)" "2 120 -304001"
mk i1c 603 1 '<ceb:appType>1<=<ceb:appType>2<'
post i1c >/dev/null
json_is "a concluded inventory cannot be changed (-604002)" "$T/out" \
	'.results[0].documents[0].returnStatus' -604002
is "an unsigned export declaration is refused" "$(http -H "Authorization: Bearer $TP" \
	--data-binary @"$T/o1c.u.xml" "$URL/api/v1/submissions")" 400
stop_daemon

# ------------------------------------------------------------ payment required, risk and the officer
start_daemon --db "$DB" --random-rate 1000 --export-payment-required 1 --lease 60
mk o8 303 8; mk w8 505 8; mk i8 603 8; mk p8 403 8; mk a8 507 8
posts o8 w8 i8 a8
is "with export-payment-required a 9610 inventory waits for its receipt of payment" \
	"$(rs "$TB" 604 EI2024111800000008)" "2"
is "saying so" "$(inv 8 reason)" "缺少收款单 receipt of payment missing"
posts p8
is "the receipt of payment: 404 2, 120" "$(rs "$TE" 404 EO2024111800000008)" "2 120"
is "completes it; a risk rule holds it for an officer (300)" "$(rs "$TB" 604 EI2024111800000008)" "2 120 300"
is "'review'" "$(inv 8 state)" review
is "the logistics company reads under review" "$(lstate 8)" "under review"
ID8=$(inv 8 id)
http -H "Authorization: Bearer $TO" "$URL/api/v1/review" >/dev/null
json_is "the officer's queue lists the export inventory" "$T/out" \
	"[.items[] | select(.id == $ID8) | .copNo, .tradeMode] | join(\" \")" "EI2024111800000008 9610"
http -H "Authorization: Bearer $TO" "$URL/api/v1/declarations/$ID8" >/dev/null
json_is "the officer's view has its order, receipt of payment and waybill" "$T/out" \
	'[.order.h.orderType, .payment.h.charge, .waybill.h.logisticsNo] | join(" ")' \
	"E 293.00 EXL2024111800000008"
status_is "the officer claims it" 200 -X POST -H "Authorization: Bearer $TO" "$URL/api/v1/review/$ID8/claim"
status_is "inspection is not an export decision (400)" 400 -X POST -H "Authorization: Bearer $TO" \
	--data '{"decision":"inspect","reason":"look"}' "$URL/api/v1/review/$ID8/decide"
is "the officer releases it" "$(http -X POST -H "Authorization: Bearer $TO" \
	--data '{"decision":"release","reason":"documents in order"}' "$URL/api/v1/review/$ID8/decide")" 200
json_is "which concludes it" "$T/out" '[.state, .returnStatus] | join(" ")' "concluded 399"
is "399, then 800 for the arrival that came first" "$(rs "$TB" 604 EI2024111800000008)" "2 120 300 399 800"
is "the officer's decision is in the audit trail" \
	"$(dbq "$DB" "SELECT actor || ' ' || action FROM audit WHERE document_id = $ID8 AND actor = 'olga' ORDER BY id" | tr '\n' ';')" \
	"olga claim;olga 399;"
stop_daemon

# ------------------------------------------------------------ released at conclusion
start_daemon --db "$DB" --random-rate 0 --export-arrival-required 0
mk o9 303 9; mk w9 505 9; mk i9 603 9
posts o9 w9 i9
is "with export-arrival-required 0 a concluded inventory is released at once" \
	"$(rs "$TB" 604 EI2024111800000009)" "2 120 399 800"
stop_daemon

# ------------------------------------------------------------ the match timeout and the gauge
# An inventory waiting for its order is counted as an export one waiting; once
# it is older than the match timeout (its arrival moved back two hours in the
# database, instead of waiting an hour), the sweep refuses it: 604 100.
start_daemon --db "$DB" --random-rate 0 --match-timeout 3600
mk w12 505 12; mk i12 603 12; mk o15 303 15; mk w15 505 15; mk i15 603 15
posts w12 i12 i15
is "an inventory without its order waits (2)" "$(rs "$TB" 604 EI2024111800000012)" "2"
curl -s "$URL/metrics" >"$T/metrics"
file_contains "/metrics counts the two export inventories waiting, apart from the imports" "$T/metrics" \
	'^cebgate_inventories_waiting\{family="export"\} 2$' '^cebgate_inventories_waiting\{family="import"\} 0$'
posts o15 w15
is "one whose documents come is matched and concluded" "$(rs "$TB" 604 EI2024111800000015)" "2 120 399"
dbq "$DB" "UPDATE document SET created = created - 7200 WHERE kind = 603
	AND key2 IN ('EI2024111800000012', 'EI2024111800000015')" >/dev/null
timed_out() { [ "$(rs "$TB" 604 EI2024111800000012)" = "2 100" ]; }
ok "the other, past the match timeout, is refused by the sweep (604 2, 100)" wait_until 300 timed_out
is "'rejected' for the timeout" "$(inv 12 state) $(inv 12 reason)" "rejected timeout"
curl -s -H "Authorization: Bearer $TB" "$URL/api/v1/receipts?after=0&limit=1000" >"$T/r.json"
like "its receipt names what was missing" \
	"$(jq -r '[.receipts[] | select(.returnStatus == "100" and (.xml | contains("EI2024111800000012"))) | .xml] | .[0]' "$T/r.json")" \
	'比对超时退单 not matched in time: 缺少订单 order \(or booking\) missing'
is "the concluded one, as old, is left alone" "$(rs "$TB" 604 EI2024111800000015) $(inv 15 state)" \
	"2 120 399 concluded"
curl -s "$URL/metrics" >"$T/metrics"
file_contains "and the gauge reads no export inventory waiting" "$T/metrics" \
	'^cebgate_inventories_waiting\{family="export"\} 0$'
http -H "Authorization: Bearer $TB" "$URL/api/v1/declarations?kind=603&action=1" >/dev/null
json_is "the refused inventory needs its declarant's action" "$T/out" \
	'[.declarations[] | select(.key2 == "EI2024111800000012") | .state] | length' 1
stop_daemon
is "the database is sound" "$(db_sound "$DB")" ok
on_pg || is "no export document's data was written back unchanged" \
	"$(dbq "$DB" "SELECT count(*) FROM same_data")" 0
done_testing
