#!/bin/sh
# SPDX-License-Identifier: MIT
# cebgated through a restart of its PostgreSQL server in the middle of a load.
# Two clients submit distinct signed orders, each sending a message again
# until it is answered 200 (accepted or duplicate), as the API asks of
# clients. The server is stopped (fast: every connection cut) while they
# run: requests are answered 503 with Retry-After, never 500 and never a
# half-written result; /readyz says 503 until the server is back, 200 after;
# the clients finish. Then every order is stored exactly once, with one
# document and one receipt, and another pass answers only duplicate. Then one
# connection is cut in the middle of a pipeline: that message is answered 503,
# nothing of it stored, and accepted once when sent again. Last, a node
# refuses to start on a schema newer than it knows.
# PostgreSQL only: tests/pg/pg_outage.pg (make check), or CG_TEST_DB=pg.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
on_pg || skip_all "a database server's restart needs PostgreSQL (tests/pg/pg_outage.pg, or CG_TEST_DB=pg)"
N=120

DB=$(new_db o)
adm enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
"$CEBGATE" keygen --sm2 --key "$T/a.key" --cert "$T/a.crt" --serial 3000000000CDE6F >/dev/null
adm cert add 4403960XA1 "$T/a.crt"
TA=$(adm token new --enterprise 4403960XA1)
mkdir "$T/in" "$T/signed"
i=1
while [ $i -le $N ]; do
	k=$(printf '%06d' $i)
	sed -e "s/SO202411110000123456/SO20241111OUTG$k/" \
		-e "s/309FF3B5-9896-4379-93C3-706DB153EEF5/309FF3B5-9896-4379-93C3-706DB1$k/g" \
		"$S/CEB311-order.xml" >"$T/in/o$k.xml"
	i=$((i + 1))
done
"$CEBGATE" sign --key "$T/a.key" --cert "$T/a.crt" "$T/in" -o "$T/signed"
ls "$T/signed" >"$T/all"

start_daemon --db "$DB" --threads 4
is "/readyz says ready" "$(http "$URL/readyz")" 200

first_status() { grep -o '"status": "[a-z]*"' "$1" 2>/dev/null | head -n 1 | cut -d'"' -f4; }
# client ID LIST: each file until 200 accepted/duplicate; "file code status
# retry-after" per answer in $T/answers (000: no answer).
client() {
	while read -r f; do
		while :; do
			code=$(curl -s --max-time 30 -D "$T/h$1" -o "$T/o$1" -w '%{http_code}' \
				-H "Authorization: Bearer $TA" --data-binary @"$T/signed/$f" \
				"$URL/api/v1/submissions") || code=000
			st=$(first_status "$T/o$1")
			ra=$(grep -i '^Retry-After:' "$T/h$1" 2>/dev/null | tr -d '\r' | cut -d' ' -f2)
			echo "$f $code ${st:--} ${ra:--}" >>"$T/answers"
			case $code/$st in
			200/accepted | 200/duplicate) break ;;
			esac
			# A client waits before sending again (Retry-After says 2 s; a test need not).
			sleep 0.1
		done
	done <"$2"
}
: >"$T/answers"
awk 'NR % 2 == 1' "$T/all" >"$T/half1"
awk 'NR % 2 == 0' "$T/all" >"$T/half2"
client 1 "$T/half1" &
c1=$!
kill_at_exit $c1
client 2 "$T/half2" &
c2=$!
kill_at_exit $c2
answered() { [ "$(wc -l <"$T/answers")" -ge "$1" ]; }
ok "the load is under way" wait_until 600 answered 20
ok "the database server stops (fast: connections cut)" pg_halt
readyz_is() { [ "$(http "$URL/readyz")" = "$1" ]; }
ok "/readyz says 503 while it is down" wait_until 300 readyz_is 503
ok "the clients are answered 503 meanwhile" wait_until 300 grep -q ' 503 ' "$T/answers"
is "a request now is answered 503" \
	"$(http -H "Authorization: Bearer $TA" --data-binary @"$T/signed/$(head -n 1 "$T/all")" \
		"$URL/api/v1/submissions")" 503
like "with Retry-After" "$(header Retry-After)" '^[1-9][0-9]*$'
json_is "and says why, nothing more" "$T/out" '.error | test("database")' true
ok "the database server starts again" pg_resume
ok "/readyz says 200 again" wait_until 300 readyz_is 200
ok "the first client finishes" wait $c1
ok "the second client finishes" wait $c2
diag "answers: $(awk '{ print $2 }' "$T/answers" | sort | uniq -c | awk '{ printf "%s x %s; ", $1, $2 }')"
is "no answer but 200 or 503 (no 500, no half-written result)" \
	"$(awk '$2 != 200 && $2 != 503' "$T/answers")" ""
is "every 503 carries Retry-After" "$(awk '$2 == 503 && $4 == "-"' "$T/answers")" ""
is "every 200 is a whole accepted or duplicate result" \
	"$(awk '$2 == 200 && $3 != "accepted" && $3 != "duplicate"' "$T/answers")" ""
is "every order is acknowledged" \
	"$(awk '$2 == 200 { print $1 }' "$T/answers" | sort -u | wc -l)" $N
sq() { dbq "$DB" "$1"; }
for f in $(cat "$T/all"); do sed -n 's/.*<ceb:guid>\([^<]*\)<.*/\1/p' "$T/signed/$f"; done |
	sort >"$T/guids"
sq "SELECT guid FROM message ORDER BY guid" >"$T/db-guids"
ok "every order's guid is stored exactly once, nothing else" cmp "$T/guids" "$T/db-guids"
is "one document per message" "$(sq 'SELECT count(*) FROM document')" $N
is "one receipt per order" "$(sq 'SELECT count(*) FROM receipt')" $N
is "each accepted document has exactly one receipt" "$(sq 'SELECT count(*) FROM document d
	WHERE (SELECT count(*) FROM receipt r WHERE r.document_id = d.id) <> 1')" 0
is "the enterprise's receipts feed lists them all" \
	"$(curl -s -H "Authorization: Bearer $TA" "$URL/api/v1/receipts?after=0&limit=1000" |
		jq '.receipts | length')" $N
: >"$T/answers"
client 3 "$T/all"
is "another pass answers only duplicate" "$(awk '$3 == "duplicate"' "$T/answers" | wc -l)" $N
is "and adds no row" "$(sq 'SELECT count(*) FROM message')" $N

# A connection cut in the middle of a libpq pipeline: the message's insert is
# sent with its savepoint and release in one round trip (db_pg.c, guarded());
# a trigger ends the server process serving it as that insert runs.
k=999999
sed -e "s/SO202411110000123456/SO20241111OUTG$k/" \
	-e "s/309FF3B5-9896-4379-93C3-706DB153EEF5/309FF3B5-9896-4379-93C3-706DB1$k/g" \
	"$S/CEB311-order.xml" >"$T/cut.xml"
"$CEBGATE" sign --key "$T/a.key" --cert "$T/a.crt" "$T/cut.xml" -o "$T/cut-signed.xml"
sq "CREATE FUNCTION cg_test_cut() RETURNS trigger LANGUAGE plpgsql AS \$\$
	BEGIN
		IF NEW.guid LIKE '%$k' THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
		RETURN NEW;
	END \$\$;
	CREATE TRIGGER cg_test_cut BEFORE INSERT ON message FOR EACH ROW EXECUTE FUNCTION cg_test_cut()" >/dev/null
submit_cut() {
	http -H "Authorization: Bearer $TA" --data-binary @"$T/cut-signed.xml" "$URL/api/v1/submissions"
}
is "a message whose insert loses the connection mid-pipeline is answered 503" "$(submit_cut)" 503
like "with Retry-After" "$(header Retry-After)" '^[1-9][0-9]*$'
file_contains "the server's process serving it ended" "${CG_TEST_PG_DIR:?}/server.log" 'terminating connection due to administrator command'
is "nothing of it is stored" "$(sq "SELECT count(*) FROM message WHERE guid LIKE '%$k'")" 0
is "and nothing else changed" "$(sq 'SELECT count(*) FROM message')" $N
sq "DROP TRIGGER cg_test_cut ON message; DROP FUNCTION cg_test_cut()" >/dev/null
cut_accepted() { [ "$(submit_cut)" = 200 ] && [ "$(first_status "$T/out")" = accepted ]; }
ok "sent again, on a new connection, it is accepted" wait_until 300 cut_accepted
is "stored once, with one document and one receipt" \
	"$(sq "SELECT count(*), (SELECT count(*) FROM document), (SELECT count(*) FROM receipt)
		FROM message WHERE guid LIKE '%$k'" | tr '|' ' ')" "1 $((N + 1)) $((N + 1))"
ok "cebgated stops cleanly" stop_daemon

# A schema newer than this cebgate: another node of a later release migrated it.
sq "UPDATE cg_schema_version SET version = version + 1" >/dev/null
rc=0
timeout 120 "$CEBGATED" --db "$DB" --port 0 --state-dir "$T/state" 2>"$T/newer.log" || rc=$?
is "a node refuses to start on a newer schema (exit 1)" $rc 1
file_contains "saying so" "$T/newer.log" 'is newer than this cebgate'
done_testing
