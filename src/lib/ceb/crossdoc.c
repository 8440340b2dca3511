/* SPDX-License-Identifier: MIT */
/*
 * Cross-document rules (ceb-spec.md §4, §10.6): payment against order
 * (amount, buyer = payer), waybill against order (consignee), inventory
 * against order (lines, totals, tax). Only the fields these rules need are
 * kept, as one summary per document. The export family has rules of its own
 * (crossdoc_export.c), kept in the same object.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ceb/crossdoc.h"
#include "ceb/rules.h"

enum { S_ORDER, S_PAYMENT, S_WAYBILL, S_INVENTORY, S_KINDS };

/* Field names kept per kind; the summary stores their values in this order. */
static const char *const kept[S_KINDS][8] = {
	[S_ORDER] = { "orderNo", "ebpCode", "acturalPaid", "buyerName", "buyerIdNumber",
		      "consignee", "consigneeTelephone", "consigneeAddress" },
	[S_PAYMENT] = { "orderNo", "ebpCode", "amountPaid", "payerName", "payerIdNumber" },
	[S_WAYBILL] = { "orderNo", "", "", "", "", "consignee", "consigneeTelephone",
			"consigneeAddress" },
	[S_INVENTORY] = { "orderNo", "ebpCode" },
};

struct line_sum {
	char *gnum;
	char *name; /* order itemName / inventory gname */
};

struct sum {
	char *v[8];
	char *source;
	char *path; /* of the head element */
	unsigned long line;
	char *tax_total;      /* order */
	char *goods_value;    /* order */
	struct cg_tax *inv_tax; /* inventory: the recomputed tax */
	cg_dec inv_total;       /* inventory: sum of totalPrice */
	struct line_sum *lines;
	size_t nlines;
};

struct cg_crossdoc {
	struct sum *s[S_KINDS];
	size_t n[S_KINDS];
	size_t cap[S_KINDS];
	const struct cg_codes *codes; /* for the tax of inventories, set by add */
	struct cg_crossdoc_export *exp;
};

cg_rc
cg__crossdoc_new(struct cg_crossdoc **out, const struct cg_codes *codes)
{
	*out = calloc(1, sizeof(**out));
	if (*out == NULL)
		return CG_ENOMEM;
	(*out)->codes = codes;
	if (cg__crossdoc_export_new(&(*out)->exp) != CG_OK) {
		free(*out);
		*out = NULL;
		return CG_ENOMEM;
	}
	return CG_OK;
}

bool
cg__crossdoc_empty(const struct cg_crossdoc *x)
{
	size_t k;

	for (k = 0; k < S_KINDS; k++) {
		if (x->n[k] > 0)
			return false;
	}
	return cg__crossdoc_export_empty(x->exp);
}

void
cg__crossdoc_set_codes(struct cg_crossdoc *x, const struct cg_codes *codes)
{
	x->codes = codes;
}

static void
sum_dispose(struct sum *s)
{
	size_t i;

	for (i = 0; i < 8; i++)
		free(s->v[i]);
	for (i = 0; i < s->nlines; i++) {
		free(s->lines[i].gnum);
		free(s->lines[i].name);
	}
	free(s->lines);
	free(s->source);
	free(s->path);
	free(s->tax_total);
	free(s->goods_value);
	free(s->inv_tax);
}

void
cg__crossdoc_reset(struct cg_crossdoc *x)
{
	int k;
	size_t i;

	for (k = 0; k < S_KINDS; k++) {
		for (i = 0; i < x->n[k]; i++)
			sum_dispose(&x->s[k][i]);
		x->n[k] = 0;
	}
	cg__crossdoc_export_reset(x->exp);
}

void
cg__crossdoc_free(struct cg_crossdoc *x)
{
	int k;

	if (x == NULL)
		return;
	cg__crossdoc_reset(x);
	for (k = 0; k < S_KINDS; k++)
		free(x->s[k]);
	cg__crossdoc_export_free(x->exp);
	free(x);
}

static int
kind_of(int type)
{
	switch (type) {
	case 311:
		return S_ORDER;
	case 411:
		return S_PAYMENT;
	case 511:
		return S_WAYBILL;
	case 621:
		return S_INVENTORY;
	default:
		return -1;
	}
}

bool
cg__crossdoc_dup(char **dst, const char *src)
{
	if (src == NULL)
		return true;
	*dst = cg__strdup(src);
	return *dst != NULL;
}

static cg_rc
keep_lines(struct sum *s, const struct cg_decl *d, const char *name_field)
{
	size_t i;

	if (d->nlines == 0)
		return CG_OK;
	s->lines = calloc(d->nlines, sizeof(*s->lines));
	if (s->lines == NULL)
		return CG_ENOMEM;
	s->nlines = d->nlines;
	for (i = 0; i < d->nlines; i++) {
		if (!cg__crossdoc_dup(&s->lines[i].gnum, cg__group_get(&d->lines[i], "gnum")) ||
		    !cg__crossdoc_dup(&s->lines[i].name, cg__group_get(&d->lines[i], name_field)))
			return CG_ENOMEM;
	}
	return CG_OK;
}

static cg_rc
summarise(struct sum *s, int kind, const struct cg_msg *m, size_t doc, const char *source)
{
	const struct cg_decl *d = &m->docs[doc];
	size_t i;

	for (i = 0; i < 8; i++) {
		const char *name = kept[kind][i];

		if (name != NULL && name[0] != '\0' && !cg__crossdoc_dup(&s->v[i], cg__group_get(&d->head, name)))
			return CG_ENOMEM;
	}
	s->source = cg__strdup(source);
	s->path = cg__msg_path(m, doc, &d->head, -1);
	s->line = d->head.elem_line;
	if (s->source == NULL || s->path == NULL)
		return CG_ENOMEM;
	if (kind == S_ORDER) {
		if (!cg__crossdoc_dup(&s->tax_total, cg__group_get(&d->head, "taxTotal")) ||
		    !cg__crossdoc_dup(&s->goods_value, cg__group_get(&d->head, "goodsValue")))
			return CG_ENOMEM;
		return keep_lines(s, d, "itemName");
	}
	if (kind == S_INVENTORY)
		return keep_lines(s, d, "gname");
	return CG_OK;
}

static cg_rc
inventory_totals(struct sum *s, const struct cg_codes *codes, const struct cg_decl *d)
{
	size_t i;

	s->inv_tax = malloc(sizeof(*s->inv_tax));
	if (s->inv_tax == NULL)
		return CG_ENOMEM;
	cg__tax_recompute(codes, d, s->inv_tax);
	s->inv_total = 0;
	for (i = 0; i < d->nlines; i++) {
		const char *tp = cg__group_get(&d->lines[i], "totalPrice");
		cg_dec v;

		if (tp != NULL && cg__dec_parse(tp, &v))
			s->inv_total += v;
	}
	return CG_OK;
}

cg_rc
cg__crossdoc_add(struct cg_crossdoc *x, const struct cg_msg *m, const char *source)
{
	int kind = kind_of(m->def->type);
	size_t doc;
	cg_rc rc = CG_OK;

	if (m->def->export_family)
		return cg__crossdoc_export_add(x->exp, m, source);
	if (kind < 0)
		return CG_OK;
	for (doc = 0; doc < m->ndocs && rc == CG_OK; doc++) {
		struct sum *s;

		rc = cg__grow((void **)&x->s[kind], &x->cap[kind], x->n[kind] + 1, sizeof(struct sum));
		if (rc != CG_OK)
			return rc;
		s = &x->s[kind][x->n[kind]++];
		memset(s, 0, sizeof(*s));
		rc = summarise(s, kind, m, doc, source);
		if (rc == CG_OK && kind == S_INVENTORY && x->codes != NULL)
			rc = inventory_totals(s, x->codes, &m->docs[doc]);
	}
	return rc;
}

static int
cmp_order(const void *a, const void *b)
{
	const struct sum *x = a, *y = b;
	int c = strcmp(x->v[0] ? x->v[0] : "", y->v[0] ? y->v[0] : "");

	return c != 0 ? c : strcmp(x->v[1] ? x->v[1] : "", y->v[1] ? y->v[1] : "");
}

/* The order with @p orderNo (and @p ebpCode unless NULL); orders are sorted. */
static const struct sum *
find_order(const struct cg_crossdoc *x, const char *orderNo, const char *ebpCode)
{
	size_t lo = 0, hi = x->n[S_ORDER];

	if (orderNo == NULL)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct sum *o = &x->s[S_ORDER][mid];
		int c = strcmp(o->v[0] ? o->v[0] : "", orderNo);

		if (c == 0 && ebpCode != NULL)
			c = strcmp(o->v[1] ? o->v[1] : "", ebpCode);
		if (c == 0)
			return o;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static cg_rc
report_sev(cg_findings *f, const char *code, cg_severity sev, const struct sum *s,
	   const char *field, const char *zh, const char *en)
{
	char path[1024];

	(void)snprintf(path, sizeof(path), "%s/ceb:%s", s->path, field);
	return cg__finding_addf(f, code, sev, s->source, path, s->line, 0, zh, en);
}

static cg_rc
report_at(cg_findings *f, const char *code, const struct sum *s, const char *field,
	  const char *zh, const char *en)
{
	return report_sev(f, code, CG_SEV_ERROR, s, field, zh, en);
}

bool
cg__crossdoc_same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static bool
same_dec(const char *a, const char *b)
{
	cg_dec x, y;

	return a != NULL && b != NULL && cg__dec_parse(a, &x) && cg__dec_parse(b, &y) && x == y;
}

static cg_rc
check_payment(cg_findings *f, const struct sum *p, const struct sum *o)
{
	char en[256], zh[256];
	cg_rc rc = CG_OK;

	if (!same_dec(p->v[2], o->v[2])) {
		(void)snprintf(en, sizeof(en), "amountPaid %.30s, order %.60s acturalPaid %.30s",
			       p->v[2] ? p->v[2] : "", o->v[0], o->v[2] ? o->v[2] : "");
		(void)snprintf(zh, sizeof(zh), "支付金额 %.30s，订单 %.60s 实际支付金额 %.30s",
			       p->v[2] ? p->v[2] : "", o->v[0], o->v[2] ? o->v[2] : "");
		rc = report_at(f, "CG1101", p, "amountPaid", zh, en);
	}
	if (rc == CG_OK && (!cg__crossdoc_same(p->v[3], o->v[3]) || !cg__crossdoc_same(p->v[4], o->v[4]))) {
		(void)snprintf(en, sizeof(en), "payer of order %.60s is not its buyer", o->v[0]);
		(void)snprintf(zh, sizeof(zh), "订单 %.60s 的支付人与订购人不一致", o->v[0]);
		rc = report_at(f, "CG1102", p, cg__crossdoc_same(p->v[3], o->v[3]) ? "payerIdNumber" : "payerName",
			       zh, en);
	}
	return rc;
}

static cg_rc
check_waybill(cg_findings *f, const struct sum *w, const struct sum *o)
{
	static const char *const field[] = { "consignee", "consigneeTelephone", "consigneeAddress" };
	char en[256], zh[256];
	int i;

	for (i = 0; i < 3; i++) {
		if (cg__crossdoc_same(w->v[5 + i], o->v[5 + i]))
			continue;
		(void)snprintf(en, sizeof(en), "%s differs from order %.60s", field[i], o->v[0]);
		(void)snprintf(zh, sizeof(zh), "%s 与订单 %.60s 不一致", field[i], o->v[0]);
		return report_at(f, "CG1103", w, field[i], zh, en);
	}
	return CG_OK;
}

static const char *
order_line_name(const struct sum *o, const char *gnum)
{
	size_t i;

	for (i = 0; i < o->nlines; i++) {
		if (cg__crossdoc_same(o->lines[i].gnum, gnum))
			return o->lines[i].name != NULL ? o->lines[i].name : "";
	}
	return NULL;
}

/*
 * The order's taxTotal against the tax recomputed from its inventory: at the
 * retail rates within the limit, at the goods rates in full over it (§10.2).
 * A rate the tariff writes in a form cebgate cannot apply is said (CG1026),
 * never passed over and never guessed.
 */
static cg_rc
check_tax(cg_findings *f, const struct sum *inv, const struct sum *o)
{
	const struct cg_tax *t = inv->inv_tax;
	char en[640], zh[640], a[64], b[64], v[64];
	cg_dec tax;

	if (t == NULL || o->tax_total == NULL || !cg__dec_parse(o->tax_total, &tax))
		return CG_OK;
	if (t->basis == CG_TAX_UNCHECKED) {
		(void)snprintf(en, sizeof(en), "taxTotal not checked: %s", t->why_en);
		(void)snprintf(zh, sizeof(zh), "未核对代扣税款：%s", t->why_zh);
		return report_sev(f, "CG1026", CG_SEV_INFO, o, "taxTotal", zh, en);
	}
	if ((t->basis != CG_TAX_RETAIL && t->basis != CG_TAX_FULL) ||
	    cg__dec_abs(tax - t->tax) <= (cg_dec)1000)
		return CG_OK;
	cg__dec_format(tax, a, sizeof(a));
	cg__dec_format(t->tax, b, sizeof(b));
	cg__dec_format(t->dutiable, v, sizeof(v));
	if (t->basis == CG_TAX_FULL) {
		(void)snprintf(en, sizeof(en),
			       "taxTotal %s, recomputed from the inventory %s at the goods rates in "
			       "full (duty, VAT and consumption tax): the dutiable value %s CNY is over "
			       "the single-transaction limit",
			       a, b, v);
		(void)snprintf(zh, sizeof(zh),
			       "代扣税款 %s，按清单以货物税率全额（关税、增值税、消费税）重新计算为 %s："
			       "完税价格 %s 元超过单次交易限值",
			       a, b, v);
	} else {
		(void)snprintf(en, sizeof(en),
			       "taxTotal %s, recomputed from the inventory %s (cross-border retail: "
			       "no duty, VAT and consumption tax at 70 %%)",
			       a, b);
		(void)snprintf(zh, sizeof(zh),
			       "代扣税款 %s，按清单重新计算为 %s（跨境电商零售进口：关税为0，"
			       "增值税、消费税按70%%征收）",
			       a, b);
	}
	return report_at(f, "CG1007", o, "taxTotal", zh, en);
}

static cg_rc
check_inventory(cg_findings *f, struct sum *inv, struct sum *o)
{
	char en[256], zh[256], a[64];
	cg_dec gv;
	size_t i;

	for (i = 0; i < inv->nlines; i++) {
		const char *name = order_line_name(o, inv->lines[i].gnum);

		if (name != NULL && cg__crossdoc_same(name, inv->lines[i].name))
			continue;
		(void)snprintf(en, sizeof(en), "line gnum %.8s: %s", inv->lines[i].gnum ? inv->lines[i].gnum : "?",
			       name == NULL ? "not in the order" : "gname differs from the order's itemName");
		(void)snprintf(zh, sizeof(zh), "序号 %.8s：%s", inv->lines[i].gnum ? inv->lines[i].gnum : "?",
			       name == NULL ? "订单中没有该商品" : "商品名称与订单不一致");
		return report_at(f, "CG1104", inv, "gname", zh, en);
	}
	if (inv->nlines != o->nlines)
		return report_at(f, "CG1104", inv, "gnum", "清单与订单商品项数不一致",
				 "inventory and order have a different number of lines");
	if (o->goods_value != NULL && cg__dec_parse(o->goods_value, &gv) && gv != inv->inv_total) {
		cg__dec_format(inv->inv_total, a, sizeof(a));
		(void)snprintf(en, sizeof(en), "sum of totalPrice %s, order goodsValue %.30s", a, o->goods_value);
		(void)snprintf(zh, sizeof(zh), "总价合计 %s，订单商品价格 %.30s", a, o->goods_value);
		return report_at(f, "CG1104", inv, "totalPrice", zh, en);
	}
	return check_tax(f, inv, o);
}

cg_rc
cg__crossdoc_check(struct cg_crossdoc *x, const struct cg_codes *codes, cg_findings *f)
{
	const struct sum *o;
	size_t i;
	cg_rc rc = CG_OK;

	(void)codes;
	rc = cg__crossdoc_export_check(x->exp, f);
	if (rc != CG_OK || x->n[S_ORDER] == 0)
		return rc;
	qsort(x->s[S_ORDER], x->n[S_ORDER], sizeof(struct sum), cmp_order);
	for (i = 0; i < x->n[S_PAYMENT] && rc == CG_OK; i++) {
		o = find_order(x, x->s[S_PAYMENT][i].v[0], x->s[S_PAYMENT][i].v[1]);
		if (o != NULL)
			rc = check_payment(f, &x->s[S_PAYMENT][i], o);
	}
	for (i = 0; i < x->n[S_WAYBILL] && rc == CG_OK; i++) {
		o = find_order(x, x->s[S_WAYBILL][i].v[0], NULL);
		if (o != NULL)
			rc = check_waybill(f, &x->s[S_WAYBILL][i], o);
	}
	for (i = 0; i < x->n[S_INVENTORY] && rc == CG_OK; i++) {
		o = find_order(x, x->s[S_INVENTORY][i].v[0], x->s[S_INVENTORY][i].v[1]);
		if (o != NULL)
			rc = check_inventory(f, &x->s[S_INVENTORY][i], (struct sum *)o);
	}
	return rc;
}
