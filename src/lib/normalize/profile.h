/* SPDX-License-Identifier: MIT */
/* Mapping profiles: a merchant's column names, constant values and ignored columns. */
#ifndef CG_PROFILE_H
#define CG_PROFILE_H

#include "util/internal.h"

struct cg_profile {
	char **from; /* [columns]: merchant column -> CEB field */
	char **to;
	size_t ncols;
	char **name; /* [defaults]: CEB field -> value used when the input has none */
	char **value;
	size_t ndefs;
	char **ignore; /* [ignore]: merchant columns (or NDJSON keys) dropped without a finding */
	size_t nignore;
};

/* Parse an INI-like profile; findings-free: a bad line is an error naming its number. */
cg_rc cg__profile_load(struct cg_profile *p, cg_ctx *ctx, const char *path);
void cg__profile_dispose(struct cg_profile *p);
/* Whether @p text (len bytes) reads as a profile; the error names the line. */
cg_rc cg__profile_check(cg_ctx *ctx, const char *text, size_t len);
/* The CEB field a column maps to, or NULL. */
const char *cg__profile_column(const struct cg_profile *p, const char *column);
/* The default value of a field, or NULL. */
const char *cg__profile_default(const struct cg_profile *p, const char *field);
/* Whether the profile lists @p column under [ignore]. */
bool cg__profile_ignored(const struct cg_profile *p, const char *column);

#endif
