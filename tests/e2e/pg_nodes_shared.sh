#!/bin/sh
# SPDX-License-Identifier: MIT
# Two cebgated nodes on one PostgreSQL database and one shared state
# directory (docs/postgresql.md): a long-poll parked on node B is woken by a
# submission on node A (LISTEN/NOTIFY); an upload sent to A is read, with its
# findings and documents, from B; a custodial key handed over on A signs on B.
# PostgreSQL only: tests/pg/pg_nodes_shared.pg (make check), or CG_TEST_DB=pg.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
on_pg || skip_all "several nodes need PostgreSQL (tests/pg/pg_nodes_shared.pg, or CG_TEST_DB=pg)"

DB=$(new_db n)
M=$top_srcdir/samples/merchant
adm enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
"$CEBGATE" keygen --sm2 --key "$T/a.key" --cert "$T/a.crt" --serial 3000000000CDE6F >/dev/null
adm cert add 4403960XA1 "$T/a.crt"
TA=$(adm token new --enterprise 4403960XA1)
PW=merchantpass1 adm user add mia merchant --enterprise 4403960XA1 --pass-env PW
TM=$(adm token new --user mia)
printf 'custody passphrase 1\n' >"$T/custody.pass"

# Both nodes keep their files in $T/state (start_daemon on PostgreSQL): the
# storage every node shares.
start_daemon --db "$DB" --custody-pass-file "$T/custody.pass" --max-wait 30
A=$URL
kill_at_exit "$pid"
start_daemon --db "$DB" --custody-pass-file "$T/custody.pass" --max-wait 30
B=$URL

call() { # BASE TOKEN METHOD PATH [BODY-FILE] -> status; body in $T/out
	http -X "$3" -H "Authorization: Bearer $2" ${5:+--data-binary @"$5"} "$1$4"
}
parked() { # BASE N: N long-polls are parked there
	[ "$(curl -s "$1/metrics" | awk '$1 == "cebgate_long_polls_waiting" { print $2 }')" = "$2" ]
}

# A long-poll of 30 s on B: the receipt can only come in it through a wake-up
# from A (B looks again on its own every 60 s; nothing is written on B).
curl -s --max-time 60 -H "Authorization: Bearer $TA" \
	"$B/api/v1/receipts?after=0&wait=30" >"$T/poll" &
poll=$!
kill_at_exit $poll
ok "the long-poll is parked on node B" wait_until 300 parked "$B" 1
"$CEBGATE" sign --key "$T/a.key" --cert "$T/a.crt" "$S/CEB311-order.xml" -o "$T/o.xml"
is "an order is accepted on node A" \
	"$(http -H "Authorization: Bearer $TA" --data-binary @"$T/o.xml" "$A/api/v1/submissions")" 200
ok "the long-poll on B answers" wait "$poll"
json_is "with the receipt of the order accepted on A" "$T/poll" \
	'[.receipts[] | [.type, .returnStatus]]' '[["CEB312Message","120"]]'

U=/api/v1/uploads
is "a merchant's upload is sent to node A (201)" \
	"$(call "$A" "$TM" POST "$U?name=orders-bad.csv" "$M/orders-bad.csv")" 201
ID=$(jv "$T/out" .id)
cp "$T/out" "$T/upload-a.json"
is "node B answers the upload" "$(call "$B" "$TM" GET "$U/$ID")" 200
json_is "with A's result" "$T/out" '[.state, .records, .valid, .invalid, .sha256]' \
	"$(jq -c '[.state, .records, .valid, .invalid, .sha256]' "$T/upload-a.json")"
is "B answers its findings as CSV" "$(call "$B" "$TM" GET "$U/$ID/findings.csv")" 200
is "and a canonical document read from the kept file" "$(call "$B" "$TM" GET "$U/$ID/documents/1")" 200
ok "that validates" "$CEBGATE" validate --unsigned "$T/out"
jq -n --rawfile c "$T/a.crt" --rawfile k "$T/a.key" '{certificate: $c, key: $k}' >"$T/custody.json"
is "the enterprise's key is handed over on node A (201)" \
	"$(call "$A" "$TM" POST /api/v1/enterprises/4403960XA1/custody "$T/custody.json")" 201
is "node B signs the upload's orders with it and submits them" \
	"$(call "$B" "$TM" POST "$U/$ID/submit")" 200
json_is "all accepted" "$T/out" '[.submitted, .accepted]' '[4,4]'
is "five messages stored once each" "$(dbq "$DB" 'SELECT count(*) FROM message')" 5
done_testing
