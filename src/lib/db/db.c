/* SPDX-License-Identifier: MIT */
/*
 * The back-end neutral part of the database layer: the choice of back end,
 * versioned migrations, transaction and savepoint levels, the statement cache
 * of each module, and the per-statement calls passed to the back end.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include "db/db_backend.h"

/* The steps of @p schema for this connection's back end; NULL when it has none. */
static const char *const *
steps_of(const cg_db *db, const cg_db_schema *schema)
{
	return db->ops->kind == CG_DB_POSTGRESQL ? schema->pg_steps : schema->steps;
}

/*
 * Bring @p schema up to date, one step per transaction; refuse a newer
 * database. The version is read again inside each transaction: another
 * node that migrated meanwhile is not migrated over.
 */
static cg_rc
migrate(cg_db *db, cg_ctx *ctx, const cg_db_schema *schema)
{
	const char *const *steps = steps_of(db, schema);
	int v = db->ops->version(db);
	cg_rc rc = CG_OK;

	if (steps == NULL)
		return cg__fail(ctx, CG_EDB, "the %s schema is not available on this database", schema->name);
	while (rc == CG_OK && v >= 0 && v < schema->count) {
		rc = db->ops->exec(db, ctx, db->ops->migrate_sql);
		if (rc != CG_OK)
			return rc;
		db->depth = 1; /* a connection lost now is not made again inside the step */
		v = db->ops->version(db);
		if (v >= 0 && v < schema->count) {
			rc = db->ops->exec(db, ctx, steps[v]);
			if (rc == CG_OK)
				rc = db->ops->set_version(db, ctx, v + 1);
		}
		if (rc == CG_OK)
			rc = db->ops->exec(db, ctx, "COMMIT");
		else
			(void)db->ops->exec(db, NULL, "ROLLBACK");
		db->depth = 0;
		v = db->ops->version(db);
	}
	db->version = db->ops->version(db);
	if (rc == CG_OK && db->version < 0)
		rc = cg__fail(ctx, CG_EDB, "cannot read the %s schema version", schema->name);
	if (rc == CG_OK && db->version > schema->count)
		rc = cg__fail(ctx, CG_EDB, "%s schema %d is newer than this cebgate (%d)", schema->name,
			      db->version, schema->count);
	return rc;
}

bool
cg_db_is_uri(const char *where)
{
	return where != NULL &&
	       (strncmp(where, "postgresql://", 13) == 0 || strncmp(where, "postgres://", 11) == 0);
}

cg_rc
cg_db_open(cg_db **out, cg_ctx *ctx, const char *where, const cg_db_schema *schema, cg_db_wait wait)
{
	cg_db *db = calloc(1, sizeof(*db));
	cg_rc rc;

	*out = NULL;
	if (db == NULL)
		return CG_ENOMEM;
	db->ops = cg_db_is_uri(where) ? &cg__db_pg : &cg__db_sqlite;
	rc = db->ops->open(&db->conn, ctx, where, wait);
	if (rc == CG_OK)
		rc = migrate(db, ctx, schema);
	if (rc != CG_OK) {
		cg_db_close(db);
		return rc;
	}
	*out = db;
	return CG_OK;
}

cg_db_backend
cg_db_backend_of(const cg_db *db)
{
	return db->ops->kind;
}

void
cg_db_close(cg_db *db)
{
	int i, k;

	if (db == NULL)
		return;
	for (i = 0; i < db->ncache; i++) {
		for (k = 0; k < db->cache[i].m->count; k++)
			db->ops->finalize(db->cache[i].stmt[k]);
		free(db->cache[i].stmt);
	}
	cg_db_writer_mode_end(db);
	if (db->conn != NULL)
		db->ops->close(db->conn);
	free(db);
}

cg_rc
cg_db_writer_mode(cg_db *db, cg_ctx *ctx, bool checkpoint_thread)
{
	return db->ops->writer_start != NULL ? db->ops->writer_start(db, ctx, checkpoint_thread) : CG_OK;
}

void
cg_db_writer_mode_end(cg_db *db)
{
	if (db->ops->writer_stop != NULL && db->conn != NULL)
		db->ops->writer_stop(db);
}

void
cg_db_checkpoints(cg_db *db, unsigned long *apart, unsigned long *inline_)
{
	*apart = *inline_ = 0;
	if (db->ops->checkpoints != NULL)
		db->ops->checkpoints(db, apart, inline_);
}

void
cg_db_checkpoint_wait(cg_db *db)
{
	if (db->ops->checkpoint_wait != NULL)
		db->ops->checkpoint_wait(db);
}

unsigned long long
cg_db_vm_steps(cg_db *db)
{
	return db->ops->vm_steps != NULL ? db->ops->vm_steps(db) : 0;
}

int
cg_db_schema_version(const cg_db *db)
{
	return db->version;
}

int
cg_db_live_version(cg_db *db)
{
	return db->ops->version(db);
}

int
cg_db_schema_target(const cg_db_schema *schema)
{
	return schema->count;
}

char *
cg_db_integrity(cg_db *db)
{
	return db->ops->integrity(db);
}

/* The cache of module @p m, made on its first statement. */
static struct cg_db_cache *
cache_of(cg_db *db, const cg_db_module *m)
{
	int i;

	for (i = 0; i < db->ncache; i++) {
		if (db->cache[i].m == m)
			return &db->cache[i];
	}
	if (db->ncache == CG_DB_MODULES)
		return NULL;
	db->cache[i].stmt = calloc((size_t)m->count, sizeof(cg_db_stmt *));
	if (db->cache[i].stmt == NULL)
		return NULL;
	db->cache[i].m = m;
	db->ncache++;
	return &db->cache[i];
}

cg_db_stmt *
cg_db_prepared(cg_db *db, const cg_db_module *m, int id)
{
	struct cg_db_cache *c;
	const char *sql;

	if (id < 0 || id >= m->count || (c = cache_of(db, m)) == NULL)
		return NULL;
	sql = db->ops->kind == CG_DB_POSTGRESQL && m->pg_sql != NULL && m->pg_sql[id] != NULL
		      ? m->pg_sql[id]
		      : m->sql[id];
	if (sql == NULL)
		return NULL;
	if (c->stmt[id] == NULL && (c->stmt[id] = db->ops->prepare(db, sql)) == NULL)
		return NULL;
	db->ops->fresh(c->stmt[id]);
	return c->stmt[id];
}

cg_rc
cg_db_run(cg_db *db, cg_ctx *ctx, cg_db_stmt *s, const char *what)
{
	int r;

	if (s == NULL)
		return cg_db_fail(db, ctx, what);
	r = cg_db_step(s);
	cg_db_reset(s);
	if (r == CG_DB_DONE)
		return CG_OK;
	if (r == CG_EEXIST)
		return cg__fail(ctx, CG_EEXIST, "%s: exists already", what);
	if (r == CG_EDB && db->ops->constraint(db))
		return cg__fail(ctx, CG_EDB, "%s: not allowed", what);
	return cg_db_fail(db, ctx, what);
}

/* ---- transactions and savepoints ------------------------------------------------ */

/* Savepoint names are constants: no SQL is built from values. */
static const char *const sp_open[CG_DB_MAX_DEPTH] = {
	NULL, "SAVEPOINT sp1", "SAVEPOINT sp2", "SAVEPOINT sp3", "SAVEPOINT sp4", "SAVEPOINT sp5",
	"SAVEPOINT sp6", "SAVEPOINT sp7"
};
static const char *const sp_release[CG_DB_MAX_DEPTH] = {
	NULL, "RELEASE SAVEPOINT sp1", "RELEASE SAVEPOINT sp2", "RELEASE SAVEPOINT sp3",
	"RELEASE SAVEPOINT sp4", "RELEASE SAVEPOINT sp5", "RELEASE SAVEPOINT sp6",
	"RELEASE SAVEPOINT sp7"
};
static const char *const sp_undo[CG_DB_MAX_DEPTH] = {
	NULL, "ROLLBACK TO SAVEPOINT sp1", "ROLLBACK TO SAVEPOINT sp2", "ROLLBACK TO SAVEPOINT sp3",
	"ROLLBACK TO SAVEPOINT sp4", "ROLLBACK TO SAVEPOINT sp5", "ROLLBACK TO SAVEPOINT sp6",
	"ROLLBACK TO SAVEPOINT sp7"
};

/* One round trip for a whole level's release and the next level's savepoint (a group's next message). */
static const char *const sp_release_open[CG_DB_MAX_DEPTH] = {
	NULL, "RELEASE SAVEPOINT sp1; SAVEPOINT sp1", "RELEASE SAVEPOINT sp2; SAVEPOINT sp2",
	"RELEASE SAVEPOINT sp3; SAVEPOINT sp3", "RELEASE SAVEPOINT sp4; SAVEPOINT sp4",
	"RELEASE SAVEPOINT sp5; SAVEPOINT sp5", "RELEASE SAVEPOINT sp6; SAVEPOINT sp6",
	"RELEASE SAVEPOINT sp7; SAVEPOINT sp7"
};

/*
 * PostgreSQL: a whole level's release is told to the server with whatever
 * comes next on the connection (cg_db_release), in the same round trip when
 * that is the next message's savepoint. Anything else sends it first.
 */
static cg_rc
tell_release(cg_db *db, cg_ctx *ctx)
{
	int n = db->unreleased;

	if (n == 0)
		return CG_OK;
	db->unreleased = 0;
	return db->ops->exec(db, ctx, sp_release[n]);
}

cg_rc
cg_db_begin(cg_db *db, cg_ctx *ctx)
{
	cg_rc rc;

	if (db->depth != 0)
		return cg__fail(ctx, CG_EINTERNAL, "a transaction is open already");
	rc = db->ops->exec(db, ctx, db->ops->begin_sql);
	if (rc == CG_OK) {
		db->depth = 1;
		db->txn++;
	}
	return rc;
}

cg_rc
cg_db_commit(cg_db *db, cg_ctx *ctx)
{
	cg_rc rc = tell_release(db, ctx);

	/* The commit's own work (the feed's positions) waits as long as the session allows. */
	if (rc == CG_OK && db->short_waits && db->ops->long_waits_sql != NULL)
		rc = db->ops->exec(db, ctx, db->ops->long_waits_sql);
	db->short_waits = false;
	if (rc == CG_OK && db->before_commit != NULL)
		rc = db->before_commit(db, ctx, db->before_commit_arg);
	if (rc == CG_OK)
		rc = db->ops->exec(db, ctx, "COMMIT");
	/* A failed COMMIT leaves the transaction open: roll it back so that the connection is usable. */
	if (rc != CG_OK)
		(void)db->ops->exec(db, NULL, "ROLLBACK");
	db->depth = 0;
	db->whole = 0;
	db->unreleased = 0;
	return rc;
}

void
cg_db_rollback(cg_db *db)
{
	db->short_waits = false;
	db->unreleased = 0; /* undone with the rest */
	(void)db->ops->exec(db, NULL, "ROLLBACK");
	db->depth = 0;
	db->whole = 0;
}

cg_rc
cg_db_savepoint(cg_db *db, cg_ctx *ctx)
{
	cg_rc rc;

	if (db->depth < 1 || db->depth >= CG_DB_MAX_DEPTH)
		return cg__fail(ctx, CG_EINTERNAL, "savepoint outside a transaction or nested too deep");
	if (db->unreleased == db->depth) {
		db->unreleased = 0;
		rc = db->ops->exec(db, ctx, sp_release_open[db->depth]);
	} else {
		rc = tell_release(db, ctx);
		if (rc == CG_OK)
			rc = db->ops->exec(db, ctx, sp_open[db->depth]);
	}
	if (rc == CG_OK)
		db->depth++;
	return rc;
}

cg_rc
cg_db_savepoint_whole(cg_db *db, cg_ctx *ctx)
{
	cg_rc rc = cg_db_savepoint(db, ctx);

	if (rc == CG_OK && db->whole == 0)
		db->whole = db->depth;
	return rc;
}

/* A level just closed (depth is the enclosing one's): a whole level ends with it. */
static void
leave(cg_db *db)
{
	if (db->whole > db->depth)
		db->whole = 0;
}

cg_rc
cg_db_release(cg_db *db, cg_ctx *ctx)
{
	bool whole = db->whole == db->depth;
	cg_rc rc;

	if (db->depth < 2)
		return cg__fail(ctx, CG_EINTERNAL, "no savepoint to release");
	rc = tell_release(db, ctx);
	db->depth--;
	leave(db);
	if (rc != CG_OK)
		return rc;
	/* A whole level's writes all succeeded: its release can wait for the next round trip. */
	if (whole && db->ops->kind == CG_DB_POSTGRESQL) {
		db->unreleased = db->depth;
		return CG_OK;
	}
	return db->ops->exec(db, ctx, sp_release[db->depth]);
}

void
cg_db_rollback_to(cg_db *db)
{
	if (db->depth < 2)
		return;
	(void)tell_release(db, NULL);
	db->depth--;
	leave(db);
	(void)db->ops->exec(db, NULL, sp_undo[db->depth]);
	(void)db->ops->exec(db, NULL, sp_release[db->depth]);
}

int
cg_db_depth(const cg_db *db)
{
	return db->depth;
}

void
cg_db_on_commit(cg_db *db, cg_rc (*fn)(cg_db *db, cg_ctx *ctx, void *arg), void *arg)
{
	db->before_commit = fn;
	db->before_commit_arg = arg;
}

unsigned long
cg_db_txn(const cg_db *db)
{
	return db->depth > 0 ? db->txn : 0;
}

cg_rc
cg_db_short_waits(cg_db *db, cg_ctx *ctx)
{
	if (db->depth == 0 || db->ops->short_waits_sql == NULL || db->short_waits)
		return CG_OK;
	db->short_waits = true;
	if (tell_release(db, ctx) != CG_OK)
		return CG_EDB; /* the reason is in ctx */
	return db->ops->exec(db, ctx, db->ops->short_waits_sql);
}

bool
cg_db_busy(cg_db *db)
{
	return db->ops->busy(db);
}

cg_rc
cg_db_change_begin(cg_db *db, cg_ctx *ctx)
{
	return db->depth > 0 ? cg_db_savepoint(db, ctx) : cg_db_begin(db, ctx);
}

cg_rc
cg_db_change_end(cg_db *db, cg_ctx *ctx, cg_rc rc)
{
	bool inner = db->depth > 1;

	if (rc == CG_OK)
		return inner ? cg_db_release(db, ctx) : cg_db_commit(db, ctx);
	if (inner)
		cg_db_rollback_to(db);
	else
		cg_db_rollback(db);
	return rc;
}

/* ---- statements: passed to the connection's back end ------------------------------- */

cg_rc
cg_db_bind_text(cg_db_stmt *s, int i, const char *v)
{
	return s->db->ops->bind_text(s, i, v);
}

cg_rc
cg_db_bind_textn(cg_db_stmt *s, int i, const char *v, size_t len)
{
	return s->db->ops->bind_textn(s, i, v, len);
}

cg_rc
cg_db_bind_int64(cg_db_stmt *s, int i, long long v)
{
	return s->db->ops->bind_int64(s, i, v);
}

cg_rc
cg_db_bind_null(cg_db_stmt *s, int i)
{
	return s->db->ops->bind_null(s, i);
}

cg_rc
cg_db_bind_blob(cg_db_stmt *s, int i, const void *p, size_t len)
{
	return s->db->ops->bind_blob(s, i, p, len);
}

int
cg_db_step(cg_db_stmt *s)
{
	if (s->db->unreleased != 0 && tell_release(s->db, NULL) != CG_OK)
		return CG_EDB;
	return s->db->ops->step(s);
}

int
cg_db_step_alone(cg_db_stmt *s)
{
	int r;

	s->alone = true;
	r = cg_db_step(s);
	s->alone = false;
	return r;
}

void
cg_db_reset(cg_db_stmt *s)
{
	s->db->ops->reset(s);
}

const char *
cg_db_column_text(cg_db_stmt *s, int i)
{
	return s->db->ops->column_text(s, i);
}

long long
cg_db_column_int64(cg_db_stmt *s, int i)
{
	return s->db->ops->column_int64(s, i);
}

int
cg_db_column_int(cg_db_stmt *s, int i)
{
	return (int)s->db->ops->column_int64(s, i);
}

double
cg_db_column_double(cg_db_stmt *s, int i)
{
	return s->db->ops->column_double(s, i);
}

const void *
cg_db_column_blob(cg_db_stmt *s, int i)
{
	return s->db->ops->column_blob(s, i);
}

size_t
cg_db_column_bytes(cg_db_stmt *s, int i)
{
	return s->db->ops->column_bytes(s, i);
}

bool
cg_db_column_is_null(cg_db_stmt *s, int i)
{
	return s->db->ops->column_type(s, i) == CG_DB_NULL;
}

int
cg_db_column_count(cg_db_stmt *s)
{
	return s->db->ops->column_count(s);
}

const char *
cg_db_column_name(cg_db_stmt *s, int i)
{
	return s->db->ops->column_name(s, i);
}

cg_db_type
cg_db_column_type(cg_db_stmt *s, int i)
{
	return s->db->ops->column_type(s, i);
}

long long
cg_db_changes(cg_db *db)
{
	return db->ops->changes(db);
}

long long
cg_db_last_id(cg_db *db)
{
	return db->ops->last_id(db);
}

const char *
cg_db_errmsg(cg_db *db)
{
	return db->ops->errmsg(db);
}

cg_rc
cg_db_fail(cg_db *db, cg_ctx *ctx, const char *what)
{
	return cg__fail(ctx, CG_EDB, "%s: %s", what, db->ops->errmsg(db));
}
