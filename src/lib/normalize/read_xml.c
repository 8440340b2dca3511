/* SPDX-License-Identifier: MIT */
/* The loose-XML reader of the normalizer: the safe parser, then the lenient record reader. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "normalize/normalize_internal.h"
#include "normalize/normalize_xml.h"
#include "util/xml.h"

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
		rc = cg__finding_addf(f, "CG0005", CG_SEV_ERROR, p->source, "", 1, 0,
				      cg_ctx_errmsg(ctx), cg_ctx_errmsg(ctx));
		return rc == CG_OK ? cg__norm_unreadable(n) : rc;
	}
	if (rc != CG_OK)
		return rc;
	if (!p->m->def->declaration) {
		char zh[96], en[96];

		(void)snprintf(zh, sizeof(zh), "%s是回执", p->m->def->root);
		(void)snprintf(en, sizeof(en), "%s is a receipt", p->m->def->root);
		cg__msg_free(p->m);
		p->m = NULL;
		rc = cg__finding_addf(f, "CG0201", CG_SEV_ERROR, p->source, "", 1, 0, zh, en);
		return rc == CG_OK ? cg__norm_unreadable(n) : rc;
	}
	if (p->m->ndocs == 0) {
		cg__msg_free(p->m);
		p->m = NULL;
		rc = cg__finding_addf(f, "CG0005", CG_SEV_ERROR, p->source, "", 1, 0,
				      "不是可申报的报文", "not a declaration with documents");
		return rc == CG_OK ? cg__norm_unreadable(n) : rc;
	}
	x.def = p->m->def;
	rc = cg__normxml_check(&x, doc);
	p->bad = x.bad;
	return rc;
}

cg_rc
cg__norm_read_xml(cg_normalizer *n, cg_ctx *ctx, FILE *fp, const char *source, cg_findings *f)
{
	struct pending p = { NULL, NULL, false, 1, source, 0 };
	xmlDocPtr doc = NULL;
	cg_rc rc;

	rc = xml_read(&doc, ctx, fp, source, f);
	if (rc == CG_EPARSE)
		return cg__norm_unreadable(n);
	if (rc != CG_OK)
		return rc;
	rc = xml_record(n, ctx, doc, &p, f);
	xmlFreeDoc(doc);
	if (rc == CG_OK && p.m != NULL)
		return cg__norm_finish(n, ctx, &p, f);
	cg__msg_free(p.m);
	return rc;
}
