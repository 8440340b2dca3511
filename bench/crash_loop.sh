#!/bin/sh
# SPDX-License-Identifier: MIT
# Crash safety of cebgated under a stream of four-document submissions:
#
#   bench/crash_loop.sh [KILLS [NGROUPS]]        (defaults: 100 kills, 300 groups)
#
# NGROUPS complete declarations (order, payment, waybill, inventory, each signed
# by its own enterprise, one buyer) are submitted by two clients at once while
# cebgated is killed with SIGKILL KILLS times at random moments (after 3-20 more
# answers, then 0-40 ms: inside a request, between two, during the matching of
# an inventory) and restarted; what was not acknowledged is sent again. After a
# last pass without kills, with the daemon stopped, the database must hold:
#   1. every acknowledged message exactly once, and nothing else;
#   2. one document per message;
#   3. consistent receipts: every document has its first receipt (120 for the
#      order, payment and waybill; 2 for the inventory) exactly once, no
#      document has two receipts of one status, and every inventory that
#      matched has one 120 and then exactly one 399+800 (released) or 300
#      (held), or one -621018 (annual limit);
#   4. a quota ledger equal to the sum of the dutiable values of the
#      inventories that matched (526.00 CNY each), never over 26,000;
#   5. PRAGMA integrity_check ok and no dangling foreign key;
# and sending everything once more must get only "duplicate" and add no row.
# Prints one "crash-loop:" summary line; exit 0 when every check holds.
# Needs a build (top_builddir, default ./build) and curl, sqlite3, python3.
# CG_CRASH_SEED=N repeats the kill points; CG_KEEP_TMP=1 keeps the files.
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/build}
export CEBGATE_DATADIR="${CEBGATE_DATADIR:-$top_srcdir}" # the schemas and code tables of this tree
KILLS=${1:-100}
NGROUPS=${2:-300}
CEBGATE=$top_builddir/src/cli/cebgate
CEBGATED=$top_builddir/src/server/cebgated
S=$top_srcdir/samples/xml/unsigned
T=$(mktemp -d "${TMPDIR:-/tmp}/cg-crashloop.XXXXXX")
pid=""
subs=""
cleanup() {
	for p in $subs; do kill "$p" 2>/dev/null || true; done
	[ -z "$pid" ] || kill -9 "$pid" 2>/dev/null || true
	if [ -n "${CG_KEEP_TMP:-}" ]; then echo "# kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

DB=$T/s.db
for e in A1:4403960XA1:ebp,ebc C3:4403960XC3:pay D4:4403980XD4:logistics,agent; do
	k=${e%%:*} rest=${e#*:}
	code=${rest%%:*} roles=${rest#*:}
	"$CEBGATE" admin --db "$DB" enterprise add "$code" "enterprise $k" "$roles"
	"$CEBGATE" keygen --sm2 --key "$T/$k.key" --cert "$T/$k.crt" --serial "30000000000$k" >/dev/null
	"$CEBGATE" admin --db "$DB" cert add "$code" "$T/$k.crt"
done
TA=$("$CEBGATE" admin --db "$DB" token new --enterprise 4403960XA1)
TC=$("$CEBGATE" admin --db "$DB" token new --enterprise 4403960XC3)
TD=$("$CEBGATE" admin --db "$DB" token new --enterprise 4403980XD4)

# NGROUPS sets of the four sample documents with their own keys and guids.
mkdir "$T/A1" "$T/C3" "$T/D4" "$T/signed"
i=1
while [ $i -le "$NGROUPS" ]; do
	g=$(printf '%06d' $i)
	for spec in o:CEB311-order:A1 p:CEB411-payment:C3 w:CEB511-waybill:D4 i:CEB621-inventory:D4; do
		kind=${spec%%:*} rest=${spec#*:}
		sed -e "s/SO202411110000123456/SO20241111CL$g/g" -e "s/EX2024111100012345/EX2024111CL$g/g" \
			-e "s/QH20241111000001/QH2024CL$g/g" -e "s/0005400012345678/00054CL$g/g" \
			-e "s/\([0-9A-F]\{8\}-[0-9A-F]\{4\}-[0-9A-F]\{4\}-[0-9A-F]\{4\}-[0-9A-F]\{6\}\)[0-9A-F]\{6\}/\1$g/g" \
			"$S/${rest%%:*}.xml" >"$T/${rest#*:}/$kind$g.xml"
	done
	i=$((i + 1))
done
for k in A1 C3 D4; do
	"$CEBGATE" sign --key "$T/$k.key" --cert "$T/$k.crt" "$T/$k" -o "$T/signed" >/dev/null
done
# Submission order: groups in turn, the inventory first or last at random.
ls "$T/signed" | awk -v s="${CG_CRASH_SEED:-1}" 'BEGIN { srand(s) } { print rand() "\t" $0 }' |
	sort -n | cut -f2 >"$T/all"
[ "$(wc -l <"$T/all")" -eq $((NGROUPS * 4)) ] || { echo "crash-loop: signing failed"; exit 1; }

t0=$(date +%s)
seed=${CG_CRASH_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
echo "# seed $seed (CG_CRASH_SEED=$seed repeats the kill points)"
points=$(awk -v s="$seed" -v k="$KILLS" 'BEGIN { srand(s); for (i = 0; i < k; i++) printf "%d:%02d ", 3 + int(rand() * 18), int(rand() * 41) }')

start() {
	rm -f "$T/port"
	"$CEBGATED" --db "$DB" --port 0 --port-file "$T/port" --threads 2 --random-rate 0 2>>"$T/log" &
	pid=$!
	i=0
	while [ ! -s "$T/port" ] && [ $i -lt 300 ] && kill -0 "$pid" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
	[ -s "$T/port" ] || { echo "crash-loop: cebgated did not start"; tail -n 5 "$T/log" >&2; exit 1; }
	URL=http://127.0.0.1:$(cat "$T/port")/api/v1/submissions
}
stop() {
	kill -TERM "$pid" 2>/dev/null || true
	src=0
	wait "$pid" || src=$?
	pid=""
	return $src
}
token_of() {
	case $1 in o*) echo "$TA" ;; p*) echo "$TC" ;; *) echo "$TD" ;; esac
}
# One client over the files of $1: "file http-code status curl-exit" per answer.
submit_list() {
	while read -r f; do
		rc=0
		code=$(curl -s --max-time 20 -o "$1.out" -w '%{http_code}' -H "Authorization: Bearer $(token_of "$f")" \
			--data-binary @"$T/signed/$f" "$URL") || rc=$?
		st=-
		[ "$code" = 200 ] && st=$(grep -o '"status": "[a-z]*"' "$1.out" | head -n 1 | cut -d'"' -f4)
		echo "$f ${code:-000} ${st:--} $rc" >>"$T/answers"
		[ "$code" = 200 ] || [ $rc -eq 0 ] || break
	done <"$1"
	return 0
}
submit_two() {
	awk 'NR % 2 == 1' "$1" >"$T/half1"
	awk 'NR % 2 == 0' "$1" >"$T/half2"
	submit_list "$T/half1" &
	s1=$!
	subs=$s1
	submit_list "$T/half2"
	wait $s1 || true
	subs=""
}
pending() {
	awk '$2 == 200 && ($3 == "accepted" || $3 == "duplicate") { print $1 }' "$T/answers" | sort -u >"$T/acked"
	grep -v -x -F -f "$T/acked" "$T/all" >"$T/pending" || true
}

: >"$T/answers"
kills=0
inflight=0
for p in $points; do
	pending
	[ -s "$T/pending" ] || break
	base=$(wc -l <"$T/answers")
	start
	submit_two "$T/pending" &
	sub=$!
	subs="$sub"
	i=0
	while [ "$(wc -l <"$T/answers")" -lt $((base + ${p%:*})) ] && [ $i -lt 3000 ] && kill -0 "$sub" 2>/dev/null; do
		sleep 0.01
		i=$((i + 1))
	done
	sleep "0.0${p#*:}"
	kill -9 "$pid" 2>/dev/null || echo "# cebgated had already exited"
	wait "$pid" 2>/dev/null || true
	pid=""
	kills=$((kills + 1))
	wait "$sub" || true
	subs=""
	inflight=$((inflight + $(tail -n +$((base + 1)) "$T/answers" | awk '$4 == 52 || $4 == 56' | wc -l)))
done
pending
start
submit_two "$T/pending"
pending
stop1=0
stop || stop1=$?

fail=0
verdict() { # DESCRIPTION CONDITION
	if eval "$2"; then echo "# ok: $1"; else echo "# FAILED: $1"; fail=$((fail + 1)); fi
}
sq() { sqlite3 -cmd '.timeout 10000' "$DB" "$1"; }
acked=$(wc -l <"$T/acked")
verdict "all $((NGROUPS * 4)) messages acknowledged in the end" "[ $acked -eq $((NGROUPS * 4)) ]"
verdict "no answer other than 200 or none (no 5xx after a restart)" \
	"! awk '\$2 != 200 && \$2 != \"000\"' '$T/answers' | grep -q ."
for f in $(cat "$T/acked"); do sed -n 's/.*<ceb:guid>\([^<]*\)<.*/\1/p' "$T/signed/$f"; done | sort >"$T/acked-guids"
sq "SELECT guid FROM message ORDER BY guid" >"$T/db-guids"
verdict "1. every acknowledged message stored exactly once, nothing else" \
	"[ \$(sort -u '$T/db-guids' | wc -l) -eq $acked ] && cmp -s '$T/acked-guids' '$T/db-guids'"
verdict "2. one document per message" \
	"[ \$(sq 'SELECT count(*) FROM message m WHERE (SELECT count(*) FROM document d WHERE d.message_id = m.id) <> 1') -eq 0 ]"
# kind: the message type number (311, 411, 511, 621).
first=$(sq "SELECT count(*) FROM document d WHERE (SELECT count(*) FROM receipt r WHERE r.document_id = d.id
	AND r.return_status = CASE WHEN d.kind = 621 THEN '2' ELSE '120' END) <> 1")
dupes=$(sq "SELECT count(*) FROM (SELECT document_id, return_status FROM receipt WHERE document_id IS NOT NULL
	GROUP BY document_id, return_status HAVING count(*) > 1)")
bad_inv=$(sq "SELECT count(*) FROM document d WHERE d.kind = 621 AND NOT (
	(d.state = 'released' AND (SELECT group_concat(return_status, ' ') FROM (SELECT return_status FROM receipt r
		WHERE r.document_id = d.id ORDER BY r.id)) = '2 120 399 800') OR
	(d.state = 'held' AND (SELECT group_concat(return_status, ' ') FROM (SELECT return_status FROM receipt r
		WHERE r.document_id = d.id ORDER BY r.id)) = '2 120 300') OR
	(d.state = 'rejected' AND (SELECT group_concat(return_status, ' ') FROM (SELECT return_status FROM receipt r
		WHERE r.document_id = d.id ORDER BY r.id)) = '2 -621018'))")
verdict "3. receipts: the first one exactly once ($first wrong), no status twice ($dupes), every inventory's sequence whole ($bad_inv wrong)" \
	"[ $first -eq 0 ] && [ $dupes -eq 0 ] && [ $bad_inv -eq 0 ]"
matched=$(sq "SELECT count(*) FROM document d WHERE d.kind = 621 AND EXISTS (SELECT 1 FROM receipt r
	WHERE r.document_id = d.id AND r.return_status = '120')")
ledger=$(sq "SELECT coalesce(sum(used), 0) FROM quota")
verdict "4. quota ledger $ledger = $matched matched inventories x 526.00 CNY, at most 26,000" \
	"[ $ledger -eq \$(($matched * 52600000)) ] && [ $ledger -le 2600000000 ]"
verdict "5. PRAGMA integrity_check ok, no dangling foreign key" \
	"[ \"\$(sq 'PRAGMA integrity_check')\" = ok ] && [ -z \"\$(sq 'PRAGMA foreign_key_check')\" ]"
counts() { sq "SELECT (SELECT count(*) FROM message) || ' ' || (SELECT count(*) FROM document) || ' ' || (SELECT count(*) FROM receipt) || ' ' || (SELECT sum(used) FROM quota)"; }
before=$(counts)
mv "$T/answers" "$T/answers-crash"
: >"$T/answers"
start
submit_two "$T/all"
stop2=0
stop || stop2=$?
verdict "resending everything gets only duplicate answers and adds no row" \
	"[ \$(awk '\$2 == 200 && \$3 == \"duplicate\"' '$T/answers' | wc -l) -eq $((NGROUPS * 4)) ] && [ \"\$(counts)\" = '$before' ]"
verdict "cebgated stopped cleanly on SIGTERM after the crashes" "[ $stop1 -eq 0 ] && [ $stop2 -eq 0 ]"
late=$(awk '$2 == 200 && $3 == "duplicate"' "$T/answers-crash" | wc -l)
echo "crash-loop: kills=$kills groups=$NGROUPS messages=$((NGROUPS * 4)) answers=$(wc -l <"$T/answers-crash") in-flight-at-kill=$inflight late-acks=$late matched=$matched released=$(sq "SELECT count(*) FROM document WHERE kind = 621 AND state = 'released'") annual-limit=$(sq "SELECT count(*) FROM document WHERE kind = 621 AND reason = 'annual'") ledger=$ledger failed-checks=$fail seed=$seed seconds=$(($(date +%s) - t0))"
[ $fail -eq 0 ]
