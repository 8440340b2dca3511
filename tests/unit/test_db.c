/* SPDX-License-Identifier: MIT */
/*
 * The database layer: migrations applied once, a newer schema refused,
 * transactions and savepoints, the statement cache, $N parameters, rows as
 * JSON and the unique-violation code.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "db/db.h"

static const char *const steps_v1[] = {
	"CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER,"
	" note TEXT, raw BLOB);",
};
static const char *const steps_v2[] = {
	"CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER,"
	" note TEXT, raw BLOB);",
	/* Runs once: a second run would fail on the existing row's name. */
	"INSERT INTO item(name, n) VALUES('seed', 1);",
};
static const char *const steps_bad[] = {
	"CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER,"
	" note TEXT, raw BLOB);",
	"INSERT INTO item(name, n) VALUES('half', 1); INSERT INTO nowhere VALUES(1);",
};
CG_DB_SCHEMA(schema_v1, "test", steps_v1);
CG_DB_SCHEMA(schema_v2, "test", steps_v2);
CG_DB_SCHEMA(schema_bad, "test", steps_bad);

enum { T_ADD, T_COUNT, T_BY_NAME, T_SWAPPED, T_LIST, T_NAMES, T_ANONYMOUS };
static const char *const sql[] = {
	[T_ADD] = "INSERT INTO item(name, n, note, raw) VALUES($1, $2, $3, $4)",
	[T_COUNT] = "SELECT count(*) FROM item",
	[T_BY_NAME] = "SELECT id, n FROM item WHERE name = $1",
	/* $2 before $1, and $1 twice: bound by number, not by order of appearance. */
	[T_SWAPPED] = "SELECT $2 || '-' || $1 || '-' || $1",
	[T_LIST] = "SELECT name AS \"itemName\", n AS \"count\", note, raw, 0.5 AS \"half\""
		   " FROM item ORDER BY id",
	[T_NAMES] = "SELECT name FROM item ORDER BY id",
	/* Only $N: a ? or :name parameter has no number a second back end would share. */
	[T_ANONYMOUS] = "SELECT name FROM item WHERE name = ?",
};
CG_DB_MODULE(test_sql, "test", sql);

struct fx {
	char dir[64];
	char path[128];
	cg_ctx *ctx;
	cg_db *db;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/cg-db-XXXXXX");
	if (mkdtemp(fx->dir) == NULL || cg_ctx_new(&fx->ctx) != CG_OK)
		return -1;
	snprintf(fx->path, sizeof(fx->path), "%s/t.db", fx->dir);
	if (cg_db_open(&fx->db, fx->ctx, fx->path, &schema_v2, CG_DB_WAIT_SPIN) != CG_OK)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;
	char cmd[256];

	cg_db_close(fx->db);
	cg_ctx_free(fx->ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

static long long
count(cg_db *db)
{
	cg_db_stmt *s = cg_db_prepared(db, &test_sql, T_COUNT);
	long long n = -1;

	assert_non_null(s);
	if (cg_db_step(s) == CG_DB_ROW)
		n = cg_db_column_int64(s, 0);
	cg_db_reset(s);
	return n;
}

static cg_rc
add(struct fx *fx, const char *name, long long n)
{
	cg_db_stmt *s = cg_db_prepared(fx->db, &test_sql, T_ADD);

	assert_non_null(s);
	assert_int_equal(cg_db_bind_text(s, 1, name), CG_OK);
	assert_int_equal(cg_db_bind_int64(s, 2, n), CG_OK);
	return cg_db_run(fx->db, fx->ctx, s, "add");
}

static void
test_migrations_once(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(cg_db_schema_version(fx->db), 2);
	assert_int_equal(count(fx->db), 1);
	cg_db_close(fx->db);
	/* Reopened: the seed step does not run again (it would fail on the unique name). */
	assert_int_equal(cg_db_open(&fx->db, fx->ctx, fx->path, &schema_v2, CG_DB_WAIT_SPIN), CG_OK);
	assert_int_equal(cg_db_schema_version(fx->db), 2);
	assert_int_equal(count(fx->db), 1);
}

static void
test_newer_schema_refused(void **state)
{
	struct fx *fx = *state;
	cg_db *old = NULL;

	assert_int_equal(cg_db_open(&old, fx->ctx, fx->path, &schema_v1, CG_DB_WAIT_SPIN), CG_EDB);
	assert_null(old);
	assert_non_null(strstr(cg_ctx_errmsg(fx->ctx), "test schema 2 is newer than this cebgate (1)"));
}

static void
test_failed_step_rolled_back(void **state)
{
	struct fx *fx = *state;
	char path[160];
	cg_db *db = NULL;

	snprintf(path, sizeof(path), "%s/bad.db", fx->dir);
	assert_int_equal(cg_db_open(&db, fx->ctx, path, &schema_bad, CG_DB_WAIT_SLEEP), CG_EDB);
	assert_null(db);
	/* Step 1 stays; step 2 left nothing behind, and the version says 1. */
	assert_int_equal(cg_db_open(&db, fx->ctx, path, &schema_v1, CG_DB_WAIT_SLEEP), CG_OK);
	assert_int_equal(cg_db_schema_version(db), 1);
	assert_int_equal(count(db), 0);
	cg_db_close(db);
}

static void
test_transactions(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(cg_db_begin(fx->db, fx->ctx), CG_OK);
	assert_int_equal(add(fx, "a", 1), CG_OK);
	cg_db_rollback(fx->db);
	assert_int_equal(cg_db_depth(fx->db), 0);
	assert_int_equal(count(fx->db), 1);

	assert_int_equal(cg_db_begin(fx->db, fx->ctx), CG_OK);
	assert_int_equal(cg_db_begin(fx->db, fx->ctx), CG_EINTERNAL);
	assert_int_equal(add(fx, "b", 2), CG_OK);
	assert_int_equal(cg_db_commit(fx->db, fx->ctx), CG_OK);
	assert_int_equal(count(fx->db), 2);
}

/* Group commit's shape: one transaction, a savepoint per message, one message undone. */
static void
test_savepoints(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(cg_db_savepoint(fx->db, fx->ctx), CG_EINTERNAL);
	assert_int_equal(cg_db_begin(fx->db, fx->ctx), CG_OK);
	assert_int_equal(cg_db_savepoint(fx->db, fx->ctx), CG_OK);
	assert_int_equal(add(fx, "kept1", 1), CG_OK);
	assert_int_equal(cg_db_release(fx->db, fx->ctx), CG_OK);
	assert_int_equal(cg_db_savepoint(fx->db, fx->ctx), CG_OK);
	assert_int_equal(add(fx, "undone", 2), CG_OK);
	/* A nested change inside the savepoint is undone with it. */
	assert_int_equal(cg_db_change_begin(fx->db, fx->ctx), CG_OK);
	assert_int_equal(cg_db_depth(fx->db), 3);
	assert_int_equal(add(fx, "inner", 3), CG_OK);
	assert_int_equal(cg_db_change_end(fx->db, fx->ctx, CG_OK), CG_OK);
	cg_db_rollback_to(fx->db);
	assert_int_equal(cg_db_savepoint(fx->db, fx->ctx), CG_OK);
	assert_int_equal(add(fx, "kept2", 4), CG_OK);
	/* A failed change undoes only itself. */
	assert_int_equal(cg_db_change_begin(fx->db, fx->ctx), CG_OK);
	assert_int_equal(add(fx, "failed", 5), CG_OK);
	assert_int_equal(cg_db_change_end(fx->db, fx->ctx, CG_EINVAL), CG_EINVAL);
	assert_int_equal(cg_db_release(fx->db, fx->ctx), CG_OK);
	assert_int_equal(cg_db_depth(fx->db), 1);
	assert_int_equal(cg_db_commit(fx->db, fx->ctx), CG_OK);
	assert_int_equal(count(fx->db), 3); /* seed, kept1, kept2 */
	{
		cg_db_stmt *s = cg_db_prepared(fx->db, &test_sql, T_NAMES);
		json_t *rows = cg_db_rows_json(s, 0, 0);
		char *text = json_dumps(rows, JSON_COMPACT);

		assert_string_equal(text, "[{\"name\":\"seed\"},{\"name\":\"kept1\"},{\"name\":\"kept2\"}]");
		free(text);
		json_decref(rows);
	}
}

static void
test_unique_violation(void **state)
{
	struct fx *fx = *state;
	cg_db_stmt *s;

	assert_int_equal(add(fx, "dup", 1), CG_OK);
	assert_int_equal(add(fx, "dup", 2), CG_EEXIST);
	assert_non_null(strstr(cg_ctx_errmsg(fx->ctx), "add: exists already"));
	/* Straight from the step too. */
	s = cg_db_prepared(fx->db, &test_sql, T_ADD);
	assert_int_equal(cg_db_bind_text(s, 1, "dup"), CG_OK);
	assert_int_equal(cg_db_step(s), CG_EEXIST);
	cg_db_reset(s);
	/* NOT NULL is a constraint too, but not a conflict. */
	s = cg_db_prepared(fx->db, &test_sql, T_ADD);
	assert_int_equal(cg_db_bind_text(s, 1, NULL), CG_OK);
	assert_int_equal(cg_db_run(fx->db, fx->ctx, s, "add"), CG_EDB);
	assert_non_null(strstr(cg_ctx_errmsg(fx->ctx), "add: not allowed"));
}

static void
test_statement_cache(void **state)
{
	struct fx *fx = *state;
	cg_db_stmt *a = cg_db_prepared(fx->db, &test_sql, T_BY_NAME), *b;

	assert_non_null(a);
	assert_int_equal(cg_db_bind_text(a, 1, "seed"), CG_OK);
	assert_int_equal(cg_db_step(a), CG_DB_ROW);
	assert_int_equal(cg_db_column_int64(a, 1), 1);
	/* Asked again: the same statement, reset and with its bindings cleared. */
	b = cg_db_prepared(fx->db, &test_sql, T_BY_NAME);
	assert_ptr_equal(a, b);
	assert_int_equal(cg_db_step(b), CG_DB_DONE);
	cg_db_reset(b);
	assert_null(cg_db_prepared(fx->db, &test_sql, T_ANONYMOUS + 1));
	assert_null(cg_db_prepared(fx->db, &test_sql, T_ANONYMOUS));
	assert_null(cg_db_prepared(fx->db, &test_sql, -1));
	/* A parameter the statement does not have is refused. */
	assert_int_equal(cg_db_bind_int64(b, 2, 1), CG_EINTERNAL);
}

static void
test_numbered_parameters(void **state)
{
	struct fx *fx = *state;
	cg_db_stmt *s = cg_db_prepared(fx->db, &test_sql, T_SWAPPED);

	assert_int_equal(cg_db_bind_text(s, 1, "one"), CG_OK);
	assert_int_equal(cg_db_bind_text(s, 2, "two"), CG_OK);
	assert_int_equal(cg_db_step(s), CG_DB_ROW);
	assert_string_equal(cg_db_column_text(s, 0), "two-one-one");
	cg_db_reset(s);
}

static void
test_rows_json(void **state)
{
	struct fx *fx = *state;
	cg_db_stmt *s = cg_db_prepared(fx->db, &test_sql, T_ADD);
	json_t *rows, *one;
	char *text;

	assert_int_equal(cg_db_bind_text(s, 1, "x\"y"), CG_OK);
	assert_int_equal(cg_db_bind_int64(s, 2, 9007199254740993LL), CG_OK);
	assert_int_equal(cg_db_bind_text(s, 3, "备注"), CG_OK);
	assert_int_equal(cg_db_bind_blob(s, 4, "<a/>", 4), CG_OK);
	assert_int_equal(cg_db_run(fx->db, fx->ctx, s, "add"), CG_OK);
	assert_int_equal(cg_db_last_id(fx->db), 2);
	assert_int_equal(cg_db_changes(fx->db), 1);

	s = cg_db_prepared(fx->db, &test_sql, T_LIST);
	rows = cg_db_rows_json(s, 0, 0);
	text = json_dumps(rows, JSON_COMPACT);
	assert_string_equal(text, "[{\"itemName\":\"seed\",\"count\":1,\"note\":null,\"raw\":null,"
				  "\"half\":0.5},{\"itemName\":\"x\\\"y\",\"count\":9007199254740993,"
				  "\"note\":\"备注\",\"raw\":\"<a/>\",\"half\":0.5}]");
	free(text);
	json_decref(rows);

	/* One row, the NULLs left out; at most one row read. */
	s = cg_db_prepared(fx->db, &test_sql, T_LIST);
	rows = cg_db_rows_json(s, CG_DB_JSON_OMIT_NULL, 1);
	assert_int_equal(json_array_size(rows), 1);
	one = json_array_get(rows, 0);
	text = json_dumps(one, JSON_COMPACT);
	assert_string_equal(text, "{\"itemName\":\"seed\",\"count\":1,\"half\":0.5}");
	free(text);
	json_decref(rows);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrations_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_step_rolled_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_savepoints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unique_violation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statement_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbered_parameters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rows_json, setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
