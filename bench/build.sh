#!/bin/sh
# SPDX-License-Identifier: MIT
# Build (or refresh) an optimized out-of-tree build and compile bench/validate_bench and
# bench/sign_bench in it.
#
#   BUILD=/tmp/bench-build bench/build.sh
#
# BUILD defaults to /tmp/bench-build. If BUILD has no configured tree yet, it is configured
# from this source tree with CFLAGS='-O2 -g' (no --enable-debug). The benchmarks are compiled
# with cc against BUILD/.libs/libcebgate.so and written to BUILD/bench/; nothing is written
# into the source tree. Makefile.am is not involved.
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-/tmp/bench-build}
CC=${CC:-cc}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

if [ ! -f "$BUILD/Makefile" ]; then
	echo "build.sh: configuring an optimized build in $BUILD" >&2
	mkdir -p "$BUILD"
	(cd "$BUILD" && "$SRC/configure" CFLAGS='-O2 -g' >configure.log 2>&1) || {
		echo "build.sh: configure failed, see $BUILD/configure.log" >&2
		exit 1
	}
fi
# Figures from a debug or unoptimized build are not worth recording: say so.
cflags=$(sed -n 's/^CFLAGS = //p' "$BUILD/Makefile")
case " $cflags " in
*" -O0 "* | *"-fsanitize"*) echo "build.sh: warning: $BUILD is built with '$cflags'" >&2 ;;
*" -O2 "* | *" -O3 "*) ;;
*) echo "build.sh: warning: $BUILD is not built with -O2 ('$cflags')" >&2 ;;
esac
if grep -q 'enable-debug' "$BUILD/config.log" 2>/dev/null; then
	echo "build.sh: warning: $BUILD was configured with --enable-debug" >&2
fi

echo "build.sh: make -j$JOBS in $BUILD" >&2
make -C "$BUILD" -j"$JOBS" >"$BUILD/make.log" 2>&1 || {
	echo "build.sh: make failed, see $BUILD/make.log" >&2
	exit 1
}

mkdir -p "$BUILD/bench"
# shellcheck disable=SC2046 # pkg-config output is a list of flags
$CC -std=c11 -O2 -g -Wall -Wextra -Wshadow -I"$SRC/include" $(pkg-config --cflags libxml-2.0) \
	-o "$BUILD/bench/validate_bench" "$SRC/bench/validate_bench.c" \
	-L"$BUILD/.libs" -Wl,-rpath,"$BUILD/.libs" -lcebgate $(pkg-config --libs libxml-2.0)
# shellcheck disable=SC2046
$CC -std=c11 -O2 -g -Wall -Wextra -Wshadow -I"$SRC/include" $(pkg-config --cflags libxml-2.0 libcrypto) \
	-o "$BUILD/bench/sign_bench" "$SRC/bench/sign_bench.c" \
	-L"$BUILD/.libs" -Wl,-rpath,"$BUILD/.libs" -lcebgate $(pkg-config --libs libxml-2.0 libcrypto)
echo "build.sh: built $BUILD/bench/validate_bench and $BUILD/bench/sign_bench" >&2
