#!/bin/sh
# SPDX-License-Identifier: MIT
# The library's layers (README.md "Layers"): a file may include headers of its own
# layer and of the layers below it, never of a layer above or beside it; the
# programs (src/cli, src/server) use only the public headers in include/.
# Each public header belongs to the layer that implements it (table below).
set -eu
: "${top_srcdir:?top_srcdir must be set}"
cd "$top_srcdir"

# layer: the layers whose headers it may include (itself first).
allowed() {
	case $1 in
	util) echo "util" ;;
	db) echo "db util" ;;
	ceb) echo "ceb util" ;;
	normalize) echo "normalize ceb util" ;;
	sig) echo "sig ceb util" ;;
	declarant) echo "declarant db sig normalize ceb util" ;;
	window) echo "window db sig normalize ceb util" ;;
	*) echo "" ;;
	esac
}

# The layer of a public header: include/cebgate/NAME.h.
public_layer() {
	case $1 in
	cebgate.h) echo top ;;
	common.h | finding.h | pool.h) echo util ;;
	validate.h | report.h | explain.h | codes.h) echo ceb ;;
	normalize.h) echo normalize ;;
	sig.h | pay179.h) echo sig ;;
	outbox.h | submit.h | doctor.h) echo declarant ;;
	service*.h | store.h | desk.h | registry.h | review.h | upload.h | window*.h | principal.h | \
		session.h | status.h | submission.h | webhook.h) echo window ;;
	*) echo unknown ;;
	esac
}

n=0
bad=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $*"; }

# Every file of a layer folder, then every include it makes.
violations=$(mktemp)
trap 'rm -f "$violations"' EXIT
for dir in src/lib/*/; do
	layer=$(basename "$dir")
	ok_layers=$(allowed "$layer")
	if [ -z "$ok_layers" ]; then
		echo "src/lib/$layer/: a folder that is not a known layer" >>"$violations"
		continue
	fi
	for f in "$dir"*.c "$dir"*.h; do
		[ -f "$f" ] || continue
		grep -o '^#include "[^"]*"' "$f" | sed 's/^#include "//; s/"$//' |
		while read -r inc; do
			case $inc in
			config.h) continue ;;
			cebgate/*)
				to=$(public_layer "${inc#cebgate/}")
				[ "$to" = unknown ] && {
					echo "$f: $inc has no layer in tests/source/layers.sh" >>"$violations"
					continue
				} ;;
			*/*) to=${inc%%/*} ;;
			*) echo "$f: \"$inc\" does not name its layer" >>"$violations"; continue ;;
			esac
			case " $ok_layers " in
			*" $to "*) ;;
			*) echo "$f ($layer) includes $inc ($to)" >>"$violations" ;;
			esac
		done
	done
done
if [ -s "$violations" ]; then
	not_ok "no layer of src/lib includes a higher or sibling layer"
	sed 's/^/# /' "$violations"
else
	ok "no layer of src/lib includes a higher or sibling layer"
fi

: >"$violations"
for f in src/cli/*.c src/cli/*.h src/server/*.c src/server/*.h; do
	[ -f "$f" ] || continue
	grep -o '^#include "[^"]*"' "$f" | sed 's/^#include "//; s/"$//' | while read -r inc; do
		case $inc in
		cebgate/* | config.h) ;;
		help.h) [ -f src/help/help.h ] || echo "$f includes $inc" >>"$violations" ;; # both programs' --help
		*/*) echo "$f includes $inc" >>"$violations" ;;
		*) [ -f "$(dirname "$f")/$inc" ] || echo "$f includes $inc" >>"$violations" ;;
		esac
	done
done
if [ -s "$violations" ]; then
	not_ok "the programs include only public headers and their own"
	sed 's/^/# /' "$violations"
else
	ok "the programs include only public headers and their own"
fi

# The database back ends stay behind the db layer: only src/lib/db/ includes
# SQLite's or libpq's header (the rest of the tree speaks db.h).
backend=$(grep -lE '^#include <(sqlite3|libpq-fe)\.h>' src/lib/*/*.c src/lib/*/*.h src/cli/*.[ch] \
	src/server/*.[ch] include/cebgate/*.h 2>/dev/null | grep -v '^src/lib/db/' | head -n 5 || :)
if [ -n "$backend" ]; then
	not_ok "only src/lib/db/ includes sqlite3.h or libpq-fe.h"
	echo "$backend" | sed 's/^/# /'
else
	ok "only src/lib/db/ includes sqlite3.h or libpq-fe.h"
fi

# The library is the layer folders: no source file left at the top of src/lib.
stray=$(find src/lib -maxdepth 1 -type f \( -name '*.c' -o -name '*.h' \) | head -n 5)
if [ -n "$stray" ]; then
	not_ok "every library file lives in a layer folder"
	echo "$stray" | sed 's/^/# /'
else
	ok "every library file lives in a layer folder"
fi
echo "1..$n"
[ "$bad" -eq 0 ]
