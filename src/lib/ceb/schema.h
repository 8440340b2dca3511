/* SPDX-License-Identifier: MIT */
/* The compiled XSDs of schemas/, compiled once per process and data directory. */
#ifndef CG_SCHEMA_H
#define CG_SCHEMA_H

#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include "util/internal.h"

struct cg_schemas;

/*
 * Validation contexts over schemas/ceb-import.xsd, ceb-export.xsd and dxp.xsd under
 * @p dir. They are compiled once for all the users of @p dir alive in the
 * process (validators, normalizers, the service's uploads); thread-safe.
 */
cg_rc cg__schemas_load(struct cg_schemas **out, cg_ctx *ctx, const char *dir);
void cg__schemas_free(struct cg_schemas *s);
/* How many times schema sets were compiled in this process (for tests). */
unsigned long cg__schemas_compilations(void);

/*
 * Validate @p doc against the CEB schema of its root's family (dxp false) or
 * the DXP schema; each violation is a CG0100 finding. @p nerr receives the number of violations.
 */
cg_rc cg__schemas_validate(struct cg_schemas *s, cg_ctx *ctx, xmlDocPtr doc, bool dxp,
			   const char *source, cg_findings *f, size_t *nerr);

/*
 * The Chinese sentence for a frequent schema error, naming the element and its
 * value (malloc'd), or NULL when the error has no form yet (the caller keeps
 * libxml2's English).
 */
char *cg__xsd_message_zh(const xmlError *e);

struct cg_validator;
struct cg_codes;
/* The compiled schemas of a validator (for the DxpMsg envelope). */
struct cg_schemas *cg__validator_schemas(struct cg_validator *v);
/* The code tables a validator loaded. */
const struct cg_codes *cg__validator_codes(struct cg_validator *v);

struct cg_msg;
/*
 * Validate one parsed CEB message (XSD and rules, no cross-document memory)
 * and hand its record to the caller (*keep, free with cg__msg_free(); NULL
 * when the message type is unknown, which is then a finding).
 */
cg_rc cg__validate_doc(struct cg_validator *v, cg_ctx *ctx, xmlDocPtr doc, const char *source,
		       cg_findings *f, struct cg_msg **keep);

#endif
