#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: `cebgate doctor` against a real cebgated over HTTPS (a test CA):
# the all-good setup exits 0; each broken part (the wrong key, an expired
# certificate, one nobody registered, a revoked one, a bad token, a token of
# another enterprise, no trust in the server's certificate, a missing dir:
# folder, an unreadable outbox, bad copCode and DXP id, a skewed clock) exits 1
# naming its finding code, in Chinese and English, with what to do.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/tls_lib.sh"
need openssl jq

DB=$(new_db doctor)
adm enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
adm enterprise add 4403960XB2 "other" ebc
"$CEBGATE" keygen --sm2 --key "$T/a.key" --cert "$T/a.crt" --serial 3000000000A1 --days 365 >/dev/null
"$CEBGATE" keygen --sm2 --key "$T/b.key" --cert "$T/b.crt" --serial 3000000000B1 --days 365 >/dev/null
"$CEBGATE" keygen --sm2 --key "$T/r.key" --cert "$T/r.crt" --serial 3000000000C1 --days 365 >/dev/null
adm cert add 4403960XA1 "$T/a.crt"
adm cert add 4403960XA1 "$T/r.crt"
adm token new --enterprise 4403960XA1 >"$T/token"
adm token new --enterprise 4403960XB2 >"$T/tokenB"
echo "cg_0000000000000000000000000000000000000000" >"$T/badtoken"
test_ca "$T/tls"
start_daemon --db "$DB" --tls-cert "$T/tls/server.crt" --tls-key "$T/tls/server.key"
URL=https://127.0.0.1:$(cat "$T/port")

# doctor ARGS...: the JSON report in $T/d.json, the exit status in $T/d.rc.
doctor() {
	rc=0
	"$CEBGATE" doctor --json --server "$URL" --cacert "$T/tls/ca.crt" --outbox "$T/none.db" \
		--warn-days 7 "$@" >"$T/d.json" 2>"$T/d.err" || rc=$?
	echo "$rc" >"$T/d.rc"
}
# codes_of: the codes of the checks that failed or warned, sorted, space-separated.
codes_of() { jq -r '[.checks[] | select(.code != null) | .code] | sort | join(" ")' "$T/d.json"; }
# finds DESC CODE ARGS...: the doctor exits 1 and names CODE, in both languages, with what to do.
finds() {
	_desc=$1 _code=$2; shift 2
	doctor "$@"
	if [ "$(cat "$T/d.rc")" = 1 ] && jq -e --arg c "$_code" \
		'[.checks[] | select(.code == $c and .status == "problem" and (.zh | length) > 0 and
		  (.en | length) > 0 and (.fixZh | length) > 0 and (.fixEn | length) > 0)] | length == 1' \
		"$T/d.json" >/dev/null; then
		pass "$_desc: $_code"
	else
		fail "$_desc: $_code"
		diag "exit $(cat "$T/d.rc"), codes: $(codes_of)"
		diag_file "$T/d.err"
	fi
}

doctor --key "$T/a.key" --cert "$T/a.crt" --token-file "$T/token" --sender-id DXPENT0000999901
is "all well: exit 0" "$(cat "$T/d.rc")" 0
json_is "no problem and no warning" "$T/d.json" '"\(.ok) \(.problems) \(.warnings)"' "true 0 0"
json_is "the KeyName that will be written" "$T/d.json" .keyName 3000000000a1
json_is "the copCode from the token" "$T/d.json" .copCode 4403960XA1
json_is "every check passed or was skipped (no outbox yet)" "$T/d.json" \
	'[.checks[] | "\(.check)=\(.status)"] | join(" ")' \
	"key=ok validity=ok profile=ok keyName=ok codes=ok server=ok token=ok clock=ok registered=ok copCode=ok dxpId=ok outbox=skipped"
json_is "the code-table editions in use" "$T/d.json" '.checks[] | select(.check == "codes") | .editions.hs' 2026
json_is "the certificate's days left" "$T/d.json" \
	'.checks[] | select(.check == "validity") | .daysLeft >= 363' true
"$CEBGATE" doctor --server "$URL" --cacert "$T/tls/ca.crt" --token-file "$T/token" --key "$T/a.key" \
	--cert "$T/a.crt" --outbox "$T/none.db" >"$T/d.txt"
file_contains "the text report says each check in Chinese and English" "$T/d.txt" \
	'^ok +- +key +私钥与证书匹配 / the key belongs to the certificate$' \
	'^0 problem\(s\), 0 warning\(s\) / 0个问题，0个警告$'

finds "the key of another certificate" CG4003 --key "$T/b.key" --cert "$T/a.crt" --token-file "$T/token"
expired_cert "$T/tls/server.key" "$T/old.crt"
finds "an expired certificate" CG4005 --key "$T/tls/server.key" --cert "$T/old.crt" --token-file "$T/token"
finds "a certificate nobody registered" CG4014 --key "$T/b.key" --cert "$T/b.crt" --token-file "$T/token"
adm cert revoke 4403960XA1 3000000000c1 >/dev/null
finds "a revoked certificate" CG4015 --key "$T/r.key" --cert "$T/r.crt" --token-file "$T/token"
finds "a token the server refuses" CG4013 --key "$T/a.key" --cert "$T/a.crt" --token-file "$T/badtoken"
finds "another enterprise's token" CG4021 --key "$T/a.key" --cert "$T/a.crt" --token-file "$T/tokenB" \
	--cop-code 4403960XA1
finds "a copCode of neither form" CG4008 --key "$T/a.key" --cert "$T/a.crt" --cop-code 4403-96 --outbox x
finds "a DXP id of another form" CG4009 --key "$T/a.key" --cert "$T/a.crt" --token-file "$T/token" \
	--sender-id ENT0000999901
rc=0
"$CEBGATE" doctor --json --server "$URL" --token-file "$T/token" --key "$T/a.key" --cert "$T/a.crt" \
	>"$T/d.json" 2>/dev/null || rc=$?
echo "$rc" >"$T/d.rc"
is "a server certificate not trusted: exit 1" "$rc" 1
json_is "naming it" "$T/d.json" '.checks[] | select(.check == "server") | .code' CG4012
finds "a dir: channel whose folder is missing" CG4019 --key "$T/a.key" --cert "$T/a.crt" \
	--channel "dir:$T/nothere"
mkdir -p "$T/xfer/outbox" "$T/xfer/inbox" "$T/xfer/archive"
finds "a dir: channel missing one of its folders" CG4019 --key "$T/a.key" --cert "$T/a.crt" \
	--channel "dir:$T/xfer"
json_is "the missing one" "$T/d.json" '.checks[] | select(.code == "CG4019") | .folder' "$T/xfer/error"
mkdir "$T/xfer/error"
doctor --key "$T/a.key" --cert "$T/a.crt" --channel "dir:$T/xfer" --sender-id DXPENT0000999901 \
	--cop-code 4403960XA1
is "with every folder there and writable: exit 0" "$(cat "$T/d.rc")" 0
echo "not a database" >"$T/broken.db"
finds "an outbox that cannot be read" CG4017 --key "$T/a.key" --cert "$T/a.crt" --token-file "$T/token" \
	--outbox "$T/broken.db"
finds "an unreadable key" CG4001 --key "$T/nokey" --cert "$T/a.crt" --token-file "$T/token"
finds "an RSA key under the sm2-sm3 profile" CG4007 --key "$T/tls/server.key" --cert "$T/tls/server.crt" \
	--profile sm2-sm3

# An outbox with a declaration it gave up on (nobody listens at port 1): a warning, not a problem.
"$CEBGATE" submit --key "$T/a.key" --cert "$T/a.crt" --server http://127.0.0.1:1 --token-file "$T/token" \
	--outbox "$T/ob.db" --max-attempts 1 --backoff-ms 1 "$S/CEB311-order.xml" >/dev/null 2>&1 || :
doctor --key "$T/a.key" --cert "$T/a.crt" --token-file "$T/token" --outbox "$T/ob.db"
is "an outbox with a dead declaration: a warning, exit 0" "$(cat "$T/d.rc") $(codes_of)" "0 CG4018"
json_is "with its pending and dead counts" "$T/d.json" \
	'.checks[] | select(.check == "outbox") | "\(.status) \(.pending) \(.dead)"' "warning 0 1"

# A clock an hour ahead of the server's: time() shifted for the doctor alone.
if command -v cc >/dev/null 2>&1 && printf '%s\n' '#include <time.h>' \
	'time_t time(time_t *t) { struct timespec s; clock_gettime(CLOCK_REALTIME, &s);' \
	'  s.tv_sec += 3600; if (t) *t = s.tv_sec; return s.tv_sec; }' >"$T/skew.c" &&
	cc -shared -fPIC -o "$T/skew.so" "$T/skew.c" 2>/dev/null; then
	LD_PRELOAD=$T/skew.so ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0 \
		finds "a clock an hour ahead of the server's" CG4016 --key "$T/a.key" --cert "$T/a.crt" \
		--token-file "$T/token"
	json_is "by an hour" "$T/d.json" '.checks[] | select(.code == "CG4016") | .skewSeconds >= 3590' true
else
	skip "a clock an hour ahead of the server's" "no C compiler for the time shim"
fi
stop_daemon
finds "a server that does not answer" CG4011 --key "$T/a.key" --cert "$T/a.crt" --token-file "$T/token"
done_testing
