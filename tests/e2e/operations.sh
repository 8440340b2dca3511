#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: what an operator runs cebgated with. Its configuration checked
# (--check-config, a misspelt key named with the nearest one, --version, --help);
# the access log (one JSON object per request: time with offset, request id,
# client, caller, method, path without the query string, status, bytes, ms)
# and libmicrohttpd's warnings through the same logger; X-Request-Id taken from
# the client only when told to trust it; log-format text; /metrics read by
# Prometheus' own parser; /healthz (GET and HEAD) and /readyz (503 when the
# database's schema is not the one this cebgated writes).
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
need python3 jq sqlite3
# Debian's python3-prometheus-client is in the system python (another python3 may come first).
PY=""
for _py in python3 /usr/bin/python3; do
	if "$_py" -c 'import prometheus_client' 2>/dev/null; then PY=$_py; break; fi
done
[ -n "$PY" ] || skip_all "python3-prometheus-client is not installed"

DB=$T/o.db
run() { rc=0; "$@" >"$T/out" 2>"$T/err" || rc=$?; }

# ------------------------------------------------------------------ configuration
run "$CEBGATED" --version
ok "--version prints the version, exit 0" eval "[ \$rc = 0 ] && grep -Eq '^cebgated [0-9]+\\.[0-9]+' $T/out"
run "$CEBGATED" --help
ok "--help prints the usage on stdout, exit 0" eval "[ \$rc = 0 ] && grep -q -- '--check-config' $T/out"
printf '# a comment\nthreds = 2\n' >"$T/typo.conf"
run "$CEBGATED" --check-config --config "$T/typo.conf" --db "$DB"
is "--check-config of a file with a misspelt key: exit 1" "$rc" 1
file_contains "it names file, line, key and the nearest key" "$T/err" \
	"typo.conf:2: unknown key \"threds\" \\(did you mean \"threads\"\\?\\)"
printf 'db = %s\nzebra-stripes = 1\n' "$DB" >"$T/far.conf"
run "$CEBGATED" --check-config --config "$T/far.conf"
is "a key like no other: exit 1" "$rc" 1
file_contains "named, with no guess" "$T/err" 'far.conf:2: unknown key "zebra-stripes"$'
printf 'db = %s\nthreads = many\n' "$DB" >"$T/bad.conf"
run "$CEBGATED" --check-config --config "$T/bad.conf"
ok "a bad value is named with its line" eval "[ \$rc = 1 ] && grep -q 'bad.conf:2: bad value for \"threads\": \"many\"' $T/err"
printf 'db = %s\nlog-format = json\nlog-level = info\nthreads = 2\n' "$DB" >"$T/good.conf"
run "$CEBGATED" --check-config --config "$T/good.conf"
is "--check-config of a good file: exit 0" "$rc" 0
ok "and it did not create the database" test ! -e "$DB"
run "$CEBGATED" --check-config --config "$top_srcdir/docs/cebgated.conf.sample" --db "$DB"
ok "the sample configuration is a valid one" eval "[ \$rc = 0 ] || { cat $T/err; false; }"

# ------------------------------------------------------------------ access log
PW=adminpass1 adm user add ada admin --pass-env PW
TA=$(adm token new --user ada)
# Moments are shown in the server's offset: China's, here.
TZ=Asia/Shanghai
export TZ
start_daemon --config "$T/good.conf"
status_is "GET /healthz: 200" 200 "$URL/healthz"
status_is "HEAD /healthz: 200" 200 -I "$URL/healthz"
status_is "GET /readyz with the database up to date: 200" 200 "$URL/readyz"
json_is "it says ready" "$T/out" .status ready
# (A password or token parameter would be refused with 400: access_control.sh.)
status_is "an admin's request with a query string" 200 -H "Authorization: Bearer $TA" \
	-H 'X-Request-Id: chosen-by-client' "$URL/api/v1/users?q=hunter2&note=s3cret"
RID=$(header X-Request-Id)
like "the API's moments are ISO 8601 with the server's offset, not Unix numbers" \
	"$(jv "$T/out" '.users[0].registered')" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\+08:00$'
like "the answer carries a generated X-Request-Id (not the client's, untrusted)" "$RID" '^[0-9a-f]{16}$'
# Each HTTP thread draws the ids' random bytes for 32 requests at once: 70 in a row all differ.
for i in $(seq 70); do curl -s -o /dev/null -D - "$URL/healthz"; done | tr -d '\r' |
	sed -n 's/^[Xx]-[Rr]equest-[Ii]d: *//p' | grep -E '^[0-9a-f]{16}$' | sort -u >"$T/ids"
is "70 requests, 70 different generated ids" "$(wc -l <"$T/ids")" 70
status_is "a request for nothing" 404 "$URL/no/such/thing"
# A header line without a colon: libmicrohttpd refuses it and says why.
python3 - "${URL#http://127.0.0.1:}" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n")
s.recv(100)
s.close()
PY
wait_for_log '"path":"/no/such/thing"'
wait_for_log '"source":"libmicrohttpd"'
line=$(grep "\"id\":\"$RID\"" "$T/log" || :)
json_is "the access line of the admin's request names the caller" "$line" .who ada
json_is "its method, path and status" "$line" '[.method, .path, .status] | join(" ")' "GET /api/v1/users 200"
json_is "the client address" "$line" .client 127.0.0.1
ok "bytes and duration are numbers" eval "printf '%s' '$line' | jq -e '(.bytes | type == \"number\" and . > 2) and (.ms | type == \"number\")'"
like "its time is ISO 8601 with the server's offset" "$(jv "$line" .time)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\+08:00$'
file_lacks "no query string, password or token reaches the log" "$T/log" 'hunter2' 's3cret' "$TA" 'chosen-by-client'
json_is "the 404 is logged too, anonymous" "$(grep '"path":"/no/such/thing"' "$T/log")" '[.status, .who] | join(" ")' "404 "
ok "every log line is one JSON object, libmicrohttpd's warnings included" \
	eval "jq -e -s 'all(.[]; type == \"object\" and (.time | type == \"string\") and (.level | type == \"string\"))' $T/log"

# ------------------------------------------------------------------ metrics
curl -s -H "Authorization: Bearer $TA" -o /dev/null "$URL/api/v1/enterprises"
curl -s -o "$T/metrics" "$URL/metrics"
cat >"$T/parse.py" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
fams = {f.name: f for f in text_string_to_metric_families(text)}
# Every family is announced by HELP and TYPE, and every sample belongs to one.
for line in text.splitlines():
    if line.startswith("# TYPE "):
        name = line.split()[2]
        assert "# HELP %s " % name in text, "no HELP for " + name
names = [l.split()[2] for l in text.splitlines() if l.startswith("# TYPE ")]
helps = [l.split()[2] for l in text.splitlines() if l.startswith("# HELP ")]
assert names == helps, (names, helps)
def samples(fam):
    return [(s.name, s.labels, s.value) for s in fams[fam].samples]
def check(what, cond):
    print(("ok " if cond else "FAIL ") + what)
check("build_info", samples("cebgate_build_info") == [("cebgate_build_info", {"version": sys.argv[2]}, 1.0)])
reqs = samples("cebgate_http_requests")
check("requests by route", any(l == {"method": "GET", "route": "/healthz", "status_class": "2xx"} and v >= 2 for _, l, v in reqs))
check("404 without a route", any(l == {"method": "", "route": "none", "status_class": "4xx"} and v >= 1 for _, l, v in reqs))
check("admin route", any(l.get("route") == "/api/v1/enterprises" and l["status_class"] == "2xx" for _, l, v in reqs))
check("types", fams["cebgate_http_requests"].type == "counter" and fams["cebgate_request_duration_seconds"].type == "histogram" and fams["cebgate_review_queue_depth"].type == "gauge")
msgs = samples("cebgate_messages")
check("messages by type and outcome", sys.argv[3] == "-" or any(l == {"type": "CEB311Message", "outcome": sys.argv[3]} and v == 1 for _, l, v in msgs))
PY
VERSION=$("$CEBGATED" --version | sed 's/^cebgated //')
run "$PY" "$T/parse.py" "$T/metrics" "$VERSION" -
ok "the Prometheus parser reads /metrics; every family has HELP and TYPE" eval "[ \$rc = 0 ] || { cat $T/err; false; }"
ok "cebgate_build_info{version} 1, requests by route and status class (404: route none)" \
	eval "! grep -q FAIL $T/out && [ \$(grep -c '^ok' $T/out) = 6 ]"
adm enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
TE=$(adm token new --enterprise 4403960XA1)
status_is "an unsigned order is refused" 422 -H "Authorization: Bearer $TE" -H 'Content-Type: application/xml' \
	--data-binary @"$S/CEB311-order.xml" "$URL/api/v1/submissions"
curl -s -o "$T/metrics" "$URL/metrics"
run "$PY" "$T/parse.py" "$T/metrics" "$VERSION" rejected
ok "it is counted by message type and outcome" eval "[ \$rc = 0 ] && ! grep -q FAIL $T/out"
line=$(grep '"path":"/api/v1/submissions"' "$T/log" || :)
json_is "an enterprise's token is logged as its code" "$line" .who 4403960XA1

# ------------------------------------------------------------------ readiness
sqlite3 "$DB" 'PRAGMA user_version = 999'
status_is "/readyz when the schema is not this cebgated's: 503" 503 "$URL/readyz"
like "it says why" "$(jv "$T/out" .error)" 'schema 999'
status_is "/healthz still answers: alive" 200 "$URL/healthz"
stop_daemon || :

# ------------------------------------------------------------------ trusted request id, text format
rm -f "$DB" "$DB"-wal "$DB"-shm
: >"$T/log"
start_daemon --db "$DB" --log-format text --trust-request-id 1
status_is "behind a trusted proxy" 200 -H 'X-Request-Id: proxy-42.a' "$URL/healthz"
is "the client's X-Request-Id is kept" "$(header X-Request-Id)" proxy-42.a
status_is "an id with a character outside the set" 200 -H 'X-Request-Id: bad id"' "$URL/healthz"
like "is replaced by a generated one" "$(header X-Request-Id)" '^[0-9a-f]{16}$'
wait_for_log 'id=proxy-42.a'
file_contains "log-format text: key=value lines" "$T/log" \
	'^time=[0-9T:+-]+ level=info msg=request id=proxy-42.a client=127.0.0.1 who="" method=GET path=/healthz status=200 bytes=3 ms=[0-9]+$'
stop_daemon || :
: >"$T/log"
start_daemon --db "$DB" --log-level warn
status_is "with log-level warn" 200 "$URL/healthz"
stop_daemon || :
file_lacks "no info line is written (no access line, no listening)" "$T/log" '"level":"info"'
run "$CEBGATED" --check-config --db "$DB" --log-level loud
ok "an unknown level is refused" eval "[ \$rc = 1 ] && grep -q 'bad value for --log-level: \"loud\"' $T/err"
done_testing
