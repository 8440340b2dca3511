#!/bin/sh
# SPDX-License-Identifier: MIT
# The hostile inputs of tests/e2e/hostile_inputs.sh and the signature-wrapping variants of
# tests/e2e/sig_wrapping.sh, sent to cebgated's HTTP API by registered enterprises, plus
# hostile JSON batches, query strings and paths. Each must get a clear refusal (4xx with
# a JSON answer naming a CG code, or 413 for a body over max-body) within 2 s, with the
# daemon's peak memory under 256 MiB (scaled for sanitizer and valgrind builds,
# tests/e2e/limits.sh); nothing may be stored (no message, no document: only the
# receipts that tell the sender of each refusal), no file outside the request may be read
# (a secret file's marker never shows) and no connection made (a loopback listener counts
# them). Positive controls: the unmodified signed originals are accepted afterwards.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/limits.sh"
fixtures=$top_srcdir/tests/data/hostile
tmp=$T
need openssl curl

# ---- registry: two enterprises, RSA and SM2 certificates made like sig_wrapping.sh's ------
k=$T/keys
mkdir "$k"
(
	cd "$k" &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.crt -subj "/CN=t" \
		-days 365 -set_serial 0x01691FE9 &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa2.key -out rsa2.crt -subj "/CN=t2" \
		-days 365 -set_serial 0x01691FE9 &&
	openssl req -x509 -key rsa2.key -out rsa3.crt -subj "/CN=t3" -days 365 \
		-set_serial 0x7A7A7A &&
	openssl ecparam -genkey -name SM2 -out sm2.key &&
	openssl req -new -x509 -key sm2.key -sm3 -sigopt distid:1234567812345678 -subj "/CN=t" \
		-days 365 -set_serial 0x3000000000CDE6F -out sm2.crt &&
	openssl x509 -in rsa2.crt -outform DER -out rsa2.der &&
	openssl x509 -in rsa3.crt -outform DER -out rsa3.der &&
	openssl x509 -in rsa.crt -noout -modulus | sed 's/^Modulus=//' >rsa.modulus
) >"$T/keygen.log" 2>&1 || bail "openssl cannot make the test keys"
DB=$T/s.db
adm enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
adm enterprise add 4403980XD4 "示例物流报关" logistics,agent DXPENT0000999904
adm cert add 4403960XA1 "$k/rsa.crt"
adm cert add 4403980XD4 "$k/sm2.crt"
TA=$(adm token new --enterprise 4403960XA1)
TD=$(adm token new --enterprise 4403980XD4)

marker="CGSECRET-$$-MARKER-91b2"
secret=$T/secret.txt
echo "$marker" >"$secret"
. "$top_srcdir/tests/e2e/listener.sh"
start_listener
kill_at_exit "$listener"

# ---- inputs: fixtures and generated ones; signed with the registered key when they can be
mkdir "$T/in" "$T/signed"
for f in "$fixtures"/*.xml; do
	sed -e "s#@SECRET@#$secret#g" -e "s#@PORT@#$port#g" "$f" >"$T/in/$(basename "$f")"
done
python3 "$fixtures/generate.py" "$S/CEB311-order.xml" "$T/in" "$T/in/xxe-passwd.xml"
# What each input must be refused with (the CLI's code; 413 for bodies over max-body).
{
	grep -v '^#' "$fixtures/EXPECTED.tsv" | grep -v '^$' | cut -f1,2
	printf '%s\t%s\n' deep-nesting.xml CG0003 deep-nesting-bare.xml CG0003 20mb.xml 413 \
		100-attributes.xml CG0003 invalid-utf8.xml CG0004 gb18030-as-utf8.xml CG0004 \
		utf16-bom-utf8-bytes.xml 'CG0001|CG0004' nul-in-value.xml 'CG0001|CG0004' \
		two-documents.xml CG0001 two-documents-nul.xml 'CG0001|CG0004' \
		nul-then-junk.xml 'CG0001|CG0004' blank.xml CG0001 50mb-text.xml 413 \
		utf16-xxe.xml CG0002 utf16be-nobom-xxe.xml CG0002 utf32.xml CG0004 \
		utf7.xml CG0004 ebcdic.xml CG0004 ns-wrong-uri.xml CG0005 \
		ns-rebound.xml CG0100 ns-twice.xml CG0001 \
		ns-undeclared.xml CG0001 ns-unqualified.xml CG0100 ns-xml-prefix.xml CG0001
} >"$T/expected"
# (empty.xml: an empty body is answered 400 before any parsing; below.)
signed=0
while IFS="$(printf '\t')" read -r f code; do
	if "$CEBGATE" sign --key "$k/rsa.key" --cert "$k/rsa.crt" "$T/in/$f" -o "$T/signed" \
		>/dev/null 2>&1 && [ -s "$T/signed/$f" ]; then
		signed=$((signed + 1))
	else
		cp "$T/in/$f" "$T/signed/$f"
	fi
done <"$T/expected"
diag "$(wc -l <"$T/expected") hostile messages, $signed of them signed with the registered key"

start_daemon --db "$DB"
SUB=$URL/api/v1/submissions
: >"$T/all.out"

# post TOKEN FILE [CURL-ARGS...]: $code (HTTP status), $crc (curl exit), body in $T/out.
post() {
	tok=$1 file=$2
	shift 2
	crc=0
	code=$(curl -s --max-time "$lim_s" -o "$T/out" -w '%{http_code}' \
		-H "Authorization: Bearer $tok" "$@" --data-binary @"$file" "$SUB") || crc=$?
	cat "$T/out" >>"$T/all.out" 2>/dev/null || true
}
# answered CODE: the last request got an HTTP answer with status CODE.
answered() { [ "$crc" -eq 0 ] && [ "$code" = "$1" ]; }
# refused_ok DESC WANT: pass when the last answer is the refusal WANT.
refused_ok() {
	why=$(refused "$2")
	if [ -z "$why" ]; then pass "$1: HTTP $code, $2"; else
		fail "$1: $why"; diag_file "$T/out"
	fi
}
# refused WANT: why the last answer is not the refusal WANT (a CG code regex or 413), or "".
refused() {
	if [ "$crc" -eq 28 ]; then
		echo "no answer within $lim_s s"
	elif [ "$crc" -ne 0 ]; then
		echo "no HTTP answer (curl exit $crc)"
	elif grep -q '"status": "accepted"' "$T/out"; then
		echo "accepted!"
	elif [ "$1" = 413 ]; then
		[ "$code" = 413 ] || echo "HTTP $code, expected 413"
	elif ! echo "$code" | grep -qE '^4[0-9][0-9]$'; then
		echo "HTTP $code, expected 4xx"
	elif ! grep -q '"status": "rejected"' "$T/out"; then
		echo "no \"rejected\" status in the answer"
	elif ! grep -qE "\"code\": *\"($1)\"" "$T/out"; then
		echo "no $1 among the findings ($(grep -oE 'CG[0-9]{4}' "$T/out" | sort -u |
			tr '\n' ' '))"
	fi
}

while IFS="$(printf '\t')" read -r f want; do
	post "$TA" "$T/signed/$f"
	refused_ok "POST $f" "$want"
done <"$T/expected"
post "$TA" "$T/in/empty.xml"
ok "POST an empty body: 400" answered 400

# ---- hostile JSON batches ----------------------------------------------------------------
python3 - "$T/in" "$T/batch" <<'PY'
import json, os, sys
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
xxe = open(src + "/xxe-passwd.xml", encoding="utf-8").read()
def w(name, data):
    open(os.path.join(out, name), "wb").write(data if isinstance(data, bytes) else data.encode())
w("dup-messages.json", '{"messages": ["<a/>"], "messages": ["<b/>"]}')
w("deep-array.json", '{"messages": ' + "[" * 10000 + "]" * 10000 + "}")
w("deep-object.json", '{"messages": ["<a/>"], "x": ' + '{"a":' * 10000 + "1" + "}" * 10000 + "}")
w("1001-messages.json", json.dumps({"messages": ["<a/>"] * 1001}))
w("nul-escape.json", '{"messages": ["<a>\\u0000</a>"]}')
w("invalid-utf8.json", b'{"messages": ["<a>\xc3\x28</a>"]}')
w("not-object.json", '["<a/>"]')
w("empty-list.json", '{"messages": []}')
w("two-documents.json", '{"messages": ["<a/>"]}{"messages": ["<a/>"]}')
w("nan.json", '{"messages": NaN}')
PY
for b in dup-messages deep-array deep-object 1001-messages nul-escape invalid-utf8 not-object \
	empty-list two-documents nan; do
	post "$TA" "$T/batch/$b.json" -H 'Content-Type: application/json'
	ok "batch $b.json: 400 within $lim_s s" answered 400
done
python3 - "$T/in" "$T/batch" <<'PY'
import json, sys
src, out = sys.argv[1], sys.argv[2]
msgs = [open(src + "/xxe-passwd.xml", encoding="utf-8").read(), 1, None, {"x": "y"},
        open(src + "/name-sql.xml", encoding="utf-8").read()]
open(out + "/mixed.json", "w").write(json.dumps({"messages": msgs}))
PY
post "$TA" "$T/batch/mixed.json" -H 'Content-Type: application/json'
ok "batch of an XXE, non-strings and an SQL-shaped name: answered 200" answered 200
is "each rejected" "$(grep -c '"status": "rejected"' "$T/out")" 5
file_contains "the XXE as CG0002, none accepted" "$T/out" '"code": "CG0002"' '"accepted": 0' 

# ---- hostile query strings and paths -----------------------------------------------------
get() { # PATH [TOKEN]: $code, $crc
	crc=0
	code=$(curl -s --max-time "$lim_s" -o "$T/out" -w '%{http_code}' \
		-H "Authorization: Bearer ${2:-$TA}" "$URL$1") || crc=$?
	cat "$T/out" >>"$T/all.out" 2>/dev/null || true
}
for q in after=1e309 after=NaN after=0x10 after=-1 'after=%25s%25n' \
	"after=1%27%3BDROP%20TABLE%20receipt%3B--" limit=99999999999999999999999 wait=-0.5; do
	get "/api/v1/receipts?$q"
	ok "GET /api/v1/receipts?$q: 400" answered 400
done
# json_4xx: the last answer is a 4xx with a JSON body.
json_4xx() { [ "$crc" -eq 0 ] && [ "${code#4}" != "$code" ] && jq . "$T/out"; }
for p in /api/v1/declarations/1e309 /api/v1/declarations/0x10 /api/v1/declarations/-1 \
	/api/v1/declarations/%2e%2e%2fetc%2fpasswd /api/v1/declarations/99999999999999999999999 \
	/api/v1/logistics/a%00b/c "/api/v1/review?state=%27%3BDROP%20TABLE%20message%3B--"; do
	get "$p"
	ok "GET $p: 4xx, JSON" json_4xx
done
# Values that are only odd: answered like any other (an unknown waybill, the default cursor).
get "/api/v1/logistics/%25s%25n%25x/%27%3BDROP%20TABLE%20document%3B--" "$TD"
ok "GET a format-string and SQL-shaped waybill: 200" answered 200
ok "echoed literally" grep -qF "%s%n%x" "$T/out"
ok "as unknown" grep -qF "';DROP TABLE document;--" "$T/out"
get "/api/v1/receipts?after=%00&limit=%00"
ok "GET /api/v1/receipts?after=%00: the empty value is the default, 200" answered 200

# ---- signature wrapping, through the API ------------------------------------------------
for spec in "rsa rsa CEB311-order" "sm2 sm2 CEB621-inventory" "rsa rsa CEB621-inventory"; do
	set -- $spec
	"$CEBGATE" sign --key "$k/$1.key" --cert "$k/$2.crt" "$S/$3.xml" -o "$T/$1-$3.xml" \
		>/dev/null
done
"$CEBGATE" sign --key "$k/rsa.key" --cert "$k/rsa.crt" \
	"$top_srcdir/tests/data/sig/CEB303-export.xml" -o "$T/rsa-CEB303-export.xml" >/dev/null
ext='<ceb:ExtendMessage><ceb:name>x</ceb:name></ceb:ExtendMessage>'
sed "s|</ceb:BaseTransfer>|</ceb:BaseTransfer>$ext|" "$S/CEB621-inventory.xml" \
	>"$T/CEB621-extend.xml"
"$CEBGATE" sign --key "$k/sm2.key" --cert "$k/sm2.crt" "$T/CEB621-extend.xml" \
	-o "$T/sm2-CEB621-extend.xml" >/dev/null
mkdir "$T/v"
python3 "$top_srcdir/tests/data/sig/wrap_variants.py" "$T" "$secret" "$port"
nv=0
tab=$(printf '\t')
while IFS="$tab" read -r name code why bug; do
	f=$T/v/$name.xml
	# The enterprise whose copCode the message carries sends it (its key signed the original).
	tok=$TA
	grep -q '<ceb:copCode>4403980XD4<' "$f" && tok=$TD
	post "$tok" "$f"
	nv=$((nv + 1))
	refused_ok "POST wrapping variant $name" 'CG[0-9]{4}' 
done <"$T/list"

# ---- nothing stored, nothing read, nothing fetched, memory -------------------------------
sq() { sqlite3 -cmd '.timeout 10000' "$DB" "$1"; }
nh=$(wc -l <"$T/expected")
is "nothing stored: no message after $nh hostile messages and $nv variants" \
	"$(sq 'SELECT count(*) FROM message')" 0
is "and no document" "$(sq 'SELECT count(*) FROM document')" 0
file_lacks "the secret file's content never appears in an answer" "$T/all.out" "$marker"
file_lacks "/etc/passwd never appears in an answer" "$T/all.out" 'root:.*:0:0:'
ok_fails "no connection reached the loopback listener" test -e "$T/hits"
hwm=$(awk '/^VmHWM/ { print int($2 / 1024) }' "/proc/$pid/status")
diag "cebgated peak RSS: $hwm MiB (limit $lim_mb)"
ok "cebgated's peak memory stayed under $lim_mb MiB" test "$hwm" -le "$lim_mb"
is "integrity_check ok" "$(sq 'PRAGMA integrity_check')" ok

# ---- positive controls: the originals are accepted ---------------------------------------
post "$TA" "$T/rsa-CEB311-order.xml"
is "control: the signed CEB311 original is answered 200" "$code" 200
file_contains "and accepted" "$T/out" '"status": "accepted"'
post "$TD" "$T/sm2-CEB621-inventory.xml"
is "control: the SM2-signed CEB621 original is answered 200" "$code" 200
file_contains "and accepted" "$T/out" '"status": "accepted"'
is "control: they are stored" "$(sq 'SELECT count(*) FROM message')" 2
rc=0
stop_daemon || rc=$?
is "cebgated stopped cleanly" $rc 0
done_testing
