/* SPDX-License-Identifier: MIT */
/* Compiling and applying the XSDs (never without a compiled schema: see security.md). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/xmlschemas.h>
#include "schema.h"
#include "xml.h"

#define MAX_XSD_FINDINGS 50

struct cg_schemas {
	xmlSchemaPtr ceb;
	xmlSchemaPtr dxp;
	xmlSchemaValidCtxtPtr vceb;
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

cg_rc
cg__schemas_load(struct cg_schemas **out, cg_ctx *ctx, const char *dir)
{
	struct cg_schemas *s = calloc(1, sizeof(*s));
	cg_rc rc;

	*out = NULL;
	if (s == NULL)
		return CG_ENOMEM;
	rc = compile(&s->ceb, ctx, dir, "ceb-import.xsd");
	if (rc == CG_OK)
		rc = compile(&s->dxp, ctx, dir, "dxp.xsd");
	if (rc == CG_OK) {
		s->vceb = xmlSchemaNewValidCtxt(s->ceb);
		s->vdxp = xmlSchemaNewValidCtxt(s->dxp);
		if (s->vceb == NULL || s->vdxp == NULL)
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
	xmlSchemaFreeValidCtxt(s->vdxp);
	xmlSchemaFree(s->ceb);
	xmlSchemaFree(s->dxp);
	free(s);
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

cg_rc
cg__schemas_validate(struct cg_schemas *s, cg_ctx *ctx, xmlDocPtr doc, bool dxp,
		     const char *source, cg_findings *f, size_t *nerr)
{
	xmlSchemaValidCtxtPtr vc = dxp ? s->vdxp : s->vceb;
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
