/* SPDX-License-Identifier: MIT */
/*
 * Inside the database layer: what db.c (back-end neutral: migrations,
 * transaction levels, the statement cache) needs from a back end. The
 * SQLite back end is db_sqlite.c; it also implements the per-statement
 * functions of db.h (bind, step, columns), which a second back end would
 * provide too, selected through a table of these functions when both are
 * built (issue 14).
 */
#ifndef CG_DB_BACKEND_H
#define CG_DB_BACKEND_H

#include "db/db.h"

/* Modules with statements on one connection (store, clearance, review...). */
#define CG_DB_MODULES 16
/* Savepoint levels inside one transaction. */
#define CG_DB_MAX_DEPTH 8

struct cg_db_conn; /* the back end's connection */

struct cg_db_cache {
	const cg_db_module *m;
	cg_db_stmt **stmt; /* m->count entries, prepared on first use */
};

struct cg_db {
	struct cg_db_conn *conn;
	struct cg_db_cache cache[CG_DB_MODULES];
	int ncache;
	int version;
	int depth;
};

cg_rc cg__dbb_open(struct cg_db_conn **out, cg_ctx *ctx, const char *path, cg_db_wait wait);
void cg__dbb_close(struct cg_db_conn *c);
/* Run constant SQL (one statement or several separated by ';'). */
cg_rc cg__dbb_exec(cg_db *db, cg_ctx *ctx, const char *constant_sql);
/* The statement that starts a write transaction. */
const char *cg__dbb_begin_sql(void);
/* The recorded schema version (0 for a new database, -1 when unreadable). */
int cg__dbb_version(cg_db *db);
/* Record version @p v inside the open migration transaction. */
cg_rc cg__dbb_set_version(cg_db *db, cg_ctx *ctx, int v);
/* Prepare @p sql for the life of the connection; NULL on failure (cg_db_errmsg() says why). */
cg_db_stmt *cg__dbb_prepare(cg_db *db, const char *sql);
void cg__dbb_finalize(cg_db_stmt *s);
/* Reset and clear the bindings: what cg_db_prepared() hands out. */
void cg__dbb_fresh(cg_db_stmt *s);
char *cg__dbb_integrity(cg_db *db);
/* The last failure broke a constraint other than a unique key (CHECK, NOT NULL, foreign key). */
bool cg__dbb_constraint(cg_db *db);

#endif
