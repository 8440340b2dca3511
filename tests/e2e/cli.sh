#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: the cebgate command's own consistency. Every command and
# subcommand answers -h and --help with its usage (exit 0, nothing run);
# `cebgate help CMD`; a misspelt command gets the nearest one; one name per
# flag meaning (--map, --server, --profile); --json prints one document;
# status and normalize say what is missing instead of guessing.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
need jq

run() { rc=0; "$@" >"$T/out" 2>"$T/err" || rc=$?; }
cd "$T"

for cmd in validate normalize sign verify dxp keygen admin submit receipts status codes explain demo review; do
	for h in --help -h; do
		run "$CEBGATE" "$cmd" "$h"
		ok "$cmd $h: exit 0, its usage on stdout, nothing on stderr" eval \
			"[ \$rc = 0 ] && grep -q '^usage: cebgate $cmd' $T/out && [ ! -s $T/err ]"
	done
done
for sub in "admin user add" "admin token new" "codes show" "codes import" "review list" "review decide" \
	"dxp wrap" "dxp unwrap"; do
	# shellcheck disable=SC2086 # the words of the subcommand
	run "$CEBGATE" $sub --help
	ok "$sub --help: exit 0 with the usage of ${sub%% *}" eval \
		"[ \$rc = 0 ] && grep -q '^usage: cebgate ${sub%% *}' $T/out"
done
run "$CEBGATE" demo --help
file_lacks "demo --help runs nothing" "$T/out" 'samples from' 'Normalize merchant'
run "$CEBGATE" review --server http://127.0.0.1:9 list --state queued -h
ok "-h after other arguments still asks for help" eval "[ \$rc = 0 ] && grep -q '^usage: cebgate review' $T/out"
run "$CEBGATE" -h
ok "cebgate -h lists the commands" eval "[ \$rc = 0 ] && grep -Eq '^  validate +validate' $T/out"
run "$CEBGATE" help
ok "cebgate help lists them too" eval "[ \$rc = 0 ] && grep -Eq '^  review ' $T/out"
run "$CEBGATE" help normalize
cp "$T/out" "$T/help-normalize"
run "$CEBGATE" normalize --help
ok "cebgate help normalize is normalize --help" eval "[ \$rc = 0 ] && cmp -s $T/out $T/help-normalize"
run "$CEBGATE" valdate samples
ok "an unknown command: exit 2, the nearest one suggested" eval \
	"[ \$rc = 2 ] && grep -q \"unknown command 'valdate' (did you mean validate?)\" $T/err"
run "$CEBGATE" help sgn
ok "help of an unknown command suggests too" eval "[ \$rc = 2 ] && grep -q 'did you mean sign?' $T/err"
run "$CEBGATE" frobnicate
ok "a word like no command: no guess" eval "[ \$rc = 2 ] && grep -q \"unknown command 'frobnicate'\$\" $T/err"

# One name per meaning.
run "$CEBGATE" normalize --help
ok "normalize's column map is --map, not --profile" eval "grep -q -- '--map FILE' $T/out && ! grep -q -- '--profile' $T/out"
run "$CEBGATE" submit --help
ok "submit: --profile (signing), --map (columns), --server" eval \
	"grep -q -- '--profile' $T/out && grep -q -- '--map' $T/out && grep -q -- '--server' $T/out"
run "$CEBGATE" sign --help
ok "sign: --profile is the signing profile" eval "grep -Eq -- '--profile rsa-sha1' $T/out"
run "$CEBGATE" review --help
ok "review: the server is --server (no --url in the help)" eval "grep -q -- '--server URL' $T/out && ! grep -q -- '--url' $T/out"
P=$top_srcdir/samples/merchant/default.profile
CEBGATE_NOW=20261128100000
export CEBGATE_NOW
run "$CEBGATE" normalize --map "$P" -o "$T/n1" "$top_srcdir/samples/merchant/orders-en.csv"
is "normalize --map maps the columns" "$rc" 0
run "$CEBGATE" normalize --profile "$P" -o "$T/n2" "$top_srcdir/samples/merchant/orders-en.csv"
ok "the old --profile still works for this release, with the same output" eval \
	"[ \$rc = 0 ] && diff -r -x normalize-log.tsv $T/n1 $T/n2"
CEBGATE_TOKEN=x run "$CEBGATE" review --url http://127.0.0.1:9 list
ok "review's old --url is still taken (a network error, not a usage error)" eval "[ \$rc = 2 ] && ! grep -q '^usage:' $T/err"

# --json: one document.
run "$CEBGATE" explain --json 120 800 -621018
ok "explain --json of three codes: one JSON array of three" eval \
	"[ \$rc = 0 ] && jq -s -e 'length == 1 and (.[0] | length) == 3 and .[0][1].code == \"800\"' $T/out"
run "$CEBGATE" explain --json 120
ok "and of one code: an array of one" eval "jq -s -e 'length == 1 and (.[0] | length) == 1' $T/out"

# Saying what is missing.
mkdir "$T/empty"
(cd "$T/empty" && env -u CEBGATE_OUTBOX "$CEBGATE" status 4403960XA1-0001 >"$T/out" 2>"$T/err") && rc=0 || rc=$?
ok "status without an outbox: exit 2, says there is none" eval "[ \$rc = 2 ] && grep -q 'no outbox at cebgate-outbox.db' $T/err"
ok "and creates none" test ! -e "$T/empty/cebgate-outbox.db"
run "$CEBGATE" normalize --json "$top_srcdir/samples/merchant/orders-en.csv"
ok "normalize --json without -o: exit 2 naming -o" eval "[ \$rc = 2 ] && grep -q -- '--json needs -o DIR' $T/err"

# A folder is named for what it holds.
ok "no samples folder is named valid (the unsigned ones are xml/unsigned)" test ! -e "$top_srcdir/samples/xml/valid"
ok "xml/unsigned holds no signature" eval "! grep -l 'Signature>' $top_srcdir/samples/xml/unsigned/*.xml"
run "$CEBGATE" validate --unsigned "$top_srcdir/samples/xml/unsigned"
ok "and all of it validates as the input to signing" eval "[ \$rc = 0 ] && grep -q '28 file(s): 28 valid, 0 invalid' $T/out"
done_testing
