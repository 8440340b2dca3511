/* SPDX-License-Identifier: MIT */
/*
 * `cebgate codes import`: a table as customs or the Ministry of Finance publish
 * it (CSV or TSV, UTF-8 or GB18030, Chinese headers) rewritten in cebgate's
 * format, TABLE/EDITION.tsv, after every row has been checked.
 */
#include "config.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "ceb/codes.h"
#include "util/csv.h"

#define IMPORT_MAX_BYTES (32u * 1024u * 1024u)
#define IMPORT_MAX_COLS 16
#define ERRTEXT errtext(errno, ebuf, sizeof(ebuf))

/* errno's text, thread-safe (GNU strerror_r: _GNU_SOURCE comes from config.h). */
static const char *
errtext(int e, char *buf, size_t size)
{
	return strerror_r(e, buf, size);
}

/* Published header names and the column each becomes; unlisted plain names stay. */
static const struct {
	const char *from;
	const char *to;
} header_map[] = {
	{ "商品编码", "code" },	   { "税则号列", "code" },    { "税号", "code" },
	{ "hs编码", "code" },	   { "hscode", "code" },	   { "gcode", "code" },
	{ "代码", "code" },	   { "编码", "code" },	   { "关区代码", "code" },
	{ "单位代码", "code" },	   { "国别代码", "code" },    { "口岸代码", "code" },
	{ "商品名称", "zh" },	   { "商品描述", "zh" },	   { "货品名称", "zh" },
	{ "名称", "zh" },	   { "中文名称", "zh" },	   { "关区名称", "zh" },
	{ "单位名称", "zh" },	   { "英文名称", "en" },	   { "简称", "short" },
	{ "监管要求", "note" },    { "备注", "note" },	   { "监管要求/备注", "note" },
	{ "第一法定单位", "unit1" }, { "法定第一单位", "unit1" }, { "第一计量单位", "unit1" },
	{ "第二法定单位", "unit2" }, { "法定第二单位", "unit2" }, { "第二计量单位", "unit2" },
	{ "增值税率", "vat" },	   { "增值税", "vat" },	   { "消费税率", "ct" },
	{ "消费税", "ct" },	   { "最惠国税率", "mfn" },    { "暂定税率", "provisional" },
	{ "普通税率", "general" },    { "监管条件", "supervision" }, { "检验检疫类别", "inspection" },
	{ "检验检疫", "inspection" }, { "序号", "" },	   { "seq", "" },
};

struct importer {
	cg_ctx *ctx;
	const struct cg_codes_import_opts *o;
	enum cg_table t;
	char *cols[IMPORT_MAX_COLS]; /* our names; "" for a dropped column */
	size_t ncols;
	int code_col;
	FILE *out;
	char **seen; /* codes written, to refuse duplicates */
	size_t nseen;
	size_t seencap;
};

/* The file as UTF-8: kept when it is valid UTF-8 (a BOM dropped), else read as GB18030. */
static cg_rc
read_utf8(char **out, size_t *len, cg_ctx *ctx, const char *file, const char **enc)
{
	cg_buf b = CG_BUF_INIT(IMPORT_MAX_BYTES);
	char chunk[8192], ebuf[128], *in, *op;
	size_t n, inleft, outleft;
	FILE *fp = fopen(file, "rb");
	iconv_t cd;
	cg_rc rc = CG_OK;

	if (fp == NULL)
		return cg__fail(ctx, CG_EIO, "cannot open %s: %s", file, ERRTEXT);
	while (rc == CG_OK && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		rc = cg_buf_append(&b, chunk, n);
	(void)fclose(fp);
	if (rc == CG_OK)
		rc = cg_buf_cstr(&b);
	if (rc != CG_OK) {
		cg_buf_dispose(&b);
		return cg__fail(ctx, rc, "cannot read %s (at most %u bytes)", file, IMPORT_MAX_BYTES);
	}
	if (cg__utf8_valid(b.ptr, b.len)) {
		*enc = "UTF-8";
		if (b.len >= 3 && memcmp(b.ptr, "\xEF\xBB\xBF", 3) == 0)
			memmove(b.ptr, b.ptr + 3, b.len - 2), b.len -= 3;
		*len = b.len;
		*out = cg_buf_detach(&b);
		return CG_OK;
	}
	*enc = "GB18030";
	cd = iconv_open("UTF-8", "GB18030");
	outleft = b.len * 2 + 1;
	*out = cd != (iconv_t)-1 ? malloc(outleft + 1) : NULL;
	if (*out == NULL) {
		if (cd != (iconv_t)-1)
			iconv_close(cd);
		cg_buf_dispose(&b);
		return cg__fail(ctx, CG_ENOMEM, "cannot convert %s from GB18030", file);
	}
	in = b.ptr;
	inleft = b.len;
	op = *out;
	if (iconv(cd, &in, &inleft, &op, &outleft) == (size_t)-1) {
		size_t at = (size_t)(in - b.ptr), line = 1, i;

		for (i = 0; i < at; i++)
			line += b.ptr[i] == '\n';
		rc = cg__fail(ctx, CG_EPARSE, "%s:%zu: neither UTF-8 nor GB18030", file, line);
	}
	iconv_close(cd);
	cg_buf_dispose(&b);
	if (rc != CG_OK) {
		free(*out);
		*out = NULL;
		return rc;
	}
	*op = '\0';
	*len = (size_t)(op - *out);
	return CG_OK;
}

static void
trim(char *s)
{
	size_t n = strlen(s), k = 0;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\r'))
		s[--n] = '\0';
	while (s[k] == ' ')
		k++;
	if (k > 0)
		memmove(s, s + k, n - k + 1);
}

static bool
plain_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

static cg_rc
set_header(struct importer *im, char **cells, size_t n, unsigned long line)
{
	size_t i, k;

	if (n > IMPORT_MAX_COLS)
		return cg__fail(im->ctx, CG_EPARSE, "line %lu: %zu columns, at most %d", line, n,
				IMPORT_MAX_COLS);
	im->code_col = -1;
	for (i = 0; i < n; i++) {
		const char *name = cells[i];

		trim(cells[i]);
		for (k = 0; k < sizeof(header_map) / sizeof(header_map[0]); k++) {
			if (strcasecmp(cells[i], header_map[k].from) == 0) {
				name = header_map[k].to;
				break;
			}
		}
		if (name[0] != '\0' && !plain_name(name))
			return cg__fail(im->ctx, CG_EPARSE,
					"line %lu: column \"%.40s\" is neither a published header "
					"cebgate knows nor a lower-case name",
					line, cells[i]);
		for (k = 0; name[0] != '\0' && k < i; k++) {
			if (strcmp(im->cols[k], name) == 0)
				return cg__fail(im->ctx, CG_EPARSE, "line %lu: two columns become \"%s\"",
						line, name);
		}
		if ((im->cols[i] = cg__strdup(name)) == NULL)
			return CG_ENOMEM;
		im->ncols = i + 1;
		if (strcmp(name, "code") == 0)
			im->code_col = (int)i;
	}
	if (im->code_col < 0)
		return cg__fail(im->ctx, CG_EPARSE, "line %lu: no code column (code, 商品编码, 税则号列 ...)",
				line);
	return CG_OK;
}

static bool
digits(const char *s, size_t n)
{
	return strlen(s) == n && strspn(s, "0123456789") == n;
}

/* A tariff line may be written 0101.2100 or with spaces: keep the digits. */
static void
squeeze_code(char *s)
{
	char *w = s;

	for (; *s != '\0'; s++) {
		if (*s != '.' && *s != ' ')
			*w++ = *s;
	}
	*w = '\0';
}

static cg_rc
check_code(struct importer *im, char *code, unsigned long line)
{
	if (im->t == CG_T_HS || im->t == CG_T_POSITIVE)
		squeeze_code(code);
	if (code[0] == '\0')
		return cg__fail(im->ctx, CG_EPARSE, "line %lu: empty code", line);
	if (im->t == CG_T_HS && !digits(code, 10))
		return cg__fail(im->ctx, CG_EPARSE, "line %lu: \"%.20s\" is not a 10-digit code", line,
				code);
	if (im->t == CG_T_POSITIVE && !digits(code, 8) && !digits(code, 10))
		return cg__fail(im->ctx, CG_EPARSE,
				"line %lu: \"%.20s\" is not an 8- or 10-digit tariff line", line, code);
	if (im->t == CG_T_UNIT && !digits(code, 3))
		return cg__fail(im->ctx, CG_EPARSE, "line %lu: \"%.20s\" is not a 3-digit unit", line,
				code);
	if (im->t == CG_T_CUSTOMS && !digits(code, 4))
		return cg__fail(im->ctx, CG_EPARSE, "line %lu: \"%.20s\" is not a 4-digit district",
				line, code);
	return CG_OK;
}

static cg_rc
remember(struct importer *im, const char *code, unsigned long line)
{
	char *dup;
	cg_rc rc;

	(void)line; /* duplicates are found once every code is in (no_duplicates) */
	rc = cg__grow((void **)&im->seen, &im->seencap, im->nseen + 1, sizeof(*im->seen));
	if (rc != CG_OK || (dup = cg__strdup(code)) == NULL)
		return CG_ENOMEM;
	im->seen[im->nseen++] = dup;
	return CG_OK;
}

static cg_rc
put_row(struct importer *im, char **cells, size_t n, unsigned long line)
{
	size_t i;
	cg_rc rc;

	if (n != im->ncols)
		return cg__fail(im->ctx, CG_EPARSE, "line %lu: %zu cells, the header has %zu", line, n,
				im->ncols);
	for (i = 0; i < n; i++) {
		trim(cells[i]);
		if (strpbrk(cells[i], "\t\r\n") != NULL)
			return cg__fail(im->ctx, CG_EPARSE, "line %lu: a cell holds a tab or a line break",
					line);
	}
	rc = check_code(im, cells[im->code_col], line);
	if (rc == CG_OK)
		rc = remember(im, cells[im->code_col], line);
	if (rc != CG_OK)
		return rc;
	/* The code first, then the other kept columns in their order. */
	fputs(cells[im->code_col], im->out);
	for (i = 0; i < n; i++) {
		if ((int)i == im->code_col || im->cols[i][0] == '\0')
			continue;
		fputc('\t', im->out);
		fputs(cells[i], im->out);
	}
	fputc('\n', im->out);
	return CG_OK;
}

static void
put_header(struct importer *im, const char *file, const char *enc)
{
	const struct cg_codes_import_opts *o = im->o;
	char today[16];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;

	(void)gmtime_r(&now, &tm);
	(void)strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	fprintf(im->out, "# table: %s — imported with `cebgate codes import`\n", o->table);
	fprintf(im->out, "# edition: %s\n# effective: %s\n# complete: %s\n", o->edition,
		o->effective, o->complete ? "yes" : "no");
	fprintf(im->out, "# source: %s\n", o->source != NULL ? o->source : file);
	fprintf(im->out, "# imported on %s from a %s file\n", today, enc);
	fputs("#columns:code", im->out);
	for (i = 0; i < im->ncols; i++) {
		if ((int)i != im->code_col && im->cols[i][0] != '\0')
			fprintf(im->out, "\t%s", im->cols[i]);
	}
	fputc('\n', im->out);
}

/* Split one TSV line in place. */
static size_t
split_tsv(char *line, char **cells, size_t max)
{
	size_t n = 0;

	while (n < max) {
		char *tab = strchr(line, '\t');

		cells[n++] = line;
		if (tab == NULL)
			return n;
		*tab = '\0';
		line = tab + 1;
	}
	return max + 1; /* too many */
}

static cg_rc
walk_tsv(struct importer *im, char *text, const char *file, const char *enc)
{
	char *line = text, *next, *cells[IMPORT_MAX_COLS + 1];
	unsigned long no = 0;
	bool header = true;
	cg_rc rc = CG_OK;

	for (; line != NULL && *line != '\0' && rc == CG_OK; line = next) {
		size_t n;

		no++;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		trim(line);
		if (line[0] == '\0' || (line[0] == '#' && strncmp(line, "#columns:", 9) != 0))
			continue;
		if (strncmp(line, "#columns:", 9) == 0)
			line += 9;
		n = split_tsv(line, cells, IMPORT_MAX_COLS);
		if (n > IMPORT_MAX_COLS)
			return cg__fail(im->ctx, CG_EPARSE, "line %lu: more than %d cells", no,
					IMPORT_MAX_COLS);
		if (header) {
			rc = set_header(im, cells, n, no);
			if (rc == CG_OK)
				put_header(im, file, enc);
			header = false;
		} else {
			rc = put_row(im, cells, n, no);
		}
	}
	return rc;
}

static cg_rc
walk_csv(struct importer *im, char *text, size_t len, const char *file, const char *enc)
{
	FILE *fp = fmemopen(text, len, "r");
	struct cg_csv *csv = NULL;
	char **cells;
	size_t n;
	unsigned long line;
	bool header = true;
	cg_rc rc;

	if (fp == NULL)
		return cg__fail(im->ctx, CG_ENOMEM, "out of memory");
	rc = cg__csv_open(&csv, fp, "utf-8");
	while (rc == CG_OK) {
		rc = cg__csv_next(csv, &cells, &n, &line);
		if (rc == CG_EPARSE || rc == CG_ETOOBIG)
			rc = cg__fail(im->ctx, rc, "line %lu: malformed CSV row", line);
		if (rc != CG_OK)
			break;
		if (header) {
			rc = set_header(im, cells, n, line);
			if (rc == CG_OK)
				put_header(im, file, enc);
			header = false;
		} else {
			rc = put_row(im, cells, n, line);
		}
	}
	cg__csv_close(csv);
	(void)fclose(fp);
	return rc == CG_ENOTFOUND ? CG_OK : rc;
}

static bool
valid_date(const char *s)
{
	char d[16];

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	memcpy(d, s, 4);
	memcpy(d + 4, s + 5, 2);
	memcpy(d + 6, s + 8, 2);
	memcpy(d + 8, "000000", 7);
	return strspn(d, "0123456789") == 14 && cg__datetime_valid(d);
}

static cg_rc
check_opts(cg_ctx *ctx, const struct cg_codes_import_opts *o, enum cg_table t)
{
	if (t == CG_T_NONE)
		return cg__fail(ctx, CG_EINVAL, "unknown table \"%s\"", o->table);
	if (o->edition == NULL || !cg__codes_edition_name_ok(o->edition))
		return cg__fail(ctx, CG_EINVAL,
				"--edition must be 1 to 32 letters, digits, '-', '.' or '_'");
	if (!valid_date(o->effective))
		return cg__fail(ctx, CG_EINVAL, "--effective must be a date YYYY-MM-DD");
	if (o->outdir == NULL)
		return cg__fail(ctx, CG_EINVAL, "no output directory");
	if (o->source != NULL && strpbrk(o->source, "\r\n") != NULL)
		return cg__fail(ctx, CG_EINVAL, "the source must be one line");
	return CG_OK;
}

static void
importer_dispose(struct importer *im)
{
	size_t i;

	for (i = 0; i < im->ncols; i++)
		free(im->cols[i]);
	for (i = 0; i < im->nseen; i++)
		free(im->seen[i]);
	free(im->seen);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static cg_rc
no_duplicates(struct importer *im)
{
	size_t i;

	qsort(im->seen, im->nseen, sizeof(*im->seen), cmp_str);
	for (i = 1; i < im->nseen; i++) {
		if (strcmp(im->seen[i], im->seen[i - 1]) == 0)
			return cg__fail(im->ctx, CG_EPARSE, "code %s is given twice", im->seen[i]);
	}
	return im->nseen > 0 ? CG_OK : cg__fail(im->ctx, CG_EPARSE, "no rows");
}

/* Write into a temporary file beside the target, check it loads, then rename it in place. */
cg_rc
cg_codes_import(cg_ctx *ctx, const char *file, const struct cg_codes_import_opts *o, size_t *rows)
{
	struct importer im = { ctx, o, cg__codes_table_of(o->table), { NULL }, 0, -1, NULL,
			       NULL, 0, 0 };
	char dir[4096], path[4200], tmp[4300], ebuf[128], *text = NULL, *nl;
	const char *enc = "UTF-8";
	size_t len = 0;
	int fd = -1;
	cg_rc rc = check_opts(ctx, o, im.t);

	*rows = 0;
	if (rc != CG_OK)
		return rc;
	(void)snprintf(dir, sizeof(dir), "%s/%s", o->outdir, o->table);
	(void)snprintf(path, sizeof(path), "%s/%s.tsv", dir, o->edition);
	(void)snprintf(tmp, sizeof(tmp), "%s/.%s.tsv.XXXXXX", dir, o->edition);
	if ((mkdir(o->outdir, 0755) != 0 && errno != EEXIST) || (mkdir(dir, 0755) != 0 && errno != EEXIST))
		return cg__fail(ctx, CG_EIO, "cannot create %s: %s", dir, ERRTEXT);
	rc = read_utf8(&text, &len, ctx, file, &enc);
	if (rc == CG_OK && ((fd = mkstemp(tmp)) < 0 || (im.out = fdopen(fd, "w")) == NULL))
		rc = cg__fail(ctx, CG_EIO, "cannot write in %s: %s", dir, ERRTEXT);
	if (rc == CG_OK) {
		nl = strchr(text, '\n');
		/* A header line with a tab is TSV; otherwise CSV. */
		if (memchr(text, '\t', nl != NULL ? (size_t)(nl - text) : len) != NULL)
			rc = walk_tsv(&im, text, file, enc);
		else
			rc = walk_csv(&im, text, len, file, enc);
	}
	if (rc == CG_OK)
		rc = no_duplicates(&im);
	if (im.out != NULL && fclose(im.out) != 0 && rc == CG_OK)
		rc = cg__fail(ctx, CG_EIO, "cannot write %s", tmp);
	else if (im.out == NULL && fd >= 0)
		(void)close(fd);
	if (rc == CG_OK)
		rc = cg__codes_check_file(ctx, im.t, tmp, o->edition, rows);
	if (rc == CG_OK && rename(tmp, path) != 0)
		rc = cg__fail(ctx, CG_EIO, "cannot install %s: %s", path, ERRTEXT);
	if (rc != CG_OK && fd >= 0)
		(void)unlink(tmp);
	free(text);
	importer_dispose(&im);
	return rc;
}
