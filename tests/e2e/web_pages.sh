#!/bin/sh
# SPDX-License-Identifier: MIT
# Every page in a real browser (tests/browser/pages.mjs: Debian's chromium,
# playwright-core, axe-core) against the real cebgated, with 22 held
# inventories and a held export inventory (its own fields in the queue and on
# its page, released with the mouse: concluded, 399): the queue's columns, sorting and reason filters; the goods
# lines' tariff data and the receipts' meaning; no default decision; 20 items
# decided with the keyboard only; the merchant seeing the returned inventory
# with its reason; an export broker's merchant told to act on its refused
# export inventory only, of one in every export state; waybills looked up from a file; every page at 390 px wide
# without horizontal scrolling; no serious or critical accessibility
# violation; a Chinese font really used. Screenshots of every page (desktop
# and phone width, Chinese and English) go to $top_builddir/tests/screenshots.
# Skipped only when chromium or node is missing.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/browser_lib.sh"
. "$top_srcdir/tests/e2e/desk_lib.sh"
browser_deps

desk_setup
# Twenty more sets of the four documents, signed by the same three enterprises.
python3 "$top_srcdir/bench/service_gen.py" "$S" "$T/gen" P 20 scenario
for k in A1 C3 D4; do sign_as "$k" "$T/gen/$k" "$T/signed-$k"; done
start_daemon --db "$DB" --random-rate 1000 --match-timeout 3600 --lease 300
submit_all
for f in "$T"/signed-A1/*.xml "$T"/signed-C3/*.xml "$T"/signed-D4/*-3-waybill.xml \
	"$T"/signed-D4/*-4-inventory.xml; do
	case $f in */signed-A1/*) tok=$TA ;; */signed-C3/*) tok=$TC ;; *) tok=$TD ;; esac
	code=$(curl -s -o "$T/sub" -w '%{http_code}' -H "Authorization: Bearer $tok" \
		--data-binary @"$f" "$URL/api/v1/submissions")
	[ "$code" = 200 ] || bail "submission $f: $code $(cat "$T/sub")"
done
ID1=$(sqlite3 "$DB" "SELECT id FROM document WHERE kind = 621
	AND json_extract(data, '$.h.copNo') = 'QH20241111000001'")
# An export inventory held as well (ceb-export-spec.md §6): its order, waybill and inventory.
X=$top_srcdir/samples/xml/export
for e in XP:3301960XP1:ebp:303 XL:3301980XL4:logistics:505 XB:3301980XB5:agent:603; do
	k=${e%%:*}; rest=${e#*:}; code=${rest%%:*}; rest=${rest#*:}; roles=${rest%%:*}; type=${rest#*:}
	adm enterprise add "$code" "enterprise $k" "$roles" >/dev/null
	"$CEBGATE" keygen --sm2 --key "$T/$k.key" --cert "$T/$k.crt" --serial "5000000000000$type" \
		>/dev/null
	adm cert add "$code" "$T/$k.crt" >/dev/null
	sign_as "$k" "$X/CEB${type}Message.xml" "$T/x$type.xml"
	code=$(curl -s -o "$T/sub" -w '%{http_code}' \
		-H "Authorization: Bearer $(adm token new --enterprise "$code")" \
		--data-binary @"$T/x$type.xml" "$URL/api/v1/submissions")
	[ "$code" = 200 ] || bail "export submission $type: $code $(cat "$T/sub")"
done
EXID=$(sqlite3 "$DB" "SELECT id FROM document WHERE kind = 603")
[ "$(sqlite3 "$DB" "SELECT state FROM document WHERE id = $EXID")" = review ] ||
	bail "the export inventory is not held for review"
# The broker's merchant sees its export inventories in every state of docs/export.md:
# copies of the held one (its number EIX-STATE), put in each state directly.
user xena merchant merchantpass1 --enterprise 3301980XB5
for st in declared review concluded released closed cancelled rejected returned summarized; do
	sqlite3 "$DB" "INSERT INTO document(message_id, kind, key1, key2, app_type, state, sender_id,
		updated, data, created) SELECT message_id, kind, key1, 'EIX-$st', app_type, '$st', sender_id,
		updated, data, created FROM document WHERE id = $EXID"
done
SHOTS=$top_builddir/tests/screenshots
rm -rf "$SHOTS"
mkdir -p "$SHOTS"
CG_URL=$URL CG_ID1=$ID1 CG_EXID=$EXID CG_DEPS=$DEPS CG_CHROMIUM=$CHROMIUM CG_SHOTS=$SHOTS \
	node "$top_srcdir/tests/browser/pages.mjs" || true
stop_daemon
exit 0
