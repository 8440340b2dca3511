/* SPDX-License-Identifier: MIT */
/*
 * The service layer's registry (cg_service_registry_*, cg_service_certificate_add,
 * cg_service_login, cg_service_auth) on a real database: admins only, taken
 * names refused, bad input refused, a certificate registered once, a user who
 * then logs in, a token that then stands for its enterprise, each change
 * audited under the admin's name. The tests run in order on one single window.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cebgate/sig.h"
#include "window_fixture.h"

static cg_rc
add(struct wfx *fx, const cg_principal *who, const char *what, const char *body, json_t **out)
{
	char *json = NULL;
	cg_rc rc = cg_service_registry_add(fx->svc, fx->ctx, who, what, body, strlen(body), &json);

	*out = json != NULL ? wfx_json(json) : NULL;
	return rc;
}

static void
test_list_admins_only(void **state)
{
	struct wfx *fx = *state;
	char *json = NULL;
	json_t *o;

	assert_int_equal(cg_service_registry_list(fx->svc, fx->ctx, &fx->olga, "enterprises", &json),
			 CG_EPERM);
	assert_int_equal(cg_service_registry_list(fx->svc, fx->ctx, &fx->a1, "users", &json), CG_EPERM);
	assert_int_equal(cg_service_registry_list(fx->svc, fx->ctx, &fx->ada, "nosuch", &json),
			 CG_ENOTFOUND);
	assert_int_equal(cg_service_registry_list(fx->svc, fx->ctx, &fx->ada, "enterprises", &json),
			 CG_OK);
	o = wfx_json(json);
	assert_int_equal(json_array_size(json_object_get(o, "enterprises")), 4);
	json_decref(o);
	json = NULL;
	assert_int_equal(cg_service_registry_list(fx->svc, fx->ctx, &fx->ada, "users", &json), CG_OK);
	assert_null(strstr(json, "password123"));
	assert_null(strstr(json, "scrypt"));
	cg_free(json);
}

static void
test_enterprise(void **state)
{
	struct wfx *fx = *state;
	const char *e5 = "{\"copCode\":\"4403960XE5\",\"name\":\"e\",\"roles\":\"ebc\"}";
	json_t *o = NULL;

	assert_int_equal(add(fx, &fx->olga, "enterprises", e5, &o), CG_EPERM);
	assert_int_equal(add(fx, &fx->ada, "enterprises", e5, &o), CG_OK);
	json_decref(o);
	assert_int_equal(add(fx, &fx->ada, "enterprises", e5, &o), CG_EEXIST);
	assert_int_equal(add(fx, &fx->ada, "enterprises",
			     "{\"copCode\":\"x'; DROP TABLE user;--\",\"name\":\"x\",\"roles\":\"ebp\"}",
			     &o), CG_EINVAL);
	assert_int_equal(add(fx, &fx->ada, "enterprises",
			     "{\"copCode\":\"4403960XC9\",\"name\":\"y\",\"roles\":\"ebp\",\"roles\":\"pay\"}",
			     &o), CG_EINVAL);
	assert_int_equal(add(fx, &fx->ada, "enterprises",
			     "{\"copCode\":\"4403960XC9\",\"name\":\"y\",\"roles\":\"bank\"}", &o),
			 CG_EINVAL);
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM user"), 6);
}

static void
test_certificate(void **state)
{
	struct wfx *fx = *state;
	char key[160], crt[160], *pem, *k, *json = NULL;
	json_t *o;

	snprintf(key, sizeof(key), "%s/E5.key", fx->dir);
	snprintf(crt, sizeof(crt), "%s/E5.crt", fx->dir);
	assert_int_equal(cg_make_demo_identity(fx->ctx, 1, "E5", 0x3000000ABCDEULL, 2, key, crt), CG_OK);
	pem = wfx_file(fx, "E5.crt");
	k = wfx_file(fx, "E5.key");
	assert_int_equal(cg_service_certificate_add(fx->svc, fx->ctx, &fx->a1, "4403960XE5", pem,
						    strlen(pem), &json), CG_EPERM);
	assert_int_equal(cg_service_certificate_add(fx->svc, fx->ctx, &fx->ada, "NOSUCH", pem,
						    strlen(pem), &json), CG_ENOTFOUND);
	assert_int_equal(cg_service_certificate_add(fx->svc, fx->ctx, &fx->ada, "4403960XE5", k,
						    strlen(k), &json), CG_EINVAL);
	assert_int_equal(cg_service_certificate_add(fx->svc, fx->ctx, &fx->ada, "4403960XE5", pem,
						    strlen(pem), &json), CG_OK);
	o = wfx_json(json);
	assert_string_equal(json_string_value(json_object_get(o, "serial")), "3000000abcde");
	json_decref(o);
	json = NULL;
	assert_int_equal(cg_service_certificate_add(fx->svc, fx->ctx, &fx->ada, "4403960XE5", pem,
						    strlen(pem), &json), CG_EEXIST);
	free(pem);
	free(k);
}

static void
test_user_and_token(void **state)
{
	struct wfx *fx = *state;
	cg_principal who;
	char *token = NULL;
	const char *t;
	json_t *o = NULL;

	assert_int_equal(add(fx, &fx->ada, "users",
			     "{\"name\":\"eve\",\"role\":\"merchant\",\"enterprise\":\"4403960XE5\","
			     "\"password\":\"merchantpass9\"}", &o), CG_OK);
	assert_null(json_object_get(o, "password"));
	json_decref(o);
	assert_int_equal(add(fx, &fx->ada, "users",
			     "{\"name\":\"eve\",\"role\":\"officer\",\"password\":\"officerpass9\"}", &o),
			 CG_EEXIST);
	assert_int_equal(cg_service_login(fx->svc, fx->ctx, "eve", "wrongpass99", &who, &token),
			 CG_EAUTH);
	assert_int_equal(cg_service_login(fx->svc, fx->ctx, "eve", "merchantpass9", &who, &token),
			 CG_OK);
	assert_int_equal(who.role, CG_ROLE_MERCHANT);
	assert_string_equal(who.cop_code, "4403960XE5");
	cg_free(token);
	assert_int_equal(add(fx, &fx->ada, "tokens", "{\"enterprise\":\"4403960XE5\"}", &o), CG_OK);
	t = json_string_value(json_object_get(o, "token"));
	assert_non_null(t);
	assert_int_equal(cg_service_auth(fx->svc, fx->ctx, t, &who), CG_OK);
	assert_int_equal(who.role, CG_ROLE_ENTERPRISE);
	assert_string_equal(who.cop_code, "4403960XE5");
	json_decref(o);
	assert_int_equal(cg_service_auth(fx->svc, fx->ctx, "not-a-token", &who), CG_ENOTFOUND);
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM audit WHERE actor = 'ada'"), 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_admins_only),
		cmocka_unit_test(test_enterprise),
		cmocka_unit_test(test_certificate),
		cmocka_unit_test(test_user_and_token),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	if (cg_global_init() != CG_OK)
		return 1;
	return cmocka_run_group_tests_name("registry", tests, wfx_setup, wfx_teardown) != 0;
}
