#!/bin/sh
# SPDX-License-Identifier: MIT
# The long version of tests/e2e/submit_crash.sh: a 2,000-declaration batch,
# `cebgate submit` killed with SIGKILL at random moments ROUNDS times, then
# resumed to the end; checks that every declaration reached cebgated exactly
# once and ended final. Prints, per round, how far the outbox had got.
#
#   BUILD=build bench/submit_crash_loop.sh [ORDERS] [ROUNDS]
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
# the schemas and code tables of this tree (an installed copy reads only its own)
export CEBGATE_DATADIR="${CEBGATE_DATADIR:-$SRC}"
BUILD=${BUILD:-$SRC/build}
N=${1:-2000}
ROUNDS=${2:-25}
top_srcdir=$SRC
top_builddir=$(cd "$BUILD" && pwd)
export top_srcdir top_builddir CG_CRASH_ORDERS=$N CG_CRASH_ROUNDS=$ROUNDS
CG_CRASH_SPREAD=${CG_CRASH_SPREAD:-1}
export CG_CRASH_SPREAD
sh "$SRC/tests/e2e/submit_crash.sh"
