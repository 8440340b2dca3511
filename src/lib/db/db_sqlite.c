/* SPDX-License-Identifier: MIT */
/*
 * The SQLite back end of the database layer (cg__db_sqlite): opening with the
 * settings of docs/security (WAL, synchronous=FULL, foreign keys, defensive
 * mode, untrusted schema, busy waiting), the schema version in PRAGMA
 * user_version, statements, and SQLite's result codes mapped to cg_rc.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>
#include "db/db_backend.h"

struct checkpointer;

struct cg_db_conn {
	sqlite3 *h;
	struct checkpointer *ck; /* writer mode (cg_db_writer_mode), else NULL */
};

/*
 * Writer mode's checkpoints: the writer's WAL hook asks (asked), the thread
 * runs one PASSIVE checkpoint per round on its own connection (ran: the
 * requests it has served). Without a thread (h NULL), the writer checkpoints
 * itself at CG_DB_WAL_LIMIT.
 */
struct checkpointer {
	pthread_mutex_t lock;
	pthread_cond_t wake; /* the thread's: asked, or stop */
	pthread_cond_t done; /* a round ended */
	pthread_t th;
	sqlite3 *h;
	unsigned long asked, ran;
	unsigned long apart, inline_; /* run by the thread; waited for or run by the writer */
	int stop;
};

/*
 * $N parameters: SQLite takes "$1" as a named parameter and numbers it by
 * first appearance, so "$2 ... $1" would bind the wrong values. Each
 * statement keeps the SQLite index of every $N.
 */
struct sq_stmt {
	struct cg_db_stmt base; /* first: the layer's view */
	sqlite3_stmt *s;
	int nmap;
	int *map; /* map[n] = SQLite's index of $n, 0 when absent */
};

static sqlite3 *
handle(cg_db *db)
{
	return db->conn->h;
}

/*
 * Waiting for another connection's write: SQLite's own handler sleeps 1, 2,
 * 5 ... ms, far longer than the service's transactions last (measured: +55%
 * throughput with short retries). Retry every 20 us at first, then every ms,
 * ~10 s in all.
 */
static int
on_busy(void *payload, int count)
{
	struct timespec nap = { 0, count < 200 ? 20 * 1000 : 1000 * 1000 };

	(void)payload;
	if (count >= 200 + 10000)
		return 0;
	(void)nanosleep(&nap, NULL);
	return 1;
}

static cg_rc
exec_conn(sqlite3 *h, cg_ctx *ctx, const char *constant_sql)
{
	char *err = NULL;

	if (sqlite3_exec(h, constant_sql, NULL, NULL, &err) != SQLITE_OK) {
		cg_rc rc = cg__fail(ctx, CG_EDB, "%s", err != NULL ? err : sqlite3_errmsg(h));

		sqlite3_free(err);
		return rc;
	}
	return CG_OK;
}

static void sq_close(struct cg_db_conn *c);

static cg_rc
sq_open(struct cg_db_conn **out, cg_ctx *ctx, const char *path, cg_db_wait wait)
{
	struct cg_db_conn *c = calloc(1, sizeof(*c));
	cg_rc rc;

	*out = NULL;
	if (c == NULL)
		return CG_ENOMEM;
	if (sqlite3_open_v2(path, &c->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		rc = cg__fail(ctx, CG_EDB, "cannot open %s: %s", path,
			      c->h != NULL ? sqlite3_errmsg(c->h) : "out of memory");
		sq_close(c);
		return rc;
	}
	sqlite3_extended_result_codes(c->h, 1);
	(void)sqlite3_db_config(c->h, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	(void)sqlite3_db_config(c->h, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	if (wait == CG_DB_WAIT_SPIN)
		sqlite3_busy_handler(c->h, on_busy, NULL);
	else
		sqlite3_busy_timeout(c->h, 10000);
	/*
	 * WAL for concurrent readers; FULL so that a commit (an answer given, a
	 * declaration recorded as signed) survives power loss.
	 */
	rc = exec_conn(c->h, ctx, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
				  " PRAGMA foreign_keys=ON; PRAGMA trusted_schema=OFF;");
	if (rc != CG_OK) {
		sq_close(c);
		return rc;
	}
	*out = c;
	return CG_OK;
}

static void
sq_close(struct cg_db_conn *c)
{
	if (c == NULL)
		return;
	sqlite3_close(c->h);
	free(c);
}

static void *
checkpoint_main(void *arg)
{
	struct checkpointer *k = arg;

#ifdef __GLIBC__
	(void)pthread_setname_np(pthread_self(), "cg-checkpoint");
#endif
	pthread_mutex_lock(&k->lock);
	for (;;) {
		unsigned long want = k->asked;

		if (k->stop)
			break;
		if (want == k->ran) {
			pthread_cond_wait(&k->wake, &k->lock);
			continue;
		}
		pthread_mutex_unlock(&k->lock);
		/* PASSIVE: copies what no reader still needs, never waits for the writer or a reader. */
		(void)sqlite3_wal_checkpoint_v2(k->h, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&k->lock);
		k->apart++;
		k->ran = want;
		pthread_cond_broadcast(&k->done);
	}
	pthread_mutex_unlock(&k->lock);
	return NULL;
}

/*
 * After each commit of the writer's connection, with the WAL's page count:
 * past CG_DB_WAL_CHECKPOINT the thread is asked for a checkpoint; past
 * CG_DB_WAL_LIMIT the writer waits for one that starts after this commit
 * (nothing is appended meanwhile, so it copies the whole WAL and the next
 * transaction starts the WAL over), or runs it itself without a thread.
 */
static int
on_wal(void *arg, sqlite3 *h, const char *name, int pages)
{
	struct checkpointer *k = arg;
	unsigned long want;

	if (pages < CG_DB_WAL_CHECKPOINT)
		return SQLITE_OK;
	if (k->h == NULL) {
		if (pages >= CG_DB_WAL_LIMIT) {
			(void)sqlite3_wal_checkpoint_v2(h, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
			k->inline_++;
		}
		return SQLITE_OK;
	}
	pthread_mutex_lock(&k->lock);
	want = ++k->asked;
	pthread_cond_signal(&k->wake);
	if (pages >= CG_DB_WAL_LIMIT) {
		k->inline_++;
		while ((long)(k->ran - want) < 0 && !k->stop)
			pthread_cond_wait(&k->done, &k->lock);
	}
	pthread_mutex_unlock(&k->lock);
	return SQLITE_OK;
}

static void
checkpointer_free(struct checkpointer *k)
{
	sqlite3_close(k->h);
	pthread_cond_destroy(&k->done);
	pthread_cond_destroy(&k->wake);
	pthread_mutex_destroy(&k->lock);
	free(k);
}

static cg_rc
sq_writer_start(cg_db *db, cg_ctx *ctx, bool thread)
{
	struct cg_db_conn *c = db->conn;
	struct checkpointer *k;
	const char *path = sqlite3_db_filename(c->h, "main");
	cg_rc rc;

	if (c->ck != NULL)
		return CG_OK;
	/* Statement journals (a savepoint per message) in memory: no temporary file per group. */
	rc = exec_conn(c->h, ctx, "PRAGMA temp_store=MEMORY");
	if (rc != CG_OK)
		return rc;
	k = calloc(1, sizeof(*k));
	if (k == NULL)
		return CG_ENOMEM;
	if (pthread_mutex_init(&k->lock, NULL) != 0) {
		free(k);
		return CG_ENOMEM;
	}
	(void)pthread_cond_init(&k->wake, NULL);
	(void)pthread_cond_init(&k->done, NULL);
	if (thread && (path == NULL || path[0] == '\0'))
		thread = false; /* an in-memory or temporary database: nobody else can open it */
	if (thread && sqlite3_open_v2(path, &k->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
			      SQLITE_OK) {
		rc = cg__fail(ctx, CG_EDB, "checkpoint connection: %s",
			      k->h != NULL ? sqlite3_errmsg(k->h) : "out of memory");
		checkpointer_free(k);
		return rc;
	}
	if (thread) {
		(void)sqlite3_db_config(k->h, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
		sqlite3_busy_timeout(k->h, 10000);
		rc = exec_conn(k->h, ctx, "PRAGMA synchronous=FULL; PRAGMA trusted_schema=OFF;");
		if (rc == CG_OK && pthread_create(&k->th, NULL, checkpoint_main, k) != 0)
			rc = cg__fail(ctx, CG_ENOMEM, "checkpoint thread: cannot start");
		if (rc != CG_OK) {
			checkpointer_free(k);
			return rc;
		}
	}
	c->ck = k;
	/* Replaces SQLite's own automatic checkpoint, which would run in the writer's thread. */
	(void)sqlite3_wal_hook(c->h, on_wal, k);
	return CG_OK;
}

static void
sq_writer_stop(cg_db *db)
{
	struct cg_db_conn *c = db->conn;
	struct checkpointer *k = c->ck;

	if (k == NULL)
		return;
	(void)sqlite3_wal_autocheckpoint(c->h, CG_DB_WAL_CHECKPOINT); /* SQLite's own hook again */
	c->ck = NULL;
	if (k->h != NULL) {
		pthread_mutex_lock(&k->lock);
		k->stop = 1;
		pthread_cond_broadcast(&k->wake);
		pthread_mutex_unlock(&k->lock);
		(void)pthread_join(k->th, NULL);
	}
	checkpointer_free(k);
}

static void
sq_checkpoints(cg_db *db, unsigned long *apart, unsigned long *inline_)
{
	struct checkpointer *k = db->conn->ck;

	if (k == NULL)
		return;
	pthread_mutex_lock(&k->lock);
	*apart = k->apart;
	*inline_ = k->inline_;
	pthread_mutex_unlock(&k->lock);
}

static void
sq_checkpoint_wait(cg_db *db)
{
	struct checkpointer *k = db->conn->ck;

	if (k == NULL || k->h == NULL)
		return;
	pthread_mutex_lock(&k->lock);
	while (k->ran != k->asked && !k->stop)
		pthread_cond_wait(&k->done, &k->lock);
	pthread_mutex_unlock(&k->lock);
}

static unsigned long long
sq_vm_steps(cg_db *db)
{
	unsigned long long n = 0;
	sqlite3_stmt *s = NULL;

	while ((s = sqlite3_next_stmt(handle(db), s)) != NULL)
		n += (unsigned long long)sqlite3_stmt_status(s, SQLITE_STMTSTATUS_VM_STEP, 0);
	return n;
}

static cg_rc
sq_exec(cg_db *db, cg_ctx *ctx, const char *constant_sql)
{
	return exec_conn(handle(db), ctx, constant_sql);
}


static int
pragma_int(cg_db *db, const char *constant_sql)
{
	sqlite3_stmt *s = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(handle(db), constant_sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int
sq_version(cg_db *db)
{
	return pragma_int(db, "PRAGMA user_version");
}

/* PRAGMA user_version takes no parameter: one constant per version. */
#define V(n) "PRAGMA user_version = " #n
static const char *const set_version[] = { V(0),  V(1),	 V(2),	V(3),  V(4),  V(5),  V(6),
					   V(7),  V(8),	 V(9),	V(10), V(11), V(12), V(13),
					   V(14), V(15), V(16), V(17), V(18), V(19), V(20),
					   V(21), V(22), V(23), V(24), V(25), V(26), V(27),
					   V(28), V(29), V(30), V(31), V(32) };
#undef V

static cg_rc
sq_set_version(cg_db *db, cg_ctx *ctx, int v)
{
	if (v < 0 || v >= (int)(sizeof(set_version) / sizeof(set_version[0])))
		return cg__fail(ctx, CG_EINTERNAL, "schema version %d out of range", v);
	return exec_conn(handle(db), ctx, set_version[v]);
}

static char *
sq_integrity(cg_db *db)
{
	sqlite3_stmt *s = NULL;
	char *r = NULL;

	if (sqlite3_prepare_v2(handle(db), "PRAGMA integrity_check", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		r = cg__strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return r;
}

/* N of a "$N" parameter (1 to 999), else 0: anonymous (?) and named (:x) parameters are refused. */
static int
param_number(const char *name)
{
	char *end = NULL;
	long k;

	if (name == NULL || name[0] != '$' || name[1] < '1' || name[1] > '9')
		return 0;
	k = strtol(name + 1, &end, 10);
	return *end == '\0' && k <= 999 ? (int)k : 0;
}

/* Fill the $N map; false when out of memory or a parameter is not $N. */
static bool
map_params(struct sq_stmt *st)
{
	int n = sqlite3_bind_parameter_count(st->s), i, max = 0;

	for (i = 1; i <= n; i++) {
		int k = param_number(sqlite3_bind_parameter_name(st->s, i));

		if (k == 0)
			return false;
		max = k > max ? k : max;
	}
	st->map = calloc((size_t)max + 1, sizeof(int));
	if (st->map == NULL)
		return false;
	st->nmap = max;
	for (i = 1; i <= n; i++)
		st->map[param_number(sqlite3_bind_parameter_name(st->s, i))] = i;
	return true;
}

static void sq_finalize(cg_db_stmt *base);

static cg_db_stmt *
sq_prepare(cg_db *db, const char *sql)
{
	struct sq_stmt *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return NULL;
	st->base.db = db;
	if (sqlite3_prepare_v3(handle(db), sql, -1, SQLITE_PREPARE_PERSISTENT, &st->s, NULL) !=
		    SQLITE_OK ||
	    !map_params(st)) {
		sq_finalize(&st->base);
		return NULL;
	}
	return &st->base;
}

static void
sq_finalize(cg_db_stmt *base)
{
	struct sq_stmt *st = (struct sq_stmt *)base;

	if (st == NULL)
		return;
	sqlite3_finalize(st->s);
	free(st->map);
	free(st);
}

static void
sq_reset(cg_db_stmt *base)
{
	struct sq_stmt *st = (struct sq_stmt *)base;

	sqlite3_reset(st->s);
}

static void
sq_fresh(cg_db_stmt *base)
{
	struct sq_stmt *st = (struct sq_stmt *)base;

	sqlite3_reset(st->s);
	sqlite3_clear_bindings(st->s);
}

static int
index_of(struct sq_stmt *st, int i)
{
	return i > 0 && i <= st->nmap ? st->map[i] : 0;
}

static cg_rc
bound(int r)
{
	return r == SQLITE_OK ? CG_OK : r == SQLITE_NOMEM ? CG_ENOMEM : CG_EDB;
}

static cg_rc
sq_bind_text(cg_db_stmt *base, int i, const char *v)
{
	struct sq_stmt *st = (struct sq_stmt *)base;

	int k = index_of(st, i);

	if (k == 0)
		return CG_EINTERNAL;
	return bound(v != NULL ? sqlite3_bind_text(st->s, k, v, -1, SQLITE_STATIC)
			       : sqlite3_bind_null(st->s, k));
}

static cg_rc
sq_bind_textn(cg_db_stmt *base, int i, const char *v, size_t len)
{
	struct sq_stmt *st = (struct sq_stmt *)base;

	int k = index_of(st, i);

	if (k == 0)
		return CG_EINTERNAL;
	return bound(sqlite3_bind_text64(st->s, k, v != NULL ? v : "", len, SQLITE_STATIC, SQLITE_UTF8));
}

static cg_rc
sq_bind_int64(cg_db_stmt *base, int i, long long v)
{
	struct sq_stmt *st = (struct sq_stmt *)base;

	int k = index_of(st, i);

	return k != 0 ? bound(sqlite3_bind_int64(st->s, k, (sqlite3_int64)v)) : CG_EINTERNAL;
}

static cg_rc
sq_bind_null(cg_db_stmt *base, int i)
{
	struct sq_stmt *st = (struct sq_stmt *)base;

	int k = index_of(st, i);

	return k != 0 ? bound(sqlite3_bind_null(st->s, k)) : CG_EINTERNAL;
}

static cg_rc
sq_bind_blob(cg_db_stmt *base, int i, const void *p, size_t len)
{
	struct sq_stmt *st = (struct sq_stmt *)base;

	int k = index_of(st, i);

	/* A zero-length blob is a blob, not NULL: SQLite needs a non-NULL pointer for that. */
	return k != 0 ? bound(sqlite3_bind_blob64(st->s, k, p != NULL ? p : "", len, SQLITE_STATIC))
		      : CG_EINTERNAL;
}

/* A taken UNIQUE or PRIMARY KEY is a conflict the caller answers; the rest is a failure. */
static cg_rc
rc_of(sqlite3 *h)
{
	int e = sqlite3_extended_errcode(h);

	if (e == SQLITE_CONSTRAINT_UNIQUE || e == SQLITE_CONSTRAINT_PRIMARYKEY)
		return CG_EEXIST;
	if ((e & 0xff) == SQLITE_NOMEM)
		return CG_ENOMEM;
	return CG_EDB;
}

static int
sq_step(cg_db_stmt *base)
{
	struct sq_stmt *st = (struct sq_stmt *)base;

	int r = sqlite3_step(st->s);

	if (r == SQLITE_ROW)
		return CG_DB_ROW;
	if (r == SQLITE_DONE)
		return CG_DB_DONE;
	return (int)rc_of(handle(st->base.db));
}

static const char *
sq_column_text(cg_db_stmt *base, int i)
{
	struct sq_stmt *st = (struct sq_stmt *)base;

	return (const char *)sqlite3_column_text(st->s, i);
}

static long long
sq_column_int64(cg_db_stmt *base, int i)
{
	struct sq_stmt *st = (struct sq_stmt *)base;

	return (long long)sqlite3_column_int64(st->s, i);
}

static double
sq_column_double(cg_db_stmt *base, int i)
{
	struct sq_stmt *st = (struct sq_stmt *)base;

	return sqlite3_column_double(st->s, i);
}

static const void *
sq_column_blob(cg_db_stmt *base, int i)
{
	struct sq_stmt *st = (struct sq_stmt *)base;

	return sqlite3_column_blob(st->s, i);
}

static size_t
sq_column_bytes(cg_db_stmt *base, int i)
{
	struct sq_stmt *st = (struct sq_stmt *)base;

	return (size_t)sqlite3_column_bytes(st->s, i);
}

static int
sq_column_count(cg_db_stmt *base)
{
	struct sq_stmt *st = (struct sq_stmt *)base;

	return sqlite3_column_count(st->s);
}

static const char *
sq_column_name(cg_db_stmt *base, int i)
{
	struct sq_stmt *st = (struct sq_stmt *)base;

	return sqlite3_column_name(st->s, i);
}

static cg_db_type
sq_column_type(cg_db_stmt *base, int i)
{
	struct sq_stmt *st = (struct sq_stmt *)base;

	switch (sqlite3_column_type(st->s, i)) {
	case SQLITE_INTEGER:
		return CG_DB_INT;
	case SQLITE_FLOAT:
		return CG_DB_REAL;
	case SQLITE_TEXT:
		return CG_DB_TEXT;
	case SQLITE_BLOB:
		return CG_DB_BLOB;
	default:
		return CG_DB_NULL;
	}
}

static long long
sq_changes(cg_db *db)
{
	return sqlite3_changes(handle(db));
}

static long long
sq_last_id(cg_db *db)
{
	return (long long)sqlite3_last_insert_rowid(handle(db));
}

static const char *
sq_errmsg(cg_db *db)
{
	return sqlite3_errmsg(handle(db));
}


static bool
sq_constraint(cg_db *db)
{
	return (sqlite3_extended_errcode(handle(db)) & 0xff) == SQLITE_CONSTRAINT;
}

/* One writer at a time: a write inside a transaction never waits for another's lock. */
static bool
sq_busy(cg_db *db)
{
	(void)db;
	return false;
}

const struct cg_db_ops cg__db_sqlite = {
	.kind = CG_DB_SQLITE,
	.open = sq_open,
	.close = sq_close,
	.exec = sq_exec,
	/* IMMEDIATE: take the write lock now, not at the first write (which could fail BUSY). */
	.begin_sql = "BEGIN IMMEDIATE",
	.migrate_sql = "BEGIN IMMEDIATE",
	.short_waits_sql = NULL, /* one writer at a time: no lock is waited for inside a transaction */
	.long_waits_sql = NULL,
	.busy = sq_busy,
	.version = sq_version,
	.set_version = sq_set_version,
	.prepare = sq_prepare,
	.finalize = sq_finalize,
	.fresh = sq_fresh,
	.integrity = sq_integrity,
	.constraint = sq_constraint,
	.bind_text = sq_bind_text,
	.bind_textn = sq_bind_textn,
	.bind_int64 = sq_bind_int64,
	.bind_null = sq_bind_null,
	.bind_blob = sq_bind_blob,
	.step = sq_step,
	.reset = sq_reset,
	.column_text = sq_column_text,
	.column_int64 = sq_column_int64,
	.column_double = sq_column_double,
	.column_blob = sq_column_blob,
	.column_bytes = sq_column_bytes,
	.column_count = sq_column_count,
	.column_name = sq_column_name,
	.column_type = sq_column_type,
	.changes = sq_changes,
	.last_id = sq_last_id,
	.errmsg = sq_errmsg,
	.writer_start = sq_writer_start,
	.writer_stop = sq_writer_stop,
	.checkpoints = sq_checkpoints,
	.checkpoint_wait = sq_checkpoint_wait,
	.vm_steps = sq_vm_steps,
};
