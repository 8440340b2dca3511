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
#include "cebgate/registry.h"
#include "window/service_internal.h"
#include "sig/sigcore.h"

/* This file's statements, cached on the store's connection (db.h). */
enum { G_ENTERPRISES, G_CERTS, G_USERS, G_CERT };

/* Column names are the JSON keys (cg_db_rows_json). */
static const char *const sql[] = {
	[G_ENTERPRISES] = "SELECT id, cop_code AS \"copCode\", name, roles, dxp_id AS \"dxpId\","
			  " created AS registered, disabled FROM enterprise ORDER BY cop_code LIMIT 10000",
	[G_CERTS] = "SELECT serial, not_after AS \"notAfter\", created AS registered, revoked"
		    " FROM certificate WHERE enterprise_id = $1 ORDER BY id",
	/* "user" is quoted: a reserved word in PostgreSQL. */
	[G_USERS] = "SELECT u.name, u.role, e.cop_code AS enterprise, u.created AS registered,"
		    " u.disabled FROM \"user\" u LEFT JOIN enterprise e ON e.id = u.enterprise_id"
		    " ORDER BY u.name LIMIT 10000",
	[G_CERT] = "SELECT serial, not_after AS \"notAfter\", created AS registered, revoked"
		   " FROM certificate WHERE enterprise_id = $1 AND serial = $2",
};
CG_DB_MODULE(registry_sql, "registry", sql);

static cg_db_stmt *
q(cg_store *st, int id)
{
	return cg_db_prepared(cg__store_db(st), &registry_sql, id);
}


/* A store refusal as the registry's: a certificate that does not parse is bad input; the rest as is. */
static cg_rc
store_answer(cg_rc rc, cg_ctx *ctx)
{
	switch (rc) {
	case CG_ESIG:
		return CG_EINVAL; /* the message is in ctx already */
	case CG_EEXIST:
		return cg__fail(ctx, CG_EEXIST, "exists already");
	default:
		return rc;
	}
}

/* The integer column @p key of each row as true or false. */
static void
booleans(json_t *rows, const char *key)
{
	size_t i;

	for (i = 0; i < json_array_size(rows); i++) {
		json_t *r = json_array_get(rows, i);

		(void)json_object_set_new(r, key, json_boolean(json_integer_value(json_object_get(r, key)) != 0));
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
	if (rc == CG_OK) {
		booleans(rows, "disabled");
		(void)json_array_extend(arr, rows);
	}
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
	booleans(rows, "disabled");
	(void)json_array_extend(arr, rows);
	json_decref(rows);
	return CG_OK;
}

/* One list of the registry as {what: [...], "count": N}: the API's and the operator's alike. */
static cg_rc
registry_list(cg_store *st, cg_ctx *ctx, const char *what, char **json)
{
	json_t *arr, *rows = NULL;
	cg_rc rc;

	if (strcmp(what, "tokens") == 0 || strcmp(what, "certificates") == 0) {
		rc = cg__access_list(st, ctx, what, &rows);
		if (rc != CG_OK)
			return rc;
		return cg__json_answer(json_pack("{s:o, s:I}", what, rows, "count",
						 (json_int_t)json_array_size(rows)), json);
	}
	arr = json_array();
	if (arr == NULL)
		return CG_ENOMEM;
	if (strcmp(what, "enterprises") == 0) {
		rc = list_enterprises(st, arr);
	} else if (strcmp(what, "users") == 0) {
		rc = list_users(st, arr);
	} else {
		json_decref(arr);
		return cg__fail(ctx, CG_ENOTFOUND, "no such resource");
	}
	if (rc != CG_OK) {
		json_decref(arr);
		return cg__fail(ctx, rc, "registry: %s", cg_db_errmsg(cg__store_db(st)));
	}
	return cg__json_answer(json_pack("{s:o, s:I}", what, arr, "count", (json_int_t)json_array_size(arr)), json);
}

cg_rc
cg_service_registry_list(cg_service *svc, cg_ctx *ctx, const cg_principal *who, const char *what,
			 char **json)
{
	if (who->role != CG_ROLE_ADMIN)
		return cg__fail(ctx, CG_EPERM, "only an admin may read the registry");
	return registry_list(cg__service_store(svc), ctx, what, json);
}

static const char *
field(json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

/*
 * Register, audit, answer: the same steps for each kind of registration,
 * inside the transaction of finish() so the audit row and the change go together.
 */
static cg_rc
registered(cg_store *st, cg_ctx *ctx, const cg_principal *who, const char *action,
	   const char *detail, json_t *answer, char **json)
{
	cg_rc rc = cg__audit(st, ctx, who->name, action, 0, detail);

	if (rc != CG_OK) {
		json_decref(answer);
		return rc;
	}
	return cg__json_answer(answer, json);
}

static cg_rc
add_enterprise(cg_store *st, cg_ctx *ctx, const cg_principal *who, json_t *b, char **json)
{
	const char *code = field(b, "copCode"), *name = field(b, "name"), *roles = field(b, "roles");
	const char *dxp = field(b, "dxpId");
	cg_rc rc;

	if (code == NULL || name == NULL || roles == NULL)
		return cg__fail(ctx, CG_EINVAL, "an enterprise is {\"copCode\", \"name\", \"roles\", \"dxpId\"}");
	rc = cg_store_add_enterprise(st, ctx, code, name, roles, dxp);
	if (rc != CG_OK)
		return store_answer(rc, ctx);
	return registered(st, ctx, who, "register enterprise", code,
			  json_pack("{s:s, s:s}", "copCode", code, "name", name), json);
}

static cg_rc
add_user(cg_store *st, cg_ctx *ctx, const cg_principal *who, json_t *b, char **json)
{
	const char *name = field(b, "name"), *role = field(b, "role"), *pw = field(b, "password");
	cg_rc rc;

	if (name == NULL || role == NULL || pw == NULL)
		return cg__fail(ctx, CG_EINVAL, "a user is {\"name\", \"role\", \"password\", \"enterprise\"}");
	rc = cg_store_add_user(st, ctx, name, role, field(b, "enterprise"), pw);
	if (rc != CG_OK)
		return store_answer(rc, ctx);
	/* The password never appears in the answer or the audit trail. */
	return registered(st, ctx, who, "register user", name,
			  json_pack("{s:s, s:s}", "name", name, "role", role), json);
}

static cg_rc
add_token(cg_store *st, cg_ctx *ctx, const cg_principal *who, json_t *b, char **json)
{
	const char *ent = field(b, "enterprise"), *user = field(b, "user"), *until = field(b, "expires");
	char *token = NULL, detail[200];
	long long expires = 0;
	json_t *answer;
	cg_rc rc;

	if ((ent == NULL) == (user == NULL))
		return cg__fail(ctx, CG_EINVAL, "a token is for {\"enterprise\"} or for {\"user\"}");
	if (json_object_get(b, "expires") != NULL && (until == NULL || cg_parse_expiry(until, &expires) != CG_OK))
		return cg__fail(ctx, CG_EINVAL, "\"expires\" is a date (2027-06-30) or a time with its offset "
						"(2027-06-30T18:00:00+08:00)");
	rc = cg_store_new_token(st, ctx, ent, user, expires, &token);
	if (rc != CG_OK)
		return store_answer(rc, ctx);
	(void)snprintf(detail, sizeof(detail), "%s %s", ent != NULL ? "enterprise" : "user",
		       ent != NULL ? ent : user);
	/* Shown this once: only its hash is kept. */
	answer = json_pack("{s:s, s:s, s:s*}", ent != NULL ? "enterprise" : "user", ent != NULL ? ent : user,
			   "token", token, "expires", until);
	cg_free(token);
	return registered(st, ctx, who, "issue token", detail, answer, json);
}

/* Commit what was registered, roll back anything else. */
static cg_rc
finish(cg_store *st, cg_ctx *ctx, cg_rc rc, char **json)
{
	if (rc == CG_OK) {
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
			const char *body, size_t len, char **json)
{
	cg_store *st = cg__service_store(svc);
	json_t *b;
	cg_rc rc;

	if (who->role != CG_ROLE_ADMIN)
		return cg__fail(ctx, CG_EPERM, "only an admin may change the registry");
	b = json_loadb(body != NULL ? body : "", len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(b)) {
		json_decref(b);
		return cg__fail(ctx, CG_EINVAL, "the body is one JSON object");
	}
	rc = cg_db_begin(cg__store_db(st), ctx);
	if (rc == CG_OK) {
		if (strcmp(what, "enterprises") == 0)
			rc = add_enterprise(st, ctx, who, b, json);
		else if (strcmp(what, "users") == 0)
			rc = add_user(st, ctx, who, b, json);
		else if (strcmp(what, "tokens") == 0)
			rc = add_token(st, ctx, who, b, json);
		else
			rc = cg__fail(ctx, CG_ENOTFOUND, "no such resource");
		rc = finish(st, ctx, rc, json);
	}
	json_decref(b);
	return rc;
}

cg_rc
cg_service_certificate_add(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
			   const char *cop_code, const char *cert, size_t len, char **json)
{
	cg_store *st = cg__service_store(svc);
	char serial[80], detail[160];
	long long eid;
	X509 *x = NULL;
	cg_rc rc;

	if (who->role != CG_ROLE_ADMIN)
		return cg__fail(ctx, CG_EPERM, "only an admin may change the registry");
	rc = cg__parse_cert(&x, ctx, cert, len, "certificate");
	if (rc != CG_OK)
		return store_answer(rc, ctx);
	cg__cert_serial_hex(x, serial, sizeof(serial));
	rc = cg_db_begin(cg__store_db(st), ctx);
	if (rc == CG_OK) {
		rc = cg__store_enterprise(st, ctx, cop_code, &eid);
		if (rc == CG_OK)
			rc = cg__store_add_cert(st, ctx, eid, x);
		if (rc == CG_OK) {
			(void)snprintf(detail, sizeof(detail), "%s serial %s", cop_code, serial);
			rc = registered(st, ctx, who, "register certificate", detail,
					json_pack("{s:s, s:s}", "copCode", cop_code, "serial", serial), json);
		} else {
			rc = store_answer(rc, ctx);
		}
		rc = finish(st, ctx, rc, json);
	}
	X509_free(x);
	return rc;
}

cg_rc
cg_service_certificate_get(cg_service *svc, cg_ctx *ctx, const cg_principal *who, const char *cop_code,
			   const char *serial, char **json)
{
	cg_store *st = cg__service_store(svc);
	cg_db_stmt *s;
	long long eid = 0;
	json_t *row, *c, *revoked;
	cg_rc rc;

	*json = NULL;
	if (who->role != CG_ROLE_ADMIN && strcmp(who->cop_code, cop_code) != 0)
		return cg__fail(ctx, CG_EPERM, "an enterprise sees its own certificates only");
	rc = cg__store_enterprise(st, ctx, cop_code, &eid);
	if (rc != CG_OK)
		return rc;
	s = q(st, G_CERT);
	if (s == NULL || cg_db_bind_int64(s, 1, eid) != CG_OK || cg_db_bind_text(s, 2, serial) != CG_OK)
		return cg_db_fail(cg__store_db(st), ctx, "certificate");
	row = cg_db_rows_json(s, 0, 1);
	if (row == NULL)
		return cg_db_fail(cg__store_db(st), ctx, "certificate");
	if (json_array_size(row) == 0) {
		json_decref(row);
		return cg__fail(ctx, CG_ENOTFOUND, "no certificate %s registered for %s", serial, cop_code);
	}
	c = json_incref(json_array_get(row, 0));
	json_decref(row);
	revoked = json_object_get(c, "revoked");
	(void)json_object_set_new(c, "enterprise", json_string(cop_code));
	(void)json_object_set_new(c, "state", json_string(revoked == NULL || json_is_null(revoked) ? "registered"
												 : "revoked"));
	cg__json_times(c);
	return cg__json_answer(c, json);
}

cg_rc
cg_service_token_revoke(cg_service *svc, cg_ctx *ctx, const cg_principal *who, const char *which,
			char **json)
{
	*json = NULL;
	if (who->role != CG_ROLE_ADMIN)
		return cg__fail(ctx, CG_EPERM, "only an admin may change the registry");
	return cg__access_revoke_token(cg__service_store(svc), ctx, who->name, which, json);
}

cg_rc
cg_service_registry_set(cg_service *svc, cg_ctx *ctx, const cg_principal *who, const char *what,
			const char *key, const char *body, size_t len, char **json)
{
	json_t *b, *d;
	cg_rc rc;

	*json = NULL;
	if (who->role != CG_ROLE_ADMIN)
		return cg__fail(ctx, CG_EPERM, "only an admin may change the registry");
	b = json_loadb(body != NULL ? body : "", len, JSON_REJECT_DUPLICATES, NULL);
	d = json_object_get(b, "disabled");
	/* The one field that may change; anything else is refused rather than ignored. */
	if (!json_is_object(b) || !json_is_boolean(d) || json_object_size(b) != 1)
		rc = cg__fail(ctx, CG_EINVAL, "the body is {\"disabled\": true} or {\"disabled\": false}");
	else
		rc = cg__access_set_disabled(cg__service_store(svc), ctx, who->name, what, key,
					     json_is_true(d), json);
	json_decref(b);
	return rc;
}

cg_rc
cg_service_certificate_revoke(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
			      const char *cop_code, const char *serial, char **json)
{
	*json = NULL;
	if (who->role != CG_ROLE_ADMIN)
		return cg__fail(ctx, CG_EPERM, "only an admin may change the registry");
	return cg__access_revoke_cert(cg__service_store(svc), ctx, who->name, cop_code, serial, json);
}

/* The operator's registry: the store's own registration, behind the public API. */
struct cg_registry {
	cg_store *st;
	char actor[80]; /* who the audit trail names for the operator's changes */
};

cg_store *
cg__registry_store(cg_registry *reg)
{
	return reg->st;
}

const char *
cg__registry_actor(const cg_registry *reg)
{
	return reg->actor;
}

cg_rc
cg_registry_open(cg_registry **out, cg_ctx *ctx, const char *path)
{
	cg_registry *reg = calloc(1, sizeof(*reg));
	cg_rc rc;

	*out = NULL;
	if (reg == NULL)
		return cg__fail(ctx, CG_ENOMEM, "registry");
	rc = cg_store_open(&reg->st, ctx, path);
	if (rc != CG_OK) {
		free(reg);
		return rc;
	}
	(void)snprintf(reg->actor, sizeof(reg->actor), "operator");
	*out = reg;
	return CG_OK;
}

void
cg_registry_close(cg_registry *reg)
{
	if (reg == NULL)
		return;
	cg_store_close(reg->st);
	free(reg);
}

cg_rc
cg_registry_audit_verify(cg_registry *reg, cg_ctx *ctx, char **json)
{
	return cg__audit_verify(reg->st, ctx, json);
}

cg_rc
cg_registry_audit_anchor(cg_registry *reg, cg_ctx *ctx, char **json)
{
	bool wrote = false;
	cg_rc rc = cg__audit_anchor(reg->st, ctx, true, &wrote);

	*json = NULL;
	if (rc != CG_OK)
		return rc;
	return cg__json_answer(json_pack("{s:b}", "anchored", wrote), json);
}

/* The operator's change and its audit row in one transaction, as over HTTP. */
static cg_rc
operator_begin(cg_registry *reg, cg_ctx *ctx)
{
	return cg_db_begin(cg__store_db(reg->st), ctx);
}

static cg_rc
operator_end(cg_registry *reg, cg_ctx *ctx, cg_rc rc, const char *action, const char *detail)
{
	if (rc == CG_OK)
		rc = cg__audit(reg->st, ctx, reg->actor, action, 0, detail);
	if (rc == CG_OK)
		rc = cg_db_commit(cg__store_db(reg->st), ctx);
	if (rc != CG_OK)
		cg_db_rollback(cg__store_db(reg->st));
	return rc;
}

cg_rc
cg_registry_add_enterprise(cg_registry *reg, cg_ctx *ctx, const char *cop_code, const char *name,
			   const char *roles, const char *dxp_id)
{
	cg_rc rc = operator_begin(reg, ctx);

	if (rc != CG_OK)
		return rc;
	rc = cg_store_add_enterprise(reg->st, ctx, cop_code, name, roles, dxp_id);
	return operator_end(reg, ctx, rc, "register enterprise", cop_code);
}

cg_rc
cg_registry_add_certificate(cg_registry *reg, cg_ctx *ctx, const char *cop_code, const char *cert_path)
{
	cg_rc rc = operator_begin(reg, ctx);

	if (rc != CG_OK)
		return rc;
	rc = cg_store_add_certificate(reg->st, ctx, cop_code, cert_path);
	return operator_end(reg, ctx, rc, "register certificate", cop_code);
}

cg_rc
cg_registry_add_user(cg_registry *reg, cg_ctx *ctx, const char *name, const char *role,
		     const char *cop_code, const char *password)
{
	cg_rc rc = operator_begin(reg, ctx);

	if (rc != CG_OK)
		return rc;
	rc = cg_store_add_user(reg->st, ctx, name, role, cop_code, password);
	return operator_end(reg, ctx, rc, "register user", name != NULL ? name : "");
}

cg_rc
cg_registry_new_token(cg_registry *reg, cg_ctx *ctx, const char *cop_code, const char *user,
		      char **token)
{
	return cg_registry_new_token_until(reg, ctx, cop_code, user, 0, token);
}

cg_rc
cg_registry_new_token_until(cg_registry *reg, cg_ctx *ctx, const char *cop_code, const char *user,
			    long long expires, char **token)
{
	char detail[120];
	cg_rc rc = operator_begin(reg, ctx);

	*token = NULL;
	if (rc != CG_OK)
		return rc;
	rc = cg_store_new_token(reg->st, ctx, cop_code, user, expires, token);
	(void)snprintf(detail, sizeof(detail), "%s %s", cop_code != NULL ? "enterprise" : "user",
		       cop_code != NULL ? cop_code : user != NULL ? user : "");
	rc = operator_end(reg, ctx, rc, "issue token", detail);
	if (rc != CG_OK) {
		cg_free(*token);
		*token = NULL;
	}
	return rc;
}

void
cg_registry_set_actor(cg_registry *reg, const char *actor)
{
	(void)snprintf(reg->actor, sizeof(reg->actor), "%s", actor != NULL && *actor != '\0' ? actor : "operator");
}

cg_rc
cg_registry_list(cg_registry *reg, cg_ctx *ctx, const char *what, char **json)
{
	*json = NULL;
	return registry_list(reg->st, ctx, what, json);
}

cg_rc
cg_registry_revoke_token(cg_registry *reg, cg_ctx *ctx, const char *which, char **json)
{
	return cg__access_revoke_token(reg->st, ctx, reg->actor, which, json);
}

cg_rc
cg_registry_set_disabled(cg_registry *reg, cg_ctx *ctx, const char *what, const char *key,
			 bool disabled, char **json)
{
	return cg__access_set_disabled(reg->st, ctx, reg->actor, what, key, disabled, json);
}

cg_rc
cg_registry_revoke_certificate(cg_registry *reg, cg_ctx *ctx, const char *cop_code,
			       const char *serial, char **json)
{
	return cg__access_revoke_cert(reg->st, ctx, reg->actor, cop_code, serial, json);
}
