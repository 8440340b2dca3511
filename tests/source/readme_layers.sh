#!/bin/sh
# SPDX-License-Identifier: MIT
# README.md's map of the layers cannot drift: every file of src/lib/LAYER/ is named
# in the row of its layer, every layer folder has a row, and every file a row
# names exists.
set -eu
: "${top_srcdir:?top_srcdir must be set}"
cd "$top_srcdir"
map=$(sed -n '/^<!-- layers:/,/^<!-- \/layers -->/p' README.md)
n=0
bad=0
for dir in src/lib/*/; do
	layer=$(basename "$dir")
	row=$(printf '%s\n' "$map" | grep "^| \`$layer/\` |" || true)
	n=$((n + 1))
	if [ -z "$row" ]; then
		bad=$((bad + 1))
		echo "not ok $n - README.md's layer map has a row for $layer/"
		continue
	fi
	missing=""
	for f in "$dir"*.c "$dir"*.h; do
		[ -f "$f" ] || continue
		name=$(basename "$f")
		case $row in
		*"\`$name\`"*) ;;
		*) missing="$missing $name" ;;
		esac
	done
	gone=""
	for name in $(printf '%s\n' "$row" | grep -o '`[A-Za-z0-9_]*\.[ch]`' | tr -d '`'); do
		[ -f "$dir$name" ] || gone="$gone $name"
	done
	if [ -z "$missing$gone" ]; then
		echo "ok $n - README.md's row for $layer/ names exactly its files"
	else
		bad=$((bad + 1))
		echo "not ok $n - README.md's row for $layer/ names exactly its files"
		[ -n "$missing" ] && echo "# not named:$missing"
		[ -n "$gone" ] && echo "# named but absent:$gone"
	fi
done
echo "1..$n"
[ "$bad" -eq 0 ]
