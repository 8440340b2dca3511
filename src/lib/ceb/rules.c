/* SPDX-License-Identifier: MIT */
/*
 * Business rules over one message (ceb-spec.md §4, §10.5, §10.6). Field checks
 * follow from the field tables (model.h); the rest is one table of rules per
 * message type. Each rule skips silently when a value it needs is missing or
 * malformed: the XSD has already reported that.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "ceb/rules.h"

/* Tolerance for totalPrice = price x qty (UNCONFIRMED in the spec): one fen. */
#define LINE_TOLERANCE ((cg_dec)1000)

struct env {
	const struct cg_codes *codes;
	const struct cg_msg *m;
	const char *source;
	cg_findings *f;
	size_t date_doc; /* the document whose date is in date, when dated */
	const char *date;
	bool dated;
};

/* The date a document's codes are judged at (cg__codes_doc_date): looked up once per document. */
static const char *
doc_date(struct env *e, size_t doc)
{
	if (!e->dated || e->date_doc != doc) {
		e->date = cg__codes_doc_date(&e->m->docs[doc]);
		e->date_doc = doc;
		e->dated = true;
	}
	return e->date;
}

struct rule;
typedef cg_rc (*rule_fn)(struct env *e, size_t doc, const struct rule *r);

struct rule {
	const char *code;
	rule_fn fn;
	const char *a, *b, *c;
};

cg_rc
cg__report(cg_findings *f, const char *code, cg_severity sev, const char *source,
	   const struct cg_msg *m, size_t doc, const struct cg_group *g, const char *field,
	   const char *zh, const char *en)
{
	int idx = field != NULL && g != NULL && g->def != NULL ? cg__edef_find(g->def, field) : -1;
	unsigned long line = 0, col = 0;
	char *path = cg__msg_path(m, doc, g, idx);
	cg_rc rc;

	if (g != NULL) {
		line = idx >= 0 && g->line[idx] != 0 ? g->line[idx] : g->elem_line;
		col = idx >= 0 ? g->col[idx] : 0;
	}
	rc = cg__finding_addf(f, code, sev, source, path != NULL ? path : "", line, col, zh, en);
	free(path);
	return rc;
}

static cg_rc
report(struct env *e, const char *code, size_t doc, const struct cg_group *g, const char *field,
       const char *zh, const char *en)
{
	return cg__report(e->f, code, CG_SEV_ERROR, e->source, e->m, doc, g, field, zh, en);
}

static bool
dec_of(const struct cg_group *g, const char *name, cg_dec *out)
{
	const char *v = cg__group_get(g, name);

	return v != NULL && cg__dec_parse(v, out);
}

static void
fmt(char *buf, size_t size, const char *what, cg_dec got, cg_dec want)
{
	char a[64], b[64];

	cg__dec_format(got, a, sizeof(a));
	cg__dec_format(want, b, sizeof(b));
	(void)snprintf(buf, size, "%s %s, expected %s", what, a, b);
}

static cg_rc
mismatch(struct env *e, const char *code, size_t doc, const struct cg_group *g,
	 const char *field, cg_dec got, cg_dec want)
{
	char en[160], zh[160];

	fmt(en, sizeof(en), field, got, want);
	fmt(zh, sizeof(zh), field, got, want);
	/* The Chinese detail reuses the figures: "应为" reads as "expected". */
	{
		char *p = strstr(zh, ", expected ");

		if (p != NULL) {
			char tail[64];

			(void)snprintf(tail, sizeof(tail), "%s", p + 11);
			(void)snprintf(p, sizeof(zh) - (size_t)(p - zh), "，应为 %s", tail);
		}
	}
	return report(e, code, doc, g, field, zh, en);
}

/* acturalPaid = goodsValue + freight + taxTotal - discount (CONFIRMED, §3.1). */
static cg_rc
r_paid_identity(struct env *e, size_t doc, const struct rule *r)
{
	const struct cg_group *h = &e->m->docs[doc].head;
	cg_dec gv, fr, tax, disc, paid, want;

	(void)r;
	if (!dec_of(h, "goodsValue", &gv) || !dec_of(h, "freight", &fr) ||
	    !dec_of(h, "taxTotal", &tax) || !dec_of(h, "discount", &disc) ||
	    !dec_of(h, "acturalPaid", &paid))
		return CG_OK;
	want = gv + fr + tax - disc;
	if (paid == want)
		return CG_OK;
	return mismatch(e, r->code, doc, h, "acturalPaid", paid, want);
}

/* totalPrice = price x qty on every line, within one fen. */
static cg_rc
r_line_product(struct env *e, size_t doc, const struct rule *r)
{
	const struct cg_decl *d = &e->m->docs[doc];
	size_t i;
	cg_rc rc;

	for (i = 0; i < d->nlines; i++) {
		cg_dec price, qty, total, want;

		if (!dec_of(&d->lines[i], r->a, &price) || !dec_of(&d->lines[i], r->b, &qty) ||
		    !dec_of(&d->lines[i], r->c, &total))
			continue;
		if (!cg__dec_mul(price, qty, &want)) {
			rc = report(e, r->code, doc, &d->lines[i], r->c, "单价×数量超出范围",
				    "price x qty out of range");
			if (rc != CG_OK)
				return rc;
			continue;
		}
		if (cg__dec_abs(total - want) <= LINE_TOLERANCE)
			continue;
		rc = mismatch(e, r->code, doc, &d->lines[i], r->c, total, want);
		if (rc != CG_OK)
			return rc;
	}
	return CG_OK;
}

/* Head field a = sum of line field b. */
static cg_rc
r_sum_lines(struct env *e, size_t doc, const struct rule *r)
{
	const struct cg_decl *d = &e->m->docs[doc];
	cg_dec want = 0, got, v;
	size_t i;

	if (!dec_of(&d->head, r->a, &got))
		return CG_OK;
	for (i = 0; i < d->nlines; i++) {
		if (!dec_of(&d->lines[i], r->b, &v))
			return CG_OK;
		want += v;
	}
	if (got == want)
		return CG_OK;
	return mismatch(e, r->code, doc, &d->head, r->a, got, want);
}

/* Head field a, when present, must be exactly b. */
static cg_rc
r_equals(struct env *e, size_t doc, const struct rule *r)
{
	const struct cg_group *h = &e->m->docs[doc].head;
	const char *v = cg__group_get(h, r->a);
	char en[160], zh[160];
	cg_dec x, y;

	if (v == NULL || strcmp(v, r->b) == 0)
		return CG_OK;
	/* Numbers compare by value: packNo "01" is 1. */
	if (cg__dec_parse(v, &x) && cg__dec_parse(r->b, &y) && x == y)
		return CG_OK;
	(void)snprintf(en, sizeof(en), "%s is \"%.40s\", must be %s", r->a, v, r->b);
	(void)snprintf(zh, sizeof(zh), "%s 为 \"%.40s\"，必须为 %s", r->a, v, r->b);
	return report(e, r->code, doc, h, r->a, zh, en);
}

/* Head field a may not exceed head field b: net weight within gross weight (CG1027). */
static cg_rc
r_not_above(struct env *e, size_t doc, const struct rule *r)
{
	const struct cg_group *h = &e->m->docs[doc].head;
	char en[200], zh[200], a[64], b[64];
	cg_dec x, y;

	if (!dec_of(h, r->a, &x) || !dec_of(h, r->b, &y) || x <= y)
		return CG_OK;
	cg__dec_format(x, a, sizeof(a));
	cg__dec_format(y, b, sizeof(b));
	(void)snprintf(en, sizeof(en), "%s %s is more than %s %s", r->a, a, r->b, b);
	(void)snprintf(zh, sizeof(zh), "%s %s 大于 %s %s", r->a, a, r->b, b);
	return report(e, r->code, doc, h, r->a, zh, en);
}

/* gnum runs 1, 2, 3 ... in document order. */
static cg_rc
r_gnum(struct env *e, size_t doc, const struct rule *r)
{
	const struct cg_decl *d = &e->m->docs[doc];
	char en[96], zh[96];
	size_t i;

	for (i = 0; i < d->nlines; i++) {
		const char *v = cg__group_get(&d->lines[i], "gnum");
		char want[24];
		cg_dec g;

		(void)snprintf(want, sizeof(want), "%zu", i + 1);
		if (v == NULL || (cg__dec_parse(v, &g) && g == (cg_dec)(i + 1) * CG_DEC_ONE))
			continue;
		(void)snprintf(en, sizeof(en), "line %zu has gnum %.20s, expected %s", i + 1, v, want);
		(void)snprintf(zh, sizeof(zh), "第%zu行序号为%.20s，应为%s", i + 1, v, want);
		return report(e, r->code, doc, &d->lines[i], "gnum", zh, en);
	}
	return CG_OK;
}

static bool
present(const struct cg_group *g, const char *name)
{
	const char *v = cg__group_get(g, name);

	return v != NULL && v[strspn(v, " \t\r\n")] != '\0';
}

/* A placeholder ("/", "无" ...) stands for no value: it never meets a requirement. */
static bool
has_value(const struct cg_group *g, const char *name)
{
	return present(g, name) && !cg__is_placeholder(cg__group_get(g, name));
}

/* Copy the next space-separated word of *@p list into @p buf; false at the end. */
static bool
next_word(const char **list, char *buf, size_t size)
{
	const char *p = *list + strspn(*list, " ");
	size_t n = strcspn(p, " ");

	if (n == 0 || n >= size)
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	*list = p + n;
	return true;
}

static bool
in_list(const char *list, const char *v)
{
	char w[32];

	while (next_word(&list, w, sizeof(w))) {
		if (strcmp(w, v) == 0)
			return true;
	}
	return false;
}

static cg_rc
missing(struct env *e, const char *code, size_t doc, const struct cg_group *g, const char *field,
	const char *mode)
{
	const char *v = cg__group_get(g, field);
	char en[160], zh[160];

	if (present(g, field)) {
		(void)snprintf(en, sizeof(en),
			       "%s is required for trade mode %s: "
			       "\"%.20s\" is a placeholder, not a value",
			       field, mode, v);
		(void)snprintf(zh, sizeof(zh), "贸易方式%s必须填写%s：\"%.20s\"是占位值，不是有效值",
			       mode, field, v);
	} else {
		(void)snprintf(en, sizeof(en), "%s is required for trade mode %s", field, mode);
		(void)snprintf(zh, sizeof(zh), "贸易方式%s必须填写%s", mode, field);
	}
	return report(e, code, doc, g, field, zh, en);
}

/*
 * Fields a trade mode requires (§10.6 #9): in tradeMode a, the head fields
 * listed in b and the line fields listed in c must hold a real value.
 */
static cg_rc
r_mode_fields(struct env *e, size_t doc, const struct rule *r)
{
	const struct cg_decl *d = &e->m->docs[doc];
	const char *mode = cg__group_get(&d->head, "tradeMode");
	const char *list = r->b;
	char field[32];
	size_t i;

	if (mode == NULL || strcmp(mode, r->a) != 0)
		return CG_OK;
	while (next_word(&list, field, sizeof(field))) {
		if (!has_value(&d->head, field))
			return missing(e, r->code, doc, &d->head, field, mode);
	}
	for (list = r->c; list != NULL && next_word(&list, field, sizeof(field));) {
		for (i = 0; i < d->nlines; i++) {
			if (!has_value(&d->lines[i], field))
				return missing(e, r->code, doc, &d->lines[i], field, mode);
		}
	}
	return CG_OK;
}

/* Bonded import (1210) ships from a bonded warehouse in China: country 142 (§3.5 #39). */
static cg_rc
r_bonded_country(struct env *e, size_t doc, const struct rule *r)
{
	const struct cg_group *h = &e->m->docs[doc].head;
	const char *mode = cg__group_get(h, "tradeMode");
	const char *country = cg__group_get(h, "country");

	if (mode == NULL || strcmp(mode, "1210") != 0 || country == NULL ||
	    strcmp(country, "142") == 0)
		return CG_OK;
	return report(e, r->code, doc, h, "country", "保税进口起运国应为142",
		      "bonded import: country must be 142");
}

/* Column @p col of @p code's row in table @p t in force today, "" when there is none. */
static const char *
row_cell(const struct cg_codes *codes, enum cg_table t, const char *code, const char *col)
{
	const char *names[16], *vals[16];
	size_t i, n = cg__codes_row(codes, t, code, NULL, NULL, names, vals, 16);

	for (i = 0; i < n; i++) {
		if (strcmp(names[i], col) == 0)
			return vals[i];
	}
	return "";
}

/* The Chinese name of unit @p code ("千克"), "" when the unit table lacks it. */
static const char *
unit_zh(const struct cg_codes *codes, const char *code)
{
	return row_cell(codes, CG_T_UNIT, code, "zh");
}

/*
 * unit1 (unit2) is the first (second) legal unit of the code in the tariff in
 * force (CG1018): the message names the expected unit's code and name and the edition.
 */
static cg_rc
check_legal_unit(struct env *e, size_t doc, const struct cg_group *g, const char *field,
		 const char *gcode, const char *want, const struct cg_edition_use *use)
{
	const char *v = cg__group_get(g, field);
	bool first = strcmp(field, "unit1") == 0;
	char en[400], zh[400], ed[24];

	if (v == NULL || want[0] == '\0' || strcmp(v, want) == 0)
		return CG_OK;
	(void)snprintf(ed, sizeof(ed), "%s", use->ed != NULL ? use->ed->edition : "");
	(void)snprintf(en, sizeof(en),
		       "%s is %.8s (%s); the %s legal unit of gcode %.12s in the %s tariff is %s (%s)",
		       field, v, unit_zh(e->codes, v), first ? "first" : "second", gcode, ed, want,
		       unit_zh(e->codes, want));
	(void)snprintf(zh, sizeof(zh), "%s 为 %.8s（%s）；商品编码 %.12s 在%s税则中的%s法定计量单位为 %s（%s）",
		       field, v, unit_zh(e->codes, v), gcode, ed, first ? "第一" : "第二", want,
		       unit_zh(e->codes, want));
	return report(e, "CG1018", doc, g, field, zh, en);
}

/*
 * The second legal quantity is declared exactly when the tariff gives the code
 * a second legal unit (CG1018): missing when it has one, or declared when it has none.
 */
static cg_rc
check_second_unit(struct env *e, size_t doc, const struct cg_group *g, const char *gcode,
		  const char *want)
{
	bool has = present(g, "unit2") && present(g, "qty2");
	char en[200], zh[200];

	/* One of the two without the other is CG1011's. */
	if (present(g, "unit2") != present(g, "qty2") || has == (want[0] != '\0'))
		return CG_OK;
	if (!has) {
		(void)snprintf(en, sizeof(en),
			       "gcode %.12s has a second legal unit %s (%s): declare qty2 and unit2",
			       gcode, want, unit_zh(e->codes, want));
		(void)snprintf(zh, sizeof(zh), "商品编码 %.12s 有第二法定单位 %s（%s）：须填写qty2和unit2",
			       gcode, want, unit_zh(e->codes, want));
		return report(e, "CG1018", doc, g, "unit1", zh, en);
	}
	(void)snprintf(en, sizeof(en),
		       "gcode %.12s has no second legal unit: leave qty2 and unit2 out", gcode);
	(void)snprintf(zh, sizeof(zh), "商品编码 %.12s 没有第二法定单位：qty2和unit2应不填", gcode);
	return report(e, "CG1018", doc, g, "unit2", zh, en);
}

/* gcode is a code of the tariff in force at the declaration date (CG1025). */
static cg_rc
missing_from_tariff(struct env *e, size_t doc, const struct cg_group *g, const char *gcode,
		    const struct cg_edition_use *use)
{
	char en[320], zh[320], ed_en[200], ed_zh[200];

	cg__edition_phrase(use, false, ed_en, sizeof(ed_en));
	cg__edition_phrase(use, true, ed_zh, sizeof(ed_zh));
	(void)snprintf(en, sizeof(en), "gcode %.12s is not a code of the %s tariff (%s)", gcode,
		       use->ed->edition, ed_en);
	(void)snprintf(zh, sizeof(zh), "商品编码 %.12s 不在%s税则中（%s）", gcode, use->ed->edition,
		       ed_zh);
	return report(e, "CG1025", doc, g, "gcode", zh, en);
}

/*
 * gcode on the positive list in force (CG1008): an error against a complete
 * list, a warning against a partial one, which cannot know what it lacks.
 */
static cg_rc
check_positive(struct env *e, size_t doc, const struct cg_group *g, const char *gcode,
	       const char *date)
{
	struct cg_edition_use use = { 0 };
	char en[400], zh[400], ed_en[200], ed_zh[200];

	if (cg__codes_positive_at(e->codes, gcode, date, &use) != NULL || use.ed == NULL ||
	    use.ed->rows == 0)
		return CG_OK;
	cg__edition_phrase(&use, false, ed_en, sizeof(ed_en));
	cg__edition_phrase(&use, true, ed_zh, sizeof(ed_zh));
	if (use.ed->complete) {
		(void)snprintf(en, sizeof(en), "gcode %.12s is not on the positive list (%s)", gcode,
			       ed_en);
		(void)snprintf(zh, sizeof(zh), "商品编码 %.12s 不在跨境电商零售进口商品清单内（%s）",
			       gcode, ed_zh);
		return report(e, "CG1008", doc, g, "gcode", zh, en);
	}
	(void)snprintf(en, sizeof(en),
		       "gcode %.12s is not among the %zu lines of the positive list installed (%s); "
		       "that list is partial, so the code may well be on the published list",
		       gcode, use.ed->rows, ed_en);
	(void)snprintf(zh, sizeof(zh),
		       "商品编码 %.12s 不在已安装的%zu行商品清单内（%s）；已安装的清单不完整，"
		       "该编码可能在正式清单内",
		       gcode, use.ed->rows, ed_zh);
	return cg__report(e->f, "CG1008", CG_SEV_WARNING, e->source, e->m, doc, g, "gcode", zh,
			  en);
}

/*
 * gcode in the tariff and (imports) on the positive list in force at the
 * declaration date, and unit1/unit2 its legal units (CG1018).
 */
static cg_rc
r_hs(struct env *e, size_t doc, const struct rule *r)
{
	const struct cg_decl *d = &e->m->docs[doc];
	const char *date = cg__codes_doc_date(d);
	size_t i;
	cg_rc rc = CG_OK;

	(void)r;
	for (i = 0; i < d->nlines && rc == CG_OK; i++) {
		const struct cg_group *g = &d->lines[i];
		const char *gcode = cg__group_get(g, "gcode");
		struct cg_edition_use use = { 0 };
		const struct cg_hs *hs;

		if (gcode == NULL)
			continue;
		hs = cg__codes_hs_at(e->codes, gcode, date, &use);
		if (hs == NULL) {
			if (use.ed != NULL && use.ed->rows > 0)
				rc = missing_from_tariff(e, doc, g, gcode, &use);
			continue;
		}
		/* The positive list is of retail imports; exports have none. */
		if (!e->m->def->export_family)
			rc = check_positive(e, doc, g, gcode, date);
		if (rc == CG_OK)
			rc = check_legal_unit(e, doc, g, "unit1", gcode, hs->unit1, &use);
		if (rc == CG_OK)
			rc = check_second_unit(e, doc, g, gcode, hs->unit2);
		if (rc == CG_OK && present(g, "unit2"))
			rc = check_legal_unit(e, doc, g, "unit2", gcode, hs->unit2, &use);
	}
	return rc;
}

/* qty2 and unit2 both absent, or both present with qty2 > 0 (-625009). */
static cg_rc
r_qty2(struct env *e, size_t doc, const struct rule *r)
{
	const struct cg_decl *d = &e->m->docs[doc];
	size_t i;

	for (i = 0; i < d->nlines; i++) {
		const struct cg_group *g = &d->lines[i];
		bool q = present(g, "qty2"), u = present(g, "unit2");
		cg_dec v;

		if (q != u)
			return report(e, r->code, doc, g, "qty2",
				      q ? "填写了第二数量但没有第二计量单位" : "填写了第二计量单位但没有第二数量",
				      q ? "qty2 without unit2" : "unit2 without qty2");
		if (q && dec_of(g, "qty2", &v) && v <= 0)
			return report(e, r->code, doc, g, "qty2", "第二数量必须大于0",
				      "qty2 must be > 0");
	}
	return CG_OK;
}

/* Single-transaction limit on the dutiable value (§10.2); one indivisible item may pass. */
static cg_rc
r_limit(struct env *e, size_t doc, const struct rule *r)
{
	const struct cg_decl *d = &e->m->docs[doc];
	cg_dec value, qty;
	char v[64], en[128], zh[128];

	if (!cg__dutiable_value(d, &value) || value <= CG__SINGLE_LIMIT)
		return CG_OK;
	cg__dec_format(value, v, sizeof(v));
	(void)snprintf(en, sizeof(en), "dutiable value %s CNY", v);
	(void)snprintf(zh, sizeof(zh), "完税价格 %s 元", v);
	if (d->nlines == 1 && dec_of(&d->lines[0], "qty", &qty) && qty == CG_DEC_ONE)
		return cg__report(e->f, "CG1019", CG_SEV_WARNING, e->source, e->m, doc, &d->head,
				  NULL, zh, en);
	return report(e, r->code, doc, &d->head, NULL, zh, en);
}

/* Head field a is one of the space-separated values b. */
static cg_rc
r_one_of(struct env *e, size_t doc, const struct rule *r)
{
	const struct cg_group *h = &e->m->docs[doc].head;
	const char *v = cg__group_get(h, r->a);
	char en[160], zh[160];

	if (v == NULL || in_list(r->b, v))
		return CG_OK;
	(void)snprintf(en, sizeof(en), "%s is \"%.20s\", allowed: %s", r->a, v, r->b);
	(void)snprintf(zh, sizeof(zh), "%s 为 \"%.20s\"，允许的值：%s", r->a, v, r->b);
	return report(e, r->code, doc, h, r->a, zh, en);
}

/* A state is a positive number, an error a negative one (§5); no sign, no leading zero. */
static bool
status_number(const char *v)
{
	if (*v == '-')
		v++;
	return *v >= '1' && *v <= '9' && v[strspn(v, "0123456789")] == '\0';
}

/*
 * returnStatus of a receipt (§5). Any negative number is an error code (§5.3).
 * A positive state missing from the type's list a (§5.1) is only a warning:
 * the spec says to treat unknown states as informational. NULL a: no list.
 */
static cg_rc
r_return_status(struct env *e, size_t doc, const struct rule *r)
{
	const struct cg_group *h = &e->m->docs[doc].head;
	const char *v = cg__group_get(h, "returnStatus");
	char en[200], zh[200];

	if (v == NULL)
		return CG_OK;
	if (!status_number(v)) {
		(void)snprintf(en, sizeof(en), "returnStatus \"%.20s\"", v);
		(void)snprintf(zh, sizeof(zh), "回执状态 \"%.20s\"", v);
		return report(e, r->code, doc, h, "returnStatus", zh, en);
	}
	if (v[0] == '-' || r->a == NULL || in_list(r->a, v))
		return CG_OK;
	(void)snprintf(en, sizeof(en), "returnStatus %s is not a state of %s (ceb-spec §5.1: %s)",
		       v, e->m->def->root, r->a);
	(void)snprintf(zh, sizeof(zh), "回执状态 %s 不是%s的状态（ceb-spec §5.1：%s）", v,
		       e->m->def->root, r->a);
	return cg__report(e->f, "CG1022", CG_SEV_WARNING, e->source, e->m, doc, h, "returnStatus",
			  zh, en);
}

/* Head field a must not be b (a return ships from abroad: country not 142). */
static cg_rc
r_not_equal(struct env *e, size_t doc, const struct rule *r)
{
	const struct cg_group *h = &e->m->docs[doc].head;
	const char *v = cg__group_get(h, r->a);
	char en[160], zh[160];

	if (v == NULL || strcmp(v, r->b) != 0)
		return CG_OK;
	(void)snprintf(en, sizeof(en), "%s may not be %s", r->a, r->b);
	(void)snprintf(zh, sizeof(zh), "%s 不能为 %s", r->a, r->b);
	return report(e, r->code, doc, h, r->a, zh, en);
}

/* Head field a holds a number greater than zero (gross and net weight of an export inventory). */
static cg_rc
r_positive(struct env *e, size_t doc, const struct rule *r)
{
	const struct cg_group *h = &e->m->docs[doc].head;
	char en[96], zh[96];
	cg_dec v;

	if (!dec_of(h, r->a, &v) || v > 0)
		return CG_OK;
	(void)snprintf(en, sizeof(en), "%s must be more than 0", r->a);
	(void)snprintf(zh, sizeof(zh), "%s 必须大于0", r->a);
	return report(e, r->code, doc, h, r->a, zh, en);
}

/* msgSeqNo runs from 1 to msgCount (a split document, ceb-export-spec.md §3.4 #17-18). */
static cg_rc
r_msg_seq(struct env *e, size_t doc, const struct rule *r)
{
	const struct cg_group *h = &e->m->docs[doc].head;
	char en[128], zh[128];
	cg_dec count, seq;

	if (!dec_of(h, "msgCount", &count) || !dec_of(h, "msgSeqNo", &seq) || seq <= count)
		return CG_OK;
	(void)snprintf(en, sizeof(en), "msgSeqNo %s is more than msgCount %s",
		       cg__group_get(h, "msgSeqNo"), cg__group_get(h, "msgCount"));
	(void)snprintf(zh, sizeof(zh), "报文序号 %s 大于报文总数 %s", cg__group_get(h, "msgSeqNo"),
		       cg__group_get(h, "msgCount"));
	return report(e, r->code, doc, h, "msgSeqNo", zh, en);
}

/*
 * A summary window: startTime and endTime both or neither, and the end not
 * before the start (ceb-export-spec.md §3.11 #15-16).
 */
static cg_rc
r_window(struct env *e, size_t doc, const struct rule *r)
{
	const struct cg_group *h = &e->m->docs[doc].head;
	const char *from = cg__group_get(h, "startTime"), *to = cg__group_get(h, "endTime");

	if ((from == NULL) != (to == NULL))
		return report(e, r->code, doc, h, from == NULL ? "endTime" : "startTime",
			      "汇总开始时间与汇总结束时间必须同时填写或同时不填",
			      "startTime and endTime go together");
	if (from != NULL && strcmp(to, from) < 0)
		return report(e, r->code, doc, h, "endTime", "汇总结束时间早于汇总开始时间",
			      "endTime is before startTime");
	return CG_OK;
}

#define RULES(name) static const struct rule name[]
#define END { NULL, NULL, NULL, NULL, NULL }

RULES(rules_311) = {
	{ "CG1001", r_paid_identity, NULL, NULL, NULL },
	{ "CG1002", r_line_product, "price", "qty", "totalPrice" },
	{ "CG1003", r_sum_lines, "goodsValue", "totalPrice", NULL },
	{ "CG1005", r_equals, "buyerIdType", "1", NULL },
	{ "CG1010", r_gnum, NULL, NULL, NULL },
	END,
};
RULES(rules_411) = {
	{ "CG1005", r_equals, "payerIdType", "1", NULL },
	END,
};
RULES(rules_511) = {
	{ "CG1016", r_equals, "packNo", "1", NULL },
	END,
};
RULES(rules_513) = {
	{ "CG1020", r_equals, "logisticsStatus", "S", NULL },
	END,
};
RULES(rules_621) = {
	{ "CG1002", r_line_product, "price", "qty", "totalPrice" },
	{ "CG1005", r_equals, "buyerIdType", "1", NULL },
	{ "CG1010", r_gnum, NULL, NULL, NULL },
	{ "CG1016", r_equals, "packNo", "1", NULL },
	{ "CG1012", r_mode_fields, "1210", "emsNo areaCode areaName", "itemRecordNo" },
	{ "CG1012", r_bonded_country, NULL, NULL, NULL },
	{ "CG1013", r_mode_fields, "9610", "trafNo voyageNo billNo", NULL },
	{ "CG1008", r_hs, NULL, NULL, NULL },
	{ "CG1011", r_qty2, NULL, NULL, NULL },
	{ "CG1006", r_limit, NULL, NULL, NULL },
	{ "CG1027", r_not_above, "netWeight", "grossWeight", NULL },
	END,
};
RULES(rules_cancel) = {
	{ "CG1005", r_equals, "buyerIdType", "1", NULL },
	END,
};
RULES(rules_711) = {
	{ "CG1010", r_gnum, NULL, NULL, NULL },
	END,
};
/* returnStatus states per receipt (§5.1): the XSD and PDF lists together (§12 #9). */
RULES(rules_rcpt_basic) = {
	{ "CG1021", r_return_status, "2 3 4 100 120 399", NULL, NULL },
	END,
};
RULES(rules_rcpt_inventory) = {
	{ "CG1021", r_return_status,
	  "1 2 3 4 100 120 300 399 500 501 502 503 599 700 800 899", NULL, NULL },
	END,
};
RULES(rules_rcpt_saved) = {
	{ "CG1021", r_return_status, "1 2 3 4 100 120 399", NULL, NULL },
	END,
};
/* §3.10 defines only the sign of a CEB900 returnStatus. */
RULES(rules_rcpt_format) = {
	{ "CG1021", r_return_status, NULL, NULL, NULL },
	END,
};
/* Tax-bill status: 1 generated, 2 summarised, 3 voided (§5.2). */
RULES(rules_taxbill) = {
	{ "CG1023", r_one_of, "status", "1 2 3", NULL },
	END,
};
/*
 * The export family (ceb-export-spec.md §2.10, §3, §7.3 #3). Codes CG13xx are
 * its own; CG10xx ones are shared with imports where the rule is the same.
 */
RULES(rules_303) = {
	{ "CG1301", r_one_of, "orderType", "E B W", NULL },
	{ "CG1002", r_line_product, "price", "qty", "totalPrice" },
	{ "CG1003", r_sum_lines, "goodsValue", "totalPrice", NULL },
	{ "CG1010", r_gnum, NULL, NULL, NULL },
	END,
};
RULES(rules_603) = {
	{ "CG1302", r_equals, "ieFlag", "E", NULL },
	{ "CG1303", r_one_of, "statisticsFlag", "A B", NULL },
	{ "CG1002", r_line_product, "price", "qty", "totalPrice" },
	{ "CG1010", r_gnum, NULL, NULL, NULL },
	{ "CG1304", r_mode_fields, "1210", "iacCode iacName emsNo", "itemRecordNo" },
	{ "CG1008", r_hs, NULL, NULL, NULL },
	{ "CG1011", r_qty2, NULL, NULL, NULL },
	{ "CG1305", r_positive, "grossWeight", NULL, NULL },
	{ "CG1305", r_positive, "netWeight", NULL, NULL },
	{ "CG1027", r_not_above, "netWeight", "grossWeight", NULL },
	END,
};
RULES(rules_507) = {
	{ "CG1302", r_equals, "ieFlag", "E", NULL },
	{ "CG1010", r_gnum, NULL, NULL, NULL },
	{ "CG1306", r_msg_seq, NULL, NULL, NULL },
	END,
};
RULES(rules_split) = {
	{ "CG1010", r_gnum, NULL, NULL, NULL },
	{ "CG1306", r_msg_seq, NULL, NULL, NULL },
	END,
};
RULES(rules_213) = {
	{ "CG1302", r_equals, "ieFlag", "I", NULL },
	{ "CG1307", r_not_equal, "country", "142", NULL },
	{ "CG1011", r_qty2, NULL, NULL, NULL },
	END,
};
RULES(rules_215) = {
	{ "CG1302", r_equals, "ieFlag", "I", NULL },
	END,
};
RULES(rules_701) = {
	{ "CG1308", r_window, NULL, NULL, NULL },
	{ "CG1306", r_msg_seq, NULL, NULL, NULL },
	END,
};
RULES(rules_792) = {
	{ "CG1306", r_msg_seq, NULL, NULL, NULL },
	END,
};
/* returnStatus states per export receipt (ceb-export-spec.md §4: XSD and PDF together). */
RULES(rules_rcpt_exp_basic) = {
	{ "CG1021", r_return_status, "1 2 3 4 100 120 399", NULL, NULL },
	END,
};
RULES(rules_rcpt_exp_site) = {
	{ "CG1021", r_return_status, "1 2 3 4 100 399", NULL, NULL },
	END,
};
RULES(rules_rcpt_exp_inventory) = {
	{ "CG1021", r_return_status, "1 2 3 4 100 120 300 399 500 800 899", NULL, NULL },
	END,
};
RULES(rules_rcpt_exp_return) = {
	{ "CG1021", r_return_status, "1 2 3 4 100 120 300 500 505 600 800", NULL, NULL },
	END,
};
RULES(rules_none) = { END };

static const struct {
	int type;
	const struct rule *rules;
} rules_by_type[] = {
	{ 311, rules_311 },
	{ 312, rules_rcpt_basic },
	{ 411, rules_411 },
	{ 412, rules_rcpt_basic },
	{ 511, rules_511 },
	{ 512, rules_rcpt_basic },
	{ 513, rules_513 },
	{ 514, rules_rcpt_basic },
	{ 621, rules_621 },
	{ 622, rules_rcpt_inventory },
	{ 623, rules_cancel },
	{ 624, rules_rcpt_saved },
	{ 625, rules_cancel },
	{ 626, rules_rcpt_saved },
	{ 711, rules_711 },
	{ 712, rules_rcpt_saved },
	{ 816, rules_taxbill },
	{ 818, rules_taxbill },
	{ 900, rules_rcpt_format },
	{ 213, rules_213 },
	{ 214, rules_rcpt_exp_return },
	{ 215, rules_215 },
	{ 216, rules_rcpt_exp_site },
	{ 303, rules_303 },
	{ 304, rules_rcpt_exp_basic },
	{ 404, rules_rcpt_exp_basic },
	{ 506, rules_rcpt_exp_site },
	{ 507, rules_507 },
	{ 508, rules_rcpt_exp_site },
	{ 509, rules_split },
	{ 510, rules_rcpt_exp_site },
	{ 603, rules_603 },
	{ 604, rules_rcpt_exp_inventory },
	{ 606, rules_rcpt_exp_site },
	{ 607, rules_split },
	{ 608, rules_rcpt_exp_basic },
	{ 701, rules_701 },
	{ 702, rules_rcpt_exp_site },
	{ 792, rules_792 },
};

static const struct rule *
rules_for(int type)
{
	size_t i;

	for (i = 0; i < sizeof(rules_by_type) / sizeof(rules_by_type[0]); i++) {
		if (rules_by_type[i].type == type)
			return rules_by_type[i].rules;
	}
	return rules_none;
}

bool
cg__is_placeholder(const char *v)
{
	static const char *const ph[] = { "无", "/", "-", "--", "none", "null", "nil", "n/a",
					  "test", "测试", "空", "暂无", "xxx", "?", "0" };
	size_t i, n;

	while (*v == ' ')
		v++;
	n = strlen(v);
	while (n > 0 && v[n - 1] == ' ')
		n--;
	for (i = 0; i < sizeof(ph) / sizeof(ph[0]); i++) {
		if (strlen(ph[i]) == n && strncasecmp(v, ph[i], n) == 0)
			return true;
	}
	return n == 0;
}

static cg_rc
check_dec(struct env *e, size_t doc, const struct cg_group *g, const struct cg_fdef *fd,
	  const char *v)
{
	cg_dec d;

	if (!cg__dec_parse(v, &d))
		return CG_OK;
	if (((fd->flags & CG_F_NONNEG) && d < 0) || ((fd->flags & CG_F_POS) && d <= 0)) {
		char en[96], zh[96];

		(void)snprintf(en, sizeof(en), "%s is %.30s", fd->name, v);
		(void)snprintf(zh, sizeof(zh), "%s 为 %.30s", fd->name, v);
		return report(e, "CG1017", doc, g, fd->name, zh, en);
	}
	return CG_OK;
}

/*
 * True when @p v serves the family of the message: tables with a direction
 * column (trademode) mark each row I, E or both (ceb-spec.md §3.5 #32: an
 * import inventory takes 9610 and 1210 only; an export one 9610, 1210, 9710
 * and 9810, ceb-export-spec.md §3.6 #28). Tables without one serve both.
 */
static bool
serves_family(const struct env *e, enum cg_table t, const char *v)
{
	const char *names[16], *vals[16];
	size_t i, n;

	if (!e->m->def->export_family)
		return cg__codes_import(e->codes, t, v);
	n = cg__codes_row(e->codes, t, v, NULL, NULL, names, vals, 16);
	for (i = 0; i < n; i++) {
		if (strcmp(names[i], "direction") == 0)
			return strchr(vals[i], 'E') != NULL;
	}
	return true;
}

/* A coded value must be in its table, and serve the message's family. */
static cg_rc
check_table(struct env *e, size_t doc, const struct cg_group *g, const struct cg_fdef *fd,
	    const char *v)
{
	enum cg_table t = (enum cg_table)fd->table;
	const char *name = cg__codes_table_name(t);
	struct cg_edition_use use = { 0 };
	char en[400], zh[400], ed_en[200], ed_zh[200];
	bool partial, exp = e->m->def->export_family;

	if (!cg__codes_has_at(e->codes, t, v, doc_date(e, doc), &use)) {
		/* An unknown trade mode serves no family either: that stays an error. */
		partial = use.ed != NULL && !use.ed->complete && serves_family(e, t, v);
		cg__edition_phrase(&use, false, ed_en, sizeof(ed_en));
		cg__edition_phrase(&use, true, ed_zh, sizeof(ed_zh));
		(void)snprintf(en, sizeof(en), "%s %.20s is not in the %s table (%s)%s", fd->name, v,
			       name, ed_en,
			       partial ? "; that table is known to be partial, so the code may "
					 "still be right"
				       : "");
		(void)snprintf(zh, sizeof(zh), "%s %.20s 不在%s代码表中（%s）%s", fd->name, v, name,
			       ed_zh, partial ? "；该代码表已知不完整，该代码仍可能正确" : "");
		/* A table known to be partial (customs districts since 2018) warns, never rejects. */
		return cg__report(e->f, "CG1014", partial ? CG_SEV_WARNING : CG_SEV_ERROR, e->source,
				  e->m, doc, g, fd->name, zh, en);
	}
	if (serves_family(e, t, v))
		return CG_OK;
	/* A code of the other direction says so; 0110 (general trade) or 1239 serve neither. */
	if (strchr(row_cell(e->codes, t, v, "direction"), exp ? 'I' : 'E') != NULL) {
		(void)snprintf(en, sizeof(en), "%s %.20s is an %s code of the %s table", fd->name,
			       v, exp ? "import" : "export", name);
		(void)snprintf(zh, sizeof(zh), "%s %.20s 是%s代码表中的%s代码", fd->name, v, name,
			       exp ? "进口" : "出口");
	} else {
		(void)snprintf(en, sizeof(en),
			       "%s %.20s (%s) is a code of the %s table, but not one of cross-border "
			       "e-commerce %s",
			       fd->name, v, row_cell(e->codes, t, v, "zh"), name, exp ? "export" : "import");
		(void)snprintf(zh, sizeof(zh), "%s %.20s（%s）是%s代码表中的代码，但不是跨境电商%s的代码",
			       fd->name, v, row_cell(e->codes, t, v, "zh"), name, exp ? "出口" : "进口");
	}
	return report(e, "CG1014", doc, g, fd->name, zh, en);
}

static cg_rc
check_field(struct env *e, size_t doc, const struct cg_group *g, size_t i)
{
	const struct cg_fdef *fd = &g->def->f[i];
	const char *v = g->val[i];
	struct cg_why why;
	char en[160], zh[160];
	size_t n = strlen(v);

	if ((fd->flags & CG_F_REAL) && cg__is_placeholder(v)) {
		(void)snprintf(en, sizeof(en), "%s is \"%.30s\"", fd->name, v);
		(void)snprintf(zh, sizeof(zh), "%s 为 \"%.30s\"", fd->name, v);
		return report(e, "CG1009", doc, g, fd->name, zh, en);
	}
	switch (fd->kind) {
	case CG_K_DEC:
	case CG_K_INT:
		return check_dec(e, doc, g, fd, v);
	case CG_K_DT14:
	case CG_K_D8:
	case CG_K_T17:
		if (n == fd->minlen && strspn(v, "0123456789") == n && !cg__datetime_valid(v)) {
			(void)snprintf(en, sizeof(en), "%s %s does not exist", fd->name, v);
			(void)snprintf(zh, sizeof(zh), "%s %s 不存在", fd->name, v);
			return report(e, "CG1015", doc, g, fd->name, zh, en);
		}
		return CG_OK;
	case CG_K_IDNO:
		if (!cg__idno_valid(v, &why))
			return report(e, "CG1004", doc, g, fd->name, why.zh, why.en);
		return CG_OK;
	default:
		break;
	}
	if (fd->table != CG_T_NONE && fd->table != CG_T_IDTYPE && n > 0)
		return check_table(e, doc, g, fd, v);
	return CG_OK;
}

static cg_rc
check_group(struct env *e, size_t doc, const struct cg_group *g)
{
	size_t i;
	cg_rc rc;

	if (g->def == NULL)
		return CG_OK;
	for (i = 0; i < g->def->nf; i++) {
		if (g->val[i] == NULL)
			continue;
		rc = check_field(e, doc, g, i);
		if (rc != CG_OK)
			return rc;
	}
	return CG_OK;
}

cg_rc
cg__rules_check(const struct cg_codes *codes, const struct cg_msg *m, const char *source,
		cg_findings *f)
{
	struct env e = { codes, m, source, f, 0, NULL, false };
	const struct rule *r;
	size_t doc, i;
	cg_rc rc = check_group(&e, 0, &m->transfer);

	for (doc = 0; doc < m->ndocs && rc == CG_OK; doc++) {
		const struct cg_decl *d = &m->docs[doc];

		rc = check_group(&e, doc, &d->head);
		for (i = 0; i < d->nlines && rc == CG_OK; i++)
			rc = check_group(&e, doc, &d->lines[i]);
		for (r = rules_for(m->def->type); r->code != NULL && rc == CG_OK; r++)
			rc = r->fn(&e, doc, r);
	}
	return rc;
}
