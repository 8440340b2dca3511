#!/bin/sh
# SPDX-License-Identifier: MIT
# `make memcheck`: the unit tests and the end-to-end tests with every cebgate,
# cebgated and replay_* process under valgrind's memcheck.
#
# The end-to-end scripts run unchanged against a shadow build tree
# ($top_builddir/memcheck/tree) whose programs are wrappers that exec the real
# ones under valgrind; everything else in it links to the build tree.
# CG_MEMCHECK=1 tells the scripts to scale their time and memory guards
# (tests/e2e/limits.sh) and to wait longer for the daemon to start.
# Every valgrind process writes a log; the run fails when a test fails or any
# log reports an error or a definite/indirect leak. Suppressions:
# tests/valgrind.supp (each one says why).
#   make memcheck [MEMCHECK_TESTS="tests/e2e/x.sh ..."]
set -eu
: "${top_srcdir:?}" "${top_builddir:?}" "${LIBTOOL:?}"
top_builddir=$(cd "$top_builddir" && pwd)
top_srcdir=$(cd "$top_srcdir" && pwd)
# The schemas and code tables of the source tree, as make check gives them (not an installed copy).
CEBGATE_DATADIR=$top_srcdir
export CEBGATE_DATADIR
out=$top_builddir/memcheck
rm -rf "$out"
mkdir -p "$out/logs" "$out/tree/src/cli" "$out/tree/src/server" "$out/tree/fuzz" "$out/tap"
vg="valgrind --tool=memcheck --soname-synonyms=somalloc=libjemalloc.so.2 --leak-check=full --show-leak-kinds=definite,indirect \
--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --num-callers=30 \
--suppressions=$top_srcdir/tests/valgrind.supp --log-file=$out/logs/%p.log"

wrap() { # PROGRAM (relative to the build tree)
	cat >"$out/tree/$1" <<W
#!/bin/sh
exec $LIBTOOL --mode=execute $vg "$top_builddir/$1" "\$@"
W
	chmod +x "$out/tree/$1"
}
wrap src/cli/cebgate
wrap src/server/cebgated
for p in "$top_builddir"/fuzz/replay_*; do
	[ -x "$p" ] && wrap "fuzz/$(basename "$p")"
done
ln -s "$top_builddir/Makefile" "$out/tree/Makefile"

unit=${MEMCHECK_UNIT-"$(cd "$top_builddir" && ls tests/unit/test_* 2>/dev/null | grep -v '\.[a-z]*$' || true)"}
e2e=${MEMCHECK_TESTS-"tests/e2e/validate_samples.sh tests/e2e/hostile_inputs.sh tests/e2e/normalize_samples.sh
 tests/e2e/demo.sh tests/e2e/sign_verify.sh tests/e2e/sig_wrapping.sh tests/e2e/service_submissions.sh
 tests/e2e/service_clearance.sh tests/e2e/hostile_http.sh tests/e2e/fuzz_regressions.sh"}

status=0
ntests=0
for t in $unit; do
	ntests=$((ntests + 1))
	rc=0
	(cd "$top_builddir" && top_srcdir=$top_srcdir top_builddir=$top_builddir \
		$LIBTOOL --mode=execute $vg "$top_builddir/$t") >"$out/tap/$(basename "$t").tap" 2>&1 || rc=$?
	if [ $rc -eq 0 ] && ! grep -q '^not ok' "$out/tap/$(basename "$t").tap"; then
		echo "PASS: $t"
	else
		echo "FAIL: $t (exit $rc)"
		status=1
	fi
done
for t in $e2e; do
	ntests=$((ntests + 1))
	rc=0
	name=$(basename "$t" .sh)
	start=$(date +%s)
	top_srcdir=$top_srcdir top_builddir=$out/tree CG_MEMCHECK=1 \
		ASAN_OPTIONS= sh "$top_srcdir/$t" >"$out/tap/$name.tap" 2>"$out/tap/$name.err" || rc=$?
	bad=$(grep -c '^not ok' "$out/tap/$name.tap" || true)
	if [ $rc -eq 0 ] && [ "$bad" -eq 0 ] && grep -q '^1\.\.' "$out/tap/$name.tap"; then
		echo "PASS: $t ($(grep -c '^ok' "$out/tap/$name.tap") ok, $(($(date +%s) - start)) s)"
	else
		echo "FAIL: $t (exit $rc, $bad not ok)"
		grep '^not ok' "$out/tap/$name.tap" | head -n 10
		status=1
	fi
done

# The verdict of valgrind itself, over every process it ran.
logs=$(ls "$out/logs" | wc -l)
errs=$(grep -l 'ERROR SUMMARY: [1-9]' "$out"/logs/*.log 2>/dev/null | wc -l)
if [ "$errs" -ne 0 ]; then
	status=1
	echo "memcheck: $errs of $logs process(es) reported errors:"
	for f in $(grep -l 'ERROR SUMMARY: [1-9]' "$out"/logs/*.log | head -n 5); do
		echo "---- $f"
		sed -n '1,60p' "$f"
	done
fi
echo "memcheck: $ntests test(s), $logs process(es) under valgrind, $errs with errors"
exit $status
