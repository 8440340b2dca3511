/* SPDX-License-Identifier: MIT */
/*
 * The canonical writer: a record out as CEB XML in XSD element order, ceb:
 * prefix, UTF-8, empty optional fields omitted (ceb-spec §2 items 2 and 8).
 * Built with xmlTextWriter, which escapes every value.
 */
#include "config.h"

#include <string.h>
#include <libxml/xmlwriter.h>
#include "ceb/model.h"
#include "ceb/writer.h"
#include "util/xml.h"

#define CHECK(call)               \
	do {                      \
		if ((call) < 0)   \
			return -1; \
	} while (0)

static int
write_group(xmlTextWriterPtr w, const struct cg_group *g)
{
	size_t i;

	CHECK(xmlTextWriterStartElementNS(w, BAD_CAST "ceb", BAD_CAST g->def->name, NULL));
	for (i = 0; i < g->def->nf; i++) {
		const char *v = g->val[i];

		if (v == NULL || (v[0] == '\0' && !(g->def->f[i].flags & CG_F_REQ)))
			continue;
		CHECK(xmlTextWriterWriteElementNS(w, BAD_CAST "ceb", BAD_CAST g->def->f[i].name, NULL,
						  BAD_CAST v));
	}
	CHECK(xmlTextWriterEndElement(w));
	return 0;
}

static int
write_doc(xmlTextWriterPtr w, const struct cg_msg *m, const struct cg_decl *d)
{
	size_t i;

	if (m->def->doc != NULL)
		CHECK(xmlTextWriterStartElementNS(w, BAD_CAST "ceb", BAD_CAST m->def->doc, NULL));
	CHECK(write_group(w, &d->head));
	for (i = 0; i < d->nlines; i++)
		CHECK(write_group(w, &d->lines[i]));
	if (m->def->doc != NULL)
		CHECK(xmlTextWriterEndElement(w));
	return 0;
}

static int
write_msg(xmlTextWriterPtr w, const struct cg_msg *m)
{
	size_t i;

	CHECK(xmlTextWriterSetIndent(w, 1));
	CHECK(xmlTextWriterSetIndentString(w, BAD_CAST "  "));
	CHECK(xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL));
	CHECK(xmlTextWriterStartElementNS(w, BAD_CAST "ceb", BAD_CAST m->def->root,
					  BAD_CAST CG_NS_CEB));
	CHECK(xmlTextWriterWriteAttribute(w, BAD_CAST "guid", BAD_CAST(m->guid ? m->guid : "")));
	CHECK(xmlTextWriterWriteAttribute(w, BAD_CAST "version",
					  BAD_CAST(m->version ? m->version : "1.0")));
	for (i = 0; i < m->ndocs; i++)
		CHECK(write_doc(w, m, &m->docs[i]));
	if (m->def->declaration && m->transfer.def != NULL)
		CHECK(write_group(w, &m->transfer));
	CHECK(xmlTextWriterEndElement(w));
	CHECK(xmlTextWriterEndDocument(w));
	return 0;
}

cg_rc
cg__msg_to_xml(const struct cg_msg *m, cg_buf *out)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w;
	int r;
	cg_rc rc;

	if (buf == NULL)
		return CG_ENOMEM;
	w = xmlNewTextWriterMemory(buf, 0);
	if (w == NULL) {
		xmlBufferFree(buf);
		return CG_ENOMEM;
	}
	r = write_msg(w, m);
	xmlFreeTextWriter(w); /* flushes into buf */
	rc = r < 0 ? CG_EINTERNAL
		   : cg_buf_append(out, xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
	xmlBufferFree(buf);
	return rc;
}
