/* SPDX-License-Identifier: MIT */
/* The code tables and their editions: listing, showing, importing, reloading. */
#ifndef CG_PUBLIC_CODES_H
#define CG_PUBLIC_CODES_H

#include <stdbool.h>
#include <stddef.h>
#include "cebgate/common.h"

CG_BEGIN_DECLS

/** One installed edition of one table (schemas/codes/TABLE/EDITION.tsv). */
struct cg_edition {
	const char *table;     /**< "hs", "customs" ... */
	const char *edition;   /**< "2026" (the file name without .tsv) */
	const char *effective; /**< "YYYY-MM-DD", or "" when undated (in force at any date) */
	const char *source;    /**< the "# source:" line, or "" */
	bool complete;         /**< "# complete: yes" */
	size_t rows;
};

/** A loaded set of tables (shared and reference-counted inside the library). */
typedef struct cg_codes cg_codes;

/**
 * Load the tables of @p datadir (NULL: cg_datadir(); $CEBGATE_CODES_DIR overrides
 * the codes directory) as the validators of this process see them.
 */
CG_API cg_rc cg_codes_open(cg_codes **out, cg_ctx *ctx, const char *datadir) CG_WARN_UNUSED;
/** Load one codes directory as it is on disk (not shared). */
CG_API cg_rc cg_codes_open_dir(cg_codes **out, cg_ctx *ctx, const char *codesdir) CG_WARN_UNUSED;
CG_API void cg_codes_close(cg_codes *c);

/**
 * Load the tables of @p datadir again. On success the new set is what every
 * validator uses from its next message on (a message being checked keeps the
 * set it started with), and *@p io (closed) is replaced by it: the new set
 * stays shared while the caller holds it. On failure nothing changes and
 * @p ctx says why.
 */
CG_API cg_rc cg_codes_reload(cg_codes **io, cg_ctx *ctx, const char *datadir) CG_WARN_UNUSED;

/** Every installed edition, table by table, oldest first; *n gets the count. */
CG_API size_t cg_codes_edition_count(const cg_codes *c);
CG_API const struct cg_edition *cg_codes_edition(const cg_codes *c, size_t i);
/** The edition of @p table in force at @p date (YYYY-MM-DD or YYYYMMDD...; NULL today). */
CG_API const struct cg_edition *cg_codes_in_force(const cg_codes *c, const char *table,
						  const char *date);

/**
 * The row of @p code in @p table at @p date: column names and values (up to @p max).
 * @return the number of cells, 0 when the code is not in that edition
 */
CG_API size_t cg_codes_show(const cg_codes *c, const char *table, const char *code,
			    const char *date, const struct cg_edition **ed, const char **names,
			    const char **vals, size_t max);

/** The same in edition @p edition of @p table, whatever its date. */
CG_API size_t cg_codes_show_edition(const cg_codes *c, const char *table, const char *edition,
				    const char *code, const char **names, const char **vals,
				    size_t max);

/** Codes of @p table's edition @p edition, sorted (NULL when no such edition). */
CG_API const char *const *cg_codes_list(const cg_codes *c, const char *table,
					const char *edition, size_t *n);

/** What cg_codes_import() is told. */
struct cg_codes_import_opts {
	const char *table;     /**< "hs", "positive", "customs" ... */
	const char *edition;   /**< e.g. "2027": letters, digits, '-', '.', '_' */
	const char *effective; /**< YYYY-MM-DD */
	bool complete;
	const char *source;    /**< provenance written in the header (NULL: the file name) */
	const char *outdir;    /**< codes directory to write TABLE/EDITION.tsv into */
};

/**
 * Read a published table (CSV or TSV, UTF-8 or GB18030, first line the header)
 * and write it in cebgate's format. Malformed rows are refused with their line
 * number in @p ctx; nothing is written then.
 * @param[out] rows  rows written
 */
CG_API cg_rc cg_codes_import(cg_ctx *ctx, const char *file, const struct cg_codes_import_opts *o,
			     size_t *rows) CG_WARN_UNUSED;

CG_END_DECLS
#endif
