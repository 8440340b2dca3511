/* SPDX-License-Identifier: MIT */
/*
 * The customs side of exports (ceb-export-spec.md §2, docs/export.md): an
 * export inventory (603) is matched with its order or booking (303), its
 * waybill (505) and, when present or required, its receipt of payment (403),
 * in any order; a matched and consistent one passes the risk rules and is
 * concluded (399, invtNo) or held for an officer. The master/house list
 * (607), the arrival at the supervised site (507) and the departure (509)
 * name parcels by waybill: what they say is kept per parcel (parcel_event),
 * so an arrival before the conclusion releases the inventory when it is
 * concluded. A cancellation (605) ends a concluded or released inventory
 * whose goods have not left. Every step answers a receipt and leaves an
 * audit record, in the transaction of the submission that caused it.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "ceb/crossdoc.h"
#include "util/decimal.h"
#include "window/clearance.h"
#include "window/receipt.h"

enum { X_LOAD, X_FIND_ORDER, X_FIND_WAYBILL, X_INV_BY_ORDER, X_INV_BY_LINK, X_INV_BY_WAYBILL,
       X_INV_PARCEL, X_INV_BY_INVT, X_SET, X_STATE, X_EVENT_ADD, X_EVENT_FIND, X_REVIEW_ADD, X_ENT_AGE,
       X_KEY_LOCK, X_WAITING, X_REASON, X_DUE };

static const char *const sql[] = {
	[X_LOAD] = "SELECT id, kind, state, data, sender_id, created, order_key, waybill_key, link_key"
		   " FROM document WHERE id = $1",
	[X_FIND_ORDER] = "SELECT id FROM document WHERE kind = $1 AND order_key = $2"
			 " AND state <> 'deleted' ORDER BY id DESC LIMIT 1",
	[X_FIND_WAYBILL] = "SELECT id FROM document WHERE kind = $1 AND waybill_key = $2"
			   " AND state <> 'deleted' ORDER BY id DESC LIMIT 1",
	/* The inventories a new order, booking or waybill may complete. */
	[X_INV_BY_ORDER] = "SELECT id FROM document WHERE kind = 603 AND order_key = $1"
			   " AND state = 'declared' ORDER BY id LIMIT 64",
	[X_INV_BY_LINK] = "SELECT id FROM document WHERE kind = 603 AND link_key = $1"
			  " AND state = 'declared' ORDER BY id LIMIT 64",
	[X_INV_BY_WAYBILL] = "SELECT id FROM document WHERE kind = 603 AND waybill_key = $1"
			     " AND state = 'declared' ORDER BY id LIMIT 64",
	/* The parcel's inventory, whatever its state: the newest one not deleted. */
	[X_INV_PARCEL] = "SELECT id FROM document WHERE kind = 603 AND waybill_key = $1"
			 " AND state NOT IN ('deleted', 'rejected') ORDER BY id DESC LIMIT 1",
	[X_INV_BY_INVT] = "SELECT id FROM document WHERE kind = 603 AND invt_no = $1 ORDER BY id DESC LIMIT 1",
	[X_SET] = "UPDATE document SET state = $2, reason = $3, data = $4, updated = $5,"
		  " invt_no = $6, link_key = $7 WHERE id = $1",
	[X_STATE] = "UPDATE document SET state = $2, reason = $3, updated = $4,"
		    " invt_no = $5, link_key = $6 WHERE id = $1",
	[X_EVENT_ADD] = "INSERT INTO parcel_event(waybill_key, kind, document_id, created)"
			" VALUES($1, $2, $3, $4)",
	[X_EVENT_FIND] = "SELECT document_id FROM parcel_event WHERE waybill_key = $1 AND kind = $2"
			 " ORDER BY id DESC LIMIT 1",
	[X_REVIEW_ADD] = "INSERT INTO review(document_id, reason, priority, state, created)"
			 " VALUES($1, $2, $3, 'queued', $4)",
	[X_ENT_AGE] = "SELECT created FROM enterprise WHERE id = $1",
	/* One writer at a time on SQLite: nothing to lock. */
	[X_KEY_LOCK] = "SELECT CAST($1 AS TEXT)",
	/* The inventories still waiting for their documents after the match timeout. */
	[X_WAITING] = "SELECT id FROM document WHERE kind = 603 AND state = 'declared'"
		      " AND created < $1 ORDER BY id LIMIT 500",
	[X_REASON] = "SELECT reason FROM document WHERE id = $1",
	/* Whether any is waiting past the timeout: the first found by index (document_due). */
	[X_DUE] = "SELECT id FROM document WHERE kind = 603 AND state = 'declared' AND created < $1 LIMIT 1",
};
/* PostgreSQL: the inventory's row while it is judged, and a match key (as clearance.c). */
static const char *const pg_sql[sizeof(sql) / sizeof(sql[0])] = {
	[X_LOAD] = "SELECT id, kind, state, data, sender_id, created, order_key, waybill_key, link_key"
		   " FROM document WHERE id = $1 FOR UPDATE",
	/* Class 1603: export keys, apart from the import ones (1129). */
	[X_KEY_LOCK] = "SELECT pg_advisory_xact_lock(1603, hashtext($1))",
	/* Each waiting inventory is refused by one node's sweep; those another node holds are skipped. */
	[X_WAITING] = "SELECT id FROM document WHERE kind = 603 AND state = 'declared'"
		      " AND created < $1 ORDER BY id LIMIT 500 FOR UPDATE SKIP LOCKED",
};
CG_DB_MODULE_PG(export_sql, "clearance_export", sql, pg_sql);

static cg_db_stmt *
q(cg_store *st, int id)
{
	return cg_db_prepared(cg__store_db(st), &export_sql, id);
}

static cg_rc
dbfail(cg_store *st, cg_ctx *ctx, const char *what)
{
	return cg__fail(ctx, CG_EDB, "%s: %s", what, cg_db_errmsg(cg__store_db(st)));
}

/* A stored document: its row and its JSON {"h": {field: value}, "l": [{...}]}. */
struct xdoc {
	long long id, sender, created;
	int kind;
	char state[24];
	char ok[200], wk[200], lk[200];
	json_t *data;
	bool changed; /* data differs from the stored form */
};

static void
xdoc_dispose(struct xdoc *d)
{
	json_decref(d->data);
	d->data = NULL;
}

static void
copy(char *dst, size_t size, const char *src)
{
	(void)snprintf(dst, size, "%s", src != NULL ? src : "");
}

static cg_rc
load(cg_store *st, cg_ctx *ctx, long long id, struct xdoc *d)
{
	cg_db_stmt *s = q(st, X_LOAD);

	memset(d, 0, sizeof(*d));
	if (s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK || cg_db_step(s) != CG_DB_ROW) {
		if (s != NULL)
			cg_db_reset(s);
		return dbfail(st, ctx, "load export document");
	}
	d->id = cg_db_column_int64(s, 0);
	d->kind = cg_db_column_int(s, 1);
	copy(d->state, sizeof(d->state), cg_db_column_text(s, 2));
	d->data = json_loads(cg_db_column_text(s, 3), 0, NULL);
	d->sender = cg_db_column_int64(s, 4);
	d->created = cg_db_column_int64(s, 5);
	copy(d->ok, sizeof(d->ok), cg_db_column_text(s, 6));
	copy(d->wk, sizeof(d->wk), cg_db_column_text(s, 7));
	copy(d->lk, sizeof(d->lk), cg_db_column_text(s, 8));
	cg_db_reset(s);
	return d->data != NULL ? CG_OK : CG_ENOMEM;
}

static const char *
hv(const struct xdoc *d, const char *field)
{
	return json_string_value(json_object_get(json_object_get(d->data, "h"), field));
}

static const char *
lv(json_t *line, const char *field)
{
	return json_string_value(json_object_get(line, field));
}

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* The ids a statement with one text parameter lists (at most @p max). */
static cg_rc
ids_by(cg_store *st, cg_ctx *ctx, int qid, const char *key, long long *ids, int max, int *n)
{
	cg_db_stmt *s = q(st, qid);

	*n = 0;
	if (s == NULL || cg_db_bind_text(s, 1, key) != CG_OK)
		return dbfail(st, ctx, "export lookup");
	while (*n < max && cg_db_step(s) == CG_DB_ROW)
		ids[(*n)++] = cg_db_column_int64(s, 0);
	cg_db_reset(s);
	return CG_OK;
}

/* The newest live document of @p kind on a key (order or waybill statement), 0 if none. */
static long long
find_doc(cg_store *st, int qid, int kind, const char *key)
{
	cg_db_stmt *s = q(st, qid);
	long long id = 0;

	if (s != NULL && cg_db_bind_int64(s, 1, kind) == CG_OK && cg_db_bind_text(s, 2, key) == CG_OK &&
	    cg_db_step(s) == CG_DB_ROW)
		id = cg_db_column_int64(s, 0);
	if (s != NULL)
		cg_db_reset(s);
	return id;
}

/* A document of @p kind rebuilt as a message from its stored JSON (for receipts and the rules). */
static cg_rc
as_msg(int kind, json_t *data, struct cg_msg **out)
{
	const struct cg_msgdef *def = cg__msgdef_by_type(kind);
	struct cg_decl *decl;
	struct cg_group *line;
	json_t *o, *v;
	const char *k;
	size_t i;
	cg_rc rc;

	*out = NULL;
	if (def == NULL)
		return CG_EINTERNAL;
	rc = cg__msg_new(out, def);
	if (rc == CG_OK)
		rc = cg__msg_add_doc(*out, &decl);
	json_object_foreach(json_object_get(data, "h"), k, v)
	{
		int idx = cg__edef_find(def->head, k);

		if (rc == CG_OK && idx >= 0 && json_is_string(v))
			rc = cg__group_set(&decl->head, idx, json_string_value(v), 0, 0);
	}
	json_array_foreach(json_object_get(data, "l"), i, o)
	{
		if (rc != CG_OK || def->list == NULL)
			break;
		rc = cg__decl_add_line(decl, def, &line);
		json_object_foreach(o, k, v)
		{
			int idx = cg__edef_find(def->list, k);

			if (rc == CG_OK && idx >= 0 && json_is_string(v))
				rc = cg__group_set(line, idx, json_string_value(v), 0, 0);
		}
	}
	return rc;
}

/* The receipt (kind + 1) of a stored document, in its sender's feed, with an audit record. */
static cg_rc
answer(cg_store *st, cg_ctx *ctx, const struct xdoc *d, const char *status, const char *info,
       const char *actor)
{
	const struct cg_msgdef *rd = cg__msgdef_by_type(d->kind + 1);
	struct cg_msg *m = NULL;
	cg_buf xml = CG_BUF_INIT(0);
	cg_rc rc = rd != NULL ? as_msg(d->kind, d->data, &m) : CG_EINTERNAL;

	if (rc == CG_OK)
		rc = cg__receipt_build(m->def, &m->docs[0].head, d->id, status, info, &xml);
	if (rc == CG_OK)
		rc = cg__store_receipt_add(st, ctx, d->sender, d->id, rd->root, status, xml.ptr, xml.len);
	cg_buf_dispose(&xml);
	cg__msg_free(m);
	return rc == CG_OK ? cg__audit(st, ctx, actor, status, d->id, info) : rc;
}

/*
 * The document's state, its keys, and its data only when a step changed it
 * (most steps change the state alone: no json_dumps, no data written back).
 */
static cg_rc
set_state(cg_store *st, cg_ctx *ctx, struct xdoc *d, const char *state, const char *reason)
{
	cg_db_stmt *s = q(st, d->changed ? X_SET : X_STATE);
	char *data = d->changed ? json_dumps(d->data, JSON_COMPACT) : NULL;
	const char *invt = d->kind == 603 ? hv(d, "invtNo") : NULL;
	int at = d->changed ? 5 : 4; /* updated, then invt_no and link_key */
	cg_rc rc = CG_OK;

	if (d->changed && data == NULL)
		return CG_ENOMEM;
	if (s == NULL || cg_db_bind_int64(s, 1, d->id) != CG_OK ||
	    cg_db_bind_text(s, 2, state) != CG_OK ||
	    (reason != NULL && cg_db_bind_text(s, 3, reason) != CG_OK) ||
	    (data != NULL && cg_db_bind_text(s, 4, data) != CG_OK) ||
	    cg_db_bind_int64(s, at, (long long)time(NULL)) != CG_OK ||
	    (invt != NULL && cg_db_bind_text(s, at + 1, invt) != CG_OK) ||
	    (d->lk[0] != '\0' && cg_db_bind_text(s, at + 2, d->lk) != CG_OK) ||
	    cg_db_step(s) != CG_DB_DONE)
		rc = dbfail(st, ctx, "export state");
	free(data);
	copy(d->state, sizeof(d->state), state);
	d->changed = false;
	return rc;
}

/* A match key for the rest of the transaction (see clearance.c's lock_key). */
static cg_rc
lock_key(cg_store *st, cg_ctx *ctx, const char *key)
{
	cg_db_stmt *s = q(st, X_KEY_LOCK);
	int r;

	if (key == NULL || key[0] == '\0')
		return CG_OK;
	if (s == NULL || cg_db_bind_text(s, 1, key) != CG_OK)
		return dbfail(st, ctx, "export match key");
	r = cg_db_step(s);
	cg_db_reset(s);
	return r == CG_DB_ROW || r == CG_DB_DONE ? CG_OK : dbfail(st, ctx, "export match key");
}

static int
cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

cg_rc
cg__export_lock_keys(cg_store *st, cg_ctx *ctx, const char **keys, size_t n)
{
	const char **k = n > 0 ? malloc(n * sizeof(*k)) : NULL;
	size_t i, m = 0;
	cg_rc rc = CG_OK;

	if (n > 0 && k == NULL)
		return cg__fail(ctx, CG_ENOMEM, "export match keys");
	for (i = 0; i < n; i++)
		if (keys[i] != NULL && keys[i][0] != '\0')
			k[m++] = keys[i];
	if (m > 1)
		qsort(k, m, sizeof(*k), cmp_key);
	for (i = 0; i < m && rc == CG_OK; i++)
		if (i == 0 || strcmp(k[i - 1], k[i]) != 0)
			rc = lock_key(st, ctx, k[i]);
	free(k);
	return rc;
}

/* ------------------------------------------------------------ parcel events */

static cg_rc
event_add(cg_store *st, cg_ctx *ctx, const char *wk, int kind, long long doc_id)
{
	cg_db_stmt *s = q(st, X_EVENT_ADD);

	if (s == NULL || cg_db_bind_text(s, 1, wk) != CG_OK || cg_db_bind_int64(s, 2, kind) != CG_OK ||
	    cg_db_bind_int64(s, 3, doc_id) != CG_OK ||
	    cg_db_bind_int64(s, 4, (long long)time(NULL)) != CG_OK || cg_db_step(s) != CG_DB_DONE)
		return dbfail(st, ctx, "parcel event");
	return CG_OK;
}

/* The newest document of @p kind (607, 507, 509) that named the parcel, 0 if none. */
static long long
event_find(cg_store *st, const char *wk, int kind)
{
	cg_db_stmt *s = q(st, X_EVENT_FIND);
	long long id = 0;

	if (s != NULL && cg_db_bind_text(s, 1, wk) == CG_OK && cg_db_bind_int64(s, 2, kind) == CG_OK &&
	    cg_db_step(s) == CG_DB_ROW)
		id = cg_db_column_int64(s, 0);
	if (s != NULL)
		cg_db_reset(s);
	return id;
}

/* The transport fields a master/house list (607) completes in an inventory (§2.2 step 5). */
static void
fill_transport(struct xdoc *inv, const struct xdoc *list)
{
	static const char *const fields[] = { "billNo", "trafMode", "trafName", "voyageNo" };
	json_t *h = json_object_get(inv->data, "h");
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *v = hv(list, fields[i]);

		const char *had = json_string_value(json_object_get(h, fields[i]));

		if (v != NULL && v[0] != '\0' && (had == NULL || strcmp(had, v) != 0)) {
			(void)json_object_set_new(h, fields[i], json_string(v));
			inv->changed = true;
		}
	}
}

/* ------------------------------------------------------------ inventory steps */

/* 899: the goods left with a departure (509). */
static cg_rc
close_inv(cg_store *st, cg_ctx *ctx, struct xdoc *inv)
{
	cg_rc rc = set_state(st, ctx, inv, "closed", NULL);

	return rc == CG_OK ? answer(st, ctx, inv, "899", "结关 closed: the goods left (CEB509)", "system") : rc;
}

/* 800: released after its arrival at the supervised site (or at once when no arrival is required). */
static cg_rc
release_inv(cg_store *st, cg_ctx *ctx, struct xdoc *inv, const char *info)
{
	cg_rc rc = set_state(st, ctx, inv, "released", NULL);

	if (rc == CG_OK)
		rc = answer(st, ctx, inv, "800", info, "system");
	/* A departure that came first closes it now. */
	if (rc == CG_OK && inv->wk[0] != '\0' && event_find(st, inv->wk, 509) != 0)
		rc = close_inv(st, ctx, inv);
	return rc;
}

/* What the parcel's lists, arrival and departure said before the inventory was concluded. */
static cg_rc
after_conclusion(cg_store *st, cg_ctx *ctx, const struct cg_clearance_cfg *cfg, struct xdoc *inv)
{
	if (inv->wk[0] == '\0')
		return CG_OK;
	if (!cfg->export_arrival_required)
		return release_inv(st, ctx, inv, "放行 released (no arrival report required)");
	if (event_find(st, inv->wk, 507) != 0)
		return release_inv(st, ctx, inv, "放行 released: the parcel arrived at the supervised site (CEB507)");
	return CG_OK;
}

/* 399: concluded, with the customs inventory number: district + year + E + serial (§6, treat as opaque). */
static cg_rc
conclude(cg_store *st, cg_ctx *ctx, const struct cg_clearance_cfg *cfg, struct xdoc *inv,
	 const char *info, const char *actor)
{
	time_t t = time(NULL) + 8 * 3600;
	struct tm tm;
	char invt[48];
	long long list;
	cg_rc rc;

	if (gmtime_r(&t, &tm) == NULL)
		tm.tm_year = 70;
	(void)snprintf(invt, sizeof(invt), "%.4s%04dE%09lld", hv(inv, "customsCode") ? hv(inv, "customsCode") : "0000",
		       tm.tm_year + 1900, inv->id % 1000000000LL);
	(void)json_object_set_new(json_object_get(inv->data, "h"), "invtNo", json_string(invt));
	inv->changed = true;
	/* A master/house list that named the parcel before: its bill and carrier. */
	list = inv->wk[0] != '\0' ? event_find(st, inv->wk, 607) : 0;
	if (list != 0) {
		struct xdoc l;

		rc = load(st, ctx, list, &l);
		if (rc == CG_OK)
			fill_transport(inv, &l);
		xdoc_dispose(&l);
		if (rc != CG_OK)
			return rc;
	}
	rc = set_state(st, ctx, inv, "concluded", NULL);
	if (rc == CG_OK)
		rc = answer(st, ctx, inv, "399", info, actor);
	return rc == CG_OK ? after_conclusion(st, ctx, cfg, inv) : rc;
}

static bool
hs_watched(const char *list, json_t *lines)
{
	json_t *l;
	size_t i;

	json_array_foreach(lines, i, l)
	{
		const char *g = lv(l, "gcode"), *p = list;

		while (g != NULL && *p != '\0') {
			size_t n = strcspn(p, ",");

			if (n > 0 && strncmp(g, p, n) == 0)
				return true;
			p += n + (p[n] == ',');
		}
	}
	return false;
}

/*
 * Why a matched export inventory is held ("" when it is concluded): the
 * service's risk settings, read for exports as for imports (docs/export.md):
 * the declared value (Σ totalPrice, in the inventory's currency), watched HS
 * codes, a recently registered declarant, and the random share.
 */
static void
risk(cg_store *st, const struct cg_clearance_cfg *cfg, const struct xdoc *inv, char *why, size_t size,
     int *priority)
{
	cg_db_stmt *s = q(st, X_ENT_AGE);
	json_t *l, *lines = json_object_get(inv->data, "l");
	long long registered = 0;
	cg_dec sum = 0, v;
	size_t i;

	why[0] = '\0';
	*priority = 0;
	json_array_foreach(lines, i, l)
	{
		if (lv(l, "totalPrice") != NULL && cg__dec_parse(lv(l, "totalPrice"), &v))
			sum += v;
	}
	if (cfg->value_threshold > 0 && sum >= cfg->value_threshold) {
		cg__reason_add(why, size, "value");
		*priority += 3;
	}
	if (cfg->watch_hs[0] != '\0' && hs_watched(cfg->watch_hs, lines)) {
		cg__reason_add(why, size, "watched-hs");
		*priority += 2;
	}
	if (s != NULL && cg_db_bind_int64(s, 1, inv->sender) == CG_OK && cg_db_step(s) == CG_DB_ROW)
		registered = cg_db_column_int64(s, 0);
	if (s != NULL)
		cg_db_reset(s);
	if (cfg->new_enterprise_days > 0 &&
	    registered > (long long)time(NULL) - cfg->new_enterprise_days * 86400LL) {
		cg__reason_add(why, size, "new-enterprise");
		*priority += 1;
	}
	if (why[0] == '\0' && cg__random_pick(cfg->random_per_mille))
		cg__reason_add(why, size, "random");
}

static cg_rc
hold(cg_store *st, cg_ctx *ctx, struct xdoc *inv, const char *why, int priority)
{
	cg_db_stmt *s = q(st, X_REVIEW_ADD);
	char info[300];
	cg_rc rc = set_state(st, ctx, inv, "review", why);

	if (rc == CG_OK &&
	    (s == NULL || cg_db_bind_int64(s, 1, inv->id) != CG_OK || cg_db_bind_text(s, 2, why) != CG_OK ||
	     cg_db_bind_int64(s, 3, priority) != CG_OK ||
	     cg_db_bind_int64(s, 4, (long long)time(NULL)) != CG_OK || cg_db_step(s) != CG_DB_DONE))
		rc = dbfail(st, ctx, "review queue");
	(void)snprintf(info, sizeof(info), "人工审核 held for review: %s", why);
	return rc == CG_OK ? answer(st, ctx, inv, "300", info, "system") : rc;
}

/* Add a stored document to the cross-document rules (crossdoc_export.c). */
static cg_rc
rules_add(struct cg_crossdoc_export *x, int kind, json_t *data)
{
	struct cg_msg *m = NULL;
	cg_rc rc = as_msg(kind, data, &m);

	if (rc == CG_OK)
		rc = cg__crossdoc_export_add(x, m, "service");
	cg__msg_free(m);
	return rc;
}

/*
 * The equalities of §2.6 between the inventory and what it matched, by the
 * rules `cebgate validate` applies to a folder (CG1311, CG1312): consignor,
 * lines by gnum and itemNo, Σ totalPrice = goodsValue, the order type of the
 * trade mode, the receipt of payment's platform. Errors only: the waybill's
 * warnings (CG1313) do not refuse. @p why gets the messages, "" when consistent.
 */
static cg_rc
consistent(json_t *inv, json_t *order, json_t *pay, json_t *bill, char *why, size_t size)
{
	struct cg_crossdoc_export *x = NULL;
	cg_findings *f = NULL;
	size_t i;
	cg_rc rc = cg__crossdoc_export_new(&x);

	why[0] = '\0';
	if (rc == CG_OK)
		rc = cg_findings_new(&f);
	if (rc == CG_OK)
		rc = rules_add(x, 603, inv);
	if (rc == CG_OK)
		rc = rules_add(x, 303, order);
	if (rc == CG_OK && bill != NULL)
		rc = rules_add(x, 505, bill);
	if (rc == CG_OK && pay != NULL)
		rc = rules_add(x, 403, pay);
	if (rc == CG_OK)
		rc = cg__crossdoc_export_check(x, f);
	for (i = 0; rc == CG_OK && i < cg_findings_count(f); i++) {
		const cg_finding *g = cg_findings_get(f, i);
		char one[400];

		if (g->severity != CG_SEV_ERROR)
			continue;
		(void)snprintf(one, sizeof(one), "%s %s %s", g->code, g->message_zh ? g->message_zh : "",
			       g->message_en ? g->message_en : "");
		cg__reason_add(why, size, one);
	}
	cg_findings_free(f);
	cg__crossdoc_export_free(x);
	return rc;
}

/* Whether the trade mode needs the receipt of payment (9610 and 1210, when configured so). */
static bool
payment_required(const struct cg_clearance_cfg *cfg, const char *mode)
{
	return cfg->export_payment_required && (same(mode, "9610") || same(mode, "1210"));
}

static json_t *
load_data(cg_store *st, cg_ctx *ctx, long long id)
{
	struct xdoc d = { 0 };
	json_t *j = NULL;

	if (id != 0 && load(st, ctx, id, &d) == CG_OK) {
		j = d.data;
		d.data = NULL;
	}
	xdoc_dispose(&d);
	return j;
}

/*
 * The match of one export inventory (§2.2-§2.5): order or booking and
 * waybill always, the receipt of payment when present (and required when
 * configured); nothing missing and everything consistent: 120, then the risk
 * rules; a difference refuses it (100, naming it); something missing: it
 * waits, 'declared'.
 */
static cg_rc
evaluate(cg_store *st, cg_ctx *ctx, const struct cg_clearance_cfg *cfg, long long inv_id)
{
	struct xdoc d;
	json_t *order = NULL, *pay = NULL, *bill = NULL;
	char why[1200] = "", risk_why[200];
	int priority;
	cg_rc rc = load(st, ctx, inv_id, &d);

	if (rc != CG_OK || d.kind != 603 || strcmp(d.state, "declared") != 0) {
		xdoc_dispose(&d);
		return rc;
	}
	(void)snprintf(d.lk, sizeof(d.lk), "%s|%s", hv(&d, "ebcCode") ? hv(&d, "ebcCode") : "",
		       hv(&d, "orderNo") ? hv(&d, "orderNo") : "");
	order = load_data(st, ctx, find_doc(st, X_FIND_ORDER, 303, d.ok));
	bill = load_data(st, ctx, find_doc(st, X_FIND_WAYBILL, 505, d.wk));
	pay = load_data(st, ctx, find_doc(st, X_FIND_ORDER, 403, d.lk));
	if (order == NULL)
		cg__reason_add(why, sizeof(why), "缺少订单 order (or booking) missing");
	if (bill == NULL)
		cg__reason_add(why, sizeof(why), "缺少运单 waybill missing");
	if (pay == NULL && payment_required(cfg, hv(&d, "tradeMode")))
		cg__reason_add(why, sizeof(why), "缺少收款单 receipt of payment missing");
	if (why[0] != '\0') {
		rc = set_state(st, ctx, &d, "declared", why); /* waits; keeps its link key */
		goto out;
	}
	rc = consistent(d.data, order, pay, bill, why, sizeof(why));
	if (rc == CG_OK && why[0] != '\0') {
		char info[1300];

		(void)snprintf(info, sizeof(info), "比对不符退单 documents differ: %s", why);
		rc = set_state(st, ctx, &d, "rejected", "mismatch");
		if (rc == CG_OK)
			rc = answer(st, ctx, &d, "100", info, "system");
		goto out;
	}
	if (rc == CG_OK)
		rc = answer(st, ctx, &d, "120", "比对通过，海关入库 matched and stored", "system");
	if (rc != CG_OK)
		goto out;
	risk(st, cfg, &d, risk_why, sizeof(risk_why), &priority);
	rc = risk_why[0] != '\0' ? hold(st, ctx, &d, risk_why, priority)
				 : conclude(st, ctx, cfg, &d, "海关审结 concluded", "system");
out:
	json_decref(order);
	json_decref(pay);
	json_decref(bill);
	xdoc_dispose(&d);
	return rc;
}

/* Every waiting inventory a new order, receipt of payment or waybill concerns. */
static cg_rc
evaluate_waiting(cg_store *st, cg_ctx *ctx, const struct cg_clearance_cfg *cfg, int qid, const char *key)
{
	long long ids[64];
	int n, i;
	cg_rc rc = lock_key(st, ctx, key);

	if (rc == CG_OK)
		rc = ids_by(st, ctx, qid, key, ids, 64, &n);
	for (i = 0; rc == CG_OK && i < n; i++)
		rc = evaluate(st, ctx, cfg, ids[i]);
	return rc;
}

/*
 * 303, 403, 505: stored, then the inventories they complete. 304 and 404 say
 * it with 120, 506 with 399: 120 is not among its states (ceb-export-spec §4).
 */
static cg_rc
stored(cg_store *st, cg_ctx *ctx, const struct cg_clearance_cfg *cfg, struct xdoc *d)
{
	cg_rc rc = answer(st, ctx, d, d->kind == 505 ? "399" : "120", "海关入库 stored", "system");

	if (rc != CG_OK)
		return rc;
	switch (d->kind) {
	case 303:
		return evaluate_waiting(st, ctx, cfg, X_INV_BY_ORDER, d->ok);
	case 403:
		return evaluate_waiting(st, ctx, cfg, X_INV_BY_LINK, d->ok);
	default:
		return evaluate_waiting(st, ctx, cfg, X_INV_BY_WAYBILL, d->wk);
	}
}

#define PARCEL_KEY_MAX 200

/* The parcel key of a list line: the head's logistics company and the line's waybill number. */
static void
parcel_key(const struct xdoc *d, json_t *line, char *out, size_t size)
{
	(void)snprintf(out, size, "%s|%s", hv(d, "logisticsCode") ? hv(d, "logisticsCode") : "",
		       lv(line, "logisticsNo") ? lv(line, "logisticsNo") : "");
}

/* What a 607, 507 or 509 does to one listed parcel's inventory; *hit says whether it moved it. */
static cg_rc
parcel_step(cg_store *st, cg_ctx *ctx, const struct cg_clearance_cfg *cfg, const struct xdoc *d,
	    const char *wk, bool *hit)
{
	long long ids[1];
	struct xdoc inv;
	int n;
	cg_rc rc = event_add(st, ctx, wk, d->kind, d->id);

	*hit = false;
	if (rc == CG_OK)
		rc = ids_by(st, ctx, X_INV_PARCEL, wk, ids, 1, &n);
	if (rc != CG_OK || n == 0)
		return rc;
	rc = load(st, ctx, ids[0], &inv);
	if (rc == CG_OK && d->kind == 607 && strcmp(inv.state, "cancelled") != 0) {
		fill_transport(&inv, d);
		rc = set_state(st, ctx, &inv, inv.state, NULL);
		*hit = true;
	} else if (rc == CG_OK && d->kind == 507 && strcmp(inv.state, "concluded") == 0 &&
		   cfg->export_arrival_required) {
		rc = release_inv(st, ctx, &inv, "放行 released: the parcel arrived at the supervised site (CEB507)");
		*hit = true;
	} else if (rc == CG_OK && d->kind == 509 && strcmp(inv.state, "released") == 0) {
		rc = close_inv(st, ctx, &inv);
		*hit = true;
	}
	xdoc_dispose(&inv);
	return rc;
}

/*
 * The parcel key of every line of a list, in *keys (one allocation: the
 * pointers, then the keys; free with free()): their number, or -1 when out
 * of memory.
 */
static long
parcel_keys(const struct xdoc *d, const char ***keys)
{
	json_t *lines = json_object_get(d->data, "l"), *line;
	size_t n = json_array_size(lines), i;
	const char **k = malloc(n * (sizeof(*k) + PARCEL_KEY_MAX) + 1);
	char *buf = (char *)(k + n);

	*keys = k;
	if (k == NULL)
		return -1;
	json_array_foreach(lines, i, line)
	{
		parcel_key(d, line, buf + i * PARCEL_KEY_MAX, PARCEL_KEY_MAX);
		k[i] = buf + i * PARCEL_KEY_MAX;
	}
	return (long)n;
}

/*
 * 607, 507, 509: every listed parcel (all their keys locked before any is
 * touched: cg__export_lock_keys), then the document's own 399 saying how many moved.
 */
static cg_rc
parcels(cg_store *st, cg_ctx *ctx, const struct cg_clearance_cfg *cfg, struct xdoc *d)
{
	static const struct {
		int kind;
		const char *zh, *en;
	} words[] = {
		{ 607, "清单总分单已入库", "list stored; inventories completed" },
		{ 507, "运抵已确认", "arrival recorded; inventories released" },
		{ 509, "离境已确认", "departure recorded; inventories closed" },
	};
	char info[300];
	const char **k;
	long i, listed = parcel_keys(d, &k);
	size_t w = 0;
	int moved = 0;
	bool hit;
	cg_rc rc;

	if (listed < 0)
		return cg__fail(ctx, CG_ENOMEM, "export parcel keys");
	rc = cg__export_lock_keys(st, ctx, k, (size_t)listed);
	for (i = 0; i < listed && rc == CG_OK; i++) {
		rc = parcel_step(st, ctx, cfg, d, k[i], &hit);
		moved += hit;
	}
	free(k);
	if (rc != CG_OK)
		return rc;
	while (words[w].kind != d->kind)
		w++;
	(void)snprintf(info, sizeof(info), "%s %s: %d of %ld parcels", words[w].zh, words[w].en, moved, listed);
	rc = set_state(st, ctx, d, "concluded", NULL);
	return rc == CG_OK ? answer(st, ctx, d, "399", info, "system") : rc;
}

/*
 * 605: a concluded or released inventory whose goods have not left is
 * cancelled (606 399); anything else is refused (606 100, saying why). Only
 * the inventory's declarant may cancel it, for the consignor it declared.
 */
static cg_rc
cancel(cg_store *st, cg_ctx *ctx, struct xdoc *d)
{
	long long ids[1];
	struct xdoc inv;
	char why[300] = "";
	int n;
	cg_rc rc = ids_by(st, ctx, X_INV_BY_INVT, hv(d, "invtNo") ? hv(d, "invtNo") : "", ids, 1, &n);

	if (rc != CG_OK)
		return rc;
	memset(&inv, 0, sizeof(inv));
	if (n == 0)
		(void)snprintf(why, sizeof(why), "撤销不成功：清单不存在 no inventory has this invtNo");
	else if ((rc = load(st, ctx, ids[0], &inv)) != CG_OK)
		return rc;
	else if (inv.sender != d->sender || !same(hv(&inv, "ebcCode"), hv(d, "ebcCode")))
		(void)snprintf(why, sizeof(why), "撤销不成功：清单的申报企业或收发货人不符 "
			       "the inventory was declared by another enterprise or for another consignor");
	else if (strcmp(inv.state, "concluded") != 0 && strcmp(inv.state, "released") != 0)
		(void)snprintf(why, sizeof(why), "撤销不成功：清单状态为%s，货物已离境或已结束 "
			       "the inventory is %s: only a concluded or released one whose goods have not left",
			       inv.state, inv.state);
	if (why[0] != '\0') {
		rc = set_state(st, ctx, d, "rejected", why);
		if (rc == CG_OK)
			rc = answer(st, ctx, d, "100", why, "system");
		xdoc_dispose(&inv);
		return rc;
	}
	rc = set_state(st, ctx, &inv, "cancelled", hv(d, "reason"));
	if (rc == CG_OK)
		rc = cg__audit(st, ctx, "system", "cancelled", inv.id, "撤销 cancelled by CEB605");
	if (rc == CG_OK)
		rc = set_state(st, ctx, d, "concluded", NULL);
	if (rc == CG_OK)
		rc = answer(st, ctx, d, "399", "撤销成功 the inventory is cancelled", "system");
	xdoc_dispose(&inv);
	return rc;
}

/*
 * An inventory's three match keys (order, waybill, receipt of payment), in
 * the one order of cg__export_lock_keys: a document written at once on
 * another node is seen.
 */
static cg_rc
lock_inventory_keys(cg_store *st, cg_ctx *ctx, const struct xdoc *d)
{
	char lk[200];
	const char *k[3];

	(void)snprintf(lk, sizeof(lk), "%s|%s", hv(d, "ebcCode") ? hv(d, "ebcCode") : "",
		       hv(d, "orderNo") ? hv(d, "orderNo") : "");
	k[0] = d->ok;
	k[1] = d->wk;
	k[2] = lk;
	return cg__export_lock_keys(st, ctx, k, 3);
}

cg_rc
cg__export_after(cg_store *st, cg_ctx *ctx, const struct cg_clearance_cfg *cfg, int kind, long long doc_id)
{
	struct xdoc d;
	cg_rc rc;

	/* Returns (213, 215) and the summary (701) go on from their first receipt in export_summary.c. */
	if (kind == 701 || kind == 213 || kind == 215)
		return cg__expsum_after(st, ctx, &cfg->expsum, kind, doc_id);
	if (kind != 303 && kind != 403 && kind != 505 && kind != 603 && kind != 605 && kind != 607 &&
	    kind != 507 && kind != 509)
		return CG_OK;
	rc = load(st, ctx, doc_id, &d);
	if (rc == CG_OK && strcmp(d.state, "deleted") == 0) {
		xdoc_dispose(&d);
		return CG_OK;
	}
	if (rc == CG_OK) {
		switch (kind) {
		case 303:
		case 403:
		case 505:
			rc = stored(st, ctx, cfg, &d);
			break;
		case 603:
			rc = lock_inventory_keys(st, ctx, &d);
			if (rc == CG_OK)
				rc = evaluate(st, ctx, cfg, doc_id);
			break;
		case 605:
			rc = cancel(st, ctx, &d);
			break;
		default:
			rc = parcels(st, ctx, cfg, &d);
			break;
		}
	}
	xdoc_dispose(&d);
	return rc;
}

cg_rc
cg__export_decide(cg_store *st, cg_ctx *ctx, const struct cg_clearance_cfg *cfg, long long doc_id,
		  const char *decision, const char *info, const char *actor, const char **state,
		  const char **status)
{
	struct xdoc d;
	cg_rc rc;

	if (strcmp(decision, "release") != 0 && strcmp(decision, "return") != 0)
		return cg__fail(ctx, CG_EINVAL, "an export inventory is released (concluded) or returned");
	rc = load(st, ctx, doc_id, &d);
	if (rc == CG_OK && strcmp(d.state, "review") != 0)
		rc = cg__fail(ctx, CG_ECONFLICT, "the export inventory is not under review");
	if (rc == CG_OK && strcmp(decision, "release") == 0) {
		rc = conclude(st, ctx, cfg, &d, info, actor);
		*state = "concluded";
		*status = "399";
	} else if (rc == CG_OK) {
		rc = set_state(st, ctx, &d, "rejected", info);
		if (rc == CG_OK)
			rc = answer(st, ctx, &d, "100", info, actor);
		*state = "rejected";
		*status = "100";
	}
	xdoc_dispose(&d);
	return rc;
}

/* What a waiting inventory still lacks (its reason), for the receipt that refuses it. */
static void
missing(cg_store *st, long long id, char *out, size_t size)
{
	cg_db_stmt *s = q(st, X_REASON);

	out[0] = '\0';
	if (s != NULL && cg_db_bind_int64(s, 1, id) == CG_OK && cg_db_step(s) == CG_DB_ROW)
		copy(out, size, cg_db_column_text(s, 0));
	if (s != NULL)
		cg_db_reset(s);
}

/*
 * The match timeout for exports, as clearance.c's sweep does for imports: an
 * export inventory still 'declared' (waiting for its order or booking,
 * waybill, or receipt of payment) match_timeout seconds after it came is
 * refused, 604 100 naming what was missing. One matched meanwhile is left alone.
 */
/* Whether the sweep has anything to do, read without the write lock. */
bool
cg__export_sweep_due(cg_store *st, const struct cg_clearance_cfg *cfg, long long now)
{
	long long one;

	return cfg->match_timeout > 0 &&
	       cg__waiting_ids(q(st, X_DUE), now - cfg->match_timeout, &one, 1) != 0;
}

cg_rc
cg__export_sweep(cg_store *st, cg_ctx *ctx, const struct cg_clearance_cfg *cfg, long long now,
		 int *rejected)
{
	long long ids[500];
	int n, i;
	cg_rc rc = CG_OK;

	*rejected = 0;
	if (cfg->match_timeout <= 0)
		return CG_OK;
	n = cg__waiting_ids(q(st, X_WAITING), now - cfg->match_timeout, ids, 500);
	if (n < 0)
		return dbfail(st, ctx, "export sweep");
	for (i = 0; i < n && rc == CG_OK; i++) {
		struct xdoc d;
		char why[300], info[400];

		rc = load(st, ctx, ids[i], &d);
		if (rc == CG_OK && strcmp(d.state, "declared") == 0) {
			missing(st, d.id, why, sizeof(why));
			(void)snprintf(info, sizeof(info), "比对超时退单 not matched in time: %s",
				       why[0] != '\0' ? why : "documents missing");
			rc = set_state(st, ctx, &d, "rejected", "timeout");
			if (rc == CG_OK)
				rc = answer(st, ctx, &d, "100", info, "system");
			*rejected += rc == CG_OK;
		}
		xdoc_dispose(&d);
	}
	return rc;
}
