#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end in a real browser: the merchant's upload and status pages
# (tests/browser/merchant.mjs) against the real cebgated, with custodial
# signing; the orders of two more declarations are uploaded as CEB XML and,
# their payments, waybills and inventories being in already (random
# selection at 1000 per mille), an officer finds both inventories held in
# the queue. Skipped only when chromium or node is missing.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/browser_lib.sh"
browser_deps

DB=$T/m.db
adm enterprise add 4403960XA1 "示例跨境购平台" ebp,ebc DXPENT0000999901
adm enterprise add 4403960XB2 "示例电商" ebc DXPENT0000999902
PW=merchantpass1 adm user add mia merchant --enterprise 4403960XA1 --pass-env PW
PW=merchantpass2 adm user add max merchant --enterprise 4403960XB2 --pass-env PW
PW=officerpass1 adm user add olga officer --pass-env PW
TM=$(adm token new --user mia)
# The payment and logistics companies of two declarations whose orders the merchant uploads.
python3 "$top_srcdir/bench/service_gen.py" "$S" "$T/gen" M 2 scenario
for e in C3:4403960XC3:pay D4:4403980XD4:logistics,agent; do
	k=${e%%:*}; rest=${e#*:}
	adm enterprise add "${rest%%:*}" "enterprise $k" "${rest#*:}"
	"$CEBGATE" keygen --sm2 --key "$T/$k.key" --cert "$T/$k.crt" --serial "30000000000$k" \
		>/dev/null
	adm cert add "${rest%%:*}" "$T/$k.crt"
	"$CEBGATE" sign --key "$T/$k.key" --cert "$T/$k.crt" "$T/gen/$k" -o "$T/signed-$k"
	echo "$k $(adm token new --enterprise "${rest%%:*}")" >>"$T/tokens"
done
# A1 pushes its receipts to an endpoint nobody answers at: its deliveries fail (the status page shows them).
adm webhook add 4403960XA1 https://127.0.0.1:1/hook >/dev/null
printf 'custody passphrase 1\n' >"$T/custody.pass"
start_daemon --db "$DB" --custody-pass-file "$T/custody.pass" --random-rate 1000
for f in "$T"/signed-C3/*.xml "$T"/signed-D4/*.xml; do
	k=$(basename "$(dirname "$f")" | sed 's/signed-//')
	tok=$(awk -v k="$k" '$1 == k { print $2 }' "$T/tokens")
	curl -s -o /dev/null -H "Authorization: Bearer $tok" --data-binary @"$f" \
		"$URL/api/v1/submissions"
done
# The enterprise opted in to custodial signing: its key, handed over once.
"$CEBGATE" keygen --sm2 --key "$T/a.key" --cert "$T/a.crt" --serial 3000000000CDE6F >/dev/null
jq -n --rawfile c "$T/a.crt" --rawfile k "$T/a.key" '{certificate: $c, key: $k}' \
	>"$T/custody.json"
curl -s -o /dev/null -H "Authorization: Bearer $TM" --data-binary @"$T/custody.json" \
	"$URL/api/v1/enterprises/4403960XA1/custody"
CG_URL=$URL CG_CSV=$top_srcdir/samples/merchant/orders-bad.csv CG_DEPS=$DEPS \
	CG_CHROMIUM=$CHROMIUM \
	CG_ORDERS="$T/gen/A1/M000000-1-order.xml:$T/gen/A1/M000001-1-order.xml" \
	node "$top_srcdir/tests/browser/merchant.mjs" || true
stop_daemon
exit 0
