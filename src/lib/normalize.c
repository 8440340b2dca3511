/* SPDX-License-Identifier: MIT */
/*
 * cg_normalize_*: merchant rows in, canonical CEB messages out. Each document
 * goes through the same validation as `cebgate validate`; findings are mapped
 * back to the merchant's CSV line and column. Streaming: one document in memory.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <jansson.h>
#include <uuid/uuid.h>
#include "cebgate/normalize.h"
#include "cebgate/validate.h"
#include "codes.h"
#include "csv.h"
#include "model.h"
#include "normvalue.h"
#include "profile.h"
#include "rules.h"
#include "writer.h"
#include "xml.h"

/* Name-based (v5) guids live under this namespace, so equal content gets an equal guid. */
#define GUID_NAMESPACE "5b0c8a3e-2f41-4d6e-9a7c-3e1f0b9d2c64"
#define NDJSON_MAX_LINE (1024u * 1024u)

struct binding {
	int head, line, transfer; /* field index in each element, -1 when absent */
};

struct seen {                     /* keys of the documents already read (contiguity) */
	uint64_t *h;
	size_t cap, n;
};

struct cg_normalizer {
	cg_validator *v;
	struct cg_codes *codes;
	struct cg_profile profile;
	cg_normalize_options opts;
	const struct cg_msgdef *def;
	cg_findings *scratch;
	cg_normalize_stats stats;
	struct seen seen;
	char now[16];
};

/* One document being assembled from rows. */
struct pending {
	struct cg_msg *m;
	char *key;
	bool bad;
	unsigned long line;
	const char *source;
	size_t cur; /* document being completed */
};

cg_rc
cg_normalizer_new(cg_normalizer **out, cg_ctx *ctx, const char *datadir,
		  const cg_normalize_options *opts)
{
	cg_normalizer *n = calloc(1, sizeof(*n));
	cg_rc rc;

	*out = NULL;
	if (n == NULL)
		return cg__fail(ctx, CG_ENOMEM, "out of memory");
	n->opts = *opts;
	n->def = cg__msgdef_by_type(opts->type != 0 ? opts->type : 311);
	if (n->def == NULL || !n->def->declaration) {
		free(n);
		return cg__fail(ctx, CG_EINVAL, "type %d is not a declaration", opts->type);
	}
	if (datadir == NULL)
		datadir = cg_datadir();
	rc = cg_validator_new(&n->v, ctx, datadir, CG_VALIDATE_UNSIGNED);
	if (rc == CG_OK)
		rc = cg__codes_load(&n->codes, ctx, datadir);
	if (rc == CG_OK && opts->profile != NULL)
		rc = cg__profile_load(&n->profile, ctx, opts->profile);
	if (rc == CG_OK)
		rc = cg_findings_new(&n->scratch);
	if (rc != CG_OK) {
		cg_normalizer_free(n);
		return rc;
	}
	*out = n;
	return CG_OK;
}

void
cg_normalizer_free(cg_normalizer *n)
{
	if (n == NULL)
		return;
	cg_validator_free(n->v);
	cg__codes_free(n->codes);
	cg__profile_dispose(&n->profile);
	cg_findings_free(n->scratch);
	free(n->seen.h);
	free(n);
}

cg_normalize_stats
cg_normalizer_stats(const cg_normalizer *n)
{
	return n->stats;
}

/* The time of normalization in China Standard Time (UTC+8, ceb-spec §2 item 6). */
static const char *
now14(cg_normalizer *n)
{
	time_t t;
	struct tm tm;

	if (n->opts.now != NULL)
		return n->opts.now;
	if (n->now[0] == '\0') {
		t = time(NULL) + 8 * 3600;
		if (gmtime_r(&t, &tm) == NULL ||
		    strftime(n->now, sizeof(n->now), "%Y%m%d%H%M%S", &tm) == 0)
			(void)snprintf(n->now, sizeof(n->now), "19700101000000");
	}
	return n->now;
}

static void
log_change(cg_normalizer *n, const struct pending *p, const struct cg_group *g, int idx,
	   const char *before, const char *after, const char *why)
{
	cg_change c;
	char *path;

	if (n->opts.change == NULL)
		return;
	path = cg__msg_path(p->m, p->cur, g, idx);
	c.source = p->source;
	c.line = g->line[idx] != 0 ? g->line[idx] : p->line;
	c.column = g->col[idx];
	c.xpath = path != NULL ? path : "";
	c.before = before != NULL ? before : "";
	c.after = after;
	c.why = why;
	n->opts.change(n->opts.payload, &c);
	free(path);
}

static cg_rc
report(cg_findings *f, const char *code, const struct pending *p, const struct cg_group *g,
       int idx, const char *detail)
{
	const char *field = idx >= 0 ? g->def->f[idx].name : NULL;

	return cg__report(f, code, CG_SEV_ERROR, p->source, p->m, p->cur, g, field, detail,
			  detail);
}

static cg_rc
normalize_field(cg_normalizer *n, struct pending *p, struct cg_group *g, int idx, cg_findings *f)
{
	char buf[CG_NORM_MAX], detail[CG_NORM_MAX + 64];
	const struct cg_fdef *fd = &g->def->f[idx];
	const char *why = "";
	enum cg_norm r;

	if (strlen(g->val[idx]) >= sizeof(buf) - 1) {
		p->bad = true;
		return report(f, "CG0100", p, g, idx, "value too long");
	}
	memcpy(buf, g->val[idx], strlen(g->val[idx]) + 1);
	r = cg__norm_value(n->codes, fd, buf, sizeof(buf), &why);
	if (r == CG_NORM_SAME)
		return CG_OK;
	if (r == CG_NORM_CHANGED) {
		log_change(n, p, g, idx, g->val[idx], buf, why);
		return cg__group_set(g, idx, buf, g->line[idx], g->col[idx]);
	}
	p->bad = true;
	(void)snprintf(detail, sizeof(detail), "%s \"%.200s\"", fd->name, g->val[idx]);
	return report(f, r == CG_NORM_UNMAPPED ? "CG2001" : r == CG_NORM_BADNUM ? "CG2005" : "CG2006",
		      p, g, idx, detail);
}

/* Fill an absent field from the profile, then from the spec's default; log either. */
static cg_rc
fill_default(cg_normalizer *n, struct pending *p, struct cg_group *g, int idx)
{
	const struct cg_fdef *fd = &g->def->f[idx];
	const char *v = cg__profile_default(&n->profile, fd->name);
	const char *why = "value from the mapping profile";
	cg_rc rc;

	if (v == NULL && fd->dflt != NULL) {
		v = fd->dflt;
		why = "default of the CEB standard";
	}
	if (v == NULL && strcmp(fd->name, "appTime") == 0) {
		v = now14(n);
		why = "time of normalization";
	}
	if (v == NULL)
		return CG_OK;
	rc = cg__group_set(g, idx, v, 0, 0);
	if (rc == CG_OK)
		log_change(n, p, g, idx, NULL, v, why);
	return rc;
}

static cg_rc
complete_group(cg_normalizer *n, struct pending *p, struct cg_group *g, cg_findings *f)
{
	size_t i;
	cg_rc rc = CG_OK;

	for (i = 0; i < g->def->nf && rc == CG_OK; i++) {
		if (g->val[i] != NULL && g->val[i][0] != '\0')
			rc = normalize_field(n, p, g, (int)i, f);
		else if (strcmp(g->def->f[i].name, "guid") != 0)
			rc = fill_default(n, p, g, (int)i);
	}
	return rc;
}

/* gnum 1, 2, 3 ... when the merchant's file has none. */
static cg_rc
number_lines(cg_normalizer *n, struct pending *p, struct cg_decl *d)
{
	size_t i;
	char num[24];
	cg_rc rc;

	for (i = 0; i < d->nlines; i++) {
		int idx = cg__edef_find(d->lines[i].def, "gnum");

		if (idx < 0 || d->lines[i].val[idx] != NULL)
			continue;
		(void)snprintf(num, sizeof(num), "%zu", i + 1);
		rc = cg__group_set(&d->lines[i], idx, num, 0, 0);
		if (rc != CG_OK)
			return rc;
		log_change(n, p, &d->lines[i], idx, NULL, num, "goods lines numbered in file order");
	}
	return CG_OK;
}

static cg_rc
check_required(struct pending *p, const struct cg_group *g, cg_findings *f)
{
	size_t i;
	char detail[160];
	cg_rc rc = CG_OK;

	for (i = 0; i < g->def->nf && rc == CG_OK; i++) {
		const struct cg_fdef *fd = &g->def->f[i];

		if (!(fd->flags & CG_F_REQ) || strcmp(fd->name, "guid") == 0 ||
		    (g->val[i] != NULL && g->val[i][0] != '\0'))
			continue;
		p->bad = true;
		(void)snprintf(detail, sizeof(detail), "%s (%s)", fd->name, fd->zh);
		rc = report(f, "CG2002", p, g, (int)i, detail);
	}
	return rc;
}

/* guid = UUID v5 of the canonical message without its guid: equal content, equal guid. */
static cg_rc
assign_guid(struct pending *p)
{
	struct cg_msg *m = p->m;
	struct cg_decl *d = &m->docs[m->ndocs - 1];
	int idx = cg__edef_find(d->head.def, "guid");
	cg_buf xml = CG_BUF_INIT(0);
	uuid_t ns, id;
	char text[40];
	cg_rc rc;

	if (idx < 0 || (d->head.val[idx] != NULL && d->head.val[idx][0] != '\0')) {
		if (m->guid == NULL && idx >= 0 && (m->guid = cg__strdup(d->head.val[idx])) == NULL)
			return CG_ENOMEM;
		return CG_OK;
	}
	rc = cg__msg_to_xml(m, &xml);
	if (rc != CG_OK)
		return rc;
	if (uuid_parse(GUID_NAMESPACE, ns) != 0) {
		cg_buf_dispose(&xml);
		return CG_EINTERNAL;
	}
	uuid_generate_sha1(id, ns, xml.ptr, xml.len);
	cg_buf_dispose(&xml);
	uuid_unparse_upper(id, text);
	rc = cg__group_set(&d->head, idx, text, 0, 0);
	if (rc == CG_OK && m->guid == NULL && (m->guid = cg__strdup(text)) == NULL)
		rc = CG_ENOMEM;
	return rc;
}

static int
field_of_path(const struct cg_msg *m, const char *xpath, const struct cg_group **gout)
{
	size_t d, l, i;

	for (d = 0; d < m->ndocs; d++) {
		const struct cg_decl *doc = &m->docs[d];

		for (l = 0; l <= doc->nlines; l++) {
			const struct cg_group *g = l == 0 ? &doc->head : &doc->lines[l - 1];

			for (i = 0; i < g->def->nf; i++) {
				char *path = cg__msg_path(m, d, g, (int)i);
				bool hit = path != NULL && strcmp(path, xpath) == 0;

				free(path);
				if (hit) {
					*gout = g;
					return (int)i;
				}
			}
		}
	}
	return -1;
}

/* Findings of the generated XML, moved to the merchant's file, line and column. */
static cg_rc
remap(cg_normalizer *n, struct pending *p, cg_findings *f)
{
	size_t i;
	cg_rc rc = CG_OK;

	for (i = 0; i < cg_findings_count(n->scratch) && rc == CG_OK; i++) {
		const cg_finding *x = cg_findings_get(n->scratch, i);
		const struct cg_group *g = NULL;
		int idx = field_of_path(p->m, x->xpath, &g);
		unsigned long line = p->line, col = 0;

		if (x->severity == CG_SEV_INFO)
			continue; /* the unsigned state is expected before signing */
		if (idx >= 0 && g->line[idx] != 0) {
			line = g->line[idx];
			col = g->col[idx];
		}
		if (x->severity == CG_SEV_ERROR)
			p->bad = true;
		rc = cg__finding_add(f, x->code, x->severity, p->source, x->xpath, line, col,
				     x->message_zh, x->message_en);
	}
	cg_findings_clear(n->scratch);
	return rc;
}

static cg_rc
output_name(char *name, size_t size, const struct cg_msg *m)
{
	const char *key = cg__group_get(&m->docs[0].head, m->def->key[1] != NULL ? m->def->key[1] : "guid");
	char safe[80];
	size_t i, j = 0;

	if (m->def->type == 311 || m->def->type == 411 || m->def->type == 621)
		key = cg__group_get(&m->docs[0].head, m->def->type == 411 ? "payTransactionId" : "orderNo");
	for (i = 0; key != NULL && key[i] != '\0' && j < sizeof(safe) - 1; i++) {
		char c = key[i];

		safe[j++] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
					    c == '-' || c == '_' || c == '.'
				    ? c
				    : '_';
	}
	safe[j] = '\0';
	(void)snprintf(name, size, "CEB%d-%s.xml", m->def->type, j > 0 ? safe : m->guid);
	return CG_OK;
}

/* Everything a finished document needs before it may leave: see the file comment. */
static cg_rc
finish(cg_normalizer *n, cg_ctx *ctx, struct pending *p, cg_findings *f)
{
	struct cg_msg *m = p->m;
	cg_buf xml = CG_BUF_INIT(0);
	size_t d, i;
	char name[128];
	int valid;
	cg_rc rc = CG_OK;

	if (m == NULL)
		return CG_OK;
	n->stats.records += m->ndocs;
	if (m->transfer.def == NULL)
		rc = cg__group_init(&m->transfer, &cg__basetransfer);
	for (d = 0; d < m->ndocs && rc == CG_OK; d++) {
		struct cg_decl *doc = &m->docs[d];

		p->cur = d;
		rc = complete_group(n, p, &doc->head, f);
		if (rc == CG_OK)
			rc = number_lines(n, p, doc);
		for (i = 0; i < doc->nlines && rc == CG_OK; i++)
			rc = complete_group(n, p, &doc->lines[i], f);
		if (rc == CG_OK)
			rc = check_required(p, &doc->head, f);
		for (i = 0; i < doc->nlines && rc == CG_OK; i++)
			rc = check_required(p, &doc->lines[i], f);
	}
	p->cur = 0;
	if (rc == CG_OK)
		rc = complete_group(n, p, &m->transfer, f);
	if (rc == CG_OK)
		rc = check_required(p, &m->transfer, f);
	if (rc == CG_OK && m->version == NULL && (m->version = cg__strdup("1.0")) == NULL)
		rc = CG_ENOMEM;
	if (rc == CG_OK && !p->bad)
		rc = assign_guid(p);
	if (rc == CG_OK && !p->bad)
		rc = cg__msg_to_xml(m, &xml);
	if (rc == CG_OK && !p->bad)
		rc = cg_validate_buffer(n->v, ctx, xml.ptr, xml.len, "generated", n->scratch, &valid);
	if (rc == CG_OK && !p->bad)
		rc = cg_validate_finish(n->v, ctx, n->scratch);
	if (rc == CG_OK)
		rc = remap(n, p, f);
	if (rc == CG_OK && !p->bad) {
		(void)output_name(name, sizeof(name), m);
		rc = n->opts.emit != NULL ? n->opts.emit(n->opts.payload, name, xml.ptr, xml.len) : CG_OK;
		n->stats.written++;
	} else if (rc == CG_OK) {
		n->stats.rejected += m->ndocs;
	}
	cg_buf_dispose(&xml);
	cg__msg_free(m);
	free(p->key);
	p->m = NULL;
	p->key = NULL;
	p->bad = false;
	return rc;
}

/* ---- CSV ------------------------------------------------------------------- */

static int
find_field(const struct cg_edef *e, const char *name)
{
	size_t i;

	if (e == NULL)
		return -1;
	for (i = 0; i < e->nf; i++) {
		if (strcasecmp(e->f[i].name, name) == 0 || strcmp(e->f[i].zh, name) == 0)
			return (int)i;
	}
	return -1;
}

static struct binding
bind(const cg_normalizer *n, const char *column)
{
	const char *mapped = cg__profile_column(&n->profile, column);
	const char *name = mapped != NULL ? mapped : column;
	struct binding b;

	b.head = find_field(n->def->head, name);
	b.line = find_field(n->def->list, name);
	b.transfer = find_field(&cg__basetransfer, name);
	return b;
}

static const char *
doc_key_field(const struct cg_msgdef *def)
{
	switch (def->type) {
	case 311:
	case 621:
		return "orderNo";
	case 411:
		return "payTransactionId";
	default:
		return "logisticsNo";
	}
}

static uint64_t
fnv(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h | 1; /* 0 marks an empty slot */
}

/*
 * Remember @p key; *fresh is false when it was seen before (rows of a document
 * not contiguous). This is the one part of normalize that grows with the input:
 * 8 bytes per slot at a load of at most 3/4, so 1,000,000 orders cost 16 MiB.
 */
static cg_rc
seen_add(struct seen *s, const char *key, bool *fresh)
{
	uint64_t h = fnv(key);
	size_t i;

	if ((s->n + 1) * 4 > s->cap * 3) {
		struct seen big = { NULL, s->cap != 0 ? s->cap * 2 : 1024, 0 };

		big.h = calloc(big.cap, sizeof(*big.h));
		if (big.h == NULL)
			return CG_ENOMEM;
		for (i = 0; i < s->cap; i++) {
			size_t j;

			if (s->h[i] == 0)
				continue;
			for (j = s->h[i] & (big.cap - 1); big.h[j] != 0; j = (j + 1) & (big.cap - 1))
				;
			big.h[j] = s->h[i];
			big.n++;
		}
		free(s->h);
		*s = big;
	}
	for (i = h & (s->cap - 1); s->h[i] != 0; i = (i + 1) & (s->cap - 1)) {
		if (s->h[i] == h) {
			*fresh = false;
			return CG_OK;
		}
	}
	s->h[i] = h;
	s->n++;
	*fresh = true;
	return CG_OK;
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

static cg_rc
start_doc(cg_normalizer *n, struct pending *p, const char *key, unsigned long line,
	  const char *source, cg_findings *f)
{
	struct cg_decl *d;
	bool fresh = true;
	cg_rc rc;

	rc = cg__msg_new(&p->m, n->def);
	if (rc == CG_OK)
		rc = cg__msg_add_doc(p->m, &d);
	if (rc != CG_OK)
		return rc;
	d->line = (uint32_t)line;
	d->head.elem_line = (uint32_t)line;
	p->m->from_csv = true;
	p->key = cg__strdup(key);
	p->line = line;
	p->source = source;
	p->bad = false;
	if (p->key == NULL)
		return CG_ENOMEM;
	if (key[0] != '\0')
		rc = seen_add(&n->seen, key, &fresh);
	if (rc == CG_OK && !fresh) {
		char detail[160];

		p->bad = true;
		(void)snprintf(detail, sizeof(detail), "rows of %s %.80s are not contiguous",
			       doc_key_field(n->def), key);
		rc = cg__finding_addf(f, "CG2003", CG_SEV_ERROR, source, "", line, 0, detail, detail);
	}
	return rc;
}

static cg_rc
add_row(cg_normalizer *n, struct pending *p, const struct binding *b, char **cells, size_t nc,
	unsigned long line, cg_findings *f)
{
	struct cg_decl *d = &p->m->docs[0];
	struct cg_group *lg = NULL;
	bool first = d->nlines == 0 && d->head.val[0] == NULL;
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
			p->bad = true;
			rc = cg__finding_addf(f, "CG2007", CG_SEV_ERROR, p->source, "", line, i + 1,
					      cells[i], cells[i]);
			continue;
		}
		if (b[i].head >= 0 && (first || d->head.val[b[i].head] == NULL))
			rc = cg__group_set(&d->head, b[i].head, cells[i], (uint32_t)line, (uint32_t)(i + 1));
		if (rc == CG_OK && b[i].line >= 0 && lg != NULL)
			rc = cg__group_set(lg, b[i].line, cells[i], (uint32_t)line, (uint32_t)(i + 1));
		if (rc == CG_OK && b[i].transfer >= 0) {
			if (p->m->transfer.def == NULL)
				rc = cg__group_init(&p->m->transfer, &cg__basetransfer);
			if (rc == CG_OK && p->m->transfer.val[b[i].transfer] == NULL)
				rc = cg__group_set(&p->m->transfer, b[i].transfer, cells[i],
						   (uint32_t)line, (uint32_t)(i + 1));
		}
	}
	return rc;
}

static cg_rc
csv_bad_row(cg_findings *f, const char *source, unsigned long line, cg_rc why, size_t got,
	    size_t want)
{
	char detail[128];

	if (why == CG_ETOOBIG)
		(void)snprintf(detail, sizeof(detail), "row longer than %u bytes", CG_CSV_MAX_ROW);
	else if (why == CG_EPARSE)
		(void)snprintf(detail, sizeof(detail), "unterminated quote or bad character encoding");
	else
		(void)snprintf(detail, sizeof(detail), "%zu cells, the header has %zu", got, want);
	return cg__finding_addf(f, "CG2003", CG_SEV_ERROR, source, "", line, 0, detail, detail);
}

static cg_rc
normalize_csv(cg_normalizer *n, cg_ctx *ctx, FILE *fp, const char *source, cg_findings *f)
{
	struct cg_csv *csv = NULL;
	struct binding *b = NULL;
	struct pending p = { NULL, NULL, false, 0, source, 0 };
	char **cells;
	size_t nc, ncols = 0, i;
	unsigned long line;
	int key = -1;
	cg_rc rc;

	rc = cg__csv_open(&csv, fp, n->opts.encoding);
	if (rc == CG_OK)
		rc = cg__csv_next(csv, &cells, &nc, &line);
	if (rc != CG_OK) {
		cg__csv_close(csv);
		return rc == CG_ENOTFOUND ? CG_OK : cg__fail(ctx, rc, "%s: cannot read the header", source);
	}
	ncols = nc;
	b = calloc(ncols, sizeof(*b));
	if (b == NULL) {
		cg__csv_close(csv);
		return CG_ENOMEM;
	}
	for (i = 0; i < ncols; i++) {
		char *h = cells[i];

		while (*h == ' ')
			h++;
		b[i] = bind(n, h);
		if (b[i].head == cg__edef_find(n->def->head, doc_key_field(n->def)) && b[i].head >= 0)
			key = (int)i;
	}
	for (;;) {
		rc = cg__csv_next(csv, &cells, &nc, &line);
		if (rc == CG_ENOTFOUND) {
			rc = CG_OK;
			break;
		}
		if (rc == CG_EPARSE || rc == CG_ETOOBIG || (rc == CG_OK && nc != ncols)) {
			if (p.m != NULL && key >= 0 && rc == CG_OK && (size_t)key < nc &&
			    strcmp(cells[key], p.key) == 0)
				p.bad = true;
			rc = csv_bad_row(f, source, line, rc, nc, ncols);
			if (rc == CG_OK)
				continue;
		}
		if (rc != CG_OK)
			break;
		if (p.m == NULL || key < 0 || strcmp(cells[key], p.key) != 0) {
			rc = finish(n, ctx, &p, f);
			if (rc == CG_OK)
				rc = start_doc(n, &p, key >= 0 ? cells[key] : "", line, source, f);
		}
		if (rc == CG_OK)
			rc = add_row(n, &p, b, cells, nc, line, f);
		if (rc != CG_OK)
			break;
	}
	if (rc == CG_OK)
		rc = finish(n, ctx, &p, f);
	else if (p.m != NULL) {
		cg__msg_free(p.m);
		free(p.key);
	}
	free(b);
	cg__csv_close(csv);
	return rc;
}

/* ---- NDJSON ---------------------------------------------------------------- */

static cg_rc
json_scalar(const json_t *v, char *buf, size_t size)
{
	if (json_is_string(v))
		(void)snprintf(buf, size, "%s", json_string_value(v));
	else if (json_is_integer(v))
		(void)snprintf(buf, size, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		(void)snprintf(buf, size, "%.15g", json_real_value(v));
	else
		return CG_EPARSE;
	return CG_OK;
}

static cg_rc
json_fill(cg_normalizer *n, struct pending *p, struct cg_group *g, const struct cg_edef *e,
	  json_t *obj, unsigned long line, cg_findings *f)
{
	const char *k;
	json_t *v;
	char buf[CG_NORM_MAX];
	cg_rc rc = CG_OK;

	json_object_foreach(obj, k, v)
	{
		const char *mapped = cg__profile_column(&n->profile, k);
		int idx = find_field(e, mapped != NULL ? mapped : k);

		if (idx < 0 || json_is_array(v) || json_is_object(v))
			continue;
		if (json_scalar(v, buf, sizeof(buf)) != CG_OK) {
			p->bad = true;
			rc = cg__finding_addf(f, "CG2004", CG_SEV_ERROR, p->source, "", line, 0, k, k);
		} else {
			rc = cg__group_set(g, idx, buf, (uint32_t)line, 0);
		}
		if (rc != CG_OK)
			break;
	}
	return rc;
}

static cg_rc
json_doc(cg_normalizer *n, struct pending *p, json_t *obj, unsigned long line, cg_findings *f)
{
	struct cg_decl *d = &p->m->docs[0];
	static const char *const list_keys[] = { "items", "lines", "goods", "OrderList",
						 "InventoryList" };
	json_t *arr = NULL, *it, *bt;
	size_t i;
	cg_rc rc;

	rc = json_fill(n, p, &d->head, n->def->head, obj, line, f);
	bt = json_object_get(obj, "BaseTransfer");
	if (rc == CG_OK && json_is_object(bt)) {
		rc = cg__group_init(&p->m->transfer, &cg__basetransfer);
		if (rc == CG_OK)
			rc = json_fill(n, p, &p->m->transfer, &cg__basetransfer, bt, line, f);
	}
	for (i = 0; i < sizeof(list_keys) / sizeof(list_keys[0]) && arr == NULL; i++) {
		arr = json_object_get(obj, list_keys[i]);
		arr = json_is_array(arr) ? arr : NULL;
	}
	json_array_foreach(arr, i, it)
	{
		struct cg_group *lg;

		if (rc != CG_OK || n->def->list == NULL || !json_is_object(it))
			break;
		rc = cg__decl_add_line(d, n->def, &lg);
		if (rc == CG_OK) {
			lg->elem_line = (uint32_t)line;
			rc = json_fill(n, p, lg, n->def->list, it, line, f);
		}
	}
	return rc;
}

static cg_rc
normalize_ndjson(cg_normalizer *n, cg_ctx *ctx, FILE *fp, const char *source, cg_findings *f)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long line = 0;
	cg_rc rc = CG_OK;

	while (rc == CG_OK && (len = getline(&buf, &cap, fp)) >= 0) {
		struct pending p = { NULL, NULL, false, 0, source, 0 };
		json_error_t err;
		json_t *obj;

		line++;
		if ((size_t)len > NDJSON_MAX_LINE) {
			rc = cg__finding_addf(f, "CG2004", CG_SEV_ERROR, source, "", line, 0,
					      "line too long", "line too long");
			continue;
		}
		if (strspn(buf, " \t\r\n") == (size_t)len)
			continue;
		obj = json_loadb(buf, (size_t)len, JSON_REJECT_DUPLICATES | JSON_DISABLE_EOF_CHECK, &err);
		if (obj == NULL || !json_is_object(obj)) {
			json_decref(obj);
			rc = cg__finding_addf(f, "CG2004", CG_SEV_ERROR, source, "", line, 0, err.text,
					      obj == NULL ? err.text : "not a JSON object");
			continue;
		}
		rc = start_doc(n, &p, "", line, source, f);
		if (rc == CG_OK)
			rc = json_doc(n, &p, obj, line, f);
		json_decref(obj);
		if (rc == CG_OK)
			rc = finish(n, ctx, &p, f);
		else {
			cg__msg_free(p.m);
			free(p.key);
		}
	}
	free(buf);
	return rc;
}

/* ---- loose XML ----------------------------------------------------------------- */

static cg_rc
normalize_xml(cg_normalizer *n, cg_ctx *ctx, FILE *fp, const char *source, cg_findings *f)
{
	cg_buf data = CG_BUF_INIT(CG_XML_MAX_BYTES + 1);
	struct pending p = { NULL, NULL, false, 1, source, 0 };
	xmlDocPtr doc = NULL;
	char chunk[65536];
	size_t got;
	cg_rc rc = CG_OK;

	while (rc == CG_OK && (got = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		rc = cg_buf_append(&data, chunk, got);
	if (rc == CG_ETOOBIG)
		rc = CG_OK; /* the parser reports the size as a finding */
	if (rc == CG_OK)
		rc = cg__xml_parse(&doc, ctx, data.ptr != NULL ? data.ptr : "", data.len, source, f);
	cg_buf_dispose(&data);
	if (rc == CG_EPARSE) {
		n->stats.rejected++;
		return CG_OK;
	}
	if (rc != CG_OK)
		return rc;
	rc = cg__msg_from_xml(&p.m, ctx, doc, true);
	xmlFreeDoc(doc);
	if (rc == CG_EINVAL) {
		n->stats.rejected++;
		return cg__finding_addf(f, "CG0005", CG_SEV_ERROR, source, "", 1, 0, cg_ctx_errmsg(ctx),
					cg_ctx_errmsg(ctx));
	}
	if (rc != CG_OK)
		return rc;
	if (!p.m->def->declaration || p.m->ndocs == 0) {
		cg__msg_free(p.m);
		n->stats.rejected++;
		return cg__finding_addf(f, "CG0005", CG_SEV_ERROR, source, "", 1, 0,
					"不是可申报的报文", "not a declaration with documents");
	}
	return finish(n, ctx, &p, f);
}

static cg_from
detect(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot != NULL && strcasecmp(dot, ".csv") == 0)
		return CG_FROM_CSV;
	if (dot != NULL && (strcasecmp(dot, ".ndjson") == 0 || strcasecmp(dot, ".jsonl") == 0))
		return CG_FROM_NDJSON;
	return CG_FROM_XML;
}

cg_rc
cg_normalize_stream(cg_normalizer *n, cg_ctx *ctx, FILE *fp, const char *source, cg_from from,
		    cg_findings *f)
{
	if (from == CG_FROM_AUTO)
		from = detect(source);
	if (from == CG_FROM_CSV)
		return normalize_csv(n, ctx, fp, source, f);
	if (from == CG_FROM_NDJSON)
		return normalize_ndjson(n, ctx, fp, source, f);
	return normalize_xml(n, ctx, fp, source, f);
}

cg_rc
cg_normalize_file(cg_normalizer *n, cg_ctx *ctx, const char *path, cg_from from, cg_findings *f)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	cg_rc rc;

	if (fp == NULL)
		return cg__fail(ctx, CG_EIO, "cannot open %s", path);
	rc = cg_normalize_stream(n, ctx, fp, path, from, f);
	if (fp != stdin)
		(void)fclose(fp);
	return rc;
}
