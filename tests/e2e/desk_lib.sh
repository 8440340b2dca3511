# SPDX-License-Identifier: MIT
# Shared by the officer-desk tests (web_api.sh, web_browser.sh), after lib.sh:
# registers the four enterprises' roles, officers, a logistics user and an
# admin, and signs two sets of the four documents of ceb-spec §13 whose
# inventories are held for review (random selection at 1000 per mille). In
# the first set the inventory's buyer telephone differs from the order's.
# shellcheck shell=sh

DB=$(new_db desk)
# add_signers: enterprises A1 (ebp, ebc), C3 (pay) and D4 (logistics, agent),
# each with an SM2 key $T/K.key and its registered certificate $T/K.crt.
add_signers() {
	for e in A1:4403960XA1:ebp,ebc C3:4403960XC3:pay D4:4403980XD4:logistics,agent; do
		k=${e%%:*}; rest=${e#*:}; code=${rest%%:*}; roles=${rest#*:}
		adm enterprise add "$code" "enterprise $k" "$roles"
		"$CEBGATE" keygen --sm2 --key "$T/$k.key" --cert "$T/$k.crt" \
			--serial "30000000000$k" >/dev/null
		adm cert add "$code" "$T/$k.crt"
	done
}
# user NAME ROLE PASSWORD [ARGS...]
user() { n_=$1 r_=$2; PW=$3; export PW; shift 3; adm user add "$n_" "$r_" "$@" --pass-env PW; }
# sign_as K IN OUT: IN signed with enterprise K's key.
sign_as() { "$CEBGATE" sign --key "$T/$1.key" --cert "$T/$1.crt" "$2" -o "$3"; }

desk_setup() {
	add_signers
	TA=$(adm token new --enterprise 4403960XA1)
	TC=$(adm token new --enterprise 4403960XC3)
	TD=$(adm token new --enterprise 4403980XD4)
	for u in olga oscar; do user $u officer officerpass1; done
	user ada admin adminpass12
	user mia merchant merchantpass1 --enterprise 4403960XA1
	user leo logistics logisticspass1 --enterprise 4403980XD4
	sed 's/<ceb:buyerTelephone>13800138000</<ceb:buyerTelephone>13900139000</' \
		"$S/CEB621-inventory.xml" >"$T/inv1.xml"
	# The second set: other order, waybill, inventory numbers and guids.
	g='[0-9A-F]\{8\}-[0-9A-F]\{4\}-[0-9A-F]\{4\}-[0-9A-F]\{4\}-[0-9A-F]\{10\}'
	for f in CEB311-order CEB411-payment CEB511-waybill CEB621-inventory; do
		sed -e 's/SO202411110000123456/SO202411110000654321/' \
			-e 's/EX2024111100012345/EX2024111100054321/' \
			-e 's/QH20241111000001/QH20241111000002/' \
			-e 's/420000202411110005400012345678/420000202411110005400012345699/' \
			-e "s/\\($g\\)[0-9A-F][0-9A-F]/\\199/g" "$S/$f.xml" >"$T/$f-2.xml"
	done
	sign_as A1 "$S/CEB311-order.xml" "$T/o1.xml"
	sign_as C3 "$S/CEB411-payment.xml" "$T/p1.xml"
	sign_as D4 "$S/CEB511-waybill.xml" "$T/w1.xml"
	sign_as D4 "$T/inv1.xml" "$T/i1.xml"
	sign_as A1 "$T/CEB311-order-2.xml" "$T/o2.xml"
	sign_as C3 "$T/CEB411-payment-2.xml" "$T/p2.xml"
	sign_as D4 "$T/CEB511-waybill-2.xml" "$T/w2.xml"
	sign_as D4 "$T/CEB621-inventory-2.xml" "$T/i2.xml"
}

# submit_all: both sets, in an order that completes each match with its last document.
submit_all() {
	for x in o1:$TA p1:$TC w1:$TD i1:$TD o2:$TA p2:$TC w2:$TD i2:$TD; do
		code=$(curl -s -o "$T/sub" -w '%{http_code}' -H "Authorization: Bearer ${x#*:}" \
			--data-binary @"$T/${x%%:*}.xml" "$URL/api/v1/submissions")
		[ "$code" = 200 ] || bail "submission ${x%%:*}: $code $(cat "$T/sub")"
	done
}
