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
	CG_TAX_UNKNOWN,   /* a value missing or a gcode off the tariff (reported elsewhere) */
	CG_TAX_RETAIL,    /* within the limit: the retail rates (70 %, no duty); tax is set */
	CG_TAX_FULL,      /* over the limit: the goods rates in full, duty included; tax is set */
	CG_TAX_UNCHECKED, /* a rate the tariff writes in a form cebgate cannot apply: see why */
};

/* One goods line of a tax bill (CEB816 TaxListRd): the three taxes as levied, scale 10^5. */
struct cg_tax_line {
	cg_dec value; /* dutiable value of the line (taxPrice) */
	cg_dec duty;  /* customsTax: 0 within the limit */
	cg_dec vat;   /* valueAddedTax: 70 % within the limit */
	cg_dec ct;    /* consumptionTax: 70 % within the limit */
};

/* The recomputed tax of one inventory. */
struct cg_tax {
	enum cg_tax_basis basis;
	bool full;          /* the dutiable value is over the single-transaction limit */
	cg_dec tax;         /* CG_TAX_RETAIL, CG_TAX_FULL: rounded to 0.01 */
	cg_dec dutiable;    /* whenever the values are there */
	char why_en[400];   /* CG_TAX_UNCHECKED: the line and why */
	char why_zh[400];
	struct cg_tax_line *lines; /* cg__tax_lines: one per goods line, else NULL */
};

/*
 * Tax of one inventory (ceb-spec §10.1, §10.2) from the tariff in force at its
 * declaration date: VAT and consumption tax (ad valorem on a composite basis,
 * per unit on the declared legal quantity, or by threshold, as the tariff
 * writes it); within the limit no duty and 70 %, over it duty (provisional,
 * else MFN), VAT and consumption tax in full. tax.c says how.
 */
void cg__tax_recompute(const struct cg_codes *codes, const struct cg_decl *d, struct cg_tax *t);

/*
 * cg__tax_recompute that also gives each line's customs duty, VAT and
 * consumption tax as levied (@p lines has room for d->nlines), for the tax bill.
 */
void cg__tax_lines(const struct cg_codes *codes, const struct cg_decl *d, struct cg_tax *t,
		   struct cg_tax_line *lines);

/* True when @p text is a rate form the tax computation reads ("13%", "1.52元/升", a threshold rule). */
bool cg__tax_rate_readable(const char *text);

/* True when cg__tax_recompute gives a figure (retail or full rates): @p tax then. */
bool cg__tax_inventory(const struct cg_codes *codes, const struct cg_decl *d, cg_dec *tax,
		       cg_dec *dutiable);

/* Dutiable value of an inventory: sum of totalPrice + freight + insuredFee (§10.1). */
bool cg__dutiable_value(const struct cg_decl *d, cg_dec *value);

/* Placeholder values that never count as a real value ("无", "/", "test" ...). */
bool cg__is_placeholder(const char *v);

#endif
