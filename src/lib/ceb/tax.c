/* SPDX-License-Identifier: MIT */
/*
 * Cross-border retail import tax (跨境电商综合税), ceb-spec.md §10.1-§10.2.
 * UNCONFIRMED choices kept in one place: the non-cash discount does not reduce
 * the dutiable value, freight and insurance are shared in proportion to the
 * lines' totals, and rounding is half-up to 0.01 on the total.
 */
#include "config.h"

#include "ceb/rules.h"

/* Within the limits VAT and consumption tax are levied at 70% (财关税〔2018〕49号). */
#define RETAIL_SHARE_NUM 7
#define RETAIL_SHARE_DEN 10

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

/*
 * The retail-rate tax of the lines, freight and insurance (the part of
 * @p dutiable that is not a line total) shared out in proportion to totalPrice.
 */
static bool
retail_tax(const struct cg_codes *codes, const struct cg_decl *d, cg_dec dutiable, cg_dec *tax)
{
	cg_dec total = 0, extra, sum = 0, tp;
	size_t i;

	for (i = 0; i < d->nlines; i++) {
		if (!get_dec(&d->lines[i], "totalPrice", &tp))
			return false;
		total += tp;
	}
	extra = dutiable - total;
	for (i = 0; i < d->nlines; i++) {
		const char *gcode = cg__group_get(&d->lines[i], "gcode");
		const struct cg_hs *hs = gcode != NULL ? cg__codes_hs(codes, gcode) : NULL;
		cg_dec base, share = 0, t;

		if (hs == NULL || !get_dec(&d->lines[i], "totalPrice", &tp))
			return false;
		/* Amounts reach 10^24 at scale 10^5: products can overflow 128 bits. */
		if (total > 0 && __builtin_mul_overflow(extra, tp, &share))
			return false;
		base = tp + (total > 0 ? share / total : 0);
		/* base x (vat + ct) / (1 - ct) x 7/10, all at scale 10^5. */
		if (__builtin_mul_overflow(base, (hs->vat + hs->ct) * RETAIL_SHARE_NUM, &t) ||
		    __builtin_add_overflow(sum, t / ((CG_DEC_ONE - hs->ct) * RETAIL_SHARE_DEN), &sum))
			return false;
	}
	*tax = cg__dec_round(sum, 2);
	return true;
}

enum cg_tax_basis
cg__tax_recompute(const struct cg_codes *codes, const struct cg_decl *d, cg_dec *tax,
		  cg_dec *dutiable)
{
	if (!cg__dutiable_value(d, dutiable))
		return CG_TAX_UNKNOWN;
	/* The 70% share applies only within the limit (§10.2, 49号). */
	if (*dutiable > CG__SINGLE_LIMIT)
		return CG_TAX_FULL;
	return retail_tax(codes, d, *dutiable, tax) ? CG_TAX_RETAIL : CG_TAX_UNKNOWN;
}

bool
cg__tax_inventory(const struct cg_codes *codes, const struct cg_decl *d, cg_dec *tax,
		  cg_dec *dutiable)
{
	return cg__tax_recompute(codes, d, tax, dutiable) == CG_TAX_RETAIL;
}
