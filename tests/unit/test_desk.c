/* SPDX-License-Identifier: MIT */
/*
 * The officer desk's library side on an empty single window: roles refused,
 * bounds checked, the CSRF token derived, sessions and logouts of tokens.
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
#include "test_files.h"
#include <jansson.h>
#include "cebgate/review.h"
#include "cebgate/session.h"
#include "window/store.h"

struct fx {
	char dir[64];
	char db[128];
	cg_ctx *ctx;
	cg_service *svc;
	cg_principal officer, merchant;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	cg_store *st = NULL;

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/cg-desk-XXXXXX");
	if (mkdtemp(fx->dir) == NULL || cg_ctx_new(&fx->ctx) != CG_OK)
		return -1;
	snprintf(fx->db, sizeof(fx->db), "%s/d.db", fx->dir);
	if (cg_store_open(&st, fx->ctx, fx->db) != CG_OK ||
	    cg_store_add_enterprise(st, fx->ctx, "4403960XA1", "平台", "ebp,ebc", NULL) != CG_OK ||
	    cg_store_add_user(st, fx->ctx, "olga", "officer", NULL, "officerpass1") != CG_OK ||
	    cg_store_add_user(st, fx->ctx, "mia", "merchant", "4403960XA1", "merchantpass1") != CG_OK ||
	    cg_store_login(st, fx->ctx, "olga", "officerpass1", &fx->officer) != CG_OK ||
	    cg_store_login(st, fx->ctx, "mia", "merchantpass1", &fx->merchant) != CG_OK)
		return -1;
	cg_store_close(st);
	if (cg_service_new(&fx->svc, fx->ctx, fx->db, NULL) != CG_OK)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;
	cg_service_free(fx->svc);
	cg_ctx_free(fx->ctx);
	if (test_remove_dir(fx->dir) != 0)
		return -1;
	free(fx);
	return 0;
}

/* The code of one answer: JSON that parses with CG_OK, none with a refusal (its reason in ctx). */
static cg_rc
code_of(cg_rc rc, char **json, cg_ctx *ctx)
{
	json_t *o = *json != NULL ? json_loads(*json, 0, NULL) : NULL;

	if (rc == CG_OK)
		assert_non_null(o);
	else
		assert_true(*json == NULL && cg_ctx_errmsg(ctx)[0] != '\0');
	json_decref(o);
	cg_free(*json);
	*json = NULL;
	return rc;
}

static void
test_roles(void **state)
{
	struct fx *fx = *state;
	cg_review_filter f = { NULL, NULL, NULL, NULL, 0 };
	char *json = NULL;
	cg_rc rc;

	rc = cg_service_dashboard(fx->svc, fx->ctx, &fx->merchant, 24, &json);
	assert_int_equal(code_of(rc, &json, fx->ctx), CG_EPERM);
	rc = cg_service_reveal(fx->svc, fx->ctx, &fx->merchant, 1, &json);
	assert_int_equal(code_of(rc, &json, fx->ctx), CG_EPERM);
	rc = cg_service_review_query(fx->svc, fx->ctx, &fx->merchant, &f, &json);
	assert_int_equal(code_of(rc, &json, fx->ctx), CG_EPERM);
	rc = cg_service_review_query(fx->svc, fx->ctx, &fx->officer, &f, &json);
	assert_int_equal(code_of(rc, &json, fx->ctx), CG_OK);
	rc = cg_service_reveal(fx->svc, fx->ctx, &fx->officer, 99, &json);
	assert_int_equal(code_of(rc, &json, fx->ctx), CG_ENOTFOUND);
}

static void
test_dashboard_bounds(void **state)
{
	struct fx *fx = *state;
	char *json = NULL;
	json_t *o;
	cg_rc rc;

	rc = cg_service_dashboard(fx->svc, fx->ctx, &fx->officer, 0, &json);
	assert_int_equal(code_of(rc, &json, fx->ctx), CG_EINVAL);
	rc = cg_service_dashboard(fx->svc, fx->ctx, &fx->officer, 169, &json);
	assert_int_equal(code_of(rc, &json, fx->ctx), CG_EINVAL);
	rc = cg_service_dashboard(fx->svc, fx->ctx, &fx->officer, 24, &json);
	assert_int_equal(rc, CG_OK);
	o = json_loads(json, 0, NULL);
	/* One slot per hour, and the queue sampled at each hour's end and now. */
	assert_int_equal(json_array_size(json_object_get(o, "perHour")), 24);
	assert_true(json_array_size(json_object_get(o, "queue")) >= 24);
	assert_int_equal(json_array_size(json_object_get(o, "holdReasons")), 0);
	json_decref(o);
	cg_free(json);
}

static void
test_public_empty(void **state)
{
	struct fx *fx = *state;
	char *json = NULL;
	json_t *o;

	assert_int_equal(cg_service_public_inspections(fx->svc, fx->ctx, &json), CG_OK);
	o = json_loads(json, 0, NULL);
	assert_int_equal(json_array_size(json_object_get(o, "results")), 0);
	json_decref(o);
	cg_free(json);
}

static void
test_csrf(void **state)
{
	char a[65], b[65], c[65];

	(void)state;
	cg_service_csrf("token-one", a);
	cg_service_csrf("token-one", b);
	cg_service_csrf("token-two", c);
	assert_int_equal(strlen(a), 64);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_int_equal(strspn(a, "0123456789abcdef"), 64);
}

static void
test_session_and_logout(void **state)
{
	struct fx *fx = *state;
	cg_principal who;
	char *token = NULL;
	cg_store *st = NULL;

	assert_int_equal(cg_store_open(&st, fx->ctx, fx->db), CG_OK);
	assert_int_equal(cg_store_new_token(st, fx->ctx, NULL, "olga", 0, &token), CG_OK);
	assert_int_equal(cg_service_session(fx->svc, fx->ctx, token, 3600, &who), CG_OK);
	assert_string_equal(who.name, "olga");
	/* A session of zero seconds is over at once. */
	assert_int_equal(cg_service_session(fx->svc, fx->ctx, token, 0, &who), CG_ENOTFOUND);
	assert_int_equal(cg_service_logout(fx->svc, fx->ctx, token), CG_OK);
	assert_int_equal(cg_service_session(fx->svc, fx->ctx, token, 3600, &who), CG_ENOTFOUND);
	assert_int_equal(cg_service_auth(fx->svc, fx->ctx, token, &who), CG_ENOTFOUND);
	cg_free(token);
	/* An enterprise's API token is never a browser session. */
	assert_int_equal(cg_store_new_token(st, fx->ctx, "4403960XA1", NULL, 0, &token), CG_OK);
	assert_int_equal(cg_service_session(fx->svc, fx->ctx, token, 3600, &who), CG_ENOTFOUND);
	assert_int_equal(cg_service_logout(fx->svc, fx->ctx, token), CG_OK);
	assert_int_equal(cg_service_auth(fx->svc, fx->ctx, token, &who), CG_OK);
	cg_free(token);
	cg_store_close(st);
}

/* @p n copies of the 3-byte character 审, malloc'd. */
static char *
chinese(size_t n)
{
	char *s = malloc(3 * n + 1);
	size_t i;

	assert_non_null(s);
	for (i = 0; i < n; i++)
		memcpy(s + 3 * i, "审", 3);
	s[3 * n] = '\0';
	return s;
}

/*
 * A reason is limited in characters, not bytes: 1000 Chinese ones pass the check
 * (and meet the claim check, 409, the declaration being unclaimed), 1001 do not.
 */
static void
test_decide_reason_characters(void **state)
{
	struct fx *fx = *state;
	char *reason = chinese(1000), *json = NULL;
	cg_rc rc;

	rc = cg_service_review_decide(fx->svc, fx->ctx, &fx->officer, 1, "release", reason, &json);
	assert_int_equal(code_of(rc, &json, fx->ctx), CG_ECONFLICT);
	free(reason);
	reason = chinese(1001);
	rc = cg_service_review_decide(fx->svc, fx->ctx, &fx->officer, 1, "release", reason, &json);
	assert_int_equal(code_of(rc, &json, fx->ctx), CG_EINVAL);
	free(reason);
	/* Bytes that are not UTF-8 are not a reason (nor are blanks). */
	rc = cg_service_review_decide(fx->svc, fx->ctx, &fx->officer, 1, "release", "ok \xff",
	                              &json);
	assert_int_equal(code_of(rc, &json, fx->ctx), CG_EINVAL);
	rc = cg_service_review_decide(fx->svc, fx->ctx, &fx->officer, 1, "release", " \t", &json);
	assert_int_equal(code_of(rc, &json, fx->ctx), CG_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles),	     cmocka_unit_test(test_dashboard_bounds),
		cmocka_unit_test(test_public_empty), cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_session_and_logout),
		cmocka_unit_test(test_decide_reason_characters),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	if (cg_global_init() != CG_OK)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
