/* SPDX-License-Identifier: MIT */
/* Safe parsing of untrusted XML with libxml2 (see docs/security.md). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include "util/xml.h"

#define NS_XINCLUDE "http://www.w3.org/2001/XInclude"
#define NS_XINCLUDE_OLD "http://www.w3.org/2003/XInclude"

struct parse_state {
	const char *code;   /* first finding code, NULL while clean */
	char msg[256];
	int line;
};

static const char *
code_for_error(const xmlError *e)
{
	switch (e->code) {
	case XML_ERR_UNKNOWN_ENCODING:
	case XML_ERR_UNSUPPORTED_ENCODING:
	case XML_ERR_INVALID_ENCODING:
	case XML_ERR_INVALID_CHAR:
	case XML_ERR_ENCODING_NAME:
	case XML_I18N_CONV_FAILED:
	case XML_I18N_NO_OUTPUT:
		return "CG0004";
	case XML_ERR_UNDECLARED_ENTITY:
	case XML_WAR_UNDECLARED_ENTITY:
	case XML_ERR_ENTITY_LOOP:
	case XML_ERR_ENTITY_BOUNDARY:
	case XML_ERR_EXT_ENTITY_STANDALONE:
		return "CG0002";
	case XML_ERR_INTERNAL_ERROR: /* libxml2 2.9 reports "Excessive depth" this way */
		return "CG0003";
	default:
		return "CG0001";
	}
}

static void
on_error(void *user, xmlErrorPtr e)
{
	xmlParserCtxtPtr ctxt = e->ctxt;
	struct parse_state *st;
	size_t n;

	(void)user;
	if (ctxt == NULL || ctxt->_private == NULL)
		return;
	st = ctxt->_private;
	if (st->code != NULL)
		return; /* the first error is the one worth reporting */
	st->code = code_for_error(e);
	st->line = e->line;
	(void)snprintf(st->msg, sizeof(st->msg), "%s", e->message != NULL ? e->message : "");
	n = strlen(st->msg);
	while (n > 0 && (st->msg[n - 1] == '\n' || st->msg[n - 1] == ' '))
		st->msg[--n] = '\0';
}

/* Any DOCTYPE is refused: it is where entities and external subsets come from. */
static void
on_doctype(void *ctx, const xmlChar *name, const xmlChar *eid, const xmlChar *sid)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct parse_state *st = ctxt->_private;

	(void)name;
	(void)eid;
	(void)sid;
	if (st->code == NULL) {
		st->code = "CG0002";
		st->line = ctxt->input != NULL ? ctxt->input->line : 0;
		(void)snprintf(st->msg, sizeof(st->msg), "DOCTYPE declarations are not accepted");
	}
	xmlStopParser(ctxt);
}

/*
 * The most attributes on one start tag ('=' outside quotes between '<' and
 * '>'). Text between tags and quoted values are skipped with memchr, and the
 * inside of a tag a table at a time: this runs over every byte received.
 */
static size_t
max_attrs_per_tag(const char *p, size_t len)
{
	static const unsigned char stop[256] = { ['"'] = 1, ['\''] = 1, ['='] = 1, ['>'] = 1 };
	const char *end = p + len, *q;
	size_t cur, max = 0;

	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		for (cur = 0, p++; p < end && *p != '>'; p++) {
			while (p < end && !stop[(unsigned char)*p])
				p++;
			if (p == end || *p == '>')
				break;
			if (*p == '=') {
				if (++cur > max)
					max = cur;
			} else if ((q = memchr(p + 1, *p, (size_t)(end - p - 1))) != NULL) {
				p = q; /* the closing quote */
			} else {
				return max; /* an unclosed quote: nothing after it is a tag */
			}
		}
		if (p >= end)
			break;
	}
	return max;
}

/* A UTF-16 document starts with a byte-order mark or with '<' as 16 bits. */
static bool
looks_utf16(const char *p, size_t len)
{
	const unsigned char *u = (const unsigned char *)p;

	return len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF) ||
			    (u[0] == '<' && u[1] == 0) || (u[0] == 0 && u[1] == '<'));
}

static bool
encoding_allowed(const xmlChar *enc)
{
	static const char *const ok[] = { "UTF-8", "UTF8", "UTF-16", "UTF-16LE", "UTF-16BE",
					  "GB18030", "GBK", "GB2312", "US-ASCII", "ASCII" };
	size_t i;

	if (enc == NULL)
		return true;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (strcasecmp((const char *)enc, ok[i]) == 0)
			return true;
	}
	return false;
}

/*
 * The encoding named by an ASCII-compatible XML declaration, checked before
 * parsing: with a name libxml2 does not know, or one iconv converts into
 * something else (UTF-7, EBCDIC), the parser would fail later with a
 * misleading syntax error. false with @p name set when it is refused.
 */
static bool
declared_encoding_ok(const char *p, size_t len, char *name, size_t size)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i, end, n = 0;
	char q;

	name[0] = '\0';
	/* UTF-32 in either byte order (its BOM starts like UTF-16's). */
	if (len >= 4 && ((u[0] == 0xFF && u[1] == 0xFE && u[2] == 0 && u[3] == 0) ||
			 (u[0] == 0 && u[1] == 0 && u[2] == 0xFE && u[3] == 0xFF) ||
			 (u[0] == '<' && u[1] == 0 && u[2] == 0 && u[3] == 0) ||
			 (u[0] == 0 && u[1] == 0 && u[2] == 0 && u[3] == '<'))) {
		(void)snprintf(name, size, "UTF-32");
		return false;
	}
	i = len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF ? 3 : 0;
	if (len - i < 6 || memcmp(p + i, "<?xml", 5) != 0)
		return true;
	for (end = i; end < len && end < i + 256 && p[end] != '>'; end++)
		;
	for (i += 5; i + 8 < end; i++) {
		if (memcmp(p + i, "encoding", 8) == 0)
			break;
	}
	if (i + 8 >= end)
		return true;
	for (i += 8; i < end && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n' || p[i] == '='); i++)
		;
	if (i >= end || (p[i] != '"' && p[i] != '\''))
		return true; /* malformed: the parser says so */
	q = p[i++];
	while (i < end && p[i] != q && n + 1 < size)
		name[n++] = p[i++];
	name[n] = '\0';
	return encoding_allowed(BAD_CAST name);
}

/* libxml2's conversion errors also go to the generic handler, which would print them. */
static void
silent(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

static bool
has_element_child(const xmlNode *n)
{
	for (n = n->children; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE)
			return true;
	}
	return false;
}

/* Walk the tree: PIs anywhere, XInclude elements and comments in leaves are refused. */
static const xmlNode *
find_forbidden(const xmlNode *n)
{
	for (; n != NULL; n = n->next) {
		const xmlNode *bad;

		if (n->type == XML_PI_NODE || n->type == XML_ENTITY_REF_NODE ||
		    n->type == XML_XINCLUDE_START)
			return n;
		if (n->type == XML_COMMENT_NODE && n->parent != NULL &&
		    n->parent->type == XML_ELEMENT_NODE && !has_element_child(n->parent))
			return n;
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (n->ns != NULL && (xmlStrEqual(n->ns->href, BAD_CAST NS_XINCLUDE) ||
				      xmlStrEqual(n->ns->href, BAD_CAST NS_XINCLUDE_OLD)))
			return n;
		bad = find_forbidden(n->children);
		if (bad != NULL)
			return bad;
	}
	return NULL;
}

static cg_rc
report(cg_findings *f, const char *source, const char *code, unsigned long line,
       const char *detail)
{
	cg_rc rc = cg__finding_addf(f, code, CG_SEV_ERROR, source, "", line, 0, detail, detail);

	return rc != CG_OK ? rc : CG_EPARSE;
}

/*
 * Readers stop one byte past the limit, so @p len is not the size of the input:
 * the finding states only what is known, that it is over the limit.
 */
static cg_rc
report_too_big(cg_findings *f, const char *source)
{
	char zh[96], en[96];
	cg_rc rc;

	(void)snprintf(zh, sizeof(zh), "报文超过%u字节的上限", CG_XML_MAX_BYTES);
	(void)snprintf(en, sizeof(en), "document of more than %u bytes (the limit)",
		       CG_XML_MAX_BYTES);
	rc = cg__finding_addf(f, "CG0003", CG_SEV_ERROR, source, "", 0, 0, zh, en);
	return rc != CG_OK ? rc : CG_EPARSE;
}

static cg_rc
check_tree(xmlDocPtr doc, const char *source, cg_findings *f)
{
	const xmlNode *bad;
	char msg[160];

	if (doc->intSubset != NULL || doc->extSubset != NULL)
		return report(f, source, "CG0002", 1, "DOCTYPE declarations are not accepted");
	if (!encoding_allowed(doc->encoding)) {
		(void)snprintf(msg, sizeof(msg), "encoding %s is not accepted (UTF-8, UTF-16, GB18030, GBK)",
			       (const char *)doc->encoding);
		return report(f, source, "CG0004", 1, msg);
	}
	bad = find_forbidden(doc->children);
	if (bad != NULL) {
		(void)snprintf(msg, sizeof(msg), "%s is not accepted here",
			       bad->type == XML_PI_NODE ? "a processing instruction"
			       : bad->type == XML_COMMENT_NODE ? "a comment inside a value"
			       : bad->type == XML_ELEMENT_NODE ? "XInclude"
							     : "an entity reference");
		return report(f, source, "CG0002", (unsigned long)xmlGetLineNo(bad), msg);
	}
	return CG_OK;
}

/* A kept context, or a new one when there is none or its dictionary grew too big. */
static xmlParserCtxtPtr
parser_ctxt(xmlParserCtxtPtr *keep)
{
	if (keep == NULL)
		return xmlNewParserCtxt();
	if (*keep != NULL && xmlDictSize((*keep)->dict) > CG_XML_KEPT_DICT_MAX) {
		xmlFreeParserCtxt(*keep);
		*keep = NULL;
	}
	if (*keep == NULL)
		*keep = xmlNewParserCtxt();
	return *keep;
}

cg_rc
cg__xml_parse(xmlDocPtr *out, cg_ctx *ctx, const char *data, size_t len, const char *source,
	      cg_findings *f)
{
	return cg__xml_parse_keep(out, NULL, ctx, data, len, source, f);
}

cg_rc
cg__xml_parse_keep(xmlDocPtr *out, xmlParserCtxtPtr *keep, cg_ctx *ctx, const char *data, size_t len,
		   const char *source, cg_findings *f)
{
	struct parse_state st = { NULL, "", 0 };
	xmlParserCtxtPtr pctx = NULL;
	xmlDocPtr doc = NULL;
	char msg[160], enc[64];
	cg_rc rc;

	*out = NULL;
	if (len > CG_XML_MAX_BYTES)
		return report_too_big(f, source);
	if (len > INT32_MAX)
		return report(f, source, "CG0003", 0, "document too large");
	if (max_attrs_per_tag(data, len) > CG_XML_MAX_ATTRS)
		return report(f, source, "CG0003", 0, "too many attributes on one element");
	/*
	 * libxml2 takes a NUL byte for the end of the input, so bytes after it would
	 * never be looked at. NUL is legitimate only in UTF-16.
	 */
	if (!declared_encoding_ok(data, len, enc, sizeof(enc))) {
		(void)snprintf(msg, sizeof(msg), "encoding %s is not accepted (UTF-8, UTF-16, GB18030, GBK)",
			       enc);
		return report(f, source, "CG0004", 1, msg);
	}
	if (memchr(data, '\0', len) != NULL && !looks_utf16(data, len))
		return report(f, source, "CG0001", 0, "NUL byte in the document");
	xmlSetGenericErrorFunc(NULL, silent);
	pctx = parser_ctxt(keep);
	if (pctx == NULL)
		return cg__fail(ctx, CG_ENOMEM, "xml parser context");
	pctx->_private = &st;
	pctx->sax->serror = on_error;
	pctx->sax->internalSubset = on_doctype;
	/*
	 * On a kept context, this resets what the previous document left (xmlCtxtReset).
	 * COMPACT keeps short texts inside their node (no allocation of their own);
	 * libxml2's own functions that change a text still handle such nodes.
	 */
	doc = xmlCtxtReadMemory(pctx, data, (int)len, "input.xml", NULL, XML_PARSE_NONET | XML_PARSE_COMPACT);
	if (st.code != NULL || doc == NULL || !pctx->wellFormed || !pctx->nsWellFormed) {
		rc = report(f, source, st.code != NULL ? st.code : "CG0001",
			    (unsigned long)(st.line > 0 ? st.line : 0),
			    st.msg[0] != '\0' ? st.msg : "document could not be parsed");
		goto out;
	}
	rc = check_tree(doc, source, f);
	if (rc != CG_OK)
		goto out;
	*out = doc;
	doc = NULL;
out:
	xmlFreeDoc(doc);
	if (keep != NULL && rc == CG_OK) {
		pctx->_private = NULL;
		xmlCtxtReset(pctx); /* drops its copy of the input now, not at the next parse */
	} else {
		/* A refused document leaves nothing behind in a kept context: the next one starts anew. */
		xmlFreeParserCtxt(pctx);
		if (keep != NULL)
			*keep = NULL;
	}
	return rc;
}

/*
 * libxml2's NONET blocks http and ftp but still opens file:// and plain paths.
 * This loader opens only .xsd files inside the data directory's schemas/ (the
 * includes and imports of our own schemas) and refuses everything else.
 */
static xmlParserInputPtr
safe_loader(const char *url, const char *id, xmlParserCtxtPtr pctx)
{
	char dir[4096], real[4096];
	const char *path = url;
	size_t dlen, plen;
	int n;

	(void)id;
	if (url == NULL)
		return NULL;
	if (strncmp(path, "file://", 7) == 0)
		path += 7;
	n = snprintf(dir, sizeof(dir), "%s/schemas/", cg_datadir());
	if (n <= 0 || (size_t)n >= sizeof(dir) || realpath(path, real) == NULL)
		goto refuse;
	dlen = strlen(dir);
	plen = strlen(real);
	/* realpath() drops the trailing slash of the directory: compare without it. */
	if (plen < 5 || strcmp(real + plen - 4, ".xsd") != 0)
		goto refuse;
	{
		char rdir[4096];

		if (realpath(dir, rdir) == NULL)
			goto refuse;
		dlen = strlen(rdir);
		if (strncmp(real, rdir, dlen) != 0 || real[dlen] != '/')
			goto refuse;
	}
	return xmlNewInputFromFile(pctx, real);
refuse:
	/* Returning NULL makes libxml2 report a load error for @p url. */
	(void)pctx;
	return NULL;
}

void
cg__xml_install_loader(void)
{
	xmlSetExternalEntityLoader(safe_loader);
}

xmlNodePtr
cg__xml_next_elem(xmlNodePtr n)
{
	for (n = n != NULL ? n->next : NULL; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE)
			return n;
	}
	return NULL;
}

xmlNodePtr
cg__xml_first_elem(xmlNodePtr n)
{
	if (n == NULL || n->children == NULL)
		return NULL;
	n = n->children;
	return n->type == XML_ELEMENT_NODE ? n : cg__xml_next_elem(n);
}

bool
cg__xml_is(const xmlNode *n, const char *ns, const char *name)
{
	/* The name first: it differs sooner than namespace URIs, which share "http://www.". */
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	       xmlStrEqual(n->name, BAD_CAST name) && xmlStrEqual(n->ns->href, BAD_CAST ns);
}

static const char *
prefix_for(const xmlNode *n)
{
	if (n->ns == NULL)
		return "";
	if (xmlStrEqual(n->ns->href, BAD_CAST CG_NS_CEB))
		return "ceb:";
	if (xmlStrEqual(n->ns->href, BAD_CAST CG_NS_DS))
		return "ds:";
	if (xmlStrEqual(n->ns->href, BAD_CAST CG_NS_DXP))
		return "dxp:";
	return "*:";
}

static void
sibling_pos(const xmlNode *n, unsigned *pos, unsigned *count)
{
	const xmlNode *s;

	*pos = 0;
	*count = 0;
	if (n->parent == NULL)
		return;
	for (s = n->parent->children; s != NULL; s = s->next) {
		if (s->type != XML_ELEMENT_NODE || !xmlStrEqual(s->name, n->name) ||
		    (s->ns == NULL) != (n->ns == NULL) ||
		    (s->ns != NULL && !xmlStrEqual(s->ns->href, n->ns->href)))
			continue;
		(*count)++;
		if (s == n)
			*pos = *count;
	}
}

static cg_rc
path_rec(cg_buf *b, const xmlNode *n)
{
	unsigned pos, count;
	char idx[24];
	cg_rc rc;

	if (n == NULL || n->type != XML_ELEMENT_NODE)
		return CG_OK;
	rc = path_rec(b, n->parent);
	if (rc != CG_OK)
		return rc;
	sibling_pos(n, &pos, &count);
	(void)snprintf(idx, sizeof(idx), "[%u]", pos);
	if (cg_buf_putc(b, '/') != CG_OK ||
	    cg_buf_append(b, prefix_for(n), strlen(prefix_for(n))) != CG_OK ||
	    cg_buf_append(b, n->name, strlen((const char *)n->name)) != CG_OK)
		return CG_ENOMEM;
	if (count > 1 && cg_buf_append(b, idx, strlen(idx)) != CG_OK)
		return CG_ENOMEM;
	return CG_OK;
}

char *
cg__xml_path(const xmlNode *n)
{
	cg_buf b = CG_BUF_INIT(4096);

	if (path_rec(&b, n) != CG_OK || cg_buf_cstr(&b) != CG_OK) {
		cg_buf_dispose(&b);
		return NULL;
	}
	return cg_buf_detach(&b);
}
