#!/bin/sh
# SPDX-License-Identifier: MIT
# Every required string element of the import XSD refuses an empty value. The cases are
# generated from the valid samples, not listed by hand: each non-empty leaf element that the
# XSD declares required (no minOccurs="0") is emptied in turn, one copy of the sample per
# element, and `cebgate validate` must report CG0100 on exactly that element.
set -eu

: "${top_srcdir:?top_srcdir must be set}"
: "${top_builddir:?top_builddir must be set}"
. "$top_srcdir/tests/e2e/lib.sh"

mkdir "$T/cases"
python3 "$top_srcdir/tests/e2e/required_fields.py" generate \
	"$top_srcdir/schemas/ceb-import.xsd" "$S" "$T/cases" >"$T/cases.tsv"
cases=$(wc -l <"$T/cases.tsv")
ok "cases generated from the valid samples ($cases)" eval '[ "$cases" -ge 300 ]'

rc=0
timeout -k 5 120 "$CEBGATE" validate --unsigned --json "$T/cases" >"$T/report.json" \
	2>"$T/err" || rc=$?
ok "validate over the emptied copies exits 1" eval '[ "$rc" -eq 1 ]'
ok "no sanitizer report" eval '! grep -q -e Sanitizer -e "runtime error" "$T/err"'

if python3 "$top_srcdir/tests/e2e/required_fields.py" check "$T/cases.tsv" \
	"$T/report.json" >"$T/bad"; then
	pass "every emptied required element gives CG0100 on that element"
else
	fail "emptied required elements accepted: $(wc -l <"$T/bad")"
	head -n 40 "$T/bad" | sed 's/^/# /'
fi

# The Chinese message says the element is empty and that a required one must be filled.
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["files"]:
    if f["file"].endswith("CEB311-order.xml--orderNo-1.xml"):
        for x in f["findings"]:
            if x["code"] == "CG0100" and "orderNo" in x["message_zh"] and "orderNo为空" in x["message_zh"] and "必填" in x["message_zh"]:
                sys.exit(0)
sys.exit(1)
' "$T/report.json"; then
	pass "the Chinese message of an emptied orderNo says it is empty and required"
else
	fail "the Chinese message of an emptied orderNo says it is empty and required"
	grep -A3 'CEB311-order.xml--orderNo-1' "$T/report.json" | head -n 20 | sed 's/^/# /'
fi

done_testing
