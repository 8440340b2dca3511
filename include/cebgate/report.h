/* SPDX-License-Identifier: MIT */
/* Rendering findings as the validation report (text and JSON). */
#ifndef CG_REPORT_H
#define CG_REPORT_H

#include <stdio.h>
#include "cebgate/common.h"
#include "cebgate/finding.h"

CG_BEGIN_DECLS

/**
 * One input of a report: its name and detected message type ("" when unknown).
 * @c error is why the input could not be read (NULL when it was): the report
 * lists it so that every input named appears, not only those examined.
 */
typedef struct {
	const char *file;
	const char *type;
	const char *error;
} cg_report_file;

/**
 * The machine-readable report: {"files":[{"file","type","valid","findings":[...]}],
 * "summary":{...}}. A finding belongs to the file whose name prefixes its source
 * (a DxpMsg's inner message is "FILE#Data"). An unreadable input is
 * {"file","type","valid":false,"error","findings":[]}, counted in the summary's
 * "unreadable" (files = valid + invalid + unreadable).
 * @return JSON text, free with cg_free(); NULL when out of memory
 */
CG_API char *cg_report_json(const cg_report_file *files, size_t n, const cg_findings *f);

/** The same report for people, one block per file, on @p out. */
CG_API cg_rc cg_report_text(FILE *out, const cg_report_file *files, size_t n,
			    const cg_findings *f, int quiet);

/** One finding as a JSON object text (the element of "findings"); free with cg_free(). */
CG_API char *cg_finding_json(const cg_finding *x);

CG_END_DECLS
#endif
