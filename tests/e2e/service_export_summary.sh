#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: the summary declaration (CEB701 -> 702 -> 792) and export
# returns (CEB213 -> 214, CEB215 -> 216) in the real cebgated
# (docs/export.md, "Summary declaration and returns"). Five 9610 parcels go
# through order, waybill, inventory, master/house list, arrival and departure:
# three closed of summary declaration (one to another country), one closed of
# simplified declaration (A), one released only. An application for a parcel
# closed this month waits for next month (the period rule); with the rule off,
# one application gives a 702 399 with a sumNo and a 792 of two declarations
# (two countries), read back from the feed and valid; the same inventory
# again, one not departed, and one of statisticsFlag A are refused, each
# naming why; of two applications for one inventory at once (two nodes on
# PostgreSQL), one wins. Then part of a summarised inventory comes back: a return
# (214 120, 800), a return of more than is left refused, and the site
# operator's tally (216 399); another inventory comes back whole and is
# returned: of the broker's inventories only a refused one needs its action.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
need python3 jq

X="$top_srcdir/samples/xml/export"
DB=$(new_db xs)
i=0
for e in P1:3301960XP1:ebp E2:3301960XE2:ebc L4:3301980XL4:logistics S6:3301980XS6:logistics \
	B5:3301980XB5:agent; do
	k=${e%%:*}; rest=${e#*:}; code=${rest%%:*}; roles=${rest#*:}; i=$((i + 1))
	adm enterprise add "$code" "enterprise $k" "$roles" >/dev/null
	"$CEBGATE" keygen --sm2 --key "$T/$k.key" --cert "$T/$k.crt" --serial "5000000000000$i" >/dev/null
	adm cert add "$code" "$T/$k.crt" >/dev/null
done
TP=$(adm token new --enterprise 3301960XP1)
TL=$(adm token new --enterprise 3301980XL4)
TS=$(adm token new --enterprise 3301980XS6)
TB=$(adm token new --enterprise 3301980XB5)

# mk NAME TYPE N [OLD=NEW]...: $T/NAME.xml is the sample of TYPE for parcel N
# (its own guids and business numbers), changed by each OLD=NEW, signed by
# the sample's sender; $T/NAME.tok is that sender's token. LIST=a,b makes the
# summary application list those invtNo.
mk() {
	name=$1 type=$2 num=$3; shift 3
	python3 - "$X/CEB${type}Message.xml" "$T/$name.u.xml" "$num" "$@" <<'PY'
import re, sys, uuid
s = open(sys.argv[1], encoding="utf-8").read()
n = int(sys.argv[3])
s = re.sub(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}",
           lambda m: str(uuid.uuid4()).upper(), s)
s = s.replace("EXL2024111800000012", "EXL20241118%08d" % n)
s = re.sub(r"(E[A-Z]\d{8})00000001", lambda m: m.group(1) + "%08d" % n, s)
for r in sys.argv[4:]:
    old, new = r.split("=", 1)
    if old == "LIST":
        items = "".join("<ceb:SummaryApplyList><ceb:invtNo>%s</ceb:invtNo></ceb:SummaryApplyList>" % v
                        for v in new.split(","))
        s = re.sub(r"(\s*<ceb:SummaryApplyList>.*?</ceb:SummaryApplyList>)+", items, s, flags=re.S)
        continue
    assert old in s, old
    s = s.replace(old, new)
open(sys.argv[2], "w", encoding="utf-8").write(s)
PY
	case $type in
	303) k=P1 tok=$TP ;; 507 | 215) k=S6 tok=$TS ;; 603 | 701 | 213) k=B5 tok=$TB ;; *) k=L4 tok=$TL ;;
	esac
	"$CEBGATE" sign --key "$T/$k.key" --cert "$T/$k.crt" "$T/$name.u.xml" -o "$T/$name.xml"
	echo "$tok" >"$T/$name.tok"
}
post() {
	http -H "Authorization: Bearer $(cat "$T/$1.tok")" -H 'Content-Type: application/xml' \
		--data-binary @"$T/$1.xml" "$URL/api/v1/submissions"
}
posts() {
	for _m in "$@"; do
		_s=$(post "$_m")
		[ "$_s" = 200 ] || { fail "$_m accepted ($_s)"; diag_file "$T/out"; }
	done
}
# rs TOKEN TYPE KEY: the returnStatus of TOKEN's receipts of TYPE that name KEY, in order.
rs() {
	curl -s -H "Authorization: Bearer $1" "$URL/api/v1/receipts?after=0&limit=1000" |
		jq -r --arg t "CEB$2Message" --arg k "$3" \
			'[.receipts[] | select(.type == $t and (.xml | contains($k))) | .returnStatus] | join(" ")'
}
# last TOKEN TYPE KEY: the XML of TOKEN's last receipt of TYPE that names KEY.
last() {
	curl -s -H "Authorization: Bearer $1" "$URL/api/v1/receipts?after=0&limit=1000" |
		jq -r --arg t "CEB$2Message" --arg k "$3" \
			'[.receipts[] | select(.type == $t and (.xml | contains($k))) | .xml] | last'
}
inv() { dbq "$DB" "SELECT $2 FROM document WHERE kind = 603 AND key2 = 'EI20241118$(printf %08d "$1")'"; }

# parcel N [OLD=NEW]...: parcel N's documents, the inventory changed by each OLD=NEW,
# up to its departure (STOP=released: up to its arrival only).
parcel() {
	_p=$1; shift
	_stop=closed
	case ${1:-} in STOP=*) _stop=${1#STOP=}; shift ;; esac
	mk "o$_p" 303 "$_p"; mk "w$_p" 505 "$_p"; mk "i$_p" 603 "$_p" "$@"; mk "l$_p" 607 "$_p"
	mk "a$_p" 507 "$_p"; mk "d$_p" 509 "$_p"
	posts "o$_p" "w$_p" "i$_p" "l$_p" "a$_p"
	[ "$_stop" = released ] || posts "d$_p"
	is "parcel $_p's inventory is $_stop" "$(inv "$_p" state)" "$_stop"
}

start_daemon --db "$DB" --random-rate 0

parcel 1
parcel 2
parcel 3 '<ceb:country>303</ceb:country>=<ceb:country>502</ceb:country>'
parcel 4 '<ceb:statisticsFlag>B</ceb:statisticsFlag>=<ceb:statisticsFlag>A</ceb:statisticsFlag>'
parcel 5 STOP=released
parcel 6
for _p in 1 2 3 4 5 6; do eval "N$_p=\$(inv $_p invt_no)"; done
like "inventories have customs numbers" "$N1 $N3" '^29012[0-9]{3}E[0-9]{9} 29012[0-9]{3}E[0-9]{9}$'

# ------------------------------------------------------------ the period rule
mk s0 701 10 "LIST=$N1"
posts s0
is "closed this month: the application is refused (702 2, 100)" "$(rs "$TB" 702 ES2024120500000010)" "2 100"
like "naming the inventory and the month rule" "$(last "$TB" 702 ES2024120500000010)" "CG1356 $N1"
is "nothing was summarised" "$(inv 1 state)" closed
stop_daemon

# ------------------------------------------------------------ one application, two declarations
start_daemon --db "$DB" --random-rate 0 --export-summary-any-month 1
mk s1 701 11 "LIST=$N1,$N2,$N3"
posts s1
is "the application is accepted and concluded (702 2, 399)" "$(rs "$TB" 702 ES2024120500000011)" "2 399"
last "$TB" 702 ES2024120500000011 >"$T/702.xml"
SUMNO=$(sed -n 's|.*<ceb:sumNo>\([^<]*\)</ceb:sumNo>.*|\1|p' "$T/702.xml")
like "with a sumNo of 18 characters" "$SUMNO" '^S[0-9]{17}$'
ok "the 702 is a valid receipt" "$CEBGATE" validate --unsigned "$T/702.xml"
last "$TB" 792 "$SUMNO" >"$T/792.xml"
ok "the summary result (792) is in the declarant's feed, valid" "$CEBGATE" validate --unsigned "$T/792.xml"
is "two declarations: two countries of arrival (303, 502)" "$(grep -c '<ceb:SummaryResult>' "$T/792.xml")" 2
is "every inventory line is a row (2 + 2 + 2)" "$(grep -c '<ceb:SummaryResultList>' "$T/792.xml")" 6
is "parcels 1 and 2 in one declaration, weights summed (1.35 + 1.35)" \
	"$(grep -c '<ceb:grossWeight>2.70</ceb:grossWeight>' "$T/792.xml")" 1
file_contains "rows name inventory, waybill and line" "$T/792.xml" "<ceb:invtNo>$N3</ceb:invtNo>"
is "the three inventories are summarized" "$(inv 1 state) $(inv 2 state) $(inv 3 state)" \
	"summarized summarized summarized"
is "the audit trail records the summary" \
	"$(dbq "$DB" "SELECT count(*) FROM audit WHERE action = 'summary'")" 1

# ------------------------------------------------------------ refusals
mk s2 701 12 "LIST=$N1"
posts s2
is "the same inventory again is refused (702 2, 100)" "$(rs "$TB" 702 ES2024120500000012)" "2 100"
like "summarised already" "$(last "$TB" 702 ES2024120500000012)" "CG1355 $N1"
mk s3 701 13 "LIST=$N5"
posts s3
is "an inventory not departed is refused" "$(rs "$TB" 702 ES2024120500000013)" "2 100"
like "not closed, state released" "$(last "$TB" 702 ES2024120500000013)" "CG1354 $N5"
mk s4 701 14 "LIST=$N4"
posts s4
is "an inventory of simplified declaration (A) is refused" "$(rs "$TB" 702 ES2024120500000014)" "2 100"
like "statisticsFlag A" "$(last "$TB" 702 ES2024120500000014)" "CG1353 $N4"
is "still one summary in the database" "$(dbq "$DB" 'SELECT count(*) FROM export_summary')" 1

# ------------------------------------------------------------ two applications at once
# For one inventory, at the same moment: on PostgreSQL to two nodes on one
# database, on SQLite to one node's two threads. One is concluded, the other refused.
URL2=$URL
if on_pg; then
	"$CEBGATED" --db "$DB" --state-dir "$T/state" --port 0 --port-file "$T/port2" --random-rate 0 \
		--export-summary-any-month 1 2>>"$T/log2" &
	P2=$!
	kill_at_exit $P2
	wait_until 300 test -s "$T/port2" || bail "the second node did not write its port file"
	URL2=http://127.0.0.1:$(cat "$T/port2")
fi
mk s5 701 15 "LIST=$N6"
mk s6 701 16 "LIST=$N6"
curl -s -o /dev/null -H "Authorization: Bearer $TB" --data-binary @"$T/s5.xml" "$URL/api/v1/submissions" &
race=$!
curl -s -o /dev/null -H "Authorization: Bearer $TB" --data-binary @"$T/s6.xml" "$URL2/api/v1/submissions"
wait $race
is "of two applications at once, one is concluded and one refused" \
	"$(printf '%s\n%s\n' "$(rs "$TB" 702 ES2024120500000015)" "$(rs "$TB" 702 ES2024120500000016)" | sort | tr '\n' ' ')" \
	"2 100 2 399 "
is "the inventory is in one summary only" \
	"$(dbq "$DB" "SELECT count(*) FROM export_summary_invt WHERE document_id = $(inv 6 id)")" 1
if on_pg; then kill -TERM "$P2"; wait "$P2" || :; fi

# ------------------------------------------------------------ a partial return and its tally
mk r1 213 1 "29012024E000012345=$N1"
posts r1
is "the return of the scarf (gnum 2) is accepted: 214 2, 120, 800" \
	"$(rs "$TB" 214 ER2024121000000001)" "2 120 800"
mk r2 213 2 "29012024E000012345=$N1" "EXL20241118$(printf %08d 2)=EXL20241118$(printf %08d 1)"
posts r2
is "another scarf of the same line is more than is left: 214 2, 100" \
	"$(rs "$TB" 214 ER2024121000000002)" "2 100"
like "naming the line and why" "$(last "$TB" 214 ER2024121000000002)" "CG1366 gnum 2"
mk t1 215 1 "29012024E000012345=$N1"
posts t1
is "the site operator's tally matches the return: 216 2, 399" "$(rs "$TS" 216 ET2024121200000001)" "2 399"
is "the mugs are still abroad: the inventory stays summarised" "$(inv 1 state)" summarized
mk t2 215 2 "29012024E000012345=$N1" "EXL20241118$(printf %08d 2)=EXL20241118$(printf %08d 1)"
posts t2
is "the same return tallied again: 216 2, 100" "$(rs "$TS" 216 ET2024121200000002)" "2 100"

# ------------------------------------------------------------ every line back, and what needs action
MUG='<ceb:gnum>1</ceb:gnum><ceb:gcode>6912001000</ceb:gcode><ceb:gname>陶瓷马克杯</ceb:gname><ceb:gmodel>示例牌|350毫升|日用陶瓷|釉下彩</ceb:gmodel><ceb:qty>2</ceb:qty><ceb:qty1>0.8</ceb:qty1><ceb:unit>007</ceb:unit><ceb:unit1>035</ceb:unit1>'
mk r4 213 4 "29012024E000012345=$N4" "<ceb:InvtRefundList>=<ceb:InvtRefundList>$MUG</ceb:InvtRefundList><ceb:InvtRefundList>"
mk t4 215 4 "29012024E000012345=$N4"
posts r4 t4
is "parcel 4 comes back whole: 214 2, 120, 800 and 216 2, 399" \
	"$(rs "$TB" 214 ER2024121000000004); $(rs "$TS" 216 ET2024121200000004)" "2 120 800; 2 399"
is "its inventory is returned" "$(inv 4 state)" returned
curl -s -H "Authorization: Bearer $TB" "$URL/api/v1/declarations?kind=603" >"$T/all.json"
is "of the broker's inventories (summarized, returned, released), none needs its action" \
	"$(jq -c '[.declarations[] | [.state, .needsAction]] | unique' "$T/all.json")" \
	'[["released",false],["returned",false],["summarized",false]]'
mk o7 303 7; mk w7 505 7; mk i7 603 7 '<ceb:itemNo>SKU-MUG-350<=<ceb:itemNo>SKU-MUG-999<'
posts o7 w7 i7
is "an inventory whose line differs from its order is refused" "$(inv 7 state)" rejected
curl -s -H "Authorization: Bearer $TB" "$URL/api/v1/declarations?kind=603&action=1" >"$T/act.json"
is "of its inventories only that one needs the broker's action, not the returned one" \
	"$(jq -c '[.declarations[] | [.key2, .state, .needsAction]]' "$T/act.json")" \
	'[["EI2024111800000007","rejected",true]]'
curl -s -H "Authorization: Bearer $TB" "$URL/api/v1/declarations?kind=701" >"$T/apps.json"
is "a refused summary application is rejected and needs the broker's action, an accepted one not" \
	"$(jq -c '[.declarations[] | select(.key2 == "ES2024120500000010" or .key2 == "ES2024120500000011") | [.key2, .state, .needsAction]] | sort' "$T/apps.json")" \
	'[["ES2024120500000010","rejected",true],["ES2024120500000011","declared",false]]'
curl -s -H "Authorization: Bearer $TB" "$URL/api/v1/declarations?kind=213&action=1" >"$T/ret.json"
is "of the returns, only the refused one needs action" \
	"$(jq -c '[.declarations[] | [.key2, .state]]' "$T/ret.json")" '[["ER2024121000000002","rejected"]]'
is "the database is sound" "$(db_sound "$DB")" ok
stop_daemon
done_testing
