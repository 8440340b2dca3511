/* SPDX-License-Identifier: MIT */
/* cg_validate_*: safe parse, XSD, business rules, then the cross-document rules. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <openssl/evp.h>
#include "cebgate/validate.h"
#include "ceb/codes.h"
#include "ceb/crossdoc.h"
#include "ceb/model.h"
#include "ceb/rules.h"
#include "ceb/schema.h"
#include "util/xml.h"

struct cg_validator {
	struct cg_schemas *schemas;
	struct cg_codes *codes;
	struct cg_crossdoc *cross;
	xmlDocPtr dummy_sig; /* stands in for a missing signature during the XSD check */
	unsigned flags;
	char last_type[32];
};

/* Structurally valid, cryptographically meaningless: only lets the XSD look past it. */
static const char dummy_signature[] =
	"<ds:Signature xmlns:ds=\"" CG_NS_DS "\"><ds:SignedInfo>"
	"<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"/>"
	"<ds:SignatureMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#rsa-sha1\"/>"
	"<ds:Reference URI=\"\"><ds:DigestMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#sha1\"/>"
	"<ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo>"
	"<ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>";

cg_rc
cg_validator_new(cg_validator **out, cg_ctx *ctx, const char *datadir, unsigned flags)
{
	cg_validator *v = calloc(1, sizeof(*v));
	cg_rc rc;

	*out = NULL;
	if (v == NULL)
		return cg__fail(ctx, CG_ENOMEM, "out of memory");
	v->flags = flags;
	if (datadir == NULL)
		datadir = cg_datadir();
	rc = cg__schemas_load(&v->schemas, ctx, datadir);
	if (rc == CG_OK)
		rc = cg__codes_load(&v->codes, ctx, datadir);
	if (rc == CG_OK)
		rc = cg__crossdoc_new(&v->cross, v->codes);
	if (rc == CG_OK) {
		v->dummy_sig = xmlReadMemory(dummy_signature, (int)sizeof(dummy_signature) - 1,
					     "dummy.xml", NULL, XML_PARSE_NONET);
		if (v->dummy_sig == NULL)
			rc = cg__fail(ctx, CG_EINTERNAL, "cannot build the signature stand-in");
	}
	if (rc != CG_OK) {
		cg_validator_free(v);
		return rc;
	}
	*out = v;
	return CG_OK;
}

void
cg_validator_free(cg_validator *v)
{
	if (v == NULL)
		return;
	cg__schemas_free(v->schemas);
	cg__codes_free(v->codes);
	cg__crossdoc_free(v->cross);
	xmlFreeDoc(v->dummy_sig);
	free(v);
}

struct cg_schemas *
cg__validator_schemas(struct cg_validator *v)
{
	return v->schemas;
}

const struct cg_codes *
cg__validator_codes(struct cg_validator *v)
{
	return v->codes;
}

const char *
cg_validator_last_type(const cg_validator *v)
{
	return v->last_type;
}

/*
 * The stand-in goes where the signature would: the root's last child, or for
 * an export message before its ExtendMessage (ceb-export-spec.md §5).
 */
static cg_rc
add_dummy_signature(cg_validator *v, cg_ctx *ctx, xmlDocPtr doc, bool export_family)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), ext = NULL, added = NULL;
	xmlNodePtr copy = xmlDocCopyNode(xmlDocGetRootElement(v->dummy_sig), doc, 1);

	for (ext = export_family ? cg__xml_first_elem(root) : NULL; ext != NULL;
	     ext = cg__xml_next_elem(ext)) {
		if (cg__xml_is(ext, CG_NS_CEB, "ExtendMessage"))
			break;
	}
	if (copy != NULL)
		added = ext != NULL ? xmlAddPrevSibling(ext, copy) : xmlAddChild(root, copy);
	if (added == NULL) {
		xmlFreeNode(copy);
		return cg__fail(ctx, CG_ENOMEM, "out of memory");
	}
	return CG_OK;
}

/* Fixed values the XSD fills in for an empty element (currency 142): the text must be there. */
static cg_rc
check_fixed_currency(const struct cg_msg *m, const char *source, cg_findings *f)
{
	size_t d, i;
	cg_rc rc = CG_OK;

	for (d = 0; d < m->ndocs && rc == CG_OK; d++) {
		const struct cg_decl *doc = &m->docs[d];
		const char *c = cg__group_get(&doc->head, "currency");

		if (c != NULL && strcmp(c, "142") != 0 && c[0] == '\0')
			rc = cg__report(f, "CG0100", CG_SEV_ERROR, source, m, d, &doc->head,
					"currency", "币制必须为142", "currency must be 142");
		for (i = 0; i < doc->nlines && rc == CG_OK; i++) {
			c = cg__group_get(&doc->lines[i], "currency");
			if (c != NULL && c[0] == '\0')
				rc = cg__report(f, "CG0100", CG_SEV_ERROR, source, m, d,
						&doc->lines[i], "currency", "币制必须为142",
						"currency must be 142");
		}
	}
	return rc;
}

/* A finding about the whole message (its type, its signature) points at the root element. */
static cg_rc
add_at_root(cg_findings *f, const char *code, cg_severity sev, const char *source,
	    xmlDocPtr doc, const char *detail)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	char *path = cg__xml_path(root); /* NULL for a name past the path cap: then no path */
	cg_rc rc;

	rc = cg__finding_addf(f, code, sev, source, path != NULL ? path : "",
			      (unsigned long)xmlGetLineNo(root), 0, detail, detail);
	free(path);
	return rc;
}

/*
 * Validate a parsed CEB message. With @p cross its keys are remembered for
 * cg_validate_finish(); with @p keep the record is handed to the caller.
 */
static cg_rc
validate_ceb(cg_validator *v, cg_ctx *ctx, xmlDocPtr doc, const char *source, cg_findings *f,
	     bool cross, struct cg_msg **keep)
{
	struct cg_msg *m = NULL;
	size_t nerr;
	cg_rc rc;

	rc = cg__msg_from_xml(&m, ctx, doc, false);
	if (rc == CG_EINVAL)
		return add_at_root(f, "CG0005", CG_SEV_ERROR, source, doc, cg_ctx_errmsg(ctx));
	if (rc != CG_OK)
		return rc;
	(void)snprintf(v->last_type, sizeof(v->last_type), "%s", m->def->root);
	if (m->def->sig_required && !m->has_signature) {
		rc = add_at_root(f, "CG0200",
				 (v->flags & CG_VALIDATE_UNSIGNED) ? CG_SEV_INFO : CG_SEV_ERROR, source,
				 doc, NULL);
		if (rc == CG_OK)
			rc = add_dummy_signature(v, ctx, doc, m->def->export_family);
	}
	if (rc == CG_OK)
		rc = cg__schemas_validate(v->schemas, ctx, doc, false, source, f, &nerr);
	if (rc == CG_OK)
		rc = check_fixed_currency(m, source, f);
	if (rc == CG_OK)
		rc = cg__rules_check(v->codes, m, source, f);
	if (rc == CG_OK && cross)
		rc = cg__crossdoc_add(v->cross, m, source);
	if (rc == CG_OK && keep != NULL) {
		*keep = m;
		return CG_OK;
	}
	cg__msg_free(m);
	return rc;
}

cg_rc
cg__validate_doc(cg_validator *v, cg_ctx *ctx, xmlDocPtr doc, const char *source,
		 cg_findings *f, struct cg_msg **keep)
{
	*keep = NULL;
	return validate_ceb(v, ctx, doc, source, f, false, keep);
}

static cg_rc validate_doc(cg_validator *v, cg_ctx *ctx, const char *data, size_t len,
			  const char *source, cg_findings *f, int depth);

/* A DxpMsg is checked against dxp.xsd, then its Data is validated as a CEB message. */
static cg_rc
validate_dxp(cg_validator *v, cg_ctx *ctx, xmlDocPtr doc, const char *source, cg_findings *f,
	     int depth)
{
	xmlNodePtr n;
	size_t nerr;
	cg_rc rc;

	(void)snprintf(v->last_type, sizeof(v->last_type), "DxpMsg");
	rc = cg__schemas_validate(v->schemas, ctx, doc, true, source, f, &nerr);
	if (rc != CG_OK || nerr > 0)
		return rc;
	for (n = cg__xml_first_elem(xmlDocGetRootElement(doc)); n != NULL;
	     n = cg__xml_next_elem(n)) {
		xmlChar *b64;
		unsigned char *raw;
		char inner[512];
		size_t rawlen;

		if (!cg__xml_is(n, CG_NS_DXP, "Data"))
			continue;
		b64 = xmlNodeGetContent(n);
		if (b64 == NULL)
			return CG_ENOMEM;
		rc = cg__base64_decode(&raw, &rawlen, (const char *)b64);
		xmlFree(b64);
		if (rc != CG_OK)
			return cg__finding_addf(f, "CG0100", CG_SEV_ERROR, source, "/dxp:DxpMsg/dxp:Data",
						(unsigned long)xmlGetLineNo(n), 0, "Data不是有效的base64",
						"Data is not valid base64");
		(void)snprintf(inner, sizeof(inner), "%s#Data", source);
		rc = validate_doc(v, ctx, (const char *)raw, rawlen, inner, f, depth + 1);
		free(raw);
		return rc;
	}
	return CG_OK;
}

static cg_rc
validate_doc(cg_validator *v, cg_ctx *ctx, const char *data, size_t len, const char *source,
	     cg_findings *f, int depth)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	cg_rc rc;

	v->last_type[0] = '\0';
	rc = cg__xml_parse(&doc, ctx, data, len, source, f);
	if (rc == CG_EPARSE)
		return CG_OK; /* reported as a finding */
	if (rc != CG_OK)
		return rc;
	root = xmlDocGetRootElement(doc);
	if (root->ns != NULL && xmlStrEqual(root->ns->href, BAD_CAST CG_NS_DXP) &&
	    xmlStrEqual(root->name, BAD_CAST "DxpMsg") && depth == 0)
		rc = validate_dxp(v, ctx, doc, source, f, depth);
	else
		rc = validate_ceb(v, ctx, doc, source, f, true, NULL);
	xmlFreeDoc(doc);
	return rc;
}

cg_rc
cg_validate_buffer(cg_validator *v, cg_ctx *ctx, const char *data, size_t len,
		   const char *source, cg_findings *f, int *valid)
{
	size_t before = cg_findings_count_sev(f, CG_SEV_ERROR);
	cg_rc rc;

	/*
	 * Tables reloaded since the last message are taken up between batches: a
	 * batch (up to cg_validate_finish) is checked against one set throughout.
	 */
	if (cg__crossdoc_empty(v->cross) && cg__codes_renew(&v->codes))
		cg__crossdoc_set_codes(v->cross, v->codes);
	rc = validate_doc(v, ctx, data, len, source, f, 0);

	*valid = rc == CG_OK && cg_findings_count_sev(f, CG_SEV_ERROR) == before;
	return rc;
}

cg_rc
cg_validate_finish(cg_validator *v, cg_ctx *ctx, cg_findings *f)
{
	cg_rc rc = cg__crossdoc_check(v->cross, v->codes, f);

	cg__crossdoc_reset(v->cross);
	if (rc != CG_OK)
		return cg__fail(ctx, rc, "cross-document checks failed");
	return CG_OK;
}

cg_rc
cg__base64_decode(unsigned char **out, size_t *outlen, const char *b64)
{
	size_t n = strlen(b64), i, j = 0;
	char *clean = malloc(n + 1);
	unsigned char *raw;
	int r, pad = 0;

	*out = NULL;
	if (clean == NULL)
		return CG_ENOMEM;
	/* Java writes &#13; at line ends; any whitespace between characters is allowed. */
	for (i = 0; i < n; i++) {
		if (b64[i] != ' ' && b64[i] != '\t' && b64[i] != '\r' && b64[i] != '\n')
			clean[j++] = b64[i];
	}
	clean[j] = '\0';
	if (j == 0 || j % 4 != 0 || j > INT32_MAX) {
		free(clean);
		return CG_EPARSE;
	}
	raw = malloc(j / 4 * 3 + 1);
	if (raw == NULL) {
		free(clean);
		return CG_ENOMEM;
	}
	r = EVP_DecodeBlock(raw, (const unsigned char *)clean, (int)j);
	pad = (clean[j - 1] == '=') + (clean[j - 2] == '=');
	free(clean);
	if (r < 0) {
		free(raw);
		return CG_EPARSE;
	}
	*out = raw;
	*outlen = (size_t)r - (size_t)pad;
	return CG_OK;
}
