/* SPDX-License-Identifier: MIT */
/*
 * The officer's side of the single window: the review queue (list, claim
 * with an expiring lease, decide with a mandatory reason), the declaration
 * detail an officer decides on, and logistics status for waybills. Every
 * action is audited; every refusal is a status code the HTTP layer passes on.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "cebgate/review.h"
#include "cebgate/status.h"
#include "ceb/schema.h"
#include "util/decimal.h"
#include "window/desk_internal.h"
#include "window/service_internal.h"

/* This file's statements, cached on the store's connection (db.h). */
enum { R_LIST, R_CLAIM, R_GET, R_DECIDED, R_DOC, R_RELATED, R_AUDIT, R_RCPTS, R_WAYBILL,
       R_GAUGES, R_WAYBILL_X, R_RELATED_X, R_PARCEL };

/* json_extract, instr and hex are SQLite's: PostgreSQL's variants below. */
static const char *const sql[] = {
	[R_LIST] = "SELECT r.document_id, r.reason, r.priority, r.state, r.created, r.lease_until,"
			" u.name, d.data FROM review r JOIN document d ON d.id = r.document_id"
			" LEFT JOIN \"user\" u ON u.id = r.claimed_by"
			" WHERE (r.state = $1 OR ($1 = 'queued' AND r.state = 'claimed' AND r.lease_until < $2))"
			" AND ($3 IS NULL OR instr(r.reason, $3) > 0)"
			" AND ($4 IS NULL OR json_extract(d.data, '$.h.ebcCode') = $4"
			"      OR json_extract(d.data, '$.h.agentCode') = $4)"
			" AND ($5 IS NULL OR json_extract(d.data, '$.h.tradeMode') = $5)"
			" AND ($6 IS NULL OR r.created <= $6)"
			" ORDER BY r.priority DESC, r.created, r.document_id LIMIT 500",
	/* The lease is taken only when free or expired (or already ours): atomic. */
	[R_CLAIM] = "UPDATE review SET state = 'claimed', claimed_by = $2, lease_until = $3"
			 " WHERE document_id = $1 AND state IN ('queued', 'claimed')"
			 " AND (claimed_by IS NULL OR claimed_by = $2 OR lease_until < $4)",
	[R_GET] = "SELECT state, claimed_by, lease_until FROM review WHERE document_id = $1",
	[R_DECIDED] = "UPDATE review SET state = 'decided', decision = $2, decision_reason = $3,"
			   " decided_by = $4, decided_at = $5 WHERE document_id = $1",
	[R_DOC] = "SELECT kind, state, reason, data, order_key, waybill_key FROM document WHERE id = $1",
	[R_RELATED] = "SELECT kind, state, data FROM document WHERE state <> 'deleted' AND"
			   " ((kind IN (311, 411) AND order_key = $1) OR (kind = 511 AND waybill_key = $2))",
	/* Column names are the JSON keys (cg_db_rows_json); hex() is SQLite's (encode(hash, 'hex')). */
	[R_AUDIT] = "SELECT at, actor, action, detail, hex(hash) AS hash FROM audit"
		    " WHERE document_id = $1 ORDER BY id",
	[R_RCPTS] = "SELECT seq AS cursor, return_status AS \"returnStatus\", created, xml FROM receipt"
		    " WHERE document_id = $1 ORDER BY id",
	[R_WAYBILL] = "SELECT d.state, d.data, b.id, EXISTS (SELECT 1 FROM document x WHERE"
			   " x.kind = 513 AND x.key1 = $2 AND x.key2 = $3 AND x.state <> 'deleted')"
			   " FROM document b LEFT JOIN document d"
			   " ON d.kind = 621 AND d.waybill_key = b.waybill_key AND d.state <> 'deleted'"
			   " WHERE b.kind = 511 AND b.waybill_key = $1 ORDER BY d.id DESC LIMIT 1",
	/* An export waybill: its inventory's state and whether the site reported its arrival (507). */
	[R_WAYBILL_X] = "SELECT d.state, EXISTS (SELECT 1 FROM parcel_event e WHERE e.waybill_key = $1"
			" AND e.kind = 507) FROM document b LEFT JOIN document d"
			" ON d.kind = 603 AND d.waybill_key = b.waybill_key AND d.state <> 'deleted'"
			" WHERE b.kind = 505 AND b.waybill_key = $1 ORDER BY d.id DESC LIMIT 1",
	[R_RELATED_X] = "SELECT kind, state, data FROM document WHERE state <> 'deleted' AND"
			" ((kind = 303 AND order_key = $1) OR (kind = 505 AND waybill_key = $2)"
			" OR (kind = 403 AND order_key = $3))",
	/* What the site and the carrier said of an export parcel: 607, 507, 509, latest last. */
	[R_PARCEL] = "SELECT e.kind, d.data FROM parcel_event e JOIN document d ON d.id = e.document_id"
		     " WHERE e.waybill_key = $1 AND d.state <> 'deleted' ORDER BY e.id",
	[R_GAUGES] = "SELECT (SELECT count(*) FROM review WHERE state <> 'decided'),"
			  " (SELECT count(*) FROM document WHERE kind = 621 AND state IN ('declared', 'waiting')),"
			  " (SELECT min(created) FROM review WHERE state <> 'decided'),"
			  /* An export inventory waits for its documents in 'declared' (docs/export.md). */
			  " (SELECT count(*) FROM document WHERE kind = 603 AND state = 'declared')",
};
/* PostgreSQL types a parameter at its first use: `$3 IS NULL` says nothing, the CAST does. */
static const char *const pg_sql[sizeof(sql) / sizeof(sql[0])] = {
	[R_LIST] = "SELECT r.document_id, r.reason, r.priority, r.state, r.created, r.lease_until,"
			" u.name, d.data FROM review r JOIN document d ON d.id = r.document_id"
			" LEFT JOIN \"user\" u ON u.id = r.claimed_by"
			" WHERE (r.state = $1 OR ($1 = 'queued' AND r.state = 'claimed' AND r.lease_until < $2))"
			" AND (CAST($3 AS TEXT) IS NULL OR strpos(r.reason, $3) > 0)"
			" AND (CAST($4 AS TEXT) IS NULL OR d.data::jsonb #>> '{h,ebcCode}' = $4"
			"      OR d.data::jsonb #>> '{h,agentCode}' = $4)"
			" AND (CAST($5 AS TEXT) IS NULL OR d.data::jsonb #>> '{h,tradeMode}' = $5)"
			" AND (CAST($6 AS BIGINT) IS NULL OR r.created <= $6)"
			" ORDER BY r.priority DESC, r.created, r.document_id LIMIT 500",
	[R_AUDIT] = "SELECT at, actor, action, detail, upper(encode(hash, 'hex')) AS hash FROM audit"
		    " WHERE document_id = $1 ORDER BY id",
	/*
	 * Several nodes: the row is taken with SKIP LOCKED, so of two officers
	 * claiming at once the second finds nothing to claim (409) instead of
	 * waiting; the lease (lease_until) lets any node give it to another
	 * officer once it runs out. No transaction stays open while he reads.
	 */
	[R_CLAIM] = "UPDATE review SET state = 'claimed', claimed_by = $2, lease_until = $3"
		    " WHERE document_id = (SELECT document_id FROM review WHERE document_id = $1"
		    " AND state IN ('queued', 'claimed')"
		    " AND (claimed_by IS NULL OR claimed_by = $2 OR lease_until < $4) FOR UPDATE SKIP LOCKED)",
	/* The claim row stays ours to the decision's commit: a new claim after the lease waits for it. */
	[R_GET] = "SELECT state, claimed_by, lease_until FROM review WHERE document_id = $1 FOR UPDATE",
};
CG_DB_MODULE_PG(review_sql, "review", sql, pg_sql);

static cg_db_stmt *
q(cg_store *st, int id)
{
	return cg_db_prepared(cg__store_db(st), &review_sql, id);
}

static json_t *
text_json(cg_db_stmt *s, int col)
{
	const char *t = cg_db_column_text(s, col);

	return t != NULL ? json_loads((const char *)t, 0, NULL) : json_null();
}

/* The declared value of an inventory: its lines' totalPrice summed ("" when one is unreadable). */
static json_t *
declared_value(json_t *data)
{
	json_t *l;
	cg_dec sum = 0, v;
	char buf[64];
	size_t i;

	json_array_foreach(json_object_get(data, "l"), i, l)
	{
		const char *t = json_string_value(json_object_get(l, "totalPrice"));

		if (t == NULL || !cg__dec_parse(t, &v))
			return json_string("");
		sum += v;
	}
	cg__dec_format(sum, buf, sizeof(buf));
	return json_string(buf);
}

/*
 * An export inventory's own fields in its queue item (ceb-export-spec.md §3.6):
 * statistics flag, destination country, port of exit, weights and package count.
 */
static void
export_fields(json_t *o, json_t *h)
{
	static const char *const keys[] = { "ieFlag", "statisticsFlag", "country", "portCode",
					    "grossWeight", "netWeight", "packNo" };
	size_t i;

	(void)json_object_set_new(o, "export", json_true());
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(h, keys[i]);

		if (json_is_string(v))
			(void)json_object_set(o, keys[i], v);
	}
}

static json_t *
queue_item(cg_db_stmt *s, long long now)
{
	json_t *data = text_json(s, 7), *h = json_object_get(data, "h"), *o;
	long long created = cg_db_column_int64(s, 4);

	o = json_pack("{s:I, s:s, s:i, s:s, s:I, s:I, s:s?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:o}",
		      "id", (json_int_t)cg_db_column_int64(s, 0), "reason",
		      cg_db_column_text(s, 1), "priority", cg_db_column_int(s, 2),
		      "state", cg_db_column_text(s, 3), "created", (json_int_t)created,
		      "age", (json_int_t)(now - created), "claimedBy",
		      cg_db_column_text(s, 6), "copNo", json_object_get(h, "copNo"),
		      "ebcCode", json_object_get(h, "ebcCode"), "ebcName", json_object_get(h, "ebcName"),
		      "tradeMode", json_object_get(h, "tradeMode"), "orderNo",
		      json_object_get(h, "orderNo"), "currency", json_object_get(h, "currency"),
		      "value", declared_value(data));
	if (o != NULL && !cg_db_column_is_null(s, 5))
		(void)json_object_set_new(o, "leaseUntil", json_integer(cg_db_column_int64(s, 5)));
	if (o != NULL && json_is_string(json_object_get(h, "statisticsFlag")))
		export_fields(o, h);
	json_decref(data);
	return o;
}

/* How many items carry each risk reason (a held item may have several). */
static void
count_reasons(json_t *by, const char *reason)
{
	char one[64];

	while (reason != NULL && *reason != '\0') {
		size_t n = strcspn(reason, "\xef");

		if (n > 0 && n < sizeof(one)) {
			memcpy(one, reason, n);
			one[n] = '\0';
			(void)json_object_set_new(by, one, json_integer(json_integer_value(json_object_get(by, one)) + 1));
		}
		reason += n;
		/* The reasons are joined by the full-width semicolon (three bytes). */
		reason += strncmp(reason, "\xef\xbc\x9b", 3) == 0 ? 3 : (*reason != '\0');
	}
}

static bool
bind_filter(cg_db_stmt *s, const cg_review_filter *f, long long now)
{
	return cg_db_bind_text(s, 1, f->state != NULL ? f->state : "queued") == CG_OK &&
	       cg_db_bind_int64(s, 2, (long long)now) == CG_OK &&
	       (f->reason == NULL || cg_db_bind_text(s, 3, f->reason) == CG_OK) &&
	       (f->enterprise == NULL || cg_db_bind_text(s, 4, f->enterprise) == CG_OK) &&
	       (f->trade_mode == NULL || cg_db_bind_text(s, 5, f->trade_mode) == CG_OK) &&
	       (f->min_age <= 0 || cg_db_bind_int64(s, 6, (long long)(now - f->min_age)) == CG_OK);
}

cg_rc
cg_service_review_query(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
			const cg_review_filter *f, char **json)
{
	cg_store *st = cg__service_store(svc);
	cg_db_stmt *s = q(st, R_LIST);
	json_t *arr = json_array(), *by = json_object();
	long long now = (long long)time(NULL);

	if (!cg__officer(who)) {
		json_decref(arr);
		json_decref(by);
		return cg__fail(ctx, CG_EPERM, "the review queue is for officers");
	}
	if (s == NULL || arr == NULL || by == NULL || !bind_filter(s, f, now)) {
		json_decref(arr);
		json_decref(by);
		return cg__fail(ctx, CG_EDB, "review list: %s", cg_db_errmsg(cg__store_db(st)));
	}
	while (cg_db_step(s) == CG_DB_ROW) {
		json_t *o = queue_item(s, now);

		count_reasons(by, cg_db_column_text(s, 1));
		if (o == NULL || json_array_append_new(arr, o) != 0) {
			cg_db_reset(s);
			json_decref(arr);
			json_decref(by);
			return CG_ENOMEM;
		}
	}
	cg_db_reset(s);
	return cg__json_answer(json_pack("{s:o, s:I, s:o, s:I}", "items", arr, "count",
			      (json_int_t)json_array_size(arr), "byReason", by, "now", (json_int_t)now),
		    json);
}

cg_rc
cg_service_review_list(cg_service *svc, cg_ctx *ctx, const cg_principal *who, const char *state,
		       const char *reason, const char *enterprise, const char *trade_mode,
		       char **json)
{
	cg_review_filter f = { state, reason, enterprise, trade_mode, 0 };

	return cg_service_review_query(svc, ctx, who, &f, json);
}

cg_rc
cg_service_review_claim(cg_service *svc, cg_ctx *ctx, const cg_principal *who, long long doc_id,
			char **json)
{
	cg_store *st = cg__service_store(svc);
	long long now = (long long)time(NULL), until = now + cg__service_cfg(svc)->lease_seconds;
	cg_db_stmt *s;
	char detail[128], when[CG_TIME_ISO_SIZE];
	cg_rc rc;

	if (!cg__officer(who) || who->user_id == 0)
		return cg__fail(ctx, CG_EPERM, "claims are for officers");
	rc = cg_db_begin(cg__store_db(st), ctx);
	if (rc != CG_OK)
		return rc;
	s = q(st, R_CLAIM);
	if (s == NULL || cg_db_bind_int64(s, 1, doc_id) != CG_OK ||
	    cg_db_bind_int64(s, 2, who->user_id) != CG_OK ||
	    cg_db_bind_int64(s, 3, until) != CG_OK || cg_db_bind_int64(s, 4, now) != CG_OK ||
	    cg_db_step(s) != CG_DB_DONE) {
		cg_db_rollback(cg__store_db(st));
		return cg__fail(ctx, CG_EDB, "claim: %s", cg_db_errmsg(cg__store_db(st)));
	}
	if (cg_db_changes(cg__store_db(st)) != 1) {
		cg_db_rollback(cg__store_db(st));
		return cg__fail(ctx, CG_ECONFLICT, "held by another officer, decided, or not in the queue");
	}
	(void)snprintf(detail, sizeof(detail), "lease until %s", cg_time_iso8601(until, when));
	rc = cg__audit(st, ctx, who->name, "claim", doc_id, detail);
	if (rc == CG_OK)
		rc = cg_db_commit(cg__store_db(st), ctx);
	else
		cg_db_rollback(cg__store_db(st));
	return rc == CG_OK ? cg__json_answer(json_pack("{s:I, s:s, s:I}", "id", (json_int_t)doc_id, "state",
					    "claimed", "leaseUntil", (json_int_t)until),
				  json)
			   : rc;
}

static const struct {
	const char *decision, *state, *status, *zh;
} decisions[] = {
	{ "release", "released", "800", "放行" },
	{ "inspect", "inspection", "500", "查验" },
	{ "return", "returned", "100", "退单" },
	{ "detain", "detained", "501", "扣留" },
};

/* The kind of document @p id (621, 603...), 0 when unknown. */
static int
doc_kind(cg_store *st, long long id)
{
	cg_db_stmt *s = q(st, R_DOC);
	int kind = 0;

	if (s != NULL && cg_db_bind_int64(s, 1, id) == CG_OK && cg_db_step(s) == CG_DB_ROW)
		kind = cg_db_column_int(s, 0);
	if (s != NULL)
		cg_db_reset(s);
	return kind;
}

/* An officer's reason, in characters: the standard's free text (returnInfo) is C..1000. */
#define REASON_MAX 1000

/* Not blank, UTF-8 (so at most 4 bytes a character), at most REASON_MAX characters. */
static bool
reason_ok(const char *reason)
{
	size_t len = reason != NULL ? strlen(reason) : 0;

	return len > 0 && strspn(reason, " \t\r\n") < len && cg__utf8_valid(reason, len) &&
	       cg__utf8_len(reason) <= REASON_MAX;
}

cg_rc
cg_service_review_decide(cg_service *svc, cg_ctx *ctx, const cg_principal *who, long long doc_id,
			 const char *decision, const char *reason, char **json)
{
	cg_store *st = cg__service_store(svc);
	long long now = (long long)time(NULL);
	cg_db_stmt *s;
	char info[4 * REASON_MAX + 64]; /* the reason (up to 4 bytes a character) and its prefix */
	const char *state, *status;
	size_t i;
	bool mine;
	cg_rc rc;

	if (!cg__officer(who) || who->user_id == 0)
		return cg__fail(ctx, CG_EPERM, "decisions are for officers");
	for (i = 0; i < sizeof(decisions) / sizeof(decisions[0]); i++) {
		if (decision != NULL && strcmp(decision, decisions[i].decision) == 0)
			break;
	}
	if (i == sizeof(decisions) / sizeof(decisions[0]) || !reason_ok(reason))
		return cg__fail(ctx, CG_EINVAL, "decision is release, inspect, return or detain, with a reason");
	rc = cg_db_begin(cg__store_db(st), ctx);
	if (rc != CG_OK)
		return rc;
	s = q(st, R_GET);
	mine = s != NULL && cg_db_bind_int64(s, 1, doc_id) == CG_OK &&
	       cg_db_step(s) == CG_DB_ROW && strcmp(cg_db_column_text(s, 0), "claimed") == 0 &&
	       cg_db_column_int64(s, 1) == who->user_id && cg_db_column_int64(s, 2) >= now;
	if (s != NULL)
		cg_db_reset(s);
	if (!mine) {
		cg_db_rollback(cg__store_db(st));
		return cg__fail(ctx, CG_ECONFLICT, "claim the declaration first (or the lease expired)");
	}
	(void)snprintf(info, sizeof(info), "%s %s: %s", decisions[i].zh, decisions[i].decision, reason);
	s = q(st, R_DECIDED);
	if (s == NULL || cg_db_bind_int64(s, 1, doc_id) != CG_OK ||
	    cg_db_bind_text(s, 2, decisions[i].decision) != CG_OK ||
	    cg_db_bind_text(s, 3, reason) != CG_OK ||
	    cg_db_bind_int64(s, 4, who->user_id) != CG_OK ||
	    cg_db_bind_int64(s, 5, now) != CG_OK || cg_db_step(s) != CG_DB_DONE)
		rc = cg__fail(ctx, CG_EDB, "decide: %s", cg_db_errmsg(cg__store_db(st)));
	state = decisions[i].state;
	status = decisions[i].status;
	/* An export inventory has its own outcomes (clearance_export.c). */
	if (rc == CG_OK && doc_kind(st, doc_id) == 603)
		rc = cg__export_decide(st, ctx, cg__service_cfg(svc), doc_id, decisions[i].decision, info,
				       who->name, &state, &status);
	else if (rc == CG_OK)
		rc = cg__clearance_decide(st, ctx, cg__validator_codes(svc->v), doc_id, decisions[i].state, decisions[i].status, info,
					  who->name);
	if (rc == CG_OK)
		rc = cg_db_commit(cg__store_db(st), ctx);
	else
		cg_db_rollback(cg__store_db(st));
	return rc == CG_OK ? cg__json_answer(json_pack("{s:I, s:s, s:s}", "id", (json_int_t)doc_id, "state",
					    state, "returnStatus", status),
				  json)
			   : rc;
}

static json_t *
rows(cg_store *st, int qid, long long id)
{
	cg_db_stmt *s = q(st, qid);

	if (s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK)
		return NULL;
	return cg_db_rows_json(s, 0, 0);
}

/* An export parcel's master/house list (607), arrival (507) and departure (509), the latest of each. */
static void
parcel_docs(cg_store *st, json_t *o, const char *waybill_key)
{
	cg_db_stmt *s = q(st, R_PARCEL);

	if (s == NULL || cg_db_bind_text(s, 1, waybill_key) != CG_OK)
		return;
	while (cg_db_step(s) == CG_DB_ROW) {
		int k = cg_db_column_int(s, 0);

		(void)json_object_set_new(o, k == 607 ? "list" : k == 507 ? "arrival" : "departure",
					  text_json(s, 1));
	}
	cg_db_reset(s);
}

json_t *
cg__review_view(cg_store *st, long long doc_id)
{
	static const char *const names[] = { [0] = "order", [1] = "payment", [2] = "waybill" };
	cg_db_stmt *s = q(st, R_DOC), *r;
	json_t *o, *h;
	char ok[160] = "", wk[160] = "", lk[160] = "";
	int kind;

	if (s == NULL || cg_db_bind_int64(s, 1, doc_id) != CG_OK || cg_db_step(s) != CG_DB_ROW ||
	    ((kind = cg_db_column_int(s, 0)) != 621 && kind != 603)) {
		if (s != NULL)
			cg_db_reset(s);
		return NULL;
	}
	o = json_pack("{s:I, s:s, s:s?, s:o}", "id", (json_int_t)doc_id, "state",
		      cg_db_column_text(s, 1), "reason",
		      cg_db_column_text(s, 2), "inventory", text_json(s, 3));
	(void)snprintf(ok, sizeof(ok), "%s", cg_db_column_text(s, 4) ? cg_db_column_text(s, 4) : "");
	(void)snprintf(wk, sizeof(wk), "%s", cg_db_column_text(s, 5) ? cg_db_column_text(s, 5) : "");
	cg_db_reset(s);
	/* An export inventory's receipt of payment is found by ebcCode|orderNo (docs/export.md). */
	h = json_object_get(json_object_get(o, "inventory"), "h");
	if (json_is_string(json_object_get(h, "ebcCode")) && json_is_string(json_object_get(h, "orderNo")))
		(void)snprintf(lk, sizeof(lk), "%s|%s", json_string_value(json_object_get(h, "ebcCode")),
			       json_string_value(json_object_get(h, "orderNo")));
	r = q(st, kind == 603 ? R_RELATED_X : R_RELATED);
	if (o == NULL || r == NULL || cg_db_bind_text(r, 1, ok) != CG_OK ||
	    cg_db_bind_text(r, 2, wk) != CG_OK || (kind == 603 && cg_db_bind_text(r, 3, lk) != CG_OK)) {
		json_decref(o);
		return NULL;
	}
	while (cg_db_step(r) == CG_DB_ROW) {
		int k = cg_db_column_int(r, 0);

		(void)json_object_set_new(o, names[k == 311 || k == 303 ? 0 : k == 411 || k == 403 ? 1 : 2],
					  text_json(r, 2));
	}
	cg_db_reset(r);
	if (kind == 603)
		parcel_docs(st, o, wk);
	(void)json_object_set_new(o, "receipts", rows(st, R_RCPTS, doc_id));
	(void)json_object_set_new(o, "audit", rows(st, R_AUDIT, doc_id));
	return o;
}

/* The state a logistics company sees for an export waybill (docs/export.md). */
static const char *
export_logistics_state(const char *inv_state, bool arrived)
{
	static const struct {
		const char *doc, *shown;
	} map[] = {
		{ "review", "under review" }, { "released", "released" },   { "closed", "departed" },
		{ "summarized", "departed" }, { "returned", "returned" },   { "cancelled", "cancelled" },
		{ "rejected", "rejected" },
	};
	size_t i;

	for (i = 0; inv_state != NULL && i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(map[i].doc, inv_state) == 0)
			return map[i].shown;
	}
	return arrived ? "arrived" : "declared";
}

/* The clearance state a logistics company sees for its waybill. */
static const char *
logistics_state(const char *inv_state, bool waybill)
{
	static const struct {
		const char *doc, *shown;
	} map[] = {
		{ "declared", "declared" },    { "waiting", "declared" },     { "held", "under review" },
		{ "released", "released" },    { "inspection", "inspection" }, { "returned", "returned" },
		{ "detained", "detained" },    { "rejected", "rejected" },
	};
	size_t i;

	if (inv_state == NULL)
		return waybill ? "declared" : "unknown";
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(map[i].doc, inv_state) == 0)
			return map[i].shown;
	}
	return "declared";
}

cg_rc
cg_service_logistics(cg_service *svc, cg_ctx *ctx, const cg_principal *who, const char *keys_json,
		     char **json)
{
	cg_store *st = cg__service_store(svc);
	json_t *keys = json_loads(keys_json, JSON_REJECT_DUPLICATES, NULL), *out = json_array(), *k;
	size_t i;

	(void)ctx;
	if (!json_is_array(keys) || json_array_size(keys) == 0 || json_array_size(keys) > 1000 ||
	    out == NULL) {
		json_decref(keys);
		json_decref(out);
		return cg__fail(ctx, CG_EINVAL, "a list of 1 to 1000 {logisticsCode, logisticsNo}");
	}
	json_array_foreach(keys, i, k)
	{
		const char *code = json_string_value(json_object_get(k, "logisticsCode"));
		const char *no = json_string_value(json_object_get(k, "logisticsNo"));
		const char *state = "unknown";
		char key[200];
		cg_db_stmt *s;

		/* Least privilege: a company reads only its own waybills, officers all. */
		if (code != NULL && no != NULL && (cg__officer(who) || strcmp(code, who->cop_code) == 0)) {
			(void)snprintf(key, sizeof(key), "%s|%s", code, no);
			s = q(st, R_WAYBILL);
			if (s != NULL && cg_db_bind_text(s, 1, key) == CG_OK &&
			    cg_db_bind_text(s, 2, code) == CG_OK &&
			    cg_db_bind_text(s, 3, no) == CG_OK &&
			    cg_db_step(s) == CG_DB_ROW) {
				state = logistics_state(cg_db_column_text(s, 0), true);
				/* A CEB513 says the consignee signed for a released parcel. */
				if (strcmp(state, "released") == 0 && cg_db_column_int(s, 3) == 1)
					state = "signed for";
			}
			if (s != NULL)
				cg_db_reset(s);
			if (strcmp(state, "unknown") == 0 && (s = q(st, R_WAYBILL_X)) != NULL) {
				if (cg_db_bind_text(s, 1, key) == CG_OK && cg_db_step(s) == CG_DB_ROW)
					state = export_logistics_state(cg_db_column_text(s, 0),
								       cg_db_column_int(s, 1) == 1);
				cg_db_reset(s);
			}
		}
		(void)json_array_append_new(out, json_pack("{s:s?, s:s?, s:s}", "logisticsCode", code,
							   "logisticsNo", no, "state", state));
	}
	json_decref(keys);
	return cg__json_answer(json_pack("{s:o}", "waybills", out), json);
}

cg_rc
cg_service_gauges(cg_service *svc, cg_ctx *ctx, long long *queued, long long *waiting,
		  long long *waiting_export, long long *oldest_age)
{
	cg_store *st = cg__service_store(svc);
	cg_db_stmt *s = q(st, R_GAUGES);

	*queued = *waiting = *waiting_export = *oldest_age = 0;
	if (s == NULL || cg_db_step(s) != CG_DB_ROW)
		return cg__fail(ctx, CG_EDB, "gauges: %s", cg_db_errmsg(cg__store_db(st)));
	*queued = cg_db_column_int64(s, 0);
	*waiting = cg_db_column_int64(s, 1);
	*waiting_export = cg_db_column_int64(s, 3);
	if (!cg_db_column_is_null(s, 2))
		*oldest_age = (long long)time(NULL) - cg_db_column_int64(s, 2);
	cg_db_reset(s);
	return CG_OK;
}
