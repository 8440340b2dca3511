#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: cebgate normalize on the bundled merchant files, checked by
# cebgate validate, the change log and the findings of the defective file.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
M=$top_srcdir/samples/merchant
export CEBGATE_NOW=20261128100000
count_xml() { find "$1" -name '*.xml' | wc -l | tr -d ' '; }
first_xml() { find "$1" -name '*.xml' | head -n 1; }
valid() { "$CEBGATE" validate --unsigned --quiet "$1"; }
# norm OUT ARGS...: cebgate normalize ARGS -o OUT; sets rc, stdout in OUT.json.
norm() {
	o=$1; shift
	rc=0
	"$CEBGATE" normalize "$@" -o "$o" >"$o.json" 2>"$o.err" || rc=$?
}
# finding JSON CODE LINE [COLUMN [TEXT]]: the --json report has that finding.
finding() {
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
a = sys.argv[2:] + [""] * 3
hits = [f for x in r["files"] for f in x["findings"] if f["code"] == a[0] and
	f["line"] == int(a[1]) and (a[2] == "" or f["column"] == int(a[2])) and
	a[3] in f["message_en"]]
sys.exit(0 if hits else 1)' "$@"
}
# logged LOG XPATH-SUFFIX BEFORE AFTER: a change-log row with those cells.
logged() {
	awk -F'\t' -v x="$2" -v b="$3" -v a="$4" \
		'substr($4, length($4) - length(x) + 1) == x && $5 == b && $6 == a { f = 1 }
		END { exit !f }' "$1"
}

# UTF-8 CSV with English headers: every order written, each valid.
norm "$T/en" --profile "$M/default.profile" "$M/orders-en.csv"
EN=$T/en/normalize-log.tsv
is "orders-en.csv normalizes with exit 0" $rc 0
is "orders-en.csv gives 6 messages" "$(count_xml "$T/en")" 6
ok "normalized messages validate" valid "$T/en"
file_contains "change log names mapped units" "$EN" 'unit name mapped to its customs code'
file_contains "change log names mapped countries (ISO to customs)" "$EN" 'country mapped'
file_contains "change log names reformatted times" "$EN" 'YYYYMMDDhhmmss'
file_contains "output uses the ceb: prefix and currency 142" "$(first_xml "$T/en")" \
	'<ceb:currency>142</ceb:currency>'

# The same orders with Chinese headers, and in GB18030: byte-identical output.
norm "$T/zh" --profile "$M/default.profile" "$M/orders-zh.csv"
norm "$T/gb" --profile "$M/default.profile" "$M/orders-gb18030.csv"
same() {
	for f in "$T"/en/*.xml; do
		b=$(basename "$f")
		cmp "$f" "$T/zh/$b" && cmp "$f" "$T/gb/$b" || return 1
	done
}
ok "Chinese headers give the same messages as English ones, and so does GB18030" same
file_contains "GB18030 input gives UTF-8 output with the Chinese text intact" \
	"$(first_xml "$T/gb")" '示例'

# Deterministic: the same input twice gives the same guid and bytes.
norm "$T/en2" --profile "$M/default.profile" "$M/orders-en.csv"
ok "normalizing twice is byte-identical (guid from content)" \
	diff -r -x normalize-log.tsv -x '*.json' -x '*.err' "$T/en" "$T/en2"

# NDJSON and a merchant profile with its own column names.
norm "$T/nd" --profile "$M/default.profile" "$M/orders.ndjson"
is "orders.ndjson gives 4 messages" "$(count_xml "$T/nd")" 4
ok "which validate" valid "$T/nd"
norm "$T/px" --profile "$M/shopx.profile" "$M/orders-profile.csv"
ok "profile-mapped CSV gives messages" test "$(count_xml "$T/px")" -ge 1
ok "which validate" valid "$T/px"

# The defective file: good orders pass, each bad row is reported at its line.
norm "$T/bad" --json --profile "$M/default.profile" "$M/orders-bad.csv"
is "orders-bad.csv exits 1" $rc 1
is "the 4 good orders of orders-bad.csv are still written" "$(count_xml "$T/bad")" 4
# awk, not read: consecutive tabs (an empty column) must not collapse.
awk -F'\t' '!/^#/ && NF >= 3 { print $1, $3 }' "$M/orders-bad.EXPECTED.tsv" |
	while read -r line code; do
		finding "$T/bad.json" "$code" "$line" || echo "$line $code"
	done >"$T/missing"
is "every expected finding of orders-bad.csv is reported at its line" "$(cat "$T/missing")" ""
json_is "CSV findings carry a column" "$T/bad.json" 'any(.files[].findings[]; .column > 0)' true

# Without BaseTransfer values the document cannot be declared: an error, not a guess.
norm "$T/nobt" --json "$M/orders-en.csv"
is "missing copCode exits 1" $rc 1
file_contains "with CG2002" "$T/nobt.json" CG2002
is "and nothing is written" "$(count_xml "$T/nobt")" 0

# Loose XML: default namespace, padding, full-width digits, dashed dates, unit names,
# ISO country.
sed -e 's/<ceb:/</g; s/<\/ceb:/<\//g; s/xmlns:ceb=/xmlns=/' \
	-e 's|<appTime>20241111000512</appTime>|<appTime> 2024-11-11 00:05:12 </appTime>|' \
	-e 's|<unit>122</unit>|<unit>罐</unit>|' \
	-e 's|<country>601</country>|<country>AU</country>|' \
	-e 's|<buyerTelephone>13800138000<|<buyerTelephone>１３８００１３８０００<|' \
	"$S/CEB311-order.xml" >"$T/loose.xml"
norm "$T/loose" "$T/loose.xml"
out=$(first_xml "$T/loose")
ok "loose XML normalizes to a valid message" valid "$out"
file_contains "loose XML: values rewritten" "$out" \
	'<ceb:appTime>20241111000512</ceb:appTime>' '<ceb:unit>122</ceb:unit>' \
	'<ceb:buyerTelephone>13800138000<'
awk -F'\t' 'NR > 1 && $2 > 0' "$T/loose/normalize-log.tsv" >"$T/loose-lines.tsv"
file_contains "loose XML: changes logged with source lines" "$T/loose-lines.tsv" \
	'unit name mapped' 

# The loose merchant XML sample: prefix m:, no guid, full-width code, dashed time, unit
# names, ISO countries, more than 5 decimals. Each repair is checked in the output and log.
L=$M/order-loose.xml
norm "$T/lx" "$L"
out=$(first_xml "$T/lx")
is "order-loose.xml normalizes (exit 0)" $rc 0
ok "to a message cebgate validate accepts" valid "$out"
file_contains "order-loose.xml: output in ceb:, values in the CEB form" "$out" \
	'<ceb:ebcCode>4403960XB2<' '<ceb:appTime>20261128100000<' '<ceb:unit>011<' \
	'<ceb:unit>035<' '<ceb:country>502<' '<ceb:country>609<' '<ceb:taxTotal>21.749<' \
	'<ceb:freight>10.00<' '<ceb:price>80.00<'
file_lacks "no m: prefix is left" "$out" '<m:'
LX=$T/lx/normalize-log.tsv
all_logged() {
	logged "$LX" /ceb:ebcCode '４４０３９６０ＸＢ２' 4403960XB2 &&
	logged "$LX" /ceb:appTime '2026-11-28 10:00:00' 20261128100000 &&
	logged "$LX" '[1]/ceb:unit' 件 011 && logged "$LX" '[2]/ceb:unit' 千克 035 &&
	logged "$LX" '[1]/ceb:country' US 502 && logged "$LX" /ceb:taxTotal 21.7490004 21.749 &&
	logged "$LX" /ceb:freight 10.000000 10.00
}
ok "order-loose.xml: full-width code, date, units, country and decimals logged" all_logged
guid=$(awk -F'\t' '$4 ~ /OrderHead\/ceb:guid$/ && $5 == "" { print $6 }' "$LX")
like "order-loose.xml: the generated guid is logged" "$guid" '^.+$'
file_contains "and is the message's" "$out" "<ceb:guid>$guid</ceb:guid>"
ok "as the root's guid too" logged "$LX" /@guid '' "$guid"

# Namespace repairs are changes: no namespace, and a wrong namespace URI.
CEB=http://www.chinaport.gov.cn/ceb
sed -e 's/<m:/</g; s/<\/m:/<\//g; s/ xmlns:m="[^"]*"//' "$L" >"$T/nons.xml"
sed -e "s|xmlns:m=\"$CEB\"|xmlns:m=\"http://www.chinaport.gov.cn/CEB/\"|" "$L" >"$T/wrongns.xml"
norm "$T/nons" "$T/nons.xml"
norm "$T/wrongns" "$T/wrongns.xml"
ok "no namespace: normalized, valid" valid "$T/nons"
ok "the repair logged at the root" logged "$T/nons/normalize-log.tsv" /CEB311Message '' "$CEB"
ok "wrong namespace URI: normalized, valid" valid "$T/wrongns"
ok "the old URI logged" logged "$T/wrongns/normalize-log.tsv" CEB311Message \
	http://www.chinaport.gov.cn/CEB/ "$CEB"

# Currency is fixed to 142 in import declarations: USD is refused, amounts never converted.
sed -e '0,/<m:currency>142</s//<m:currency>USD</' "$L" >"$T/usd.xml"
norm "$T/usd" --json "$T/usd.xml"
is "currency USD: exit 1" $rc 1
ok "CG2001 naming USD at its line" finding "$T/usd.json" CG2001 22 0 '"USD"'
is "nothing written" "$(count_xml "$T/usd")" 0

# An element the message has no place for is an error naming it, never dropped.
sed -e 's|<m:freight>|<m:extraField>gift</m:extraField><m:freight>|' \
	-e 's|m:consigneeDistrict>|m:consigneeDitrict>|g' "$L" >"$T/extra.xml"
norm "$T/extra" --json "$T/extra.xml"
is "unknown elements (extraField, consigneeDitrict): exit 1" $rc 1
ok "CG2008 at extraField's line" finding "$T/extra.json" CG2008 18 0 extraField
ok "CG2008 at consigneeDitrict's line" finding "$T/extra.json" CG2008 34 0 consigneeDitrict
is "nothing written" "$(count_xml "$T/extra")" 0

# A CSV column with no field: a warning naming it, every dropped value in the log.
awk -F, -v OFS=, 'NR == 1 { print $0, "giftMessage"; next } { print $0, "Happy birthday" }' \
	"$M/orders-en.csv" >"$T/gift.csv"
norm "$T/gift" --json --profile "$M/default.profile" "$T/gift.csv"
ok "CSV column giftMessage: CG2009 warning at line 1 column 34" \
	finding "$T/gift.json" CG2009 1 34 giftMessage
is "6 messages" "$(count_xml "$T/gift")" 6
is "10 values logged" "$(grep -c 'Happy birthday' "$T/gift/normalize-log.tsv")" 10
{ cat "$M/default.profile"; printf '[ignore]\ngiftMessage\n'; } >"$T/ignore.profile"
norm "$T/gifti" --json --profile "$T/ignore.profile" "$T/gift.csv"
is "a column listed under [ignore] is dropped: 6 messages" "$(count_xml "$T/gifti")" 6
file_lacks "without a finding" "$T/gifti.json" CG2009
file_lacks "or log row" "$T/gifti/normalize-log.tsv" 'Happy birthday'

# Rows of one order disagreeing on a head value: an error at the later row and column.
awk -F, -v OFS=, 'NR == 4 { $12 = "王五" } { print }' "$M/orders-en.csv" >"$T/conflict.csv"
norm "$T/conflict" --json --profile "$M/default.profile" "$T/conflict.csv"
is "a second buyerName for one order: exit 1" $rc 1
ok "CG2010 at line 4 column 12" finding "$T/conflict.json" CG2010 4 12 王五
is "the order not written" "$(count_xml "$T/conflict")" 5

# The progress line goes to stderr only when it is a terminal (script(1) gives one).
if command -v script >/dev/null 2>&1; then
	script -qec "'$CEBGATE' normalize '$L' -o '$T/tty'" /dev/null </dev/null \
		>"$T/tty.out" 2>&1 || :
	file_contains "progress line on stderr when it is a terminal" "$T/tty.out" \
		'normalize: 1 documents, 1 written, 0 rejected'
else
	skip "progress line on stderr when it is a terminal" "script(1) not installed"
fi
file_lacks "no progress line when stderr is not a terminal" "$T/lx.err" 'documents, .* written'

# Without -o the message goes to stdout.
"$CEBGATE" normalize "$T/loose.xml" >"$T/stdout.xml" 2>/dev/null
ok "without -o the canonical message is written to stdout" valid "$T/stdout.xml"
exit_code_is "bad option is a usage error (exit 2)" 2 "$CEBGATE" normalize --from yaml x

# Inputs sharing an order number never overwrite each other: two different messages for
# SO202411110000123456 both reach the disk (the second under a -2 name, both inputs named on
# stderr); the same input given twice is one message; the count printed is the count on disk.
sed 's/<ceb:buyerName>[^<]*</<ceb:buyerName>李四</' "$S/CEB311-order.xml" >"$T/same-order.xml"
norm "$T/share" "$S/CEB311-order.xml" "$T/same-order.xml" "$S/CEB311-order.xml" \
	"$S/CEB311-order-9610.xml"
is "inputs sharing an order number: exit 0" $rc 0
is "3 files for 3 different messages" "$(count_xml "$T/share")" 3
is "one of them the second buyer's" "$(grep -l '李四' "$T/share"/*.xml | wc -l | tr -d ' ')" 1
file_contains "the count printed is the count on disk" "$T/share.err" \
	'normalize: 4 document\(s\) read, 3 message\(s\) written, .*1 identical to one written already'
file_contains "the second message's name and both inputs are on stderr" "$T/share.err" \
	'same-order.xml: a different message from .*CEB311-order.xml has the name CEB311-SO202411110000123456.xml already: written as CEB311-SO202411110000123456-2.xml'

# One policy for a code missing from its table (docs/findings.md, CG1014): against a table
# known to be partial (customs districts) normalize keeps it and warns exactly as validate
# does; against a complete table (countries) both refuse it.
vjson() { vrc=0; "$CEBGATE" validate --unsigned --json "$1" >"$2" 2>/dev/null || vrc=$?; }
sed 's/<ceb:customsCode>5349</<ceb:customsCode>4699</' "$S/CEB621-inventory.xml" >"$T/district.xml"
norm "$T/district" --json "$T/district.xml"
vjson "$T/district.xml" "$T/district-v.json"
is "a district missing from the partial table: normalize exits 0" $rc 0
is "validate exits 0" $vrc 0
is "the message is written" "$(count_xml "$T/district")" 1
file_contains "normalize warns CG1014" "$T/district.json" '"CG1014"'
file_contains "validate warns CG1014" "$T/district-v.json" '"CG1014"'
file_lacks "normalize does not refuse it (CG2001)" "$T/district.json" CG2001
sed 's/<ceb:country>601</<ceb:country>998</' "$S/CEB621-inventory.xml" >"$T/country.xml"
norm "$T/country" --json "$T/country.xml"
vjson "$T/country.xml" "$T/country-v.json"
is "a country missing from the complete table: normalize exits 1" $rc 1
is "validate exits 1" $vrc 1
is "nothing is written" "$(count_xml "$T/country")" 0
file_contains "normalize refuses it (CG2001)" "$T/country.json" '"CG2001"'
file_contains "validate refuses it (CG1014)" "$T/country-v.json" '"CG1014"'

# One encoding per file: a GB18030 row among UTF-8 ones, and a UTF-8 row among GB18030
# ones, are each an error at their line (CG2003), never decoded each its own way; the other
# orders are written.
awk 'NR == FNR { g[FNR] = $0; next } FNR == 4 { print g[4]; next } { print }' \
	"$M/orders-gb18030.csv" "$M/orders-zh.csv" >"$T/mixed-utf8.csv"
awk 'NR == FNR { u[FNR] = $0; next } FNR == 4 { print u[4]; next } { print }' \
	"$M/orders-zh.csv" "$M/orders-gb18030.csv" >"$T/mixed-gb.csv"
for mixed in mixed-utf8 mixed-gb; do
	norm "$T/$mixed" --json --profile "$M/default.profile" "$T/$mixed.csv"
	is "$mixed.csv: exit 1" $rc 1
	ok "$mixed.csv: CG2003 at line 4 saying rows are in different encodings" \
		finding "$T/$mixed.json" CG2003 4 0 'rows in different encodings'
	is "$mixed.csv: the 5 other orders are written" "$(count_xml "$T/$mixed")" 5
done

done_testing
