#!/bin/sh
# SPDX-License-Identifier: MIT
# Hostile inputs through `cebgate validate` (and merchant files through `cebgate
# normalize`): every one must exit 1 with a CG code in the JSON report within 2 s of CPU and
# 256 MiB (tests/e2e/guard.py; scaled for sanitizer and valgrind builds, whose
# instrumentation costs time and memory), never crash, never read a file it was not given
# (a secret file with a unique marker stands in for /etc/passwd), never open a network
# connection (a loopback listener on an ephemeral port counts connections), and write
# nothing. Fixtures: tests/data/hostile. The same inputs go through the HTTP API in
# tests/e2e/hostile_http.sh.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
tmp=$T

cli="$top_builddir/src/cli/cebgate"
fixtures="$top_srcdir/tests/data/hostile"
order="$top_srcdir/samples/xml/unsigned/CEB311-order.xml"
. "$top_srcdir/tests/e2e/limits.sh"


marker="CGSECRET-$$-MARKER-7f3a9c"
secret="$tmp/secret.txt"
echo "$marker" >"$secret"

. "$top_srcdir/tests/e2e/listener.sh"
start_listener
kill_at_exit "$listener"

# run FILE: validate FILE with a hang guard; rc, $tmp/out, $tmp/err. Every report is also
# kept, and all are parsed as JSON at the end (python3 once, not once per input).
reports=0
run() {
	rc=0
	guarded "$cli" validate --unsigned --json "$1" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
	keep
}
keep() {
	# A crashed run has already failed its own test and left no report to parse.
	if [ "$rc" -lt 128 ] && ! grep -q -e 'Sanitizer' -e 'runtime error' "$tmp/err"; then
		reports=$((reports + 1))
		cp "$tmp/out" "$tmp/json/$reports.json"
	fi
}

# has_code CODES: the JSON report names one of CODES ("CG0001|CG0004") in some finding.
has_code() {
	grep -E -q "\"code\": *\"($1)\"" "$tmp/out"
}

# verdict CODES: why the last run is wrong, or nothing when it is right.
verdict() {
	if [ "$rc" -eq 124 ]; then
		echo "more than $lim_s s of CPU or a hang (killed): $(grep guard: "$tmp/err")"
	elif [ "$rc" -eq 125 ]; then
		echo "over $lim_mb MiB: $(grep guard: "$tmp/err")"
	elif [ "$rc" -ge 128 ]; then
		echo "crashed (exit $rc)"
	elif grep -q -e 'Sanitizer' -e 'runtime error' "$tmp/err"; then
		echo "sanitizer report: $(grep -m1 -e 'Sanitizer' -e 'runtime error' "$tmp/err")"
	elif grep -q -F "$marker" "$tmp/out" "$tmp/err"; then
		echo "the secret file's content leaked into the output"
	elif grep -q 'root:.*:0:0:' "$tmp/out" "$tmp/err"; then
		echo "/etc/passwd leaked into the output"
	elif [ "$rc" -ne 1 ]; then
		echo "exit $rc, expected 1"
	elif ! has_code "$1"; then
		echo "no $1 in the JSON report"
	fi
}

# refused NAME CODES: the last run refused its input with one of CODES.
refused() {
	why=$(verdict "$2")
	if [ -z "$why" ]; then
		pass "$1: exit 1 with $2"
	else
		fail "$1: $why"
		diag_file "$tmp/err"
	fi
}

# ---- the guard itself: it does catch an input that takes too long or too much memory -------

rc=0
python3 "$top_srcdir/tests/e2e/guard.py" 1 64 python3 -c "while True: pass" 2>/dev/null || rc=$?
if [ "$rc" -eq 124 ]; then
	pass "guard: a command past its CPU time is killed (124)"
else
	fail "guard: exit $rc for a command past its time"
fi
rc=0
python3 "$top_srcdir/tests/e2e/guard.py" 10 64 python3 -c \
	"b = bytearray(128 << 20); b[::4096] = b'x' * len(b[::4096])" 2>/dev/null || rc=$?
if [ "$rc" -eq 125 ]; then
	pass "guard: a command over its memory is caught (125)"
else
	fail "guard: exit $rc for a command over its memory"
fi

# ---- fixtures ------------------------------------------------------------------------------

mkdir "$tmp/in" "$tmp/json"
grep -v '^#' "$fixtures/EXPECTED.tsv" | grep -v '^$' | cut -f1,2 >"$tmp/rows"
while IFS="$(printf '\t')" read -r file code; do
	sed -e "s#@SECRET@#$secret#g" -e "s#@PORT@#$port#g" "$fixtures/$file" >"$tmp/in/$file"
	run "$tmp/in/$file"
	refused "$file" "$code"
done <"$tmp/rows"

# Every fixture has its row.
missing=""
for f in "$fixtures"/*.xml; do
	b=$(basename "$f")
	cut -f1 "$tmp/rows" | grep -qx "$b" || missing="$missing $b"
done
if [ -z "$missing" ]; then
	pass "every fixture is listed in tests/data/hostile/EXPECTED.tsv"
else
	fail "fixtures missing from EXPECTED.tsv:$missing"
fi

# Values are echoed literally: no format directive is interpreted, the JSON stays valid.
run "$tmp/in/name-format.xml"
if grep -qF '%s%n%x%p' "$tmp/out"; then
	pass "name-format.xml: the format string is echoed literally"
else
	fail "name-format.xml: the format string is echoed literally"
	diag_file "$tmp/out"
fi
run "$tmp/in/name-sql.xml"
if grep -qF "'; DROP TABLE x;--" "$tmp/out"; then
	pass "name-sql.xml: the SQL-shaped value is echoed literally"
else
	fail "name-sql.xml: the SQL-shaped value is echoed literally"
fi

# ---- generated inputs --------------------------------------------------------------------

python3 "$fixtures/generate.py" "$order" "$tmp/in" "$tmp/in/xxe-passwd.xml"

run "$tmp/in/deep-nesting.xml"
refused "10,000-deep nesting in a message" "CG0003"
run "$tmp/in/deep-nesting-bare.xml"
refused "10,000-deep nesting, bare" "CG0003"
run "$tmp/in/20mb.xml"
refused "20 MB document" "CG0003"
rc=0
guarded "$cli" validate --unsigned --json - <"$tmp/in/20mb.xml" >"$tmp/out" 2>"$tmp/err" || rc=$?
keep
refused "20 MB document on stdin" "CG0003"
run "$tmp/in/100-attributes.xml"
refused "100 attributes on one tag" "CG0003"
run "$tmp/in/invalid-utf8.xml"
refused "invalid UTF-8" "CG0004"
run "$tmp/in/gb18030-as-utf8.xml"
refused "GB18030 bytes declared UTF-8" "CG0004"
run "$tmp/in/utf16-bom-utf8-bytes.xml"
refused "UTF-16 BOM over UTF-8 bytes" "CG0001|CG0004"
run "$tmp/in/nul-in-value.xml"
refused "NUL byte in a value" "CG0001|CG0004"
run "$tmp/in/two-documents.xml"
refused "two documents concatenated" "CG0001"
run "$tmp/in/two-documents-nul.xml"
refused "two documents separated by a NUL byte" "CG0001|CG0004" "xml.c ignores input after a NUL"
run "$tmp/in/nul-then-junk.xml"
refused "junk after a NUL byte" "CG0001|CG0004" "xml.c ignores input after a NUL"
run "$tmp/in/empty.xml"
refused "empty file" "CG0001"
run "$tmp/in/blank.xml"
refused "blank file" "CG0001"
run "$tmp/in/50mb-text.xml"
refused "50 MB text node" "CG0003"
# The reader stops past the limit: the report says "more than", not the bytes it read.
if grep -qF 'more than 16777216 bytes' "$tmp/out" && ! grep -qF '33554431' "$tmp/out"; then
	pass "50 MB text node: the finding says more than 16777216 bytes"
else
	fail "50 MB text node: the finding says more than 16777216 bytes"
	diag_file "$tmp/out"
fi
run "$tmp/in/utf16-xxe.xml"
refused "XXE in a UTF-16 document (BOM)" "CG0002"
run "$tmp/in/utf16be-nobom-xxe.xml"
refused "XXE in a UTF-16BE document without BOM" "CG0002"
run "$tmp/in/utf32.xml"
refused "UTF-32 document" "CG0004"
run "$tmp/in/utf7.xml"
refused "encoding UTF-7 declared" "CG0004"
run "$tmp/in/ebcdic.xml"
refused "encoding IBM037 (EBCDIC) declared" "CG0004"
run "$tmp/in/ns-wrong-uri.xml"
refused "ceb prefix bound to another namespace URI" "CG0005"
run "$tmp/in/ns-rebound.xml"
refused "ceb prefix rebound to another URI inside the message" "CG0100"
run "$tmp/in/ns-twice.xml"
refused "ceb prefix bound twice on one element" "CG0001"
run "$tmp/in/ns-undeclared.xml"
refused "undeclared namespace prefix" "CG0001"
run "$tmp/in/ns-unqualified.xml"
refused "element taken out of the namespace (xmlns=\"\")" "CG0100"
run "$tmp/in/ns-xml-prefix.xml"
refused "the xml prefix rebound" "CG0001"

# XXE hidden in a DxpMsg envelope: the base64 Data holds the xxe-file fixture.
python3 - "$tmp/in/xxe-file.xml" "$tmp/in/dxp-xxe.xml" <<'EOF'
import base64, sys
inner = base64.b64encode(open(sys.argv[1], "rb").read()).decode()
open(sys.argv[2], "w").write(
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<dxp:DxpMsg ver="1.0" xmlns:dxp="http://www.chinaport.gov.cn/dxp">'
    "<dxp:TransInfo><dxp:CopMsgId>1</dxp:CopMsgId><dxp:SenderId>DXPENT0000999901</dxp:SenderId>"
    "<dxp:ReceiverIds><dxp:ReceiverId>DXPEDCCEB0000002</dxp:ReceiverId></dxp:ReceiverIds>"
    "<dxp:CreatTime>2024-11-11T00:05:12</dxp:CreatTime><dxp:MsgType>CEB311Message</dxp:MsgType>"
    "</dxp:TransInfo><dxp:Data>" + inner + "</dxp:Data></dxp:DxpMsg>\n")
EOF
run "$tmp/in/dxp-xxe.xml"
refused "XXE inside a DxpMsg's base64 Data" "CG0002"

# A file name made of format directives is printed as it is.
cp "$tmp/in/name-format.xml" "$tmp/in/%s%n%x%p.xml"
rc=0
timeout -k 5 10 "$cli" validate --unsigned "$tmp/in/%s%n%x%p.xml" >"$tmp/out" 2>"$tmp/err" || rc=$?
if [ "$rc" -eq 1 ] && ! grep -q -e 'Sanitizer' -e 'runtime error' "$tmp/err" &&
	grep -qF "$tmp/in/%s%n%x%p.xml: INVALID" "$tmp/out"; then
	pass "format-string file name: exit 1, name printed literally"
else
	fail "format-string file name: exit 1, name printed literally (exit $rc)"
	diag_file "$tmp/err"
fi
rc=0
timeout -k 5 10 "$cli" validate --unsigned "$tmp/in/%n%n%n%s-missing.xml" >"$tmp/out" \
	2>"$tmp/err" || rc=$?
if [ "$rc" -eq 2 ] && grep -qF "%n%n%n%s-missing.xml" "$tmp/err"; then
	pass "missing format-string file name: exit 2, name printed literally"
else
	fail "missing format-string file name: exit 2, name printed literally (exit $rc)"
	diag_file "$tmp/err"
fi

# ---- merchant files through `cebgate normalize` ----------------------------------------------
# Each file holds only hostile rows: exit 1, the code in the JSON report, no message written.

mkdir "$tmp/merchant"
python3 - "$top_srcdir/samples/merchant" "$tmp/merchant" <<'EOF'
import sys
src, out = sys.argv[1], sys.argv[2]
lines = open(src + "/orders-en.csv", "rb").read().split(b"\n")
hdr, row = lines[0], lines[1]
cells = row.split(b",")
bn = hdr.split(b",").index(b"buyerName")

def write(name, data):
    with open(out + "/" + name, "wb") as f:
        f.write(data)

def csv(name, value):
    c = list(cells)
    c[bn] = value
    write(name, hdr + b"\n" + b",".join(c) + b"\n")

# Formula injection in every shape a spreadsheet runs.
csv("formula-eq.csv", b"=1+1")
csv("formula-plus.csv", b"+cmd|' /C calc'!A0")
csv("formula-minus.csv", b"-2+3")
csv("formula-at.csv", b"@SUM(A1)")
csv("formula-tab.csv", b'"\t=1+1"')
csv("formula-cr.csv", b'"\r=1+1"')
csv("formula-quoted.csv", b'"=HYPERLINK(""http://127.0.0.1/x"",""x"")"')
# Ragged rows, a 2 MiB row (the cap is 1 MiB), a NUL byte, an unterminated quote.
write("ragged-short.csv", hdr + b"\n" + b",".join(cells[:10]) + b"\n")
write("ragged-long.csv", hdr + b"\n" + row + b",x,y,z\n")
csv("row-2mib.csv", b"A" * (2 << 20))
csv("nul.csv", b"A\x00B")
csv("unterminated.csv", b'"open')
# NDJSON: duplicate keys, 10,000-deep nesting, numbers JSON does not have, a string
# where a number goes, not an object, invalid UTF-8, an escaped NUL.
nd = open(src + "/orders.ndjson", "rb").read().split(b"\n")[0]
write("dup-keys.ndjson", nd.replace(b'{"orderNo"', b'{"orderNo":"X","orderNo"', 1) + b"\n")
write("deep.ndjson", b'{"orderNo":' + b"[" * 10000 + b"]" * 10000 + b"}\n")
write("nan.ndjson", nd.replace(b'"goodsValue":1299', b'"goodsValue":NaN', 1) + b"\n")
write("1e309.ndjson", nd.replace(b'"goodsValue":1299', b'"goodsValue":1e309', 1) + b"\n")
write("hex.ndjson", nd.replace(b'"goodsValue":1299', b'"goodsValue":"0x10"', 1) + b"\n")
write("not-object.ndjson", b'[1,2,3]\n"str"\n')
write("invalid-utf8.ndjson", nd.replace("高远".encode(), b"\xc3\x28", 1) + b"\n")
write("nul.ndjson", nd.replace(b'"orderNo":"', b'"orderNo":"\\u0000', 1) + b"\n")
EOF
for spec in formula-eq.csv:CG2007 formula-plus.csv:CG2007 formula-minus.csv:CG2007 \
	formula-at.csv:CG2007 formula-tab.csv:CG2007 formula-cr.csv:CG2007 \
		formula-quoted.csv:CG2007 \
	ragged-short.csv:CG2003 ragged-long.csv:CG2003 row-2mib.csv:CG2003 nul.csv:CG2003 \
	unterminated.csv:CG2003 dup-keys.ndjson:CG2004 deep.ndjson:CG2004 nan.ndjson:CG2004 \
	1e309.ndjson:CG2004 hex.ndjson:CG2005 not-object.ndjson:CG2004 invalid-utf8.ndjson:CG2004 \
	nul.ndjson:CG2004; do
	f=${spec%:*}
	rc=0
	guarded "$cli" normalize --json --map "$top_srcdir/samples/merchant/default.profile" \
		"$tmp/merchant/$f" -o "$tmp/nout-$f" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
	keep
	why=$(verdict "${spec#*:}")
	written=$(find "$tmp/nout-$f" -name '*.xml' 2>/dev/null | wc -l)
	if [ -z "$why" ] && [ "$written" -eq 0 ]; then
		pass "normalize $f: exit 1 with ${spec#*:}, nothing written"
	else
		fail "normalize $f: ${why:-$written message(s) written}"
		diag_file "$tmp/err"
	fi
done

# ---- every JSON report parses -------------------------------------------------------------

if python3 -c '
import json, sys
for name in sys.argv[1:]:
    json.load(open(name))
' "$tmp"/json/*.json 2>"$tmp/py"; then
	pass "all $reports JSON reports parse"
else
	fail "a JSON report does not parse"
	diag_file "$tmp/py"
fi

# ---- nothing reached the network ------------------------------------------------------------

if [ ! -e "$tmp/hits" ]; then
	pass "no connection reached the loopback listener on port $port"
else
	fail "$(wc -l <"$tmp/hits") connection(s) reached the loopback listener"
fi

done_testing
exit 0
