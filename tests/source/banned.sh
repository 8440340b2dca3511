#!/bin/sh
# SPDX-License-Identifier: MIT
# Functions that the project's C code never calls (as curl's checksrc bans them):
# unbounded copies and formatting (sprintf, vsprintf, strcpy, strcat, gets), hidden
# state (strtok) and a thread-unsafe error text (strerror: use strerror_r).
set -eu
: "${top_srcdir:?top_srcdir must be set}"
cd "$top_srcdir"
banned='sprintf|vsprintf|strcpy|strcat|gets|strtok|strerror'
n=0
bad=0
hits=$(mktemp)
trap 'rm -f "$hits"' EXIT
for f in $(find src fuzz bench -name '*.c' -o -name '*.h' | sort); do
	# Comments and string literals are not calls: strip them before looking.
	sed -e 's://.*$::' -e 's:/\*.*\*/::g' -e 's/"\([^"\\]\|\\.\)*"/""/g' "$f" |
		grep -nE "(^|[^A-Za-z0-9_])($banned)[[:space:]]*\(" |
		sed "s|^|$f:|" >>"$hits" || true
done
for fn in sprintf vsprintf strcpy strcat gets strtok strerror; do
	n=$((n + 1))
	found=$(grep -E "(^|[^A-Za-z0-9_])$fn[[:space:]]*\(" "$hits" || true)
	if [ -n "$found" ]; then
		bad=$((bad + 1))
		echo "not ok $n - no call of $fn() in src/, fuzz/ or bench/"
		echo "$found" | sed 's/^/# /'
	else
		echo "ok $n - no call of $fn() in src/, fuzz/ or bench/"
	fi
done
echo "1..$n"
[ "$bad" -eq 0 ]
