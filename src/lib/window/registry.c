/* SPDX-License-Identifier: MIT */
/*
 * The registry over HTTP, for admins only: enterprises with their signing
 * certificates, users, API tokens. The same store functions as
 * `cebgate admin`, so the rules (codes, roles, password length, scrypt) are
 * one set. Every registration is audited; a token is shown once.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <openssl/x509.h>
#include "cebgate/service.h"
#include "window/service_internal.h"
#include "sig/sigcore.h"

/* This file's statements, cached on the store's connection (db.h). */
enum { G_ENTERPRISES, G_CERTS, G_USERS };

/* Column names are the JSON keys (cg_db_rows_json). */
static const char *const sql[] = {
	[G_ENTERPRISES] = "SELECT id, cop_code AS \"copCode\", name, roles, dxp_id AS \"dxpId\","
			  " created AS registered FROM enterprise ORDER BY cop_code LIMIT 10000",
	[G_CERTS] = "SELECT serial, not_after AS \"notAfter\", created AS registered FROM certificate"
		    " WHERE enterprise_id = $1 ORDER BY id",
	/* "user" is quoted: a reserved word in PostgreSQL. */
	[G_USERS] = "SELECT u.name, u.role, e.cop_code AS enterprise, u.created AS registered"
		    " FROM \"user\" u LEFT JOIN enterprise e ON e.id = u.enterprise_id"
		    " ORDER BY u.name LIMIT 10000",
};
CG_DB_MODULE(registry_sql, "registry", sql);

static cg_db_stmt *
q(cg_store *st, int id)
{
	return cg_db_prepared(cg__store_db(st), &registry_sql, id);
}


/* A store refusal as the HTTP answer: bad input 400, unknown 404, taken 409. */
static cg_rc
store_answer(cg_rc rc, cg_ctx *ctx, char **json, int *http)
{
	switch (rc) {
	case CG_EINVAL:
	case CG_ESIG:
		return cg__json_refusal(json, http, 400, cg_ctx_errmsg(ctx));
	case CG_ENOTFOUND:
		return cg__json_refusal(json, http, 404, cg_ctx_errmsg(ctx));
	case CG_EEXIST:
		return cg__json_refusal(json, http, 409, "exists already");
	default:
		return rc;
	}
}

static json_t *
certificates(cg_store *st, long long eid)
{
	cg_db_stmt *s = q(st, G_CERTS);

	if (s == NULL || cg_db_bind_int64(s, 1, eid) != CG_OK)
		return NULL;
	return cg_db_rows_json(s, 0, 0);
}

static cg_rc
list_enterprises(cg_store *st, json_t *arr)
{
	cg_db_stmt *s = q(st, G_ENTERPRISES);
	/* Read the rows first: the certificate query must not run inside this one's step. */
	json_t *rows = s != NULL ? cg_db_rows_json(s, 0, 0) : NULL;
	size_t i;
	cg_rc rc = rows != NULL ? CG_OK : CG_EDB;

	for (i = 0; rc == CG_OK && i < json_array_size(rows); i++) {
		json_t *e = json_array_get(rows, i);
		json_t *certs = certificates(st, json_integer_value(json_object_get(e, "id")));

		if (certs == NULL || json_object_set_new(e, "certificates", certs) != 0 ||
		    json_object_del(e, "id") != 0)
			rc = CG_EDB;
	}
	if (rc == CG_OK)
		(void)json_array_extend(arr, rows);
	json_decref(rows);
	return rc;
}

static cg_rc
list_users(cg_store *st, json_t *arr)
{
	cg_db_stmt *s = q(st, G_USERS);
	json_t *rows = s != NULL ? cg_db_rows_json(s, 0, 0) : NULL;

	if (rows == NULL)
		return CG_EDB;
	(void)json_array_extend(arr, rows);
	json_decref(rows);
	return CG_OK;
}

cg_rc
cg_service_registry_list(cg_service *svc, cg_ctx *ctx, const cg_principal *who, const char *what,
			 char **json, int *http)
{
	cg_store *st = cg__service_store(svc);
	json_t *arr;
	cg_rc rc;

	*http = 200;
	if (who->role != CG_ROLE_ADMIN)
		return cg__json_refusal(json, http, 403, "only an admin may read the registry");
	arr = json_array();
	if (arr == NULL)
		return CG_ENOMEM;
	if (strcmp(what, "enterprises") == 0) {
		rc = list_enterprises(st, arr);
	} else if (strcmp(what, "users") == 0) {
		rc = list_users(st, arr);
	} else {
		json_decref(arr);
		return cg__json_refusal(json, http, 404, "no such resource");
	}
	if (rc != CG_OK) {
		json_decref(arr);
		return cg__fail(ctx, rc, "registry: %s", cg_db_errmsg(cg__store_db(st)));
	}
	return cg__json_answer(json_pack("{s:o, s:I}", what, arr, "count", (json_int_t)json_array_size(arr)), json);
}

static const char *
field(json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

/*
 * Register, audit, answer 201: the same steps for each kind of registration,
 * inside the transaction of finish() so the audit row and the change go together.
 */
static cg_rc
registered(cg_store *st, cg_ctx *ctx, const cg_principal *who, const char *action,
	   const char *detail, json_t *answer, char **json, int *http)
{
	cg_rc rc = cg__audit(st, ctx, who->name, action, 0, detail);

	if (rc != CG_OK) {
		json_decref(answer);
		return rc;
	}
	*http = 201;
	return cg__json_answer(answer, json);
}

static cg_rc
add_enterprise(cg_store *st, cg_ctx *ctx, const cg_principal *who, json_t *b, char **json, int *http)
{
	const char *code = field(b, "copCode"), *name = field(b, "name"), *roles = field(b, "roles");
	const char *dxp = field(b, "dxpId");
	cg_rc rc;

	if (code == NULL || name == NULL || roles == NULL)
		return cg__json_refusal(json, http, 400, "an enterprise is {\"copCode\", \"name\", \"roles\", \"dxpId\"}");
	rc = cg_store_add_enterprise(st, ctx, code, name, roles, dxp);
	if (rc != CG_OK)
		return store_answer(rc, ctx, json, http);
	return registered(st, ctx, who, "register enterprise", code,
			  json_pack("{s:s, s:s}", "copCode", code, "name", name), json, http);
}

static cg_rc
add_user(cg_store *st, cg_ctx *ctx, const cg_principal *who, json_t *b, char **json, int *http)
{
	const char *name = field(b, "name"), *role = field(b, "role"), *pw = field(b, "password");
	cg_rc rc;

	if (name == NULL || role == NULL || pw == NULL)
		return cg__json_refusal(json, http, 400, "a user is {\"name\", \"role\", \"password\", \"enterprise\"}");
	rc = cg_store_add_user(st, ctx, name, role, field(b, "enterprise"), pw);
	if (rc != CG_OK)
		return store_answer(rc, ctx, json, http);
	/* The password never appears in the answer or the audit trail. */
	return registered(st, ctx, who, "register user", name,
			  json_pack("{s:s, s:s}", "name", name, "role", role), json, http);
}

static cg_rc
add_token(cg_store *st, cg_ctx *ctx, const cg_principal *who, json_t *b, char **json, int *http)
{
	const char *ent = field(b, "enterprise"), *user = field(b, "user");
	char *token = NULL, detail[200];
	json_t *answer;
	cg_rc rc;

	if ((ent == NULL) == (user == NULL))
		return cg__json_refusal(json, http, 400, "a token is for {\"enterprise\"} or for {\"user\"}");
	rc = cg_store_new_token(st, ctx, ent, user, &token);
	if (rc != CG_OK)
		return store_answer(rc, ctx, json, http);
	(void)snprintf(detail, sizeof(detail), "%s %s", ent != NULL ? "enterprise" : "user",
		       ent != NULL ? ent : user);
	/* Shown this once: only its hash is kept. */
	answer = json_pack("{s:s, s:s}", ent != NULL ? "enterprise" : "user", ent != NULL ? ent : user,
			   "token", token);
	cg_free(token);
	return registered(st, ctx, who, "issue token", detail, answer, json, http);
}

/* Commit what an answer of 201 registered, roll back anything else. */
static cg_rc
finish(cg_store *st, cg_ctx *ctx, cg_rc rc, char **json, int *http)
{
	if (rc == CG_OK && *http == 201) {
		rc = cg_db_commit(cg__store_db(st), ctx);
		if (rc == CG_OK)
			return CG_OK;
	}
	cg_db_rollback(cg__store_db(st));
	if (rc != CG_OK) {
		cg_free(*json);
		*json = NULL;
	}
	return rc;
}

cg_rc
cg_service_registry_add(cg_service *svc, cg_ctx *ctx, const cg_principal *who, const char *what,
			const char *body, size_t len, char **json, int *http)
{
	cg_store *st = cg__service_store(svc);
	json_t *b;
	cg_rc rc;

	*http = 200;
	if (who->role != CG_ROLE_ADMIN)
		return cg__json_refusal(json, http, 403, "only an admin may change the registry");
	b = json_loadb(body != NULL ? body : "", len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(b)) {
		json_decref(b);
		return cg__json_refusal(json, http, 400, "the body is one JSON object");
	}
	rc = cg_db_begin(cg__store_db(st), ctx);
	if (rc == CG_OK) {
		if (strcmp(what, "enterprises") == 0)
			rc = add_enterprise(st, ctx, who, b, json, http);
		else if (strcmp(what, "users") == 0)
			rc = add_user(st, ctx, who, b, json, http);
		else if (strcmp(what, "tokens") == 0)
			rc = add_token(st, ctx, who, b, json, http);
		else
			rc = cg__json_refusal(json, http, 404, "no such resource");
		rc = finish(st, ctx, rc, json, http);
	}
	json_decref(b);
	return rc;
}

cg_rc
cg_service_certificate_add(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
			   const char *cop_code, const char *cert, size_t len, char **json, int *http)
{
	cg_store *st = cg__service_store(svc);
	char serial[80], detail[160];
	long long eid;
	X509 *x = NULL;
	cg_rc rc;

	*http = 200;
	if (who->role != CG_ROLE_ADMIN)
		return cg__json_refusal(json, http, 403, "only an admin may change the registry");
	rc = cg__parse_cert(&x, ctx, cert, len, "certificate");
	if (rc != CG_OK)
		return store_answer(rc, ctx, json, http);
	cg__cert_serial_hex(x, serial, sizeof(serial));
	rc = cg_db_begin(cg__store_db(st), ctx);
	if (rc == CG_OK) {
		rc = cg__store_enterprise(st, ctx, cop_code, &eid);
		if (rc == CG_OK)
			rc = cg__store_add_cert(st, ctx, eid, x);
		if (rc == CG_OK) {
			(void)snprintf(detail, sizeof(detail), "%s serial %s", cop_code, serial);
			rc = registered(st, ctx, who, "register certificate", detail,
					json_pack("{s:s, s:s}", "copCode", cop_code, "serial", serial), json,
					http);
		} else {
			rc = store_answer(rc, ctx, json, http);
		}
		rc = finish(st, ctx, rc, json, http);
	}
	X509_free(x);
	return rc;
}
