# SPDX-License-Identifier: MIT
# Shared by the export desk tests (service_export_desk.sh over HTTP,
# web_export_desk.sh in the browser), after lib.sh: the export parties of
# ceb-export-spec.md §6 with their keys, an officer (olga), an admin (ada) and
# a merchant (mia, of the consignor), and a 9610 parcel taken from its order
# to its departure through the officer's desk.
# shellcheck shell=sh

XS=$top_srcdir/samples/xml/export
# A database of its own, unless sourced after another test's setup (openapi.sh).
[ -n "${DB:-}" ] || DB=$(new_db xd)

# xdesk_setup: xdesk_parties, then users olga (officer), ada (admin) and mia (merchant of
# the consignor) with their tokens TOFF, TADM, TMER.
xdesk_setup() {
	xdesk_parties
	PW=officerpass1; export PW
	adm user add olga officer --pass-env PW >/dev/null
	PW=adminpass12
	adm user add ada admin --pass-env PW >/dev/null
	PW=merchantpass1
	adm user add mia merchant --enterprise 3301960XE2 --pass-env PW >/dev/null
	TOFF=$(adm token new --user olga)
	TADM=$(adm token new --user ada)
	TMER=$(adm token new --user mia)
}

# xdesk_parties: enterprises P1 (platform), E2 (consignor), L4 (carrier), S6 (site),
# B5 (broker), each with an SM2 key, and their tokens TP TE TL TS TB.
xdesk_parties() {
	_i=0
	for _e in P1:3301960XP1:ebp E2:3301960XE2:ebc L4:3301980XL4:logistics \
		S6:3301980XS6:logistics B5:3301980XB5:agent; do
		_k=${_e%%:*}; _r=${_e#*:}; _code=${_r%%:*}; _i=$((_i + 1))
		adm enterprise add "$_code" "enterprise $_k" "${_r#*:}" >/dev/null
		"$CEBGATE" keygen --sm2 --key "$T/$_k.key" --cert "$T/$_k.crt" --serial "6000000000000$_i" >/dev/null
		adm cert add "$_code" "$T/$_k.crt" >/dev/null
	done
	TP=$(adm token new --enterprise 3301960XP1)
	TE=$(adm token new --enterprise 3301960XE2)
	TL=$(adm token new --enterprise 3301980XL4)
	TS=$(adm token new --enterprise 3301980XS6)
	TB=$(adm token new --enterprise 3301980XB5)
}

# xmk NAME TYPE N [OLD=NEW]...: $T/NAME.xml is the sample of TYPE for parcel N (its
# own guids and numbers), changed by each OLD=NEW, signed by its sender; LIST=a,b makes
# a summary application list those invtNo. $T/NAME.tok is the sender's token.
xmk() {
	_n=$1 _t=$2 _p=$3; shift 3
	python3 - "$XS/CEB${_t}Message.xml" "$T/$_n.u.xml" "$_p" "$@" <<'PY'
import re, sys, uuid
s = open(sys.argv[1], encoding="utf-8").read()
n = int(sys.argv[3])
s = re.sub(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}",
           lambda m: str(uuid.uuid4()).upper(), s)
s = s.replace("EXL2024111800000012", "EXL20241118%08d" % n)
s = re.sub(r"(E[A-Z]\d{8})00000001", lambda m: m.group(1) + "%08d" % n, s)
for r in sys.argv[4:]:
    old, new = r.split("=", 1)
    if old == "LIST":
        items = "".join("<ceb:SummaryApplyList><ceb:invtNo>%s</ceb:invtNo></ceb:SummaryApplyList>" % v
                        for v in new.split(","))
        s = re.sub(r"(\s*<ceb:SummaryApplyList>.*?</ceb:SummaryApplyList>)+", items, s, flags=re.S)
        continue
    assert old in s, old
    s = s.replace(old, new, 1)
open(sys.argv[2], "w", encoding="utf-8").write(s)
PY
	case $_t in
	303) _k=P1 _tok=$TP ;; 403) _k=E2 _tok=$TE ;; 507) _k=S6 _tok=$TS ;; 603 | 701) _k=B5 _tok=$TB ;;
	*) _k=L4 _tok=$TL ;;
	esac
	"$CEBGATE" sign --key "$T/$_k.key" --cert "$T/$_k.crt" "$T/$_n.u.xml" -o "$T/$_n.xml"
	echo "$_tok" >"$T/$_n.tok"
}
# xpost NAME...: each signed document submitted by its sender; bails unless accepted.
xpost() {
	for _m in "$@"; do
		_c=$(curl -s -o "$T/sub" -w '%{http_code}' -H "Authorization: Bearer $(cat "$T/$_m.tok")" \
			--data-binary @"$T/$_m.xml" "$URL/api/v1/submissions")
		[ "$_c" = 200 ] || bail "submission $_m: $_c $(cat "$T/sub")"
	done
}
# xinv N COLUMN: a column of parcel N's inventory row.
xinv() { dbq "$DB" "SELECT $2 FROM document WHERE kind = 603 AND key2 = 'EI20241118$(printf %08d "$1")'"; }

# xheld N [OLD=NEW]...: parcel N's order, receipt of payment, waybill (changed by each
# OLD=NEW) and inventory; the inventory is held for the officer (--random-rate 1000).
xheld() {
	_p=$1; shift
	xmk "o$_p" 303 "$_p"; xmk "p$_p" 403 "$_p"; xmk "w$_p" 505 "$_p" "$@"; xmk "i$_p" 603 "$_p"
	xpost "o$_p" "p$_p" "w$_p" "i$_p"
	[ "$(xinv "$_p" state)" = review ] || bail "parcel $_p's inventory is not held ($(xinv "$_p" state))"
}
# xrelease N: the officer claims and releases parcel N's inventory (399).
xrelease() {
	_id=$(xinv "$1" id)
	curl -s -o /dev/null -X POST -H "Authorization: Bearer $TOFF" "$URL/api/v1/review/$_id/claim"
	curl -s -o /dev/null -H "Authorization: Bearer $TOFF" -H 'Content-Type: application/json' \
		--data '{"decision":"release","reason":"documents agree"}' "$URL/api/v1/review/$_id/decide"
	[ "$(xinv "$1" state)" = concluded ] || bail "parcel $1 was not concluded ($(xinv "$1" state))"
}
# xdepart N: parcel N's master/house list (naming its inventory by invtNo), arrival and
# departure: closed (899).
xdepart() {
	_no=$(printf 'EXL20241118%08d' "$1")
	xmk "l$1" 607 "$1" \
		"<ceb:logisticsNo>$_no</ceb:logisticsNo>=<ceb:logisticsNo>$_no</ceb:logisticsNo><ceb:invtNo>$(xinv "$1" invt_no)</ceb:invtNo>"
	xmk "a$1" 507 "$1"; xmk "d$1" 509 "$1"
	xpost "l$1" "a$1" "d$1"
	[ "$(xinv "$1" state)" = closed ] || bail "parcel $1 did not close ($(xinv "$1" state))"
}
