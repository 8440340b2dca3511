/* SPDX-License-Identifier: MIT */
/*
 * The PostgreSQL back end of the database layer (cg__db_pg), through libpq:
 * a connection from a postgresql:// URI (libpq's PG* variables fill the
 * rest) with its session settings, statements prepared once per connection
 * (PQprepare) with the same meaning as SQLite's, the schema version in a
 * one-row table, and SQLSTATEs mapped to cg_rc.
 *
 * Parameters go as text, their types inferred by the server from the SQL;
 * a parameter the server takes as bytea goes as raw bytes (binary format),
 * so blobs are binary-safe both ways. Results come as text; bytea columns
 * are decoded on first read.
 */
#include "config.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <libpq-fe.h>
#include "db/db_backend.h"

/* Type OIDs (catalog/pg_type.h is the server's header; these never change). */
enum {
	OID_BOOL = 16,
	OID_BYTEA = 17,
	OID_INT8 = 20,
	OID_INT2 = 21,
	OID_INT4 = 23,
	OID_OID = 26,
	OID_FLOAT4 = 700,
	OID_FLOAT8 = 701,
	OID_NUMERIC = 1700
};

/* The lock a migration takes first, so that two nodes starting at once migrate one after the other. */
#define MIGRATE_LOCK "SELECT pg_advisory_xact_lock(2147483101)"

/* Waits between attempts to reconnect a lost connection: doubled from the first to the last. */
#define RETRY_FIRST_MS 100
#define RETRY_LAST_MS 5000

struct cg_db_conn {
	PGconn *h;
	unsigned gen;	      /* connections made: statements prepared under an older one are prepared again */
	long long retry_at;   /* ms (monotonic): no attempt to reconnect before */
	long long retry_wait; /* ms: the wait after the next failed attempt */
	char err[512];
	char state[6]; /* SQLSTATE of the last failure */
	bool busy;     /* a failure since the last savepoint was a lock wait given up or a deadlock */
	long long changes;
	bool inserted; /* an INSERT ran: lastval() is defined */
	unsigned next; /* statement names s1, s2... */
};

struct pg_param {
	const char *v;	 /* borrowed, or own when copied */
	char *own;	 /* a NUL-terminated copy (text of known length, blob sent as text) */
	char num[24];	 /* an integer's text */
	int len;
	int format;	 /* 0 text, 1 binary */
};

struct pg_col {
	unsigned char *bytes; /* a bytea value decoded (NUL-terminated), for the current row */
	size_t len;
	bool done;
};

struct pg_stmt {
	struct cg_db_stmt base; /* first: the layer's view */
	char name[16];
	const char *sql; /* constant: prepared again on a new connection */
	unsigned gen;	 /* the connection's gen when prepared */
	bool write; /* INSERT, UPDATE or DELETE: inside a transaction, undone alone when it fails */
	PGresult *desc; /* parameter and column types */
	int nparam;
	struct pg_param *param;
	PGresult *res; /* NULL until run */
	int row, nrow, ncol;
	struct pg_col *col;
};

static struct cg_db_conn *
conn(cg_db *db)
{
	return db->conn;
}

static struct pg_stmt *
pst(cg_db_stmt *s)
{
	return (struct pg_stmt *)s;
}

/* Failures because the server could not be reached, in this process (cg_db_outages()). */
static atomic_ulong outages;

unsigned long
cg_db_outages(void)
{
	return atomic_load(&outages);
}

/* Waits for the server's answer, in this process (cg_db_round_trips()). */
static atomic_ulong round_trips;

unsigned long
cg_db_round_trips(void)
{
	return atomic_load(&round_trips);
}

static void
trip(void)
{
	atomic_fetch_add_explicit(&round_trips, 1, memory_order_relaxed);
}

static long long
now_ms(void)
{
	struct timespec t;

	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/*
 * The server is gone or going: the connection broke (libpq knows once a call
 * failed on it), the server shuts down (57P01-57P03) or refuses connections
 * (08...).
 */
static bool
unreachable(struct cg_db_conn *c)
{
	return PQstatus(c->h) != CONNECTION_OK || strncmp(c->state, "08", 2) == 0 ||
	       strncmp(c->state, "57P", 3) == 0;
}

/* Keep the message (first line, no trailing newline) and the SQLSTATE. */
static void
note(struct cg_db_conn *c, const PGresult *r)
{
	const char *m = r != NULL ? PQresultErrorMessage(r) : "";
	const char *st = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	size_t n;

	if (m == NULL || m[0] == '\0')
		m = PQerrorMessage(c->h);
	n = strcspn(m, "\n");
	(void)snprintf(c->err, sizeof(c->err), "%.*s", (int)(n < 500 ? n : 500), m);
	(void)snprintf(c->state, sizeof(c->state), "%s", st != NULL ? st : "");
	/* deadlock_detected, lock_not_available, serialization_failure: another try may succeed. */
	if (strcmp(c->state, "40P01") == 0 || strcmp(c->state, "55P03") == 0 || strcmp(c->state, "40001") == 0)
		c->busy = true;
	if (unreachable(c))
		atomic_fetch_add(&outages, 1);
}

static bool
result_ok(const PGresult *r)
{
	ExecStatusType t = PQresultStatus(r);

	return t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK;
}

/* Server notices (an IF NOT EXISTS that found the table) are not the service's output. */
static void
quiet(void *payload, const char *message)
{
	(void)payload;
	(void)message;
}

static cg_rc
exec_conn(struct cg_db_conn *c, cg_ctx *ctx, const char *constant_sql)
{
	PGresult *r;
	cg_rc rc = CG_OK;

	/* A new transaction or savepoint starts with no failure to retry. */
	if (strncmp(constant_sql, "BEGIN", 5) == 0 || strncmp(constant_sql, "SAVEPOINT sp", 12) == 0 ||
	    strstr(constant_sql, "; SAVEPOINT sp") != NULL)
		c->busy = false;
	trip();
	r = PQexec(c->h, constant_sql);
	if (!result_ok(r)) {
		note(c, r);
		rc = cg__fail(ctx, CG_EDB, "%s", c->err);
	} else if (strcmp(constant_sql, "COMMIT") == 0 && strcmp(PQcmdStatus(r), "COMMIT") != 0) {
		/* COMMIT of a transaction that failed answers ROLLBACK: that is a failure. */
		(void)snprintf(c->err, sizeof(c->err), "the transaction was rolled back");
		rc = cg__fail(ctx, CG_EDB, "%s", c->err);
	}
	PQclear(r);
	return rc;
}

static void pg_close(struct cg_db_conn *c);

/*
 * Session settings: commits are durable (synchronous_commit on, whatever the
 * server's default); a statement or a lock wait that hangs fails instead of
 * holding a request (the lock wait as long as SQLite's busy waiting). Values
 * that TOAST compresses (a signed message's XML, 5.5 KB) are compressed with
 * LZ4 where the server was built with it, not pglz: a message's INSERT then
 * takes a third less of the server's time (BENCHMARKS.md); without LZ4 the
 * server's default stays, and every value reads back whichever was used.
 */
static const char session_sql[] = "SET synchronous_commit = on; SET statement_timeout = '30s';"
				  " SET lock_timeout = '10s'; SET client_min_messages = warning;"
				  " SET TIME ZONE 'UTC'; SET client_encoding = 'UTF8';"
				  " SELECT set_config('default_toast_compression', 'lz4', false)"
				  " FROM pg_settings WHERE name = 'default_toast_compression'"
				  " AND 'lz4' = ANY(enumvals)";

/* Say that the server cannot be reached (SQLSTATE 08006), with libpq's reason. */
static void
note_lost(struct cg_db_conn *c, const char *what)
{
	const char *m = PQerrorMessage(c->h);

	(void)snprintf(c->err, sizeof(c->err), "%s: %.*s", what, (int)strcspn(m, "\n"), m);
	(void)snprintf(c->state, sizeof(c->state), "08006");
	atomic_fetch_add(&outages, 1);
}

/*
 * Whether the connection can take a statement, reconnecting a lost one
 * (the server restarted, or a standby took over) outside a transaction:
 * at most one attempt per wait, the wait doubling from RETRY_FIRST_MS to
 * RETRY_LAST_MS, so that a server that is down costs each request one
 * failed check and no connection storm. A transaction that was open goes
 * with its connection: the caller rolls back first, then the next
 * transaction reconnects. Statements prepared on the old connection are
 * prepared again on first use (gen).
 */
static bool
usable(cg_db *db)
{
	struct cg_db_conn *c = conn(db);
	long long now;

	if (PQstatus(c->h) == CONNECTION_OK)
		return true;
	if (db->depth > 0) {
		note_lost(c, "the connection to PostgreSQL was lost");
		return false;
	}
	now = now_ms();
	if (now < c->retry_at) {
		note_lost(c, "PostgreSQL cannot be reached (waiting to reconnect)");
		return false;
	}
	PQreset(c->h);
	if (PQstatus(c->h) == CONNECTION_OK && exec_conn(c, NULL, session_sql) == CG_OK) {
		c->gen++;
		c->inserted = false;
		c->retry_at = 0;
		c->retry_wait = RETRY_FIRST_MS;
		return true;
	}
	c->retry_at = now + c->retry_wait;
	c->retry_wait = c->retry_wait * 2 > RETRY_LAST_MS ? RETRY_LAST_MS : c->retry_wait * 2;
	note_lost(c, "PostgreSQL cannot be reached");
	return false;
}

/*
 * Outside a transaction, a statement that failed because the connection
 * had broken meanwhile (the server restarted since the last request) may
 * run once more on a new one: it changed nothing. Not a write outside a
 * transaction: it may have committed before the connection broke.
 */
static bool
again(cg_db *db)
{
	return db->depth == 0 && PQstatus(conn(db)->h) != CONNECTION_OK && usable(db);
}

/*
 * Connect to @p uri. A server that does not answer at all (a host gone, a
 * black-holed address) must not hold a thread for minutes: connect_timeout
 * is 5 s unless the URI or PGCONNECT_TIMEOUT says otherwise (the URI, read
 * after it, overrides).
 */
static PGconn *
connect_to(const char *uri)
{
	static const char *const keys[] = { "connect_timeout", "dbname", NULL };
	const char *values[] = { "5", uri, NULL };
	int first = getenv("PGCONNECT_TIMEOUT") != NULL ? 1 : 0;

	return PQconnectdbParams(keys + first, values + first, 1);
}

static cg_rc
pg_open(struct cg_db_conn **out, cg_ctx *ctx, const char *uri, cg_db_wait wait)
{
	struct cg_db_conn *c = calloc(1, sizeof(*c));
	cg_rc rc;

	(void)wait; /* lock_timeout is the wait on PostgreSQL */
	*out = NULL;
	if (c == NULL)
		return CG_ENOMEM;
	c->retry_wait = RETRY_FIRST_MS;
	c->h = connect_to(uri);
	if (c->h == NULL || PQstatus(c->h) != CONNECTION_OK) {
		const char *m = c->h != NULL ? PQerrorMessage(c->h) : "out of memory";

		/* libpq's message names host and database, never the password. */
		rc = cg__fail(ctx, CG_EDB, "cannot connect to PostgreSQL: %.*s", (int)strcspn(m, "\n"), m);
		pg_close(c);
		return rc;
	}
	(void)PQsetNoticeProcessor(c->h, quiet, NULL);
	rc = exec_conn(c, ctx, session_sql);
	if (rc != CG_OK) {
		pg_close(c);
		return rc;
	}
	*out = c;
	return CG_OK;
}

static void
pg_close(struct cg_db_conn *c)
{
	if (c == NULL)
		return;
	PQfinish(c->h);
	free(c);
}

static cg_rc
pg_exec(cg_db *db, cg_ctx *ctx, const char *constant_sql)
{
	cg_rc rc;

	if (!usable(db))
		return cg__fail(ctx, CG_EDB, "%s", conn(db)->err);
	rc = exec_conn(conn(db), ctx, constant_sql);
	/* The start of a transaction did nothing yet: once more on a new connection. */
	if (rc != CG_OK && constant_sql == cg__db_pg.begin_sql && again(db))
		rc = exec_conn(conn(db), ctx, constant_sql);
	return rc;
}

/* Run constant SQL that returns one integer; -1 on failure, @p none when there is no row. */
static long long
query_int(cg_db *db, const char *constant_sql, long long none)
{
	PGresult *r;
	long long v = -1;
	int tries = 2;

	if (!usable(db))
		return -1;
	while (tries-- > 0) {
		trip();
		r = PQexec(conn(db)->h, constant_sql);
		if (PQresultStatus(r) == PGRES_TUPLES_OK) {
			v = PQntuples(r) == 0 || PQgetisnull(r, 0, 0) ? none : strtoll(PQgetvalue(r, 0, 0), NULL, 10);
			tries = 0;
		} else {
			note(conn(db), r);
			if (!again(db))
				tries = 0;
		}
		PQclear(r);
	}
	return v;
}

/* The schema version: one row of cg_schema_version, 0 while the table is absent. */
static int
pg_version(cg_db *db)
{
	long long present = query_int(db, "SELECT count(*) FROM pg_catalog.pg_tables"
					  " WHERE schemaname = current_schema()"
					  " AND tablename = 'cg_schema_version'", 0);

	if (present <= 0)
		return (int)present;
	return (int)query_int(db, "SELECT version FROM cg_schema_version", 0);
}

static cg_rc
pg_set_version(cg_db *db, cg_ctx *ctx, int v)
{
	char num[16];
	const char *values[1] = { num };
	PGresult *r;
	cg_rc rc = exec_conn(conn(db), ctx,
			     "CREATE TABLE IF NOT EXISTS cg_schema_version("
			     " one boolean PRIMARY KEY DEFAULT true CHECK (one), version integer NOT NULL)");

	if (rc != CG_OK)
		return rc;
	(void)snprintf(num, sizeof(num), "%d", v);
	trip();
	r = PQexecParams(conn(db)->h,
			 "INSERT INTO cg_schema_version(one, version) VALUES(true, $1::integer)"
			 " ON CONFLICT(one) DO UPDATE SET version = excluded.version",
			 1, NULL, values, NULL, NULL, 0);
	if (!result_ok(r)) {
		note(conn(db), r);
		rc = cg__fail(ctx, CG_EDB, "%s", conn(db)->err);
	}
	PQclear(r);
	return rc;
}

/* PostgreSQL has no quick whole-database check like SQLite's: the connection answers. */
static char *
pg_integrity(cg_db *db)
{
	return query_int(db, "SELECT 1", 0) == 1 ? cg__strdup("ok") : NULL;
}

static bool
pg_constraint(cg_db *db)
{
	const char *st = conn(db)->state;

	return strncmp(st, "23", 2) == 0 && strcmp(st, "23505") != 0;
}

/* INSERT, UPDATE or DELETE (a WITH or SELECT reads). */
static bool
is_write(const char *sql)
{
	static const char *const verbs[] = { "INSERT", "UPDATE", "DELETE" };
	size_t i;

	sql += strspn(sql, " \t\n");
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strncasecmp(sql, verbs[i], 6) == 0)
			return true;
	}
	return false;
}

static void pg_finalize(cg_db_stmt *s);

static cg_db_stmt *
pg_prepare(cg_db *db, const char *sql)
{
	struct cg_db_conn *c = conn(db);
	struct pg_stmt *st = calloc(1, sizeof(*st));
	PGresult *r;

	if (st == NULL)
		return NULL;
	if (!usable(db)) {
		free(st);
		return NULL;
	}
	st->base.db = db;
	st->sql = sql;
	st->gen = c->gen;
	st->write = is_write(sql);
	(void)snprintf(st->name, sizeof(st->name), "s%u", ++c->next);
	trip();
	r = PQprepare(c->h, st->name, sql, 0, NULL);
	/* Preparing changes nothing: on a connection that broke since, once more on a new one. */
	if (PQresultStatus(r) != PGRES_COMMAND_OK && again(db)) {
		PQclear(r);
		st->gen = c->gen;
		trip();
		r = PQprepare(c->h, st->name, sql, 0, NULL);
	}
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		note(c, r);
		PQclear(r);
		free(st);
		return NULL;
	}
	PQclear(r);
	trip();
	st->desc = PQdescribePrepared(c->h, st->name);
	if (PQresultStatus(st->desc) != PGRES_COMMAND_OK) {
		note(c, st->desc);
		pg_finalize(&st->base);
		return NULL;
	}
	st->nparam = PQnparams(st->desc);
	st->ncol = PQnfields(st->desc);
	st->param = calloc((size_t)st->nparam + 1, sizeof(*st->param));
	st->col = calloc((size_t)st->ncol + 1, sizeof(*st->col));
	if (st->param == NULL || st->col == NULL) {
		pg_finalize(&st->base);
		return NULL;
	}
	return &st->base;
}

/* Forget the current row's decoded values. */
static void
drop_row(struct pg_stmt *st)
{
	int i;

	for (i = 0; i < st->ncol; i++) {
		free(st->col[i].bytes);
		st->col[i] = (struct pg_col){ 0 };
	}
}

static void
pg_reset(cg_db_stmt *s)
{
	struct pg_stmt *st = pst(s);

	drop_row(st);
	PQclear(st->res);
	st->res = NULL;
	st->row = st->nrow = 0;
}

static void
clear_params(struct pg_stmt *st)
{
	int i;

	for (i = 0; i < st->nparam; i++) {
		free(st->param[i].own);
		st->param[i] = (struct pg_param){ 0 };
	}
}

static void
pg_fresh(cg_db_stmt *s)
{
	pg_reset(s);
	clear_params(pst(s));
}

static void
pg_finalize(cg_db_stmt *s)
{
	struct pg_stmt *st = pst(s);

	/* The server's prepared statement goes with the connection (db.c closes both together). */
	if (st == NULL)
		return;
	pg_reset(s);
	clear_params(st);
	PQclear(st->desc);
	free(st->param);
	free(st->col);
	free(st);
}

/* Parameter @p i (from 1), emptied; NULL when the statement has no such parameter. */
static struct pg_param *
param(struct pg_stmt *st, int i)
{
	struct pg_param *p;

	if (i < 1 || i > st->nparam)
		return NULL;
	p = &st->param[i - 1];
	free(p->own);
	*p = (struct pg_param){ 0 };
	return p;
}

static bool
is_bytea(struct pg_stmt *st, int i)
{
	return PQparamtype(st->desc, i - 1) == OID_BYTEA;
}

/* @p len bytes as the parameter's value: raw for bytea, else a NUL-terminated copy as text. */
static cg_rc
set_bytes(struct pg_stmt *st, int i, const void *v, size_t len)
{
	struct pg_param *p = param(st, i);

	if (p == NULL)
		return CG_EINTERNAL;
	if (len > (size_t)0x3fffffff)
		return CG_EINVAL;
	if (is_bytea(st, i)) {
		p->v = v != NULL ? v : "";
		p->len = (int)len;
		p->format = 1;
		return CG_OK;
	}
	p->own = malloc(len + 1);
	if (p->own == NULL)
		return CG_ENOMEM;
	if (len > 0)
		memcpy(p->own, v, len);
	p->own[len] = '\0';
	p->v = p->own;
	return CG_OK;
}

static cg_rc
pg_bind_text(cg_db_stmt *s, int i, const char *v)
{
	struct pg_stmt *st = pst(s);
	struct pg_param *p;

	if (v != NULL && is_bytea(st, i))
		return set_bytes(st, i, v, strlen(v));
	if ((p = param(st, i)) == NULL)
		return CG_EINTERNAL;
	p->v = v;
	return CG_OK;
}

static cg_rc
pg_bind_textn(cg_db_stmt *s, int i, const char *v, size_t len)
{
	return set_bytes(pst(s), i, v, len);
}

static cg_rc
pg_bind_int64(cg_db_stmt *s, int i, long long v)
{
	struct pg_param *p = param(pst(s), i);

	if (p == NULL)
		return CG_EINTERNAL;
	(void)snprintf(p->num, sizeof(p->num), "%lld", v);
	p->v = p->num;
	return CG_OK;
}

static cg_rc
pg_bind_null(cg_db_stmt *s, int i)
{
	return param(pst(s), i) != NULL ? CG_OK : CG_EINTERNAL;
}

static cg_rc
pg_bind_blob(cg_db_stmt *s, int i, const void *v, size_t len)
{
	return set_bytes(pst(s), i, v, len);
}

/* A failure's cg_rc: a taken unique key is a conflict the caller answers. */
static int
rc_of(struct cg_db_conn *c)
{
	if (strcmp(c->state, "23505") == 0)
		return CG_EEXIST;
	if (strcmp(c->state, "53200") == 0)
		return CG_ENOMEM;
	return CG_EDB;
}

/* How a guarded write went (guarded()): which of its three parts ran. */
struct guard_outcome {
	bool made;     /* SAVEPOINT cg_stmt ran: a failed statement is undone to it */
	bool released; /* RELEASE ran after the statement */
};

/* The next result of a pipeline: NULL between two statements' results. */
static PGresult *
next_result(PGconn *h, int *nulls)
{
	PGresult *r = PQgetResult(h);

	if (r == NULL)
		(*nulls)++;
	return r;
}

/*
 * SAVEPOINT, the statement and RELEASE in one round trip (libpq's pipeline
 * mode: the three sent, then one sync). Gives the statement's result, or
 * the SAVEPOINT's when that failed (the server then skipped the rest);
 * NULL when libpq could not send them. After a failed statement the server
 * skipped the RELEASE too: execute() undoes to the savepoint.
 */
static PGresult *
guarded(PGconn *h, struct pg_stmt *st, const char *const *values, const int *lens, const int *formats,
	struct guard_outcome *out)
{
	PGresult *r, *mine = NULL, *sp = NULL;
	int nulls = 0; /* results end with a NULL each: 0 SAVEPOINT's, 1 the statement's, 2 RELEASE's */
	bool synced = false;

	*out = (struct guard_outcome){ false, false };
	if (PQenterPipelineMode(h) != 1)
		return NULL;
	if (PQsendQueryParams(h, "SAVEPOINT cg_stmt", 0, NULL, NULL, NULL, NULL, 0) == 1 &&
	    PQsendQueryPrepared(h, st->name, st->nparam, values, lens, formats, 0) == 1 &&
	    PQsendQueryParams(h, "RELEASE SAVEPOINT cg_stmt", 0, NULL, NULL, NULL, NULL, 0) == 1 &&
	    PQpipelineSync(h) == 1) {
		/* Until the sync's result; a connection that broke gives NULLs only. */
		while (!synced && nulls <= 3) {
			int k = nulls;

			if ((r = next_result(h, &nulls)) == NULL)
				continue;
			if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
				synced = true;
			} else if (k == 0 && sp == NULL) {
				out->made = PQresultStatus(r) == PGRES_COMMAND_OK;
				sp = r;
				r = NULL;
			} else if (k == 1 && mine == NULL) {
				mine = r;
				r = NULL;
			} else if (k == 2) {
				out->released = PQresultStatus(r) == PGRES_COMMAND_OK;
			}
			PQclear(r);
		}
	}
	(void)PQexitPipelineMode(h); /* a broken connection leaves it on: PQreset() ends it */
	if (!out->made && sp != NULL) {
		PQclear(mine);
		return sp;
	}
	PQclear(sp);
	return mine;
}

/* Run the statement with its parameters, under a savepoint of its own when @p g is set. */
static PGresult *
run(struct pg_stmt *st, struct guard_outcome *g)
{
	struct cg_db_conn *c = conn(st->base.db);
	/* A statement's parameters fit here but for a few long INSERTs. */
	const char *sv[24];
	int sl[24], sf[24];
	const char **values = sv;
	int *lens = sl, *formats = sf, i;
	PGresult *r = NULL;

	if (st->nparam > 24) {
		values = calloc((size_t)st->nparam, sizeof(*values));
		lens = calloc((size_t)st->nparam, sizeof(*lens));
		formats = calloc((size_t)st->nparam, sizeof(*formats));
		if (values == NULL || lens == NULL || formats == NULL)
			goto done;
	}
	for (i = 0; i < st->nparam; i++) {
		values[i] = st->param[i].v;
		lens[i] = st->param[i].len;
		formats[i] = st->param[i].format;
	}
	trip();
	if (g != NULL)
		r = guarded(c->h, st, values, lens, formats, g);
	else
		r = PQexecPrepared(c->h, st->name, st->nparam, values, lens, formats, 0);
done:
	if (values != sv) {
		free(values);
		free(lens);
		free(formats);
	}
	return r;
}

/* The statement exists on the current connection (prepared again after a reconnect). */
static bool
present(struct pg_stmt *st)
{
	struct cg_db_conn *c = conn(st->base.db);
	PGresult *r;
	bool ok;

	if (st->gen == c->gen)
		return true;
	trip();
	r = PQprepare(c->h, st->name, st->sql, 0, NULL);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		note(c, r);
	else
		st->gen = c->gen;
	PQclear(r);
	return ok;
}

/*
 * Inside a transaction a failed statement aborts the whole transaction on
 * PostgreSQL, where SQLite undoes the statement alone and lets the caller
 * go on (a duplicate answered, the next message of a group commit): each
 * write in a transaction runs under a savepoint of its own, sent with it.
 * Inside a level whose writes stand or fall together (cg_db_savepoint_whole)
 * only the writes run by cg_db_step_alone() need one: the others' failure
 * is undone with the level.
 */
static bool
needs_guard(const struct pg_stmt *st)
{
	const cg_db *db = st->base.db;

	return st->write && db->depth > 0 && (db->whole == 0 || st->base.alone);
}

static int
execute(struct pg_stmt *st)
{
	cg_db *db = st->base.db;
	struct cg_db_conn *c = conn(db);
	struct guard_outcome g = { false, false };
	bool guard = needs_guard(st);
	ExecStatusType t;

	if (!usable(db) || !present(st))
		return rc_of(c);
	st->res = run(st, guard ? &g : NULL);
	t = PQresultStatus(st->res);
	/* A read outside a transaction on a connection that broke since: once more on a new one. */
	if (!st->write && t != PGRES_TUPLES_OK && t != PGRES_COMMAND_OK && again(db) && present(st)) {
		PQclear(st->res);
		st->res = run(st, NULL);
		t = PQresultStatus(st->res);
	}
	if (st->res == NULL || (t != PGRES_TUPLES_OK && t != PGRES_COMMAND_OK)) {
		/* No result: out of memory, or (a guarded write) the connection could not send. */
		int rc = st->res == NULL && PQstatus(c->h) == CONNECTION_OK && !guard ? CG_ENOMEM : CG_EDB;

		note(c, st->res);
		if (rc == CG_EDB)
			rc = rc_of(c);
		PQclear(st->res);
		st->res = NULL;
		if (g.made)
			(void)exec_conn(c, NULL, "ROLLBACK TO SAVEPOINT cg_stmt; RELEASE SAVEPOINT cg_stmt");
		return rc;
	}
	if (guard && !g.released) {
		note(c, NULL);
		if (c->err[0] == '\0')
			(void)snprintf(c->err, sizeof(c->err), "the statement's savepoint was not released");
		PQclear(st->res);
		st->res = NULL;
		return rc_of(c);
	}
	if (st->write) {
		c->changes = strtoll(PQcmdTuples(st->res), NULL, 10);
		if (strncmp(PQcmdStatus(st->res), "INSERT", 6) == 0 && c->changes > 0)
			c->inserted = true;
	}
	st->nrow = PQntuples(st->res);
	st->row = 0;
	return st->nrow > 0 ? CG_DB_ROW : CG_DB_DONE;
}

static int
pg_step(cg_db_stmt *s)
{
	struct pg_stmt *st = pst(s);

	if (st->res == NULL)
		return execute(st);
	drop_row(st);
	if (st->row < st->nrow)
		st->row++;
	return st->row < st->nrow ? CG_DB_ROW : CG_DB_DONE;
}

static bool
has_value(struct pg_stmt *st, int i)
{
	return st->res != NULL && st->row < st->nrow && i >= 0 && i < st->ncol &&
	       !PQgetisnull(st->res, st->row, i);
}

/* A bytea value of the current row, decoded once. */
static struct pg_col *
bytea(struct pg_stmt *st, int i)
{
	struct pg_col *col = &st->col[i];

	if (!col->done) {
		size_t n = 0;
		unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(st->res, st->row, i), &n);

		col->done = true;
		/* A NUL after the bytes: text readers get a string, like SQLite's. */
		if (raw != NULL) {
			col->bytes = malloc(n + 1);
			if (col->bytes != NULL) {
				memcpy(col->bytes, raw, n);
				col->bytes[n] = '\0';
				col->len = n;
			}
			PQfreemem(raw);
		}
	}
	return col;
}

static const char *
pg_column_text(cg_db_stmt *s, int i)
{
	struct pg_stmt *st = pst(s);
	Oid t;

	if (!has_value(st, i))
		return NULL;
	t = PQftype(st->res, i);
	if (t == OID_BYTEA)
		return (const char *)bytea(st, i)->bytes;
	if (t == OID_BOOL)
		return PQgetvalue(st->res, st->row, i)[0] == 't' ? "1" : "0";
	return PQgetvalue(st->res, st->row, i);
}

static double
pg_column_double(cg_db_stmt *s, int i)
{
	const char *v = pg_column_text(s, i);

	return v != NULL ? strtod(v, NULL) : 0.0;
}

static long long
pg_column_int64(cg_db_stmt *s, int i)
{
	struct pg_stmt *st = pst(s);
	const char *v = pg_column_text(s, i);
	Oid t;

	if (v == NULL)
		return 0;
	t = PQftype(st->res, i);
	if (t == OID_FLOAT4 || t == OID_FLOAT8 || (t == OID_NUMERIC && strchr(v, '.') != NULL))
		return (long long)strtod(v, NULL);
	return strtoll(v, NULL, 10);
}

static const void *
pg_column_blob(cg_db_stmt *s, int i)
{
	return pg_column_text(s, i);
}

static size_t
pg_column_bytes(cg_db_stmt *s, int i)
{
	struct pg_stmt *st = pst(s);

	if (!has_value(st, i))
		return 0;
	if (PQftype(st->res, i) == OID_BYTEA)
		return bytea(st, i)->len;
	if (PQftype(st->res, i) == OID_BOOL)
		return 1;
	return (size_t)PQgetlength(st->res, st->row, i);
}

static int
pg_column_count(cg_db_stmt *s)
{
	return pst(s)->ncol;
}

static const char *
pg_column_name(cg_db_stmt *s, int i)
{
	struct pg_stmt *st = pst(s);

	return i >= 0 && i < st->ncol ? PQfname(st->desc, i) : NULL;
}

static cg_db_type
pg_column_type(cg_db_stmt *s, int i)
{
	struct pg_stmt *st = pst(s);

	if (!has_value(st, i))
		return CG_DB_NULL;
	switch (PQftype(st->res, i)) {
	case OID_BOOL:
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID:
		return CG_DB_INT;
	case OID_FLOAT4:
	case OID_FLOAT8:
		return CG_DB_REAL;
	case OID_NUMERIC:
		/* sum() of integers is numeric: an integer while it has no fraction. */
		return strpbrk(PQgetvalue(st->res, st->row, i), ".eE") != NULL ? CG_DB_REAL : CG_DB_INT;
	case OID_BYTEA:
		return CG_DB_BLOB;
	default:
		return CG_DB_TEXT;
	}
}

static long long
pg_changes(cg_db *db)
{
	return conn(db)->changes;
}

/* The id the last INSERT drew from its table's identity (0 before any INSERT). */
static long long
pg_last_id(cg_db *db)
{
	return conn(db)->inserted ? query_int(db, "SELECT lastval()", 0) : 0;
}

static bool
pg_busy(cg_db *db)
{
	return conn(db)->busy;
}

static const char *
pg_errmsg(cg_db *db)
{
	struct cg_db_conn *c = conn(db);

	return c->err[0] != '\0' ? c->err : "unknown PostgreSQL failure";
}

const struct cg_db_ops cg__db_pg = {
	.kind = CG_DB_POSTGRESQL,
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	/*
	 * Write transactions run side by side (READ COMMITTED): what must not
	 * interleave takes a row lock or an advisory lock of its own
	 * (docs/postgresql.md, "Several nodes"); only migrations run one at a time.
	 */
	.begin_sql = "BEGIN",
	.migrate_sql = "BEGIN; " MIGRATE_LOCK,
	/* A wait behind another transaction's lock gives up soon: db.h, cg_db_short_waits(). */
	.short_waits_sql = "SET LOCAL lock_timeout = '200ms'",
	.long_waits_sql = "SET LOCAL lock_timeout = '10s'",
	.busy = pg_busy,
	.version = pg_version,
	.set_version = pg_set_version,
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.fresh = pg_fresh,
	.integrity = pg_integrity,
	.constraint = pg_constraint,
	.bind_text = pg_bind_text,
	.bind_textn = pg_bind_textn,
	.bind_int64 = pg_bind_int64,
	.bind_null = pg_bind_null,
	.bind_blob = pg_bind_blob,
	.step = pg_step,
	.reset = pg_reset,
	.column_text = pg_column_text,
	.column_int64 = pg_column_int64,
	.column_double = pg_column_double,
	.column_blob = pg_column_blob,
	.column_bytes = pg_column_bytes,
	.column_count = pg_column_count,
	.column_name = pg_column_name,
	.column_type = pg_column_type,
	.changes = pg_changes,
	.last_id = pg_last_id,
	.errmsg = pg_errmsg,
};
