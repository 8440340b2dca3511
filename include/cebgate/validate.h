/* SPDX-License-Identifier: MIT */
/* Validation of CEB messages: safe parse, XSD, business rules. */
#ifndef CG_VALIDATE_H
#define CG_VALIDATE_H

#include "cebgate/common.h"
#include "cebgate/finding.h"

CG_BEGIN_DECLS

/** A missing required ds:Signature is reported as info (a check before signing). */
#define CG_VALIDATE_UNSIGNED 0x01u

/**
 * Compiled schemas and code tables, loaded once and reused for every message.
 * One validator per thread: it is not safe to share.
 */
typedef struct cg_validator cg_validator;

/**
 * @param[out] out  new validator; free with cg_validator_free()
 * @param datadir   directory with schemas/ (NULL: cg_datadir())
 * @param flags     CG_VALIDATE_* flags
 * @return CG_OK, CG_EIO (a schema or table missing), CG_ESCHEMA (a schema does not compile)
 */
CG_API cg_rc cg_validator_new(cg_validator **out, cg_ctx *ctx, const char *datadir,
			      unsigned flags) CG_WARN_UNUSED;
CG_API void cg_validator_free(cg_validator *v);

/**
 * Validate one XML document (CEB message or DxpMsg) held in memory. Findings are
 * appended to @p f under the name @p source. The document's business keys are
 * remembered for cg_validate_finish().
 * @param[out] valid  set to 1 when no error was found, else 0
 * @return CG_OK when the document was examined (valid or not); CG_ENOMEM etc. otherwise
 */
CG_API cg_rc cg_validate_buffer(cg_validator *v, cg_ctx *ctx, const char *data, size_t len,
				const char *source, cg_findings *f, int *valid) CG_WARN_UNUSED;

/**
 * Cross-document rules over everything validated since the last call: payment
 * against order, waybill against order, inventory against order (tax, lines).
 * Findings carry the source of the document at fault. Forgets the set.
 */
CG_API cg_rc cg_validate_finish(cg_validator *v, cg_ctx *ctx, cg_findings *f) CG_WARN_UNUSED;

/** Root element name of the last document validated ("CEB311Message"), or "". */
CG_API const char *cg_validator_last_type(const cg_validator *v);

CG_END_DECLS
#endif
