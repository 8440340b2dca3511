/* SPDX-License-Identifier: MIT */
/*
 * Streaming CSV: one row in memory at a time, GB18030 converted with iconv.
 * The encoding is one per file: given, or decided by the first row that is not
 * plain ASCII (valid UTF-8 = UTF-8, else GB18030). A later row that does not
 * decode in it, or a UTF-8 row in a GB18030 file, is an error at its line:
 * rows are never decoded each its own way.
 */
#include "config.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "util/csv.h"

struct cg_csv {
	FILE *fp;
	cg_buf raw;   /* the row's bytes as read */
	cg_buf utf8;  /* the row converted to UTF-8 */
	char *cells[CG_CSV_MAX_CELLS];
	unsigned long line; /* physical lines consumed so far */
	int force;          /* 0 detect, 1 UTF-8, 2 GB18030 */
	int decided;        /* detected: 0 not yet (ASCII so far), 1 UTF-8, 2 GB18030 */
	unsigned long decided_line;
	char why[200];      /* why the last row was refused, "" when not for its encoding */
	iconv_t cd;
	bool first;
};

cg_rc
cg__csv_open(struct cg_csv **out, FILE *fp, const char *encoding)
{
	struct cg_csv *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (c == NULL)
		return CG_ENOMEM;
	c->fp = fp;
	c->raw.max = CG_CSV_MAX_ROW;
	c->utf8.max = CG_CSV_MAX_ROW * 2;
	c->first = true;
	c->cd = (iconv_t)-1;
	if (encoding != NULL)
		c->force = strcasecmp(encoding, "gb18030") == 0 || strcasecmp(encoding, "gbk") == 0 ? 2 : 1;
	*out = c;
	return CG_OK;
}

void
cg__csv_close(struct cg_csv *c)
{
	if (c == NULL)
		return;
	cg_buf_dispose(&c->raw);
	cg_buf_dispose(&c->utf8);
	if (c->cd != (iconv_t)-1)
		iconv_close(c->cd);
	free(c);
}

/* Read one logical row: physical lines until the quotes balance. */
static cg_rc
read_row(struct cg_csv *c)
{
	bool in_quotes = false;
	int ch;
	cg_rc rc;

	c->raw.len = 0;
	while ((ch = getc(c->fp)) != EOF) {
		if (ch == '"')
			in_quotes = !in_quotes;
		if (ch == '\n') {
			c->line++;
			if (!in_quotes)
				break;
		}
		rc = cg_buf_putc(&c->raw, (char)ch);
		if (rc != CG_OK) {
			while (ch != '\n' && ch != EOF)
				ch = getc(c->fp); /* skip the rest of the line */
			c->line++;
			return CG_ETOOBIG;
		}
	}
	if (ch == EOF && c->raw.len == 0)
		return ferror(c->fp) ? CG_EIO : CG_ENOTFOUND;
	if (ch == EOF)
		c->line++;
	if (c->raw.len > 0 && c->raw.ptr[c->raw.len - 1] == '\r')
		c->raw.len--;
	return in_quotes ? CG_EPARSE : cg_buf_cstr(&c->raw);
}

static bool
ascii_only(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] >= 0x80)
			return false;
	}
	return true;
}

static const char *
enc_name(int e)
{
	return e == 1 ? "UTF-8" : "GB18030";
}

/* The encoding of the row starting at @p line: the given one, or the file's (decided once). */
static int
row_encoding(struct cg_csv *c, unsigned long line)
{
	bool utf8 = cg__utf8_valid(c->raw.ptr, c->raw.len);

	if (c->force != 0)
		return c->force;
	if (ascii_only(c->raw.ptr, c->raw.len))
		return 1; /* ASCII reads the same in both */
	if (c->decided == 0) {
		c->decided = utf8 ? 1 : 2;
		c->decided_line = line;
	}
	if (c->decided == 2 && utf8) {
		(void)snprintf(c->why, sizeof(c->why),
			       "row in UTF-8 in a file read as GB18030 (decided at line %lu): "
			       "rows in different encodings; give --encoding or convert the file",
			       c->decided_line);
		return 0;
	}
	return c->decided;
}

static cg_rc
to_utf8(struct cg_csv *c, unsigned long line)
{
	char *in = c->raw.ptr, *outp;
	size_t inleft = c->raw.len, outleft;
	int enc;

	c->why[0] = '\0';
	c->utf8.len = 0;
	enc = row_encoding(c, line);
	if (enc == 0)
		return CG_EPARSE;
	if (enc == 1) {
		if (!cg__utf8_valid(c->raw.ptr, c->raw.len)) {
			if (c->force != 0)
				(void)snprintf(c->why, sizeof(c->why),
					       "row not in UTF-8, the encoding given");
			else
				(void)snprintf(c->why, sizeof(c->why),
					       "row not in UTF-8, the encoding of this file "
					       "(decided at line %lu): rows in different encodings",
					       c->decided_line);
			return CG_EPARSE;
		}
		return cg_buf_append(&c->utf8, c->raw.ptr, c->raw.len);
	}
	if (c->cd == (iconv_t)-1) {
		c->cd = iconv_open("UTF-8", "GB18030");
		if (c->cd == (iconv_t)-1)
			return CG_EINTERNAL;
	}
	if (cg_buf_append(&c->utf8, NULL, 0) != CG_OK || c->raw.len * 2 + 1 > c->utf8.max)
		return CG_ETOOBIG;
	if (c->utf8.cap < c->raw.len * 2 + 2) {
		char *p = realloc(c->utf8.ptr, c->raw.len * 2 + 2);

		if (p == NULL)
			return CG_ENOMEM;
		c->utf8.ptr = p;
		c->utf8.cap = c->raw.len * 2 + 2;
	}
	outp = c->utf8.ptr;
	outleft = c->utf8.cap - 1;
	(void)iconv(c->cd, NULL, NULL, NULL, NULL);
	if (iconv(c->cd, &in, &inleft, &outp, &outleft) == (size_t)-1) {
		(void)snprintf(c->why, sizeof(c->why), "row not in %s, the encoding of this file",
			       enc_name(enc));
		return CG_EPARSE;
	}
	c->utf8.len = (size_t)(outp - c->utf8.ptr);
	c->utf8.ptr[c->utf8.len] = '\0';
	return cg__utf8_valid(c->utf8.ptr, c->utf8.len) ? CG_OK : CG_EPARSE;
}

/* Split in place: commas outside quotes end a cell; "" inside quotes is one quote. */
static cg_rc
split(struct cg_csv *c, size_t *ncells)
{
	char *r = c->utf8.ptr, *w = c->utf8.ptr;
	size_t n = 0;
	bool q = false;

	if (c->first && strncmp(r, "\xEF\xBB\xBF", 3) == 0)
		r += 3, w += 3;
	c->first = false;
	c->cells[n++] = w;
	for (; *r != '\0'; r++) {
		if (q && *r == '"' && r[1] == '"') {
			*w++ = '"';
			r++;
		} else if (*r == '"') {
			q = !q;
		} else if (!q && *r == ',') {
			*w++ = '\0';
			if (n == CG_CSV_MAX_CELLS)
				return CG_ETOOBIG;
			c->cells[n++] = w;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	*ncells = n;
	return CG_OK;
}

const char *
cg__csv_why(const struct cg_csv *c)
{
	return c->why;
}

cg_rc
cg__csv_next(struct cg_csv *c, char ***cells, size_t *ncells, unsigned long *line)
{
	unsigned long start = c->line + 1;
	cg_rc rc;

	do {
		start = c->line + 1;
		rc = read_row(c);
	} while (rc == CG_OK && c->raw.len == 0); /* blank lines carry nothing */
	*line = start;
	if (rc != CG_OK)
		return rc;
	rc = to_utf8(c, start);
	if (rc != CG_OK)
		return rc;
	rc = split(c, ncells);
	*cells = c->cells;
	return rc;
}

cg_rc
cg__csv_cell(cg_buf *b, const char *v, int last)
{
	cg_rc rc = cg_buf_putc(b, '"');

	if (rc == CG_OK && v[0] != '\0' && strchr("=+-@\t\r", v[0]) != NULL)
		rc = cg_buf_putc(b, '\'');
	for (; rc == CG_OK && *v != '\0'; v++)
		rc = *v == '"' ? cg_buf_append(b, "\"\"", 2) : cg_buf_putc(b, *v);
	if (rc == CG_OK)
		rc = cg_buf_putc(b, '"');
	return rc == CG_OK ? cg_buf_append(b, last ? "\r\n" : ",", last ? 2 : 1) : rc;
}
