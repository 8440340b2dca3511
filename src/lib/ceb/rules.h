/* SPDX-License-Identifier: MIT */
/* Business rules of ceb-spec.md §4, §10 over one message record. */
#ifndef CG_RULES_H
#define CG_RULES_H

#include "ceb/codes.h"
#include "ceb/model.h"

/* Run the field checks and the message type's rule table; findings go to @p f. */
cg_rc cg__rules_check(const struct cg_codes *codes, const struct cg_msg *m, const char *source,
		      cg_findings *f);

/* Report a finding at a field of a record (path, line and column from the record). */
cg_rc cg__report(cg_findings *f, const char *code, cg_severity sev, const char *source,
		 const struct cg_msg *m, size_t doc, const struct cg_group *g, const char *field,
		 const char *zh, const char *en);

/* The single-transaction limit of 财关税〔2018〕49号 (ceb-spec §10.2). */
#define CG__SINGLE_LIMIT ((cg_dec)5000 * CG_DEC_ONE)

/* What the tax of an inventory is, as far as cebgate can tell. */
enum cg_tax_basis {
	CG_TAX_UNKNOWN, /* a value missing or an HS code off the list (0: a zeroed summary) */
	CG_TAX_RETAIL,  /* within the limit: the retail rates, *tax is set */
	CG_TAX_FULL,    /* over the limit: goods rates in full, tariff unknown, no *tax */
};

/*
 * Cross-border retail tax of one inventory (ceb-spec §10.1): each line's
 * dutiable value is its totalPrice plus its share of freight + insuredFee (in
 * proportion to totalPrice); tax = value x (vat + ct) / (1 - ct) x 70%. Over
 * the single-transaction limit the goods are taxed in full at the goods rates,
 * tariff included (§10.2): the goods-rate tax is not recomputed, so no figure then.
 * @p tax is set only for CG_TAX_RETAIL; @p dutiable whenever the values are there.
 */
enum cg_tax_basis cg__tax_recompute(const struct cg_codes *codes, const struct cg_decl *d,
				    cg_dec *tax, cg_dec *dutiable);

/* cg__tax_recompute() == CG_TAX_RETAIL: false when there is no retail-rate figure. */
bool cg__tax_inventory(const struct cg_codes *codes, const struct cg_decl *d, cg_dec *tax,
		       cg_dec *dutiable);

/* Dutiable value of an inventory: sum of totalPrice + freight + insuredFee (§10.1). */
bool cg__dutiable_value(const struct cg_decl *d, cg_dec *value);

/* Placeholder values that never count as a real value ("无", "/", "test" ...). */
bool cg__is_placeholder(const char *v);

#endif
