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
#include "normalize_xml.h"
#include "normvalue.h"
#include "profile.h"
#include "rules.h"
#include "writer.h"
#include "xml.h"

/* Name-based (v5) guids live under this namespace, so equal content gets an equal guid. */
#define GUID_NAMESPACE "5b0c8a3e-2f41-4d6e-9a7c-3e1f0b9d2c64"
#define NDJSON_MAX_LINE (1024u * 1024u)
#define KEYS_WARNED 64

/* Unknown NDJSON keys already reported in the current file (CG2009 once per name). */
struct keyset {
	char *k[KEYS_WARNED];
	size_t n;
};

/* One NDJSON line; its buffer never exceeds 2 * NDJSON_MAX_LINE, whatever the input. */
struct ndline {
	char *buf;
	size_t cap, len;
	bool toolong;
};

struct binding {
	int head, line, transfer; /* field index in each element, -1 when absent */
	char *name;               /* the header as written, for findings and the log */
	bool unknown;             /* no field: values dropped and logged (CG2009) */
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
	struct keyset warned;
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

static void
keyset_clear(struct keyset *w)
{
	while (w->n > 0)
		free(w->k[--w->n]);
}

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
	keyset_clear(&n->warned);
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
	c.line = g->line[idx] != 0 ? g->line[idx] : g->elem_line != 0 ? g->elem_line : p->line;
	c.column = g->col[idx];
	c.xpath = path != NULL ? path : "";
	c.before = before != NULL ? before : "";
	c.after = after;
	c.why = why;
	n->opts.change(n->opts.payload, &c);
	free(path);
}

/* A root attribute normalize filled in (guid, version): logged like any field. */
static void
log_root_attr(cg_normalizer *n, const struct pending *p, const char *attr, const char *after,
	      const char *why)
{
	cg_change c;
	char path[160];

	if (n->opts.change == NULL)
		return;
	(void)snprintf(path, sizeof(path), "/ceb:%s/@%s", p->m->def->root, attr);
	c.source = p->source;
	c.line = p->line;
	c.column = 0;
	c.xpath = path;
	c.before = "";
	c.after = after;
	c.why = why;
	n->opts.change(n->opts.payload, &c);
}

/*
 * A merchant value dropped because the message has no field for it (CG2009):
 * one log row per value, so the merchant sees every one of them.
 */
static void
log_dropped(cg_normalizer *n, const char *source, unsigned long line, unsigned long col,
	    const char *name, const char *before)
{
	cg_change c;
	char shown[128], why[200];

	if (n->opts.change == NULL)
		return;
	cg__utf8_excerpt(shown, sizeof(shown), name);
	(void)snprintf(why, sizeof(why), "%s is not a field of CEB%d: value dropped", shown,
		       n->def->type);
	c.source = source;
	c.line = line;
	c.column = col;
	c.xpath = "";
	c.before = before;
	c.after = "";
	c.why = why;
	n->opts.change(n->opts.payload, &c);
}

static cg_rc
report(cg_findings *f, const char *code, const struct pending *p, const struct cg_group *g,
       int idx, const char *detail)
{
	const char *field = idx >= 0 ? g->def->f[idx].name : NULL;

	return cg__report(f, code, CG_SEV_ERROR, p->source, p->m, p->cur, g, field, detail,
			  detail);
}

/*
 * Import declarations are in RMB only (the XSD fixes currency to 142). Any
 * other currency is refused under the name the merchant wrote: normalize
 * never converts amounts, and a mapped 502 would hide that USD was meant.
 */
static cg_rc
foreign_currency(struct pending *p, const struct cg_group *g, int idx, const char *code,
		 cg_findings *f)
{
	const char *name = g->def->f[idx].name;
	char v[64], zh[300], en[300];

	p->bad = true;
	cg__utf8_excerpt(v, sizeof(v), g->val[idx]);
	(void)snprintf(zh, sizeof(zh),
		       "%s \"%s\"（代码%.8s）：进口申报只能使用人民币（142），金额不做换算",
		       name, v, code);
	(void)snprintf(en, sizeof(en),
		       "%s \"%s\" (code %.8s): import declarations are in RMB (142) only, "
		       "and amounts are not converted", name, v, code);
	return cg__report(f, "CG2001", CG_SEV_ERROR, p->source, p->m, p->cur, g, name, zh, en);
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
	if (r != CG_NORM_SAME && r != CG_NORM_CHANGED) {
		p->bad = true;
		(void)snprintf(detail, sizeof(detail), "%s \"%.200s\"", fd->name, g->val[idx]);
		return report(f, r == CG_NORM_UNMAPPED ? "CG2001" : r == CG_NORM_BADNUM ? "CG2005" : "CG2006",
			      p, g, idx, detail);
	}
	if (fd->table == CG_T_CURRENCY && fd->dflt != NULL && strcmp(buf, fd->dflt) != 0)
		return foreign_currency(p, g, idx, buf, f);
	if (r == CG_NORM_SAME)
		return CG_OK;
	log_change(n, p, g, idx, g->val[idx], buf, why);
	return cg__group_set(g, idx, buf, g->line[idx], g->col[idx]);
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

/*
 * guid = UUID v5 of the canonical message without this guid: equal content,
 * equal guid. A second document of one message also hashes its position, so
 * two equal orders in one file still get two guids.
 */
static cg_rc
doc_guid(cg_normalizer *n, struct pending *p, size_t doc)
{
	struct cg_group *h = &p->m->docs[doc].head;
	int idx = cg__edef_find(h->def, "guid");
	cg_buf xml = CG_BUF_INIT(0);
	char text[40];
	uuid_t ns, id;
	cg_rc rc;

	if (idx < 0 || (h->val[idx] != NULL && h->val[idx][0] != '\0'))
		return CG_OK;
	if (uuid_parse(GUID_NAMESPACE, ns) != 0)
		return CG_EINTERNAL;
	rc = cg__msg_to_xml(p->m, &xml);
	if (rc == CG_OK && doc > 0) {
		(void)snprintf(text, sizeof(text), "#%zu", doc);
		rc = cg_buf_append(&xml, text, strlen(text));
	}
	if (rc != CG_OK) {
		cg_buf_dispose(&xml);
		return rc;
	}
	uuid_generate_sha1(id, ns, xml.ptr, xml.len);
	cg_buf_dispose(&xml);
	uuid_unparse_upper(id, text);
	rc = cg__group_set(h, idx, text, 0, 0);
	p->cur = doc;
	if (rc == CG_OK)
		log_change(n, p, h, idx, NULL, text, "guid generated from the content (UUID v5)");
	p->cur = 0;
	return rc;
}

/* Every document without a guid gets one; the message guid is its first document's. */
static cg_rc
assign_guids(cg_normalizer *n, struct pending *p)
{
	struct cg_msg *m = p->m;
	const char *first;
	size_t d;
	cg_rc rc = CG_OK;

	for (d = 0; d < m->ndocs && rc == CG_OK; d++)
		rc = doc_guid(n, p, d);
	first = m->ndocs > 0 ? cg__group_get(&m->docs[0].head, "guid") : NULL;
	if (rc != CG_OK || m->guid != NULL || first == NULL)
		return rc;
	m->guid = cg__strdup(first);
	if (m->guid == NULL)
		return CG_ENOMEM;
	log_root_attr(n, p, "guid", first, "message guid = the guid of its first document");
	return CG_OK;
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

static cg_rc
default_version(cg_normalizer *n, struct pending *p)
{
	p->m->version = cg__strdup("1.0");
	if (p->m->version == NULL)
		return CG_ENOMEM;
	log_root_attr(n, p, "version", "1.0", "default of the CEB standard");
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
	if (rc == CG_OK && m->version == NULL)
		rc = default_version(n, p);
	if (rc == CG_OK && !p->bad)
		rc = assign_guids(n, p);
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
	b.name = NULL;
	b.unknown = b.head < 0 && b.line < 0 && b.transfer < 0 &&
		    !cg__profile_ignored(&n->profile, column);
	return b;
}

/* A column or key that has no field: told once per file (CG2009), never dropped in silence. */
static cg_rc
report_unknown(const cg_normalizer *n, cg_findings *f, const char *source, unsigned long line,
	       unsigned long col, const char *name)
{
	const char *mapped = cg__profile_column(&n->profile, name);
	char shown[96], to[96], zh[300], en[300];

	cg__utf8_excerpt(shown, sizeof(shown), name);
	if (mapped != NULL) {
		cg__utf8_excerpt(to, sizeof(to), mapped);
		(void)snprintf(zh, sizeof(zh), "%s（配置文件映射为%s，CEB%d中没有该字段）",
			       shown, to, n->def->type);
		(void)snprintf(en, sizeof(en),
			       "%s (mapped by the profile to %s, not a field of CEB%d)", shown, to,
			       n->def->type);
	} else {
		(void)snprintf(zh, sizeof(zh),
			       "%s（CEB%d中没有该字段；可在配置文件[ignore]中列出）", shown,
			       n->def->type);
		(void)snprintf(en, sizeof(en),
			       "%s (not a field of CEB%d; list it under [ignore] in the profile "
			       "to drop it on purpose)", shown, n->def->type);
	}
	return cg__finding_addf(f, "CG2009", CG_SEV_WARNING, source, "", line, col, zh, en);
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
		log_dropped(n, p->source, line, col, b->name, v);
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
	char detail[128];

	if (why == CG_ETOOBIG)
		(void)snprintf(detail, sizeof(detail), "row longer than %u bytes", CG_CSV_MAX_ROW);
	else if (why == CG_EPARSE)
		(void)snprintf(detail, sizeof(detail), "unterminated quote or bad character encoding");
	else
		(void)snprintf(detail, sizeof(detail), "%zu cells, the header has %zu", got, want);
	return cg__finding_addf(f, "CG2003", CG_SEV_ERROR, source, "", line, 0, detail, detail);
}

/* The header row of a CSV file: what each column binds to, and the document key. */
struct header {
	struct binding *b;
	size_t n;
	int key; /* column of the document key, -1 when absent */
};

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
	int key = cg__edef_find(n->def->head, doc_key_field(n->def));
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
			rc = report_unknown(n, f, source, line, i + 1, name);
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
		return cg__finding_addf(f, "CG2003", CG_SEV_ERROR, p->source, "", line, 0, enc_why,
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
			if (rc != CG_OK)
				return rc;
			continue;
		}
		if (rc != CG_OK)
			return rc;
		if (p->m == NULL || h->key < 0 || strcmp(cells[h->key], p->key) != 0) {
			rc = finish(n, ctx, p, f);
			if (rc == CG_OK)
				rc = start_doc(n, p, h->key >= 0 ? cells[h->key] : "", line,
					       p->source, f);
		}
		if (rc == CG_OK)
			rc = add_row(n, p, h->b, cells, nc, line, f);
		if (rc != CG_OK)
			return rc;
	}
}

static cg_rc
normalize_csv(cg_normalizer *n, cg_ctx *ctx, FILE *fp, const char *source, cg_findings *f)
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
		rc = finish(n, ctx, &p, f);
	cg__msg_free(p.m);
	free(p.key);
	header_dispose(&h);
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

/* One NDJSON record being read: where its values go and where findings point. */
struct jrec {
	cg_normalizer *n;
	struct pending *p;
	unsigned long line;
	cg_findings *f;
	const json_t *bt, *list; /* the BaseTransfer object and the goods-line array taken */
};

/* Unknown keys are told once per file; past KEYS_WARNED distinct names only the log shows them. */
static cg_rc
warn_key(const struct jrec *r, const char *key)
{
	struct keyset *w = &r->n->warned;
	size_t i;

	for (i = 0; i < w->n; i++) {
		if (strcmp(w->k[i], key) == 0)
			return CG_OK;
	}
	if (w->n == KEYS_WARNED)
		return CG_OK;
	w->k[w->n] = cg__strdup(key);
	if (w->k[w->n] == NULL)
		return CG_ENOMEM;
	w->n++;
	return report_unknown(r->n, r->f, r->p->source, r->line, 0, key);
}

/* A value with no field: warned (CG2009) and logged with its JSON text. */
static cg_rc
drop_json(const struct jrec *r, const char *key, const json_t *v)
{
	char buf[CG_NORM_MAX] = "";
	char *text = NULL;

	if (cg__profile_ignored(&r->n->profile, key))
		return CG_OK;
	if (r->n->opts.change != NULL && json_scalar(v, buf, sizeof(buf)) != CG_OK)
		text = cg__json_text(v, JSON_COMPACT | JSON_ENCODE_ANY);
	log_dropped(r->n, r->p->source, r->line, 0, key, text != NULL ? text : buf);
	free(text);
	return warn_key(r, key);
}

static cg_rc
json_fill(const struct jrec *r, struct cg_group *g, const struct cg_edef *e, json_t *obj)
{
	const char *k;
	json_t *v;
	char buf[CG_NORM_MAX];
	cg_rc rc = CG_OK;

	json_object_foreach(obj, k, v)
	{
		const char *mapped;
		int idx;

		if (v == r->bt || v == r->list)
			continue; /* read by json_doc: not worth a lookup */
		mapped = cg__profile_column(&r->n->profile, k);
		idx = find_field(e, mapped != NULL ? mapped : k);
		if (idx < 0 || json_is_array(v) || json_is_object(v)) {
			rc = drop_json(r, k, v);
		} else if (json_scalar(v, buf, sizeof(buf)) != CG_OK) {
			r->p->bad = true;
			rc = cg__finding_addf(r->f, "CG2004", CG_SEV_ERROR, r->p->source, "",
					      r->line, 0, k, k);
		} else {
			rc = cg__group_set(g, idx, buf, (uint32_t)r->line, 0);
		}
		if (rc != CG_OK)
			break;
	}
	return rc;
}

static json_t *
json_list(json_t *obj)
{
	static const char *const list_keys[] = { "items", "lines", "goods", "OrderList",
						 "InventoryList" };
	size_t i;

	for (i = 0; i < sizeof(list_keys) / sizeof(list_keys[0]); i++) {
		json_t *arr = json_object_get(obj, list_keys[i]);

		if (json_is_array(arr))
			return arr;
	}
	return NULL;
}

/* The goods lines; an entry that is no object is an error, not skipped. */
static cg_rc
json_lines(const struct jrec *r, struct cg_decl *d)
{
	const struct cg_msgdef *def = r->n->def;
	json_t *it;
	size_t i;
	cg_rc rc = CG_OK;

	json_array_foreach(r->list, i, it)
	{
		struct cg_group *lg;
		char detail[64];

		if (rc != CG_OK)
			break;
		if (!json_is_object(it)) {
			r->p->bad = true;
			(void)snprintf(detail, sizeof(detail), "goods line %zu is not an object",
				       i + 1);
			rc = cg__finding_addf(r->f, "CG2004", CG_SEV_ERROR, r->p->source, "",
					      r->line, 0, detail, detail);
			continue;
		}
		rc = cg__decl_add_line(d, def, &lg);
		if (rc == CG_OK) {
			lg->elem_line = (uint32_t)r->line;
			rc = json_fill(r, lg, def->list, it);
		}
	}
	return rc;
}

static cg_rc
json_doc(cg_normalizer *n, struct pending *p, json_t *obj, unsigned long line, cg_findings *f)
{
	struct cg_decl *d = &p->m->docs[0];
	json_t *bt = json_object_get(obj, "BaseTransfer");
	struct jrec r = { n, p, line, f, NULL, NULL };
	cg_rc rc = CG_OK;

	r.bt = json_is_object(bt) ? bt : NULL;
	r.list = n->def->list != NULL ? json_list(obj) : NULL;
	rc = json_fill(&r, &d->head, n->def->head, obj);
	if (rc == CG_OK && r.bt != NULL) {
		rc = cg__group_init(&p->m->transfer, &cg__basetransfer);
		if (rc == CG_OK)
			rc = json_fill(&r, &p->m->transfer, &cg__basetransfer, bt);
	}
	if (rc == CG_OK && r.list != NULL)
		rc = json_lines(&r, d);
	return rc;
}

/*
 * Next line of @p fp into @p l, NUL-terminated, without its newline. A line over
 * NDJSON_MAX_LINE is read to its end but not kept (l->toolong), so memory
 * stays bounded whatever the input. CG_ENOTFOUND at the end of the input.
 */
static cg_rc
ndjson_next(FILE *fp, struct ndline *l)
{
	int c = getc_unlocked(fp);

	l->len = 0;
	l->toolong = false;
	if (c == EOF)
		return ferror(fp) ? CG_EIO : CG_ENOTFOUND;
	for (; c != EOF && c != '\n'; c = getc_unlocked(fp)) {
		if (l->len == NDJSON_MAX_LINE) {
			l->toolong = true;
			continue;
		}
		/* Checked here, not in cg__grow: this runs once per byte of input. */
		if (l->len + 2 > l->cap && cg__grow((void **)&l->buf, &l->cap, l->len + 2, 1) != CG_OK)
			return CG_ENOMEM;
		l->buf[l->len++] = (char)c;
	}
	if (cg__grow((void **)&l->buf, &l->cap, l->len + 1, 1) != CG_OK)
		return CG_ENOMEM;
	l->buf[l->len] = '\0';
	return ferror(fp) ? CG_EIO : CG_OK;
}

/* One line: parsed, normalized and finished, or reported (CG2004) and skipped. */
static cg_rc
ndjson_record(cg_normalizer *n, cg_ctx *ctx, const struct ndline *l, unsigned long line,
	      const char *source, cg_findings *f)
{
	struct pending p = { NULL, NULL, false, 0, source, 0 };
	char detail[96];
	json_error_t err;
	json_t *obj;
	cg_rc rc;

	if (l->toolong) {
		(void)snprintf(detail, sizeof(detail), "line longer than %u bytes, not read",
			       NDJSON_MAX_LINE);
		return cg__finding_addf(f, "CG2004", CG_SEV_ERROR, source, "", line, 0, detail,
					detail);
	}
	if (strspn(l->buf, " \t\r") >= l->len)
		return CG_OK;
	obj = json_loadb(l->buf, l->len, JSON_REJECT_DUPLICATES, &err);
	if (obj == NULL || !json_is_object(obj)) {
		const char *why = obj == NULL ? err.text : "not a JSON object";

		json_decref(obj);
		return cg__finding_addf(f, "CG2004", CG_SEV_ERROR, source, "", line, 0, why, why);
	}
	rc = start_doc(n, &p, "", line, source, f);
	if (rc == CG_OK)
		rc = json_doc(n, &p, obj, line, f);
	json_decref(obj);
	if (rc == CG_OK)
		rc = finish(n, ctx, &p, f);
	cg__msg_free(p.m);
	free(p.key);
	return rc;
}

static cg_rc
normalize_ndjson(cg_normalizer *n, cg_ctx *ctx, FILE *fp, const char *source, cg_findings *f)
{
	struct ndline l = { NULL, 0, 0, false };
	unsigned long line = 0;
	cg_rc rc;

	for (;;) {
		rc = ndjson_next(fp, &l);
		if (rc != CG_OK)
			break;
		line++;
		rc = ndjson_record(n, ctx, &l, line, source, f);
		if (rc != CG_OK)
			break;
	}
	free(l.buf);
	keyset_clear(&n->warned); /* the set is per file: empty again for the next one */
	if (rc == CG_EIO)
		return cg__fail(ctx, rc, "%s: read error after line %lu", source, line);
	return rc == CG_ENOTFOUND ? CG_OK : rc;
}

/* ---- loose XML ----------------------------------------------------------------- */

/* The whole file in memory (the parser refuses more than CG_XML_MAX_BYTES), parsed. */
static cg_rc
xml_read(xmlDocPtr *doc, cg_ctx *ctx, FILE *fp, const char *source, cg_findings *f)
{
	cg_buf data = CG_BUF_INIT(CG_XML_MAX_BYTES + 1);
	char chunk[65536];
	size_t got;
	cg_rc rc = CG_OK;

	while (rc == CG_OK && (got = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		rc = cg_buf_append(&data, chunk, got);
	if (rc == CG_ETOOBIG)
		rc = CG_OK; /* the parser reports the size as a finding */
	if (rc == CG_OK)
		rc = cg__xml_parse(doc, ctx, data.ptr != NULL ? data.ptr : "", data.len, source, f);
	cg_buf_dispose(&data);
	return rc;
}

/*
 * The parsed document as a record. Anything the lenient reader would not
 * place makes it bad (CG2008): a merchant's value never vanishes unseen.
 */
static cg_rc
xml_record(cg_normalizer *n, cg_ctx *ctx, xmlDocPtr doc, struct pending *p, cg_findings *f)
{
	struct cg_normxml x = { NULL, p->source, f, n->opts.change, n->opts.payload, false };
	cg_rc rc;

	rc = cg__msg_from_xml(&p->m, ctx, doc, true);
	if (rc == CG_EINVAL) {
		n->stats.rejected++;
		return cg__finding_addf(f, "CG0005", CG_SEV_ERROR, p->source, "", 1, 0,
					cg_ctx_errmsg(ctx), cg_ctx_errmsg(ctx));
	}
	if (rc != CG_OK)
		return rc;
	if (!p->m->def->declaration) {
		char zh[96], en[96];

		(void)snprintf(zh, sizeof(zh), "%s是回执", p->m->def->root);
		(void)snprintf(en, sizeof(en), "%s is a receipt", p->m->def->root);
		cg__msg_free(p->m);
		p->m = NULL;
		n->stats.rejected++;
		return cg__finding_addf(f, "CG0201", CG_SEV_ERROR, p->source, "", 1, 0, zh, en);
	}
	if (p->m->ndocs == 0) {
		cg__msg_free(p->m);
		p->m = NULL;
		n->stats.rejected++;
		return cg__finding_addf(f, "CG0005", CG_SEV_ERROR, p->source, "", 1, 0,
					"不是可申报的报文", "not a declaration with documents");
	}
	x.def = p->m->def;
	rc = cg__normxml_check(&x, doc);
	p->bad = x.bad;
	return rc;
}

static cg_rc
normalize_xml(cg_normalizer *n, cg_ctx *ctx, FILE *fp, const char *source, cg_findings *f)
{
	struct pending p = { NULL, NULL, false, 1, source, 0 };
	xmlDocPtr doc = NULL;
	cg_rc rc;

	rc = xml_read(&doc, ctx, fp, source, f);
	if (rc == CG_EPARSE) {
		n->stats.rejected++;
		return CG_OK;
	}
	if (rc != CG_OK)
		return rc;
	rc = xml_record(n, ctx, doc, &p, f);
	xmlFreeDoc(doc);
	if (rc == CG_OK && p.m != NULL)
		return finish(n, ctx, &p, f);
	cg__msg_free(p.m);
	return rc;
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
