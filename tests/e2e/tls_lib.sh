# SPDX-License-Identifier: MIT
# Shared by the tests that need TLS of their own (webhooks.sh, doctor.sh), after lib.sh.
# shellcheck shell=sh

# test_ca DIR: a throw-away CA (DIR/ca.crt) and a certificate it issued for 127.0.0.1
# (DIR/server.crt, DIR/server.key), for a local HTTPS server.
test_ca() {
	mkdir -p "$1"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1/ca.key" -out "$1/ca.crt" -days 2 \
		-subj "/CN=cebgate test CA" -addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign >/dev/null 2>&1
	openssl req -new -newkey rsa:2048 -nodes -keyout "$1/server.key" -out "$1/server.csr" \
		-subj "/CN=127.0.0.1" >/dev/null 2>&1
	printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' >"$1/ext"
	openssl x509 -req -in "$1/server.csr" -CA "$1/ca.crt" -CAkey "$1/ca.key" -CAcreateserial \
		-out "$1/server.crt" -days 2 -extfile "$1/ext" >/dev/null 2>&1
}

# expired_cert KEY OUT: a certificate of KEY valid in 2020 only (openssl ca sets both dates).
expired_cert() {
	_d=$T/expired.ca
	mkdir -p "$_d"
	: >"$_d/index.txt"
	echo 01 >"$_d/serial"
	printf '[ca]\ndefault_ca = c\n[c]\ndatabase = %s/index.txt\nnew_certs_dir = %s\nserial = %s/serial\ndefault_md = sha256\npolicy = p\n[p]\ncommonName = supplied\n' \
		"$_d" "$_d" "$_d" >"$_d/ca.cnf"
	openssl req -new -key "$1" -subj "/CN=expired" -out "$_d/req.csr" >/dev/null 2>&1
	openssl ca -batch -config "$_d/ca.cnf" -selfsign -keyfile "$1" -in "$_d/req.csr" -out "$2" \
		-startdate 20200101000000Z -enddate 20201231000000Z -notext >/dev/null 2>&1
}
