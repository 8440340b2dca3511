#!/bin/sh
# SPDX-License-Identifier: MIT
# Hostile inputs through `cebgate validate`: every one must exit 1 with a CG code in the
# JSON report, never crash or hang, never read a file it was not given (a secret file with
# a unique marker stands in for /etc/passwd) and never open a network connection (a
# loopback listener on an ephemeral port counts connections). Fixtures: tests/data/hostile.
set -eu

: "${top_srcdir:?top_srcdir must be set}"
: "${top_builddir:?top_builddir must be set}"
cli="$top_builddir/src/cli/cebgate"
fixtures="$top_srcdir/tests/data/hostile"
order="$top_srcdir/samples/xml/valid/CEB311-order.xml"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cg-hostile.XXXXXX")
listener=""
cleanup() {
	if [ -n "$listener" ]; then
		kill "$listener" 2>/dev/null || :
		wait "$listener" 2>/dev/null || :
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

n=0
ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}
not_ok() {
	n=$((n + 1))
	echo "not ok $n - $*"
}
diag() {
	head -n 20 "$1" | sed 's/^/# /'
}

marker="CGSECRET-$$-MARKER-7f3a9c"
secret="$tmp/secret.txt"
echo "$marker" >"$secret"

. "$top_srcdir/tests/e2e/listener.sh"
start_listener

# run FILE: validate FILE with a hang guard; rc, $tmp/out, $tmp/err. Every report is also
# kept, and all are parsed as JSON at the end (python3 once, not once per input).
reports=0
run() {
	rc=0
	timeout -k 5 10 "$cli" validate --unsigned --json "$1" >"$tmp/out" 2>"$tmp/err" \
		</dev/null || rc=$?
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
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "hung (killed by timeout)"
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

# check NAME CODES: report the last run.
check() {
	why=$(verdict "$2")
	if [ -z "$why" ]; then
		ok "$1: exit 1 with $2"
	else
		not_ok "$1: $why"
		diag "$tmp/err"
	fi
}

# ---- fixtures ------------------------------------------------------------------------------

mkdir "$tmp/in" "$tmp/json"
grep -v '^#' "$fixtures/EXPECTED.tsv" | grep -v '^$' | cut -f1,2 >"$tmp/rows"
while IFS="$(printf '\t')" read -r file code; do
	sed -e "s#@SECRET@#$secret#g" -e "s#@PORT@#$port#g" "$fixtures/$file" >"$tmp/in/$file"
	run "$tmp/in/$file"
	check "$file" "$code"
done <"$tmp/rows"

# Every fixture has its row.
missing=""
for f in "$fixtures"/*.xml; do
	b=$(basename "$f")
	cut -f1 "$tmp/rows" | grep -qx "$b" || missing="$missing $b"
done
if [ -z "$missing" ]; then
	ok "every fixture is listed in tests/data/hostile/EXPECTED.tsv"
else
	not_ok "fixtures missing from EXPECTED.tsv:$missing"
fi

# Values are echoed literally: no format directive is interpreted, the JSON stays valid.
run "$tmp/in/name-format.xml"
if grep -qF '%s%n%x%p' "$tmp/out"; then
	ok "name-format.xml: the format string is echoed literally"
else
	not_ok "name-format.xml: the format string is echoed literally"
	diag "$tmp/out"
fi
run "$tmp/in/name-sql.xml"
if grep -qF "'; DROP TABLE x;--" "$tmp/out"; then
	ok "name-sql.xml: the SQL-shaped value is echoed literally"
else
	not_ok "name-sql.xml: the SQL-shaped value is echoed literally"
fi

# ---- generated inputs --------------------------------------------------------------------

python3 - "$order" "$tmp/in" <<'EOF'
import sys
order = open(sys.argv[1], "rb").read()
out = sys.argv[2]
decl_end = order.index(b"?>") + 3
head, body = order[:decl_end], order[decl_end:]
root_end = body.index(b">") + 1


def write(name, data):
    with open(out + "/" + name, "wb") as f:
        f.write(data)


# 10,000-deep nesting inside a CEB message and as a bare document.
deep = b"<ceb:note>" * 10000 + b"</ceb:note>" * 10000
write("deep-nesting.xml", head + body[:root_end] + deep + body[root_end:])
write("deep-nesting-bare.xml", b"<a>" * 10000 + b"</a>" * 10000)
# 20 MB: the order with 20,000,000 blanks after the root's start tag.
write("20mb.xml", head + body[:root_end] + b" " * 20000000 + body[root_end:])
# One start tag with 100 attributes.
attrs = b"".join(b' a%d="%d"' % (i, i) for i in range(100))
write("100-attributes.xml", order.replace(b"<ceb:Order>", b"<ceb:Order" + attrs + b">", 1))
# Invalid UTF-8 in a name; GB18030 bytes under a UTF-8 declaration.
write("invalid-utf8.xml", order.replace("李晓明".encode(), b"\xc3\x28", 1))
write("gb18030-as-utf8.xml", order.replace("李晓明".encode(), "李晓明".encode("gb18030"), 1))
# UTF-16 declared, UTF-8 bytes (also in the fixtures, here without the declaration's help).
write("utf16-bom-utf8-bytes.xml", b"\xff\xfe" + order)
# A NUL byte inside a value.
write("nul-in-value.xml", order.replace(b"SO202411110000123456", b"SO2024\x0011110000123456", 1))
# Two documents: back to back, and separated by a NUL byte.
write("two-documents.xml", order + order)
write("two-documents-nul.xml", order + b"\x00" + order)
write("nul-then-junk.xml", order + b"\x00<junk & not xml")
# Empty and blank inputs.
write("empty.xml", b"")
write("blank.xml", b" \n\t\n")
EOF

run "$tmp/in/deep-nesting.xml"
check "10,000-deep nesting in a message" "CG0003"
run "$tmp/in/deep-nesting-bare.xml"
check "10,000-deep nesting, bare" "CG0003"
run "$tmp/in/20mb.xml"
check "20 MB document" "CG0003"
rc=0
timeout -k 5 10 "$cli" validate --unsigned --json - <"$tmp/in/20mb.xml" >"$tmp/out" 2>"$tmp/err" || rc=$?
keep
check "20 MB document on stdin" "CG0003"
run "$tmp/in/100-attributes.xml"
check "100 attributes on one tag" "CG0003"
run "$tmp/in/invalid-utf8.xml"
check "invalid UTF-8" "CG0004"
run "$tmp/in/gb18030-as-utf8.xml"
check "GB18030 bytes declared UTF-8" "CG0004"
run "$tmp/in/utf16-bom-utf8-bytes.xml"
check "UTF-16 BOM over UTF-8 bytes" "CG0001|CG0004"
run "$tmp/in/nul-in-value.xml"
check "NUL byte in a value" "CG0001|CG0004"
run "$tmp/in/two-documents.xml"
check "two documents concatenated" "CG0001"
run "$tmp/in/two-documents-nul.xml"
check "two documents separated by a NUL byte" "CG0001|CG0004" "xml.c ignores input after a NUL"
run "$tmp/in/nul-then-junk.xml"
check "junk after a NUL byte" "CG0001|CG0004" "xml.c ignores input after a NUL"
run "$tmp/in/empty.xml"
check "empty file" "CG0001"
run "$tmp/in/blank.xml"
check "blank file" "CG0001"

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
check "XXE inside a DxpMsg's base64 Data" "CG0002"

# A file name made of format directives is printed as it is.
cp "$tmp/in/name-format.xml" "$tmp/in/%s%n%x%p.xml"
rc=0
timeout -k 5 10 "$cli" validate --unsigned "$tmp/in/%s%n%x%p.xml" >"$tmp/out" 2>"$tmp/err" || rc=$?
if [ "$rc" -eq 1 ] && ! grep -q -e 'Sanitizer' -e 'runtime error' "$tmp/err" &&
	grep -qF "$tmp/in/%s%n%x%p.xml: INVALID" "$tmp/out"; then
	ok "format-string file name: exit 1, name printed literally"
else
	not_ok "format-string file name: exit 1, name printed literally (exit $rc)"
	diag "$tmp/err"
fi
rc=0
timeout -k 5 10 "$cli" validate --unsigned "$tmp/in/%n%n%n%s-missing.xml" >"$tmp/out" 2>"$tmp/err" || rc=$?
if [ "$rc" -eq 2 ] && grep -qF "%n%n%n%s-missing.xml" "$tmp/err"; then
	ok "missing format-string file name: exit 2, name printed literally"
else
	not_ok "missing format-string file name: exit 2, name printed literally (exit $rc)"
	diag "$tmp/err"
fi

# ---- every JSON report parses -------------------------------------------------------------

if python3 -c '
import json, sys
for name in sys.argv[1:]:
    json.load(open(name))
' "$tmp"/json/*.json 2>"$tmp/py"; then
	ok "all $reports JSON reports parse"
else
	not_ok "a JSON report does not parse"
	diag "$tmp/py"
fi

# ---- nothing reached the network ------------------------------------------------------------

if [ ! -e "$tmp/hits" ]; then
	ok "no connection reached the loopback listener on port $port"
else
	not_ok "$(wc -l <"$tmp/hits") connection(s) reached the loopback listener"
fi

echo "1..$n"
exit 0
