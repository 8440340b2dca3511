/* SPDX-License-Identifier: MIT */
/* Bounded growable buffers, array growth and small string helpers. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include "util/internal.h"

cg_rc
cg__grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap != 0 ? *cap : 8;
	size_t bytes;
	void *p;

	if (need <= *cap)
		return CG_OK;
	while (ncap < need) {
		if (!cg__size_mul(&ncap, ncap, 2))
			return CG_ENOMEM;
	}
	if (!cg__size_mul(&bytes, ncap, elem))
		return CG_ENOMEM;
	p = realloc(*arr, bytes);
	if (p == NULL)
		return CG_ENOMEM;
	*arr = p;
	*cap = ncap;
	return CG_OK;
}

static cg_rc
buf_reserve(cg_buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (!cg__size_add(&need, b->len, extra) || !cg__size_add(&need, need, 1))
		return CG_ETOOBIG;
	if (b->max != 0 && need > b->max + 1)
		return CG_ETOOBIG;
	if (need <= b->cap)
		return CG_OK;
	ncap = b->cap != 0 ? b->cap : 64;
	while (ncap < need) {
		if (!cg__size_mul(&ncap, ncap, 2))
			return CG_ETOOBIG;
	}
	if (b->max != 0 && ncap > b->max + 1)
		ncap = b->max + 1;
	p = realloc(b->ptr, ncap);
	if (p == NULL)
		return CG_ENOMEM;
	b->ptr = p;
	b->cap = ncap;
	return CG_OK;
}

cg_rc
cg_buf_append(cg_buf *b, const void *data, size_t len)
{
	cg_rc rc = buf_reserve(b, len);

	if (rc != CG_OK)
		return rc;
	if (len != 0)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return CG_OK;
}

cg_rc
cg_buf_putc(cg_buf *b, char c)
{
	return cg_buf_append(b, &c, 1);
}

cg_rc
cg_buf_cstr(cg_buf *b)
{
	return cg_buf_append(b, "", 0);
}

void
cg_buf_dispose(cg_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
}

char *
cg_buf_detach(cg_buf *b)
{
	char *p = b->ptr;

	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

char *
cg__strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
cg__strdup(const char *s)
{
	return s != NULL ? cg__strndup(s, strlen(s)) : NULL;
}

char *
cg__strip(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		e--;
	*e = '\0';
	return s;
}

size_t
cg__utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	}
	return n;
}

void
cg__utf8_excerpt(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

bool
cg__utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		unsigned c = *p, n, cp, i;

		if (c == 0)
			return false;
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			n = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if ((size_t)(end - p) <= n)
			return false;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		/* Overlong forms, surrogates and values past U+10FFFF. */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		p += n + 1;
	}
	return true;
}
