/* SPDX-License-Identifier: MIT */
/*
 * The token check's cache (token_cache.c, store_accounts.c): who holds a
 * token is remembered per connection, and access taken back on another
 * connection (the operator's `cebgate admin`, another node) holds from the
 * very next check; an expiry holds by the clock alone; the cache is bounded.
 * With CG_TEST_DB=pg (tests/pg/test_token_check.pg) the same on PostgreSQL.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "test_files.h"
#include "cebgate/registry.h"
#include "window/store_internal.h"

struct fx {
	char dir[64];
	char path[128];
	cg_ctx *ctx;
	cg_store *st;     /* the connection of a cebgated thread, whose checks remember */
	cg_registry *reg; /* another connection: the operator's, or another node's */
	char *tent, *tent2, *tmia;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/cg-tokens-XXXXXX");
	if (mkdtemp(fx->dir) == NULL || cg_ctx_new(&fx->ctx) != CG_OK)
		return -1;
	test_db_new(fx->path, sizeof(fx->path), fx->dir, "tokens");
	if (cg_registry_open(&fx->reg, fx->ctx, fx->path) != CG_OK ||
	    cg_store_open(&fx->st, fx->ctx, fx->path) != CG_OK ||
	    cg_registry_add_enterprise(fx->reg, fx->ctx, "4403960XA1", "platform", "ebp,ebc", NULL) != CG_OK ||
	    cg_registry_add_user(fx->reg, fx->ctx, "mia", "merchant", "4403960XA1", "merchantpass1") != CG_OK ||
	    cg_registry_new_token(fx->reg, fx->ctx, "4403960XA1", NULL, &fx->tent) != CG_OK ||
	    cg_registry_new_token(fx->reg, fx->ctx, "4403960XA1", NULL, &fx->tent2) != CG_OK ||
	    cg_registry_new_token(fx->reg, fx->ctx, NULL, "mia", &fx->tmia) != CG_OK)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	cg_free(fx->tent);
	cg_free(fx->tent2);
	cg_free(fx->tmia);
	cg_store_close(fx->st);
	cg_registry_close(fx->reg);
	cg_ctx_free(fx->ctx);
	if (test_db_drop(fx->path) != 0)
		return -1;
	if (test_remove_dir(fx->dir) != 0)
		return -1;
	free(fx);
	return 0;
}

static cg_rc
check(struct fx *fx, const char *token)
{
	cg_principal who;

	return cg_store_auth_token(fx->st, fx->ctx, token, &who);
}

static size_t
remembered(struct fx *fx)
{
	return cg__token_cache_count(cg__store_tokens(fx->st));
}

/* A token revoked by the operator on another connection is refused at the next check. */
static void
test_revoked_elsewhere(void **state)
{
	struct fx *fx = *state;
	char prefix[CG_TOKEN_PREFIX + 1], *json = NULL;

	assert_int_equal(check(fx, fx->tent), CG_OK);
	assert_int_equal(check(fx, fx->tent2), CG_OK);
	assert_int_equal(check(fx, fx->tent), CG_OK);
	assert_int_equal(remembered(fx), 2);
	snprintf(prefix, sizeof(prefix), "%s", fx->tent);
	assert_int_equal(cg_registry_revoke_token(fx->reg, fx->ctx, prefix, &json), CG_OK);
	cg_free(json);
	assert_int_equal(check(fx, fx->tent), CG_ENOTFOUND);
	assert_int_equal(check(fx, fx->tent), CG_ENOTFOUND);
	assert_int_equal(check(fx, fx->tent2), CG_OK);
	/* Only what was found since the change is remembered; the refused token is not. */
	assert_int_equal(remembered(fx), 1);
}

/* Disabling a user or an enterprise elsewhere stops their tokens at the next check; enabling restores them. */
static void
test_disabled_elsewhere(void **state)
{
	struct fx *fx = *state;
	char *json = NULL;

	assert_int_equal(check(fx, fx->tmia), CG_OK);
	assert_int_equal(check(fx, fx->tent2), CG_OK);
	assert_int_equal(cg_registry_set_disabled(fx->reg, fx->ctx, "users", "mia", true, &json), CG_OK);
	cg_free(json);
	assert_int_equal(check(fx, fx->tmia), CG_ENOTFOUND);
	assert_int_equal(check(fx, fx->tent2), CG_OK);
	assert_int_equal(cg_registry_set_disabled(fx->reg, fx->ctx, "users", "mia", false, &json), CG_OK);
	cg_free(json);
	assert_int_equal(check(fx, fx->tmia), CG_OK);
	assert_int_equal(cg_registry_set_disabled(fx->reg, fx->ctx, "enterprises", "4403960XA1", true, &json),
			 CG_OK);
	cg_free(json);
	assert_int_equal(check(fx, fx->tent2), CG_ENOTFOUND);
	/* Her enterprise's access taken back is hers too. */
	assert_int_equal(check(fx, fx->tmia), CG_ENOTFOUND);
	assert_int_equal(cg_registry_set_disabled(fx->reg, fx->ctx, "enterprises", "4403960XA1", false, &json),
			 CG_OK);
	cg_free(json);
	assert_int_equal(check(fx, fx->tent2), CG_OK);
}

/* A remembered token past its expiry is refused, though nothing in the database changed. */
static void
test_expired_while_remembered(void **state)
{
	struct fx *fx = *state;
	long long now = (long long)time(NULL);
	cg_principal who;
	char *t = NULL;

	assert_int_equal(cg_registry_new_token_until(fx->reg, fx->ctx, "4403960XA1", NULL, now + 100, &t), CG_OK);
	assert_int_equal(cg__store_token_check(fx->st, fx->ctx, t, now, &who, NULL), CG_OK);
	assert_string_equal(who.cop_code, "4403960XA1");
	assert_int_equal(remembered(fx), 1);
	assert_int_equal(cg__store_token_check(fx->st, fx->ctx, t, now + 99, &who, NULL), CG_OK);
	assert_int_equal(cg__store_token_check(fx->st, fx->ctx, t, now + 100, &who, NULL), CG_ENOTFOUND);
	assert_int_equal(who.role, CG_ROLE_NONE);
	assert_int_equal(cg__store_token_check(fx->st, fx->ctx, t, now + 5000, &who, NULL), CG_ENOTFOUND);
	cg_free(t);
}

/* Twice as many tokens as the cache has slots: it holds at most its slots, and every answer stays right. */
static void
test_bounded(void **state)
{
	struct fx *fx = *state;
	enum { N = 2 * CG_TOKEN_CACHE_SLOTS };
	char **t = calloc(N, sizeof(*t));
	cg_principal who;
	int i, round;

	assert_non_null(t);
	assert_int_equal(cg_db_begin(cg__store_db(fx->st), fx->ctx), CG_OK);
	for (i = 0; i < N; i++)
		assert_int_equal(cg_store_new_token(fx->st, fx->ctx, i % 2 ? "4403960XA1" : NULL,
						    i % 2 ? NULL : "mia", 0, &t[i]),
				 CG_OK);
	assert_int_equal(cg_db_commit(cg__store_db(fx->st), fx->ctx), CG_OK);
	/* None begins with '-' (one in 64 would, by chance): its prefix is typed on command lines. */
	for (i = 0; i < N; i++)
		assert_int_not_equal(t[i][0], '-');
	for (round = 0; round < 2; round++) {
		for (i = 0; i < N; i++) {
			assert_int_equal(cg_store_auth_token(fx->st, fx->ctx, t[i], &who), CG_OK);
			assert_string_equal(who.name, i % 2 ? "platform" : "mia");
		}
		assert_true(remembered(fx) <= CG_TOKEN_CACHE_SLOTS);
		assert_true(remembered(fx) > 0);
	}
	for (i = 0; i < N; i++)
		cg_free(t[i]);
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_revoked_elsewhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled_elsewhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expired_while_remembered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounded, setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	if (cg_global_init() != CG_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
