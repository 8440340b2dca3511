/* SPDX-License-Identifier: MIT */
/*
 * Inside the database layer: what db.c (back-end neutral: migrations,
 * transaction levels, the statement cache, the per-statement calls of db.h)
 * needs from a back end. Each back end (db_sqlite.c, db_pg.c) fills one
 * table of these functions; cg_db_open() picks the table from the location:
 * a postgresql:// or postgres:// URI selects PostgreSQL, anything else is a
 * SQLite file.
 */
#ifndef CG_DB_BACKEND_H
#define CG_DB_BACKEND_H

#include "db/db.h"

/* Modules with statements on one connection (store, clearance, review...). */
#define CG_DB_MODULES 16
/* Savepoint levels inside one transaction. */
#define CG_DB_MAX_DEPTH 8

struct cg_db_conn; /* the back end's connection */
struct cg_db_ops;

/* The start of every back end's statement: the connection it belongs to. */
struct cg_db_stmt {
	cg_db *db;
	bool alone; /* this step undoes itself alone, even in a whole level (cg_db_step_alone) */
};

struct cg_db_cache {
	const cg_db_module *m;
	cg_db_stmt **stmt; /* m->count entries, prepared on first use */
};

struct cg_db {
	const struct cg_db_ops *ops;
	struct cg_db_conn *conn;
	struct cg_db_cache cache[CG_DB_MODULES];
	int ncache;
	int version;
	int depth;
	int whole; /* the depth of the outermost cg_db_savepoint_whole() level open, 0 when none */
	int unreleased; /* PostgreSQL: savepoint spN of a whole level released but not yet told (N), 0 none */
	unsigned long txn; /* transactions begun on this connection: tells one from the next */
	bool short_waits;  /* cg_db_short_waits() in this transaction */
	/* Run before each COMMIT of a transaction (cg_db_on_commit). */
	cg_rc (*before_commit)(cg_db *db, cg_ctx *ctx, void *arg);
	void *before_commit_arg;
};

struct cg_db_ops {
	cg_db_backend kind;
	cg_rc (*open)(struct cg_db_conn **out, cg_ctx *ctx, const char *where, cg_db_wait wait);
	void (*close)(struct cg_db_conn *c);
	/* Run constant SQL (one statement or several separated by ';'). */
	cg_rc (*exec)(cg_db *db, cg_ctx *ctx, const char *constant_sql);
	/* The statements that start a write transaction. */
	const char *begin_sql;
	/* The statements that start a migration: one node at a time. */
	const char *migrate_sql;
	/* Later waits of this transaction for a lock are short (PostgreSQL; NULL: none). */
	const char *short_waits_sql;
	const char *long_waits_sql; /* back to the session's waits (before the commit's own work) */
	/* The last failure was a lock wait given up or a deadlock broken: worth retrying. */
	bool (*busy)(cg_db *db);
	/* The recorded schema version (0 for a new database, -1 when unreadable). */
	int (*version)(cg_db *db);
	/* Record version @p v inside the open migration transaction. */
	cg_rc (*set_version)(cg_db *db, cg_ctx *ctx, int v);
	/* Prepare @p sql for the life of the connection; NULL on failure (errmsg says why). */
	cg_db_stmt *(*prepare)(cg_db *db, const char *sql);
	void (*finalize)(cg_db_stmt *s);
	/* Reset and clear the bindings: what cg_db_prepared() hands out. */
	void (*fresh)(cg_db_stmt *s);
	char *(*integrity)(cg_db *db);
	/* The last failure broke a constraint other than a unique key (CHECK, NOT NULL, foreign key). */
	bool (*constraint)(cg_db *db);

	cg_rc (*bind_text)(cg_db_stmt *s, int i, const char *v);
	cg_rc (*bind_textn)(cg_db_stmt *s, int i, const char *v, size_t len);
	cg_rc (*bind_int64)(cg_db_stmt *s, int i, long long v);
	cg_rc (*bind_null)(cg_db_stmt *s, int i);
	cg_rc (*bind_blob)(cg_db_stmt *s, int i, const void *p, size_t len);
	int (*step)(cg_db_stmt *s);
	void (*reset)(cg_db_stmt *s);
	const char *(*column_text)(cg_db_stmt *s, int i);
	long long (*column_int64)(cg_db_stmt *s, int i);
	double (*column_double)(cg_db_stmt *s, int i);
	const void *(*column_blob)(cg_db_stmt *s, int i);
	size_t (*column_bytes)(cg_db_stmt *s, int i);
	int (*column_count)(cg_db_stmt *s);
	const char *(*column_name)(cg_db_stmt *s, int i);
	cg_db_type (*column_type)(cg_db_stmt *s, int i);
	long long (*changes)(cg_db *db);
	long long (*last_id)(cg_db *db);
	const char *(*errmsg)(cg_db *db);
	/* cg_db_writer_mode(): NULL where the back end has nothing to change (PostgreSQL). */
	cg_rc (*writer_start)(cg_db *db, cg_ctx *ctx, bool checkpoint_thread);
	void (*writer_stop)(cg_db *db);
	void (*checkpoints)(cg_db *db, unsigned long *apart, unsigned long *inline_);
	void (*checkpoint_wait)(cg_db *db);
	/* cg_db_vm_steps(): NULL where the back end cannot say (PostgreSQL). */
	unsigned long long (*vm_steps)(cg_db *db);
};

extern const struct cg_db_ops cg__db_sqlite;
extern const struct cg_db_ops cg__db_pg;

#endif
