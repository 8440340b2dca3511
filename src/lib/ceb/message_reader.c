/* SPDX-License-Identifier: MIT */
/* Records of CEB messages, and reading them from a parsed XML tree. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/tree.h>
#include "ceb/model.h"
#include "util/xml.h"

cg_rc
cg__group_init(struct cg_group *g, const struct cg_edef *def)
{
	memset(g, 0, sizeof(*g));
	g->def = def;
	g->val = calloc(def->nf, sizeof(*g->val));
	g->line = calloc(def->nf, sizeof(*g->line));
	g->col = calloc(def->nf, sizeof(*g->col));
	if (g->val == NULL || g->line == NULL || g->col == NULL) {
		cg__group_dispose(g);
		return CG_ENOMEM;
	}
	return CG_OK;
}

void
cg__group_dispose(struct cg_group *g)
{
	size_t i;

	if (g->val != NULL) {
		for (i = 0; i < g->def->nf; i++)
			free(g->val[i]);
	}
	free(g->val);
	free(g->line);
	free(g->col);
	memset(g, 0, sizeof(*g));
}

const char *
cg__group_get(const struct cg_group *g, const char *name)
{
	int i;

	if (g->def == NULL)
		return NULL;
	i = cg__edef_find(g->def, name);
	return i >= 0 ? g->val[i] : NULL;
}

cg_rc
cg__group_set(struct cg_group *g, int idx, const char *v, uint32_t line, uint32_t col)
{
	char *copy = NULL;

	if (idx < 0 || (size_t)idx >= g->def->nf)
		return CG_EINTERNAL;
	if (v != NULL) {
		copy = cg__strdup(v);
		if (copy == NULL)
			return CG_ENOMEM;
	}
	free(g->val[idx]);
	g->val[idx] = copy;
	g->line[idx] = line;
	g->col[idx] = col;
	return CG_OK;
}

cg_rc
cg__msg_new(struct cg_msg **out, const struct cg_msgdef *def)
{
	struct cg_msg *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (m == NULL)
		return CG_ENOMEM;
	m->def = def;
	m->ceb_prefix = true;
	*out = m;
	return CG_OK;
}

static void
decl_dispose(struct cg_decl *d)
{
	size_t i;

	cg__group_dispose(&d->head);
	for (i = 0; i < d->nlines; i++)
		cg__group_dispose(&d->lines[i]);
	free(d->lines);
}

void
cg__msg_free(struct cg_msg *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->ndocs; i++)
		decl_dispose(&m->docs[i]);
	free(m->docs);
	if (m->transfer.def != NULL)
		cg__group_dispose(&m->transfer);
	free(m->guid);
	free(m->version);
	free(m);
}

cg_rc
cg__msg_add_doc(struct cg_msg *m, struct cg_decl **out)
{
	struct cg_decl *d;
	cg_rc rc;

	rc = cg__grow((void **)&m->docs, &m->cap, m->ndocs + 1, sizeof(*m->docs));
	if (rc != CG_OK)
		return rc;
	d = &m->docs[m->ndocs];
	memset(d, 0, sizeof(*d));
	rc = cg__group_init(&d->head, m->def->head);
	if (rc != CG_OK)
		return rc;
	m->ndocs++;
	*out = d;
	return CG_OK;
}

cg_rc
cg__decl_add_line(struct cg_decl *d, const struct cg_msgdef *def, struct cg_group **out)
{
	cg_rc rc;

	if (def->list == NULL)
		return CG_EINTERNAL;
	rc = cg__grow((void **)&d->lines, &d->cap, d->nlines + 1, sizeof(*d->lines));
	if (rc != CG_OK)
		return rc;
	rc = cg__group_init(&d->lines[d->nlines], def->list);
	if (rc != CG_OK)
		return rc;
	*out = &d->lines[d->nlines++];
	return CG_OK;
}

/* Lenient reading (normalize of loose XML) matches local names in any namespace. */
static bool
elem_is(const xmlNode *n, const char *name, bool lenient)
{
	if (lenient)
		return n != NULL && n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST name);
	return cg__xml_is(n, CG_NS_CEB, name);
}

/* Fields come in the schema's order: the one after the last found is tried before a search. */
static int
field_index(const struct cg_edef *e, const char *name, int next)
{
	if (next >= 0 && (size_t)next < e->nf && strcmp(e->f[next].name, name) == 0)
		return next;
	return cg__edef_find(e, name);
}

static cg_rc
fill_group(struct cg_group *g, xmlNodePtr parent, bool lenient)
{
	xmlNodePtr n;
	int idx = -1;
	cg_rc rc;

	g->elem_line = (uint32_t)xmlGetLineNo(parent);
	for (n = cg__xml_first_elem(parent); n != NULL; n = cg__xml_next_elem(n)) {
		const xmlNode *t = n->children;
		xmlChar *text = NULL;

		if (!lenient && (n->ns == NULL || !xmlStrEqual(n->ns->href, BAD_CAST CG_NS_CEB)))
			continue;
		idx = field_index(g->def, (const char *)n->name, idx + 1);
		if (idx < 0 || g->val[idx] != NULL)
			continue; /* unknown or repeated: the XSD reports it */
		/* A value is one text node, mostly: taken as it is, without a copy to free. */
		if (t == NULL || t->next != NULL || t->type != XML_TEXT_NODE || t->content == NULL) {
			text = xmlNodeGetContent(n);
			if (text == NULL)
				return CG_ENOMEM;
		}
		rc = cg__group_set(g, idx, text != NULL ? (const char *)text : (const char *)t->content,
				   (uint32_t)xmlGetLineNo(n), 0);
		xmlFree(text);
		if (rc != CG_OK)
			return rc;
	}
	return CG_OK;
}

static cg_rc
read_doc(struct cg_msg *m, xmlNodePtr docnode, bool lenient)
{
	const struct cg_msgdef *def = m->def;
	struct cg_decl *d;
	struct cg_group *line;
	xmlNodePtr n;
	cg_rc rc;

	rc = cg__msg_add_doc(m, &d);
	if (rc != CG_OK)
		return rc;
	d->line = (uint32_t)xmlGetLineNo(docnode);
	if (def->doc == NULL)
		return fill_group(&d->head, docnode, lenient);
	for (n = cg__xml_first_elem(docnode); n != NULL; n = cg__xml_next_elem(n)) {
		if (elem_is(n, def->head->name, lenient) && d->head.elem_line == 0) {
			rc = fill_group(&d->head, n, lenient);
		} else if (def->list != NULL && elem_is(n, def->list->name, lenient)) {
			rc = cg__decl_add_line(d, def, &line);
			if (rc == CG_OK)
				rc = fill_group(line, n, lenient);
		}
		if (rc != CG_OK)
			return rc;
	}
	return CG_OK;
}

static cg_rc
read_attrs(struct cg_msg *m, xmlNodePtr root)
{
	xmlChar *guid = xmlGetNoNsProp(root, BAD_CAST "guid");
	xmlChar *version = xmlGetNoNsProp(root, BAD_CAST "version");
	cg_rc rc = CG_OK;

	if (guid != NULL && (m->guid = cg__strdup((const char *)guid)) == NULL)
		rc = CG_ENOMEM;
	if (version != NULL && (m->version = cg__strdup((const char *)version)) == NULL)
		rc = CG_ENOMEM;
	xmlFree(guid);
	xmlFree(version);
	return rc;
}

cg_rc
cg__msg_from_xml(struct cg_msg **out, cg_ctx *ctx, xmlDocPtr doc, bool lenient)
{
	const char *docname;
	xmlNodePtr root = xmlDocGetRootElement(doc), n;
	const struct cg_msgdef *def;
	struct cg_msg *m = NULL;
	cg_rc rc;

	*out = NULL;
	if (root == NULL || (!lenient && (root->ns == NULL ||
					  !xmlStrEqual(root->ns->href, BAD_CAST CG_NS_CEB))))
		return cg__fail(ctx, CG_EINVAL, "root element is not in the CEB namespace");
	def = cg__msgdef_by_root((const char *)root->name);
	if (def == NULL)
		return cg__fail(ctx, CG_EINVAL, "unknown message type %s", (const char *)root->name);
	rc = cg__msg_new(&m, def);
	if (rc != CG_OK)
		return rc;
	m->ceb_prefix = root->ns != NULL && root->ns->prefix != NULL;
	rc = read_attrs(m, root);
	docname = def->doc != NULL ? def->doc : def->head->name;
	for (n = cg__xml_first_elem(root); n != NULL && rc == CG_OK; n = cg__xml_next_elem(n)) {
		if (elem_is(n, docname, lenient)) {
			rc = read_doc(m, n, lenient);
		} else if (def->declaration && elem_is(n, "BaseTransfer", lenient) &&
			   m->transfer.def == NULL) {
			rc = cg__group_init(&m->transfer, &cg__basetransfer);
			if (rc == CG_OK)
				rc = fill_group(&m->transfer, n, lenient);
		} else if (cg__xml_is(n, CG_NS_DS, "Signature")) {
			m->has_signature = true;
		}
	}
	if (rc != CG_OK) {
		cg__msg_free(m);
		return rc == CG_ENOMEM ? cg__fail(ctx, rc, "out of memory reading the message") : rc;
	}
	*out = m;
	return CG_OK;
}

static cg_rc
path_step(cg_buf *b, const char *name, size_t idx, size_t count)
{
	char num[24];

	if (cg_buf_append(b, "/ceb:", 5) != CG_OK || cg_buf_append(b, name, strlen(name)) != CG_OK)
		return CG_ENOMEM;
	if (count > 1) {
		(void)snprintf(num, sizeof(num), "[%zu]", idx + 1);
		if (cg_buf_append(b, num, strlen(num)) != CG_OK)
			return CG_ENOMEM;
	}
	return CG_OK;
}

char *
cg__msg_path(const struct cg_msg *m, size_t doc, const struct cg_group *g, int field)
{
	const struct cg_msgdef *def = m->def;
	const struct cg_decl *d = doc < m->ndocs ? &m->docs[doc] : NULL;
	cg_buf b = CG_BUF_INIT(4096);
	cg_rc rc;

	rc = path_step(&b, def->root, 0, 1);
	if (g == &m->transfer) {
		if (rc == CG_OK)
			rc = path_step(&b, "BaseTransfer", 0, 1);
	} else if (d != NULL) {
		if (rc == CG_OK && def->doc != NULL)
			rc = path_step(&b, def->doc, doc, m->ndocs);
		if (rc == CG_OK && g == &d->head)
			rc = path_step(&b, def->head->name, doc, def->doc != NULL ? 1 : m->ndocs);
		else if (rc == CG_OK && def->list != NULL)
			rc = path_step(&b, def->list->name, (size_t)(g - d->lines), d->nlines);
	}
	if (rc == CG_OK && field >= 0 && g != NULL)
		rc = path_step(&b, g->def->f[field].name, 0, 1);
	if (rc != CG_OK || cg_buf_cstr(&b) != CG_OK) {
		cg_buf_dispose(&b);
		return NULL;
	}
	return cg_buf_detach(&b);
}
