/* SPDX-License-Identifier: MIT */
/* Compiling and applying the XSDs (never without a compiled schema: see security.md). */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/xmlschemas.h>
#include "ceb/model.h"
#include "ceb/schema.h"
#include "util/xml.h"

#define MAX_XSD_FINDINGS 50

/*
 * The compiled XSDs of one data directory, shared by every validator (and so
 * every normalizer) of the process that uses that directory: compiling takes
 * far longer than a validation, and a compiled schema is read-only, so each
 * user only needs its own validation contexts. Freed with its last user.
 */
struct compiled {
	char *dir; /* realpath of the data directory: the key */
	xmlSchemaPtr ceb; /* the import family */
	xmlSchemaPtr exp; /* the export family */
	xmlSchemaPtr dxp;
	unsigned long refs;
	struct compiled *next;
};

/*
 * The process's compiled schema sets: process-wide because the normalizer and the
 * service's uploads make validators of their own. Only immutable schemas are
 * shared; the lock guards the list and also serializes compiling, which libxml2
 * does not make thread-safe.
 */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct compiled *cache;
static unsigned long compilations;

struct cg_schemas {
	struct compiled *shared;
	xmlSchemaValidCtxtPtr vceb;
	xmlSchemaValidCtxtPtr vexp;
	xmlSchemaValidCtxtPtr vdxp;
};

struct compile_err {
	char msg[256];
};

static void
on_compile_error(void *user, xmlErrorPtr e)
{
	struct compile_err *ce = user;

	if (ce->msg[0] == '\0')
		(void)snprintf(ce->msg, sizeof(ce->msg), "%s:%d: %s", e->file ? e->file : "?",
			       e->line, e->message ? e->message : "");
}

static cg_rc
compile(xmlSchemaPtr *out, cg_ctx *ctx, const char *dir, const char *name)
{
	struct compile_err ce = { "" };
	xmlSchemaParserCtxtPtr pc;
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/schemas/%s", dir, name);

	if (n <= 0 || (size_t)n >= sizeof(path))
		return cg__fail(ctx, CG_EINVAL, "data directory path too long");
	pc = xmlSchemaNewParserCtxt(path);
	if (pc == NULL)
		return cg__fail(ctx, CG_ENOMEM, "schema parser context");
	xmlSchemaSetParserStructuredErrors(pc, on_compile_error, &ce);
	*out = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	if (*out == NULL)
		return cg__fail(ctx, CG_ESCHEMA, "cannot compile %s: %s", path, ce.msg);
	return CG_OK;
}

static void
compiled_free(struct compiled *c)
{
	if (c == NULL)
		return;
	xmlSchemaFree(c->ceb);
	xmlSchemaFree(c->exp);
	xmlSchemaFree(c->dxp);
	free(c->dir);
	free(c);
}

static cg_rc
compiled_new(struct compiled **out, cg_ctx *ctx, const char *key, const char *dir)
{
	struct compiled *c = calloc(1, sizeof(*c));
	cg_rc rc;

	*out = NULL;
	if (c != NULL)
		c->dir = cg__strdup(key);
	if (c == NULL || c->dir == NULL) {
		compiled_free(c);
		return cg__fail(ctx, CG_ENOMEM, "out of memory");
	}
	rc = compile(&c->ceb, ctx, dir, "ceb-import.xsd");
	if (rc == CG_OK)
		rc = compile(&c->exp, ctx, dir, "ceb-export.xsd");
	if (rc == CG_OK)
		rc = compile(&c->dxp, ctx, dir, "dxp.xsd");
	if (rc != CG_OK) {
		compiled_free(c);
		return rc;
	}
	compilations++;
	*out = c;
	return CG_OK;
}

/* The shared set of @p dir, compiled on first use; the caller holds cache_lock. */
static cg_rc
compiled_get(struct compiled **out, cg_ctx *ctx, const char *dir)
{
	char *real = realpath(dir, NULL);
	const char *key = real != NULL ? real : dir;
	struct compiled *c;
	cg_rc rc = CG_OK;

	for (c = cache; c != NULL && strcmp(c->dir, key) != 0; c = c->next)
		;
	if (c == NULL) {
		rc = compiled_new(&c, ctx, key, dir);
		if (rc == CG_OK) {
			c->next = cache;
			cache = c;
		}
	}
	free(real);
	if (rc == CG_OK)
		c->refs++;
	*out = c;
	return rc;
}

static void
compiled_put(struct compiled *c)
{
	struct compiled **p;

	if (--c->refs > 0)
		return;
	for (p = &cache; *p != c; p = &(*p)->next)
		;
	*p = c->next;
	compiled_free(c);
}

cg_rc
cg__schemas_load(struct cg_schemas **out, cg_ctx *ctx, const char *dir)
{
	struct cg_schemas *s = calloc(1, sizeof(*s));
	cg_rc rc;

	*out = NULL;
	if (s == NULL)
		return CG_ENOMEM;
	(void)pthread_mutex_lock(&cache_lock);
	rc = compiled_get(&s->shared, ctx, dir);
	(void)pthread_mutex_unlock(&cache_lock);
	if (rc == CG_OK) {
		s->vceb = xmlSchemaNewValidCtxt(s->shared->ceb);
		s->vexp = xmlSchemaNewValidCtxt(s->shared->exp);
		s->vdxp = xmlSchemaNewValidCtxt(s->shared->dxp);
		if (s->vceb == NULL || s->vexp == NULL || s->vdxp == NULL)
			rc = cg__fail(ctx, CG_ENOMEM, "schema validation context");
	}
	if (rc != CG_OK) {
		cg__schemas_free(s);
		return rc;
	}
	*out = s;
	return CG_OK;
}

void
cg__schemas_free(struct cg_schemas *s)
{
	if (s == NULL)
		return;
	xmlSchemaFreeValidCtxt(s->vceb);
	xmlSchemaFreeValidCtxt(s->vexp);
	xmlSchemaFreeValidCtxt(s->vdxp);
	if (s->shared != NULL) {
		(void)pthread_mutex_lock(&cache_lock);
		compiled_put(s->shared);
		(void)pthread_mutex_unlock(&cache_lock);
	}
	free(s);
}

unsigned long
cg__schemas_compilations(void)
{
	unsigned long n;

	(void)pthread_mutex_lock(&cache_lock);
	n = compilations;
	(void)pthread_mutex_unlock(&cache_lock);
	return n;
}

struct valid_state {
	const char *source;
	cg_findings *f;
	size_t n;
	cg_rc rc;
};

static void
on_valid_error(void *user, xmlErrorPtr e)
{
	struct valid_state *st = user;
	char msg[512];
	char *path, *zh;
	size_t len;

	if (st->n++ >= MAX_XSD_FINDINGS || st->rc != CG_OK)
		return;
	(void)snprintf(msg, sizeof(msg), "%s", e->message != NULL ? e->message : "invalid");
	len = strlen(msg);
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		msg[--len] = '\0';
	path = cg__xml_path((const xmlNode *)e->node);
	zh = cg__xsd_message_zh(e);
	st->rc = cg__finding_addf(st->f, "CG0100", CG_SEV_ERROR, st->source,
				  path != NULL ? path : "", (unsigned long)(e->line > 0 ? e->line : 0),
				  0, zh != NULL ? zh : msg, msg);
	free(zh);
	free(path);
}

/* The export family has a schema of its own (the two share type names). */
static bool
export_root(xmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	const struct cg_msgdef *def;

	if (root == NULL)
		return false;
	def = cg__msgdef_by_root((const char *)root->name);
	return def != NULL && def->export_family;
}

cg_rc
cg__schemas_validate(struct cg_schemas *s, cg_ctx *ctx, xmlDocPtr doc, bool dxp,
		     const char *source, cg_findings *f, size_t *nerr)
{
	xmlSchemaValidCtxtPtr vc = dxp ? s->vdxp : export_root(doc) ? s->vexp : s->vceb;
	struct valid_state st = { source, f, 0, CG_OK };
	int r;

	xmlSchemaSetValidStructuredErrors(vc, on_valid_error, &st);
	r = xmlSchemaValidateDoc(vc, doc);
	xmlSchemaSetValidStructuredErrors(vc, NULL, NULL);
	if (st.rc != CG_OK)
		return cg__fail(ctx, st.rc, "out of memory recording schema errors");
	if (r < 0)
		return cg__fail(ctx, CG_EINTERNAL, "schema validation failed internally");
	if (r > 0 && st.n == 0) {
		st.n = 1;
		if (cg__finding_addf(f, "CG0100", CG_SEV_ERROR, source, "", 0, 0, NULL, NULL) != CG_OK)
			return CG_ENOMEM;
	}
	*nerr = st.n;
	return CG_OK;
}
