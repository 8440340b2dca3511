#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: export merchant files (samples/merchant/export/) uploaded to the real cebgated
# as the merchant page sends them (POST /api/v1/uploads?type=603|303|505): inventories in a
# CSV with the standard's Chinese headers, in UTF-8 and in GB18030, orders as NDJSON,
# waybills as CSV. Each becomes canonical CEB603/303/505 for the uploading enterprise, the
# defects are findings at their line and column exactly as for imports. Signed with each
# enterprise's custodial key and submitted, they clear: the status list shows the export
# declarations with their receipts and their inventory's outcome, and the receipts of the
# export family are explained in their own terms (GET /api/v1/explain/399?receipt=604).
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
need jq python3 iconv

DB=$(new_db xu)
M=$top_srcdir/samples/merchant/export
X=$top_srcdir/samples/xml/export
adm enterprise add 3301980XB5 "示例报关服务（杭州）有限公司" agent DXPENT0000999915 >/dev/null
adm enterprise add 3301960XP1 "示例出海购平台（杭州）有限公司" ebp DXPENT0000999911 >/dev/null
adm enterprise add 3301980XL4 "示例国际速递（杭州）有限公司" logistics DXPENT0000999914 >/dev/null
PW=merchantpass1 adm user add bo merchant --enterprise 3301980XB5 --pass-env PW
PW=merchantpass2 adm user add pia merchant --enterprise 3301960XP1 --pass-env PW
PW=logisticspass1 adm user add lu logistics --enterprise 3301980XL4 --pass-env PW
TB=$(adm token new --user bo)
TP=$(adm token new --user pia)
TL=$(adm token new --user lu)
printf 'custody passphrase 1\n' >"$T/custody.pass"
start_daemon --db "$DB" --custody-pass-file "$T/custody.pass" --random-rate 0

call() { # TOKEN METHOD PATH [BODY-FILE] -> status; body in $T/out
	http -X "$2" ${1:+-H "Authorization: Bearer $1"} ${4:+--data-binary @"$4"} "$URL$3"
}
U=/api/v1/uploads
# same_as OUT SAMPLE: the two messages are equal but for guids, number formats and BaseTransfer.
same_as() {
	python3 - "$1" "$2" <<'PY'
import sys, decimal, xml.etree.ElementTree as E
def flat(p):
    out = []
    for e in E.parse(p).getroot().iter():
        if e.tag.endswith("}guid") or len(e) > 0:
            continue
        t = (e.text or "").strip()
        try:
            t = str(decimal.Decimal(t).normalize()) if t and t.replace(".", "").isdigit() else t
        except decimal.InvalidOperation:
            pass
        out.append((e.tag, t))
    return out
sys.exit(0 if flat(sys.argv[1]) == flat(sys.argv[2]) else 1)
PY
}

# ---- inventories: CSV, Chinese headers, UTF-8 ------------------------------------------------
is "the broker uploads export inventories as type 603 (201)" \
	"$(call "$TB" POST "$U?name=inventories-zh.csv&type=603" "$M/inventories-zh.csv")" 201
json_is "two inventories read, both valid, accepted" "$T/out" \
	'[.state, .records, .valid, .invalid, .outcome]' '["ready",2,2,0,"accepted"]'
ID=$(jv "$T/out" .id)
json_is "named as canonical CEB603 documents" "$T/out" '[.documents[].name | test("^CEB603-")]' \
	'[true,true]'
is "the first downloads as canonical XML" "$(call "$TB" GET "$U/$ID/documents/1")" 200
cp "$T/out" "$T/inv1.xml"
ok "that validates against the export schema and rules" "$CEBGATE" validate --unsigned "$T/inv1.xml"
ok "and is the worked example's inventory (§6.4)" same_as "$T/inv1.xml" "$X/CEB603Message.xml"
file_contains "transmitted by the uploading enterprise" "$T/inv1.xml" \
	'<ceb:copCode>3301980XB5</ceb:copCode>'
is "another enterprise's merchant cannot read it (404)" "$(call "$TP" GET "$U/$ID")" 404

# ---- the same file in GB18030 ----------------------------------------------------------------
iconv -f UTF-8 -t GB18030 "$M/inventories-zh.csv" >"$T/inventories-gb.csv"
is "the same inventories in GB18030 (the spreadsheet's Chinese encoding) upload (201)" \
	"$(call "$TB" POST "$U?name=inventories-gb.csv&type=603" "$T/inventories-gb.csv")" 201
json_is "two valid inventories" "$T/out" '[.records, .valid, .invalid]' '[2,2,0]'
call "$TB" GET "$U/$(jv "$T/out" .id)/documents/1" >/dev/null
ok "the same canonical inventory as from UTF-8" same_as "$T/out" "$T/inv1.xml"

# ---- one defect, at its line and column --------------------------------------------------------
sed 's/,条,015,/,盒子,015,/' "$M/inventories-zh.csv" >"$T/badunit.csv"
is "an inventory with an unknown unit name is uploaded (201, partial)" \
	"$(call "$TB" POST "$U?name=badunit.csv&type=603" "$T/badunit.csv")" 201
json_is "its inventory invalid, the other valid" "$T/out" '[.valid, .invalid, .outcome]' \
	'[1,1,"partial"]'
json_is "CG2001 at line 3, column 43, as cebgate normalize reports it" "$T/out" \
	'[.findings[] | select(.code == "CG2001") | [.line, .column]]' '[[3,43]]'
json_is "in Chinese and English, naming the field" "$T/out" \
	'[.findings[] | select(.code == "CG2001") | [.message_zh != "", .message_en != "", (.xpath | test("unit"))]]' \
	'[[true,true,true]]'
"$CEBGATE" normalize --type 603 --json "$T/badunit.csv" -o "$T/nbad" >"$T/cli.json" 2>/dev/null || :
is "the same line and column as the command line's" \
	"$(jq -c '[.files[].findings[] | select(.code == "CG2001") | [.line, .column]]' "$T/cli.json")" \
	'[[3,43]]'
sed 's/,9610,5,303,/,1210,5,303,/' "$M/inventories-zh.csv" >"$T/bad1210.csv"
call "$TB" POST "$U?name=bad1210.csv&type=603" "$T/bad1210.csv" >/dev/null
json_is "1210 inventories without what 1210 requires: CG1304, at the first line of each" \
	"$T/out" '[.findings[] | select(.code == "CG1304") | .line] | unique' '[2,4]'
json_is "both inventories invalid: refused" "$T/out" '[.valid, .outcome]' '[0,"refused"]'
is "refused uploads answer 422" "$(call "$TB" POST "$U?name=bad1210b.csv&type=603" "$T/bad1210.csv")" 422

# ---- orders: NDJSON -----------------------------------------------------------------------------
is "the platform uploads export orders as NDJSON, type 303 (201)" \
	"$(call "$TP" POST "$U?name=orders.ndjson&type=303" "$M/orders.ndjson")" 201
json_is "a 9610 and a B2B order, both valid" "$T/out" '[.records, .valid, .invalid]' '[2,2,0]'
OID=$(jv "$T/out" .id)
call "$TP" GET "$U/$OID/documents/1" >/dev/null
cp "$T/out" "$T/o1.xml"
ok "the retail one is the worked example's order (§6.1)" same_as "$T/o1.xml" "$X/CEB303Message.xml"
file_contains "transmitted by the platform" "$T/o1.xml" '<ceb:copCode>3301960XP1</ceb:copCode>'
sed '2s/"orderType": "B"/"orderType": "I"/' "$M/orders.ndjson" >"$T/bad.ndjson"
call "$TP" POST "$U?name=bad.ndjson&type=303" "$T/bad.ndjson" >/dev/null
json_is "an import order type on line 2 of the NDJSON: CG1301 at line 2" "$T/out" \
	'[.findings[] | select(.code == "CG1301") | .line]' '[2]'
json_is "that order invalid, the other valid" "$T/out" '[.valid, .invalid]' '[1,1]'

# ---- waybills: CSV ---------------------------------------------------------------------------------
is "the logistics company uploads export waybills, type 505 (201)" \
	"$(call "$TL" POST "$U?name=waybills.csv&type=505" "$M/waybills.csv")" 201
json_is "three valid CEB505" "$T/out" '[.records, .valid, [.documents[].name | test("^CEB505-")]]' \
	'[3,3,[true,true,true]]'
call "$TL" GET "$U/$(jv "$T/out" .id)/documents/1" >/dev/null
ok "that validate" "$CEBGATE" validate --unsigned "$T/out"
sed '2s/,0,142,1.35,/,0,999,1.35,/' "$M/waybills.csv" >"$T/badw.csv"
call "$TL" POST "$U?name=badw.csv&type=505" "$T/badw.csv" >/dev/null
json_is "a waybill in an unknown currency: CG1014 at line 2, the currency's column (6)" "$T/out" \
	'[.findings[] | select(.code == "CG1014") | [.line, .column]]' '[[2,6]]'

# ---- the type decides ----------------------------------------------------------------------------
call "$TB" POST "$U?name=inv-as-import.csv&type=621" "$M/inventories-zh.csv" >/dev/null
json_is "the export inventories read as import inventories (621) are not valid" "$T/out" \
	'.valid' 0

# ---- signed with the custodial keys and submitted: the status list ------------------------------
custody() { # TOKEN CODE K: enterprise CODE hands over a new SM2 key K
	"$CEBGATE" keygen --sm2 --key "$T/$3.key" --cert "$T/$3.crt" --serial "4000000000000$4" >/dev/null
	jq -n --rawfile c "$T/$3.crt" --rawfile k "$T/$3.key" '{certificate: $c, key: $k}' >"$T/$3.json"
	is "$2 hands over its key (201)" "$(call "$1" POST "/api/v1/enterprises/$2/custody" "$T/$3.json")" 201
}
custody "$TB" 3301980XB5 B5 1
custody "$TP" 3301960XP1 P1 2
custody "$(adm token new --enterprise 3301980XL4)" 3301980XL4 L4 3
is "the platform submits its two uploaded orders" "$(call "$TP" POST "$U/$OID/submit")" 200
json_is "both accepted" "$T/out" '[.submitted, .accepted]' '[2,2]'
call "$TL" GET "$U" >/dev/null
WID=$(jq '[.uploads[] | select(.name == "waybills.csv")][0].id' "$T/out")
is "the logistics company submits its three waybills" "$(call "$TL" POST "$U/$WID/submit")" 200
json_is "all accepted" "$T/out" '[.submitted, .accepted]' '[3,3]'
is "the broker submits the two inventories" "$(call "$TB" POST "$U/$ID/submit")" 200
json_is "both accepted" "$T/out" '[.submitted, .accepted]' '[2,2]'
is "the broker's status list of export inventories is answered" \
	"$(call "$TB" GET '/api/v1/declarations?kind=603')" 200
json_is "the first concluded (2, 120, 399), the second waiting for its order" "$T/out" \
	'[.declarations[] | [.key2, .state, (.receipts | join(" "))]] | sort' \
	'[["EI2024111800000001","concluded","2 120 399"],["EI2024111800000002","declared","2"]]'
json_is "each inventory is its own outcome" "$T/out" \
	'[.declarations[] | .outcome.state] | sort' '["concluded","declared"]'
INVT=$(dbq "$DB" "SELECT invt_no FROM document WHERE kind = 603 AND key2 = 'EI2024111800000001'")
call "$TB" GET "/api/v1/declarations?q=$INVT" >/dev/null
json_is "the customs inventory number finds it" "$T/out" '[.declarations[].key2]' \
	'["EI2024111800000001"]'
call "$TP" GET '/api/v1/declarations?kind=303' >/dev/null
json_is "the platform's orders: stored (120), the retail one's outcome its concluded inventory" \
	"$T/out" '[.declarations[] | [.key2, (.receipts | join(" ")), .outcome.state]] | sort' \
	'[["EB2024111900000001","2 120",null],["EO2024111800000001","2 120","concluded"]]'
call "$TL" GET '/api/v1/declarations?kind=505' >/dev/null
json_is "the waybills: 399, each with the inventory that names it (the 9710 one's not uploaded)" "$T/out" \
	'[.declarations[] | [.key2, (.receipts | join(" ")), .outcome.state]] | sort' \
	'[["EXL2024111800000012","2 399","concluded"],["EXL2024111800000013","2 399",null],["EXL2024111800000014","2 399","declared"]]'
call "$TP" GET '/api/v1/declarations?kind=603' >/dev/null
json_is "the platform sees none of the broker's inventories" "$T/out" '.declarations | length' 0

# ---- the officer's desk: an export inventory held for review --------------------------------------
stop_daemon
start_daemon --db "$DB" --custody-pass-file "$T/custody.pass" --random-rate 1000
PW=officerpass1 adm user add olga officer --pass-env PW
TO=$(adm token new --user olga)
# The second inventory's order: one line, 3 mugs.
head -n 1 "$M/orders.ndjson" | jq -c '.orderNo = "EO2024111800000002" | .goodsValue = 135 |
	.items = [.items[0] | .qty = 3 | .totalPrice = 135 | del(.itemDescribe)]' >"$T/o2.ndjson"
call "$TP" POST "$U?name=o2.ndjson&type=303" "$T/o2.ndjson" >/dev/null
json_is "the platform uploads the second inventory's order" "$T/out" '.valid' 1
is "and submits it" "$(call "$TP" POST "$U/$(jv "$T/out" .id)/submit")" 200
json_is "accepted" "$T/out" .accepted 1
is "the review queue is answered" "$(call "$TO" GET /api/v1/review)" 200
json_is "the inventory it completed is held for review (random selection)" "$T/out" \
	'[.items[] | .copNo]' '["EI2024111800000002"]'
json_is "with its export fields: statistics flag, destination, port of exit, gross weight" \
	"$T/out" '.items[0] | [.export, .ieFlag, .statisticsFlag, .country, .portCode, .grossWeight, .tradeMode, .value]' \
	'[true,"E","B","303","2901","1.25","9610","135.00"]'
HID=$(jv "$T/out" '.items[0].id')
call "$TL" GET /api/v1/logistics/3301980XL4/EXL2024111800000014 >/dev/null
json_is "its waybill reads 'under review' for the logistics company" "$T/out" '.waybills[0].state' \
	'under review'
is "the declaration view is answered" "$(call "$TO" GET "/api/v1/declarations/$HID")" 200
json_is "with the export inventory's head" "$T/out" '[.state, .inventory.h.ieFlag, .inventory.h.statisticsFlag]' \
	'["review","E","B"]'
is "the officer claims it" "$(call "$TO" POST "/api/v1/review/$HID/claim")" 200
printf '{"decision": "inspect", "reason": "x"}' >"$T/inspect.json"
is "inspection is not a decision on an export inventory" \
	"$(call "$TO" POST "/api/v1/review/$HID/decide" "$T/inspect.json")" 400
printf '{"decision": "release", "reason": "单证相符"}' >"$T/release.json"
is "and releases it" "$(call "$TO" POST "/api/v1/review/$HID/decide" "$T/release.json")" 200
json_is "concluded, 399 (it leaves once it arrives and departs)" "$T/out" '[.state, .returnStatus]' \
	'["concluded","399"]'
call "$TB" GET '/api/v1/declarations?kind=603' >/dev/null
json_is "the broker's status list shows it concluded, its receipts 2 120 300 399" "$T/out" \
	'[.declarations[] | select(.key2 == "EI2024111800000002") | [.state, (.receipts | join(" "))]]' \
	'[["concluded","2 120 300 399"]]'

# ---- the receipts of the export family, explained -------------------------------------------------
is "399 of an export inventory's receipt is explained (200)" \
	"$(call '' GET '/api/v1/explain/399?receipt=CEB604Message')" 200
json_is "as concluded with its invtNo, not final: the goods must arrive and leave" "$T/out" \
	'[.kind, .final, (.en | test("invtNo")), (.todo_en | test("CEB507"))]' \
	'["returnStatus",false,true,true]'
call '' GET '/api/v1/explain/800?receipt=604' >/dev/null
json_is "800 of an export inventory: released, waiting for its departure (CEB509)" "$T/out" \
	'[.final, (.en | test("CEB509"))]' '[false,true]'
call '' GET '/api/v1/explain/899?receipt=CEB604Message' >/dev/null
json_is "899: closed, ready for the summary declaration" "$T/out" \
	'[.final, (.todo_en | test("CEB701"))]' '[true,true]'
call '' GET '/api/v1/explain/399?receipt=CEB702Message' >/dev/null
json_is "399 of a summary application: its sumNo, the result CEB792 follows" "$T/out" \
	'[(.en | test("sumNo")), (.en | test("CEB792"))]' '[true,true]'
call '' GET '/api/v1/explain/399' >/dev/null
json_is "without the receipt, 399 keeps the import meaning (final)" "$T/out" '.final' true
call '' GET '/api/v1/explain/399?receipt=CEB622Message' >/dev/null
json_is "and so does an import inventory's receipt" "$T/out" '[.final, (.en | test("invtNo"))]' \
	'[true,false]'
stop_daemon
done_testing
