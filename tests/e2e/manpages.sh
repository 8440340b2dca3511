#!/bin/sh
# SPDX-License-Identifier: MIT
# The manual pages and the --help texts have one source, docs/man/*.txt
# (scripts/manpage): every page renders without a warning (groff -ww, man -l);
# every command's --help is its page's help text, with the synopsis and the
# options of the rendered page; every command of cebgate has its page; every
# key of cebgated.conf(5) is one cebgated knows.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
need groff
need man
need col

src=$top_srcdir/docs/man
pages=$top_builddir/man
manpage() { AWK=${AWK:-awk} sh "$top_srcdir/scripts/manpage" "$@"; }
# The page as a reader sees it, wide enough that no line is broken, minus signs as "-".
render() { MANWIDTH=250 LC_ALL=C.UTF-8 man -l "$1" 2>/dev/null | col -bx | sed 's/\xe2\x88\x92/-/g'; }
# The lines of section $2 of rendered page $1, without their indentation.
section_of() {
	render "$1" | awk -v s="$2" '/^[A-Z]/ { on = ($0 == s); next } on && NF { sub(/^ +/, ""); print }'
}
flags() { grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u; }

for txt in "$src"/*.txt; do
	page=$pages/$(basename "$txt" .txt)
	ok "$(basename "$page"): generated" test -s "$page"
	ok "$(basename "$page"): groff -man -ww renders it without a warning" \
		sh -c 'LC_ALL=C.UTF-8 groff -k -man -ww -z -Tutf8 "$1" 2>&1 | { ! grep .; }' sh "$page"
	ok "$(basename "$page"): man -l renders it without a warning" \
		sh -c 'MANWIDTH=80 LC_ALL=C.UTF-8 man -l "$1" 2>&1 >/dev/null | { ! grep .; }' sh "$page"
done

manpage list "$src"/*.txt >"$T/list"
while read -r name sect key; do
	[ -n "${key:-}" ] || continue
	page=$pages/$name.$sect
	# shellcheck disable=SC2086 # "cebgate validate": the program and its command
	case $key in
	cebgated) "$CEBGATED" --help >"$T/help" 2>"$T/err" || : ;;
	cebgate*) "$CEBGATE" ${key#cebgate} --help >"$T/help" 2>"$T/err" || : ;;
	esac
	manpage help "$key" "$src"/*.txt >"$T/want"
	ok "$key --help: its page's text, nothing on stderr" sh -c 'cmp "$1" "$2" && [ ! -s "$3" ]' sh \
		"$T/want" "$T/help" "$T/err"
	# The usage lines of --help are the SYNOPSIS of the rendered page.
	awk 'NR == 1 { sub(/^usage: /, "") } /^(usage: |       )/ || NR == 1 { sub(/^ +/, ""); print; next } { exit }' \
		"$T/help" >"$T/syn-help"
	section_of "$page" SYNOPSIS >"$T/syn-man"
	ok "$key: --help's usage is the page's SYNOPSIS" cmp "$T/syn-man" "$T/syn-help"
	# ... and the SYNOPSIS lines of the page's source, as written there.
	awk '/^# /{ on = ($0 == "# SYNOPSIS"); next } on && NF { sub(/^ +/, ""); print }' \
		"$src/$name.$sect.txt" >"$T/syn-src"
	ok "$key: --help's usage is the SYNOPSIS of docs/man/$name.$sect.txt" cmp "$T/syn-src" "$T/syn-help"
	# --help explains every option of the page's OPTIONS, and names none the page lacks.
	awk 'f { print; next } !/^(usage: |       )/ { f = 1; print }' "$T/help" | flags >"$T/opt-help" || :
	section_of "$page" OPTIONS | flags >"$T/opt-man" || :
	render "$page" | flags >"$T/opt-page" || :
	ok "$key: --help explains the options of the page's OPTIONS" \
		sh -c '{ test -s "$1" || ! grep -q "^# OPTIONS" "$3"; } && ! comm -23 "$1" "$2" | grep .' sh \
		"$T/opt-man" "$T/opt-help" "$src/$name.$sect.txt"
	ok "$key: every option --help names is in the page" sh -c '! comm -23 "$1" "$2" | grep .' sh \
		"$T/opt-help" "$T/opt-page"
done <"$T/list"

# Every command of cebgate has its page, and every page of a command its command.
sed -n 's/^[[:space:]]*{ "\([a-z0-9-]*\)", cmd_[a-z0-9_]* },.*/\1/p' "$top_srcdir/src/cli/main.c" | sort >"$T/registered"
awk '$3 == "cebgate" && $4 != "" { print $4 }' "$T/list" | sort >"$T/documented"
ok "every command of src/cli/main.c has its page in docs/man" test -s "$T/registered"
ok "the commands with a page are the commands of cebgate" cmp "$T/registered" "$T/documented"

# Every key documented in cebgated.conf(5) is one cebgated takes (an unknown
# key would be named as such); every flag of its synopsis is documented there.
awk '/^# /{ on = ($0 == "# KEYS"); next } on && /^[a-z]/ { gsub(/, /, "\n"); print }' \
	"$src/cebgated.conf.5.txt" | sort -u >"$T/keys"
bad=""
while read -r k; do
	printf 'db = %s/x.db\n%s = 1\n' "$T" "$k" >"$T/k.conf"
	"$CEBGATED" --check-config --config "$T/k.conf" >/dev/null 2>"$T/k.err" || :
	if grep -q 'unknown key' "$T/k.err"; then bad="$bad $k"; fi
done <"$T/keys"
ok "cebgated.conf(5) documents only keys cebgated knows (unknown:$bad)" test -z "$bad"
"$CEBGATED" --help | awk '/^usage: /, /^       cebgated --check/' | flags | sed 's/^--//' |
	grep -vx -e config -e check-config >"$T/flags"
ok "every flag of cebgated's synopsis is a key of cebgated.conf(5)" sh -c '! sort -u "$1" | comm -23 - "$2" | grep .' \
	sh "$T/flags" "$T/keys"
# Every key cebgated takes (the key table of src/server/config.c) is in
# cebgated.conf(5) and is a flag of cebgated(8)'s synopsis.
sed -n 's/^[[:space:]]*{ "\([a-z0-9-]*\)", K_[A-Z0-9_]* },.*/\1/p' "$top_srcdir/src/server/config.c" |
	sort -u >"$T/known"
ok "the key table of src/server/config.c is found" test "$(wc -l <"$T/known")" -ge 40
ok "cebgated.conf(5) documents every key of src/server/config.c" sh -c '! comm -23 "$1" "$2" | grep .' \
	sh "$T/known" "$T/keys"
ok "cebgated(8)'s synopsis has a flag for every key of src/server/config.c" \
	sh -c 'sort -u "$2" | comm -23 "$1" - | { ! grep .; }' sh "$T/known" "$T/flags"
done_testing
