#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: uploads from a hostile or careless merchant against the real
# cebgated. An all-invalid file costs memory independent of its size, counts
# every row against max-upload-records and is answered as refused; a refused
# upload keeps no document; work stops when the client goes; uploads at once
# are capped per account and in all; an unreadable NDJSON line, an amount with
# too many digits and a repeated order number are told, never dropped; net
# weight over gross weight is refused; a refused message of many documents
# stores one receipt.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
need python3 jq sqlite3

DB=$T/u.db
M=$top_srcdir/samples/merchant
adm enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
adm enterprise add 4403960XB2 "示例电商" ebc DXPENT0000999902
adm enterprise add 4403960XC3 "示例支付" pay DXPENT0000999903
PW=merchantpass1 adm user add mia merchant --enterprise 4403960XA1 --pass-env PW
PW=merchantpass2 adm user add max merchant --enterprise 4403960XB2 --pass-env PW
PW=merchantpass3 adm user add cai merchant --enterprise 4403960XC3 --pass-env PW
TM=$(adm token new --user mia)
TX=$(adm token new --user max)
TC=$(adm token new --user cai)
TA=$(adm token new --enterprise 4403960XA1)
U=/api/v1/uploads

call() { # TOKEN METHOD PATH [BODY-FILE] -> status; body in $T/out
	http -X "$2" ${1:+-H "Authorization: Bearer $1"} ${4:+--data-binary @"$4"} "$URL$3"
}
hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status"; } # peak resident KiB
items() { sqlite3 "$DB" "SELECT count(*) FROM upload_item WHERE upload_id = $1"; }

# CSV files of the sample's header and rows, each its own order: BYTES of bad rows (appTime
# unreadable, so refused before validation), or ROWS good ones (the sample's single-row
# orders under new order numbers).
gen_csv() { # OUT BYTES bad | OUT ROWS good
	python3 - "$M/orders-en.csv" "$@" <<'PY'
import csv, io, sys
src, out, size, kind = sys.argv[1:5]
rows = list(csv.reader(open(src, encoding="utf-8")))
head, body = rows[0], rows[1:]
key, app = head.index("orderNo"), head.index("appTime")
single = [r for r in body if sum(1 for x in body if x[key] == r[key]) == 1]
size = int(size)
with open(out, "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(head)
    k = 0
    while (f.tell() < size) if kind == "bad" else (k < size):
        r = list(single[k % len(single)])
        r[key] = "SO%018d" % (900000000000000000 + k)
        if kind == "bad":
            r[app] = "not a time"
        w.writerow(r)
        k += 1
PY
}

# ---- memory of an all-invalid upload: bounded, whatever the file's size -----------------
# One pool thread: each thread has its own service (validator, code tables), made on first use.
# Under ASan, freed memory waits in a quarantine that would count as peak: none here.
ASAN_OPTIONS=${ASAN_OPTIONS:-}:quarantine_size_mb=0 \
	start_daemon --db "$DB" --max-upload 134217728 --max-upload-records 10000000 --threads 1
gen_csv "$T/bad20.csv" 20000000 bad
gen_csv "$T/bad80.csv" 80000000 bad
rows20=$(($(wc -l <"$T/bad20.csv") - 1))
rows80=$(($(wc -l <"$T/bad80.csv") - 1))
is "a 20 MB CSV whose every row is invalid is refused (422)" \
	"$(call "$TM" POST "$U?name=bad20.csv" "$T/bad20.csv")" 422
json_is "outcome refused, every row counted and invalid" "$T/out" \
	'[.outcome, .state, .records == '"$rows20"', .invalid == .records, .valid]' \
	'["refused","ready",true,true,0]'
json_is "the first 10,000 findings are kept, then one that counts the rest" "$T/out" \
	'[(.findings | length), .findings[-1].code, (.findings[-1].message_en | test("[0-9]+ more not kept"))]' \
	'[10001,"CG0003",true]'
h20=$(hwm)
is "an 80 MB one too (422)" "$(call "$TM" POST "$U?name=bad80.csv" "$T/bad80.csv")" 422
json_is "with all its rows counted" "$T/out" '.records == '"$rows80"' and .invalid == .records' true
h80=$(hwm)
diag "VmHWM after 20 MB: $h20 KiB; after 80 MB: $h80 KiB"
# 60 MB more of input may cost the order-number sets (16 bytes a row) and little else.
ok "cebgated's peak memory grew by less than 16 MiB for 60 MB more input" \
	test $((h80 - h20)) -lt 16384
stop_daemon

# ---- the client goes away: the work stops, nothing is kept -------------------------------
# One pool thread: it answers the polls below while the upload is worked on, which it can
# only because an upload is worked on in a thread of its own (its connection suspended).
start_daemon --db "$DB" --max-upload 134217728 --max-upload-records 10000000 --threads 1
curl -s -o /dev/null -H "Authorization: Bearer $TM" --data-binary @"$T/bad80.csv" \
	"$URL$U?name=gone.csv" &
cpid=$!
kill_at_exit $cpid
working() { # the newest upload is being worked on and has counted some records
	curl -s -H "Authorization: Bearer $TM" "$URL$U" |
		jq -e '.uploads[0] | .name == "gone.csv" and .state == "processing" and .records > 0'
}
ok "an upload is being worked on, and the one pool thread answers other requests meanwhile" \
	wait_until 300 working
kill "$cpid" 2>/dev/null || :
wait "$cpid" || :
abandoned() {
	curl -s -H "Authorization: Bearer $TM" "$URL$U" | jq -e '.uploads[0].state == "abandoned"'
}
ok "when its client disconnects, the upload is abandoned" wait_until 300 abandoned
GONE=$(curl -s -H "Authorization: Bearer $TM" "$URL$U" | jq -r '.uploads[0].id')
call "$TM" GET "$U/$GONE" >/dev/null
json_is "before the end of its file" "$T/out" '[.records < '"$rows80"', .outcome]' '[true,"refused"]'
stop_daemon

# ---- every row counts against the cap; a refused upload keeps no document ----------------
start_daemon --db "$DB" --max-upload-records 50
gen_csv "$T/bad200.csv" 70000 bad
gen_csv "$T/good60.csv" 60 good
is "some 200 invalid rows over a cap of 50 are refused (422)" \
	"$(call "$TM" POST "$U?name=bad200.csv" "$T/bad200.csv")" 422
json_is "at the 51st record, valid or not" "$T/out" \
	'[.state, .records, .findings[-1].code, (.findings[-1].message_en | test("more than 50 records"))]' \
	'["failed",51,"CG0003",true]'
is "60 valid orders over a cap of 50 are refused (422)" \
	"$(call "$TM" POST "$U?name=good60.csv" "$T/good60.csv")" 422
ID=$(jv "$T/out" .id)
json_is "failed, no document listed" "$T/out" '[.state, .outcome, (.documents | length)]' \
	'["failed","refused",0]'
is "and none of the 50 it had staged is stored" "$(items "$ID")" 0
head -n 41 "$T/good60.csv" >"$T/good40.csv"
is "40 valid orders within the cap are accepted (201)" \
	"$(call "$TM" POST "$U?name=good40.csv" "$T/good40.csv")" 201
json_is "outcome accepted" "$T/out" '[.outcome, .valid, .invalid]' '["accepted",40,0]'
is "all 40 kept" "$(items "$(jv "$T/out" .id)")" 40

# ---- data never dropped or changed silently ---------------------------------------------
head -n 1 "$M/orders.ndjson" >"$T/a.ndjson"
sed -n 2p "$M/orders.ndjson" >"$T/b.ndjson"
{ cat "$T/a.ndjson"; printf '{"orderNo": "SO1", oops\n'; cat "$T/b.ndjson"; } >"$T/broken.ndjson"
is "an NDJSON file with an unreadable line is taken (201)" \
	"$(call "$TM" POST "$U?name=broken.ndjson" "$T/broken.ndjson")" 201
json_is "3 records: 2 valid, the unreadable one invalid" "$T/out" \
	'[.records, .valid, .invalid, .outcome]' '[3,2,1,"partial"]'
json_is "a CG2004 finding at its line" "$T/out" '[.findings[] | select(.code == "CG2004") | .line]' '[2]'

sed 's/"goodsValue":1299,/"goodsValue":1299.000000000000000000001,/' "$T/a.ndjson" >"$T/digits.ndjson"
ok "(the amounts are JSON numbers)" grep -q '"goodsValue":1299.000000000000000000001,' "$T/digits.ndjson"
call "$TM" POST "$U?name=digits.ndjson" "$T/digits.ndjson" >/dev/null
json_is "an amount with 21 decimals is rounded to the 5 of N19,5, with a change-log line" "$T/out" \
	'[.changes[] | select(.field | endswith("goodsValue")) | [.before, .after]]' \
	'[["1299.000000000000000000001","1299.00"]]'
printf '{"orderNo":"SO2","goodsValue":1e2}\n' >"$T/exp.ndjson"
call "$TM" POST "$U?name=exp.ndjson" "$T/exp.ndjson" >/dev/null
json_is "a number in exponent form never goes through a double: refused (CG2004)" "$T/out" \
	'[.findings[] | select(.code == "CG2004") | .message_en] | length > 0' true

{ cat "$T/a.ndjson" "$T/b.ndjson" "$T/a.ndjson"; } >"$T/repeat.ndjson"
call "$TM" POST "$U?name=repeat.ndjson" "$T/repeat.ndjson" >/dev/null
json_is "a repeated order is flagged at upload, at its line (CG2011)" "$T/out" \
	'[[.findings[] | select(.code == "CG2011") | .line], .valid, .invalid]' '[[3],2,1]'

sed -e 's|<ceb:grossWeight>2.35<|<ceb:grossWeight>0.5<|' -e 's|<ceb:netWeight>1.85<|<ceb:netWeight>9.5<|' \
	"$S/CEB621-inventory.xml" >"$T/weights.xml"
is "an inventory whose net weight is over its gross weight is refused (422)" \
	"$(call "$TM" POST "$U?name=weights.xml" "$T/weights.xml")" 422
json_is "with CG1027" "$T/out" '[.findings[] | select(.code == "CG1027") | .code]' '["CG1027"]'

# ---- one receipt for a refused message of many documents --------------------------------
python3 - "$S/CEB311-order.xml" "$T/many.xml" <<'PY'
import re, sys
x = open(sys.argv[1], encoding="utf-8").read()
order = re.search(r"<ceb:Order>.*?</ceb:Order>", x, re.S).group(0)
many = "".join(order.replace("SO202411110000123456", "SO2024111100001%05d" % k) for k in range(50))
open(sys.argv[2], "w", encoding="utf-8").write(x.replace(order, many, 1))
PY
http -H "Authorization: Bearer $TA" -H "Content-Type: application/xml" --data-binary @"$T/many.xml" \
	"$URL/api/v1/submissions" >/dev/null
json_is "an unsigned message of 50 orders is refused" "$T/out" '.results[0].status' rejected
curl -s -H "Authorization: Bearer $TA" "$URL/api/v1/receipts?after=0" >"$T/rcpt"
json_is "with one negative receipt, not 50" "$T/rcpt" '.receipts | length' 1
file_contains "which says all 50 documents were refused" "$T/rcpt" 'all 50 documents of the message'
stop_daemon

# ---- uploads at once: per account and in all -------------------------------------------
start_daemon --db "$DB"
port=${URL##*:}
# hold TOKEN N: N uploads whose headers (and a first byte) are sent, then held open; $held
# is the holder's process.
hold() {
	python3 - "$port" "$1" "$2" "$T/held.$1" >/dev/null 2>&1 <<'PY' &
import socket, sys, time
port, token, n, ready = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
socks = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(("POST /api/v1/uploads?name=slow.csv HTTP/1.1\r\nHost: t\r\n"
               "Authorization: Bearer %s\r\nContent-Length: 1000000\r\n\r\no" % token).encode())
    socks.append(s)
open(ready, "w").close()
time.sleep(120)
PY
	held=$!
	kill_at_exit $held
}
busy() { # a 429 for uploads at once (not the per-minute limit, which says to wait a minute)
	[ "$(call "$1" POST "$U?name=o.csv" "$M/orders-en.csv")" = 429 ] && grep -q 'at once' "$T/out"
}
hold "$TM" 2
h1=$held
ok "two uploads of one account held open" wait_until 100 test -f "$T/held.$TM"
ok "a third upload of the same account is told to retry (429)" wait_until 100 busy "$TM"
like "with Retry-After" "$(header Retry-After)" '^[0-9]+$'
is "another enterprise's merchant still uploads (201)" \
	"$(call "$TX" POST "$U?name=o.csv" "$M/orders-en.csv")" 201
hold "$TX" 2
h2=$held
ok "two more held by a second account" wait_until 100 test -f "$T/held.$TX"
ok "with four at once, a third account is told to retry (429)" wait_until 100 busy "$TC"
kill "$h1" "$h2"
wait "$h1" "$h2" 2>/dev/null || :
free_again() { [ "$(call "$TM" POST "$U?name=o.csv" "$M/orders-en.csv")" = 201 ]; }
ok "once they are gone, the account uploads again (201)" wait_until 100 free_again
stop_daemon
done_testing
