/* SPDX-License-Identifier: MIT */
/* The registry of the store: enterprises, certificates, users, logins and tokens. */
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
#include "cebgate/sig.h"
#include "window/store.h"

struct fx {
	char dir[64];
	char db[128];
	cg_ctx *ctx;
	cg_store *st;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/cg-store-XXXXXX");
	if (fx == NULL || mkdtemp(fx->dir) == NULL || cg_ctx_new(&fx->ctx) != CG_OK)
		return -1;
	snprintf(fx->db, sizeof(fx->db), "%s/s.db", fx->dir);
	if (cg_store_open(&fx->st, fx->ctx, fx->db) != CG_OK)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;
	cg_store_close(fx->st);
	cg_ctx_free(fx->ctx);
	if (test_remove_dir(fx->dir) != 0)
		return -1;
	free(fx);
	return 0;
}

static void
test_enterprises(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(cg_store_add_enterprise(fx->st, fx->ctx, "4403960XA1", "平台", "ebp,ebc",
						 "DXPENT0000999901"),
			 CG_OK);
	/* The same copCode twice is refused; so are bad codes and roles. */
	assert_int_equal(cg_store_add_enterprise(fx->st, fx->ctx, "4403960XA1", "again", "ebp", NULL),
			 CG_EEXIST);
	assert_int_equal(cg_store_add_enterprise(fx->st, fx->ctx, "a'; DROP TABLE user;--", "x",
						 "ebp", NULL),
			 CG_EINVAL);
	assert_int_equal(cg_store_add_enterprise(fx->st, fx->ctx, "4403960XB2", "x", "ebp,shop", NULL),
			 CG_EINVAL);
	assert_int_equal(cg_store_add_enterprise(fx->st, fx->ctx, "4403960XB2", "x", "pay",
						 "DXPENT00009999011"),
			 CG_EINVAL);
	assert_int_equal(cg_store_add_certificate(fx->st, fx->ctx, "NOSUCH", "/nonexistent"),
			 CG_ENOTFOUND);
}

static void
test_certificates(void **state)
{
	struct fx *fx = *state;
	char key[160], cert[160];

	snprintf(key, sizeof(key), "%s/k.pem", fx->dir);
	snprintf(cert, sizeof(cert), "%s/c.pem", fx->dir);
	assert_int_equal(cg_make_demo_identity(fx->ctx, 1, "t", 0x3000000000CDE6FULL, 5, key, cert),
			 CG_OK);
	assert_int_equal(cg_store_add_certificate(fx->st, fx->ctx, "4403960XA1", cert), CG_OK);
	/* The same serial twice for one enterprise is refused. */
	assert_int_equal(cg_store_add_certificate(fx->st, fx->ctx, "4403960XA1", cert), CG_EEXIST);
	assert_int_equal(cg_store_add_certificate(fx->st, fx->ctx, "4403960XA1", key), CG_ESIG);
}

static void
test_users_and_login(void **state)
{
	struct fx *fx = *state;
	cg_principal p;

	assert_int_equal(cg_store_add_user(fx->st, fx->ctx, "alice", "officer", NULL, "correct horse"),
			 CG_OK);
	assert_int_equal(cg_store_add_user(fx->st, fx->ctx, "mia", "merchant", "4403960XA1",
					   "merchant pass"),
			 CG_OK);
	assert_int_equal(cg_store_add_user(fx->st, fx->ctx, "bob", "merchant", NULL, "12345678"),
			 CG_EINVAL);
	assert_int_equal(cg_store_add_user(fx->st, fx->ctx, "carl", "officer", NULL, "short"), CG_EINVAL);
	assert_int_equal(cg_store_add_user(fx->st, fx->ctx, "dan", "root", NULL, "12345678"), CG_EINVAL);
	assert_int_equal(cg_store_add_user(fx->st, fx->ctx, "alice", "admin", NULL, "another pass"), CG_EEXIST);
	assert_int_equal(cg_store_login(fx->st, fx->ctx, "alice", "correct horse", &p), CG_OK);
	assert_int_equal(p.role, CG_ROLE_OFFICER);
	assert_int_equal(p.enterprise_id, 0);
	assert_int_equal(cg_store_login(fx->st, fx->ctx, "alice", "wrong horse", &p), CG_ENOTFOUND);
	assert_int_equal(cg_store_login(fx->st, fx->ctx, "nobody", "correct horse", &p), CG_ENOTFOUND);
	assert_int_equal(cg_store_login(fx->st, fx->ctx, "mia", "merchant pass", &p), CG_OK);
	assert_int_equal(p.role, CG_ROLE_MERCHANT);
	assert_string_equal(p.cop_code, "4403960XA1");
}

static void
test_tokens(void **state)
{
	struct fx *fx = *state;
	char *t1 = NULL, *t2 = NULL, *t3 = NULL;
	cg_principal p;

	assert_int_equal(cg_store_new_token(fx->st, fx->ctx, "4403960XA1", NULL, 0, &t1), CG_OK);
	assert_int_equal(cg_store_new_token(fx->st, fx->ctx, NULL, "alice", 0, &t2), CG_OK);
	assert_string_not_equal(t1, t2);
	assert_true(strlen(t1) >= 40 && strpbrk(t1, "+/=") == NULL);
	assert_int_equal(cg_store_auth_token(fx->st, fx->ctx, t1, &p), CG_OK);
	assert_int_equal(p.role, CG_ROLE_ENTERPRISE);
	assert_string_equal(p.cop_code, "4403960XA1");
	assert_string_equal(p.name, "平台");
	assert_int_equal(cg_store_auth_token(fx->st, fx->ctx, t2, &p), CG_OK);
	assert_int_equal(p.role, CG_ROLE_OFFICER);
	assert_string_equal(p.name, "alice");
	t1[0] = t1[0] == 'A' ? 'B' : 'A';
	assert_int_equal(cg_store_auth_token(fx->st, fx->ctx, t1, &p), CG_ENOTFOUND);
	assert_int_equal(cg_store_auth_token(fx->st, fx->ctx, "", &p), CG_ENOTFOUND);
	assert_int_equal(cg_store_new_token(fx->st, fx->ctx, "4403960XA1", "alice", 0, &t3), CG_EINVAL);
	assert_null(t3);
	assert_int_equal(cg_store_new_token(fx->st, fx->ctx, NULL, "nobody", 0, &t3), CG_ENOTFOUND);
	assert_null(t3);
	cg_free(t1);
	cg_free(t2);
}

/* Secrets never reach the file: neither passwords nor tokens appear in it. */
static void
test_no_secrets_on_disk(void **state)
{
	struct fx *fx = *state;
	char cmd[512];
	char *t = NULL;

	assert_int_equal(cg_store_new_token(fx->st, fx->ctx, "4403960XA1", NULL, 0, &t), CG_OK);
	cg_store_close(fx->st);
	snprintf(cmd, sizeof(cmd), "cat '%s' '%s-wal' 2>/dev/null | grep -a -q -e 'correct horse' -e '%s'",
		 fx->db, fx->db, t);
	assert_int_not_equal(system(cmd), 0);
	cg_free(t);
	assert_int_equal(cg_store_open(&fx->st, fx->ctx, fx->db), CG_OK);
}

/* Reopening runs no migration twice and the file is sound. */
static void
test_reopen_and_integrity(void **state)
{
	struct fx *fx = *state;
	int v = cg_store_schema_version(fx->st);
	char *ok;

	cg_store_close(fx->st);
	assert_int_equal(cg_store_open(&fx->st, fx->ctx, fx->db), CG_OK);
	assert_int_equal(cg_store_schema_version(fx->st), v);
	assert_true(v >= 1);
	ok = cg_store_integrity(fx->st);
	assert_string_equal(ok, "ok");
	cg_free(ok);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enterprises),	 cmocka_unit_test(test_certificates),
		cmocka_unit_test(test_users_and_login),	 cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_no_secrets_on_disk), cmocka_unit_test(test_reopen_and_integrity),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	if (cg_global_init() != CG_OK)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
