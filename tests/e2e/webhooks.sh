#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: pushed receipts (docs/webhooks.md) to real local HTTPS endpoints
# (tests/e2e/webhook_receiver.py, a test CA) that check every signature.
# Registration by the enterprise's token and by the operator; a held endpoint
# of one enterprise while the other's receives everything (its transfer still
# held, proven by the receiver's log); failures to the cap, dead, re-sent by the
# enterprise and recovered; timeouts; SIGKILL of cebgated while a delivery is
# held: nothing lost, only the unacknowledged receipt sent again; the feed
# order per endpoint; the documented verification recipe; the pull feed unchanged.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/tls_lib.sh"
need python3 openssl jq curl
N=8

DB=$(new_db hooks)
for e in A1:4403960XA1:ebp,ebc B2:4403960XB2:ebc; do
	k=${e%%:*}; rest=${e#*:}; code=${rest%%:*}
	adm enterprise add "$code" "enterprise $k" "${rest#*:}"
	"$CEBGATE" keygen --sm2 --key "$T/$k.key" --cert "$T/$k.crt" --serial "30000000000$k" >/dev/null
	adm cert add "$code" "$T/$k.crt"
done
TA=$(adm token new --enterprise 4403960XA1)
TB=$(adm token new --enterprise 4403960XB2)
PW=merchantpass1 adm user add mia merchant --enterprise 4403960XA1 --pass-env PW
TM=$(adm token new --user mia)
PW=adminpass12 adm user add ada admin --pass-env PW
TADM=$(adm token new --user ada)

# orders FROM TO ENTERPRISE-KEY: signed orders FROM..TO of the enterprise in $T/signed.K/.
orders() {
	mkdir -p "$T/in.$3" "$T/signed.$3"
	oi=$1
	while [ "$oi" -le "$2" ]; do
		num=$(printf '%s%05d' "$3" "$oi")
		sed -e "s/SO202411110000123456/SO20241111HOOK$num/" \
			-e "s/309FF3B5-9896-4379-93C3-706DB153EEF5/309FF3B5-9896-4379-93C3-706DB$num/g" \
			-e "s|<ceb:copCode>4403960XA1<|<ceb:copCode>$( [ "$3" = A1 ] && echo 4403960XA1 || echo 4403960XB2)<|" \
			"$S/CEB311-order.xml" >"$T/in.$3/o$num.xml"
		oi=$((oi + 1))
	done
	"$CEBGATE" sign --key "$T/$3.key" --cert "$T/$3.crt" "$T/in.$3" -o "$T/signed.$3" >/dev/null
}
# submit K TOKEN: every signed order of K not sent yet.
submit() {
	for f in "$T/signed.$1"/*.xml; do
		[ ! -e "$f.sent" ] || continue
		code=$(curl -s -o "$T/sub" -w '%{http_code}' -H "Authorization: Bearer $2" --data-binary @"$f" \
			"$URL/api/v1/submissions")
		[ "$code" = 200 ] || bail "submission $f: $code $(cat "$T/sub")"
		: >"$f.sent"
	done
}

# Two receivers with the test CA's certificate: RA for A1, RB for B2.
test_ca "$T/tls"
for r in RA RB; do
	mkdir "$T/$r"
	cp "$T/tls/server.crt" "$T/tls/server.key" "$T/$r/"
	echo ok >"$T/$r/mode"
	python3 "$top_srcdir/tests/e2e/webhook_receiver.py" "$T/$r" 2>>"$T/$r.err" &
	kill_at_exit $!
	wait_until 100 test -s "$T/$r/port" || bail "receiver $r did not start"
done
HA=https://127.0.0.1:$(cat "$T/RA/port")/hook
HB=https://127.0.0.1:$(cat "$T/RB/port")/hook

hook_args="--webhook-ca $T/tls/ca.crt --webhook-attempts 3 --webhook-backoff-ms 50 --webhook-backoff-max-ms 200"
# shellcheck disable=SC2086
start_daemon --db "$DB" $hook_args --webhook-timeout-ms 30000

# ---- registration and who may do it
status_is "a merchant user may not register an endpoint" 403 -H "Authorization: Bearer $TM" \
	--data-binary "{\"url\": \"$HA\"}" "$URL/api/v1/webhooks"
status_is "an http:// endpoint is refused" 400 -H "Authorization: Bearer $TA" \
	--data-binary '{"url": "http://127.0.0.1:1/hook"}' "$URL/api/v1/webhooks"
status_is "an enterprise may not register another's endpoint" 400 -H "Authorization: Bearer $TA" \
	--data-binary "{\"url\": \"$HA\", \"enterprise\": \"4403960XB2\"}" "$URL/api/v1/webhooks"
status_is "the enterprise registers its endpoint with its token" 201 -H "Authorization: Bearer $TA" \
	--data-binary "{\"url\": \"$HA\", \"after\": 0}" "$URL/api/v1/webhooks"
jq -r .secret "$T/out" >"$T/RA/secret"
like "the secret is shown at registration" "$(cat "$T/RA/secret")" '^whsec_[0-9a-f]{48}$'
WA=$(jq -r .id "$T/out")
adm webhook add 4403960XB2 "$HB" --after 0 >"$T/addb"
sed -n 's/^secret //p' "$T/addb" >"$T/RB/secret"
WB=$(sed -n 's/^webhook \([0-9]*\) registered$/\1/p' "$T/addb")
like "the operator registers B2's endpoint; the secret is printed once" "$WB $(cat "$T/RB/secret")" \
	'^[0-9]+ whsec_[0-9a-f]{48}$'
status_is "the list shows no secret" 200 -H "Authorization: Bearer $TADM" "$URL/api/v1/webhooks"
file_lacks "no secret in the list" "$T/out" whsec_
status_is "B2 does not see A1's endpoint" 200 -H "Authorization: Bearer $TB" "$URL/api/v1/webhooks"
json_is "B2 sees its own only" "$T/out" '[.webhooks[].id]|join(",")' "$WB"
status_is "B2 cannot read A1's deliveries" 404 -H "Authorization: Bearer $TB" \
	"$URL/api/v1/webhooks/$WA/deliveries"

# ---- a held endpoint holds nobody else: B2's first delivery is held while A1 gets everything
echo hold >"$T/RB/mode"
orders 1 $N A1
orders 1 $N B2
submit A1 "$TA"
submit B2 "$TB"
curl -s -H "Authorization: Bearer $TA" "$URL/api/v1/receipts?limit=1000" | jq -r '.receipts[].cursor' >"$T/feedA"
curl -s -H "Authorization: Bearer $TB" "$URL/api/v1/receipts?limit=1000" | jq -r '.receipts[].cursor' >"$T/feedB"
is "each enterprise has a receipt per order in its pull feed" "$(wc -l <"$T/feedA") $(wc -l <"$T/feedB")" "$N $N"
# delivered R: the cursors R acknowledged (200), repeats of one cursor in a row counted once.
delivered() { sed -n 's/^cursor=\([0-9]*\) sig=ok answer=200$/\1/p' "$T/$1/log" 2>/dev/null | uniq; }
has_all() { [ "$(delivered "$1")" = "$(cat "$2")" ]; }
ok "A1's endpoint receives every receipt, in feed order" wait_until 600 has_all RA "$T/feedA"
file_contains "meanwhile B2's first delivery is held by its endpoint" "$T/RB/log" "^hold $(head -n 1 "$T/feedB")\$"
file_lacks "and still held: B2's endpoint answered nothing yet" "$T/RB/log" '^cursor='
is "one request only: it never timed out and came again" "$(grep -c '^hold' "$T/RB/log")" 1
file_lacks "every signature A1's endpoint checked was right" "$T/RA/log" 'sig=bad'

# ---- failures to the cap: dead; the enterprise re-sends; the endpoint recovers
echo fail >"$T/RB/mode"
: >"$T/RB/release"
state_of() { curl -s -H "Authorization: Bearer $TADM" "$URL/api/v1/webhooks" | jq -r ".webhooks[] | select(.id == $1) | .$2"; }
is_dead() { [ "$(state_of "$WB" state)" = dead ]; }
ok "B2's endpoint answers 500 until the cap of attempts: dead" wait_until 600 is_dead
status_is "its deliveries are visible to its enterprise" 200 -H "Authorization: Bearer $TB" \
	"$URL/api/v1/webhooks/$WB/deliveries"
json_is "three attempts of the first receipt, the last one dead" "$T/out" \
	'[.deliveries[] | "\(.cursor):\(.attempt):\(.outcome):\(.error)"] | join(" ")' \
	"$(head -n 1 "$T/feedB"):3:dead:HTTP 500 $(head -n 1 "$T/feedB"):2:failed:HTTP 500 $(head -n 1 "$T/feedB"):1:failed:HTTP 500"
json_is "the position did not move" "$(state_of "$WB" position)" . 0
echo ok >"$T/RB/mode"
rm -f "$T/RB/release"
status_is "a merchant user of A1 cannot re-send B2's endpoint" 404 -H "Authorization: Bearer $TM" \
	-X POST "$URL/api/v1/webhooks/$WB/resend"
status_is "B2 re-sends its dead endpoint" 200 -H "Authorization: Bearer $TB" -X POST \
	"$URL/api/v1/webhooks/$WB/resend"
ok "B2's endpoint then receives every receipt in order" wait_until 600 has_all RB "$T/feedB"
is "and is active with nothing pending" "$(state_of "$WB" state) $(state_of "$WB" pending)" "active 0"
file_lacks "every signature B2's endpoint checked was right" "$T/RB/log" 'sig=bad'

# A disabled enterprise's endpoint is not sent to (checked below, once A1 has had deliveries since).
adm enterprise disable 4403960XB2 >/dev/null
adm webhook resend "$WB" --from "$(head -n 1 "$T/feedB")" >/dev/null
linesB=$(wc -l <"$T/RB/log")

# ---- the documented verification recipe (docs/webhooks.md), on a delivery as it came
sed -n '/<!-- verify.sh -->/,/^```$/p' "$top_srcdir/docs/webhooks.md" | sed '1,2d;$d' >"$T/verify.sh"
ts=$(sed -n 's/^Cebgate-Timestamp: //p' "$T/RB/last.headers")
sig=$(sed -n 's/^Cebgate-Signature: //p' "$T/RB/last.headers")
ok "the recipe accepts a delivery as it came" sh "$T/verify.sh" "$(cat "$T/RB/secret")" "$ts" "$sig" \
	<"$T/RB/last.body"
sed 's/"cursor":/"cursor":1/' "$T/RB/last.body" >"$T/forged.body"
ok_fails "and refuses it changed" sh "$T/verify.sh" "$(cat "$T/RB/secret")" "$ts" "$sig" <"$T/forged.body"
ok_fails "or under another secret" sh "$T/verify.sh" whsec_0 "$ts" "$sig" <"$T/RB/last.body"

# ---- timeouts: A1's endpoint answers after the delivery's timeout; then recovers
stop_daemon
echo slow >"$T/RA/mode"
# shellcheck disable=SC2086
start_daemon --db "$DB" --webhook-ca "$T/tls/ca.crt" --webhook-attempts 50 --webhook-backoff-ms 50 \
	--webhook-backoff-max-ms 200 --webhook-timeout-ms 1000
orders $((N + 1)) $((N + 2)) A1
submit A1 "$TA"
timed_out() {
	curl -s -H "Authorization: Bearer $TA" "$URL/api/v1/webhooks/$WA/deliveries" |
		jq -e '[.deliveries[] | select(.outcome == "timeout")] | length > 0'
}
ok "a delivery that takes longer than its timeout is recorded as a timeout" wait_until 600 timed_out
json_is "and retried from the same position" "$(state_of "$WA" position)" . "$(sed -n "${N}p" "$T/feedA")"
echo ok >"$T/RA/mode"
curl -s -H "Authorization: Bearer $TA" "$URL/api/v1/receipts?limit=1000" | jq -r '.receipts[].cursor' >"$T/feedA"
ok "A1's endpoint recovers and receives the rest in order" wait_until 600 has_all RA "$T/feedA"

# ---- SIGKILL while a delivery is held: nothing lost, only the unacknowledged one again
orders $((N + 3)) $((N + 8)) A1
# The third receipt after the last one delivered is held by the endpoint, whenever it comes.
echo "holdnth $(tail -n 1 "$T/feedA") 3" >"$T/RA/mode"
rm -f "$T/RA/release"
lines=$(wc -l <"$T/RA/log")
submit A1 "$TA"
curl -s -H "Authorization: Bearer $TA" "$URL/api/v1/receipts?limit=1000" | jq -r '.receipts[].cursor' >"$T/feedA"
ok "the third new receipt's delivery is held by the endpoint" wait_until 600 grep -q '^hold ' "$T/RA/log"
K=$(sed -n 's/^hold //p' "$T/RA/log" | tail -n 1)
kill -KILL "$pid"
wait "$pid" 2>/dev/null || :
pid=""
: >"$T/RA/release"
acked=$(dbq "$DB" "SELECT feed_pos FROM webhook WHERE id = $WA")
is "after SIGKILL the two receipts before $K are acknowledged in the database, $K is not" "$acked" \
	"$(grep -B 1 -x "$K" "$T/feedA" | head -n 1)"
echo ok >"$T/RA/mode"
# shellcheck disable=SC2086
start_daemon --db "$DB" $hook_args --webhook-timeout-ms 30000
ok "after the restart A1's endpoint has every receipt, in order" wait_until 600 has_all RA "$T/feedA"
tail -n +$((lines + 1)) "$T/RA/log" | sed -n 's/^cursor=\([0-9]*\) sig=ok answer=200$/\1/p' |
	sort -n | uniq -d >"$T/twice"
is "what was acknowledged before the kill was not sent again; only $K may be" \
	"$(grep -v -x "$K" "$T/twice" | tr '\n' ' ')" ""
tail -n +$((lines + 1)) "$T/RA/log" | sed -n "s/^cursor=$K sig=ok answer=200\$/x/p" >"$T/k"
ok "receipt $K (held when cebgated died) was delivered after the restart" test -s "$T/k"

is "nothing was sent to the disabled enterprise's endpoint meanwhile" "$(wc -l <"$T/RB/log")" "$linesB"
adm enterprise enable 4403960XB2 >/dev/null
all_twice() { [ "$(grep -c 'sig=ok answer=200$' "$T/RB/log")" -ge $((2 * N)) ]; }
ok "enabled again, it gets its receipts again from the cursor asked" wait_until 600 all_twice

# ---- removal; the pull feed is unchanged
status_is "the enterprise removes its endpoint" 200 -H "Authorization: Bearer $TA" -X DELETE \
	"$URL/api/v1/webhooks/$WA"
status_is "a removed endpoint is gone" 404 -H "Authorization: Bearer $TA" "$URL/api/v1/webhooks/$WA/deliveries"
status_is "the pull feed answers as before" 200 -H "Authorization: Bearer $TA" "$URL/api/v1/receipts?after=0"
json_is "with every receipt" "$T/out" '.receipts|length' "$(wc -l <"$T/feedA" | tr -d ' ')"
adm webhook list --json >"$T/list"
json_is "the operator's list has B2's endpoint only" "$T/list" '[.webhooks[].id]|join(",")' "$WB"
is "the audit trail has the registrations, re-sends and removal" \
	"$(dbq "$DB" "SELECT count(*) FROM audit WHERE action LIKE '%webhook'")" 5
stop_daemon
is "the database is sound" "$(db_sound "$DB")" ok
done_testing
