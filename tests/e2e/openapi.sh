#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: the API's OpenAPI 3.1 description (GET /api/v1/openapi.json) against the
# real cebgated. The document is OpenAPI 3.1 (structure, every schema valid JSON Schema
# 2020-12, every $ref found); it describes exactly the routes of `cebgated --routes`,
# each with its own words in src/server/openapi.json; then every route is walked with
# real requests by every caller of the permission matrix (tests/e2e/permissions.tsv)
# and by the extra calls below that reach each route's success, and each answer is
# checked against its operation: status listed, content type described, JSON body
# valid against the schema (required fields, types, timestamps ISO 8601 with offset).
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/desk_lib.sh"
. "$top_srcdir/tests/e2e/matrix_lib.sh"
. "$top_srcdir/tests/e2e/export_desk_lib.sh"
need jq python3
python3 -c 'import jsonschema' 2>/dev/null || skip_all "python3-jsonschema is not installed"
CHECK=$top_srcdir/tests/e2e/openapi_check.py
matrix_setup

# report FILE: the checker's PASS/FAIL lines as TAP.
report() {
	while IFS= read -r line; do
		case $line in
		PASS\ *) pass "${line#PASS }" ;;
		FAIL\ *) fail "${line#FAIL }" ;;
		*) diag "$line" ;;
		esac
	done <"$1"
}

status_is "GET /api/v1/openapi.json: 200" 200 "$URL/api/v1/openapi.json"
cp "$T/out" "$T/doc.json"
is "served as JSON" "$(header Content-Type)" "application/json; charset=utf-8"
json_is "its version is cebgated's" "$T/doc.json" .info.version \
	"$("$CEBGATED" --version | sed -n '1s/.* //p')"
python3 "$CHECK" doc "$T/doc.json" >"$T/doc.check" 2>"$T/doc.err" || diag_file "$T/doc.err"
report "$T/doc.check"

# Exactly the routes of the table, and in the source exactly those descriptions.
"$CEBGATED" --routes | cut -d' ' -f1,2 | sort >"$T/routes"
jq -r '.paths | to_entries[] | .key as $p | .value | keys[] | "\(ascii_upcase) \($p)"' \
	"$T/doc.json" | sort >"$T/described"
is "the document describes every route of cebgated --routes, and nothing else" \
	"$(comm -3 "$T/routes" "$T/described" | tr '\n' ';')" ""
jq -r '.paths | to_entries[] | .key as $p | .value | keys[] | "\(ascii_upcase) \($p)"' \
	"$top_srcdir/src/server/openapi.json" | sort >"$T/source"
is "src/server/openapi.json describes exactly the routes (a new route needs its description)" \
	"$(comm -3 "$T/routes" "$T/source" | tr '\n' ';')" ""
json_is "what the table knows is added: roles" "$T/doc.json" \
	'.paths["/api/v1/review/{id}/claim"].post["x-roles"]' '["officer","admin"]'
json_is "path parameters" "$T/doc.json" \
	'[.paths["/api/v1/review/{id}/claim"].post.parameters[] | select(.in == "path") | .name]' '["id"]'
json_is "and the refusals of a route behind a login" "$T/doc.json" \
	'.paths["/api/v1/review"].get.responses | has("401") and has("403")' true

# ---- the walk: every answer recorded, then checked against the document
mkdir "$T/w"
: >"$T/index"
k=0
# record WHO TOKEN METHOD PATTERN PATH [CURL-ARGS...]: one real request, kept for the check.
record() {
	_who=$1 _tok=$2 _m=$3 _pat=$4 _path=$5
	shift 5
	k=$((k + 1))
	_w=$(curl -s -o "$T/w/$k" -w '%{http_code}\t%{content_type}' -X "$_m" \
		${_tok:+-H "Authorization: Bearer $_tok"} "$@" "$URL$_path") || :
	printf '%s\t%s\t%s\t%s\t%s\n' "$k" "$_m" "$_pat" "$_who" "$_w" >>"$T/index"
}
# row_calls METHOD PATTERN BODY: the row as each caller of the matrix.
row_calls() {
	_p=$(concrete "$2")
	_b=$(matrix_body "$3")
	for _c in admin:$TADM officer:$TOFF merchant:$TMER enterprise:$TA logistics:$TLOG anonymous:; do
		record "${_c%%:*}" "${_c#*:}" "$1" "$2" "$_p" ${_b:+--data-binary "$_b"}
	done
}
tab=$(printf '\t')
while IFS=$tab read -r method pattern body _rest; do
	row_calls "$method" "$pattern" "$body"
done <"$T/rows"

# The successes the matrix does not reach (its rows prove the refusals); new tokens,
# since the matrix's logout row ended every caller's.
TADM=$(adm token new --user ada)
TOFF=$(adm token new --user olga)
TMER=$(adm token new --user mia)
TA=$(adm token new --enterprise 4403960XA1)
J='Content-Type: application/json'
B2=4403960XB2
"$CEBGATE" keygen --sm2 --key "$T/b2.key" --cert "$T/b2.crt" --serial 3000000000B2B2 >/dev/null
record admin "$TADM" POST '/api/v1/enterprises/{code}/certificates' "/api/v1/enterprises/$B2/certificates" \
	--data-binary @"$T/b2.crt"
record admin "$TADM" GET '/api/v1/enterprises/{code}/certificates/{serial}' \
	"/api/v1/enterprises/$B2/certificates/3000000000b2b2"
record admin "$TADM" DELETE '/api/v1/enterprises/{code}/certificates/{serial}' \
	"/api/v1/enterprises/$B2/certificates/3000000000b2b2"
record admin "$TADM" PATCH '/api/v1/users/{name}' /api/v1/users/ben -H "$J" --data '{"disabled":true}'
record admin "$TADM" PATCH '/api/v1/enterprises/{code}' "/api/v1/enterprises/$B2" -H "$J" \
	--data '{"disabled":false}'
tid=$(curl -s -H "Authorization: Bearer $TADM" "$URL/api/v1/tokens" | jq -r '[.tokens[].id] | max')
record admin "$TADM" DELETE '/api/v1/tokens/{token}' "/api/v1/tokens/$tid"
ID2=$(curl -s -H "Authorization: Bearer $TADM" "$URL/api/v1/review" | jq -r '.items[-1].id')
record admin "$TADM" POST '/api/v1/review/{id}/claim' "/api/v1/review/$ID2/claim"
record admin "$TADM" POST '/api/v1/review/{id}/decide' "/api/v1/review/$ID2/decide" -H "$J" \
	--data '{"decision":"release","reason":"documents agree"}'
record officer "$TOFF" GET /api/v1/review '/api/v1/review?state=held&limit=5'
record enterprise "$TA" GET /api/v1/receipts '/api/v1/receipts?after=0&limit=2'
record enterprise "$TA" GET /api/v1/declarations '/api/v1/declarations?limit=3'
record anonymous "" GET '/api/v1/explain/{code}' /api/v1/explain/-621029
record anonymous "" GET '/api/v1/explain/{code}' /api/v1/explain/NO-SUCH-CODE
record anonymous "" POST /api/v1/login /api/v1/login -H "$J" --data '{"user":"leo","password":"wrong"}'
record merchant "$TMER" POST /api/v1/uploads '/api/v1/uploads?name=order.xml' \
	--data-binary @"$S/CEB311-order.xml"
UP2=$(jq -r .id "$T/w/$k")
record merchant "$TMER" GET '/api/v1/uploads/{id}' "/api/v1/uploads/$UP2"
record merchant "$TMER" GET '/api/v1/uploads/{id}/documents/{seq}' "/api/v1/uploads/$UP2/documents/1"
record merchant "$TMER" GET '/api/v1/uploads/{id}/findings.csv' "/api/v1/uploads/$UP2/findings.csv"
record merchant "$TMER" POST '/api/v1/uploads/{id}/submit' "/api/v1/uploads/$UP2/submit"
# The 179 interface (a platform URL nobody answers at: the request is kept as failed),
# the tax-bill statement, and a webhook endpoint through its whole life.
record admin "$TADM" POST '/api/v1/enterprises/{code}/pay179' /api/v1/enterprises/4403960XA1/pay179 \
	-H "$J" --data '{"url":"http://127.0.0.1:9/179"}'
record officer "$TOFF" POST '/api/v1/declarations/{id}/pay179' "/api/v1/declarations/$ID2/pay179"
record anonymous "" POST /ceb2grab/grab/realTimeDataUpload /ceb2grab/grab/realTimeDataUpload \
	--data-urlencode 'payExInfoStr={}'
record officer "$TOFF" GET '/api/v1/enterprises/{code}/tax-bills' \
	'/api/v1/enterprises/4403960XA1/tax-bills?month=202612'
record officer "$TOFF" GET '/api/v1/enterprises/{code}/tax-bills.csv' \
	'/api/v1/enterprises/4403960XA1/tax-bills.csv?month=202612'
record enterprise "$TA" POST /api/v1/webhooks /api/v1/webhooks -H "$J" \
	--data '{"url":"https://127.0.0.1:9/hook"}'
WH=$(jq -r .id "$T/w/$k")
record merchant "$TMER" GET /api/v1/webhooks /api/v1/webhooks
record merchant "$TMER" GET '/api/v1/webhooks/{id}/deliveries' "/api/v1/webhooks/$WH/deliveries"
record merchant "$TMER" POST '/api/v1/webhooks/{id}/resend' "/api/v1/webhooks/$WH/resend"
record enterprise "$TA" DELETE '/api/v1/webhooks/{id}' "/api/v1/webhooks/$WH"
# An export parcel taken to its summary: the summaries and a generated declaration's later facts.
xdesk_parties
xheld 1
xrelease 1
xdepart 1
xmk s1 701 11 "LIST=$(xinv 1 invt_no)"
xpost s1
DECL=$(dbq "$DB" "SELECT decl_seq_no FROM export_summary_decl")
record officer "$TOFF" GET /api/v1/summaries /api/v1/summaries
record officer "$TOFF" POST '/api/v1/summary-declarations/{decl}' "/api/v1/summary-declarations/$DECL" \
	-H "$J" --data '{"decState":"3","entryId":"290120241000004567"}'
record officer "$TOFF" POST '/api/v1/summary-declarations/{decl}' "/api/v1/summary-declarations/$DECL" \
	-H "$J" --data '{"decState":"3","entryId":"290120241000009999"}'
record officer "$TOFF" POST /api/v1/logout /api/v1/logout
is "every request answered" "$(grep -c "$tab"000"$tab" "$T/index" || :)" 0

python3 "$CHECK" walk "$T/doc.json" "$T/index" "$T/w" >"$T/walk.check" 2>"$T/walk.err" ||
	diag_file "$T/walk.err"
report "$T/walk.check"
stop_daemon
done_testing
