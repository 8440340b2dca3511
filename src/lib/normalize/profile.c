/* SPDX-License-Identifier: MIT */
/*
 * Loading mapping profiles: "[columns]" and "[defaults]" sections of "key = value"
 * lines, and "[ignore]": one merchant column per line, dropped on purpose.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "normalize/profile.h"

#define MAX_PROFILE_LINE 4096

static cg_rc
push(char ***a, char ***b, size_t *n, const char *x, const char *y)
{
	size_t cap = *n, cap2 = *n;

	if (cg__grow((void **)a, &cap, *n + 1, sizeof(char *)) != CG_OK ||
	    cg__grow((void **)b, &cap2, *n + 1, sizeof(char *)) != CG_OK)
		return CG_ENOMEM;
	(*a)[*n] = cg__strdup(x);
	(*b)[*n] = cg__strdup(y);
	if ((*a)[*n] == NULL || (*b)[*n] == NULL) {
		free((*a)[*n]);
		free((*b)[*n]);
		return CG_ENOMEM;
	}
	(*n)++;
	return CG_OK;
}

static cg_rc
push_name(char ***a, size_t *n, const char *x)
{
	size_t cap = *n;

	if (cg__grow((void **)a, &cap, *n + 1, sizeof(char *)) != CG_OK)
		return CG_ENOMEM;
	(*a)[*n] = cg__strdup(x);
	if ((*a)[*n] == NULL)
		return CG_ENOMEM;
	(*n)++;
	return CG_OK;
}

enum section { S_NONE, S_COLUMNS, S_DEFAULTS, S_IGNORE };

static enum section
section_of(const char *s)
{
	if (strcmp(s, "[columns]") == 0)
		return S_COLUMNS;
	if (strcmp(s, "[defaults]") == 0)
		return S_DEFAULTS;
	if (strcmp(s, "[ignore]") == 0)
		return S_IGNORE;
	return S_NONE;
}

/* Read a profile from @p fp (named @p path in errors); closes nothing. */
static cg_rc
profile_read(struct cg_profile *p, cg_ctx *ctx, FILE *fp, const char *path)
{
	char line[MAX_PROFILE_LINE];
	enum section section = S_NONE;
	int lineno = 0;
	cg_rc rc = CG_OK;

	while (rc == CG_OK && fgets(line, sizeof(line), fp) != NULL) {
		char *s = cg__strip(line), *eq;

		lineno++;
		if (lineno == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
			s += 3;
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (section_of(s) != S_NONE) {
			section = section_of(s);
			continue;
		}
		if (section == S_IGNORE) {
			rc = push_name(&p->ignore, &p->nignore, s);
			continue;
		}
		eq = strchr(s, '=');
		if (section == S_NONE || eq == NULL) {
			rc = cg__fail(ctx, CG_EPARSE,
				      "%s:%d: expected [columns], [defaults], [ignore] or key = value",
				      path, lineno);
			break;
		}
		*eq = '\0';
		if (section == S_COLUMNS)
			rc = push(&p->from, &p->to, &p->ncols, cg__strip(s), cg__strip(eq + 1));
		else
			rc = push(&p->name, &p->value, &p->ndefs, cg__strip(s), cg__strip(eq + 1));
	}
	if (rc != CG_OK)
		cg__profile_dispose(p);
	return rc;
}

cg_rc
cg__profile_load(struct cg_profile *p, cg_ctx *ctx, const char *path)
{
	FILE *fp = fopen(path, "r");
	cg_rc rc;

	memset(p, 0, sizeof(*p));
	if (fp == NULL)
		return cg__fail(ctx, CG_EIO, "cannot open profile %s", path);
	rc = profile_read(p, ctx, fp, path);
	(void)fclose(fp);
	return rc;
}

cg_rc
cg__profile_check(cg_ctx *ctx, const char *text, size_t len)
{
	struct cg_profile p;
	FILE *fp = len > 0 ? fmemopen((void *)(uintptr_t)text, len, "r") : NULL;
	cg_rc rc;

	memset(&p, 0, sizeof(p));
	if (fp == NULL)
		return cg__fail(ctx, CG_EINVAL, "an empty profile");
	rc = profile_read(&p, ctx, fp, "profile");
	(void)fclose(fp);
	cg__profile_dispose(&p);
	return rc;
}

void
cg__profile_dispose(struct cg_profile *p)
{
	size_t i;

	for (i = 0; i < p->ncols; i++) {
		free(p->from[i]);
		free(p->to[i]);
	}
	for (i = 0; i < p->ndefs; i++) {
		free(p->name[i]);
		free(p->value[i]);
	}
	for (i = 0; i < p->nignore; i++)
		free(p->ignore[i]);
	free(p->ignore);
	free(p->from);
	free(p->to);
	free(p->name);
	free(p->value);
	memset(p, 0, sizeof(*p));
}

const char *
cg__profile_column(const struct cg_profile *p, const char *column)
{
	size_t i;

	for (i = 0; i < p->ncols; i++) {
		if (strcmp(p->from[i], column) == 0)
			return p->to[i];
	}
	return NULL;
}

const char *
cg__profile_default(const struct cg_profile *p, const char *field)
{
	size_t i;

	for (i = 0; i < p->ndefs; i++) {
		if (strcmp(p->name[i], field) == 0)
			return p->value[i];
	}
	return NULL;
}

bool
cg__profile_ignored(const struct cg_profile *p, const char *column)
{
	size_t i;

	for (i = 0; i < p->nignore; i++) {
		if (strcmp(p->ignore[i], column) == 0)
			return true;
	}
	return false;
}
