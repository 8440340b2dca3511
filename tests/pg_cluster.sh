# SPDX-License-Identifier: MIT
# A throw-away PostgreSQL cluster for the tests: initdb and pg_ctl in a
# temporary directory, listening on a unix socket there only (no TCP port
# to collide with another run), trust authentication, fsync off. When the
# tests run as root the server runs as the postgres user (initdb refuses
# root). Sourced by tests/pg_run (make check) and tests/e2e/lib.sh:
#   pg_bindir            the server binaries' directory, empty when absent
#   pg_start             start one; exports PGHOST, PGUSER, PGDATABASE, CG_TEST_PG_DIR
#   pg_stop              stop it and remove its directory
#   pg_new_db NAME       create a database; prints its postgresql:/// URI
# shellcheck shell=sh

pg_bindir() {
	for _d in "$(pg_config --bindir 2>/dev/null)" /usr/lib/postgresql/*/bin; do
		if [ -n "$_d" ] && [ -x "$_d/initdb" ] && [ -x "$_d/pg_ctl" ]; then
			echo "$_d"
			return 0
		fi
	done
}

# _pg_as CMD...: as the cluster's owner.
_pg_as() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
	_bin=$(pg_bindir)
	[ -n "$_bin" ] || return 1
	CG_TEST_PG_DIR=$(mktemp -d /tmp/cg-pg.XXXXXX)
	[ "$(id -u)" -ne 0 ] || chown postgres "$CG_TEST_PG_DIR"
	if ! _pg_as "$_bin/initdb" -D "$CG_TEST_PG_DIR/data" -U cebgate -A trust -E UTF8 \
		--locale=C --no-sync >"$CG_TEST_PG_DIR/initdb.log" 2>&1 ||
	    ! _pg_as "$_bin/pg_ctl" -D "$CG_TEST_PG_DIR/data" -l "$CG_TEST_PG_DIR/server.log" -w \
		-o "-k $CG_TEST_PG_DIR -c listen_addresses= -c fsync=off -c full_page_writes=off" \
		start >/dev/null 2>&1; then
		cat "$CG_TEST_PG_DIR/initdb.log" "$CG_TEST_PG_DIR/server.log" 2>/dev/null | sed 's/^/# /'
		rm -rf "$CG_TEST_PG_DIR"
		return 1
	fi
	PGHOST=$CG_TEST_PG_DIR PGUSER=cebgate PGDATABASE=postgres
	export PGHOST PGUSER PGDATABASE CG_TEST_PG_DIR
}

pg_stop() {
	[ -n "${CG_TEST_PG_DIR:-}" ] || return 0
	_pg_as "$(pg_bindir)/pg_ctl" -D "$CG_TEST_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || :
	rm -rf "$CG_TEST_PG_DIR"
	CG_TEST_PG_DIR=""
}

pg_new_db() {
	_name=cg_$1_$$_$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
	"$(pg_bindir)/createdb" "$_name" >/dev/null || return 1
	echo "postgresql:///$_name"
}

# pg_halt / pg_resume: the same cluster stopped (fast: clients' connections
# cut, as in a restart or a failover) and started again on its socket.
pg_halt() {
	_pg_as "$(pg_bindir)/pg_ctl" -D "$CG_TEST_PG_DIR/data" -m fast -w stop >/dev/null 2>&1
}
pg_resume() {
	_pg_as "$(pg_bindir)/pg_ctl" -D "$CG_TEST_PG_DIR/data" -l "$CG_TEST_PG_DIR/server.log" -w \
		-o "-k $CG_TEST_PG_DIR -c listen_addresses= -c fsync=off -c full_page_writes=off" \
		start >/dev/null 2>&1
}
