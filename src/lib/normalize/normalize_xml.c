/* SPDX-License-Identifier: MIT */
/*
 * Loose CEB XML, checked before normalize reads its values: what the canonical
 * message has no place for is an error (CG2008) naming the element and line,
 * never dropped in silence; namespace repairs and a removed signature are
 * changes in the log. The placement rules mirror the lenient reader in ceb/message_reader.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "normalize/normalize_xml.h"
#include "util/xml.h"

#define NS_XSI "http://www.w3.org/2001/XMLSchema-instance"
/* More fields than any element of the standard has (InventoryHead has under 60). */
#define MAX_FIELDS 128

enum stray_kind { STRAY_UNKNOWN, STRAY_REPEATED, STRAY_NESTED };

static cg_rc
stray(struct cg_normxml *x, const xmlNode *at, long line, const char *zh, const char *en)
{
	char *path = cg__xml_path(at);
	cg_rc rc;

	x->bad = true;
	rc = cg__finding_addf(x->f, "CG2008", CG_SEV_ERROR, x->source, path != NULL ? path : "",
			      line > 0 ? (unsigned long)line : 0, 0, zh, en);
	free(path);
	return rc;
}

static cg_rc
element_stray(struct cg_normxml *x, xmlNodePtr n, const char *in, enum stray_kind kind)
{
	xmlChar *text = xmlNodeGetContent(n);
	char name[96], value[64], zh[400], en[400];

	cg__utf8_excerpt(name, sizeof(name), (const char *)n->name);
	cg__utf8_excerpt(value, sizeof(value), text != NULL ? (const char *)text : "");
	xmlFree(text);
	switch (kind) {
	case STRAY_REPEATED:
		(void)snprintf(zh, sizeof(zh), "%s在%s中重复出现，值\"%s\"", name, in, value);
		(void)snprintf(en, sizeof(en), "%s repeated in %s, value \"%s\"", name, in, value);
		break;
	case STRAY_NESTED:
		(void)snprintf(zh, sizeof(zh), "%s位于字段%s的值中", name, in);
		(void)snprintf(en, sizeof(en), "%s inside the value of %s", name, in);
		break;
	default:
		(void)snprintf(zh, sizeof(zh), "%s中没有元素%s，值\"%s\"", in, name, value);
		(void)snprintf(en, sizeof(en), "%s: %s has no such element, value \"%s\"", name, in,
			       value);
		break;
	}
	return stray(x, n, xmlGetLineNo(n), zh, en);
}

/* xsi: and xml: attributes carry no data; the root's guid and version are read. */
static bool
attr_placed(const xmlAttr *a, bool root)
{
	if (a->ns != NULL)
		return xmlStrEqual(a->ns->href, BAD_CAST NS_XSI) ||
		       xmlStrEqual(a->ns->href, XML_XML_NAMESPACE);
	return root &&
	       (xmlStrEqual(a->name, BAD_CAST "guid") || xmlStrEqual(a->name, BAD_CAST "version"));
}

static cg_rc
check_attrs(struct cg_normxml *x, xmlNodePtr n, bool root)
{
	const xmlAttr *a;
	cg_rc rc = CG_OK;

	for (a = n->properties; a != NULL && rc == CG_OK; a = a->next) {
		xmlChar *v;
		char name[96], value[64], zh[300], en[300];

		if (attr_placed(a, root))
			continue;
		v = xmlNodeGetContent((const xmlNode *)a);
		cg__utf8_excerpt(name, sizeof(name), (const char *)a->name);
		cg__utf8_excerpt(value, sizeof(value), v != NULL ? (const char *)v : "");
		xmlFree(v);
		(void)snprintf(zh, sizeof(zh), "%s的属性%s=\"%s\"", (const char *)n->name, name,
			       value);
		(void)snprintf(en, sizeof(en), "attribute %s=\"%s\" of %s", name, value,
			       (const char *)n->name);
		rc = stray(x, n, xmlGetLineNo(n), zh, en);
	}
	return rc;
}

/* Text directly inside a container element (not a field) has nowhere to go. */
static cg_rc
check_text(struct cg_normxml *x, xmlNodePtr n)
{
	xmlNodePtr c;
	cg_rc rc = CG_OK;

	for (c = n->children; c != NULL && rc == CG_OK; c = c->next) {
		char value[64], zh[200], en[200];

		if ((c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE) ||
		    xmlIsBlankNode(c))
			continue;
		cg__utf8_excerpt(value, sizeof(value),
				 c->content != NULL ? (const char *)c->content : "");
		(void)snprintf(zh, sizeof(zh), "%s中不属于任何字段的文本\"%s\"",
			       (const char *)n->name, value);
		(void)snprintf(en, sizeof(en), "text \"%s\" in %s outside any field", value,
			       (const char *)n->name);
		rc = stray(x, n, xmlGetLineNo(c), zh, en);
	}
	return rc;
}

static bool
same_ns(const xmlNs *a, const xmlNs *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return xmlStrEqual(a->href, b->href);
}

static void
log_change(struct cg_normxml *x, const xmlNode *n, const char *before, const char *after,
	   const char *why)
{
	char *path;
	cg_change c;

	if (x->change == NULL)
		return;
	path = cg__xml_path(n);
	c.source = x->source;
	c.line = xmlGetLineNo(n) > 0 ? (unsigned long)xmlGetLineNo(n) : 0;
	c.column = 0;
	c.xpath = path != NULL ? path : "";
	c.before = before;
	c.after = after;
	c.why = why;
	x->change(x->payload, &c);
	free(path);
}

/* Logged where a foreign (or no) namespace starts; its descendants inherit the repair. */
static void
note_ns(struct cg_normxml *x, const xmlNode *n)
{
	bool top = n->parent == NULL || n->parent->type != XML_ELEMENT_NODE;

	if (n->ns != NULL && xmlStrEqual(n->ns->href, BAD_CAST CG_NS_CEB))
		return;
	if (!top && same_ns(n->parent->ns, n->ns))
		return;
	if (n->ns == NULL)
		log_change(x, n, "", CG_NS_CEB,
			   "element without a namespace put in the CEB namespace");
	else
		log_change(x, n, (const char *)n->ns->href, CG_NS_CEB,
			   "namespace replaced by the CEB namespace");
}

static cg_rc
check_container(struct cg_normxml *x, xmlNodePtr n, bool root)
{
	cg_rc rc;

	note_ns(x, n);
	rc = check_attrs(x, n, root);
	if (rc == CG_OK)
		rc = check_text(x, n);
	return rc;
}

/* A field's value is its text: elements inside it would be flattened away. */
static cg_rc
check_field(struct cg_normxml *x, xmlNodePtr n)
{
	xmlNodePtr c;
	cg_rc rc;

	note_ns(x, n);
	rc = check_attrs(x, n, false);
	for (c = cg__xml_first_elem(n); c != NULL && rc == CG_OK; c = cg__xml_next_elem(c))
		rc = element_stray(x, c, (const char *)n->name, STRAY_NESTED);
	return rc;
}

static cg_rc
check_group(struct cg_normxml *x, xmlNodePtr n, const struct cg_edef *e)
{
	unsigned char seen[MAX_FIELDS] = { 0 };
	xmlNodePtr c;
	cg_rc rc;

	if (e->nf > MAX_FIELDS)
		return CG_EINTERNAL;
	rc = check_container(x, n, false);
	for (c = cg__xml_first_elem(n); c != NULL && rc == CG_OK; c = cg__xml_next_elem(c)) {
		int idx = cg__edef_find(e, (const char *)c->name);

		if (idx < 0 || seen[idx]) {
			rc = element_stray(x, c, e->name, idx < 0 ? STRAY_UNKNOWN : STRAY_REPEATED);
			continue;
		}
		seen[idx] = 1;
		rc = check_field(x, c);
	}
	return rc;
}

static bool
named(const xmlNode *n, const char *name)
{
	return xmlStrEqual(n->name, BAD_CAST name);
}

static cg_rc
check_doc(struct cg_normxml *x, xmlNodePtr n)
{
	const struct cg_msgdef *def = x->def;
	bool head_seen = false;
	xmlNodePtr c;
	cg_rc rc;

	if (def->doc == NULL)
		return check_group(x, n, def->head);
	rc = check_container(x, n, false);
	for (c = cg__xml_first_elem(n); c != NULL && rc == CG_OK; c = cg__xml_next_elem(c)) {
		bool head = named(c, def->head->name);

		if (head && !head_seen) {
			head_seen = true;
			rc = check_group(x, c, def->head);
		} else if (def->list != NULL && named(c, def->list->name)) {
			rc = check_group(x, c, def->list);
		} else {
			rc = element_stray(x, c, def->doc, head ? STRAY_REPEATED : STRAY_UNKNOWN);
		}
	}
	return rc;
}

cg_rc
cg__normxml_check(struct cg_normxml *x, xmlDocPtr doc)
{
	const struct cg_msgdef *def = x->def;
	const char *docname = def->doc != NULL ? def->doc : def->head->name;
	xmlNodePtr root = xmlDocGetRootElement(doc), c;
	bool transfer_seen = false;
	cg_rc rc;

	rc = check_container(x, root, true);
	for (c = cg__xml_first_elem(root); c != NULL && rc == CG_OK; c = cg__xml_next_elem(c)) {
		bool transfer = def->declaration && named(c, "BaseTransfer");

		if (named(c, docname)) {
			rc = check_doc(x, c);
		} else if (transfer && !transfer_seen) {
			transfer_seen = true;
			rc = check_group(x, c, &cg__basetransfer);
		} else if (cg__xml_is(c, CG_NS_DS, "Signature")) {
			log_change(x, c, "ds:Signature", "",
				   "signature removed: the normalized message must be signed "
				   "again");
		} else {
			rc = element_stray(x, c, def->root,
					   transfer ? STRAY_REPEATED : STRAY_UNKNOWN);
		}
	}
	return rc;
}
