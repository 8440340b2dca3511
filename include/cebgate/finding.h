/* SPDX-License-Identifier: MIT */
/* Findings: what validation and normalization report about an input. */
#ifndef CG_FINDING_H
#define CG_FINDING_H

#include "cebgate/common.h"

CG_BEGIN_DECLS

typedef enum { CG_SEV_INFO, CG_SEV_WARNING, CG_SEV_ERROR } cg_severity;

/**
 * One finding. All strings are borrowed from the list that holds it. @c line and
 * @c column are 1-based, 0 when unknown; @c column is set for CSV input only.
 */
typedef struct {
	const char *code;       /* stable code, e.g. "CG1001" (docs/findings.md) */
	cg_severity severity;
	const char *source;     /* file name, "-" for stdin */
	const char *xpath;      /* field, e.g. /ceb:CEB311Message/ceb:Order/ceb:OrderHead/ceb:acturalPaid */
	unsigned long line;
	unsigned long column;
	const char *message_zh;
	const char *message_en;
} cg_finding;

typedef struct cg_findings cg_findings;

/** @param[out] out new empty list; free with cg_findings_free(). */
CG_API cg_rc cg_findings_new(cg_findings **out) CG_WARN_UNUSED;
CG_API void cg_findings_free(cg_findings *f);
/** Remove every finding, keeping the allocation. */
CG_API void cg_findings_clear(cg_findings *f);
CG_API size_t cg_findings_count(const cg_findings *f);
/** Number of findings of severity @p sev. */
CG_API size_t cg_findings_count_sev(const cg_findings *f, cg_severity sev);
/** Borrowed pointer to finding @p i (< count), valid until the list changes. */
CG_API const cg_finding *cg_findings_get(const cg_findings *f, size_t i);
/**
 * Append every finding of @p src to @p dst, in order, leaving @p src empty
 * (what a worker found, gathered in input order).
 * @return CG_OK, CG_ENOMEM (both lists unchanged)
 */
CG_API cg_rc cg_findings_move(cg_findings *dst, cg_findings *src) CG_WARN_UNUSED;
/** "error", "warning" or "info". */
CG_API const char *cg_severity_name(cg_severity sev);

CG_END_DECLS
#endif
