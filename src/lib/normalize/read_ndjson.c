/* SPDX-License-Identifier: MIT */
/*
 * The NDJSON reader of the normalizer: one document per line (jansson), read
 * with a bound on the line's length; an unreadable line is a finding at its
 * line, counted as a rejected record, and the lines after it are still read.
 * Numbers are read as their text, never as a double (quote_numbers).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "normalize/normalize_internal.h"
#include "normalize/normvalue.h"

#define NDJSON_MAX_LINE (1024u * 1024u)

/* One NDJSON line; its buffer never exceeds 2 * NDJSON_MAX_LINE, whatever the input. */
struct ndline {
	char *buf;
	size_t cap, len;
	bool toolong;
};

/* One NDJSON record being read: where its values go and where findings point. */
struct jrec {
	cg_normalizer *n;
	struct pending *p;
	unsigned long line;
	cg_findings *f;
	const json_t *bt, *list; /* the BaseTransfer object and the goods-line array taken */
};

/*
 * A scalar's text. Plain numbers arrive as strings (quote_numbers); a real
 * left to jansson has an exponent, which no CEB decimal has, and a double
 * would lose digits: refused, like any value that is no scalar.
 */
static cg_rc
json_scalar(const json_t *v, char *buf, size_t size)
{
	if (json_is_string(v))
		(void)snprintf(buf, size, "%s", json_string_value(v));
	else if (json_is_integer(v))
		(void)snprintf(buf, size, "%lld", (long long)json_integer_value(v));
	else
		return CG_EPARSE;
	return CG_OK;
}

/* Length of the JSON number without exponent at @p s (-?(0|[1-9][0-9]*)(.[0-9]+)?), 0 if none. */
static size_t
plain_number(const char *s, size_t len)
{
	size_t i = s[0] == '-' ? 1 : 0, d;

	d = strspn(s + i, "0123456789");
	if (d == 0 || (d > 1 && s[i] == '0'))
		return 0;
	i += d;
	if (i < len && s[i] == '.') {
		d = strspn(s + i + 1, "0123456789");
		if (d == 0)
			return 0;
		i += 1 + d;
	}
	return i == len ? len : 0;
}

/*
 * The line with every plain number outside a string written as a string, so
 * jansson hands over the digits as written: 199.000000000000000000001 stays
 * itself (normalize then rounds it to 5 decimals and logs the change) instead
 * of becoming the double 199. A token that is no plain number is left as it
 * is, for jansson to read or refuse. @p out holds at most 3 bytes per input byte.
 */
static cg_rc
quote_numbers(const struct ndline *l, struct ndline *out)
{
	bool in_string = false;
	size_t i = 0, o = 0;

	if (cg__grow((void **)&out->buf, &out->cap, 3 * l->len + 1, 1) != CG_OK)
		return CG_ENOMEM;
	while (i < l->len) {
		char c = l->buf[i];
		size_t tok, num;

		if (in_string || c == '"') {
			if (in_string && c == '\\' && i + 1 < l->len)
				out->buf[o++] = l->buf[i++];
			else if (c == '"')
				in_string = !in_string;
			out->buf[o++] = l->buf[i++];
			continue;
		}
		if (c != '-' && (c < '0' || c > '9')) {
			out->buf[o++] = l->buf[i++];
			continue;
		}
		tok = strspn(l->buf + i, "0123456789+-.eE");
		num = plain_number(l->buf + i, tok);
		if (num != 0)
			out->buf[o++] = '"';
		memcpy(out->buf + o, l->buf + i, tok);
		o += tok;
		i += tok;
		if (num != 0)
			out->buf[o++] = '"';
	}
	out->buf[o] = '\0';
	out->len = o;
	return CG_OK;
}

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
	return cg__norm_report_unknown(r->n, r->f, r->p->source, r->line, 0, key);
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
	cg__norm_log_dropped(r->n, r->p->source, r->line, 0, key, text != NULL ? text : buf);
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
		idx = cg__norm_find_field(e, mapped != NULL ? mapped : k);
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
		char zh[64], en[64];

		if (rc != CG_OK)
			break;
		if (!json_is_object(it)) {
			r->p->bad = true;
			(void)snprintf(zh, sizeof(zh), "第 %zu 个商品行不是对象", i + 1);
			(void)snprintf(en, sizeof(en), "goods line %zu is not an object", i + 1);
			rc = cg__finding_addf(r->f, "CG2004", CG_SEV_ERROR, r->p->source, "",
					      r->line, 0, zh, en);
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

/* A line that cannot be read: a finding at its line, and a rejected record. */
static cg_rc
unreadable(cg_normalizer *n, cg_findings *f, const char *source, unsigned long line,
	   const char *why)
{
	cg_rc rc = cg__finding_addf(f, "CG2004", CG_SEV_ERROR, source, "", line, 0, why, why);

	return rc == CG_OK ? cg__norm_unreadable(n) : rc;
}

/* One line: parsed, normalized and finished, or reported (CG2004) and skipped. */
static cg_rc
ndjson_record(cg_normalizer *n, cg_ctx *ctx, const struct ndline *l, struct ndline *quoted,
	      unsigned long line, const char *source, cg_findings *f)
{
	struct pending p = { NULL, NULL, false, 0, source, 0 };
	char detail[96];
	json_error_t err;
	json_t *obj;
	cg_rc rc;

	if (l->toolong) {
		(void)snprintf(detail, sizeof(detail), "line longer than %u bytes, not read",
			       NDJSON_MAX_LINE);
		return unreadable(n, f, source, line, detail);
	}
	if (strspn(l->buf, " \t\r") >= l->len)
		return CG_OK;
	rc = quote_numbers(l, quoted);
	if (rc != CG_OK)
		return rc;
	obj = json_loadb(quoted->buf, quoted->len, JSON_REJECT_DUPLICATES, &err);
	if (obj == NULL || !json_is_object(obj)) {
		const char *why = obj == NULL ? err.text : "not a JSON object";

		rc = unreadable(n, f, source, line, why);
		json_decref(obj);
		return rc;
	}
	rc = cg__norm_start_doc(n, &p, "", line, source, f);
	if (rc == CG_OK)
		rc = json_doc(n, &p, obj, line, f);
	json_decref(obj);
	if (rc == CG_OK)
		rc = cg__norm_finish(n, ctx, &p, f);
	cg__msg_free(p.m);
	free(p.key);
	return rc;
}

cg_rc
cg__norm_read_ndjson(cg_normalizer *n, cg_ctx *ctx, FILE *fp, const char *source, cg_findings *f)
{
	struct ndline l = { NULL, 0, 0, false }, quoted = { NULL, 0, 0, false };
	unsigned long line = 0;
	cg_rc rc;

	for (;;) {
		rc = ndjson_next(fp, &l);
		if (rc != CG_OK)
			break;
		line++;
		rc = ndjson_record(n, ctx, &l, &quoted, line, source, f);
		if (rc != CG_OK)
			break;
	}
	free(l.buf);
	free(quoted.buf);
	cg__norm_keyset_clear(&n->warned); /* the set is per file: empty again for the next one */
	if (rc == CG_EIO)
		return cg__fail(ctx, rc, "%s: read error after line %lu", source, line);
	return rc == CG_ENOTFOUND ? CG_OK : rc;
}
