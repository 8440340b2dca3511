#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: the registry over HTTP. An admin registers an enterprise, its
# certificate, a merchant user and a token with the API alone, and that token
# then submits a signed declaration; everyone else is refused; every change is
# in the audit trail and no password or token hash is ever shown.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"

echo "1..17"
DB=$T/r.db
"$CEBGATE" admin --db "$DB" enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
PW=adminpass123 "$CEBGATE" admin --db "$DB" user add ada admin --pass-env PW
PW=officerpass1 "$CEBGATE" admin --db "$DB" user add olga officer --pass-env PW
TADM=$("$CEBGATE" admin --db "$DB" token new --user ada)
TOFF=$("$CEBGATE" admin --db "$DB" token new --user olga)
TENT=$("$CEBGATE" admin --db "$DB" token new --enterprise 4403960XA1)
start_daemon --db "$DB"

call() { # TOKEN METHOD PATH [BODY-FILE] [CONTENT-TYPE] -> body in $T/out, status printed
	curl -s -o "$T/out" -w '%{http_code}' -X "$2" ${1:+-H "Authorization: Bearer $1"} \
		-H "Content-Type: ${5:-application/json}" ${4:+--data-binary @"$4"} "$URL$3"
}
j() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/out" "$1"; }
body() { printf '%s' "$1" >"$T/body"; }

check "the admin lists the enterprises" \
	"[ \$(call $TADM GET /api/v1/enterprises) = 200 ] && [ \"\$(j '[e[\"copCode\"] for e in r[\"enterprises\"]]')\" = \"['4403960XA1']\" ]"
check "an officer may not read the registry (403)" "[ \$(call $TOFF GET /api/v1/enterprises) = 403 ]"
check "nor an enterprise (403)" "[ \$(call $TENT GET /api/v1/users) = 403 ]"
check "nor anyone without a token (401)" "[ \$(call '' GET /api/v1/enterprises) = 401 ]"
body '{"copCode":"4403960XB2","name":"示例电商","roles":"ebc","dxpId":"DXPENT0000999902"}'
check "the admin registers an enterprise (201)" "[ \$(call $TADM POST /api/v1/enterprises $T/body) = 201 ]"
check "the same copCode again is a conflict (409)" "[ \$(call $TADM POST /api/v1/enterprises $T/body) = 409 ]"
body '{"copCode":"x'"'"'; DROP TABLE user;--","name":"x","roles":"ebp"}'
check "a malformed copCode is refused (400), and nothing is dropped" \
	"[ \$(call $TADM POST /api/v1/enterprises $T/body) = 400 ] && [ \$(call $TADM GET /api/v1/users) = 200 ]"
body '{"copCode":"4403960XC3","name":"y","roles":"ebp","roles":"pay"}'
check "a body with a duplicate key is refused (400)" "[ \$(call $TADM POST /api/v1/enterprises $T/body) = 400 ]"
"$CEBGATE" keygen --sm2 --key "$T/b.key" --cert "$T/b.crt" --serial 3000000000ABCDE
check "its SM2 certificate is registered from the PEM body (201, serial)" \
	"[ \$(call $TADM POST /api/v1/enterprises/4403960XB2/certificates $T/b.crt application/x-pem-file) = 201 ] && [ \"\$(j 'r[\"serial\"]')\" = 03000000000abcde ]"
check "the same certificate again is a conflict (409)" \
	"[ \$(call $TADM POST /api/v1/enterprises/4403960XB2/certificates $T/b.crt application/x-pem-file) = 409 ]"
check "a certificate for an unknown enterprise: 404; a key instead of a certificate: 400" \
	"[ \$(call $TADM POST /api/v1/enterprises/NOSUCH/certificates $T/b.crt) = 404 ] && [ \$(call $TADM POST /api/v1/enterprises/4403960XB2/certificates $T/b.key) = 400 ]"
body '{"name":"mia","role":"merchant","enterprise":"4403960XB2","password":"merchantpass1"}'
check "a merchant user is registered (201) and the answer has no password" \
	"[ \$(call $TADM POST /api/v1/users $T/body) = 201 ] && ! grep -q merchantpass1 $T/out"
check "she logs in with that password" \
	"[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data '{\"user\":\"mia\",\"password\":\"merchantpass1\"}' $URL/api/v1/login) = 200 ]"
check "the user list shows her role and enterprise, no password hash" \
	"[ \$(call $TADM GET /api/v1/users) = 200 ] && [ \"\$(j '[(u[\"name\"], u[\"role\"], u.get(\"enterprise\")) for u in r[\"users\"] if u[\"name\"] == \"mia\"]')\" = \"[('mia', 'merchant', '4403960XB2')]\" ] && ! grep -q scrypt $T/out"
body '{"enterprise":"4403960XB2"}'
call "$TADM" POST /api/v1/tokens "$T/body" >"$T/code"
TB=$(j 'r["token"]')
check "a token is issued for the new enterprise (201)" "[ \$(cat $T/code) = 201 ] && [ -n '$TB' ]"
sed 's|<ceb:copCode>4403960XA1</ceb:copCode>|<ceb:copCode>4403960XB2</ceb:copCode>|' "$S/CEB311-order.xml" >"$T/o-unsigned.xml"
"$CEBGATE" sign --key "$T/b.key" --cert "$T/b.crt" "$T/o-unsigned.xml" -o "$T/o.xml"
check "that token submits an order signed with the certificate registered over HTTP (accepted)" \
	"[ \$(call $TB POST /api/v1/submissions $T/o.xml application/xml) = 200 ] && [ \"\$(j 'r[\"results\"][0][\"status\"]')\" = accepted ]"
check "the audit trail names the admin for each registration" \
	"[ \"\$(sqlite3 $DB \"SELECT group_concat(action, ',') FROM (SELECT action FROM audit WHERE actor = 'ada' ORDER BY id)\")\" = 'register enterprise,register certificate,register user,issue token' ]"
exit 0
