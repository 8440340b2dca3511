/* SPDX-License-Identifier: MIT */
/* Code tables (schemas/codes/NAME.tsv): countries, currencies, units, HS list ... */
#ifndef CG_CODES_H
#define CG_CODES_H

#include "util/internal.h"
#include "util/decimal.h"
#include "ceb/model.h"

struct cg_codes;

/* One line of the positive list (schemas/codes/hs.tsv). */
struct cg_hs {
	const char *gcode;
	const char *name;
	const char *unit1;
	const char *unit2; /* "" when the HS code has no second unit */
	cg_dec vat;        /* rates as decimals, 0.13 = 13% */
	cg_dec ct;
};

/* Load every table from @p dir/schemas/codes. */
cg_rc cg__codes_load(struct cg_codes **out, cg_ctx *ctx, const char *dir);
void cg__codes_free(struct cg_codes *c);

/* True when @p code is a code of table @p t. */
bool cg__codes_has(const struct cg_codes *c, enum cg_table t, const char *code);
/*
 * True when @p code may appear in an import message: the table has no
 * direction column, or one of the code's rows has direction I (trademode.tsv).
 */
bool cg__codes_import(const struct cg_codes *c, enum cg_table t, const char *code);
/*
 * Map what a merchant wrote (a code, a Chinese or English name, an ISO code or
 * an alias; ASCII case-insensitive) to the table's code. NULL when unknown.
 */
const char *cg__codes_map(const struct cg_codes *c, enum cg_table t, const char *value);
/* Positive-list entry for a 10-digit HS code, or NULL. */
const struct cg_hs *cg__codes_hs(const struct cg_codes *c, const char *gcode);
/* Human name of table @p t ("country" ...). */
const char *cg__codes_table_name(enum cg_table t);

#endif
