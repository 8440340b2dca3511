/* SPDX-License-Identifier: MIT */
/* Streaming CSV: one row in memory at a time, GB18030 converted with iconv. */
#include "config.h"

#include <errno.h>
#include <iconv.h>
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

static cg_rc
to_utf8(struct cg_csv *c)
{
	char *in = c->raw.ptr, *outp;
	size_t inleft = c->raw.len, outleft;
	bool utf8 = c->force == 1 || (c->force == 0 && cg__utf8_valid(c->raw.ptr, c->raw.len));

	c->utf8.len = 0;
	if (utf8) {
		if (!cg__utf8_valid(c->raw.ptr, c->raw.len))
			return CG_EPARSE;
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
	if (iconv(c->cd, &in, &inleft, &outp, &outleft) == (size_t)-1)
		return CG_EPARSE;
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
	rc = to_utf8(c);
	if (rc != CG_OK)
		return rc;
	rc = split(c, ncells);
	*cells = c->cells;
	return rc;
}
