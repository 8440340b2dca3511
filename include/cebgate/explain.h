/* SPDX-License-Identifier: MIT */
/*
 * One catalogue of the codes a declarant meets: receipt returnStatus values
 * (ceb-spec §5.1), the negative business error codes and the data-exchange
 * platform's transport codes (§5.3), and cebgate's own finding codes
 * (docs/findings.md). Used by `cebgate explain` and by the service for the
 * returnInfo of the receipts it issues.
 */
#ifndef CG_EXPLAIN_H
#define CG_EXPLAIN_H

#include "cebgate/common.h"

CG_BEGIN_DECLS

/** What a code means and what to do about it; all strings are static. */
typedef struct {
	const char *code;    /* as looked up, normalized ("120", "-621018", "1001", "CG1004") */
	const char *kind;    /* "returnStatus", "business error", "transport error", "finding" */
	const char *zh;      /* meaning, Chinese */
	const char *en;      /* meaning, English */
	const char *todo_zh; /* what to do, Chinese */
	const char *todo_en; /* what to do, English */
	int final;           /* a returnStatus that ends the declaration's processing */
} cg_explanation;

/**
 * Look @p code up: a returnStatus ("800"), a business error ("-621018"), a
 * DXP transport code ("0002" or "DXP0002") or a finding ("CG1004").
 * @return CG_OK, CG_ENOTFOUND (unknown code: @p out still says what it is
 * when the form is recognised, e.g. "an unknown positive returnStatus")
 */
CG_API cg_rc cg_explain(const char *code, cg_explanation *out);

/**
 * Look @p code up as the returnStatus of receipt @p receipt ("CEB604Message"
 * or "604"): the export family's receipts give some codes their own meaning
 * (ceb-export-spec.md §4: an export inventory concluded at 399 still waits for
 * its arrival, release and departure). Any other receipt or code, or a NULL
 * @p receipt, is cg_explain()'s.
 */
CG_API cg_rc cg_explain_receipt(const char *receipt, const char *code, cg_explanation *out);

CG_END_DECLS
#endif
