#!/bin/sh
# SPDX-License-Identifier: MIT
# cebgated behind a reverse proxy (issue 15): from the peers listed in
# trusted-proxy only, the client is the right-most X-Forwarded-For address
# that is not itself a trusted proxy; the failed-login limit, the per-address
# connection limit and the log use it. From any other peer the header is
# ignored. 429 answers say when to come back (Retry-After).
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
DB=$T/p.db
adm enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc >/dev/null
start_daemon --db "$DB" --threads 2 --trusted-proxy '127.0.0.5, 127.0.0.6' --per-ip-limit 2 \
	--known-ip-limit 2 --header-timeout 120 --timeout 120 --request-timeout 240
port=$(cat "$T/port")
# login FROM XFF: a failed login from peer FROM with that header, under a user name never used
# before (the per-account limit stays out of the way).
login() {
	_u=$(basename "$(mktemp "$T/user.XXXXXX")")
	http --max-time 20 --interface "$1" -H "X-Forwarded-For: $2" -H 'Content-Type: application/json' \
		--data "{\"user\": \"$_u\", \"password\": \"wrong-password\"}" "$URL/api/v1/login"
}

codes=""
for _ in 1 2 3 4 5; do codes="$codes$(login 127.0.0.5 198.51.100.7) "; done
is "5 failed logins through the proxy for 198.51.100.7: refused one by one" "$codes" \
	"401 401 401 401 401 "
is "the next one from that client: too many (429)" "$(login 127.0.0.5 198.51.100.7)" 429
like "with Retry-After in seconds" "$(header Retry-After)" '^[1-9][0-9]*$'
is "another client behind the same proxy is not locked out" "$(login 127.0.0.5 198.51.100.8)" 401
is "through two trusted proxies (the right-most address is one): still 198.51.100.7" \
	"$(login 127.0.0.5 '198.51.100.7, 127.0.0.6')" 429
is "an address the client wrote itself, left of the one the proxy saw, is ignored" \
	"$(login 127.0.0.5 '198.51.100.8, 198.51.100.7')" 429
is "and cannot stand in for it" "$(login 127.0.0.5 '198.51.100.7, 198.51.100.9')" 401
is "from a peer that is not a trusted proxy the header is ignored (its own address counts)" \
	"$(login 127.0.0.7 198.51.100.7)" 401
file_contains "the log names the forwarded client" "$T/log" '"client":"198\.51\.100\.7".*"status":429'
file_contains "and, without a trusted proxy, the peer" "$T/log" '"client":"127\.0\.0\.7".*"status":401'
status_is "a trusted proxy's request id is kept" 200 --max-time 20 --interface 127.0.0.5 \
	-H 'X-Request-Id: proxy-req-4711' "$URL/healthz"
is "and answered back" "$(header X-Request-Id)" proxy-req-4711
status_is "another peer's request id is not" 200 --max-time 20 --interface 127.0.0.7 \
	-H 'X-Request-Id: peer-req-4712' "$URL/healthz"
isnt "a fresh one is answered instead" "$(header X-Request-Id)" peer-req-4712

# ---- the per-address connection limit counts the forwarded client ---------------------------
mkdir -p "$T/crowd"
python3 "$top_srcdir/tests/e2e/crowd.py" "$port" 127.0.0.5 3 body "$T/crowd" 198.51.100.20 \
	>"$T/crowd/out" 2>"$T/crowd/err" &
crowd=$!
kill_at_exit $crowd
wait_until 600 grep -q 'open=2 closed=0 answered=1' "$T/crowd/state" ||
	{ diag_file "$T/crowd/state" "$T/crowd/err"; bail "the proxied requests did not settle"; }
file_contains "2 requests under way through the proxy for 198.51.100.20 (its limit): a 3rd gets 429" \
	"$T/crowd/out" '^127\.0\.0\.5 answered: HTTP/1.1 429 '
file_contains "saying when to come back" "$T/crowd/out" 'answered: .* Retry-After: 1'

status_is "another client through the proxy is served" 200 --max-time 20 --interface 127.0.0.5 \
	-H 'X-Forwarded-For: 198.51.100.21' "$URL/healthz"
status_is "and so is the proxy itself: its own connections are not limited per address" 200 \
	--max-time 20 --interface 127.0.0.5 "$URL/healthz"
touch "$T/crowd/stop"
wait $crowd || true
# ---- configuration ----------------------------------------------------------------------------
rc=0
"$CEBGATED" --db "$DB" --trusted-proxy '127.0.0.5,not-an-address' --port 0 2>"$T/bad.err" || rc=$?
isnt "a trusted-proxy that is not a list of addresses is refused at start" $rc 0
printf 'trusted-proxy = 127.0.0.5, ::1\nheader-timeout = 5\n' >"$T/ok.conf"
"$CEBGATED" --config "$T/ok.conf" --help >/dev/null
pass "trusted-proxy and header-timeout are read from the configuration file"
rc=0
stop_daemon || rc=$?
is "cebgated stops cleanly" $rc 0
done_testing
