/* SPDX-License-Identifier: MIT */
/* Normalization (统一数据标准): merchant CSV, NDJSON or loose XML in, canonical CEB XML out. */
#ifndef CG_NORMALIZE_H
#define CG_NORMALIZE_H

#include <stdio.h>
#include "cebgate/common.h"
#include "cebgate/finding.h"

CG_BEGIN_DECLS

typedef enum { CG_FROM_AUTO, CG_FROM_CSV, CG_FROM_NDJSON, CG_FROM_XML } cg_from;

/** One change normalize made to a value; strings are borrowed for the callback only. */
typedef struct {
	const char *source;
	unsigned long line;
	unsigned long column; /* CSV column, 0 otherwise */
	const char *xpath;
	const char *before;   /* "" when the value was absent */
	const char *after;
	const char *why;      /* e.g. "unit name mapped to its code" */
} cg_change;

/** Receives each canonical message; @p name is a suggested file name (CEB311-ORDERNO.xml). */
typedef cg_rc (*cg_emit_fn)(void *payload, const char *name, const char *xml, size_t len);
typedef void (*cg_change_fn)(void *payload, const cg_change *change);

typedef struct cg_normalize_stats cg_normalize_stats;
/**
 * Told after each record is counted, valid or not (a document, or a row or
 * line that could not be read); anything but CG_OK stops the run with that
 * code (the callback says why in its context). The caller's place to cap the
 * records, keep or drop the findings so far and commit its work.
 */
typedef cg_rc (*cg_record_fn)(void *payload, const cg_normalize_stats *stats);

typedef struct {
	unsigned version;         /* CG_NORMALIZE_OPTIONS_VERSION */
	int type; /* message type of CSV/NDJSON rows: 311 (default), 411, 511, 621; 303, 403, 505, 603 */
	const char *profile;      /* mapping profile file, or NULL */
	const char *now;          /* YYYYMMDDhhmmss used for a missing appTime; NULL = clock */
	const char *encoding;     /* CSV: "utf-8", "gb18030" or NULL to detect */
	cg_emit_fn emit;
	cg_change_fn change;      /* may be NULL */
	void *payload;
	cg_record_fn record;      /* may be NULL */
} cg_normalize_options;

#define CG_NORMALIZE_OPTIONS_VERSION 1
#define CG_NORMALIZE_OPTIONS_INIT { CG_NORMALIZE_OPTIONS_VERSION, 311, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

/**
 * Counts of one run. A row or line that cannot be read at all (a malformed
 * CSV row, an NDJSON line that is not JSON) is a record too, and rejected.
 */
struct cg_normalize_stats {
	unsigned long records;  /* documents read, and rows or lines that could not be */
	unsigned long written;  /* messages emitted */
	unsigned long rejected; /* records with errors, not emitted */
};

typedef struct cg_normalizer cg_normalizer;

/**
 * @param[out] out new normalizer (holds the validator, code tables and profile)
 * @param datadir  NULL for cg_datadir()
 * @return CG_OK, CG_EIO / CG_EPARSE (profile), CG_ESCHEMA
 */
CG_API cg_rc cg_normalizer_new(cg_normalizer **out, cg_ctx *ctx, const char *datadir,
			       const cg_normalize_options *opts) CG_WARN_UNUSED;
CG_API void cg_normalizer_free(cg_normalizer *n);

/**
 * Normalize one input file ("-" = stdin), streaming CSV and NDJSON record by
 * record. Every valid document is emitted; every invalid one is reported in
 * @p f (under @p path, with CSV line and column) and skipped.
 * @return CG_OK when the file was read through (whatever the findings), else an error
 */
CG_API cg_rc cg_normalize_file(cg_normalizer *n, cg_ctx *ctx, const char *path, cg_from from,
			       cg_findings *f) CG_WARN_UNUSED;

/**
 * The same for an open stream (read to its end, not closed); @p source names
 * it in findings and, with CG_FROM_AUTO, gives the format by its extension.
 */
CG_API cg_rc cg_normalize_stream(cg_normalizer *n, cg_ctx *ctx, FILE *fp, const char *source,
				 cg_from from, cg_findings *f) CG_WARN_UNUSED;

/** Totals since the normalizer was made. */
CG_API cg_normalize_stats cg_normalizer_stats(const cg_normalizer *n);

CG_END_DECLS
#endif
