/* SPDX-License-Identifier: MIT */
/* The catalogue entry of one finding code. */
#ifndef CG_FINDING_CODES_H
#define CG_FINDING_CODES_H

#include "cebgate/finding.h"

struct cg_code_info {
	const char *code;
	cg_severity severity; /* the usual severity; a caller may lower it */
	const char *zh;
	const char *en;
};

/* Catalogue entry for @p code, or NULL when unknown. */
const struct cg_code_info *cg__code_info(const char *code);

/* Convenience: report @p code at its catalogue severity. */
#define CG_SEV_OF(code) (cg__code_info(code)->severity)

#endif
