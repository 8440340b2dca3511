#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: the officer's desk for exports in the real cebgated
# (docs/export.md, "The officer's desk for exports"). A held 9610 inventory
# whose waybill states another gross weight is shown beside its order,
# receipt of payment and waybill, the difference marked and the documents
# not yet come said; released, listed, arrived and departed, its page shows
# the master/house list, arrival and departure beside it. Summarised, the
# application and its generated declaration are listed for officers only;
# an officer records the declaration's later facts: a later CEB792 for its
# declSeqNo (list empty, valid) reaches the declarant's feed, audited; the
# same facts again send nothing; a number recorded is never replaced; bad
# values, unknown declarations, admins, merchants and enterprises are refused.
# The declarant's outbox (cebgate receipts) keeps the results as one upsert
# per declSeqNo.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/export_desk_lib.sh"
need python3 jq

xdesk_setup
start_daemon --db "$DB" --random-rate 1000 --export-summary-any-month 1
J='Content-Type: application/json'
off() { http -H "Authorization: Bearer $TOFF" "$@"; }

# ------------------------------------------------------------ the held inventory beside its documents
xheld 1 '<ceb:grossWeight>1.35</ceb:grossWeight>=<ceb:grossWeight>1.50</ceb:grossWeight>'
ID=$(xinv 1 id)
is "GET /api/v1/declarations/ID of the export inventory: 200" "$(off "$URL/api/v1/declarations/$ID")" 200
cp "$T/out" "$T/v1.json"
json_is "its columns: the inventory and the six export documents" "$T/v1.json" '[.documents[].name]' \
	'["inventory","order","payment","waybill","arrival","departure","list"]'
json_is "order, receipt of payment and waybill are there; arrival, departure and list not yet" \
	"$T/v1.json" '[.documents[].present]' '[true,true,true,true,false,false,false]'
row() { jq -c --arg f "$2" '.comparison[] | select(.field == $f) | '"$3" "$1"; }
is "the gross weight differs: inventory 1.35, waybill 1.50" \
	"$(row "$T/v1.json" grossWeight '[.differs, .values.inventory, .values.waybill]')" '[true,"1.35","1.50"]'
is "the consignor agrees across inventory, order, payment and waybill" \
	"$(row "$T/v1.json" ebcCode '[.differs, (.values | length)]')" '[false,4]'
is "the order's value is the inventory's Σ totalPrice (258)" \
	"$(row "$T/v1.json" goodsValue '[.differs, .values.inventory, .values.order]')" '[false,"258.00","258.00"]'
is "the receipt of payment's charge is the order's goods and freight (293)" \
	"$(row "$T/v1.json" charge '[.differs, .values.order, .values.payment]')" '[false,"293.00","293.00"]'
is "the freight agrees between inventory and waybill" "$(row "$T/v1.json" freight .differs)" false
is "the import layout's buyer rows are not there" "$(jq '[.comparison[] | select(.field == "buyerName")] | length' "$T/v1.json")" 0

# ------------------------------------------------------------ released and departed: every document beside it
xrelease 1
xdepart 1
off "$URL/api/v1/declarations/$ID" >/dev/null
cp "$T/out" "$T/v2.json"
json_is "after the list, arrival and departure, every document is there" "$T/v2.json" \
	'[.documents[].present] | all' true
is "the master bill agrees across inventory, arrival, departure and list" \
	"$(row "$T/v2.json" billNo '[.differs, .values.inventory, .values.arrival, .values.departure, .values.list]')" \
	'[false,"000-12345675","000-12345675","000-12345675","000-12345675"]'
is "the parcel's bag is read from the line of the list that names it" \
	"$(row "$T/v2.json" totalPackageNo '[.values.arrival, .values.departure, .values.list]')" \
	'["ZZ-BAG-0001","ZZ-BAG-0001","ZZ-BAG-0001"]'
N1=$(xinv 1 invt_no)
is "the list names the inventory by its customs number" \
	"$(row "$T/v2.json" invtNo '[.differs, .values.inventory, .values.list]')" "[false,\"$N1\",\"$N1\"]"
is "the gross weight still differs" "$(row "$T/v2.json" grossWeight .differs)" true

# ------------------------------------------------------------ summarised: the application and its declaration
xmk s1 701 11 "LIST=$N1"
xpost s1
is "the inventory is summarised" "$(xinv 1 state)" summarized
is "GET /api/v1/summaries as an officer: 200" "$(off "$URL/api/v1/summaries")" 200
cp "$T/out" "$T/s.json"
json_is "one application, accepted (702 399) with a sumNo" "$T/s.json" \
	'[(.applications | length), .applications[0].returnStatus, (.applications[0].sumNo | test("^S[0-9]{17}$"))]' \
	'[1,"399",true]'
DECL=$(jq -r '.applications[0].declarations[0].declSeqNo' "$T/s.json")
SUMNO=$(jq -r '.applications[0].sumNo' "$T/s.json")
like "its declaration has a declSeqNo" "$DECL" '^H[0-9]{17}$'
json_is "with the consignor, the weights, the rows and the inventory, state 1" "$T/s.json" \
	'.applications[0] | [.ebcCode, .declarations[0].grossWeight, .declarations[0].rows, .declarations[0].inventories[0] == "'"$N1"'", .declarations[0].decState, .declarations[0].entryId]' \
	'["3301960XE2","1.35",2,true,"1",""]'
json_is "the accepted decState values come with it" "$T/s.json" '[.decStates[].code] | index("3") != null' true

# ------------------------------------------------------------ who may
status_is "a merchant may not list summaries (403)" 403 -H "Authorization: Bearer $TMER" "$URL/api/v1/summaries"
rec() { http -H "Authorization: Bearer $1" -H "$J" --data "$3" "$URL/api/v1/summary-declarations/$2"; }
is "a merchant may not record a declaration's facts (403)" "$(rec "$TMER" "$DECL" '{"decState":"3"}')" 403
is "nor the declarant's token (403)" "$(rec "$TB" "$DECL" '{"decState":"3"}')" 403
is "nor an admin: officers record (403)" "$(rec "$TADM" "$DECL" '{"decState":"3"}')" 403
is "nor anyone without a login (401)" \
	"$(http -H "$J" --data '{"decState":"3"}' "$URL/api/v1/summary-declarations/$DECL")" 401
is "a decState outside the accepted values: 400" "$(rec "$TOFF" "$DECL" '{"decState":"X"}')" 400
is "no decState: 400" "$(rec "$TOFF" "$DECL" '{"entryId":"290120241000004567"}')" 400
is "an entryId that is not 18 letters or digits: 400" "$(rec "$TOFF" "$DECL" '{"decState":"3","entryId":"2901"}')" 400
is "an unknown declSeqNo: 404" "$(rec "$TOFF" H20990101000000001 '{"decState":"3"}')" 404
is "nothing of the refusals reached the declarant's feed" \
	"$(curl -s -H "Authorization: Bearer $TB" "$URL/api/v1/receipts?after=0&limit=1000" | jq '[.receipts[] | select(.type == "CEB792Message")] | length')" 1

# ------------------------------------------------------------ recording the later facts
r792() {
	curl -s -H "Authorization: Bearer $TB" "$URL/api/v1/receipts?after=0&limit=1000" |
		jq -r --arg k "$DECL" "[.receipts[] | select(.type == \"CEB792Message\" and (.xml | contains(\$k)))] | $1"
}
is "the officer records entryId and decState 3: 200" \
	"$(rec "$TOFF" "$DECL" '{"decState":"3","entryId":"290120241000004567"}')" 200
json_is "the answer says it changed, with the facts as they stand" "$T/out" \
	'[.changed, .entryId, .decState, .sumNo == "'"$SUMNO"'"]' '[true,"290120241000004567","3",true]'
is "a later CEB792 for that declSeqNo is in the declarant's feed" "$(r792 length)" 2
r792 '.[-1].xml' >"$T/later.xml"
ok "the later 792 is a valid summary result" "$CEBGATE" validate --unsigned "$T/later.xml"
file_contains "it carries the entryId" "$T/later.xml" '<ceb:entryId>290120241000004567</ceb:entryId>'
file_contains "and the new decState" "$T/later.xml" '<ceb:decState>3</ceb:decState>'
file_contains "for the same sumNo" "$T/later.xml" "<ceb:sumNo>$SUMNO</ceb:sumNo>"
is "its list is empty, as the standard allows for later results" "$(grep -c 'SummaryResultList' "$T/later.xml" || :)" 0
is "the feed shows its decState" "$(r792 '.[-1].returnStatus')" 3
is "the same facts again: 200" "$(rec "$TOFF" "$DECL" '{"decState":"3","entryId":"290120241000004567"}')" 200
json_is "nothing changed" "$T/out" .changed false
is "and no second later 792 went out" "$(r792 length)" 2
is "an entryId recorded already is never replaced by another: 409" \
	"$(rec "$TOFF" "$DECL" '{"decState":"3","entryId":"290120241000009999"}')" 409
is "the pre-entry number and decState 4 later: 200" \
	"$(rec "$TOFF" "$DECL" '{"decState":"4","decPreNo":"290120241000123456"}')" 200
r792 '.[-1].xml' >"$T/third.xml"
file_contains "the third 792 keeps the entryId" "$T/third.xml" '<ceb:entryId>290120241000004567</ceb:entryId>'
file_contains "and adds the pre-entry number" "$T/third.xml" '<ceb:decPreNo>290120241000123456</ceb:decPreNo>'
is "the declaration's row has the facts" \
	"$(dbq "$DB" "SELECT entry_id || ' ' || dec_pre_no || ' ' || dec_state FROM export_summary_decl WHERE decl_seq_no = '$DECL'")" \
	"290120241000004567 290120241000123456 4"
is "the audit trail records each change, naming the officer" \
	"$(dbq "$DB" "SELECT count(*) FROM audit WHERE action = 'summary result' AND actor = 'olga'")" 2
off "$URL/api/v1/summaries" >/dev/null
json_is "the list shows the facts as they stand" "$T/out" \
	'.applications[0].declarations[0] | [.decState, .entryId, .decPreNo, .decTmpNo]' \
	'["4","290120241000004567","290120241000123456",""]'

# ------------------------------------------------------------ the declarant's side: one result per declSeqNo
echo "$TB" >"$T/tb"
"$CEBGATE" receipts --server "$URL" --token-file "$T/tb" --outbox "$T/ob.db" --json >"$T/rc.json" 2>"$T/rc.err" || :
json_is "cebgate receipts keeps the three 792s as one summary result" "$T/rc.json" \
	'[(.summaryResults | length), .summaryResults[0].results]' '[1,3]'
json_is "merged: numbers from the later ones, rows from the first, the latest decState" "$T/rc.json" \
	'.summaryResults[0] | [.declSeqNo == "'"$DECL"'", .entryId, .decPreNo, .rows, .decState]' \
	'[true,"290120241000004567","290120241000123456",2,"4"]'
"$CEBGATE" receipts --server "$URL" --token-file "$T/tb" --outbox "$T/ob.db" >"$T/rc.txt" 2>&1 || :
file_contains "and lists it in words" "$T/rc.txt" "$DECL"
is "the database is sound" "$(db_sound "$DB")" ok
stop_daemon
done_testing
