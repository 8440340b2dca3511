/* SPDX-License-Identifier: MIT */
/*
 * The back-end neutral part of the database layer: versioned migrations,
 * transaction and savepoint levels, and the statement cache of each module.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include "db/db_backend.h"

/* Bring @p schema up to date, one step per transaction; refuse a newer database. */
static cg_rc
migrate(cg_db *db, cg_ctx *ctx, const cg_db_schema *schema)
{
	int v;
	cg_rc rc = CG_OK;

	for (v = cg__dbb_version(db); v >= 0 && v < schema->count && rc == CG_OK; v++) {
		rc = cg__dbb_exec(db, ctx, cg__dbb_begin_sql());
		if (rc != CG_OK)
			return rc;
		rc = cg__dbb_exec(db, ctx, schema->steps[v]);
		if (rc == CG_OK)
			rc = cg__dbb_set_version(db, ctx, v + 1);
		if (rc == CG_OK)
			rc = cg__dbb_exec(db, ctx, "COMMIT");
		else
			(void)cg__dbb_exec(db, NULL, "ROLLBACK");
	}
	db->version = cg__dbb_version(db);
	if (rc == CG_OK && db->version < 0)
		rc = cg__fail(ctx, CG_EDB, "cannot read the %s schema version", schema->name);
	if (rc == CG_OK && db->version > schema->count)
		rc = cg__fail(ctx, CG_EDB, "%s schema %d is newer than this cebgate (%d)", schema->name,
			      db->version, schema->count);
	return rc;
}

cg_rc
cg_db_open(cg_db **out, cg_ctx *ctx, const char *path, const cg_db_schema *schema, cg_db_wait wait)
{
	cg_db *db = calloc(1, sizeof(*db));
	cg_rc rc;

	*out = NULL;
	if (db == NULL)
		return CG_ENOMEM;
	rc = cg__dbb_open(&db->conn, ctx, path, wait);
	if (rc == CG_OK)
		rc = migrate(db, ctx, schema);
	if (rc != CG_OK) {
		cg_db_close(db);
		return rc;
	}
	*out = db;
	return CG_OK;
}

void
cg_db_close(cg_db *db)
{
	int i, k;

	if (db == NULL)
		return;
	for (i = 0; i < db->ncache; i++) {
		for (k = 0; k < db->cache[i].m->count; k++)
			cg__dbb_finalize(db->cache[i].stmt[k]);
		free(db->cache[i].stmt);
	}
	cg__dbb_close(db->conn);
	free(db);
}

int
cg_db_schema_version(const cg_db *db)
{
	return db->version;
}

int
cg_db_live_version(cg_db *db)
{
	return cg__dbb_version(db);
}

int
cg_db_schema_target(const cg_db_schema *schema)
{
	return schema->count;
}

char *
cg_db_integrity(cg_db *db)
{
	return cg__dbb_integrity(db);
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

	if (id < 0 || id >= m->count || m->sql[id] == NULL || (c = cache_of(db, m)) == NULL)
		return NULL;
	if (c->stmt[id] == NULL && (c->stmt[id] = cg__dbb_prepare(db, m->sql[id])) == NULL)
		return NULL;
	cg__dbb_fresh(c->stmt[id]);
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
	if (r == CG_EDB && cg__dbb_constraint(db))
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

cg_rc
cg_db_begin(cg_db *db, cg_ctx *ctx)
{
	cg_rc rc;

	if (db->depth != 0)
		return cg__fail(ctx, CG_EINTERNAL, "a transaction is open already");
	rc = cg__dbb_exec(db, ctx, cg__dbb_begin_sql());
	if (rc == CG_OK)
		db->depth = 1;
	return rc;
}

cg_rc
cg_db_commit(cg_db *db, cg_ctx *ctx)
{
	cg_rc rc = cg__dbb_exec(db, ctx, "COMMIT");

	/* A failed COMMIT leaves the transaction open: roll it back so that the connection is usable. */
	if (rc != CG_OK)
		(void)cg__dbb_exec(db, NULL, "ROLLBACK");
	db->depth = 0;
	return rc;
}

void
cg_db_rollback(cg_db *db)
{
	(void)cg__dbb_exec(db, NULL, "ROLLBACK");
	db->depth = 0;
}

cg_rc
cg_db_savepoint(cg_db *db, cg_ctx *ctx)
{
	cg_rc rc;

	if (db->depth < 1 || db->depth >= CG_DB_MAX_DEPTH)
		return cg__fail(ctx, CG_EINTERNAL, "savepoint outside a transaction or nested too deep");
	rc = cg__dbb_exec(db, ctx, sp_open[db->depth]);
	if (rc == CG_OK)
		db->depth++;
	return rc;
}

cg_rc
cg_db_release(cg_db *db, cg_ctx *ctx)
{
	if (db->depth < 2)
		return cg__fail(ctx, CG_EINTERNAL, "no savepoint to release");
	db->depth--;
	return cg__dbb_exec(db, ctx, sp_release[db->depth]);
}

void
cg_db_rollback_to(cg_db *db)
{
	if (db->depth < 2)
		return;
	db->depth--;
	(void)cg__dbb_exec(db, NULL, sp_undo[db->depth]);
	(void)cg__dbb_exec(db, NULL, sp_release[db->depth]);
}

int
cg_db_depth(const cg_db *db)
{
	return db->depth;
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
