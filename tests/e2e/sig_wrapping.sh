#!/bin/sh
# SPDX-License-Identifier: MIT
# Signature wrapping and shape attacks against `cebgate verify` (security.md "XML
# signatures"; docs/findings.md CG3001-CG3016). Each variant starts from a validly signed
# message (CEB621 signed with RSA and with SM2; CEB311 for the hidden-Order case) and is
# made by textual edits, so everything not touched keeps its bytes. Every variant must be
# refused with exit 1 and one precise code, and the verifier must decide before it fetches
# anything: references point at a secret file holding a unique marker, at /etc/passwd and at
# a loopback listener that counts connections; none may show up in the output, the listener
# must see no connection and (when strace works here) the secret file is never opened.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
tmp=$T

cli="$top_builddir/src/cli/cebgate"
samples="$top_srcdir/samples/xml/unsigned"
data="$top_srcdir/tests/data/sig"

need openssl python3


# ---------------------------------------------------------------- keys, signed originals
k="$tmp/keys"
mkdir "$k"
(
	cd "$k" &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.crt -subj "/CN=t" \
		-days 365 -set_serial 0x01691FE9 &&
	# Another RSA key whose certificate has the same serial (so the same KeyName).
	openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa2.key -out rsa2.crt -subj "/CN=t2" \
		-days 365 -set_serial 0x01691FE9 &&
	# The same second key with another serial.
	openssl req -x509 -key rsa2.key -out rsa3.crt -subj "/CN=t3" -days 365 -set_serial \
		0x7A7A7A &&
	openssl ecparam -genkey -name SM2 -out sm2.key &&
	openssl req -new -x509 -key sm2.key -sm3 -sigopt distid:1234567812345678 -subj "/CN=t" \
		-days 365 -set_serial 0x3000000000CDE6F -out sm2.crt &&
	openssl x509 -in rsa2.crt -outform DER -out rsa2.der &&
	openssl x509 -in rsa3.crt -outform DER -out rsa3.der &&
	openssl x509 -in rsa.crt -noout -modulus | sed 's/^Modulus=//' >rsa.modulus
) >"$tmp/keygen.log" 2>&1 || {
	echo "Bail out! cannot make test keys with openssl"
	diag_file "$tmp/keygen.log"
	exit 1
}
# An export declaration (its Signature goes before ExtendMessage, ceb-spec 6.2) and an import
# one with an ExtendMessage (its Signature stays last). The signer does not check the schema.
cp "$data/CEB303-export.xml" "$tmp/CEB303-export.xml"
ext='<ceb:ExtendMessage><ceb:name>x</ceb:name></ceb:ExtendMessage>'
sed "s|</ceb:BaseTransfer>|</ceb:BaseTransfer>$ext|" \
	"$samples/CEB621-inventory.xml" >"$tmp/CEB621-extend.xml"
for spec in "rsa rsa CEB621-inventory" "sm2 sm2 CEB621-inventory" "rsa rsa CEB311-order" \
	"rsa rsa CEB303-export" "sm2 sm2 CEB621-extend"; do
	# shellcheck disable=SC2086 # split "key cert name" on purpose
	set -- $spec
	in="$samples/$3.xml"
	[ -e "$in" ] || in="$tmp/$3.xml"
	if ! "$cli" sign --key "$k/$1.key" --cert "$k/$2.crt" "$in" \
		-o "$tmp/$1-$3.xml" 2>"$tmp/sign.err" ||
		! "$cli" verify "$tmp/$1-$3.xml" >"$tmp/v.out" 2>&1; then
		echo "Bail out! cannot sign and verify $3 with $1"
		diag_file "$tmp/sign.err" "$tmp/v.out"
		exit 1
	fi
done

# ---------------------------------------------------------------- bait
marker="CGSECRET-$$-MARKER-5e1d"
secret="$tmp/secret.txt"
echo "$marker" >"$secret"
passwd_line=$(head -n 1 /etc/passwd 2>/dev/null || echo "root:x:0:0:")

. "$top_srcdir/tests/e2e/listener.sh"
start_listener
kill_at_exit "$listener"
# Positive control: the listener does count a connection (then the variants must add none).
python3 -c \
	'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5).close()' "$port"
i=0
while [ ! -s "$tmp/hits" ] && [ "$i" -lt 200 ]; do
	sleep 0.05 2>/dev/null || sleep 1
	i=$((i + 1))
done
if [ ! -s "$tmp/hits" ]; then
	echo "Bail out! the loopback listener does not record connections"
	exit 1
fi
baseline=$(wc -l <"$tmp/hits")

# ---------------------------------------------------------------- the variants
# Each line of $tmp/list: NAME<TAB>CODE<TAB>description<TAB>known bug. Files: $tmp/v/NAME.xml.
mkdir "$tmp/v"
python3 "$data/wrap_variants.py" "$tmp" "$secret" "$port"

# The DXP route: the object-wrapping variant carried in a DxpMsg is refused the same way.
"$cli" dxp wrap --sender-id DXPENT0000999904 "$tmp/v/rsa-object-wrapping.xml" \
	-o "$tmp/v/dxp-object-wrapping.xml"
printf 'dxp-object-wrapping\tCG3007\tthe object-wrapping variant inside a DxpMsg envelope\t\n' \
	>>"$tmp/list"
# A valid signed message in the first Data and a forged, unsigned one in a second Data (or in an
# element the envelope does not have): only one message may be carried, and it is the one verified.
"$cli" dxp wrap --sender-id DXPENT0000999904 "$tmp/rsa-CEB621-inventory.xml" -o "$tmp/dxp-good.xml"
python3 - "$tmp/dxp-good.xml" "$samples/CEB621-inventory.xml" "$tmp/v" <<'PY'
import base64, sys
env = open(sys.argv[1], encoding="utf-8").read()
forged = base64.b64encode(open(sys.argv[2], "rb").read()).decode()
pre = env[:env.index(":Data>") + 6]
prefix = pre[pre.rindex("<") + 1:pre.rindex(":Data>")]
end = env.index("</%s:Data>" % prefix) + len("</%s:Data>" % prefix)
with open(sys.argv[3] + "/dxp-two-data.xml", "w", encoding="utf-8") as f:
    f.write(env[:end] + "<%s:Data>%s</%s:Data>" % (prefix, forged, prefix) + env[end:])
with open(sys.argv[3] + "/dxp-unknown-element.xml", "w", encoding="utf-8") as f:
    extra = "<%s:Extra><%s:Data>%s</%s:Data></%s:Extra>" % (
        prefix, prefix, forged, prefix, prefix)
    f.write(env[:end] + extra + env[end:])
PY
printf '%s\tCG0100\t%s\t\n' dxp-two-data \
	'a DxpMsg: the signed message in one Data, a forged one in a second' >>"$tmp/list"
printf '%s\tCG0100\t%s\t\n' dxp-unknown-element \
	'a DxpMsg with a forged Data in an element the envelope lacks' >>"$tmp/list"

# ---------------------------------------------------------------- run them
tab=$(printf '\t')
while IFS="$tab" read -r name code why bug; do
	f="$tmp/v/$name.xml"
	rc=0
	"$cli" verify --explain "$f" >"$tmp/out" 2>&1 </dev/null || rc=$?
	cat "$tmp/out" >>"$tmp/all.out"
	first=$(grep -E '^  (error|warning) CG[0-9]{4} ' "$tmp/out" | head -n 1 | awk '{print $2}')
	others=$(grep -E '^  error CG[0-9]{4} ' "$tmp/out" | awk '{print $2}' | grep -v \
		"^$code\$" || :)
	leaked=no
	if grep -q -e "$marker" "$tmp/out" || grep -qF "$passwd_line" "$tmp/out"; then
		leaked=yes
	fi
	if [ "$rc" -eq 1 ] && [ "$first" = "$code" ] && [ -z "$others" ] &&
		[ "$leaked" = no ]; then
		pass "$name: $why -> exit 1, $code"
	else
		fail "${bug:+KNOWN BUG ($bug): }$name: $why -> exit 1, $code" \
			"(exit $rc, ${first:-none}, bait: $leaked)"
		diag_file "$tmp/out"
	fi
done <"$tmp/list"
count=$(wc -l <"$tmp/list")

# No fetch happened: nothing from the bait in any output, no connection, and (strace) no
# open of the secret file and no connect() to the listener's port.
if grep -q "$marker" "$tmp/all.out" || grep -qF "$passwd_line" "$tmp/all.out"; then
	fail "no variant put the secret file or /etc/passwd into the output"
	grep -n -e "$marker" -e "$passwd_line" "$tmp/all.out" | sed 's/^/# /'
else
	pass "no variant put the secret file or /etc/passwd into the output ($count variants)"
fi
sleep 0.3 2>/dev/null || sleep 1
if [ "$(wc -l <"$tmp/hits")" -ne "$baseline" ]; then
	fail "no variant connected to the listener" \
		"($(wc -l <"$tmp/hits") hits, $baseline expected)"
else
	pass "no variant connected to the loopback listener"
fi
# strace is usable when it runs and sees a known open (positive control: cat of the secret).
if command -v strace >/dev/null 2>&1 &&
	strace -f -e trace=open,openat -o "$tmp/strace-control.log" cat "$secret" >/dev/null 2>&1 \
		&&
	grep -qF "$secret" "$tmp/strace-control.log"; then
	# LeakSanitizer does not run under ptrace: turn leak checking off for this one run.
	rc=0
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -e trace=open,openat,connect -o "$tmp/strace.log" \
		"$cli" verify "$tmp"/v/*.xml >"$tmp/strace.out" 2>&1 || rc=$?
	if [ "$rc" -eq 1 ] && [ -s "$tmp/strace.log" ] && ! grep -qF "$secret" "$tmp/strace.log" &&
		! grep -q "htons($port)" "$tmp/strace.log"; then
		pass "strace: verifying the variants never opens the secret file nor connects"
	else
		fail "strace: verifying never opens the secret file nor connects (rc $rc)"
		grep -e "$secret" -e "htons($port)" "$tmp/strace.log" | sed 's/^/# /'
	fi
else
	skip "strace: no open of the secret file, no connect" \
		"strace not available or not permitted"
fi

done_testing
exit 0
