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

echo "1..22"

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

# Without -o the message goes to stdout.
"$CEBGATE" normalize "$T/loose.xml" >"$T/stdout.xml" 2>/dev/null
check "without -o the canonical message is written to stdout" "'$CEBGATE' validate --unsigned --quiet '$T/stdout.xml' >/dev/null"
set +e
"$CEBGATE" normalize --from yaml x >/dev/null 2>&1
rc=$?
set -e
check "bad option is a usage error (exit 2)" "[ $rc -eq 2 ]"
exit 0
