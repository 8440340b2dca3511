#!/bin/sh
# SPDX-License-Identifier: MIT
# Hostile uploads beside a normal load, for SECONDS (default 120):
#
#   bench/upload_hostile.sh [SECONDS [NGROUPS]]
#
# 1. a platform enterprise A1 with NGROUPS (default 300) signed orders, and
#    three merchant enterprises (H1, H2, H3) with two merchants each;
# 2. cebgated with its defaults (4 threads, max-upload 256 MiB,
#    max-upload-records 100,000), log to a file;
# 3. for the whole time, at once:
#    - bench/service_load.c -c 2 -w 0.02 posting A1's orders again and again
#      (the normal client: the first pass is stored, the later ones are
#      answered "duplicate");
#    - six hostile merchants, each in a loop: an all-invalid CSV of 60 MB (every
#      row refused, about 118,000 rows: over the record cap), then a body
#      announced over max-upload (413), then the 60 MB file again, closing the
#      connection after 2 s of work (the client gone);
#    - every 2 s: cebgated's RSS;
# 4. figures: the normal client's rate and latency (p50, p99, max of the
#    passes), its statuses; the hostile uploads by status (422 refused, 429
#    over the uploads at once, 413); cebgated's peak memory (VmHWM); staged
#    documents left in the database; "database is locked" and error lines of the log.
# Exit 1 when a normal submission was not answered 200, a refused upload left
# a document, or cebgated logged an error.
# Needs curl, sqlite3, python3 and a build (top_builddir, default ./build).
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
# the schemas and code tables of this tree (an installed copy reads only its own)
export CEBGATE_DATADIR="${CEBGATE_DATADIR:-$SRC}"
top_builddir=${top_builddir:-$SRC/build}
. "$SRC/bench/service_lib.sh"
SECS=${1:-120}
NGROUPS=${2:-300}
WORK=${WORK:-/tmp/cebgate-upload-hostile}
rm -rf "$WORK"
mkdir -p "$WORK/A1" "$WORK/signed"
CEBGATE=$top_builddir/src/cli/cebgate
cc -O2 -pthread -o "$WORK/service_load" "$SRC/bench/service_load.c"

DB=$WORK/s.db
"$CEBGATE" admin --db "$DB" enterprise add 4403960XA1 "enterprise A1" ebp,ebc
"$CEBGATE" keygen --sm2 --key "$WORK/A1.key" --cert "$WORK/A1.crt" --serial 300000000000A1 >/dev/null
"$CEBGATE" admin --db "$DB" cert add 4403960XA1 "$WORK/A1.crt"
TA1=$("$CEBGATE" admin --db "$DB" token new --enterprise 4403960XA1)
for h in 1 2 3; do
	"$CEBGATE" admin --db "$DB" enterprise add "4403960XH$h" "merchant H$h" ebc
	for m in a b; do
		PW=merchantpass$h$m "$CEBGATE" admin --db "$DB" user add "m$h$m" merchant \
			--enterprise "4403960XH$h" --pass-env PW
		"$CEBGATE" admin --db "$DB" token new --user "m$h$m" >"$WORK/token.$h$m"
	done
done
i=1
while [ $i -le "$NGROUPS" ]; do
	g=$(printf '%06d' $i)
	sed -e "s/SO202411110000123456/SO20241111HU$g/g" \
		-e "s/\([0-9A-F]\{8\}-[0-9A-F]\{4\}-[0-9A-F]\{4\}-[0-9A-F]\{4\}-[0-9A-F]\{6\}\)[0-9A-F]\{6\}/\1$g/g" \
		"$SRC/samples/xml/unsigned/CEB311-order.xml" >"$WORK/A1/o$g.xml"
	i=$((i + 1))
done
"$CEBGATE" sign --key "$WORK/A1.key" --cert "$WORK/A1.crt" "$WORK/A1" -o "$WORK/signed" >/dev/null
for f in "$WORK"/signed/*.xml; do echo "$TA1 $f"; done >"$WORK/list"
# The hostile file: the sample's rows under new order numbers, each with an unreadable appTime.
python3 - "$SRC/samples/merchant/orders-en.csv" "$WORK/bad.csv" 60000000 <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
head, body = rows[0], rows[1:]
key, app = head.index("orderNo"), head.index("appTime")
with open(sys.argv[2], "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(head)
    k = 0
    while f.tell() < int(sys.argv[3]):
        r = list(body[k % len(body)])
        r[key], r[app] = "SO%018d" % k, "not a time"
        w.writerow(r)
        k += 1
PY

bench_start_cebgated
end=$(($(date +%s) + SECS))
bench_sample 2
hostile() { # TOKEN-FILE: one merchant's loop; one status per line in $WORK/hostile.txt
	tok=$(cat "$1")
	while [ "$(date +%s)" -lt "$end" ]; do
		curl -s -o /dev/null -w '%{http_code} all-invalid\n' -H "Authorization: Bearer $tok" \
			--data-binary @"$WORK/bad.csv" "$URL/api/v1/uploads?name=bad.csv" || :
		curl -s -o /dev/null -w '%{http_code} oversize\n' -H "Authorization: Bearer $tok" \
			-H 'Content-Length: 1000000000' -H 'Expect:' -X POST "$URL/api/v1/uploads?name=big.csv" || :
		curl -s -o /dev/null -m 4 -w '%{http_code} gone\n' -H "Authorization: Bearer $tok" \
			--data-binary @"$WORK/bad.csv" "$URL/api/v1/uploads?name=gone.csv" || :
	done >>"$WORK/hostile.txt"
}
: >"$WORK/hostile.txt"
hpids=""
for t in "$WORK"/token.*; do
	hostile "$t" &
	hpids="$hpids $!"
done
: >"$WORK/submissions.txt"
while [ "$(date +%s)" -lt "$end" ]; do
	"$WORK/service_load" -p "$port" -c 2 -w 0.02 "$WORK/list" >>"$WORK/submissions.txt"
done
# shellcheck disable=SC2086
wait $hpids || true
wait "$mon" || true
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
kill -TERM "$pid"
wait "$pid" || true
trap - EXIT INT TERM

echo "== upload_hostile: ${SECS} s, $NGROUPS orders, 6 hostile merchants, $(nproc) CPUs, source $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)"
awk '{ delete v; for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	passes++; req += v["requests"]; ok += v["http_200"]
	if (v["p99_ms"] + 0 > p99) p99 = v["p99_ms"] + 0; if (v["max_ms"] + 0 > mx) mx = v["max_ms"] + 0
	p50[passes] = v["p50_ms"] + 0; q99[passes] = v["p99_ms"] + 0 }
	function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return a[int((n + 1) / 2)] }
	END { printf "normal submissions: %d passes, %d requests, %d HTTP 200, %d not 200; median of the passes p50 %.2f ms, p99 %.2f ms; worst p99 %.2f ms, max %.2f ms\n",
	      passes, req, ok, req - ok, med(p50, passes), med(q99, passes), p99, mx }' "$WORK/submissions.txt"
echo "hostile uploads: $(sort "$WORK/hostile.txt" | uniq -c | awk '{ printf "%s x %s %s; ", $1, $2, $3 }')"
awk -F'\t' '{ if ($2 > peak) peak = $2; last = $2 } END { printf "cebgated RSS: sampled peak %s KiB, at the end %s KiB, VmHWM %s KiB\n", peak, last, "'"$hwm"'" }' "$WORK/rss.tsv"
left=$(sqlite3 "$DB" "SELECT count(*) FROM upload_item i JOIN upload u ON u.id = i.upload_id WHERE u.state <> 'ready'")
echo "uploads: $(sqlite3 "$DB" "SELECT group_concat(n || ' ' || state, ', ') FROM (SELECT state, count(*) AS n FROM upload GROUP BY state)"); documents kept by refused uploads: $left"
locked=$(grep -c 'database is locked' "$WORK/cebgated.log" || true)
errors=$(grep -c '^level=error' "$WORK/cebgated.log" || true)
echo "cebgated log: $errors error lines, $locked 'database is locked'"
fail=0
awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] ~ /^http_/ && kv[1] != "http_200") bad += kv[2] } } END { exit bad > 0 }' "$WORK/submissions.txt" || fail=1
[ "$left" -eq 0 ] || fail=1
[ "$errors" -eq 0 ] && [ "$locked" -eq 0 ] || fail=1
echo "upload_hostile: $([ $fail -eq 0 ] && echo 'no errors' || echo 'ERRORS (see '"$WORK"')')"
exit $fail
