/* SPDX-License-Identifier: MIT */
/* Loading the code tables and looking codes up by code or by alias. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <pthread.h>
#include <time.h>
#include "ceb/codes.h"

#define MAX_TABLE_BYTES (16u * 1024u * 1024u)
#define MAX_EDITIONS 32
#define MAX_COLS 16

/* Open-addressing map from a lower-cased key to a code. */
struct smap {
	char **key;
	const char **val;
	size_t cap;
	size_t n;
};

/* One installed edition: one file, split in place into cells. */
struct edition {
	struct cg_edition info;
	char *name;
	char *effective;
	char *source;
	char eff8[9]; /* YYYYMMDD, "" when undated */
	char *text;
	char *cols[MAX_COLS];
	size_t ncols;
	const char **code; /* first cell of each row, sorted for bsearch */
	size_t ncode;
	size_t codecap;
	const char **imp;  /* codes whose direction holds I, when the table has a direction column */
	size_t nimp;
	size_t impcap;
	bool directed;
	struct smap alias;
	struct cg_hs *hs; /* sorted by gcode */
	size_t nhs;
	size_t hscap;
	struct cg_positive *pos; /* sorted by code */
	size_t npos;
	size_t poscap;
};

struct tabset {
	struct edition *ed; /* oldest first */
	size_t n;
};

struct cg_codes {
	struct tabset s[CG_T_COUNT];
	char *dir;  /* the codes directory */
	int refs;   /* under shared_mu */
	const struct cg_edition **all;
	size_t nall;
};

/*
 * The set validators share: a weak pointer (the holders count the references);
 * a reload replaces it, and sets already handed out live on until released.
 */
static pthread_mutex_t shared_mu = PTHREAD_MUTEX_INITIALIZER;
static struct cg_codes *shared_cur;

static const char *const table_file[CG_T_COUNT] = {
	[CG_T_COUNTRY] = "country", [CG_T_CURRENCY] = "currency", [CG_T_UNIT] = "unit",
	[CG_T_TRANSPORT] = "transport", [CG_T_WRAP] = "wrap", [CG_T_CUSTOMS] = "customs",
	[CG_T_IDTYPE] = "idtype", [CG_T_TRADEMODE] = "trademode", [CG_T_HS] = "hs",
	[CG_T_POSITIVE] = "positive", [CG_T_PORT] = "port", [CG_T_DOMPORT] = "domport",
};

/* Tables a merchant's spelling is mapped from (normalize); the others are looked up by code. */
static bool
mapped_table(enum cg_table t)
{
	return t != CG_T_HS && t != CG_T_POSITIVE && t != CG_T_PORT && t != CG_T_DOMPORT;
}

const char *
cg__codes_table_name(enum cg_table t)
{
	return t < CG_T_COUNT && table_file[t] != NULL ? table_file[t] : "";
}

enum cg_table
cg__codes_table_of(const char *name)
{
	int t;

	for (t = 1; t < CG_T_COUNT; t++) {
		if (name != NULL && strcmp(name, table_file[t]) == 0)
			return (enum cg_table)t;
	}
	return CG_T_NONE;
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

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
col_index(const struct edition *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->ncols; i++) {
		if (strcmp(e->cols[i], name) == 0)
			return (int)i;
	}
	return -1;
}

static const char *
cell(const struct edition *e, char **f, const char *name)
{
	int i = col_index(e, name);

	return i >= 0 ? f[i] : "";
}

static bool
is_alias_column(const char *name)
{
	static const char *const not_alias[] = { "code", "note", "direction", "full", "source" };
	size_t i;

	for (i = 0; i < sizeof(not_alias) / sizeof(not_alias[0]); i++) {
		if (strcmp(name, not_alias[i]) == 0)
			return false;
	}
	return true;
}

static cg_rc
add_alias(struct edition *e, const char *alias, const char *code)
{
	char *k;

	while (*alias == ' ')
		alias++;
	if (*alias == '\0')
		return CG_OK;
	k = lower_dup(alias);
	return k != NULL ? smap_put(&e->alias, k, code) : CG_ENOMEM;
}

/* Every spelling of a row: its code, names, ISO codes and '|'-separated aliases. */
static cg_rc
add_aliases(struct edition *e, char **f)
{
	size_t i;
	cg_rc rc = add_alias(e, f[0], f[0]);

	for (i = 1; i < e->ncols && rc == CG_OK; i++) {
		char *p = f[i], *bar;

		if (!is_alias_column(e->cols[i]))
			continue;
		for (; rc == CG_OK; p = bar + 1) {
			bar = strchr(p, '|');
			if (bar != NULL)
				*bar = '\0';
			rc = add_alias(e, p, f[0]);
			if (bar == NULL)
				break;
		}
	}
	return rc;
}

/* "13%" -> 0.13; "" -> 0. False when not a single percentage. */
static bool
parse_pct(const char *s, cg_dec *out)
{
	char num[32];
	size_t n = strlen(s);

	*out = 0;
	if (n == 0)
		return true;
	if (n < 2 || n >= sizeof(num) || s[n - 1] != '%')
		return false;
	memcpy(num, s, n - 1);
	num[n - 1] = '\0';
	if (!cg__dec_parse(num, out) || *out < 0)
		return false;
	*out /= 100;
	return true;
}

static cg_rc
hs_row(struct edition *e, char **f, size_t line, cg_ctx *ctx)
{
	struct cg_hs *h;
	cg_rc rc = cg__grow((void **)&e->hs, &e->hscap, e->nhs + 1, sizeof(*e->hs));

	if (rc != CG_OK)
		return rc;
	h = &e->hs[e->nhs];
	memset(h, 0, sizeof(*h));
	h->gcode = f[0];
	h->name = cell(e, f, "zh");
	h->unit1 = cell(e, f, "unit1");
	h->unit2 = cell(e, f, "unit2");
	h->vat_text = cell(e, f, "vat");
	h->ct_text = cell(e, f, "ct");
	h->mfn = cell(e, f, "mfn");
	h->provisional = cell(e, f, "provisional");
	h->general = cell(e, f, "general");
	h->supervision = cell(e, f, "supervision");
	h->inspection = cell(e, f, "inspection");
	if (strlen(h->gcode) != 10 || strspn(h->gcode, "0123456789") != 10)
		return cg__fail(ctx, CG_EPARSE, "line %zu: %s is not a 10-digit code", line, h->gcode);
	if (!parse_pct(h->vat_text, &h->vat) && !cg__dec_parse(h->vat_text, &h->vat))
		return cg__fail(ctx, CG_EPARSE, "line %zu: vat \"%s\" is not a rate", line,
				h->vat_text);
	/* Older tables give rates as decimals (0.13); the tariff as written ("13%"). */
	h->ct_plain = parse_pct(h->ct_text, &h->ct) || cg__dec_parse(h->ct_text, &h->ct);
	if (!h->ct_plain || h->ct >= CG_DEC_ONE)
		h->ct = 0;
	e->nhs++;
	return CG_OK;
}

static cg_rc
positive_row(struct edition *e, char **f, size_t line, cg_ctx *ctx)
{
	size_t n = strlen(f[0]);
	cg_rc rc;

	if ((n != 8 && n != 10) || strspn(f[0], "0123456789") != n)
		return cg__fail(ctx, CG_EPARSE, "line %zu: %s is not an 8- or 10-digit tariff line",
				line, f[0]);
	rc = cg__grow((void **)&e->pos, &e->poscap, e->npos + 1, sizeof(*e->pos));
	if (rc != CG_OK)
		return rc;
	e->pos[e->npos].code = f[0];
	e->pos[e->npos].name = cell(e, f, "zh");
	e->pos[e->npos].note = cell(e, f, "note");
	e->npos++;
	return CG_OK;
}

static cg_rc
data_row(struct edition *e, enum cg_table t, char **f, size_t line, cg_ctx *ctx)
{
	int d = col_index(e, "direction");
	cg_rc rc;

	if (f[0][0] == '\0')
		return cg__fail(ctx, CG_EPARSE, "line %zu: empty code", line);
	rc = cg__grow((void **)&e->code, &e->codecap, e->ncode + 1, sizeof(*e->code));
	if (rc != CG_OK)
		return rc;
	e->code[e->ncode++] = f[0];
	if (d >= 0) {
		e->directed = true;
		if (strchr(f[d], 'I') != NULL) {
			rc = cg__grow((void **)&e->imp, &e->impcap, e->nimp + 1, sizeof(*e->imp));
			if (rc != CG_OK)
				return rc;
			e->imp[e->nimp++] = f[0];
		}
	}
	if (t == CG_T_HS)
		return hs_row(e, f, line, ctx);
	if (t == CG_T_POSITIVE)
		return positive_row(e, f, line, ctx);
	return mapped_table(t) ? add_aliases(e, f) : CG_OK;
}

/* "# key: value" header lines; the first of each key counts. */
static cg_rc
meta_line(struct edition *e, const char *line)
{
	static const char *const keys[] = { "# edition:", "# effective:", "# source:",
					    "# complete:" };
	char **slot[] = { NULL, &e->effective, &e->source, NULL };
	size_t i, k;

	for (i = 0; i < 4; i++) {
		const char *v;

		k = strlen(keys[i]);
		if (strncmp(line, keys[i], k) != 0)
			continue;
		for (v = line + k; *v == ' '; v++)
			;
		if (i == 0 && strcmp(e->name, "-") == 0) {
			/* A single TABLE.tsv takes its edition's name from its header. */
			free(e->name);
			return (e->name = cg__strdup(v)) != NULL ? CG_OK : CG_ENOMEM;
		}
		if (i == 0)
			return strcmp(v, e->name) == 0 ? CG_OK : CG_EPARSE;
		if (i == 3) {
			e->info.complete = strncmp(v, "yes", 3) == 0;
			return CG_OK;
		}
		if (*slot[i] == NULL && (*slot[i] = cg__strdup(v)) == NULL)
			return CG_ENOMEM;
		return CG_OK;
	}
	return CG_OK;
}

static bool
valid_ymd(const char *s)
{
	char d[16];

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	memcpy(d, s, 4);
	memcpy(d + 4, s + 5, 2);
	memcpy(d + 6, s + 8, 2);
	memcpy(d + 8, "000000", 7);
	return strspn(d, "0123456789") == 14 && cg__datetime_valid(d);
}

static cg_rc
finish_meta(struct edition *e, cg_ctx *ctx, const char *path)
{
	if (e->effective == NULL || strcmp(e->effective, "-") == 0) {
		free(e->effective);
		e->effective = cg__strdup("");
	} else if (!valid_ymd(e->effective)) {
		return cg__fail(ctx, CG_EPARSE, "%s: effective date \"%s\" is not YYYY-MM-DD", path,
				e->effective);
	}
	if (e->source == NULL)
		e->source = cg__strdup("");
	if (e->effective == NULL || e->source == NULL)
		return CG_ENOMEM;
	if (e->effective[0] != '\0') {
		memcpy(e->eff8, e->effective, 4);
		memcpy(e->eff8 + 4, e->effective + 5, 2);
		memcpy(e->eff8 + 6, e->effective + 8, 2);
		e->eff8[8] = '\0';
	}
	return CG_OK;
}

/* Split the file into rows and cells; every row has as many cells as #columns: names. */
static cg_rc
parse_edition(struct edition *e, enum cg_table t, cg_ctx *ctx, const char *path)
{
	char *line = e->text, *next;
	size_t no = 0;
	cg_rc rc = CG_OK;

	for (; line != NULL && *line != '\0' && rc == CG_OK; line = next) {
		char *f[MAX_COLS + 1];
		size_t n;

		no++;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (line[0] != '\0' && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		if (strncmp(line, "#columns:", 9) == 0) {
			e->ncols = split_tabs(line + 9, e->cols, MAX_COLS);
			continue;
		}
		if (line[0] == '#') {
			if (meta_line(e, line) != CG_OK)
				return cg__fail(ctx, CG_EPARSE, "%s:%zu: \"%s\" does not match the file name",
						path, no, line);
			continue;
		}
		if (line[0] == '\0')
			continue;
		if (e->ncols == 0)
			return cg__fail(ctx, CG_EPARSE, "%s:%zu: a row before the #columns: line", path,
					no);
		n = split_tabs(line, f, MAX_COLS + 1);
		if (n != e->ncols)
			return cg__fail(ctx, CG_EPARSE, "%s:%zu: %zu cells, the #columns: line names %zu",
					path, no, n, e->ncols);
		rc = data_row(e, t, f, no, ctx);
		if (rc == CG_EPARSE && ctx != NULL) {
			char why[CG_ERRMSG_MAX];

			(void)snprintf(why, sizeof(why), "%s", ctx->errmsg);
			(void)cg__fail(ctx, rc, "%s: %s", path, why);
		}
	}
	return rc;
}

static int
cmp_hs(const void *a, const void *b)
{
	return strcmp(((const struct cg_hs *)a)->gcode, ((const struct cg_hs *)b)->gcode);
}

static int
cmp_pos(const void *a, const void *b)
{
	return strcmp(((const struct cg_positive *)a)->code,
		      ((const struct cg_positive *)b)->code);
}

static cg_rc
load_edition(struct edition *e, enum cg_table t, cg_ctx *ctx, const char *path)
{
	cg_rc rc = read_file(&e->text, ctx, path);

	if (rc == CG_OK)
		rc = parse_edition(e, t, ctx, path);
	if (rc == CG_OK)
		rc = finish_meta(e, ctx, path);
	if (rc != CG_OK)
		return rc;
	qsort(e->code, e->ncode, sizeof(*e->code), cmp_str);
	if (e->nimp > 0)
		qsort(e->imp, e->nimp, sizeof(*e->imp), cmp_str);
	if (e->nhs > 0)
		qsort(e->hs, e->nhs, sizeof(*e->hs), cmp_hs);
	if (e->npos > 0)
		qsort(e->pos, e->npos, sizeof(*e->pos), cmp_pos);
	e->info.table = table_file[t];
	e->info.edition = e->name;
	e->info.effective = e->effective;
	e->info.source = e->source;
	e->info.rows = e->ncode;
	return CG_OK;
}

static void
edition_dispose(struct edition *e)
{
	free(e->name);
	free(e->effective);
	free(e->source);
	free(e->text);
	free(e->code);
	free(e->imp);
	free(e->hs);
	free(e->pos);
	smap_dispose(&e->alias);
}

static int
cmp_edition(const void *a, const void *b)
{
	return strcmp(((const struct edition *)a)->eff8, ((const struct edition *)b)->eff8);
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Edition names are file names: letters, digits, '-', '.', '_', not starting with '.'. */
bool
cg__codes_edition_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 32 && s[0] != '.' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._") == n;
}

/* The EDITION.tsv files of @p tdir, sorted; NULL names and 0 when there is no such folder. */
static cg_rc
list_editions(char ***out, size_t *n, cg_ctx *ctx, const char *tdir)
{
	DIR *d = opendir(tdir);
	struct dirent *de;
	size_t cap = 0;
	cg_rc rc = CG_OK;

	*out = NULL;
	*n = 0;
	if (d == NULL)
		return errno == ENOENT ? CG_OK : cg__fail(ctx, CG_EIO, "cannot read %s", tdir);
	while (rc == CG_OK && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char *name;

		if (len <= 4 || strcmp(de->d_name + len - 4, ".tsv") != 0 || de->d_name[0] == '.')
			continue;
		if (*n == MAX_EDITIONS) {
			rc = cg__fail(ctx, CG_ETOOBIG, "%s: more than %d editions", tdir, MAX_EDITIONS);
			break;
		}
		name = cg__strdup(de->d_name);
		rc = name != NULL ? cg__grow((void **)out, &cap, *n + 1, sizeof(**out)) : CG_ENOMEM;
		if (rc != CG_OK) {
			free(name);
			break;
		}
		name[len - 4] = '\0';
		(*out)[(*n)++] = name;
	}
	(void)closedir(d);
	if (*n > 0)
		qsort(*out, *n, sizeof(**out), cmp_name);
	return rc;
}

static void
free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static cg_rc
load_one(struct tabset *s, enum cg_table t, cg_ctx *ctx, const char *path, const char *name)
{
	struct edition *e = &s->ed[s->n];

	memset(e, 0, sizeof(*e));
	e->name = cg__strdup(name);
	s->n++;
	if (e->name == NULL)
		return CG_ENOMEM;
	return load_edition(e, t, ctx, path);
}

/* Every edition of one table: TABLE/EDITION.tsv, or the single file TABLE.tsv. */
static cg_rc
load_tabset(struct tabset *s, enum cg_table t, cg_ctx *ctx, const char *codesdir)
{
	char path[4096], **names = NULL;
	size_t nn = 0, i;
	int k = snprintf(path, sizeof(path), "%s/%s", codesdir, table_file[t]);
	cg_rc rc;

	if (k <= 0 || (size_t)k >= sizeof(path))
		return cg__fail(ctx, CG_EINVAL, "codes directory path too long");
	rc = list_editions(&names, &nn, ctx, path);
	if (rc != CG_OK)
		return rc;
	s->ed = calloc(nn > 0 ? nn : 1, sizeof(*s->ed));
	if (s->ed == NULL) {
		free_names(names, nn);
		return CG_ENOMEM;
	}
	for (i = 0; i < nn && rc == CG_OK; i++) {
		k = snprintf(path, sizeof(path), "%s/%s/%s.tsv", codesdir, table_file[t], names[i]);
		rc = k > 0 && (size_t)k < sizeof(path) && cg__codes_edition_name_ok(names[i])
			     ? load_one(s, t, ctx, path, names[i])
			     : cg__fail(ctx, CG_EINVAL, "bad edition file name %s", names[i]);
	}
	free_names(names, nn);
	if (rc == CG_OK && nn == 0) {
		(void)snprintf(path, sizeof(path), "%s/%s.tsv", codesdir, table_file[t]);
		rc = load_one(s, t, ctx, path, "-");
	}
	if (rc != CG_OK)
		return rc;
	qsort(s->ed, s->n, sizeof(*s->ed), cmp_edition);
	for (i = 1; i < s->n; i++) {
		if (strcmp(s->ed[i].eff8, s->ed[i - 1].eff8) == 0)
			return cg__fail(ctx, CG_EPARSE, "%s: editions %s and %s take effect the same day",
					table_file[t], s->ed[i - 1].name, s->ed[i].name);
	}
	return CG_OK;
}

static void
codes_destroy(struct cg_codes *c)
{
	size_t i;
	int t;

	for (t = 0; t < CG_T_COUNT; t++) {
		for (i = 0; i < c->s[t].n; i++)
			edition_dispose(&c->s[t].ed[i]);
		free(c->s[t].ed);
	}
	free(c->all);
	free(c->dir);
	free(c);
}

static cg_rc
index_all(struct cg_codes *c)
{
	size_t n = 0, i;
	int t;

	for (t = 1; t < CG_T_COUNT; t++)
		n += c->s[t].n;
	c->all = calloc(n > 0 ? n : 1, sizeof(*c->all));
	if (c->all == NULL)
		return CG_ENOMEM;
	for (t = 1; t < CG_T_COUNT; t++) {
		for (i = 0; i < c->s[t].n; i++)
			c->all[c->nall++] = &c->s[t].ed[i].info;
	}
	return CG_OK;
}

cg_rc
cg__codes_load_dir(struct cg_codes **out, cg_ctx *ctx, const char *codesdir)
{
	struct cg_codes *c = calloc(1, sizeof(*c));
	cg_rc rc = CG_OK;
	int t;

	*out = NULL;
	if (c == NULL || (c->dir = cg__strdup(codesdir)) == NULL) {
		free(c);
		return cg__fail(ctx, CG_ENOMEM, "out of memory");
	}
	c->refs = 1;
	for (t = 1; t < CG_T_COUNT && rc == CG_OK; t++)
		rc = load_tabset(&c->s[t], (enum cg_table)t, ctx, codesdir);
	if (rc == CG_OK)
		rc = index_all(c);
	if (rc != CG_OK) {
		codes_destroy(c);
		return rc;
	}
	*out = c;
	return CG_OK;
}

static cg_rc
codes_dir(char *buf, size_t size, cg_ctx *ctx, const char *dir)
{
	const char *env = getenv("CEBGATE_CODES_DIR");
	int n = env != NULL && *env != '\0' ? snprintf(buf, size, "%s", env)
					    : snprintf(buf, size, "%s/schemas/codes", dir);

	if (n <= 0 || (size_t)n >= size)
		return cg__fail(ctx, CG_EINVAL, "data directory path too long");
	return CG_OK;
}

/* The shared set of @p codesdir with one more reference, or NULL. Under shared_mu. */
static struct cg_codes *
shared_take(const char *codesdir)
{
	if (shared_cur == NULL || strcmp(shared_cur->dir, codesdir) != 0)
		return NULL;
	shared_cur->refs++;
	return shared_cur;
}

cg_rc
cg__codes_load(struct cg_codes **out, cg_ctx *ctx, const char *dir)
{
	char cdir[4096];
	struct cg_codes *c;
	cg_rc rc = codes_dir(cdir, sizeof(cdir), ctx, dir);

	*out = NULL;
	if (rc != CG_OK)
		return rc;
	pthread_mutex_lock(&shared_mu);
	*out = shared_take(cdir);
	pthread_mutex_unlock(&shared_mu);
	if (*out != NULL)
		return CG_OK;
	rc = cg__codes_load_dir(&c, ctx, cdir);
	if (rc != CG_OK)
		return rc;
	pthread_mutex_lock(&shared_mu);
	*out = shared_take(cdir); /* another thread may have loaded it meanwhile */
	if (*out == NULL) {
		if (shared_cur == NULL)
			shared_cur = c;
		*out = c;
		c = NULL;
	}
	pthread_mutex_unlock(&shared_mu);
	if (c != NULL)
		codes_destroy(c);
	return CG_OK;
}

void
cg__codes_free(struct cg_codes *c)
{
	bool last;

	if (c == NULL)
		return;
	pthread_mutex_lock(&shared_mu);
	last = --c->refs == 0;
	if (last && shared_cur == c)
		shared_cur = NULL;
	pthread_mutex_unlock(&shared_mu);
	if (last)
		codes_destroy(c);
}

bool
cg__codes_stale(const struct cg_codes *c)
{
	bool stale;

	pthread_mutex_lock(&shared_mu);
	stale = shared_cur != NULL && shared_cur != c && strcmp(shared_cur->dir, c->dir) == 0;
	pthread_mutex_unlock(&shared_mu);
	return stale;
}

bool
cg__codes_renew(struct cg_codes **io)
{
	struct cg_codes *old = *io;

	pthread_mutex_lock(&shared_mu);
	if (shared_cur != NULL && shared_cur != old && strcmp(shared_cur->dir, old->dir) == 0) {
		shared_cur->refs++;
		*io = shared_cur;
	}
	pthread_mutex_unlock(&shared_mu);
	if (*io == old)
		return false;
	cg__codes_free(old);
	return true;
}

cg_rc
cg__codes_reload(struct cg_codes **out, cg_ctx *ctx, const char *dir)
{
	char cdir[4096];
	struct cg_codes *c;
	cg_rc rc = codes_dir(cdir, sizeof(cdir), ctx, dir);

	*out = NULL;
	if (rc == CG_OK)
		rc = cg__codes_load_dir(&c, ctx, cdir);
	if (rc != CG_OK)
		return rc;
	pthread_mutex_lock(&shared_mu);
	shared_cur = c; /* the sets handed out before stay with their holders */
	pthread_mutex_unlock(&shared_mu);
	*out = c;
	return CG_OK;
}

/* YYYYMMDD of @p date (YYYYMMDD..., YYYY-MM-DD), or of today in China (UTC+8). */
static void
date8(const char *date, char out[9])
{
	if (date != NULL && strlen(date) >= 8 && strspn(date, "0123456789") >= 8) {
		memcpy(out, date, 8);
	} else if (date != NULL && valid_ymd(date)) {
		memcpy(out, date, 4);
		memcpy(out + 4, date + 5, 2);
		memcpy(out + 6, date + 8, 2);
	} else {
		time_t now = time(NULL) + 8 * 3600;
		struct tm tm;

		(void)gmtime_r(&now, &tm);
		(void)strftime(out, 9, "%Y%m%d", &tm);
	}
	out[8] = '\0';
}

static const struct edition *
pick(const struct cg_codes *c, enum cg_table t, const char *date, bool *before)
{
	const struct tabset *s;
	const struct edition *best = NULL;
	char d[9];
	size_t i;

	if (before != NULL)
		*before = false;
	if (t == CG_T_NONE || t >= CG_T_COUNT || c->s[t].n == 0)
		return NULL;
	s = &c->s[t];
	date8(date, d);
	for (i = 0; i < s->n; i++) {
		if (strcmp(s->ed[i].eff8, d) <= 0)
			best = &s->ed[i];
	}
	if (best == NULL) {
		best = &s->ed[0];
		if (before != NULL)
			*before = true;
	}
	return best;
}

static const struct edition *
pick_use(const struct cg_codes *c, enum cg_table t, const char *date, struct cg_edition_use *use)
{
	bool before;
	const struct edition *e = pick(c, t, date, &before);

	if (use != NULL) {
		use->ed = e != NULL ? &e->info : NULL;
		use->before_oldest = before;
	}
	return e;
}

const struct cg_edition *
cg__codes_edition_at(const struct cg_codes *c, enum cg_table t, const char *date,
		     bool *before_oldest)
{
	const struct edition *e = pick(c, t, date, before_oldest);

	return e != NULL ? &e->info : NULL;
}

size_t
cg__codes_edition_count(const struct cg_codes *c, enum cg_table t)
{
	return t > CG_T_NONE && t < CG_T_COUNT ? c->s[t].n : 0;
}

const struct cg_edition *
cg__codes_edition(const struct cg_codes *c, enum cg_table t, size_t i)
{
	return i < cg__codes_edition_count(c, t) ? &c->s[t].ed[i].info : NULL;
}

static bool
edition_has(const struct edition *e, const char *code)
{
	return e->ncode > 0 && bsearch(&code, e->code, e->ncode, sizeof(char *), cmp_str) != NULL;
}

bool
cg__codes_has_at(const struct cg_codes *c, enum cg_table t, const char *code, const char *date,
		 struct cg_edition_use *use)
{
	const struct edition *e = pick_use(c, t, date, use);

	/* A table with no rows checks nothing (it is not installed). */
	return e == NULL || e->ncode == 0 || edition_has(e, code);
}

const struct cg_hs *
cg__codes_hs_at(const struct cg_codes *c, const char *gcode, const char *date,
		struct cg_edition_use *use)
{
	const struct edition *e = pick_use(c, CG_T_HS, date, use);
	struct cg_hs key = { 0 };

	if (e == NULL || e->nhs == 0)
		return NULL;
	key.gcode = gcode;
	return bsearch(&key, e->hs, e->nhs, sizeof(*e->hs), cmp_hs);
}

const struct cg_positive *
cg__codes_positive_at(const struct cg_codes *c, const char *gcode, const char *date,
		      struct cg_edition_use *use)
{
	const struct edition *e = pick_use(c, CG_T_POSITIVE, date, use);
	struct cg_positive key = { 0 }, *p;
	char line8[9];

	if (e == NULL || e->npos == 0)
		return NULL;
	key.code = gcode;
	p = bsearch(&key, e->pos, e->npos, sizeof(*e->pos), cmp_pos);
	if (p != NULL || strlen(gcode) != 10)
		return p;
	memcpy(line8, gcode, 8);
	line8[8] = '\0';
	key.code = line8;
	return bsearch(&key, e->pos, e->npos, sizeof(*e->pos), cmp_pos);
}

static size_t
row_cells(const struct edition *e, const char *code, const char **names, const char **vals,
	  size_t max)
{
	const char *const *hit;
	const char *p;
	size_t i;

	if (e == NULL || e->ncode == 0)
		return 0;
	hit = bsearch(&code, e->code, e->ncode, sizeof(char *), cmp_str);
	if (hit == NULL)
		return 0;
	/* The cells of a row follow each other, each ended by the NUL that replaced its tab. */
	for (i = 0, p = *hit; i < e->ncols && i < max; i++, p += strlen(p) + 1) {
		names[i] = e->cols[i];
		vals[i] = p;
	}
	return i;
}

size_t
cg__codes_row(const struct cg_codes *c, enum cg_table t, const char *code, const char *date,
	      struct cg_edition_use *use, const char **names, const char **vals, size_t max)
{
	return row_cells(pick_use(c, t, date, use), code, names, vals, max);
}

size_t
cg__codes_row_in(const struct cg_codes *c, enum cg_table t, size_t i, const char *code,
		 const char **names, const char **vals, size_t max)
{
	return i < cg__codes_edition_count(c, t) ? row_cells(&c->s[t].ed[i], code, names, vals, max)
						 : 0;
}

const char *const *
cg__codes_codes(const struct cg_codes *c, enum cg_table t, size_t i, size_t *n)
{
	*n = 0;
	if (i >= cg__codes_edition_count(c, t))
		return NULL;
	*n = c->s[t].ed[i].ncode;
	return c->s[t].ed[i].code;
}

void
cg__edition_phrase(const struct cg_edition_use *use, bool zh, char *buf, size_t size)
{
	const struct cg_edition *ed = use->ed;
	int n;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (ed == NULL)
		return;
	if (ed->effective[0] == '\0')
		n = snprintf(buf, size, zh ? "%s版" : "edition %s", ed->edition);
	else
		n = snprintf(buf, size, zh ? "%s版，自%s起施行" : "edition %s, in force since %s",
			     ed->edition, ed->effective);
	if (use->before_oldest && n > 0 && (size_t)n < size)
		(void)snprintf(buf + n, size - (size_t)n,
			       zh ? "；申报日期早于已安装的最早版本，按最早版本核对"
				  : "; the declaration date precedes every installed edition, so the "
				    "oldest was used");
}

bool
cg__codes_has(const struct cg_codes *c, enum cg_table t, const char *code)
{
	return cg__codes_has_at(c, t, code, NULL, NULL);
}

bool
cg__codes_import(const struct cg_codes *c, enum cg_table t, const char *code)
{
	const struct edition *e = pick(c, t, NULL, NULL);

	if (e == NULL || !e->directed)
		return true;
	return e->nimp > 0 && bsearch(&code, e->imp, e->nimp, sizeof(char *), cmp_str) != NULL;
}

const char *
cg__codes_map(const struct cg_codes *c, enum cg_table t, const char *value)
{
	const struct edition *e = pick(c, t, NULL, NULL);
	char small[128], *q;
	size_t n = strlen(value);

	if (e == NULL || n >= sizeof(small))
		return NULL;
	memcpy(small, value, n + 1);
	for (q = small; *q != '\0'; q++)
		*q = (char)tolower((unsigned char)*q);
	return smap_get(&e->alias, small);
}

const struct cg_hs *
cg__codes_hs(const struct cg_codes *c, const char *gcode)
{
	return cg__codes_hs_at(c, gcode, NULL, NULL);
}

const char *
cg__codes_doc_date(const struct cg_decl *d)
{
	const char *v = cg__group_get(&d->head, "declTime");

	if (v == NULL || strlen(v) < 8)
		v = cg__group_get(&d->head, "appTime");
	return v != NULL && strlen(v) >= 8 ? v : NULL;
}

cg_rc
cg__codes_check_file(cg_ctx *ctx, enum cg_table t, const char *path, const char *edition,
		     size_t *rows)
{
	struct edition e;
	cg_rc rc;

	memset(&e, 0, sizeof(e));
	e.name = cg__strdup(edition);
	rc = e.name != NULL ? load_edition(&e, t, ctx, path) : CG_ENOMEM;
	if (rows != NULL)
		*rows = e.ncode;
	edition_dispose(&e);
	return rc;
}
