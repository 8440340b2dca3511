/* SPDX-License-Identifier: MIT */
/*
 * Normalizing one value by its field kind: trim, full-width to ASCII, dates to
 * the CEB forms, decimals to at most 5 fraction digits, names and ISO codes to
 * customs codes. A value that cannot be mapped is an error, never a guess.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "normalize/normvalue.h"

/* Trim ASCII whitespace, NBSP (C2 A0) and the ideographic space (E3 80 80). */
static void
trim(char *s)
{
	char *p = s, *end;

	for (;;) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		else if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0)
			p += 2;
		else if ((unsigned char)p[0] == 0xE3 && (unsigned char)p[1] == 0x80 &&
			 (unsigned char)p[2] == 0x80)
			p += 3;
		else
			break;
	}
	memmove(s, p, strlen(p) + 1);
	end = s + strlen(s);
	for (;;) {
		if (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
			end--;
		else if (end - s >= 2 && (unsigned char)end[-2] == 0xC2 && (unsigned char)end[-1] == 0xA0)
			end -= 2;
		else if (end - s >= 3 && (unsigned char)end[-3] == 0xE3 &&
			 (unsigned char)end[-2] == 0x80 && (unsigned char)end[-1] == 0x80)
			end -= 3;
		else
			break;
	}
	*end = '\0';
}

/* U+FF01..U+FF5E (EF BC 81 .. EF BD 9E) are the full-width forms of '!'..'~'. */
static void
halfwidth(char *s)
{
	unsigned char *r = (unsigned char *)s, *w = (unsigned char *)s;

	while (*r != '\0') {
		if (r[0] == 0xEF && (r[1] == 0xBC || r[1] == 0xBD) && r[2] >= 0x80 && r[2] <= 0xBF) {
			unsigned cp = 0xFF00u + ((r[1] == 0xBD) ? 0x40u : 0u) + (r[2] - 0x80u);

			if (cp >= 0xFF01 && cp <= 0xFF5E) {
				*w++ = (unsigned char)(cp - 0xFF01 + 0x21);
				r += 3;
				continue;
			}
		}
		if (r[0] == 0xE3 && r[1] == 0x80 && r[2] == 0x80) {
			*w++ = ' ';
			r += 3;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
}

static bool
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* Collect the digit groups of a date/time: 2026-11-28 10:00:00, 2026/11/28T10:00, ... */
static int
date_groups(const char *s, int *g, int max)
{
	int n = 0;

	while (*s != '\0' && n < max) {
		int v = 0, len = 0;

		if (!isdigit((unsigned char)*s)) {
			if (strchr("-/.: T", *s) == NULL)
				return -1;
			s++;
			continue;
		}
		while (isdigit((unsigned char)*s) && len < 5) {
			v = v * 10 + (*s++ - '0');
			len++;
		}
		if (len == 5)
			return -1;
		g[n++] = v;
	}
	return *s == '\0' ? n : -1;
}

static enum cg_norm
norm_datetime(char *v, size_t cap, unsigned kind)
{
	size_t want = kind == CG_K_D8 ? 8 : kind == CG_K_DT14 ? 14 : 17;
	int g[7] = { 0 }, n;
	char out[32];

	if (strlen(v) == want && digits(v, want))
		return cg__datetime_valid(v) ? CG_NORM_SAME : CG_NORM_BADDATE;
	/* A compact 14-digit time given for a date field keeps its date. */
	if (kind == CG_K_D8 && strlen(v) == 14 && digits(v, 14)) {
		v[8] = '\0';
		return cg__datetime_valid(v) ? CG_NORM_CHANGED : CG_NORM_BADDATE;
	}
	n = date_groups(v, g, 7);
	if (n < 3 || g[0] < 1000)
		return CG_NORM_BADDATE;
	if (kind == CG_K_D8) {
		(void)snprintf(out, sizeof(out), "%04d%02d%02d", g[0], g[1], g[2]);
	} else {
		/* Never invent a time of day: a date alone is not a timestamp. */
		if (n < 5)
			return CG_NORM_BADDATE;
		(void)snprintf(out, sizeof(out), "%04d%02d%02d%02d%02d%02d", g[0], g[1], g[2], g[3],
			       g[4], n >= 6 ? g[5] : 0);
		if (kind == CG_K_T17) {
			char ms[8];

			(void)snprintf(ms, sizeof(ms), "%03d", n >= 7 ? g[6] % 1000 : 0);
			strncat(out, ms, sizeof(out) - strlen(out) - 1);
		}
	}
	if (strlen(out) != want || !cg__datetime_valid(out) || strlen(out) >= cap)
		return CG_NORM_BADDATE;
	memcpy(v, out, strlen(out) + 1);
	return CG_NORM_CHANGED;
}

/* "1,234.50" with proper thousands groups loses its commas; other commas are errors. */
static bool
strip_thousands(char *v)
{
	char *c = strchr(v, ','), *r, *w;
	size_t group = 0;
	bool seen_comma = false;

	if (c == NULL)
		return true;
	for (r = v; *r != '\0' && *r != '.'; r++) {
		if (*r == ',') {
			if ((seen_comma && group != 3) || group == 0 || group > 3)
				return false;
			seen_comma = true;
			group = 0;
		} else {
			group++;
		}
	}
	if (group != 3)
		return false;
	for (r = w = v; *r != '\0'; r++) {
		if (*r != ',')
			*w++ = *r;
	}
	*w = '\0';
	return true;
}

/* Fraction digits as written: "10.000000" has 6, though its value needs none. */
static size_t
fraction_digits(const char *v)
{
	const char *dot = strchr(v, '.');

	return dot != NULL ? strspn(dot + 1, "0123456789") : 0;
}

static enum cg_norm
norm_dec(char *v, size_t cap, bool integer)
{
	bool rounded = false, had_comma = strchr(v, ',') != NULL;
	cg_dec d;

	if (!strip_thousands(v) || !cg__dec_parse_round(v, &d, &rounded))
		return CG_NORM_BADNUM;
	if (integer) {
		if (d % CG_DEC_ONE != 0)
			return CG_NORM_BADNUM;
		if (rounded || strchr(v, '.') != NULL || v[0] == '+' || had_comma) {
			(void)snprintf(v, cap, "%lld", (long long)(d / CG_DEC_ONE));
			return CG_NORM_CHANGED;
		}
		return CG_NORM_SAME;
	}
	if (rounded || v[0] == '+' || fraction_digits(v) > 5) {
		cg__dec_format(d, v, cap);
		return CG_NORM_CHANGED;
	}
	return had_comma ? CG_NORM_CHANGED : CG_NORM_SAME;
}

/*
 * One policy with cebgate validate for a code its table does not hold: a
 * complete table makes it an error everywhere (here CG2001); a table known to
 * be partial (customs districts, domestic ports ...) cannot know what it
 * lacks, so a value shaped like a code (ASCII letters and digits of the
 * field's length) is kept as written and the validator run on the normalized
 * message warns (CG1014), exactly as cebgate validate does.
 */
static bool
kept_for_partial_table(const struct cg_codes *codes, const struct cg_fdef *fd, const char *v)
{
	bool before_oldest = false;
	const struct cg_edition *ed =
		cg__codes_edition_at(codes, (enum cg_table)fd->table, NULL, &before_oldest);
	size_t len = strlen(v), i;

	if (ed == NULL || ed->complete || len == 0 || len < fd->minlen ||
	    (fd->maxlen != 0 && len > fd->maxlen))
		return false;
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)v[i]))
			return false;
	}
	return true;
}

enum cg_norm
cg__norm_value(const struct cg_codes *codes, const struct cg_fdef *fd, char *v, size_t cap,
	       const char **why)
{
	char before[CG_NORM_MAX];
	enum cg_norm r = CG_NORM_SAME;

	(void)snprintf(before, sizeof(before), "%s", v);
	*why = "surrounding whitespace removed";
	trim(v);
	if (fd->kind != CG_K_TEXT) {
		char t[CG_NORM_MAX];

		(void)snprintf(t, sizeof(t), "%s", v);
		halfwidth(v);
		if (strcmp(t, v) != 0)
			*why = "full-width characters changed to ASCII";
	}
	trim(v);
	if (v[0] == '\0')
		return strcmp(before, v) != 0 ? CG_NORM_CHANGED : CG_NORM_SAME;
	switch (fd->kind) {
	case CG_K_DEC:
	case CG_K_INT:
		r = norm_dec(v, cap, fd->kind == CG_K_INT);
		if (r == CG_NORM_CHANGED)
			*why = "number written in the CEB form (separators, sign, at most 5 decimals)";
		break;
	case CG_K_DT14:
	case CG_K_D8:
	case CG_K_T17:
		r = norm_datetime(v, cap, fd->kind);
		if (r == CG_NORM_CHANGED)
			*why = fd->kind == CG_K_D8 ? "date written as YYYYMMDD"
						   : "time written as YYYYMMDDhhmmss";
		break;
	case CG_K_IDNO:
		if (v[0] != '\0' && v[strlen(v) - 1] == 'x') {
			v[strlen(v) - 1] = 'X';
			*why = "check character x written as X";
		}
		break;
	case CG_K_GUID:
		for (char *p = v; *p != '\0'; p++)
			*p = (char)toupper((unsigned char)*p);
		break;
	default:
		break;
	}
	if (r != CG_NORM_SAME && r != CG_NORM_CHANGED)
		return r;
	if (fd->table != CG_T_NONE && !cg__codes_has(codes, (enum cg_table)fd->table, v)) {
		const char *code = cg__codes_map(codes, (enum cg_table)fd->table, v);

		if (code == NULL && kept_for_partial_table(codes, fd, v))
			return strcmp(before, v) != 0 ? CG_NORM_CHANGED : CG_NORM_SAME;
		if (code == NULL || strlen(code) >= cap)
			return CG_NORM_UNMAPPED;
		memmove(v, code, strlen(code) + 1);
		*why = fd->table == CG_T_UNIT	     ? "unit name mapped to its customs code"
		       : fd->table == CG_T_COUNTRY  ? "country mapped to its customs code"
		       : fd->table == CG_T_CURRENCY ? "currency mapped to its customs code"
						    : "value mapped to its code";
	}
	return strcmp(before, v) != 0 ? CG_NORM_CHANGED : CG_NORM_SAME;
}
