/* SPDX-License-Identifier: MIT */
/* Loading the code tables and looking codes up by code or by alias. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ceb/codes.h"

#define MAX_TABLE_BYTES (8u * 1024u * 1024u)

/* Open-addressing map from a lower-cased key to a code. */
struct smap {
	char **key;
	const char **val;
	size_t cap;
	size_t n;
};

struct table {
	char *text;        /* the file, split in place into fields */
	const char **code; /* sorted for bsearch */
	size_t ncode;
	size_t codecap;
	const char **imp;  /* codes with direction I, when the table has a direction column */
	size_t nimp;
	size_t impcap;
	bool directed;
	struct smap alias;
};

struct cg_codes {
	struct table t[CG_T_COUNT];
	struct table hs_text;
	struct cg_hs *hs; /* sorted by gcode */
	size_t nhs;
	size_t hscap;
};

static const char *const table_file[CG_T_COUNT] = {
	[CG_T_COUNTRY] = "country", [CG_T_CURRENCY] = "currency", [CG_T_UNIT] = "unit",
	[CG_T_TRANSPORT] = "transport", [CG_T_WRAP] = "wrap", [CG_T_CUSTOMS] = "customs",
	[CG_T_IDTYPE] = "idtype", [CG_T_TRADEMODE] = "trademode",
};

const char *
cg__codes_table_name(enum cg_table t)
{
	return t < CG_T_COUNT && table_file[t] != NULL ? table_file[t] : "";
}

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static char *
lower_dup(const char *s)
{
	char *p = cg__strdup(s), *q;

	if (p == NULL)
		return NULL;
	for (q = p; *q != '\0'; q++)
		*q = (char)tolower((unsigned char)*q);
	return p;
}

static const char *
smap_get(const struct smap *m, const char *lkey)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	for (i = hash_str(lkey) & (m->cap - 1); m->key[i] != NULL; i = (i + 1) & (m->cap - 1)) {
		if (strcmp(m->key[i], lkey) == 0)
			return m->val[i];
	}
	return NULL;
}

static cg_rc smap_put(struct smap *m, char *lkey, const char *val);

static cg_rc
smap_rehash(struct smap *m)
{
	struct smap bigger = { NULL, NULL, m->cap != 0 ? m->cap * 2 : 64, 0 };
	size_t i;

	bigger.key = calloc(bigger.cap, sizeof(*bigger.key));
	bigger.val = calloc(bigger.cap, sizeof(*bigger.val));
	if (bigger.key == NULL || bigger.val == NULL) {
		free(bigger.key);
		free(bigger.val);
		return CG_ENOMEM;
	}
	for (i = 0; i < m->cap; i++) {
		if (m->key[i] != NULL)
			(void)smap_put(&bigger, m->key[i], m->val[i]);
	}
	free(m->key);
	free(m->val);
	*m = bigger;
	return CG_OK;
}

/* Takes @p lkey; the first mapping of a key wins (codes are added first). */
static cg_rc
smap_put(struct smap *m, char *lkey, const char *val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap && smap_rehash(m) != CG_OK) {
		free(lkey);
		return CG_ENOMEM;
	}
	for (i = hash_str(lkey) & (m->cap - 1); m->key[i] != NULL; i = (i + 1) & (m->cap - 1)) {
		if (strcmp(m->key[i], lkey) == 0) {
			free(lkey);
			return CG_OK;
		}
	}
	m->key[i] = lkey;
	m->val[i] = val;
	m->n++;
	return CG_OK;
}

static void
smap_dispose(struct smap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->key[i]);
	free(m->key);
	free(m->val);
}

static cg_rc
read_file(char **out, cg_ctx *ctx, const char *path)
{
	cg_buf b = CG_BUF_INIT(MAX_TABLE_BYTES);
	char chunk[8192];
	FILE *fp = fopen(path, "rb");
	size_t n;
	cg_rc rc = CG_OK;

	if (fp == NULL)
		return cg__fail(ctx, CG_EIO, "cannot open code table %s", path);
	while (rc == CG_OK && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		rc = cg_buf_append(&b, chunk, n);
	if (rc == CG_OK && ferror(fp))
		rc = CG_EIO;
	(void)fclose(fp);
	if (rc == CG_OK)
		rc = cg_buf_cstr(&b);
	if (rc != CG_OK) {
		cg_buf_dispose(&b);
		return cg__fail(ctx, rc, "cannot read code table %s", path);
	}
	*out = cg_buf_detach(&b);
	return CG_OK;
}

/* Split one line in place into at most @p max tab-separated fields. */
static size_t
split_tabs(char *line, char **f, size_t max)
{
	size_t n = 0;

	while (n < max) {
		char *tab = strchr(line, '\t');

		f[n++] = line;
		if (tab == NULL)
			break;
		*tab = '\0';
		line = tab + 1;
	}
	return n;
}

struct tsv_row {
	char *f[16];
	size_t n;
};

typedef cg_rc (*row_fn)(void *payload, char **cols, size_t ncols, const struct tsv_row *row);

/* Walk the data rows of a TSV table; @p cols are the names of its "#columns:" line. */
static cg_rc
tsv_walk(char *text, row_fn fn, void *payload)
{
	char *cols[16];
	size_t ncols = 0;
	char *line = text, *next;
	cg_rc rc = CG_OK;

	for (; line != NULL && *line != '\0' && rc == CG_OK; line = next) {
		struct tsv_row row;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (line[0] != '\0' && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		if (strncmp(line, "#columns:", 9) == 0) {
			char *c = line + 9;

			while (*c == ' ')
				c++;
			ncols = split_tabs(c, cols, 16);
			continue;
		}
		if (line[0] == '#' || line[0] == '\0')
			continue;
		row.n = split_tabs(line, row.f, 16);
		rc = fn(payload, cols, ncols, &row);
	}
	return rc;
}

static bool
is_alias_column(const char *name)
{
	static const char *const not_alias[] = { "code", "note", "direction", "vat", "ct",
						 "unit1", "unit2", "gcode" };
	size_t i;

	for (i = 0; i < sizeof(not_alias) / sizeof(not_alias[0]); i++) {
		if (strcmp(name, not_alias[i]) == 0)
			return false;
	}
	return true;
}

static cg_rc
add_alias(struct table *t, const char *alias, const char *code)
{
	char *k;

	while (*alias == ' ')
		alias++;
	if (*alias == '\0')
		return CG_OK;
	k = lower_dup(alias);
	return k != NULL ? smap_put(&t->alias, k, code) : CG_ENOMEM;
}

static int col_index(char **cols, size_t ncols, const char *name);

/* A table with a direction column (trademode) lists export codes too: keep the import ones. */
static cg_rc
keep_direction(struct table *t, char **cols, size_t ncols, const struct tsv_row *row)
{
	int d = col_index(cols, ncols, "direction");
	cg_rc rc;

	if (d < 0)
		return CG_OK;
	t->directed = true;
	if ((size_t)d >= row->n || strcmp(row->f[d], "I") != 0)
		return CG_OK;
	rc = cg__grow((void **)&t->imp, &t->impcap, t->nimp + 1, sizeof(*t->imp));
	if (rc == CG_OK)
		t->imp[t->nimp++] = row->f[0];
	return rc;
}

static cg_rc
table_row(void *payload, char **cols, size_t ncols, const struct tsv_row *row)
{
	struct table *t = payload;
	const char *code = row->f[0];
	size_t i;
	cg_rc rc;

	rc = cg__grow((void **)&t->code, &t->codecap, t->ncode + 1, sizeof(*t->code));
	if (rc != CG_OK)
		return rc;
	t->code[t->ncode++] = code;
	rc = keep_direction(t, cols, ncols, row);
	if (rc == CG_OK)
		rc = add_alias(t, code, code);
	for (i = 1; i < row->n && i < ncols && rc == CG_OK; i++) {
		char *p = row->f[i], *bar;

		if (!is_alias_column(cols[i]))
			continue;
		/* "aliases" holds several spellings separated by '|'. */
		for (; rc == CG_OK; p = bar + 1) {
			bar = strchr(p, '|');
			if (bar != NULL)
				*bar = '\0';
			rc = add_alias(t, p, code);
			if (bar == NULL)
				break;
		}
	}
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static cg_rc
load_table(struct table *t, cg_ctx *ctx, const char *dir, const char *name, row_fn fn,
	   void *payload)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/schemas/codes/%s.tsv", dir, name);
	cg_rc rc;

	if (n <= 0 || (size_t)n >= sizeof(path))
		return cg__fail(ctx, CG_EINVAL, "data directory path too long");
	rc = read_file(&t->text, ctx, path);
	if (rc != CG_OK)
		return rc;
	rc = tsv_walk(t->text, fn, payload);
	if (rc != CG_OK)
		return cg__fail(ctx, rc, "cannot load code table %s", path);
	if (t->ncode > 0)
		qsort(t->code, t->ncode, sizeof(*t->code), cmp_str);
	if (t->nimp > 0)
		qsort(t->imp, t->nimp, sizeof(*t->imp), cmp_str);
	return CG_OK;
}

static int
col_index(char **cols, size_t ncols, const char *name)
{
	size_t i;

	for (i = 0; i < ncols; i++) {
		if (strcmp(cols[i], name) == 0)
			return (int)i;
	}
	return -1;
}

static const char *
col(const struct tsv_row *row, char **cols, size_t ncols, const char *name)
{
	int i = col_index(cols, ncols, name);

	return i >= 0 && (size_t)i < row->n ? row->f[i] : "";
}

static cg_rc
hs_row(void *payload, char **cols, size_t ncols, const struct tsv_row *row)
{
	struct cg_codes *c = payload;
	struct cg_hs *h;
	cg_rc rc;

	rc = cg__grow((void **)&c->hs, &c->hscap, c->nhs + 1, sizeof(*c->hs));
	if (rc != CG_OK)
		return rc;
	h = &c->hs[c->nhs];
	h->gcode = col(row, cols, ncols, "gcode");
	h->name = col(row, cols, ncols, "zh");
	h->unit1 = col(row, cols, ncols, "unit1");
	h->unit2 = col(row, cols, ncols, "unit2");
	if (!cg__dec_parse(col(row, cols, ncols, "vat"), &h->vat) ||
	    !cg__dec_parse(col(row, cols, ncols, "ct"), &h->ct) || h->ct >= CG_DEC_ONE)
		return CG_EPARSE;
	c->nhs++;
	return CG_OK;
}

static int
cmp_hs(const void *a, const void *b)
{
	return strcmp(((const struct cg_hs *)a)->gcode, ((const struct cg_hs *)b)->gcode);
}

cg_rc
cg__codes_load(struct cg_codes **out, cg_ctx *ctx, const char *dir)
{
	struct cg_codes *c = calloc(1, sizeof(*c));
	cg_rc rc = CG_OK;
	int t;

	*out = NULL;
	if (c == NULL)
		return CG_ENOMEM;
	for (t = 1; t < CG_T_COUNT && rc == CG_OK; t++)
		rc = load_table(&c->t[t], ctx, dir, table_file[t], table_row, &c->t[t]);
	if (rc == CG_OK)
		rc = load_table(&c->hs_text, ctx, dir, "hs", hs_row, c);
	if (rc != CG_OK) {
		cg__codes_free(c);
		return rc;
	}
	qsort(c->hs, c->nhs, sizeof(*c->hs), cmp_hs);
	*out = c;
	return CG_OK;
}

static void
table_dispose(struct table *t)
{
	free(t->text);
	free(t->code);
	free(t->imp);
	smap_dispose(&t->alias);
}

void
cg__codes_free(struct cg_codes *c)
{
	int t;

	if (c == NULL)
		return;
	for (t = 0; t < CG_T_COUNT; t++)
		table_dispose(&c->t[t]);
	table_dispose(&c->hs_text);
	free(c->hs);
	free(c);
}

bool
cg__codes_has(const struct cg_codes *c, enum cg_table t, const char *code)
{
	if (t == CG_T_NONE || t >= CG_T_COUNT || c->t[t].ncode == 0)
		return true;
	return bsearch(&code, c->t[t].code, c->t[t].ncode, sizeof(char *), cmp_str) != NULL;
}

bool
cg__codes_import(const struct cg_codes *c, enum cg_table t, const char *code)
{
	if (t == CG_T_NONE || t >= CG_T_COUNT || !c->t[t].directed)
		return true;
	return c->t[t].nimp > 0 &&
	       bsearch(&code, c->t[t].imp, c->t[t].nimp, sizeof(char *), cmp_str) != NULL;
}

const char *
cg__codes_map(const struct cg_codes *c, enum cg_table t, const char *value)
{
	char small[128], *q;
	size_t n = strlen(value);

	if (t == CG_T_NONE || t >= CG_T_COUNT || n >= sizeof(small))
		return NULL;
	memcpy(small, value, n + 1);
	for (q = small; *q != '\0'; q++)
		*q = (char)tolower((unsigned char)*q);
	return smap_get(&c->t[t].alias, small);
}

const struct cg_hs *
cg__codes_hs(const struct cg_codes *c, const char *gcode)
{
	struct cg_hs key = { 0 };

	key.gcode = gcode;
	return bsearch(&key, c->hs, c->nhs, sizeof(*c->hs), cmp_hs);
}
