# SPDX-License-Identifier: MIT
# Sourced by the interoperability tests (tests/e2e/interop_*.sh, pkcs11_softhsm.sh) after
# setting `name`: paths, the e2e harness (tests/e2e/lib.sh), and test keys
# made with the openssl CLI (short-lived, never committed).
# shellcheck shell=sh

# The TAP helpers, $T and its clean-up are tests/e2e/lib.sh's; a missing tool skips
# the test (scripts/install-deps installs them all).
. "${top_srcdir:?top_srcdir must be set}/tests/e2e/lib.sh"
cli=$CEBGATE
# shellcheck disable=SC2034 # used by the scripts that source this file
samples="$top_srcdir/samples/xml/unsigned"
# shellcheck disable=SC2034
interop="$top_srcdir/tests/interop"
tmp=$T

# run ARGS...: the CLI with a hang guard; sets rc, stdout in $tmp/out, stderr in $tmp/err.
run() {
	rc=0
	timeout -k 5 30 "$cli" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
}
# env_run ENV_ARG ARGS...: the same with one change to the environment (VAR=VALUE or -uVAR).
env_run() {
	e=$1
	shift
	rc=0
	timeout -k 5 30 env "$e" "$cli" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
}
# tool ARGS...: another program, same conventions (rc, $tmp/out, $tmp/err).
tool() {
	rc=0
	timeout -k 5 60 "$@" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
}
# A crash, a hang or a sanitizer report fails a test, whatever the exit code.
sane() {
	if [ "$rc" -eq 124 ] || [ "$rc" -ge 128 ]; then
		return 1
	fi
	! grep -q -e 'Sanitizer' -e 'runtime error' "$tmp/err"
}
# expect_rc WANT DESCRIPTION: the last run exited with WANT and did not crash.
expect_rc() {
	if sane && [ "$rc" -eq "$1" ]; then
		pass "$2"
	else
		fail "$2 (exit $rc, expected $1)"
		diag_file "$tmp/out" "$tmp/err"
	fi
}
# cli_signs DESCRIPTION ARGS...: `cebgate sign ARGS` exits 0 and writes its -o file.
cli_signs() {
	d=$1
	shift
	run sign "$@"
	expect_rc 0 "$d"
}

# tamper IN OUT: change one business value of a signed CEB621/CEB311 sample.
tamper() {
	sed -e 's#<ceb:totalPrice>\([0-9]*\)\.\([0-9]*\)<#<ceb:totalPrice>9\1.\2<#' "$1" >"$2"
	! cmp -s "$1" "$2" || bail "tamper: nothing to change in $1"
}

# serial_hex CERT: the certificate serial as cebgate writes KeyName (lowercase, whole bytes).
serial_hex() {
	openssl x509 -in "$1" -noout -serial | sed 's/^serial=//' | tr 'A-F' 'a-f'
}

# rsa_cert DIR SERIAL: DIR/key.pem (PKCS#8 PEM), DIR/key.pk8 (PKCS#8 DER), DIR/cert.pem
# and DIR/cert.der, a self-signed RSA 2048 certificate valid for two days.
rsa_cert() {
	mkdir -p "$1"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1/key.pem" -out "$1/cert.pem" \
		-days 2 -subj "/CN=cebgate interop test/O=Test" -set_serial "$2" 2>"$1/err" &&
		openssl pkcs8 -topk8 -nocrypt -in "$1/key.pem" -outform DER -out "$1/key.pk8" &&
		openssl x509 -in "$1/cert.pem" -outform DER -out "$1/cert.der"
}

# sm2_cert DIR SERIAL: DIR/key.pem, DIR/pub.pem (from the certificate) and DIR/cert.pem, a
# self-signed SM2-with-SM3 certificate valid for two days.
sm2_cert() {
	mkdir -p "$1"
	openssl genpkey -algorithm SM2 -out "$1/key.pem" 2>"$1/err" &&
		openssl req -x509 -key "$1/key.pem" -sm3 -sigopt distid:1234567812345678 \
			-out "$1/cert.pem" -days 2 -subj "/CN=cebgate SM2 interop test/O=Test" \
			-set_serial "$2" 2>"$1/err" &&
		openssl x509 -in "$1/cert.pem" -noout -pubkey >"$1/pub.pem"
}
