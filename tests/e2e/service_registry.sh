#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: the registry over HTTP. An admin registers an enterprise, its
# certificate, a merchant user and a token with the API alone, and that token
# then submits a signed declaration; everyone else is refused; every change is
# in the audit trail and no password or token hash is ever shown.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"

DB=$(new_db r)
adm enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
PW=adminpass123 adm user add ada admin --pass-env PW
PW=officerpass1 adm user add olga officer --pass-env PW
TADM=$(adm token new --user ada)
TOFF=$(adm token new --user olga)
TENT=$(adm token new --enterprise 4403960XA1)
start_daemon --db "$DB"

call() { # TOKEN METHOD PATH [BODY-FILE] [CONTENT-TYPE] -> status; body in $T/out
	http -X "$2" ${1:+-H "Authorization: Bearer $1"} \
		-H "Content-Type: ${5:-application/json}" ${4:+--data-binary @"$4"} "$URL$3"
}
body() { printf '%s' "$1" >"$T/body"; }
E=/api/v1/enterprises
PEM=application/x-pem-file

is "the admin lists the enterprises" "$(call "$TADM" GET $E)" 200
json_is "they are the one registered" "$T/out" '[.enterprises[].copCode]' '["4403960XA1"]'
is "an officer may not read the registry (403)" "$(call "$TOFF" GET $E)" 403
is "nor an enterprise (403)" "$(call "$TENT" GET /api/v1/users)" 403
is "nor anyone without a token (401)" "$(call '' GET $E)" 401
body '{"copCode":"4403960XB2","name":"示例电商","roles":"ebc","dxpId":"DXPENT0000999902"}'
is "the admin registers an enterprise (201)" "$(call "$TADM" POST $E "$T/body")" 201
is "the same copCode again is a conflict (409)" "$(call "$TADM" POST $E "$T/body")" 409
body '{"copCode":"x'"'"'; DROP TABLE user;--","name":"x","roles":"ebp"}'
is "a malformed copCode is refused (400)" "$(call "$TADM" POST $E "$T/body")" 400
is "and nothing is dropped" "$(call "$TADM" GET /api/v1/users)" 200
body '{"copCode":"4403960XC3","name":"y","roles":"ebp","roles":"pay"}'
is "a body with a duplicate key is refused (400)" "$(call "$TADM" POST $E "$T/body")" 400
"$CEBGATE" keygen --sm2 --key "$T/b.key" --cert "$T/b.crt" --serial 3000000000ABCDE
is "its SM2 certificate is registered from the PEM body (201)" \
	"$(call "$TADM" POST $E/4403960XB2/certificates "$T/b.crt" $PEM)" 201
json_is "with its serial" "$T/out" .serial 03000000000abcde
is "the same certificate again is a conflict (409)" \
	"$(call "$TADM" POST $E/4403960XB2/certificates "$T/b.crt" $PEM)" 409
is "a certificate for an unknown enterprise: 404" \
	"$(call "$TADM" POST $E/NOSUCH/certificates "$T/b.crt")" 404
is "a key instead of a certificate: 400" \
	"$(call "$TADM" POST $E/4403960XB2/certificates "$T/b.key")" 400
body '{"name":"mia","role":"merchant","enterprise":"4403960XB2","password":"merchantpass1"}'
is "a merchant user is registered (201)" "$(call "$TADM" POST /api/v1/users "$T/body")" 201
file_lacks "and the answer has no password" "$T/out" merchantpass1
status_is "she logs in with that password" 200 -H 'Content-Type: application/json' \
	--data '{"user":"mia","password":"merchantpass1"}' "$URL/api/v1/login"
is "the user list is shown to the admin" "$(call "$TADM" GET /api/v1/users)" 200
json_is "with her role and enterprise" "$T/out" \
	'[.users[] | select(.name == "mia") | [.name, .role, .enterprise]]' \
	'[["mia","merchant","4403960XB2"]]'
file_lacks "and no password hash" "$T/out" scrypt
body '{"enterprise":"4403960XB2"}'
is "a token is issued for the new enterprise (201)" \
	"$(call "$TADM" POST /api/v1/tokens "$T/body")" 201
TB=$(jv "$T/out" .token)
like "its value is in the answer" "$TB" '^.+$'
sed 's|<ceb:copCode>4403960XA1</ceb:copCode>|<ceb:copCode>4403960XB2</ceb:copCode>|' \
	"$S/CEB311-order.xml" >"$T/o-unsigned.xml"
"$CEBGATE" sign --key "$T/b.key" --cert "$T/b.crt" "$T/o-unsigned.xml" -o "$T/o.xml"
is "that token submits an order signed with the certificate registered over HTTP" \
	"$(call "$TB" POST /api/v1/submissions "$T/o.xml" application/xml)" 200
json_is "and it is accepted" "$T/out" '.results[0].status' accepted
is "the audit trail names the admin for each registration" \
	"$(dbq "$DB" "SELECT action FROM audit WHERE actor = 'ada' ORDER BY id" | paste -sd, -)" \
	'register enterprise,register certificate,register user,issue token'
done_testing
