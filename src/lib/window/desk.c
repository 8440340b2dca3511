/* SPDX-License-Identifier: MIT */
/*
 * The officer's desk: what an officer needs beside the bare review queue (the
 * four documents compared field by field, the rule hits, the tax and the
 * buyer's quota, masked personal numbers and their audited reveal), the
 * dashboard series, the public results of random inspections (双随机、一公开)
 * and the end of a browser session. Read-only except the reveal's audit row
 * and the logout.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include <openssl/evp.h>
#include "cebgate/review.h"
#include "cebgate/session.h"
#include "util/decimal.h"
#include "window/desk_internal.h"
#include "window/taxbill.h"
#include "window/service_internal.h"
#include "sig/sigcore.h"

/* This file's statements, cached on the store's connection (db.h). */
/* The public report's counts, the same on both back ends. */
#define COUNTS                                                                             \
	" coalesce(sum(CASE WHEN r.state = 'decided' THEN 1 ELSE 0 END), 0) AS inspected,"   \
	" coalesce(sum(CASE WHEN r.decision = 'release' THEN 1 ELSE 0 END), 0) AS \"inOrder\"," \
	" coalesce(sum(CASE WHEN r.decision IN ('return', 'detain') THEN 1 ELSE 0 END), 0) AS irregular"
enum { D_REVIEW, D_QUOTA, D_HOURLY, D_QUEUE, D_REVIEW_TIME, D_HOLDS, D_REJECTS, D_MATCH,
       D_PUBLIC, D_REVOKE };

/* json_extract, strftime and instr are SQLite's: PostgreSQL's variants below. */
static const char *const sql[] = {
	[D_REVIEW] = "SELECT r.reason, r.priority, r.state, u.name, r.lease_until, r.decision,"
			  " r.decision_reason, r.decided_at, r.created FROM review r"
			  " LEFT JOIN \"user\" u ON u.id = r.claimed_by WHERE r.document_id = $1",
	[D_QUOTA] = "SELECT used FROM quota WHERE buyer = $1 AND year = $2",
	[D_HOURLY] = "SELECT created / 3600, return_status, count(*) FROM receipt"
			  " WHERE msg_type = 'CEB622Message' AND created >= $1"
			  " AND (return_status IN ('800', '300', '500', '501', '100')"
			  " OR return_status LIKE '-%') GROUP BY 1, 2",
	/* Queue depth and oldest item at the end of each hour and now, from the review rows themselves. */
	[D_QUEUE] = "WITH RECURSIVE h(t) AS (SELECT CASE WHEN CAST($1 AS BIGINT) < CAST($2 AS BIGINT)"
			 " THEN CAST($1 AS BIGINT) ELSE CAST($2 AS BIGINT) END"
			 " UNION ALL SELECT CASE WHEN t + 3600 < $2 THEN t + 3600 ELSE $2 END FROM h WHERE t < $2)"
			 " SELECT t, (SELECT count(*) FROM review WHERE created <= h.t"
			 " AND (decided_at IS NULL OR decided_at > h.t)),"
			 " (SELECT min(created) FROM review WHERE created <= h.t"
			 " AND (decided_at IS NULL OR decided_at > h.t)) FROM h",
	[D_REVIEW_TIME] = "SELECT decided_at - created FROM review WHERE state = 'decided'"
			       " AND decided_at >= $1 ORDER BY 1",
	[D_HOLDS] = "SELECT reason, count(*) FROM review WHERE created >= $1 GROUP BY reason",
	[D_REJECTS] = "SELECT r, n FROM (SELECT reason AS r, count(*) AS n FROM document"
			   " WHERE kind = 621 AND state = 'rejected' AND updated >= $1 GROUP BY reason"
			   " UNION ALL SELECT 'officer-' || decision, count(*) FROM review"
			   " WHERE decision IN ('return', 'detain') AND decided_at >= $1 GROUP BY decision) AS x"
			   " ORDER BY n DESC, r LIMIT 10",
	[D_MATCH] = "SELECT coalesce(json_extract(data, '$.h.ebcCode'), ''),"
			 " coalesce(json_extract(data, '$.h.ebcName'), ''), count(*),"
			 " sum(CASE WHEN state = 'waiting' OR (state = 'rejected' AND reason = 'timeout')"
			 " THEN 1 ELSE 0 END)"
			 " FROM document WHERE kind = 621 AND created >= $1 GROUP BY 1, 2"
			 " ORDER BY 4 * 1.0 / count(*) DESC, 1 LIMIT 20",
	/* Only enterprise codes, names and counts: nothing about a buyer leaves. */
	/* Column names are the JSON keys; json_extract, strftime and instr are SQLite's. */
	[D_PUBLIC] = "SELECT coalesce(json_extract(d.data, '$.h.ebcCode'), '') AS enterprise,"
		     " coalesce(json_extract(d.data, '$.h.ebcName'), '') AS name,"
		     " strftime('%Y-%m', r.created + 8 * 3600, 'unixepoch') AS period,"
		     " count(*) AS selected," COUNTS " FROM review r"
		     " JOIN document d ON d.id = r.document_id WHERE instr(r.reason, 'random') > 0"
		     " GROUP BY 1, 2, 3 ORDER BY 3 DESC, 1",
	[D_REVOKE] = "UPDATE token SET revoked = 1 WHERE hash = $1 AND user_id IS NOT NULL",
};
static const char *const pg_sql[sizeof(sql) / sizeof(sql[0])] = {
	[D_MATCH] = "SELECT coalesce(data::jsonb #>> '{h,ebcCode}', ''),"
			 " coalesce(data::jsonb #>> '{h,ebcName}', ''), count(*),"
			 " sum(CASE WHEN state = 'waiting' OR (state = 'rejected' AND reason = 'timeout')"
			 " THEN 1 ELSE 0 END)"
			 " FROM document WHERE kind = 621 AND created >= $1 GROUP BY 1, 2"
			 " ORDER BY 4 * 1.0 / count(*) DESC, 1 LIMIT 20",
	/* The session's time zone is UTC (db_pg.c): +8 h is Beijing time, as above. */
	[D_PUBLIC] = "SELECT coalesce(d.data::jsonb #>> '{h,ebcCode}', '') AS enterprise,"
		     " coalesce(d.data::jsonb #>> '{h,ebcName}', '') AS name,"
		     " to_char(to_timestamp(r.created + 8 * 3600), 'YYYY-MM') AS period,"
		     " count(*) AS selected," COUNTS " FROM review r"
		     " JOIN document d ON d.id = r.document_id WHERE strpos(r.reason, 'random') > 0"
		     " GROUP BY 1, 2, 3 ORDER BY 3 DESC, 1",
};
CG_DB_MODULE_PG(desk_sql, "desk", sql, pg_sql);

static cg_db_stmt *
q(cg_store *st, int id)
{
	return cg_db_prepared(cg__store_db(st), &desk_sql, id);
}

/* ---- the officer's view of one inventory ---------------------------------------- */

static const char *const docs[4] = { "inventory", "order", "payment", "waybill" };

/* Personal numbers: masked in every view, shown only by an audited reveal. */
static const char *const personal[] = { "buyerIdNumber", "payerIdNumber", "buyerTelephone",
					"consigneeTelephone", "telephone" };

static bool
is_personal(const char *field)
{
	size_t i;

	for (i = 0; i < sizeof(personal) / sizeof(personal[0]); i++) {
		if (strcmp(field, personal[i]) == 0)
			return true;
	}
	return false;
}

/* 110101********1234, 138****5678: the ends stay so that an officer can tell numbers apart. */
static json_t *
masked(const char *v)
{
	size_t n = strlen(v), i, head = n > 8 ? 3 : 1, tail = n > 8 ? 4 : 1;
	char buf[128];

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	for (i = 0; i < n; i++) {
		bool keep = (i < head || i >= n - tail) && n > 2 && (unsigned char)v[i] < 0x80;

		buf[i] = keep ? v[i] : '*';
	}
	buf[n] = '\0';
	return json_string(buf);
}

static void
mask_doc(json_t *doc)
{
	json_t *h = json_object_get(doc, "h"), *v;
	const char *k;

	json_object_foreach(h, k, v)
	{
		if (is_personal(k) && json_is_string(v))
			(void)json_object_set_new(h, k, masked(json_string_value(v)));
	}
}

/* Which field of each document (inventory, order, payment, waybill) says the same thing. */
static const struct pair {
	const char *name;
	const char *f[4];
	bool decimal;
} pairs[] = {
	{ "orderNo", { "orderNo", "orderNo", "orderNo", "orderNo" }, false },
	{ "ebpCode", { "ebpCode", "ebpCode", "ebpCode", NULL }, false },
	{ "ebcCode", { "ebcCode", "ebcCode", NULL, NULL }, false },
	{ "logisticsCode", { "logisticsCode", NULL, NULL, "logisticsCode" }, false },
	{ "logisticsNo", { "logisticsNo", NULL, NULL, "logisticsNo" }, false },
	{ "buyerName", { "buyerName", "buyerName", "payerName", NULL }, false },
	{ "buyerIdNumber", { "buyerIdNumber", "buyerIdNumber", "payerIdNumber", NULL }, false },
	{ "buyerTelephone", { "buyerTelephone", "buyerTelephone", "telephone", NULL }, false },
	{ "consignee", { NULL, "consignee", NULL, "consignee" }, false },
	{ "consigneeTelephone", { NULL, "consigneeTelephone", NULL, "consigneeTelephone" }, false },
	{ "consigneeAddress", { "consigneeAddress", "consigneeAddress", NULL, "consigneeAddress" }, false },
	{ "payCode", { NULL, "payCode", "payCode", NULL }, false },
	{ "payTransactionId", { NULL, "payTransactionId", "payTransactionId", NULL }, false },
	{ "amountPaid", { NULL, "acturalPaid", "amountPaid", NULL }, true },
	{ "freight", { "freight", "freight", NULL, "freight" }, true },
	{ "insuredFee", { "insuredFee", NULL, NULL, "insuredFee" }, true },
	{ "weight", { "grossWeight", NULL, NULL, "weight" }, true },
	{ "packNo", { "packNo", NULL, NULL, "packNo" }, true },
	{ "billNo", { "billNo", NULL, NULL, "billNo" }, false },
};

static bool
equal(const char *a, const char *b, bool decimal)
{
	cg_dec x, y;

	if (decimal && cg__dec_parse(a, &x) && cg__dec_parse(b, &y))
		return x == y;
	return strcmp(a, b) == 0;
}

static const char *
head_value(json_t *view, int doc, const char *field)
{
	json_t *h = json_object_get(json_object_get(view, docs[doc]), "h");

	return field != NULL ? json_string_value(json_object_get(h, field)) : NULL;
}

/* One row of the side-by-side table; values still unmasked (masked by the caller). */
static json_t *
compare_row(json_t *view, const struct pair *p)
{
	json_t *values = json_object(), *fields = json_object();
	const char *first = NULL;
	bool differs = false;
	int d;

	for (d = 0; d < 4; d++) {
		const char *v = head_value(view, d, p->f[d]);

		if (p->f[d] != NULL)
			(void)json_object_set_new(fields, docs[d], json_string(p->f[d]));
		if (v == NULL)
			continue;
		(void)json_object_set_new(values, docs[d], is_personal(p->f[d]) ? masked(v) : json_string(v));
		if (first == NULL)
			first = v;
		else
			differs = differs || !equal(first, v, p->decimal);
	}
	return json_pack("{s:s, s:o, s:o, s:b}", "field", p->name, "fields", fields, "values", values,
			 "differs", differs);
}

/* ---- an export inventory beside its documents (ceb-export-spec.md §2.6) ------------------ */

/*
 * The documents an export inventory is compared with: its order (303, or the
 * 9710/9810 booking), receipt of payment (403, when sent), waybill (505), the
 * site's arrival (507), the departure (509) and the master/house list (607).
 */
#define XDOCS 7
static const char *const xdocs[XDOCS] = { "inventory", "order", "payment", "waybill",
					  "arrival", "departure", "list" };

/* Which field of each of xdocs says the same thing; a list's fields are its parcel's line's. */
static const struct xpair {
	const char *name;
	const char *f[XDOCS];
	bool decimal;
} xpairs[] = {
	{ "orderNo", { "orderNo", "orderNo", "orderNo" }, false },
	{ "ebpCode", { "ebpCode", "ebpCode", "ebpCode" }, false },
	{ "ebcCode", { "ebcCode", "ebcCode", "ebcCode", "ebcCode" }, false },
	{ "ebcName", { "ebcName", "ebcName", "ebcName", "ebcName" }, false },
	/* The inventory's value is its lines' Σ totalPrice, its currency that of its first line. */
	{ "goodsValue", { "goodsValue", "goodsValue" }, true },
	/* What the consignor received: the order's goods and freight (§2.6, 403 charge). */
	{ "charge", { NULL, "charge", "charge" }, true },
	{ "currency", { "currency", "currency", "currency" }, false },
	{ "logisticsCode", { "logisticsCode", NULL, NULL, "logisticsCode", "logisticsCode", "logisticsCode",
			     "logisticsCode" }, false },
	{ "logisticsNo", { "logisticsNo", NULL, NULL, "logisticsNo", "logisticsNo", "logisticsNo",
			   "logisticsNo" }, false },
	{ "invtNo", { "invtNo", NULL, NULL, NULL, NULL, NULL, "invtNo" }, false },
	{ "customsCode", { "customsCode", NULL, NULL, NULL, "customsCode", "customsCode", "customsCode" }, false },
	{ "billNo", { "billNo", NULL, NULL, NULL, "billNo", "billNo", "billNo" }, false },
	{ "trafMode", { "trafMode", NULL, NULL, NULL, "trafMode", "trafMode", "trafMode" }, false },
	{ "trafName", { "trafName", NULL, NULL, NULL, NULL, "trafName", "trafName" }, false },
	{ "voyageNo", { "voyageNo", NULL, NULL, NULL, NULL, "voyageNo", "voyageNo" }, false },
	{ "totalPackageNo", { "totalPackageNo", NULL, NULL, NULL, "totalPackageNo", "totalPackageNo",
			      "totalPackageNo" }, false },
	{ "loctNo", { "loctNo", NULL, NULL, NULL, "loctNo", NULL, "loctNo" }, false },
	{ "freight", { "freight", NULL, NULL, "freight" }, true },
	{ "insuredFee", { "insuredFee", NULL, NULL, "insuredFee" }, true },
	{ "grossWeight", { "grossWeight", NULL, NULL, "grossWeight" }, true },
	{ "packNo", { "packNo", NULL, NULL, "packNo" }, true },
};

/* The inventory's head with its value and currency, as the order states them. */
static json_t *
export_inventory_facts(json_t *inv)
{
	json_t *out = json_deep_copy(json_object_get(inv, "h")), *l;
	cg_dec sum = 0, v;
	bool ok = true;
	char buf[64];
	size_t i;

	if (out == NULL)
		return json_object();
	json_array_foreach(json_object_get(inv, "l"), i, l)
	{
		const char *t = json_string_value(json_object_get(l, "totalPrice"));

		ok = ok && t != NULL && cg__dec_parse(t, &v);
		sum += ok ? v : 0;
	}
	cg__dec_format(sum, buf, sizeof(buf));
	if (ok && json_array_size(json_object_get(inv, "l")) > 0)
		(void)json_object_set_new(out, "goodsValue", json_string(buf));
	l = json_object_get(json_array_get(json_object_get(inv, "l"), 0), "currency");
	if (json_is_string(l))
		(void)json_object_set(out, "currency", l);
	return out;
}

/* The order's head with what the buyer paid: goodsValue + freight, as a receipt of payment states it. */
static json_t *
export_order_facts(json_t *order)
{
	json_t *out = json_deep_copy(json_object_get(order, "h"));
	const char *gv, *fr;
	cg_dec g, f;
	char buf[64];

	if (out == NULL)
		return json_object();
	gv = json_string_value(json_object_get(out, "goodsValue"));
	fr = json_string_value(json_object_get(out, "freight"));
	if (gv != NULL && fr != NULL && cg__dec_parse(gv, &g) && cg__dec_parse(fr, &f)) {
		cg__dec_format(g + f, buf, sizeof(buf));
		(void)json_object_set_new(out, "charge", json_string(buf));
	}
	return out;
}

/* A 507, 509 or 607's head with the fields of its line that names the parcel @p no. */
static json_t *
parcel_facts(json_t *doc, const char *no)
{
	json_t *out = json_deep_copy(json_object_get(doc, "h")), *l;
	size_t i;

	if (out == NULL)
		return json_object();
	json_array_foreach(json_object_get(doc, "l"), i, l)
	{
		const char *x = json_string_value(json_object_get(l, "logisticsNo"));

		if (x != NULL && no != NULL && strcmp(x, no) == 0) {
			(void)json_object_update(out, l);
			break;
		}
	}
	return out;
}

/* One row of the export comparison over the facts of each document (NULL: not there). */
static json_t *
export_row(json_t *const *facts, const struct xpair *p)
{
	json_t *values = json_object(), *fields = json_object();
	const char *first = NULL;
	bool differs = false;
	int d;

	for (d = 0; d < XDOCS; d++) {
		const char *v = p->f[d] != NULL && facts[d] != NULL
					? json_string_value(json_object_get(facts[d], p->f[d]))
					: NULL;

		if (p->f[d] != NULL)
			(void)json_object_set_new(fields, xdocs[d], json_string(p->f[d]));
		if (v == NULL || v[0] == '\0')
			continue;
		(void)json_object_set_new(values, xdocs[d], json_string(v));
		if (first == NULL)
			first = v;
		else
			differs = differs || !equal(first, v, p->decimal);
	}
	return json_pack("{s:s, s:o, s:o, s:b}", "field", p->name, "fields", fields, "values", values,
			 "differs", differs);
}

/*
 * The export comparison: the fields that must agree across the inventory and
 * its documents, side by side; "documents" names the columns and says which
 * documents are there.
 */
static json_t *
export_comparison(json_t *view)
{
	json_t *facts[XDOCS] = { NULL }, *cmp = json_array(), *present = json_array();
	const char *no = json_string_value(
		json_object_get(json_object_get(json_object_get(view, "inventory"), "h"), "logisticsNo"));
	size_t i;
	int d;

	for (d = 0; d < XDOCS; d++) {
		json_t *doc = json_object_get(view, xdocs[d]);

		if (doc == NULL || json_is_null(doc))
			facts[d] = NULL;
		else if (d == 0)
			facts[d] = export_inventory_facts(doc);
		else if (d == 1)
			facts[d] = export_order_facts(doc);
		else if (d >= 4)
			facts[d] = parcel_facts(doc, no);
		else
			facts[d] = json_incref(json_object_get(doc, "h"));
		(void)json_array_append_new(present, json_pack("{s:s, s:b}", "name", xdocs[d], "present",
								 facts[d] != NULL));
	}
	for (i = 0; i < sizeof(xpairs) / sizeof(xpairs[0]); i++)
		(void)json_array_append_new(cmp, export_row(facts, &xpairs[i]));
	for (d = 0; d < XDOCS; d++)
		json_decref(facts[d]);
	(void)json_object_set_new(view, "documents", present);
	return cmp;
}

static bool
is_export(json_t *view)
{
	const char *ie = json_string_value(
		json_object_get(json_object_get(json_object_get(view, "inventory"), "h"), "ieFlag"));

	return ie != NULL && strcmp(ie, "E") == 0;
}

static json_t *
line_of(json_t *lines, const char *gnum)
{
	json_t *l;
	size_t i;

	json_array_foreach(lines, i, l)
	{
		const char *g = json_string_value(json_object_get(l, "gnum"));

		if (g != NULL && gnum != NULL && strcmp(g, gnum) == 0)
			return l;
	}
	return NULL;
}

/* A code of table @p t with its Chinese and English names at @p date ({code} alone when unknown). */
static json_t *
named(const struct cg_codes *codes, enum cg_table t, const char *code, const char *date)
{
	const char *names[8], *vals[8];
	size_t n = codes != NULL && code != NULL && code[0] != '\0'
			   ? cg__codes_row(codes, t, code, date, NULL, names, vals, 8)
			   : 0, i;
	json_t *o;

	if (code == NULL || code[0] == '\0')
		return json_null();
	o = json_pack("{s:s}", "code", code);
	for (i = 1; o != NULL && i < n; i++) {
		if (strcmp(names[i], "zh") == 0 || strcmp(names[i], "en") == 0)
			(void)json_object_set_new(o, names[i], json_string(vals[i]));
	}
	return o;
}

/*
 * What the tariff in force at the declaration date says of a goods line that
 * the officer must see: its name in the tariff, its legal units, its
 * supervision conditions (监管条件) and inspection category (检验检疫类别),
 * and the tariff edition that said it. Null fields when the code is not in
 * the tariff (the rules report that).
 */
static json_t *
tariff_of(const struct cg_codes *codes, const char *gcode, const char *date)
{
	struct cg_edition_use use = { 0 };
	const struct cg_hs *hs =
		codes != NULL && gcode != NULL ? cg__codes_hs_at(codes, gcode, date, &use) : NULL;

	if (hs == NULL)
		return json_pack("{s:n, s:n, s:n, s:n, s:n, s:n}", "supervision", "inspection", "edition",
				 "name", "unit1", "unit2");
	return json_pack("{s:s, s:s, s:s?, s:s, s:o, s:o}", "supervision", hs->supervision,
			 "inspection", hs->inspection, "edition",
			 use.ed != NULL ? use.ed->edition : NULL, "name", hs->name, "unit1",
			 named(codes, CG_T_UNIT, hs->unit1, date), "unit2",
			 named(codes, CG_T_UNIT, hs->unit2, date));
}

/* The line's country of origin and its legal quantities (qty1/unit1, qty2/unit2), named. */
static void
line_facts(json_t *out, json_t *l, const struct cg_codes *codes, const char *date)
{
	static const char *const qf[] = { "qty1", "qty2" }, *const uf[] = { "unit1", "unit2" };
	json_t *legal = json_array();
	size_t k;

	for (k = 0; k < 2 && legal != NULL; k++) {
		const char *qty = json_string_value(json_object_get(l, qf[k]));
		json_t *u;

		if (qty == NULL || qty[0] == '\0')
			continue;
		u = named(codes, CG_T_UNIT, json_string_value(json_object_get(l, uf[k])), date);
		(void)json_array_append_new(legal, json_pack("{s:s, s:o}", "qty", qty, "unit", u));
	}
	(void)json_object_set_new(out, "legal", legal != NULL ? legal : json_null());
	(void)json_object_set_new(out, "origin", named(codes, CG_T_COUNTRY,
							json_string_value(json_object_get(l, "country")), date));
}

/* The goods lines of the inventory beside the order's, by gnum, with the tariff's facts. */
static json_t *
compare_lines(json_t *view, const struct cg_codes *codes)
{
	static const char *const inv_f[] = { "gname", "qty", "price", "totalPrice" };
	static const char *const ord_f[] = { "itemName", "qty", "price", "totalPrice" };
	/* An export line carries the seller's own name too: that is what the order says. */
	const char *name_f = is_export(view) ? "itemName" : "gname";
	json_t *out = json_array(), *il = json_object_get(json_object_get(view, "inventory"), "l"), *l;
	json_t *ol = json_object_get(json_object_get(view, "order"), "l");
	const char *date = head_value(view, 0, "declTime");
	size_t i, k;

	json_array_foreach(il, i, l)
	{
		const char *gnum = json_string_value(json_object_get(l, "gnum"));
		const char *gcode = json_string_value(json_object_get(l, "gcode"));
		json_t *o = line_of(ol, gnum), *diff = json_array(), *line;

		for (k = 0; k < 4; k++) {
			const char *a = json_string_value(json_object_get(l, k == 0 ? name_f : inv_f[k]));
			const char *b = json_string_value(json_object_get(o, ord_f[k]));

			if (a == NULL || b == NULL || !equal(a, b, k > 0))
				(void)json_array_append_new(diff, json_string(inv_f[k]));
		}
		line = json_pack("{s:s?, s:s?, s:O, s:O?, s:o, s:o}", "gnum", gnum, "gcode", gcode,
				 "inventory", l, "order", o, "differs", diff, "tariff",
				 tariff_of(codes, gcode, date));
		if (line != NULL)
			line_facts(line, l, codes, date);
		(void)json_array_append_new(out, line);
	}
	return out;
}

static const struct {
	const char *code, *zh, *en;
} rules[] = {
	{ "value", "货值达到审核阈值", "dutiable value at or above the review threshold" },
	{ "watched-hs", "商品编码在布控清单", "an HS code on the watch list" },
	{ "near-quota", "订购人年度额度接近上限", "the buyer is near the annual limit" },
	{ "new-enterprise", "新注册企业", "a recently registered declarant" },
	{ "random", "双随机抽中", "selected at random (双随机)" },
};

/* The risk rules that held the inventory, each with its text. */
static json_t *
rule_hits(const char *reason)
{
	json_t *out = json_array();
	size_t i;

	for (i = 0; reason != NULL && i < sizeof(rules) / sizeof(rules[0]); i++) {
		const char *p = strstr(reason, rules[i].code);
		size_t n = strlen(rules[i].code);

		/* Whole words only: "value" must not match inside another code. */
		if (p != NULL && (p[n] == '\0' || (unsigned char)p[n] >= 0x80))
			(void)json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "code", rules[i].code,
								   "zh", rules[i].zh, "en", rules[i].en));
	}
	return out;
}

static json_t *
review_of(cg_store *st, long long doc_id)
{
	cg_db_stmt *s = q(st, D_REVIEW);
	json_t *o = NULL;

	if (s == NULL || cg_db_bind_int64(s, 1, doc_id) != CG_OK || cg_db_step(s) != CG_DB_ROW) {
		if (s != NULL)
			cg_db_reset(s);
		return json_null();
	}
	o = json_pack("{s:s, s:i, s:s, s:s?, s:s?, s:s?, s:I, s:o}", "reason",
		      cg_db_column_text(s, 0), "priority", cg_db_column_int(s, 1), "state",
		      cg_db_column_text(s, 2), "claimedBy",
		      cg_db_column_text(s, 3), "decision",
		      cg_db_column_text(s, 5), "decisionReason",
		      cg_db_column_text(s, 6), "created",
		      (json_int_t)cg_db_column_int64(s, 8), "rules",
		      rule_hits(cg_db_column_text(s, 0)));
	if (o != NULL && !cg_db_column_is_null(s, 4))
		(void)json_object_set_new(o, "leaseUntil", json_integer(cg_db_column_int64(s, 4)));
	if (o != NULL && !cg_db_column_is_null(s, 7))
		(void)json_object_set_new(o, "decidedAt", json_integer(cg_db_column_int64(s, 7)));
	cg_db_reset(s);
	return o != NULL ? o : json_null();
}

static int
china_year(void)
{
	time_t t = time(NULL) + 8 * 3600;
	struct tm tm;

	return gmtime_r(&t, &tm) != NULL ? tm.tm_year + 1900 : 1970;
}

static json_t *
money(cg_dec v)
{
	char buf[64];

	cg__dec_format(v, buf, sizeof(buf));
	return json_string(buf);
}

/* The recomputed tax beside the declared one, and the buyer's annual quota (26,000 CNY). */
static json_t *
tax_and_quota(cg_store *st, json_t *view)
{
	const char *id = head_value(view, 0, "buyerIdNumber");
	const cg_dec limit = (cg_dec)26000 * CG_DEC_ONE;
	cg_db_stmt *s = q(st, D_QUOTA);
	unsigned char key[32];
	int year = china_year();
	cg_dec used = 0;

	/* The ledger is keyed by the hash of the ID number (clearance.c). */
	(void)cg__digest(EVP_sha256(), id != NULL ? id : "", id != NULL ? strlen(id) : 0, key);
	if (s != NULL && cg_db_bind_blob(s, 1, key, 32) == CG_OK &&
	    cg_db_bind_int64(s, 2, year) == CG_OK && cg_db_step(s) == CG_DB_ROW)
		used = (cg_dec)cg_db_column_int64(s, 0);
	if (s != NULL)
		cg_db_reset(s);
	return json_pack("{s:O?, s:s?, s:s?, s:s?, s:{s:i, s:o, s:o, s:o}}", "recomputed",
			 json_object_get(json_object_get(view, "inventory"), "tax"), "declared",
			 head_value(view, 1, "taxTotal"), "goodsValue", head_value(view, 1, "goodsValue"),
			 "freight", head_value(view, 0, "freight"), "quota", "year", year, "used", money(used),
			 "limit", money(limit), "remaining", money(used < limit ? limit - used : 0));
}

static cg_rc
desk_decorate(cg_store *st, cg_ctx *ctx, json_t *view, long long doc_id)
{
	json_t *cmp = json_array();
	struct cg_codes *codes = NULL;
	size_t i;
	int d;
	cg_rc rc = CG_OK;

	if (cmp == NULL)
		return CG_ENOMEM;
	/* The shared set: loaded once per process; without it the lines just lack the tariff facts. */
	if (cg__codes_load(&codes, ctx, cg_datadir()) != CG_OK)
		codes = NULL;
	if (is_export(view)) {
		json_decref(cmp);
		cmp = export_comparison(view);
	} else {
		for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
			(void)json_array_append_new(cmp, compare_row(view, &pairs[i]));
	}
	if (cmp == NULL || json_object_set_new(view, "comparison", cmp) != 0 ||
	    json_object_set_new(view, "lines", compare_lines(view, codes)) != 0 ||
	    json_object_set_new(view, "review", review_of(st, doc_id)) != 0 ||
	    json_object_set_new(view, "tax", tax_and_quota(st, view)) != 0 ||
	    json_object_set_new(view, "now", json_integer((json_int_t)time(NULL))) != 0)
		rc = CG_ENOMEM;
	cg__codes_free(codes);
	if (rc != CG_OK)
		return rc;
	/* Masked last: the comparison above saw the real numbers. */
	for (d = 0; d < 4; d++)
		mask_doc(json_object_get(view, docs[d]));
	return CG_OK;
}

/* ---- reveal ---------------------------------------------------------------------- */

static json_t *
personal_of(json_t *view, char *fields, size_t size)
{
	json_t *out = json_object(), *v;
	const char *k;
	int d;

	for (d = 0; d < 4 && out != NULL; d++) {
		json_t *one = json_object();

		json_object_foreach(json_object_get(json_object_get(view, docs[d]), "h"), k, v)
		{
			if (is_personal(k) && json_is_string(v)) {
				size_t n = strlen(fields);

				(void)json_object_set(one, k, v);
				(void)snprintf(fields + n, size - n, "%s%s.%s", n > 0 ? "," : "", docs[d], k);
			}
		}
		(void)json_object_set_new(out, docs[d], one);
	}
	return out;
}

cg_rc
cg_service_reveal(cg_service *svc, cg_ctx *ctx, const cg_principal *who, long long doc_id,
		  char **json)
{
	cg_store *st = cg__service_store(svc);
	char fields[600] = "", detail[700];
	json_t *view, *out;
	cg_rc rc;

	if (!cg__officer(who) || who->user_id == 0)
		return cg__fail(ctx, CG_EPERM, "personal data is shown to officers");
	view = cg__review_view(st, doc_id);
	if (view == NULL)
		return cg__fail(ctx, CG_ENOTFOUND, "no such inventory");
	out = personal_of(view, fields, sizeof(fields));
	json_decref(view);
	(void)snprintf(detail, sizeof(detail), "查看个人信息 revealed %s",
		       fields[0] != '\0' ? fields : "nothing");
	/* The audit row is committed before anything is shown. */
	rc = cg_db_begin(cg__store_db(st), ctx);
	if (rc == CG_OK) {
		rc = cg__audit(st, ctx, who->name, "reveal", doc_id, detail);
		if (rc == CG_OK)
			rc = cg_db_commit(cg__store_db(st), ctx);
		else
			cg_db_rollback(cg__store_db(st));
	}
	if (rc != CG_OK) {
		json_decref(out);
		return rc;
	}
	return cg__json_answer(out, json);
}

/* ---- dashboard ------------------------------------------------------------------- */

/* The outcome a 622 returnStatus stands for. */
static const char *
outcome(const char *status)
{
	if (status[0] == '-' || strcmp(status, "100") == 0)
		return "returned";
	if (strcmp(status, "800") == 0)
		return "released";
	if (strcmp(status, "300") == 0)
		return "held";
	if (strcmp(status, "500") == 0)
		return "inspection";
	return "detained";
}

static json_t *
hourly(cg_store *st, long long from, long long hours)
{
	cg_db_stmt *s = q(st, D_HOURLY);
	json_t *arr = json_array();
	long long h0 = from / 3600, i;

	for (i = 0; i < hours && arr != NULL; i++)
		(void)json_array_append_new(arr, json_pack("{s:I, s:i, s:i, s:i, s:i, s:i}", "hour",
							   (json_int_t)((h0 + i) * 3600), "released", 0,
							   "held", 0, "inspection", 0, "returned", 0,
							   "detained", 0));
	if (s == NULL || arr == NULL || cg_db_bind_int64(s, 1, h0 * 3600) != CG_OK) {
		json_decref(arr);
		return NULL;
	}
	while (cg_db_step(s) == CG_DB_ROW) {
		json_t *slot = json_array_get(arr, (size_t)(cg_db_column_int64(s, 0) - h0));
		const char *o = outcome(cg_db_column_text(s, 1));

		if (slot != NULL)
			(void)json_object_set_new(slot, o, json_integer(json_integer_value(json_object_get(slot, o)) +
									  cg_db_column_int64(s, 2)));
	}
	cg_db_reset(s);
	return arr;
}

static json_t *
queue_series(cg_store *st, long long from, long long now)
{
	cg_db_stmt *s = q(st, D_QUEUE);
	json_t *arr = json_array();

	if (s == NULL || arr == NULL || cg_db_bind_int64(s, 1, from) != CG_OK ||
	    cg_db_bind_int64(s, 2, now) != CG_OK) {
		json_decref(arr);
		return NULL;
	}
	while (cg_db_step(s) == CG_DB_ROW) {
		long long t = cg_db_column_int64(s, 0);
		long long oldest = cg_db_column_is_null(s, 2)
					   ? 0
					   : t - cg_db_column_int64(s, 2);

		(void)json_array_append_new(arr, json_pack("{s:I, s:I, s:I}", "at", (json_int_t)t, "depth",
							   (json_int_t)cg_db_column_int64(s, 1), "oldest",
							   (json_int_t)oldest));
	}
	cg_db_reset(s);
	return arr;
}

/* Review times (claim to decision is not kept: queue entry to decision) in buckets, with the median. */
static json_t *
review_times(cg_store *st, long long from)
{
	static const struct {
		const char *label;
		long long upto;
	} b[] = { { "<5m", 300 }, { "5-15m", 900 }, { "15-60m", 3600 }, { "1-4h", 14400 }, { ">4h", -1 } };
	long long counts[5] = { 0 }, n = 0, median = 0;
	cg_db_stmt *s = q(st, D_REVIEW_TIME);
	json_t *buckets = json_array();
	size_t i;

	if (s == NULL || buckets == NULL || cg_db_bind_int64(s, 1, from) != CG_OK) {
		json_decref(buckets);
		return NULL;
	}
	while (cg_db_step(s) == CG_DB_ROW) {
		long long secs = cg_db_column_int64(s, 0);

		for (i = 0; b[i].upto >= 0 && secs >= b[i].upto; i++)
			;
		counts[i]++;
		n++;
	}
	cg_db_reset(s);
	/* The rows come sorted: the median is the middle one (read again, no array kept). */
	if (n > 0 && cg_db_bind_int64(s, 1, from) == CG_OK) {
		for (i = 0; (long long)i <= n / 2 && cg_db_step(s) == CG_DB_ROW; i++)
			median = cg_db_column_int64(s, 0);
		cg_db_reset(s);
	}
	for (i = 0; i < 5; i++)
		(void)json_array_append_new(buckets, json_pack("{s:s, s:I}", "label", b[i].label, "count",
							       (json_int_t)counts[i]));
	return json_pack("{s:o, s:I, s:I}", "buckets", buckets, "decided", (json_int_t)n, "medianSeconds",
			 (json_int_t)median);
}

#define NRULES (sizeof(rules) / sizeof(rules[0]))

/* Hold reasons, split (one item may have several), most frequent first. */
static json_t *
hold_reasons(cg_store *st, long long from)
{
	cg_db_stmt *s = q(st, D_HOLDS);
	long long counts[NRULES] = { 0 };
	json_t *arr = json_array();
	size_t i, done;

	if (s == NULL || arr == NULL || cg_db_bind_int64(s, 1, from) != CG_OK) {
		json_decref(arr);
		return NULL;
	}
	while (cg_db_step(s) == CG_DB_ROW) {
		const char *r = cg_db_column_text(s, 0);

		for (i = 0; r != NULL && i < NRULES; i++)
			counts[i] += strstr(r, rules[i].code) != NULL ? cg_db_column_int64(s, 1) : 0;
	}
	cg_db_reset(s);
	/* A handful of reasons: take the largest left each time. */
	for (done = 0; done < NRULES; done++) {
		size_t best = 0;

		for (i = 1; i < NRULES; i++)
			best = counts[i] > counts[best] ? i : best;
		if (counts[best] <= 0)
			break;
		(void)json_array_append_new(arr, json_pack("{s:s, s:I}", "reason", rules[best].code,
							   "count", (json_int_t)counts[best]));
		counts[best] = 0;
	}
	return arr;
}

static json_t *
two_columns(cg_store *st, int slot, long long from, const char *k1, const char *k2)
{
	cg_db_stmt *s = q(st, slot);
	json_t *arr = json_array();

	if (s == NULL || arr == NULL || cg_db_bind_int64(s, 1, from) != CG_OK) {
		json_decref(arr);
		return NULL;
	}
	while (cg_db_step(s) == CG_DB_ROW)
		(void)json_array_append_new(arr, json_pack("{s:s, s:I}", k1, cg_db_column_text(s, 0),
							   k2, (json_int_t)cg_db_column_int64(s, 1)));
	cg_db_reset(s);
	return arr;
}

static json_t *
match_failures(cg_store *st, long long from)
{
	cg_db_stmt *s = q(st, D_MATCH);
	json_t *arr = json_array();

	if (s == NULL || arr == NULL || cg_db_bind_int64(s, 1, from) != CG_OK) {
		json_decref(arr);
		return NULL;
	}
	while (cg_db_step(s) == CG_DB_ROW) {
		long long total = cg_db_column_int64(s, 2), failed = cg_db_column_int64(s, 3);

		(void)json_array_append_new(arr, json_pack("{s:s, s:s, s:I, s:I, s:f}", "enterprise",
							   cg_db_column_text(s, 0), "name",
							   cg_db_column_text(s, 1), "inventories",
							   (json_int_t)total, "failed", (json_int_t)failed, "rate",
							   total > 0 ? (double)failed / (double)total : 0.0));
	}
	cg_db_reset(s);
	return arr;
}

cg_rc
cg_service_dashboard(cg_service *svc, cg_ctx *ctx, const cg_principal *who, int hours, char **json)
{
	cg_store *st = cg__service_store(svc);
	long long now = (long long)time(NULL), from;
	json_t *o;

	(void)ctx;
	if (!cg__officer(who))
		return cg__fail(ctx, CG_EPERM, "the dashboard is for officers and admins");
	if (hours < 1 || hours > 168)
		return cg__fail(ctx, CG_EINVAL, "hours is 1 to 168");
	from = (now / 3600 - hours + 1) * 3600;
	o = json_pack("{s:I, s:i, s:o*, s:o*, s:o*, s:o*, s:o*, s:o*}", "now", (json_int_t)now, "hours",
		      hours, "perHour", hourly(st, from, hours), "queue", queue_series(st, from + 3599, now),
		      "reviewTime", review_times(st, from), "holdReasons", hold_reasons(st, from),
		      "rejectionReasons", two_columns(st, D_REJECTS, from, "reason", "count"),
		      "matchFailures", match_failures(st, from));
	return cg__json_answer(o, json);
}

/* ---- public results of random inspections ----------------------------------------- */

cg_rc
cg_service_public_inspections(cg_service *svc, cg_ctx *ctx, char **json)
{
	cg_store *st = cg__service_store(svc);
	cg_db_stmt *s = q(st, D_PUBLIC);
	json_t *arr = s != NULL ? cg_db_rows_json(s, 0, 0) : NULL;

	if (arr == NULL)
		return cg__fail(ctx, CG_EDB, "public results: %s", cg_db_errmsg(cg__store_db(st)));
	return cg__json_answer(json_pack("{s:o, s:I}", "results", arr, "generated", (json_int_t)time(NULL)), json);
}

/* ---- browser sessions --------------------------------------------------------------- */

cg_rc
cg_service_session(cg_service *svc, cg_ctx *ctx, const char *token, long long max_age,
		   cg_principal *out)
{
	long long now = (long long)time(NULL), created = 0;
	cg_rc rc = cg__store_token_check(cg__service_store(svc), ctx, token, now, out, &created);

	/* An enterprise's API token never rides in a cookie; a login's lasts one working day. */
	if (rc == CG_OK && (out->user_id == 0 || created <= now - max_age)) {
		memset(out, 0, sizeof(*out));
		return cg__fail(ctx, CG_ENOTFOUND, "no session");
	}
	return rc;
}

cg_rc
cg_service_logout(cg_service *svc, cg_ctx *ctx, const char *token)
{
	cg_store *st = cg__service_store(svc);
	unsigned char h[32];
	cg_db_stmt *s;

	if (token == NULL || strlen(token) > 128 || cg__digest(EVP_sha256(), token, strlen(token), h) != 32)
		return CG_OK;
	s = q(st, D_REVOKE);
	if (s == NULL || cg_db_bind_blob(s, 1, h, 32) != CG_OK ||
	    cg_db_step(s) != CG_DB_DONE)
		return cg__fail(ctx, CG_EDB, "logout: %s", cg_db_errmsg(cg__store_db(st)));
	return CG_OK;
}

void
cg_service_csrf(const char *token, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char h[32] = { 0 };
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned len = 0;
	size_t i;

	/* A separate purpose prefix: the CSRF token never equals the stored token hash. */
	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, "cebgate-csrf\n", 13) != 1 ||
	    EVP_DigestUpdate(md, token, strlen(token)) != 1 || EVP_DigestFinal_ex(md, h, &len) != 1) {
		/* Empty never matches (callers refuse it): no guessable fallback value. */
		EVP_MD_CTX_free(md);
		out[0] = '\0';
		return;
	}
	EVP_MD_CTX_free(md);
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[h[i] >> 4];
		out[2 * i + 1] = hex[h[i] & 15];
	}
	out[64] = '\0';
}

/* Beside the four documents: the tax bill (taxBill, null before release) and the 179 results (pay179). */
static cg_rc
beside(cg_store *st, cg_ctx *ctx, json_t *o, long long doc_id)
{
	json_t *bill = NULL, *pay = NULL;
	cg_rc rc = cg__taxbill_of(st, ctx, doc_id, &bill);

	if (rc == CG_OK)
		rc = cg__pay179_of(st, ctx, doc_id, &pay);
	if (rc == CG_OK && (json_object_set_new(o, "taxBill", bill != NULL ? bill : json_null()) != 0 ||
			    json_object_set_new(o, "pay179", pay) != 0))
		rc = CG_ENOMEM;
	else if (rc != CG_OK) {
		json_decref(bill);
		json_decref(pay);
	}
	return rc;
}

/* The officer's view of an inventory: the stored view, decorated by the desk. */
cg_rc
cg_service_declaration(cg_service *svc, cg_ctx *ctx, const cg_principal *who, long long doc_id,
		       char **json)
{
	cg_store *st = cg__service_store(svc);
	json_t *o;
	cg_rc rc;

	if (!cg__officer(who))
		return cg__fail(ctx, CG_EPERM, "declarations are shown to officers");
	o = cg__review_view(st, doc_id);
	if (o == NULL)
		return cg__fail(ctx, CG_ENOTFOUND, "no such inventory");
	/* Officers see the differences and the rules; personal numbers stay masked. */
	rc = desk_decorate(st, ctx, o, doc_id);
	if (rc == CG_OK)
		rc = beside(st, ctx, o, doc_id);
	if (rc != CG_OK) {
		json_decref(o);
		return rc;
	}
	return cg__json_answer(o, json);
}
