/* SPDX-License-Identifier: MIT */
/* The one entry point for XML that comes from outside, and tree helpers. */
#ifndef CG_XML_H
#define CG_XML_H

#include <libxml/parser.h>
#include <libxml/tree.h>
#include "util/internal.h"

#define CG_NS_CEB "http://www.chinaport.gov.cn/ceb"
#define CG_NS_DXP "http://www.chinaport.gov.cn/dxp"
#define CG_NS_DS "http://www.w3.org/2000/09/xmldsig#"

/* Largest XML document accepted: a DOM costs about 10x, so 16 MiB keeps it bounded. */
#define CG_XML_MAX_BYTES (16u * 1024u * 1024u)
/*
 * A kept parser context (cg__xml_parse_keep) is reused while its dictionary
 * (names of elements and attributes, blank and very short text) holds at most
 * this many strings: a declaration's names are few, and hostile input cannot
 * grow it forever.
 */
#define CG_XML_KEPT_DICT_MAX 20000
/* Most attributes one start tag may carry (duplicate checks are quadratic). */
#define CG_XML_MAX_ATTRS 64

/*
 * Parse untrusted XML: no network, no entities, no DTD, no XInclude; DOCTYPE,
 * processing instructions and comments inside values are refused; the size and
 * attribute count are capped. The text is UTF-8 in the tree whatever the
 * declared encoding (UTF-8, UTF-16, GB18030, GBK). On failure one finding
 * (CG0001-CG0004) is added to @p f under @p source and CG_EPARSE returned.
 * @param[out] out new document, free with xmlFreeDoc()
 */
cg_rc cg__xml_parse(xmlDocPtr *out, cg_ctx *ctx, const char *data, size_t len,
		    const char *source, cg_findings *f);

/*
 * cg__xml_parse() with a parser context kept in *@p keep between calls of one
 * thread (NULL at first; free it with xmlFreeParserCtxt()): its dictionary of
 * names is reused, which saves building one per document. The documents share
 * that dictionary: each must be freed in the thread that parsed it.
 */
cg_rc cg__xml_parse_keep(xmlDocPtr *out, xmlParserCtxtPtr *keep, cg_ctx *ctx, const char *data,
			 size_t len, const char *source, cg_findings *f);

/* Install the process-wide entity loader that only opens bundled schema files. */
void cg__xml_install_loader(void);

/* First element child of @p n, or the next element sibling. */
xmlNodePtr cg__xml_first_elem(xmlNodePtr n);
xmlNodePtr cg__xml_next_elem(xmlNodePtr n);
/* True when @p n is an element in namespace @p ns with local name @p name. */
bool cg__xml_is(const xmlNode *n, const char *ns, const char *name);

/* XPath of @p n with ceb:/ds:/dxp: prefixes and [i] where siblings share the name. */
char *cg__xml_path(const xmlNode *n);

#endif
