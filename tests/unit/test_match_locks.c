/* SPDX-License-Identifier: MIT */
/*
 * The match keys' locks (cg__clearance_lock_keys, cg__export_lock_keys): a
 * document's keys are locked in one order whatever order they come in, so
 * that two transactions never hold one each of the same two locks and wait
 * for each other. On SQLite (one writer, nothing to lock) the statements run.
 * With CG_TEST_DB=pg (tests/pg/test_match_locks.pg) another connection holds
 * the lock that comes last; while the locking waits for it, the lock that
 * comes first must already be held (read back from pg_locks).
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "test_files.h"
#include "db/db.h"
#include "window/clearance.h"

/* Advisory lock classes of clearance.c and clearance_export.c. */
#define IMPORT_CLASS 1129
#define EXPORT_CLASS 1603

enum { L_HASH, L_HOLD, L_UNHOLD, L_WAITING, L_HELD };
static const char *const sql[] = {
	[L_HASH] = "SELECT 0",
	[L_HOLD] = "SELECT 0",
	[L_UNHOLD] = "SELECT 0",
	[L_WAITING] = "SELECT 0",
	[L_HELD] = "SELECT 0",
};
/* pg_locks shows the two int4 keys of an advisory lock as classid and objid (oids, unsigned). */
static const char *const pg_sql[sizeof(sql) / sizeof(sql[0])] = {
	[L_HASH] = "SELECT hashtext($1)",
	[L_HOLD] = "SELECT pg_advisory_lock(CAST($1 AS INTEGER), hashtext($2))",
	[L_UNHOLD] = "SELECT pg_advisory_unlock(CAST($1 AS INTEGER), hashtext($2))",
	[L_WAITING] = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
		      " AND CAST(classid AS BIGINT) = $1 AND pid <> pg_backend_pid()",
	[L_HELD] = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
		   " AND CAST(classid AS BIGINT) = $1 AND CAST(objid AS BIGINT) = (hashtext($2) & 4294967295)"
		   " AND pid <> pg_backend_pid()",
};
CG_DB_MODULE_PG(locks_sql, "test match locks", sql, pg_sql);

struct fx {
	char dir[64];
	char path[128];
	cg_ctx *ctx, *tctx; /* the observer's, the locking thread's */
	cg_store *st;       /* the locking connection */
	cg_store *obs;      /* another node's connection: holds a lock, reads pg_locks */
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/cg-locks-XXXXXX");
	if (mkdtemp(fx->dir) == NULL || cg_ctx_new(&fx->ctx) != CG_OK || cg_ctx_new(&fx->tctx) != CG_OK)
		return -1;
	test_db_new(fx->path, sizeof(fx->path), fx->dir, "locks");
	if (cg_store_open(&fx->st, fx->tctx, fx->path) != CG_OK ||
	    cg_store_open(&fx->obs, fx->ctx, fx->path) != CG_OK)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	cg_store_close(fx->st);
	cg_store_close(fx->obs);
	cg_ctx_free(fx->ctx);
	cg_ctx_free(fx->tctx);
	if (test_db_drop(fx->path) != 0)
		return -1;
	if (test_remove_dir(fx->dir) != 0)
		return -1;
	free(fx);
	return 0;
}

/* One number from statement @p id of the observer's connection, with text $1 or class and key. */
static long long
ask(struct fx *fx, int id, long long cls, const char *key)
{
	cg_db_stmt *s = cg_db_prepared(cg__store_db(fx->obs), &locks_sql, id);
	long long v;

	assert_non_null(s);
	if (id == L_HASH) {
		assert_int_equal(cg_db_bind_text(s, 1, key), CG_OK);
	} else {
		assert_int_equal(cg_db_bind_int64(s, 1, cls), CG_OK);
		if (key != NULL)
			assert_int_equal(cg_db_bind_text(s, 2, key), CG_OK);
	}
	assert_int_equal(cg_db_step(s), CG_DB_ROW);
	v = cg_db_column_int64(s, 0);
	cg_db_reset(s);
	return v;
}

/* Two keys whose byte order is the reverse of their hashes' (*lo sorts first, hashes higher). */
static void
reversed_pair(struct fx *fx, char *lo, char *hi, size_t size)
{
	long long h;
	int i;

	snprintf(lo, size, "4403960XA1|SO-A");
	h = ask(fx, L_HASH, 0, lo);
	for (i = 0; i < 1000; i++) {
		snprintf(hi, size, "4403980XD4|EX-%d", i);
		if (ask(fx, L_HASH, 0, hi) < h)
			return;
	}
	fail_msg("no key hashes below %s's in 1000 tries", lo);
}

struct locking {
	struct fx *fx;
	const char *keys[5];
	size_t n;
	bool export_keys;
	cg_rc rc;
};

static void *
locking_thread(void *arg)
{
	struct locking *l = arg;
	cg_db *db = cg__store_db(l->fx->st);

	/* In a transaction, as in a group commit: the locks are held until it ends. */
	l->rc = cg_db_begin(db, l->fx->tctx);
	if (l->rc == CG_OK && l->export_keys)
		l->rc = cg__export_lock_keys(l->fx->st, l->fx->tctx, l->keys, l->n);
	else if (l->rc == CG_OK)
		l->rc = cg__clearance_lock_keys(l->fx->st, l->fx->tctx, l->keys[0], l->keys[1]);
	if (l->rc == CG_OK)
		l->rc = cg_db_commit(db, l->fx->tctx);
	else
		cg_db_rollback(db);
	return NULL;
}

/*
 * The observer holds @p last (class @p cls); the locking thread runs @p l;
 * once it waits, @p first must be held by it. Then the observer lets go.
 */
static void
first_held_while_waiting(struct fx *fx, struct locking *l, long long cls, const char *first,
			 const char *last)
{
	struct timespec pause = { 0, 2000000 };
	pthread_t t;
	long long waiting, held, unheld;
	int polls = 0;

	assert_true(ask(fx, L_HOLD, cls, last) >= 0);
	assert_int_equal(pthread_create(&t, NULL, locking_thread, l), 0);
	/* The wait shows in pg_locks: an event, read back (bounded: a failure, not a hang). */
	while ((waiting = ask(fx, L_WAITING, cls, NULL)) == 0 && polls++ < 5000)
		nanosleep(&pause, NULL);
	held = ask(fx, L_HELD, cls, first);
	/* Let go and join before any assertion, which would leave the thread on a closed connection. */
	unheld = ask(fx, L_UNHOLD, cls, last);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(unheld, 1);
	assert_int_equal(waiting, 1);
	assert_int_equal(l->rc, CG_OK);
	if (held != 1)
		fail_msg("%s was not locked while %s was waited for", first, last);
	/* Locks end with the transaction. */
	assert_int_equal(ask(fx, L_HELD, cls, first), 0);
}

/* An inventory's order and waybill keys: the lower hash first, in whichever order they come. */
static void
test_import_pair(void **state)
{
	struct fx *fx = *state;
	char lo[64], hi[64];
	struct locking l = { .fx = fx };

	if (!test_on_pg()) {
		assert_int_equal(cg__clearance_lock_keys(fx->st, fx->tctx, "a", "b"), CG_OK);
		assert_int_equal(cg__clearance_lock_keys(fx->st, fx->tctx, NULL, "b"), CG_OK);
		assert_int_equal(cg__clearance_lock_keys(fx->st, fx->tctx, NULL, NULL), CG_OK);
		return;
	}
	reversed_pair(fx, lo, hi, sizeof(lo));
	/* lo sorts first but hashes higher: hi's lock comes first, in both argument orders. */
	l.keys[0] = lo;
	l.keys[1] = hi;
	first_held_while_waiting(fx, &l, IMPORT_CLASS, hi, lo);
	l.keys[0] = hi;
	l.keys[1] = lo;
	first_held_while_waiting(fx, &l, IMPORT_CLASS, hi, lo);
	/* One key, and the same key twice (locked twice by one transaction: no wait). */
	assert_int_equal(cg__clearance_lock_keys(fx->st, fx->tctx, NULL, lo), CG_OK);
	assert_int_equal(cg__clearance_lock_keys(fx->st, fx->tctx, lo, lo), CG_OK);
}

/* An export document's keys, or a list's parcels: in byte order, repeated and empty ones skipped. */
static void
test_export_keys(void **state)
{
	struct fx *fx = *state;
	struct locking l = { .fx = fx, .export_keys = true, .n = 5 };

	l.keys[0] = "4403980XD4|EX-9";
	l.keys[1] = "";
	l.keys[2] = "4403980XD4|EX-1";
	l.keys[3] = NULL;
	l.keys[4] = "4403980XD4|EX-9";
	if (!test_on_pg()) {
		assert_int_equal(cg__export_lock_keys(fx->st, fx->tctx, l.keys, l.n), CG_OK);
		assert_int_equal(cg__export_lock_keys(fx->st, fx->tctx, NULL, 0), CG_OK);
		return;
	}
	first_held_while_waiting(fx, &l, EXPORT_CLASS, "4403980XD4|EX-1", "4403980XD4|EX-9");
	assert_int_equal(cg__export_lock_keys(fx->st, fx->tctx, NULL, 0), CG_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_import_pair, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_keys, setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	if (cg_global_init() != CG_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
