#!/bin/sh
# SPDX-License-Identifier: MIT
# Soak: cebgated on loopback under mixed load for SECONDS (default 300):
#
#   bench/soak.sh [SECONDS [NGROUPS]]
#
# 1. a registry (platform, payment company, logistics company, SM2 keys) and
#    NGROUPS (default 500) signed order+payment+waybill+inventory declarations;
# 2. cebgated with its defaults (4 threads, 256 connections, 16 per IP, 30 s
#    timeout, 60 s request deadline, 16 MiB bodies), log to a file;
# 3. for the whole time, at once:
#    - wrk -t1 -c8 --latency on GET /api/v1/logistics/CODE/NO (every waybill in
#      turn, bench/wrk_logistics.lua);
#    - bench/service_load.c -c 4 posting the declarations, again and again (the
#      first pass is stored, the later ones are answered "duplicate");
#    - every 10 s: cebgated's RSS and open descriptors;
# 4. figures: wrk requests/s, latency percentiles, non-2xx and socket errors;
#    submissions per pass (rate, p50/p90/p99/max, HTTP statuses); RSS at the
#    first sample after a minute and at the end; errors in cebgated's log.
# Exit 1 when any request failed (a non-2xx of wrk, a socket error, a
# submission that was not 200) or cebgated logged an error.
# Needs wrk, curl, sqlite3, python3 and a build (top_builddir, default ./build).
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
# the schemas and code tables of this tree (an installed copy reads only its own)
export CEBGATE_DATADIR="${CEBGATE_DATADIR:-$SRC}"
top_builddir=${top_builddir:-$SRC/build}
. "$SRC/bench/service_lib.sh"
SECS=${1:-300}
NGROUPS=${2:-500}
WORK=${WORK:-/tmp/cebgate-soak}
command -v wrk >/dev/null || { echo "soak.sh: no wrk (scripts/install-deps)" >&2; exit 2; }
rm -rf "$WORK"
mkdir -p "$WORK/A1" "$WORK/C3" "$WORK/D4" "$WORK/signed"
CEBGATE=$top_builddir/src/cli/cebgate
cc -O2 -pthread -o "$WORK/service_load" "$SRC/bench/service_load.c"

DB=$WORK/s.db
for e in A1:4403960XA1:ebp,ebc C3:4403960XC3:pay D4:4403980XD4:logistics,agent; do
	k=${e%%:*} rest=${e#*:}
	code=${rest%%:*} roles=${rest#*:}
	"$CEBGATE" admin --db "$DB" enterprise add "$code" "enterprise $k" "$roles"
	"$CEBGATE" keygen --sm2 --key "$WORK/$k.key" --cert "$WORK/$k.crt" --serial "30000000000$k" >/dev/null
	"$CEBGATE" admin --db "$DB" cert add "$code" "$WORK/$k.crt"
	eval "T$k=\$(\"\$CEBGATE\" admin --db \"\$DB\" token new --enterprise $code)"
done
i=1
while [ $i -le "$NGROUPS" ]; do
	g=$(printf '%06d' $i)
	for spec in o:CEB311-order:A1 p:CEB411-payment:C3 w:CEB511-waybill:D4 i:CEB621-inventory:D4; do
		kind=${spec%%:*} rest=${spec#*:}
		sed -e "s/SO202411110000123456/SO20241111SK$g/g" -e "s/EX2024111100012345/EX2024111SK$g/g" \
			-e "s/QH20241111000001/QH2024SK$g/g" -e "s/0005400012345678/00054SK$g/g" \
			-e "s/\([0-9A-F]\{8\}-[0-9A-F]\{4\}-[0-9A-F]\{4\}-[0-9A-F]\{4\}-[0-9A-F]\{6\}\)[0-9A-F]\{6\}/\1$g/g" \
			"$SRC/samples/xml/unsigned/${rest%%:*}.xml" >"$WORK/${rest#*:}/$kind$g.xml"
	done
	i=$((i + 1))
done
for k in A1 C3 D4; do
	"$CEBGATE" sign --key "$WORK/$k.key" --cert "$WORK/$k.crt" "$WORK/$k" -o "$WORK/signed" >/dev/null
done
# The list for service_load: "TOKEN FILE", orders and payments before waybills and inventories.
for f in $(ls "$WORK/signed"); do
	case $f in o*) echo "1 $TA1 $WORK/signed/$f" ;; p*) echo "1 $TC3 $WORK/signed/$f" ;;
		w*) echo "2 $TD4 $WORK/signed/$f" ;; *) echo "3 $TD4 $WORK/signed/$f" ;; esac
done | sort -k1,1n -s | cut -d' ' -f2- >"$WORK/list"
# The waybills for wrk, known before they are stored (unknown ones are answered 200 too).
for f in "$WORK"/signed/w*.xml; do
	echo "/api/v1/logistics/4403980XD4/$(sed -n 's/.*<ceb:logisticsNo>\([^<]*\)<.*/\1/p' "$f" | head -n 1)"
done >"$WORK/paths"

bench_start_cebgated
end=$(($(date +%s) + SECS))
bench_sample 10
WRK_TOKEN=$TD4 WRK_PATHS=$WORK/paths wrk -t1 -c8 -d"${SECS}s" --latency -s "$SRC/bench/wrk_logistics.lua" \
	"$URL" >"$WORK/wrk.txt" 2>&1 &
wrkp=$!
: >"$WORK/submissions.txt"
while [ "$(date +%s)" -lt "$end" ]; do
	"$WORK/service_load" -p "$port" -c 4 "$WORK/list" >>"$WORK/submissions.txt"
done
wait "$wrkp" || true
wait "$mon" || true
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
kill -TERM "$pid"
wait "$pid" || true
trap - EXIT INT TERM

echo "== soak: ${SECS} s, $NGROUPS declarations ($((NGROUPS * 4)) messages), $(nproc) CPUs, source $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)"
awk '/Requests\/sec/ { rps = $2 } /requests in/ { n = $1 }
	/^ +50%/ { p50 = $2 } /^ +75%/ { p75 = $2 } /^ +90%/ { p90 = $2 } /^ +99%/ { p99 = $2 }
	/Non-2xx/ { non2xx = $NF } /Socket errors/ { err = $0; sub(/^ +/, "", err) }
	/answers other than 200/ { bad = $NF }
	END { printf "wrk logistics GET: %s requests, %s req/s, p50 %s p75 %s p90 %s p99 %s, non-2xx %s, answers other than 200 %s, %s\n",
	      n, rps, p50, p75, p90, p99, non2xx == "" ? 0 : non2xx, bad, err == "" ? "no socket errors" : err }' "$WORK/wrk.txt"
awk '{ delete v; for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	passes++; req += v["requests"]; ok += v["http_200"]; acc += v["accepted"]; dup += v["duplicate"]
	if (v["p99_ms"] + 0 > p99) p99 = v["p99_ms"] + 0; if (v["max_ms"] + 0 > mx) mx = v["max_ms"] + 0
	rate[passes] = v["rate"] + 0; p50[passes] = v["p50_ms"] + 0; p90[passes] = v["p90_ms"] + 0 }
	function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return a[int((n + 1) / 2)] }
	END { printf "submissions: %d passes, %d requests, %d HTTP 200 (%d accepted, %d duplicate), %d not 200; rate per pass median %.0f/s (min %.0f, max %.0f); median of the passes: p50 %.2f ms, p90 %.2f ms; worst p99 %.2f ms, max %.2f ms\n",
	      passes, req, ok, acc, dup, req - ok, med(rate, passes), rate[1], rate[passes], med(p50, passes), med(p90, passes), p99, mx }' "$WORK/submissions.txt"
awk -F'\t' 'NR == 1 { t0 = $1 } $1 - t0 >= 60 && first == "" { first = $2 } { last = $2; fds = $3 }
	END { printf "cebgated RSS: %s KiB after the first minute, %s KiB at the end, peak %s KiB; %s descriptors at the end; samples: %d\n",
	      first, last, "'"$hwm"'", fds, NR }' "$WORK/rss.tsv"
# The log is JSON lines (docs/cebgated.md): access lines have msg "request".
errors=$(grep -c '"level":"error"' "$WORK/cebgated.log" || true)
echo "cebgated log: $(grep -c '"msg":"request"' "$WORK/cebgated.log" || true) requests, $errors error lines, statuses: $(grep -o '"msg":"request".*"status":[0-9]*' "$WORK/cebgated.log" | sed 's/.*"status"://' | sort | uniq -c | awk '{ printf "%s x %s; ", $1, $2 }')"
fail=0
grep -q 'Non-2xx\|Socket errors' "$WORK/wrk.txt" && fail=1
grep -q 'answers other than 200: [1-9]' "$WORK/wrk.txt" && fail=1
awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] ~ /^http_/ && kv[1] != "http_200") bad += kv[2]; if (kv[1] == "other") bad += kv[2] } } END { exit bad > 0 }' "$WORK/submissions.txt" || fail=1
[ "$errors" -eq 0 ] || fail=1
echo "soak: $([ $fail -eq 0 ] && echo 'no errors' || echo 'ERRORS (see '"$WORK"')')"
exit $fail
