#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: every command of the integrators' guides (docs/integrators.en.md and
# docs/integrators.zh.md) works as written. Each line of their `sh` blocks is run in
# order, one folder per guide with samples/ beside it and the built cebgate first on the
# PATH; "# exit N" at the end of a line is the status it must end with (else 0), and
# "shows: TEXT" a text its output must contain.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
need sed
PATH=$top_builddir/src/cli:$PATH
export PATH

# commands DOC: the lines of DOC's sh blocks as COMMAND<tab>EXIT<tab>SHOWS.
commands() {
	awk '
	/^```sh$/ { inblock = 1; next }
	/^```/ { inblock = 0; next }
	inblock && NF {
		cmd = $0; want = 0; shows = ""
		i = index(cmd, "  # ")
		if (i > 0) {
			note = substr(cmd, i + 4); cmd = substr(cmd, 1, i - 1)
			if (match(note, /exit [0-9]+/)) want = substr(note, RSTART + 5, RLENGTH - 5)
			j = index(note, "shows: ")
			if (j > 0) shows = substr(note, j + 7)
		}
		printf "%s\t%s\t%s\n", cmd, want, shows
	}' "$1"
}

tab=$(printf '\t')
for doc in integrators.en.md integrators.zh.md; do
	dir=$T/${doc%.md}
	mkdir "$dir"
	ln -s "$top_srcdir/samples" "$dir/samples"
	commands "$top_srcdir/docs/$doc" >"$T/cmds"
	ok "$doc has commands to run" test -s "$T/cmds"
	while IFS=$tab read -r cmd want shows; do
		what=$(printf '%s' "$cmd" | tr -d '\\') # TAP lines are echoed: no backslashes
		rc=0
		(cd "$dir" && sh -c "$cmd") >"$T/cmd.out" 2>&1 </dev/null || rc=$?
		if [ "$rc" != "$want" ]; then
			fail "$doc: $what (exit $want)"
			diag "exit $rc"
			diag_file "$T/cmd.out"
		elif [ -n "$shows" ] && ! grep -qF -- "$shows" "$T/cmd.out"; then
			fail "$doc: $what (shows: $shows)"
			diag_file "$T/cmd.out"
		else
			pass "$doc: $what${shows:+ (shows: $shows)}"
		fi
	done <"$T/cmds"
done
# The commands of both guides are the same, so neither says what the other does not.
commands "$top_srcdir/docs/integrators.en.md" | cut -f1,2 >"$T/en"
commands "$top_srcdir/docs/integrators.zh.md" | cut -f1,2 >"$T/zh"
is "the Chinese and the English guide run the same commands" "$(diff "$T/en" "$T/zh" || :)" ""
done_testing
