#!/bin/sh
set -eu
. "${top_srcdir:?}/tests/e2e/lib.sh"
done_testing
