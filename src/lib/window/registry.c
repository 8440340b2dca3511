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

/* Statement slots 64-79 of cg__store_stmt() belong to this file. */
enum { G_ENTERPRISES = 64, G_CERTS, G_USERS };

static const char *const sql[] = {
	[G_ENTERPRISES - 64] = "SELECT id, cop_code, name, roles, dxp_id, created FROM enterprise"
			       " ORDER BY cop_code LIMIT 10000",
	[G_CERTS - 64] = "SELECT serial, not_after, created FROM certificate WHERE enterprise_id = ?1"
			 " ORDER BY id",
	[G_USERS - 64] = "SELECT u.name, u.role, e.cop_code, u.created FROM user u"
			 " LEFT JOIN enterprise e ON e.id = u.enterprise_id ORDER BY u.name LIMIT 10000",
};

static sqlite3_stmt *
q(cg_store *st, int slot)
{
	return cg__store_stmt(st, slot, sql[slot - 64]);
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

static const char *
text(sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	return t != NULL ? (const char *)t : NULL;
}

static json_t *
certificates(cg_store *st, long long eid)
{
	sqlite3_stmt *s = q(st, G_CERTS);
	json_t *arr = json_array();

	if (s == NULL || arr == NULL || sqlite3_bind_int64(s, 1, eid) != SQLITE_OK) {
		json_decref(arr);
		return NULL;
	}
	while (sqlite3_step(s) == SQLITE_ROW) {
		json_t *c = json_pack("{s:s, s:I, s:I}", "serial", text(s, 0), "notAfter",
				      (json_int_t)sqlite3_column_int64(s, 1), "registered",
				      (json_int_t)sqlite3_column_int64(s, 2));

		if (c == NULL || json_array_append_new(arr, c) != 0) {
			json_decref(arr);
			sqlite3_reset(s);
			return NULL;
		}
	}
	sqlite3_reset(s);
	return arr;
}

static cg_rc
list_enterprises(cg_store *st, json_t *arr)
{
	sqlite3_stmt *s = q(st, G_ENTERPRISES);
	json_t *rows = json_array();
	size_t i;
	int r;

	if (s == NULL || rows == NULL) {
		json_decref(rows);
		return CG_EDB;
	}
	/* Read the rows first: the certificate query must not run inside this one's step. */
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *e = json_pack("{s:I, s:s, s:s, s:s, s:s?, s:I}", "id",
				      (json_int_t)sqlite3_column_int64(s, 0), "copCode", text(s, 1), "name",
				      text(s, 2), "roles", text(s, 3), "dxpId", text(s, 4), "registered",
				      (json_int_t)sqlite3_column_int64(s, 5));

		if (e == NULL || json_array_append_new(rows, e) != 0) {
			r = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_reset(s);
	for (i = 0; r == SQLITE_DONE && i < json_array_size(rows); i++) {
		json_t *e = json_array_get(rows, i);
		json_t *certs = certificates(st, json_integer_value(json_object_get(e, "id")));

		if (certs == NULL || json_object_set_new(e, "certificates", certs) != 0 ||
		    json_object_del(e, "id") != 0)
			r = SQLITE_NOMEM;
	}
	if (r == SQLITE_DONE)
		(void)json_array_extend(arr, rows);
	json_decref(rows);
	return r == SQLITE_DONE ? CG_OK : CG_EDB;
}

static cg_rc
list_users(cg_store *st, json_t *arr)
{
	sqlite3_stmt *s = q(st, G_USERS);
	int r = SQLITE_ERROR;

	while (s != NULL && (r = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *u = json_pack("{s:s, s:s, s:s?, s:I}", "name", text(s, 0), "role", text(s, 1),
				      "enterprise", text(s, 2), "registered",
				      (json_int_t)sqlite3_column_int64(s, 3));

		if (u == NULL || json_array_append_new(arr, u) != 0) {
			r = SQLITE_NOMEM;
			break;
		}
	}
	if (s != NULL)
		sqlite3_reset(s);
	return r == SQLITE_DONE ? CG_OK : CG_EDB;
}

cg_rc
cg_service_registry_list(cg_service *svc, cg_ctx *ctx, const cg_principal *who, const char *what,
			 char **json)
{
	cg_store *st = cg__service_store(svc);
	json_t *arr;
	cg_rc rc;

	if (who->role != CG_ROLE_ADMIN)
		return cg__fail(ctx, CG_EPERM, "only an admin may read the registry");
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
		return cg__fail(ctx, rc, "registry: %s", cg__store_errmsg(st));
	}
	return cg__json_answer(json_pack("{s:o, s:I}", what, arr, "count", (json_int_t)json_array_size(arr)), json);
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
	const char *ent = field(b, "enterprise"), *user = field(b, "user");
	char *token = NULL, detail[200];
	json_t *answer;
	cg_rc rc;

	if ((ent == NULL) == (user == NULL))
		return cg__fail(ctx, CG_EINVAL, "a token is for {\"enterprise\"} or for {\"user\"}");
	rc = cg_store_new_token(st, ctx, ent, user, &token);
	if (rc != CG_OK)
		return store_answer(rc, ctx);
	(void)snprintf(detail, sizeof(detail), "%s %s", ent != NULL ? "enterprise" : "user",
		       ent != NULL ? ent : user);
	/* Shown this once: only its hash is kept. */
	answer = json_pack("{s:s, s:s}", ent != NULL ? "enterprise" : "user", ent != NULL ? ent : user,
			   "token", token);
	cg_free(token);
	return registered(st, ctx, who, "issue token", detail, answer, json);
}

/* Commit what was registered, roll back anything else. */
static cg_rc
finish(cg_store *st, cg_ctx *ctx, cg_rc rc, char **json)
{
	if (rc == CG_OK) {
		rc = cg__store_tx(st, ctx, CG_TX_COMMIT);
		if (rc == CG_OK)
			return CG_OK;
	}
	(void)cg__store_tx(st, NULL, CG_TX_ROLLBACK);
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
	rc = cg__store_tx(st, ctx, CG_TX_BEGIN);
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
	rc = cg__store_tx(st, ctx, CG_TX_BEGIN);
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

/* The operator's registry: the store's own registration, behind the public API. */
struct cg_registry {
	cg_store *st;
};

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
cg_registry_add_enterprise(cg_registry *reg, cg_ctx *ctx, const char *cop_code, const char *name,
			   const char *roles, const char *dxp_id)
{
	return cg_store_add_enterprise(reg->st, ctx, cop_code, name, roles, dxp_id);
}

cg_rc
cg_registry_add_certificate(cg_registry *reg, cg_ctx *ctx, const char *cop_code, const char *cert_path)
{
	return cg_store_add_certificate(reg->st, ctx, cop_code, cert_path);
}

cg_rc
cg_registry_add_user(cg_registry *reg, cg_ctx *ctx, const char *name, const char *role,
		     const char *cop_code, const char *password)
{
	return cg_store_add_user(reg->st, ctx, name, role, cop_code, password);
}

cg_rc
cg_registry_new_token(cg_registry *reg, cg_ctx *ctx, const char *cop_code, const char *user,
		      char **token)
{
	return cg_store_new_token(reg->st, ctx, cop_code, user, token);
}
