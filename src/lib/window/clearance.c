/* SPDX-License-Identifier: MIT */
/*
 * One-stop clearance (一站式通关), ceb-spec §4 and §10: an inventory (621) is
 * matched with its order (311), payment (411) and waybill (511) on the
 * linking fields; documents may arrive in any order and an unmatched
 * inventory waits. A matched one has its tax recomputed, the single and
 * annual limits applied against the buyer's ledger, and the risk rules (with
 * random selection, 双随机) decide: released automatically or held for an
 * officer. Every transition writes a receipt (622) and an audit record, in
 * the transaction of the submission that caused it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "ceb/rules.h"
#include "window/clearance.h"
#include "window/receipt.h"
#include "window/taxbill.h"
#include "sig/sigcore.h"

#define ANNUAL_LIMIT ((cg_dec)26000 * CG_DEC_ONE)
#define SINGLE_LIMIT ((cg_dec)5000 * CG_DEC_ONE)

/* This file's statements, cached on the store's connection (db.h). */
enum { S_INV_BY_ORDER, S_INV_BY_WAYBILL, S_MATCH_DOCS, S_DOC_BY_KEY, S_DOC_SET, S_QUOTA_GET,
       S_QUOTA_ADD, S_REVIEW_ADD, S_WAITING, S_ENT_AGE, S_RCPT, S_KEY_LOCK,
       S_DOC_STATE, S_DUE, S_KEYS_LOCK };

/* Upserts use ON CONFLICT ... DO UPDATE, which PostgreSQL shares. */
static const char *const sql[] = {
	/* "+state": the key's index must be used, not the one on state (every waiting row). */
	[S_INV_BY_ORDER] = "SELECT id FROM document WHERE kind = 621 AND order_key = $1"
			   " AND +state IN ('declared', 'waiting')",
	[S_INV_BY_WAYBILL] = "SELECT id FROM document WHERE kind = 621 AND waybill_key = $1"
			     " AND +state IN ('declared', 'waiting')",
	/* An inventory's order, payment and waybill, the newest live one of each: one round trip. */
	[S_MATCH_DOCS] = "SELECT (SELECT data FROM document WHERE kind = 311 AND order_key = $1"
			 " AND state <> 'deleted' ORDER BY id DESC LIMIT 1),"
			 " (SELECT data FROM document WHERE kind = 411 AND order_key = $1"
			 " AND state <> 'deleted' ORDER BY id DESC LIMIT 1),"
			 " (SELECT data FROM document WHERE kind = 511 AND waybill_key = $2"
			 " AND state <> 'deleted' ORDER BY id DESC LIMIT 1)",
	[S_DOC_BY_KEY] = "SELECT id, state, data, sender_id, created, reason FROM document WHERE id = $1",
	[S_DOC_SET] = "UPDATE document SET state = $2, reason = $3, data = $4, updated = $5 WHERE id = $1",
	/* The state alone: the data as stored is not written back (and not serialized) again. */
	[S_DOC_STATE] = "UPDATE document SET state = $2, reason = $3, updated = $4 WHERE id = $1",
	[S_QUOTA_GET] = "SELECT used FROM quota WHERE buyer = $1 AND year = $2",
	/*
	 * The ledger checked and moved in one statement: added only while the
	 * sum stays within the limit ($4). A second node's upsert on the same
	 * buyer waits for the row and then checks the sum the first committed.
	 */
	[S_QUOTA_ADD] = "INSERT INTO quota(buyer, year, used) SELECT $1, $2, $3 WHERE $3 <= $4"
			" ON CONFLICT(buyer, year) DO UPDATE SET used = quota.used + excluded.used"
			" WHERE quota.used + excluded.used <= $4",
	[S_REVIEW_ADD] = "INSERT INTO review(document_id, reason, priority, state, created)"
			 " VALUES($1, $2, $3, 'queued', $4)",
	/* Past the match timeout, by index (document_due): those not due are never read. */
	[S_WAITING] = "SELECT id FROM document WHERE kind = 621 AND state IN ('declared', 'waiting')"
		      " AND created < $1 ORDER BY id LIMIT 500",
	/* Whether any is: the first found, unsorted, unlocked. */
	[S_DUE] = "SELECT id FROM document WHERE kind = 621 AND state IN ('declared', 'waiting')"
		  " AND created < $1 LIMIT 1",
	[S_ENT_AGE] = "SELECT created FROM enterprise WHERE id = $1",
	[S_RCPT] = "INSERT INTO receipt(enterprise_id, document_id, msg_type, return_status, xml,"
		   " created) VALUES($1, $2, 'CEB622Message', $3, $4, $5)",
	/* One writer at a time on SQLite: nothing to lock. */
	[S_KEY_LOCK] = "SELECT CAST($1 AS TEXT)",
	[S_KEYS_LOCK] = "SELECT CAST($1 AS TEXT), CAST($2 AS TEXT)",
};
/*
 * PostgreSQL: no unary + on text (its planner needs no hint to keep the key's
 * index); the typed parameters of INSERT ... SELECT; and the locks that
 * several writers at once need (docs/postgresql.md, "Several nodes"): the
 * inventory's row while it is judged, the waiting ones a sweep takes (those
 * another node's sweep holds are skipped), and a match key.
 */
static const char *const pg_sql[sizeof(sql) / sizeof(sql[0])] = {
	[S_INV_BY_ORDER] = "SELECT id FROM document WHERE kind = 621 AND order_key = $1"
			   " AND state IN ('declared', 'waiting')",
	[S_INV_BY_WAYBILL] = "SELECT id FROM document WHERE kind = 621 AND waybill_key = $1"
			     " AND state IN ('declared', 'waiting')",
	[S_DOC_BY_KEY] = "SELECT id, state, data, sender_id, created, reason FROM document WHERE id = $1"
			 " FOR UPDATE",
	[S_QUOTA_ADD] = "INSERT INTO quota(buyer, year, used)"
			" SELECT CAST($1 AS BYTEA), CAST($2 AS BIGINT), CAST($3 AS BIGINT)"
			" WHERE CAST($3 AS BIGINT) <= CAST($4 AS BIGINT)"
			" ON CONFLICT(buyer, year) DO UPDATE SET used = quota.used + excluded.used"
			" WHERE quota.used + excluded.used <= $4",
	[S_WAITING] = "SELECT id FROM document WHERE kind = 621 AND state IN ('declared', 'waiting')"
		      " AND created < $1 ORDER BY id LIMIT 500 FOR UPDATE SKIP LOCKED",
	/* Class 1129, the key's hash: the documents that meet on one key, one transaction at a time. */
	[S_KEY_LOCK] = "SELECT pg_advisory_xact_lock(1129, hashtext($1))",
	/*
	 * Both in one round trip, the lower hash first whichever key comes first,
	 * so that two transactions never hold one each of the same two locks
	 * (not even when keys share a hash). The second lock is taken from the
	 * row the first made (a MATERIALIZED CTE is computed on its own), so the
	 * order does not rest on how a select list is evaluated.
	 */
	[S_KEYS_LOCK] = "WITH k AS (SELECT hashtext($1) AS a, hashtext($2) AS b),"
			" first AS MATERIALIZED (SELECT pg_advisory_xact_lock(1129, least(a, b)) AS held,"
			" greatest(a, b) AS next FROM k)"
			" SELECT pg_advisory_xact_lock(1129, next) FROM first",
};
CG_DB_MODULE_PG(clearance_sql, "clearance", sql, pg_sql);

static cg_db_stmt *
q(cg_store *st, int id)
{
	return cg_db_prepared(cg__store_db(st), &clearance_sql, id);
}

static cg_rc
dbfail(cg_store *st, cg_ctx *ctx, const char *what)
{
	return cg__fail(ctx, CG_EDB, "%s: %s", what, cg_db_errmsg(cg__store_db(st)));
}

/* A stored document: its JSON {"h": {field: value}, "l": [{...}]}. */
struct doc {
	long long id;
	long long sender;
	long long created;
	char state[24];
	char reason[640]; /* of a waiting inventory: what it waits for */
	json_t *data;
	bool changed; /* data differs from the stored form */
};

static const char *
hv(const struct doc *d, const char *field)
{
	return json_string_value(json_object_get(json_object_get(d->data, "h"), field));
}

static cg_rc
load_inventory(cg_store *st, cg_ctx *ctx, long long id, struct doc *d)
{
	cg_db_stmt *s = q(st, S_DOC_BY_KEY);

	memset(d, 0, sizeof(*d));
	if (s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK || cg_db_step(s) != CG_DB_ROW)
		return dbfail(st, ctx, "load inventory");
	d->id = cg_db_column_int64(s, 0);
	(void)snprintf(d->state, sizeof(d->state), "%s", cg_db_column_text(s, 1));
	d->data = json_loads(cg_db_column_text(s, 2), 0, NULL);
	d->sender = cg_db_column_int64(s, 3);
	d->created = cg_db_column_int64(s, 4);
	(void)snprintf(d->reason, sizeof(d->reason), "%s",
		       cg_db_column_text(s, 5) != NULL ? cg_db_column_text(s, 5) : "");
	cg_db_reset(s);
	return d->data != NULL ? CG_OK : CG_ENOMEM;
}

/* Column @p i of a row, parsed, or NULL. */
static json_t *
column_json(cg_db_stmt *s, int i)
{
	const char *text = cg_db_column_text(s, i);

	return text != NULL ? json_loads(text, 0, NULL) : NULL;
}

static const char *
jv(json_t *doc, const char *field)
{
	return json_string_value(json_object_get(json_object_get(doc, "h"), field));
}

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static bool
same_dec(const char *a, const char *b)
{
	cg_dec x, y;

	return a != NULL && b != NULL && cg__dec_parse(a, &x) && cg__dec_parse(b, &y) && x == y;
}

void
cg__reason_add(char *buf, size_t size, const char *what)
{
	size_t n = strlen(buf);

	(void)snprintf(buf + n, size - n, "%s%s", n != 0 ? "；" : "", what);
}

/* What differs between the four documents (ceb-spec §4), in the words of a receipt. */
static void
compare(json_t *inv, json_t *order, json_t *pay, json_t *bill, char *why, size_t size)
{
	json_t *ol = json_object_get(order, "l"), *il = json_object_get(inv, "l"), *x, *y;
	size_t i, k;

	if (!same(jv(inv, "ebcCode"), jv(order, "ebcCode")))
		cg__reason_add(why, size, "电商企业代码与订单不符 ebcCode differs from the order");
	if (!same(jv(inv, "buyerIdNumber"), jv(order, "buyerIdNumber")) ||
	    !same(jv(inv, "buyerName"), jv(order, "buyerName")))
		cg__reason_add(why, size, "订购人与订单不符 buyer differs from the order");
	if (!same_dec(jv(pay, "amountPaid"), jv(order, "acturalPaid")))
		cg__reason_add(why, size, "支付金额与订单实际支付金额不符 amountPaid differs from acturalPaid");
	if (!same(jv(pay, "payerIdNumber"), jv(order, "buyerIdNumber")) ||
	    !same(jv(pay, "payerName"), jv(order, "buyerName")))
		cg__reason_add(why, size, "支付人与订购人不符 payer is not the buyer");
	if (!same(jv(bill, "orderNo"), jv(inv, "orderNo")))
		cg__reason_add(why, size, "运单的订单编号不符 waybill orderNo differs");
	if (!same(jv(bill, "consignee"), jv(order, "consignee")) ||
	    !same(jv(bill, "consigneeTelephone"), jv(order, "consigneeTelephone")) ||
	    !same(jv(bill, "consigneeAddress"), jv(order, "consigneeAddress")))
		cg__reason_add(why, size, "收货人与订单不符 consignee differs between waybill and order");
	if (json_array_size(ol) != json_array_size(il)) {
		cg__reason_add(why, size, "商品项数与订单不符 number of lines differs from the order");
		return;
	}
	json_array_foreach(il, i, x)
	{
		bool found = false;

		json_array_foreach(ol, k, y)
		{
			found = found || (same(json_string_value(json_object_get(x, "gnum")),
					       json_string_value(json_object_get(y, "gnum"))) &&
					  same(json_string_value(json_object_get(x, "gname")),
					       json_string_value(json_object_get(y, "itemName"))));
		}
		if (!found) {
			cg__reason_add(why, size, "商品名称与订单不符 a line's gname differs from the order's itemName");
			return;
		}
	}
}

/* The inventory's state, and its data only when that changed (the match mostly changes the state alone). */
static cg_rc
set_state(cg_store *st, cg_ctx *ctx, struct doc *d, const char *state, const char *reason)
{
	cg_db_stmt *s = q(st, d->changed ? S_DOC_SET : S_DOC_STATE);
	char *data = d->changed ? json_dumps(d->data, JSON_COMPACT) : NULL;
	int at = d->changed ? 5 : 4;
	cg_rc rc = CG_OK;

	if (d->changed && data == NULL)
		return CG_ENOMEM;
	if (s == NULL || cg_db_bind_int64(s, 1, d->id) != CG_OK ||
	    cg_db_bind_text(s, 2, state) != CG_OK ||
	    (reason != NULL && cg_db_bind_text(s, 3, reason) != CG_OK) ||
	    (data != NULL && cg_db_bind_text(s, 4, data) != CG_OK) ||
	    cg_db_bind_int64(s, at, (long long)time(NULL)) != CG_OK ||
	    cg_db_step(s) != CG_DB_DONE)
		rc = dbfail(st, ctx, "inventory state");
	free(data);
	(void)snprintf(d->state, sizeof(d->state), "%s", state);
	(void)snprintf(d->reason, sizeof(d->reason), "%s", reason != NULL ? reason : "");
	d->changed = false;
	return rc;
}

/* A 622 receipt for the inventory's declarant, built from its stored head. */
static cg_rc
receipt(cg_store *st, cg_ctx *ctx, const struct doc *d, const char *status, const char *info)
{
	const struct cg_msgdef *def = cg__msgdef_by_type(621);
	struct cg_group g;
	cg_buf xml = CG_BUF_INIT(0);
	const char *k;
	json_t *v;
	cg_db_stmt *s;
	cg_rc rc = cg__group_init(&g, def->head);

	json_object_foreach(json_object_get(d->data, "h"), k, v)
	{
		int idx = cg__edef_find(def->head, k);

		if (rc == CG_OK && idx >= 0 && json_is_string(v))
			rc = cg__group_set(&g, idx, json_string_value(v), 0, 0);
	}
	if (rc == CG_OK)
		rc = cg__receipt_build(def, &g, d->id, status, info, &xml);
	s = rc == CG_OK ? q(st, S_RCPT) : NULL;
	if (rc == CG_OK &&
	    (s == NULL || cg_db_bind_int64(s, 1, d->sender) != CG_OK ||
	     cg_db_bind_int64(s, 2, d->id) != CG_OK ||
	     cg_db_bind_text(s, 3, status) != CG_OK ||
	     cg_db_bind_blob(s, 4, xml.ptr, xml.len) != CG_OK ||
	     cg_db_bind_int64(s, 5, (long long)time(NULL)) != CG_OK ||
	     cg_db_step(s) != CG_DB_DONE))
		rc = dbfail(st, ctx, "inventory receipt");
	cg_buf_dispose(&xml);
	cg__group_dispose(&g);
	return rc == CG_OK ? cg__audit(st, ctx, "system", status, d->id, info) : rc;
}

/* Rebuild the inventory as a record, for the tax rules of tax.c. */
static cg_rc
as_decl(const struct doc *d, struct cg_msg **out)
{
	const struct cg_msgdef *def = cg__msgdef_by_type(621);
	struct cg_decl *decl;
	struct cg_group *line;
	json_t *o, *v;
	const char *k;
	size_t i;
	cg_rc rc = cg__msg_new(out, def);

	if (rc == CG_OK)
		rc = cg__msg_add_doc(*out, &decl);
	json_object_foreach(json_object_get(d->data, "h"), k, v)
	{
		if (rc == CG_OK && cg__edef_find(def->head, k) >= 0)
			rc = cg__group_set(&decl->head, cg__edef_find(def->head, k), json_string_value(v), 0, 0);
	}
	json_array_foreach(json_object_get(d->data, "l"), i, o)
	{
		if (rc == CG_OK)
			rc = cg__decl_add_line(decl, def, &line);
		json_object_foreach(o, k, v)
		{
			if (rc == CG_OK && cg__edef_find(def->list, k) >= 0)
				rc = cg__group_set(line, cg__edef_find(def->list, k), json_string_value(v), 0, 0);
		}
	}
	return rc;
}

static int
china_year(void)
{
	time_t t = time(NULL) + 8 * 3600;
	struct tm tm;

	return gmtime_r(&t, &tm) != NULL ? tm.tm_year + 1900 : 1970;
}

/* The buyer's ledger is keyed by the hash of the ID number: no personal data in it. */
static void
buyer_key(const struct doc *d, unsigned char key[32])
{
	const char *id = hv(d, "buyerIdNumber");

	(void)cg__digest(EVP_sha256(), id != NULL ? id : "", id != NULL ? strlen(id) : 0, key);
}

static cg_rc
quota_used(cg_store *st, cg_ctx *ctx, const unsigned char key[32], int year, cg_dec *used)
{
	cg_db_stmt *s = q(st, S_QUOTA_GET);

	*used = 0;
	if (s == NULL || cg_db_bind_blob(s, 1, key, 32) != CG_OK ||
	    cg_db_bind_int64(s, 2, year) != CG_OK)
		return dbfail(st, ctx, "quota");
	if (cg_db_step(s) == CG_DB_ROW)
		*used = (cg_dec)cg_db_column_int64(s, 0);
	cg_db_reset(s);
	return CG_OK;
}

/* Add @p value to the buyer's year if the sum stays within the annual limit; *taken says whether. */
static cg_rc
quota_take(cg_store *st, cg_ctx *ctx, const unsigned char key[32], int year, cg_dec value, bool *taken)
{
	cg_db_stmt *s = q(st, S_QUOTA_ADD);

	*taken = false;
	if (s == NULL || cg_db_bind_blob(s, 1, key, 32) != CG_OK ||
	    cg_db_bind_int64(s, 2, year) != CG_OK ||
	    cg_db_bind_int64(s, 3, (long long)value) != CG_OK ||
	    cg_db_bind_int64(s, 4, (long long)ANNUAL_LIMIT) != CG_OK || cg_db_step(s) != CG_DB_DONE)
		return dbfail(st, ctx, "quota");
	*taken = cg_db_changes(cg__store_db(st)) == 1;
	return CG_OK;
}

static bool
hs_watched(const struct cg_clearance_cfg *cfg, const struct doc *d)
{
	json_t *l;
	size_t i;

	json_array_foreach(json_object_get(d->data, "l"), i, l)
	{
		const char *g = json_string_value(json_object_get(l, "gcode"));
		const char *p = cfg->watch_hs;

		while (g != NULL && *p != '\0') {
			size_t n = strcspn(p, ",");

			if (n > 0 && strncmp(g, p, n) == 0)
				return true;
			p += n + (p[n] == ',');
		}
	}
	return false;
}

bool
cg__random_pick(int per_mille)
{
	unsigned r = 0;

	if (per_mille <= 0)
		return false;
	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		return true; /* no randomness: hold rather than let it through unseen */
	return (int)(r % 1000) < per_mille;
}

/* Why a matched inventory is held, or "" when it is released (with its priority). */
static void
risk(cg_store *st, const struct cg_clearance_cfg *cfg, const struct doc *d, cg_dec value,
     cg_dec used_after, char *why, size_t size, int *priority)
{
	cg_db_stmt *s = q(st, S_ENT_AGE);
	long long registered = 0;

	why[0] = '\0';
	*priority = 0;
	if (cfg->value_threshold > 0 && value >= cfg->value_threshold) {
		cg__reason_add(why, size, "value");
		*priority += 3;
	}
	if (cfg->watch_hs[0] != '\0' && hs_watched(cfg, d)) {
		cg__reason_add(why, size, "watched-hs");
		*priority += 2;
	}
	if (cfg->near_quota_percent > 0 &&
	    used_after * 100 >= ANNUAL_LIMIT * cfg->near_quota_percent) {
		cg__reason_add(why, size, "near-quota");
		*priority += 1;
	}
	if (s != NULL && cg_db_bind_int64(s, 1, d->sender) == CG_OK && cg_db_step(s) == CG_DB_ROW)
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
hold(cg_store *st, cg_ctx *ctx, struct doc *d, const char *why, int priority)
{
	cg_db_stmt *s = q(st, S_REVIEW_ADD);
	char info[300];
	cg_rc rc = set_state(st, ctx, d, "held", why);

	if (rc == CG_OK &&
	    (s == NULL || cg_db_bind_int64(s, 1, d->id) != CG_OK ||
	     cg_db_bind_text(s, 2, why) != CG_OK ||
	     cg_db_bind_int64(s, 3, priority) != CG_OK ||
	     cg_db_bind_int64(s, 4, (long long)time(NULL)) != CG_OK || cg_db_step(s) != CG_DB_DONE))
		rc = dbfail(st, ctx, "review queue");
	(void)snprintf(info, sizeof(info), "人工审核 held for review: %s", why);
	return rc == CG_OK ? receipt(st, ctx, d, "300", info) : rc;
}

/* Released: 399 and 800, then the electronic tax bill (taxbill.c). */
static cg_rc
release(cg_store *st, cg_ctx *ctx, const struct cg_codes *codes, struct doc *d)
{
	cg_rc rc = set_state(st, ctx, d, "released", NULL);

	if (rc == CG_OK)
		rc = receipt(st, ctx, d, "399", "海关审结 concluded");
	if (rc == CG_OK)
		rc = receipt(st, ctx, d, "800", "放行 released");
	return rc == CG_OK ? cg__taxbill_issue(st, ctx, codes, d->id, d->sender, d->data) : rc;
}

/*
 * The 179 risk rule: the platform's raw payment data is asked for inventories
 * worth pay179_value or more, and for a random pay179_per_mille share of the others.
 */
static cg_rc
pay179_rule(cg_store *st, cg_ctx *ctx, const struct cg_clearance_cfg *cfg, const struct doc *d,
	    cg_dec value)
{
	if (cfg->pay179_value > 0 && value >= cfg->pay179_value)
		return cg__pay179_queue(st, ctx, d->id, "system", "risk rule: value");
	if (cg__random_pick(cfg->pay179_per_mille))
		return cg__pay179_queue(st, ctx, d->id, "system", "risk rule: random");
	return CG_OK;
}

/* Everything of §10 for a matched inventory: tax, limits, ledger, risk. */
static cg_rc
clear(cg_store *st, cg_ctx *ctx, const struct cg_codes *codes, const struct cg_clearance_cfg *cfg,
      struct doc *d)
{
	struct cg_msg *m = NULL;
	unsigned char key[32];
	cg_dec tax = 0, value = 0, used = 0;
	char why[200], txt[200], invt[40];
	int year = china_year(), priority;
	bool taken = false;
	cg_rc rc = as_decl(d, &m);

	if (rc == CG_OK && !cg__dutiable_value(&m->docs[0], &value))
		rc = CG_EINVAL;
	if (rc == CG_OK && !cg__tax_inventory(codes, &m->docs[0], &tax, &value))
		tax = -1; /* an HS code off the list: no tax figure (the rules refused it already) */
	cg__msg_free(m);
	if (rc != CG_OK)
		return rc == CG_EINVAL ? CG_OK : rc;
	/* The customs inventory number: district + year + I + serial (ceb-spec §3.5). */
	(void)snprintf(invt, sizeof(invt), "%.4s%04dI%09lld", hv(d, "customsCode") ? hv(d, "customsCode") : "0000",
		       year, d->id % 1000000000LL);
	(void)json_object_set_new(json_object_get(d->data, "h"), "invtNo", json_string(invt));
	if (tax >= 0) {
		cg__dec_format(tax, txt, sizeof(txt));
		(void)json_object_set_new(d->data, "tax", json_string(txt));
	}
	d->changed = true;
	if (value > SINGLE_LIMIT && !(json_array_size(json_object_get(d->data, "l")) == 1))
		return set_state(st, ctx, d, "rejected", "single") == CG_OK
			       ? receipt(st, ctx, d, "-621005", "超过单次交易限值5000元 over the single-transaction limit")
			       : CG_EDB;
	buyer_key(d, key);
	rc = quota_take(st, ctx, key, year, value, &taken);
	if (rc == CG_OK && !taken)
		return set_state(st, ctx, d, "rejected", "annual") == CG_OK
			       ? receipt(st, ctx, d, "-621018", "超过年度交易限值26000元 over the annual limit")
			       : CG_EDB;
	/* The sum after this inventory, for the near-quota rule (the row is ours to the commit). */
	if (rc == CG_OK)
		rc = quota_used(st, ctx, key, year, &used);
	if (rc == CG_OK)
		rc = receipt(st, ctx, d, "120", "四单比对通过，海关入库 matched and stored");
	if (rc != CG_OK)
		return rc;
	risk(st, cfg, d, value, used, why, sizeof(why), &priority);
	rc = pay179_rule(st, ctx, cfg, d, value);
	if (rc != CG_OK)
		return rc;
	return why[0] != '\0' ? hold(st, ctx, d, why, priority) : release(st, ctx, codes, d);
}

/* The match keys as the inventory's head gives them: ebpCode|orderNo, logisticsCode|logisticsNo. */
static void
keys_of(json_t *inv, char *order_key, char *waybill_key, size_t size)
{
	(void)snprintf(order_key, size, "%s|%s", jv(inv, "ebpCode") ? jv(inv, "ebpCode") : "",
		       jv(inv, "orderNo") ? jv(inv, "orderNo") : "");
	(void)snprintf(waybill_key, size, "%s|%s", jv(inv, "logisticsCode") ? jv(inv, "logisticsCode") : "",
		       jv(inv, "logisticsNo") ? jv(inv, "logisticsNo") : "");
}

/* The inventory's order, payment and waybill, and what keeps the four from matching. */
static void
match_of(cg_store *st, json_t *inv, struct cg_inv_match *m)
{
	char order_key[128], waybill_key[128];
	cg_db_stmt *s = q(st, S_MATCH_DOCS);

	memset(m, 0, sizeof(*m));
	keys_of(inv, order_key, waybill_key, sizeof(order_key));
	if (s != NULL && cg_db_bind_text(s, 1, order_key) == CG_OK &&
	    cg_db_bind_text(s, 2, waybill_key) == CG_OK && cg_db_step(s) == CG_DB_ROW) {
		m->order = column_json(s, 0);
		m->pay = column_json(s, 1);
		m->bill = column_json(s, 2);
	}
	if (s != NULL)
		cg_db_reset(s);
	if (m->order == NULL)
		cg__reason_add(m->why, sizeof(m->why), "缺少订单 order missing");
	if (m->pay == NULL)
		cg__reason_add(m->why, sizeof(m->why), "缺少支付单 payment missing");
	if (m->bill == NULL)
		cg__reason_add(m->why, sizeof(m->why), "缺少运单 waybill missing");
	if (m->why[0] == '\0')
		compare(inv, m->order, m->pay, m->bill, m->why, sizeof(m->why));
}

void
cg__clearance_match_dispose(struct cg_inv_match *m)
{
	json_decref(m->order);
	json_decref(m->pay);
	json_decref(m->bill);
	memset(m, 0, sizeof(*m));
}

/* The four-document match of one inventory as stored: waiting (with what it lacks) or cleared. */
static cg_rc
evaluate(cg_store *st, cg_ctx *ctx, const struct cg_codes *codes, const struct cg_clearance_cfg *cfg,
	 long long inv_id)
{
	struct doc d;
	struct cg_inv_match m;
	cg_rc rc = load_inventory(st, ctx, inv_id, &d);

	if (rc != CG_OK || (strcmp(d.state, "declared") != 0 && strcmp(d.state, "waiting") != 0)) {
		json_decref(d.data);
		return rc;
	}
	match_of(st, d.data, &m);
	/* Its reason is kept for the receipt that refuses it if nothing changes in time. */
	rc = m.why[0] != '\0' ? set_state(st, ctx, &d, "waiting", m.why) : clear(st, ctx, codes, cfg, &d);
	cg__clearance_match_dispose(&m);
	json_decref(d.data);
	return rc;
}

cg_rc
cg__clearance_prematch(cg_store *st, cg_ctx *ctx, const char *order_key, const char *waybill_key,
		       json_t *inv, struct cg_inv_match *m)
{
	cg_rc rc = cg__clearance_lock_keys(st, ctx, order_key, waybill_key);

	memset(m, 0, sizeof(*m));
	if (rc == CG_OK)
		match_of(st, inv, m);
	return rc;
}

cg_rc
cg__clearance_matched(cg_store *st, cg_ctx *ctx, const struct cg_codes *codes,
		      const struct cg_clearance_cfg *cfg, long long id, long long sender, json_t *inv,
		      const struct cg_inv_match *m)
{
	/* As stored a moment ago: nobody else sees the row before the commit, so it is not read back. */
	struct doc d = { .id = id, .sender = sender, .created = (long long)time(NULL), .state = "declared",
			 .data = inv };

	return m->why[0] == '\0' ? clear(st, ctx, codes, cfg, &d) : CG_OK;
}

static cg_rc
evaluate_all(cg_store *st, cg_ctx *ctx, const struct cg_codes *codes,
	     const struct cg_clearance_cfg *cfg, int qid, const char *key)
{
	long long ids[64];
	int n = 0, i;
	cg_db_stmt *s = q(st, qid);
	cg_rc rc = CG_OK;

	if (s == NULL || cg_db_bind_text(s, 1, key) != CG_OK)
		return dbfail(st, ctx, "find inventories");
	while (n < 64 && cg_db_step(s) == CG_DB_ROW)
		ids[n++] = cg_db_column_int64(s, 0);
	cg_db_reset(s);
	for (i = 0; i < n && rc == CG_OK; i++)
		rc = evaluate(st, ctx, codes, cfg, ids[i]);
	return rc;
}

/*
 * A match key (ebpCode|orderNo, logisticsCode|logisticsNo) for the rest of
 * the transaction. Two documents of one declaration written at once on two
 * nodes would each miss the other (neither committed) and leave the
 * inventory waiting: with the key locked, the second writer reads after the
 * first one's commit and sees both.
 */
static cg_rc
lock_key(cg_store *st, cg_ctx *ctx, const char *key)
{
	cg_db_stmt *s = key != NULL ? q(st, S_KEY_LOCK) : NULL;
	int r;

	if (key == NULL)
		return CG_OK;
	if (s == NULL || cg_db_bind_text(s, 1, key) != CG_OK)
		return dbfail(st, ctx, "match key");
	r = cg_db_step(s);
	cg_db_reset(s);
	return r == CG_DB_ROW || r == CG_DB_DONE ? CG_OK : dbfail(st, ctx, "match key");
}

/* An inventory's two keys in one order (S_KEYS_LOCK): two inventories never wait for each other in a cycle. */
cg_rc
cg__clearance_lock_keys(cg_store *st, cg_ctx *ctx, const char *a, const char *b)
{
	cg_rc rc;

	if (a != NULL && b != NULL) {
		cg_db_stmt *s = q(st, S_KEYS_LOCK);
		int r;

		if (s == NULL || cg_db_bind_text(s, 1, a) != CG_OK || cg_db_bind_text(s, 2, b) != CG_OK)
			return dbfail(st, ctx, "match keys");
		r = cg_db_step(s);
		cg_db_reset(s);
		return r == CG_DB_ROW || r == CG_DB_DONE ? CG_OK : dbfail(st, ctx, "match keys");
	}
	rc = lock_key(st, ctx, a);
	return rc == CG_OK ? lock_key(st, ctx, b) : rc;
}

cg_rc
cg__clearance_after(cg_store *st, cg_ctx *ctx, const struct cg_codes *codes,
		    const struct cg_clearance_cfg *cfg, int kind, const char *order_key,
		    const char *waybill_key, long long doc_id)
{
	cg_rc rc;

	switch (kind) {
	case 311:
	case 411:
		if (order_key == NULL)
			return CG_OK;
		rc = lock_key(st, ctx, order_key);
		return rc == CG_OK ? evaluate_all(st, ctx, codes, cfg, S_INV_BY_ORDER, order_key) : rc;
	case 511:
		if (waybill_key == NULL)
			return CG_OK;
		rc = lock_key(st, ctx, waybill_key);
		return rc == CG_OK ? evaluate_all(st, ctx, codes, cfg, S_INV_BY_WAYBILL, waybill_key) : rc;
	case 625:
		return cg__taxbill_return(st, ctx, cfg, doc_id);
	default:
		return CG_OK;
	}
}

int
cg__waiting_ids(cg_db_stmt *s, long long cutoff, long long *ids, int max)
{
	int n = 0;

	if (s == NULL || cg_db_bind_int64(s, 1, cutoff) != CG_OK)
		return -1;
	while (n < max && cg_db_step(s) == CG_DB_ROW)
		ids[n++] = cg_db_column_int64(s, 0);
	cg_db_reset(s);
	return n;
}

bool
cg__clearance_sweep_due(cg_store *st, const struct cg_clearance_cfg *cfg, long long now)
{
	long long one;

	/* On failure, due: the sweep says what failed. */
	return cfg->match_timeout > 0 &&
	       cg__waiting_ids(q(st, S_DUE), now - cfg->match_timeout, &one, 1) != 0;
}

/*
 * What a waiting inventory lacks: its reason since it waits (set with its
 * state); in its data for one stored before the reason alone was kept.
 */
static const char *
waiting_for(const struct doc *d)
{
	const char *why = json_string_value(json_object_get(d->data, "why"));

	if (strcmp(d->state, "waiting") == 0 && d->reason[0] != '\0')
		return d->reason;
	return why != NULL ? why : "documents missing";
}

cg_rc
cg__clearance_sweep(cg_store *st, cg_ctx *ctx, const struct cg_clearance_cfg *cfg, long long now,
		    int *rejected)
{
	long long ids[500];
	int n, i;
	cg_rc rc = CG_OK;

	*rejected = 0;
	if (cfg->match_timeout <= 0)
		return CG_OK;
	n = cg__waiting_ids(q(st, S_WAITING), now - cfg->match_timeout, ids, 500);
	if (n < 0)
		return dbfail(st, ctx, "sweep");
	for (i = 0; i < n && rc == CG_OK; i++) {
		struct doc d;
		char info[700];

		rc = load_inventory(st, ctx, ids[i], &d);
		if (rc != CG_OK)
			break;
		/* Matched or refused since it was listed (by a transaction that had it first). */
		if (strcmp(d.state, "declared") != 0 && strcmp(d.state, "waiting") != 0) {
			json_decref(d.data);
			continue;
		}
		(void)snprintf(info, sizeof(info), "比对超时退单 not matched in time: %s", waiting_for(&d));
		rc = set_state(st, ctx, &d, "rejected", "timeout");
		if (rc == CG_OK)
			rc = receipt(st, ctx, &d, "100", info);
		json_decref(d.data);
		*rejected += rc == CG_OK;
	}
	return rc;
}

cg_rc
cg__clearance_decide(cg_store *st, cg_ctx *ctx, const struct cg_codes *codes, long long doc_id,
		     const char *state, const char *status, const char *info, const char *actor)
{
	struct doc d;
	cg_rc rc = load_inventory(st, ctx, doc_id, &d);

	if (rc == CG_OK)
		rc = set_state(st, ctx, &d, state, info);
	if (rc == CG_OK && strcmp(status, "800") == 0)
		rc = receipt(st, ctx, &d, "399", "海关审结 concluded");
	if (rc == CG_OK)
		rc = receipt(st, ctx, &d, status, info);
	if (rc == CG_OK)
		rc = cg__audit(st, ctx, actor, state, doc_id, info);
	if (rc == CG_OK && strcmp(status, "800") == 0)
		rc = cg__taxbill_issue(st, ctx, codes, d.id, d.sender, d.data);
	json_decref(d.data);
	return rc;
}
