/* SPDX-License-Identifier: MIT */
/*
 * cg_normalize_*: merchant rows in, canonical CEB messages out. Each document
 * goes through the same validation as `cebgate validate`; findings are mapped
 * back to the merchant's CSV line and column. Streaming: one document in memory.
 * The readers (read_csv.c, read_ndjson.c, read_xml.c) assemble each document;
 * this file completes, checks, logs and writes it, and picks the reader.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>
#include "cebgate/normalize.h"
#include "cebgate/validate.h"
#include "ceb/codes.h"
#include "ceb/model.h"
#include "normalize/normalize_internal.h"
#include "normalize/normalize_xml.h"
#include "normalize/normvalue.h"
#include "normalize/profile.h"
#include "ceb/rules.h"
#include "ceb/writer.h"

/* Name-based (v5) guids live under this namespace, so equal content gets an equal guid. */
#define GUID_NAMESPACE "5b0c8a3e-2f41-4d6e-9a7c-3e1f0b9d2c64"

void
cg__norm_keyset_clear(struct keyset *w)
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
	free(n->repeats.h);
	cg__norm_keyset_clear(&n->warned);
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
void
cg__norm_log_dropped(cg_normalizer *n, const char *source, unsigned long line, unsigned long col,
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

static cg_rc seen_add(struct seen *s, const char *key, bool *fresh);

/* Each record counted, valid or not, is told to the caller, who may stop the run. */
static cg_rc
counted(cg_normalizer *n)
{
	return n->opts.record != NULL ? n->opts.record(n->opts.payload, &n->stats) : CG_OK;
}

cg_rc
cg__norm_unreadable(cg_normalizer *n)
{
	n->stats.records++;
	n->stats.rejected++;
	return counted(n);
}

/*
 * Remember one value of a document; met before in this file, it is a finding
 * at the later document's line (CG2011), one per document (*told).
 */
static cg_rc
repeat(cg_normalizer *n, struct pending *p, unsigned long line, const char *field, const char *v,
       bool *told, cg_findings *f)
{
	char key[320], zh[300], en[300], shown[128];
	bool fresh = true;
	cg_rc rc;

	(void)snprintf(key, sizeof(key), "%s\x1f%s", field, v);
	rc = seen_add(&n->repeats, key, &fresh);
	if (rc != CG_OK || fresh || *told)
		return rc;
	p->bad = true;
	*told = true;
	cg__utf8_excerpt(shown, sizeof(shown), v);
	(void)snprintf(zh, sizeof(zh), "%s %s 在本文件中已出现过", field, shown);
	(void)snprintf(en, sizeof(en), "%s %s was given by an earlier document of this file", field,
		       shown);
	return cg__finding_addf(f, "CG2011", CG_SEV_ERROR, p->source, "", line, 0, zh, en);
}

/*
 * A file whose documents repeat a business key (orderNo, payTransactionId,
 * logisticsNo) or a guid is told so at upload, line by line, not first at
 * submission. CSV rows of one order are one document already.
 */
static cg_rc
check_repeats(cg_normalizer *n, struct pending *p, cg_findings *f)
{
	const char *field = cg__norm_doc_key_field(n->def);
	size_t d;
	cg_rc rc = CG_OK;

	for (d = 0; d < p->m->ndocs && rc == CG_OK; d++) {
		const struct cg_group *h = &p->m->docs[d].head;
		const char *guid = cg__group_get(h, "guid"), *key = cg__group_get(h, field);
		unsigned long line = p->m->docs[d].line != 0 ? p->m->docs[d].line : p->line;
		bool told = false;

		/* CSV rows are grouped by that key already: a repeat there is CG2003. */
		if (key != NULL && key[0] != '\0' && (p->key == NULL || p->key[0] == '\0'))
			rc = repeat(n, p, line, field, key, &told, f);
		if (rc == CG_OK && guid != NULL && guid[0] != '\0')
			rc = repeat(n, p, line, "guid", guid, &told, f);
	}
	return rc;
}

static cg_rc
output_name(char *name, size_t size, const struct cg_msg *m)
{
	const char *key = cg__group_get(&m->docs[0].head, m->def->key[1] != NULL ? m->def->key[1] : "guid");
	char safe[80];
	size_t i, j = 0;

	if (strcmp(cg__norm_doc_key_field(m->def), "orderNo") == 0 || m->def->type == 411)
		key = cg__group_get(&m->docs[0].head, cg__norm_doc_key_field(m->def));
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
cg_rc
cg__norm_finish(cg_normalizer *n, cg_ctx *ctx, struct pending *p, cg_findings *f)
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
	if (rc == CG_OK)
		rc = check_repeats(n, p, f);
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
	return rc == CG_OK ? counted(n) : rc;
}

int
cg__norm_find_field(const struct cg_edef *e, const char *name)
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

/* A column or key that has no field: told once per file (CG2009), never dropped in silence. */
cg_rc
cg__norm_report_unknown(const cg_normalizer *n, cg_findings *f, const char *source, unsigned long line,
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

/* The field whose value groups rows into one document. */
const char *
cg__norm_doc_key_field(const struct cg_msgdef *def)
{
	switch (def->type) {
	case 311:
	case 621:
	case 303: /* export order, inventory and receipt of payment */
	case 603:
	case 403:
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

cg_rc
cg__norm_start_doc(cg_normalizer *n, struct pending *p, const char *key, unsigned long line,
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
		char zh[160], en[160];

		p->bad = true;
		(void)snprintf(zh, sizeof(zh), "%s 为 %.80s 的各行不相邻", cg__norm_doc_key_field(n->def),
			       key);
		(void)snprintf(en, sizeof(en), "rows of %s %.80s are not contiguous",
			       cg__norm_doc_key_field(n->def), key);
		rc = cg__finding_addf(f, "CG2003", CG_SEV_ERROR, source, "", line, 0, zh, en);
	}
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
	/* Repeats are told within one file: several files may well carry one order each way. */
	free(n->repeats.h);
	memset(&n->repeats, 0, sizeof(n->repeats));
	if (from == CG_FROM_CSV)
		return cg__norm_read_csv(n, ctx, fp, source, f);
	if (from == CG_FROM_NDJSON)
		return cg__norm_read_ndjson(n, ctx, fp, source, f);
	return cg__norm_read_xml(n, ctx, fp, source, f);
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
