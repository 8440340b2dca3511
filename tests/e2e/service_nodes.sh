#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: three cebgated nodes on one PostgreSQL database (issue 14,
# docs/postgresql.md "Several nodes"). Run by tests/pg/service_nodes.pg;
# skipped on SQLite, where one cebgated owns its file.
#  - the four documents of declarations sent at once to different nodes match;
#  - racing copies of one guid, and two guids with one business key, on
#    several nodes: one accepted, the others answered duplicate or refused;
#  - a load of four-document declarations, one buyer, spread over the nodes,
#    one node killed with SIGKILL in the middle and its unanswered messages
#    sent again elsewhere: every acknowledged message stored once, receipts
#    whole, the quota ledger the sum of the matched inventories and never
#    over the annual limit; a follower reading the feed during the load and
#    the feed read afterwards from every node have every receipt, in order;
#  - two officers on two nodes claim the same held inventory: one wins;
#  - the match-timeout sweep of three nodes refuses a lone inventory once;
#  - `cebgate admin audit verify` passes, then fails on a record changed and
#    on an anchored record removed.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
on_pg || skip_all "several nodes share a PostgreSQL database (tests/pg/service_nodes.pg)"
need jq
NG=60 # declarations: one buyer, 526 CNY each, so 49 fit the annual 26,000

DB=$(new_db nodes)
for e in A1:4403960XA1:ebp,ebc C3:4403960XC3:pay D4:4403980XD4:logistics,agent; do
	k=${e%%:*} rest=${e#*:}
	code=${rest%%:*} roles=${rest#*:}
	adm enterprise add "$code" "enterprise $k" "$roles"
	"$CEBGATE" keygen --sm2 --key "$T/$k.key" --cert "$T/$k.crt" --serial "30000000000$k" >/dev/null
	adm cert add "$code" "$T/$k.crt"
done
TA=$(adm token new --enterprise 4403960XA1)
TC=$(adm token new --enterprise 4403960XC3)
TD=$(adm token new --enterprise 4403980XD4)
for u in olga oscar; do PW=officerpass1 adm user add $u officer --pass-env PW; done
TO=$(adm token new --user olga)
TS=$(adm token new --user oscar)

# NG declarations (o, p, w, i + number), each document signed by its sender.
mkdir "$T/A1" "$T/C3" "$T/D4" "$T/signed"
i=1
while [ $i -le $NG ]; do
	g=$(printf '%06d' $i)
	for spec in o:CEB311-order:A1 p:CEB411-payment:C3 w:CEB511-waybill:D4 i:CEB621-inventory:D4; do
		kind=${spec%%:*} rest=${spec#*:}
		sed -e "s/SO202411110000123456/SO20241111ND$g/g" -e "s/EX2024111100012345/EX2024111ND$g/g" \
			-e "s/QH20241111000001/QH2024ND$g/g" -e "s/0005400012345678/00054ND$g/g" \
			-e "s/\([0-9A-F]\{8\}-[0-9A-F]\{4\}-[0-9A-F]\{4\}-[0-9A-F]\{4\}-[0-9A-F]\{6\}\)[0-9A-F]\{6\}/\1$g/g" \
			"$S/${rest%%:*}.xml" >"$T/${rest#*:}/$kind$g.xml"
	done
	i=$((i + 1))
done
# The same order under another guid (a second business-key claim), and a lone inventory.
sed -e "s/SO202411110000123456/SO20241111ND000001/g" \
	-e "s/\([0-9A-F]\{8\}-[0-9A-F]\{4\}-[0-9A-F]\{4\}-[0-9A-F]\{4\}-[0-9A-F]\{6\}\)[0-9A-F]\{6\}/\1999991/g" \
	"$S/CEB311-order.xml" >"$T/A1/twin.xml"
sed -e "s/SO202411110000123456/SO20241111LONE000001/g" -e "s/EX2024111100012345/EX2024111LONE0001/g" \
	-e "s/QH20241111000001/QH2024LONE0001/g" \
	-e "s/\([0-9A-F]\{8\}-[0-9A-F]\{4\}-[0-9A-F]\{4\}-[0-9A-F]\{4\}-[0-9A-F]\{6\}\)[0-9A-F]\{6\}/\1999992/g" \
	"$S/CEB621-inventory.xml" >"$T/D4/lone.xml"
for k in A1 C3 D4; do
	"$CEBGATE" sign --key "$T/$k.key" --cert "$T/$k.crt" "$T/$k" -o "$T/signed" >/dev/null
done
is "$((NG * 4 + 2)) documents signed" "$(ls "$T/signed" | wc -l)" $((NG * 4 + 2))

# ------------------------------------------------------------------ nodes
# start_node N [ARGS...]: node N on a free port; NODE_N holds its URL, PID_N its pid.
start_node() {
	_n=$1
	shift
	rm -f "$T/port$_n"
	"$CEBGATED" --db "$DB" --state-dir "$T/state" --port 0 --port-file "$T/port$_n" --threads 3 \
		--random-rate 0 --value-threshold 500 "$@" 2>>"$T/log$_n" &
	eval "PID_$_n=$!"
	kill_at_exit $!
	_i=0
	while [ ! -s "$T/port$_n" ]; do
		if ! kill -0 "$(eval echo "\$PID_$_n")" 2>/dev/null || [ $_i -ge 300 ]; then
			diag_file "$T/log$_n"
			bail "node $_n did not write its port file"
		fi
		_i=$((_i + 1))
		sleep 0.1
	done
	eval "NODE_$_n=http://127.0.0.1:$(cat "$T/port$_n")"
}
stop_node() { # N: SIGTERM, its exit status
	_p=$(eval echo "\$PID_$1")
	kill -TERM "$_p" 2>/dev/null || :
	_rc=0
	wait "$_p" || _rc=$?
	return $_rc
}
url_of() { eval echo "\$NODE_$1"; }
token_of() {
	case $1 in o* | twin*) echo "$TA" ;; p*) echo "$TC" ;; *) echo "$TD" ;; esac
}
first_status() { grep -o '"status": "[a-z]*"' "$1" 2>/dev/null | head -n 1 | cut -d'"' -f4; }
# post FILE NODE OUT: the HTTP status of FILE submitted to NODE; answer in OUT.
post() {
	curl -s --max-time 30 -o "$3" -w '%{http_code}' -H "Authorization: Bearer $(token_of "$1")" \
		--data-binary @"$T/signed/$1" "$(url_of "$2")/api/v1/submissions" || :
}
doc_state() { # ORDERNO: the inventory's state
	dbq "$DB" "SELECT state FROM document WHERE kind = 621 AND data::jsonb #>> '{h,orderNo}' = '$1'"
}
state_is() { [ "$(doc_state "$1")" = "$2" ]; }            # ORDERNO STATE (for wait_until)
answers_at_least() { [ "$(wc -l <"$T/answers")" -ge "$1" ]; } # N (for wait_until)
for k in 1 2 3; do start_node $k --match-timeout 600; done

# ------------------------------------------------------------------ one declaration, four nodes
# Declarations 1-5: each of the four documents to a node of its own, at once.
for g in 000001 000002 000003 000004 000005; do
	post "o$g.xml" 1 "$T/a-o$g" >/dev/null &
	p1=$!
	post "p$g.xml" 2 "$T/a-p$g" >/dev/null &
	p2=$!
	post "w$g.xml" 3 "$T/a-w$g" >/dev/null &
	p3=$!
	post "i$g.xml" 1 "$T/a-i$g" >/dev/null
	wait $p1 $p2 $p3
done
is "four documents sent at once to three nodes: every one accepted" \
	"$(for f in "$T"/a-*; do first_status "$f"; done | sort | uniq -c | awk '{ print $1, $2 }')" \
	"20 accepted"
is "and the five inventories matched (held for review by the value rule)" \
	"$(dbq "$DB" "SELECT count(*) FROM document WHERE kind = 621 AND state = 'held'")" 5

# ------------------------------------------------------------------ idempotency across nodes
# The next inventory's six copies at once on three nodes: one accepted, five duplicate.
racers=""
j=0
for k in 1 2 3 1 2 3; do
	j=$((j + 1))
	post i000006.xml $k "$T/r-$j" >/dev/null &
	racers="$racers $!"
done
wait $racers
is "one guid on three nodes at once: one accepted, the others duplicate" \
	"$(for f in "$T"/r-*; do first_status "$f"; done | sort | uniq -c | awk '{ print $1, $2 }' | paste -sd, -)" \
	"1 accepted,5 duplicate"
is "stored once" "$(dbq "$DB" "SELECT count(*) FROM document WHERE kind = 621
	AND data::jsonb #>> '{h,orderNo}' = 'SO20241111ND000006'")" 1
# Order 6 and its twin (another guid, the same business key) on two nodes at once.
post o000006.xml 1 "$T/k1" >/dev/null &
p1=$!
post twin.xml 2 "$T/k2" >/dev/null
wait $p1
is "one business key under two guids on two nodes: one accepted, one refused as existing (-301010)" \
	"$(cat "$T/k1" "$T/k2" | jq -r '.results[0].documents[0].returnStatus // .documents[0].returnStatus' | sort | paste -sd' ' -)" \
	"-301010 120"
is "one order stored for that key" "$(dbq "$DB" "SELECT count(*) FROM document WHERE kind = 311
	AND data::jsonb #>> '{h,orderNo}' = 'SO20241111ND000006'")" 1

# ------------------------------------------------------------------ a load, a node killed
ls "$T/signed" | grep -E '^[opwi]0000(0[7-9]|[1-9][0-9])' >"$T/all"
ls "$T/signed" | grep -E '^[opwi]00000[1-6]' >>"$T/all"
echo twin.xml >>"$T/all"
: >"$T/answers"
# client N: its files one by one to node N, "file code status curl-exit"; stops at its node's death.
client() {
	while read -r f; do
		_rc=0
		_code=$(curl -s --max-time 30 -o "$T/c$2.out" -w '%{http_code}' \
			-H "Authorization: Bearer $(token_of "$f")" \
			--data-binary @"$T/signed/$f" "$(url_of "$2")/api/v1/submissions") || _rc=$?
		_st=-
		[ "$_code" != 200 ] || _st=$(first_status "$T/c$2.out")
		echo "$f ${_code:-000} ${_st:--} $_rc" >>"$T/answers"
		[ "$_code" = 200 ] || [ $_rc -eq 0 ] || break
	done <"$1"
	return 0
}
# A follower of D4's feed on node 3 during the load: every cursor it is handed, in order.
: >"$T/followed"
follower() {
	_cur=0
	while :; do
		_last=$([ -e "$T/stop-follow" ] && echo 1 || echo 0)
		curl -s -H "Authorization: Bearer $TD" "$(url_of 3)/api/v1/receipts?after=$_cur&limit=20" >"$T/f.json" || :
		_next=$(jq -r '.next // empty' "$T/f.json" 2>/dev/null || :)
		jq -r '.receipts[].cursor' "$T/f.json" >>"$T/followed" 2>/dev/null || :
		[ -z "$_next" ] || _cur=$_next
		[ "$_last" = 0 ] || [ "$(jq '.receipts | length' "$T/f.json" 2>/dev/null || echo 1)" != 0 ] || break
	done
}
follower &
fpid=$!
kill_at_exit $fpid
# Three clients, files dealt in turn, the order shuffled: documents of one
# declaration (and one buyer's inventories) meet on different nodes.
awk 'BEGIN { srand(7) } { print rand() "\t" $0 }' "$T/all" | sort -n | cut -f2 >"$T/shuffled"
for k in 1 2 3; do awk -v k=$k 'NR % 3 == k % 3' "$T/shuffled" >"$T/list$k"; done
client "$T/list1" 1 &
c1=$!
client "$T/list2" 2 &
c2=$!
client "$T/list3" 3 &
c3=$!
kill_at_exit "$c1 $c2 $c3"
# Node 2 dies (SIGKILL) once 60 answers are in, whatever it is doing.
wait_until 600 answers_at_least 60 || diag "fewer than 60 answers before the kill"
kill -9 "$PID_2"
wait "$PID_2" 2>/dev/null || :
wait $c1 $c2 $c3 || :
answered() { awk '$2 == 200 && ($3 == "accepted" || $3 == "duplicate") { print $1 }' "$T/answers" | sort -u; }
answered >"$T/acked"
sort "$T/all" | comm -23 - "$T/acked" >"$T/pending"
diag "node 2 killed: $(wc -l <"$T/answers") answers in all, $(wc -l <"$T/pending") message(s) unanswered," \
	"$(awk '$4 == 52 || $4 == 56' "$T/answers" | wc -l) in flight"
ok "node 2 left messages unanswered" test -s "$T/pending"
# The unanswered ones again, to nodes 1 and 3 (node 2 restarted takes a share too).
start_node 2 --match-timeout 600
mv "$T/answers" "$T/answers-load"
: >"$T/answers"
for k in 1 2 3; do awk -v k=$k 'NR % 3 == k % 3' "$T/pending" >"$T/again$k"; done
client "$T/again1" 1 &
c1=$!
client "$T/again2" 3 &
c2=$!
client "$T/again3" 2
wait $c1 $c2
is "every message sent again is answered duplicate or accepted" \
	"$(awk '!($2 == 200 && ($3 == "accepted" || $3 == "duplicate"))' "$T/answers")" ""
cat "$T/answers" >>"$T/answers-load"
mv "$T/answers-load" "$T/answers"
answered >"$T/acked"
is "every message acknowledged in the end" "$(wc -l <"$T/acked")" "$(wc -l <"$T/all")"
is "no answer but 200, or none at all (the killed node)" "$(awk '$2 != 200 && $2 != "000"' "$T/answers")" ""
touch "$T/stop-follow"
wait $fpid || :

# ------------------------------------------------------------------ the database
for f in $(cat "$T/acked"); do sed -n 's/.*<ceb:guid>\([^<]*\)<.*/\1/p' "$T/signed/$f"; done | sort >"$T/acked-guids"
dbq "$DB" "SELECT guid FROM message ORDER BY guid COLLATE \"C\"" >"$T/db-guids"
LC_ALL=C sort "$T/acked-guids" >"$T/acked-sorted"
ok "every acknowledged message stored exactly once, and nothing else" cmp "$T/acked-sorted" "$T/db-guids"
is "one document per accepted message (the twin refused)" "$(dbq "$DB" "SELECT count(*) FROM message m
	WHERE (SELECT count(*) FROM document d WHERE d.message_id = m.id) <> 1")" 1
is "every document's first receipt exactly once" "$(dbq "$DB" "SELECT count(*) FROM document d
	WHERE (SELECT count(*) FROM receipt r WHERE r.document_id = d.id
	AND r.return_status = CASE WHEN d.kind = 621 THEN '2' ELSE '120' END) <> 1")" 0
is "no document has one status twice" "$(dbq "$DB" "SELECT count(*) FROM (SELECT document_id, return_status
	FROM receipt WHERE document_id IS NOT NULL GROUP BY document_id, return_status HAVING count(*) > 1) x")" 0
is "every inventory held (2 120 300) or over the annual limit (2 -621018), nothing else" \
	"$(dbq "$DB" "SELECT count(*) FROM document d WHERE d.kind = 621 AND NOT (
	(d.state = 'held' AND (SELECT string_agg(return_status, ' ' ORDER BY id) FROM receipt r
		WHERE r.document_id = d.id) = '2 120 300') OR
	(d.state = 'rejected' AND d.reason = 'annual' AND (SELECT string_agg(return_status, ' ' ORDER BY id)
		FROM receipt r WHERE r.document_id = d.id) = '2 -621018'))")" 0
matched=$(dbq "$DB" "SELECT count(*) FROM document WHERE kind = 621 AND state = 'held'")
is "the one buyer's inventories matched up to the annual limit: 49 of $NG" "$matched" 49
is "quota ledger = 49 x 526.00 CNY, within 26,000" "$(dbq "$DB" "SELECT sum(used) FROM quota")" \
	$((49 * 52600000))
# The feed: D4's receipts from every node, 7 at a time, against the database's.
dbq "$DB" "SELECT r.seq FROM receipt r JOIN enterprise e ON e.id = r.enterprise_id
	WHERE e.cop_code = '4403980XD4' ORDER BY r.seq" >"$T/feed-db"
feed() { # NODE: the cursors of D4's feed read in pages of 7
	_cur=0
	while :; do
		curl -s -H "Authorization: Bearer $TD" "$(url_of "$1")/api/v1/receipts?after=$_cur&limit=7" >"$T/p.json"
		[ "$(jq '.receipts | length' "$T/p.json")" -gt 0 ] || break
		jq -r '.receipts[].cursor' "$T/p.json"
		_cur=$(jq -r .next "$T/p.json")
	done
}
for k in 1 2 3; do
	feed $k >"$T/feed-$k"
	ok "node $k's feed has every receipt of the database, in feed order" cmp "$T/feed-db" "$T/feed-$k"
done
ok "the follower during the load was handed every receipt, none skipped, none twice" \
	cmp "$T/feed-db" "$T/followed"
is "feed positions are 1..N without a gap" "$(awk 'NR != $1' "$T/feed-db" | head -n 3)" ""

# ------------------------------------------------------------------ officers on two nodes
dbq "$DB" "SELECT document_id FROM review WHERE state = 'queued' ORDER BY document_id LIMIT 8" >"$T/held"
: >"$T/claims"
for id in $(cat "$T/held"); do
	curl -s -o /dev/null -w 'olga %{http_code}\n' -X POST -H "Authorization: Bearer $TO" \
		"$(url_of 1)/api/v1/review/$id/claim" >"$T/cl1" &
	p1=$!
	curl -s -o /dev/null -w 'oscar %{http_code}\n' -X POST -H "Authorization: Bearer $TS" \
		"$(url_of 3)/api/v1/review/$id/claim" >"$T/cl2"
	wait $p1
	echo "$id $(cat "$T/cl1" "$T/cl2" | awk '{ print $2 }' | sort | paste -sd' ' -)" >>"$T/claims"
done
is "two officers on two nodes claim each of 8 items at once: one 200, one 409 each" \
	"$(awk '{ print $2, $3 }' "$T/claims" | sort | uniq -c | awk '{ print $1, $2, $3 }')" "8 200 409"
is "and each item is claimed by one officer" "$(dbq "$DB" "SELECT count(*) FROM review
	WHERE document_id IN ($(paste -sd, "$T/held")) AND state = 'claimed' AND claimed_by IS NOT NULL")" 8
id=$(head -n 1 "$T/held")
owner=$(dbq "$DB" "SELECT u.name FROM review r JOIN \"user\" u ON u.id = r.claimed_by WHERE r.document_id = $id")
[ "$owner" = olga ] && { tw=$TO; tl=$TS; } || { tw=$TS; tl=$TO; }
status_is "the loser cannot decide it on another node (409)" 409 -X POST -H "Authorization: Bearer $tl" \
	--data '{"decision":"release","reason":"ok"}' "$(url_of 2)/api/v1/review/$id/decide"
status_is "the winner decides it on a third node" 200 -X POST -H "Authorization: Bearer $tw" \
	--data '{"decision":"release","reason":"checked"}' "$(url_of 2)/api/v1/review/$id/decide"

# ------------------------------------------------------------------ the sweep of three nodes
for k in 1 2 3; do stop_node $k || diag "node $k did not stop cleanly"; done
for k in 1 2 3; do start_node $k --match-timeout 1; done
is "a lone inventory is accepted" "$(post lone.xml 2 "$T/lone"; first_status "$T/lone")" "200accepted"
ok "three nodes' sweeps refuse it at the match timeout" wait_until 300 state_is SO20241111LONE000001 rejected
for k in 1 2 3; do stop_node $k || diag "node $k did not stop cleanly"; done
is "with one timeout receipt (100), not one per node" "$(dbq "$DB" "SELECT count(*) FROM receipt r
	JOIN document d ON d.id = r.document_id WHERE d.kind = 621
	AND d.data::jsonb #>> '{h,orderNo}' = 'SO20241111LONE000001' AND r.return_status = '100'")" 1

# ------------------------------------------------------------------ the audit trail
chains=$(dbq "$DB" "SELECT count(DISTINCT chain) FROM audit WHERE chain > 0")
diag "audit: $(dbq "$DB" 'SELECT count(*) FROM audit') records in $chains chain(s) beside chain 0"
is "an anchor ties the chains together" "$(adm audit anchor)" "anchor written"
ok "cebgate admin audit verify: the whole trail holds" adm audit verify
adm audit verify --json >"$T/verify.json" || :
json_is "with its anchors counted" "$T/verify.json" '.anchors >= 1' true
# Tampering needs the trigger out of the way: as the database's owner could.
head_id=$(dbq "$DB" "SELECT max(id) FROM audit WHERE chain = 1")
first_id=$(dbq "$DB" "SELECT min(id) FROM audit WHERE chain = 1")
dbq "$DB" "ALTER TABLE audit DISABLE TRIGGER USER; UPDATE audit SET detail = 'nothing' WHERE id = $first_id;
	ALTER TABLE audit ENABLE TRIGGER USER" >/dev/null
ok_fails "a record changed: verify fails" adm audit verify
like "its hash gives it away" "$(adm audit verify 2>&1 || :)" "record $first_id: its hash does not match"
dbq "$DB" "ALTER TABLE audit DISABLE TRIGGER USER; DELETE FROM audit WHERE id = $head_id;
	ALTER TABLE audit ENABLE TRIGGER USER" >/dev/null
like "the last record of a chain removed: the anchor that named it says so" "$(adm audit verify 2>&1 || :)" \
	"anchor [0-9]+: the head it names in chain 1 is missing or altered"
done_testing
