#!/bin/sh
# SPDX-License-Identifier: MIT
# `make install DESTDIR=...` gives a working system: the programs, the library,
# the schemas, code tables, web pages, samples, manual pages, configuration and
# systemd unit in their places; no installed file holds the path of the build
# or source tree; the installed cebgate validates with the installed data only
# (taking a schema away makes it fail, naming the installed copy); without
# CEBGATE_DATADIR it looks in the configured $(pkgdatadir); the unit passes
# systemd-analyze verify; `make uninstall` leaves no file behind.
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
: "${pkgdatadir:?pkgdatadir must be set (AM_TESTS_ENVIRONMENT of Makefile.am)}"
need readelf

D=$T/root
# A make of its own: not the jobserver of the `make check` that runs this test.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -s -C "$top_builddir" "$@"; }
ok "make install DESTDIR=... succeeds" mk install DESTDIR="$D"

one() { find "$D" -path "$1" | head -n 1; }
bin=$(one '*/bin/cebgate')
bind=$(one '*/bin/cebgated')
lib=$(one '*/lib*/libcebgate.so.0')
data=$D$pkgdatadir
for f in "$bin" "$bind" "$lib" "$data/schemas/ceb-import.xsd" "$data/schemas/dxp.xsd" \
	"$data/schemas/codes/hs/2026.tsv" "$data/schemas/codes/country/2018.tsv" "$data/web/index.html" \
	"$data/web/app.js" "$data/samples/xml/unsigned/CEB311-order.xml"; do
	ok "installed: ${f#"$D"}" test -s "$f"
done
for p in man1/cebgate.1 man1/cebgate-validate.1 man1/cebgate-submit.1 man5/cebgated.conf.5 \
	man5/cebgate-profile.5 man8/cebgated.8 cebgate/cebgated.conf systemd/system/cebgated.service \
	doc/cebgate/cebgated.conf.sample; do
	ok "installed: $p" test -s "$(one "*/$p")"
done
ok "installed manual page renders" sh -c 'MANWIDTH=80 man -l "$1" 2>/dev/null | grep -q "cebgate-validate"' \
	sh "$(one '*/man1/cebgate-validate.1')"

# No path of the trees the build came from in the data of the programs and the library.
for f in "$bin" "$bind" "$lib"; do
	readelf -p .rodata -p .data -d "$f" >"$T/elf" 2>/dev/null || :
	# A sanitizer build carries its own source locations; it is never installed for use.
	if grep -q 'libasan' "$T/elf"; then
		skip "${f#"$D"}: no path of the source or build tree in it" "sanitizer build"
		continue
	fi
	ok "${f#"$D"}: no path of the source or build tree in it" sh -c \
		'test -s "$1" && ! grep -F -e "$2" -e "$3" "$1"' sh "$T/elf" "$top_srcdir" "$top_builddir"
done
# The programs allocate through jemalloc (configure.ac) unless the build left it out
# (a sanitizer build, --without-jemalloc); the library leaves it to its users.
jemalloc=$(sed -n 's/^JEMALLOC_LIBS = *//p' "$top_builddir/Makefile")
for f in "$bin" "$bind"; do
	if [ -z "$jemalloc" ]; then
		skip "${f#"$D"}: linked with jemalloc" "built without it (sanitizers or --without-jemalloc)"
		continue
	fi
	ok "${f#"$D"}: linked with jemalloc" sh -c 'readelf -d "$1" | grep -q "NEEDED.*libjemalloc"' sh "$f"
done
ok "the library is not linked with jemalloc" sh -c '! readelf -d "$1" | grep -q libjemalloc' sh "$lib"
readelf -p .rodata "$lib" >"$T/elf" 2>/dev/null || :
ok "the library holds the configured data directory" grep -qF "$pkgdatadir" "$T/elf"

# The installed programs with the installed library and data, from elsewhere.
libdir=$(dirname "$lib")
cp "$S/CEB311-order.xml" "$T/order.xml"
cd "$T"
inst() { env -u CEBGATE_CODES_DIR LD_LIBRARY_PATH="$libdir" "$@"; }
ok "the installed cebgate uses the installed library" sh -c \
	'LD_LIBRARY_PATH="$1" ldd "$2" | grep -F "libcebgate.so.0 => $1/"' sh "$libdir" "$bin"
rc=0
inst CEBGATE_DATADIR="$data" "$bin" validate --unsigned order.xml >"$T/out" 2>&1 || rc=$?
ok "the installed cebgate validates with the installed data" test "$rc" = 0
diag_file "$T/out"
mv "$data/schemas/ceb-import.xsd" "$T/ceb-import.xsd"
rc=0
inst CEBGATE_DATADIR="$data" "$bin" validate --unsigned order.xml >"$T/out" 2>&1 || rc=$?
ok "without its installed schema it fails (no other copy is used)" test "$rc" = 2
ok "... naming the installed copy" grep -qF "$data/schemas/ceb-import.xsd" "$T/out"
mv "$T/ceb-import.xsd" "$data/schemas/ceb-import.xsd"
if [ -e "$pkgdatadir/schemas/ceb-import.xsd" ]; then
	skip "without CEBGATE_DATADIR it reads \$(pkgdatadir)" "$pkgdatadir is installed on this machine"
else
	rc=0
	env -u CEBGATE_DATADIR -u CEBGATE_CODES_DIR LD_LIBRARY_PATH="$libdir" "$bin" validate --unsigned order.xml \
		>"$T/out" 2>&1 || rc=$?
	ok "without CEBGATE_DATADIR it reads the configured \$(pkgdatadir), not the trees it was built in" \
		sh -c 'test "$1" = 2 && grep -qF "$2/schemas/" "$3"' sh "$rc" "$pkgdatadir" "$T/out"
fi
conf=$(one '*/cebgate/cebgated.conf')
ok "the installed configuration is the sample" cmp "$conf" "$top_srcdir/docs/cebgated.conf.sample"
ok "the installed cebgated accepts the installed configuration" inst CEBGATE_DATADIR="$data" "$bind" \
	--check-config --config "$conf" --db "$T/check.db"

unit=$(one '*/systemd/system/cebgated.service')
ok "the unit starts the installed cebgated with the installed configuration" grep -qxF \
	"ExecStart=${bind#"$D"} --config ${conf#"$D"}" "$unit"
for k in DynamicUser=yes ProtectSystem=strict StateDirectory=cebgate NoNewPrivileges=yes PrivateTmp=yes \
	ProtectHome=yes CapabilityBoundingSet=; do
	ok "the unit: $k" grep -qxF "$k" "$unit"
done
if command -v systemd-analyze >/dev/null 2>&1; then
	# Verified with the paths of this DESTDIR, where its programs are.
	sed "s|=\(-*\)/|=\1$D/|; s|--config /|--config $D/|" "$unit" >"$T/cebgated.service"
	sed -i "s|^ExecReload=$D/|ExecReload=/|" "$T/cebgated.service"
	systemd-analyze verify --man=no --recursive-errors=no "$T/cebgated.service" >"$T/verify" 2>&1 && rc=0 || rc=$?
	ok "systemd-analyze verify: no error, no warning" sh -c 'test "$1" = 0 && ! grep . "$2"' sh "$rc" "$T/verify"
	diag_file "$T/verify"
else
	skip "systemd-analyze verify" "no systemd-analyze"
fi

ok "make uninstall DESTDIR=... succeeds" mk uninstall DESTDIR="$D"
find "$D" -type f >"$T/left"
ok "make uninstall leaves no file" test ! -s "$T/left"
diag_file "$T/left"
done_testing
