/* SPDX-License-Identifier: MIT */
/*
 * The database layer (util < db < declarant, window): connections, versioned
 * migrations, transactions and savepoints, a statement cache per module, and
 * rows turned into JSON. The domain asks for operations through these types
 * and never sees the back end; only src/lib/db/ includes <sqlite3.h>.
 *
 * Conventions for the SQL that modules give this layer (so that a second back
 * end runs it unchanged where it can):
 * - parameters are numbered, `$1`, `$2`...: SQLite and PostgreSQL both take
 *   them (a parameter may appear twice; tests/unit/test_db.c checks this);
 * - column names that reach JSON are double-quoted aliases (`AS "returnStatus"`):
 *   PostgreSQL folds unquoted names to lower case;
 * - booleans are written as integers (0/1) and compared as such;
 * - where SQLite-only syntax remains (INSERT OR IGNORE, json_extract, GLOB,
 *   strftime, instr, hex, pragmas) a comment beside the statement says so.
 *
 * A second back end (PostgreSQL through libpq, issue 14) provides, in a file
 * of its own beside db_sqlite.c, everything db_backend.h lists:
 * - open from a URI (postgresql://...) with its session settings (synchronous
 *   commit on, statement timeout), and close;
 * - prepare a statement once per connection (PQprepare with a generated name),
 *   bind text/int64/null/blob by number, step through the result (PQexecPrepared,
 *   or single-row mode for long results), read columns by number with the same
 *   meaning (text NULL for SQL NULL; blobs as bytes: bytea in binary format),
 *   the column count, names and types for the JSON helper;
 * - changes of the last step (PQcmdTuples), the last inserted id (lastval(),
 *   or RETURNING id in the statement), the error message;
 * - error mapping to cg_rc: unique violation (SQLSTATE 23505) -> CG_EEXIST,
 *   other constraint failures and everything else -> CG_EDB, a lost connection
 *   -> CG_EDB with the server's message;
 * - BEGIN / COMMIT / ROLLBACK / SAVEPOINT name / RELEASE name / ROLLBACK TO name
 *   (BEGIN IMMEDIATE is SQLite's way of taking the write lock first);
 * - the schema version: read and write a one-row table (SQLite keeps it in
 *   PRAGMA user_version), and the migration steps of each schema written for it
 *   (types differ: INTEGER PRIMARY KEY -> bigint generated always as identity,
 *   BLOB -> bytea).
 * Busy handling, pragmas and error codes stay inside the back end's file.
 */
#ifndef CG_DB_H
#define CG_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "util/internal.h"

typedef struct cg_db cg_db;
typedef struct cg_db_stmt cg_db_stmt;

/* cg_db_step(): a row is ready / the statement ran to its end (else a cg_rc error). */
enum { CG_DB_ROW = 100, CG_DB_DONE = 101 };

/* Column types as the back end reports them for a value (the JSON helper's choice). */
typedef enum { CG_DB_NULL, CG_DB_INT, CG_DB_REAL, CG_DB_TEXT, CG_DB_BLOB } cg_db_type;

/* A schema: numbered migration steps, each run once, in order, in one transaction. */
typedef struct {
	const char *name;	  /* in error messages: "store", "outbox" */
	const char *const *steps; /* step i brings the schema to version i + 1; never edit one that shipped */
	int count;
} cg_db_schema;

/* A module's statements: an enum of ids indexes @p sql (constant text only). */
typedef struct {
	const char *name;
	const char *const *sql;
	int count;
} cg_db_module;

#define CG_DB_MODULE(var, name_, table)                                                    \
	static const cg_db_module var = { name_, table, (int)(sizeof(table) / sizeof(table[0])) }
#define CG_DB_SCHEMA(var, name_, table)                                                    \
	static const cg_db_schema var = { name_, table, (int)(sizeof(table) / sizeof(table[0])) }

/* How a connection waits for another writer. */
typedef enum {
	CG_DB_WAIT_SLEEP, /* the back end's own waiting, up to 10 s */
	CG_DB_WAIT_SPIN	  /* retry every 20 us at first, then every ms (the service's short writes) */
} cg_db_wait;

/*
 * Open (creating) the database at @p path with durable settings (WAL,
 * synchronous=FULL, foreign keys, defensive mode, untrusted schema, busy
 * waiting) and bring @p schema up to date. A database whose schema is newer
 * than @p schema knows is refused with CG_EDB.
 */
cg_rc cg_db_open(cg_db **out, cg_ctx *ctx, const char *path, const cg_db_schema *schema,
		 cg_db_wait wait);
void cg_db_close(cg_db *db);
/* The schema version after opening. */
int cg_db_schema_version(const cg_db *db);
/* The schema version read from the database now (-1 when it does not answer). */
int cg_db_live_version(cg_db *db);
/* The version of @p schema: what cg_db_open() migrates to. */
int cg_db_schema_target(const cg_db_schema *schema);
/* The back end's own consistency check: "ok" or its findings (free with free()); NULL on failure. */
char *cg_db_integrity(cg_db *db);

/* Statement @p id of module @p m: prepared once per connection, reset and cleared; NULL on failure. */
cg_db_stmt *cg_db_prepared(cg_db *db, const cg_db_module *m, int id);

/*
 * Binding: @p i counts from 1 ($1). Text and blobs are borrowed: they must
 * stay valid until the statement is reset (cg_db_prepared() resets it).
 * Text NULL binds SQL NULL.
 */
cg_rc cg_db_bind_text(cg_db_stmt *s, int i, const char *v);
/* Text of @p len bytes (not NUL-terminated). */
cg_rc cg_db_bind_textn(cg_db_stmt *s, int i, const char *v, size_t len);
cg_rc cg_db_bind_int64(cg_db_stmt *s, int i, long long v);
cg_rc cg_db_bind_null(cg_db_stmt *s, int i);
cg_rc cg_db_bind_blob(cg_db_stmt *s, int i, const void *p, size_t len);

/*
 * Run or advance the statement: CG_DB_ROW, CG_DB_DONE, or CG_EEXIST (a unique
 * key is taken) or CG_EDB (anything else; cg_db_errmsg() says what).
 */
int cg_db_step(cg_db_stmt *s);
/*
 * Done with the statement: an unfinished read keeps the connection's implicit
 * transaction open, so every statement is reset as soon as it is read.
 */
void cg_db_reset(cg_db_stmt *s);

/* Columns of the current row, counted from 0. Text is NULL for SQL NULL and
 * valid until the next step or reset. */
const char *cg_db_column_text(cg_db_stmt *s, int i);
long long cg_db_column_int64(cg_db_stmt *s, int i);
int cg_db_column_int(cg_db_stmt *s, int i);
double cg_db_column_double(cg_db_stmt *s, int i);
const void *cg_db_column_blob(cg_db_stmt *s, int i);
size_t cg_db_column_bytes(cg_db_stmt *s, int i);
bool cg_db_column_is_null(cg_db_stmt *s, int i);
int cg_db_column_count(cg_db_stmt *s);
const char *cg_db_column_name(cg_db_stmt *s, int i);
cg_db_type cg_db_column_type(cg_db_stmt *s, int i);

/* Rows changed by the last write of this connection; id of its last insert. */
long long cg_db_changes(cg_db *db);
long long cg_db_last_id(cg_db *db);
const char *cg_db_errmsg(cg_db *db);
/* CG_EDB with "what: the back end's message". */
cg_rc cg_db_fail(cg_db *db, cg_ctx *ctx, const char *what);
/*
 * Step a write to its end and reset it: CG_OK, CG_EEXIST ("what: exists
 * already"), or CG_EDB ("what: not allowed" for another constraint, else the
 * back end's message).
 */
cg_rc cg_db_run(cg_db *db, cg_ctx *ctx, cg_db_stmt *s, const char *what);

/*
 * Transactions. cg_db_begin() takes the write lock at once (a read that
 * turns into a write could otherwise fail however long it waits). Savepoints
 * nest inside a transaction; cg_db_rollback_to() undoes the innermost one and
 * ends it. cg_db_rollback() ends every level; so does a failed cg_db_commit(),
 * which leaves the connection outside any transaction.
 */
cg_rc cg_db_begin(cg_db *db, cg_ctx *ctx);
cg_rc cg_db_commit(cg_db *db, cg_ctx *ctx);
void cg_db_rollback(cg_db *db);
cg_rc cg_db_savepoint(cg_db *db, cg_ctx *ctx);
cg_rc cg_db_release(cg_db *db, cg_ctx *ctx);
void cg_db_rollback_to(cg_db *db);
/* Open levels: 0 outside a transaction, 1 in one, more inside savepoints. */
int cg_db_depth(const cg_db *db);
/* One change: a transaction, or a savepoint inside an open one. */
cg_rc cg_db_change_begin(cg_db *db, cg_ctx *ctx);
/* Commit (or release) when @p rc is CG_OK, else undo; returns @p rc or the commit's failure. */
cg_rc cg_db_change_end(cg_db *db, cg_ctx *ctx, cg_rc rc);

/* Rows as JSON: keys are the column names, values follow the column types
 * (integer, real, string; blobs as strings; NULL as null or left out). */
enum { CG_DB_JSON_OMIT_NULL = 1 };
/* The current row as an object; NULL when out of memory or a text is not UTF-8. */
json_t *cg_db_row_json(cg_db_stmt *s, unsigned flags);
/* Step through the remaining rows (at most @p max; 0: all) into an array, then reset. */
json_t *cg_db_rows_json(cg_db_stmt *s, unsigned flags, size_t max);

#endif
