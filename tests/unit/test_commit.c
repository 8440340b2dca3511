/* SPDX-License-Identifier: MIT */
/*
 * Group commit (cg_committer): two services, one per thread as in cebgated,
 * share a committer and submit distinct orders at once. Every order is
 * answered accepted only once its group committed, so each is in the
 * database with its receipt; the committer wrote every message, in fewer or
 * as many groups; each order submitted again is a duplicate and adds no row.
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "window_fixture.h"

#define PER_THREAD 12

struct writer {
	struct wfx *fx;
	cg_service *svc;
	char *xml[PER_THREAD];
	int accepted;
	cg_rc rc;
};

static void *
write_all(void *arg)
{
	struct writer *w = arg;
	cg_ctx *ctx = NULL;
	char *json = NULL;
	int i;

	if (cg_ctx_new(&ctx) != CG_OK)
		return NULL;
	for (i = 0; i < PER_THREAD; i++) {
		w->rc = cg_service_submit(w->svc, ctx, &w->fx->a1, w->xml[i], strlen(w->xml[i]), 0, &json);
		if (w->rc != CG_OK)
			break;
		if (strstr(json, "\"status\": \"accepted\"") != NULL)
			w->accepted++;
		cg_free(json);
		json = NULL;
	}
	cg_ctx_free(ctx);
	return NULL;
}

/* Order N of the sample: its own orderNo and guid, signed by A1. */
static char *
order(struct wfx *fx, int n)
{
	char no[32], guid[40];

	snprintf(no, sizeof(no), "SO2024111100%08d", n);
	snprintf(guid, sizeof(guid), "309FF3B5-9896-4379-93C3-706DB15%05d", n);
	return wfx_signed_sample(fx, "A1", "samples/xml/unsigned/CEB311-order.xml",
				 "SO202411110000123456", no, "309FF3B5-9896-4379-93C3-706DB153EEF5",
				 guid, NULL);
}

static void
test_group_commit(void **state)
{
	struct wfx *fx = *state;
	struct writer w[2];
	pthread_t th[2];
	cg_committer *c = NULL;
	unsigned long groups = 0, messages = 0;
	char st[2048], want[2048] = "";
	json_t *a = NULL;
	size_t at;
	int t, i;

	assert_int_equal(cg_committer_new(&c), CG_OK);
	memset(w, 0, sizeof(w));
	for (t = 0; t < 2; t++) {
		w[t].fx = fx;
		assert_int_equal(cg_service_new(&w[t].svc, fx->ctx, fx->db, NULL), CG_OK);
		cg_service_set_committer(w[t].svc, c);
		for (i = 0; i < PER_THREAD; i++)
			w[t].xml[i] = order(fx, t * PER_THREAD + i);
	}
	for (t = 0; t < 2; t++)
		assert_int_equal(pthread_create(&th[t], NULL, write_all, &w[t]), 0);
	for (t = 0; t < 2; t++)
		assert_int_equal(pthread_join(th[t], NULL), 0);
	for (t = 0; t < 2; t++) {
		assert_int_equal(w[t].rc, CG_OK);
		assert_int_equal(w[t].accepted, PER_THREAD);
	}
	cg_committer_stats(c, &groups, &messages);
	assert_int_equal(messages, 2 * PER_THREAD);
	assert_true(groups >= 1 && groups <= 2 * PER_THREAD);
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM message"), 2 * PER_THREAD);
	for (i = 0, at = 0; i < 2 * PER_THREAD; i++)
		at += (size_t)snprintf(want + at, sizeof(want) - at, "%s120", i > 0 ? " " : "");
	wfx_statuses(fx, &fx->a1, "CEB312Message", st, sizeof(st));
	assert_string_equal(st, want);
	/* Again, through the service of the fixture: duplicates, no new row or receipt. */
	for (t = 0; t < 2; t++) {
		for (i = 0; i < PER_THREAD; i++) {
			assert_int_equal(wfx_submit(fx, &fx->a1, w[t].xml[i], &a), CG_OK);
			assert_non_null(strstr(json_string_value(json_object_get(
				json_array_get(json_object_get(a, "results"), 0), "status")), "duplicate"));
			json_decref(a);
			cg_free(w[t].xml[i]);
		}
		cg_service_free(w[t].svc);
	}
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM message"), 2 * PER_THREAD);
	wfx_statuses(fx, &fx->a1, "CEB312Message", st, sizeof(st));
	assert_string_equal(st, want);
	cg_committer_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_commit),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	if (cg_global_init() != CG_OK)
		return 1;
	return cmocka_run_group_tests_name("commit", tests, wfx_setup, wfx_teardown) != 0;
}
