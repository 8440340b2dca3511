/* SPDX-License-Identifier: MIT */
/* The public face of the code tables: open, list the editions, show a row, reload. */
#include "config.h"

#include <string.h>
#include "ceb/codes.h"

cg_rc
cg_codes_open(cg_codes **out, cg_ctx *ctx, const char *datadir)
{
	return cg__codes_load(out, ctx, datadir != NULL ? datadir : cg_datadir());
}

cg_rc
cg_codes_open_dir(cg_codes **out, cg_ctx *ctx, const char *codesdir)
{
	return cg__codes_load_dir(out, ctx, codesdir);
}

void
cg_codes_close(cg_codes *c)
{
	cg__codes_free(c);
}

cg_rc
cg_codes_reload(cg_codes **io, cg_ctx *ctx, const char *datadir)
{
	struct cg_codes *c;
	cg_rc rc = cg__codes_reload(&c, ctx, datadir != NULL ? datadir : cg_datadir());

	/* The shared set lives while somebody holds it: the caller holds the new one. */
	if (rc == CG_OK) {
		cg__codes_free(*io);
		*io = c;
	}
	return rc;
}

size_t
cg_codes_edition_count(const cg_codes *c)
{
	size_t n = 0;
	int t;

	for (t = 1; t < CG_T_COUNT; t++)
		n += cg__codes_edition_count(c, (enum cg_table)t);
	return n;
}

const struct cg_edition *
cg_codes_edition(const cg_codes *c, size_t i)
{
	int t;

	for (t = 1; t < CG_T_COUNT; t++) {
		size_t n = cg__codes_edition_count(c, (enum cg_table)t);

		if (i < n)
			return cg__codes_edition(c, (enum cg_table)t, i);
		i -= n;
	}
	return NULL;
}

const struct cg_edition *
cg_codes_in_force(const cg_codes *c, const char *table, const char *date)
{
	return cg__codes_edition_at(c, cg__codes_table_of(table), date, NULL);
}

size_t
cg_codes_show(const cg_codes *c, const char *table, const char *code, const char *date,
	      const struct cg_edition **ed, const char **names, const char **vals, size_t max)
{
	struct cg_edition_use use = { 0 };
	enum cg_table t = cg__codes_table_of(table);
	size_t n = cg__codes_row(c, t, code, date, &use, names, vals, max);
	char line8[9];

	/* On the positive list an 8-digit line covers the 10-digit codes under it. */
	if (n == 0 && t == CG_T_POSITIVE && strlen(code) == 10) {
		memcpy(line8, code, 8);
		line8[8] = '\0';
		n = cg__codes_row(c, t, line8, date, &use, names, vals, max);
	}

	if (ed != NULL)
		*ed = use.ed;
	return n;
}

size_t
cg_codes_show_edition(const cg_codes *c, const char *table, const char *edition, const char *code,
		      const char **names, const char **vals, size_t max)
{
	enum cg_table t = cg__codes_table_of(table);
	size_t i;

	for (i = 0; i < cg__codes_edition_count(c, t); i++) {
		if (strcmp(cg__codes_edition(c, t, i)->edition, edition) == 0)
			return cg__codes_row_in(c, t, i, code, names, vals, max);
	}
	return 0;
}

const char *const *
cg_codes_list(const cg_codes *c, const char *table, const char *edition, size_t *n)
{
	enum cg_table t = cg__codes_table_of(table);
	size_t i;

	*n = 0;
	for (i = 0; i < cg__codes_edition_count(c, t); i++) {
		if (strcmp(cg__codes_edition(c, t, i)->edition, edition) == 0)
			return cg__codes_codes(c, t, i, n);
	}
	return NULL;
}
