#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: cebgate normalize on the bundled merchant files, checked by
# cebgate validate, the change log and the findings of the defective file.
set -eu
CEBGATE=${top_builddir:?}/src/cli/cebgate
S=${top_srcdir:?}/samples/merchant
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
export CEBGATE_NOW=20261128100000
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }
count_xml() { find "$1" -name '*.xml' | wc -l | tr -d ' '; }
# finding JSON CODE LINE [COLUMN [TEXT]]: the --json report has that finding.
finding() {
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
a = sys.argv[2:] + [""] * 3
hits = [f for x in r["files"] for f in x["findings"] if f["code"] == a[0] and
	f["line"] == int(a[1]) and (a[2] == "" or f["column"] == int(a[2])) and a[3] in f["message_en"]]
sys.exit(0 if hits else 1)' "$@"
}
# logged LOG XPATH-SUFFIX BEFORE AFTER: a change-log row with those cells.
logged() {
	awk -F'\t' -v x="$2" -v b="$3" -v a="$4" \
		'substr($4, length($4) - length(x) + 1) == x && $5 == b && $6 == a { f = 1 } END { exit !f }' "$1"
}

echo "1..42"

# UTF-8 CSV with English headers: every order written, each valid.
set +e
"$CEBGATE" normalize --profile "$S/default.profile" "$S/orders-en.csv" -o "$T/en" 2>"$T/en.err"
rc=$?
set -e
check "orders-en.csv normalizes with exit 0" "[ $rc -eq 0 ]"
check "orders-en.csv gives 6 messages" "[ $(count_xml "$T/en") -eq 6 ]"
check "normalized messages validate" "'$CEBGATE' validate --unsigned --quiet '$T/en' >/dev/null"
check "change log names mapped units" "grep -q 'unit name mapped to its customs code' '$T/en/normalize-log.tsv'"
check "change log names mapped countries (ISO to customs)" "grep -q 'country mapped' '$T/en/normalize-log.tsv'"
check "change log names reformatted times" "grep -q 'YYYYMMDDhhmmss' '$T/en/normalize-log.tsv'"
check "output uses the ceb: prefix and currency 142" \
	"grep -q '<ceb:currency>142</ceb:currency>' $(find "$T/en" -name '*.xml' | head -n 1)"

# The same orders with Chinese headers, and in GB18030: byte-identical output.
"$CEBGATE" normalize --profile "$S/default.profile" "$S/orders-zh.csv" -o "$T/zh" 2>/dev/null
"$CEBGATE" normalize --profile "$S/default.profile" "$S/orders-gb18030.csv" -o "$T/gb" 2>/dev/null
same=1
for f in "$T"/en/*.xml; do
	b=$(basename "$f")
	cmp -s "$f" "$T/zh/$b" || same=0
	cmp -s "$f" "$T/gb/$b" || same=0
done
check "Chinese headers give the same messages as English ones" "[ $same -eq 1 ]"
check "GB18030 input gives UTF-8 output with the Chinese text intact" \
	"grep -q '示例' $(find "$T/gb" -name '*.xml' | head -n 1)"

# Deterministic: the same input twice gives the same guid and bytes.
"$CEBGATE" normalize --profile "$S/default.profile" "$S/orders-en.csv" -o "$T/en2" 2>/dev/null
check "normalizing twice is byte-identical (guid from content)" "diff -r -x normalize-log.tsv '$T/en' '$T/en2' >/dev/null"

# NDJSON and a merchant profile with its own column names.
"$CEBGATE" normalize --profile "$S/default.profile" "$S/orders.ndjson" -o "$T/nd" 2>/dev/null
check "orders.ndjson gives 4 valid messages" \
	"[ $(count_xml "$T/nd") -eq 4 ] && '$CEBGATE' validate --unsigned --quiet '$T/nd' >/dev/null"
"$CEBGATE" normalize --profile "$S/shopx.profile" "$S/orders-profile.csv" -o "$T/px" 2>/dev/null
check "profile-mapped CSV gives valid messages" \
	"[ $(count_xml "$T/px") -ge 1 ] && '$CEBGATE' validate --unsigned --quiet '$T/px' >/dev/null"

# The defective file: good orders pass, each bad row is reported at its line.
set +e
"$CEBGATE" normalize --json --profile "$S/default.profile" "$S/orders-bad.csv" -o "$T/bad" \
	>"$T/bad.json" 2>/dev/null
rc=$?
set -e
check "orders-bad.csv exits 1" "[ $rc -eq 1 ]"
check "the 4 good orders of orders-bad.csv are still written" "[ $(count_xml "$T/bad") -eq 4 ]"
missing=0
# awk, not read: consecutive tabs (an empty column) must not collapse.
awk -F'\t' '!/^#/ && NF >= 3 { print $1, $3 }' "$S/orders-bad.EXPECTED.tsv" | while read -r line code; do
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
hits = [f for x in r["files"] for f in x["findings"] if f["code"] == sys.argv[3] and f["line"] == int(sys.argv[2])]
sys.exit(0 if hits else 1)' "$T/bad.json" "$line" "$code" || echo "$line $code" >>"$T/missing"
done
check "every expected finding of orders-bad.csv is reported at its line" "[ ! -s '$T/missing' ]"
check "CSV findings carry a column" \
	"python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if any(f[\"column\"]>0 for x in r[\"files\"] for f in x[\"findings\"]) else 1)' '$T/bad.json'"

# Without BaseTransfer values the document cannot be declared: an error, not a guess.
set +e
"$CEBGATE" normalize --json "$S/orders-en.csv" -o "$T/nobt" >"$T/nobt.json" 2>/dev/null
rc=$?
set -e
check "missing copCode is CG2002 and nothing is written" \
	"[ $rc -eq 1 ] && grep -q CG2002 '$T/nobt.json' && [ $(count_xml "$T/nobt") -eq 0 ]"

# Loose XML: default namespace, padding, full-width digits, dashed dates, unit names, ISO country.
sed -e 's/<ceb:/</g; s/<\/ceb:/<\//g; s/xmlns:ceb=/xmlns=/' \
	-e 's|<appTime>20241111000512</appTime>|<appTime> 2024-11-11 00:05:12 </appTime>|' \
	-e 's|<unit>122</unit>|<unit>罐</unit>|' -e 's|<country>601</country>|<country>AU</country>|' \
	-e 's|<buyerTelephone>13800138000</buyerTelephone>|<buyerTelephone>１３８００１３８０００</buyerTelephone>|' \
	"${top_srcdir}/samples/xml/valid/CEB311-order.xml" >"$T/loose.xml"
"$CEBGATE" normalize "$T/loose.xml" -o "$T/loose" 2>/dev/null
out=$(find "$T/loose" -name '*.xml' | head -n 1)
check "loose XML normalizes to a valid message" "[ -n '$out' ] && '$CEBGATE' validate --unsigned --quiet '$out' >/dev/null"
check "loose XML: values rewritten" \
	"grep -q '<ceb:appTime>20241111000512</ceb:appTime>' '$out' && grep -q '<ceb:unit>122</ceb:unit>' '$out' && grep -q '<ceb:buyerTelephone>13800138000<' '$out'"
check "loose XML: changes logged with source lines" "awk -F'\t' 'NR>1 && \$2>0' '$T/loose/normalize-log.tsv' | grep -q 'unit name mapped'"

# The loose merchant XML sample: prefix m:, no guid, full-width code, dashed time, unit names,
# ISO countries, more than 5 decimals. Each repair is checked in the output and in the log.
L=$S/order-loose.xml
set +e
"$CEBGATE" normalize "$L" -o "$T/lx" 2>"$T/lx.err"
rc=$?
set -e
out=$(find "$T/lx" -name '*.xml' | head -n 1)
check "order-loose.xml normalizes (exit 0) to a message cebgate validate accepts" \
	"[ $rc -eq 0 ] && [ -n '$out' ] && '$CEBGATE' validate --unsigned --quiet '$out' >/dev/null"
check "order-loose.xml: output in ceb:, values in the CEB form" \
	"grep -q '<ceb:ebcCode>4403960XB2<' '$out' && grep -q '<ceb:appTime>20261128100000<' '$out' &&
	 grep -q '<ceb:unit>011<' '$out' && grep -q '<ceb:unit>035<' '$out' &&
	 grep -q '<ceb:country>502<' '$out' && grep -q '<ceb:country>609<' '$out' &&
	 grep -q '<ceb:taxTotal>21.749<' '$out' && grep -q '<ceb:freight>10.00<' '$out' &&
	 grep -q '<ceb:price>80.00<' '$out' && ! grep -q '<m:' '$out'"
LX=$T/lx/normalize-log.tsv
check "order-loose.xml: full-width code, date, units, country and decimals logged (before, after)" \
	"logged '$LX' /ceb:ebcCode '４４０３９６０ＸＢ２' 4403960XB2 &&
	 logged '$LX' /ceb:appTime '2026-11-28 10:00:00' 20261128100000 &&
	 logged '$LX' '[1]/ceb:unit' 件 011 && logged '$LX' '[2]/ceb:unit' 千克 035 &&
	 logged '$LX' '[1]/ceb:country' US 502 && logged '$LX' /ceb:taxTotal 21.7490004 21.749 &&
	 logged '$LX' /ceb:freight 10.000000 10.00"
guid=$(awk -F'\t' '$4 ~ /OrderHead\/ceb:guid$/ && $5 == "" { print $6 }' "$LX")
check "order-loose.xml: the generated guid is logged and is the message's" \
	"[ -n '$guid' ] && grep -q '<ceb:guid>$guid</ceb:guid>' '$out' && logged '$LX' /@guid '' '$guid'"

# Namespace repairs are changes: no namespace, and a wrong namespace URI.
sed -e 's/<m:/</g; s/<\/m:/<\//g; s/ xmlns:m="[^"]*"//' "$L" >"$T/nons.xml"
sed -e 's|xmlns:m="http://www.chinaport.gov.cn/ceb"|xmlns:m="http://www.chinaport.gov.cn/CEB/"|' \
	"$L" >"$T/wrongns.xml"
"$CEBGATE" normalize "$T/nons.xml" -o "$T/nons" 2>/dev/null || :
"$CEBGATE" normalize "$T/wrongns.xml" -o "$T/wrongns" 2>/dev/null || :
check "no namespace: normalized, valid, the repair logged at the root" \
	"'$CEBGATE' validate --unsigned --quiet '$T/nons' >/dev/null &&
	 logged '$T/nons/normalize-log.tsv' /CEB311Message '' http://www.chinaport.gov.cn/ceb"
check "wrong namespace URI: normalized, valid, the old URI logged" \
	"'$CEBGATE' validate --unsigned --quiet '$T/wrongns' >/dev/null &&
	 logged '$T/wrongns/normalize-log.tsv' CEB311Message http://www.chinaport.gov.cn/CEB/ \
		http://www.chinaport.gov.cn/ceb"

# Currency is fixed to 142 in import declarations: USD is refused, amounts never converted.
sed -e '0,/<m:currency>142</s//<m:currency>USD</' "$L" >"$T/usd.xml"
set +e
"$CEBGATE" normalize --json "$T/usd.xml" -o "$T/usd" >"$T/usd.json" 2>/dev/null
rc=$?
set -e
check "currency USD: exit 1, CG2001 naming USD at its line, nothing written" \
	"[ $rc -eq 1 ] && finding '$T/usd.json' CG2001 22 0 '\"USD\"' && [ $(count_xml "$T/usd") -eq 0 ]"

# An element the message has no place for is an error naming it, never dropped.
sed -e 's|<m:freight>|<m:extraField>gift</m:extraField><m:freight>|' \
	-e 's|m:consigneeDistrict>|m:consigneeDitrict>|g' "$L" >"$T/extra.xml"
set +e
"$CEBGATE" normalize --json "$T/extra.xml" -o "$T/extra" >"$T/extra.json" 2>/dev/null
rc=$?
set -e
check "unknown elements (extraField, consigneeDitrict): exit 1, CG2008 at their lines, nothing written" \
	"[ $rc -eq 1 ] && finding '$T/extra.json' CG2008 18 0 extraField &&
	 finding '$T/extra.json' CG2008 34 0 consigneeDitrict && [ $(count_xml "$T/extra") -eq 0 ]"

# A CSV column with no field: a warning naming it, every dropped value in the log.
awk -F, -v OFS=, 'NR == 1 { print $0, "giftMessage"; next } { print $0, "Happy birthday" }' \
	"$S/orders-en.csv" >"$T/gift.csv"
"$CEBGATE" normalize --json --profile "$S/default.profile" "$T/gift.csv" -o "$T/gift" \
	>"$T/gift.json" 2>/dev/null || :
check "CSV column giftMessage: CG2009 warning at line 1 column 34, 6 messages, 10 values logged" \
	"finding '$T/gift.json' CG2009 1 34 giftMessage && [ $(count_xml "$T/gift") -eq 6 ] &&
	 [ \$(grep -c 'Happy birthday' '$T/gift/normalize-log.tsv') -eq 10 ]"
{ cat "$S/default.profile"; printf '[ignore]\ngiftMessage\n'; } >"$T/ignore.profile"
"$CEBGATE" normalize --json --profile "$T/ignore.profile" "$T/gift.csv" -o "$T/gifti" \
	>"$T/gifti.json" 2>/dev/null || :
check "a column listed under [ignore] is dropped without a finding or log row" \
	"[ $(count_xml "$T/gifti") -eq 6 ] && ! grep -q CG2009 '$T/gifti.json' &&
	 ! grep -q 'Happy birthday' '$T/gifti/normalize-log.tsv'"

# Rows of one order disagreeing on a head value: an error at the later row and column.
awk -F, -v OFS=, 'NR == 4 { $12 = "王五" } { print }' "$S/orders-en.csv" >"$T/conflict.csv"
set +e
"$CEBGATE" normalize --json --profile "$S/default.profile" "$T/conflict.csv" -o "$T/conflict" \
	>"$T/conflict.json" 2>/dev/null
rc=$?
set -e
check "a second buyerName for one order: exit 1, CG2010 at line 4 column 12, the order not written" \
	"[ $rc -eq 1 ] && finding '$T/conflict.json' CG2010 4 12 王五 && [ $(count_xml "$T/conflict") -eq 5 ]"

# The progress line goes to stderr only when it is a terminal (script(1) gives one).
if command -v script >/dev/null 2>&1; then
	script -qec "'$CEBGATE' normalize '$L' -o '$T/tty'" /dev/null </dev/null >"$T/tty.out" 2>&1 || :
	check "progress line on stderr when it is a terminal" \
		"grep -q 'normalize: 1 documents, 1 written, 0 rejected' '$T/tty.out'"
else
	ok "progress line on stderr when it is a terminal # SKIP script(1) not installed"
fi
check "no progress line when stderr is not a terminal" \
	"! grep -q 'documents, .* written' '$T/lx.err'"

# Without -o the message goes to stdout.
"$CEBGATE" normalize "$T/loose.xml" >"$T/stdout.xml" 2>/dev/null
check "without -o the canonical message is written to stdout" "'$CEBGATE' validate --unsigned --quiet '$T/stdout.xml' >/dev/null"
set +e
"$CEBGATE" normalize --from yaml x >/dev/null 2>&1
rc=$?
set -e
check "bad option is a usage error (exit 2)" "[ $rc -eq 2 ]"
# Inputs sharing an order number never overwrite each other: two different messages for
# SO202411110000123456 both reach the disk (the second under a -2 name, both inputs named on
# stderr); the same input given twice is one message; the count printed is the count on disk.
V=$top_srcdir/samples/xml/valid
sed 's/<ceb:buyerName>[^<]*</<ceb:buyerName>李四</' "$V/CEB311-order.xml" >"$T/same-order.xml"
set +e
"$CEBGATE" normalize "$V/CEB311-order.xml" "$T/same-order.xml" "$V/CEB311-order.xml" \
	"$V/CEB311-order-9610.xml" -o "$T/share" >/dev/null 2>"$T/share.err"
rc=$?
set -e
check "inputs sharing an order number: exit 0, 3 files for 3 different messages" \
	"[ $rc -eq 0 ] && [ $(count_xml "$T/share") -eq 3 ] && [ \"\$(grep -l '李四' '$T/share'/*.xml | wc -l)\" -eq 1 ]"
check "the count printed is the count on disk" \
	"grep -q 'normalize: 4 document(s) read, 3 message(s) written, .*1 identical to one written already' '$T/share.err'"
check "the second message's name and both inputs are on stderr" \
	"grep -q \"same-order.xml: a different message from .*CEB311-order.xml has the name CEB311-SO202411110000123456.xml already: written as CEB311-SO202411110000123456-2.xml\" '$T/share.err'"

# One policy for a code missing from its table (docs/findings.md, CG1014): against a table
# known to be partial (customs districts) normalize keeps it and warns exactly as validate does;
# against a complete table (countries) both refuse it.
sed 's/<ceb:customsCode>5349</<ceb:customsCode>4699</' "$V/CEB621-inventory.xml" >"$T/district.xml"
set +e
"$CEBGATE" normalize --json "$T/district.xml" -o "$T/district" >"$T/district.json" 2>/dev/null
rc=$?
"$CEBGATE" validate --unsigned --json "$T/district.xml" >"$T/district-v.json" 2>/dev/null
vrc=$?
set -e
check "a district missing from the partial table: normalize and validate both warn CG1014, exit 0" \
	"[ $rc -eq 0 ] && [ $vrc -eq 0 ] && [ $(count_xml "$T/district") -eq 1 ] &&
	 grep -q '\"CG1014\"' '$T/district.json' && grep -q '\"CG1014\"' '$T/district-v.json' &&
	 ! grep -q CG2001 '$T/district.json'"
sed 's/<ceb:country>601</<ceb:country>998</' "$V/CEB621-inventory.xml" >"$T/country.xml"
set +e
"$CEBGATE" normalize --json "$T/country.xml" -o "$T/country" >"$T/country.json" 2>/dev/null
rc=$?
"$CEBGATE" validate --unsigned --json "$T/country.xml" >"$T/country-v.json" 2>/dev/null
vrc=$?
set -e
check "a country missing from the complete table: normalize (CG2001) and validate (CG1014) both refuse" \
	"[ $rc -eq 1 ] && [ $vrc -eq 1 ] && [ $(count_xml "$T/country") -eq 0 ] &&
	 grep -q '\"CG2001\"' '$T/country.json' && grep -q '\"CG1014\"' '$T/country-v.json'"

# One encoding per file: a GB18030 row among UTF-8 ones, and a UTF-8 row among GB18030 ones,
# are each an error at their line (CG2003), never decoded each its own way; the other orders
# are written.
awk 'NR == FNR { g[FNR] = $0; next } FNR == 4 { print g[4]; next } { print }' \
	"$S/orders-gb18030.csv" "$S/orders-zh.csv" >"$T/mixed-utf8.csv"
awk 'NR == FNR { u[FNR] = $0; next } FNR == 4 { print u[4]; next } { print }' \
	"$S/orders-zh.csv" "$S/orders-gb18030.csv" >"$T/mixed-gb.csv"
for mixed in mixed-utf8 mixed-gb; do
	set +e
	"$CEBGATE" normalize --json --profile "$S/default.profile" "$T/$mixed.csv" -o "$T/$mixed" \
		>"$T/$mixed.json" 2>/dev/null
	rc=$?
	set -e
	check "$mixed.csv: exit 1, CG2003 at line 4 saying rows are in different encodings, 5 orders written" \
		"[ $rc -eq 1 ] && finding '$T/$mixed.json' CG2003 4 0 'rows in different encodings' &&
		 [ $(count_xml "$T/$mixed") -eq 5 ]"
done

exit 0
