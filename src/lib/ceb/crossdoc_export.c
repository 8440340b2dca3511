/* SPDX-License-Identifier: MIT */
/*
 * Cross-document rules of the export family (ceb-export-spec.md §2.6, §2.10):
 * the inventory against its order, waybill and receipt of payment, the master
 * bill of a parcel, a summary application and a return against the
 * inventories they name. Only documents validated together are compared; one
 * summary per document keeps what the rules need, so memory grows with the
 * number of documents, not their size.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ceb/crossdoc.h"
#include "util/decimal.h"

enum { K_ORDER, K_RECEIPT, K_WAYBILL, K_INVENTORY, K_LIST, K_SUMMARY, K_RETURN, K_KINDS };
#define NV 10
#define NL 8

/* Head and line fields kept per kind, in the order the rules below index them. */
static const struct {
	int type;
	const char *head[NV];
	const char *line[NL];
} kinds[K_KINDS] = {
	[K_ORDER] = { 303, { "orderNo", "ebpCode", "ebcCode", "orderType", "goodsValue", "freight" },
		      { "gnum", "itemNo", "totalPrice" } },
	[K_RECEIPT] = { 403, { "orderNo", "ebpCode", "ebcCode", "charge" }, { NULL } },
	[K_WAYBILL] = { 505, { "logisticsNo", "logisticsCode", "ebcCode", "freight" }, { NULL } },
	[K_INVENTORY] = { 603,
			  { "orderNo", "ebpCode", "ebcCode", "logisticsNo", "logisticsCode", "tradeMode",
			    "invtNo", "statisticsFlag", "freight", "billNo" },
			  { "gnum", "itemNo", "totalPrice", "gcode", "unit", "qty", "qty1", "qty2" } },
	[K_LIST] = { 607, { "billNo" }, { "logisticsNo" } },
	[K_SUMMARY] = { 701, { "ebcCode", "copNo" }, { "invtNo" } },
	[K_RETURN] = { 213, { "invtNo", "ebcCode" }, { "gnum", "gcode", "unit", "qty", "qty1", "qty2" } },
};

/* Indexes into kinds[].head / .line used by the rules. */
enum { O_NO, O_EBP, O_EBC, O_TYPE, O_VALUE, O_FREIGHT };
enum { I_ORDER, I_EBP, I_EBC, I_PARCEL, I_LOGI, I_MODE, I_INVT, I_STAT, I_FREIGHT, I_BILL };
enum { L_GNUM, L_ITEM, L_TOTAL, L_GCODE, L_UNIT, L_QTY, L_QTY1, L_QTY2 };
enum { R_GNUM, R_GCODE, R_UNIT, R_QTY, R_QTY1, R_QTY2 };

struct xsum {
	char *key[2]; /* lookup keys of the two roles of its kind (see keys[]), or NULL */
	char *v[NV];
	char *(*lines)[NL];
	size_t nlines;
	char *source;
	char *path; /* of the head element */
	unsigned long line;
	const struct cg_msgdef *def;
};

/*
 * The head fields (indexes into kinds[].head) that make each kind's lookup
 * keys: an order is found by platform and by consignor, a waybill by its
 * number, an inventory by its parcel and by its customs number.
 */
static const int keys[K_KINDS][2][2] = {
	[K_ORDER] = { { O_NO, O_EBP }, { O_NO, O_EBC } },
	[K_RECEIPT] = { { -1, -1 }, { -1, -1 } },
	[K_WAYBILL] = { { 0, 1 }, { -1, -1 } },
	[K_INVENTORY] = { { I_PARCEL, -1 }, { I_INVT, -1 } },
	[K_LIST] = { { -1, -1 }, { -1, -1 } },
	[K_SUMMARY] = { { -1, -1 }, { -1, -1 } },
	[K_RETURN] = { { -1, -1 }, { -1, -1 } },
};

struct cg_crossdoc_export {
	struct xsum *s[K_KINDS];
	size_t n[K_KINDS], cap[K_KINDS];
	struct xsum **index[K_KINDS][2]; /* sorted by key[role], built by check */
};

static int
kind_of(int type)
{
	int k;

	for (k = 0; k < K_KINDS; k++) {
		if (kinds[k].type == type)
			return k;
	}
	return -1;
}

static void
xsum_dispose(struct xsum *s)
{
	size_t i, j;

	free(s->key[0]);
	free(s->key[1]);
	for (i = 0; i < NV; i++)
		free(s->v[i]);
	for (i = 0; i < s->nlines; i++) {
		for (j = 0; j < NL; j++)
			free(s->lines[i][j]);
	}
	free(s->lines);
	free(s->source);
	free(s->path);
}

void
cg__crossdoc_export_reset(struct cg_crossdoc_export *x)
{
	size_t k, i;

	for (k = 0; k < K_KINDS; k++) {
		for (i = 0; i < x->n[k]; i++)
			xsum_dispose(&x->s[k][i]);
		x->n[k] = 0;
		free(x->index[k][0]);
		free(x->index[k][1]);
		x->index[k][0] = x->index[k][1] = NULL;
	}
}

void
cg__crossdoc_export_free(struct cg_crossdoc_export *x)
{
	size_t k;

	if (x == NULL)
		return;
	cg__crossdoc_export_reset(x);
	for (k = 0; k < K_KINDS; k++)
		free(x->s[k]);
	free(x);
}

cg_rc
cg__crossdoc_export_new(struct cg_crossdoc_export **out)
{
	*out = calloc(1, sizeof(**out));
	return *out != NULL ? CG_OK : CG_ENOMEM;
}

bool
cg__crossdoc_export_empty(const struct cg_crossdoc_export *x)
{
	size_t k;

	for (k = 0; k < K_KINDS; k++) {
		if (x->n[k] > 0)
			return false;
	}
	return true;
}

static cg_rc
summarise(struct xsum *s, int k, const struct cg_msg *m, size_t doc, const char *source)
{
	const struct cg_decl *d = &m->docs[doc];
	size_t i, j;

	s->def = m->def;
	for (i = 0; i < NV && kinds[k].head[i] != NULL; i++) {
		if (!cg__crossdoc_dup(&s->v[i], cg__group_get(&d->head, kinds[k].head[i])))
			return CG_ENOMEM;
	}
	s->source = cg__strdup(source);
	s->path = cg__msg_path(m, doc, &d->head, -1);
	s->line = d->head.elem_line;
	if (s->source == NULL || s->path == NULL)
		return CG_ENOMEM;
	for (i = 0; i < 2; i++) {
		const int *f = keys[k][i];
		size_t len;

		if (f[0] < 0 || s->v[f[0]] == NULL || (f[1] >= 0 && s->v[f[1]] == NULL))
			continue;
		len = strlen(s->v[f[0]]) + (f[1] >= 0 ? strlen(s->v[f[1]]) + 1 : 0) + 1;
		s->key[i] = malloc(len);
		if (s->key[i] == NULL)
			return CG_ENOMEM;
		/* The unit separator cannot be in a code: the two parts stay apart. */
		(void)snprintf(s->key[i], len, "%s%s%s", s->v[f[0]], f[1] >= 0 ? "\x1f" : "",
			       f[1] >= 0 ? s->v[f[1]] : "");
	}
	if (d->nlines == 0 || kinds[k].line[0] == NULL)
		return CG_OK;
	s->lines = calloc(d->nlines, sizeof(*s->lines));
	if (s->lines == NULL)
		return CG_ENOMEM;
	s->nlines = d->nlines;
	for (i = 0; i < d->nlines; i++) {
		for (j = 0; j < NL && kinds[k].line[j] != NULL; j++) {
			if (!cg__crossdoc_dup(&s->lines[i][j], cg__group_get(&d->lines[i], kinds[k].line[j])))
				return CG_ENOMEM;
		}
	}
	return CG_OK;
}

cg_rc
cg__crossdoc_export_add(struct cg_crossdoc_export *x, const struct cg_msg *m, const char *source)
{
	int k = kind_of(m->def->type);
	size_t doc;
	cg_rc rc = CG_OK;

	if (k < 0)
		return CG_OK;
	for (doc = 0; doc < m->ndocs && rc == CG_OK; doc++) {
		struct xsum *s;

		rc = cg__grow((void **)&x->s[k], &x->cap[k], x->n[k] + 1, sizeof(struct xsum));
		if (rc != CG_OK)
			return rc;
		s = &x->s[k][x->n[k]++];
		memset(s, 0, sizeof(*s));
		rc = summarise(s, k, m, doc, source);
	}
	return rc;
}

/* ---------------------------------------------------------------- lookups */

static int
cmp_key0(const void *a, const void *b)
{
	const struct xsum *x = *(struct xsum *const *)a, *y = *(struct xsum *const *)b;

	return strcmp(x->key[0] != NULL ? x->key[0] : "", y->key[0] != NULL ? y->key[0] : "");
}

static int
cmp_key1(const void *a, const void *b)
{
	const struct xsum *x = *(struct xsum *const *)a, *y = *(struct xsum *const *)b;

	return strcmp(x->key[1] != NULL ? x->key[1] : "", y->key[1] != NULL ? y->key[1] : "");
}

/* Sorted indexes of every lookup role: the checks then cost n log n, not n squared. */
static cg_rc
build_indexes(struct cg_crossdoc_export *x)
{
	size_t k, r, i;

	for (k = 0; k < K_KINDS; k++) {
		for (r = 0; r < 2; r++) {
			if (keys[k][r][0] < 0 || x->n[k] == 0)
				continue;
			free(x->index[k][r]);
			x->index[k][r] = malloc(x->n[k] * sizeof(struct xsum *));
			if (x->index[k][r] == NULL)
				return CG_ENOMEM;
			for (i = 0; i < x->n[k]; i++)
				x->index[k][r][i] = &x->s[k][i];
			qsort(x->index[k][r], x->n[k], sizeof(struct xsum *), r == 0 ? cmp_key0 : cmp_key1);
		}
	}
	return CG_OK;
}

/* The document of kind @p k whose role-@p r key is @p a (and @p b when the key has two parts). */
static struct xsum *
find(struct cg_crossdoc_export *x, int k, int r, const char *a, const char *b)
{
	char key[256];
	struct xsum probe, *pp = &probe, **hit;

	if (a == NULL || x->index[k][r] == NULL || (keys[k][r][1] >= 0 && b == NULL))
		return NULL;
	if (snprintf(key, sizeof(key), "%s%s%s", a, keys[k][r][1] >= 0 ? "\x1f" : "",
		     keys[k][r][1] >= 0 ? b : "") >= (int)sizeof(key))
		return NULL;
	probe.key[r] = key;
	hit = bsearch(&pp, x->index[k][r], x->n[k], sizeof(struct xsum *), r == 0 ? cmp_key0 : cmp_key1);
	return hit != NULL ? *hit : NULL;
}

static const char *const *
line_of(const struct xsum *s, int field, const char *v)
{
	size_t i;

	for (i = 0; i < s->nlines; i++) {
		if (cg__crossdoc_same(s->lines[i][field], v))
			return (const char *const *)s->lines[i];
	}
	return NULL;
}

static cg_rc
report(cg_findings *f, const char *code, cg_severity sev, const struct xsum *s, const char *field,
       const char *zh, const char *en)
{
	char path[1024];

	(void)snprintf(path, sizeof(path), "%s/ceb:%s", s->path, field);
	return cg__finding_addf(f, code, sev, s->source, path, s->line, 0, zh, en);
}

static bool
dec(const char *v, cg_dec *out)
{
	return v != NULL && cg__dec_parse(v, out);
}

/* ---------------------------------------------------------------- rules */

/* The order types each export trade mode is declared with (ceb-export-spec.md §2.2-§2.5). */
static const char *
order_type_for(const char *mode)
{
	static const struct {
		const char *mode, *types;
	} t[] = { { "9610", "E" }, { "1210", "E W" }, { "9710", "B" }, { "9810", "W" } };
	size_t i;

	for (i = 0; mode != NULL && i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(t[i].mode, mode) == 0)
			return t[i].types;
	}
	return NULL;
}

/* Inventory against its order (§2.6): consignor, lines, value, and the order type of the mode. */
static cg_rc
check_order(cg_findings *f, const struct xsum *inv, const struct xsum *o)
{
	const char *types = order_type_for(inv->v[I_MODE]);
	char en[256], zh[256], a[64];
	cg_dec sum = 0, v, gv;
	size_t i;

	if (!cg__crossdoc_same(inv->v[I_EBC], o->v[O_EBC])) {
		(void)snprintf(en, sizeof(en), "ebcCode %.18s, the order's %.18s", inv->v[I_EBC] ? inv->v[I_EBC] : "",
			       o->v[O_EBC] ? o->v[O_EBC] : "");
		(void)snprintf(zh, sizeof(zh), "收发货人代码 %.18s，订单为 %.18s", inv->v[I_EBC] ? inv->v[I_EBC] : "",
			       o->v[O_EBC] ? o->v[O_EBC] : "");
		return report(f, "CG1311", CG_SEV_ERROR, inv, "ebcCode", zh, en);
	}
	if (types != NULL && o->v[O_TYPE] != NULL && strstr(types, o->v[O_TYPE]) == NULL) {
		(void)snprintf(en, sizeof(en), "tradeMode %s is declared with an order of type %s, the order is %.4s",
			       inv->v[I_MODE], types, o->v[O_TYPE]);
		(void)snprintf(zh, sizeof(zh), "贸易方式 %s 对应的订单类型为 %s，该订单为 %.4s", inv->v[I_MODE], types,
			       o->v[O_TYPE]);
		return report(f, "CG1312", CG_SEV_ERROR, inv, "tradeMode", zh, en);
	}
	for (i = 0; i < inv->nlines; i++) {
		const char *const *ol = line_of(o, L_GNUM, inv->lines[i][L_GNUM]);

		if (ol == NULL || !cg__crossdoc_same(ol[L_ITEM], inv->lines[i][L_ITEM])) {
			(void)snprintf(en, sizeof(en), "line gnum %.8s: %s", inv->lines[i][L_GNUM] ? inv->lines[i][L_GNUM] : "?",
				       ol == NULL ? "not in the order" : "itemNo differs from the order's");
			(void)snprintf(zh, sizeof(zh), "商品项号 %.8s：%s", inv->lines[i][L_GNUM] ? inv->lines[i][L_GNUM] : "?",
				       ol == NULL ? "订单中没有该商品" : "企业商品货号与订单不一致");
			return report(f, "CG1311", CG_SEV_ERROR, inv, "gnum", zh, en);
		}
		if (dec(inv->lines[i][L_TOTAL], &v))
			sum += v;
	}
	if (inv->nlines != o->nlines)
		return report(f, "CG1311", CG_SEV_ERROR, inv, "gnum", "清单与订单商品项数不一致",
			      "inventory and order have a different number of lines");
	if (dec(o->v[O_VALUE], &gv) && gv != sum) {
		cg__dec_format(sum, a, sizeof(a));
		(void)snprintf(en, sizeof(en), "sum of totalPrice %s, order goodsValue %.30s", a, o->v[O_VALUE]);
		(void)snprintf(zh, sizeof(zh), "总价合计 %s，订单商品金额 %.30s", a, o->v[O_VALUE]);
		return report(f, "CG1311", CG_SEV_ERROR, inv, "totalPrice", zh, en);
	}
	return CG_OK;
}

/* Inventory against its waybill: consignor and freight (UNCONFIRMED as rules: warnings). */
static cg_rc
check_waybill(cg_findings *f, const struct xsum *inv, const struct xsum *w)
{
	char en[200], zh[200];
	cg_dec a, b;

	if (w->v[2] != NULL && !cg__crossdoc_same(w->v[2], inv->v[I_EBC])) {
		(void)snprintf(en, sizeof(en), "ebcCode %.18s, the waybill's %.18s", inv->v[I_EBC] ? inv->v[I_EBC] : "", w->v[2]);
		(void)snprintf(zh, sizeof(zh), "收发货人代码 %.18s，运单为 %.18s", inv->v[I_EBC] ? inv->v[I_EBC] : "", w->v[2]);
		return report(f, "CG1313", CG_SEV_WARNING, inv, "ebcCode", zh, en);
	}
	if (dec(inv->v[I_FREIGHT], &a) && dec(w->v[3], &b) && a != b) {
		(void)snprintf(en, sizeof(en), "freight %.20s, the waybill's %.20s", inv->v[I_FREIGHT], w->v[3]);
		(void)snprintf(zh, sizeof(zh), "运费 %.20s，运单为 %.20s", inv->v[I_FREIGHT], w->v[3]);
		return report(f, "CG1313", CG_SEV_WARNING, inv, "freight", zh, en);
	}
	return CG_OK;
}

/* A receipt of payment names an order of the same platform (§2.6, keyed by ebcCode + orderNo). */
static cg_rc
check_receipt(cg_findings *f, const struct xsum *r, const struct xsum *o)
{
	char en[200], zh[200];

	if (cg__crossdoc_same(r->v[O_EBP], o->v[O_EBP]))
		return CG_OK;
	(void)snprintf(en, sizeof(en), "ebpCode %.18s, the order's %.18s", r->v[O_EBP] ? r->v[O_EBP] : "",
		       o->v[O_EBP] ? o->v[O_EBP] : "");
	(void)snprintf(zh, sizeof(zh), "电商平台代码 %.18s，订单为 %.18s", r->v[O_EBP] ? r->v[O_EBP] : "",
		       o->v[O_EBP] ? o->v[O_EBP] : "");
	return report(f, "CG1311", CG_SEV_ERROR, r, "ebpCode", zh, en);
}

/* A parcel on a master/house list travels under that list's bill when its inventory names one. */
static cg_rc
check_list(cg_findings *f, struct cg_crossdoc_export *x, const struct xsum *l)
{
	char en[256], zh[256];
	size_t i;

	for (i = 0; i < l->nlines; i++) {
		const struct xsum *inv = find(x, K_INVENTORY, 0, l->lines[i][0], NULL);

		if (inv == NULL || inv->v[I_BILL] == NULL || cg__crossdoc_same(inv->v[I_BILL], l->v[0]))
			continue;
		(void)snprintf(en, sizeof(en), "parcel %.32s is on bill %.37s here, on %.37s in its inventory",
			       l->lines[i][0], l->v[0] ? l->v[0] : "", inv->v[I_BILL]);
		(void)snprintf(zh, sizeof(zh), "运单 %.32s 在此提运单 %.37s 下，其清单中为 %.37s", l->lines[i][0],
			       l->v[0] ? l->v[0] : "", inv->v[I_BILL]);
		return report(f, "CG1314", CG_SEV_ERROR, l, "billNo", zh, en);
	}
	return CG_OK;
}

/*
 * A summary application names each inventory once, of its own consignor, of
 * summary declaration (statisticsFlag B) (§2.9); inventories validated with
 * it are checked, the others are customs' to know.
 */
static cg_rc
check_summary(cg_findings *f, struct cg_crossdoc_export *x, const struct xsum *s)
{
	char en[256], zh[256];
	size_t i, j;

	for (i = 0; i < s->nlines; i++) {
		const char *no = s->lines[i][0];
		const struct xsum *inv;

		for (j = 0; j < i; j++) {
			if (!cg__crossdoc_same(s->lines[j][0], no))
				continue;
			(void)snprintf(en, sizeof(en), "invtNo %.20s is listed twice", no);
			(void)snprintf(zh, sizeof(zh), "清单编号 %.20s 重复列出", no);
			return report(f, "CG1315", CG_SEV_ERROR, s, "invtNo", zh, en);
		}
		inv = find(x, K_INVENTORY, 1, no, NULL);
		if (inv == NULL)
			continue;
		if (!cg__crossdoc_same(inv->v[I_EBC], s->v[0])) {
			(void)snprintf(en, sizeof(en), "inventory %.20s is of consignor %.18s, not %.18s", no,
				       inv->v[I_EBC] ? inv->v[I_EBC] : "", s->v[0] ? s->v[0] : "");
			(void)snprintf(zh, sizeof(zh), "清单 %.20s 的收发货人为 %.18s，不是 %.18s", no,
				       inv->v[I_EBC] ? inv->v[I_EBC] : "", s->v[0] ? s->v[0] : "");
			return report(f, "CG1315", CG_SEV_ERROR, s, "invtNo", zh, en);
		}
		if (cg__crossdoc_same(inv->v[I_STAT], "A")) {
			(void)snprintf(en, sizeof(en), "inventory %.20s is of simplified declaration (statisticsFlag A): "
				       "it is counted, not summarised", no);
			(void)snprintf(zh, sizeof(zh), "清单 %.20s 为简化申报（申报业务类型A）：只汇总统计，不汇总申报", no);
			return report(f, "CG1315", CG_SEV_ERROR, s, "invtNo", zh, en);
		}
	}
	return CG_OK;
}

/* A returned line is a line of the original inventory, the same goods, no more of them (§3.9). */
static cg_rc
check_return(cg_findings *f, struct cg_crossdoc_export *x, const struct xsum *r)
{
	const struct xsum *inv = find(x, K_INVENTORY, 1, r->v[0], NULL);
	static const struct {
		int ret, inv;
		const char *name;
	} qty[] = { { R_QTY, L_QTY, "qty" }, { R_QTY1, L_QTY1, "qty1" }, { R_QTY2, L_QTY2, "qty2" } };
	char en[256], zh[256];
	size_t i, q;

	if (inv == NULL)
		return CG_OK;
	for (i = 0; i < r->nlines; i++) {
		const char *const *ol = line_of(inv, L_GNUM, r->lines[i][R_GNUM]);
		const char *g = r->lines[i][R_GNUM] != NULL ? r->lines[i][R_GNUM] : "?";
		cg_dec a, b;

		if (ol == NULL || !cg__crossdoc_same(ol[L_GCODE], r->lines[i][R_GCODE]) ||
		    !cg__crossdoc_same(ol[L_UNIT], r->lines[i][R_UNIT])) {
			(void)snprintf(en, sizeof(en), "line gnum %.8s: %s", g,
				       ol == NULL ? "not a line of the original inventory"
						  : "gcode or unit differs from the original line");
			(void)snprintf(zh, sizeof(zh), "商品项号 %.8s：%s", g,
				       ol == NULL ? "原清单中没有该项" : "商品编码或计量单位与原清单不一致");
			return report(f, "CG1316", CG_SEV_ERROR, r, "gnum", zh, en);
		}
		for (q = 0; q < sizeof(qty) / sizeof(qty[0]); q++) {
			if (!dec(r->lines[i][qty[q].ret], &a) || !dec(ol[qty[q].inv], &b) || a <= b)
				continue;
			(void)snprintf(en, sizeof(en), "line gnum %.8s: %s %.20s is more than the %.20s exported", g,
				       qty[q].name, r->lines[i][qty[q].ret], ol[qty[q].inv]);
			(void)snprintf(zh, sizeof(zh), "商品项号 %.8s：退货%s %.20s 大于出口的 %.20s", g, qty[q].name,
				       r->lines[i][qty[q].ret], ol[qty[q].inv]);
			return report(f, "CG1316", CG_SEV_ERROR, r, qty[q].name, zh, en);
		}
	}
	return CG_OK;
}

cg_rc
cg__crossdoc_export_check(struct cg_crossdoc_export *x, cg_findings *f)
{
	size_t i;
	cg_rc rc = build_indexes(x);

	for (i = 0; i < x->n[K_INVENTORY] && rc == CG_OK; i++) {
		const struct xsum *inv = &x->s[K_INVENTORY][i];
		const struct xsum *o = find(x, K_ORDER, 0, inv->v[I_ORDER], inv->v[I_EBP]);
		const struct xsum *w = find(x, K_WAYBILL, 0, inv->v[I_PARCEL], inv->v[I_LOGI]);

		if (o != NULL)
			rc = check_order(f, inv, o);
		if (rc == CG_OK && w != NULL)
			rc = check_waybill(f, inv, w);
	}
	for (i = 0; i < x->n[K_RECEIPT] && rc == CG_OK; i++) {
		const struct xsum *r = &x->s[K_RECEIPT][i];
		const struct xsum *o = find(x, K_ORDER, 1, r->v[O_NO], r->v[O_EBC]);

		if (o != NULL)
			rc = check_receipt(f, r, o);
	}
	for (i = 0; i < x->n[K_LIST] && rc == CG_OK; i++)
		rc = check_list(f, x, &x->s[K_LIST][i]);
	for (i = 0; i < x->n[K_SUMMARY] && rc == CG_OK; i++)
		rc = check_summary(f, x, &x->s[K_SUMMARY][i]);
	for (i = 0; i < x->n[K_RETURN] && rc == CG_OK; i++)
		rc = check_return(f, x, &x->s[K_RETURN][i]);
	return rc;
}
