#!/bin/sh
# SPDX-License-Identifier: MIT
# `cebgate validate` over samples/xml: exit codes, JSON and text reports, stdin, the
# cross-document sets, signed samples, and the reports compared with tests/data/expected/
# (CG_UPDATE_EXPECTED=1 rewrites those files).
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
tmp=$T

cli="$top_builddir/src/cli/cebgate"
samples="$top_srcdir/samples/xml"
expected_dir="$top_srcdir/tests/data/expected"

# run ARGS...: run the CLI with a hang guard; sets rc, stdout in $tmp/out, stderr in $tmp/err.
run() {
	rc=0
	timeout -k 5 "${limit:-10}" "$cli" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
}

# A crash, a hang or a sanitizer report fails any test, whatever the exit code.
sane() {
	if [ "$rc" -eq 124 ] || [ "$rc" -ge 128 ]; then
		return 1
	fi
	! grep -q -e 'Sanitizer' -e 'runtime error' "$tmp/err"
}

# expect_rc WANT DESCRIPTION: the last run exited with WANT and did not crash.
expect_rc() {
	if sane && [ "$rc" -eq "$1" ]; then
		pass "$2"
	else
		fail "$2 (exit $rc, expected $1)"
		diag_file "$tmp/err"
	fi
}

# json_codes FILE JSON: the codes reported for FILE in a JSON report, one per line.
json_codes() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[2]))
for f in d["files"]:
    if f["file"] == sys.argv[1]:
        for x in f["findings"]:
            print(x["code"])
' "$1" "$2"
}

is_json() {
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$1" 2>/dev/null
}

# Rows of EXPECTED.tsv as "file<TAB>code".
rows() {
	grep -v '^#' "$samples/invalid/EXPECTED.tsv" | grep -v '^$' | cut -f1,2
}

# Rows of crossdoc/EXPECTED.tsv as "set<TAB>file<TAB>code".
cross_rows() {
	grep -v '^#' "$samples/crossdoc/EXPECTED.tsv" | grep -v '^$' | cut -f1,2,3
}

# ---- exit codes ----------------------------------------------------------------------------

run validate --unsigned "$samples/unsigned"
expect_rc 0 "valid samples with --unsigned: exit 0"

run validate --unsigned --json "$samples/unsigned"
if sane && [ "$rc" -eq 0 ] && is_json "$tmp/out" &&
	python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
sys.exit(0 if s["errors"] == 0 and s["invalid"] == 0 and s["files"] == s["valid"] > 0 else 1)
' "$tmp/out"; then
	pass "valid samples --json: valid JSON, no error"
else
	fail "valid samples --json: valid JSON, no error"
	diag_file "$tmp/out"
fi

# Every valid sample on its own: exit 0.
for f in "$samples"/unsigned/*.xml; do
	run validate --unsigned "$f"
	expect_rc 0 "$(basename "$f") alone: exit 0"
done

# Without --unsigned exactly the types that must be signed fail, each with CG0200 only.
run validate --json "$samples/unsigned"
if sane && [ "$rc" -eq 1 ] && python3 -c '
import json, os, sys
bad = []
for f in json.load(open(sys.argv[1]))["files"]:
    name = os.path.basename(f["file"])
    errors = [x["code"] for x in f["findings"] if x["severity"] == "error"]
    want = ["CG0200"] if name[:6] in ("CEB621", "CEB623", "CEB625", "CEB711") else []
    if errors != want:
        bad.append("%s: %s" % (name, errors))
print("\n".join(bad))
sys.exit(1 if bad else 0)
' "$tmp/out" >"$tmp/py"; then
	pass "valid samples without --unsigned: exit 1, CG0200 exactly on 621/623/625/711"
else
	fail "valid samples without --unsigned: exit 1, CG0200 exactly on 621/623/625/711"
	diag_file "$tmp/py"
fi

# Every invalid sample on its own: exit 1 and its expected code.
rows >"$tmp/rows"
while IFS="$(printf '\t')" read -r file code; do
	run validate --unsigned --json "$samples/invalid/$file"
	# One file per report: a grep is enough (the directory run below parses the JSON).
	if sane && [ "$rc" -eq 1 ] && grep -q "\"code\": *\"$code\"" "$tmp/out"; then
		pass "$file: exit 1 with $code"
	else
		fail "$file: exit 1 with $code (exit $rc)"
		diag_file "$tmp/out"
		diag_file "$tmp/err"
	fi
done <"$tmp/rows"

# Every invalid sample has its row.
missing=""
for f in "$samples"/invalid/*.xml; do
	b=$(basename "$f")
	cut -f1 "$tmp/rows" | grep -qx "$b" || missing="$missing $b"
done
if [ -z "$missing" ]; then
	pass "every invalid sample is listed in EXPECTED.tsv"
else
	fail "invalid samples missing from EXPECTED.tsv:$missing"
fi

# The whole directory at once: valid JSON, every file invalid with its code.
run validate --unsigned --json "$samples/invalid"
if sane && [ "$rc" -eq 1 ] && is_json "$tmp/out"; then
	pass "invalid directory --json: exit 1, valid JSON"
else
	fail "invalid directory --json: exit 1, valid JSON (exit $rc)"
	diag_file "$tmp/err"
fi
cp "$tmp/out" "$tmp/invalid.json"
if python3 -c '
import json, os, sys
d = json.load(open(sys.argv[1]))
rows = [l.split("\t") for l in open(sys.argv[2]).read().splitlines()]
codes = {os.path.basename(f["file"]): {x["code"] for x in f["findings"]} for f in d["files"]}
bad = [f + ":" + c for f, c in rows if c not in codes.get(f, ())]
s = d["summary"]
if not (s["invalid"] == s["files"] == len(d["files"]) == len(rows) and s["valid"] == 0):
    bad.append("summary %s" % s)
if any(f["valid"] for f in d["files"]):
    bad.append("a file is marked valid")
if s["errors"] != sum(x["severity"] == "error" for f in d["files"] for x in f["findings"]):
    bad.append("summary errors do not add up")
print(" ".join(bad))
sys.exit(1 if bad else 0)
' "$tmp/invalid.json" "$tmp/rows" >"$tmp/py"; then
	pass "invalid directory --json: each file has its expected code, summary adds up"
else
	fail "invalid directory --json: $(cat "$tmp/py")"
fi

# ---- cross-document sets ----------------------------------------------------------------------

# Each set together: exit 1, its code on its file and no other error; each file alone: exit 0.
cross_rows >"$tmp/cross"
while IFS="$(printf '\t')" read -r set file code; do
	run validate --unsigned --json "$samples/crossdoc/$set"
	if sane && [ "$rc" -eq 1 ] && python3 -c '
import json, os, sys
d = json.load(open(sys.argv[1]))
errors = [(os.path.basename(f["file"]), x["code"]) for f in d["files"] for x in f["findings"]
          if x["severity"] == "error"]
sys.exit(0 if errors == [(sys.argv[2], sys.argv[3])] else 1)
' "$tmp/out" "$file" "$code"; then
		pass "crossdoc/$set: exit 1, $code on $file only"
	else
		fail "crossdoc/$set: exit 1, $code on $file only (exit $rc)"
		diag_file "$tmp/out"
	fi
	for f in "$samples/crossdoc/$set"/*.xml; do
		run validate --unsigned "$f"
		expect_rc 0 "crossdoc/$set/$(basename "$f") alone: exit 0"
	done
done <"$tmp/cross"
missing=""
for d in "$samples"/crossdoc/*/; do
	b=$(basename "$d")
	cut -f1 "$tmp/cross" | grep -qx "$b" || missing="$missing $b"
done
if [ -z "$missing" ]; then
	pass "every cross-document set is listed in crossdoc/EXPECTED.tsv"
else
	fail "cross-document sets missing from crossdoc/EXPECTED.tsv:$missing"
fi

# ---- signed samples ---------------------------------------------------------------------------

# 621/623/625/711 must be signed: with a throwaway key they validate without --unsigned.
# RSA key generation may take seconds on a loaded machine: not a hang.
limit=120
run keygen --rsa --key "$tmp/demo.key" --cert "$tmp/demo.crt"
limit=10
expect_rc 0 "keygen: a throwaway key for the signed samples"
mkdir "$tmp/signed"
for t in CEB621-inventory CEB621-inventory-9610 CEB623-cancel CEB625-return CEB711-delivery; do
	run sign --key "$tmp/demo.key" --cert "$tmp/demo.crt" "$samples/unsigned/$t.xml" \
		-o "$tmp/signed/$t.xml"
	expect_rc 0 "sign $t.xml"
done
run validate "$tmp/signed"
expect_rc 0 "signed 621/623/625/711 samples: valid without --unsigned"

# Usage and I/O errors: exit 2.
run validate --unsigned "$tmp/does-not-exist.xml"
expect_rc 2 "missing file: exit 2"
if grep -q "does-not-exist.xml" "$tmp/err"; then
	pass "missing file: named on stderr"
else
	fail "missing file: named on stderr"
fi
run validate --unsigned "$samples/unsigned/CEB311-order.xml" "$tmp/does-not-exist.xml"
expect_rc 2 "missing file next to a valid one: exit 2"
run validate --unsigned "$samples/invalid/CEB311-gnum-gap.xml" "$tmp/does-not-exist.xml"
expect_rc 2 "missing file next to an invalid one: exit 2 (I/O error wins)"
run validate --unsigned --json "$samples/unsigned/CEB311-order.xml" "$tmp/does-not-exist.xml"
expect_rc 2 "missing file with --json: exit 2"
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
f = [x for x in d["files"] if x["file"].endswith("does-not-exist.xml")]
s = d["summary"]
sys.exit(0 if len(f) == 1 and f[0]["valid"] is False and "No such file" in f[0]["error"]
         and s["files"] == 2 and s["valid"] == 1 and s["unreadable"] == 1 else 1)
' "$tmp/out"; then
	pass "missing file with --json: in the report with its error, counted unreadable"
else
	fail "missing file with --json: in the report with its error, counted unreadable"
	diag_file "$tmp/out"
fi
run validate --no-such-option "$samples/unsigned/CEB311-order.xml"
expect_rc 2 "unknown option: exit 2"
run validate -Z "$samples/unsigned/CEB311-order.xml"
expect_rc 2 "unknown short option: exit 2"
run validate
expect_rc 2 "no operand: exit 2"
run validate --json
expect_rc 2 "options but no operand: exit 2"
run no-such-command
expect_rc 2 "unknown command: exit 2"
run
expect_rc 2 "no command: exit 2"
run validate --help
if sane && [ "$rc" -eq 0 ] && grep -q "usage: cebgate validate" "$tmp/out"; then
	pass "validate --help: usage on stdout, exit 0"
else
	fail "validate --help: usage on stdout, exit 0 (exit $rc)"
fi

# ---- stdin -----------------------------------------------------------------------------------

rc=0
timeout -k 5 10 "$cli" validate --unsigned - <"$samples/unsigned/CEB311-order.xml" \
	>"$tmp/out" 2>"$tmp/err" || rc=$?
if sane && [ "$rc" -eq 0 ] && grep -q '^-: valid (CEB311Message)' "$tmp/out"; then
	pass "stdin: valid order, exit 0, reported as -"
else
	fail "stdin: valid order, exit 0, reported as - (exit $rc)"
	diag_file "$tmp/out"
fi
rc=0
timeout -k 5 10 "$cli" validate --unsigned --json - \
	<"$samples/invalid/CEB311-acturalpaid-mismatch.xml" \
	>"$tmp/out" 2>"$tmp/err" || rc=$?
if sane && [ "$rc" -eq 1 ] && json_codes - "$tmp/out" | grep -x CG1001 >/dev/null &&
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if all(x["source"] == "-" for f in d["files"] for x in f["findings"]) else 1)
' "$tmp/out"; then
	pass "stdin: invalid order, exit 1, CG1001 with source -"
else
	fail "stdin: invalid order, exit 1, CG1001 with source - (exit $rc)"
	diag_file "$tmp/out"
fi
rc=0
timeout -k 5 10 "$cli" validate --unsigned - </dev/null >"$tmp/out" 2>"$tmp/err" || rc=$?
if sane && [ "$rc" -eq 1 ] && grep -q "CG0001" "$tmp/out"; then
	pass "stdin: empty input, exit 1 with CG0001"
else
	fail "stdin: empty input, exit 1 with CG0001 (exit $rc)"
fi

# ---- text report -----------------------------------------------------------------------------

f="$samples/invalid/CEB311-acturalpaid-mismatch.xml"
run validate --unsigned "$f"
if sane && [ "$rc" -eq 1 ] && grep -qF "$f: INVALID (CEB311Message)" "$tmp/out" &&
	grep -q "error CG1001 line 19 /ceb:CEB311Message/ceb:Order/ceb:OrderHead/ceb:acturalPaid" \
		"$tmp/out"; then
	pass "text report names the file, the code, the line and the field"
else
	fail "text report names the file, the code, the line and the field (exit $rc)"
	diag_file "$tmp/out"
fi

run validate --unsigned --quiet "$samples/unsigned/CEB311-order.xml" "$f"
if sane && [ "$rc" -eq 1 ] && ! grep -q "CEB311-order.xml" "$tmp/out" && grep -qF "$f: INVALID" \
	"$tmp/out"; then
	pass "--quiet lists only the invalid file"
else
	fail "--quiet lists only the invalid file (exit $rc)"
	diag_file "$tmp/out"
fi

# A warning alone keeps the exit status 0 (an unknown customs district is only a warning).
sed 's#<ceb:customsCode>5349<#<ceb:customsCode>0099<#' "$samples/unsigned/CEB621-inventory.xml" \
	>"$tmp/warn.xml"
run validate --unsigned --json "$tmp/warn.xml"
if sane && [ "$rc" -eq 0 ] && python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
sys.exit(0 if s["warnings"] == 1 and s["errors"] == 0 else 1)
' "$tmp/out"; then
	pass "warning only: exit 0, one warning in the summary"
else
	fail "warning only: exit 0, one warning in the summary (exit $rc)"
fi

# ---- cross-document rules through the CLI -----------------------------------------------------

sed 's#<ceb:amountPaid>573.87<#<ceb:amountPaid>570.00<#' "$samples/unsigned/CEB411-payment.xml" \
	>"$tmp/payment.xml"
run validate --unsigned "$tmp/payment.xml"
expect_rc 0 "payment alone: no order to compare with, exit 0"
run validate --unsigned --json "$samples/unsigned/CEB311-order.xml" "$tmp/payment.xml"
if sane && [ "$rc" -eq 1 ] && json_codes "$tmp/payment.xml" "$tmp/out" | grep -x CG1101 \
	>/dev/null; then
	pass "order and payment together: CG1101 on the payment"
else
	fail "order and payment together: CG1101 on the payment (exit $rc)"
	diag_file "$tmp/out"
fi

# ---- reports compared with tests/data/expected -------------------------------------------------

# Relative names keep the reports independent of where the tree lives.
golden() {
	name=$1
	shift
	rc=0
	(cd "$samples" && timeout -k 5 10 "$cli" "$@") >"$tmp/golden" 2>"$tmp/err" || rc=$?
	if [ "${CG_UPDATE_EXPECTED:-0}" = 1 ]; then
		cp "$tmp/golden" "$expected_dir/$name"
	fi
	if sane && [ -f "$expected_dir/$name" ] && diff -u "$expected_dir/$name" "$tmp/golden" \
		>"$tmp/diff"; then
		pass "report matches tests/data/expected/$name"
	else
		fail "report differs from tests/data/expected/$name (exit $rc)"
		diag_file "$tmp/diff"
	fi
}
golden validate-unsigned.txt validate --unsigned unsigned
golden validate-invalid.txt validate --unsigned invalid
golden validate-invalid.json validate --unsigned --json invalid

done_testing
exit 0
