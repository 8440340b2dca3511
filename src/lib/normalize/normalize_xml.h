/* SPDX-License-Identifier: MIT */
/* Loose CEB XML before normalize reads it: what has no place, and namespace repairs. */
#ifndef CG_NORMALIZE_XML_H
#define CG_NORMALIZE_XML_H

#include <libxml/tree.h>
#include "cebgate/normalize.h"
#include "ceb/model.h"

struct cg_normxml {
	const struct cg_msgdef *def; /* the type of the document's root */
	const char *source;
	cg_findings *f;
	cg_change_fn change; /* may be NULL */
	void *payload;
	bool bad; /* out: a CG2008 was reported, the message must not be written */
};

/*
 * Walk @p doc the way the lenient reader of cg__msg_from_xml places values:
 * every element, attribute or text it would not place is a CG2008 error in
 * x->f; every element that leaves a foreign or no namespace, and a signature
 * that normalization removes, is a change for x->change.
 */
cg_rc cg__normxml_check(struct cg_normxml *x, xmlDocPtr doc);

#endif
