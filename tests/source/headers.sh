#!/bin/sh
# SPDX-License-Identifier: MIT
# Each public header compiles on its own, as the first and only include of a file,
# with -std=c11 -pedantic -Werror: it includes what it needs and nothing leaks in
# from a previous include.
set -eu
: "${top_srcdir:?top_srcdir must be set}"
cc=${CC:-cc}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cg-headers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0
bad=0
for h in "$top_srcdir"/include/cebgate/*.h; do
	name=$(basename "$h")
	n=$((n + 1))
	printf '#include "cebgate/%s"\nint cg_header_test_%d;\n' "$name" "$n" >"$tmp/t.c"
	if $cc -std=c11 -pedantic -Wall -Wextra -Werror -I"$top_srcdir/include" \
		-c "$tmp/t.c" -o "$tmp/t.o" 2>"$tmp/err"; then
		echo "ok $n - cebgate/$name compiles alone"
	else
		bad=$((bad + 1))
		echo "not ok $n - cebgate/$name compiles alone"
		sed 's/^/# /' "$tmp/err"
	fi
done
echo "1..$n"
[ "$bad" -eq 0 ]
