/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of cebgated's routing parts: the one table of library codes to
 * HTTP statuses (src/server/answer.c) and the path-pattern matcher with
 * named segments (src/server/request.c).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "answer.h"
#include "daemon.h"
#include "log.h"
#include "request.h"

static void
test_status_of_each_code(void **state)
{
	static const struct {
		cg_rc rc;
		unsigned status;
	} want[] = {
		{ CG_EINVAL, 400 },  { CG_EPARSE, 400 },    { CG_ESCHEMA, 400 },   { CG_ESIG, 422 },
		{ CG_ENOTFOUND, 404 }, { CG_ETOOBIG, 413 }, { CG_EEXIST, 409 },    { CG_EPERM, 403 },
		{ CG_ECONFLICT, 409 }, { CG_EUNAVAIL, 503 }, { CG_EINCOMPLETE, 422 }, { CG_EAUTH, 401 },
		/* Faults: a 500 that says no more. */
		{ CG_ENOMEM, 500 },  { CG_EDB, 500 },       { CG_ENET, 500 },      { CG_EIO, 500 },
		{ CG_EINTERNAL, 500 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(srv_status(want[i].rc, 200), want[i].status);
	/* Every code has its row: the table covers the enum up to its last code. */
	assert_int_equal(sizeof(want) / sizeof(want[0]), CG_EAUTH);
}

static void
test_status_of_success_and_unknown(void **state)
{
	(void)state;
	assert_int_equal(srv_status(CG_OK, 200), 200);
	assert_int_equal(srv_status(CG_OK, 201), 201);
	/* A code newer than the table is a fault, not a success or a refusal. */
	assert_int_equal(srv_status((cg_rc)(CG_EAUTH + 1), 200), 500);
	assert_int_equal(srv_status((cg_rc)-1, 200), 500);
}

static void
test_match_literal_and_named(void **state)
{
	struct srv_params p;

	(void)state;
	assert_true(srv_path_match("/api/v1/receipts", "/api/v1/receipts", &p));
	assert_int_equal(p.n, 0);
	assert_false(srv_path_match("/api/v1/receipts", "/api/v1/receipt", &p));
	assert_false(srv_path_match("/api/v1/receipts", "/api/v1/receiptsx", &p));
	assert_true(srv_path_match("/api/v1/logistics/{code}/{no}", "/api/v1/logistics/4403980XD4/EX1", &p));
	assert_int_equal(p.n, 2);
	assert_string_equal(srv_param(&p, "code"), "4403980XD4");
	assert_string_equal(srv_param(&p, "no"), "EX1");
	/* A name is matched whole: "n" is not "no". */
	assert_null(srv_param(&p, "n"));
	assert_null(srv_param(&p, "id"));
	assert_true(srv_path_match("/", "/", &p));
	assert_false(srv_path_match("/", "/index.html", &p));
}

static void
test_match_segment_counts(void **state)
{
	struct srv_params p;

	(void)state;
	/* A named segment is exactly one non-empty segment. */
	assert_false(srv_path_match("/api/v1/review/{id}/claim", "/api/v1/review//claim", &p));
	assert_false(srv_path_match("/api/v1/review/{id}/claim", "/api/v1/review/1/2/claim", &p));
	assert_false(srv_path_match("/api/v1/review/{id}/claim", "/api/v1/review/1/claim/", &p));
	assert_false(srv_path_match("/api/v1/review/{id}/claim", "/api/v1/review/1", &p));
	assert_false(srv_path_match("/api/v1/declarations/{id}", "/api/v1/declarations/", &p));
	assert_false(srv_path_match("/api/v1/review", "/api/v1/review/", &p));
	assert_false(srv_path_match("/api/v1/review", "api/v1/review", &p));
	assert_false(srv_path_match("/api/v1/review", "", &p));
	assert_true(srv_path_match("/api/v1/review/{id}/claim", "/api/v1/review/12/claim", &p));
	assert_string_equal(srv_param(&p, "id"), "12");
}

static void
test_match_segment_length(void **state)
{
	char path[300], seg[SRV_MAX_SEGMENT + 1];
	struct srv_params p;

	(void)state;
	memset(seg, 'x', sizeof(seg) - 1);
	seg[SRV_MAX_SEGMENT - 1] = '\0'; /* the longest a named segment may be */
	(void)snprintf(path, sizeof(path), "/api/v1/profiles/%s", seg);
	assert_true(srv_path_match("/api/v1/profiles/{name}", path, &p));
	assert_int_equal(strlen(srv_param(&p, "name")), SRV_MAX_SEGMENT - 1);
	seg[SRV_MAX_SEGMENT - 1] = 'x';
	seg[SRV_MAX_SEGMENT] = '\0';
	(void)snprintf(path, sizeof(path), "/api/v1/profiles/%s", seg);
	assert_false(srv_path_match("/api/v1/profiles/{name}", path, &p));
}

/*
 * The failed-login limit counts the last 60 seconds, not the clock's minute:
 * four failures just before a minute turns and one just after are five.
 */
static void
test_window_crosses_the_minute(void **state)
{
	struct srv_limit_slot slot;
	unsigned long key = srv_limit_key("u:", "oscar");
	long long turn = 120000; /* a minute boundary, in ms */
	int i;

	(void)state;
	memset(&slot, 0, sizeof(slot));
	for (i = 0; i < 4; i++)
		assert_false(srv_window_hit(&slot, key, turn - 500 + i, 1, 5));
	assert_true(srv_window_hit(&slot, key, turn + 500, 1, 5));
	assert_true(srv_window_hit(&slot, key, turn + 500, 0, 5));
	/* 60 s after the first four, only the fifth is still in the window. */
	assert_false(srv_window_hit(&slot, key, turn - 500 + 60000 + 3, 0, 5));
	/* Another key in the slot starts from nothing. */
	assert_false(srv_window_hit(&slot, key + 2, turn + 600, 1, 5));
}

/* A limit above what a slot remembers is the most it can count, not never reached. */
static void
test_window_caps_the_limit(void **state)
{
	struct srv_limit_slot slot;
	int i, hit = 0;

	(void)state;
	memset(&slot, 0, sizeof(slot));
	for (i = 0; i < SRV_LIMIT_EVENTS; i++)
		hit = srv_window_hit(&slot, 7, 1000 + i, 1, 1000);
	assert_true(hit);
}

/* A client's X-Request-Id is kept only from a trusted peer, and only when it is a plain token. */
static void
test_request_id(void **state)
{
	char id[SRV_REQUEST_ID_MAX + 1], other[SRV_REQUEST_ID_MAX + 1];
	char longest[SRV_REQUEST_ID_MAX + 2];

	(void)state;
	srv_request_id(id, "proxy-1.a:b_c", 1);
	assert_string_equal(id, "proxy-1.a:b_c");
	srv_request_id(id, "proxy-1", 0);
	assert_int_equal(strlen(id), 16);
	assert_int_equal(strspn(id, "0123456789abcdef"), 16);
	srv_request_id(other, NULL, 1);
	assert_string_not_equal(id, other);
	srv_request_id(id, "a b", 1);
	assert_int_equal(strlen(id), 16);
	srv_request_id(id, "", 1);
	assert_int_equal(strlen(id), 16);
	memset(longest, 'x', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	srv_request_id(id, longest, 1);
	assert_int_equal(strlen(id), 16);
	longest[SRV_REQUEST_ID_MAX] = '\0';
	srv_request_id(id, longest, 1);
	assert_string_equal(id, longest);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_of_each_code),
		cmocka_unit_test(test_window_crosses_the_minute),
		cmocka_unit_test(test_window_caps_the_limit),
		cmocka_unit_test(test_request_id),
		cmocka_unit_test(test_status_of_success_and_unknown),
		cmocka_unit_test(test_match_literal_and_named),
		cmocka_unit_test(test_match_segment_counts),
		cmocka_unit_test(test_match_segment_length),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("router", tests, NULL, NULL) != 0 ? 1 : 0;
}
