/* SPDX-License-Identifier: MIT */
/* Context, error reporting and the data directory. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libxml/parser.h>
#include "util/internal.h"

cg_rc
cg_ctx_new(cg_ctx **out)
{
	cg_ctx *ctx = calloc(1, sizeof(*ctx));

	*out = NULL;
	if (ctx == NULL)
		return CG_ENOMEM;
	*out = ctx;
	return CG_OK;
}

void
cg_ctx_free(cg_ctx *ctx)
{
	if (ctx != NULL)
		xmlFreeParserCtxt(ctx->xml_keep);
	free(ctx);
}

void
cg_ctx_set_logger(cg_ctx *ctx, cg_log_fn fn, void *payload)
{
	ctx->log = fn;
	ctx->log_payload = payload;
}

const char *
cg_ctx_errmsg(const cg_ctx *ctx)
{
	return ctx != NULL ? ctx->errmsg : "";
}

static const char *const rc_text[] = {
	[CG_OK] = "success",
	[CG_ENOMEM] = "out of memory",
	[CG_EINVAL] = "invalid argument or input",
	[CG_EPARSE] = "malformed input",
	[CG_ESCHEMA] = "schema violation",
	[CG_ESIG] = "signature error",
	[CG_ENOTFOUND] = "not found",
	[CG_EDB] = "database error",
	[CG_ENET] = "network error",
	[CG_EIO] = "I/O error",
	[CG_ETOOBIG] = "input too large",
	[CG_EINTERNAL] = "internal error",
	[CG_EEXIST] = "exists already",
	[CG_EPERM] = "not permitted",
	[CG_ECONFLICT] = "conflicts with the current state",
	[CG_EUNAVAIL] = "not available on this service",
	[CG_EINCOMPLETE] = "input not read to the end",
	[CG_EAUTH] = "not authenticated",
};

const char *
cg_strerror(cg_rc rc)
{
	if ((unsigned)rc >= sizeof(rc_text) / sizeof(rc_text[0]))
		return "unknown error";
	return rc_text[rc];
}

cg_rc
cg__fail(cg_ctx *ctx, cg_rc rc, const char *fmt, ...)
{
	va_list ap;

	if (ctx == NULL)
		return rc;
	va_start(ap, fmt);
	/* Truncation of a diagnostic is acceptable; the code is what callers act on. */
	(void)vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
	va_end(ap);
	return rc;
}

void
cg__log(cg_ctx *ctx, cg_log_level lvl, const char *fmt, ...)
{
	char msg[CG_ERRMSG_MAX];
	va_list ap;

	if (ctx == NULL || ctx->log == NULL)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->log(ctx->log_payload, lvl, msg);
}

void
cg_free(void *p)
{
	free(p);
}

/*
 * Only the environment and the configured data directory: the library knows
 * nothing of the tree it was built in, so an installed copy can never read a
 * build's schemas. Tests and programs run from a build tree set
 * CEBGATE_DATADIR to the source tree (Makefile.am's AM_TESTS_ENVIRONMENT,
 * scripts/demo; docs/install.md).
 */
const char *
cg_datadir(void)
{
	const char *env = getenv("CEBGATE_DATADIR");

	if (env != NULL && *env != '\0')
		return env;
	return CG_PKGDATADIR;
}

static size_t
min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

/* Levenshtein distance of two words of at most 32 bytes (longer ones are far). */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, row[33], prev, up;

	if (la > 32 || lb > 32)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			row[j] = a[i - 1] == b[j - 1] ? prev : 1 + min3(prev, row[j - 1], up);
			prev = up;
		}
	}
	return row[lb];
}

const char *
cg_nearest_word(const char *word, const char *const *words, size_t n)
{
	size_t i, d, best = SIZE_MAX, len = strlen(word);
	const char *near = NULL;

	for (i = 0; i < n; i++) {
		d = edit_distance(word, words[i]);
		if (d < best) {
			best = d;
			near = words[i];
		}
	}
	/* A typo or two (three in a long word), never most of the word. */
	return best <= 2 && best < len ? near : best == 3 && len >= 8 ? near : NULL;
}
