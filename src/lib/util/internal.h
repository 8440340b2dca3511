/* SPDX-License-Identifier: MIT */
/* Library-internal helpers shared by every module: context, errors, buffers. */
#ifndef CG_INTERNAL_H
#define CG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cebgate/common.h"
#include "cebgate/finding.h"

#define CG_ERRMSG_MAX 512

struct _xmlParserCtxt;

struct cg_ctx {
	char errmsg[CG_ERRMSG_MAX];
	cg_log_fn log;
	void *log_payload;
	/*
	 * A parser context kept for this thread's parses of documents freed
	 * before the call returns (cg__xml_parse_keep): `cebgate verify` and its
	 * workers parse thousands without building a dictionary for each.
	 */
	struct _xmlParserCtxt *xml_keep;
};

/** Set the context's message and return @p rc (report once, at the origin). */
cg_rc cg__fail(cg_ctx *ctx, cg_rc rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void cg__log(cg_ctx *ctx, cg_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#ifdef CG_DEBUG
#include <assert.h>
#define CG_ASSERT(c) assert(c)
#else
#define CG_ASSERT(c) ((void)0)
#endif

/* Overflow-checked size arithmetic: false on overflow. */
static inline bool
cg__size_add(size_t *out, size_t a, size_t b)
{
	return !__builtin_add_overflow(a, b, out);
}

static inline bool
cg__size_mul(size_t *out, size_t a, size_t b)
{
	return !__builtin_mul_overflow(a, b, out);
}

/* Growable byte buffer with a hard maximum (never grows past max). */
typedef struct {
	char *ptr;
	size_t len;
	size_t cap;
	size_t max;
} cg_buf;

#define CG_BUF_INIT(m) { NULL, 0, 0, (m) }

cg_rc cg_buf_append(cg_buf *b, const void *data, size_t len);
cg_rc cg_buf_putc(cg_buf *b, char c);
/* NUL-terminate without counting the NUL in len. */
cg_rc cg_buf_cstr(cg_buf *b);
void cg_buf_dispose(cg_buf *b);
/* Hand the buffer to the caller (free with free()); b is left empty. */
char *cg_buf_detach(cg_buf *b);

/* Grow an array of @p elem bytes to hold at least @p need elements. */
cg_rc cg__grow(void **arr, size_t *cap, size_t need, size_t elem);

char *cg__strdup(const char *s);
/* Trim ASCII blanks (space, tab, CR, LF) at both ends in place; returns the new start. */
char *cg__strip(char *s);

struct json_t;
/* A jansson value as text owned by the caller (free with free()), or NULL. */
char *cg__json_text(const struct json_t *o, size_t flags);
/*
 * Every moment in @p v (members named created, registered, notAfter, at,
 * leaseUntil, decidedAt, now, hour, generated or updated holding Unix seconds)
 * as ISO 8601 text with the local offset, in place: what the API shows.
 */
void cg__json_times(struct json_t *v);
char *cg__strndup(const char *s, size_t n);

/* Add a finding; strings are copied. Returns CG_ENOMEM only. */
cg_rc cg__finding_add(cg_findings *f, const char *code, cg_severity sev, const char *source,
		      const char *xpath, unsigned long line, unsigned long column,
		      const char *zh, const char *en);
/* Same, with printf-style formatting of the two messages from the catalogue. */
cg_rc cg__finding_addf(cg_findings *f, const char *code, cg_severity sev, const char *source,
		       const char *xpath, unsigned long line, unsigned long column,
		       const char *detail_zh, const char *detail_en);

/* Number of Unicode code points in a UTF-8 string (XSD lengths count characters). */
size_t cg__utf8_len(const char *s);
/* True when @p s (len bytes) is well-formed UTF-8 without NUL. */
bool cg__utf8_valid(const char *s, size_t len);
/*
 * At most @p size - 1 bytes of @p src into @p dst, cut at a UTF-8 character
 * boundary, so a long value quoted in a finding stays valid text.
 */
void cg__utf8_excerpt(char *dst, size_t size, const char *src);

/* Decode base64 (whitespace between characters allowed); free *out with free(). */
cg_rc cg__base64_decode(unsigned char **out, size_t *outlen, const char *b64);

#endif
