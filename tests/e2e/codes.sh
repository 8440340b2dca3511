#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: `cebgate codes` (list, show, import, diff) over a copy of the shipped
# tables plus the test fixture of an older tariff edition; validation against the
# edition in force at the declaration date; cebgated reloading the tables on the
# admin route and on SIGHUP, keeping the old ones when the new ones are broken, and
# reporting the editions in /metrics and /api/v1/codes.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"

echo "1..29"
cp -R "$top_srcdir/schemas/codes" "$T/codes"
chmod -R u+w "$T/codes" # the source tree may be read-only (make distcheck)
CEBGATE_CODES_DIR=$T/codes
export CEBGATE_CODES_DIR
codes() { rc=0; "$CEBGATE" codes "$@" >"$T/out" 2>"$T/err" || rc=$?; }
j() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/out" "$1"; }

codes list
ok "list names the 2026 tariff with its 12,030 codes, complete and in force" eval \
	"[ \$rc = 0 ] && grep -Eq '^hs +2026 +2026-01-01 +12030 +yes +yes' $T/out"
ok "and the positive list as partial" eval "grep -Eq '^positive +2022 +2022-01-28 +2 +no +yes' $T/out"
codes list --json
ok "list --json gives every edition with its source" eval \
	"[ \"\$(j '[(e[\"table\"], e[\"rows\"], e[\"complete\"]) for e in r[\"editions\"] if e[\"table\"] in (\"hs\", \"customs\")]')\" = \"[('customs', 1162, False), ('hs', 12030, True)]\" ] && [ \"\$(j 'all(e[\"source\"] for e in r[\"editions\"])')\" = True ]"
codes show hs 1901101090
ok "show gives the units with their names and the rates" eval \
	"[ \$rc = 0 ] && grep -q 'edition 2026, in force since 2026-01-01' $T/out && grep -Eq 'unit1 +035 千克' $T/out && grep -Eq 'vat +13%' $T/out && grep -Eq 'supervision +7AB' $T/out"
codes show hs 1901101000
ok "a code not in the tariff in force: exit 1 naming the edition" eval "[ \$rc = 1 ] && grep -q 'not in the hs table (edition 2026' $T/err"
codes show customs 4606 --json
ok "show --json of a district" eval "[ \$rc = 0 ] && [ \"\$(j 'r[\"row\"][\"zh\"]')\" = 郑铁东办 ]"

# An older tariff edition beside the 2026 one (a test fixture).
cp "$top_srcdir/tests/data/codes/hs/2025.tsv" "$T/codes/hs/2025.tsv"
codes show hs 1901101000 --date 2025-06-01
ok "with the 2025 fixture installed, 1901101000 is found for a 2025 date" eval "[ \$rc = 0 ] && grep -q 'edition 2025' $T/out"
codes diff hs 2025 2026
ok "diff 2025 -> 2026: 1901101000 removed, 1901101090 added, counts" eval \
	"[ \$rc = 0 ] && grep -qx -- '- 1901101000' $T/out && grep -qx -- '+ 1901101090' $T/out && grep -q '^hs 2025 -> 2026: 12027 added, 1 removed, 0 changed' $T/out"
codes diff hs 2025 2099
ok "diff with an edition that is not installed: usage error" eval "[ \$rc = 2 ] && grep -q 'no edition 2099' $T/err"

# Validation takes the edition in force at declTime.
sed -e 's|<ceb:declTime>20241111<|<ceb:declTime>20250601<|' -e 's|>1901101010<|>1901101000<|' \
	"$S/CEB621-inventory.xml" >"$T/inv2025.xml"
sed -e 's|<ceb:declTime>20241111<|<ceb:declTime>20260601<|' -e 's|>1901101010<|>1901101000<|' \
	"$S/CEB621-inventory.xml" >"$T/inv2026.xml"
rc=0; "$CEBGATE" validate --unsigned "$T/inv2025.xml" >"$T/out" 2>&1 || rc=$?
ok "a 2025-dated declaration of 1901101000 is accepted" eval "[ \$rc = 0 ] && ! grep -q CG1025 $T/out"
rc=0; "$CEBGATE" validate --unsigned "$T/inv2026.xml" >"$T/out" 2>&1 || rc=$?
ok "a 2026-dated one is refused, naming the 2026 edition" eval \
	"[ \$rc = 1 ] && grep -q 'error CG1025' $T/out && grep -q 'not a code of the 2026 tariff (edition 2026, in force since 2026-01-01)' $T/out"

# Import of the published layout of the positive list.
printf '序号,税则号列,商品描述,监管要求\n1,19011010,婴幼儿配方食品,\n2,3304990099,护肤品,限个人自用\n' >"$T/list.csv"
codes import positive "$T/list.csv" --edition 2026a --effective 2026-06-01 --complete
ok "import writes TABLE/EDITION.tsv in our format" eval \
	"[ \$rc = 0 ] && grep -qx '# complete: yes' $T/codes/positive/2026a.tsv && grep -q '^19011010	婴幼儿配方食品	$' $T/codes/positive/2026a.tsv"
iconv -f UTF-8 -t GB18030 "$T/list.csv" >"$T/list-gb.csv"
codes import positive "$T/list-gb.csv" --edition 2026b --effective 2026-07-01 -o "$T/other"
ok "a GB18030 file is read as such; -o writes elsewhere" eval \
	"[ \$rc = 0 ] && grep -q '^3304990099	护肤品	限个人自用$' $T/other/positive/2026b.tsv && grep -q 'GB18030' $T/other/positive/2026b.tsv"
printf '序号,税则号列,商品描述\n1,19011010,a\n2,190110,b\n' >"$T/bad.csv"
codes import positive "$T/bad.csv" --edition 2026c --effective 2026-08-01
ok "a malformed row is refused with its line number, nothing written" eval \
	"[ \$rc = 1 ] && grep -q 'line 3' $T/err && [ ! -e $T/codes/positive/2026c.tsv ] && [ -z \"\$(ls -A $T/codes/positive | grep '^\\.')\" ]"
codes import positive "$T/list.csv" --edition 2026d --effective 2026-02-30
ok "a bad effective date is refused" eval "[ \$rc = 1 ] && grep -q 'YYYY-MM-DD' $T/err"
codes show positive 1901101090
ok "the imported complete list is in force: its 8-digit line covers 1901101090" eval \
	"[ \$rc = 0 ] && grep -q 'edition 2026a' $T/out && grep -q '^  code *19011010' $T/out"
rc=0; "$CEBGATE" validate --unsigned "$S/CEB621-inventory-9610.xml" >"$T/out" 2>&1 || rc=$?
ok "against the complete list a code not on it is an error (CG1008)" eval \
	"[ \$rc = 1 ] && grep -q 'error CG1008' $T/out && ! grep -q 'partial' $T/out"
rm "$T/codes/positive/2026a.tsv" "$T/codes/hs/2025.tsv"

# cebgated: reload on the admin route and on SIGHUP.
DB=$T/desk.db
PW=adminpass12 "$CEBGATE" admin --db "$DB" user add ada admin --pass-env PW
PW=officerpass1 "$CEBGATE" admin --db "$DB" user add olga officer --pass-env PW
TADA=$("$CEBGATE" admin --db "$DB" token new --user ada)
TOLGA=$("$CEBGATE" admin --db "$DB" token new --user olga)
start_daemon --db "$DB"
metrics() { curl -s "$URL/metrics" >"$T/metrics"; }
api() { curl -s -o "$T/out" -w '%{http_code}' -X "$2" -H "Authorization: Bearer $1" "$URL$3"; }
metrics
ok "/metrics names the editions in force" eval \
	"grep -q 'cebgate_code_table_info{table=\"hs\",edition=\"2026\",effective=\"2026-01-01\",complete=\"1\",in_force=\"1\"} 1' $T/metrics && grep -q 'cebgate_code_table_rows{table=\"hs\",edition=\"2026\"} 12030' $T/metrics"
ok "the desk's API lists them" eval \
	"[ \$(api $TOLGA GET /api/v1/codes) = 200 ] && [ \"\$(j '[(e[\"edition\"], e[\"complete\"]) for e in r[\"editions\"] if e[\"table\"] == \"positive\"]')\" = \"[('2022', False)]\" ]"
cp "$T/other/positive/2026b.tsv" "$T/codes/positive/2026b.tsv"
ok "an officer may not reload (403)" eval "[ \$(api $TOLGA POST /api/v1/admin/codes/reload) = 403 ]"
metrics
ok "so the new edition is not in /metrics yet" eval "! grep -q 'edition=\"2026b\"' $T/metrics"
ok "an admin reloads (200), the answer lists the editions" eval \
	"[ \$(api $TADA POST /api/v1/admin/codes/reload) = 200 ] && [ \"\$(j '[e[\"edition\"] for e in r[\"editions\"] if e[\"table\"] == \"positive\"]')\" = \"['2026b']\" ]"
metrics
ok "/metrics shows the new edition in force and the old one not" eval \
	"grep -q 'table=\"positive\",edition=\"2026b\",effective=\"2026-07-01\",complete=\"0\",in_force=\"1\"} 1' $T/metrics && grep -q 'table=\"positive\",edition=\"2022\",effective=\"2022-01-28\",complete=\"0\",in_force=\"0\"} 1' $T/metrics && grep -q 'cebgate_code_reloads_total 1' $T/metrics"
ok "the reload is in the audit trail under the admin's name" eval \
	"[ \"\$(sqlite3 $DB \"SELECT count(*) FROM audit WHERE actor = 'ada' AND action = 'reload code tables' AND detail LIKE '%positive 2026b%'\")\" = 1 ]"
printf '# edition: 2027\n# effective: 2026-11-01\n#columns:code\tzh\n1901101090\n' >"$T/codes/hs/2027.tsv"
ok "a broken table is refused (422) saying where" eval \
	"[ \$(api $TADA POST /api/v1/admin/codes/reload) = 422 ] && grep -q '2027.tsv:4' $T/out && grep -q 'old tables kept' $T/out"
metrics
ok "and the old tables stay" eval \
	"grep -q 'table=\"hs\",edition=\"2026\",effective=\"2026-01-01\",complete=\"1\",in_force=\"1\"} 1' $T/metrics && ! grep -q 'edition=\"2027\"' $T/metrics && grep -q 'cebgate_code_reload_failures_total 1' $T/metrics"
rm "$T/codes/hs/2027.tsv" "$T/codes/positive/2026b.tsv"
kill -HUP "$pid"
i=0
while metrics && grep -q 'edition="2026b"' "$T/metrics" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
ok "SIGHUP reloads: the removed edition leaves /metrics" eval \
	"! grep -q 'edition=\"2026b\"' $T/metrics && grep -q 'table=\"positive\",edition=\"2022\",effective=\"2022-01-28\",complete=\"0\",in_force=\"1\"} 1' $T/metrics && grep -q 'cebgate_code_reloads_total 2' $T/metrics"
ok "the log says who reloaded" eval "grep -Eq 'code tables reloaded.*by.{1,3}SIGHUP' $T/log && grep -Eq 'code tables reloaded.*by.{1,3}ada' $T/log"
ok "the daemon stops cleanly" eval "stop_daemon"
