# SPDX-License-Identifier: MIT
# Shared by the officer-desk tests (web_api.sh, web_browser.sh), after lib.sh:
# registers the four enterprises' roles, officers, a logistics user and an
# admin, and signs two sets of the four documents of ceb-spec §13 whose
# inventories are held for review (random selection at 1000 per mille). In
# the first set the inventory's buyer telephone differs from the order's.

DB=$T/desk.db
desk_setup() {
	for e in A1:4403960XA1:ebp,ebc C3:4403960XC3:pay D4:4403980XD4:logistics,agent; do
		k=${e%%:*}; rest=${e#*:}; code=${rest%%:*}; roles=${rest#*:}
		"$CEBGATE" admin --db "$DB" enterprise add "$code" "enterprise $k" "$roles"
		"$CEBGATE" keygen --sm2 --key "$T/$k.key" --cert "$T/$k.crt" --serial "30000000000$k" >/dev/null
		"$CEBGATE" admin --db "$DB" cert add "$code" "$T/$k.crt"
	done
	TA=$("$CEBGATE" admin --db "$DB" token new --enterprise 4403960XA1)
	TC=$("$CEBGATE" admin --db "$DB" token new --enterprise 4403960XC3)
	TD=$("$CEBGATE" admin --db "$DB" token new --enterprise 4403980XD4)
	for u in olga oscar; do PW=officerpass1 "$CEBGATE" admin --db "$DB" user add $u officer --pass-env PW; done
	PW=adminpass12 "$CEBGATE" admin --db "$DB" user add ada admin --pass-env PW
	PW=merchantpass1 "$CEBGATE" admin --db "$DB" user add mia merchant --enterprise 4403960XA1 --pass-env PW
	PW=logisticspass1 "$CEBGATE" admin --db "$DB" user add leo logistics --enterprise 4403980XD4 --pass-env PW
	sed 's/<ceb:buyerTelephone>13800138000</<ceb:buyerTelephone>13900139000</' "$S/CEB621-inventory.xml" >"$T/inv1.xml"
	# The second set: other order, waybill, inventory numbers and guids.
	for f in CEB311-order CEB411-payment CEB511-waybill CEB621-inventory; do
		sed -e 's/SO202411110000123456/SO202411110000654321/' -e 's/EX2024111100012345/EX2024111100054321/' \
			-e 's/QH20241111000001/QH20241111000002/' -e 's/420000202411110005400012345678/420000202411110005400012345699/' \
			-e 's/\([0-9A-F]\{8\}-[0-9A-F]\{4\}-[0-9A-F]\{4\}-[0-9A-F]\{4\}-[0-9A-F]\{10\}\)[0-9A-F][0-9A-F]/\199/g' "$S/$f.xml" >"$T/$f-2.xml"
	done
	"$CEBGATE" sign --key "$T/A1.key" --cert "$T/A1.crt" "$S/CEB311-order.xml" -o "$T/o1.xml"
	"$CEBGATE" sign --key "$T/C3.key" --cert "$T/C3.crt" "$S/CEB411-payment.xml" -o "$T/p1.xml"
	"$CEBGATE" sign --key "$T/D4.key" --cert "$T/D4.crt" "$S/CEB511-waybill.xml" -o "$T/w1.xml"
	"$CEBGATE" sign --key "$T/D4.key" --cert "$T/D4.crt" "$T/inv1.xml" -o "$T/i1.xml"
	"$CEBGATE" sign --key "$T/A1.key" --cert "$T/A1.crt" "$T/CEB311-order-2.xml" -o "$T/o2.xml"
	"$CEBGATE" sign --key "$T/C3.key" --cert "$T/C3.crt" "$T/CEB411-payment-2.xml" -o "$T/p2.xml"
	"$CEBGATE" sign --key "$T/D4.key" --cert "$T/D4.crt" "$T/CEB511-waybill-2.xml" -o "$T/w2.xml"
	"$CEBGATE" sign --key "$T/D4.key" --cert "$T/D4.crt" "$T/CEB621-inventory-2.xml" -o "$T/i2.xml"
}

# submit_all: both sets, in an order that completes each match with its last document.
submit_all() {
	for x in o1:$TA p1:$TC w1:$TD i1:$TD o2:$TA p2:$TC w2:$TD i2:$TD; do
		code=$(curl -s -o "$T/sub" -w '%{http_code}' -H "Authorization: Bearer ${x#*:}" \
			--data-binary @"$T/${x%%:*}.xml" "$URL/api/v1/submissions")
		[ "$code" = 200 ] || { echo "# submission ${x%%:*}: $code $(cat "$T/sub")"; return 1; }
	done
}
