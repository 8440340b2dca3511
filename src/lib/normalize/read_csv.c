/* SPDX-License-Identifier: MIT */
/*
 * The CSV reader of the normalizer: a header row bound to fields (the profile's
 * column names, Chinese or English headers), then one goods line per row,
 * grouped into documents by their key; a later row that contradicts its
 * document's head is an error at its line and column.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "util/csv.h"
#include "normalize/normalize_internal.h"
#include "normalize/normvalue.h"

/* The header row of a CSV file: what each column binds to, and the document key. */
struct header {
	struct binding *b;
	size_t n;
	int key; /* column of the document key, -1 when absent */
};

static struct binding
bind(const cg_normalizer *n, const char *column)
{
	const char *mapped = cg__profile_column(&n->profile, column);
	const char *name = mapped != NULL ? mapped : column;
	struct binding b;

	b.head = cg__norm_find_field(n->def->head, name);
	b.line = cg__norm_find_field(n->def->list, name);
	b.transfer = cg__norm_find_field(&cg__basetransfer, name);
	b.name = NULL;
	b.unknown = b.head < 0 && b.line < 0 && b.transfer < 0 &&
		    !cg__profile_ignored(&n->profile, column);
	return b;
}

/*
 * A cell a spreadsheet would run as a formula: its first character after
 * blanks (values are trimmed later, so "\t=1" would become "=1") is = + - @,
 * and it is not a number.
 */
static bool
formula_cell(const char *v)
{
	cg_dec d;

	while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
		v++;
	return (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@') && !cg__dec_parse(v, &d);
}

/* Whether two cells mean the same value of @p fd once normalized ("3" and "3.00" too). */
static bool
same_value(const cg_normalizer *n, const struct cg_fdef *fd, const char *a, const char *b)
{
	char x[CG_NORM_MAX], y[CG_NORM_MAX];
	const char *why;
	cg_dec dx, dy;

	if (strcmp(a, b) == 0)
		return true;
	if (strlen(a) >= sizeof(x) || strlen(b) >= sizeof(y))
		return false;
	memcpy(x, a, strlen(a) + 1);
	memcpy(y, b, strlen(b) + 1);
	if (cg__norm_value(n->codes, fd, x, sizeof(x), &why) > CG_NORM_CHANGED ||
	    cg__norm_value(n->codes, fd, y, sizeof(y), &why) > CG_NORM_CHANGED)
		return false;
	if (strcmp(x, y) == 0)
		return true;
	return (fd->kind == CG_K_DEC || fd->kind == CG_K_INT) && cg__dec_parse(x, &dx) &&
	       cg__dec_parse(y, &dy) && dx == dy;
}

/*
 * Set a field from a cell unless an earlier row set it: a different value
 * there is a conflict (CG2010) at this row, never a silent first-row-wins.
 */
static cg_rc
set_once(cg_normalizer *n, struct pending *p, struct cg_group *g, int idx, const char *v,
	 unsigned long line, unsigned long col, cg_findings *f)
{
	const struct cg_fdef *fd = &g->def->f[idx];
	char now[96], was[96], zh[400], en[400];

	if (g->val[idx] == NULL)
		return cg__group_set(g, idx, v, (uint32_t)line, (uint32_t)col);
	if (same_value(n, fd, g->val[idx], v))
		return CG_OK;
	p->bad = true;
	cg__utf8_excerpt(now, sizeof(now), v);
	cg__utf8_excerpt(was, sizeof(was), g->val[idx]);
	(void)snprintf(zh, sizeof(zh), "%s：本行为\"%s\"，第%lu行为\"%s\"", fd->name, now,
		       (unsigned long)g->line[idx], was);
	(void)snprintf(en, sizeof(en), "%s: \"%s\" here, \"%s\" on line %lu", fd->name, now, was,
		       (unsigned long)g->line[idx]);
	return cg__finding_addf(f, "CG2010", CG_SEV_ERROR, p->source, "", line, col, zh, en);
}

/*
 * One non-empty cell into the document. A column that is also a goods-line
 * field (note, currency) varies by row: its head copy is the first row's.
 */
static cg_rc
place_cell(cg_normalizer *n, struct pending *p, struct cg_group *lg, const struct binding *b,
	   const char *v, unsigned long line, unsigned long col, cg_findings *f)
{
	struct cg_decl *d = &p->m->docs[0];
	struct cg_group *t = &p->m->transfer;
	bool per_line = b->line >= 0 && lg != NULL;
	cg_rc rc = CG_OK;

	if (b->unknown)
		cg__norm_log_dropped(n, p->source, line, col, b->name, v);
	if (b->head >= 0 && !(per_line && d->head.val[b->head] != NULL))
		rc = set_once(n, p, &d->head, b->head, v, line, col, f);
	if (rc == CG_OK && per_line)
		rc = set_once(n, p, lg, b->line, v, line, col, f);
	if (rc == CG_OK && b->transfer >= 0 && t->def == NULL)
		rc = cg__group_init(t, &cg__basetransfer);
	if (rc == CG_OK && b->transfer >= 0 && !(per_line && t->val[b->transfer] != NULL))
		rc = set_once(n, p, t, b->transfer, v, line, col, f);
	return rc;
}

/* The XPath of the field a cell is bound to, for its findings; NULL for an unknown column. */
static char *
cell_path(const struct pending *p, const struct cg_group *lg, const struct binding *b)
{
	const struct cg_decl *d = &p->m->docs[0];

	if (b->line >= 0 && lg != NULL)
		return cg__msg_path(p->m, p->cur, lg, b->line);
	if (b->head >= 0)
		return cg__msg_path(p->m, p->cur, &d->head, b->head);
	if (b->transfer >= 0 && p->m->transfer.def != NULL)
		return cg__msg_path(p->m, p->cur, &p->m->transfer, b->transfer);
	return NULL;
}

static cg_rc
add_row(cg_normalizer *n, struct pending *p, const struct binding *b, char **cells, size_t nc,
	unsigned long line, cg_findings *f)
{
	struct cg_decl *d = &p->m->docs[0];
	struct cg_group *lg = NULL;
	size_t i;
	cg_rc rc = CG_OK;

	if (n->def->list != NULL)
		rc = cg__decl_add_line(d, n->def, &lg);
	if (lg != NULL)
		lg->elem_line = (uint32_t)line;
	for (i = 0; i < nc && rc == CG_OK; i++) {
		if (cells[i][0] == '\0')
			continue;
		if (formula_cell(cells[i])) {
			char *path = cell_path(p, lg, &b[i]);

			p->bad = true;
			rc = cg__finding_addf(f, "CG2007", CG_SEV_ERROR, p->source,
					      path != NULL ? path : "", line, i + 1, cells[i], cells[i]);
			free(path);
			continue;
		}
		rc = place_cell(n, p, lg, &b[i], cells[i], line, i + 1, f);
	}
	return rc;
}

static cg_rc
csv_bad_row(cg_findings *f, const char *source, unsigned long line, cg_rc why, size_t got,
	    size_t want)
{
	char zh[128], en[128];

	if (why == CG_ETOOBIG) {
		(void)snprintf(zh, sizeof(zh), "该行超过 %u 字节", CG_CSV_MAX_ROW);
		(void)snprintf(en, sizeof(en), "row longer than %u bytes", CG_CSV_MAX_ROW);
	} else if (why == CG_EPARSE) {
		(void)snprintf(zh, sizeof(zh), "引号未闭合或字符编码错误");
		(void)snprintf(en, sizeof(en), "unterminated quote or bad character encoding");
	} else {
		(void)snprintf(zh, sizeof(zh), "该行有 %zu 列，表头有 %zu 列", got, want);
		(void)snprintf(en, sizeof(en), "%zu cells, the header has %zu", got, want);
	}
	return cg__finding_addf(f, "CG2003", CG_SEV_ERROR, source, "", line, 0, zh, en);
}

static void
header_dispose(struct header *h)
{
	size_t i;

	for (i = 0; h->b != NULL && i < h->n; i++)
		free(h->b[i].name);
	free(h->b);
	h->b = NULL;
}

static cg_rc
header_bind(struct header *h, cg_normalizer *n, char **cells, size_t nc, unsigned long line,
	    const char *source, cg_findings *f)
{
	int key = cg__edef_find(n->def->head, cg__norm_doc_key_field(n->def));
	size_t i;
	cg_rc rc = CG_OK;

	h->n = nc;
	h->key = -1;
	h->b = calloc(nc, sizeof(*h->b));
	if (h->b == NULL)
		return CG_ENOMEM;
	for (i = 0; i < nc && rc == CG_OK; i++) {
		const char *name = cells[i] + strspn(cells[i], " ");

		h->b[i] = bind(n, name);
		h->b[i].name = cg__strdup(name);
		if (h->b[i].name == NULL)
			return CG_ENOMEM;
		if (key >= 0 && h->b[i].head == key)
			h->key = (int)i;
		if (h->b[i].unknown)
			rc = cg__norm_report_unknown(n, f, source, line, i + 1, name);
	}
	return rc;
}

/* A row the reader refused, or one with the wrong cell count; its document is bad too. */
static cg_rc
csv_refuse(struct pending *p, const struct header *h, cg_rc why, char **cells, size_t nc,
	   unsigned long line, const char *enc_why, cg_findings *f)
{
	if (p->m != NULL && h->key >= 0 && why == CG_OK && (size_t)h->key < nc &&
	    strcmp(cells[h->key], p->key) == 0)
		p->bad = true;
	if (enc_why[0] != '\0') {
		/* The row's order cannot be read: the order in progress may lose a line. */
		if (p->m != NULL)
			p->bad = true;
		return cg__finding_addf(f, "CG2003", CG_SEV_ERROR, p->source, "", line, 0,
					"该行的字符编码与本文件其他行不同（请指定编码或转换文件）",
					enc_why);
	}
	return csv_bad_row(f, p->source, line, why, nc, h->n);
}

static cg_rc
csv_rows(cg_normalizer *n, cg_ctx *ctx, struct cg_csv *csv, struct pending *p,
	 const struct header *h, cg_findings *f)
{
	char **cells;
	size_t nc;
	unsigned long line;
	cg_rc rc;

	for (;;) {
		rc = cg__csv_next(csv, &cells, &nc, &line);
		if (rc == CG_ENOTFOUND)
			return CG_OK;
		if (rc == CG_EPARSE || rc == CG_ETOOBIG || (rc == CG_OK && nc != h->n)) {
			rc = csv_refuse(p, h, rc, cells, nc, line,
					rc == CG_EPARSE ? cg__csv_why(csv) : "", f);
			/* Every row counts against the caller's cap, a row that cannot be read too. */
			if (rc == CG_OK)
				rc = cg__norm_unreadable(n);
			if (rc != CG_OK)
				return rc;
			continue;
		}
		if (rc != CG_OK)
			return rc;
		if (p->m == NULL || h->key < 0 || strcmp(cells[h->key], p->key) != 0) {
			rc = cg__norm_finish(n, ctx, p, f);
			if (rc == CG_OK)
				rc = cg__norm_start_doc(n, p, h->key >= 0 ? cells[h->key] : "", line,
					       p->source, f);
		}
		if (rc == CG_OK)
			rc = add_row(n, p, h->b, cells, nc, line, f);
		if (rc != CG_OK)
			return rc;
	}
}

cg_rc
cg__norm_read_csv(cg_normalizer *n, cg_ctx *ctx, FILE *fp, const char *source, cg_findings *f)
{
	struct cg_csv *csv = NULL;
	struct header h = { NULL, 0, -1 };
	struct pending p = { NULL, NULL, false, 0, source, 0 };
	char **cells;
	size_t nc;
	unsigned long line;
	cg_rc rc;

	rc = cg__csv_open(&csv, fp, n->opts.encoding);
	if (rc == CG_OK)
		rc = cg__csv_next(csv, &cells, &nc, &line);
	if (rc != CG_OK) {
		cg__csv_close(csv);
		return rc == CG_ENOTFOUND ? CG_OK : cg__fail(ctx, rc, "%s: cannot read the header", source);
	}
	rc = header_bind(&h, n, cells, nc, line, source, f);
	if (rc == CG_OK)
		rc = csv_rows(n, ctx, csv, &p, &h, f);
	if (rc == CG_OK)
		rc = cg__norm_finish(n, ctx, &p, f);
	cg__msg_free(p.m);
	free(p.key);
	header_dispose(&h);
	cg__csv_close(csv);
	return rc;
}
