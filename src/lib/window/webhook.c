/* SPDX-License-Identifier: MIT */
/*
 * Pushed receipts, the registry side (webhook.h): endpoints registered,
 * listed, removed and re-sent, and their deliveries shown, for the API and
 * the operator alike. Deliveries themselves are webhook_send.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include <jansson.h>
#include <openssl/rand.h>
#include "cebgate/webhook.h"
#include "window/service_internal.h"

#define URL_MAX 2000

enum { W_COUNT, W_ADD, W_LAST, W_LIST, W_GET, W_REMOVE, W_RESEND, W_DELIVERIES };

/* Column names are the JSON keys (cg_db_rows_json). */
static const char *const sql[] = {
	[W_COUNT] = "SELECT count(*) FROM webhook WHERE enterprise_id = $1 AND state <> 'removed'",
	[W_ADD] = "INSERT INTO webhook(enterprise_id, url, secret, feed_pos, state, created)"
		  " VALUES($1, $2, $3, $4, 'active', $5)",
	[W_LAST] = "SELECT max(seq) FROM receipt WHERE enterprise_id = $1",
	[W_LIST] = "SELECT w.id, e.cop_code AS enterprise, w.url, w.state, w.feed_pos AS position,"
		   " (SELECT count(*) FROM receipt r WHERE r.enterprise_id = w.enterprise_id"
		   " AND r.seq > w.feed_pos) AS pending, w.attempts, w.next_at AS \"nextAttemptMs\","
		   " w.delivered, w.last_error AS \"lastError\", w.created"
		   " FROM webhook w JOIN enterprise e ON e.id = w.enterprise_id"
		   " WHERE w.state <> 'removed' AND (CAST($1 AS BIGINT) = 0 OR w.enterprise_id = $1)"
		   " ORDER BY w.id LIMIT 1000",
	[W_GET] = "SELECT enterprise_id, state, feed_pos FROM webhook WHERE id = $1",
	[W_REMOVE] = "UPDATE webhook SET state = 'removed' WHERE id = $1",
	[W_RESEND] = "UPDATE webhook SET state = 'active', attempts = 0, next_at = 0, feed_pos = $2,"
		     " last_error = NULL WHERE id = $1",
	[W_DELIVERIES] = "SELECT receipt_id AS cursor, attempt, at, status, outcome, error"
			 " FROM webhook_delivery WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2",
};
CG_DB_MODULE(webhook_sql, "webhook", sql);

/* Who asks: the audit trail's name, and the enterprise they are limited to (0: any). */
struct hook_caller {
	const char *actor;
	long long eid;
};

static cg_db_stmt *
q(cg_store *st, int id)
{
	return cg_db_prepared(cg__store_db(st), &webhook_sql, id);
}

static cg_rc
fail_db(cg_store *st, cg_ctx *ctx)
{
	return cg_db_fail(cg__store_db(st), ctx, "webhooks");
}

/* One integer of a one-row query (0 for NULL or no row). */
static cg_rc
scalar(cg_store *st, cg_ctx *ctx, cg_db_stmt *s, long long *out)
{
	int r = s != NULL ? cg_db_step(s) : CG_EDB;

	*out = r == CG_DB_ROW && !cg_db_column_is_null(s, 0) ? cg_db_column_int64(s, 0) : 0;
	if (s != NULL)
		cg_db_reset(s);
	return r == CG_DB_ROW || r == CG_DB_DONE ? CG_OK : fail_db(st, ctx);
}

/* An https URL with a host, of bounded length: nothing else is ever contacted. */
static cg_rc
check_url(cg_ctx *ctx, const char *url)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL;
	bool ok;

	if (url == NULL || strlen(url) > URL_MAX)
		return cg__fail(ctx, CG_EINVAL, "\"url\" is an https URL of at most %d characters", URL_MAX);
	u = curl_url();
	if (u == NULL)
		return CG_ENOMEM;
	ok = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	     curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	     curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && strcmp(scheme, "https") == 0 &&
	     host[0] != '\0';
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok ? CG_OK : cg__fail(ctx, CG_EINVAL, "\"url\" must be an https:// URL with a host");
}

/* "whsec_" and 48 hexadecimal digits from the system's random source. */
static cg_rc
new_secret(cg_ctx *ctx, char out[64])
{
	unsigned char raw[24];
	size_t i;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return cg__fail(ctx, CG_EINTERNAL, "no random bytes for the secret");
	memcpy(out, "whsec_", 6);
	for (i = 0; i < sizeof(raw); i++)
		(void)snprintf(out + 6 + 2 * i, 3, "%02x", raw[i]);
	return CG_OK;
}

/* Insert the endpoint of enterprise @p eid; *id its id. @p after < 0: from the feed's end. */
static cg_rc
insert(cg_store *st, cg_ctx *ctx, long long eid, const char *url, long long after,
       const char *secret, long long *id)
{
	cg_db_stmt *s = q(st, W_COUNT);
	long long n = 0;
	cg_rc rc;

	rc = s != NULL && cg_db_bind_int64(s, 1, eid) == CG_OK ? scalar(st, ctx, s, &n) : fail_db(st, ctx);
	if (rc == CG_OK && n >= CG_WEBHOOKS_PER_ENTERPRISE)
		rc = cg__fail(ctx, CG_ECONFLICT, "an enterprise has at most %d endpoints",
			      CG_WEBHOOKS_PER_ENTERPRISE);
	if (rc == CG_OK && after < 0) {
		s = q(st, W_LAST);
		rc = s != NULL && cg_db_bind_int64(s, 1, eid) == CG_OK ? scalar(st, ctx, s, &after)
								 : fail_db(st, ctx);
	}
	if (rc != CG_OK)
		return rc;
	s = q(st, W_ADD);
	if (s == NULL || cg_db_bind_int64(s, 1, eid) != CG_OK || cg_db_bind_text(s, 2, url) != CG_OK ||
	    cg_db_bind_text(s, 3, secret) != CG_OK || cg_db_bind_int64(s, 4, after) != CG_OK ||
	    cg_db_bind_int64(s, 5, (long long)time(NULL)) != CG_OK)
		return fail_db(st, ctx);
	rc = cg_db_run(cg__store_db(st), ctx, s, "register endpoint");
	*id = cg_db_last_id(cg__store_db(st));
	return rc;
}

/* The change, its audit record and the commit together; @p answer consumed. */
static cg_rc
audited(cg_store *st, cg_ctx *ctx, cg_rc rc, const struct hook_caller *c, const char *action,
	const char *detail, json_t *answer, char **json)
{
	if (rc == CG_OK)
		rc = cg__audit(st, ctx, c->actor, action, 0, detail);
	if (rc == CG_OK && answer == NULL)
		rc = CG_ENOMEM;
	if (rc == CG_OK)
		rc = cg_db_commit(cg__store_db(st), ctx);
	if (rc != CG_OK) {
		cg_db_rollback(cg__store_db(st));
		json_decref(answer);
		return rc;
	}
	return cg__json_answer(answer, json);
}

static cg_rc
hook_add(cg_store *st, cg_ctx *ctx, const struct hook_caller *c, const char *code, const char *url,
	 long long after, char **json)
{
	char secret[64], detail[160];
	long long eid = c->eid, id = 0;
	cg_rc rc = check_url(ctx, url);

	if (rc == CG_OK && eid == 0 && code == NULL)
		rc = cg__fail(ctx, CG_EINVAL, "name the enterprise: {\"enterprise\": copCode}");
	if (rc == CG_OK)
		rc = new_secret(ctx, secret);
	if (rc == CG_OK)
		rc = cg_db_begin(cg__store_db(st), ctx);
	if (rc != CG_OK)
		return rc;
	if (eid == 0)
		rc = cg__store_enterprise(st, ctx, code, &eid);
	if (rc == CG_OK)
		rc = insert(st, ctx, eid, url, after, secret, &id);
	(void)snprintf(detail, sizeof(detail), "endpoint %lld of enterprise %lld", id, eid);
	/* The secret is shown this once; the audit trail names the endpoint only. */
	return audited(st, ctx, rc, c, "register webhook", detail,
		       json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)id, "url", url, "secret", secret,
				 "state", "active"),
		       json);
}

static cg_rc
hook_list(cg_store *st, cg_ctx *ctx, const struct hook_caller *c, char **json)
{
	cg_db_stmt *s = q(st, W_LIST);
	json_t *rows;

	if (s == NULL || cg_db_bind_int64(s, 1, c->eid) != CG_OK)
		return fail_db(st, ctx);
	rows = cg_db_rows_json(s, 0, 0);
	if (rows == NULL)
		return fail_db(st, ctx);
	cg__json_times(rows);
	return cg__json_answer(json_pack("{s:o, s:I}", "webhooks", rows, "count",
					 (json_int_t)json_array_size(rows)), json);
}

/* Endpoint @p id as the caller may see it: another enterprise's is not found. */
static cg_rc
hook_get(cg_store *st, cg_ctx *ctx, const struct hook_caller *c, long long id, long long *pos)
{
	cg_db_stmt *s = q(st, W_GET);
	long long eid = 0;
	bool removed = false;
	int r;

	if (s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK)
		return fail_db(st, ctx);
	r = cg_db_step(s);
	if (r == CG_DB_ROW) {
		eid = cg_db_column_int64(s, 0);
		removed = strcmp(cg_db_column_text(s, 1), "removed") == 0;
		*pos = cg_db_column_int64(s, 2);
	}
	cg_db_reset(s);
	if (r != CG_DB_ROW && r != CG_DB_DONE)
		return fail_db(st, ctx);
	if (r == CG_DB_DONE || removed || (c->eid != 0 && c->eid != eid))
		return cg__fail(ctx, CG_ENOTFOUND, "no such endpoint");
	return CG_OK;
}

/* Remove (@p from < 0) or re-send from cursor @p from (0: from where it stopped). */
static cg_rc
hook_change(cg_store *st, cg_ctx *ctx, const struct hook_caller *c, long long id, long long from,
	    char **json)
{
	long long pos = 0;
	char detail[96];
	cg_db_stmt *s;
	cg_rc rc = cg_db_begin(cg__store_db(st), ctx);

	if (rc != CG_OK)
		return rc;
	rc = hook_get(st, ctx, c, id, &pos);
	if (rc == CG_OK && from > 0)
		pos = from - 1;
	s = q(st, from < 0 ? W_REMOVE : W_RESEND);
	if (rc == CG_OK && (s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK ||
			    (from >= 0 && cg_db_bind_int64(s, 2, pos) != CG_OK)))
		rc = fail_db(st, ctx);
	if (rc == CG_OK)
		rc = cg_db_run(cg__store_db(st), ctx, s, "webhook");
	(void)snprintf(detail, sizeof(detail), "endpoint %lld%s", id, from < 0 ? "" : " from its position");
	return audited(st, ctx, rc, c, from < 0 ? "remove webhook" : "resend webhook", detail,
		       json_pack("{s:I, s:s, s:I}", "id", (json_int_t)id, "state",
				 from < 0 ? "removed" : "active", "position", (json_int_t)pos),
		       json);
}

static cg_rc
hook_deliveries(cg_store *st, cg_ctx *ctx, const struct hook_caller *c, long long id, int limit,
		char **json)
{
	long long pos = 0;
	cg_db_stmt *s;
	json_t *rows;
	cg_rc rc = hook_get(st, ctx, c, id, &pos);

	if (rc != CG_OK)
		return rc;
	s = q(st, W_DELIVERIES);
	if (s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK ||
	    cg_db_bind_int64(s, 2, limit > 0 && limit <= 1000 ? limit : 100) != CG_OK)
		return fail_db(st, ctx);
	rows = cg_db_rows_json(s, 0, 0);
	if (rows == NULL)
		return fail_db(st, ctx);
	cg__json_times(rows);
	return cg__json_answer(json_pack("{s:I, s:I, s:o}", "id", (json_int_t)id, "position",
					 (json_int_t)pos, "deliveries", rows),
			       json);
}

/* ---- over the API ------------------------------------------------------------------ */

/* The caller's scope; CG_EPERM for officers, and for staff without an enterprise. */
static cg_rc
caller(cg_ctx *ctx, const cg_principal *who, bool change, struct hook_caller *c)
{
	c->actor = who->name;
	c->eid = who->enterprise_id;
	if (who->role == CG_ROLE_ADMIN) {
		c->eid = 0;
		return CG_OK;
	}
	if (who->enterprise_id == 0 || (change && who->role != CG_ROLE_ENTERPRISE))
		return cg__fail(ctx, CG_EPERM, change ? "only the enterprise's API token or an admin may"
							" register or remove endpoints"
						      : "only an enterprise's own people see its endpoints");
	return CG_OK;
}

static json_t *
body_object(cg_ctx *ctx, const char *body, size_t len, bool empty_ok)
{
	json_t *b;

	if (empty_ok && (body == NULL || len == 0))
		return json_object();
	b = json_loadb(body != NULL ? body : "", len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(b)) {
		json_decref(b);
		(void)cg__fail(ctx, CG_EINVAL, "the body is one JSON object");
		return NULL;
	}
	return b;
}

/* A whole number at @p key, or @p dflt when absent; -2 when it is not one. */
static long long
whole(json_t *b, const char *key, long long dflt)
{
	json_t *v = json_object_get(b, key);

	if (v == NULL)
		return dflt;
	return json_is_integer(v) && json_integer_value(v) >= 0 ? json_integer_value(v) : -2;
}

cg_rc
cg_service_webhook_add(cg_service *svc, cg_ctx *ctx, const cg_principal *who, const char *body,
		       size_t len, char **json)
{
	struct hook_caller c;
	const char *code;
	long long after;
	json_t *b;
	cg_rc rc = caller(ctx, who, true, &c);

	*json = NULL;
	if (rc != CG_OK)
		return rc;
	b = body_object(ctx, body, len, false);
	if (b == NULL)
		return CG_EINVAL;
	code = json_string_value(json_object_get(b, "enterprise"));
	after = whole(b, "after", -1);
	if (after == -2 || (c.eid != 0 && code != NULL && strcmp(code, who->cop_code) != 0))
		rc = cg__fail(ctx, CG_EINVAL, after == -2 ? "\"after\" is a receipt cursor (0 or more)"
							  : "an enterprise registers its own endpoints");
	else
		rc = hook_add(cg__service_store(svc), ctx, &c, code, json_string_value(json_object_get(b, "url")),
			      after, json);
	json_decref(b);
	return rc;
}

cg_rc
cg_service_webhook_list(cg_service *svc, cg_ctx *ctx, const cg_principal *who, char **json)
{
	struct hook_caller c;
	cg_rc rc = caller(ctx, who, false, &c);

	*json = NULL;
	return rc == CG_OK ? hook_list(cg__service_store(svc), ctx, &c, json) : rc;
}

cg_rc
cg_service_webhook_remove(cg_service *svc, cg_ctx *ctx, const cg_principal *who, long long id,
			  char **json)
{
	struct hook_caller c;
	cg_rc rc = caller(ctx, who, true, &c);

	*json = NULL;
	return rc == CG_OK ? hook_change(cg__service_store(svc), ctx, &c, id, -1, json) : rc;
}

cg_rc
cg_service_webhook_resend(cg_service *svc, cg_ctx *ctx, const cg_principal *who, long long id,
			  const char *body, size_t len, char **json)
{
	struct hook_caller c;
	long long from;
	json_t *b;
	cg_rc rc = caller(ctx, who, false, &c);

	*json = NULL;
	if (rc != CG_OK)
		return rc;
	b = body_object(ctx, body, len, true);
	if (b == NULL)
		return CG_EINVAL;
	from = whole(b, "from", 0);
	json_decref(b);
	if (from < 0)
		return cg__fail(ctx, CG_EINVAL, "\"from\" is a receipt cursor (1 or more)");
	return hook_change(cg__service_store(svc), ctx, &c, id, from, json);
}

cg_rc
cg_service_webhook_deliveries(cg_service *svc, cg_ctx *ctx, const cg_principal *who, long long id,
			      int limit, char **json)
{
	struct hook_caller c;
	cg_rc rc = caller(ctx, who, false, &c);

	*json = NULL;
	return rc == CG_OK ? hook_deliveries(cg__service_store(svc), ctx, &c, id, limit, json) : rc;
}

/* ---- for the operator -------------------------------------------------------------- */

static struct hook_caller
operator(cg_registry *reg)
{
	struct hook_caller c = { cg__registry_actor(reg), 0 };

	return c;
}

cg_rc
cg_registry_webhook_add(cg_registry *reg, cg_ctx *ctx, const char *cop_code, const char *url,
			long long after, char **json)
{
	struct hook_caller c = operator(reg);

	*json = NULL;
	return hook_add(cg__registry_store(reg), ctx, &c, cop_code, url, after, json);
}

cg_rc
cg_registry_webhook_list(cg_registry *reg, cg_ctx *ctx, char **json)
{
	struct hook_caller c = operator(reg);

	*json = NULL;
	return hook_list(cg__registry_store(reg), ctx, &c, json);
}

cg_rc
cg_registry_webhook_remove(cg_registry *reg, cg_ctx *ctx, long long id, char **json)
{
	struct hook_caller c = operator(reg);

	*json = NULL;
	return hook_change(cg__registry_store(reg), ctx, &c, id, -1, json);
}

cg_rc
cg_registry_webhook_resend(cg_registry *reg, cg_ctx *ctx, long long id, long long from, char **json)
{
	struct hook_caller c = operator(reg);

	*json = NULL;
	return hook_change(cg__registry_store(reg), ctx, &c, id, from > 0 ? from : 0, json);
}

cg_rc
cg_registry_webhook_deliveries(cg_registry *reg, cg_ctx *ctx, long long id, int limit, char **json)
{
	struct hook_caller c = operator(reg);

	*json = NULL;
	return hook_deliveries(cg__registry_store(reg), ctx, &c, id, limit, json);
}
