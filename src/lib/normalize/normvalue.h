/* SPDX-License-Identifier: MIT */
/* Normalizing single values by field kind (used by cg_normalize_*). */
#ifndef CG_NORMVALUE_H
#define CG_NORMVALUE_H

#include "ceb/codes.h"
#include "ceb/model.h"

/* Longest value normalize handles in place (the longest field is C..5000). */
#define CG_NORM_MAX 8192

enum cg_norm {
	CG_NORM_SAME,     /* value unchanged */
	CG_NORM_CHANGED,  /* value rewritten in place */
	CG_NORM_UNMAPPED, /* CG2001: no code for this value */
	CG_NORM_BADNUM,   /* CG2005 */
	CG_NORM_BADDATE,  /* CG2006 */
};

/*
 * Normalize @p v (a NUL-terminated buffer of @p cap bytes) in place for field
 * @p fd; @p why receives a static description of the change.
 */
enum cg_norm cg__norm_value(const struct cg_codes *codes, const struct cg_fdef *fd, char *v,
			    size_t cap, const char **why);

#endif
