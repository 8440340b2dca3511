/* SPDX-License-Identifier: MIT */
/*
 * The summary declaration (汇总申报), ceb-export-spec §2.9 and §3.11-3.12:
 * an accepted CEB701 names inventories (a list of invtNo, or a time window in
 * which customs picks the consignor's own); each must be an export inventory
 * of that consignor and customs office, of summary declaration (statisticsFlag
 * B), closed (gone abroad), never summarised before and, by the period rule,
 * closed in an earlier month. Then the 702 says 399 with a sumNo (or 100
 * naming each inventory refused and why), the inventories are grouped into
 * customs declarations, each a SummaryResult of a CEB792 in the declarant's
 * receipts feed, and they become 'summarized'. All of it in the transaction
 * that accepted the 701.
 *
 * Never twice, on several nodes too: the inventories are read FOR UPDATE in id
 * order on PostgreSQL (a second application waits, then reads 'summarized'),
 * their state moves only from 'closed' (a conditional update), and table
 * export_summary_invt keeps each inventory once (a unique key).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>
#include "ceb/model.h"
#include "ceb/writer.h"
#include "window/clearance.h"
#include "window/export_summary.h"
#include "window/receipt.h"

/* A window may pick this many inventories; an application past it is refused (split it). */
#define SUMMARY_MAX_INVT 2000
/* The receipt's returnInfo: C..1000 characters (§3.11). */
#define INFO_MAX 1000
/* decState of a generated declaration: customs' value list is not published (§4, §8). */
#define DEC_STATE_GENERATED "1"

enum { S_LOAD, S_LOAD_LOCK, S_FIND_INVT, S_CLOSED, S_SET_STATE, S_SUM_OF, S_SUM_ADD, S_DECL_ADD,
       S_DECL_NO, S_SINVT_ADD };

/* json_extract is SQLite's: PostgreSQL's variants below. */
static const char *const sql[] = {
	[S_LOAD] = "SELECT id, kind, state, data, updated, sender_id, created FROM document WHERE id = $1",
	[S_LOAD_LOCK] = "SELECT id, kind, state, data, updated, sender_id, created FROM document"
			" WHERE id = $1",
	[S_FIND_INVT] = "SELECT id FROM document WHERE kind = 603 AND invt_no = $1 ORDER BY id DESC LIMIT 1",
	[S_CLOSED] = "SELECT id FROM document WHERE kind = 603 AND state = 'closed'"
		     " AND updated >= $1 AND updated <= $2"
		     " AND json_extract(data, '$.h.ebcCode') = $3 ORDER BY id LIMIT $4",
	[S_SET_STATE] = "UPDATE document SET state = $3, updated = $4 WHERE id = $1 AND state = $2",
	[S_SUM_OF] = "SELECT sum_no FROM export_summary WHERE document_id = $1",
	[S_SUM_ADD] = "INSERT INTO export_summary(document_id, enterprise_id, sum_no, ebc_code,"
		      " declarations, created) VALUES($1, $2, $3, $4, $5, $6)",
	[S_DECL_ADD] = "INSERT INTO export_summary_decl(summary_id, gross_weight, net_weight,"
		       " dec_state, lines, created) VALUES($1, $2, $3, $4, $5, $6)",
	[S_DECL_NO] = "UPDATE export_summary_decl SET decl_seq_no = $2 WHERE id = $1",
	[S_SINVT_ADD] = "INSERT INTO export_summary_invt(document_id, summary_id, decl_id)"
			" VALUES($1, $2, $3)",
};
static const char *const pg_sql[sizeof(sql) / sizeof(sql[0])] = {
	[S_LOAD_LOCK] = "SELECT id, kind, state, data, updated, sender_id, created FROM document"
			" WHERE id = $1 FOR UPDATE",
	[S_CLOSED] = "SELECT id FROM document WHERE kind = 603 AND state = 'closed'"
		     " AND updated >= $1 AND updated <= $2"
		     " AND (CAST(data AS jsonb) -> 'h' ->> 'ebcCode') = $3 ORDER BY id LIMIT $4",
};
CG_DB_MODULE_PG(expsum_sql, "export summary", sql, pg_sql);

static cg_db_stmt *
q(cg_store *st, int id)
{
	return cg_db_prepared(cg__store_db(st), &expsum_sql, id);
}

static cg_rc
dbfail(cg_store *st, cg_ctx *ctx, const char *what)
{
	return cg__fail(ctx, CG_EDB, "%s: %s", what, cg_db_errmsg(cg__store_db(st)));
}

/* ---- the rules, pure --------------------------------------------------------------- */

static const struct {
	const char *code, *text;
} reasons[] = {
	{ "CG1351", "无此出口清单 no export inventory has this invtNo" },
	{ "CG1352", "不属于该收发货人 of another consignor (ebcCode)" },
	{ "CG1353", "简化申报清单不汇总 simplified declaration (statisticsFlag A) is not summarised" },
	{ "CG1354", "尚未结关离境 not closed (the goods have not left)" },
	{ "CG1355", "已汇总 summarised already" },
	{ "CG1356", "本月结关，次月汇总 closed this month: summarise it after the month" },
	{ "CG1357", "不属于该申报地海关 of another customs office" },
	{ "CG1358", "没有可汇总的清单 no inventory to summarise" },
	{ "CG1359", "不支持分拆的汇总申请 split applications (msgCount > 1) are not taken: send one" },
	{ "CG1360", "清单过多，请缩短时间段 too many inventories: use a shorter window" },
	{ "CG1361", "汇总申请已受理，不能变更或删除 accepted already: it cannot be changed or deleted" },
	{ "CG1362", "无此原出口清单 no export inventory has this invtNo" },
	{ "CG1363", "原清单未结关或已全部退货 the inventory has not left, or came back already" },
	{ "CG1364", "电商平台或电商企业与原清单不符 ebpCode or ebcCode differs from the inventory" },
	{ "CG1365", "商品与原清单不符 the line is not the inventory's (gnum, codes, names or units)" },
	{ "CG1366", "退货数量超过出口数量减已退数量 more than was exported less earlier returns" },
	{ "CG1367", "超过放行之日起一年 more than a year after the release" },
	{ "CG1368", "无对应的退货申请 no accepted return has this waybill, bill and inventory" },
	{ "CG1369", "该退货已理货 the return was tallied already" },
};

const char *
cg__expsum_reason(const char *code)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		if (strcmp(reasons[i].code, code) == 0)
			return reasons[i].text;
	}
	return "";
}

const char *
cg__expsum_h(json_t *data, const char *field)
{
	return json_string_value(json_object_get(json_object_get(data, "h"), field));
}

static bool
eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Year and month (YYYYMM) of @p t in China Standard Time. */
static int
month_cst(long long t)
{
	time_t x = (time_t)(t + 8 * 3600);
	struct tm tm;

	if (gmtime_r(&x, &tm) == NULL)
		return 0;
	return (tm.tm_year + 1900) * 100 + tm.tm_mon + 1;
}

const char *
cg__summary_check(const struct cg_sum_app *app, const struct cg_sum_invt *inv,
		  const struct cg_expsum_cfg *cfg)
{
	const char *flag;

	if (inv == NULL || inv->data == NULL)
		return "CG1351";
	if (!eq(cg__expsum_h(inv->data, "ebcCode"), app->ebc_code))
		return "CG1352";
	if (!eq(cg__expsum_h(inv->data, "customsCode"), app->customs))
		return "CG1357";
	flag = cg__expsum_h(inv->data, "statisticsFlag");
	if (!eq(flag, "B"))
		return "CG1353";
	if (eq(inv->state, "summarized"))
		return "CG1355";
	if (!eq(inv->state, "closed"))
		return "CG1354";
	if (cfg->period == CG_SUM_PERIOD_MONTH && month_cst(inv->closed) >= month_cst(app->now))
		return "CG1356";
	return NULL;
}

/* ---- grouping, pure ------------------------------------------------------------------ */

static const char *
str(json_t *o, const char *field)
{
	const char *s = json_string_value(json_object_get(o, field));

	return s != NULL ? s : "";
}

/* "a|b|c..." of @p n strings, or NULL when out of memory. */
static char *
join(const char *const *parts, size_t n)
{
	size_t len = 1, i;
	char *s, *p;

	for (i = 0; i < n; i++)
		len += strlen(parts[i]) + 1;
	s = malloc(len);
	if (s == NULL)
		return NULL;
	p = s;
	for (i = 0; i < n; i++) {
		size_t k = strlen(parts[i]);

		memcpy(p, parts[i], k);
		p += k;
		*p++ = i + 1 < n ? '|' : '\0';
	}
	if (n == 0)
		*p = '\0';
	return s;
}

static struct cg_sum_decl *
decl_for(struct cg_sum_result *r, json_t *h, const char *summary_flag, cg_rc *rc)
{
	const char *parts[5] = { str(h, "ebcCode"), str(h, "trafMode"),
				 eq(summary_flag, "2") ? str(h, "ownerCode") : "", str(h, "country"),
				 str(h, "portCode") };
	char *key = join(parts, 5);
	struct cg_sum_decl *d, *grown;
	size_t i;

	*rc = CG_ENOMEM;
	if (key == NULL)
		return NULL;
	for (i = 0; i < r->n; i++) {
		if (strcmp(r->decls[i].key, key) == 0) {
			free(key);
			*rc = CG_OK;
			return &r->decls[i];
		}
	}
	grown = realloc(r->decls, (r->n + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(key);
		return NULL;
	}
	r->decls = grown;
	d = &r->decls[r->n++];
	memset(d, 0, sizeof(*d));
	d->key = key;
	*rc = CG_OK;
	return d;
}

/* The item number (1...) of a line in @p d, a new item when its key is new; 0 when out of memory. */
static int
item_of(struct cg_sum_decl *d, json_t *line, const char *item_name_flag)
{
	const char *name = str(line, "itemName");
	const char *parts[4] = { str(line, "country"), str(line, "gcode"), str(line, "currency"),
				 eq(item_name_flag, "1") ? (*name != '\0' ? name : str(line, "gname")) : "" };
	char *key = join(parts, 4), **grown;
	size_t i;

	if (key == NULL)
		return 0;
	for (i = 0; i < d->nitems; i++) {
		if (strcmp(d->items[i], key) == 0) {
			free(key);
			return (int)i + 1;
		}
	}
	grown = realloc(d->items, (d->nitems + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(key);
		return 0;
	}
	d->items = grown;
	d->items[d->nitems++] = key;
	return (int)d->nitems;
}

static cg_rc
add_rows(struct cg_sum_decl *d, json_t *inv, const char *item_name_flag, int gseqno_mode)
{
	json_t *h = json_object_get(inv, "h"), *lines = json_object_get(inv, "l"), *line;
	size_t i, n = json_array_size(lines);
	struct cg_sum_row *grown;

	if (n == 0)
		return CG_OK;
	grown = realloc(d->rows, (d->nrows + n) * sizeof(*grown));
	if (grown == NULL)
		return CG_ENOMEM;
	d->rows = grown;
	json_array_foreach(lines, i, line) {
		struct cg_sum_row *r = &d->rows[d->nrows];
		int item = item_of(d, line, item_name_flag);

		if (item == 0)
			return CG_ENOMEM;
		r->invt_no = str(h, "invtNo");
		r->logistics_no = str(h, "logisticsNo");
		r->gcode = str(line, "gcode");
		r->gnum = strtoll(str(line, "gnum"), NULL, 10);
		d->nrows++;
		r->gseqno = gseqno_mode == CG_SUM_GSEQNO_ROW ? (int)d->nrows : item;
	}
	return CG_OK;
}

static cg_dec
weight(json_t *h, const char *field)
{
	cg_dec v = 0;

	return cg__dec_parse(str(h, field), &v) ? v : 0;
}

cg_rc
cg__summary_group(struct cg_sum_result *out, json_t *const *invts, size_t n,
		  const char *summary_flag, const char *item_name_flag, int gseqno_mode)
{
	size_t i;
	cg_rc rc = CG_OK;

	memset(out, 0, sizeof(*out));
	out->of = calloc(n + 1, sizeof(*out->of));
	if (out->of == NULL)
		return CG_ENOMEM;
	for (i = 0; i < n && rc == CG_OK; i++) {
		json_t *h = json_object_get(invts[i], "h");
		struct cg_sum_decl *d = decl_for(out, h, summary_flag, &rc);

		if (d == NULL)
			break;
		out->of[i] = (size_t)(d - out->decls);
		d->gross += weight(h, "grossWeight");
		d->net += weight(h, "netWeight");
		d->ninvt++;
		rc = add_rows(d, invts[i], item_name_flag, gseqno_mode);
	}
	if (rc != CG_OK)
		cg__summary_result_dispose(out);
	return rc;
}

void
cg__summary_result_dispose(struct cg_sum_result *r)
{
	size_t i, k;

	for (i = 0; i < r->n; i++) {
		for (k = 0; k < r->decls[i].nitems; k++)
			free(r->decls[i].items[k]);
		free(r->decls[i].items);
		free(r->decls[i].rows);
		free(r->decls[i].key);
	}
	free(r->decls);
	free(r->of);
	memset(r, 0, sizeof(*r));
}

/* ---- shared with export_return.c ------------------------------------------------------ */

void
cg__expsum_add_reason(char *buf, size_t size, const char *code, const char *subject,
		      const char *detail)
{
	size_t n = strlen(buf);
	char part[400];

	(void)snprintf(part, sizeof(part), "%s%s %s%s%s%s", n != 0 ? "；" : "", code,
		       subject != NULL ? subject : "", subject != NULL ? ": " : "",
		       cg__expsum_reason(code), detail != NULL ? detail : "");
	/* Whole parts only, leaving room for a prefix in what the receipt can carry. */
	if (n + strlen(part) < size && cg__utf8_len(buf) + cg__utf8_len(part) <= INFO_MAX - 100)
		(void)snprintf(buf + n, size - n, "%s", part);
}

cg_rc
cg__expsum_load(cg_store *st, cg_ctx *ctx, long long id, bool lock, struct cg_expsum_doc *d)
{
	cg_db_stmt *s = q(st, lock ? S_LOAD_LOCK : S_LOAD);
	int r;

	memset(d, 0, sizeof(*d));
	if (s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK)
		return dbfail(st, ctx, "export document");
	r = cg_db_step(s);
	if (r != CG_DB_ROW) {
		cg_db_reset(s);
		return r == CG_DB_DONE ? cg__fail(ctx, CG_ENOTFOUND, "no document %lld", id)
				       : dbfail(st, ctx, "export document");
	}
	d->id = cg_db_column_int64(s, 0);
	d->kind = cg_db_column_int(s, 1);
	(void)snprintf(d->state, sizeof(d->state), "%s", cg_db_column_text(s, 2));
	d->data = json_loads(cg_db_column_text(s, 3), 0, NULL);
	d->updated = cg_db_column_int64(s, 4);
	d->sender = cg_db_column_int64(s, 5);
	d->created = cg_db_column_int64(s, 6);
	cg_db_reset(s);
	return d->data != NULL ? CG_OK : CG_ENOMEM;
}

cg_rc
cg__expsum_find_invt(cg_store *st, cg_ctx *ctx, const char *invt_no, long long *id)
{
	cg_db_stmt *s = q(st, S_FIND_INVT);
	int r;

	*id = 0;
	if (s == NULL || cg_db_bind_text(s, 1, invt_no) != CG_OK)
		return dbfail(st, ctx, "find inventory");
	r = cg_db_step(s);
	if (r == CG_DB_ROW)
		*id = cg_db_column_int64(s, 0);
	cg_db_reset(s);
	return r == CG_DB_ROW || r == CG_DB_DONE ? CG_OK : dbfail(st, ctx, "find inventory");
}

cg_rc
cg__expsum_set_state(cg_store *st, cg_ctx *ctx, long long id, const char *from, const char *to,
		     bool *done)
{
	cg_db_stmt *s = q(st, S_SET_STATE);

	*done = false;
	if (s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK || cg_db_bind_text(s, 2, from) != CG_OK ||
	    cg_db_bind_text(s, 3, to) != CG_OK ||
	    cg_db_bind_int64(s, 4, (long long)time(NULL)) != CG_OK || cg_db_step(s) != CG_DB_DONE)
		return dbfail(st, ctx, "inventory state");
	*done = cg_db_changes(cg__store_db(st)) == 1;
	return CG_OK;
}

/* The declaration's head as a record group of @p def, its fields from the stored JSON. */
static cg_rc
head_group(const struct cg_msgdef *def, json_t *data, struct cg_group *g)
{
	size_t i;
	cg_rc rc = cg__group_init(g, def->head);

	for (i = 0; i < def->head->nf && rc == CG_OK; i++)
		rc = cg__group_set(g, (int)i, cg__expsum_h(data, def->head->f[i].name), 0, 0);
	return rc;
}

cg_rc
cg__expsum_receipt(cg_store *st, cg_ctx *ctx, int kind, json_t *data, long long doc_id, long long eid,
		   const char *status, const char *info, const char *sum_no)
{
	const struct cg_msgdef *def = cg__msgdef_by_type(kind);
	struct cg_group g;
	cg_buf xml = CG_BUF_INIT(0);
	cg_rc rc;

	if (def == NULL)
		return CG_EINTERNAL;
	rc = head_group(def, data, &g);
	if (rc == CG_OK && sum_no != NULL)
		rc = cg__group_set(&g, cg__edef_find(def->head, "sumNo"), sum_no, 0, 0);
	if (rc == CG_OK)
		rc = cg__receipt_build(def, &g, doc_id, status, info, &xml);
	if (rc == CG_OK)
		rc = cg__store_receipt_add(st, ctx, eid, doc_id, cg__msgdef_by_type(kind + 1)->root,
					   status, xml.ptr, xml.len);
	/* A refused application, return or tally waits on its declarant (the status page's action). */
	if (rc == CG_OK && strcmp(status, "100") == 0) {
		bool moved;

		rc = cg__expsum_set_state(st, ctx, doc_id, "declared", "rejected", &moved);
	}
	cg_buf_dispose(&xml);
	cg__group_dispose(&g);
	return rc;
}

/* ---- the 701 ------------------------------------------------------------------------- */

/* YYYYMMDDhhmmss (China time) as Unix time; false when it is not one. */
static bool
parse_dt14(const char *s, long long *out)
{
	struct tm tm;
	int v[6], i, k = 0;
	static const int w[6] = { 4, 2, 2, 2, 2, 2 };

	if (s == NULL || strlen(s) != 14)
		return false;
	for (i = 0; i < 6; i++) {
		int j;

		v[i] = 0;
		for (j = 0; j < w[i]; j++, k++) {
			if (s[k] < '0' || s[k] > '9')
				return false;
			v[i] = v[i] * 10 + (s[k] - '0');
		}
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	*out = (long long)timegm(&tm) - 8 * 3600;
	return true;
}

/* The inventories being judged: ids, their loaded rows, and why each is refused. */
struct pick {
	long long *ids;
	const char **invt_no; /* as listed (NULL for a window) */
	size_t n;
	struct cg_expsum_doc *docs;
};

static void
pick_dispose(struct pick *p)
{
	size_t i;

	for (i = 0; p->docs != NULL && i < p->n; i++)
		json_decref(p->docs[i].data);
	free(p->docs);
	free(p->ids);
	free(p->invt_no);
	memset(p, 0, sizeof(*p));
}

static cg_rc
pick_add(struct pick *p, long long id, const char *invt_no)
{
	long long *ids = realloc(p->ids, (p->n + 1) * sizeof(*ids));
	const char **nos;

	if (ids == NULL)
		return CG_ENOMEM;
	p->ids = ids;
	nos = realloc(p->invt_no, (p->n + 1) * sizeof(*nos));
	if (nos == NULL)
		return CG_ENOMEM;
	p->invt_no = nos;
	p->ids[p->n] = id;
	p->invt_no[p->n++] = invt_no;
	return CG_OK;
}

/* The listed invtNo, each once. */
static cg_rc
pick_listed(cg_store *st, cg_ctx *ctx, json_t *data, struct pick *p)
{
	json_t *lines = json_object_get(data, "l"), *line;
	size_t i, k;
	cg_rc rc = CG_OK;

	json_array_foreach(lines, i, line) {
		const char *no = str(line, "invtNo");
		long long id = 0;
		bool seen = false;

		for (k = 0; k < p->n && !seen; k++)
			seen = strcmp(p->invt_no[k], no) == 0;
		if (seen)
			continue;
		if (p->n >= SUMMARY_MAX_INVT)
			return CG_ETOOBIG;
		rc = cg__expsum_find_invt(st, ctx, no, &id);
		if (rc == CG_OK)
			rc = pick_add(p, id, no);
		if (rc != CG_OK)
			break;
	}
	return rc;
}

static cg_rc
pick_window(cg_store *st, cg_ctx *ctx, const struct cg_sum_app *app, struct pick *p)
{
	cg_db_stmt *s = q(st, S_CLOSED);
	int r;
	cg_rc rc = CG_OK;

	if (s == NULL || cg_db_bind_int64(s, 1, app->start) != CG_OK ||
	    cg_db_bind_int64(s, 2, app->end) != CG_OK || cg_db_bind_text(s, 3, app->ebc_code) != CG_OK ||
	    cg_db_bind_int64(s, 4, SUMMARY_MAX_INVT + 1) != CG_OK)
		return dbfail(st, ctx, "summary window");
	while (rc == CG_OK && (r = cg_db_step(s)) == CG_DB_ROW)
		rc = pick_add(p, cg_db_column_int64(s, 0), NULL);
	cg_db_reset(s);
	if (rc == CG_OK && p->n > SUMMARY_MAX_INVT)
		rc = CG_ETOOBIG;
	return rc;
}

static int
by_id(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/*
 * Read every picked inventory, locked in id order (two applications never
 * wait for each other in a cycle), and judge it; the refusals go to @p why.
 */
static cg_rc
judge(cg_store *st, cg_ctx *ctx, const struct cg_expsum_cfg *cfg, const struct cg_sum_app *app,
      struct pick *p, char *why, size_t size, size_t *ok)
{
	long long *order = malloc((p->n + 1) * sizeof(*order));
	size_t i;
	cg_rc rc = CG_OK;

	*ok = 0;
	p->docs = calloc(p->n + 1, sizeof(*p->docs));
	if (order == NULL || p->docs == NULL) {
		free(order);
		return CG_ENOMEM;
	}
	memcpy(order, p->ids, p->n * sizeof(*order));
	qsort(order, p->n, sizeof(*order), by_id);
	for (i = 0; i < p->n && rc == CG_OK; i++) {
		size_t k;

		if (order[i] == 0)
			continue;
		for (k = 0; k < p->n && p->ids[k] != order[i]; k++)
			;
		rc = cg__expsum_load(st, ctx, order[i], true, &p->docs[k]);
	}
	free(order);
	for (i = 0; i < p->n && rc == CG_OK; i++) {
		struct cg_sum_invt inv = { p->ids[i], p->docs[i].state, p->docs[i].updated, p->docs[i].data };
		const char *code = cg__summary_check(app, p->ids[i] != 0 ? &inv : NULL, cfg);
		const char *no = p->invt_no[i] != NULL ? p->invt_no[i] : cg__expsum_h(inv.data, "invtNo");

		/* A window takes the eligible ones only; a listed A may be left out (said in the 702). */
		if (code != NULL && (p->invt_no[i] == NULL ||
				     (strcmp(code, "CG1353") == 0 && cfg->flag_a == CG_SUM_A_EXCLUDE))) {
			json_decref(p->docs[i].data);
			p->docs[i].data = NULL;
			continue;
		}
		if (code != NULL)
			cg__expsum_add_reason(why, size, code, no, strcmp(code, "CG1354") == 0 ? p->docs[i].state : NULL);
		else
			(*ok)++;
	}
	return rc;
}

/* sumNo and declSeqNo: a letter, the day (China time) and nine digits of a row id (C18). */
static void
number(char *out, size_t size, char letter, long long id)
{
	char now[32];

	cg__now17(now, sizeof(now));
	(void)snprintf(out, size, "%c%.8s%09lld", letter, now, id % 1000000000LL);
}

static cg_rc
set_field(struct cg_group *g, const char *name, const char *v)
{
	int i = cg__edef_find(g->def, name);

	return i < 0 ? CG_EINTERNAL : cg__group_set(g, i, v, 0, 0);
}

/* One SummaryResult of a CEB792: the declaration @p d, numbered @p decl_no. */
static cg_rc
result_doc(struct cg_msg *m, json_t *app, const struct cg_sum_decl *d, const char *sum_no,
	   const char *decl_no, int count, int seq)
{
	static const char *const copied[] = { "customsCode", "agentCode", "agentName", "ebcCode",
					      "ebcName", "declAgentCode", "declAgentName" };
	struct cg_decl *doc;
	char guid[40], when[32], gross[48], net[48], cnt[16], sq[16];
	uuid_t u;
	size_t i;
	cg_rc rc = cg__msg_add_doc(m, &doc);

	uuid_generate_random(u);
	uuid_unparse_upper(u, guid);
	cg__now17(when, sizeof(when));
	cg__dec_format(d->gross, gross, sizeof(gross));
	cg__dec_format(d->net, net, sizeof(net));
	(void)snprintf(cnt, sizeof(cnt), "%d", count);
	(void)snprintf(sq, sizeof(sq), "%d", seq);
	rc = rc == CG_OK ? set_field(&doc->head, "guid", guid) : rc;
	for (i = 0; i < sizeof(copied) / sizeof(copied[0]) && rc == CG_OK; i++)
		rc = set_field(&doc->head, copied[i], cg__expsum_h(app, copied[i]));
	rc = rc == CG_OK ? set_field(&doc->head, "sumNo", sum_no) : rc;
	rc = rc == CG_OK ? set_field(&doc->head, "opDate", when) : rc;
	rc = rc == CG_OK ? set_field(&doc->head, "declSeqNo", decl_no) : rc;
	rc = rc == CG_OK ? set_field(&doc->head, "decState", DEC_STATE_GENERATED) : rc;
	rc = rc == CG_OK ? set_field(&doc->head, "grossWeight", gross) : rc;
	rc = rc == CG_OK ? set_field(&doc->head, "netWeight", net) : rc;
	rc = rc == CG_OK ? set_field(&doc->head, "msgCount", cnt) : rc;
	rc = rc == CG_OK ? set_field(&doc->head, "msgSeqNo", sq) : rc;
	for (i = 0; i < d->nrows && rc == CG_OK; i++) {
		struct cg_group *g = NULL;
		char gnum[24], gseq[16];

		(void)snprintf(gnum, sizeof(gnum), "%lld", d->rows[i].gnum);
		(void)snprintf(gseq, sizeof(gseq), "%d", d->rows[i].gseqno);
		rc = cg__decl_add_line(doc, m->def, &g);
		rc = rc == CG_OK ? set_field(g, "invtNo", d->rows[i].invt_no) : rc;
		rc = rc == CG_OK ? set_field(g, "logisticsNo", d->rows[i].logistics_no) : rc;
		rc = rc == CG_OK ? set_field(g, "gseqno", gseq) : rc;
		rc = rc == CG_OK ? set_field(g, "gnum", gnum) : rc;
		rc = rc == CG_OK ? set_field(g, "gcode", d->rows[i].gcode) : rc;
	}
	return rc;
}

/* A SummaryResult per declaration, 100 to a CEB792 message (§3.12), in the declarant's feed. */
static cg_rc
send_results(cg_store *st, cg_ctx *ctx, const struct cg_expsum_doc *app, const struct cg_sum_result *r,
	     char (*decl_no)[24], const char *sum_no)
{
	const struct cg_msgdef *def = cg__msgdef_by_type(792);
	int count = (int)((r->n + 99) / 100), seq;
	cg_rc rc = CG_OK;

	for (seq = 1; seq <= count && rc == CG_OK; seq++) {
		struct cg_msg *m = NULL;
		cg_buf xml = CG_BUF_INIT(0);
		char guid[40];
		uuid_t u;
		size_t i;

		rc = cg__msg_new(&m, def);
		uuid_generate_random(u);
		uuid_unparse_upper(u, guid);
		if (rc == CG_OK && ((m->guid = cg__strdup(guid)) == NULL || (m->version = cg__strdup("1.0")) == NULL))
			rc = CG_ENOMEM;
		for (i = (size_t)(seq - 1) * 100; i < r->n && i < (size_t)seq * 100 && rc == CG_OK; i++)
			rc = result_doc(m, app->data, &r->decls[i], sum_no, decl_no[i], count, seq);
		if (rc == CG_OK)
			rc = cg__msg_to_xml(m, &xml);
		/* A 792 has no returnStatus: the feed shows its decState. */
		if (rc == CG_OK)
			rc = cg__store_receipt_add(st, ctx, app->sender, app->id, def->root, DEC_STATE_GENERATED,
						   xml.ptr, xml.len);
		cg_buf_dispose(&xml);
		cg__msg_free(m);
	}
	return rc;
}

/* @p alone: a taken key is answered (CG_EEXIST) and the caller goes on (cg_db_step_alone). */
static cg_rc
run_insert(cg_store *st, cg_ctx *ctx, cg_db_stmt *s, const char *what, long long *id, bool alone)
{
	int r;

	if (s == NULL)
		return dbfail(st, ctx, what);
	r = alone ? cg_db_step_alone(s) : cg_db_step(s);
	if (r == CG_EEXIST)
		return cg__fail(ctx, CG_EEXIST, "%s: taken meanwhile", what);
	if (r != CG_DB_DONE)
		return dbfail(st, ctx, what);
	if (id != NULL)
		*id = cg_db_last_id(cg__store_db(st));
	return CG_OK;
}

/* One declaration's row and its number. */
static cg_rc
write_decl(cg_store *st, cg_ctx *ctx, long long sum_id, const struct cg_sum_decl *d, char *decl_no,
	   size_t size, long long *id)
{
	cg_db_stmt *s = q(st, S_DECL_ADD);
	char gross[48], net[48];
	cg_rc rc;

	cg__dec_format(d->gross, gross, sizeof(gross));
	cg__dec_format(d->net, net, sizeof(net));
	if (s == NULL || cg_db_bind_int64(s, 1, sum_id) != CG_OK || cg_db_bind_text(s, 2, gross) != CG_OK ||
	    cg_db_bind_text(s, 3, net) != CG_OK || cg_db_bind_text(s, 4, DEC_STATE_GENERATED) != CG_OK ||
	    cg_db_bind_int64(s, 5, (long long)d->nrows) != CG_OK ||
	    cg_db_bind_int64(s, 6, (long long)time(NULL)) != CG_OK)
		return dbfail(st, ctx, "summary declaration");
	rc = run_insert(st, ctx, s, "summary declaration", id, false);
	if (rc != CG_OK)
		return rc;
	number(decl_no, size, 'H', *id);
	s = q(st, S_DECL_NO);
	if (s == NULL || cg_db_bind_int64(s, 1, *id) != CG_OK || cg_db_bind_text(s, 2, decl_no) != CG_OK)
		return dbfail(st, ctx, "summary declaration");
	return run_insert(st, ctx, s, "summary declaration", NULL, false);
}

/* An inventory listed once (a unique key) and moved from 'closed' only: *lost when another took it. */
static cg_rc
mark_invt(cg_store *st, cg_ctx *ctx, long long invt_id, long long sum_id, long long decl_id, bool *lost)
{
	cg_db_stmt *s = q(st, S_SINVT_ADD);
	bool moved = false;
	cg_rc rc;

	if (s == NULL || cg_db_bind_int64(s, 1, invt_id) != CG_OK || cg_db_bind_int64(s, 2, sum_id) != CG_OK ||
	    cg_db_bind_int64(s, 3, decl_id) != CG_OK)
		return dbfail(st, ctx, "summarised inventory");
	rc = run_insert(st, ctx, s, "summarised inventory", NULL, true);
	if (rc == CG_EEXIST) {
		*lost = true;
		return CG_OK;
	}
	if (rc == CG_OK)
		rc = cg__expsum_set_state(st, ctx, invt_id, "closed", "summarized", &moved);
	*lost = rc == CG_OK && !moved;
	return rc;
}

static cg_rc
add_summary(cg_store *st, cg_ctx *ctx, const struct cg_expsum_doc *app, const char *sum_no, size_t ndecl,
	    long long *sum_id)
{
	cg_db_stmt *s = q(st, S_SUM_ADD);

	if (s == NULL || cg_db_bind_int64(s, 1, app->id) != CG_OK ||
	    cg_db_bind_int64(s, 2, app->sender) != CG_OK || cg_db_bind_text(s, 3, sum_no) != CG_OK ||
	    cg_db_bind_text(s, 4, cg__expsum_h(app->data, "ebcCode")) != CG_OK ||
	    cg_db_bind_int64(s, 5, (long long)ndecl) != CG_OK ||
	    cg_db_bind_int64(s, 6, (long long)time(NULL)) != CG_OK)
		return dbfail(st, ctx, "summary");
	return run_insert(st, ctx, s, "summary", sum_id, false);
}

/* The summary's rows: the application, each declaration, each inventory (*lost: one was taken). */
static cg_rc
write_summary(cg_store *st, cg_ctx *ctx, const struct cg_expsum_doc *app, const struct cg_sum_result *r,
	      const long long *invt_ids, size_t n, const char *sum_no, char (*decl_no)[24], bool *lost)
{
	long long sum_id = 0, *decl_ids = calloc(r->n + 1, sizeof(*decl_ids));
	size_t i;
	cg_rc rc = decl_ids != NULL ? add_summary(st, ctx, app, sum_no, r->n, &sum_id) : CG_ENOMEM;

	for (i = 0; i < r->n && rc == CG_OK; i++)
		rc = write_decl(st, ctx, sum_id, &r->decls[i], decl_no[i], sizeof(decl_no[i]), &decl_ids[i]);
	for (i = 0; i < n && rc == CG_OK && !*lost; i++)
		rc = mark_invt(st, ctx, invt_ids[i], sum_id, decl_ids[r->of[i]], lost);
	free(decl_ids);
	return rc;
}

/*
 * The accepted application: its rows, then the 702 399 and the 792s, under a
 * savepoint. *lost: another application took one of the inventories
 * meanwhile, and nothing of this one was kept.
 */
static cg_rc
accept_summary(cg_store *st, cg_ctx *ctx, const struct cg_expsum_cfg *cfg, const struct cg_expsum_doc *app,
	       const struct pick *p, const char *note, bool *lost)
{
	json_t **data = calloc(p->n + 1, sizeof(*data));
	long long *ids = calloc(p->n + 1, sizeof(*ids));
	char sum_no[24], (*decl_no)[24] = NULL, info[INFO_MAX * 3 + 1];
	struct cg_sum_result r;
	size_t i, n = 0;
	cg_db *db = cg__store_db(st);
	cg_rc rc = data != NULL && ids != NULL ? cg_db_savepoint(db, ctx) : CG_ENOMEM;

	*lost = false;
	memset(&r, 0, sizeof(r));
	if (rc != CG_OK)
		goto out;
	for (i = 0; i < p->n; i++) {
		if (p->docs[i].data != NULL) {
			ids[n] = p->docs[i].id;
			data[n++] = p->docs[i].data;
		}
	}
	rc = cg__summary_group(&r, data, n, cg__expsum_h(app->data, "summaryFlag"),
			       cg__expsum_h(app->data, "itemNameFlag"), cfg->gseqno);
	decl_no = calloc(r.n + 1, sizeof(*decl_no));
	if (rc == CG_OK && decl_no == NULL)
		rc = CG_ENOMEM;
	number(sum_no, sizeof(sum_no), 'S', app->id);
	if (rc == CG_OK)
		rc = write_summary(st, ctx, app, &r, ids, n, sum_no, decl_no, lost);
	(void)snprintf(info, sizeof(info), "汇总申请审结 accepted: %zu inventories, %zu declarations%s%s", n,
		       r.n, note[0] != '\0' ? "；" : "", note);
	if (rc == CG_OK && !*lost)
		rc = cg__expsum_receipt(st, ctx, 701, app->data, app->id, app->sender, "399", info, sum_no);
	if (rc == CG_OK && !*lost)
		rc = send_results(st, ctx, app, &r, decl_no, sum_no);
	if (rc == CG_OK && !*lost)
		rc = cg__audit(st, ctx, "system", "summary", app->id, info);
	if (rc == CG_OK && !*lost)
		rc = cg_db_release(db, ctx);
	else
		cg_db_rollback_to(db);
out:
	cg__summary_result_dispose(&r);
	free(decl_no);
	free(data);
	free(ids);
	return rc;
}

static cg_rc
refuse(cg_store *st, cg_ctx *ctx, const struct cg_expsum_doc *app, const char *why)
{
	cg_rc rc = cg__expsum_receipt(st, ctx, 701, app->data, app->id, app->sender, "100", why, NULL);

	return rc == CG_OK ? cg__audit(st, ctx, "system", "summary refused", app->id, why) : rc;
}

/* Whether the application is one the service judges; if not, *why says so. */
static cg_rc
admissible(cg_store *st, cg_ctx *ctx, const struct cg_expsum_doc *app, struct cg_sum_app *a, char *why,
	   size_t size)
{
	cg_db_stmt *s = q(st, S_SUM_OF);
	const char *count = cg__expsum_h(app->data, "msgCount");
	int r;

	if (s == NULL || cg_db_bind_int64(s, 1, app->id) != CG_OK)
		return dbfail(st, ctx, "summary");
	r = cg_db_step(s);
	cg_db_reset(s);
	if (r == CG_DB_ROW)
		cg__expsum_add_reason(why, size, "CG1361", NULL, NULL);
	else if (r != CG_DB_DONE)
		return dbfail(st, ctx, "summary");
	else if (count != NULL && strcmp(count, "1") != 0)
		cg__expsum_add_reason(why, size, "CG1359", NULL, NULL);
	a->ebc_code = cg__expsum_h(app->data, "ebcCode");
	a->customs = cg__expsum_h(app->data, "customsCode");
	a->window = parse_dt14(cg__expsum_h(app->data, "startTime"), &a->start) &&
		    parse_dt14(cg__expsum_h(app->data, "endTime"), &a->end);
	a->now = (long long)time(NULL);
	return CG_OK;
}

static cg_rc
summary_701(cg_store *st, cg_ctx *ctx, const struct cg_expsum_cfg *cfg, long long doc_id)
{
	struct cg_expsum_doc app;
	struct cg_sum_app a;
	struct pick p = { NULL, NULL, 0, NULL };
	char why[INFO_MAX * 3 + 1] = "", note[INFO_MAX * 3 + 1] = "";
	size_t ok = 0, i;
	bool lost = false;
	cg_rc rc = cg__expsum_load(st, ctx, doc_id, false, &app);

	if (rc == CG_OK)
		rc = admissible(st, ctx, &app, &a, why, sizeof(why));
	if (rc != CG_OK || why[0] != '\0')
		goto out;
	if (strcmp(app.state, "deleted") == 0)
		goto out; /* withdrawn before it was judged: nothing to answer */
	rc = a.window ? pick_window(st, ctx, &a, &p) : pick_listed(st, ctx, app.data, &p);
	if (rc == CG_ETOOBIG) {
		cg__expsum_add_reason(why, sizeof(why), "CG1360", NULL, NULL);
		rc = CG_OK;
		goto out;
	}
	if (rc == CG_OK)
		rc = judge(st, ctx, cfg, &a, &p, why, sizeof(why), &ok);
	if (rc == CG_OK && why[0] == '\0' && ok == 0)
		cg__expsum_add_reason(why, sizeof(why), "CG1358", NULL, NULL);
	if (rc != CG_OK || why[0] != '\0')
		goto out;
	for (i = 0; i < p.n; i++) {
		if (p.docs[i].data == NULL && p.invt_no[i] != NULL)
			cg__expsum_add_reason(note, sizeof(note), "CG1353", p.invt_no[i], " (left out)");
	}
	rc = accept_summary(st, ctx, cfg, &app, &p, note, &lost);
	if (rc == CG_OK && lost)
		cg__expsum_add_reason(why, sizeof(why), "CG1355", NULL, " (by another application meanwhile)");
out:
	if (rc == CG_OK && why[0] != '\0')
		rc = refuse(st, ctx, &app, why);
	pick_dispose(&p);
	json_decref(app.data);
	return rc;
}

cg_rc
cg__expsum_after(cg_store *st, cg_ctx *ctx, const struct cg_expsum_cfg *cfg, int kind, long long doc_id)
{
	switch (kind) {
	case 701:
		return summary_701(st, ctx, cfg, doc_id);
	case 213:
		return cg__expsum_return_213(st, ctx, cfg, doc_id);
	case 215:
		return cg__expsum_tally_215(st, ctx, doc_id);
	default:
		return CG_OK;
	}
}
