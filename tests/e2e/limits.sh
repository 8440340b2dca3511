# SPDX-License-Identifier: MIT
# Sourced by the hostile-input tests: the limits every hostile input must be answered
# within (issue 8: 2 s of CPU and 256 MiB), and `guarded CMD...` to run a command under them
# (tests/e2e/guard.py; exit 124 past the time, 125 over the memory). Sanitizer builds
# (ASan shadow memory and quarantine, ~3x slower) and valgrind runs (CG_MEMCHECK=1, set by
# `make memcheck`; ~30x slower) get scaled limits: the product's limit is checked by the
# plain build.
# shellcheck shell=sh

lim_s=2
lim_mb=256
if [ -n "${CG_MEMCHECK:-}" ]; then
	lim_s=120
	lim_mb=4096
elif grep -q '^SAN_CFLAGS = -fsanitize' "${top_builddir:?}/Makefile" 2>/dev/null; then
	lim_s=10
	lim_mb=1024
fi

guarded() {
	python3 "${top_srcdir:?}/tests/e2e/guard.py" "$lim_s" "$lim_mb" "$@"
}
