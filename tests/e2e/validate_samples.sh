#!/bin/sh
# SPDX-License-Identifier: MIT
# `cebgate validate` over samples/xml: exit codes, JSON and text reports, stdin, the
# cross-document sets, signed samples, and the reports compared with tests/data/expected/
# (CG_UPDATE_EXPECTED=1 rewrites those files).
set -eu

: "${top_srcdir:?top_srcdir must be set}"
: "${top_builddir:?top_builddir must be set}"
cli="$top_builddir/src/cli/cebgate"
samples="$top_srcdir/samples/xml"
expected_dir="$top_srcdir/tests/data/expected"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cg-validate.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

n=0
ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}
not_ok() {
	n=$((n + 1))
	echo "not ok $n - $*"
}
# Show a file as TAP diagnostics (first lines only).
diag() {
	head -n 20 "$1" | sed 's/^/# /'
}

# run ARGS...: run the CLI with a hang guard; sets rc, stdout in $tmp/out, stderr in $tmp/err.
run() {
	rc=0
	timeout -k 5 10 "$cli" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
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
		ok "$2"
	else
		not_ok "$2 (exit $rc, expected $1)"
		diag "$tmp/err"
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

run validate --unsigned "$samples/valid"
expect_rc 0 "valid samples with --unsigned: exit 0"

run validate --unsigned --json "$samples/valid"
if sane && [ "$rc" -eq 0 ] && is_json "$tmp/out" &&
	python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
sys.exit(0 if s["errors"] == 0 and s["invalid"] == 0 and s["files"] == s["valid"] > 0 else 1)
' "$tmp/out"; then
	ok "valid samples --json: valid JSON, no error"
else
	not_ok "valid samples --json: valid JSON, no error"
	diag "$tmp/out"
fi

# Every valid sample on its own: exit 0.
for f in "$samples"/valid/*.xml; do
	run validate --unsigned "$f"
	expect_rc 0 "$(basename "$f") alone: exit 0"
done

# Without --unsigned exactly the types that must be signed fail, each with CG0200 only.
run validate --json "$samples/valid"
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
	ok "valid samples without --unsigned: exit 1, CG0200 exactly on 621/623/625/711"
else
	not_ok "valid samples without --unsigned: exit 1, CG0200 exactly on 621/623/625/711"
	diag "$tmp/py"
fi

# Every invalid sample on its own: exit 1 and its expected code.
rows >"$tmp/rows"
while IFS="$(printf '\t')" read -r file code; do
	run validate --unsigned --json "$samples/invalid/$file"
	# One file per report: a grep is enough (the directory run below parses the JSON).
	if sane && [ "$rc" -eq 1 ] && grep -q "\"code\": *\"$code\"" "$tmp/out"; then
		ok "$file: exit 1 with $code"
	else
		not_ok "$file: exit 1 with $code (exit $rc)"
		diag "$tmp/out"
		diag "$tmp/err"
	fi
done <"$tmp/rows"

# Every invalid sample has its row.
missing=""
for f in "$samples"/invalid/*.xml; do
	b=$(basename "$f")
	cut -f1 "$tmp/rows" | grep -qx "$b" || missing="$missing $b"
done
if [ -z "$missing" ]; then
	ok "every invalid sample is listed in EXPECTED.tsv"
else
	not_ok "invalid samples missing from EXPECTED.tsv:$missing"
fi

# The whole directory at once: valid JSON, every file invalid with its code.
run validate --unsigned --json "$samples/invalid"
if sane && [ "$rc" -eq 1 ] && is_json "$tmp/out"; then
	ok "invalid directory --json: exit 1, valid JSON"
else
	not_ok "invalid directory --json: exit 1, valid JSON (exit $rc)"
	diag "$tmp/err"
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
	ok "invalid directory --json: each file has its expected code, summary adds up"
else
	not_ok "invalid directory --json: $(cat "$tmp/py")"
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
		ok "crossdoc/$set: exit 1, $code on $file only"
	else
		not_ok "crossdoc/$set: exit 1, $code on $file only (exit $rc)"
		diag "$tmp/out"
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
	ok "every cross-document set is listed in crossdoc/EXPECTED.tsv"
else
	not_ok "cross-document sets missing from crossdoc/EXPECTED.tsv:$missing"
fi

# ---- signed samples ---------------------------------------------------------------------------

# 621/623/625/711 must be signed: with a throwaway key they validate without --unsigned.
run keygen --rsa --key "$tmp/demo.key" --cert "$tmp/demo.crt"
expect_rc 0 "keygen: a throwaway key for the signed samples"
mkdir "$tmp/signed"
for t in CEB621-inventory CEB621-inventory-9610 CEB623-cancel CEB625-return CEB711-delivery; do
	run sign --key "$tmp/demo.key" --cert "$tmp/demo.crt" "$samples/valid/$t.xml" \
		-o "$tmp/signed/$t.xml"
	expect_rc 0 "sign $t.xml"
done
run validate "$tmp/signed"
expect_rc 0 "signed 621/623/625/711 samples: valid without --unsigned"

# Usage and I/O errors: exit 2.
run validate --unsigned "$tmp/does-not-exist.xml"
expect_rc 2 "missing file: exit 2"
if grep -q "does-not-exist.xml" "$tmp/err"; then
	ok "missing file: named on stderr"
else
	not_ok "missing file: named on stderr"
fi
run validate --unsigned "$samples/valid/CEB311-order.xml" "$tmp/does-not-exist.xml"
expect_rc 2 "missing file next to a valid one: exit 2"
run validate --unsigned "$samples/invalid/CEB311-gnum-gap.xml" "$tmp/does-not-exist.xml"
expect_rc 2 "missing file next to an invalid one: exit 2 (I/O error wins)"
run validate --unsigned --json "$samples/valid/CEB311-order.xml" "$tmp/does-not-exist.xml"
expect_rc 2 "missing file with --json: exit 2"
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
f = [x for x in d["files"] if x["file"].endswith("does-not-exist.xml")]
s = d["summary"]
sys.exit(0 if len(f) == 1 and f[0]["valid"] is False and "No such file" in f[0]["error"]
         and s["files"] == 2 and s["valid"] == 1 and s["unreadable"] == 1 else 1)
' "$tmp/out"; then
	ok "missing file with --json: in the report with its error, counted unreadable"
else
	not_ok "missing file with --json: in the report with its error, counted unreadable"
	diag "$tmp/out"
fi
run validate --no-such-option "$samples/valid/CEB311-order.xml"
expect_rc 2 "unknown option: exit 2"
run validate -Z "$samples/valid/CEB311-order.xml"
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
	ok "validate --help: usage on stdout, exit 0"
else
	not_ok "validate --help: usage on stdout, exit 0 (exit $rc)"
fi

# ---- stdin -----------------------------------------------------------------------------------

rc=0
timeout -k 5 10 "$cli" validate --unsigned - <"$samples/valid/CEB311-order.xml" \
	>"$tmp/out" 2>"$tmp/err" || rc=$?
if sane && [ "$rc" -eq 0 ] && grep -q '^-: valid (CEB311Message)' "$tmp/out"; then
	ok "stdin: valid order, exit 0, reported as -"
else
	not_ok "stdin: valid order, exit 0, reported as - (exit $rc)"
	diag "$tmp/out"
fi
rc=0
timeout -k 5 10 "$cli" validate --unsigned --json - <"$samples/invalid/CEB311-acturalpaid-mismatch.xml" \
	>"$tmp/out" 2>"$tmp/err" || rc=$?
if sane && [ "$rc" -eq 1 ] && json_codes - "$tmp/out" | grep -x CG1001 >/dev/null &&
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if all(x["source"] == "-" for f in d["files"] for x in f["findings"]) else 1)
' "$tmp/out"; then
	ok "stdin: invalid order, exit 1, CG1001 with source -"
else
	not_ok "stdin: invalid order, exit 1, CG1001 with source - (exit $rc)"
	diag "$tmp/out"
fi
rc=0
timeout -k 5 10 "$cli" validate --unsigned - </dev/null >"$tmp/out" 2>"$tmp/err" || rc=$?
if sane && [ "$rc" -eq 1 ] && grep -q "CG0001" "$tmp/out"; then
	ok "stdin: empty input, exit 1 with CG0001"
else
	not_ok "stdin: empty input, exit 1 with CG0001 (exit $rc)"
fi

# ---- text report -----------------------------------------------------------------------------

f="$samples/invalid/CEB311-acturalpaid-mismatch.xml"
run validate --unsigned "$f"
if sane && [ "$rc" -eq 1 ] && grep -qF "$f: INVALID (CEB311Message)" "$tmp/out" &&
	grep -q "error CG1001 line 19 /ceb:CEB311Message/ceb:Order/ceb:OrderHead/ceb:acturalPaid" "$tmp/out"; then
	ok "text report names the file, the code, the line and the field"
else
	not_ok "text report names the file, the code, the line and the field (exit $rc)"
	diag "$tmp/out"
fi

run validate --unsigned --quiet "$samples/valid/CEB311-order.xml" "$f"
if sane && [ "$rc" -eq 1 ] && ! grep -q "CEB311-order.xml" "$tmp/out" && grep -qF "$f: INVALID" "$tmp/out"; then
	ok "--quiet lists only the invalid file"
else
	not_ok "--quiet lists only the invalid file (exit $rc)"
	diag "$tmp/out"
fi

# A warning alone keeps the exit status 0 (an unknown customs district is only a warning).
sed 's#<ceb:customsCode>5349<#<ceb:customsCode>0099<#' "$samples/valid/CEB621-inventory.xml" \
	>"$tmp/warn.xml"
run validate --unsigned --json "$tmp/warn.xml"
if sane && [ "$rc" -eq 0 ] && python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
sys.exit(0 if s["warnings"] == 1 and s["errors"] == 0 else 1)
' "$tmp/out"; then
	ok "warning only: exit 0, one warning in the summary"
else
	not_ok "warning only: exit 0, one warning in the summary (exit $rc)"
fi

# ---- cross-document rules through the CLI -----------------------------------------------------

sed 's#<ceb:amountPaid>573.87<#<ceb:amountPaid>570.00<#' "$samples/valid/CEB411-payment.xml" \
	>"$tmp/payment.xml"
run validate --unsigned "$tmp/payment.xml"
expect_rc 0 "payment alone: no order to compare with, exit 0"
run validate --unsigned --json "$samples/valid/CEB311-order.xml" "$tmp/payment.xml"
if sane && [ "$rc" -eq 1 ] && json_codes "$tmp/payment.xml" "$tmp/out" | grep -x CG1101 >/dev/null; then
	ok "order and payment together: CG1101 on the payment"
else
	not_ok "order and payment together: CG1101 on the payment (exit $rc)"
	diag "$tmp/out"
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
	if sane && [ -f "$expected_dir/$name" ] && diff -u "$expected_dir/$name" "$tmp/golden" >"$tmp/diff"; then
		ok "report matches tests/data/expected/$name"
	else
		not_ok "report differs from tests/data/expected/$name (exit $rc)"
		diag "$tmp/diff"
	fi
}
golden validate-valid.txt validate --unsigned valid
golden validate-invalid.txt validate --unsigned invalid
golden validate-invalid.json validate --unsigned --json invalid

echo "1..$n"
exit 0
