/* SPDX-License-Identifier: MIT */
/*
 * The tax of an import inventory, recomputed from the tariff in force at its
 * declaration date (ceb-spec.md §10.1-§10.2, docs/codes.md "Tax").
 *
 * Per line, on its dutiable value V (totalPrice plus its share of freight and
 * insurance): duty D = V x duty rate + legal quantity x amount per unit;
 * consumption tax C = (V + D + S) x c / (1 - c) + S, where S is the specific
 * (per-unit) part and c the ad-valorem rate (composite basis, 组成计税价格);
 * VAT = (V + D + C) x vat. Within the limits D is 0 and VAT and C are levied
 * at 70 %; over the single-transaction limit everything is levied in full.
 * The rates are read as the tariff writes them: "13%", "1.52元/升",
 * "20%+0.912元/升", or a threshold rule "完税价大于等于10000元：15%，完税价小于10000元：0。".
 * A form that cannot be read or applied leaves the tax unchecked, with the reason.
 *
 * UNCONFIRMED choices kept in one place: the non-cash discount does not reduce
 * the dutiable value, freight and insurance are shared in proportion to the
 * lines' totals, the rounding is half-up to 0.01 on the total, a threshold
 * without a unit is a value per first legal unit (per sheet for the lines
 * labelled in 片 or 张), and the MFN rate applies (never the general or a
 * conventional rate).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include "ceb/rules.h"

/* Within the limits VAT and consumption tax are levied at 70% (财关税〔2018〕49号). */
#define RETAIL_SHARE_NUM 7
#define RETAIL_SHARE_DEN 10

/* One rate as the tariff writes it: a percentage and an amount per unit, either may be 0. */
struct rate {
	cg_dec pct;       /* 0.13 = 13 % */
	cg_dec amount;    /* CNY per unit */
	char uname[32];   /* the unit's name as written ("升"), "" without an amount */
};

/* One goods line being taxed. */
struct line {
	const struct cg_codes *codes;
	const struct cg_group *g;
	const struct cg_hs *hs;
	cg_dec value; /* dutiable value of the line */
	size_t no;    /* 1-based */
	struct cg_tax *t;
};

static bool
get_dec(const struct cg_group *g, const char *name, cg_dec *out)
{
	const char *v = cg__group_get(g, name);

	return v != NULL && cg__dec_parse(v, out);
}

bool
cg__dutiable_value(const struct cg_decl *d, cg_dec *value)
{
	cg_dec sum = 0, v;
	size_t i;

	if (!get_dec(&d->head, "freight", &v))
		return false;
	sum = v;
	if (get_dec(&d->head, "insuredFee", &v))
		sum += v;
	for (i = 0; i < d->nlines; i++) {
		if (!get_dec(&d->lines[i], "totalPrice", &v))
			return false;
		sum += v; /* at most 101 values below 10^24: no overflow */
	}
	*value = sum;
	return true;
}

/* The tax of the message cannot be checked: say which line and why. Always false. */
static bool
unchecked(const struct line *l, const char *zh, const char *en)
{
	const char *gcode = cg__group_get(l->g, "gcode");

	l->t->basis = CG_TAX_UNCHECKED;
	(void)snprintf(l->t->why_en, sizeof(l->t->why_en), "line %zu (gcode %.12s): %s", l->no,
		       gcode != NULL ? gcode : "?", en);
	(void)snprintf(l->t->why_zh, sizeof(l->t->why_zh), "第%zu项（商品编码 %.12s）：%s", l->no,
		       gcode != NULL ? gcode : "?", zh);
	return false;
}

/* ---- reading a rate as written ------------------------------------------------------ */

static bool
eat(const char **p, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

static bool
number(const char **p, cg_dec *out)
{
	char buf[40];
	size_t n = strspn(*p, "0123456789.");
	bool rounded;

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	if (!cg__dec_parse_round(buf, out, &rounded))
		return false;
	*p += n;
	return true;
}

/* True at the punctuation that ends a unit name in a rule. */
static bool
unit_end(const char *s)
{
	static const char *const stop[] = { "，", "。", "：", "；", "+", ",", ";" };
	size_t k;

	for (k = 0; k < sizeof(stop) / sizeof(stop[0]); k++) {
		if (strncmp(s, stop[k], strlen(stop[k])) == 0)
			return true;
	}
	return false;
}

/* A unit name, up to the next punctuation of the rule or the end. */
static bool
unit_name(const char **p, char *buf, size_t size)
{
	size_t n = 0;

	while ((*p)[n] != '\0' && !unit_end(*p + n))
		n++;
	if (n == 0 || n >= size)
		return false;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	*p += n;
	return true;
}

/* "13%", "0", "1.52元/升", "20%+0.912元/升". */
static bool
parse_simple(const char **p, struct rate *r)
{
	cg_dec v;

	memset(r, 0, sizeof(*r));
	if (!number(p, &v))
		return false;
	if (eat(p, "%")) {
		r->pct = v / 100;
		if (!eat(p, "+"))
			return true;
		if (!number(p, &v))
			return false;
	} else if (strncmp(*p, "元/", strlen("元/")) != 0) {
		return v == 0; /* a bare 0 */
	}
	if (!eat(p, "元/"))
		return false;
	r->amount = v;
	return unit_name(p, r->uname, sizeof(r->uname));
}

enum cmp { LT, LE, GT, GE };

/* One clause of a threshold rule: "完税价大于等于10000元：15%". */
struct clause {
	enum cmp op;
	cg_dec limit;
	char uname[32]; /* "" when the threshold names no unit */
	struct rate r;
};

static bool
parse_clause(const char **p, struct clause *c)
{
	static const struct {
		const char *word;
		enum cmp op;
	} ops[] = { { "大于等于", GE }, { "不低于", GE }, { "小于等于", LE }, { "不高于", LE },
		    { "大于", GT },     { "高于", GT },   { "小于", LT },     { "低于", LT } };
	size_t i;

	memset(c, 0, sizeof(*c));
	if (!eat(p, "完税价") && !eat(p, "完税价格"))
		return false;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (eat(p, ops[i].word))
			break;
	}
	if (i == sizeof(ops) / sizeof(ops[0]) || !number(p, &c->limit) || !eat(p, "元"))
		return false;
	c->op = ops[i].op;
	if (eat(p, "/") && !unit_name(p, c->uname, sizeof(c->uname)))
		return false;
	return eat(p, "：") && parse_simple(p, &c->r);
}

static bool
holds(enum cmp op, cg_dec a, cg_dec b)
{
	switch (op) {
	case LT:
		return a < b;
	case LE:
		return a <= b;
	case GT:
		return a > b;
	default:
		return a >= b;
	}
}

/* A threshold rule: two clauses on one threshold and unit, then an optional "。". */
static bool
parse_threshold(const char *text, struct clause *a, struct clause *b)
{
	const char *p = text;

	if (!parse_clause(&p, a) || !eat(&p, "，") || !parse_clause(&p, b))
		return false;
	(void)eat(&p, "。");
	return *p == '\0' && a->limit == b->limit && strcmp(a->uname, b->uname) == 0;
}

bool
cg__tax_rate_readable(const char *text)
{
	const char *p = text;
	struct rate r;
	struct clause a, b;

	return (parse_simple(&p, &r) && *p == '\0') || parse_threshold(text, &a, &b);
}

/* ---- quantities -------------------------------------------------------------------- */

/* The declared legal quantity in the unit named @p uname (unit1 or unit2); false if none. */
static bool
legal_qty(const struct line *l, const char *uname, const char *what_zh, const char *what_en,
	  cg_dec *q)
{
	const char *code = cg__codes_map(l->codes, CG_T_UNIT, uname);
	const char *u1 = cg__group_get(l->g, "unit1"), *u2 = cg__group_get(l->g, "unit2");
	char en[200], zh[200];

	if (code == NULL) {
		(void)snprintf(en, sizeof(en), "the %s is per %.30s, a unit cebgate cannot find in the unit table",
			       what_en, uname);
		(void)snprintf(zh, sizeof(zh), "%s按%.30s计，计量单位代码表中没有该单位", what_zh, uname);
		return unchecked(l, zh, en);
	}
	if ((u1 != NULL && strcmp(u1, code) == 0 && get_dec(l->g, "qty1", q)) ||
	    (u2 != NULL && strcmp(u2, code) == 0 && get_dec(l->g, "qty2", q))) {
		if (*q > 0)
			return true;
	}
	(void)snprintf(en, sizeof(en),
		       "the %s is per %.30s (%s), and no legal quantity (qty1/unit1, qty2/unit2) "
		       "is declared in %s",
		       what_en, uname, code, code);
	(void)snprintf(zh, sizeof(zh), "%s按%.30s（%s）计，法定数量（qty1/unit1、qty2/unit2）均未以%s申报",
		       what_zh, uname, code, code);
	return unchecked(l, zh, en);
}

/* The tariff lines of cosmetics labelled in sheets: their threshold is a value per sheet. */
static bool
per_sheet(const struct cg_hs *hs)
{
	return strstr(hs->name, "“片”") != NULL || strstr(hs->name, "“张”") != NULL;
}

/*
 * The dutiable value per unit that a threshold compares: per the unit it names,
 * else per first legal unit, or per sheet (片 020, 张 010) for the lines sold so.
 */
static bool
unit_value(const struct line *l, const struct clause *c, const char *what_zh, const char *what_en,
	   cg_dec *out)
{
	const char *unit = cg__group_get(l->g, "unit");
	cg_dec q;

	if (c->uname[0] != '\0') {
		if (!legal_qty(l, c->uname, what_zh, what_en, &q))
			return false;
	} else if (per_sheet(l->hs)) {
		if (unit == NULL || (strcmp(unit, "020") != 0 && strcmp(unit, "010") != 0) ||
		    !get_dec(l->g, "qty", &q) || q <= 0) {
			char en[200], zh[200];

			(void)snprintf(en, sizeof(en),
				       "the %s depends on the value per sheet, and the line's unit is "
				       "neither 020 (片) nor 010 (张)",
				       what_en);
			(void)snprintf(zh, sizeof(zh), "%s取决于每片（张）完税价格，而该项计量单位不是020（片）或010（张）",
				       what_zh);
			return unchecked(l, zh, en);
		}
	} else if (!get_dec(l->g, "qty1", &q) || q <= 0) {
		return unchecked(l, "法定数量qty1不是正数，无法按单位完税价格确定税率",
				 "qty1 is not positive, so the value per legal unit is unknown");
	}
	/* value / q at scale 10^5 */
	if (__builtin_mul_overflow(l->value, CG_DEC_ONE, out))
		return unchecked(l, "金额超出范围", "amount out of range");
	*out /= q;
	return true;
}

/*
 * The rate that @p text gives this line. A threshold rule picks the clause that
 * holds for the line's value per unit.
 */
static bool
rate_of(const struct line *l, const char *text, const char *what_zh, const char *what_en,
	struct rate *r)
{
	const char *p = text;
	char en[260], zh[260];
	struct clause a, b;
	cg_dec per = 0;

	if (text[0] == '\0') {
		(void)snprintf(en, sizeof(en), "the tariff gives no %s for this code", what_en);
		(void)snprintf(zh, sizeof(zh), "税则未列该编码的%s", what_zh);
		return unchecked(l, zh, en);
	}
	if (parse_simple(&p, r) && *p == '\0')
		return true;
	/* Two clauses on one threshold, exactly one of which holds for the value per unit. */
	if (parse_threshold(text, &a, &b)) {
		if (!unit_value(l, &a, what_zh, what_en, &per))
			return false;
		if (holds(a.op, per, a.limit) != holds(b.op, per, b.limit)) {
			*r = holds(a.op, per, a.limit) ? a.r : b.r;
			return true;
		}
	}
	(void)snprintf(en, sizeof(en), "the %s \"%.80s\" is in a form cebgate does not read", what_en,
		       text);
	(void)snprintf(zh, sizeof(zh), "%s“%.80s”的写法无法识别", what_zh, text);
	return unchecked(l, zh, en);
}

/* The specific part of @p r for this line: legal quantity x amount per unit. */
static bool
specific(const struct line *l, const struct rate *r, const char *what_zh, const char *what_en,
	 cg_dec *out)
{
	cg_dec q = 0;

	*out = 0;
	if (r->uname[0] == '\0' || r->amount == 0)
		return true;
	if (!legal_qty(l, r->uname, what_zh, what_en, &q))
		return false;
	return cg__dec_mul(q, r->amount, out) || unchecked(l, "金额超出范围", "amount out of range");
}

/* ---- the tax of a line ------------------------------------------------------------- */

/* a x b / c at scale 10^5, c > 0. */
static bool
muldiv(cg_dec a, cg_dec b, cg_dec c, cg_dec *out)
{
	cg_dec p;

	if (__builtin_mul_overflow(a, b, &p))
		return false;
	*out = p / c;
	return true;
}

/* The line's figures for a tax bill, when one is being made. Always true. */
static bool
keep(const struct line *l, cg_dec duty, cg_dec vat, cg_dec ct)
{
	if (l->t->lines != NULL) {
		struct cg_tax_line *x = &l->t->lines[l->no - 1];

		x->value = l->value;
		x->duty = duty;
		x->vat = vat;
		x->ct = ct;
	}
	return true;
}

static bool
line_tax(struct line *l, bool full, cg_dec *out)
{
	const struct cg_hs *hs = l->hs;
	struct rate duty, ct;
	cg_dec d = 0, dspec = 0, cspec = 0, c = 0, vat, base;

	if (hs->vat_text[0] == '\0')
		return unchecked(l, "税则未列该编码的增值税率", "the tariff gives no VAT rate for this code");
	if (full) {
		/* The provisional rate, when there is one, replaces the MFN rate. */
		const char *text = hs->provisional[0] != '\0' ? hs->provisional : hs->mfn;

		if (!rate_of(l, text, "关税税率", "duty rate", &duty) ||
		    !specific(l, &duty, "关税税率", "duty rate", &dspec))
			return false;
		if (!cg__dec_mul(l->value, duty.pct, &d))
			return unchecked(l, "金额超出范围", "amount out of range");
		d += dspec;
	}
	if (!rate_of(l, hs->ct_text, "消费税率", "consumption tax", &ct) ||
	    !specific(l, &ct, "消费税率", "consumption tax", &cspec))
		return false;
	if (ct.pct >= CG_DEC_ONE)
		return unchecked(l, "消费税率不小于100%", "the consumption tax rate is 100 % or more");
	/* Composite basis: (V + D + S) / (1 - c) x c + S. */
	base = l->value + d + cspec;
	if (!muldiv(base, ct.pct, CG_DEC_ONE - ct.pct, &c))
		return unchecked(l, "金额超出范围", "amount out of range");
	c += cspec;
	if (!cg__dec_mul(l->value + d + c, hs->vat, &vat))
		return unchecked(l, "金额超出范围", "amount out of range");
	if (full) {
		*out = d + c + vat;
		return keep(l, d, vat, c);
	}
	/* The 70 % of each tax for the bill's line, and of their sum for the total (as before). */
	if (!muldiv(c + vat, RETAIL_SHARE_NUM * CG_DEC_ONE, RETAIL_SHARE_DEN * CG_DEC_ONE, out) ||
	    !muldiv(vat, RETAIL_SHARE_NUM * CG_DEC_ONE, RETAIL_SHARE_DEN * CG_DEC_ONE, &vat) ||
	    !muldiv(c, RETAIL_SHARE_NUM * CG_DEC_ONE, RETAIL_SHARE_DEN * CG_DEC_ONE, &c))
		return unchecked(l, "金额超出范围", "amount out of range");
	return keep(l, 0, vat, c);
}

/*
 * The lines' tax, freight and insurance (the part of the dutiable value that
 * is not a line total) shared out in proportion to totalPrice.
 */
static void
lines_tax(const struct cg_codes *codes, const struct cg_decl *d, bool full, struct cg_tax *t)
{
	const char *date = cg__codes_doc_date(d);
	cg_dec total = 0, extra, sum = 0, tp;
	size_t i;

	for (i = 0; i < d->nlines; i++) {
		if (!get_dec(&d->lines[i], "totalPrice", &tp))
			return;
		total += tp;
	}
	extra = t->dutiable - total;
	for (i = 0; i < d->nlines; i++) {
		const char *gcode = cg__group_get(&d->lines[i], "gcode");
		struct line l = { codes, &d->lines[i], NULL, 0, i + 1, t };
		cg_dec share = 0, lt = 0;

		l.hs = gcode != NULL ? cg__codes_hs_at(codes, gcode, date, NULL) : NULL;
		/* A code off the tariff is CG1025's: no figure, no second finding. */
		if (l.hs == NULL || !get_dec(&d->lines[i], "totalPrice", &tp))
			return;
		/* Amounts reach 10^24 at scale 10^5: products can overflow 128 bits. */
		if (total > 0 && __builtin_mul_overflow(extra, tp, &share)) {
			(void)unchecked(&l, "金额超出范围", "amount out of range");
			return;
		}
		l.value = tp + (total > 0 ? share / total : 0);
		if (!line_tax(&l, full, &lt))
			return;
		if (__builtin_add_overflow(sum, lt, &sum)) {
			(void)unchecked(&l, "金额超出范围", "amount out of range");
			return;
		}
	}
	t->tax = cg__dec_round(sum, 2);
	t->basis = full ? CG_TAX_FULL : CG_TAX_RETAIL;
}

void
cg__tax_recompute(const struct cg_codes *codes, const struct cg_decl *d, struct cg_tax *t)
{
	cg__tax_lines(codes, d, t, NULL);
}

void
cg__tax_lines(const struct cg_codes *codes, const struct cg_decl *d, struct cg_tax *t,
	      struct cg_tax_line *lines)
{
	memset(t, 0, sizeof(*t));
	t->basis = CG_TAX_UNKNOWN;
	t->lines = lines;
	if (codes == NULL || !cg__dutiable_value(d, &t->dutiable))
		return;
	/* The 70% share applies only within the limit (§10.2, 49号); over it, the goods rates in full. */
	t->full = t->dutiable > CG__SINGLE_LIMIT;
	lines_tax(codes, d, t->full, t);
}

bool
cg__tax_inventory(const struct cg_codes *codes, const struct cg_decl *d, cg_dec *tax,
		  cg_dec *dutiable)
{
	struct cg_tax t;

	cg__tax_recompute(codes, d, &t);
	*tax = t.tax;
	*dutiable = t.dutiable;
	return t.basis == CG_TAX_RETAIL || t.basis == CG_TAX_FULL;
}
