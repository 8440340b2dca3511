#!/bin/sh
# SPDX-License-Identifier: MIT
# The export family (ceb-export-spec.md) through the declarant's tools: every
# root validates against schemas/ceb-export.xsd and the export rules, signs with
# every profile (the Signature before ExtendMessage), verifies, is wrapped for
# the export receiver; each export rule refuses its defect; and cebgated
# accepts them.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"

cli="$top_builddir/src/cli/cebgate"
X="$top_srcdir/samples/xml/export"
need python3 jq

# ------------------------------------------------------------ every root validates
"$cli" validate --unsigned "$X" >"$T/v.out" 2>&1 && rc=0 || rc=$?
is "validate --unsigned of the 23 export samples exits 0" "$rc" 0
file_contains "23 valid" "$T/v.out" "23 valid, 0 invalid"
"$cli" validate --json "$X" >"$T/v.json" 2>/dev/null && rc=0 || rc=$?
is "without --unsigned the unsigned declarations fail" "$rc" 1
is "CG0200 exactly on the 11 export declarations" \
	"$(jq -r '[.files[] | select(any(.findings[]; .code == "CG0200")) | .type] | sort | join(" ")' "$T/v.json")" \
	"CEB213Message CEB215Message CEB303Message CEB403Message CEB505Message CEB507Message CEB509Message CEB603Message CEB605Message CEB607Message CEB701Message"

# ------------------------------------------------------------ one defect, one finding
# mutate NAME SAMPLE PY-EXPR: $T/NAME.xml is the sample with s replaced by PY-EXPR(s).
mutate() {
	python3 - "$X/$2" "$T/$1.xml" "$3" <<'PY'
import sys
s = open(sys.argv[1], encoding="utf-8").read()
t = eval(sys.argv[3])
assert t != s, "the mutation changed nothing"
open(sys.argv[2], "w", encoding="utf-8").write(t)
PY
}
# finds NAME CODE...: validate --unsigned reports exactly these error/warning codes.
finds() {
	f=$1; shift
	"$cli" validate --unsigned --json "$T/$f.xml" >"$T/$f.json" 2>/dev/null || :
	got=$(jq -r '[.files[0].findings[] | select(.severity != "info") | .code] | unique | join(" ")' "$T/$f.json")
	is "$f: $*" "$got" "$*"
}
O=CEB303Message.xml I=CEB603Message.xml
mutate order-type "$O" 's.replace("<ceb:orderType>E<", "<ceb:orderType>I<")'
finds order-type CG1301
mutate order-sum "$O" 's.replace("<ceb:goodsValue>258.00<", "<ceb:goodsValue>259.00<")'
finds order-sum CG1003
mutate order-line "$O" 's.replace("<ceb:totalPrice>90.00<", "<ceb:totalPrice>91.00<")'
finds order-line "CG1002 CG1003"
mutate order-currency "$O" 's.replace("<ceb:currency>142<", "<ceb:currency>303<").replace("<ceb:currency>142<", "<ceb:currency>303<")'
finds order-currency ""
mutate invt-ieflag "$I" 's.replace("<ceb:ieFlag>E<", "<ceb:ieFlag>I<")'
finds invt-ieflag CG1302
mutate invt-stat "$I" 's.replace("<ceb:statisticsFlag>B<", "<ceb:statisticsFlag>C<")'
finds invt-stat CG1303
mutate invt-1210 "$I" 's.replace("<ceb:tradeMode>9610<", "<ceb:tradeMode>1210<")'
finds invt-1210 CG1304
mutate invt-9710 "$I" 's.replace("<ceb:tradeMode>9610<", "<ceb:tradeMode>9710<")'
finds invt-9710 ""
mutate invt-0110 "$I" 's.replace("<ceb:tradeMode>9610<", "<ceb:tradeMode>0110<")'
finds invt-0110 CG1014
file_contains "0110 is named a general-trade code, not an export one" "$T/invt-0110.json" "not one of cross-border e-commerce export"
mutate invt-net "$I" 's.replace("<ceb:netWeight>1.10<", "<ceb:netWeight>1.50<")'
finds invt-net CG1027
mutate invt-zero "$I" 's.replace("<ceb:grossWeight>1.35<", "<ceb:grossWeight>0<").replace("<ceb:netWeight>1.10<", "<ceb:netWeight>0<")'
finds invt-zero CG1305
mutate invt-unit1 "$I" 's.replace("<ceb:unit1>035<", "<ceb:unit1>015<", 1)'
finds invt-unit1 CG1018
mutate invt-tariff "$I" 's.replace("<ceb:gcode>6214100000<", "<ceb:gcode>6214100090<")'
finds invt-tariff CG1025
mutate invt-qty2 "$I" 's.replace("<ceb:unit2>035</ceb:unit2>", "")'
finds invt-qty2 CG1011
mutate invt-gnum "$I" 's.replace("<ceb:gnum>2<", "<ceb:gnum>3<")'
finds invt-gnum CG1010
mutate invt-fflag "$I" 's.replace("<ceb:fFlag>3<", "<ceb:fFlag>1<")'
finds invt-fflag CG0100
mutate invt-barcode "$I" 's.replace("<ceb:barCode>无</ceb:barCode>", "")'
finds invt-barcode CG0100
mutate waybill-long "CEB505Message.xml" 's.replace("EXL2024111800000012", "EXL202411180000001200000000000000")'
finds waybill-long CG0100
mutate arrival-ieflag "CEB507Message.xml" 's.replace("<ceb:ieFlag>E<", "<ceb:ieFlag>I<")'
finds arrival-ieflag CG1302
mutate arrival-seq "CEB507Message.xml" 's.replace("<ceb:msgSeqNo>1<", "<ceb:msgSeqNo>2<")'
finds arrival-seq CG1306
mutate return-country "CEB213Message.xml" 's.replace("<ceb:country>303<", "<ceb:country>142<")'
finds return-country CG1307
mutate return-ieflag "CEB213Message.xml" 's.replace("<ceb:ieFlag>I<", "<ceb:ieFlag>E<")'
finds return-ieflag CG1302
mutate summary-half "CEB701Message.xml" 's.replace("<ceb:summaryFlag>", "<ceb:startTime>20241101000000</ceb:startTime><ceb:summaryFlag>")'
finds summary-half CG1308
mutate summary-back "CEB701Message.xml" 's.replace("<ceb:summaryFlag>", "<ceb:startTime>20241201000000</ceb:startTime><ceb:endTime>20241101000000</ceb:endTime><ceb:summaryFlag>")'
finds summary-back CG1308
mutate summary-window "CEB701Message.xml" 's.replace("<ceb:summaryFlag>", "<ceb:startTime>20241101000000</ceb:startTime><ceb:endTime>20241130235959</ceb:endTime><ceb:summaryFlag>")'
finds summary-window ""
mutate receipt-state "CEB604Message.xml" 's.replace("<returnStatus>800<", "<returnStatus>777<")'
finds receipt-state CG1022
mutate receipt-sign "CEB604Message.xml" 's.replace("<returnStatus>800<", "<returnStatus>abc<")'
finds receipt-sign CG1021

# ------------------------------------------------------------ across documents
# set NAME FILE...: a directory of samples validated together; cross NAME CODES: its findings.
set_of() {
	d="$T/set-$1"; shift
	mkdir -p "$d"
	for f in "$@"; do cp "$f" "$d/"; done
}
cross() {
	"$cli" validate --unsigned --json "$T/set-$1" >"$T/set-$1.json" 2>/dev/null || :
	got=$(jq -r '[.files[].findings[] | select(.severity != "info") | .code] | unique | join(" ")' "$T/set-$1.json")
	shift
	is "validated together: ${*:-no finding}" "$got" "$*"
}
set_of ok "$X/CEB303Message.xml" "$X/CEB403Message.xml" "$X/CEB505Message.xml" "$X/CEB603Message.xml" \
	"$X/CEB607Message.xml" "$X/CEB701Message.xml" "$X/CEB213Message.xml"
cross ok
mutate x-ebc "$I" 's.replace("<ceb:ebcCode>3301960XE2<", "<ceb:ebcCode>3301960XE9<")'
set_of ebc "$X/CEB303Message.xml" "$T/x-ebc.xml"
cross ebc CG1311
mutate x-item "$I" 's.replace("<ceb:itemNo>SKU-SCARF-90<", "<ceb:itemNo>SKU-SCARF-91<")'
set_of item "$X/CEB303Message.xml" "$T/x-item.xml"
cross item CG1311
mutate x-mode "$I" 's.replace("<ceb:tradeMode>9610<", "<ceb:tradeMode>9710<")'
set_of mode "$X/CEB303Message.xml" "$T/x-mode.xml"
cross mode CG1312
mutate x-freight "$I" 's.replace("<ceb:freight>35.00<", "<ceb:freight>36.00<")'
set_of freight "$X/CEB505Message.xml" "$T/x-freight.xml"
cross freight CG1313
mutate x-bill "$I" 's.replace("<ceb:trafMode>5</ceb:trafMode>", "<ceb:trafMode>5</ceb:trafMode><ceb:billNo>000-99999999</ceb:billNo>")'
set_of bill "$X/CEB607Message.xml" "$T/x-bill.xml"
cross bill CG1314
mutate x-pay "CEB403Message.xml" 's.replace("<ceb:ebpCode>3301960XP1<", "<ceb:ebpCode>3301960XP8<")'
set_of pay "$X/CEB303Message.xml" "$T/x-pay.xml"
cross pay CG1311
# An inventory with its customs number, for the summary and the return.
mutate x-invt "$I" 's.replace("<ceb:ieFlag>", "<ceb:invtNo>29012024E000012345</ceb:invtNo><ceb:ieFlag>")'
mutate x-twice "CEB701Message.xml" 's.replace("29012024E000012346", "29012024E000012345")'
set_of twice "$T/x-invt.xml" "$T/x-twice.xml"
cross twice CG1315
python3 -c '
import sys
s = open(sys.argv[1], encoding="utf-8").read().replace("<ceb:statisticsFlag>B<", "<ceb:statisticsFlag>A<")
open(sys.argv[2], "w", encoding="utf-8").write(s)' "$T/x-invt.xml" "$T/x-stat-a.xml"
set_of flag-a "$T/x-stat-a.xml" "$X/CEB701Message.xml"
cross flag-a CG1315
set_of return-ok "$T/x-invt.xml" "$X/CEB213Message.xml"
cross return-ok
mutate x-more "CEB213Message.xml" 's.replace("<ceb:qty1>1</ceb:qty1>", "<ceb:qty1>2</ceb:qty1>")'
set_of return-more "$T/x-invt.xml" "$T/x-more.xml"
cross return-more CG1316
mutate x-line "CEB213Message.xml" 's.replace("<ceb:gnum>2<", "<ceb:gnum>3<")'
set_of return-line "$T/x-invt.xml" "$T/x-line.xml"
cross return-line CG1316

# ------------------------------------------------------------ sign, verify, place, wrap
"$cli" keygen --sm2 --key "$T/sm2.key" --cert "$T/sm2.crt" --serial 3000000000CDE6F >/dev/null
"$cli" keygen --rsa --key "$T/rsa.key" --cert "$T/rsa.crt" --serial 01691FE9 >/dev/null
decls="CEB213Message CEB215Message CEB303Message CEB403Message CEB505Message CEB507Message CEB509Message CEB603Message CEB605Message CEB607Message CEB701Message"
for profile in rsa-sha1 rsa-sha256 sm2-sm3; do
	case $profile in sm2-sm3) kind=sm2 ;; *) kind=rsa ;; esac
	mkdir -p "$T/$profile"
	bad=""
	for r in $decls; do
		"$cli" sign --key "$T/$kind.key" --cert "$T/$kind.crt" --profile $profile \
			"$X/$r.xml" -o "$T/$profile/$r.xml" >/dev/null 2>&1 || bad="$bad sign:$r"
		"$cli" verify --pin-cert "$T/$kind.crt" "$T/$profile/$r.xml" >/dev/null 2>&1 || bad="$bad verify:$r"
	done
	is "$profile: all 11 export declarations sign and verify" "$bad" ""
	"$cli" validate "$T/$profile" >"$T/vs.out" 2>&1 && rc=0 || rc=$?
	is "$profile: the signed declarations validate without --unsigned" "$rc" 0
done

# An ExtendMessage: the Signature goes right before it (ceb-export-spec.md §5).
mutate extend "$I" 's.replace("</ceb:BaseTransfer>", "</ceb:BaseTransfer><ceb:ExtendMessage><ceb:name>x</ceb:name><ceb:version>1</ceb:version><ceb:Message><a xmlns=\"urn:x\">1</a></ceb:Message></ceb:ExtendMessage>")'
"$cli" sign --key "$T/sm2.key" --cert "$T/sm2.crt" "$T/extend.xml" -o "$T/extend-signed.xml" >/dev/null 2>&1 && rc=0 || rc=$?
is "an export inventory with ExtendMessage signs" "$rc" 0
is "its Signature comes right before ExtendMessage" \
	"$(python3 -c '
import sys, xml.dom.minidom as m
r = m.parse(sys.argv[1]).documentElement
print(" ".join(c.localName for c in r.childNodes if c.nodeType == 1))' "$T/extend-signed.xml")" \
	"Inventory BaseTransfer Signature ExtendMessage"
"$cli" verify --pin-cert "$T/sm2.crt" "$T/extend-signed.xml" >/dev/null 2>&1 && rc=0 || rc=$?
is "and it verifies" "$rc" 0
"$cli" validate "$T/extend-signed.xml" >/dev/null 2>&1 && rc=0 || rc=$?
is "and validates against the export schema" "$rc" 0

"$cli" sign --key "$T/sm2.key" --cert "$T/sm2.crt" --dxp --sender-id DXPENT0000999915 \
	"$X/CEB603Message.xml" -o "$T/dxp.xml" >/dev/null 2>&1 && rc=0 || rc=$?
is "an export inventory is wrapped in a DxpMsg" "$rc" 0
file_contains "addressed to the export receiver" "$T/dxp.xml" "DXPEDCCEB0000003"

# ------------------------------------------------------------ normalize merchant files
M="$top_srcdir/samples/merchant/export"
# same_as OUT SAMPLE: the two messages are equal but for the guids and number formats.
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
"$cli" normalize --type 603 --map "$M/declarant.profile" "$M/inventories-zh.csv" -o "$T/n603" >/dev/null 2>&1 && rc=0 || rc=$?
is "inventories (CSV, Chinese headers, unit names, dashed times) normalize" "$rc" 0
is "into two CEB603" "$(ls "$T/n603" | grep -c '^CEB603-')" 2
ok "the first is the worked example's inventory" same_as "$T/n603/CEB603-EO2024111800000001.xml" "$X/CEB603Message.xml"
"$cli" normalize --type 303 --map "$M/platform.profile" "$M/orders.ndjson" -o "$T/n303" >/dev/null 2>&1 && rc=0 || rc=$?
is "orders (NDJSON, a 9610 and a B2B order) normalize" "$rc" 0
ok "the retail one is the worked example's order" same_as "$T/n303/CEB303-EO2024111800000001.xml" "$X/CEB303Message.xml"
"$cli" normalize --type 505 --map "$M/logistics.profile" "$M/waybills.csv" -o "$T/n505" >/dev/null 2>&1 && rc=0 || rc=$?
is "waybills (CSV) normalize" "$rc" 0
"$cli" normalize --type 603 --map "$M/declarant.profile" "$M/inventory-9710.csv" -o "$T/n603" >/dev/null 2>&1 && rc=0 || rc=$?
is "the 9710 B2B inventory normalizes" "$rc" 0
"$cli" validate --unsigned "$T/n603" "$T/n303" "$T/n505" >"$T/nv.out" 2>&1 && rc=0 || rc=$?
is "all eight normalized messages validate" "$rc" 0
# Each inventory has its own waybill, of its consignor, freight and weight: no CG1313.
file_contains "eight of them, consistent with each other (no cross-document warning)" "$T/nv.out" \
	"8 valid, 0 invalid; 0 error\(s\), 0 warning\(s\)"
sed 's/,条,015,/,盒子,015,/' "$M/inventories-zh.csv" >"$T/badunit.csv"
"$cli" normalize --type 603 --map "$M/declarant.profile" --json "$T/badunit.csv" -o "$T/nbad" >"$T/nbad.json" 2>/dev/null && rc=0 || rc=$?
is "an unknown unit name is refused" "$rc" 1
is "as CG2001 at its line and column" \
	"$(jq -r '[.files[].findings[] | select(.code == "CG2001") | "\(.line):\(.column)"] | join(" ")' "$T/nbad.json")" \
	"3:43"
python3 -c '
import sys
s = open(sys.argv[1], encoding="utf-8").read()
s = s.replace("ceb:", "m:").replace("xmlns:ceb=", "xmlns:m=")
s = s.replace("<m:appTime>20241118101000<", "<m:appTime>2024-11-18 10:10:00<")
open(sys.argv[2], "w", encoding="utf-8").write(s)' "$X/CEB603Message.xml" "$T/loose.xml"
"$cli" normalize --from xml "$T/loose.xml" -o "$T/nloose" >/dev/null 2>&1 && rc=0 || rc=$?
is "a loose export inventory (other prefix, dashed time) normalizes" "$rc" 0
ok "to the canonical inventory" same_as "$T/nloose/CEB603-EO2024111800000001.xml" "$X/CEB603Message.xml"

# ------------------------------------------------------------ the declarant's outbox, dir: channel
# An export inventory and order sent through the official client's folders; the receipts
# customs puts in the inbox are matched by business key and move each declaration (§2.7).
mkdir -p "$T/dch"
OB="$T/ob.db"
"$cli" submit --key "$T/sm2.key" --cert "$T/sm2.crt" --channel "dir:$T/dch" --outbox "$OB" \
	"$X/CEB603Message.xml" "$X/CEB303Message.xml" >/dev/null 2>&1 && rc=0 || rc=$?
is "export inventory and order submitted through a dir: channel" "$rc" 0
is "two DxpMsg files for the export receiver in the outbox folder" \
	"$(grep -l DXPEDCCEB0000003 "$T/dch/outbox"/* | wc -l | tr -d ' ')" 2
receipt() { # FILE STATUS: the sample inventory receipt with another returnStatus
	sed "s|<returnStatus>800<|<returnStatus>$2<|" "$X/CEB604Message.xml" >"$T/dch/inbox/$1"
}
state() { # TYPE KEY: returnStatus and finality of that declaration's document
	"$cli" status --outbox "$OB" --json "$2" |
		jq -r --arg t "$1" '.declarations[] | select(.type == $t) | .documents[0] | .returnStatus + " " + (.final | tostring)'
}
receipt r1.xml 120
cp "$X/CEB304Message.xml" "$T/dch/inbox/r0.xml"
"$cli" receipts --channel "dir:$T/dch" --outbox "$OB" >/dev/null 2>&1 || :
is "the order is final at 120" "$(state CEB303Message EO2024111800000001)" "120 true"
is "the inventory is stored, not final, at 120" "$(state CEB603Message EI2024111800000001)" "120 false"
receipt r2.xml 800
"$cli" receipts --channel "dir:$T/dch" --outbox "$OB" >/dev/null 2>&1 || :
is "released (800) it still waits for its departure" "$(state CEB603Message EI2024111800000001)" "800 false"
receipt r3.xml 899
"$cli" receipts --channel "dir:$T/dch" --outbox "$OB" >/dev/null 2>&1 && rc=0 || rc=$?
is "closed (899) it is final" "$(state CEB603Message EI2024111800000001)" "899 true"
is "and receipts then says every declaration is final" "$rc" 0

# ------------------------------------------------------------ the service takes exports
# (the customs side in full: service_exports.sh)
DB=$(new_db x)
adm enterprise add 3301980XB5 "示例报关服务（杭州）有限公司" ebc DXPENT0000999915 >/dev/null
adm cert add 3301980XB5 "$T/sm2.crt" >/dev/null
TK=$(adm token new --enterprise 3301980XB5)
start_daemon --db "$DB"
is "a signed export inventory is accepted" \
	"$(http -H "Authorization: Bearer $TK" -H 'Content-Type: application/xml' \
		--data-binary @"$T/sm2-sm3/CEB603Message.xml" "$URL/api/v1/submissions")" 200
curl -s -H "Authorization: Bearer $TK" "$URL/api/v1/receipts?after=0" >"$T/rc.json"
is "and answered with a CEB604, 2 (its order and waybill are not there)" \
	"$(jq -r '[.receipts[] | .type + " " + .returnStatus] | join(",")' "$T/rc.json")" "CEB604Message 2"
is "stored as a document of kind 603, waiting" "$(dbq "$DB" 'SELECT kind, state FROM document')" "603|declared"
stop_daemon
done_testing
