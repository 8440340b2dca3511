/* SPDX-License-Identifier: MIT */
/* Business rules of ceb-spec.md §4, §10 over one message record. */
#ifndef CG_RULES_H
#define CG_RULES_H

#include "codes.h"
#include "model.h"

/* Run the field checks and the message type's rule table; findings go to @p f. */
cg_rc cg__rules_check(const struct cg_codes *codes, const struct cg_msg *m, const char *source,
		      cg_findings *f);

/* Report a finding at a field of a record (path, line and column from the record). */
cg_rc cg__report(cg_findings *f, const char *code, cg_severity sev, const char *source,
		 const struct cg_msg *m, size_t doc, const struct cg_group *g, const char *field,
		 const char *zh, const char *en);

/*
 * Cross-border retail tax of one inventory (ceb-spec §10.1): each line's
 * dutiable value is its totalPrice plus its share of freight + insuredFee (in
 * proportion to totalPrice); tax = value x (vat + ct) / (1 - ct) x 70%.
 * Returns false when a value is missing or an HS code is unknown.
 */
bool cg__tax_inventory(const struct cg_codes *codes, const struct cg_decl *d, cg_dec *tax,
		       cg_dec *dutiable);

/* Dutiable value of an inventory: sum of totalPrice + freight + insuredFee (§10.1). */
bool cg__dutiable_value(const struct cg_decl *d, cg_dec *value);

/* Placeholder values that never count as a real value ("无", "/", "test" ...). */
bool cg__is_placeholder(const char *v);

#endif
