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

static void
test_parse_expiry(void **state)
{
	long long t = -1;

	(void)state;
	/* A date is 00:00 China Standard Time of that day. */
	assert_int_equal(cg_parse_expiry("2027-06-30", &t), CG_OK);
	assert_int_equal(t, 1814284800);
	assert_int_equal(cg_parse_expiry("2027-06-29T16:00:00Z", &t), CG_OK);
	assert_int_equal(t, 1814284800);
	assert_int_equal(cg_parse_expiry("2027-06-29T18:00:00+02:00", &t), CG_OK);
	assert_int_equal(t, 1814284800);
	assert_int_equal(cg_parse_expiry("2027-06-29T15:30:00-00:30", &t), CG_OK);
	assert_int_equal(t, 1814284800);
	assert_int_equal(cg_parse_expiry("2027-02-30", &t), CG_EINVAL);
	assert_int_equal(cg_parse_expiry("2027-13-01", &t), CG_EINVAL);
	assert_int_equal(cg_parse_expiry("2027-06-30T10:00:00", &t), CG_EINVAL);
	assert_int_equal(cg_parse_expiry("2027-06-30T10:00:00+", &t), CG_EINVAL);
	assert_int_equal(cg_parse_expiry("2027-06-30T24:00:00Z", &t), CG_EINVAL);
	assert_int_equal(cg_parse_expiry("2027-6-30", &t), CG_EINVAL);
	assert_int_equal(cg_parse_expiry("2027-06-30 ", &t), CG_EINVAL);
	assert_int_equal(cg_parse_expiry("2027- 6-30", &t), CG_EINVAL);
	assert_int_equal(cg_parse_expiry("next week", &t), CG_EINVAL);
	assert_int_equal(cg_parse_expiry("", &t), CG_EINVAL);
}

static json_t *
tokens(struct wfx *fx)
{
	char *json = NULL;

	assert_int_equal(cg_service_registry_list(fx->svc, fx->ctx, &fx->ada, "tokens", &json), CG_OK);
	return wfx_json(json);
}

/* Revoke by prefix or id, refuse an ambiguous prefix; an expired token is refused like a revoked one. */
static void
test_tokens_taken_back(void **state)
{
	struct wfx *fx = *state;
	char *json = NULL, prefix[8], sql[160];
	const char *t;
	json_t *o = NULL, *list;
	cg_principal who;
	long long id;

	assert_int_equal(add(fx, &fx->ada, "tokens", "{\"enterprise\":\"4403960XE5\",\"expires\":\"2099-01-01\"}",
			     &o), CG_OK);
	t = json_string_value(json_object_get(o, "token"));
	assert_int_equal(cg_service_auth(fx->svc, fx->ctx, t, &who), CG_OK);
	list = tokens(fx);
	json = json_dumps(list, 0);
	assert_null(strstr(json, t));
	free(json);
	json = NULL;
	id = json_integer_value(json_object_get(json_array_get(json_object_get(list, "tokens"),
							       json_array_size(json_object_get(list, "tokens")) - 1),
						"id"));
	json_decref(list);
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM token WHERE expires IS NOT NULL"), 1);
	assert_int_equal(cg_service_token_revoke(fx->svc, fx->ctx, &fx->olga, "1", &json), CG_EPERM);
	assert_int_equal(cg_service_token_revoke(fx->svc, fx->ctx, &fx->ada, "abc", &json), CG_EINVAL);
	assert_int_equal(cg_service_token_revoke(fx->svc, fx->ctx, &fx->ada, "999999", &json), CG_ENOTFOUND);
	/* Two tokens whose prefixes start alike: that start names neither. */
	snprintf(sql, sizeof(sql), "UPDATE token SET prefix = 'qqqq' || substr(prefix, 5) WHERE id IN (%lld, %lld)",
		 id, id - 1);
	wfx_sql(fx, sql);
	assert_int_equal(cg_service_token_revoke(fx->svc, fx->ctx, &fx->ada, "qqqq", &json), CG_EINVAL);
	assert_int_equal(cg_service_auth(fx->svc, fx->ctx, t, &who), CG_OK);
	snprintf(sql, sizeof(sql), "UPDATE token SET prefix = substr('%.8s', 1, 8) WHERE id = %lld", t, id);
	wfx_sql(fx, sql);
	snprintf(prefix, sizeof(prefix), "%.6s", t);
	assert_int_equal(cg_service_token_revoke(fx->svc, fx->ctx, &fx->ada, prefix, &json), CG_OK);
	cg_free(json);
	json = NULL;
	assert_int_equal(cg_service_auth(fx->svc, fx->ctx, t, &who), CG_ENOTFOUND);
	json_decref(o);
	/* Expiry: the stored date passed (the clock cannot be moved). */
	assert_int_equal(add(fx, &fx->ada, "tokens", "{\"enterprise\":\"4403960XE5\",\"expires\":\"2099-01-01\"}",
			     &o), CG_OK);
	t = json_string_value(json_object_get(o, "token"));
	assert_int_equal(cg_service_auth(fx->svc, fx->ctx, t, &who), CG_OK);
	wfx_sql(fx, "UPDATE token SET expires = 1 WHERE expires IS NOT NULL");
	assert_int_equal(cg_service_auth(fx->svc, fx->ctx, t, &who), CG_ENOTFOUND);
	json_decref(o);
	assert_int_equal(add(fx, &fx->ada, "tokens", "{\"enterprise\":\"4403960XE5\",\"expires\":\"2020-01-01\"}",
			     &o), CG_EINVAL);
	list = tokens(fx);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(list, "tokens"), 
		json_array_size(json_object_get(list, "tokens")) - 1), "state")), "expired");
	json_decref(list);
}

static cg_rc
set(struct wfx *fx, const cg_principal *who, const char *what, const char *key, const char *body)
{
	char *json = NULL;
	cg_rc rc = cg_service_registry_set(fx->svc, fx->ctx, who, what, key, body, strlen(body), &json);

	cg_free(json);
	return rc;
}

/* A disabled user cannot log in and her tokens stop; a disabled enterprise's tokens and staff too. */
static void
test_disable_enable(void **state)
{
	struct wfx *fx = *state;
	cg_principal who;
	char *login = NULL;
	json_t *o = NULL;
	const char *t;

	assert_int_equal(cg_service_login(fx->svc, fx->ctx, "eve", "merchantpass9", &who, &login), CG_OK);
	assert_int_equal(add(fx, &fx->ada, "tokens", "{\"enterprise\":\"4403960XE5\"}", &o), CG_OK);
	t = json_string_value(json_object_get(o, "token"));
	assert_int_equal(set(fx, &fx->olga, "users", "eve", "{\"disabled\":true}"), CG_EPERM);
	assert_int_equal(set(fx, &fx->ada, "users", "eve", "{\"disabled\":1}"), CG_EINVAL);
	assert_int_equal(set(fx, &fx->ada, "users", "eve", "{\"disabled\":true,\"x\":1}"), CG_EINVAL);
	assert_int_equal(set(fx, &fx->ada, "users", "nobody", "{\"disabled\":true}"), CG_ENOTFOUND);
	assert_int_equal(set(fx, &fx->ada, "users", "eve", "{\"disabled\":true}"), CG_OK);
	assert_int_equal(cg_service_auth(fx->svc, fx->ctx, login, &who), CG_ENOTFOUND);
	assert_int_equal(cg_service_session(fx->svc, fx->ctx, login, 3600, &who), CG_ENOTFOUND);
	cg_free(login);
	login = NULL;
	assert_int_equal(cg_service_login(fx->svc, fx->ctx, "eve", "merchantpass9", &who, &login), CG_EAUTH);
	assert_null(login);
	assert_int_equal(cg_service_auth(fx->svc, fx->ctx, t, &who), CG_OK);
	assert_int_equal(set(fx, &fx->ada, "users", "eve", "{\"disabled\":false}"), CG_OK);
	assert_int_equal(set(fx, &fx->ada, "enterprises", "4403960XE5", "{\"disabled\":true}"), CG_OK);
	assert_int_equal(cg_service_auth(fx->svc, fx->ctx, t, &who), CG_ENOTFOUND);
	assert_int_equal(cg_service_login(fx->svc, fx->ctx, "eve", "merchantpass9", &who, &login), CG_EAUTH);
	assert_int_equal(set(fx, &fx->ada, "enterprises", "4403960XE5", "{\"disabled\":false}"), CG_OK);
	assert_int_equal(cg_service_auth(fx->svc, fx->ctx, t, &who), CG_OK);
	assert_int_equal(cg_service_login(fx->svc, fx->ctx, "eve", "merchantpass9", &who, &login), CG_OK);
	cg_free(login);
	json_decref(o);
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM audit WHERE actor = 'ada' AND action IN"
					 " ('disable user', 'enable user', 'disable enterprise', 'enable enterprise')"),
			 4);
}

/* A revoked certificate's later signatures are refused (CG3018); what it signed before stays. */
static void
test_certificate_revoked(void **state)
{
	struct wfx *fx = *state;
	char *first = wfx_signed_sample(fx, "A1", "samples/xml/unsigned/CEB311-order.xml", NULL);
	char *later = wfx_signed_sample(fx, "A1", "samples/xml/unsigned/CEB311-order.xml",
					"SO202411110000123456", "SO202411110000123457",
					"309FF3B5-9896-4379-93C3-706DB153EEF5",
					"309FF3B5-9896-4379-93C3-706DB153EEF6", NULL);
	char *json = NULL;
	json_t *a = NULL;

	assert_int_equal(wfx_submit(fx, &fx->a1, first, &a), CG_OK);
	json_decref(a);
	assert_int_equal(cg_service_certificate_revoke(fx->svc, fx->ctx, &fx->a1, "4403960XA1",
						       "30000000a1", &json), CG_EPERM);
	assert_int_equal(cg_service_certificate_revoke(fx->svc, fx->ctx, &fx->ada, "4403960XA1",
						       "0bad", &json), CG_ENOTFOUND);
	assert_int_equal(cg_service_certificate_revoke(fx->svc, fx->ctx, &fx->ada, "4403960XA1",
						       "30000000A1", &json), CG_OK);
	cg_free(json);
	assert_int_equal(wfx_submit(fx, &fx->a1, later, &a), CG_ESIG);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(
		json_array_get(json_object_get(a, "results"), 0), "findings"), 0), "code")), "CG3018");
	json_decref(a);
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM document WHERE key2 = 'SO202411110000123456'"
					 " AND state = 'declared'"), 1);
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM document WHERE key2 = 'SO202411110000123457'"), 0);
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM audit WHERE action = 'revoke certificate'"), 1);
	cg_free(first);
	cg_free(later);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_admins_only),
		cmocka_unit_test(test_enterprise),
		cmocka_unit_test(test_certificate),
		cmocka_unit_test(test_user_and_token),
		cmocka_unit_test(test_parse_expiry),
		cmocka_unit_test(test_tokens_taken_back),
		cmocka_unit_test(test_disable_enable),
		cmocka_unit_test(test_certificate_revoked),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	if (cg_global_init() != CG_OK)
		return 1;
	return cmocka_run_group_tests_name("registry", tests, wfx_setup, wfx_teardown) != 0;
}
