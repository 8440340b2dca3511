#!/bin/sh
# SPDX-License-Identifier: MIT
# Regenerates the build system (configure, Makefile.in) from configure.ac.
set -e
cd "$(dirname "$0")"
autoreconf -fi
