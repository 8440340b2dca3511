/* SPDX-License-Identifier: MIT */
/* A streaming RFC 4180 CSV reader that hands out UTF-8 rows. */
#ifndef CG_CSV_H
#define CG_CSV_H

#include <stdio.h>
#include "util/internal.h"

/* Longest row accepted (quoted newlines included). */
#define CG_CSV_MAX_ROW (1024u * 1024u)
#define CG_CSV_MAX_CELLS 512

struct cg_csv;

/*
 * @p encoding: "utf-8", "gb18030" or NULL to detect it once for the file, on the
 * first row that is not plain ASCII (invalid UTF-8 = GB18030).
 */
cg_rc cg__csv_open(struct cg_csv **out, FILE *fp, const char *encoding);
void cg__csv_close(struct cg_csv *c);

/*
 * Next row: CG_OK with *ncells cells (borrowed until the next call) and *line the
 * physical line the row starts on; CG_ENOTFOUND at the end; CG_EPARSE for an
 * unterminated quote or bad encoding (the reader skips to the next line);
 * CG_ETOOBIG for a row over the limit.
 */
/* Why the last row was refused for its encoding, or "" (another reason or none). */
const char *cg__csv_why(const struct cg_csv *c);
cg_rc cg__csv_next(struct cg_csv *c, char ***cells, size_t *ncells, unsigned long *line);

/*
 * Append one cell to @p b, quoted, then "," or (when @p last) CRLF. A leading
 * = + - @ tab or CR gets an apostrophe so that no spreadsheet runs it.
 */
cg_rc cg__csv_cell(cg_buf *b, const char *v, int last);

#endif
